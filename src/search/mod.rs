//! The FLASH search: co-design of a network of the space and a hardware
//! configuration under a goal (docs/search.md).
//!
//! One Solver API, argmin style: a [`Problem`] (checked from [`ProblemParams`]),
//! a [`Solver`] ([`Flash`], the hierarchical SHGO search; [`RandomSearch`];
//! [`Evolution`], aging evolution; [`Exact`], enumeration or a dynamic program
//! over cells), and [`run`], which gives the solver a [`Session`] — the one way
//! to evaluate a network, counting evaluations, keeping the best and the Pareto
//! front, telling an [`Observer`] — and turns what it found into a
//! [`SearchResult`].

pub mod baselines;
pub mod compare;
pub mod evaluate;
pub mod exact;
pub mod flash;
pub mod goal;
pub mod knobs;
pub mod request;
pub mod trace;

pub use baselines::{Evolution, RandomSearch};
pub use evaluate::{judge, metrics, Benchmark, Lattice, Metrics, PrefixWalk, Quality};
pub use exact::{Exact, ExactBudget, ExactMethod, Optimality};
pub use flash::Flash;
pub use goal::{Cost, Goal, Limit, Metric, Objective, Verdict};
pub use knobs::{Hardware, Knob};
pub use trace::{ComplexShot, IterationMark, RelaxedPoint, Trace, TracePoint, TRACE_LIMIT};

use crate::error::{Error, Result};
use crate::hardware::params::fmt_num;
use crate::hardware::Profile;
use crate::space::{Architecture, Cell, SearchSpace};
use rustc_hash::FxHashMap;
use serde::Serialize;

/// Unchecked search problem.
#[derive(Clone, Debug)]
pub struct ProblemParams {
    pub space: SearchSpace,
    pub quality: Quality,
    pub profile: Profile,
    pub knobs: Vec<Knob>,
    pub goal: Goal,
    /// NAS-Bench-201's tables the search reads (an nb201 space only).
    pub bench: Benchmark,
}

/// A checked problem: the goal fits the profile and the quality model, and every
/// hardware configuration is a valid profile.
#[derive(Clone, Debug)]
pub struct Problem {
    pub space: SearchSpace,
    pub lattice: Lattice,
    pub quality: Quality,
    pub goal: Goal,
    pub hardware: Vec<Hardware>,
    pub bench: Benchmark,
}

impl ProblemParams {
    pub fn check(self) -> Result<Problem> {
        let uses_area = self.goal.limits.iter().any(|l| l.metric == Metric::Area)
            || matches!(self.goal.objective, Objective::MinCost(c) | Objective::Pareto(c) if c.uses_area());
        if uses_area && !self.profile.sizes_silicon() {
            let sized: Vec<&str> = crate::hardware::profile::BUILTIN
                .iter()
                .filter(|(name, _)| crate::hardware::builtin(name).is_ok_and(|p| p.sizes_silicon()))
                .map(|(name, _)| *name)
                .collect();
            return Err(Error::field(
                "goal area",
                format!("profile {}", self.profile.name()),
                format!("a profile whose silicon is sized to the network ({}): a CPU, GPU or Edge TPU has fixed silicon, limit memory instead", sized.join(", ")),
            ));
        }
        if let (Quality::Degree, Some(l)) =
            (&self.quality, self.goal.limits.iter().find(|l| l.metric == Metric::Accuracy))
        {
            return Err(Error::field(
                "goal accuracy>=",
                l.value,
                "only with a sample set to predict accuracy from (--samples); without one, set a floor on NN-Degree (degree>=N)",
            ));
        }
        let frame = self.space.frame();
        if !self.bench.is_none() && frame.family != crate::space::Family::Nb201 {
            return Err(Error::field(
                "NAS-Bench-201 table",
                "given",
                format!(
                    "only with an nb201 space (its cells are the benchmark's), not {}",
                    frame.family.name()
                ),
            ));
        }
        if let Some(t) = &self.bench.truth {
            if t.spec.dataset != frame.dataset.name {
                return Err(Error::field(
                    "NAS-Bench-201 accuracy column",
                    t.spec.name,
                    format!("a column of {} (the space's data set)", frame.dataset.name),
                ));
            }
        }
        if let Some(l) = &self.bench.latency {
            if frame.dataset.name != l.spec.dataset {
                return Err(Error::field(
                    "measured latency",
                    l.spec.name,
                    format!("a space of {} networks (the devices ran those)", l.spec.dataset),
                ));
            }
        }
        if let (Quality::Truth { column }, None) = (&self.quality, &self.bench.truth) {
            return Err(Error::field(
                "accuracy",
                *column,
                "the benchmark's column loaded for the truth",
            ));
        }
        let hardware = knobs::configurations(&self.profile, &self.knobs)?;
        Ok(Problem {
            lattice: Lattice::new(&self.space),
            space: self.space,
            quality: self.quality,
            goal: self.goal,
            hardware,
            bench: self.bench,
        })
    }
}

