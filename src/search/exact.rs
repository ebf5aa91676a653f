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

use super::goal::{Goal, Metric, Objective, LIMIT_TOLERANCE};
use super::Problem;
use super::{judge, Cost, Flash, Metrics, Quality, Session, Solver, Verdict};
use crate::degree;
use crate::error::{Error, Result};
use crate::hardware::{Context, HardwareModel, LayerCost, Profile};
use crate::space::Cell;
use crate::space::MAX_COORDS;
use crate::workload::{self, LayerSpec, Reads, Sink};
use serde::{Deserialize, Serialize};
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
    pub budget: ExactBudget,
}

impl Default for Exact {
    fn default() -> Self {
        Exact { method: ExactMethod::Auto, budget: ExactBudget::default() }
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
        let clock = crate::clock::Instant::now();
        let problem = s.problem;
        let budget = self.budget.check()?;
        let hws = problem.hardware.len();
        // A good incumbent first: FLASH's answer (milliseconds) lets the program drop
        // at once the partial networks whose best completion cannot beat it.
        let seed = if budget.warm_start {
            let seed = super::run(problem, &Flash::default(), &mut (), false)?;
            s.count(seed.evaluations);
            Some(seed)
        } else {
            None
        };
        let pareto = match problem.goal.objective {
            Objective::Pareto(c) => Some(c),
            _ => None,
        };
        let mut pruner = Pruner {
            goal: &problem.goal,
            quality: &problem.quality,
            model: &problem.hardware[0].profile,
            incumbent: None,
            least_violation: None,
            front: Vec::new(),
            pareto,
            gap: budget.gap,
            dropped: std::cell::RefCell::new((f64::INFINITY, Vec::new())),
        };
        let seeds = seed.iter().flat_map(|r| r.pareto.iter().chain(&r.best));
        for f in seeds {
            let hw = problem.hardware.iter().position(|h| h.label() == f.hardware).unwrap_or(0);
            let m = s.evaluate_uncached(hw, &f.config);
            pruner.found(&judge(&problem.goal, &m), &m);
        }
        let area_priced = problem.hardware.iter().any(|h| h.profile.fixed_reads_area());
        let dims = tracked(&problem.goal, &problem.quality, area_priced);
        let mut open: Vec<(bool, f64, f64)> = Vec::new();
        let mut stopped: Option<Stop> = None;
        let mut unbounded = false;
        // The structure is built once; each hardware configuration then prices its
        // layers and bounds its states (a fraction of a second each), so every
        // configuration has a bound before any is searched: hopeless ones are
        // skipped, and a stop after the pricing still certifies them all.
        let program = problem.program_applies();
        if let (ExactMethod::Program, Err(why)) = (self.method, &program) {
            return Err(Error::Invalid(format!(
                "the exact dynamic program does not apply: {why}; enumerate instead"
            )));
        }
        let built = match self.method {
            ExactMethod::Enumerate => None,
            _ if program.is_err() => None,
            _ => {
                s.progress(0.0, "building the states of the program");
                let st = structure(s, &budget, &clock);
                if st.is_none() {
                    stopped = Some(Stop::Time);
                    unbounded = true;
                }
                st
            }
        };
        let mut priced: Vec<Option<Result<Priced>>> = (0..hws).map(|_| None).collect();
        if let Some(st) = &built {
            for (hw, p) in priced.iter_mut().enumerate() {
                // The budget holds here too: one configuration's prices and bounds
                // take a fraction of a second, fifteen of them seconds (twice that
                // in wasm). One left unpriced is left open without a bound.
                if clock.elapsed().as_secs_f64() > budget.seconds {
                    stopped = Some(Stop::Time);
                    break;
                }
                *p = Some(price(problem, st, hw, &dims));
            }
        }
        let twins = twins(&priced, &dims);
        for (hw, p) in priced.into_iter().enumerate() {
            pruner.model = &problem.hardware[hw].profile;
            if let Some(twin) = twins[hw] {
                // Every network costs here what it costs on the twin in every
                // sum the goal reads: nothing to add to its answer or its bounds.
                s.progress(
                    (hw as f64 + 1.0) / hws as f64,
                    &format!(
                        "hardware configuration {} of {hws}: the goal reads nothing that differs from configuration {}",
                        hw + 1,
                        twin + 1
                    ),
                );
                continue;
            }
            if stopped.is_some() {
                // Left open: bounded by its backward pass, where it had one.
                match &p {
                    Some(Ok((_, states))) => {
                        let root = &states[0][0];
                        if !pruner.hopeless_from(&[0.0; SUMS], root) {
                            open.extend(root.rests.iter().map(|r| pruner.bound(r)));
                        }
                    }
                    _ => unbounded = true,
                }
                continue;
            }
            let outcome = match (p, &built) {
                (Some(Ok((prices, states))), Some(st)) => {
                    forward(s, hw, st, &prices, states, &dims, &mut pruner, &budget, &clock)
                }
                (Some(Err(e)), _)
                    if self.method == ExactMethod::Program
                        || problem.space.count() > ENUMERATION_LIMIT =>
                {
                    return Err(e);
                }
                _ => enumerate(s, hw, &budget, &clock)?,
            };
            if let Outcome::Stopped(why, bounds) = outcome {
                stopped = Some(why);
                match bounds {
                    Some(b) => open.extend(b),
                    None => unbounded = true,
                }
            }
        }
        s.progress(1.0, "done");
        let optimality = certify(s, &pruner, stopped, open, unbounded, &budget);
        s.certify(optimality);
        Ok(())
    }
}

