//! NN-Degree: the average in-degree of each cell's channel graph, summed over cells.
//!
//! Two independent implementations (the derivation is in docs/nn-degree.md):
//! * [`nn_degree`] / [`per_cell`]: closed forms per family, O(1) per cell, no
//!   allocation; this is what the search evaluates billions of times.
//! * [`graph`]: builds the channel graph from the layer walk's channel reads
//!   (one node per output channel of every conv, depthwise conv or linear layer,
//!   an edge per input channel read and per shortcut) and averages in-degrees.
//!
//! Property tests check that the two agree on every family.

use crate::space::{Architecture, Cell, Family, Frame, Shortcut, ALL};
use crate::workload::{self, LayerKind, LayerSpec, Reads, Role, Sink, Skip};
use serde::Serialize;

/// Σ_{k=0}^{n-1} min(t, c + k·w): the skip channels read by n successive dense
/// layers when the pool they can draw from grows by w per layer from c.
///
/// Branch-free on purpose: whether t exceeds c is a coin flip over a search
/// space, and mispredicted branches cost more than the arithmetic (docs/benchmarks.md).
#[inline]
fn capped_sum(t: u32, c: u64, w: u64, n: u64) -> u64 {
    // t = ALL caps nothing: every term stays below it.
    let t = if t == ALL { u64::MAX / 4 } else { t as u64 };
    // k* = how many of the n terms are still below the cap t.
    let below = t.saturating_sub(c).div_ceil(w).min(n);
    // With t = ALL, below = n and the last term is 0·t.
    below * c + w * below * below.saturating_sub(1) / 2 + (n - below) * t
}

#[inline]
fn capped(t: u32, available: u64) -> u64 {
    if t == ALL {
        available
    } else {
        (t as u64).min(available)
    }
}

/// (edge count, node count) of one cell's channel graph, and the channel count
/// of the tensor the cell outputs, given the channels entering it.
#[inline]
fn cell_graph(frame: &Frame, cell: &Cell, c_in: u64) -> (u64, u64, u64) {
    let d = cell.depth as u64;
    match frame.family {
        Family::Dense => {
            let w = cell.width as u64;
            // Σ_j in_j = c_in + (d-1)·w + T, T = Σ_{j=2..d} min(t, c_in + (j-2)·w).
            let reads = c_in + (d - 1) * w + capped_sum(cell.skip, c_in, w, d - 1);
            let out = w + capped(cell.skip, c_in + (d - 1) * w);
            match frame.options.bottleneck as u64 {
                0 => (w * reads, d * w, out),
                b => (b * w * reads + d * w * b * w, d * (b + 1) * w, out),
            }
        }
        Family::Res | Family::WideRes => {
            let w = frame.effective_width(cell) as u64;
            let kept = if cell.skip == ALL { d } else { (cell.skip as u64).min(d) };
            // conv1 reads the block input, conv2 reads conv1; each kept shortcut adds
            // one edge per channel it feeds.
            let mut edges = w * c_in + (d - 1) * w * w + d * w * w;
            let nodes = 2 * d * w;
            // Blocks 2..d keep identity shortcuts from the back: min(kept, d-1) of them.
            edges += kept.min(d - 1) * w;
            // Block 1 keeps its shortcut only when every block does.
            if kept == d {
                let changes = c_in != w || cell.stride != 1;
                if !changes {
                    edges += w;
                } else if frame.options.shortcut == Shortcut::Pad {
                    edges += c_in.min(w);
                } else {
                    // A 1×1 projection: every output channel reads every input channel.
                    edges += w * c_in;
                }
            }
            (edges, nodes, w)
        }
        Family::Mobile => {
            let w = cell.width as u64;
            let e = cell.expansion as u64;
            let kept = if cell.skip == ALL { d } else { (cell.skip as u64).min(d) };
            let block = |c: u64, skip: bool| -> (u64, u64) {
                let h = c * e;
                let (expand_edges, expand_nodes) = if e == 1 { (0, 0) } else { (h * c, h) };
                (expand_edges + h + w * h + if skip { w } else { 0 }, expand_nodes + h + w)
            };
            let first_skip = kept == d && cell.stride == 1 && c_in == w;
            let (e1, n1) = block(c_in, first_skip);
            let rest = d - 1;
            let skips_rest = kept.min(rest);
            let (er, nr) = block(w, false);
            (e1 + rest * er + skips_rest * w, n1 + rest * nr, w)
        }
    }
}

