//! `flash nb201 …`: FLASH's claims against NAS-Bench-201's truth
//! (docs/accuracy.md, "NAS-Bench-201"): rank agreement of NN-Degree and its
//! baselines with the benchmark's accuracy, the predictor's learning curve, and
//! the end-to-end co-design regret; plus the synflow scores they read.

use crate::args::{json, number, options, text_opt};
use flash_nas::nasbench::{self, CELLS};
use flash_nas::predictor::{self, kendall_fast, spearman, Predictor, Sample};
use flash_nas::search::{self, Benchmark, Flash, Goal, ProblemParams, Quality};
use flash_nas::space::nb201::{self, OPS};
use flash_nas::{degree, workload, Architecture, SearchSpace};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::Serialize;
use std::io::Write;

pub const USAGE: &str = "\
\x20 flash nb201 synflow [--out FILE] [--seed S] [--jobs J]
                                 synflow (train::proxies) of all 15,625 NAS-Bench-201 networks,
                                 resumable: appends the rows FILE lacks (default
                                 data/nb201/synflow.csv), progress on stderr
  flash nb201 counts             params and MACs of every cell (CSV, data/nb201 order)
  flash nb201 stats [--synflow FILE] [--markdown]
                                 Spearman ρ and Kendall τ of NN-Degree, params, FLOPs and synflow
                                 with the benchmark's accuracies, over all cells and the connected ones
  flash nb201 curve [--draws K] [--seed S] [--markdown]
                                 the predictor's held-out learning curve on real data: n = 10, 25,
                                 50, 100 cells, K draws each (default 200): τ, MAE, top-5 % share
  flash nb201 regret [--seeds K] [--markdown]
                                 FLASH's pick against the true optimum under latency limits
                                 (3 latency sources × 10 limits × n = 25, 50 × K seeds, default 20),
                                 beside random search, regularized evolution and the best sample
  flash nb201 anchor [--seeds K] [--markdown]
                                 unconstrained: the true accuracy of FLASH's pick from n = 10, 25,
                                 100 benchmark samples (K seeds, default 100) beside the best of
                                 those samples, to set beside published anchors (NASWOT)";

/// The space of all 15,625 cells on CIFAR-10.
const SPACE: &str = "cifar10/nb201";

pub fn run(rest: &[String]) -> Result<String, String> {
    let Some((sub, rest)) = rest.split_first() else {
        return Err(
            "nb201 needs a subcommand: synflow, counts, stats, curve, regret or anchor".into()
        );
    };
    match sub.as_str() {
        "synflow" => synflow(rest),
        "counts" => counts(),
        "stats" => stats(rest),
        "curve" => curve(rest),
        "regret" => regret(rest),
        "anchor" => anchor(rest),
        other => Err(format!(
            "unknown nb201 subcommand '{other}': allowed synflow, counts, stats, curve, regret, anchor"
        )),
    }
}

/// Every cell of the benchmark, in data/nb201 order.
fn all_cells() -> Result<Vec<Architecture>, String> {
    let space = SearchSpace::parse(SPACE).map_err(|e| e.to_string())?;
    (0..CELLS as u128).map(|r| space.decode(r).map_err(|e| e.to_string())).collect()
}

fn column(name: &str) -> Result<std::sync::Arc<nasbench::Column>, String> {
    let spec = nasbench::COLUMNS
        .iter()
        .find(|c| c.name == name)
        .ok_or_else(|| format!("no column {name}"))?;
    nasbench::column(spec).map_err(|e| e.to_string())
}

