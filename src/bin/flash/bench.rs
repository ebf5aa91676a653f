//! `flash search-bench`: FLASH against the exact optimum and the baselines on
//! every built-in profile at three limit levels (docs/benchmarks.md).

use crate::args::{number, options, text_opt};
use flash_nas::hardware::{builtin, profile::BUILTIN};
use flash_nas::search::compare::compare;
use flash_nas::search::{run, Exact, Flash, Goal, Metric, Problem, ProblemParams, Quality};
use flash_nas::SearchSpace;

pub const USAGE: &str = "\
\x20 flash search-bench [--space SPACE] [--profiles a,b,…] [--repeats R] [--multiple M] [--cases-out FILE]
                                 FLASH vs exact optimum, random search and aging evolution on each
                                 profile, two goals × three limit levels; a markdown table and summary
  flash search-bench --scaling [--profiles P] [--repeats R]
                                 FLASH's time as cells grow 3 → 6 → 10 and ranges widen, with a fitted power law";

/// Where a limit sits between the cheapest and the best network: lo·(hi/lo)^q.
const LEVELS: [(&str, f64); 3] = [("tight", 0.25), ("medium", 0.5), ("loose", 0.75)];

fn problem(space: &SearchSpace, profile: &str, goal: &str) -> Result<Problem, String> {
    let goal = Goal::parse(goal).map_err(|e| e.to_string())?;
    ProblemParams {
        space: space.clone(),
        quality: Quality::Degree,
        profile: builtin(profile).map_err(|e| e.to_string())?,
        knobs: Vec::new(),
        goal,
        bench: Default::default(),
    }
    .check()
    .map_err(|e| e.to_string())
}

/// The exact optimum's value of `metric` under a goal with no limits.
fn extreme(space: &SearchSpace, profile: &str, goal: &str, metric: Metric) -> Result<f64, String> {
    let r = run(&problem(space, profile, goal)?, &Exact::default(), &mut (), false)
        .map_err(|e| e.to_string())?;
    Ok(r.best.ok_or("no network")?.metrics.metric(metric))
}

fn sig4(v: f64) -> f64 {
    format!("{v:.3e}").parse().unwrap_or(v)
}

/// FLASH's median time and evaluations on `space` for `profile`, with the
/// latency limit halfway (geometrically) between the fastest and the best
/// network FLASH finds.
fn timed(space: &SearchSpace, profile: &str, repeats: usize) -> Result<(f64, u64, f64), String> {
    let flash = |goal: &str| -> Result<flash_nas::search::SearchResult, String> {
        run(&problem(space, profile, goal)?, &Flash::default(), &mut (), false)
            .map_err(|e| e.to_string())
    };
    let lo = flash("min-latency")?.best.ok_or("no network")?.metrics.latency_s;
    let hi = flash("max-accuracy")?.best.ok_or("no network")?.metrics.latency_s;
    let goal = format!("max-accuracy,latency<={}", sig4((lo * hi).sqrt() * 1e3));
    let mut t = Vec::new();
    let mut last = None;
    for _ in 0..repeats {
        let r = flash(&goal)?;
        t.push(r.seconds);
        last = Some(r);
    }
    t.sort_by(f64::total_cmp);
    let r = last.expect("repeats ≥ 1");
    Ok((t[t.len() / 2], r.evaluations, r.best.map_or(f64::NAN, |b| b.metrics.nn_degree)))
}

/// Least-squares fit of log t = log a + b·log x: (a, b).
fn power_law(points: &[(f64, f64)]) -> (f64, f64) {
    let logs: Vec<(f64, f64)> = points.iter().map(|(x, y)| (x.ln(), y.ln())).collect();
    let (log_a, b) = flash_nas::linalg::fit_line(&logs).unwrap_or((f64::NAN, f64::NAN));
    (log_a.exp(), b)
}

/// Search time as cells grow 3 → 6 → 10 and as the per-cell ranges widen.
fn scaling(profile: &str, repeats: usize) -> Result<String, String> {
    let mut lines = vec![
        "| space | configurations | FLASH ms (median) | evaluations | NN-Degree found |"
            .to_string(),
        "|---|---|---|---|---|".to_string(),
    ];
    let mut by_cells = Vec::new();
    for (cells, strides) in
        [(3, ""), (6, ";s=1;c2.s=2;c4.s=2;c6.s=2"), (10, ";s=1;c2.s=2;c5.s=2;c8.s=2")]
    {
        let text = format!("cifar10/dense/cells={cells};d=2..11;w=8..64:8;t=0..49{strides}");
        let space = SearchSpace::parse(&text).map_err(|e| e.to_string())?;
        let (t, evals, deg) = timed(&space, profile, repeats)?;
        by_cells.push((cells as f64, t));
        lines.push(format!(
            "| `{text}` | {:.2e} | {:.3} | {evals} | {deg:.2} |",
            space.count() as f64,
            t * 1e3
        ));
    }
    let mut by_values = Vec::new();
    for (d, w, t) in [(11, 64, 49), (21, 128, 99), (41, 256, 199)] {
        let text = format!("cifar10/dense/cells=3;d=2..{d};w=8..{w}:8;t=0..{t}");
        let space = SearchSpace::parse(&text).map_err(|e| e.to_string())?;
        let per_cell = space.cells()[0].count() as f64;
        let (secs, evals, deg) = timed(&space, profile, repeats)?;
        by_values.push((per_cell, secs));
        lines.push(format!(
            "| `{text}` | {:.2e} | {:.3} | {evals} | {deg:.2} |",
            space.count() as f64,
            secs * 1e3
        ));
    }
    let (a, b) = power_law(&by_cells);
    let (c, e) = power_law(&by_values);
    lines.push(String::new());
    lines.push(format!(
        "Fitted on {profile}: t ≈ {:.3} ms · (cells/3)^{b:.2} over cells; t ≈ {:.3} ms · (values per cell / 4000)^{e:.2} over range width.",
        a * 3f64.powf(b) * 1e3,
        c * 4000f64.powf(e) * 1e3
    ));
    Ok(lines.join("\n"))
}