/// For each hardware configuration, an earlier one on which every network
/// scores and costs the same in everything the goal reads, where there is one.
/// Only goals that read no latency, energy or area qualify: those go through
/// the model's fixed part, which may differ between configurations; memory is
/// the layers' weights and largest activation alone, so equal layer prices in
/// those two make equal programs (the rest is hardware-independent).
fn twins(priced: &[Option<Result<Priced>>], dims: &[(usize, f64)]) -> Vec<Option<usize>> {
    let layers_only = !dims.iter().any(|&(i, _)| matches!(i, LAT | EN | AREA));
    let memory = |p: &Option<Result<Priced>>| -> Option<Vec<(u64, u64)>> {
        match p {
            Some(Ok((prices, _))) if layers_only => Some(
                prices
                    .iter()
                    .map(|c| (c.weight_bytes.to_bits(), c.activation_bytes.to_bits()))
                    .collect(),
            ),
            _ => None,
        }
    };
    let keys: Vec<Option<Vec<(u64, u64)>>> = priced.iter().map(memory).collect();
    (0..keys.len())
        .map(|hw| {
            let mine = keys[hw].as_ref()?;
            (0..hw).find(|&j| keys[j].as_ref() == Some(mine))
        })
        .collect()
}

/// The certificate: how far the optimum can be from the best found, from the
/// bounds of everything left open or dropped for the accepted gap.
fn certify(
    s: &Session,
    pruner: &Pruner,
    stopped: Option<Stop>,
    open: Vec<(bool, f64, f64)>,
    unbounded: bool,
    budget: &ExactBudget,
) -> Optimality {
    let stopped_why = stopped.map(|w| match w {
        Stop::Time => format!("stopped at the time budget of {} s", budget.seconds),
        Stop::Entries => {
            format!("stopped at the memory budget of {} partial networks", budget.entries)
        }
    });
    let dropped = pruner.dropped.borrow();
    let gap_bound = if unbounded {
        None
    } else if let Some(c) = pruner.pareto {
        let found: Vec<(f64, f64)> =
            s.front().iter().map(|p| (p.metrics.score(), p.metrics.cost(c))).collect();
        if found.is_empty() {
            None
        } else {
            let mut upper = found.clone();
            upper.extend(open.iter().filter(|b| b.0).map(|b| (b.1, b.2)));
            upper.extend(dropped.1.iter().copied());
            let nadir = nadir(&upper);
            let (h, hu) = (hypervolume(&found, nadir), hypervolume(&upper, nadir));
            Some(if hu > 0.0 { (1.0 - h / hu).max(0.0) } else { 0.0 })
        }
    } else {
        match s.best().filter(|b| b.verdict.feasible) {
            None => None,
            Some(b) => {
                let inc = b.verdict.objective;
                let floor =
                    open.iter().filter(|o| o.0).map(|o| o.1).fold(dropped.0, f64::min).min(inc);
                Some(if inc == 0.0 { inc - floor } else { (inc - floor) / inc.abs() })
            }
        }
    };
    let mut o = Optimality {
        proven: stopped_why.is_none() && !unbounded,
        gap_bound,
        stopped: stopped_why,
        summary: String::new(),
    };
    o.summary = o.describe();
    o
}

/// The worst score and the highest cost among `points`: the reference corner
/// of a hypervolume.
pub fn nadir(points: &[(f64, f64)]) -> (f64, f64) {
    points.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(s, c), p| (s.min(p.0), c.max(p.1)))
}

/// The area that (score, cost) points dominate (higher score, lower cost) up to
/// the reference corner `(worst score, highest cost)`.
pub fn hypervolume(points: &[(f64, f64)], reference: (f64, f64)) -> f64 {
    let mut p: Vec<(f64, f64)> =
        points.iter().copied().filter(|q| q.0 >= reference.0 && q.1 <= reference.1).collect();
    // By cost, then best score first; sweep keeping the running best score.
    p.sort_by(|a, b| a.1.total_cmp(&b.1).then(b.0.total_cmp(&a.0)));
    let mut area = 0.0;
    let mut best = reference.0;
    for (i, &(score, cost)) in p.iter().enumerate() {
        best = best.max(score);
        let next = p.get(i + 1).map_or(reference.1, |q| q.1);
        area += (best - reference.0) * (next - cost);
    }
    area
}

