//! Calibration: fit a profile's free parameters to measured samples and say how
//! well the fitted model predicts samples it has not seen (docs/hardware.md).
//!
//! The fit minimises relative squared error Σ((model − measured)/measured)²,
//! which is least squares in log space to first order: a 1 ms and a 100 ms
//! network weigh the same. It is a projected Levenberg–Marquardt on the fitted
//! parameters within their allowed ranges, with the Jacobian taken from the
//! model itself, so calibration can never disagree with the model it calibrates.
//! Latency parameters are fitted first; energy parameters then, with latency
//! fixed (a roofline's idle energy is idle power × latency).

use super::profile::{Model, Profile};
use super::{HardwareModel, NetworkCost};
use crate::error::{Error, Result};
use crate::linalg::solve;
use crate::predictor::kendall;
use crate::space::{Architecture, Cell, Frame};
use ndarray::{Array1, Array2};
use serde::Serialize;

/// Fewest samples a calibration accepts: two more than the most parameters a kind fits to
/// one target (a roofline's seven latency parameters), so a fit is checked on held-out
/// samples and k-fold has a few per fold.
pub const MIN_SAMPLES: usize = 9;
/// Enough rows for a whole measured space (NAS-Bench-201's 15,625 cells).
pub const MAX_SAMPLES: usize = 20_000;
/// Folds of the cross-validation unless asked otherwise.
pub const DEFAULT_FOLDS: usize = 5;

pub use super::params::Target;

impl Target {
    fn of(self, cost: &NetworkCost) -> f64 {
        match self {
            Target::Latency => cost.latency,
            Target::Energy => cost.energy,
        }
    }

    fn of_sample(self, s: &Measured) -> Option<f64> {
        match self {
            Target::Latency => s.latency,
            Target::Energy => s.energy,
        }
    }
}

/// One measured network.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Measured {
    pub arch: String,
    /// Seconds per inference.
    pub latency: Option<f64>,
    /// Joules per inference.
    pub energy: Option<f64>,
    /// 1-based CSV line.
    pub line: usize,
    #[serde(skip)]
    frame: Frame,
    #[serde(skip)]
    cells: Vec<Cell>,
}

impl Measured {
    pub fn new(
        arch: &Architecture,
        latency: Option<f64>,
        energy: Option<f64>,
        line: usize,
    ) -> Measured {
        Measured {
            arch: arch.to_string(),
            latency,
            energy,
            line,
            frame: *arch.frame(),
            cells: arch.cells().to_vec(),
        }
    }

    pub fn cost<M: HardwareModel + ?Sized>(&self, model: &M) -> NetworkCost {
        model.network_cost(&self.frame, &self.cells)
    }
}

/// Measured samples plus their `#` provenance lines.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Measurements {
    pub provenance: Vec<String>,
    pub samples: Vec<Measured>,
}

/// Allowed measured values: 1 ns to a day; 1 pJ to 1 MJ.
const LATENCY_MS: (f64, f64) = (1e-6, 8.64e7);
const ENERGY_MJ: (f64, f64) = (1e-9, 1e9);

