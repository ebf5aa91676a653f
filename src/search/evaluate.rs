//! Evaluating one network for a search: its metrics (quality and costs) and its
//! verdict under the goal, and the lattice that indexes the space's networks.

use super::goal::{Cost, Goal, Metric, Objective, Verdict, LIMIT_TOLERANCE};
use crate::degree;
use crate::hardware::{Context, HardwareModel, LayerCost, Profile};
use crate::predictor::Predictor;
use crate::space::{Cell, Frame, SearchSpace, Values, MAX_COORDS};
use crate::workload::{self, LayerSpec, Reads, Sink};
use serde::Serialize;

/// What "accuracy" means in a search.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Quality {
    /// No trained samples: NN-Degree itself. FLASH's predictors are increasing
    /// in NN-Degree, so the ranking is the one a log-degree fit would give, but
    /// there is no accuracy to report.
    Degree,
    /// A predictor fitted on trained samples (`predictor::fit`).
    Predictor { predictor: Predictor, samples: usize, source: String },
    /// NAS-Bench-201's own accuracy of each cell (the problem's
    /// [`Benchmark::truth`]): the oracle a predictor is measured against.
    Truth { column: &'static str },
}

impl Quality {
    /// Predicted accuracy, or `None` for the NN-Degree proxy. A fit in ln
    /// features grows without bound, so networks beyond the samples' range
    /// would be predicted past 100 %: accuracy is a fraction, so it is clamped
    /// to [0, 1], and among networks predicted perfect the goal's tiebreak
    /// (the cheaper one) decides (docs/predictor.md).
    #[inline]
    pub fn accuracy(&self, nn_degree: f64, params: u64, macs: u64) -> Option<f64> {
        match self {
            Quality::Degree | Quality::Truth { .. } => None,
            Quality::Predictor { predictor, .. } => {
                Some(predictor.predict(nn_degree, params, macs).clamp(0.0, 1.0))
            }
        }
    }

    /// The predictor a fit chose.
    pub fn fitted(report: &crate::predictor::FitReport) -> Quality {
        Quality::Predictor {
            predictor: report.chosen.clone(),
            samples: report.samples,
            source: "the given sample set".into(),
        }
    }

    pub fn describe(&self) -> String {
        match self {
            Quality::Degree => "NN-Degree (no sample set given: the search ranks by NN-Degree, FLASH's accuracy proxy)".into(),
            Quality::Predictor { predictor, samples, source } => {
                format!("{} predictor fitted on {samples} trained networks ({source})", predictor.model.name())
            }
            Quality::Truth { column } => {
                format!("NAS-Bench-201's own {column} (the truth, not a prediction: the oracle)")
            }
        }
    }

    /// The sign with which each of NN-Degree, params and MACs moves the score
    /// (0: no effect). The exact search keeps only partial networks that no
    /// other beats in these directions.
    pub fn directions(&self) -> [f64; 3] {
        match self {
            Quality::Degree | Quality::Truth { .. } => [1.0, 0.0, 0.0],
            Quality::Predictor { predictor, .. } => {
                let mut d = [0.0; 3];
                for (i, c) in predictor.coef.iter().enumerate().take(3) {
                    d[i] = if *c > 0.0 {
                        1.0
                    } else if *c < 0.0 {
                        -1.0
                    } else {
                        0.0
                    };
                }
                d
            }
        }
    }
}

/// What a search reads from NAS-Bench-201's tables (data/nb201/) instead of a
/// model, in an nb201 space: each cell's true accuracy, shown beside the
/// predicted one (and ranked by with [`Quality::Truth`]), and the measured
/// latency of a device, standing in for the hardware model's.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Benchmark {
    pub truth: Option<std::sync::Arc<crate::nasbench::Column>>,
    pub latency: Option<std::sync::Arc<crate::nasbench::Column>>,
}

impl Benchmark {
    /// No table: every metric from the models.
    pub fn none() -> Benchmark {
        Benchmark::default()
    }

    /// The true accuracy of an nb201 network, as a fraction.
    #[inline]
    pub fn truth_of(&self, cells: &[Cell]) -> Option<f64> {
        self.truth.as_ref().map(|c| c.of(cells) / 100.0)
    }

    /// The measured latency of an nb201 network, in seconds.
    #[inline]
    pub fn latency_of(&self, cells: &[Cell]) -> Option<f64> {
        self.latency.as_ref().map(|c| c.of(cells) / 1000.0)
    }

