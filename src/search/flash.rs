//! FLASH's hierarchical SHGO search (docs/search.md).
//!
//! 1. **Hardware level**: the full search (levels 2–4) on the knob grid's middle
//!    configuration; its network carried over to every other configuration and
//!    refined there; the full search again on the most promising one.
//! 2. **Shared level**: SHGO over 3 (4 with an expansion range) coordinates in
//!    [0,1] that set depth, width and skip (and expansion) of *every* cell at the
//!    same relative position in its range; the relaxation interpolates the exact
//!    metrics of the surrounding lattice points multilinearly, and the limits are
//!    SHGO inequality constraints.
//! 3. **Cell level**: sweeps over the cells; for each, SHGO over that cell's own
//!    coordinates with the other cells held at the incumbent.
//! 4. **Discrete refinement** after every SHGO run: the rounding corners around
//!    each local minimizer, then a best-improvement descent over the lattice
//!    (one coordinate ±1, then pairs moving in opposite directions), so the
//!    answer is a member of the space and a local optimum of the exact problem.
//!    The final refinement adds larger moves: repair, transfer, exchange, and the
//!    knapsack move (cells' tables of changes, an additive model, a
//!    multiple-choice knapsack solved by merging Pareto fronts).
//!
//! SHGO stays in ≤ 4 dimensions at every level: its simplicial complex grows as
//! 2^dim, and a 9-dimensional run (3 cells at once) costs 10–20 ms on its own.

use super::goal::{Goal, Limit, Objective, Verdict};
use super::{judge, Metrics, Session, Solver};
use crate::error::Result;
use crate::portable;
use crate::shgo::{self, Constraint};
use crate::space::MAX_COORDS;
use rustc_hash::FxHashSet;
use std::cell::RefCell;

/// FLASH's COBYLA runs to `xtol_rel` of the local scale, not to scipy's
/// absolute `tol` of 1e-4 (`shgo::LocalOptions::tol`): the relaxed lattice
/// coordinates live in [0, 1], and the search's benchmarks and goldens were
/// measured with this rule.
const CONVERGE_TIGHTLY: f64 = 0.0;

/// One SHGO inequality constraint per goal limit.
type LimitFn<'a> = Box<dyn Fn(&[f64]) -> f64 + 'a>;

/// Settings of the FLASH search; the defaults are what docs/benchmarks.md measures.
#[derive(Clone, Debug, PartialEq)]
pub struct Flash {
    /// Most sweeps of the cell level (it stops early when a sweep finds nothing better).
    pub sweeps: usize,
    /// SHGO iterations per level (simplicial refinements of the box).
    pub shgo_iters: usize,
    /// Most evaluations of one COBYLA local search.
    pub local_evals: usize,
    /// Most evaluations of the joint level's COBYLA search.
    pub joint_evals: usize,
    /// Limits a Pareto front is traced at, between the cheapest and the best network.
    pub pareto_points: usize,
}

impl Default for Flash {
    fn default() -> Self {
        Flash { sweeps: 2, shgo_iters: 3, local_evals: 15, joint_evals: 60, pareto_points: 12 }
    }
}

impl Solver for Flash {
    fn name(&self) -> String {
        "flash".into()
    }

    fn solve(&self, s: &mut Session) -> Result<()> {
        let goal = s.problem.goal.clone();
        if let Objective::Pareto(cost) = goal.objective {
            return self.pareto(s, &goal, cost);
        }
        self.hardware_level(s, &goal)?;
        Ok(())
    }
}

/// How many hardware configurations the hardware level searches in full (the
/// rest are screened by carrying the first search's network over; docs/search.md).
const FULL_SEARCHES: usize = 2;

/// How many screened configurations get the final refinement before the
/// hardware level picks the next to search in full.
const REFINED_SCREENS: usize = 3;

/// One SHGO coordinate: how many lattice positions it spans and which lattice
/// coordinates it moves together.
struct Axis {
    positions: u32,
    coords: Vec<usize>,
}

impl Flash {
    /// The hardware level: the full search (levels 2–4 and the final refinement)
    /// on the grid's middle configuration; its network carried over to every
    /// other configuration and descending there; the [`REFINED_SCREENS`] best of
    /// those given the final refinement; the full search again on the best, up
    /// to [`FULL_SEARCHES`] in all. The best network and configuration found.
    fn hardware_level(&self, s: &mut Session, goal: &Goal) -> Result<(Vec<u32>, Verdict, usize)> {
        let n = s.problem.hardware.len();
        let first = n / 2;
        let (inc, inc_v) = self.search(s, first, goal)?;
        let mut best = (inc.clone(), inc_v, first);
        let mut screened: Vec<(usize, Verdict)> = Vec::with_capacity(n.saturating_sub(1));
        let mut screened_at: Vec<Vec<u32>> = vec![Vec::new(); n];
        for hw in (0..n).filter(|&h| h != first) {
            let v = verdict(s, hw, goal, &inc);
            let (q, qv) = refine(s, hw, goal, inc.clone(), v);
            if qv.better_than(&best.1) {
                best = (q.clone(), qv, hw);
            }
            screened_at[hw] = q;
            screened.push((hw, qv));
        }
        screened.sort_by(|a, b| a.1.order(&b.1).then(a.0.cmp(&b.0)));
        // The most promising get the final refinement's larger moves (a descent
        // alone can stop where the new costs want budget moved between cells),
        // and are ranked again.
        let promising = screened.len().min(REFINED_SCREENS);
        for (hw, sv) in screened.iter_mut().take(promising) {
            let (q, qv) = refine_with(s, *hw, goal, screened_at[*hw].clone(), *sv, true);
            s.local_minimum(*hw, &q, qv);
            if qv.better_than(&best.1) {
                best = (q, qv, *hw);
            }
            *sv = qv;
        }
        screened[..promising].sort_by(|a, b| a.1.order(&b.1).then(a.0.cmp(&b.0)));
        let mut full = vec![first];
        for &(hw, _) in screened.iter().take(FULL_SEARCHES - 1) {
            let (p, v) = self.search(s, hw, goal)?;
            full.push(hw);
            if v.better_than(&best.1) {
                best = (p, v, hw);
            }
        }
        if !full.contains(&best.2) {
            // A screened network beat the full searches: give it their final refinement.
            let (p, v, hw) = best;
            let (p, v) = refine_with(s, hw, goal, p, v, true);
            s.local_minimum(hw, &p, v);
            best = (p, v, hw);
        }
        Ok(best)
    }

