//! Accuracy predictor: sample sets of trained networks, fitted models, and their
//! leave-one-out quality.
//!
//! Candidates, all least squares on log features:
//! * `log-degree` (FLASH's form): accuracy = a + b·ln g;
//! * `ridge(λ)`: accuracy = a + β·z, z the standardised [ln g, ln params, ln MACs],
//!   for λ in [`RIDGE_LAMBDAS`];
//! * `logistic-degree` and `logistic-ridge(λ)`: the same fitted to logit(accuracy),
//!   predicting σ(a + …). They saturate below 1 instead of crossing it, so a
//!   space larger than the samples is not predicted at a clamped 100 % (issue 15;
//!   docs/accuracy.md derives the form).
//!
//! The candidate with the lowest leave-one-out MAE is chosen (the simpler one on
//! a tie); that MAE chose it, so it is optimistic: a held-out set reports the
//! error users should expect (`report`). Samples are never invented here: they come from a CSV of networks
//! that were really trained (issue 6 ships them).

pub mod report;

use crate::degree;
use crate::error::{Error, Result};
use crate::linalg::solve;
use crate::portable::ln;
use crate::space::Architecture;
use crate::workload;
use ndarray::{Array1, Array2};
use serde::Serialize;

/// A CSV text as the project's files write it: leading `#` lines are
/// provenance, then a header; the sample sets and the measurement files share it.
pub(crate) struct CsvText<'a> {
    pub provenance: Vec<String>,
    pub reader: csv::Reader<&'a [u8]>,
    pub headers: csv::StringRecord,
    /// The header's 1-based line (errors name lines).
    pub header_line: usize,
}

impl<'a> CsvText<'a> {
    pub fn read(text: &'a str) -> Result<CsvText<'a>> {
        let provenance: Vec<String> = text
            .lines()
            .take_while(|l| l.trim_start().starts_with('#'))
            .map(|l| l.trim_start().trim_start_matches('#').trim().to_string())
            .collect();
        let mut reader = csv::ReaderBuilder::new()
            .comment(Some(b'#'))
            .trim(csv::Trim::All)
            .from_reader(text.as_bytes());
        let header_line = provenance.len() + 1;
        let headers =
            reader.headers().map_err(|e| Error::csv(header_line, "header", e.to_string()))?.clone();
        Ok(CsvText { provenance, reader, headers, header_line })
    }
}

/// A sample set this project trained and ships (data/samples/): the CSV,
/// compiled in so a link needs no fetch to reproduce, and the space its
/// networks were drawn from (`flash train`'s default for that data set).
pub struct ShippedSet {
    pub name: &'static str,
    pub file: &'static str,
    pub space: &'static str,
    pub csv: &'static str,
    /// Networks drawn uniformly from the same space and trained the same way,
    /// none of them in `csv`: the predictor's error is measured on them.
    pub held_out: Option<(&'static str, &'static str)>,
}

/// FLASH's search space in the digits data set's shape (3 cells at 8×8, 4×4, 2×2).
pub const DIGITS_FLASH_SPACE: &str = "digits/dense/cells=3;d=2..11;w=8..64:8;t=0..49";

/// The shipped sets: the one place their names, spaces and files are written.
pub const SHIPPED: [ShippedSet; 3] = [
    ShippedSet {
        name: "digits-flash",
        file: "digits-flash-design.csv",
        space: DIGITS_FLASH_SPACE,
        csv: include_str!("../../data/samples/digits-flash-design.csv"),
        held_out: Some(("digits-flash.csv", include_str!("../../data/samples/digits-flash.csv"))),
    },
    ShippedSet {
        name: "digits",
        file: "digits.csv",
        space: "digits/dense/cells=2;d=1..6;w=4..32:4;t=0..24",
        csv: include_str!("../../data/samples/digits.csv"),
        held_out: None,
    },
    ShippedSet {
        name: "mnist",
        file: "mnist.csv",
        space: "mnist/dense/cells=2;d=1..4;w=4..16:4;t=0..12",
        csv: include_str!("../../data/samples/mnist.csv"),
        held_out: None,
    },
];

/// The shipped set of this name.
pub fn shipped(name: &str) -> Option<&'static ShippedSet> {
    SHIPPED.iter().find(|set| set.name == name)
}

