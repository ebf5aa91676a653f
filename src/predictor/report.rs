//! `flash fit --report`: how well NN-Degree, the baselines and the zero-cost
//! proxies rank trained networks, and how well a predictor fitted on a few of
//! them does on the rest (issue 15). Every figure a claim rests on sits next to
//! the params-only baseline, and every predictor error is held out.

use super::{fit, kendall, spearman, Predictor, Sample, PROXY_NAMES};
use crate::degree;
use crate::error::{Error, Result};
use crate::portable::ln;
use crate::space::SearchSpace;
use crate::workload;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::Serialize;

/// Training-set sizes of the learning curve.
pub const CURVE_SIZES: [usize; 5] = [5, 10, 15, 25, 50];
/// A prediction at or above this is "at the ceiling": shown as 99.9 % or more,
/// where a clamped linear fit piles up at 100 %.
pub const CEILING: f64 = 0.999;

/// One metric's rank agreement with accuracy.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MetricRow {
    pub metric: String,
    pub spearman: Option<f64>,
    pub kendall: Option<f64>,
    /// Spearman's ρ among the networks in the top quartile of accuracy.
    pub top_quartile_spearman: Option<f64>,
    /// Partial Spearman ρ given the parameter count: what the metric adds beyond size.
    pub partial_spearman_given_params: Option<f64>,
}

/// Held-out error of one predictor form at one training-set size, over random splits.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CurvePoint {
    pub n: usize,
    /// `auto` (the candidate leave-one-out picks), `log-degree` (FLASH's form) or
    /// `params-only` (a + b·ln params, the baseline).
    pub predictor: &'static str,
    pub splits: usize,
    pub mae_mean: f64,
    pub mae_p10: f64,
    pub mae_p90: f64,
    pub kendall_mean: f64,
    pub kendall_p10: f64,
    pub kendall_p90: f64,
}

/// What seed noise allows: no predictor can rank one noisy run better than this.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct NoiseCeiling {
    pub networks: usize,
    pub runs: usize,
    pub pooled_std: f64,
    /// Mean Kendall τ between one run and the mean of the same networks' other runs.
    pub kendall_run_vs_rest: f64,
    /// Mean Kendall τ between the sample set's accuracies and the same plus
    /// Gaussian noise of `pooled_std` (1,000 draws): the ceiling on this set.
    pub kendall_ceiling_on_set: f64,
}

/// Short budget against long on the same networks and seeds.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct BudgetStudy {
    pub networks: usize,
    pub kendall: Option<f64>,
    pub spearman: Option<f64>,
    pub short_mean: f64,
    pub long_mean: f64,
    /// NN-Degree's and params' τ with the long budget's accuracy.
    pub degree_kendall_long: Option<f64>,
    pub params_kendall_long: Option<f64>,
}

/// A predictor fitted on one set and scored on another.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct HeldOut {
    pub fitted_on: usize,
    pub scored_on: usize,
    pub predictor: String,
    /// The leave-one-out MAE that chose it (optimistic).
    pub loo_mae: f64,
    pub mae: f64,
    pub kendall: Option<f64>,
    /// FLASH's log-degree form fitted on the same rows.
    pub log_degree_mae: f64,
    pub log_degree_kendall: Option<f64>,
    /// The params-only baseline fitted on the same rows.
    pub params_only_mae: f64,
    pub params_only_kendall: Option<f64>,
}

/// How much of a space a predictor sends to the ceiling or beyond its samples.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SpaceShare {
    pub predictor: String,
    pub networks: usize,
    /// Share predicted ≥ [`CEILING`] (linear forms: clamped to 100 %).
    pub at_ceiling: f64,
    /// Share predicted above the best sample's accuracy.
    pub above_best_sample: f64,
    /// Share outside the samples' NN-Degree or parameter range (extrapolated).
    pub extrapolated: f64,
    /// The smallest and largest NN-Degree among the draws.
    pub degree_range: (f64, f64),
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Report {
    pub samples: usize,
    pub metrics: Vec<MetricRow>,
    pub learning_curve: Vec<CurvePoint>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub noise: Option<NoiseCeiling>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub budget: Option<BudgetStudy>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub held_out: Option<HeldOut>,
    pub space_share: Vec<SpaceShare>,
}