/// Evaluates every configuration (until the time budget runs out: no bound then).
fn enumerate(
    s: &mut Session,
    hw: usize,
    budget: &ExactBudget,
    clock: &crate::clock::Instant,
) -> Result<Outcome> {
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
    let mut done = 0u64;
    loop {
        s.evaluate_uncached(hw, &config);
        done += 1;
        if done.is_multiple_of(4096) && clock.elapsed().as_secs_f64() > budget.seconds {
            return Ok(Outcome::Stopped(Stop::Time, None));
        }
        // Mixed-radix increment, last coordinate fastest (the space's order).
        let mut k = lens.len();
        loop {
            if k == 0 {
                return Ok(Outcome::Done);
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

/// What `HardwareModel::network_cost_fixed` reads of a partial network's sums.
#[inline]
fn fixed_of(model: &Profile, v: &Sums) -> LayerCost {
    model.network_cost_fixed(&LayerCost {
        latency: v[LAT],
        energy: v[EN],
        area: v[AREA],
        weight_bytes: v[WEIGHTS],
        activation_bytes: v[ACT],
        ..LayerCost::default()
    })
}

/// Whole-network metrics from complete sums.
fn finish(v: &Sums, model: &Profile, quality: &Quality) -> Metrics {
    let fixed = fixed_of(model, v);
    let (params, macs) = (v[PARAMS] as u64, v[MACS] as u64);
    Metrics {
        nn_degree: v[DEG],
        params,
        macs,
        accuracy: quality.accuracy(v[DEG], params, macs),
        true_accuracy: None,
        latency_s: v[LAT] + fixed.latency,
        energy_j: v[EN] + fixed.energy,
        area_mm2: v[AREA] + fixed.area,
        memory_bytes: v[WEIGHTS] + v[ACT],
    }
}

/// The sums the goal reads, each with the direction that is better (+1 larger).
fn tracked(goal: &Goal, quality: &Quality, area_priced: bool) -> Vec<(usize, f64)> {
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
            // Where the fixed part's latency and energy read the area sum (an IMC
            // chip rewriting the weights it cannot hold), a partial network with
            // more area may end slower: keep them apart by area too.
            Metric::Latency => {
                add(LAT, -1.0);
                if area_priced {
                    add(AREA, -1.0)
                }
            }
            Metric::Energy => {
                add(EN, -1.0);
                if area_priced {
                    add(AREA, -1.0)
                }
            }
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

struct Entry {
    sums: Sums,
    /// (state, entry) in the previous stage.
    back: (u32, u32),
    /// The cell's configuration (its index among the cell's configurations).
    x: u64,
}

/// A state of the program: the channels entering a cell, with a prefix reaching
/// them and what each of the cell's configurations adds (hardware-independent).
struct Node {
    witness: Vec<Cell>,
    segs: Vec<Seg>,
}

/// One configuration of a cell from a state.
struct Seg {
    /// NN-Degree, params and MACs the cell adds.
    shared: [f64; 3],
    /// The state it leads to (an index into the next stage; unused at the last cell).
    out: u32,
    /// Its layers, as indices into `Structure::specs`, in walk order.
    layers: (u32, u32),
}

/// The hardware-independent half of the program, built once for every hardware
/// configuration: the states, the transitions and each cell's layers, interned
/// (a space's cells share few distinct layer shapes, so each hardware
/// configuration prices only those).
struct Structure {
    stages: Vec<Vec<Node>>,
    layers: Vec<u32>,
    specs: Vec<LayerSpec>,
    /// The most parameters any network of the space has (the cache check).
    max_params: f64,
}

/// One hardware configuration's layer prices and bounded states.
type Priced = (Vec<LayerCost>, Vec<Vec<State>>);

/// A state's partial networks on one hardware configuration.
struct State {
    /// The best any completion from here can add, each sum on its own (its
    /// better direction; the largest activation: the least maximum). Completing
    /// a partial network with these gives a bound no real completion beats.
    rest: Sums,
    /// A covering set of optimistic completions: every completion is at least
    /// as bad as one of these in every sum. Binned by NN-Degree where the goal
    /// reads it, so that a degree floor or a cost limit cuts the bound (the
    /// best costs of the high-degree completions, not of all of them);
    /// otherwise `[rest]`.
    rests: Vec<Sums>,
    /// The least NN-Degree any completion adds (the bins' lower end).
    lowest_degree: f64,
    entries: Vec<Entry>,
}

/// How many NN-Degree bins a state's covering set has (more: tighter bounds,
/// a slower backward pass and more bound checks per partial network).
const DEGREE_BINS: usize = 16;

/// Most partial networks the program keeps per stage before it gives up (memory).
pub const PROGRAM_LIMIT: usize = 20_000_000;

/// What the program may spend, and how close to the optimum is close enough.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ExactBudget {
    /// Wall-clock seconds before the program stops with a certified bound.
    pub seconds: f64,
    /// Partial networks kept in memory (about 100 bytes each) before it stops.
    pub entries: usize,
    /// Relative gap accepted as optimal: partial networks that cannot beat the
    /// best found by more than this are dropped (0: the exact optimum).
    pub gap: f64,
    /// Start from FLASH's answer (milliseconds; prunes most partial networks at
    /// once). Off, the program finds its own incumbents: slower, for studying the bounds.
    pub warm_start: bool,
}

impl Default for ExactBudget {
    fn default() -> Self {
        ExactBudget { seconds: 10.0, entries: 2_000_000, gap: 0.0, warm_start: true }
    }
}

impl ExactBudget {
    pub fn check(self) -> Result<ExactBudget> {
        if !(self.seconds > 0.0 && self.seconds <= 86_400.0) {
            return Err(Error::field("exact seconds", self.seconds, "0 < seconds <= 86400"));
        }
        if !(1..=PROGRAM_LIMIT).contains(&self.entries) {
            return Err(Error::field(
                "exact entries",
                self.entries,
                format!("1..={PROGRAM_LIMIT} partial networks"),
            ));
        }
        if !(0.0..=0.5).contains(&self.gap) {
            return Err(Error::field("exact gap", self.gap, "0..=0.5 (a relative gap)"));
        }
        Ok(self)
    }
}

/// How the exact method ended: the optimum proven, or a certified bound.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Optimality {
    /// Every network was covered: the best is optimal (within `gap`, when one was accepted).
    pub proven: bool,
    /// How much better the optimum can be than the best found, relative to it:
    /// for a goal, (best − bound) / |best| of the minimized objective; for a
    /// Pareto goal, the share of hypervolume the found front may lack. `None`
    /// when nothing feasible was found before the budget ran out.
    pub gap_bound: Option<f64>,
    /// Why it stopped before covering every network.
    pub stopped: Option<String>,
    /// All of it in words ([`Optimality::describe`]), for the page.
    pub summary: String,
}

impl Optimality {
    /// "exact", "exact within 0.30 %" or "within 0.30 % of the optimum (stopped: …)".
    pub fn describe(&self) -> String {
        let within = |g: f64| format!("{:.2} %", 100.0 * g);
        match (self.proven, self.gap_bound, &self.stopped) {
            (true, Some(g), _) if g > 0.0 => format!("exact within {}", within(g)),
            (true, _, _) => "exact".into(),
            (false, Some(g), Some(why)) => {
                format!("at most {} from the optimum ({why})", within(g))
            }
            (false, _, Some(why)) => format!("not proven, no bound on the gap ({why})"),
            (false, _, None) => "no bound".into(),
        }
    }
}

/// The goal's view of partial networks: what can still win.
struct Pruner<'a> {
    goal: &'a Goal,
    quality: &'a Quality,
    model: &'a Profile,
    /// The best feasible verdict so far (FLASH's, then the program's own).
    incumbent: Option<Verdict>,
    /// The least violation found while nothing feasible is (it bounds the
    /// answer of a goal no network meets).
    least_violation: Option<Verdict>,
    /// Pareto goals: the feasible (score, cost) points found so far.
    front: Vec<(f64, f64)>,
    pareto: Option<Cost>,
    gap: f64,
    /// The best bound among partial networks dropped only because the accepted
    /// gap made them not worth it (objective; Pareto: their (score, cost) points).
    dropped: std::cell::RefCell<(f64, Vec<(f64, f64)>)>,
}

impl Pruner<'_> {
    /// Whether a partial network whose best completion is `opt` cannot improve
    /// the answer: its optimistic metrics break a limit, or are no better than
    /// the incumbent (by more than the accepted gap).
    fn hopeless(&self, opt: &Sums) -> bool {
        let m = finish(opt, self.model, self.quality);
        let v = judge(self.goal, &m);
        if let Some(c) = self.pareto {
            if self.front.is_empty() {
                return false;
            }
            if !v.feasible {
                return true;
            }
            let (s, k) = (m.score(), m.cost(c));
            let (sl, kl) =
                (s * (1.0 - self.gap) - 1e-9 * s.abs(), k * (1.0 + self.gap) + 1e-9 * k.abs());
            // The front is sorted by cost with scores rising, so the best score
            // costing less than `kl` is the last such point's.
            let below = self.front.partition_point(|&(_, fc)| fc < kl);
            let drop = below > 0 && self.front[below - 1].0 > sl;
            if drop && self.gap > 0.0 {
                let mut d = self.dropped.borrow_mut();
                if !d.1.iter().any(|&(ds, dc)| super::weakly_dominates(ds, dc, s, k)) {
                    d.1.retain(|&(ds, dc)| !super::weakly_dominates(s, k, ds, dc));
                    d.1.push((s, k));
                }
            }
            return drop;
        }
        match &self.incumbent {
            // Nothing feasible yet: the answer is the least violation, which
            // only grows as sums grow, so what cannot beat the least found yet
            // cannot win (a network that may be feasible is never dropped).
            None => self
                .least_violation
                .as_ref()
                .is_some_and(|lv| v.violation > lv.violation + 1e-9 * lv.violation.abs()),
            Some(_) if !v.feasible => true,
            Some(inc) => {
                let drop = v.objective > threshold(inc.objective, self.gap);
                if drop && self.gap > 0.0 {
                    let mut d = self.dropped.borrow_mut();
                    d.0 = d.0.min(v.objective);
                }
                drop
            }
        }
    }

    /// Whether no completion of `partial` from state `st` can improve the
    /// answer: its ideal completion cannot, or none of the covering set's can
    /// (the high-degree bins first, the ones likeliest to still win).
    fn hopeless_from(&self, partial: &Sums, st: &State) -> bool {
        self.hopeless(&combine(partial, &st.rest))
            || (st.rests.len() > 1
                && st.rests.iter().rev().all(|r| self.hopeless(&combine(partial, r))))
    }

    /// The objective bound of `opt` (its minimized objective; Pareto: (score, cost)).
    fn bound(&self, opt: &Sums) -> (bool, f64, f64) {
        let m = finish(opt, self.model, self.quality);
        let v = judge(self.goal, &m);
        match self.pareto {
            Some(c) => (v.feasible, m.score(), m.cost(c)),
            None => (v.feasible, v.objective, 0.0),
        }
    }

    fn found(&mut self, v: &Verdict, m: &Metrics) {
        if !v.feasible {
            if self.least_violation.as_ref().is_none_or(|lv| v.better_than(lv)) {
                self.least_violation = Some(*v);
            }
            return;
        }
        if let Some(c) = self.pareto {
            let (s, k) = (m.score(), m.cost(c));
            insert_unbeaten(&mut self.front, (s, k), |p| (p.0, p.1));
        } else if self.incumbent.as_ref().is_none_or(|i| v.better_than(i)) {
            self.incumbent = Some(*v);
        }
    }
}

/// The objective a completion must beat: the incumbent's, less the accepted gap,
/// less a rounding slack (sums taken in another order differ in the last bits).
fn threshold(objective: f64, gap: f64) -> f64 {
    objective - gap * objective.abs() + 1e-9 * objective.abs()
}

/// Why the program stopped early.
enum Stop {
    Time,
    Entries,
}

/// The program's run on one hardware configuration: finished, or stopped with
/// the bounds of the partial networks still open.
enum Outcome {
    Done,
    /// With the bounds of the open partial networks (`None`: not yet bounded).
    Stopped(Stop, Option<Vec<(bool, f64, f64)>>),
}

/// The bounds of every partial network kept in `states`.
fn open_bounds(pruner: &Pruner, states: &[State]) -> Vec<(bool, f64, f64)> {
    states
        .iter()
        .flat_map(|st| {
            st.entries
                .iter()
                .flat_map(|e| st.rests.iter().map(|r| pruner.bound(&combine(&e.sums, r))))
        })
        .collect()
}

/// Directions the program keeps sums in: the tracked ones as the goal reads
/// them, the rest smaller-is-better (they are not read, so any choice is safe).
fn directions(dims: &[(usize, f64)]) -> Sums {
    let mut dir = [-1.0; SUMS];
    for &(i, d) in dims {
        dir[i] = d;
    }
    dir
}

/// `a` or `b`, each sum the better in its direction (the largest activation: the smaller).
#[inline]
fn better_each(a: &Sums, b: &Sums, dir: &Sums) -> Sums {
    let mut v = *a;
    for i in 0..SUMS {
        let pick_b = if i == ACT || dir[i] < 0.0 { b[i] < v[i] } else { b[i] > v[i] };
        if pick_b {
            v[i] = b[i];
        }
    }
    v
}

/// Records one cell's layers (with the transition into it, the stem before the
/// first cell, everything after the last cell), interned.
struct LayerSink<'t> {
    cell: usize,
    last: usize,
    seen: usize,
    intern: &'t mut rustc_hash::FxHashMap<LayerSpec, u32>,
    specs: &'t mut Vec<LayerSpec>,
    layers: &'t mut Vec<u32>,
    params: u64,
    macs: u64,
}