impl Measurements {
    /// Reads a CSV whose header names `arch` and `latency_ms` and/or `energy_mj`;
    /// an `arch` may be a bare NAS-Bench-201 cell string, as its tables name networks
    /// (read as the CIFAR-10 network they measured); other columns are ignored, an empty cell means not measured. Leading `#`
    /// lines are provenance. Errors name the line and the column.
    pub fn from_csv(text: &str) -> Result<Measurements> {
        let crate::predictor::CsvText { provenance, mut reader, headers, header_line } =
            crate::predictor::CsvText::read(text)?;
        let find = |name: &str| headers.iter().position(|h| h.eq_ignore_ascii_case(name));
        let arch_col = find("arch")
            .ok_or_else(|| Error::csv(header_line, "arch", "the header has no 'arch' column"))?;
        let lat_col = find("latency_ms");
        let energy_col = find("energy_mj");
        if lat_col.is_none() && energy_col.is_none() {
            return Err(Error::csv(header_line, "latency_ms", "the header has neither 'latency_ms' nor 'energy_mj': a calibration needs at least one"));
        }
        let mut samples = Vec::new();
        for record in reader.records() {
            let record = record.map_err(|e| {
                Error::csv(
                    e.position().map(|p| p.line() as usize).unwrap_or(0),
                    "row",
                    e.to_string(),
                )
            })?;
            let line = record.position().map(|p| p.line() as usize).unwrap_or(0);
            if samples.len() >= MAX_SAMPLES {
                return Err(Error::csv(
                    line,
                    "row",
                    format!("more than {MAX_SAMPLES} samples: allowed 1..={MAX_SAMPLES} rows"),
                ));
            }
            let arch_text = record.get(arch_col).unwrap_or("");
            let arch = Architecture::parse(&crate::space::nb201::qualified(arch_text))
                .map_err(|e| Error::csv(line, "arch", e.to_string()))?;
            let number =
                |col: Option<usize>, name: &str, (lo, hi): (f64, f64)| -> Result<Option<f64>> {
                    let Some(text) = col.and_then(|c| record.get(c)).filter(|t| !t.is_empty())
                    else {
                        return Ok(None);
                    };
                    match text.parse::<f64>() {
                        Ok(v) if v.is_finite() && (lo..=hi).contains(&v) => Ok(Some(v)),
                        _ => Err(Error::csv(
                            line,
                            name,
                            format!("'{text}' is not allowed: allowed a number in {lo:e}..={hi:e}"),
                        )),
                    }
                };
            let latency = number(lat_col, "latency_ms", LATENCY_MS)?.map(|ms| ms * 1e-3);
            let energy = number(energy_col, "energy_mj", ENERGY_MJ)?.map(|mj| mj * 1e-3);
            if latency.is_none() && energy.is_none() {
                return Err(Error::csv(
                    line,
                    "latency_ms",
                    "the row has neither a latency nor an energy",
                ));
            }
            samples.push(Measured::new(&arch, latency, energy, line));
        }
        Ok(Measurements { provenance, samples })
    }
}

/// A measured sample a calibration leaves out, and why.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Excluded {
    pub line: usize,
    pub arch: String,
    pub reason: String,
}

/// A measured latency under this share of the samples' median is not a network the
/// runtime ran: HW-NAS-Bench's Raspberry Pi 4 times NAS-Bench-201's cut-off cells at
/// about 0.5 % of its median, the connected ones at 10 % and more.
pub const NEAR_ZERO: f64 = 0.05;

/// Which samples are degenerate: a network with a cell no path crosses (NN-Degree 0:
/// whether a runtime runs such a cell at all differs from runtime to runtime), or a
/// latency near zero. `None` for the samples a calibration can use.
pub fn degenerate(samples: &[Measured]) -> Vec<Option<String>> {
    let mut latencies: Vec<f64> = samples.iter().filter_map(|s| s.latency).collect();
    latencies.sort_by(f64::total_cmp);
    let median = latencies.get(latencies.len() / 2).copied();
    samples
        .iter()
        .map(|s| {
            if crate::degree::per_cell(&s.frame, &s.cells).contains(&0.0) {
                return Some(
                    "a cell no path crosses (NN-Degree 0): runtimes differ on whether they run it"
                        .to_string(),
                );
            }
            match (s.latency, median) {
                (Some(l), Some(m)) if l < NEAR_ZERO * m => Some(format!(
                    "measured {:.4} ms, under {} % of the samples' median ({:.4} ms): not a network the runtime ran",
                    l * 1e3,
                    NEAR_ZERO * 100.0,
                    m * 1e3
                )),
                _ => None,
            }
        })
        .collect()
}

/// The samples a calibration can use, the ones it leaves out, and how many of the first
/// `train` it keeps.
fn usable(
    samples: &[Measured],
    train: Option<usize>,
) -> (Vec<&Measured>, Vec<Excluded>, Option<usize>) {
    let mut keep = Vec::new();
    let mut excluded = Vec::new();
    let mut kept_train = 0;
    for (i, (s, why)) in samples.iter().zip(degenerate(samples)).enumerate() {
        match why {
            Some(reason) => excluded.push(Excluded { line: s.line, arch: s.arch.clone(), reason }),
            None => {
                keep.push(s);
                if train.is_some_and(|t| i < t) {
                    kept_train += 1;
                }
            }
        }
    }
    (keep, excluded, train.map(|_| kept_train))
}

/// How far predictions are from measurements.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Errors {
    pub samples: usize,
    /// Mean absolute percentage error.
    pub mape: f64,
    /// Largest absolute percentage error.
    pub max_ape: f64,
    /// Share of predictions within ±10 % (nn-Meter's yardstick).
    pub within_10pct: f64,
    /// Kendall's τ-b between predicted and measured.
    pub kendall_tau: Option<f64>,
    /// Spearman's ρ between predicted and measured (HELP's and BRP-NAS's yardstick).
    pub spearman_rho: Option<f64>,
}

