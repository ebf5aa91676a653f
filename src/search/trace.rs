//! What a search evaluated, kept for the page's charts, step mode and the
//! trace CSV: a [`Trace`] is an [`Observer`] that records every exact
//! evaluation, every point SHGO evaluated on a relaxation, its local minima and
//! where each SHGO iteration ended.

use super::{Cost, Observer, Point};
use serde::Serialize;

/// Everything a search evaluated, for plotting (the page's charts).
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Trace {
    /// Exactly evaluated networks, in evaluation order (at most [`TRACE_LIMIT`]).
    pub evaluated: Vec<TracePoint>,
    /// SHGO's sampling and local-search points on the relaxations.
    pub relaxed: Vec<RelaxedPoint>,
    /// SHGO's local minima on the relaxations.
    pub minimizers: Vec<RelaxedPoint>,
    /// The end of every SHGO iteration, in order: how far the other lists had
    /// grown by then (the page steps through a search with these).
    pub iterations: Vec<IterationMark>,
    /// SHGO's simplicial complex at the end of each iteration, where the level sampled one
    /// (the page's SHGO chart draws its edges); not written out with the trace.
    #[serde(skip)]
    pub complexes: Vec<ComplexShot>,
    /// Whether points were left out past the limit.
    pub truncated: bool,
    /// The edges of `complexes`, all together (held against [`COMPLEX_EDGE_LIMIT`]).
    #[serde(skip)]
    complex_edges: usize,
}

/// SHGO's complex at one level at the end of one iteration.
#[derive(Clone, Debug, PartialEq)]
pub struct ComplexShot {
    pub level: String,
    pub hw: usize,
    /// The index in [`Trace::iterations`] of the iteration it ends.
    pub iteration: usize,
    pub vertices: Vec<Vec<f64>>,
    /// Pairs of vertex numbers, the lower first.
    pub edges: Vec<(u32, u32)>,
}

/// Most edges of all complexes a trace keeps (a knob search has one per configuration,
/// level and iteration).
pub const COMPLEX_EDGE_LIMIT: usize = 400_000;

/// Where one SHGO iteration of a FLASH level ended.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct IterationMark {
    pub level: String,
    pub hw: usize,
    /// SHGO's iteration number within its run (1-based).
    pub iteration: usize,
    /// Lengths of `relaxed`, `minimizers` and `evaluated` at the end of it.
    pub relaxed: usize,
    pub minimizers: usize,
    pub evaluated: usize,
    /// Vertices of SHGO's complex (or samples) by then.
    pub vertices: usize,
    /// SHGO's lowest relaxed value by then.
    pub best: Option<f64>,
}

/// Most points of each kind a trace keeps.
pub const TRACE_LIMIT: usize = 100_000;

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TracePoint {
    pub hw: usize,
    pub config: Vec<u32>,
    pub score: f64,
    pub latency_s: f64,
    pub energy_j: f64,
    pub area_mm2: f64,
    pub memory_bytes: f64,
    pub feasible: bool,
}

impl TracePoint {
    /// The point's cost of a kind, as [`Metrics::cost`](super::Metrics::cost) computes it.
    pub fn cost(&self, cost: Cost) -> f64 {
        cost.of(self.latency_s, self.energy_j, self.area_mm2, self.memory_bytes)
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RelaxedPoint {
    pub level: String,
    pub hw: usize,
    pub x: Vec<f64>,
    pub f: f64,
}

impl Observer for Trace {
    fn evaluated(&mut self, p: &Point) {
        if self.evaluated.len() >= TRACE_LIMIT {
            self.truncated = true;
            return;
        }
        let m = &p.metrics;
        self.evaluated.push(TracePoint {
            hw: p.hw,
            config: p.config.clone(),
            score: m.score(),
            latency_s: m.latency_s,
            energy_j: m.energy_j,
            area_mm2: m.area_mm2,
            memory_bytes: m.memory_bytes,
            feasible: p.verdict.feasible,
        });
    }

    fn relaxed(&mut self, level: &str, hw: usize, x: &[f64], f: f64) {
        if self.relaxed.len() >= TRACE_LIMIT {
            self.truncated = true;
            return;
        }
        self.relaxed.push(RelaxedPoint { level: level.to_string(), hw, x: x.to_vec(), f });
    }

    fn minimizer(&mut self, level: &str, hw: usize, x: &[f64], f: f64) {
        if self.minimizers.len() >= TRACE_LIMIT {
            self.truncated = true;
            return;
        }
        self.minimizers.push(RelaxedPoint { level: level.to_string(), hw, x: x.to_vec(), f });
    }

    /// Past the iterations' limit no mark would name a complex: SHGO need not collect it.
    fn wants_complex(&self) -> bool {
        self.iterations.len() < TRACE_LIMIT
    }

    fn complex(&mut self, level: &str, hw: usize, vertices: &[&[f64]], edges: &[(usize, usize)]) {
        // Past the limit a level's chart draws its points without the complex.
        if self.complex_edges + edges.len() > COMPLEX_EDGE_LIMIT || !self.wants_complex() {
            return;
        }
        self.complex_edges += edges.len();
        self.complexes.push(ComplexShot {
            level: level.to_string(),
            hw,
            iteration: self.iterations.len(),
            vertices: vertices.iter().map(|v| v.to_vec()).collect(),
            edges: edges.iter().map(|&(a, b)| (a as u32, b as u32)).collect(),
        });
    }

    fn iteration(&mut self, level: &str, hw: usize, state: &crate::shgo::IterationState) {
        if self.iterations.len() >= TRACE_LIMIT {
            self.truncated = true;
            return;
        }
        self.iterations.push(IterationMark {
            level: level.to_string(),
            hw,
            iteration: state.iteration,
            relaxed: self.relaxed.len(),
            minimizers: self.minimizers.len(),
            evaluated: self.evaluated.len(),
            vertices: state.vertices,
            best: state.best.as_ref().map(|b| b.1),
        });
    }
}