impl Problem {
    /// Whether the exact dynamic program over cells applies, or why not (then
    /// the exact method enumerates).
    pub fn program_applies(&self) -> std::result::Result<(), String> {
        let family = self.space.frame().family;
        if !family.program_applies() {
            return Err(format!(
                "the {} family's network is not a chain of cells joined by their channels",
                family.name()
            ));
        }
        if !self.bench.is_none() || matches!(self.quality, Quality::Truth { .. }) {
            return Err("a measured table is not a sum over layers".into());
        }
        Ok(())
    }

    pub fn arch(&self, config: &[u32]) -> Architecture {
        Architecture::from_space(&self.space, self.lattice.cells(config))
    }

    /// Exact metrics of a lattice point on a hardware configuration (no counting).
    pub fn metrics(&self, hw: usize, config: &[u32]) -> Metrics {
        let cells = self.lattice.cells(config);
        metrics(self.space.frame(), &cells, &self.hardware[hw].profile, &self.quality, &self.bench)
    }
}

/// An evaluated network on a hardware configuration.
#[derive(Clone, Debug, PartialEq)]
pub struct Point {
    pub hw: usize,
    pub config: Vec<u32>,
    pub metrics: Metrics,
    pub verdict: Verdict,
}

/// Receives a search's progress (argmin's observers); the page and the trace
/// are observers. Every method has an empty default.
pub trait Observer {
    /// Every exact evaluation of a network.
    fn evaluated(&mut self, _point: &Point) {}
    /// A new best (under the problem's goal).
    fn improved(&mut self, _point: &Point, _evaluations: u64) {}
    /// A point where a solver evaluated its continuous relaxation (FLASH's SHGO
    /// levels), in that level's normalized coordinates.
    fn relaxed(&mut self, _level: &str, _hw: usize, _x: &[f64], _f: f64) {}
    /// A local minimum SHGO reported at a level.
    fn minimizer(&mut self, _level: &str, _hw: usize, _x: &[f64], _f: f64) {}
    /// The end of one SHGO iteration at a level (the page's step mode).
    fn iteration(&mut self, _level: &str, _hw: usize, _state: &crate::shgo::IterationState) {}
    /// Whether [`Observer::complex`] is wanted (collecting it costs a pass over its edges).
    fn wants_complex(&self) -> bool {
        false
    }
    /// SHGO's simplicial complex at a level at the end of an iteration, just before
    /// [`Observer::iteration`]: vertices in the level's normalized coordinates, edges as
    /// pairs of vertex numbers.
    fn complex(
        &mut self,
        _level: &str,
        _hw: usize,
        _vertices: &[&[f64]],
        _edges: &[(usize, usize)],
    ) {
    }
    /// How far a long solver (the exact optimum) has come, 0..=1, and what it is doing.
    fn progress(&mut self, _done: f64, _what: &str) {}
}

impl Observer for () {}

/// Forwards to two observers (the caller's and the trace).
struct Both<'a> {
    first: &'a mut dyn Observer,
    trace: Option<Trace>,
}