    pub fn is_none(&self) -> bool {
        self.truth.is_none() && self.latency.is_none()
    }
}

/// Everything a goal can ask about one network on one hardware configuration.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Metrics {
    pub nn_degree: f64,
    pub params: u64,
    pub macs: u64,
    /// Predicted accuracy; `None` with the NN-Degree proxy.
    pub accuracy: Option<f64>,
    /// NAS-Bench-201's accuracy of the network (an nb201 space with a benchmark column).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub true_accuracy: Option<f64>,
    pub latency_s: f64,
    pub energy_j: f64,
    pub area_mm2: f64,
    pub memory_bytes: f64,
}

impl Metrics {
    /// What "accuracy" goals maximize: predicted accuracy, else NN-Degree.
    #[inline]
    pub fn score(&self) -> f64 {
        self.accuracy.unwrap_or(self.nn_degree)
    }

    #[inline]
    pub fn cost(&self, cost: Cost) -> f64 {
        cost.of(self.latency_s, self.energy_j, self.area_mm2, self.memory_bytes)
    }

    /// A limited metric in SI units (accuracy: the score).
    #[inline]
    pub fn metric(&self, metric: Metric) -> f64 {
        match metric {
            Metric::Latency => self.latency_s,
            Metric::Energy => self.energy_j,
            Metric::Area => self.area_mm2,
            Metric::Memory => self.memory_bytes,
            Metric::Accuracy => self.score(),
            Metric::Degree => self.nn_degree,
        }
    }
}

/// What a walk has added up so far.
#[derive(Clone, Copy, Debug, Default)]
struct Tally {
    ctx: Context,
    cost: LayerCost,
    params: u64,
    macs: u64,
}

/// Totals and costs in one walk (the search's hot path).
struct MetricSink<'m> {
    model: &'m Profile,
    tally: Tally,
}

impl Sink for MetricSink<'_> {
    const READS: bool = false;
    #[inline]
    fn layer(&mut self, spec: &LayerSpec, _: Reads<'_>) {
        let t = &mut self.tally;
        let params = spec.params();
        t.cost.add(&self.model.layer_cost(spec, &t.ctx));
        t.params += params;
        t.macs += spec.macs();
        t.ctx.index += 1;
        t.ctx.params_before += params;
    }
}

/// Metrics of one network. The costs are `HardwareModel::network_cost`'s, added
/// in the same order, so they are the same bits (tests/search.rs).
pub fn metrics(
    frame: &Frame,
    cells: &[Cell],
    profile: &Profile,
    quality: &Quality,
    bench: &Benchmark,
) -> Metrics {
    let mut sink = MetricSink { model: profile, tally: Tally::default() };
    workload::walk(frame, cells, &mut sink);
    finish(frame, cells, profile, quality, bench, &sink.tally)
}

fn finish(
    frame: &Frame,
    cells: &[Cell],
    profile: &Profile,
    quality: &Quality,
    bench: &Benchmark,
    tally: &Tally,
) -> Metrics {
    let mut cost = tally.cost;
    cost.add(&profile.network_cost_fixed(&tally.cost));
    let nn_degree = degree::nn_degree(frame, cells);
    let true_accuracy = bench.truth_of(cells);
    let accuracy = match quality {
        Quality::Truth { .. } => true_accuracy,
        // No path from input to output: chance, whatever a fit of connected networks says.
        Quality::Predictor { .. } if nn_degree == 0.0 => {
            Some(crate::predictor::chance(frame.dataset.classes))
        }
        _ => quality.accuracy(nn_degree, tally.params, tally.macs),
    };
    Metrics {
        nn_degree,
        params: tally.params,
        macs: tally.macs,
        accuracy,
        true_accuracy,
        latency_s: bench.latency_of(cells).unwrap_or(cost.latency),
        energy_j: cost.energy,
        area_mm2: cost.area,
        // The layers' alone: a model's fixed part holds no memory (HardwareModel).
        memory_bytes: tally.cost.weight_bytes + tally.cost.activation_bytes,
    }
}