fn synflow(args: &[String]) -> Result<String, String> {
    let (positional, opts) = options(args, &["out", "seed", "jobs"])?;
    if let Some(p) = positional.first() {
        return Err(format!("nb201 synflow takes only options, not '{p}'"));
    }
    let out = text_opt(&opts, "out").unwrap_or("data/nb201/synflow.csv");
    let seed: u64 = number(&opts, "seed", 1, (0, u64::MAX))?;
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
    let jobs: usize = number(&opts, "jobs", cores, (1, 64))?;
    let cells = all_cells()?;
    let header = format!(
        "# synflow (Tanaka et al. 2020) of each NAS-Bench-201 network on CIFAR-10's input shape, weights from seed {seed}: flash-nas's train::proxies::synflow (flash nb201 synflow)\n# rows: the cells of cifar10/nb201 in flash-nas's order (data/nb201/README.md)\nrow,synflow\n"
    );
    let done = match std::fs::read_to_string(out) {
        Ok(text) => {
            let rows = read_synflow(&text).map_err(|e| format!("{out}: {e}"))?;
            rows.len()
        }
        Err(_) => {
            std::fs::write(out, &header).map_err(|e| format!("cannot write {out}: {e}"))?;
            0
        }
    };
    let mut file = std::fs::OpenOptions::new()
        .append(true)
        .open(out)
        .map_err(|e| format!("cannot append to {out}: {e}"))?;
    let pool =
        rayon::ThreadPoolBuilder::new().num_threads(jobs).build().map_err(|e| e.to_string())?;
    let start = std::time::Instant::now();
    let chunk = 4 * jobs;
    let mut r = done;
    while r < CELLS {
        let end = (r + chunk).min(CELLS);
        let values: Vec<Result<f64, String>> = pool.install(|| {
            use rayon::prelude::*;
            (r..end)
                .into_par_iter()
                .map(|i| {
                    flash_nas::train::proxies::synflow(&cells[i], seed).map_err(|e| e.to_string())
                })
                .collect()
        });
        let mut text = String::new();
        for (i, v) in (r..end).zip(values) {
            text.push_str(&format!("{i},{}\n", v?));
        }
        file.write_all(text.as_bytes()).map_err(|e| format!("cannot append to {out}: {e}"))?;
        file.flush().map_err(|e| e.to_string())?;
        r = end;
        let rate = (r - done) as f64 / start.elapsed().as_secs_f64().max(1e-9);
        eprintln!(
            "synflow: {r}/{CELLS} cells, {:.1}/s, about {:.0} min left",
            rate,
            (CELLS - r) as f64 / rate.max(1e-9) / 60.0
        );
    }
    Ok(format!("{out}: synflow of all {CELLS} cells"))
}

/// The synflow rows of a file `flash nb201 synflow` wrote (in order, no gaps).
pub fn read_synflow(text: &str) -> Result<Vec<f64>, String> {
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.starts_with('#') || line.is_empty() || line == "row,synflow" {
            continue;
        }
        let (row, v) = line.split_once(',').ok_or(format!("line {}: not row,synflow", n + 1))?;
        if row.parse::<usize>().ok() != Some(out.len()) {
            return Err(format!(
                "line {}: row {row}: allowed {} (rows in order)",
                n + 1,
                out.len()
            ));
        }
        let v: f64 = v
            .parse()
            .ok()
            .filter(|v: &f64| v.is_finite() && *v >= 0.0)
            .ok_or(format!("line {}: synflow '{v}' is not a non-negative number", n + 1))?;
        out.push(v);
    }
    Ok(out)
}

/// Features of every cell: NN-Degree, params, MACs, and whether it is cut off.
struct Features {
    degree: Vec<f64>,
    params: Vec<f64>,
    macs: Vec<f64>,
    cut_off: Vec<bool>,
    samples: Vec<Sample>,
}

fn features(cells: &[Architecture]) -> Features {
    let mut f = Features {
        degree: Vec::new(),
        params: Vec::new(),
        macs: Vec::new(),
        cut_off: Vec::new(),
        samples: Vec::new(),
    };
    for (r, a) in cells.iter().enumerate() {
        let t = workload::totals(a.frame(), a.cells());
        let g = degree::nn_degree(a.frame(), a.cells());
        f.degree.push(g);
        f.params.push(t.params as f64);
        f.macs.push(t.macs as f64);
        f.cut_off.push(nb201::cut_off(&a.cells()[0].coords[..6]));
        f.samples.push(Sample {
            arch: a.to_string(),
            accuracy: 0.0,
            nn_degree: g,
            params: t.params,
            macs: t.macs,
            line: r + 1,
            seed: None,
            proxies: None,
        });
    }
    f
}

fn counts() -> Result<String, String> {
    let cells = all_cells()?;
    let index = nasbench::index().map_err(|e| e.to_string())?;
    let mut out = String::from("row,index,arch,params,macs\n");
    for (r, a) in cells.iter().enumerate() {
        let t = workload::totals(a.frame(), a.cells());
        let cell = &a.to_string()[SPACE.len() + 1..];
        out.push_str(&format!("{r},{},{cell},{},{}\n", index.index[r], t.params, t.macs));
    }
    Ok(out.trim_end().to_string())
}