/// What a report reads: the uniform sample (required) and, optionally, a
/// design set to fit on, a seed-noise set, a long-budget set and the space.
pub struct Inputs<'a> {
    pub uniform: &'a [Sample],
    pub fit_set: Option<&'a [Sample]>,
    pub noise: Option<&'a [Sample]>,
    pub long: Option<&'a [Sample]>,
    pub space: Option<&'a SearchSpace>,
    pub splits: usize,
    pub space_networks: usize,
    pub seed: u64,
}

/// Partial correlation of x and y given z from their pairwise correlations.
pub fn partial(r_xy: f64, r_xz: f64, r_yz: f64) -> Option<f64> {
    let d = ((1.0 - r_xz * r_xz) * (1.0 - r_yz * r_yz)).sqrt();
    (d > 1e-12).then(|| (r_xy - r_xz * r_yz) / d)
}

/// The metrics a sample set can be ranked by: name and value of each sample.
fn metrics(samples: &[Sample]) -> Vec<(String, Vec<f64>)> {
    let mut out = vec![
        ("nn_degree".to_string(), samples.iter().map(|s| s.nn_degree).collect()),
        ("params".to_string(), samples.iter().map(|s| s.params as f64).collect()),
        ("macs".to_string(), samples.iter().map(|s| s.macs as f64).collect()),
    ];
    if samples.iter().all(|s| s.proxies.is_some()) {
        for (k, name) in PROXY_NAMES.iter().enumerate() {
            out.push((
                name.to_string(),
                samples.iter().map(|s| s.proxies.expect("checked")[k]).collect(),
            ));
        }
    }
    out
}

pub fn metric_rows(samples: &[Sample]) -> Vec<MetricRow> {
    let acc: Vec<f64> = samples.iter().map(|s| s.accuracy).collect();
    let all = metrics(samples);
    let params = &all[1].1;
    let mut order: Vec<usize> = (0..samples.len()).collect();
    order.sort_by(|&i, &j| acc[j].total_cmp(&acc[i]));
    let top: Vec<usize> = order[..samples.len().div_ceil(4)].to_vec();
    let pick = |v: &[f64]| top.iter().map(|&i| v[i]).collect::<Vec<f64>>();
    all.iter()
        .map(|(name, v)| {
            let rho = spearman(v, &acc);
            let partial_rho =
                match (name.as_str(), rho, spearman(v, params), spearman(&acc, params)) {
                    ("params", ..) => None,
                    (_, Some(xy), Some(xz), Some(yz)) => partial(xy, xz, yz),
                    _ => None,
                };
            MetricRow {
                metric: name.clone(),
                spearman: rho,
                // O(n log n) on a whole benchmark space; the pairwise count (the same τ-b)
                // keeps the small sets' figures as they were.
                kendall: if v.len() > 2000 {
                    super::kendall_fast(v, &acc)
                } else {
                    kendall(v, &acc)
                },
                top_quartile_spearman: spearman(&pick(v), &pick(&acc)),
                partial_spearman_given_params: partial_rho,
            }
        })
        .collect()
}

/// a + b·ln params, the baseline every predictor is shown beside.
fn params_only(train: &[&Sample]) -> Option<impl Fn(&Sample) -> f64> {
    let points: Vec<(f64, f64)> = train.iter().map(|s| (ln(s.params as f64), s.accuracy)).collect();
    let (a, b) = crate::linalg::fit_line(&points)?;
    Some(move |s: &Sample| a + b * ln(s.params as f64))
}

fn score(predicted: &[f64], actual: &[f64]) -> (f64, Option<f64>) {
    let mae =
        predicted.iter().zip(actual).map(|(p, a)| (p - a).abs()).sum::<f64>() / actual.len() as f64;
    (mae, kendall(predicted, actual))
}

fn percentile(sorted: &[f64], q: f64) -> f64 {
    sorted[((sorted.len() - 1) as f64 * q).round() as usize]
}

