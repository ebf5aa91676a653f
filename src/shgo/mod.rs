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
//! // COBYLA stops at scipy's `tol` (a trust region of 1e-4) by default;
//! // `local.tol = 0.0` converges further.
//! assert!(res.x[0].abs() < 1e-3 && res.x[1].abs() < 1e-3);
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
//! assert!((res.x[0] - 0.3).abs() < 1e-3 && (res.x[1] + 0.2).abs() < 1e-3);
//! ```

//!
//! The module's files: this one is the public API (`minimize`, results,
//! observers); `options.rs` the options, constraints and their checks;
//! `engine.rs` the iteration itself; `complex.rs` the simplicial complex;
//! `delaunay.rs` the exact Delaunay-graph test; `local.rs` the local search
//! (COBYLA or SLSQP); `cobyla.rs` our port of PRIMA's COBYLA;
//! `problems.rs` and `spec.rs` named test problems and JSON runs.

mod cobyla;
mod complex;
mod delaunay;
mod engine;
mod joe_kuo;
mod local;
mod options;
pub mod problems;
mod sobol;
pub mod spec;

use serde::Serialize;

use crate::error::Result;
use engine::Run;
pub use local::{LocalMethod, LocalOptions};
pub use options::{
    Constraint, ConstraintKind, CustomSampler, Options, SamplingMethod, INFINITE_BOUND,
};

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
    /// Whether [`Observer::complex`] is wanted: collecting the edges is a pass over them.
    fn wants_complex(&self) -> bool {
        false
    }
    /// The simplicial complex at the end of an iteration (before [`Observer::iteration`]):
    /// its vertices and its edges as pairs of vertex numbers, the lower first. Only the
    /// simplicial sampling has one; the sampled modes' Delaunay graph is never built whole.
    fn complex(&mut self, _vertices: &[&[f64]], _edges: &[(usize, usize)]) {}
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
    let bounds = options::check(bounds, options)?;
    let mut run = Run::new(&f, bounds, constraints, options);
    run.iterate_all(observer);
    Ok(run.finish())
}