#[derive(Serialize)]
struct StatRow {
    metric: String,
    accuracy: &'static str,
    cells: &'static str,
    n: usize,
    spearman: Option<f64>,
    kendall: Option<f64>,
}

fn stats(args: &[String]) -> Result<String, String> {
    let (positional, opts) = options(args, &["synflow", "markdown"])?;
    if let Some(p) = positional.first() {
        return Err(format!("nb201 stats takes only options, not '{p}'"));
    }
    let markdown = text_opt(&opts, "markdown").is_some_and(|v| v == "true" || v == "1");
    let cells = all_cells()?;
    let f = features(&cells);
    let mut metrics: Vec<(String, Vec<f64>)> = vec![
        ("NN-Degree".into(), f.degree.clone()),
        ("params".into(), f.params.clone()),
        ("FLOPs (MACs)".into(), f.macs.clone()),
    ];
    let synflow_path = text_opt(&opts, "synflow").unwrap_or("data/nb201/synflow.csv");
    match std::fs::read_to_string(synflow_path) {
        Ok(text) => {
            let s = read_synflow(&text).map_err(|e| format!("{synflow_path}: {e}"))?;
            if s.len() == CELLS {
                metrics.push(("synflow".into(), s));
            } else {
                eprintln!("{synflow_path}: {} of {CELLS} rows so far; synflow left out", s.len());
            }
        }
        Err(e) => eprintln!("{synflow_path}: {e}; synflow left out"),
    }
    let mut rows = Vec::new();
    for acc in ["cifar10_test_200ep", "cifar10_test_12ep", "cifar100_test_12ep"] {
        let truth = column(acc)?;
        for (name, values) in &metrics {
            for (which, keep) in [("all", false), ("connected", true)] {
                let idx: Vec<usize> = (0..CELLS).filter(|&i| !keep || !f.cut_off[i]).collect();
                let x: Vec<f64> = idx.iter().map(|&i| values[i]).collect();
                let y: Vec<f64> = idx.iter().map(|&i| truth.values[i]).collect();
                rows.push(StatRow {
                    metric: name.clone(),
                    accuracy: truth.spec.name,
                    cells: which,
                    n: idx.len(),
                    spearman: spearman(&x, &y),
                    kendall: kendall_fast(&x, &y),
                });
            }
        }
    }
    if !markdown {
        return json(&rows);
    }
    let mut out = String::from(
        "| metric | accuracy | cells | n | Spearman ρ | Kendall τ |\n|---|---|---|---|---|---|\n",
    );
    let fmt = |v: Option<f64>| v.map_or("—".into(), |v| format!("{v:.3}"));
    for r in &rows {
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} |\n",
            r.metric,
            r.accuracy,
            r.cells,
            r.n,
            fmt(r.spearman),
            fmt(r.kendall)
        ));
    }
    Ok(out.trim_end().to_string())
}

/// Held-out scores of one predictor on the cells it was not fitted on.
struct Scores {
    kendall: f64,
    mae: f64,
    top5: f64,
}

fn score(predicted: &[f64], actual: &[f64]) -> Scores {
    let n = actual.len();
    let mae = predicted.iter().zip(actual).map(|(p, a)| (p - a).abs()).sum::<f64>() / n as f64;
    let k = (n as f64 * 0.05).round().max(1.0) as usize;
    let top = |v: &[f64]| -> Vec<usize> {
        let mut idx: Vec<usize> = (0..n).collect();
        idx.sort_by(|&a, &b| v[b].total_cmp(&v[a]).then(a.cmp(&b)));
        idx.truncate(k);
        idx.sort_unstable();
        idx
    };
    let (tp, ta) = (top(predicted), top(actual));
    let both = tp.iter().filter(|i| ta.binary_search(i).is_ok()).count();
    Scores {
        kendall: kendall_fast(predicted, actual).unwrap_or(0.0),
        mae,
        top5: both as f64 / k as f64,
    }
}

/// A predictor's accuracy for a cell: chance where no path joins its input to
/// its output (what the search does, `search::evaluate`).
fn predict(p: &Predictor, s: &Sample, cut_off: bool) -> f64 {
    if cut_off {
        predictor::chance(10)
    } else {
        p.predict(s.nn_degree, s.params, s.macs).clamp(0.0, 1.0)
    }
}