/// The zero-cost proxies a sample set may carry (`flash train` writes them), in
/// column order: the trainer computes them, the core reads and compares them.
pub const PROXY_NAMES: [&str; 4] = ["synflow", "snip", "grad_norm", "naswot"];

pub const RIDGE_LAMBDAS: [f64; 4] = [0.01, 0.1, 1.0, 10.0];
/// Fewest samples a fit accepts: leave-one-out needs two points left to fit a line.
pub const MIN_SAMPLES: usize = 3;
/// Most rows a sample CSV may hold (Kendall's τ is quadratic in the rows).
pub const MAX_SAMPLES: usize = 10_000;

/// One trained network: its text form, its measured accuracy and its features.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Sample {
    pub arch: String,
    /// Test accuracy as a fraction in [0, 1].
    pub accuracy: f64,
    pub nn_degree: f64,
    pub params: u64,
    pub macs: u64,
    /// 1-based line in the CSV it came from.
    pub line: usize,
    /// The training seed, where the CSV has a `seed` column.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
    /// synflow, snip, grad_norm and naswot at initialisation, where the CSV has them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub proxies: Option<[f64; 4]>,
}

impl Sample {
    pub fn new(arch: &Architecture, accuracy: f64, line: usize) -> Sample {
        let totals = workload::totals(arch.frame(), arch.cells());
        Sample {
            arch: arch.to_string(),
            accuracy,
            nn_degree: degree::nn_degree(arch.frame(), arch.cells()),
            params: totals.params,
            macs: totals.macs,
            line,
            seed: None,
            proxies: None,
        }
    }

    fn features(&self) -> [f64; 3] {
        [ln(self.nn_degree), ln(self.params as f64), ln(self.macs.max(1) as f64)]
    }
}

/// Samples from a CSV plus its `#` provenance lines.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct SampleSet {
    pub provenance: Vec<String>,
    pub samples: Vec<Sample>,
}

impl SampleSet {
    /// Reads a CSV with a header that names at least `arch` and `accuracy` (or
    /// `test_accuracy`); other columns are ignored. Leading lines that start with
    /// `#` are provenance. Errors name the line and column.
    pub fn from_csv(text: &str) -> Result<SampleSet> {
        let CsvText { provenance, mut reader, headers, header_line } = CsvText::read(text)?;
        let find = |names: &[&str]| {
            headers.iter().position(|h| names.iter().any(|n| h.eq_ignore_ascii_case(n)))
        };
        let arch_col = find(&["arch"])
            .ok_or_else(|| Error::csv(header_line, "arch", "the header has no 'arch' column"))?;
        let acc_col = find(&["accuracy", "test_accuracy"]).ok_or_else(|| {
            Error::csv(
                header_line,
                "accuracy",
                "the header has no 'accuracy' (or 'test_accuracy') column",
            )
        })?;
        let seed_col = find(&["seed"]);
        let proxy_cols: Option<Vec<usize>> = PROXY_NAMES.iter().map(|name| find(&[name])).collect();
        let mut samples = Vec::new();
        for record in reader.records() {
            let record = record.map_err(|e| {
                let line = e.position().map(|p| p.line() as usize).unwrap_or(0);
                Error::csv(line, "row", e.to_string())
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
            let arch = Architecture::parse(arch_text)
                .map_err(|e| Error::csv(line, "arch", e.to_string()))?;
            let acc_text = record.get(acc_col).unwrap_or("");
            let accuracy: f64 = acc_text
                .parse()
                .ok()
                .filter(|a: &f64| (0.0..=1.0).contains(a))
                .ok_or_else(|| Error::csv(line, "accuracy", format!("'{acc_text}' is not allowed: allowed a fraction in 0..=1 (not a percentage)")))?;
            let mut sample = Sample::new(&arch, accuracy, line);
            if let Some(col) = seed_col {
                let text = record.get(col).unwrap_or("");
                sample.seed = Some(text.parse().map_err(|_| {
                    Error::csv(
                        line,
                        "seed",
                        format!("'{text}' is not allowed: allowed a whole number"),
                    )
                })?);
            }
            if let Some(cols) = &proxy_cols {
                let mut values = [0.0; 4];
                for (k, &col) in cols.iter().enumerate() {
                    let text = record.get(col).unwrap_or("");
                    values[k] = text.parse().map_err(|_| {
                        Error::csv(
                            line,
                            PROXY_NAMES[k],
                            format!("'{text}' is not allowed: allowed a number"),
                        )
                    })?;
                }
                sample.proxies = Some(values);
            }
            samples.push(sample);
        }
        Ok(SampleSet { provenance, samples })
    }
}

/// The samples' ranges of NN-Degree and parameters: a network outside them
/// gets an extrapolated prediction.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Domain {
    pub degree: (f64, f64),
    pub params: (u64, u64),
}

impl Domain {
    pub fn of(samples: &[Sample]) -> Domain {
        let mut d = Domain { degree: (f64::MAX, f64::MIN), params: (u64::MAX, 0) };
        for s in samples {
            d.degree = (d.degree.0.min(s.nn_degree), d.degree.1.max(s.nn_degree));
            d.params = (d.params.0.min(s.params), d.params.1.max(s.params));
        }
        d
    }

