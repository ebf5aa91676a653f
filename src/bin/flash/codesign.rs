//! `flash search-bench --suite codesign`: FLASH against the exact optimum on the
//! whole co-design (issue 16): every family, four data sets, the IMC knobs, every
//! goal kind, limits at fractions of each problem's own range, with and without a
//! fitted predictor. The cases are fixed by the rules below, written before any
//! tuning; each case falls in the `tune` or the `held-out` half by a hash of its
//! name (docs/benchmarks.md).

use crate::args::{number, options, text_opt};
use flash_nas::hardware::builtin;
use flash_nas::predictor::{self, SampleSet};
use flash_nas::search::compare::baselines;
use flash_nas::search::exact::{hypervolume, nadir};
use flash_nas::search::{
    knobs, run, Cost, Exact, ExactBudget, Flash, Goal, Metric, Objective, Problem, ProblemParams,
    Quality, SearchResult,
};
use flash_nas::SearchSpace;
use serde::Serialize;

pub const USAGE: &str = "\
\x20 flash search-bench --suite codesign [--half tune|held-out|all|fresh] [--repeats R] [--seeds S]
                     [--exact-seconds T] [--cases-out FILE]
                                 FLASH vs the exact optimum, random search and evolution on 216
                                 fixed cases (6 spaces × 3 profiles × 12 goals), split in halves;
                                 `fresh`: 198 other cases, untouched by any tuning";

/// The spaces: every family, four data sets; the last is FLASH's digits space,
/// searched with the predictor fitted on its 25 trained networks.
const SPACES: [(&str, Option<&str>); 6] = [
    ("default", None),
    ("mnist/dense/cells=2;d=1..4;w=4..16:4;t=0..12", None),
    ("cifar10/res/cells=3;d=1..4;w=16..64:16;t=0..4", None),
    ("cifar10/wres(k=4)/cells=3;d=1..3;w=8..16:8;t=0..3", None),
    ("cifar100/mobile/cells=4;d=1..4;w=16..64:16;t=0..4;e=1..6:5", None),
    (
        "digits/dense/cells=3;d=2..11;w=8..64:8;t=0..49",
        Some("data/samples/digits-flash-design.csv"),
    ),
];

/// The hardware: an IMC accelerator with its knobs, one without, and a CPU.
const PROFILES: [(&str, &str); 3] =
    [("rram-imc", "rows+cols=64,128,256;adc_bits=4..8"), ("sram-imc", ""), ("rpi4", "")];

#[derive(Clone, Debug, Serialize)]
struct CaseResult {
    name: String,
    half: &'static str,
    space: String,
    profile: String,
    knobs: String,
    /// The sample set the predictor is fitted on (none: NN-Degree), for reruns
    /// of the case elsewhere (tests/e2e/codesign-bench.mjs runs them in wasm).
    samples: Option<String>,
    goal: String,
    pareto: bool,
    /// FLASH's relative gap (scalar goals) or 1 − hypervolume ratio (Pareto goals).
    flash_gap: Option<f64>,
    flash_ms: f64,
    exact_ms: f64,
    exact_proven: bool,
    /// Random search and evolution: same evaluations and ×10, median over seeds.
    random_gap: [Option<f64>; 2],
    evolution_gap: [Option<f64>; 2],
}

fn fnv(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ b as u64).wrapping_mul(0x100_0000_01b3))
}

fn sig4(v: f64) -> f64 {
    format!("{v:.3e}").parse().unwrap_or(v)
}

fn problem(
    space: &str,
    profile: &str,
    knobs_text: &str,
    quality: &Quality,
    goal: &str,
) -> Result<Problem, String> {
    ProblemParams {
        space: SearchSpace::resolve(space).map_err(|e| e.to_string())?,
        quality: quality.clone(),
        profile: builtin(profile).map_err(|e| e.to_string())?,
        knobs: knobs::parse(knobs_text).map_err(|e| e.to_string())?,
        goal: Goal::parse(goal).map_err(|e| e.to_string())?,
        bench: Default::default(),
    }
    .check()
    .map_err(|e| e.to_string())
}