/// a + b·ln params fitted on every sample (it cannot tell a cut-off cell).
fn params_only(train: &[Sample]) -> Option<(f64, f64)> {
    let points: Vec<(f64, f64)> =
        train.iter().map(|s| (flash_nas::portable::ln(s.params as f64), s.accuracy)).collect();
    flash_nas::linalg::fit_line(&points)
}

#[derive(Serialize)]
struct CurveRow {
    accuracy: &'static str,
    n: usize,
    form: &'static str,
    draws: usize,
    kendall_median: f64,
    kendall_p10: f64,
    mae_median: f64,
    top5_median: f64,
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn quantile(v: &mut [f64], q: f64) -> f64 {
    v.sort_by(f64::total_cmp);
    v[((v.len() - 1) as f64 * q).round() as usize]
}

/// n distinct rows drawn uniformly (a partial Fisher-Yates shuffle).
fn draw(rng: &mut ChaCha8Rng, n: usize) -> Vec<usize> {
    let mut order: Vec<usize> = (0..CELLS).collect();
    for i in 0..n {
        let j = rng.random_range(i..CELLS);
        order.swap(i, j);
    }
    order.truncate(n);
    order
}

fn curve(args: &[String]) -> Result<String, String> {
    let (positional, opts) = options(args, &["draws", "seed", "markdown", "accuracy"])?;
    if let Some(p) = positional.first() {
        return Err(format!("nb201 curve takes only options, not '{p}'"));
    }
    let draws: usize = number(&opts, "draws", 200, (1, 100_000))?;
    let seed: u64 = number(&opts, "seed", 1, (0, u64::MAX))?;
    let markdown = text_opt(&opts, "markdown").is_some_and(|v| v == "true" || v == "1");
    let acc = text_opt(&opts, "accuracy").unwrap_or("cifar10_test_200ep");
    let truth = column(acc)?;
    let cells = all_cells()?;
    let f = features(&cells);
    let actual_all: Vec<f64> = truth.values.iter().map(|v| v / 100.0).collect();
    let mut rows = Vec::new();
    for n in [10usize, 25, 50, 100] {
        let mut rng = ChaCha8Rng::seed_from_u64(seed ^ (n as u64) << 32);
        let mut results: [Vec<Scores>; 3] = Default::default();
        for d in 0..draws {
            let train_rows = draw(&mut rng, n);
            let mut in_train = vec![false; CELLS];
            train_rows.iter().for_each(|&r| in_train[r] = true);
            let train: Vec<Sample> = train_rows
                .iter()
                .map(|&r| Sample { accuracy: actual_all[r], ..f.samples[r].clone() })
                .collect();
            let test: Vec<usize> = (0..CELLS).filter(|&r| !in_train[r]).collect();
            let actual: Vec<f64> = test.iter().map(|&r| actual_all[r]).collect();
            let chosen = predictor::fit(&train).ok().map(|r| r.chosen);
            let connected: Vec<&Sample> = train.iter().filter(|s| s.nn_degree > 0.0).collect();
            let flash = Predictor::fit(predictor::ModelKind::LogDegree, &connected).ok();
            let base = params_only(&train);
            for (k, p) in [chosen, flash].into_iter().enumerate() {
                if let Some(p) = p {
                    let pred: Vec<f64> =
                        test.iter().map(|&r| predict(&p, &f.samples[r], f.cut_off[r])).collect();
                    results[k].push(score(&pred, &actual));
                }
            }
            if let Some((a, b)) = base {
                let pred: Vec<f64> = test
                    .iter()
                    .map(|&r| (a + b * flash_nas::portable::ln(f.params[r])).clamp(0.0, 1.0))
                    .collect();
                results[2].push(score(&pred, &actual));
            }
            if (d + 1) % 50 == 0 {
                eprintln!("curve: n = {n}, {} of {draws} draws", d + 1);
            }
        }
        for (k, form) in ["chosen (leave-one-out)", "log-degree (FLASH's)", "params-only"]
            .into_iter()
            .enumerate()
        {
            let r = &results[k];
            if r.is_empty() {
                continue;
            }
            let mut taus: Vec<f64> = r.iter().map(|s| s.kendall).collect();
            let mut maes: Vec<f64> = r.iter().map(|s| s.mae).collect();
            let mut tops: Vec<f64> = r.iter().map(|s| s.top5).collect();
            rows.push(CurveRow {
                accuracy: truth.spec.name,
                n,
                form,
                draws: r.len(),
                kendall_median: median(&mut taus),
                kendall_p10: quantile(&mut taus, 0.1),
                mae_median: median(&mut maes),
                top5_median: median(&mut tops),
            });
        }
    }
    if !markdown {
        return json(&rows);
    }
    let mut out = String::from("| n | predictor | draws | Kendall τ (median) | τ (10th pct.) | MAE (median, points) | true top 5 % in predicted top 5 % (median) |\n|---|---|---|---|---|---|---|\n");
    for r in &rows {
        out.push_str(&format!(
            "| {} | {} | {} | {:.3} | {:.3} | {:.2} | {:.1} % |\n",
            r.n,
            r.form,
            r.draws,
            r.kendall_median,
            r.kendall_p10,
            100.0 * r.mae_median,
            100.0 * r.top5_median
        ));
    }
    Ok(out.trim_end().to_string())
}

/// The best true accuracy among cells whose cost meets a limit, and the regret
/// (percentage points) of picks against it.
pub struct Truth<'a> {
    pub accuracy: &'a [f64],
    pub cost: &'a [f64],
}

