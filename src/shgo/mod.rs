//! SHGO: simplicial homology global optimization (Endres, Sandrock & Focke,
//! J. Global Optimization 72, 2018), at parity with `scipy.optimize.shgo`
//! (scipy 1.17). It knows nothing of neural networks.
//!
//! Minimizes `f(x)` over a box, subject to inequality constraints `g(x) ≥ 0`
//! and equality constraints `h(x) = 0`:
//! 1. **Sample** the box: vertices of a simplicial complex that refines each
//!    iteration ([`SamplingMethod::Simplicial`]), or Sobol / custom points
//!    joined by their Delaunay graph ([`SamplingMethod::Sobol`]).
//! 2. **Minimizer pool**: vertices whose value is strictly lower than all
//!    their neighbours' (the star domain). Each approximates one basin.
//! 3. **Local searches** from the pool, best vertex first, then always the
//!    vertex farthest from the last local minimum found.
//! 4. **Stop** after `iters` iterations or on a stopping rule: the number of
//!    distinct local minima stops growing (`minhgrd`, the homology rule), a
//!    known `f_min` is reached, or an evaluation, iteration or time budget is
//!    spent.
//!
//! docs/shgo.md explains the algorithm with a figure and lists every place we
//! differ from scipy, and why.
//!
//! # Example: simplicial sampling
//! ```
//! use flash_nas::shgo::{minimize, Constraint, Options};
//! // scipy's test 1: min x0² + x1² subject to 6 − x0 − x1 ≥ 0.
//! let g = |x: &[f64]| 6.0 - x[0] - x[1];
//! let res = minimize(
//!     |x: &[f64]| x[0] * x[0] + x[1] * x[1],
//!     &[(-1.0, 6.0), (-1.0, 6.0)],
//!     &[Constraint::ineq(&g)],
//!     &Options::default(),
//! )
//! .unwrap();
//! assert!(res.success);
//! assert!(res.x[0].abs() < 1e-5 && res.x[1].abs() < 1e-5);
//! ```
//!
//! # Example: Sobol sampling
//! ```
//! use flash_nas::shgo::{minimize, Constraint, Options, SamplingMethod};
//! // scipy's test 2: (x − 30)·sin x on [0, 60] with x ≤ 58 has ten local minima
//! // (without the constraint, x = 60 is an eleventh, on the boundary).
//! let g = |x: &[f64]| 58.0 - x[0];
//! let opts = Options { sampling_method: SamplingMethod::Sobol, ..Options::default() };
//! let res = minimize(|x: &[f64]| (x[0] - 30.0) * x[0].sin(), &[(0.0, 60.0)], &[Constraint::ineq(&g)], &opts).unwrap();
//! assert!((res.fun - -28.44677132).abs() < 1e-5);
//! assert_eq!(res.xl.len(), 10);
//! ```
//!
//! # Example: a custom sampler
//! ```
//! use flash_nas::shgo::{minimize, CustomSampler, Options, SamplingMethod};
//! // Any points in the unit cube; here a regular 8×8 grid.
//! let grid = CustomSampler::new(|n, _dim| {
//!     let side = (n as f64).sqrt().ceil() as usize;
//!     (0..side * side).map(|k| vec![(k % side) as f64 / (side - 1) as f64, (k / side) as f64 / (side - 1) as f64]).collect()
//! });
//! let opts = Options { n: Some(64), sampling_method: SamplingMethod::Custom(grid), ..Options::default() };
//! let res = minimize(|x: &[f64]| (x[0] - 0.3).powi(2) + (x[1] + 0.2).powi(2), &[(-1.0, 1.0), (-1.0, 1.0)], &[], &opts).unwrap();
//! assert!((res.x[0] - 0.3).abs() < 1e-5 && (res.x[1] + 0.2).abs() < 1e-5);
//! ```

mod complex;
mod delaunay;
mod local;
pub mod problems;
pub mod spec;

use std::fmt;
use std::sync::Arc;

use serde::Serialize;
use web_time::Instant;