/// [`metrics`] of networks evaluated one after another, walking each from the
/// first cell where it differs from the previous one. A search evaluates
/// neighbours in runs (a knapsack table holds the cells before the one it
/// varies; a descent steps one coordinate), so most walks start past the first
/// cell. The layers are added in the same order from the same sums, so the
/// metrics are the same bits as [`metrics`]'.
#[derive(Default)]
pub struct PrefixWalk {
    hw: usize,
    cells: Vec<Cell>,
    /// `before[c]`: where the walk stood, and its tally, after the stem (which
    /// reads the first cell) and cells 0..=c.
    before: Vec<(workload::Resume, Tally)>,
}

impl PrefixWalk {
    /// `hw` names the profile: one walker must see the same frame throughout
    /// and the same profile under each `hw` (a Session's hardware list).
    pub fn metrics(
        &mut self,
        hw: usize,
        frame: &Frame,
        cells: &[Cell],
        profile: &Profile,
        quality: &Quality,
        bench: &Benchmark,
    ) -> Metrics {
        let same = if hw == self.hw && self.cells.len() == cells.len() {
            cells.iter().zip(&self.cells).take_while(|(a, b)| a == b).count()
        } else {
            0
        };
        // Walks resume after the last cell that is the same (the first cell
        // also fixes the stem, so a new first cell walks from the start).
        self.before.truncate(same);
        let (mut at, mut sink) = match self.before.last() {
            Some((at, tally)) => (at.clone(), MetricSink { model: profile, tally: *tally }),
            None => {
                let mut sink = MetricSink { model: profile, tally: Tally::default() };
                let at = workload::walk_prefix(frame, cells, 1, &mut sink);
                self.before.push((at.clone(), sink.tally));
                (at, sink)
            }
        };
        for c in self.before.len()..cells.len() {
            at = workload::walk_cells(frame, cells, c..c + 1, at, &mut sink);
            self.before.push((at.clone(), sink.tally));
        }
        workload::walk_tail(frame, at, &mut sink);
        self.hw = hw;
        self.cells.clear();
        self.cells.extend_from_slice(cells);
        finish(frame, cells, profile, quality, bench, &sink.tally)
    }
}

/// The verdict of a goal on some metrics.
#[inline]
pub fn judge(goal: &Goal, m: &Metrics) -> Verdict {
    let mut violation = 0.0;
    for l in &goal.limits {
        let (v, lim) = (m.metric(l.metric), l.si());
        let excess = if l.metric.is_floor() { 1.0 - v / lim } else { v / lim - 1.0 };
        if excess > LIMIT_TOLERANCE {
            violation += excess;
        }
    }
    let (objective, tiebreak) = match goal.objective {
        Objective::Pareto(c) => (-m.score(), m.cost(c)),
        Objective::MaxAccuracy => {
            // Among equally good networks prefer the one cheaper in the first limited cost.
            let tie = goal
                .limits
                .iter()
                .find(|l| !l.metric.is_floor())
                .map_or(Metric::Latency, |l| l.metric);
            (-m.score(), m.metric(tie))
        }
        Objective::MinCost(c) => (m.cost(c), -m.score()),
    };
    Verdict { feasible: violation == 0.0, violation, objective, tiebreak }
}

/// The networks of a space as points of an integer lattice: one coordinate per
/// coordinate of each cell (the family's: d, w, t, e; NAS-Bench-201's six
/// edges), an index into that coordinate's values.
#[derive(Clone, Debug, PartialEq)]
pub struct Lattice {
    ranges: Vec<Values>,
    strides: Vec<u32>,
    per_cell: usize,
    categorical: Vec<bool>,
    shared_axes: Vec<Vec<usize>>,
    cell_blocks: Vec<std::ops::Range<usize>>,
}

impl Lattice {
    pub fn new(space: &SearchSpace) -> Lattice {
        let family = space.frame().family;
        let coords = family.coordinates();
        let per_cell = coords.len();
        let mut ranges = Vec::new();
        let mut categorical = Vec::new();
        for r in space.cells() {
            ranges.extend_from_slice(&r.coords[..per_cell]);
            categorical.extend(coords.iter().map(|c| c.is_categorical()));
        }
        Lattice {
            ranges,
            strides: space.cells().iter().map(|r| r.stride).collect(),
            per_cell,
            categorical,
            shared_axes: family.shared_axes(),
            cell_blocks: family.blocks(),
        }
    }

    pub fn dims(&self) -> usize {
        self.ranges.len()
    }