impl Truth<'_> {
    /// Whether a cost meets a limit (within the search's tolerance).
    fn meets(cost: f64, limit: f64) -> bool {
        cost <= limit * (1.0 + search::goal::LIMIT_TOLERANCE)
    }

    /// The best true accuracy (%) under the limit.
    pub fn optimum(&self, limit: f64) -> Option<f64> {
        (0..self.accuracy.len())
            .filter(|&i| Self::meets(self.cost[i], limit))
            .map(|i| self.accuracy[i])
            .fold(None, |m, a| Some(m.map_or(a, |m: f64| m.max(a))))
    }

    /// The regret of the best of `picks` that meets the limit (`None` when none does).
    pub fn regret(&self, limit: f64, picks: &[usize]) -> Option<f64> {
        let best = picks
            .iter()
            .filter(|&&i| Self::meets(self.cost[i], limit))
            .map(|&i| self.accuracy[i])
            .fold(None, |m, a| Some(m.map_or(a, |m: f64| m.max(a))))?;
        Some(self.optimum(limit)? - best)
    }
}

/// Regularized (aging) evolution with `n` trained networks (Real et al. 2019):
/// a population of `population`, tournaments of `sample`, one edge's
/// operation changed per child; a child that breaks the limit is redrawn
/// (its cost is known without training it). Returns the rows it trained.
fn rea(rng: &mut ChaCha8Rng, truth: &Truth, limit: f64, n: usize) -> Vec<usize> {
    let feasible: Vec<usize> = (0..CELLS).filter(|&i| Truth::meets(truth.cost[i], limit)).collect();
    let (population, sample) = ((n / 2).clamp(2, 10), 3usize.min((n / 2).max(1)));
    let mut trained: Vec<usize> = Vec::with_capacity(n);
    let mut pop: std::collections::VecDeque<usize> = Default::default();
    while trained.len() < n.min(population) {
        let r = feasible[rng.random_range(0..feasible.len())];
        trained.push(r);
        pop.push_back(r);
    }
    while trained.len() < n {
        let mut parent = pop[rng.random_range(0..pop.len())];
        for _ in 1..sample {
            let c = pop[rng.random_range(0..pop.len())];
            if truth.accuracy[c] > truth.accuracy[parent] {
                parent = c;
            }
        }
        let child = loop {
            let mut ops = nasbench::cell_of_row(parent);
            let e = rng.random_range(0..6);
            ops[e] = (ops[e] + rng.random_range(1..OPS.len() as u32)) % OPS.len() as u32;
            let r = ops[..6].iter().fold(0usize, |r, &op| r * OPS.len() + op as usize);
            if Truth::meets(truth.cost[r], limit) {
                break r;
            }
        };
        trained.push(child);
        pop.pop_front();
        pop.push_back(child);
    }
    trained
}

#[derive(Serialize, Clone)]
struct RegretRow {
    source: String,
    n: usize,
    method: &'static str,
    runs: usize,
    /// Runs where the method found nothing that meets the limit.
    missed: usize,
    median: f64,
    mean: f64,
    p90: f64,
    within_half_point: f64,
}