    /// Levels 2–4 on one hardware configuration; the best point found.
    fn search(&self, s: &mut Session, hw: usize, goal: &Goal) -> Result<(Vec<u32>, Verdict)> {
        let lat = &s.problem.lattice;
        let mut inc: Vec<u32> = (0..lat.dims()).map(|k| lat.len(k) / 2).collect();
        let mut inc_v = verdict(s, hw, goal, &inc);
        // Shared level: one axis per group of a cell's coordinates (each kind of
        // coordinate alone, by default), across all cells.
        let per = lat.per_cell();
        let axes: Vec<Axis> = lat
            .shared_axes()
            .iter()
            .filter_map(|group| {
                let coords: Vec<usize> = (0..lat.cells_count())
                    .flat_map(|c| group.iter().map(move |&j| c * per + j))
                    .filter(|&k| lat.len(k) > 1)
                    .collect();
                let positions = coords.iter().map(|&k| lat.len(k)).max()?;
                Some(Axis { positions, coords })
            })
            .collect();
        if let Some((p, v)) = self.level(s, hw, goal, "shared", &axes, &inc)? {
            if v.better_than(&inc_v) {
                (inc, inc_v) = (p, v);
            }
        }
        for _ in 0..self.sweeps {
            let mut improved = false;
            for (b, block) in lat.blocks().into_iter().enumerate() {
                let axes: Vec<Axis> = block
                    .filter(|&k| lat.len(k) > 1)
                    .map(|k| Axis { positions: lat.len(k), coords: vec![k] })
                    .collect();
                if let Some((p, v)) = self.level(s, hw, goal, &lat.block_name(b), &axes, &inc)? {
                    if v.better_than(&inc_v) {
                        (inc, inc_v) = (p, v);
                        improved = true;
                    }
                }
            }
            if let Some((p, v)) = self.joint(s, hw, goal, &inc)? {
                if v.better_than(&inc_v) {
                    (inc, inc_v) = (p, v);
                    improved = true;
                }
            }
            if !improved {
                break;
            }
        }
        // The final refinement may also trade budget between cells in large steps.
        let (inc, inc_v) = refine_with(s, hw, goal, inc, inc_v, true);
        s.local_minimum(hw, &inc, inc_v);
        Ok((inc, inc_v))
    }

    /// The joint level: a local SHGO run from the incumbent over every cell's
    /// coordinates at once, on the additive relaxation around the incumbent
    /// (each cell's multilinear interpolation with the others held, summed:
    /// exact where one cell moves, and what lets budget flow between cells).
    fn joint(
        &self,
        s: &mut Session,
        hw: usize,
        goal: &Goal,
        inc: &[u32],
    ) -> Result<Option<(Vec<u32>, Verdict)>> {
        let problem = s.problem;
        let lat = &problem.lattice;
        let groups: Vec<Vec<usize>> = lat
            .blocks()
            .into_iter()
            .map(|b| b.filter(|&k| lat.len(k) > 1).collect::<Vec<_>>())
            .filter(|g| !g.is_empty())
            .collect();
        if groups.len() < 2 {
            return Ok(None);
        }
        let free: Vec<usize> = groups.iter().flatten().copied().collect();
        let from: Vec<f64> =
            free.iter().map(|&k| inc[k] as f64 / (lat.len(k) - 1) as f64).collect();
        let m0 = s.evaluate(hw, inc);
        let at_inc = Relaxed::of(&m0);
        let scale = objective_scale(goal, &m0);
        let mut options = shgo::Options {
            n: Some(1),
            iters: Some(1),
            sampling_method: shgo::SamplingMethod::Custom(shgo::CustomSampler::new(move |_, _| {
                vec![from.clone()]
            })),
            ..shgo::Options::default()
        };
        options.local.maxeval = self.joint_evals;
        options.local.tol = CONVERGE_TIGHTLY;
        // The additive (cut-HDMR) relaxation: each cell's interpolated change
        // from the incumbent, summed.
        let result =
            minimize_relaxed(s, hw, goal, "joint", free.len(), scale, &options, |session, y| {
                let mut total = at_inc.times(-(groups.len() as f64 - 1.0));
                let mut offset = 0;
                for g in &groups {
                    let axes: Vec<Axis> = g
                        .iter()
                        .map(|&k| Axis { positions: lat.len(k), coords: vec![k] })
                        .collect();
                    let point = |q: &[u32]| -> Vec<u32> {
                        let mut p = inc.to_vec();
                        for (&k, &i) in g.iter().zip(q) {
                            p[k] = i;
                        }
                        p
                    };
                    let v = interpolate(session, hw, &axes, &y[offset..offset + g.len()], &point);
                    total.add_scaled(1.0, &v);
                    offset += g.len();
                }
                total
            })?;
        if result.x.is_empty() {
            return Ok(None);
        }
        s.minimizer("joint", hw, &result.x, result.fun);
        let mut p = inc.to_vec();
        for (&k, &y) in free.iter().zip(&result.x) {
            p[k] = (y.clamp(0.0, 1.0) * (lat.len(k) - 1) as f64).round() as u32;
        }
        let v = verdict(s, hw, goal, &p);
        let (p, v) = refine(s, hw, goal, p, v);
        s.local_minimum(hw, &p, v);
        Ok(Some((p, v)))
    }

