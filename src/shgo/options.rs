//! SHGO's options and constraints, and the checks that turn what a caller
//! passes into what the engine may assume (every error names the option and
//! its allowed range).

use std::fmt;
use std::sync::Arc;

use super::local::LocalOptions;
use crate::error::{Error, Result};

/// Bounds of ±1e50 stand in for infinite ones, as in scipy.
pub const INFINITE_BOUND: f64 = 1e50;

/// Whether a constraint function must be non-negative or zero.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConstraintKind {
    /// `g(x) ≥ 0`.
    Inequality,
    /// `h(x) = 0`.
    Equality,
}

/// One constraint on the search. Inequalities also decide which samples are
/// feasible; equalities are left to the local minimizer (as in scipy).
#[derive(Clone, Copy)]
pub struct Constraint<'a> {
    pub kind: ConstraintKind,
    pub fun: &'a dyn Fn(&[f64]) -> f64,
}

impl<'a> Constraint<'a> {
    /// `g(x) ≥ 0`.
    pub fn ineq(fun: &'a dyn Fn(&[f64]) -> f64) -> Self {
        Constraint { kind: ConstraintKind::Inequality, fun }
    }

    /// `h(x) = 0`.
    pub fn eq(fun: &'a dyn Fn(&[f64]) -> f64) -> Self {
        Constraint { kind: ConstraintKind::Equality, fun }
    }
}

impl fmt::Debug for Constraint<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Constraint({:?})", self.kind)
    }
}

/// A user-supplied sampler: `(n, dim)` → `n` points in the unit cube `[0,1]^dim`
/// (scaled to the bounds by SHGO). It is called once per iteration.
#[derive(Clone)]
pub struct CustomSampler(pub(super) Arc<dyn Fn(usize, usize) -> Vec<Vec<f64>> + Send + Sync>);

impl CustomSampler {
    pub fn new(f: impl Fn(usize, usize) -> Vec<Vec<f64>> + Send + Sync + 'static) -> Self {
        CustomSampler(Arc::new(f))
    }
}

impl fmt::Debug for CustomSampler {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CustomSampler")
    }
}

/// How SHGO samples the box.
#[derive(Debug, Clone, Default)]
pub enum SamplingMethod {
    /// Vertices of a simplicial complex: the box triangulated (all corners and
    /// the centre), then refined by subdivision. Local searches are bounded by
    /// each vertex's neighbours. Default, as in scipy.
    #[default]
    Simplicial,
    /// Unscrambled Sobol points (Joe–Kuo direction numbers, like scipy's
    /// `qmc.Sobol(scramble=False)`), `n` rounded up to a power of two, joined
    /// by their Delaunay graph.
    Sobol,
    /// Points from a user function, joined by their Delaunay graph.
    Custom(CustomSampler),
}

/// SHGO's settings; `Options::default()` is scipy's default call.
#[derive(Debug, Clone)]
pub struct Options {
    /// Sampling points per iteration, as scipy's `n` (default 100).
    /// Simplicial: 100 (the default) means 2^dim + 1, the corners and centre of
    /// the box; other values stop the triangulation at its first step that
    /// reaches `n` new vertices (`n = 1` samples the lower corner only);
    /// `None` refines the whole complex each iteration, or with `iters = None`
    /// too, means 2^dim + 1. Sobol: rounded up to a power of two (`None`: 128).
    pub n: Option<usize>,
    /// Iterations to run (default 1; `None` also means 1). Ignored, as in
    /// scipy, as soon as any of `maxfev`, `maxiter`, `maxev`, `f_min` or
    /// `minhgrd` is set: the run then lasts until a rule stops it.
    pub iters: Option<usize>,
    /// How the box is sampled. Default: simplicial.
    pub sampling_method: SamplingMethod,
    /// Stop once this many objective evaluations (sampling and local) were
    /// spent; the local search running at the time gets only what is left.
    pub maxfev: Option<usize>,
    /// Most iterations when no `iters` is given.
    pub maxiter: Option<usize>,
    /// Stop once this many sampling points were generated (evaluated or
    /// found infeasible).
    pub maxev: Option<usize>,
    /// Stop after this many seconds; checked between iterations and between
    /// local searches (a single objective call is never interrupted).
    pub maxtime: Option<f64>,
    /// The known global minimum: stop as soon as it is reached within `f_tol`.
    pub f_min: Option<f64>,
    /// Relative tolerance for `f_min` (absolute when `f_min` is 0). Default 1e-4.
    pub f_tol: f64,
    /// Stop when an iteration adds at most this many distinct local minima
    /// (the homology growth rule).
    pub minhgrd: Option<usize>,
    /// Run local searches every iteration (default) or only after the last.
    pub minimize_every_iter: bool,
    /// Most local searches per iteration (`None`: the whole pool).
    pub local_iter: Option<usize>,
    /// Keep infeasible sample points as vertices of value +∞ (default, as in
    /// scipy) instead of dropping them before the Delaunay graph is built
    /// (sampled modes only).
    pub infty_constraints: bool,
    /// The local minimizer and its settings.
    pub local: LocalOptions,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            n: Some(100),
            iters: Some(1),
            sampling_method: SamplingMethod::Simplicial,
            maxfev: None,
            maxiter: None,
            maxev: None,
            maxtime: None,
            f_min: None,
            f_tol: 1e-4,
            minhgrd: None,
            minimize_every_iter: true,
            local_iter: None,
            infty_constraints: true,
            local: LocalOptions::default(),
        }
    }
}