impl Sink for LayerSink<'_> {
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
            let next = self.specs.len() as u32;
            let id = *self.intern.entry(*spec).or_insert(next);
            if id == next {
                self.specs.push(*spec);
            }
            self.layers.push(id);
            self.params += spec.params();
            self.macs += spec.macs();
        }
    }
}

/// Builds the program's structure: every state of every stage and what each cell
/// configuration adds. `None` when the time budget ran out first.
fn structure(
    s: &mut Session,
    budget: &ExactBudget,
    clock: &crate::clock::Instant,
) -> Option<Structure> {
    let problem = s.problem;
    let (frame, lat) = (problem.space.frame(), &problem.lattice);
    let n = lat.cells_count();
    let mut intern = rustc_hash::FxHashMap::default();
    let (mut specs, mut layers) = (Vec::new(), Vec::new());
    let mut stages: Vec<Vec<Node>> = vec![vec![Node { witness: Vec::new(), segs: Vec::new() }]];
    let mut reach: Vec<f64> = vec![0.0];
    let mut max_params: f64 = 0.0;
    let mut evaluations = 0u64;
    let mut coords = [0u32; MAX_COORDS];
    for c in 0..n {
        let last = c + 1 == n;
        let count = lat.cell_count(c);
        let mut next: BTreeMap<u64, (Vec<Cell>, f64)> = BTreeMap::new();
        let mut outs: Vec<Vec<u64>> = Vec::with_capacity(stages[c].len());
        for (si, node) in stages[c].iter_mut().enumerate() {
            let mut cells = node.witness.clone();
            cells.push(lat.cell(c, &[0; MAX_COORDS]));
            let mut sink = LayerSink {
                cell: c,
                last: n - 1,
                seen: 0,
                intern: &mut intern,
                specs: &mut specs,
                layers: &mut layers,
                params: 0,
                macs: 0,
            };
            // The cells before this one are walked once per state (the stem's
            // width depends on the first cell, so the first stage walks it each time).
            let prefix = (c > 0).then(|| workload::walk_prefix(frame, &cells, c, &mut sink));
            let seen = sink.seen;
            let mut o = Vec::with_capacity(count as usize);
            node.segs.reserve(count as usize);
            for x in 0..count {
                lat.cell_coords(c, x, &mut coords);
                cells[c] = lat.cell(c, &coords);
                let start = layers.len() as u32;
                let mut sink = LayerSink {
                    cell: c,
                    last: n - 1,
                    seen,
                    intern: &mut intern,
                    specs: &mut specs,
                    layers: &mut layers,
                    params: 0,
                    macs: 0,
                };
                match &prefix {
                    Some(at) => workload::walk_rest(frame, &cells, c, at.clone(), &mut sink),
                    None => workload::walk(frame, &cells, &mut sink),
                }
                let (params, macs) = (sink.params as f64, sink.macs as f64);
                let (deg, out) = degree::last_cell(frame, &cells);
                evaluations += 1;
                let r = reach[si] + params;
                if last {
                    max_params = max_params.max(r);
                } else {
                    let e = next.entry(out).or_insert_with(|| (cells.clone(), 0.0));
                    e.1 = e.1.max(r);
                }
                node.segs.push(Seg {
                    shared: [deg, params, macs],
                    out: 0,
                    layers: (start, layers.len() as u32),
                });
                o.push(out);
            }
            outs.push(o);
            if evaluations % 4096 < count && clock.elapsed().as_secs_f64() > budget.seconds {
                s.count(evaluations);
                return None;
            }
        }
        if !last {
            let index: BTreeMap<u64, u32> =
                next.keys().enumerate().map(|(i, &k)| (k, i as u32)).collect();
            for (node, o) in stages[c].iter_mut().zip(&outs) {
                for (seg, out) in node.segs.iter_mut().zip(o) {
                    seg.out = index[out];
                }
            }
            reach = next.values().map(|v| v.1).collect();
            stages.push(
                next.into_values().map(|(witness, _)| Node { witness, segs: Vec::new() }).collect(),
            );
        }
    }
    s.count(evaluations);
    Some(Structure { stages, layers, specs, max_params })
}

