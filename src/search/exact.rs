//! The exact optimum every other method is measured against (docs/search.md).
//!
//! * **Enumeration** of every configuration (spaces up to [`ENUMERATION_LIMIT`]).
//! * **A dynamic program over cells** for larger spaces. Every metric a goal
//!   reads is a sum over the network's layers (the largest activation: a
//!   maximum), and a cell's layers — with the transition into it, the stem
//!   before the first, the pool and classifier after the last — depend on the
//!   earlier cells only through the channels entering it. So the program adds
//!   one cell at a time, with the state "channels the network so far outputs",
//!   and keeps per state every partial network that no other partial network
//!   beats in all the sums the goal reads (a Pareto set): the goal is monotone
//!   in each sum (accuracy in NN-Degree, params and MACs with the predictor's
//!   signs; costs and the fixed part of a hardware model non-decreasing), so a
//!   beaten partial network cannot complete to a better network than the one
//!   beating it with the same completion. Partial networks that already break a
//!   cost limit are dropped (costs only grow). This is exact, not a heuristic.
//!
//! The program needs layer costs that do not depend on the layers before them;
//! an Edge TPU's cache breaks that once weights stream, which the program
//! checks (it then refuses, and enumeration is the exact method).

use super::evaluate::PER_CELL;
use super::goal::{Goal, Metric, Objective, LIMIT_TOLERANCE};
use super::{judge, Metrics, Quality, Session, Solver, Verdict};
use crate::degree;
use crate::error::{Error, Result};
use crate::hardware::{Context, HardwareModel, LayerCost, Profile};
use crate::space::{Cell, Frame};
use crate::workload::{self, LayerSpec, Reads, Sink};
use std::collections::BTreeMap;

/// Largest space enumeration accepts.
pub const ENUMERATION_LIMIT: u128 = 100_000_000;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExactMethod {
    /// The dynamic program where it applies, else enumeration where the space is small enough.
    Auto,
    Program,
    Enumerate,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Exact {
    pub method: ExactMethod,
}

impl Default for Exact {
    fn default() -> Self {
        Exact { method: ExactMethod::Auto }
    }
}

impl Solver for Exact {
    fn name(&self) -> String {
        match self.method {
            ExactMethod::Auto => "exact",
            ExactMethod::Program => "exact (dynamic program)",
            ExactMethod::Enumerate => "exact (enumeration)",
        }
        .into()
    }

    fn solve(&self, s: &mut Session) -> Result<()> {
        for hw in 0..s.problem.hardware.len() {
            match self.method {
                ExactMethod::Enumerate => enumerate(s, hw)?,
                ExactMethod::Program => program(s, hw)?,
                ExactMethod::Auto => {
                    if let Err(e) = program(s, hw) {
                        if s.problem.space.count() > ENUMERATION_LIMIT {
                            return Err(e);
                        }
                        enumerate(s, hw)?;
                    }
                }
            }
        }
        Ok(())
    }
}

/// Evaluates every configuration.
fn enumerate(s: &mut Session, hw: usize) -> Result<()> {
    let count = s.problem.space.count();
    if count > ENUMERATION_LIMIT {
        return Err(Error::field(
            "configurations to enumerate",
            count,
            format!("at most {ENUMERATION_LIMIT} (the dynamic program handles larger spaces)"),
        ));
    }
    let lat = &s.problem.lattice;
    let lens: Vec<u32> = (0..lat.dims()).map(|k| lat.len(k)).collect();
    let mut config = vec![0u32; lens.len()];
    loop {
        s.evaluate_uncached(hw, &config);
        // Mixed-radix increment, last coordinate fastest (the space's order).
        let mut k = lens.len();
        loop {
            if k == 0 {
                return Ok(());
            }
            k -= 1;
            config[k] += 1;
            if config[k] < lens[k] {
                break;
            }
            config[k] = 0;
        }
    }
}

/// Sums a partial network carries: NN-Degree, params, MACs, latency, energy,
/// area, weight bytes, and the largest activation (a maximum).
const DEG: usize = 0;
const PARAMS: usize = 1;
const MACS: usize = 2;
const LAT: usize = 3;
const EN: usize = 4;
const AREA: usize = 5;
const WEIGHTS: usize = 6;
const ACT: usize = 7;
const SUMS: usize = 8;

type Sums = [f64; SUMS];

#[inline]
fn combine(a: &Sums, b: &Sums) -> Sums {
    let mut v = *a;
    for i in 0..ACT {
        v[i] += b[i];
    }
    v[ACT] = a[ACT].max(b[ACT]);
    v
}

/// Collects the layers of one cell (with the transition into it, the stem
/// before the first cell, everything after the last cell).
struct CellSink<'m> {
    model: &'m Profile,
    cell: usize,
    last: usize,
    seen: usize,
    ctx: Context,
    cost: LayerCost,
    params: u64,
    macs: u64,
}