impl Errors {
    pub fn of(predicted: &[f64], measured: &[f64]) -> Errors {
        let ape: Vec<f64> =
            predicted.iter().zip(measured).map(|(p, m)| 100.0 * (p - m).abs() / m).collect();
        let n = ape.len().max(1) as f64;
        Errors {
            samples: ape.len(),
            mape: ape.iter().sum::<f64>() / n,
            max_ape: ape.iter().cloned().fold(0.0, f64::max),
            within_10pct: ape.iter().filter(|a| **a <= 10.0).count() as f64 / n,
            kendall_tau: kendall(predicted, measured),
            spearman_rho: crate::predictor::spearman(predicted, measured),
        }
    }
}

/// One fitted parameter, before and after.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FittedParam {
    pub key: &'static str,
    pub unit: &'static str,
    pub target: Target,
    pub before: f64,
    pub after: f64,
    /// False when the samples say nothing about it (its column of the Jacobian is
    /// zero, e.g. η_memory when no layer is memory-bound): it keeps its prior.
    pub identified: bool,
    /// True when the fit ended on the edge of the allowed range.
    pub at_bound: bool,
}

/// Quality for one target.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TargetReport {
    pub target: Target,
    /// Before calibration, on all samples.
    pub prior: Errors,
    /// The fitted model on the samples it was fitted to.
    pub fitted: Errors,
    /// k-fold: every sample predicted by a model fitted without it.
    pub cross_validated: Option<Errors>,
    /// Hold-out: fitted on the first `train` samples, predicting the rest.
    pub held_out: Option<Errors>,
    /// The same fits and predictions by plain linear regressions on workload
    /// totals, so the model's figures have a baseline beside them (one that
    /// cannot be fitted to these samples is left out).
    pub baselines: Vec<BaselineReport>,
}

/// A linear baseline's quality, on the same samples and splits as the model's.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct BaselineReport {
    pub name: &'static str,
    pub fitted: Errors,
    pub cross_validated: Option<Errors>,
    pub held_out: Option<Errors>,
}

/// The baselines: a per-inference constant plus MACs, or plus MACs and bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Baseline {
    /// t = a + b·MACs.
    Macs,
    /// t = a + b·MACs + c·bytes (weights plus every layer's input and output).
    MacsBytes,
}

impl Baseline {
    pub const ALL: [Baseline; 2] = [Baseline::Macs, Baseline::MacsBytes];

    pub fn name(self) -> &'static str {
        match self {
            Baseline::Macs => "linear in MACs",
            Baseline::MacsBytes => "linear in MACs and bytes",
        }
    }

    fn features(self, w: &Workload) -> Vec<f64> {
        match self {
            Baseline::Macs => vec![1.0, w.macs],
            Baseline::MacsBytes => vec![1.0, w.macs, w.bytes],
        }
    }

    /// Least squares on relative residuals, as the model's fit ([`relative_least_squares`]).
    pub fn fit(self, samples: &[(Workload, f64)]) -> Result<Vec<f64>> {
        let x: Vec<Vec<f64>> = samples.iter().map(|(w, _)| self.features(w)).collect();
        let y: Vec<f64> = samples.iter().map(|(_, y)| *y).collect();
        relative_least_squares(&x, &y).ok_or_else(|| {
            Error::Invalid(format!(
                "the {} baseline cannot be fitted to these samples",
                self.name()
            ))
        })
    }

    pub fn predict(self, beta: &[f64], w: &Workload) -> f64 {
        self.features(w).iter().zip(beta).map(|(x, b)| x * b).sum()
    }
}

/// Workload totals the baselines read.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Workload {
    pub macs: f64,
    /// Bytes of weights plus every layer's input and output, at the model's bytes per value.
    pub bytes: f64,
}

struct WorkloadSink(Workload);

impl crate::workload::Sink for WorkloadSink {
    const READS: bool = false;
    fn layer(&mut self, spec: &crate::workload::LayerSpec, _: crate::workload::Reads<'_>) {
        self.0.macs += spec.macs() as f64;
        self.0.bytes += (spec.params() + spec.input.elems() + spec.output.elems()) as f64;
    }
}

