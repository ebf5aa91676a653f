//! A serializable SHGO run on a named problem: what `flash shgo` reads (JSON)
//! and what the benchmark script compares with scipy.

use crate::clock::Instant;
use serde::{Deserialize, Serialize};

use super::problems::{self, Problem};
use super::{minimize, Constraint, LocalMethod, LocalOptions, Options, SamplingMethod, ShgoResult};
use crate::error::{Error, Result};

/// One run: a problem by name and scipy-style settings. Missing fields take
/// scipy's defaults (`n = 100`, `iters = 1`, simplicial sampling).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Spec {
    pub problem: String,
    #[serde(default = "default_sampling")]
    pub sampling: String,
    #[serde(default = "default_n")]
    pub n: Option<usize>,
    #[serde(default = "default_iters")]
    pub iters: Option<usize>,
    #[serde(default)]
    pub local: LocalMethod,
    #[serde(default = "default_true")]
    pub infty_constraints: bool,
    #[serde(default = "default_true")]
    pub minimize_every_iter: bool,
    #[serde(default)]
    pub f_min: Option<f64>,
    #[serde(default)]
    pub maxfev: Option<usize>,
    #[serde(default)]
    pub local_iter: Option<usize>,
    /// SLSQP's roundoff stop (`LocalOptions::roundoff_stop`); false runs
    /// Kraft's rule as scipy does.
    #[serde(default = "default_true")]
    pub roundoff_stop: bool,
    /// Timed repeats; the median is reported.
    #[serde(default = "default_repeats")]
    pub repeats: usize,
}

fn default_sampling() -> String {
    "simplicial".into()
}
fn default_n() -> Option<usize> {
    Some(100)
}
fn default_iters() -> Option<usize> {
    Some(1)
}
fn default_true() -> bool {
    true
}
fn default_repeats() -> usize {
    1
}

/// The outcome of a [`Spec`].
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub spec: Spec,
    pub x: Vec<f64>,
    pub fun: f64,
    pub nfev: usize,
    pub nlfev: usize,
    pub nit: usize,
    pub minima: usize,
    pub success: bool,
    pub message: String,
    pub f_star: Option<f64>,
    /// |fun − f*| < 1e-5.
    pub solved: Option<bool>,
    /// Median wall time of one run, in seconds.
    pub seconds: f64,
}

/// Largest values a spec may ask for: a spec is untrusted input (the CLI's
/// stdin, `shgoRun` in the page), and these bound its time and memory.
pub const MAX_N: usize = 100_000;
pub const MAX_ITERS: usize = 100;
pub const MAX_FEV: usize = 10_000_000;
pub const MAX_LOCAL_ITER: usize = 10_000;
pub const MAX_REPEATS: usize = 10_000;

/// The fields of a [`Spec`], in its order (a test keeps them equal).
pub const FIELDS: [&str; 12] = [
    "problem",
    "sampling",
    "n",
    "iters",
    "local",
    "infty_constraints",
    "minimize_every_iter",
    "f_min",
    "maxfev",
    "local_iter",
    "roundoff_stop",
    "repeats",
];

/// What a spec field allows, in words: the one place the ranges are written, for
/// [`check`]'s range errors and [`parse`]'s type errors alike.
pub fn allowed(field: &str) -> String {
    match field {
        "problem" => problems::all().iter().map(|p| p.name).collect::<Vec<_>>().join(", "),
        "sampling" => "simplicial or sobol".into(),
        "local" => "cobyla or slsqp".into(),
        "n" => format!("1..={MAX_N}, or null"),
        "iters" => format!("1..={MAX_ITERS}, or null"),
        "maxfev" => format!("1..={MAX_FEV}, or null"),
        "local_iter" => format!("1..={MAX_LOCAL_ITER}, or null"),
        "repeats" => format!("1..={MAX_REPEATS}"),
        "f_min" => "a finite number, or null".into(),
        "infty_constraints" | "minimize_every_iter" | "roundoff_stop" => "true or false".into(),
        _ => format!("an object with the fields {} (only problem is required)", FIELDS.join(", ")),
    }
}