    /// One SHGO run on the relaxation along `axes` around `base`, then the
    /// discrete refinement of each minimizer. `None` when there is nothing to vary.
    fn level(
        &self,
        s: &mut Session,
        hw: usize,
        goal: &Goal,
        name: &str,
        axes: &[Axis],
        base: &[u32],
    ) -> Result<Option<(Vec<u32>, Verdict)>> {
        if axes.is_empty() {
            return Ok(None);
        }
        let dim = axes.len();
        let problem = s.problem;
        let lattice_point = |q: &[u32]| -> Vec<u32> {
            let mut p = base.to_vec();
            for (axis, &pos) in axes.iter().zip(q) {
                for &k in &axis.coords {
                    p[k] = spread(pos, axis.positions, problem.lattice.len(k));
                }
            }
            p
        };
        // Scales that make SHGO's objective and constraints of order one.
        let base_m = s.evaluate(hw, base);
        let scale = objective_scale(goal, &base_m);
        let mut options =
            shgo::Options { iters: Some(self.shgo_iters), ..shgo::Options::default() };
        options.local.maxeval = self.local_evals;
        options.local.tol = CONVERGE_TIGHTLY;
        let shgo_result =
            minimize_relaxed(s, hw, goal, name, dim, scale, &options, |session, y| {
                interpolate(session, hw, axes, y, &lattice_point)
            })?;

        let mut starts: Vec<Vec<f64>> = shgo_result.xl.clone();
        if !shgo_result.x.is_empty() && !starts.contains(&shgo_result.x) {
            starts.push(shgo_result.x.clone());
        }
        for (x, f) in shgo_result.xl.iter().zip(&shgo_result.funl) {
            s.minimizer(name, hw, x, *f);
        }
        let mut best: Option<(Vec<u32>, Verdict)> = None;
        if starts.is_empty() {
            // No feasible sample: descend from the base towards feasibility.
            let v = verdict(s, hw, goal, base);
            best = Some(refine(s, hw, goal, base.to_vec(), v));
        }
        for y in &starts {
            // The rounding corners of the lattice box around the minimizer.
            let mut corner_best: Option<(Vec<u32>, Verdict)> = None;
            for mask in 0..1u32 << dim {
                let q: Vec<u32> = axes
                    .iter()
                    .zip(y)
                    .enumerate()
                    .map(|(j, (axis, &yj))| {
                        let (lo, frac) = split(yj, axis.positions);
                        if mask >> j & 1 == 1 && frac > 0.0 {
                            lo + 1
                        } else {
                            lo
                        }
                    })
                    .collect();
                let p = lattice_point(&q);
                let v = verdict(s, hw, goal, &p);
                if corner_best.as_ref().is_none_or(|(_, bv)| v.better_than(bv)) {
                    corner_best = Some((p, v));
                }
            }
            let (p, v) = corner_best.expect("at least one corner");
            let (p, v) = refine(s, hw, goal, p, v);
            s.local_minimum(hw, &p, v);
            if best.as_ref().is_none_or(|(_, bv)| v.better_than(bv)) {
                best = Some((p, v));
            }
        }
        Ok(best)
    }

    /// The front of accuracy against `cost`: the best network within a ladder of
    /// limits on the cost, from the cheapest network to the most accurate one.
    /// The session keeps every evaluated network that no other beats.
    fn pareto(&self, s: &mut Session, goal: &Goal, cost: super::Cost) -> Result<()> {
        let metric = cost.metric().expect("pareto goals use a plain cost");
        let others: Vec<Limit> =
            goal.limits.iter().copied().filter(|l| l.metric != metric).collect();
        let own = goal.limit(metric);
        let top = Goal { objective: Objective::MaxAccuracy, limits: goal.limits.clone() };
        let low = Goal { objective: Objective::MinCost(cost), limits: goal.limits.clone() };
        let (mut hi, mut lo) = (0.0f64, f64::INFINITY);
        let (p, v, hw) = self.hardware_level(s, &top)?;
        if v.feasible {
            hi = s.evaluate(hw, &p).cost(cost);
        }
        let (p, v, hw) = self.hardware_level(s, &low)?;
        if v.feasible {
            lo = s.evaluate(hw, &p).cost(cost);
        }
        if !(lo > 0.0 && hi > lo) {
            return Ok(());
        }
        let steps = self.pareto_points.max(2) - 1;
        let span = portable::ln(hi / lo);
        for i in 1..steps {
            let si = lo * portable::exp(span * i as f64 / steps as f64);
            let si = own.map_or(si, |o| si.min(o));
            let Ok(limit) = Limit::new(metric, metric.from_si(si)) else { continue };
            let mut limits = others.clone();
            limits.push(limit);
            let g = Goal { objective: Objective::MaxAccuracy, limits };
            self.hardware_level(s, &g)?;
        }
        Ok(())
    }
}

/// Lattice index of axis position `pos` (of `positions`) for a coordinate with
/// `len` values: the nearest, halves rounded up, in integers.
#[inline]
fn spread(pos: u32, positions: u32, len: u32) -> u32 {
    if positions <= 1 || len <= 1 {
        return 0;
    }
    let (num, den) = (pos as u64 * (len as u64 - 1), positions as u64 - 1);
    ((2 * num + den) / (2 * den)) as u32
}

/// The lower lattice position of y ∈ [0,1] on an axis and the fraction above it.
#[inline]
fn split(y: f64, positions: u32) -> (u32, f64) {
    let a = y.clamp(0.0, 1.0) * (positions - 1) as f64;
    let lo = (a.floor() as u32).min(positions.saturating_sub(2));
    (lo, (a - lo as f64).clamp(0.0, 1.0))
}

/// The magnitude that makes SHGO's objective of order one around `m`.
fn objective_scale(goal: &Goal, m: &Metrics) -> f64 {
    let scale = match goal.objective {
        Objective::MinCost(c) => m.cost(c).abs(),
        _ => m.score().abs(),
    };
    if scale > 0.0 && scale.is_finite() {
        scale
    } else {
        1.0
    }
}