fn summarize(source: &str, n: usize, method: &'static str, mut v: Vec<Option<f64>>) -> RegretRow {
    let missed = v.iter().filter(|x| x.is_none()).count();
    let mut r: Vec<f64> = v.drain(..).flatten().collect();
    let runs = r.len() + missed;
    let within = r.iter().filter(|&&x| x <= 0.5).count() as f64 / runs.max(1) as f64;
    let mean = r.iter().sum::<f64>() / r.len().max(1) as f64;
    RegretRow {
        source: source.to_string(),
        n,
        method,
        runs,
        missed,
        median: if r.is_empty() { f64::NAN } else { median(&mut r) },
        mean,
        p90: if r.is_empty() { f64::NAN } else { quantile(&mut r, 0.9) },
        within_half_point: within,
    }
}

/// A latency source of the regret study: its name, each cell's latency in ms,
/// and the profile and measured device the search uses.
struct Source {
    name: String,
    latency: Vec<f64>,
    profile: &'static str,
    device: Option<&'static str>,
}

/// The regret study's latency sources: the rpi4 model, the measured Pi, a measured GPU.
fn sources(cells: &[Architecture]) -> Result<Vec<Source>, String> {
    let rpi4 = flash_nas::hardware::builtin("rpi4").map_err(|e| e.to_string())?;
    use flash_nas::hardware::HardwareModel;
    let model: Vec<f64> = cells.iter().map(|a| rpi4.cost(a).latency * 1e3).collect();
    Ok(vec![
        Source {
            name: "rpi4 model (roofline)".into(),
            latency: model,
            profile: "rpi4",
            device: None,
        },
        Source {
            name: "Raspberry Pi 4, measured".into(),
            latency: column("lat_ms_raspi4")?.values.clone(),
            profile: "rpi4",
            device: Some("raspi4"),
        },
        Source {
            name: "RTX 2080 Ti batch 1, measured".into(),
            latency: column("lat_ms_2080ti_1")?.values.clone(),
            profile: "rtx3090",
            device: Some("2080ti_1"),
        },
    ])
}