    pub fn contains(&self, nn_degree: f64, params: u64) -> bool {
        (self.degree.0..=self.degree.1).contains(&nn_degree)
            && (self.params.0..=self.params.1).contains(&params)
    }
}

/// Which candidate a predictor is.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum ModelKind {
    LogDegree,
    Ridge { lambda: f64 },
    LogisticDegree,
    LogisticRidge { lambda: f64 },
}

impl ModelKind {
    pub fn name(&self) -> String {
        match self {
            ModelKind::LogDegree => "log-degree".into(),
            ModelKind::Ridge { lambda } => format!("ridge(λ={lambda})"),
            ModelKind::LogisticDegree => "logistic-degree".into(),
            ModelKind::LogisticRidge { lambda } => format!("logistic-ridge(λ={lambda})"),
        }
    }

    fn features(&self) -> usize {
        match self {
            ModelKind::LogDegree | ModelKind::LogisticDegree => 1,
            ModelKind::Ridge { .. } | ModelKind::LogisticRidge { .. } => 3,
        }
    }

    fn lambda(&self) -> f64 {
        match self {
            ModelKind::LogDegree | ModelKind::LogisticDegree => 0.0,
            ModelKind::Ridge { lambda } | ModelKind::LogisticRidge { lambda } => *lambda,
        }
    }

    /// Whether it predicts σ(linear) (saturating) rather than the linear value.
    pub fn saturates(&self) -> bool {
        matches!(self, ModelKind::LogisticDegree | ModelKind::LogisticRidge { .. })
    }

    /// Every candidate `fit` tries, simplest first.
    pub fn candidates() -> Vec<ModelKind> {
        let mut all = vec![ModelKind::LogDegree];
        all.extend(RIDGE_LAMBDAS.map(|lambda| ModelKind::Ridge { lambda }));
        all.push(ModelKind::LogisticDegree);
        all.extend(RIDGE_LAMBDAS.map(|lambda| ModelKind::LogisticRidge { lambda }));
        all
    }
}

/// A fitted model: prediction = intercept + Σ coef_i · (x_i − mean_i) / scale_i.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Predictor {
    pub model: ModelKind,
    pub intercept: f64,
    pub coef: Vec<f64>,
    pub mean: Vec<f64>,
    pub scale: Vec<f64>,
}

/// Accuracies a logistic fit reads are kept this far inside (0, 1): a sample
/// at exactly 100 % would otherwise have an infinite logit.
pub const LOGIT_MARGIN: f64 = 1e-3;