/// Held-out MAE and τ of each form for n training rows, over `splits` random splits.
pub fn learning_curve(samples: &[Sample], splits: usize, seed: u64) -> Vec<CurvePoint> {
    let mut out = Vec::new();
    for n in CURVE_SIZES {
        if n + 5 > samples.len() {
            continue;
        }
        let mut rng = ChaCha8Rng::seed_from_u64(seed ^ n as u64);
        let mut results: [Vec<(f64, f64)>; 3] = Default::default();
        for _ in 0..splits {
            let mut idx: Vec<usize> = (0..samples.len()).collect();
            for i in 0..n {
                let j = rng.random_range(i..idx.len());
                idx.swap(i, j);
            }
            let train: Vec<&Sample> = idx[..n].iter().map(|&i| &samples[i]).collect();
            let test: Vec<&Sample> = idx[n..].iter().map(|&i| &samples[i]).collect();
            let actual: Vec<f64> = test.iter().map(|s| s.accuracy).collect();
            let owned: Vec<Sample> = train.iter().map(|s| (*s).clone()).collect();
            let predict = |p: &Predictor| -> Vec<f64> {
                test.iter()
                    .map(|s| p.predict(s.nn_degree, s.params, s.macs).clamp(0.0, 1.0))
                    .collect()
            };
            let forms: [Option<Vec<f64>>; 3] = [
                fit(&owned).ok().map(|r| predict(&r.chosen)),
                Predictor::fit(super::ModelKind::LogDegree, &train).ok().map(|p| predict(&p)),
                params_only(&train).map(|f| test.iter().map(|s| f(s).clamp(0.0, 1.0)).collect()),
            ];
            for (k, form) in forms.iter().enumerate() {
                if let Some(pred) = form {
                    let (mae, tau) = score(pred, &actual);
                    results[k].push((mae, tau.unwrap_or(0.0)));
                }
            }
        }
        for (k, name) in ["auto", "log-degree", "params-only"].into_iter().enumerate() {
            let r = &results[k];
            if r.is_empty() {
                continue;
            }
            let mut maes: Vec<f64> = r.iter().map(|x| x.0).collect();
            let mut taus: Vec<f64> = r.iter().map(|x| x.1).collect();
            maes.sort_by(f64::total_cmp);
            taus.sort_by(f64::total_cmp);
            out.push(CurvePoint {
                n,
                predictor: name,
                splits: r.len(),
                mae_mean: maes.iter().sum::<f64>() / r.len() as f64,
                mae_p10: percentile(&maes, 0.1),
                mae_p90: percentile(&maes, 0.9),
                kendall_mean: taus.iter().sum::<f64>() / r.len() as f64,
                kendall_p10: percentile(&taus, 0.1),
                kendall_p90: percentile(&taus, 0.9),
            });
        }
    }
    out
}

/// The noise ceiling from a set of networks trained with several seeds.
pub fn noise_ceiling(noise: &[Sample], set: &[Sample], seed: u64) -> Option<NoiseCeiling> {
    let stats = super::seed_noise(noise)?;
    let mut groups: std::collections::BTreeMap<&str, Vec<f64>> = Default::default();
    for s in noise {
        groups.entry(s.arch.as_str()).or_default().push(s.accuracy);
    }
    let groups: Vec<Vec<f64>> = groups.into_values().filter(|g| g.len() >= 2).collect();
    let slots = groups.iter().map(Vec::len).min()?;
    let mut taus = Vec::new();
    for k in 0..slots {
        let run: Vec<f64> = groups.iter().map(|g| g[k]).collect();
        let rest: Vec<f64> =
            groups.iter().map(|g| (g.iter().sum::<f64>() - g[k]) / (g.len() - 1) as f64).collect();
        if let Some(t) = kendall(&rest, &run) {
            taus.push(t);
        }
    }
    let truth: Vec<f64> = set.iter().map(|s| s.accuracy).collect();
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut ceiling = 0.0;
    let draws = 1000;
    for _ in 0..draws {
        let noisy: Vec<f64> = truth
            .iter()
            .map(|t| {
                // Box–Muller: one standard normal from two uniforms.
                let (u1, u2): (f64, f64) = (rng.random_range(f64::EPSILON..1.0), rng.random());
                t + stats.pooled_std * (-2.0 * ln(u1)).sqrt() * (std::f64::consts::TAU * u2).cos()
            })
            .collect();
        ceiling += kendall(&truth, &noisy).unwrap_or(0.0) / draws as f64;
    }
    Some(NoiseCeiling {
        networks: stats.networks,
        runs: stats.runs,
        pooled_std: stats.pooled_std,
        kendall_run_vs_rest: taus.iter().sum::<f64>() / taus.len().max(1) as f64,
        kendall_ceiling_on_set: ceiling,
    })
}