impl Observer for Both<'_> {
    fn evaluated(&mut self, p: &Point) {
        self.first.evaluated(p);
        if let Some(t) = &mut self.trace {
            t.evaluated(p);
        }
    }
    fn improved(&mut self, p: &Point, n: u64) {
        self.first.improved(p, n);
    }
    fn relaxed(&mut self, level: &str, hw: usize, x: &[f64], f: f64) {
        self.first.relaxed(level, hw, x, f);
        if let Some(t) = &mut self.trace {
            t.relaxed(level, hw, x, f);
        }
    }
    fn minimizer(&mut self, level: &str, hw: usize, x: &[f64], f: f64) {
        self.first.minimizer(level, hw, x, f);
        if let Some(t) = &mut self.trace {
            t.minimizer(level, hw, x, f);
        }
    }
    fn iteration(&mut self, level: &str, hw: usize, state: &crate::shgo::IterationState) {
        self.first.iteration(level, hw, state);
        if let Some(t) = &mut self.trace {
            t.iteration(level, hw, state);
        }
    }
    fn wants_complex(&self) -> bool {
        self.first.wants_complex() || self.trace.as_ref().is_some_and(|t| t.wants_complex())
    }
    fn complex(&mut self, level: &str, hw: usize, vertices: &[&[f64]], edges: &[(usize, usize)]) {
        if self.first.wants_complex() {
            self.first.complex(level, hw, vertices, edges);
        }
        if let Some(t) = &mut self.trace {
            t.complex(level, hw, vertices, edges);
        }
    }
    fn progress(&mut self, done: f64, what: &str) {
        self.first.progress(done, what);
    }
}

/// The one way a solver evaluates networks: counts, caches, keeps the best and
/// the Pareto front under the problem's goal, and tells the observer.
pub struct Session<'a> {
    pub problem: &'a Problem,
    /// FxHash: the keys are packed lattice points, and the cache is the
    /// search's hot path (SipHash took a tenth of a search).
    cache: FxHashMap<(usize, u128), Metrics>,
    evaluations: u64,
    relaxed_evaluations: u64,
    best: Option<Point>,
    front: Vec<Point>,
    local_minima: Vec<Point>,
    observer: Both<'a>,
    cells: Vec<Cell>,
    walk: evaluate::PrefixWalk,
    /// Lattice radices, for packing a point into one cache key.
    radix: Vec<u128>,
    optimality: Option<Optimality>,
}

impl<'a> Session<'a> {
    fn new(problem: &'a Problem, observer: &'a mut dyn Observer, trace: bool) -> Session<'a> {
        let lat = &problem.lattice;
        Session {
            problem,
            cache: FxHashMap::default(),
            evaluations: 0,
            relaxed_evaluations: 0,
            best: None,
            front: Vec::new(),
            local_minima: Vec::new(),
            observer: Both { first: observer, trace: trace.then(Trace::default) },
            cells: Vec::with_capacity(lat.cells_count()),
            walk: evaluate::PrefixWalk::default(),
            radix: (0..lat.dims()).map(|k| lat.len(k) as u128).collect(),
            optimality: None,
        }
    }

    fn key(&self, config: &[u32]) -> u128 {
        config.iter().zip(&self.radix).fold(0u128, |acc, (&i, &r)| acc * r + i as u128)
    }

    /// Metrics of a point, computed once per point and hardware configuration.
    pub fn evaluate(&mut self, hw: usize, config: &[u32]) -> Metrics {
        let key = (hw, self.key(config));
        if let Some(m) = self.cache.get(&key) {
            return *m;
        }
        let m = self.evaluate_uncached(hw, config);
        self.cache.insert(key, m);
        m
    }

    /// Metrics of a point, every call an evaluation (solvers that visit far more
    /// points than they revisit: random search, evolution, enumeration).
    pub fn evaluate_uncached(&mut self, hw: usize, config: &[u32]) -> Metrics {
        let p = self.problem;
        p.lattice.cells_into(config, &mut self.cells);
        let m = self.walk.metrics(
            hw,
            p.space.frame(),
            &self.cells,
            &p.hardware[hw].profile,
            &p.quality,
            &p.bench,
        );
        self.evaluations += 1;
        let verdict = judge(&p.goal, &m);
        let point = Point { hw, config: config.to_vec(), metrics: m, verdict };
        self.observer.evaluated(&point);
        if let Objective::Pareto(c) = p.goal.objective {
            if verdict.feasible {
                add_to_front(&mut self.front, &point, c);
            }
        }
        if self.best.as_ref().is_none_or(|b| verdict.better_than(&b.verdict)) {
            self.observer.improved(&point, self.evaluations);
            self.best = Some(point);
        }
        m
    }

    /// Counts one evaluation of a relaxation and tells the observer.
    pub fn relaxed(&mut self, level: &str, hw: usize, x: &[f64], f: f64) {
        self.relaxed_evaluations += 1;
        self.observer.relaxed(level, hw, x, f);
    }

    pub fn minimizer(&mut self, level: &str, hw: usize, x: &[f64], f: f64) {
        self.observer.minimizer(level, hw, x, f);
    }

    pub fn iteration(&mut self, level: &str, hw: usize, state: &crate::shgo::IterationState) {
        self.observer.iteration(level, hw, state);
    }

    pub fn wants_complex(&self) -> bool {
        self.observer.wants_complex()
    }

    pub fn complex(
        &mut self,
        level: &str,
        hw: usize,
        vertices: &[&[f64]],
        edges: &[(usize, usize)],
    ) {
        self.observer.complex(level, hw, vertices, edges);
    }

    /// A network the solver reports as a local minimum (FLASH: each SHGO
    /// minimizer after discrete refinement).
    pub fn local_minimum(&mut self, hw: usize, config: &[u32], verdict: Verdict) {
        if !self.local_minima.iter().any(|p| p.hw == hw && p.config == config) {
            let metrics = self.evaluate(hw, config);
            self.local_minima.push(Point { hw, config: config.to_vec(), metrics, verdict });
        }
    }

    /// Counts evaluations a solver did outside `evaluate` (the exact dynamic
    /// program evaluates cells, not whole networks).
    pub fn count(&mut self, evaluations: u64) {
        self.evaluations += evaluations;
    }

    pub fn evaluations(&self) -> u64 {
        self.evaluations
    }

    pub fn best(&self) -> Option<&Point> {
        self.best.as_ref()
    }

    /// The Pareto front so far (pareto goals), by increasing cost.
    pub fn front(&self) -> &[Point] {
        &self.front
    }

    /// Tells the observer how far the solver has come.
    pub fn progress(&mut self, done: f64, what: &str) {
        self.observer.progress(done, what);
    }

    /// The exact method's certificate: the optimum proven, or how far it can be.
    pub fn certify(&mut self, optimality: Optimality) {
        self.optimality = Some(optimality);
    }
}

