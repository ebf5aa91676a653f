//! NN-Degree: the average in-degree of each cell's channel graph, summed over cells.
//!
//! Two independent implementations (the derivation is in docs/nn-degree.md):
//! * [`nn_degree`] / [`per_cell`]: closed forms, in each family's file, O(1) per
//!   cell, no allocation; this is what the search evaluates billions of times.
//! * [`graph`]: builds the channel graph from the layer walk's channel reads
//!   (one node per output channel of every layer that has nodes, an edge per
//!   input channel read and per shortcut) and averages in-degrees.
//!
//! Property tests check that the two agree on every family.

use crate::space::dense;
use crate::space::{Architecture, Cell, Frame};
use crate::workload::{self, LayerKind, LayerSpec, Piece, Reads, Role, Sink, Skip, INPUT, VOID};
use serde::Serialize;

/// ḡ of the last cell of `cells` and the channels that cell outputs: the
/// per-cell terms of the exact search, which adds cells one at a time.
pub fn last_cell(frame: &Frame, cells: &[Cell]) -> (f64, u64) {
    frame.family.last_cell(frame, cells)
}

/// NN-Degree of each cell of the network (closed form).
pub fn per_cell(frame: &Frame, cells: &[Cell]) -> Vec<f64> {
    let mut out = Vec::with_capacity(cells.len());
    frame.family.degrees(frame, cells, &mut |g| out.push(g));
    out
}

/// NN-Degree g = Σ_c ḡ_c (closed form, no allocation).
#[inline]
pub fn nn_degree(frame: &Frame, cells: &[Cell]) -> f64 {
    if dense::is_flash_dense(frame) {
        return dense::flash_degree(cells);
    }
    let mut sum = -0.0;
    frame.family.degrees(frame, cells, &mut |g| sum += g);
    sum
}

/// The channel graph of one cell.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct CellGraph {
    pub nodes: u64,
    pub edges: u64,
    /// Average in-degree ḡ_c = edges / nodes (0 for a cell without nodes).
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

/// What a layer's output channels are in the graph.
enum Output {
    /// Nodes from this id on.
    Nodes,
    /// No nodes of its own: each channel passes on this many edges from the
    /// nodes behind it (a pooling or the identity one each, a convolution on a
    /// DAG cell's edge every channel it reads, zeros none).
    Through(Vec<u32>),
}

/// Builds the channel graph node by node: each output channel's in-edges come
/// from the pieces its layer reads, each piece checked against the layer that
/// produced it; a layer without nodes is looked through to the nodes it reads.
struct GraphBuilder {
    layers: Vec<(Output, u32)>,
    /// In-degree and cell of every node.
    in_degree: Vec<u32>,
    node_cell: Vec<u32>,
}

impl GraphBuilder {
    fn check_piece(&self, p: &Piece) {
        if p.layer != INPUT && p.layer != VOID {
            let l = p.layer as usize;
            assert!(l < self.layers.len(), "piece reads a layer not yet built");
            assert!(p.start + p.len <= self.layers[l].1, "piece reads past a layer's channels");
        }
    }

    /// Edges into a reader of channel `k` of piece `p`.
    fn channel(&self, p: &Piece, k: u32) -> u32 {
        match p.layer {
            INPUT => 1,
            VOID => 0,
            l => match &self.layers[l as usize].0 {
                Output::Nodes => 1,
                Output::Through(each) => each[(p.start + k) as usize],
            },
        }
    }

    /// Edges into a reader of every channel of `p`.
    fn all(&self, p: &Piece) -> u32 {
        match p.layer {
            INPUT => p.len,
            VOID => 0,
            l => match &self.layers[l as usize].0 {
                Output::Nodes => p.len,
                Output::Through(each) => {
                    each[p.start as usize..(p.start + p.len) as usize].iter().sum()
                }
            },
        }
    }

    /// Edges into channel `o` of the concatenation of `pieces`.
    fn concatenated(&self, pieces: &[Piece], mut o: u32) -> u32 {
        for p in pieces {
            if o < p.len {
                return self.channel(p, o);
            }
            o -= p.len;
        }
        0
    }

    /// Edges into output channel `o` from the additive inputs.
    fn added(&self, shortcuts: &[Skip], o: u32) -> u32 {
        shortcuts
            .iter()
            .map(|s| match s {
                Skip::Identity(p) => {
                    self.check_piece(p);
                    if o < p.len {
                        self.channel(p, o)
                    } else {
                        0
                    }
                }
                Skip::Projection(p) => {
                    self.check_piece(p);
                    self.all(p)
                }
            })
            .sum()
    }
}

impl Sink for GraphBuilder {
    const READS: bool = true;

    fn layer(&mut self, spec: &LayerSpec, reads: Reads<'_>) {
        for p in reads.pieces {
            self.check_piece(p);
        }
        let c = spec.output.c;
        if !spec.has_nodes() {
            // Looked through by whatever reads it.
            let each: Vec<u32> = (0..c)
                .map(|o| match spec.kind {
                    LayerKind::Sum => self.added(reads.shortcuts, o),
                    LayerKind::Conv | LayerKind::Linear => {
                        reads.pieces.iter().map(|p| self.all(p)).sum::<u32>()
                            + self.added(reads.shortcuts, o)
                    }
                    _ => self.concatenated(reads.pieces, o) + self.added(reads.shortcuts, o),
                })
                .collect();
            self.layers.push((Output::Through(each), c));
            return;
        }
        if spec.kind != LayerKind::Sum {
            let read_channels: u32 = reads.pieces.iter().map(|p| p.len).sum();
            assert_eq!(
                read_channels, spec.input.c,
                "a layer's reads must cover its input channels"
            );
        }
        let full: u32 = reads.pieces.iter().map(|p| self.all(p)).sum();
        for o in 0..c {
            let d = match spec.kind {
                // Channel o of a depthwise conv reads input channel o alone.
                LayerKind::Depthwise => self.concatenated(reads.pieces, o),
                // A node of a DAG cell reads only through its edges.
                LayerKind::Sum => 0,
                // Every other layer reads every channel of every piece.
                _ => full,
            } + self.added(reads.shortcuts, o);
            self.in_degree.push(d);
            // Transitions sit between cells: their nodes belong to none.
            self.node_cell.push(if spec.role == Role::Transition { 0 } else { spec.cell });
        }
        self.layers.push((Output::Nodes, c));
    }
}

/// NN-Degree from the explicit channel graph.
pub fn graph(arch: &Architecture) -> GraphDegree {
    let mut b = GraphBuilder { layers: Vec::new(), in_degree: Vec::new(), node_cell: Vec::new() };
    workload::walk(arch.frame(), arch.cells(), &mut b);
    let count = per_cell(arch.frame(), arch.cells()).len();
    let mut cells = vec![CellGraph::default(); count];
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
        c.degree = if c.nodes == 0 { 0.0 } else { c.edges as f64 / c.nodes as f64 };
    }
    let nn_degree = cells.iter().map(|c| c.degree).sum();
    GraphDegree { cells, nodes: b.in_degree.len() as u64, edges, nn_degree }
}