use crate::error::{Error, Result};
use complex::Complex;
use delaunay::Cloud;
pub use local::{LocalMethod, LocalOptions};
use local::{LocalResult, ScalarFn};

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
        Constraint {
            kind: ConstraintKind::Inequality,
            fun,
        }
    }

    /// `h(x) = 0`.
    pub fn eq(fun: &'a dyn Fn(&[f64]) -> f64) -> Self {
        Constraint {
            kind: ConstraintKind::Equality,
            fun,
        }
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
pub struct CustomSampler(Arc<dyn Fn(usize, usize) -> Vec<Vec<f64>> + Send + Sync>);

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

/// What SHGO found.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ShgoResult {
    /// The best point found (empty when nothing feasible was found).
    pub x: Vec<f64>,
    /// f at `x` (+∞ when nothing feasible was found).
    pub fun: f64,
    /// Every distinct local minimum found, sorted by value.
    pub xl: Vec<Vec<f64>>,
    /// Values at `xl`.
    pub funl: Vec<f64>,
    /// Every objective evaluation: sampling plus local searches.
    pub nfev: usize,
    /// Objective evaluations inside local searches.
    pub nlfev: usize,
    /// Local searches run.
    pub nlsearch: usize,
    /// Iterations completed.
    pub nit: usize,
    /// Sampling points generated, feasible or not (scipy's `tnev`).
    pub tnev: usize,
    pub success: bool,
    pub message: String,
}

/// What an [`Observer`] sees after each iteration.
#[derive(Debug, Clone, Serialize)]
pub struct IterationState {
    pub iteration: usize,
    pub vertices: usize,
    pub pool: usize,
    pub nfev: usize,
    pub best: Option<(Vec<f64>, f64)>,
    pub local_minima: usize,
}

/// Receives progress (argmin's observer pattern); the page draws from it.
pub trait Observer {
    fn iteration(&mut self, _state: &IterationState) {}
    fn local_minimum(&mut self, _x: &[f64], _f: f64) {}
}

impl Observer for () {}

/// Minimizes `f` over `bounds` subject to `constraints` (see the module docs).
///
/// Invalid input (no bounds, a NaN bound, lower > upper, `n = 0`, `iters = 0`,
/// negative or NaN tolerances) is an [`Error::Field`] naming the option. A
/// problem with no feasible point, or whose every sample is NaN, returns
/// `success = false` and a message saying why.
pub fn minimize(
    f: impl Fn(&[f64]) -> f64,
    bounds: &[(f64, f64)],
    constraints: &[Constraint],
    options: &Options,
) -> Result<ShgoResult> {
    minimize_observed(f, bounds, constraints, options, &mut ())
}

/// [`minimize`] reporting progress to an [`Observer`].
pub fn minimize_observed(
    f: impl Fn(&[f64]) -> f64,
    bounds: &[(f64, f64)],
    constraints: &[Constraint],
    options: &Options,
    observer: &mut dyn Observer,
) -> Result<ShgoResult> {
    let bounds = check(bounds, options)?;
    let mut run = Run::new(&f, bounds, constraints, options);
    run.iterate_all(observer);
    Ok(run.finish())
}

fn field(field: &str, value: impl fmt::Display, allowed: &str) -> Error {
    Error::Field {
        field: field.to_string(),
        value: value.to_string(),
        allowed: allowed.to_string(),
    }
}