fn logit(a: f64) -> f64 {
    let a = a.clamp(LOGIT_MARGIN, 1.0 - LOGIT_MARGIN);
    ln(a / (1.0 - a))
}

fn sigmoid(z: f64) -> f64 {
    // The portable exp: the same prediction natively and in wasm.
    1.0 / (1.0 + crate::portable::exp(-z))
}

impl Predictor {
    /// Predicted accuracy from NN-Degree, parameters and MACs.
    pub fn predict(&self, nn_degree: f64, params: u64, macs: u64) -> f64 {
        // The portable ln: the same prediction, bit for bit, natively and in wasm.
        let x = [ln(nn_degree), ln(params as f64), ln(macs.max(1) as f64)];
        let linear = self.intercept
            + (0..self.coef.len())
                .map(|i| self.coef[i] * (x[i] - self.mean[i]) / self.scale[i])
                .sum::<f64>();
        if self.model.saturates() {
            sigmoid(linear)
        } else {
            linear
        }
    }

    pub fn predict_arch(&self, arch: &Architecture) -> f64 {
        let t = workload::totals(arch.frame(), arch.cells());
        self.predict(degree::nn_degree(arch.frame(), arch.cells()), t.params, t.macs)
    }

    /// Least squares (ridge when λ > 0) on standardised features; the intercept is
    /// not penalised, so it is the mean accuracy.
    pub fn fit(model: ModelKind, samples: &[&Sample]) -> Result<Predictor> {
        let p = model.features();
        let n = samples.len();
        if n < 2 {
            return Err(Error::Invalid(format!("a fit needs at least 2 samples, got {n}")));
        }
        let x = Array2::from_shape_fn((n, p), |(i, j)| samples[i].features()[j]);
        let y = Array1::from_iter(samples.iter().map(|s| {
            if model.saturates() {
                logit(s.accuracy)
            } else {
                s.accuracy
            }
        }));
        let mean = x.mean_axis(ndarray::Axis(0)).expect("n ≥ 2");
        let mut scale = x.std_axis(ndarray::Axis(0), 0.0);
        for (j, s) in scale.iter_mut().enumerate() {
            if *s < 1e-12 {
                if model.features() == 1 && j == 0 {
                    return Err(Error::Invalid("every sample has the same NN-Degree: the log-degree fit needs networks of different degrees".into()));
                }
                *s = 1.0; // a constant feature gets coefficient 0 from ridge
            }
        }
        let z = (&x - &mean) / &scale;
        let y_mean = y.mean().expect("n ≥ 2");
        let yc = &y - y_mean;
        let mut a = crate::linalg::gram(&z);
        for j in 0..p {
            a[[j, j]] += model.lambda() * n as f64;
        }
        let b = crate::linalg::at_b(&z, &yc);
        let coef = solve(a, b).ok_or_else(|| {
            Error::Invalid(format!(
                "the {} fit is singular: the features do not vary enough",
                model.name()
            ))
        })?;
        Ok(Predictor {
            model,
            intercept: y_mean,
            coef: coef.to_vec(),
            mean: mean.to_vec(),
            scale: scale.to_vec(),
        })
    }
}

/// Average ranks (1-based), ties sharing the mean of their positions.
fn ranks(v: &[f64]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..v.len()).collect();
    order.sort_by(|&i, &j| v[i].total_cmp(&v[j]));
    let mut r = vec![0.0; v.len()];
    let mut i = 0;
    while i < order.len() {
        let mut j = i;
        while j + 1 < order.len() && v[order[j + 1]] == v[order[i]] {
            j += 1;
        }
        let avg = (i + j) as f64 / 2.0 + 1.0;
        for k in i..=j {
            r[order[k]] = avg;
        }
        i = j + 1;
    }
    r
}

/// Pearson correlation; `None` when either side is constant.
pub fn pearson(x: &[f64], y: &[f64]) -> Option<f64> {
    let n = x.len() as f64;
    let (mx, my) = (x.iter().sum::<f64>() / n, y.iter().sum::<f64>() / n);
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (a, b) in x.iter().zip(y) {
        sxy += (a - mx) * (b - my);
        sxx += (a - mx) * (a - mx);
        syy += (b - my) * (b - my);
    }
    (sxx > 0.0 && syy > 0.0).then(|| sxy / (sxx * syy).sqrt())
}