fn regret(args: &[String]) -> Result<String, String> {
    let (positional, opts) = options(args, &["seeds", "markdown"])?;
    if let Some(p) = positional.first() {
        return Err(format!("nb201 regret takes only options, not '{p}'"));
    }
    let seeds: u64 = number(&opts, "seeds", 20, (1, 1000))?;
    let markdown = text_opt(&opts, "markdown").is_some_and(|v| v == "true" || v == "1");
    let cells = all_cells()?;
    let truth_col = column("cifar10_test_200ep")?;
    let space = SearchSpace::parse(SPACE).map_err(|e| e.to_string())?;
    let cut_off: Vec<bool> =
        cells.iter().map(|a| nb201::cut_off(&a.cells()[0].coords[..6])).collect();
    let mut rows = Vec::new();
    for Source { name: source, latency, profile, device } in sources(&cells)? {
        let truth = Truth { accuracy: &truth_col.values, cost: &latency };
        // Ten limits spread over the connected cells' latencies (their 5th to 95th percentiles).
        let mut connected: Vec<f64> =
            (0..CELLS).filter(|&i| !cut_off[i]).map(|i| latency[i]).collect();
        connected.sort_by(f64::total_cmp);
        let limits: Vec<f64> = (0..10)
            .map(|k| {
                connected[((connected.len() - 1) as f64 * (0.05 + 0.1 * k as f64)).round() as usize]
            })
            .collect();
        for n in [25usize, 50] {
            let mut by: [Vec<Option<f64>>; 6] = Default::default();
            for seed in 1..=seeds {
                let csv = predictor::benchmark_csv(&space, &truth_col, n, seed)
                    .map_err(|e| e.to_string())?;
                let set = predictor::SampleSet::from_csv(&csv).map_err(|e| e.to_string())?;
                let sample_rows: Vec<usize> = set
                    .samples
                    .iter()
                    .map(|s| {
                        let a = Architecture::parse(&s.arch).expect("drawn from the space");
                        nasbench::row(&a.cells()[0])
                    })
                    .collect();
                let report = predictor::fit(&set.samples).map_err(|e| e.to_string())?;
                let connected_samples: Vec<&Sample> =
                    set.samples.iter().filter(|s| s.nn_degree > 0.0).collect();
                let log_degree =
                    Predictor::fit(predictor::ModelKind::LogDegree, &connected_samples)
                        .map_err(|e| e.to_string())?;
                let qualities = [
                    Quality::fitted(&report),
                    Quality::Predictor {
                        predictor: log_degree,
                        samples: n,
                        source: "FLASH's form".into(),
                    },
                ];
                for &limit in &limits {
                    for (k, quality) in qualities.iter().enumerate() {
                        let bench = Benchmark {
                            truth: Some(truth_col.clone()),
                            latency: device.map(|d| column(&format!("lat_ms_{d}"))).transpose()?,
                        };
                        let problem = ProblemParams {
                            space: space.clone(),
                            quality: quality.clone(),
                            profile: flash_nas::hardware::builtin(profile)
                                .map_err(|e| e.to_string())?,
                            knobs: Vec::new(),
                            goal: Goal::parse(&format!("max-accuracy,latency<={limit}"))
                                .map_err(|e| e.to_string())?,
                            bench,
                        }
                        .check()
                        .map_err(|e| e.to_string())?;
                        let pick = |solver: &dyn search::Solver| -> Result<Option<f64>, String> {
                            let r = search::run(&problem, solver, &mut (), false)
                                .map_err(|e| e.to_string())?;
                            let pick = r.best.as_ref().filter(|b| b.verdict.feasible).map(|b| {
                                nasbench::row(
                                    &Architecture::parse(&b.arch).expect("a member").cells()[0],
                                )
                            });
                            Ok(pick.and_then(|p| truth.regret(limit, &[p])))
                        };
                        by[k].push(pick(&Flash::default())?);
                        if k == 0 {
                            // The predictor's own optimum: what a perfect search on it would pick.
                            by[5].push(pick(&search::Exact::default())?);
                        }
                    }
                    by[2].push(truth.regret(limit, &sample_rows));
                    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ limit.to_bits());
                    let feasible: Vec<usize> =
                        (0..CELLS).filter(|&i| Truth::meets(latency[i], limit)).collect();
                    let random: Vec<usize> =
                        (0..n).map(|_| feasible[rng.random_range(0..feasible.len())]).collect();
                    by[3].push(truth.regret(limit, &random));
                    by[4].push(truth.regret(limit, &rea(&mut rng, &truth, limit, n)));
                }
            }
            eprintln!("regret: {source}, n = {n} done");
            for (k, method) in [
                "FLASH (chosen predictor)",
                "FLASH (log-degree form)",
                "best of its n samples",
                "random search (n feasible)",
                "regularized evolution (n)",
                "the chosen predictor's exact optimum",
            ]
            .into_iter()
            .enumerate()
            {
                rows.push(summarize(&source, n, method, by[k].clone()));
            }
        }
    }
    if !markdown {
        return json(&rows);
    }
    let mut out = String::from("| latency source | n | method | runs | none feasible | median regret (pp) | mean | 90th pct. | ≤ 0.5 pp |\n|---|---|---|---|---|---|---|---|---|\n");
    for r in &rows {
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} | {:.2} | {:.2} | {:.2} | {:.0} % |\n",
            r.source,
            r.n,
            r.method,
            r.runs,
            r.missed,
            r.median,
            r.mean,
            r.p90,
            100.0 * r.within_half_point
        ));
    }
    Ok(out.trim_end().to_string())
}

#[derive(Serialize)]
struct AnchorRow {
    n: usize,
    method: &'static str,
    runs: usize,
    /// True CIFAR-10 accuracy (%, 200 epochs) of the pick: mean, standard deviation, median, worst.
    mean: f64,
    sd: f64,
    median: f64,
    min: f64,
}