fn check(bounds: &[(f64, f64)], o: &Options) -> Result<Vec<(f64, f64)>> {
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
            return Err(field(
                &format!("bounds[{i}]"),
                format!("({l}, {u})"),
                "lower ≤ upper",
            ));
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
        ("local.constraint_tol", l.constraint_tol),
    ] {
        if v.is_nan() || v < 0.0 {
            return Err(field(name, v, "≥ 0"));
        }
    }
    if !(l.rhobeg > 0.0 && l.rhobeg <= 1.0) {
        return Err(field("local.rhobeg", l.rhobeg, "in (0, 1]"));
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

/// A sampled point and its value.
struct Sample {
    x: Vec<f64>,
    f: f64,
}

/// The sampled (Sobol or custom) mode's state.
struct Sampled {
    samples: Vec<Sample>,
    sobol: Option<sobol::Sobol<f64>>,
    custom: Option<CustomSampler>,
    /// Which samples are local minima found earlier (never pool vertices).
    is_minimum: Vec<bool>,
}

enum Mode {
    Simplicial(Box<Complex>),
    Sampled(Sampled),
}

/// A minimizer-pool vertex: its point, value and local search box.
type PoolVertex = (Vec<f64>, f64, Vec<(f64, f64)>);

/// One local search's outcome, remembered by its start vertex.
struct Local {
    start: Vec<f64>,
    result: LocalResult,
}

struct Run<'a> {
    f: &'a dyn Fn(&[f64]) -> f64,
    ineq: Vec<ScalarFn<'a>>,
    eq: Vec<ScalarFn<'a>>,
    bounds: Vec<(f64, f64)>,
    lower: Vec<f64>,
    upper: Vec<f64>,
    o: &'a Options,
    mode: Mode,
    n: Option<usize>,
    iters: Option<usize>,
    started: Instant,
    /// Sampling evaluations.
    fn_count: usize,
    nlfev: usize,
    tnev: usize,
    iters_done: usize,
    stop_global: bool,
    locals: Vec<Local>,
    /// Distinct feasible local minima: (x, f).
    minima: Vec<(Vec<f64>, f64)>,
    /// Distinct minima at the last homology check.
    last_rank: usize,
    pool_size: usize,
    /// Samples added by the last iteration.
    sampled_last: usize,
    out_of_time: bool,
    stalled: bool,
    too_big: bool,
}