impl Measured {
    /// The sample's workload totals, bytes at `bytes_per_value`.
    pub fn workload(&self, bytes_per_value: f64) -> Workload {
        let mut sink = WorkloadSink(Workload::default());
        crate::workload::walk(&self.frame, &self.cells, &mut sink);
        sink.0.bytes *= bytes_per_value;
        sink.0
    }
}

/// Least squares on relative residuals, Σ((x·β − y)/y)², as the model's fit: rows
/// scaled by 1/y, columns scaled to unit size so the normal equations stay well
/// conditioned. `None` when the rows cannot determine β.
pub fn relative_least_squares(x: &[Vec<f64>], y: &[f64]) -> Option<Vec<f64>> {
    let p = x.first()?.len();
    let mut scale = vec![0.0f64; p];
    for row in x {
        for (j, v) in row.iter().enumerate() {
            scale[j] = scale[j].max(v.abs());
        }
    }
    let scale: Vec<f64> = scale.iter().map(|s| if *s > 0.0 { *s } else { 1.0 }).collect();
    let mut ata = Array2::<f64>::zeros((p, p));
    let mut atb = Array1::<f64>::zeros(p);
    for (row, yi) in x.iter().zip(y) {
        let r: Vec<f64> = row.iter().zip(&scale).map(|(v, s)| v / s / yi).collect();
        for i in 0..p {
            atb[i] += r[i];
            for j in 0..p {
                ata[[i, j]] += r[i] * r[j];
            }
        }
    }
    for i in 0..p {
        ata[[i, i]] += 1e-12 * (1.0 + ata[[i, i]]);
    }
    let beta = solve(ata, atb)?;
    Some(beta.iter().zip(&scale).map(|(b, s)| b / s).collect())
}