impl Sink for CellSink<'_> {
    const READS: bool = false;
    #[inline]
    fn layer(&mut self, spec: &LayerSpec, _: Reads<'_>) {
        // Layers outside cells belong to the next cell (the stem, transitions)
        // or, after the last cell, to the last one (head, pool, classifier).
        let owner = if spec.cell > 0 {
            self.seen = spec.cell as usize;
            self.seen - 1
        } else {
            self.seen.min(self.last)
        };
        if owner == self.cell {
            self.cost.add(&self.model.layer_cost(spec, &self.ctx));
            self.params += spec.params();
            self.macs += spec.macs();
        }
        self.ctx.index += 1;
        self.ctx.params_before += spec.params();
    }
}

/// The sums of the last cell of `cells` and the channels it outputs.
fn cell_sums(frame: &Frame, cells: &[Cell], last: usize, model: &Profile) -> (Sums, u64) {
    let cell = cells.len() - 1;
    let mut sink = CellSink {
        model,
        cell,
        last,
        seen: 0,
        ctx: Context::default(),
        cost: LayerCost::default(),
        params: 0,
        macs: 0,
    };
    workload::walk(frame, cells, &mut sink);
    let (deg, out) = degree::last_cell(frame, cells);
    let c = &sink.cost;
    (
        [
            deg,
            sink.params as f64,
            sink.macs as f64,
            c.latency,
            c.energy,
            c.area,
            c.weight_bytes,
            c.activation_bytes,
        ],
        out,
    )
}

/// Whole-network metrics from complete sums.
fn finish(v: &Sums, model: &Profile, quality: &Quality) -> Metrics {
    let fixed = model.network_cost_fixed(v[ACT]);
    let (params, macs) = (v[PARAMS] as u64, v[MACS] as u64);
    Metrics {
        nn_degree: v[DEG],
        params,
        macs,
        accuracy: quality.accuracy(v[DEG], params, macs),
        latency_s: v[LAT] + fixed.latency,
        energy_j: v[EN] + fixed.energy,
        area_mm2: v[AREA] + fixed.area,
        memory_bytes: v[WEIGHTS] + v[ACT] + fixed.weight_bytes,
    }
}

/// The sums the goal reads, each with the direction that is better (+1 larger).
fn tracked(goal: &Goal, quality: &Quality) -> Vec<(usize, f64)> {
    let mut dims: Vec<(usize, f64)> = Vec::new();
    let mut add = |i: usize, d: f64| {
        if !dims.iter().any(|&(j, _)| j == i) {
            dims.push((i, d));
        }
    };
    let mut costs = goal.costs_used();
    if goal.objective == Objective::MaxAccuracy && costs.is_empty() {
        costs.push(Metric::Latency); // the tiebreak
    }
    if goal.uses_quality() || matches!(goal.objective, Objective::MinCost(_)) {
        for (i, d) in quality.directions().into_iter().enumerate() {
            if d != 0.0 {
                add([DEG, PARAMS, MACS][i], d);
            }
        }
    }
    for m in costs {
        match m {
            Metric::Latency => add(LAT, -1.0),
            Metric::Energy => add(EN, -1.0),
            Metric::Area => {
                add(AREA, -1.0);
                add(ACT, -1.0)
            }
            Metric::Memory => {
                add(WEIGHTS, -1.0);
                add(ACT, -1.0)
            }
            Metric::Accuracy | Metric::Degree => {}
        }
    }
    dims
}

/// Whether `a` is at least as good as `b` in every tracked sum.
#[inline]
fn covers(a: &Sums, b: &Sums, dims: &[(usize, f64)]) -> bool {
    dims.iter().all(|&(i, d)| if d > 0.0 { a[i] >= b[i] } else { a[i] <= b[i] })
}

struct Entry {
    sums: Sums,
    /// (state, entry) in the previous stage.
    back: (u32, u32),
    /// The cell's configuration (its index among the cell's configurations).
    x: u64,
}

struct State {
    witness: Vec<Cell>,
    entries: Vec<Entry>,
    /// The most parameters any prefix reaching this state has (for the cache check).
    max_params: f64,
}

/// Most partial networks the program keeps per stage before it gives up (memory).
pub const PROGRAM_LIMIT: usize = 20_000_000;