/// SHGO on [0,1]^dim over the relaxation `values` (interpolated metrics at y):
/// the goal's objective divided by `scale`, its limits as inequality
/// constraints. The objective and every constraint at one point share a single
/// relaxation, so each y is interpolated once.
#[allow(clippy::too_many_arguments)]
fn minimize_relaxed(
    s: &mut Session,
    hw: usize,
    goal: &Goal,
    name: &str,
    dim: usize,
    scale: f64,
    options: &shgo::Options,
    values: impl Fn(&mut Session, &[f64]) -> Relaxed,
) -> Result<shgo::ShgoResult> {
    let cell = RefCell::new((s, None::<(Vec<f64>, f64, Vec<f64>)>));
    let relax = |y: &[f64]| -> (f64, Vec<f64>) {
        let mut guard = cell.borrow_mut();
        let (session, last) = &mut *guard;
        if let Some((x, f, g)) = last.as_ref() {
            if x.as_slice() == y {
                return (*f, g.clone());
            }
        }
        let v = values(session, y);
        let (f, g) = soft(goal, &v, scale);
        session.relaxed(name, hw, y, f);
        *last = Some((y.to_vec(), f, g.clone()));
        (f, g)
    };
    let objective = |y: &[f64]| relax(y).0;
    let limit_fns: Vec<LimitFn<'_>> = (0..goal.limits.len())
        .map(|j| Box::new(move |y: &[f64]| relax(y).1[j]) as LimitFn)
        .collect();
    let constraints: Vec<Constraint> =
        limit_fns.iter().map(|g| Constraint::ineq(g.as_ref())).collect();
    // SHGO's iterations reach the search's observer (the page's step mode).
    type Shared<'s, 'p> = RefCell<(&'s mut Session<'p>, Option<(Vec<f64>, f64, Vec<f64>)>)>;
    struct Iterations<'c, 's, 'p> {
        cell: &'c Shared<'s, 'p>,
        name: &'c str,
        hw: usize,
    }
    impl shgo::Observer for Iterations<'_, '_, '_> {
        fn iteration(&mut self, state: &shgo::IterationState) {
            self.cell.borrow_mut().0.iteration(self.name, self.hw, state);
        }
        fn wants_complex(&self) -> bool {
            self.cell.borrow().0.wants_complex()
        }
        fn complex(&mut self, vertices: &[&[f64]], edges: &[(usize, usize)]) {
            self.cell.borrow_mut().0.complex(self.name, self.hw, vertices, edges);
        }
    }
    let mut iterations = Iterations { cell: &cell, name, hw };
    shgo::minimize_observed(
        objective,
        &vec![(0.0, 1.0); dim],
        &constraints,
        options,
        &mut iterations,
    )
}

/// The goal's verdict on a lattice point.
fn verdict(s: &mut Session, hw: usize, goal: &Goal, p: &[u32]) -> Verdict {
    judge(goal, &s.evaluate(hw, p))
}

/// The metrics the relaxation interpolates, in the units [`Metrics`] carries.
#[derive(Clone, Copy, Debug, Default)]
struct Relaxed {
    score: f64,
    latency_s: f64,
    energy_j: f64,
    area_mm2: f64,
    memory_bytes: f64,
    nn_degree: f64,
}

impl Relaxed {
    fn of(m: &Metrics) -> Relaxed {
        Relaxed {
            score: m.score(),
            latency_s: m.latency_s,
            energy_j: m.energy_j,
            area_mm2: m.area_mm2,
            memory_bytes: m.memory_bytes,
            nn_degree: m.nn_degree,
        }
    }

    fn fields(&mut self) -> [&mut f64; 6] {
        [
            &mut self.score,
            &mut self.latency_s,
            &mut self.energy_j,
            &mut self.area_mm2,
            &mut self.memory_bytes,
            &mut self.nn_degree,
        ]
    }

    /// Every field times `k`.
    fn times(mut self, k: f64) -> Relaxed {
        for v in self.fields() {
            *v *= k;
        }
        self
    }

    /// self += w · other, field by field.
    fn add_scaled(&mut self, w: f64, other: &Relaxed) {
        let mut other = *other;
        for (acc, x) in self.fields().into_iter().zip(other.fields()) {
            *acc += w * *x;
        }
    }

    fn metric(&self, m: super::Metric) -> f64 {
        use super::Metric;
        match m {
            Metric::Accuracy => self.score,
            Metric::Latency => self.latency_s,
            Metric::Energy => self.energy_j,
            Metric::Area => self.area_mm2,
            Metric::Memory => self.memory_bytes,
            Metric::Degree => self.nn_degree,
        }
    }

    /// A goal's cost of the interpolated metrics: the one formula, [`Cost::of`](super::Cost::of).
    fn cost(&self, c: super::Cost) -> f64 {
        c.of(self.latency_s, self.energy_j, self.area_mm2, self.memory_bytes)
    }
}

/// Multilinear interpolation of the exact metrics of the lattice points around `y`.
fn interpolate(
    s: &mut Session,
    hw: usize,
    axes: &[Axis],
    y: &[f64],
    lattice_point: &dyn Fn(&[u32]) -> Vec<u32>,
) -> Relaxed {
    let parts: Vec<(u32, f64)> =
        axes.iter().zip(y).map(|(a, &yj)| split(yj, a.positions)).collect();
    let mut v = Relaxed::default();
    let mut q = vec![0u32; axes.len()];
    for mask in 0..1u32 << axes.len() {
        let mut w = 1.0;
        for (j, &(lo, frac)) in parts.iter().enumerate() {
            let up = mask >> j & 1 == 1;
            w *= if up { frac } else { 1.0 - frac };
            q[j] = lo + up as u32;
        }
        if w == 0.0 {
            continue;
        }
        let m: Metrics = s.evaluate(hw, &lattice_point(&q));
        v.add_scaled(w, &Relaxed::of(&m));
    }
    v
}

/// The relaxed objective (to minimize) and limit functions (≥ 0 when met) of
/// interpolated metrics.
fn soft(goal: &Goal, v: &Relaxed, scale: f64) -> (f64, Vec<f64>) {
    let f = match goal.objective {
        Objective::MinCost(c) => v.cost(c) / scale,
        Objective::MaxAccuracy | Objective::Pareto(_) => -v.score / scale,
    };
    let g = goal
        .limits
        .iter()
        .map(|l| {
            let ratio = v.metric(l.metric) / l.si();
            if l.metric.is_floor() {
                ratio - 1.0
            } else {
                1.0 - ratio
            }
        })
        .collect();
    (f, g)
}