/// Fits `baseline` on `train` and predicts `test`.
fn baseline_predictions(
    baseline: Baseline,
    train: &[(Workload, f64)],
    test: &[Workload],
) -> Result<Vec<f64>> {
    let beta = baseline.fit(train)?;
    Ok(test.iter().map(|w| baseline.predict(&beta, w)).collect())
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CalibrationReport {
    pub profile: String,
    pub samples: usize,
    pub folds: usize,
    /// Samples used to fit in hold-out mode (the rest are predicted).
    pub train: Option<usize>,
    pub params: Vec<FittedParam>,
    /// The pull towards the start's values ([`Prior`]); absent when 0 (the samples alone).
    #[serde(skip_serializing_if = "is_zero")]
    pub prior: f64,
    pub targets: Vec<TargetReport>,
    /// Samples left out of the fit and of the errors ([`degenerate`]).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub excluded: Vec<Excluded>,
    /// The calibrated profile (fitted on all samples, or on the training part).
    pub calibrated: super::params::ProfileParams,
}

fn is_zero(v: &f64) -> bool {
    *v == 0.0
}

/// Parameter vector of a profile, and the model it builds.
fn build(profile: &Profile, values: &[f64]) -> Result<Model> {
    profile.kind().build(values)
}

fn predictions(model: &Model, samples: &[&Measured], target: Target) -> Vec<f64> {
    samples.iter().map(|s| target.of(&s.cost(model))).collect()
}

struct Fit {
    values: Vec<f64>,
    identified: Vec<bool>,
}

/// Fits `target`'s parameters from `start`. A fitted parameter that is a whole number (a
/// switch, such as a spatial array's `pool_as_conv`) is not a direction a gradient can
/// follow: the rest are fitted once for each of its values, the start's value first, and
/// the lowest training error wins (a tie keeps the start's). At most [`MAX_SWITCH_FITS`]
/// such fits.
fn fit_target(
    profile: &Profile,
    start: &[f64],
    samples: &[&Measured],
    target: Target,
    prior: Prior,
) -> Result<Fit> {
    let specs = profile.specs();
    let keys: Vec<&str> = profile.kind().fitted_keys(target).collect();
    let is_switch = |k: &str| specs.iter().any(|s| s.key == k && s.integer);
    let continuous: Vec<&str> = keys.iter().copied().filter(|k| !is_switch(k)).collect();
    let switches: Vec<usize> = keys
        .iter()
        .filter(|k| is_switch(k))
        .map(|k| specs.iter().position(|s| s.key == *k).expect("fitted keys are parameters"))
        .collect();
    let mut choices: Vec<Vec<f64>> = vec![start.to_vec()];
    for &i in &switches {
        let (lo, hi) = (specs[i].min as i64, specs[i].max as i64);
        choices = choices
            .into_iter()
            .flat_map(|c| {
                let own = c[i];
                std::iter::once(own)
                    .chain((lo..=hi).map(|v| v as f64).filter(move |v| *v != own))
                    .map(move |v| {
                        let mut c = c.clone();
                        c[i] = v;
                        c
                    })
            })
            .collect();
    }
    choices.truncate(MAX_SWITCH_FITS);
    let mut best: Option<(Fit, f64)> = None;
    let mut costs = Vec::new();
    for choice in &choices {
        let (fit, cost) = fit_continuous(profile, choice, samples, target, prior, &continuous)?;
        costs.push(cost);
        if best.as_ref().is_none_or(|(_, c)| cost < *c) {
            best = Some((fit, cost));
        }
    }
    let (fit, _) = best.expect("at least the start");
    // A switch is identified when its values fit the samples differently.
    let switched = costs.iter().any(|c| (c - costs[0]).abs() > 1e-12 * costs[0].max(1e-30));
    let mut it = fit.identified.iter();
    let identified = keys
        .iter()
        .map(|k| if is_switch(k) { switched } else { *it.next().expect("one per key") })
        .collect();
    Ok(Fit { values: fit.values, identified })
}

/// Most fits one target's switches may cost (every combination of their values).
const MAX_SWITCH_FITS: usize = 8;

/// Fits `keys` (continuous parameters) from `start`, and again from a second start: the
/// parameters that are times (overheads, read times) fitted first with the rest held.
/// Latency is a sum of such times plus terms the others shape, so that first step is nearly
/// linear and lands where one run from the prior may not (a GPU whose latency is mostly
/// kernel launches, started from a datasheet that says compute, lowers η_compute to its
/// bound instead of raising the overheads). The lower training error wins.
fn fit_continuous(
    profile: &Profile,
    start: &[f64],
    samples: &[&Measured],
    target: Target,
    prior: Prior,
    keys: &[&str],
) -> Result<(Fit, f64)> {
    let specs = profile.specs();
    let (first, first_cost) = lm(profile, start, samples, target, keys, prior)?;
    let times: Vec<&str> = keys
        .iter()
        .copied()
        .filter(|k| specs.iter().any(|s| s.key == *k && matches!(s.unit, "s" | "ms" | "µs" | "ns")))
        .collect();
    if times.is_empty() || times.len() == keys.len() {
        return Ok((first, first_cost));
    }
    let (held, _) = lm(profile, start, samples, target, &times, prior)?;
    let (second, second_cost) = lm(profile, &held.values, samples, target, keys, prior)?;
    Ok(if second_cost < first_cost { (second, second_cost) } else { (first, first_cost) })
}

/// A pull of the fitted parameters towards the profile they started from: `weight` ×
/// Σ over fitted parameters of their squared distance from the profile's value, each
/// on a log scale offset by 1 % of its range, so a parameter at its minimum can move.
/// In effect it holds the efficiencies and `overlap` (ranges of 1, where the log scale
/// counts ratios) and leaves overheads, far below 1 % of their ranges, nearly free: the
/// datasheet knows the one and not the other. 0 fits the samples alone.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Prior {
    pub weight: f64,
}

/// The weights a pull may have: 0 (the samples alone) to one that holds the start.
pub const PRIOR_RANGE: (f64, f64) = (0.0, 1e6);

impl Prior {
    /// A pull of `weight`, or an error naming `field` and the allowed range.
    pub fn checked(field: &str, weight: f64) -> Result<Prior> {
        if (PRIOR_RANGE.0..=PRIOR_RANGE.1).contains(&weight) {
            Ok(Prior { weight })
        } else {
            Err(Error::field(
                field,
                weight,
                format!(
                    "a number in {}..={} (0: the samples alone; hardware::devices::PRIOR is 3e-4)",
                    PRIOR_RANGE.0, PRIOR_RANGE.1
                ),
            ))
        }
    }

    fn distance(spec: &crate::hardware::params::ParamSpec, value: f64, prior: f64) -> f64 {
        let offset = 0.01 * (spec.max - spec.min);
        // The same bits natively and in wasm (f64::ln is the platform's).
        crate::portable::ln((value - spec.min + offset) / (prior - spec.min + offset))
    }
}