/// Relative slack under which two scores or costs count as equal on a front:
/// the same network cost summed in another order differs in the last bits.
pub const FRONT_TOLERANCE: f64 = 1e-12;

/// Whether (s1, c1) is at least as good as (s2, c2): score not lower and cost
/// not higher, up to [`FRONT_TOLERANCE`].
pub fn weakly_dominates(s1: f64, c1: f64, s2: f64, c2: f64) -> bool {
    s1 >= s2 - FRONT_TOLERANCE * s2.abs() && c1 <= c2 + FRONT_TOLERANCE * c2.abs()
}

/// Keeps `front` the set of feasible points no other beats in both score
/// (higher) and cost (lower), sorted by cost.
fn add_to_front(front: &mut Vec<Point>, p: &Point, cost: Cost) {
    let (s, c) = (p.metrics.score(), p.metrics.cost(cost));
    if front.iter().any(|q| weakly_dominates(q.metrics.score(), q.metrics.cost(cost), s, c)) {
        return;
    }
    front.retain(|q| !weakly_dominates(s, c, q.metrics.score(), q.metrics.cost(cost)));
    let at = front.partition_point(|q| q.metrics.cost(cost) < c);
    front.insert(at, p.clone());
}

/// A search method (argmin's `Solver`): it explores through the session.
pub trait Solver {
    fn name(&self) -> String;
    fn solve(&self, session: &mut Session) -> Result<()>;
}

/// A network the search reports.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Found {
    pub arch: String,
    /// The hardware configuration: profile name, or the knob settings.
    pub hardware: String,
    pub settings: Vec<(String, f64)>,
    /// Lattice coordinates (per cell: depth, width, skip, expansion indices).
    pub config: Vec<u32>,
    pub metrics: Metrics,
    pub verdict: Verdict,
}