/// Best-improvement descent on the lattice by single steps; with `repair`,
/// when no step helps, also a step of one coordinate that breaks a limit,
/// repaired by moving a coordinate of another cell as far as it takes (trading
/// one cell's budget for another's), then an exchange of two cells'
/// configurations, until no such neighbour is better.
fn refine(s: &mut Session, hw: usize, goal: &Goal, p: Vec<u32>, v: Verdict) -> (Vec<u32>, Verdict) {
    refine_with(s, hw, goal, p, v, false)
}

fn refine_with(
    s: &mut Session,
    hw: usize,
    goal: &Goal,
    mut p: Vec<u32>,
    mut v: Verdict,
    repair: bool,
) -> (Vec<u32>, Verdict) {
    let lat = &s.problem.lattice;
    let free = lat.free();
    let lens: Vec<u32> = (0..p.len()).map(|k| lat.len(k)).collect();
    let step = |i: u32, up: bool, len: u32| -> Option<u32> {
        if up {
            (i + 1 < len).then_some(i + 1)
        } else {
            i.checked_sub(1)
        }
    };
    let mut knapsack_tries = 0;
    for _ in 0..10_000 {
        let mut best: Option<(Vec<u32>, Verdict)> = None;
        let consider = |s: &mut Session, q: Vec<u32>, best: &mut Option<(Vec<u32>, Verdict)>| {
            let qv = verdict(s, hw, goal, &q);
            if qv.better_than(&v) && best.as_ref().is_none_or(|(_, bv)| qv.better_than(bv)) {
                *best = Some((q, qv));
            }
        };
        // A step that lands on the same network (a skip count past the cell's depth,
        // say) goes on to the next different one: plateaus would stop the descent.
        let far = |s: &mut Session, q: &mut Vec<u32>, k: usize, up: bool| -> Option<Verdict> {
            let here = verdict(s, hw, goal, q);
            let mut moved = None;
            while let Some(i) = step(q[k], up, lens[k]) {
                q[k] = i;
                let qv = verdict(s, hw, goal, q);
                moved = Some(qv);
                if qv != here {
                    break;
                }
            }
            moved
        };
        for &k in &free {
            if lat.is_categorical(k) {
                // Categories have no neighbours: a step may go to any other.
                for i in (0..lens[k]).filter(|&i| i != p[k]) {
                    let mut q = p.clone();
                    q[k] = i;
                    consider(s, q, &mut best);
                }
                continue;
            }
            for up in [false, true] {
                let mut q = p.clone();
                if far(s, &mut q, k, up).is_some() {
                    consider(s, q, &mut best);
                }
            }
        }
        if best.is_none() && repair {
            // Move one coordinate a step; if that breaks a limit, repair it by
            // moving another coordinate as far as needed in the direction that
            // shrinks the violation (stopping as soon as it stops shrinking).
            for &a in &free {
                for up_a in [true, false] {
                    let mut q = p.clone();
                    let Some(qv) = far(s, &mut q, a, up_a) else { continue };
                    if !v.feasible {
                        continue;
                    }
                    if qv.feasible {
                        // A feasible but worse step may buy slack another cell can
                        // spend: walk a coordinate of another cell while that improves.
                        for &b in &free {
                            if lat.block_of(b) == lat.block_of(a) {
                                continue;
                            }
                            for up_b in [true, false] {
                                let (mut r, mut last) = (q.clone(), qv);
                                while let Some(rv) = far(s, &mut r, b, up_b) {
                                    if !rv.better_than(&last) {
                                        break;
                                    }
                                    consider(s, r.clone(), &mut best);
                                    last = rv;
                                }
                            }
                        }
                        continue;
                    }
                    for &b in &free {
                        if lat.block_of(b) == lat.block_of(a) {
                            continue; // trades inside a block are the cell level's
                        }
                        for up_b in [true, false] {
                            let mut r = q.clone();
                            let mut last = qv.violation;
                            while let Some(j) = step(r[b], up_b, lens[b]) {
                                r[b] = j;
                                let rv = verdict(s, hw, goal, &r);
                                if rv.feasible {
                                    consider(s, r.clone(), &mut best);
                                    break;
                                }
                                if rv.violation >= last {
                                    break;
                                }
                                last = rv.violation;
                            }
                        }
                    }
                }
            }
        }
        if best.is_none() && repair {
            // Exchange two cells' configurations: single steps and one-coordinate
            // repairs cannot move a deep cell to another resolution (where it costs
            // less) without passing through worse networks.
            let cells = s.problem.lattice.cells_count();
            for a in 0..cells {
                for b in a + 1..cells {
                    let per = lat.per_cell();
                    let (ra, rb) = (a * per..(a + 1) * per, b * per..(b + 1) * per);
                    if lens[ra.clone()] != lens[rb.clone()] || p[ra.clone()] == p[rb.clone()] {
                        continue;
                    }
                    let mut q = p.clone();
                    for (i, j) in ra.zip(rb) {
                        q.swap(i, j);
                    }
                    consider(s, q, &mut best);
                }
            }
        }
        if best.is_none() && repair && knapsack_tries < KNAPSACK_TRIES {
            // Trades of several cells and coordinates at once, guided by an
            // additive model of the network.
            knapsack_tries += 1;
            best = knapsack_move(s, hw, goal, &p, &v);
        }
        match best {
            Some((q, qv)) => (p, v) = (q, qv),
            None => break,
        }
    }
    (p, v)
}

/// How often one final refinement may run the knapsack move (each run
/// evaluates about 200 networks per cell; after an improvement it may help again).
const KNAPSACK_TRIES: usize = 3;

/// How many of the additive model's best trades on the feasible side of the
/// limit are evaluated exactly (half as many beyond it). With 6, a 4-cell
/// trade was missed (a held-out case of the co-design suite, 3.99 % off).
const KNAPSACK_PICKS: usize = 16;

/// How many of the knapsack move's best feasible (and best infeasible) picks
/// descend on the lattice.
const KNAPSACK_DESCENTS: usize = 4;