/// Reads a spec from any serde source (the CLI and `shgoRun` both pass a JSON value).
/// A value of the wrong type is reported with its field and what the field
/// allows ("n: invalid type: string \"x\", expected usize; allowed 1..=100000,
/// or null"), not only with serde's expected type. Sizes are checked by [`check`].
pub fn parse<'de, D: serde::Deserializer<'de>>(source: D) -> Result<Spec>
where
    D::Error: std::fmt::Display,
{
    serde_path_to_error::deserialize(source).map_err(|e| {
        let path = e.path().to_string();
        let message = e.inner().to_string();
        // serde's messages for these already list what is allowed.
        let listed = ["missing field", "unknown field", "unknown variant"];
        let allowed = if listed.iter().any(|m| message.starts_with(m)) {
            String::new()
        } else {
            format!("; allowed {}", allowed(&path))
        };
        // A value's path is its field; the spec itself is ".".
        match path.as_str() {
            "." => Error::Invalid(format!("{message}{allowed}")),
            _ => Error::Invalid(format!("{path}: {message}{allowed}")),
        }
    })
}

/// Checks a spec's sizes and values; the error names the field and the range.
pub fn check(spec: &Spec) -> Result<()> {
    let field = |name: &str, value: String| {
        Err(Error::Field { field: name.into(), value, allowed: allowed(name) })
    };
    if let Some(n) = spec.n.filter(|n| !(1..=MAX_N).contains(n)) {
        return field("n", n.to_string());
    }
    if let Some(i) = spec.iters.filter(|i| !(1..=MAX_ITERS).contains(i)) {
        return field("iters", i.to_string());
    }
    if let Some(m) = spec.maxfev.filter(|m| !(1..=MAX_FEV).contains(m)) {
        return field("maxfev", m.to_string());
    }
    if let Some(l) = spec.local_iter.filter(|l| !(1..=MAX_LOCAL_ITER).contains(l)) {
        return field("local_iter", l.to_string());
    }
    if !(1..=MAX_REPEATS).contains(&spec.repeats) {
        return field("repeats", spec.repeats.to_string());
    }
    if let Some(f) = spec.f_min.filter(|f| !f.is_finite()) {
        return field("f_min", f.to_string());
    }
    // f_min alone stops only if it is reached: bound the run with iters or maxfev too.
    if spec.f_min.is_some() && spec.iters.is_none() && spec.maxfev.is_none() {
        return Err(Error::Field {
            field: "f_min".into(),
            value: "without iters or maxfev".into(),
            allowed: "with iters or maxfev as well, so the run ends if f_min is never reached"
                .into(),
        });
    }
    spec.problem()?;
    spec.options().map(|_| ())
}

impl Spec {
    fn options(&self) -> Result<Options> {
        let sampling_method = match self.sampling.as_str() {
            "simplicial" => SamplingMethod::Simplicial,
            "sobol" => SamplingMethod::Sobol,
            other => return Err(Error::field("sampling", other, allowed("sampling"))),
        };
        Ok(Options {
            n: self.n,
            iters: self.iters,
            sampling_method,
            infty_constraints: self.infty_constraints,
            minimize_every_iter: self.minimize_every_iter,
            f_min: self.f_min,
            maxfev: self.maxfev,
            local_iter: self.local_iter,
            local: LocalOptions {
                method: self.local,
                roundoff_stop: self.roundoff_stop,
                ..LocalOptions::default()
            },
            ..Options::default()
        })
    }

    fn problem(&self) -> Result<Problem> {
        problems::by_name(&self.problem)
            .ok_or_else(|| Error::field("problem", &self.problem, allowed("problem")))
    }
}

/// Runs a problem once with the given options.
pub fn solve(problem: &Problem, options: &Options) -> Result<ShgoResult> {
    let mut constraints: Vec<Constraint> =
        problem.ineq.iter().map(|g| Constraint::ineq(g)).collect();
    constraints.extend(problem.eq.iter().map(|h| Constraint::eq(h)));
    minimize(problem.f, &problem.bounds, &constraints, options)
}

/// Runs a spec `repeats` times and reports the last result with the median time.
pub fn run(spec: &Spec) -> Result<Report> {
    check(spec)?;
    let problem = spec.problem()?;
    let options = spec.options()?;
    let repeats = spec.repeats.clamp(1, 10_000);
    let mut times = Vec::with_capacity(repeats);
    let mut last = None;
    for _ in 0..repeats {
        let start = Instant::now();
        let res = solve(&problem, &options)?;
        times.push(start.elapsed().as_secs_f64());
        last = Some(res);
    }
    times.sort_by(f64::total_cmp);
    let res = last.expect("at least one repeat");
    Ok(Report {
        spec: spec.clone(),
        solved: problem.f_star.map(|f| (res.fun - f).abs() < 1e-5),
        f_star: problem.f_star,
        x: res.x,
        fun: res.fun,
        nfev: res.nfev,
        nlfev: res.nlfev,
        nit: res.nit,
        minima: res.xl.len(),
        success: res.success,
        message: res.message,
        seconds: times[times.len() / 2],
    })
}