/// Projected Levenberg–Marquardt on `keys`, the rest held; the fit and its cost.
fn lm(
    profile: &Profile,
    start: &[f64],
    samples: &[&Measured],
    target: Target,
    keys: &[&str],
    prior: Prior,
) -> Result<(Fit, f64)> {
    let specs = profile.specs();
    let idx: Vec<usize> = keys
        .iter()
        .map(|k| specs.iter().position(|s| s.key == *k).expect("fitted keys are parameters"))
        .collect();
    let measured: Vec<f64> =
        samples.iter().map(|s| target.of_sample(s).expect("filtered")).collect();
    let origin = profile_values(profile);
    let pull = prior.weight.max(0.0).sqrt();
    let residuals = |values: &[f64]| -> Result<Array1<f64>> {
        let m = build(profile, values)?;
        let p = predictions(&m, samples, target);
        let data = p.iter().zip(&measured).map(|(p, y)| (p - y) / y);
        // The prior's rows only when it pulls: without one the fit is the samples' alone.
        let toward = idx
            .iter()
            .filter(|_| pull > 0.0)
            .map(|&i| pull * Prior::distance(&specs[i], values[i], origin[i]));
        Ok(Array1::from_iter(data.chain(toward)))
    };
    let cost = |r: &Array1<f64>| r.iter().map(|v| v * v).sum::<f64>();
    let mut values = start.to_vec();
    let mut r = residuals(&values)?;
    let mut current = cost(&r);
    let mut lambda = 1e-3;
    let n = samples.len();
    let rows = r.len();
    let p = idx.len();
    let mut identified = vec![false; p];
    for _ in 0..200 {
        // Jacobian by forward differences, stepping inward at the upper bound.
        let mut jac = Array2::<f64>::zeros((rows, p));
        for (j, &i) in idx.iter().enumerate() {
            let spec = &specs[i];
            let scale = (spec.max - spec.min)
                .min(values[i].abs().max(1e-3 * (spec.max - spec.min).min(1.0)));
            let mut h = 1e-6 * scale.max(1e-12);
            if values[i] + h > spec.max {
                h = -h;
            }
            let mut moved = values.clone();
            moved[i] += h;
            let rj = residuals(&moved)?;
            for k in 0..rows {
                jac[[k, j]] = (rj[k] - r[k]) / h;
            }
        }
        let jtj = crate::linalg::gram(&jac);
        let g = crate::linalg::at_b(&jac, &r);
        // Identified by the samples, not by the prior's rows.
        for j in 0..p {
            identified[j] |= (0..n).map(|k| jac[[k, j]] * jac[[k, j]]).sum::<f64>() > 1e-18;
        }
        let mut improved = false;
        while lambda < 1e12 {
            let mut a = jtj.clone();
            for j in 0..p {
                a[[j, j]] += lambda * jtj[[j, j]].max(1e-12);
            }
            let Some(step) = solve(a, -&g) else {
                lambda *= 10.0;
                continue;
            };
            let mut trial = values.clone();
            for (j, &i) in idx.iter().enumerate() {
                trial[i] = (values[i] + step[j]).clamp(specs[i].min, specs[i].max);
            }
            let rt = residuals(&trial)?;
            let ct = cost(&rt);
            if ct < current {
                let gain = current - ct;
                values = trial;
                r = rt;
                current = ct;
                lambda = (lambda / 3.0).max(1e-9);
                improved = gain > 1e-12 * current.max(1e-30);
                break;
            }
            lambda *= 10.0;
        }
        if !improved {
            break;
        }
    }
    Ok((Fit { values, identified }, current))
}

/// The targets the samples measured (each with enough samples to fit).
fn targets(samples: &[&Measured]) -> Vec<Target> {
    [Target::Latency, Target::Energy]
        .into_iter()
        .filter(|t| samples.iter().any(|s| t.of_sample(s).is_some()))
        .collect()
}

fn with_target<'a>(samples: &[&'a Measured], target: Target) -> Vec<&'a Measured> {
    samples.iter().copied().filter(|s| target.of_sample(s).is_some()).collect()
}