/// Short-budget rows against long-budget rows of the same network and seed.
pub fn budget_study(short: &[Sample], long: &[Sample]) -> Option<BudgetStudy> {
    let pairs: Vec<(&Sample, &Sample)> = long
        .iter()
        .filter_map(|l| short.iter().find(|s| s.arch == l.arch && s.seed == l.seed).map(|s| (s, l)))
        .collect();
    if pairs.len() < 3 {
        return None;
    }
    let s: Vec<f64> = pairs.iter().map(|p| p.0.accuracy).collect();
    let l: Vec<f64> = pairs.iter().map(|p| p.1.accuracy).collect();
    let g: Vec<f64> = pairs.iter().map(|p| p.1.nn_degree).collect();
    let params: Vec<f64> = pairs.iter().map(|p| p.1.params as f64).collect();
    let n = pairs.len() as f64;
    Some(BudgetStudy {
        networks: pairs.len(),
        kendall: kendall(&s, &l),
        spearman: spearman(&s, &l),
        short_mean: s.iter().sum::<f64>() / n,
        long_mean: l.iter().sum::<f64>() / n,
        degree_kendall_long: kendall(&g, &l),
        params_kendall_long: kendall(&params, &l),
    })
}

/// The automatic predictor, FLASH's form and the baseline fitted on `train`
/// and scored on `test`.
pub fn held_out(train: &[Sample], test: &[Sample]) -> Result<HeldOut> {
    held_out_of(&fit(train)?, train, test)
}

/// The same, with `report` the automatic fit of `train` already made.
pub fn held_out_of(
    report: &super::FitReport,
    train: &[Sample],
    test: &[Sample],
) -> Result<HeldOut> {
    let refs: Vec<&Sample> = train.iter().collect();
    let actual: Vec<f64> = test.iter().map(|s| s.accuracy).collect();
    let on_test = |p: &Predictor| -> Vec<f64> {
        test.iter().map(|s| p.predict(s.nn_degree, s.params, s.macs).clamp(0.0, 1.0)).collect()
    };
    let (mae, tau) = score(&on_test(&report.chosen), &actual);
    let log_degree = Predictor::fit(super::ModelKind::LogDegree, &refs)?;
    let (ld_mae, ld_tau) = score(&on_test(&log_degree), &actual);
    let baseline = params_only(&refs)
        .ok_or_else(|| Error::Invalid("the params-only fit is singular".into()))?;
    let (po_mae, po_tau) =
        score(&test.iter().map(|s| baseline(s).clamp(0.0, 1.0)).collect::<Vec<_>>(), &actual);
    Ok(HeldOut {
        fitted_on: train.len(),
        scored_on: test.len(),
        predictor: report.chosen.model.name(),
        loo_mae: report.chosen_loo_mae(),
        mae,
        kendall: tau,
        log_degree_mae: ld_mae,
        log_degree_kendall: ld_tau,
        params_only_mae: po_mae,
        params_only_kendall: po_tau,
    })
}

/// Where a predictor fitted on `samples` puts `networks` uniform draws of `space`.
pub fn space_share(
    predictor: &Predictor,
    samples: &[Sample],
    space: &SearchSpace,
    networks: usize,
    seed: u64,
) -> SpaceShare {
    let best = samples.iter().map(|s| s.accuracy).fold(f64::MIN, f64::max);
    let range = |f: &dyn Fn(&Sample) -> f64| {
        samples.iter().map(f).fold((f64::MAX, f64::MIN), |(lo, hi), v| (lo.min(v), hi.max(v)))
    };
    let (g0, g1) = range(&|s| s.nn_degree);
    let (p0, p1) = range(&|s| s.params as f64);
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let (mut ceiling, mut above, mut outside) = (0usize, 0usize, 0usize);
    let mut degree_range = (f64::MAX, f64::MIN);
    let mut cells = Vec::new();
    for _ in 0..networks {
        space.sample_cells(&mut rng, &mut cells);
        let g = degree::nn_degree(space.frame(), &cells);
        degree_range = (degree_range.0.min(g), degree_range.1.max(g));
        let t = workload::totals(space.frame(), &cells);
        // A network whose output does not depend on its input scores chance (the search's rule).
        let p = if g == 0.0 {
            super::chance(space.frame().dataset.classes)
        } else {
            predictor.predict(g, t.params, t.macs).clamp(0.0, 1.0)
        };
        ceiling += (p >= CEILING) as usize;
        above += (p > best) as usize;
        outside += (g < g0 || g > g1 || (t.params as f64) < p0 || (t.params as f64) > p1) as usize;
    }
    let share = |k: usize| k as f64 / networks as f64;
    SpaceShare {
        predictor: predictor.model.name(),
        networks,
        at_ceiling: share(ceiling),
        above_best_sample: share(above),
        extrapolated: share(outside),
        degree_range,
    }
}