pub fn run_bench(rest: &[String]) -> Result<String, String> {
    let flags = rest.iter().any(|a| a == "--scaling");
    let rest: Vec<String> = rest.iter().filter(|a| *a != "--scaling").cloned().collect();
    let (_, opts) = options(&rest, &["space", "profiles", "repeats", "multiple", "cases-out"])?;
    if flags {
        return scaling(
            text_opt(&opts, "profiles").unwrap_or("rram-imc"),
            number(&opts, "repeats", 5, (1, 1000))?,
        );
    }
    let space =
        SearchSpace::resolve(text_opt(&opts, "space").unwrap_or(flash_nas::space::DEFAULT_ALIAS))
            .map_err(|e| format!("--space: {e}"))?;
    let profiles: Vec<String> = match text_opt(&opts, "profiles") {
        Some(list) => list.split(',').map(str::to_string).collect(),
        None => BUILTIN.iter().map(|(n, _)| n.to_string()).collect(),
    };
    let repeats: usize = number(&opts, "repeats", 5, (1, 1000))?;
    let multiple: u64 = number(&opts, "multiple", 100, (1, 10_000))?;
    let mut lines = vec![
        "| profile | goal | FLASH ms (median) | FLASH evals | FLASH gap % | random gap % (same / ×M) | evolution gap % (same / ×M) | exact ms |".replace('M', &multiple.to_string()),
        "|---|---|---|---|---|---|---|---|".to_string(),
    ];
    let mut cases = Vec::new();
    let (mut within, mut total, mut times) = (0usize, 0usize, Vec::new());
    let mut baseline_within = [0usize; 4];
    for name in &profiles {
        let lat_lo = extreme(&space, name, "min-latency", Metric::Latency)?;
        let lat_hi = extreme(&space, name, "max-accuracy", Metric::Latency)?;
        let deg_lo = extreme(&space, name, "min-energy", Metric::Degree)?;
        let deg_hi = extreme(&space, name, "max-accuracy", Metric::Degree)?;
        for (level, q) in LEVELS {
            let latency_ms = sig4(lat_lo * (lat_hi / lat_lo).powf(q) * 1e3);
            let degree = sig4(deg_lo + q * (deg_hi - deg_lo));
            for goal in [
                format!("max-accuracy,latency<={latency_ms}"),
                format!("min-energy,degree>={degree}"),
            ] {
                let p = problem(&space, name, &goal)?;
                let c = compare(&p, 1, true, multiple).map_err(|e| e.to_string())?;
                let mut t: Vec<f64> = (0..repeats)
                    .map(|_| {
                        run(&p, &Flash::default(), &mut (), false)
                            .map(|r| r.seconds)
                            .unwrap_or(f64::NAN)
                    })
                    .collect();
                t.sort_by(f64::total_cmp);
                let median = t[t.len() / 2];
                times.push(median);
                let gap = |i: usize| c.rows.get(i).and_then(|r| r.gap);
                let show = |g: Option<f64>| {
                    g.map_or("infeasible".to_string(), |g| format!("{:.3}", 100.0 * g))
                };
                let (flash_gap, exact_ms) =
                    (gap(0), c.exact.as_ref().map_or(f64::NAN, |e| e.seconds * 1e3));
                total += 1;
                if flash_gap.is_some_and(|g| g <= 0.005) {
                    within += 1;
                }
                for (i, slot) in baseline_within.iter_mut().enumerate() {
                    if gap(2 + i).is_some_and(|g| g <= 0.005) {
                        *slot += 1;
                    }
                }
                lines.push(format!(
                    "| {name} | `{goal}` ({level}) | {:.3} | {} | {} | {} / {} | {} / {} | {:.0} |",
                    median * 1e3,
                    c.rows[0].evaluations,
                    show(flash_gap),
                    show(gap(2)),
                    show(gap(4)),
                    show(gap(3)),
                    show(gap(5)),
                    exact_ms
                ));
                cases.push(serde_json::json!({"profile": name, "goal": goal, "level": level}));
            }
        }
    }
    times.sort_by(f64::total_cmp);
    lines.push(String::new());
    lines.push(format!(
        "FLASH within 0.5 % of the exact optimum: {within}/{total} ({:.0} %); median time {:.3} ms, slowest {:.3} ms. \
         Within 0.5 %: random {}/{total} (same evaluations), {}/{total} (×{multiple}); evolution {}/{total}, {}/{total}.",
        100.0 * within as f64 / total as f64,
        times[times.len() / 2] * 1e3,
        times[times.len() - 1] * 1e3,
        baseline_within[0],
        baseline_within[2],
        baseline_within[1],
        baseline_within[3]
    ));
    if let Some(path) = text_opt(&opts, "cases-out") {
        std::fs::write(path, serde_json::to_string_pretty(&cases).map_err(|e| e.to_string())?)
            .map_err(|e| format!("{path}: {e}"))?;
    }
    Ok(lines.join("\n"))
}