/// Spearman's ρ: Pearson on average ranks.
pub fn spearman(x: &[f64], y: &[f64]) -> Option<f64> {
    pearson(&ranks(x), &ranks(y))
}

/// Kendall's τ-b (ties accounted for); `None` when either side is constant.
pub fn kendall(x: &[f64], y: &[f64]) -> Option<f64> {
    let (mut concordant, mut discordant, mut tie_x, mut tie_y) = (0i64, 0i64, 0i64, 0i64);
    for i in 0..x.len() {
        for j in i + 1..x.len() {
            let dx = x[i].total_cmp(&x[j]) as i64;
            let dy = y[i].total_cmp(&y[j]) as i64;
            match (dx, dy) {
                (0, 0) => {}
                (0, _) => tie_x += 1,
                (_, 0) => tie_y += 1,
                _ if dx == dy => concordant += 1,
                _ => discordant += 1,
            }
        }
    }
    let n0 = (concordant + discordant + tie_x) as f64 * (concordant + discordant + tie_y) as f64;
    (n0 > 0.0).then(|| (concordant - discordant) as f64 / n0.sqrt())
}

/// Kendall's τ-b in O(n log n) (Knight's algorithm, as scipy's): the same
/// value as [`kendall`], for the benchmark's 15,625 cells where the quadratic
/// count takes seconds a call.
pub fn kendall_fast(x: &[f64], y: &[f64]) -> Option<f64> {
    let n = x.len();
    let mut idx: Vec<usize> = (0..n).collect();
    idx.sort_by(|&a, &b| x[a].total_cmp(&x[b]).then(y[a].total_cmp(&y[b])));
    let pairs = |len: u64| len * len.saturating_sub(1) / 2;
    let (mut x_ties, mut joint_ties) = (0u64, 0u64);
    let (mut run_x, mut run_xy) = (1u64, 1u64);
    for w in idx.windows(2) {
        let (a, b) = (w[0], w[1]);
        if x[a].total_cmp(&x[b]).is_eq() {
            run_x += 1;
            if y[a].total_cmp(&y[b]).is_eq() {
                run_xy += 1;
            } else {
                joint_ties += pairs(run_xy);
                run_xy = 1;
            }
        } else {
            x_ties += pairs(run_x);
            joint_ties += pairs(run_xy);
            run_x = 1;
            run_xy = 1;
        }
    }
    x_ties += pairs(run_x);
    joint_ties += pairs(run_xy);
    // Discordant pairs: inversions of y in this order (a merge sort counts them).
    let mut ys: Vec<f64> = idx.iter().map(|&i| y[i]).collect();
    let mut buf = ys.clone();
    fn inversions(v: &mut [f64], buf: &mut [f64]) -> u64 {
        let n = v.len();
        if n < 2 {
            return 0;
        }
        let mid = n / 2;
        let mut count =
            inversions(&mut v[..mid], &mut buf[..mid]) + inversions(&mut v[mid..], &mut buf[mid..]);
        let (mut i, mut j, mut k) = (0, mid, 0);
        while i < mid && j < n {
            if v[j].total_cmp(&v[i]).is_lt() {
                buf[k] = v[j];
                count += (mid - i) as u64;
                j += 1;
            } else {
                buf[k] = v[i];
                i += 1;
            }
            k += 1;
        }
        buf[k..k + mid - i].copy_from_slice(&v[i..mid]);
        let k = k + mid - i;
        buf[k..k + n - j].copy_from_slice(&v[j..n]);
        v.copy_from_slice(&buf[..n]);
        count
    }
    let discordant = inversions(&mut ys, &mut buf);
    let mut y_ties = 0u64;
    let mut run = 1u64;
    for w in ys.windows(2) {
        if w[0].total_cmp(&w[1]).is_eq() {
            run += 1;
        } else {
            y_ties += pairs(run);
            run = 1;
        }
    }
    y_ties += pairs(run);
    let total = pairs(n as u64);
    let (nx, ny) = ((total - x_ties) as f64, (total - y_ties) as f64);
    let concordant_minus_discordant = total as i128 - x_ties as i128 - y_ties as i128
        + joint_ties as i128
        - 2 * discordant as i128;
    (nx > 0.0 && ny > 0.0).then(|| concordant_minus_discordant as f64 / (nx * ny).sqrt())
}