/// Channels entering cell `index` given the previous cell's output channels.
#[inline]
fn cell_input(frame: &Frame, cells: &[Cell], index: usize, prev_out: u64) -> u64 {
    if index == 0 {
        return workload::stem_width(frame, cells) as u64;
    }
    match frame.family {
        Family::Dense => match frame.options.compression_milli {
            Some(m) => (prev_out * m as u64 / 1000).max(1),
            None => cells[index].width as u64,
        },
        _ => prev_out,
    }
}

/// ḡ_c of each cell in order (general closed form, no allocation).
fn cell_degrees<'a>(frame: &'a Frame, cells: &'a [Cell]) -> impl Iterator<Item = f64> + 'a {
    let mut prev = 0;
    cells.iter().enumerate().map(move |(i, cell)| {
        let c_in = cell_input(frame, cells, i, prev);
        let (edges, nodes, cell_out) = cell_graph(frame, cell, c_in);
        prev = cell_out;
        // Through i64: one instruction, where u64 → f64 needs a sequence.
        edges as i64 as f64 / nodes as i64 as f64
    })
}

/// ḡ of the last cell of `cells` and the channels that cell outputs: the
/// per-cell terms of the exact search, which adds cells one at a time.
pub fn last_cell(frame: &Frame, cells: &[Cell]) -> (f64, u64) {
    let mut prev = 0;
    let mut last = (0.0, 0);
    for (i, cell) in cells.iter().enumerate() {
        let c_in = cell_input(frame, cells, i, prev);
        let (edges, nodes, out) = cell_graph(frame, cell, c_in);
        prev = out;
        last = (edges as i64 as f64 / nodes as i64 as f64, out);
    }
    last
}

/// NN-Degree of each cell (closed form).
pub fn per_cell(frame: &Frame, cells: &[Cell]) -> Vec<f64> {
    cell_degrees(frame, cells).collect()
}

/// Whether every cell of the frame starts from exactly `w` channels: FLASH's
/// DenseNet-type space (stem and transitions map to the cell's width, no
/// bottleneck). There ḡ_c = w + T/d (docs/nn-degree.md).
#[inline]
fn is_flash_dense(frame: &Frame) -> bool {
    frame.family == Family::Dense
        && frame.options.bottleneck == 0
        && frame.options.compression_milli.is_none()
        && frame.options.stem.is_none()
}

/// NN-Degree g = Σ_c ḡ_c (closed form, no allocation).
#[inline]
pub fn nn_degree(frame: &Frame, cells: &[Cell]) -> f64 {
    if is_flash_dense(frame) {
        // The search's hot path: one division per cell, no dispatch.
        return cells
            .iter()
            .map(|c| {
                let (d, w) = (c.depth as u64, c.width as u64);
                c.width as f64 + capped_sum(c.skip, w, w, d - 1) as i64 as f64 / d as f64
            })
            .sum();
    }
    cell_degrees(frame, cells).sum()
}

/// The channel graph of one cell.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct CellGraph {
    pub nodes: u64,
    pub edges: u64,
    /// Average in-degree ḡ_c = edges / nodes.
    pub degree: f64,
}

/// NN-Degree computed on the explicit channel graph.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct GraphDegree {
    pub cells: Vec<CellGraph>,
    /// Nodes and edges of the whole network (stem, transitions and classifier too).
    pub nodes: u64,
    pub edges: u64,
    pub nn_degree: f64,
}

