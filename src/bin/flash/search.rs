//! `flash search`: the FLASH search, the baselines and the exact optimum.

use crate::args::{json, number, options, text_opt};
use flash_nas::search::compare::Comparison;
use flash_nas::search::request::Request;
use flash_nas::search::{self, show, ExactBudget, Metric, Observer, SearchResult};

pub const USAGE: &str = "\
\x20 flash search [--space SPACE] [--profile PROFILE] [--goal GOAL] [--seed S]
               [--solver flash|random|evolution|exact|compare] [--evaluations N]
               [--knobs KNOBS] [--samples SAMPLES.csv] [--trace] [--human]
               [--exact-seconds S] [--exact-entries N] [--exact-gap G]
               [--bench-samples N] [--truth COLUMN] [--oracle] [--latency DEVICE]
                                 co-design a network and hardware (JSON; a table with --human).
                                 GOAL: max-accuracy | min-COST | pareto-COST, then limits, e.g.
                                 'max-accuracy,latency<=2,energy<=0.5' (ms, mJ, mm2, MiB),
                                 'min-energy,degree>=120'; COST: latency energy area memory edp edap.
                                 KNOBS: hardware choices, e.g. 'rows+cols=64,128,256;adc_bits=4..8'.
                                 compare: FLASH, exact optimum, random and evolution (same and 100×
                                 evaluations) with optimality gaps.
                                 The exact method stops at S seconds (default 10) or N partial
                                 networks in memory (default 2000000) with a certified bound;
                                 G accepts a relative gap (default 0: the exact optimum).
                                 Its progress goes to stderr.
                                 In an nb201 space (NAS-Bench-201, data/nb201/): every result
                                 shows its true accuracy (COLUMN, default the data set's
                                 longest training); --bench-samples N fits the predictor on N
                                 cells drawn (--seed) with that accuracy; --oracle ranks by the
                                 truth itself; --latency DEVICE (raspi4, 2080ti_1, … see
                                 data/nb201/README.md) takes the measured latency instead of
                                 the profile's model";

const FLAGS: [&str; 3] = ["--trace", "--human", "--oracle"];

pub fn run(rest: &[String]) -> Result<String, String> {
    let flags: Vec<&str> = rest.iter().map(String::as_str).filter(|a| FLAGS.contains(a)).collect();
    let args: Vec<String> = rest.iter().filter(|a| !FLAGS.contains(&a.as_str())).cloned().collect();
    let (positional, opts) = options(
        &args,
        &[
            "space",
            "profile",
            "goal",
            "seed",
            "solver",
            "evaluations",
            "knobs",
            "samples",
            "exact-seconds",
            "exact-entries",
            "exact-gap",
            "bench-samples",
            "truth",
            "latency",
        ],
    )?;
    if let Some(p) = positional.first() {
        return Err(format!("search takes only options, not '{p}' (see flash help)"));
    }
    let read =
        |path: &str| std::fs::read_to_string(path).map_err(|e| format!("cannot read {path}: {e}"));
    // The request's own defaults are the CLI's: only what is given replaces them.
    let d = Request::default();
    let profile = text_opt(&opts, "profile").unwrap_or(&d.profile);
    let request = Request {
        space: text_opt(&opts, "space").unwrap_or(&d.space).to_string(),
        profile: profile.to_string(),
        profile_json: if profile.ends_with(".json") { Some(read(profile)?) } else { None },
        goal: text_opt(&opts, "goal").unwrap_or(&d.goal).to_string(),
        knobs: text_opt(&opts, "knobs").unwrap_or(&d.knobs).to_string(),
        samples_csv: text_opt(&opts, "samples").map(read).transpose()?,
        solver: text_opt(&opts, "solver").unwrap_or(&d.solver).to_string(),
        evaluations: number(
            &opts,
            "evaluations",
            d.evaluations,
            (1, search::baselines::MAX_EVALUATIONS),
        )?,
        seed: number(&opts, "seed", d.seed, (0, u64::MAX))?,
        trace: flags.contains(&"--trace"),
        exact: exact_budget(&opts, d.exact)?,
        truth: text_opt(&opts, "truth").map(str::to_string),
        bench_samples: match text_opt(&opts, "bench-samples") {
            None => None,
            Some(_) => Some(number(&opts, "bench-samples", 25, (1, 15_625))? as usize),
        },
        oracle: flags.contains(&"--oracle"),
        latency: text_opt(&opts, "latency").map(str::to_string),
    };
    let human = flags.contains(&"--human");
    if request.solver == "compare" {
        let c = request.compare().map_err(|e| e.to_string())?;
        return if human { Ok(comparison_table(&c)) } else { json(&c) };
    }
    let result = request.run_observed(&mut Progress::default()).map_err(|e| match e {
        flash_nas::Error::Field { ref field, .. } if field == "solver" => format!("--{e}"),
        e => e.to_string(),
    })?;
    if human {
        Ok(table(&result))
    } else {
        json(&result)
    }
}