    pub fn cells_count(&self) -> usize {
        self.strides.len()
    }

    /// Coordinates per cell.
    #[inline]
    pub fn per_cell(&self) -> usize {
        self.per_cell
    }

    /// The cell coordinate `k` belongs to.
    #[inline]
    pub fn cell_of(&self, k: usize) -> usize {
        k / self.per_cell
    }

    /// Values coordinate `k` takes.
    #[inline]
    pub fn len(&self, k: usize) -> u32 {
        self.ranges[k].len()
    }

    /// Whether coordinate `k` names categories (a step may go to any other value).
    #[inline]
    pub fn is_categorical(&self, k: usize) -> bool {
        self.categorical[k]
    }

    pub fn is_empty(&self) -> bool {
        self.ranges.is_empty()
    }

    /// Coordinates with more than one value.
    pub fn free(&self) -> Vec<usize> {
        (0..self.dims()).filter(|&k| self.len(k) > 1).collect()
    }

    /// Groups of a cell's coordinates FLASH's shared level moves together (in-cell indices).
    pub fn shared_axes(&self) -> &[Vec<usize>] {
        &self.shared_axes
    }

    /// The lattice coordinates of every block of every cell (FLASH's cell
    /// level searches a block at a time; its joint level and its knapsack move
    /// trade between blocks).
    pub fn blocks(&self) -> Vec<std::ops::Range<usize>> {
        (0..self.cells_count())
            .flat_map(|c| {
                self.cell_blocks
                    .iter()
                    .map(move |b| c * self.per_cell + b.start..c * self.per_cell + b.end)
            })
            .collect()
    }

    /// The name of block `b` in a search's trace (the SHGO chart's level):
    /// `cell N`, or `cell N.I` where a cell has several blocks.
    pub fn block_name(&self, b: usize) -> String {
        let per = self.cell_blocks.len();
        if per == 1 {
            format!("cell {}", b + 1)
        } else {
            format!("cell {}.{}", b / per + 1, b % per + 1)
        }
    }

    /// How many blocks a cell has.
    pub fn blocks_per_cell(&self) -> usize {
        self.cell_blocks.len()
    }

    /// The lattice coordinates of block `b`.
    pub fn block(&self, b: usize) -> std::ops::Range<usize> {
        let per = self.cell_blocks.len();
        let (c, r) = (b / per, &self.cell_blocks[b % per]);
        c * self.per_cell + r.start..c * self.per_cell + r.end
    }

    /// The block coordinate `k` belongs to (an index into [`blocks`](Self::blocks)).
    pub fn block_of(&self, k: usize) -> usize {
        let (c, j) = (k / self.per_cell, k % self.per_cell);
        c * self.cell_blocks.len()
            + self.cell_blocks.iter().position(|b| b.contains(&j)).unwrap_or(0)
    }

    /// The cells of a lattice point.
    #[inline]
    pub fn cells_into(&self, idx: &[u32], out: &mut Vec<Cell>) {
        out.clear();
        for c in 0..self.strides.len() {
            out.push(self.cell(c, &idx[c * self.per_cell..(c + 1) * self.per_cell]));
        }
    }

    pub fn cells(&self, idx: &[u32]) -> Vec<Cell> {
        let mut out = Vec::with_capacity(self.strides.len());
        self.cells_into(idx, &mut out);
        out
    }

    /// The configurations of one cell, in the space's mixed-radix order.
    pub fn cell_count(&self, cell: usize) -> u64 {
        (0..self.per_cell).map(|j| self.len(cell * self.per_cell + j) as u64).product()
    }

    /// The coordinates of configuration `x` of one cell.
    #[inline]
    pub fn cell_coords(&self, cell: usize, mut x: u64, out: &mut [u32]) {
        for j in (0..self.per_cell).rev() {
            let n = self.len(cell * self.per_cell + j) as u64;
            out[j] = (x % n) as u32;
            x /= n;
        }
    }

    /// The cell itself for configuration coordinates of cell `cell`.
    #[inline]
    pub fn cell(&self, cell: usize, coords: &[u32]) -> Cell {
        let mut values = [0u32; MAX_COORDS];
        for (j, v) in values.iter_mut().enumerate().take(self.per_cell) {
            *v = self.ranges[cell * self.per_cell + j].value(coords[j]);
        }
        Cell { coords: values, stride: self.strides[cell] }
    }
}