/// Positions of a coordinate the knapsack move tabulates: all of them when
/// there are at most this many, else this many spread evenly plus the
/// incumbent's neighbourhood ([`TABLE_STEPS`] away on either side).
const TABLE_POSITIONS: u32 = 5;

/// Distances from the incumbent the knapsack tables always hold: besides the
/// ±1 steps, ±2 and ±4 reach the mid-size trades (a cell's skips 2 → 5 and the
/// next cell's 16 → 12, issue 16's `min-edap` misses on the digits space) that
/// the spread grid of a wide range steps over.
const TABLE_STEPS: [u32; 4] = [0, 1, 2, 4];

/// A cell whose grids' product has at most this many rows is tabulated whole
/// by the knapsack move (a mobile cell of the co-design suite: 160).
const WHOLE_CELL_TABLE: usize = 256;

/// Every combination of one position from each list.
fn product(lists: &[Vec<u32>]) -> Vec<[u32; MAX_COORDS]> {
    let mut out = vec![[0u32; MAX_COORDS]];
    for (j, list) in lists.iter().enumerate() {
        out = out
            .iter()
            .flat_map(|h| {
                list.iter().map(move |&a| {
                    let mut h = *h;
                    h[j] = a;
                    h
                })
            })
            .collect();
    }
    out
}

fn table_positions(len: u32, at: u32) -> Vec<u32> {
    if len <= TABLE_POSITIONS {
        return (0..len).collect();
    }
    let mut v: Vec<u32> = (0..TABLE_POSITIONS).map(|i| spread(i, TABLE_POSITIONS, len)).collect();
    for d in TABLE_STEPS {
        v.extend([at.saturating_sub(d), (at + d).min(len - 1)]);
    }
    v.sort_unstable();
    v.dedup();
    v
}

/// A trade of the knapsack move over the first cells: the additive model's
/// change in the binding slack and in the objective, the last cell's table row
/// and the trade of the cells before it (an index into the previous front).
#[derive(Clone, Copy)]
struct Trade {
    dg: f64,
    dobj: f64,
    parent: u32,
    row: u32,
}

/// The trades no other beats in both more slack and a lower objective, from
/// the most slack to the least (so the objective falls along it); of equal
/// trades the first (by parent, then row) is kept.
/// Thinned to at most [`MAX_FRONT`] evenly spread points, so that merging
/// many cells stays cheap.
fn pareto_front(mut v: Vec<Trade>) -> Vec<Trade> {
    v.sort_unstable_by(|a, b| {
        front_order(a, b).then(a.parent.cmp(&b.parent)).then(a.row.cmp(&b.row))
    });
    let mut out: Vec<Trade> = Vec::new();
    for t in v {
        if out.last().is_none_or(|l| t.dobj < l.dobj) {
            out.push(t);
        }
    }
    thin(out)
}

/// Most slack first, then the lowest objective.
fn front_order(a: &Trade, b: &Trade) -> std::cmp::Ordering {
    b.dg.total_cmp(&a.dg).then(a.dobj.total_cmp(&b.dobj))
}

/// At most [`MAX_FRONT`] trades of a front, evenly spread along it.
fn thin(mut out: Vec<Trade>) -> Vec<Trade> {
    if out.len() > MAX_FRONT as usize {
        let n = out.len() as u32;
        let keep: Vec<usize> = (0..MAX_FRONT).map(|i| spread(i, MAX_FRONT, n) as usize).collect();
        let mut i = 0;
        out.retain(|_| {
            let k = keep.binary_search(&i).is_ok();
            i += 1;
            k
        });
    }
    out
}

/// The front of two fronts' union, in one pass (each is sorted by
/// [`front_order`] with its objective falling); of equal trades the left one's.
fn merge_fronts(a: &[Trade], b: &[Trade]) -> Vec<Trade> {
    let mut out = Vec::with_capacity(a.len() + b.len());
    let (mut i, mut j) = (0, 0);
    let mut least = f64::INFINITY;
    while i < a.len() || j < b.len() {
        let t = if j == b.len() || (i < a.len() && front_order(&a[i], &b[j]).is_le()) {
            i += 1;
            a[i - 1]
        } else {
            j += 1;
            b[j - 1]
        };
        if t.dobj < least {
            least = t.dobj;
            out.push(t);
        }
    }
    out
}

/// The front of every trade `acc` (the cells before) plus one of `own` (the
/// next cell's front): each trade of `acc` shifts `own`, a front already, and
/// the shifted fronts merge pairwise, left to right. Dominated trades drop out at
/// each merge, so this costs about |acc|·|own| where sorting every sum cost
/// a sixth of a search.
fn front_of_sums(acc: &[Trade], own: &[Trade]) -> Vec<Trade> {
    let mut fronts: Vec<Vec<Trade>> = acc
        .iter()
        .enumerate()
        .map(|(i, a)| {
            let shifted = own.iter().map(|r| Trade {
                dg: a.dg + r.dg,
                dobj: a.dobj + r.dobj,
                parent: i as u32,
                row: r.row,
            });
            merge_fronts(&shifted.collect::<Vec<_>>(), &[])
        })
        .collect();
    while fronts.len() > 1 {
        fronts = fronts
            .chunks(2)
            .map(|pair| match pair {
                [a, b] => merge_fronts(a, b),
                [a] => a.clone(),
                _ => unreachable!("chunks of two"),
            })
            .collect();
    }
    thin(fronts.pop().unwrap_or_default())
}

/// The most trades a merged front keeps.
const MAX_FRONT: u32 = 256;

/// Relative slack of a limit at `m` (≥ 0 where it holds).
fn slack(m: &Metrics, limit: &Limit) -> f64 {
    let (v, lim) = (m.metric(limit.metric), limit.si());
    if limit.metric.is_floor() {
        v / lim - 1.0
    } else {
        1.0 - v / lim
    }
}