/// The exact method's budget from `--exact-seconds`, `--exact-entries`, `--exact-gap`;
/// the core checks the ranges.
fn exact_budget(opts: &[(&str, &str)], d: ExactBudget) -> Result<ExactBudget, String> {
    let float = |key: &str, default: f64| -> Result<f64, String> {
        match text_opt(opts, key) {
            None => Ok(default),
            Some(v) => v.parse().map_err(|_| format!("--{key} = {v} is not a number")),
        }
    };
    let budget = ExactBudget {
        seconds: float("exact-seconds", d.seconds)?,
        entries: number(opts, "exact-entries", d.entries as u64, (1, u64::MAX))? as usize,
        gap: float("exact-gap", d.gap)?,
        ..d
    };
    budget.check().map_err(|e| format!("--{e}"))
}

/// The exact method's progress on stderr, one line per step.
#[derive(Default)]
struct Progress {
    last: String,
}

impl Observer for Progress {
    fn progress(&mut self, done: f64, what: &str) {
        let line = format!("exact: {:>3.0} % {what}", 100.0 * done);
        if line != self.last {
            eprintln!("{line}");
            self.last = line;
        }
    }
}

fn table(r: &SearchResult) -> String {
    let mut out = vec![
        format!("solver:       {}", r.solver),
        format!("space:        {}", r.space),
        format!(
            "hardware:     {} ({} configuration{})",
            r.profile,
            r.hardware_configurations,
            if r.hardware_configurations == 1 { "" } else { "s" }
        ),
        format!("goal:         {}", r.goal),
        format!("accuracy:     {}", r.quality),
    ];
    if let Some(t) = &r.truth {
        out.push(format!("truth:        {t}"));
    }
    if let Some(l) = &r.measured_latency {
        out.push(format!("latency:      {l}, not the profile's model"));
    }
    out.extend([
        format!("result:       {}", if r.feasible { "meets every limit" } else { "INFEASIBLE" }),
        format!("              {}", r.message),
    ]);
    if let Some(b) = &r.best {
        let m = &b.metrics;
        out.push(format!("network:      {}", b.arch));
        if !b.settings.is_empty() {
            out.push(format!("configured:   {}", b.hardware));
        }
        match (m.accuracy, m.true_accuracy) {
            (Some(a), Some(t)) if a == t => out.push(format!("  accuracy    {t:.4} (true)")),
            (Some(a), Some(t)) => out.push(format!(
                "  accuracy    {a:.4} (predicted), {t:.4} (true): off by {:+.2} points",
                100.0 * (a - t)
            )),
            (Some(a), None) => out.push(format!("  accuracy    {a:.4} (predicted)")),
            (None, Some(t)) => out.push(format!("  accuracy    {t:.4} (true)")),
            (None, None) => {}
        }
        out.push(format!("  NN-Degree   {:.3}", m.nn_degree));
        out.push(format!("  params      {}", m.params));
        out.push(format!("  MACs        {}", m.macs));
        out.push(format!("  latency     {}", show(Metric::Latency, m.latency_s)));
        out.push(format!("  energy      {}", show(Metric::Energy, m.energy_j)));
        // Fixed-silicon targets (CPUs, GPUs, the Edge TPU) report no area.
        if m.area_mm2 > 0.0 {
            out.push(format!("  area        {}", show(Metric::Area, m.area_mm2)));
        }
        out.push(format!("  memory      {}", show(Metric::Memory, m.memory_bytes)));
    }
    for b in &r.binding {
        out.push(format!(
            "limit {:<22} value {:<12} slack {:>6.2} %{}",
            b.limit,
            format!("{:.4}", b.value),
            100.0 * b.slack,
            if b.binds { "  (binds)" } else { "" }
        ));
    }
    if !r.pareto.is_empty() {
        out.push(format!("Pareto front ({} networks):", r.pareto.len()));
        for f in &r.pareto {
            out.push(format!(
                "  score {:>10.4}  latency {:>12}  energy {:>12}  {}",
                f.metrics.score(),
                show(Metric::Latency, f.metrics.latency_s),
                show(Metric::Energy, f.metrics.energy_j),
                f.arch
            ));
        }
    }
    out.push(format!(
        "evaluations:  {} exact, {} on the relaxation; {:.3} ms; {} local minima",
        r.evaluations,
        r.relaxed_evaluations,
        r.seconds * 1e3,
        r.local_minima.len()
    ));
    out.join("\n")
}

fn comparison_table(c: &Comparison) -> String {
    let mut out = vec![format!("goal {} on {} — {}", c.flash.goal, c.flash.profile, c.flash.space)];
    if c.exact.is_none() {
        out.push(format!("exact optimum: unavailable ({})", c.exact_message));
    }
    out.push(format!(
        "{:<28} {:>12} {:>11} {:>10} {:>12} {:>12}",
        "solver", "evaluations", "time ms", "feasible", "gap %", "score gap"
    ));
    for r in &c.rows {
        out.push(format!(
            "{:<28} {:>12} {:>11.3} {:>10} {:>12} {:>12}",
            r.solver,
            r.evaluations,
            r.seconds * 1e3,
            r.feasible,
            r.gap.map_or("—".into(), |g| format!("{:.4}", 100.0 * g)),
            r.score_gap.map_or("—".into(), |g| format!("{g:.4}"))
        ));
    }
    out.join("\n")
}