/// Refuses samples that cannot determine the parameters, saying why.
fn check_samples(profile: &Profile, samples: &[&Measured], what: &str) -> Result<()> {
    for target in targets(samples) {
        let with = with_target(samples, target);
        let keys = profile.kind().fitted_keys(target).count();
        let needed = MIN_SAMPLES.max(keys + 2);
        if with.len() < needed {
            return Err(Error::field(
                format!("{what}: samples with {target:?}").to_lowercase(),
                with.len(),
                format!("at least {needed} (fitting {keys} parameters and checking them on held-out samples)"),
            ));
        }
        let mut distinct: Vec<&str> = with.iter().map(|s| s.arch.as_str()).collect();
        distinct.sort_unstable();
        distinct.dedup();
        if distinct.len() < keys + 1 {
            return Err(Error::Invalid(format!(
                "{what}: the {} samples with {target:?} hold only {} distinct architecture(s); fitting {keys} parameters needs at least {} different networks",
                with.len(),
                distinct.len(),
                keys + 1
            ).to_lowercase()));
        }
    }
    Ok(())
}

fn profile_values(profile: &Profile) -> Vec<f64> {
    profile.specs().iter().map(|s| profile.value(s.key).expect("every spec has a value")).collect()
}

/// Fits every target the samples measured, latency first.
/// Fitted values, and per target which of its parameters the samples determine.
type FitAll = (Vec<f64>, Vec<(Target, Vec<bool>)>);

fn fit_all(profile: &Profile, samples: &[&Measured], prior: Prior) -> Result<FitAll> {
    let mut values = profile_values(profile);
    let mut identified = Vec::new();
    for target in targets(samples) {
        let with = with_target(samples, target);
        let fit = fit_target(profile, &values, &with, target, prior)?;
        values = fit.values;
        identified.push((target, fit.identified));
    }
    Ok((values, identified))
}

/// Fits the profile to all samples.
pub fn fit(profile: &Profile, samples: &[Measured]) -> Result<Profile> {
    fit_toward(profile, samples, Prior::default())
}

/// Fits the profile to all samples, pulled towards its own values by `prior`.
pub fn fit_toward(profile: &Profile, samples: &[Measured], prior: Prior) -> Result<Profile> {
    let (refs, _, _) = usable(samples, None);
    check_samples(profile, &refs, "calibration")?;
    let (values, _) = fit_all(profile, &refs, prior)?;
    to_profile(profile, &values)
}

fn to_profile(profile: &Profile, values: &[f64]) -> Result<Profile> {
    let changes: Vec<(&str, f64)> = profile
        .specs()
        .iter()
        .zip(values)
        .filter(|(s, _)| s.fit.is_some())
        .map(|(s, v)| (s.key, *v))
        .collect();
    let changed: Vec<(&str, f64)> =
        changes.into_iter().filter(|(k, v)| profile.value(k) != Some(*v)).collect();
    profile.with_values(&changed, "fitted by flash hw calibrate")
}

/// Calibrates and reports: the fit on all samples (or on the first `train`), the
/// k-fold cross-validation, and in hold-out mode the errors on the rest.
pub fn calibrate(
    profile: &Profile,
    samples: &[Measured],
    folds: usize,
    train: Option<usize>,
) -> Result<CalibrationReport> {
    calibrate_toward(profile, samples, folds, train, Prior::default())
}