/// Leave-one-out quality of one candidate.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Candidate {
    pub name: String,
    pub model: ModelKind,
    pub loo_mae: f64,
    pub loo_spearman: Option<f64>,
    pub loo_kendall: Option<f64>,
    /// Mean absolute error on the samples it was fitted to.
    pub train_mae: f64,
}

/// How each feature alone ranks the samples.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Correlation {
    pub feature: &'static str,
    pub spearman: Option<f64>,
    pub kendall: Option<f64>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FitReport {
    /// The samples fitted (those whose output depends on their input).
    pub samples: usize,
    /// Samples left out of the fit because no path joins their cells' input to
    /// their output (NN-Degree 0): their accuracy is chance, whatever a fit
    /// says, and ln 0 has no place in its features.
    #[serde(skip_serializing_if = "is_zero")]
    pub cut_off: usize,
    pub chosen: Predictor,
    pub candidates: Vec<Candidate>,
    pub correlations: Vec<Correlation>,
}

impl FitReport {
    /// The leave-one-out MAE of the chosen candidate (the error that chose it).
    pub fn chosen_loo_mae(&self) -> f64 {
        self.candidates
            .iter()
            .find(|c| c.model == self.chosen.model)
            .map_or(f64::NAN, |c| c.loo_mae)
    }
}

fn evaluate(model: ModelKind, samples: &[Sample]) -> Result<Candidate> {
    let all: Vec<&Sample> = samples.iter().collect();
    let full = Predictor::fit(model, &all)?;
    let train_mae = samples
        .iter()
        .map(|s| (full.predict(s.nn_degree, s.params, s.macs) - s.accuracy).abs())
        .sum::<f64>()
        / samples.len() as f64;
    let mut predictions = Vec::with_capacity(samples.len());
    for i in 0..samples.len() {
        let rest: Vec<&Sample> =
            samples.iter().enumerate().filter(|&(j, _)| j != i).map(|(_, s)| s).collect();
        let p = Predictor::fit(model, &rest)?;
        let s = &samples[i];
        predictions.push(p.predict(s.nn_degree, s.params, s.macs));
    }
    let actual: Vec<f64> = samples.iter().map(|s| s.accuracy).collect();
    let loo_mae = predictions.iter().zip(&actual).map(|(p, a)| (p - a).abs()).sum::<f64>()
        / samples.len() as f64;
    Ok(Candidate {
        name: model.name(),
        model,
        loo_mae,
        loo_spearman: spearman(&predictions, &actual),
        loo_kendall: kendall(&predictions, &actual),
        train_mae,
    })
}