/// How close the result sits to one limit.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Binding {
    pub limit: String,
    /// The result's value, in the limit's units.
    pub value: f64,
    /// Unused fraction of the limit (negative: exceeded).
    pub slack: f64,
    /// Whether the limit stops the search: some one-step neighbour of the result
    /// would be better but breaks this limit.
    pub binds: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SearchResult {
    pub solver: String,
    pub space: String,
    pub profile: String,
    pub goal: String,
    pub quality: String,
    pub hardware_configurations: usize,
    /// Whether the best network meets every limit.
    pub feasible: bool,
    /// One line for people: what was found, or why nothing meets the limits.
    pub message: String,
    pub best: Option<Found>,
    pub binding: Vec<Binding>,
    /// The Pareto front (pareto goals), by increasing cost.
    pub pareto: Vec<Found>,
    /// FLASH: the distinct networks its SHGO minimizers refined to.
    pub local_minima: Vec<Found>,
    /// Exact network evaluations (the exact program: cell evaluations).
    pub evaluations: u64,
    /// Evaluations of FLASH's continuous relaxations (interpolations of cached networks).
    pub relaxed_evaluations: u64,
    pub seconds: f64,
    /// The exact method: whether the best is proven optimal, or its certified bound.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub optimality: Option<Optimality>,
    /// Where the true accuracy comes from (an nb201 space): NAS-Bench-201's column.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub truth: Option<String>,
    /// Where latency comes from when not the profile's model: a measured device.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub measured_latency: Option<String>,
    pub trace: Option<Trace>,
}

impl Problem {
    fn found(&self, p: &Point) -> Found {
        let hw = &self.hardware[p.hw];
        Found {
            arch: self.arch(&p.config).to_string(),
            hardware: hw.label(),
            settings: hw.settings.clone(),
            config: p.config.clone(),
            metrics: p.metrics,
            verdict: p.verdict,
        }
    }

    /// Each limit's slack at `p`, and whether it binds (a one-step neighbour
    /// would be better but breaks it).
    fn bindings(&self, p: &Point) -> Vec<Binding> {
        let mut binds = vec![false; self.goal.limits.len()];
        if p.verdict.feasible {
            let mut config = p.config.clone();
            for k in self.lattice.free() {
                let i = config[k];
                // One step: ±1, or any other category.
                let steps: Vec<u32> = if self.lattice.is_categorical(k) {
                    (0..self.lattice.len(k)).filter(|&j| j != i).collect()
                } else {
                    [i.checked_sub(1), (i + 1 < self.lattice.len(k)).then_some(i + 1)]
                        .into_iter()
                        .flatten()
                        .collect()
                };
                for j in steps {
                    config[k] = j;
                    let m = self.metrics(p.hw, &config);
                    let v = judge(&self.goal, &m);
                    if !v.feasible
                        && (v.objective, v.tiebreak) < (p.verdict.objective, p.verdict.tiebreak)
                    {
                        for (j, l) in self.goal.limits.iter().enumerate() {
                            let (x, lim) = (m.metric(l.metric), l.si());
                            let excess =
                                if l.metric.is_floor() { 1.0 - x / lim } else { x / lim - 1.0 };
                            binds[j] |= excess > goal::LIMIT_TOLERANCE;
                        }
                    }
                    config[k] = i;
                }
            }
        }
        self.goal
            .limits
            .iter()
            .zip(binds)
            .map(|(l, binds)| {
                let v = p.metrics.metric(l.metric);
                let slack = if l.metric.is_floor() { v / l.si() - 1.0 } else { 1.0 - v / l.si() };
                Binding { limit: l.to_string(), value: l.metric.from_si(v), slack, binds }
            })
            .collect()
    }
}

/// User-facing value of a metric with its unit.
pub fn show(metric: Metric, si: f64) -> String {
    let v = metric.from_si(si);
    match metric {
        Metric::Accuracy => format!("{:.4}", v),
        Metric::Degree => format!("{:.2}", v),
        _ => format!("{} {}", fmt_num(round_sig(v, 4)), metric.unit().replace("mm2", "mm²")),
    }
}

fn round_sig(v: f64, digits: i32) -> f64 {
    if v == 0.0 || !v.is_finite() {
        return v;
    }
    let s = format!("{:.*e}", (digits - 1) as usize, v);
    s.parse().unwrap_or(v)
}