/// A cell configuration's sums on a hardware configuration, from its layers'
/// prices (added in walk order, as the evaluator adds them).
#[inline]
fn seg_sums(st: &Structure, seg: &Seg, prices: &[LayerCost]) -> Sums {
    let (mut lat, mut en, mut area, mut weights, mut act) = (0.0, 0.0, 0.0, 0.0, 0.0f64);
    for &id in &st.layers[seg.layers.0 as usize..seg.layers.1 as usize] {
        let p = &prices[id as usize];
        lat += p.latency;
        en += p.energy;
        area += p.area;
        weights += p.weight_bytes;
        act = act.max(p.activation_bytes);
    }
    [seg.shared[0], seg.shared[1], seg.shared[2], lat, en, area, weights, act]
}

/// Prices the structure's layers on hardware configuration `hw` and bounds each
/// state's best completion (a backward pass). Errs where the program does not apply.
fn price(problem: &Problem, st: &Structure, hw: usize, dims: &[(usize, f64)]) -> Result<Priced> {
    let model = &problem.hardware[hw].profile;
    if let Some(limit) = model.order_free_below() {
        if st.max_params > limit as f64 {
            return Err(Error::Invalid(format!(
                "the exact program needs layer costs that do not depend on earlier layers; on {} weights stream once more than {limit} parameters precede a layer, and this space reaches {}: enumerate instead (spaces up to {ENUMERATION_LIMIT} configurations)",
                model.name(),
                st.max_params
            )));
        }
    }
    // Below the cache limit a layer's cost does not depend on the layers before it.
    let prices: Vec<LayerCost> =
        st.specs.iter().map(|spec| model.layer_cost(spec, &Context::default())).collect();
    let dir = directions(dims);
    let binned = dims.iter().any(|&(i, d)| i == DEG && d > 0.0);
    let n = st.stages.len();
    let mut states: Vec<Vec<State>> = Vec::with_capacity(n);
    for c in (0..n).rev() {
        let next = states.last().filter(|_| c + 1 < n);
        let row: Vec<State> = st.stages[c]
            .iter()
            .map(|node| {
                let segs = if binned {
                    unbeaten_segs(st, node, &prices, dims, next.is_none())
                } else {
                    node.segs
                        .iter()
                        .enumerate()
                        .map(|(x, g)| (x, seg_sums(st, g, &prices)))
                        .collect()
                };
                let after = |x: usize| next.map(|nx| &nx[node.segs[x].out as usize]);
                let mut rest: Option<Sums> = None;
                let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
                for (x, sums) in &segs {
                    let cand = match after(*x) {
                        Some(t) => combine(sums, &t.rest),
                        None => *sums,
                    };
                    rest = Some(match rest {
                        None => cand,
                        Some(b) => better_each(&b, &cand, &dir),
                    });
                    let low = sums[DEG] + after(*x).map_or(0.0, |t| t.lowest_degree);
                    (lo, hi) = (lo.min(low), hi.max(cand[DEG]));
                }
                let rest = rest.unwrap_or([0.0; SUMS]);
                // The covering set: completions binned by NN-Degree, each bin's
                // best sums on their own (its NN-Degree the bin's largest).
                let mut bins: Vec<Option<Sums>> = vec![None; if binned { DEGREE_BINS } else { 0 }];
                if binned && hi > lo {
                    for (x, sums) in &segs {
                        let tails = after(*x).map_or(&[][..], |t| &t.rests[..]);
                        for cand in tails
                            .iter()
                            .map(|r| combine(sums, r))
                            .chain(tails.is_empty().then_some(*sums))
                        {
                            let b = (((cand[DEG] - lo) / (hi - lo)) * DEGREE_BINS as f64) as usize;
                            let slot = &mut bins[b.min(DEGREE_BINS - 1)];
                            *slot = Some(match slot {
                                None => cand,
                                Some(v) => better_each(v, &cand, &dir),
                            });
                        }
                    }
                }
                let mut rests: Vec<Sums> = bins.into_iter().flatten().collect();
                if rests.is_empty() {
                    rests.push(rest);
                }
                State { rest, rests, lowest_degree: lo, entries: Vec::new() }
            })
            .collect();
        states.push(row);
    }
    states.reverse();
    states[0][0].entries.push(Entry { sums: [0.0; SUMS], back: (0, 0), x: 0 });
    Ok((prices, states))
}