/// The knapsack move: budget traded between several cells at once.
///
/// Around the incumbent p, each cell's configurations are tabulated (a grid of
/// two of its coordinates at a time, and of three with two near p's; a small
/// cell whole; the other cells held at p): how much each
/// changes the objective (Δo) and the slack of the limit that binds most (Δg).
/// An additive model of the network (cut-HDMR, as the joint level's) makes the
/// choice of one row per cell a multiple-choice knapsack: minimize ΣΔo subject
/// to g0 + ΣΔg ≥ 0. It is solved exactly for the model by merging the cells'
/// Pareto fronts; the trades around where the merged front crosses the limit
/// are evaluated exactly, and the best descend on the lattice. This finds the
/// moves neither a step nor a one-coordinate repair reaches: shrink one cell and
/// grow another by several steps in several coordinates (issue 16's
/// `min-energy` misses on a finite IMC chip). When it finds nothing, the
/// least-violating infeasible picks whose objective beats p's are re-tabulated
/// where they stand (the model's second step: cells that interact, docs/search.md).
fn knapsack_move(
    s: &mut Session,
    hw: usize,
    goal: &Goal,
    p: &[u32],
    v: &Verdict,
) -> Option<(Vec<u32>, Verdict)> {
    if !v.feasible {
        return None;
    }
    let picks = knapsack_picks(s, hw, goal, p, v, Tables::Trades);
    // The best feasible picks descend, and the least infeasible ones too: a
    // trade the additive model thought feasible may miss the limit by a step
    // that a single coordinate repays.
    let (mut feasible, mut infeasible): (Vec<_>, Vec<_>) =
        picks.into_iter().partition(|(_, qv)| qv.feasible);
    let order = |a: &(Vec<u32>, Verdict), b: &(Vec<u32>, Verdict)| a.1.order(&b.1);
    feasible.sort_by(order);
    infeasible.sort_by(order);
    let mut best = best_descent(s, hw, goal, v, feasible.into_iter().take(KNAPSACK_DESCENTS));
    best = best_of(
        best,
        best_descent(s, hw, goal, v, infeasible.iter().take(KNAPSACK_DESCENTS).cloned()),
    );
    if best.is_some() {
        return best;
    }
    // Where cells interact (a mobile cell's skip needs the previous cell's
    // width; its expansion's degree depends on it too), the additive model
    // around p misjudges a trade of several cells. The least-violating of the
    // infeasible picks whose objective beats p's become the base of a second
    // table: the knapsack around them buys back the slack they lack with the
    // interactions measured there.
    infeasible.retain(|(_, qv)| qv.objective < v.objective);
    infeasible.sort_by(|a, b| a.1.violation.total_cmp(&b.1.violation));
    for (q, qv) in infeasible.into_iter().take(KNAPSACK_REPAIRS) {
        let mut feasible: Vec<_> = knapsack_picks(s, hw, goal, &q, &qv, Tables::Lines)
            .into_iter()
            .filter(|(_, rv)| rv.feasible)
            .collect();
        feasible.sort_by(order);
        best = best_of(
            best,
            best_descent(s, hw, goal, v, feasible.into_iter().take(KNAPSACK_DESCENTS)),
        );
    }
    best
}

/// How many of the knapsack move's infeasible picks whose objective beats the
/// incumbent's get a second knapsack around them when the first found nothing.
const KNAPSACK_REPAIRS: usize = 2;

/// The better of two candidate moves.
fn best_of(
    a: Option<(Vec<u32>, Verdict)>,
    b: Option<(Vec<u32>, Verdict)>,
) -> Option<(Vec<u32>, Verdict)> {
    match (a, b) {
        (Some(a), Some(b)) => Some(if b.1.better_than(&a.1) { b } else { a }),
        (a, b) => a.or(b),
    }
}

/// Descends from each start; the best end that beats `v`.
fn best_descent(
    s: &mut Session,
    hw: usize,
    goal: &Goal,
    v: &Verdict,
    starts: impl Iterator<Item = (Vec<u32>, Verdict)>,
) -> Option<(Vec<u32>, Verdict)> {
    let mut best: Option<(Vec<u32>, Verdict)> = None;
    for (q, qv) in starts {
        let (q, qv) = refine(s, hw, goal, q, qv);
        if qv.better_than(v) && best.as_ref().is_none_or(|(_, bv)| qv.better_than(bv)) {
            best = Some((q, qv));
        }
    }
    best
}

/// What the knapsack move tabulates per cell.
#[derive(Clone, Copy, PartialEq)]
enum Tables {
    /// Several coordinates at once (pairs, triples, small cells whole).
    Trades,
    /// One coordinate at a time: a cheap re-measure of the additive model at
    /// another point.
    Lines,
}