/// Builds the channel graph node by node: each output channel's in-edges come
/// from the pieces its layer reads, each piece checked against the layer that
/// produced it.
struct GraphBuilder {
    /// Node id of the first output channel of each emitted layer (u64::MAX: no nodes).
    layer_first_node: Vec<u64>,
    layer_channels: Vec<u32>,
    /// In-degree and cell of every node.
    in_degree: Vec<u32>,
    node_cell: Vec<u32>,
}

impl GraphBuilder {
    fn check_piece(&self, p: &crate::workload::Piece) {
        if p.layer != workload::INPUT {
            let l = p.layer as usize;
            assert!(l < self.layer_first_node.len(), "piece reads a layer not yet built");
            assert!(self.layer_first_node[l] != u64::MAX, "piece reads a layer without channels");
            assert!(
                p.start + p.len <= self.layer_channels[l],
                "piece reads past a layer's channels"
            );
        }
    }
}

impl Sink for GraphBuilder {
    const READS: bool = true;

    fn layer(&mut self, spec: &LayerSpec, reads: Reads<'_>) {
        self.layer_channels.push(spec.output.c);
        if !spec.has_nodes() {
            self.layer_first_node.push(u64::MAX);
            return;
        }
        self.layer_first_node.push(self.in_degree.len() as u64);
        for p in reads.pieces {
            self.check_piece(p);
        }
        let read_channels: u32 = reads.pieces.iter().map(|p| p.len).sum();
        assert_eq!(read_channels, spec.input.c, "a layer's reads must cover its input channels");
        for o in 0..spec.output.c {
            let mut d = match spec.kind {
                // Channel o of a depthwise conv reads input channel o alone.
                LayerKind::Depthwise => 1,
                // Every other layer reads every channel of every piece.
                _ => reads.pieces.iter().map(|p| p.len).sum(),
            };
            match reads.shortcut {
                Some(Skip::Identity(s)) => {
                    self.check_piece(&s);
                    d += (o < s.len) as u32;
                }
                Some(Skip::Projection(s)) => {
                    self.check_piece(&s);
                    d += s.len;
                }
                None => {}
            }
            self.in_degree.push(d);
            // Transitions sit between cells: their nodes belong to none.
            self.node_cell.push(if spec.role == Role::Transition { 0 } else { spec.cell });
        }
    }
}

/// NN-Degree from the explicit channel graph.
pub fn graph(arch: &Architecture) -> GraphDegree {
    let mut b = GraphBuilder {
        layer_first_node: Vec::new(),
        layer_channels: Vec::new(),
        in_degree: Vec::new(),
        node_cell: Vec::new(),
    };
    workload::walk(arch.frame(), arch.cells(), &mut b);
    let mut cells = vec![CellGraph::default(); arch.cells().len()];
    let mut edges = 0;
    for (&d, &c) in b.in_degree.iter().zip(&b.node_cell) {
        edges += d as u64;
        if c > 0 {
            let cell = &mut cells[c as usize - 1];
            cell.nodes += 1;
            cell.edges += d as u64;
        }
    }
    for c in &mut cells {
        c.degree = c.edges as f64 / c.nodes as f64;
    }
    let nn_degree = cells.iter().map(|c| c.degree).sum();
    GraphDegree { cells, nodes: b.in_degree.len() as u64, edges, nn_degree }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capped_sum_matches_the_loop() {
        for t in [0, 1, 5, 17, 40, 100, ALL] {
            for c in [1u64, 8, 24] {
                for w in [1u64, 8, 12] {
                    for n in 0..12u64 {
                        let direct: u64 = (0..n).map(|k| capped(t, c + k * w)).sum();
                        assert_eq!(capped_sum(t, c, w, n), direct, "t={t} c={c} w={w} n={n}");
                    }
                }
            }
        }
    }
}