/// The program's second half: adds cells forwards, keeping per state the partial
/// networks no other beats and whose best completion can still improve the answer.
#[allow(clippy::too_many_arguments)]
fn forward<'p>(
    s: &mut Session<'p>,
    hw: usize,
    structure: &Structure,
    prices: &[LayerCost],
    mut stages: Vec<Vec<State>>,
    dims: &[(usize, f64)],
    pruner: &mut Pruner<'p>,
    budget: &ExactBudget,
    clock: &crate::clock::Instant,
) -> Outcome {
    let problem = s.problem;
    let (lat, goal, quality) = (&problem.lattice, &problem.goal, &problem.quality);
    let model = &problem.hardware[hw].profile;
    pruner.model = model;
    let n = lat.cells_count();
    let caps: Vec<(usize, f64)> = goal
        .limits
        .iter()
        .filter(|l| !l.metric.is_floor())
        .map(|l| (metric_index(l.metric), l.si() * (1.0 + LIMIT_TOLERANCE)))
        .collect();
    // Costs only grow as cells are added, so a partial network over a cap stays over.
    let over = |v: &Sums| {
        let fixed = fixed_of(model, v);
        let costs = [
            v[LAT] + fixed.latency,
            v[EN] + fixed.energy,
            v[AREA] + fixed.area,
            v[WEIGHTS] + v[ACT],
        ];
        caps.iter().any(|&(i, cap)| costs[i] > cap)
    };
    let out_of_time = || clock.elapsed().as_secs_f64() > budget.seconds;
    if pruner.hopeless_from(&[0.0; SUMS], &stages[0][0]) {
        return Outcome::Done;
    }

    // Forward: add cells, keep the unbeaten partial networks that can still win.
    let mut best: Option<(Verdict, (u32, u32, u64))> = None;
    let mut front: Vec<(f64, f64, (u32, u32, u64))> = Vec::new();
    let mut kept_total = 1usize;
    let mut steps = 0u64;
    let hws = problem.hardware.len();
    for c in 0..n {
        let last = c + 1 == n;
        let share = (hw as f64 + c as f64 / n as f64) / hws as f64;
        s.progress(
            if hws > 1 { 0.5 + share / 2.0 } else { share },
            &format!(
                "hardware configuration {} of {hws}, cell {} of {n}: {kept_total} partial networks kept",
                hw + 1,
                c + 1
            ),
        );
        if !last {
            // Each state of the next stage is built from every partial network
            // reaching it at once: its candidates are filtered by a sort and a
            // sweep (not each against the kept ones, which was quadratic), then
            // bounded.
            let (head, tail) = stages.split_at_mut(c + 1);
            let (from, next) = (&head[c], &mut tail[0]);
            let mut incoming: Vec<Vec<Incoming>> = (0..next.len()).map(|_| Vec::new()).collect();
            for (si, st) in from.iter().enumerate() {
                if st.entries.is_empty() {
                    continue;
                }
                let node = &structure.stages[c][si];
                let mut segs = unbeaten_segs(structure, node, prices, dims, false);
                segs.sort_by_key(|(x, _)| node.segs[*x].out);
                for group in segs.chunk_by(|a, b| node.segs[a.0].out == node.segs[b.0].out) {
                    let out = node.segs[group[0].0].out as usize;
                    incoming[out]
                        .push((si as u32, group.iter().map(|&(x, v)| (x as u64, v)).collect()));
                }
            }
            for (t, sources) in incoming.into_iter().enumerate() {
                let mut cands: Vec<Entry> = Vec::new();
                let mut reduced_at = 0usize;
                for (si, segs) in &sources {
                    let entries = &from[*si as usize].entries;
                    steps += (segs.len() * entries.len()) as u64;
                    if steps > 1 << 16 {
                        steps = 0;
                        if out_of_time() {
                            return Outcome::Stopped(Stop::Time, Some(open_bounds(pruner, from)));
                        }
                    }
                    for &(x, seg) in segs {
                        for (ei, e) in entries.iter().enumerate() {
                            let sums = combine(&e.sums, &seg);
                            if !caps.is_empty() && over(&sums) {
                                continue;
                            }
                            cands.push(Entry { sums, back: (*si, ei as u32), x });
                        }
                    }
                    // Bounded memory: filter whenever the candidates double.
                    if cands.len() > CANDIDATES_PER_FILTER.max(2 * reduced_at) {
                        unbeaten_entries(&mut cands, dims, |v| pruner.hopeless_from(v, &next[t]));
                        reduced_at = cands.len();
                    }
                }
                unbeaten_entries(&mut cands, dims, |v| pruner.hopeless_from(v, &next[t]));
                let state = &mut next[t];
                kept_total += cands.len();
                cands.shrink_to_fit();
                state.entries = cands;
                if kept_total > budget.entries {
                    return Outcome::Stopped(Stop::Entries, Some(open_bounds(pruner, from)));
                }
            }
            continue;
        }
        for si in 0..stages[c].len() {
            let node = &structure.stages[c][si];
            steps += (node.segs.len() * stages[c][si].entries.len()) as u64;
            if steps > 1 << 16 {
                steps = 0;
                if out_of_time() {
                    return Outcome::Stopped(
                        Stop::Time,
                        Some(open_bounds(pruner, &stages[c][si..])),
                    );
                }
            }
            let st = &stages[c][si];
            if st.entries.is_empty() {
                continue;
            }
            // The incumbent has improved since these partial networks were kept:
            // at the last cell, where every one meets every configuration, drop
            // again those that can no longer win.
            let live: Vec<usize> = (0..st.entries.len())
                .filter(|&ei| !pruner.hopeless_from(&st.entries[ei].sums, st))
                .collect();
            if live.is_empty() {
                continue;
            }
            for (x, seg) in &unbeaten_segs(structure, node, prices, dims, true) {
                let x = *x as u64;
                for &ei in &live {
                    let e = &st.entries[ei];
                    let m = finish(&combine(&e.sums, seg), model, quality);
                    let v = judge(goal, &m);
                    let at = (si as u32, ei as u32, x);
                    if best.as_ref().is_none_or(|(bv, _)| v.better_than(bv)) {
                        best = Some((v, at));
                    }
                    if let (Some(cost), true) = (pruner.pareto, v.feasible) {
                        add_point(&mut front, m.score(), m.cost(cost), at);
                    }
                    pruner.found(&v, &m);
                }
            }
        }
    }
    let rebuild = |(si, ei, x): (u32, u32, u64)| -> Vec<u32> {
        let mut config = vec![0u32; lat.dims()];
        let (mut si, mut ei, mut x) = (si as usize, ei as usize, x);
        for c in (0..n).rev() {
            let per = lat.per_cell();
            lat.cell_coords(c, x, &mut config[c * per..(c + 1) * per]);
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
    Outcome::Done
}

/// Above this many unbeaten configurations per group the filter for four or
/// more tracked sums stops comparing and keeps the rest (keeping more is always
/// safe; with many sums fronts are wide and the comparisons quadratic).
const SEG_FRONT_CAP: usize = 256;

/// `x` as a key whose integer order is `f64::total_cmp`'s.
#[inline]
fn ordered(x: f64) -> i64 {
    let b = x.to_bits() as i64;
    b ^ ((((b >> 63) as u64) >> 1) as i64)
}

/// Points (p, q), smaller better in both, added in an order where no point is
/// covered by a later one: kept as a staircase (q falling as p grows), so
/// whether an earlier point covers a new one is one lookup.
#[derive(Default)]
struct Staircase(BTreeMap<i64, f64>);

impl Staircase {
    /// Adds `(p, q)` unless an earlier point is no worse in both; says whether it did.
    fn add_unless_covered(&mut self, p: f64, q: f64) -> bool {
        if self.0.range(..=ordered(p)).next_back().is_some_and(|(_, &t)| t <= q) {
            return false;
        }
        let beaten: Vec<i64> =
            self.0.range(ordered(p)..).take_while(|(_, &t)| t >= q).map(|(&s, _)| s).collect();
        for s in beaten {
            self.0.remove(&s);
        }
        self.0.insert(ordered(p), q);
        true
    }
}

/// A cell's configurations from one state with their sums, less those another
/// configuration covers in every tracked sum while leading to the same state
/// (at the last cell: any other). Sums and the largest activation combine
/// monotonically, so a covered configuration completes no partial network
/// better than its cover does. Returned in the order of `node.segs`.
fn unbeaten_segs(
    st: &Structure,
    node: &Node,
    prices: &[LayerCost],
    dims: &[(usize, f64)],
    last: bool,
) -> Vec<(usize, Sums)> {
    let all: Vec<(usize, Sums)> =
        node.segs.iter().enumerate().map(|(x, seg)| (x, seg_sums(st, seg, prices))).collect();
    let k = dims.len();
    if k == 0 {
        return all;
    }
    // Smaller is better in every key; the group first.
    let width = k + 1;
    let mut keys: Vec<f64> = Vec::with_capacity(all.len() * width);
    for (x, v) in &all {
        keys.push(if last { 0.0 } else { node.segs[*x].out as f64 });
        keys.extend(dims.iter().map(|&(i, d)| if d > 0.0 { -v[i] } else { v[i] }));
    }
    let key = |x: usize| &keys[x * width..(x + 1) * width];
    // By group, then the first key (ties in any order: a configuration is
    // dropped only for an earlier one no worse in every key, which covers it;
    // a tie may keep a covered one, which is safe). Packed into one integer,
    // which sorts several times faster than a lexicographic comparison.
    let mut packed: Vec<u128> = (0..all.len())
        .map(|x| {
            let k1 = (ordered(key(x)[1]) as u64) ^ (1 << 63);
            ((key(x)[0] as u128) << 96) | ((k1 as u128) << 32) | x as u128
        })
        .collect();
    packed.sort_unstable();
    let order: Vec<usize> = packed.iter().map(|&p| (p & 0xffff_ffff) as usize).collect();
    let mut keep = vec![false; all.len()];
    let mut start = 0;
    while start < order.len() {
        let g = key(order[start])[0];
        let end = start + order[start..].iter().take_while(|&&x| key(x)[0] == g).count();
        let group = &order[start..end];
        match k {
            1 => keep[group[0]] = true,
            2 => {
                // Covered iff an earlier one is no worse in the second key.
                let mut best = f64::INFINITY;
                for &x in group {
                    if key(x)[2] < best {
                        best = key(x)[2];
                        keep[x] = true;
                    }
                }
            }
            3 => {
                // Covered iff an earlier one is no worse in the second and third
                // keys: a staircase of the earlier ones' (second, third), the
                // third falling as the second grows.
                let mut stair = Staircase::default();
                for &x in group {
                    keep[x] = stair.add_unless_covered(key(x)[2], key(x)[3]);
                }
            }
            _ => {
                let mut front: Vec<usize> = Vec::new();
                for &x in group {
                    let covered = front.len() < SEG_FRONT_CAP
                        && front
                            .iter()
                            .any(|&f| key(f)[1..].iter().zip(&key(x)[1..]).all(|(a, b)| a <= b));
                    if !covered {
                        front.push(x);
                        keep[x] = true;
                    }
                }
            }
        }
        start = end;
    }
    all.into_iter().filter(|(x, _)| keep[*x]).collect()
}

/// An earlier state and its unbeaten cell configurations leading to a state
/// (each with its sums on the hardware configuration being searched).
type Incoming = (u32, Vec<(u64, Sums)>);

/// Candidates for one state gathered before the unbeaten filter runs on them
/// (it runs again whenever they double: memory stays bounded).
const CANDIDATES_PER_FILTER: usize = 1 << 18;

/// Keeps the partial networks no other covers in every tracked sum (one of
/// each tie) and that are not `hopeless`. Sorted by every key, smaller better,
/// so a cover comes before what it covers; then a sweep: a running best with
/// two keys, a staircase with three (logarithmic: the survivors are bounded
/// after), a scan of the kept ones with more. That scan is quadratic, so there
/// uncovered ones are bounded as they come and hopeless ones join no front:
/// whatever they cover is hopeless too (the bounds are monotone in the
/// tracked sums).
fn unbeaten_entries(
    cands: &mut Vec<Entry>,
    dims: &[(usize, f64)],
    hopeless: impl Fn(&Sums) -> bool,
) {
    let k = dims.len();
    if cands.is_empty() {
        // A state nothing reaches (every candidate over a cap, say).
        return;
    }
    if k == 0 {
        cands.retain(|e| !hopeless(&e.sums));
        cands.truncate(1);
        return;
    }
    let mut keys: Vec<f64> = Vec::with_capacity(cands.len() * k);
    for e in cands.iter() {
        keys.extend(dims.iter().map(|&(i, d)| if d > 0.0 { -e.sums[i] } else { e.sums[i] }));
    }
    let key = |x: usize| &keys[x * k..(x + 1) * k];
    let mut order: Vec<usize> = (0..cands.len()).collect();
    order.sort_unstable_by(|&a, &b| {
        key(a)
            .iter()
            .zip(key(b))
            .map(|(p, q)| p.total_cmp(q))
            .find(|o| o.is_ne())
            .unwrap_or(a.cmp(&b))
    });
    let mut keep = vec![false; cands.len()];
    match k {
        1 => keep[order[0]] = true,
        2 => {
            let mut best = f64::INFINITY;
            for &x in &order {
                if key(x)[1] < best {
                    best = key(x)[1];
                    keep[x] = true;
                }
            }
        }
        3 => {
            let mut stair = Staircase::default();
            for &x in &order {
                keep[x] = stair.add_unless_covered(key(x)[1], key(x)[2]);
            }
        }
        _ => {
            let mut front: Vec<usize> = Vec::new();
            for &x in &order {
                let covered =
                    |f: &usize| key(*f)[1..].iter().zip(&key(x)[1..]).all(|(a, b)| a <= b);
                if !front.iter().any(covered) && !hopeless(&cands[x].sums) {
                    front.push(x);
                    keep[x] = true;
                }
            }
        }
    }
    let mut i = 0;
    cands.retain(|e| {
        i += 1;
        keep[i - 1] && (k > 3 || !hopeless(&e.sums))
    });
}

/// Keeps a front of (score, cost) points no other beats in both.
fn add_point(
    front: &mut Vec<(f64, f64, (u32, u32, u64))>,
    score: f64,
    cost: f64,
    at: (u32, u32, u64),
) {
    insert_unbeaten(front, (score, cost, at), |p| (p.0, p.1));
}

/// Adds `p` to `front` unless a point there weakly dominates it, dropping the
/// points it dominates. The front stays sorted by cost, its scores rising (of
/// two unbeaten points the cheaper has the lower score), so the only point
/// that can dominate `p` is the last one costing no more: a binary search,
/// not a scan (the program checks every complete network it builds).
fn insert_unbeaten<T>(front: &mut Vec<T>, p: T, sc: impl Fn(&T) -> (f64, f64)) {
    let (s, k) = sc(&p);
    let slack = k + super::FRONT_TOLERANCE * k.abs();
    let below = front.partition_point(|q| sc(q).1 <= slack);
    if below > 0 {
        let (qs, qc) = sc(&front[below - 1]);
        if super::weakly_dominates(qs, qc, s, k) {
            return;
        }
    }
    front.retain(|q| {
        let (qs, qc) = sc(q);
        !super::weakly_dominates(s, k, qs, qc)
    });
    let at = front.partition_point(|q| sc(q).1 < k);
    front.insert(at, p);
}

fn metric_index(m: Metric) -> usize {
    match m {
        Metric::Latency => 0,
        Metric::Energy => 1,
        Metric::Area => 2,
        _ => 3,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_unbeaten_filter_takes_a_state_nothing_reaches_with_any_number_of_sums() {
        for k in 0..=5 {
            let dims: Vec<(usize, f64)> = (0..k).map(|i| (i, -1.0)).collect();
            let mut none: Vec<Entry> = Vec::new();
            unbeaten_entries(&mut none, &dims, |_| false);
            assert!(none.is_empty());
        }
    }
}