/// The whole report.
pub fn report(inputs: &Inputs) -> Result<Report> {
    let u = inputs.uniform;
    if u.len() < super::MIN_SAMPLES {
        return Err(Error::field(
            "number of samples",
            u.len(),
            format!("{}..", super::MIN_SAMPLES),
        ));
    }
    let held_out = match inputs.fit_set {
        Some(f) => Some(held_out(f, u)?),
        None => None,
    };
    let mut shares = Vec::new();
    if let Some(space) = inputs.space {
        let fitted_on = inputs.fit_set.unwrap_or(u);
        let refs: Vec<&Sample> = fitted_on.iter().collect();
        for p in [fit(fitted_on)?.chosen, Predictor::fit(super::ModelKind::LogDegree, &refs)?] {
            shares.push(space_share(&p, fitted_on, space, inputs.space_networks, inputs.seed));
        }
    }
    Ok(Report {
        samples: u.len(),
        metrics: metric_rows(u),
        learning_curve: learning_curve(u, inputs.splits, inputs.seed),
        noise: inputs.noise.and_then(|n| noise_ceiling(n, u, inputs.seed)),
        budget: inputs.long.and_then(|l| budget_study(u, l)),
        held_out,
        space_share: shares,
    })
}

/// The report as plain-text tables (what `flash fit --report --table` prints).
pub fn table(r: &Report) -> String {
    let f = |v: Option<f64>| v.map_or("—".to_string(), |v| format!("{v:+.3}"));
    let mut out = format!(
        "{} trained networks\n\nmetric       ρ       τ       ρ top 25 %   partial ρ | params\n",
        r.samples
    );
    for m in &r.metrics {
        out += &format!(
            "{:<12} {:<7} {:<7} {:<12} {}\n",
            m.metric,
            f(m.spearman),
            f(m.kendall),
            f(m.top_quartile_spearman),
            f(m.partial_spearman_given_params)
        );
    }
    out += "\nlearning curve (held-out rows, random splits): n, predictor, MAE mean [p10, p90], τ mean [p10, p90]\n";
    for c in &r.learning_curve {
        out += &format!(
            "{:>3}  {:<12} {:.4} [{:.4}, {:.4}]  {:+.3} [{:+.3}, {:+.3}]  ({} splits)\n",
            c.n,
            c.predictor,
            c.mae_mean,
            c.mae_p10,
            c.mae_p90,
            c.kendall_mean,
            c.kendall_p10,
            c.kendall_p90,
            c.splits
        );
    }
    if let Some(h) = &r.held_out {
        out += &format!(
            "\nfitted on {} rows, scored on {}: {} MAE {:.4} τ {} (its LOO MAE {:.4}); log-degree MAE {:.4} τ {}; params-only MAE {:.4} τ {}\n",
            h.fitted_on, h.scored_on, h.predictor, h.mae, f(h.kendall), h.loo_mae, h.log_degree_mae, f(h.log_degree_kendall), h.params_only_mae, f(h.params_only_kendall)
        );
    }
    if let Some(n) = &r.noise {
        out += &format!(
            "\nseed noise: {} networks, {} runs, pooled std {:.4}; τ(one run, mean of the others) {:+.3}; τ ceiling on this set {:+.3}\n",
            n.networks, n.runs, n.pooled_std, n.kendall_run_vs_rest, n.kendall_ceiling_on_set
        );
    }
    if let Some(b) = &r.budget {
        out += &format!(
            "\nbudget: {} networks, short vs long τ {} ρ {}; mean accuracy {:.3} → {:.3}; with the long budget NN-Degree τ {}, params τ {}\n",
            b.networks, f(b.kendall), f(b.spearman), b.short_mean, b.long_mean, f(b.degree_kendall_long), f(b.params_kendall_long)
        );
    }
    for s in &r.space_share {
        out += &format!(
            "\n{} on {} uniform networks of the space: {:.2} % at ≥ {:.1} %, {:.2} % above the best sample, {:.2} % extrapolated",
            s.predictor, s.networks, 100.0 * s.at_ceiling, 100.0 * CEILING, 100.0 * s.above_best_sample, 100.0 * s.extrapolated
        );
    }
    out.push('\n');
    out
}