fn field(field: &str, value: impl fmt::Display, allowed: &str) -> Error {
    Error::Field {
        field: field.to_string(),
        value: value.to_string(),
        allowed: allowed.to_string(),
    }
}

pub(super) fn check(bounds: &[(f64, f64)], o: &Options) -> Result<Vec<(f64, f64)>> {
    if bounds.is_empty() {
        return Err(field("bounds", "[]", "at least one (lower, upper) pair"));
    }
    let mut out = Vec::with_capacity(bounds.len());
    for (i, &(l, u)) in bounds.iter().enumerate() {
        if l.is_nan() || u.is_nan() {
            return Err(field(
                &format!("bounds[{i}]"),
                format!("({l}, {u})"),
                "numbers, lower ≤ upper",
            ));
        }
        let l = if l.is_finite() {
            l
        } else if l < 0.0 {
            -INFINITE_BOUND
        } else {
            INFINITE_BOUND
        };
        let u = if u.is_finite() {
            u
        } else if u < 0.0 {
            -INFINITE_BOUND
        } else {
            INFINITE_BOUND
        };
        if l > u {
            return Err(field(&format!("bounds[{i}]"), format!("({l}, {u})"), "lower ≤ upper"));
        }
        out.push((l, u));
    }
    if o.n == Some(0) {
        return Err(field("n", 0, "at least 1"));
    }
    if o.iters == Some(0) {
        return Err(field("iters", 0, "at least 1"));
    }
    if o.local_iter == Some(0) {
        return Err(field("local_iter", 0, "at least 1"));
    }
    if let Some(t) = o.maxtime {
        if t.is_nan() || t < 0.0 {
            return Err(field("maxtime", t, "seconds ≥ 0"));
        }
    }
    if let Some(fm) = o.f_min {
        if !fm.is_finite() {
            return Err(field("f_min", fm, "a finite number"));
        }
    }
    if o.f_tol.is_nan() || o.f_tol < 0.0 {
        return Err(field("f_tol", o.f_tol, "≥ 0"));
    }
    let l = &o.local;
    if l.maxeval == 0 {
        return Err(field("local.maxeval", 0, "at least 1"));
    }
    for (name, v) in [
        ("local.ftol_abs", l.ftol_abs),
        ("local.xtol_rel", l.xtol_rel),
        ("local.tol", l.tol),
        ("local.constraint_tol", l.constraint_tol),
    ] {
        if v.is_nan() || v < 0.0 {
            return Err(field(name, v, "≥ 0"));
        }
    }
    if !(l.rhobeg > 0.0 && l.rhobeg <= 1.0) {
        return Err(field("local.rhobeg", l.rhobeg, "in (0, 1]"));
    }
    if l.rhobeg_max.is_nan() || l.rhobeg_max <= 0.0 {
        return Err(field("local.rhobeg_max", l.rhobeg_max, "> 0"));
    }
    if matches!(o.sampling_method, SamplingMethod::Sobol) && bounds.len() > 100 {
        return Err(field(
            "bounds",
            format!("{} dimensions", bounds.len()),
            "at most 100 dimensions with Sobol sampling",
        ));
    }
    Ok(out)
}
