//! SHGO's iteration: sampling (the simplicial complex, or Sobol and custom
//! points joined by their Delaunay graph), the minimizer pool, local searches
//! and the stopping rules.

use crate::clock::Instant;

use super::complex::{self, Complex};
use super::delaunay::Cloud;
use super::local::{self, LocalResult, ScalarFn};
use super::options::{
    Constraint, ConstraintKind, CustomSampler, Options, SamplingMethod, INFINITE_BOUND,
};
use super::sobol::SobolPoints;
use super::{IterationState, Observer, ShgoResult};

/// A sampled point and its value.
struct Sample {
    x: Vec<f64>,
    f: f64,
}

/// The sampled (Sobol or custom) mode's state.
struct Sampled {
    samples: Vec<Sample>,
    sobol: Option<SobolPoints>,
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

pub(super) struct Run<'a> {
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
    /// Only read when `maxtime` is set (a clock reading is dear in wasm).
    started: Option<Instant>,
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
    pub(super) fn new(
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
        let iters = if any_rule { None } else { Some(o.iters.unwrap_or(1)) };
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
                let seq = SobolPoints::new(dim);
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
            started: o.maxtime.map(|_| Instant::now()),
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

    pub(super) fn iterate_all(&mut self, observer: &mut dyn Observer) {
        while !self.stop_global {
            self.sample();
            if self.o.minimize_every_iter {
                self.find_minima(observer);
            }
            self.iters_done += 1;
            self.stopping_criteria(true);
            if observer.wants_complex() {
                if let Mode::Simplicial(c) = &self.mode {
                    let vertices: Vec<&[f64]> = c.vertices.iter().map(|v| v.x.as_slice()).collect();
                    let edges: Vec<(usize, usize)> = c
                        .vertices
                        .iter()
                        .enumerate()
                        .flat_map(|(a, v)| {
                            v.nn.iter().filter(move |&&b| b > a).map(move |&b| (a, b))
                        })
                        .collect();
                    observer.complex(&vertices, &edges);
                }
            }
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
                // The new points, flat (one allocation for all of them; a
                // point is copied out only if it is kept).
                let mut points: Vec<f64> = Vec::new();
                match (&mut s.sobol, &s.custom) {
                    (Some(seq), _) => {
                        points.resize(n * dim, 0.0);
                        let mut made = 0;
                        for x in points.chunks_exact_mut(dim) {
                            if !seq.next_into(x) {
                                break;
                            }
                            made += 1;
                        }
                        points.truncate(made * dim);
                    }
                    (None, Some(custom)) => {
                        for u in (custom.0)(n, dim) {
                            if u.len() == dim && u.iter().all(|v| v.is_finite()) {
                                points.extend(u);
                            }
                        }
                    }
                    (None, None) => {}
                }
                for x in points.chunks_exact_mut(dim) {
                    for (t, (l, h)) in x.iter_mut().zip(&self.bounds) {
                        *t = *t * (h - l) + l;
                    }
                }
                self.sampled_last = points.len() / dim;
                self.tnev += points.len() / dim;
                for x in points.chunks_exact(dim) {
                    if !self.o.infty_constraints && !self.feasible(x) {
                        continue;
                    }
                    let value = self.evaluate(x);
                    if let Mode::Sampled(s) = &mut self.mode {
                        s.samples.push(Sample { x: x.to_vec(), f: value });
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
                    s.samples.push(Sample { x: x.clone(), f: *fx });
                    s.is_minimum.push(true);
                }
            }
        }
        let mut pool: Vec<PoolVertex> = Vec::new();
        match &self.mode {
            Mode::Simplicial(c) => {
                for v in &c.vertices {
                    // scipy's strict test; a lone vertex has no neighbour to lose to.
                    let is_min = v.nn.iter().all(|&u| v.f < c.vertices[u].f);
                    if is_min && !self.minima.iter().any(|(x, _)| x == &v.x) {
                        pool.push((v.x.clone(), v.f, self.local_box(c, v)));
                    }
                }
            }
            Mode::Sampled(s) => {
                // The samples' coordinates are borrowed, not copied.
                let xs: Vec<&[f64]> = s.samples.iter().map(|p| p.x.as_slice()).collect();
                let cloud = Cloud::new(&xs, &self.lower, &self.upper);
                let n = xs.len();
                let mut by_value: Vec<usize> = (0..n).collect();
                by_value.sort_by(|&a, &b| s.samples[a].f.total_cmp(&s.samples[b].f));
                let mut lower: Vec<(f64, usize)> = Vec::with_capacity(n);
                let nearest =
                    cloud.nearest_index(NEAREST_FIRST * xs.first().map_or(1, |x| x.len()) + 4);
                for p in 0..n {
                    if s.is_minimum[p] {
                        continue;
                    }
                    let fp = s.samples[p].f;
                    if n == 1 {
                        pool.push((xs[p].to_vec(), fp, self.bounds.clone()));
                        continue;
                    }
                    if fp == f64::INFINITY {
                        continue;
                    }
                    // The nearest point is always a Delaunay neighbour:
                    // when it is at or below p, p is settled without its list.
                    if nearest.closest(p).is_some_and(|q| s.samples[q].f <= fp) {
                        continue;
                    }
                    let near = nearest.near(p);
                    // A minimizer has no Delaunay neighbour at or below it;
                    // candidates are tried nearest first (the nearest point
                    // is always a neighbour, so most vertices are settled by
                    // the first few), and only what is tried gets sorted.
                    let settled = near
                        .points
                        .iter()
                        .filter(|&&(_, q)| s.samples[q].f <= fp)
                        .any(|&(_, q)| cloud.is_edge_near(p, q, &near));
                    if settled {
                        continue;
                    }
                    // The nearest points failed above; the rest are tried.
                    lower.clear();
                    lower.extend(
                        by_value
                            .iter()
                            .take_while(|&&q| s.samples[q].f <= fp)
                            .filter(|&&q| q != p && !near.ids.contains(&q))
                            .map(|&q| (dist2(xs[p], xs[q]), q)),
                    );
                    if !any_nearest_first(&mut lower, |q| cloud.is_edge(p, q)) {
                        pool.push((xs[p].to_vec(), fp, self.bounds.clone()));
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
        let (x0, f0, b0) = pool.remove(0);
        let mut last = self.local_search(&x0, f0, &b0, observer);
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
            let (x, fx, b) = pool.remove(far);
            last = self.local_search(&x, fx, &b, observer);
            searches += 1;
        }
    }

    /// A local search from `start`, whose value `f_start` the sampling
    /// already paid for (cached: each start vertex is searched once).
    fn local_search(
        &mut self,
        start: &[f64],
        f_start: f64,
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
            Some(f_start),
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
        self.locals.push(Local { start: start.to_vec(), result });
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
            // From IEEE operations only (crate::portable), not libm's `powf`:
            // COBYLA scales every coordinate by this, so one bit of
            // difference between native and wasm would change the search.
            Mode::Sampled(s) => {
                crate::portable::exp(-crate::portable::ln(s.samples.len().max(1) as f64) / dim)
            }
        };
        bounds
            .iter()
            .zip(start)
            .map(
                |(&(l, u), &x)| {
                    if u - l >= INFINITE_BOUND {
                        x.abs().max(1.0)
                    } else {
                        (u - l) * per_axis
                    }
                },
            )
            .collect()
    }

    /// Records a local minimum unless an equal one (within 1e-6 of the box
    /// width per coordinate, or of |x| where the box is unbounded: local
    /// searches end about that close to a minimum) is already known; the
    /// better of the two is kept.
    fn add_minimum(&mut self, x: &[f64], fx: f64, observer: &mut dyn Observer) {
        let same = |a: &[f64]| {
            a.iter().zip(x).zip(&self.bounds).all(|((p, q), (l, u))| {
                let w = if u - l >= INFINITE_BOUND { q.abs().max(1.0) } else { u - l };
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
        if o.maxtime.zip(self.started).is_some_and(|(t, at)| at.elapsed().as_secs_f64() >= t) {
            self.stop_global = true;
            self.out_of_time = true;
        }
        if let Some((f_min, (_, lowest))) = o.f_min.and_then(|f| Some((f, self.lowest()?))) {
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

    pub(super) fn finish(self) -> ShgoResult {
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
            Some((x, f)) => {
                (x, f, format!("no local search ended at a feasible point; lowest sample f = {f}"))
            }
            None if self.tnev == 0 => {
                (vec![], f64::INFINITY, "no sampling point was generated".to_string())
            }
            None => (
                vec![],
                f64::INFINITY,
                format!("all {} sampling points are infeasible or gave NaN", self.tnev),
            ),
        };
        let limit = if self.out_of_time { " before maxtime ran out" } else { "" };
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

/// Each sample's nearest `NEAREST_FIRST × dim + 4` points are found once and
/// tried first: they hold most Delaunay neighbours, and a Gabriel test among
/// them alone is exact (docs/shgo.md).
const NEAREST_FIRST: usize = 2;

/// Whether `test` holds for some candidate, trying them by increasing
/// distance: the nearest few are picked out and sorted first, the rest only
/// if none of those passes.
fn any_nearest_first(candidates: &mut [(f64, usize)], mut test: impl FnMut(usize) -> bool) -> bool {
    const FIRST: usize = 8;
    let by_distance = |a: &(f64, usize), b: &(f64, usize)| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1));
    let head = FIRST.min(candidates.len());
    if head < candidates.len() {
        candidates.select_nth_unstable_by(head, by_distance);
    }
    let (near, far) = candidates.split_at_mut(head);
    near.sort_unstable_by(by_distance);
    if near.iter().any(|&(_, q)| test(q)) {
        return true;
    }
    far.sort_unstable_by(by_distance);
    far.iter().any(|&(_, q)| test(q))
}

fn dist2(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| (x - y) * (x - y)).sum()
}