/// Fits every candidate, scores each by leave-one-out and keeps the best.
pub fn fit(samples: &[Sample]) -> Result<FitReport> {
    let connected: Vec<Sample>;
    let all_samples = samples;
    let samples = if samples.iter().any(|s| s.nn_degree <= 0.0) {
        connected = samples.iter().filter(|s| s.nn_degree > 0.0).cloned().collect();
        &connected[..]
    } else {
        samples
    };
    let cut_off = all_samples.len() - samples.len();
    if samples.len() < MIN_SAMPLES {
        return Err(Error::field(
            "number of samples",
            if cut_off > 0 {
                format!(
                    "{} (and {cut_off} whose cells' output is cut off from their input)",
                    samples.len()
                )
            } else {
                samples.len().to_string()
            },
            format!("{MIN_SAMPLES}..={MAX_SAMPLES}"),
        ));
    }
    let candidates = ModelKind::candidates()
        .into_iter()
        .map(|m| evaluate(m, samples))
        .collect::<Result<Vec<_>>>()?;
    // Strictly better only: on a tie the earlier (simpler, less regularised) one stays.
    let best = candidates.iter().enumerate().fold(0, |b, (i, c)| {
        if c.loo_mae < candidates[b].loo_mae {
            i
        } else {
            b
        }
    });
    let all: Vec<&Sample> = samples.iter().collect();
    let chosen = Predictor::fit(candidates[best].model, &all)?;
    let acc: Vec<f64> = samples.iter().map(|s| s.accuracy).collect();
    let feature = |name: &'static str, f: &dyn Fn(&Sample) -> f64| {
        let v: Vec<f64> = samples.iter().map(f).collect();
        Correlation { feature: name, spearman: spearman(&v, &acc), kendall: kendall(&v, &acc) }
    };
    let correlations = vec![
        feature("nn_degree", &|s| s.nn_degree),
        feature("params", &|s| s.params as f64),
        feature("macs", &|s| s.macs as f64),
    ];
    Ok(FitReport { samples: samples.len(), cut_off, chosen, candidates, correlations })
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

/// The accuracy of a network whose output does not depend on its input (a
/// NAS-Bench-201 cell with no path from its input to its output): a guess
/// among `classes` (the benchmark reports 10.00 % on CIFAR-10 for every one).
pub fn chance(classes: u32) -> f64 {
    1.0 / classes as f64
}

/// `n` cells drawn uniformly without repeats (seeded) from an nb201 space,
/// with the benchmark's `column` standing in for training them: a sample CSV
/// for [`SampleSet::from_csv`] and everything that fits one.
pub fn benchmark_csv(
    space: &crate::SearchSpace,
    column: &crate::nasbench::Column,
    n: usize,
    seed: u64,
) -> Result<String> {
    use rand::{Rng, SeedableRng};
    let count = space.count();
    if space.frame().family != crate::space::Family::Nb201 {
        return Err(Error::field(
            "samples",
            "nb201",
            format!(
                "an nb201 space (NAS-Bench-201's accuracies are of its cells), not {}",
                space.frame().family.name()
            ),
        ));
    }
    if column.spec.dataset != space.frame().dataset.name {
        return Err(Error::field(
            "accuracy column",
            column.spec.name,
            format!("a column of {} networks (the space's data set)", space.frame().dataset.name),
        ));
    }
    if n < MIN_SAMPLES || n as u128 > count {
        return Err(Error::field(
            "benchmark samples n",
            n,
            format!("{MIN_SAMPLES}..={} (the space's cells)", count.min(MAX_SAMPLES as u128)),
        ));
    }
    // A partial Fisher-Yates shuffle of the configurations: n distinct ones.
    let mut order: Vec<u32> = (0..count as u32).collect();
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    let mut out = format!(
        "# NAS-Bench-201: {n} cells drawn uniformly (seed {seed}) from {space}, the benchmark's {} standing in for training them (data/nb201/)\narch,accuracy\n",
        column.spec.name
    );
    for i in 0..n {
        let j = rng.random_range(i..order.len());
        order.swap(i, j);
        let arch = space.decode(order[i] as u128)?;
        let accuracy = column.of(arch.cells()) / 100.0;
        out.push_str(&format!("\"{arch}\",{accuracy}\n"));
    }
    Ok(out)
}

/// Seed noise: the spread of test accuracy when the same network is retrained
/// with other seeds.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SeedNoise {
    /// Networks trained more than once.
    pub networks: usize,
    pub runs: usize,
    /// √(mean of the per-network sample variances): the noise floor of one run.
    pub pooled_std: f64,
    /// The largest per-network sample standard deviation.
    pub max_std: f64,
}