impl<'a> Run<'a> {
    fn new(
        f: &'a dyn Fn(&[f64]) -> f64,
        bounds: Vec<(f64, f64)>,
        constraints: &[Constraint<'a>],
        o: &'a Options,
    ) -> Self {
        let dim = bounds.len();
        let lower: Vec<f64> = bounds.iter().map(|b| b.0).collect();
        let upper: Vec<f64> = bounds.iter().map(|b| b.1).collect();
        let ineq = constraints
            .iter()
            .filter(|c| c.kind == ConstraintKind::Inequality)
            .map(|c| c.fun)
            .collect();
        let eq = constraints
            .iter()
            .filter(|c| c.kind == ConstraintKind::Equality)
            .map(|c| c.fun)
            .collect();
        // scipy: iters is ignored as soon as any stopping rule is set.
        let any_rule = o.maxfev.is_some()
            || o.maxiter.is_some()
            || o.maxev.is_some()
            || o.minhgrd.is_some()
            || o.f_min.is_some();
        let iters = if any_rule {
            None
        } else {
            Some(o.iters.unwrap_or(1))
        };
        let (mode, n) = match &o.sampling_method {
            SamplingMethod::Simplicial => {
                // scipy: the default n = 100, or n = None with iters = None,
                // means the box's corners and centre; n = None with iters
                // given means "refine the whole complex" every iteration.
                let cube = (1usize << dim.min(40)) + 1;
                let n = match (o.n, o.iters) {
                    (Some(100), _) | (None, None) => Some(cube),
                    (Some(n), _) => Some(n),
                    (None, Some(_)) => None,
                };
                (Mode::Simplicial(Box::new(Complex::new(&bounds))), n)
            }
            SamplingMethod::Sobol => {
                let n = o.n.unwrap_or(100).next_power_of_two();
                // The direction numbers are decompressed once per process.
                static PARAMS: std::sync::OnceLock<sobol::params::JoeKuoD6> =
                    std::sync::OnceLock::new();
                let params = PARAMS.get_or_init(sobol::params::JoeKuoD6::minimal);
                let seq = sobol::Sobol::<f64>::new(dim, params);
                (
                    Mode::Sampled(Sampled {
                        samples: vec![],
                        sobol: Some(seq),
                        custom: None,
                        is_minimum: vec![],
                    }),
                    Some(n),
                )
            }
            SamplingMethod::Custom(s) => {
                let n = o.n.unwrap_or(100);
                (
                    Mode::Sampled(Sampled {
                        samples: vec![],
                        sobol: None,
                        custom: Some(s.clone()),
                        is_minimum: vec![],
                    }),
                    Some(n),
                )
            }
        };
        Run {
            f,
            ineq,
            eq,
            bounds,
            lower,
            upper,
            o,
            mode,
            n,
            iters,
            started: Instant::now(),
            fn_count: 0,
            nlfev: 0,
            tnev: 0,
            iters_done: 0,
            stop_global: false,
            locals: vec![],
            minima: vec![],
            last_rank: 0,
            pool_size: 0,
            sampled_last: 0,
            out_of_time: false,
            stalled: false,
            too_big: false,
        }
    }

    fn nfev(&self) -> usize {
        self.fn_count + self.nlfev
    }

    fn feasible(&self, x: &[f64]) -> bool {
        self.ineq.iter().all(|g| g(x) >= 0.0)
    }

    /// Evaluates a sample: +∞ when infeasible (f is then not called) or NaN.
    fn evaluate(&mut self, x: &[f64]) -> f64 {
        if !self.feasible(x) {
            return f64::INFINITY;
        }
        self.fn_count += 1;
        let v = (self.f)(x);
        if v.is_nan() {
            f64::INFINITY
        } else {
            v
        }
    }

    fn iterate_all(&mut self, observer: &mut dyn Observer) {
        while !self.stop_global {
            self.sample();
            if self.o.minimize_every_iter {
                self.find_minima(observer);
            }
            self.iters_done += 1;
            self.stopping_criteria(true);
            let state = self.state();
            observer.iteration(&state);
        }
        if !self.o.minimize_every_iter {
            self.find_minima(observer);
        }
    }

    fn state(&self) -> IterationState {
        IterationState {
            iteration: self.iters_done,
            vertices: self.vertex_count(),
            pool: self.pool_size,
            nfev: self.nfev(),
            best: self.lowest(),
            local_minima: self.minima.len(),
        }
    }

    fn vertex_count(&self) -> usize {
        match &self.mode {
            Mode::Simplicial(c) => c.len(),
            Mode::Sampled(s) => s.samples.len(),
        }
    }

    // ---- sampling -------------------------------------------------------

    fn sample(&mut self) {
        match &mut self.mode {
            Mode::Simplicial(c) => {
                let before = c.len();
                match self.n {
                    Some(n) => c.refine(n),
                    None => c.refine_all(),
                }
                self.sampled_last = c.len() - before;
                self.tnev += self.sampled_last;
                let todo: Vec<(usize, Vec<f64>)> = c
                    .vertices
                    .iter()
                    .enumerate()
                    .filter(|(_, v)| !v.evaluated)
                    .map(|(i, v)| (i, v.x.clone()))
                    .collect();
                for (i, x) in todo {
                    let value = self.evaluate(&x);
                    if let Mode::Simplicial(c) = &mut self.mode {
                        c.vertices[i].f = value;
                        c.vertices[i].evaluated = true;
                    }
                }
            }
            Mode::Sampled(s) => {
                let n = self.n.unwrap_or(128);
                let dim = self.bounds.len();
                let unit: Vec<Vec<f64>> = match (&mut s.sobol, &s.custom) {
                    (Some(seq), _) => seq.by_ref().take(n).collect(),
                    (None, Some(custom)) => (custom.0)(n, dim),
                    (None, None) => vec![],
                };
                let points: Vec<Vec<f64>> = unit
                    .into_iter()
                    .filter(|u| u.len() == dim && u.iter().all(|v| v.is_finite()))
                    .map(|u| {
                        u.iter()
                            .zip(&self.bounds)
                            .map(|(t, (l, h))| t * (h - l) + l)
                            .collect()
                    })
                    .collect();
                self.sampled_last = points.len();
                self.tnev += points.len();
                for x in points {
                    if !self.o.infty_constraints && !self.feasible(&x) {
                        continue;
                    }
                    let value = self.evaluate(&x);
                    if let Mode::Sampled(s) = &mut self.mode {
                        s.samples.push(Sample { x, f: value });
                        s.is_minimum.push(false);
                    }
                }
            }
        }
    }

    // ---- minimizer pool -----------------------------------------------

    /// Pool vertices (their coordinates), lowest value first.
    fn minimizer_pool(&mut self) -> Vec<PoolVertex> {
        // Local minima found earlier become vertices of the sampled modes, so
        // that their basins' samples stop qualifying (scipy re-evaluates them;
        // their values are known).
        if let Mode::Sampled(s) = &mut self.mode {
            for (x, fx) in &self.minima {
                let known = s.samples.iter().any(|p| &p.x == x);
                if !known {
                    s.samples.push(Sample {
                        x: x.clone(),
                        f: *fx,
                    });
                    s.is_minimum.push(true);
                }
            }
        }
        let mut pool: Vec<PoolVertex> = Vec::new();
        match &self.mode {
            Mode::Simplicial(c) => {
                for v in &c.vertices {
                    if self.minima.iter().any(|(x, _)| x == &v.x) {
                        continue;
                    }
                    // scipy's strict test; a lone vertex has no neighbour to lose to.
                    let is_min = v.nn.iter().all(|&u| v.f < c.vertices[u].f);
                    if is_min {
                        pool.push((v.x.clone(), v.f, self.local_box(c, v)));
                    }
                }
            }
            Mode::Sampled(s) => {
                let xs: Vec<Vec<f64>> = s.samples.iter().map(|p| p.x.clone()).collect();
                let cloud = Cloud::new(&xs, &self.lower, &self.upper);
                let n = xs.len();
                let mut by_value: Vec<usize> = (0..n).collect();
                by_value.sort_by(|&a, &b| s.samples[a].f.total_cmp(&s.samples[b].f));
                for p in 0..n {
                    if s.is_minimum[p] {
                        continue;
                    }
                    let fp = s.samples[p].f;
                    if n == 1 {
                        pool.push((xs[p].clone(), fp, self.bounds.clone()));
                        continue;
                    }
                    if fp == f64::INFINITY {
                        continue;
                    }
                    // A minimizer has no Delaunay neighbour at or below it;
                    // candidates are tried nearest first.
                    let mut lower: Vec<(f64, usize)> = by_value
                        .iter()
                        .take_while(|&&q| s.samples[q].f <= fp)
                        .filter(|&&q| q != p)
                        .map(|&q| (dist2(&xs[p], &xs[q]), q))
                        .collect();
                    lower.sort_by(|a, b| a.0.total_cmp(&b.0));
                    if !lower.iter().any(|&(_, q)| cloud.is_edge(p, q)) {
                        pool.push((xs[p].clone(), fp, self.bounds.clone()));
                    }
                }
            }
        }
        // Lowest first; ties keep vertex order (a stable sort).
        pool.sort_by(|a, b| a.1.total_cmp(&b.1));
        // Our addition: when ties (a plateau, a grid of equal values) leave no
        // strict minimizer and nothing was found yet, the lowest feasible
        // vertex still seeds one local search; scipy gives up instead.
        if pool.is_empty() && self.minima.is_empty() {
            if let Some((x, f)) = self.lowest() {
                let bounds = self.bounds.clone();
                pool.push((x, f, bounds));
            }
        }
        pool
    }

    /// scipy's `construct_lcb_simplicial`: the box reaching to the nearest
    /// neighbour on each side of the vertex, per coordinate.
    fn local_box(&self, c: &Complex, v: &complex::Vertex) -> Vec<(f64, f64)> {
        let mut b = self.bounds.clone();
        for &u in &v.nn {
            for (i, &xi) in c.vertices[u].x.iter().enumerate() {
                if xi < v.x[i] && xi > b[i].0 {
                    b[i].0 = xi;
                }
                if xi > v.x[i] && xi < b[i].1 {
                    b[i].1 = xi;
                }
            }
        }
        b
    }

    fn find_minima(&mut self, observer: &mut dyn Observer) {
        let mut pool = self.minimizer_pool();
        self.pool_size = pool.len();
        if pool.is_empty() {
            return;
        }
        let mut searches = 0;
        let (x0, _, b0) = pool.remove(0);
        let mut last = self.local_search(&x0, &b0, observer);
        searches += 1;
        loop {
            self.stopping_criteria(false);
            if self.o.local_iter.is_some_and(|k| searches >= k) || pool.is_empty() {
                break;
            }
            // Our addition: budgets bind inside an iteration too.
            if self.out_of_time || self.o.maxfev.is_some_and(|m| self.nfev() >= m) {
                break;
            }
            // scipy's g_topograph: next, the pool vertex farthest from the
            // last local minimum (the first such on ties).
            let far = pool
                .iter()
                .enumerate()
                .fold((0, f64::NEG_INFINITY), |best, (i, (x, _, _))| {
                    let d = dist2(x, &last);
                    if d > best.1 {
                        (i, d)
                    } else {
                        best
                    }
                })
                .0;
            let (x, _, b) = pool.remove(far);
            last = self.local_search(&x, &b, observer);
            searches += 1;
        }
    }

    /// A local search from `start` (cached: each start vertex is searched once).
    fn local_search(
        &mut self,
        start: &[f64],
        bounds: &[(f64, f64)],
        observer: &mut dyn Observer,
    ) -> Vec<f64> {
        if let Some(done) = self.locals.iter().find(|l| l.start == start) {
            return done.result.x.clone();
        }
        let budget = match self.o.maxfev {
            Some(m) => m.saturating_sub(self.nfev()).max(1),
            None => usize::MAX,
        };
        let scale = self.local_scale(start, bounds);
        let result = local::minimize(
            self.f,
            start,
            bounds,
            &scale,
            &self.ineq,
            &self.eq,
            &self.o.local,
            budget,
        );
        self.nlfev += result.nfev;
        if result.feasible {
            self.add_minimum(&result.x, result.fun, observer);
        }
        let x = result.x.clone();
        self.locals.push(Local {
            start: start.to_vec(),
            result,
        });
        x
    }

    /// The typical distance from a pool vertex to its neighbours, per
    /// coordinate: the local box's width in simplicial mode, the box's width
    /// over N^(1/dim) for N samples otherwise. A coordinate without real
    /// bounds (±1e50) has no such scale; its magnitude (at least 1) stands in.
    fn local_scale(&self, start: &[f64], bounds: &[(f64, f64)]) -> Vec<f64> {
        let dim = bounds.len() as f64;
        let per_axis = match &self.mode {
            Mode::Simplicial(_) => 1.0,
            Mode::Sampled(s) => (s.samples.len().max(1) as f64).powf(-1.0 / dim),
        };
        bounds
            .iter()
            .zip(start)
            .map(|(&(l, u), &x)| {
                if u - l >= INFINITE_BOUND {
                    x.abs().max(1.0)
                } else {
                    (u - l) * per_axis
                }
            })
            .collect()
    }

    /// Records a local minimum unless an equal one (within 1e-6 of the box
    /// width per coordinate, or of |x| where the box is unbounded: local
    /// searches end about that close to a minimum) is already known; the
    /// better of the two is kept.
    fn add_minimum(&mut self, x: &[f64], fx: f64, observer: &mut dyn Observer) {
        let same = |a: &[f64]| {
            a.iter().zip(x).zip(&self.bounds).all(|((p, q), (l, u))| {
                let w = if u - l >= INFINITE_BOUND {
                    q.abs().max(1.0)
                } else {
                    u - l
                };
                (p - q).abs() <= 1e-6 * w
            })
        };
        if let Some(pos) = self.minima.iter().position(|(m, _)| same(m)) {
            if fx < self.minima[pos].1 {
                self.minima[pos] = (x.to_vec(), fx);
            }
            return;
        }
        self.minima.push((x.to_vec(), fx));
        observer.local_minimum(x, fx);
    }

    // ---- stopping rules -------------------------------------------------

    fn lowest(&self) -> Option<(Vec<f64>, f64)> {
        let mut best: Option<(Vec<f64>, f64)> = None;
        let mut consider = |x: &Vec<f64>, f: f64| {
            if f < f64::INFINITY && best.as_ref().is_none_or(|b| f < b.1) {
                best = Some((x.clone(), f));
            }
        };
        match &self.mode {
            Mode::Simplicial(c) => c.vertices.iter().for_each(|v| consider(&v.x, v.f)),
            Mode::Sampled(s) => s.samples.iter().for_each(|p| consider(&p.x, p.f)),
        }
        self.minima.iter().for_each(|(x, f)| consider(x, *f));
        best
    }

    /// scipy's stopping rules. The homology rule compares whole iterations,
    /// so it is checked at iteration ends only (scipy also checks it between
    /// local searches, where it stops after any search that finds one
    /// minimum).
    fn stopping_criteria(&mut self, at_iteration_end: bool) {
        let o = self.o;
        if self.iters.is_some_and(|k| self.iters_done >= k)
            || o.maxiter.is_some_and(|k| self.iters_done >= k)
        {
            self.stop_global = true;
        }
        if o.maxfev.is_some_and(|m| self.nfev() >= m) || o.maxev.is_some_and(|m| self.tnev >= m) {
            self.stop_global = true;
        }
        if o.maxtime
            .is_some_and(|t| self.started.elapsed().as_secs_f64() >= t)
        {
            self.stop_global = true;
            self.out_of_time = true;
        }
        if let (Some(f_min), Some((_, lowest))) = (o.f_min, self.lowest()) {
            let reached = if f_min == 0.0 {
                lowest <= o.f_tol
            } else {
                lowest <= f_min || (lowest - f_min) / f_min.abs() <= o.f_tol
            };
            if reached {
                self.stop_global = true;
            }
        }
        if !at_iteration_end {
            return;
        }
        if let Some(m) = o.minhgrd {
            if !self.minima.is_empty() {
                let growth = self.minima.len() - self.last_rank;
                self.last_rank = self.minima.len();
                if growth <= m {
                    self.stop_global = true;
                }
            }
        }
        // An iteration that sampled nothing new (the grid of a zero-width box,
        // a sampler returning no points) would repeat for ever.
        if self.sampled_last == 0 {
            self.stop_global = true;
            self.stalled = true;
        }
        if self.vertex_count() > MAX_VERTICES {
            self.stop_global = true;
            self.too_big = true;
        }
    }

    fn finish(self) -> ShgoResult {
        let mut minima = self.minima.clone();
        minima.sort_by(|a, b| a.1.total_cmp(&b.1));
        let nfev = self.nfev();
        let base = ShgoResult {
            x: vec![],
            fun: f64::INFINITY,
            xl: minima.iter().map(|m| m.0.clone()).collect(),
            funl: minima.iter().map(|m| m.1).collect(),
            nfev,
            nlfev: self.nlfev,
            nlsearch: self.locals.len(),
            nit: self.iters_done,
            tnev: self.tnev,
            success: false,
            message: String::new(),
        };
        if let Some((x, f)) = minima.first() {
            let note = if self.out_of_time {
                " (stopped by maxtime)"
            } else if self.too_big {
                " (stopped at the vertex limit)"
            } else {
                ""
            };
            return ShgoResult {
                x: x.clone(),
                fun: *f,
                success: true,
                message: format!("Optimization terminated successfully{note}."),
                ..base
            };
        }
        // No feasible local minimum: report the lowest feasible sample, if any.
        let (x, fun, why) = match self.lowest() {
            Some((x, f)) => (
                x,
                f,
                format!("no local search ended at a feasible point; lowest sample f = {f}"),
            ),
            None if self.tnev == 0 => (
                vec![],
                f64::INFINITY,
                "no sampling point was generated".to_string(),
            ),
            None => (
                vec![],
                f64::INFINITY,
                format!(
                    "all {} sampling points are infeasible or gave NaN",
                    self.tnev
                ),
            ),
        };
        let limit = if self.out_of_time {
            " before maxtime ran out"
        } else {
            ""
        };
        ShgoResult {
            x,
            fun,
            success: false,
            message: format!("Failed to find a feasible minimizer point{limit}: {why}."),
            ..base
        }
    }
}

/// Vertices beyond which refinement stops (about 1 GB of complex); only
/// reachable when nothing else stops an unbounded run.
const MAX_VERTICES: usize = 2_000_000;

fn dist2(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| (x - y) * (x - y)).sum()
}