/// [`calibrate`], every fit (the full one and each fold's) pulled towards the profile's
/// own values by `prior`.
pub fn calibrate_toward(
    profile: &Profile,
    samples: &[Measured],
    folds: usize,
    train: Option<usize>,
    prior: Prior,
) -> Result<CalibrationReport> {
    if let Some(t) = train {
        if t >= samples.len() {
            return Err(Error::field(
                "train",
                t,
                format!(
                    "1..={} (fewer than the {} samples, so some are left to predict)",
                    samples.len().saturating_sub(1),
                    samples.len()
                ),
            ));
        }
    }
    let (all, excluded, train) = usable(samples, train);
    let fit_on: Vec<&Measured> = match train {
        Some(t) => all[..t].to_vec(),
        None => all.clone(),
    };
    check_samples(profile, &fit_on, if train.is_some() { "training part" } else { "calibration" })?;
    if folds < 2 || folds > fit_on.len() {
        return Err(Error::field("folds", folds, format!("2..={}", fit_on.len())));
    }
    let k = folds;
    let prior_values = profile_values(profile);
    let prior_model = build(profile, &prior_values)?;
    let (values, identified) = fit_all(profile, &fit_on, prior)?;
    let fitted_model = build(profile, &values)?;
    let specs = profile.specs();
    let mut params = Vec::new();
    for (target, ident) in &identified {
        for (j, key) in profile.kind().fitted_keys(*target).enumerate() {
            let i = specs.iter().position(|s| s.key == key).expect("key");
            let s = &specs[i];
            params.push(FittedParam {
                key: s.key,
                unit: s.unit,
                target: *target,
                before: prior_values[i],
                after: values[i],
                identified: ident[j],
                at_bound: values[i] == s.min || values[i] == s.max,
            });
        }
    }
    let mut reports = Vec::new();
    for target in targets(&fit_on) {
        let with = with_target(&fit_on, target);
        let measured: Vec<f64> =
            with.iter().map(|s| target.of_sample(s).expect("filtered")).collect();
        // k-fold: sample i is in fold i mod k (deterministic, spreads the CSV's order).
        let mut cv = vec![0.0; with.len()];
        for fold in 0..k {
            let train_part: Vec<&Measured> =
                with.iter().enumerate().filter(|(i, _)| i % k != fold).map(|(_, s)| *s).collect();
            let test_idx: Vec<usize> = (0..with.len()).filter(|i| i % k == fold).collect();
            if test_idx.is_empty() {
                continue;
            }
            let mut v = prior_values.clone();
            if target == Target::Energy {
                // Energy is fitted on top of the latency fit, as in the full fit.
                for t in targets(&train_part).into_iter().filter(|t| *t == Target::Latency) {
                    v = fit_target(profile, &v, &with_target(&train_part, t), t, prior)?.values;
                }
            }
            let m = build(profile, &fit_target(profile, &v, &train_part, target, prior)?.values)?;
            let test: Vec<&Measured> = test_idx.iter().map(|&i| with[i]).collect();
            for (i, p) in test_idx.iter().zip(predictions(&m, &test, target)) {
                cv[*i] = p;
            }
        }
        let held_out = train.map(|t| {
            let rest: Vec<&Measured> = with_target(&all[t..], target);
            let m: Vec<f64> = rest.iter().map(|s| target.of_sample(s).expect("filtered")).collect();
            Errors::of(&predictions(&fitted_model, &rest, target), &m)
        });
        let bpv = prior_model.bytes_per_value();
        let work: Vec<Workload> = with.iter().map(|s| s.workload(bpv)).collect();
        let pairs: Vec<(Workload, f64)> =
            work.iter().copied().zip(measured.iter().copied()).collect();
        // A baseline that cannot be fitted (every sample with the same MACs, say)
        // is left out; it never makes the model's calibration fail.
        let baseline = |b: Baseline| -> Result<BaselineReport> {
            let fitted = Errors::of(&baseline_predictions(b, &pairs, &work)?, &measured);
            let mut cv = vec![0.0; with.len()];
            for fold in 0..k {
                let part: Vec<(Workload, f64)> = pairs
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| i % k != fold)
                    .map(|(_, p)| *p)
                    .collect();
                let test_idx: Vec<usize> = (0..with.len()).filter(|i| i % k == fold).collect();
                let test: Vec<Workload> = test_idx.iter().map(|&i| work[i]).collect();
                for (i, p) in test_idx.iter().zip(baseline_predictions(b, &part, &test)?) {
                    cv[*i] = p;
                }
            }
            let held_out = match train {
                Some(t) => {
                    let rest: Vec<&Measured> = with_target(&all[t..], target);
                    let m: Vec<f64> =
                        rest.iter().map(|s| target.of_sample(s).expect("filtered")).collect();
                    let test: Vec<Workload> = rest.iter().map(|s| s.workload(bpv)).collect();
                    Some(Errors::of(&baseline_predictions(b, &pairs, &test)?, &m))
                }
                None => None,
            };
            Ok(BaselineReport {
                name: b.name(),
                fitted,
                cross_validated: Some(Errors::of(&cv, &measured)),
                held_out,
            })
        };
        let baselines: Vec<BaselineReport> =
            Baseline::ALL.into_iter().filter_map(|b| baseline(b).ok()).collect();
        reports.push(TargetReport {
            target,
            prior: Errors::of(&predictions(&prior_model, &with, target), &measured),
            fitted: Errors::of(&predictions(&fitted_model, &with, target), &measured),
            cross_validated: Some(Errors::of(&cv, &measured)),
            held_out,
            baselines,
        });
    }
    Ok(CalibrationReport {
        profile: profile.name().to_string(),
        samples: samples.len(),
        folds: k,
        train,
        params,
        prior: prior.weight,
        targets: reports,
        excluded,
        calibrated: to_profile(profile, &values)?.to_params(),
    })
}