/// The gap of `r` against the exact `e`: relative objective gap (0 where both
/// find no feasible network and the exact search proved there is none), or for
/// Pareto goals 1 − HV(r)/HV(e) with the exact front's nadir as the reference.
fn gap(r: &SearchResult, e: &SearchResult, pareto: Option<Cost>) -> Option<f64> {
    match pareto {
        Some(c) => {
            let pts = |x: &SearchResult| -> Vec<(f64, f64)> {
                x.pareto.iter().map(|f| (f.metrics.score(), f.metrics.cost(c))).collect()
            };
            let (pe, pr) = (pts(e), pts(r));
            if pe.is_empty() {
                return None;
            }
            let n = nadir(&pe);
            let he = hypervolume(&pe, n);
            Some(if he > 0.0 { 1.0 - hypervolume(&pr, n) / he } else { 0.0 })
        }
        None => {
            // A limit no network meets (a limit rounded to 4 digits just below
            // the least cost): a proven exact search and a solver that both say
            // so agree, which is the right answer.
            let proven = e.optimality.as_ref().is_some_and(|o| o.proven);
            if proven && !e.feasible && !r.feasible {
                return Some(0.0);
            }
            let (Some(b), Some(opt)) =
                (r.best.as_ref().filter(|_| r.feasible), e.best.as_ref().filter(|_| e.feasible))
            else {
                return None;
            };
            let (o, star) = (b.verdict.objective, opt.verdict.objective);
            Some(if star == 0.0 { o - star } else { (o - star) / star.abs() })
        }
    }
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn median_gap(v: Vec<Option<f64>>) -> Option<f64> {
    // An infeasible answer counts as the worst.
    let mut g: Vec<f64> = v.into_iter().map(|g| g.unwrap_or(f64::INFINITY)).collect();
    g.sort_by(f64::total_cmp);
    let m = g[g.len() / 2];
    m.is_finite().then_some(m)
}

pub fn run_suite(rest: &[String]) -> Result<String, String> {
    let (_, opts) =
        options(rest, &["suite", "half", "repeats", "seeds", "exact-seconds", "cases-out"])?;
    let half = text_opt(&opts, "half").unwrap_or("all");
    if !["tune", "held-out", "all", "fresh"].contains(&half) {
        return Err(format!(
            "--half = {half} is not allowed: allowed tune, held-out, all or fresh"
        ));
    }
    let repeats: usize = number(&opts, "repeats", 3, (1, 100))?;
    let seeds: u64 = number(&opts, "seeds", 3, (1, 20))?;
    let seconds: f64 = number(&opts, "exact-seconds", 60.0, (1.0, 3600.0))?;
    let budget = ExactBudget { seconds, ..ExactBudget::default() };
    let exact = |p: &Problem| {
        run(p, &Exact { budget, ..Exact::default() }, &mut (), false).map_err(|e| e.to_string())
    };
    let mut results: Vec<CaseResult> = Vec::new();
    for (space, samples) in SPACES {
        let quality = match samples {
            None => Quality::Degree,
            Some(path) => {
                let csv = std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))?;
                Quality::fitted(
                    &predictor::fit(&SampleSet::from_csv(&csv).map_err(|e| e.to_string())?.samples)
                        .map_err(|e| e.to_string())?,
                )
            }
        };
        let floor_metric = if samples.is_some() { "accuracy" } else { "degree" };
        for (profile, knobs_text) in PROFILES {
            let imc =
                flash_nas::hardware::builtin(profile).map_err(|e| e.to_string())?.sizes_silicon();
            let third = if imc { (Metric::Area, "area") } else { (Metric::Memory, "memory") };
            let product = if imc { "edap" } else { "edp" };
            // Each problem's own range: its most accurate network and its cheapest in each cost.
            let p = |goal: &str| problem(space, profile, knobs_text, &quality, goal);
            let top = exact(&p("max-accuracy")?)?.best.ok_or("no network")?;
            let score_hi = top.metrics.score();
            // The most accurate networks' least cost in each metric: the most
            // accurate network alone is one of several tied (the same NN-Degree
            // and latency on every adc_bits setting), and which one the exact
            // method reports depends on the incumbent FLASH hands it, so the
            // cases would move with the solver under test.
            let top_floor = format!("{floor_metric}>={score_hi}");
            let hi_of = |m: Metric, name: &str| -> Result<f64, String> {
                let b = exact(&p(&format!("min-{name},{top_floor}"))?)?.best.ok_or("no network")?;
                Ok(b.metrics.metric(m))
            };
            let lat_hi = hi_of(Metric::Latency, "latency")?;
            let en_hi = hi_of(Metric::Energy, "energy")?;
            let third_hi = hi_of(third.0, third.1)?;
            let lo = |m: Metric, goal: &str| -> Result<(f64, f64), String> {
                let b = exact(&p(goal)?)?.best.ok_or("no network")?;
                Ok((b.metrics.metric(m), b.metrics.score()))
            };
            let (lat_lo, score_lo) = lo(Metric::Latency, "min-latency")?;
            let (en_lo, _) = lo(Metric::Energy, "min-energy")?;
            let (third_lo, _) = lo(third.0, &format!("min-{}", third.1))?;
            let cap = |lo: f64, hi: f64, q: f64| sig4(lo * (hi / lo.max(1e-300)).powf(q));
            let floor = |q: f64| {
                let v = score_lo + q * (score_hi - score_lo);
                format!(
                    "{floor_metric}>={}",
                    if samples.is_some() { format!("{:.4}", v) } else { format!("{}", sig4(v)) }
                )
            };
            let unit = |m: Metric, v: f64| sig4(m.from_si(v));
            let limited = |m: Metric, name: &str, lo: f64, hi: f64, q: f64| {
                format!("max-accuracy,{name}<={}", unit(m, cap(lo, hi, q)))
            };
            let floored = |cost: &str, q: f64| format!("min-{cost},{}", floor(q));
            let mut goals = Vec::new();
            if half == "fresh" {
                // Fixed on 2026-12-01 before any run of them, after FLASH's last
                // two fixes had been found on held-out cases: the same problems at
                // other fractions of their ranges, scalar goals only (a Pareto
                // goal has no fraction). No change to FLASH is to be tuned on them.
                for q in [0.15, 0.85] {
                    goals.push(limited(Metric::Latency, "latency", lat_lo, lat_hi, q));
                    goals.push(limited(Metric::Energy, "energy", en_lo, en_hi, q));
                    goals.push(limited(third.0, third.1, third_lo, third_hi, q));
                    goals.push(floored("energy", q));
                }
                for cost in ["latency", third.1, product] {
                    goals.push(floored(cost, 0.4));
                }
            } else {
                for q in [0.3, 0.7] {
                    goals.push(limited(Metric::Latency, "latency", lat_lo, lat_hi, q));
                    goals.push(limited(Metric::Energy, "energy", en_lo, en_hi, q));
                    goals.push(floored("energy", q));
                }
                goals.push(limited(third.0, third.1, third_lo, third_hi, 0.5));
                for cost in ["latency", third.1, product] {
                    goals.push(floored(cost, 0.5));
                }
                goals.push("pareto-latency".into());
                goals.push("pareto-energy".into());
            }
            for goal in goals {
                let name = format!("{space} | {profile} {knobs_text} | {goal}");
                let case_half = if half == "fresh" {
                    "fresh"
                } else if fnv(&name).is_multiple_of(2) {
                    "tune"
                } else {
                    "held-out"
                };
                if half != "all" && half != case_half {
                    continue;
                }
                let pr = p(&goal)?;
                let pareto = match pr.goal.objective {
                    Objective::Pareto(c) => Some(c),
                    _ => None,
                };
                let e = exact(&pr)?;
                let mut times = Vec::new();
                let mut f = None;
                for _ in 0..repeats {
                    let r =
                        run(&pr, &Flash::default(), &mut (), false).map_err(|e| e.to_string())?;
                    times.push(r.seconds);
                    f = Some(r);
                }
                let f = f.expect("repeats ≥ 1");
                let (mut rnd, mut evo) = ([Vec::new(), Vec::new()], [Vec::new(), Vec::new()]);
                for seed in 1..=seeds {
                    let c = baselines(&pr, seed, 10, u64::MAX).map_err(|e| e.to_string())?;
                    let rs = c.results();
                    for k in 0..2 {
                        rnd[k].push(gap(&rs[1 + 2 * k], &e, pareto));
                        evo[k].push(gap(&rs[2 + 2 * k], &e, pareto));
                    }
                }
                let [r0, r1] = rnd;
                let [e0, e1] = evo;
                let row = CaseResult {
                    name,
                    half: case_half,
                    space: space.into(),
                    profile: profile.into(),
                    knobs: knobs_text.into(),
                    samples: samples.map(String::from),
                    goal,
                    pareto: pareto.is_some(),
                    flash_gap: gap(&f, &e, pareto),
                    flash_ms: median(times) * 1e3,
                    exact_ms: e.seconds * 1e3,
                    exact_proven: e.optimality.as_ref().is_some_and(|o| o.proven),
                    random_gap: [median_gap(r0), median_gap(r1)],
                    evolution_gap: [median_gap(e0), median_gap(e1)],
                };
                eprintln!(
                    "{:>3} {:<8} {:>9} {}",
                    results.len() + 1,
                    row.half,
                    row.flash_gap.map_or("infeas.".into(), |g| format!("{:.3} %", 100.0 * g)),
                    row.name
                );
                results.push(row);
            }
        }
    }
    if let Some(path) = text_opt(&opts, "cases-out") {
        std::fs::write(path, serde_json::to_string_pretty(&results).map_err(|e| e.to_string())?)
            .map_err(|e| format!("{path}: {e}"))?;
    }
    Ok(summary(&results))
}