fn program(s: &mut Session, hw: usize) -> Result<()> {
    let problem = s.problem;
    let (frame, lat, goal, quality) =
        (problem.space.frame(), &problem.lattice, &problem.goal, &problem.quality);
    let model = &problem.hardware[hw].profile;
    let n = lat.cells_count();
    let dims = tracked(goal, quality);
    let caps: Vec<(usize, f64)> = goal
        .limits
        .iter()
        .filter(|l| !l.metric.is_floor())
        .map(|l| (metric_index(l.metric), l.si() * (1.0 + LIMIT_TOLERANCE)))
        .collect();
    // Costs only grow as cells are added, so a partial network over a cap stays over.
    let over = |v: &Sums| {
        let fixed = model.network_cost_fixed(v[ACT]);
        let costs = [
            v[LAT] + fixed.latency,
            v[EN] + fixed.energy,
            v[AREA] + fixed.area,
            v[WEIGHTS] + v[ACT] + fixed.weight_bytes,
        ];
        caps.iter().any(|&(i, cap)| costs[i] > cap)
    };
    let pareto_cost = match goal.objective {
        Objective::Pareto(c) => Some(c),
        _ => None,
    };

    let mut stages: Vec<Vec<State>> = vec![vec![State {
        witness: Vec::new(),
        entries: vec![Entry { sums: [0.0; SUMS], back: (0, 0), x: 0 }],
        max_params: 0.0,
    }]];
    let mut best: Option<(Verdict, (u32, u32, u64))> = None;
    let mut front: Vec<(f64, f64, (u32, u32, u64))> = Vec::new();
    let mut max_params: f64 = 0.0;
    let mut evaluations = 0u64;
    let mut coords = [0u32; PER_CELL];
    for c in 0..n {
        let last = c + 1 == n;
        let count = lat.cell_count(c);
        let mut next: BTreeMap<u64, State> = BTreeMap::new();
        let mut kept = 0usize;
        for (si, st) in stages[c].iter().enumerate() {
            let mut cells = st.witness.clone();
            cells.push(lat.cell(c, &[0; PER_CELL]));
            for x in 0..count {
                lat.cell_coords(c, x, &mut coords);
                cells[c] = lat.cell(c, &coords);
                let (seg, out) = cell_sums(frame, &cells, n - 1, model);
                evaluations += 1;
                let reach = st.max_params + seg[PARAMS];
                if last {
                    max_params = max_params.max(reach);
                    for (ei, e) in st.entries.iter().enumerate() {
                        let m = finish(&combine(&e.sums, &seg), model, quality);
                        let v = judge(goal, &m);
                        let at = (si as u32, ei as u32, x);
                        if best.as_ref().is_none_or(|(bv, _)| v.better_than(bv)) {
                            best = Some((v, at));
                        }
                        if let (Some(cost), true) = (pareto_cost, v.feasible) {
                            add_point(&mut front, m.score(), m.cost(cost), at);
                        }
                    }
                    continue;
                }
                let state = next.entry(out).or_insert_with(|| State {
                    witness: cells.clone(),
                    entries: Vec::new(),
                    max_params: 0.0,
                });
                state.max_params = state.max_params.max(reach);
                for (ei, e) in st.entries.iter().enumerate() {
                    let sums = combine(&e.sums, &seg);
                    if !caps.is_empty() && over(&sums) {
                        continue;
                    }
                    if state.entries.iter().any(|f| covers(&f.sums, &sums, &dims)) {
                        continue;
                    }
                    let before = state.entries.len();
                    state.entries.retain(|f| !covers(&sums, &f.sums, &dims));
                    kept = kept + 1 - (before - state.entries.len());
                    state.entries.push(Entry { sums, back: (si as u32, ei as u32), x });
                }
                if kept > PROGRAM_LIMIT {
                    s.count(evaluations);
                    return Err(Error::Invalid(format!(
                        "the exact program keeps more than {PROGRAM_LIMIT} partial networks at cell {}: the goal reads too many sums for this space (narrow the ranges or use fewer limits)",
                        c + 1
                    )));
                }
            }
        }
        if !last {
            stages.push(next.into_values().collect());
        }
    }
    s.count(evaluations);
    if let Some(limit) = model.order_free_below() {
        if max_params > limit as f64 {
            return Err(Error::Invalid(format!(
                "the exact program needs layer costs that do not depend on earlier layers; on {} weights stream once more than {limit} parameters precede a layer, and this space reaches {max_params}: enumerate instead (spaces up to {ENUMERATION_LIMIT} configurations)",
                model.name()
            )));
        }
    }
    let rebuild = |(si, ei, x): (u32, u32, u64)| -> Vec<u32> {
        let mut config = vec![0u32; lat.dims()];
        let (mut si, mut ei, mut x) = (si as usize, ei as usize, x);
        for c in (0..n).rev() {
            lat.cell_coords(c, x, &mut config[c * PER_CELL..(c + 1) * PER_CELL]);
            if c > 0 {
                let e = &stages[c][si].entries[ei];
                (si, ei, x) = (e.back.0 as usize, e.back.1 as usize, e.x);
            }
        }
        config
    };
    for (_, _, at) in &front {
        s.evaluate_uncached(hw, &rebuild(*at));
    }
    if let Some((_, at)) = best {
        s.evaluate_uncached(hw, &rebuild(at));
    }
    Ok(())
}

/// Keeps a front of (score, cost) points no other beats in both.
fn add_point(
    front: &mut Vec<(f64, f64, (u32, u32, u64))>,
    score: f64,
    cost: f64,
    at: (u32, u32, u64),
) {
    if front.iter().any(|&(s, c, _)| super::weakly_dominates(s, c, score, cost)) {
        return;
    }
    front.retain(|&(s, c, _)| !super::weakly_dominates(score, cost, s, c));
    front.push((score, cost, at));
}

fn metric_index(m: Metric) -> usize {
    match m {
        Metric::Latency => 0,
        Metric::Energy => 1,
        Metric::Area => 2,
        _ => 3,
    }
}