/// Runs a solver on a problem; `trace` keeps every evaluated point.
pub fn run(
    problem: &Problem,
    solver: &dyn Solver,
    observer: &mut dyn Observer,
    trace: bool,
) -> Result<SearchResult> {
    let start = crate::clock::Instant::now();
    let mut session = Session::new(problem, observer, trace);
    solver.solve(&mut session)?;
    let seconds = start.elapsed().as_secs_f64();
    let best = session.best.clone();
    let feasible = best.as_ref().is_some_and(|b| b.verdict.feasible);
    let message = match &best {
        Some(b) if feasible => {
            let m = &b.metrics;
            let mut what = match &problem.quality {
                Quality::Degree => format!("NN-Degree {:.2}", m.nn_degree),
                Quality::Predictor { .. } => format!("predicted accuracy {:.4}", m.score()),
                Quality::Truth { .. } => format!("true accuracy {:.4}", m.score()),
            };
            if let (Some(t), false) =
                (m.true_accuracy, matches!(problem.quality, Quality::Truth { .. }))
            {
                what.push_str(&format!(" (true {t:.4})"));
            }
            format!(
                "{} on {}: {what}, latency {}, energy {}",
                problem.arch(&b.config),
                problem.hardware[b.hw].label(),
                show(Metric::Latency, m.latency_s),
                show(Metric::Energy, m.energy_j)
            )
        }
        _ => explain_infeasible(problem),
    };
    let message = match &session.optimality {
        Some(o) if !o.proven || o.gap_bound.is_some_and(|g| g > 0.0) => {
            format!("{message} ({})", o.describe())
        }
        _ => message,
    };
    Ok(SearchResult {
        solver: solver.name(),
        space: problem.space.to_string(),
        profile: problem.hardware[0].profile.name().to_string(),
        goal: problem.goal.to_string(),
        quality: problem.quality.describe(),
        hardware_configurations: problem.hardware.len(),
        feasible,
        message,
        binding: best.as_ref().map(|b| problem.bindings(b)).unwrap_or_default(),
        best: best.as_ref().map(|b| problem.found(b)),
        pareto: session.front.iter().map(|p| problem.found(p)).collect(),
        local_minima: session.local_minima.iter().map(|p| problem.found(p)).collect(),
        evaluations: session.evaluations,
        relaxed_evaluations: session.relaxed_evaluations,
        seconds,
        optimality: session.optimality.take(),
        truth: problem
            .bench
            .truth
            .as_ref()
            .map(|c| format!("NAS-Bench-201's {} ({})", c.spec.name, c.spec.label)),
        measured_latency: problem
            .bench
            .latency
            .as_ref()
            .map(|c| format!("{}, measured ({} in data/nb201)", c.spec.label, c.spec.name)),
        trace: session.observer.trace.take(),
    })
}

/// Why nothing meets the limits: for each limit, the best any network reaches
/// alone (found by the FLASH search for that metric only).
fn explain_infeasible(problem: &Problem) -> String {
    let mut alone = Vec::new();
    let mut unmet = Vec::new();
    for l in &problem.goal.limits {
        let objective = match l.metric {
            Metric::Latency => Objective::MinCost(Cost::Latency),
            Metric::Energy => Objective::MinCost(Cost::Energy),
            Metric::Area => Objective::MinCost(Cost::Area),
            Metric::Memory => Objective::MinCost(Cost::Memory),
            Metric::Accuracy | Metric::Degree => Objective::MaxAccuracy,
        };
        let single = Problem { goal: Goal { objective, limits: Vec::new() }, ..problem.clone() };
        let Ok(r) = run(&single, &Flash::default(), &mut (), false) else { continue };
        let Some(b) = r.best else { continue };
        let best = b.metrics.metric(l.metric);
        let word = match l.metric {
            Metric::Latency => "the fastest",
            Metric::Energy => "the most frugal",
            Metric::Area => "the smallest",
            Metric::Memory => "the leanest",
            Metric::Accuracy => "the most accurate",
            Metric::Degree => "the best-connected",
        };
        let op = if l.metric.is_floor() { "≥" } else { "≤" };
        let meets = if l.metric.is_floor() { best >= l.si() } else { best <= l.si() };
        let text = format!(
            "{} {op} {}: {word} network found has {}",
            l.metric.name(),
            show(l.metric, l.si()),
            show(l.metric, best)
        );
        if meets {
            alone.push(text);
        } else {
            unmet.push(text);
        }
    }
    if !unmet.is_empty() {
        format!("no architecture meets {}", unmet.join("; none meets "))
    } else {
        format!("no architecture meets every limit at once, though each alone can be met ({}); relax one", alone.join("; "))
    }
}