fn summary(results: &[CaseResult]) -> String {
    let mut out = vec![
        "| half | cases | FLASH ≤ 0.5 % | FLASH worst | Pareto HV ≥ 99 % | FLASH ms (median / max) | exact proven | random ≤ 0.5 % (same / ×10) | evolution ≤ 0.5 % (same / ×10) |".to_string(),
        "|---|---|---|---|---|---|---|---|---|".to_string(),
    ];
    for half in ["tune", "held-out", "fresh"] {
        let rows: Vec<&CaseResult> = results.iter().filter(|r| r.half == half).collect();
        if rows.is_empty() {
            continue;
        }
        let n = rows.len();
        let ok = |g: Option<f64>| g.is_some_and(|g| g <= 0.005);
        let scalar: Vec<&&CaseResult> = rows.iter().filter(|r| !r.pareto).collect();
        let pareto: Vec<&&CaseResult> = rows.iter().filter(|r| r.pareto).collect();
        let within = scalar.iter().filter(|r| ok(r.flash_gap)).count();
        let worst = scalar.iter().map(|r| r.flash_gap.unwrap_or(f64::INFINITY)).fold(0.0, f64::max);
        let hv = pareto.iter().filter(|r| r.flash_gap.is_some_and(|g| g <= 0.01)).count();
        let mut ms: Vec<f64> = rows.iter().map(|r| r.flash_ms).collect();
        ms.sort_by(f64::total_cmp);
        let count =
            |f: &dyn Fn(&CaseResult) -> Option<f64>| scalar.iter().filter(|r| ok(f(r))).count();
        out.push(format!(
            "| {half} | {n} ({} scalar, {} Pareto) | {within}/{} ({:.0} %) | {} | {hv}/{} | {:.2} / {:.2} | {}/{n} | {} / {} | {} / {} |",
            scalar.len(),
            pareto.len(),
            scalar.len(),
            100.0 * within as f64 / scalar.len().max(1) as f64,
            if worst.is_finite() { format!("{:.2} %", 100.0 * worst) } else { "infeasible".into() },
            pareto.len(),
            ms[ms.len() / 2],
            ms[ms.len() - 1],
            rows.iter().filter(|r| r.exact_proven).count(),
            count(&|r| r.random_gap[0]),
            count(&|r| r.random_gap[1]),
            count(&|r| r.evolution_gap[0]),
            count(&|r| r.evolution_gap[1]),
        ));
    }
    let mut worst: Vec<&CaseResult> =
        results.iter().filter(|r| !r.flash_gap.is_some_and(|g| g <= 0.005)).collect();
    worst.sort_by(|a, b| {
        b.flash_gap.unwrap_or(f64::INFINITY).total_cmp(&a.flash_gap.unwrap_or(f64::INFINITY))
    });
    out.push(String::new());
    out.push(format!("Cases where FLASH is more than 0.5 % off ({}), worst first:", worst.len()));
    for r in worst.iter().take(40) {
        out.push(format!(
            "- {} ({}): {}",
            r.name,
            r.half,
            r.flash_gap.map_or("infeasible".into(), |g| format!(
                "{:.2} %{}",
                100.0 * g,
                if r.pareto { " of hypervolume" } else { "" }
            ))
        ));
    }
    out.join("\n")
}