/// Groups samples by architecture (text form) and measures the spread of each
/// group of two or more runs. `None` when no network was trained twice.
pub fn seed_noise(samples: &[Sample]) -> Option<SeedNoise> {
    let mut groups: std::collections::BTreeMap<&str, Vec<f64>> = std::collections::BTreeMap::new();
    for s in samples {
        groups.entry(s.arch.as_str()).or_default().push(s.accuracy);
    }
    let variances: Vec<f64> = groups
        .values()
        .filter(|v| v.len() >= 2)
        .map(|v| {
            let mean = v.iter().sum::<f64>() / v.len() as f64;
            v.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / (v.len() - 1) as f64
        })
        .collect();
    if variances.is_empty() {
        return None;
    }
    let runs = groups.values().filter(|v| v.len() >= 2).map(Vec::len).sum();
    Some(SeedNoise {
        networks: variances.len(),
        runs,
        pooled_std: (variances.iter().sum::<f64>() / variances.len() as f64).sqrt(),
        max_std: variances.iter().fold(0.0f64, |m, v| m.max(v.sqrt())),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fast_kendall_equals_the_pairwise_count() {
        // Random values on coarse grids, so that both sides tie often.
        let mut seed = 11u64;
        let mut next = |m: u64| {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            ((seed >> 33) % m) as f64
        };
        for round in 0..300 {
            let n = 2 + round % 70;
            let x: Vec<f64> = (0..n).map(|_| next(1 + round as u64 % 9)).collect();
            let y: Vec<f64> = (0..n).map(|_| next(1 + round as u64 % 7)).collect();
            match (kendall(&x, &y), kendall_fast(&x, &y)) {
                (Some(a), Some(b)) => assert!((a - b).abs() < 1e-12, "round {round}: {a} vs {b}"),
                (a, b) => assert_eq!(a, b, "round {round}"),
            }
        }
    }

    #[test]
    fn ranks_average_ties() {
        assert_eq!(ranks(&[10.0, 20.0, 20.0, 5.0]), vec![2.0, 3.5, 3.5, 1.0]);
    }

    #[test]
    fn kendall_and_spearman_of_known_orders() {
        let x = [1.0, 2.0, 3.0, 4.0, 5.0];
        assert_eq!(kendall(&x, &[2.0, 4.0, 6.0, 8.0, 10.0]), Some(1.0));
        assert_eq!(kendall(&x, &[5.0, 4.0, 3.0, 2.0, 1.0]), Some(-1.0));
        // One swapped pair out of 10: τ = (9 - 1) / 10.
        assert!((kendall(&x, &[1.0, 3.0, 2.0, 4.0, 5.0]).unwrap() - 0.8).abs() < 1e-12);
        // Spearman: 1 - 6·Σd²/(n(n²-1)) = 1 - 6·2/120 = 0.9.
        assert!((spearman(&x, &[1.0, 3.0, 2.0, 4.0, 5.0]).unwrap() - 0.9).abs() < 1e-12);
        assert_eq!(spearman(&x, &[1.0; 5]), None);
    }

    #[test]
    fn seed_noise_pools_per_network_variances() {
        let arch = |t: &str| crate::space::Architecture::parse(t).unwrap();
        let (a, b, c) = (
            arch("digits/dense/d1w4t0-d1w4t0"),
            arch("digits/dense/d2w4t0-d1w4t0"),
            arch("digits/dense/d3w4t0-d1w4t0"),
        );
        let samples = vec![
            Sample::new(&a, 0.90, 2),
            Sample::new(&a, 0.92, 3),
            Sample::new(&b, 0.80, 4),
            Sample::new(&b, 0.86, 5),
            Sample::new(&b, 0.83, 6),
            Sample::new(&c, 0.5, 7),
        ];
        let n = seed_noise(&samples).unwrap();
        assert_eq!((n.networks, n.runs), (2, 5));
        // variances 0.0002 and 0.0009: pooled √0.00055, max √0.0009 = 0.03.
        assert!((n.pooled_std - 0.00055f64.sqrt()).abs() < 1e-12);
        assert!((n.max_std - 0.03).abs() < 1e-12);
        assert_eq!(seed_noise(&samples[5..]), None);
    }
}