/// Unconstrained search (max-accuracy, no limit): what published training-free searches report.
fn anchor(args: &[String]) -> Result<String, String> {
    let (positional, opts) = options(args, &["seeds", "markdown"])?;
    if let Some(p) = positional.first() {
        return Err(format!("nb201 anchor takes only options, not '{p}'"));
    }
    let seeds: u64 = number(&opts, "seeds", 100, (2, 10_000))?;
    let markdown = text_opt(&opts, "markdown").is_some_and(|v| v == "true" || v == "1");
    let truth = column("cifar10_test_200ep")?;
    let space = SearchSpace::parse(SPACE).map_err(|e| e.to_string())?;
    let goal = Goal::parse("max-accuracy").map_err(|e| e.to_string())?;
    let profile = flash_nas::hardware::builtin("rpi4").map_err(|e| e.to_string())?;
    let mut rows = Vec::new();
    for n in [10usize, 25, 100] {
        let mut by: [Vec<f64>; 3] = Default::default();
        for seed in 1..=seeds {
            let csv =
                predictor::benchmark_csv(&space, &truth, n, seed).map_err(|e| e.to_string())?;
            let set = predictor::SampleSet::from_csv(&csv).map_err(|e| e.to_string())?;
            let best_sample = set
                .samples
                .iter()
                .map(|s| {
                    let a = Architecture::parse(&s.arch).expect("drawn from the space");
                    truth.values[nasbench::row(&a.cells()[0])]
                })
                .fold(f64::NEG_INFINITY, f64::max);
            let report = predictor::fit(&set.samples).map_err(|e| e.to_string())?;
            let connected: Vec<&Sample> =
                set.samples.iter().filter(|s| s.nn_degree > 0.0).collect();
            let log_degree = Predictor::fit(predictor::ModelKind::LogDegree, &connected)
                .map_err(|e| e.to_string())?;
            let qualities = [
                Quality::fitted(&report),
                Quality::Predictor {
                    predictor: log_degree,
                    samples: n,
                    source: "FLASH's form".into(),
                },
            ];
            for (k, quality) in qualities.into_iter().enumerate() {
                let problem = ProblemParams {
                    space: space.clone(),
                    quality,
                    profile: profile.clone(),
                    knobs: Vec::new(),
                    goal: goal.clone(),
                    bench: Benchmark { truth: Some(truth.clone()), latency: None },
                }
                .check()
                .map_err(|e| e.to_string())?;
                let r = search::run(&problem, &Flash::default(), &mut (), false)
                    .map_err(|e| e.to_string())?;
                let best = r.best.ok_or("an unconstrained search always has a pick")?;
                let row =
                    nasbench::row(&Architecture::parse(&best.arch).expect("a member").cells()[0]);
                by[k].push(truth.values[row]);
            }
            by[2].push(best_sample);
        }
        for (k, method) in
            ["FLASH (chosen predictor)", "FLASH (log-degree form)", "best of its n samples"]
                .into_iter()
                .enumerate()
        {
            let v = &mut by[k];
            let mean = v.iter().sum::<f64>() / v.len() as f64;
            let sd =
                (v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (v.len() - 1) as f64).sqrt();
            let min = v.iter().copied().fold(f64::INFINITY, f64::min);
            rows.push(AnchorRow { n, method, runs: v.len(), mean, sd, median: median(v), min });
        }
    }
    if !markdown {
        return json(&rows);
    }
    let mut out = String::from("| n | method | runs | true accuracy (%), mean ± sd | median | worst |\n|---|---|---|---|---|---|\n");
    for r in &rows {
        out.push_str(&format!(
            "| {} | {} | {} | {:.2} ± {:.2} | {:.2} | {:.2} |\n",
            r.n, r.method, r.runs, r.mean, r.sd, r.median, r.min
        ));
    }
    Ok(out.trim_end().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regret_against_the_best_that_meets_the_limit_on_a_hand_example() {
        // Four cells: (accuracy %, latency ms).
        let accuracy = [90.0, 93.0, 94.5, 10.0];
        let cost = [5.0, 9.0, 12.0, 0.1];
        let t = Truth { accuracy: &accuracy, cost: &cost };
        // Under 10 ms the best is cell 1 (93 %): picking cell 0 loses 3 points.
        assert_eq!(t.optimum(10.0), Some(93.0));
        assert_eq!(t.regret(10.0, &[0]), Some(3.0));
        assert_eq!(t.regret(10.0, &[1]), Some(0.0));
        // A pick over the limit does not count; the best of those that meet it does.
        assert_eq!(t.regret(10.0, &[2, 0]), Some(3.0));
        assert_eq!(t.regret(10.0, &[2]), None);
        // Under 20 ms cell 2 is the optimum.
        assert_eq!(t.regret(20.0, &[1, 3]), Some(1.5));
        // Nothing meets a limit below every cost.
        assert_eq!(t.optimum(0.01), None);
    }
}