/// The knapsack move's trades around p (feasible or not), each evaluated.
fn knapsack_picks(
    s: &mut Session,
    hw: usize,
    goal: &Goal,
    p: &[u32],
    v: &Verdict,
    tables: Tables,
) -> Vec<(Vec<u32>, Verdict)> {
    let m0 = s.evaluate(hw, p);
    let Some(&limit) = goal.limits.iter().min_by(|a, b| slack(&m0, a).total_cmp(&slack(&m0, b)))
    else {
        return Vec::new();
    };
    let g0 = slack(&m0, &limit);
    let lat = &s.problem.lattice;
    let blocks = lat.blocks();
    let kind = tables;
    // tables[b]: (block b's coordinates, Δo, Δg)
    type Row = ([u32; MAX_COORDS], f64, f64);
    let mut tables: Vec<Vec<Row>> = Vec::with_capacity(blocks.len());
    for block in &blocks {
        let m = block.len();
        let mut base = [0u32; MAX_COORDS];
        base[..m].copy_from_slice(&p[block.clone()]);
        let grids: Vec<Vec<u32>> =
            (0..m).map(|j| table_positions(lat.len(block.start + j), base[j])).collect();
        // Two coordinates of the block move at a time (the others stay at p's):
        // the trades first found missing were a cell's width with its skips, or
        // its depth alone. Along the second coordinate a line stops at a
        // plateau (the same network again: skips past what the cell can read).
        // Triples follow below.
        let mut rows: Vec<Row> = Vec::new();
        let mut seen: FxHashSet<[u32; MAX_COORDS]> = FxHashSet::default();
        let mut q = p.to_vec();
        let mut row = |s: &mut Session, q: &mut Vec<u32>, here: [u32; MAX_COORDS]| -> Metrics {
            q[block.clone()].copy_from_slice(&here[..m]);
            let metrics = s.evaluate(hw, q);
            if seen.insert(here) {
                rows.push((
                    here,
                    judge(goal, &metrics).objective - v.objective,
                    slack(&metrics, &limit) - g0,
                ));
            }
            metrics
        };
        row(s, &mut q, base);
        if kind == Tables::Lines {
            for j in 0..m {
                for &a in &grids[j] {
                    let mut here = base;
                    here[j] = a;
                    row(s, &mut q, here);
                }
            }
            tables.push(rows);
            continue;
        }
        for j1 in 0..m {
            for j2 in j1 + 1..m {
                if grids[j1].len() < 2 || grids[j2].len() < 2 {
                    continue;
                }
                for &a in &grids[j1] {
                    let mut last: Option<Metrics> = None;
                    for &b in &grids[j2] {
                        let mut here = base;
                        here[j1] = a;
                        here[j2] = b;
                        let metrics = row(s, &mut q, here);
                        if last.is_some_and(|l| l == metrics) {
                            break;
                        }
                        last = Some(metrics);
                    }
                }
            }
        }
        // single-coordinate lines of coordinates paired with nothing movable
        for j in 0..m {
            if grids[j].len() >= 2 && (0..m).filter(|&k| grids[k].len() >= 2).count() == 1 {
                for &a in &grids[j] {
                    let mut here = base;
                    here[j] = a;
                    row(s, &mut q, here);
                }
            }
        }
        // Trades of three or more coordinates of one block at once (the misses
        // left by the pairs: a cell one deeper, one width step narrower and with
        // more skips). A small block is tabulated whole; a large one as each
        // coordinate's grid with the others within two steps of p's (any value
        // of a categorical one).
        let whole: usize = grids.iter().map(Vec::len).product();
        let moving = grids.iter().filter(|g| g.len() >= 2).count();
        if moving >= 3 {
            let near: Vec<Vec<u32>> = (0..m)
                .map(|j| {
                    let len = lat.len(block.start + j);
                    if lat.is_categorical(block.start + j) {
                        (0..len).collect()
                    } else {
                        (base[j].saturating_sub(2)..=(base[j] + 2).min(len - 1)).collect()
                    }
                })
                .collect();
            let lists: Vec<Vec<Vec<u32>>> = if whole <= WHOLE_CELL_TABLE {
                vec![grids.clone()]
            } else {
                (0..m)
                    .filter(|&j| grids[j].len() >= 2)
                    .map(|j| {
                        (0..m)
                            .map(|k| if k == j { grids[k].clone() } else { near[k].clone() })
                            .collect()
                    })
                    .collect()
            };
            for list in &lists {
                for here in product(list) {
                    row(s, &mut q, here);
                }
            }
        }
        tables.push(rows);
    }
    // The additive model's best trades over all cells at once: a multiple-choice
    // knapsack (one row per cell), solved by merging the cells' Pareto fronts
    // of (Δg up, Δo down) cell by cell. Fronts stay small, so this is exact for
    // the model and costs microseconds.
    let mut fronts: Vec<Vec<Trade>> = Vec::with_capacity(tables.len());
    let mut acc: Vec<Trade> = vec![Trade { dg: 0.0, dobj: 0.0, parent: 0, row: 0 }];
    for rows in &tables {
        let own = pareto_front(
            rows.iter()
                .enumerate()
                .map(|(i, r)| Trade { dg: r.2, dobj: r.1, parent: 0, row: i as u32 })
                .collect(),
        );
        let next = front_of_sums(&acc, &own);
        fronts.push(std::mem::replace(&mut acc, next));
    }
    // The front runs from most slack (dearest) to least: the trades around where
    // it crosses the limit are the ones worth evaluating.
    let cross = acc.partition_point(|t| g0 + t.dg >= 0.0);
    let from = cross.saturating_sub(KNAPSACK_PICKS);
    let to = (cross + KNAPSACK_PICKS / 2).min(acc.len());
    let mut picks: Vec<(Vec<u32>, Verdict)> = Vec::new();
    for t in acc[from..to].iter().rev() {
        let mut q = p.to_vec();
        let mut t = *t;
        for c in (0..tables.len()).rev() {
            let block = blocks[c].clone();
            let m = block.len();
            q[block].copy_from_slice(&tables[c][t.row as usize].0[..m]);
            t = fronts[c][t.parent as usize];
        }
        if q == p || picks.iter().any(|(r, _)| *r == q) {
            continue;
        }
        let qv = verdict(s, hw, goal, &q);
        picks.push((q, qv));
    }
    picks
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Trades on a coarse integer grid (so that sums tie exactly) from a small LCG.
    fn trades(seed: &mut u64, n: usize) -> Vec<Trade> {
        let mut next = || {
            *seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (*seed >> 40) as f64 % 41.0 - 20.0
        };
        (0..n).map(|i| Trade { dg: next(), dobj: next(), parent: 0, row: i as u32 }).collect()
    }

    #[test]
    fn merged_fronts_equal_the_front_of_every_sum_sorted() {
        // The reference: every sum of a trade of `acc` and one of `own`, sorted
        // and filtered by `pareto_front` (the knapsack move's merge before).
        let mut seed = 7;
        for round in 0..200 {
            let acc = pareto_front(trades(&mut seed, 1 + round % 60));
            let own = pareto_front(trades(&mut seed, 1 + round % 37));
            let all: Vec<Trade> = acc
                .iter()
                .enumerate()
                .flat_map(|(i, a)| {
                    own.iter().map(move |r| Trade {
                        dg: a.dg + r.dg,
                        dobj: a.dobj + r.dobj,
                        parent: i as u32,
                        row: r.row,
                    })
                })
                .collect();
            let key = |v: &[Trade]| -> Vec<(f64, f64, u32, u32)> {
                v.iter().map(|t| (t.dg, t.dobj, t.parent, t.row)).collect()
            };
            assert_eq!(key(&front_of_sums(&acc, &own)), key(&pareto_front(all)), "round {round}");
        }
    }
}
