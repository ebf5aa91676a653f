//! The layers of a network, as every family emits them: the vocabulary
//! ([`LayerSpec`], [`Piece`], [`Skip`]) and the [`Walker`] a family's cell
//! walk drives. The walker hands each layer to a [`Sink`]; `workload` holds the
//! sinks (totals, the named layer list, the channel reads) and `degree` the
//! channel graph. Each family's own layout is in its file (`space/dense.rs`, …).
//!
//! Conventions (why published figures differ slightly, docs/workload.md):
//! MACs count convolutions and the classifier only (not BN, activations, adds,
//! pooling); parameters are trainable weights: conv weights (no bias when a BN
//! follows), BN γ and β (running statistics are buffers, not parameters), the
//! classifier's weights and bias.

use super::{Cell, Frame};
use serde::Serialize;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LayerKind {
    Conv,
    Depthwise,
    Linear,
    AvgPool,
    GlobalAvgPool,
    /// The element-wise sum of several tensors (a NAS-Bench-201 node). Its
    /// input shape counts every term (terms × channels), what it reads.
    Sum,
    /// A `none` edge of a DAG cell: the benchmark's PyTorch model computes its input
    /// times 0 and adds it into the node. Nothing reads it (its node sums the other
    /// edges); a runtime that executes such operations pays for it (a roofline with
    /// `zero_ops`), others do not.
    Zero,
}

/// What a layer is for in its family's layout; gives layers their names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Stem,
    /// A dense layer's 3×3 convolution.
    Dense,
    /// DenseNet-B's 1×1 convolution before the 3×3.
    Bottleneck,
    Conv1,
    Conv2,
    Projection,
    Expand,
    Depthwise,
    Project,
    Transition,
    Pool,
    Head,
    GlobalPool,
    Classifier,
    /// A convolution on an edge of a DAG cell (NAS-Bench-201: ReLU-conv-BN);
    /// `block` is the edge's place in the cell string (1..=6). Part of the edge
    /// from one node to another, not a node of the channel graph.
    EdgeConv,
    /// A 3×3 average pooling on an edge of a DAG cell (stride 1).
    EdgePool,
    /// A `none` edge of a DAG cell (see [`LayerKind::Zero`]).
    EdgeZero,
    /// A node of a DAG cell (the sum of its incoming edges) on a path from the
    /// cell's input to its output; `block` is the node (1..=3).
    Node,
    /// A node the benchmark computes that no path from the cell's input to its
    /// output crosses: it carries nothing of the input to the output, so it is
    /// not part of the channel graph.
    DeadNode,
    /// NAS-Bench-201's residual reduction block between stages: the first
    /// 3×3 convolution (stride 2) …
    ReduceA,
    /// … the second …
    ReduceB,
    /// … and the 2×2 average pooling its 1×1 projection shortcut reads.
    ReducePool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct Shape {
    pub c: u32,
    pub h: u32,
    pub w: u32,
}

impl Shape {
    #[inline]
    pub fn elems(&self) -> u64 {
        self.c as u64 * self.h as u64 * self.w as u64
    }
}

/// One layer, without names or strings: cheap to create in the hot path.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct LayerSpec {
    pub kind: LayerKind,
    pub role: Role,
    /// 1-based cell the layer belongs to; 0 for stem, transitions, head and classifier.
    pub cell: u32,
    /// 1-based layer (dense) or block (others) within the cell; 0 outside cells.
    pub block: u32,
    pub input: Shape,
    pub output: Shape,
    pub kernel: u32,
    pub stride: u32,
    pub groups: u32,
    /// Channels of the batch norm that goes with this layer (0: none).
    pub bn_channels: u32,
    pub bias: bool,
}

impl LayerSpec {
    #[inline]
    pub fn weight_params(&self) -> u64 {
        match self.kind {
            LayerKind::Conv | LayerKind::Depthwise | LayerKind::Linear => {
                let k2 = (self.kernel * self.kernel) as u64;
                k2 * (self.input.c / self.groups) as u64 * self.output.c as u64
                    + if self.bias { self.output.c as u64 } else { 0 }
            }
            LayerKind::AvgPool | LayerKind::GlobalAvgPool | LayerKind::Sum | LayerKind::Zero => 0,
        }
    }

    #[inline]
    pub fn bn_params(&self) -> u64 {
        2 * self.bn_channels as u64
    }

    #[inline]
    pub fn params(&self) -> u64 {
        self.weight_params() + self.bn_params()
    }

    #[inline]
    pub fn macs(&self) -> u64 {
        match self.kind {
            LayerKind::Conv | LayerKind::Depthwise | LayerKind::Linear => {
                let k2 = (self.kernel * self.kernel) as u64;
                k2 * (self.input.c / self.groups) as u64 * self.output.elems()
            }
            LayerKind::AvgPool | LayerKind::GlobalAvgPool | LayerKind::Sum | LayerKind::Zero => 0,
        }
    }

    /// Whether the layer carries weights (convolutions and the classifier).
    pub fn is_weighted(&self) -> bool {
        matches!(self.kind, LayerKind::Conv | LayerKind::Depthwise | LayerKind::Linear)
    }

    /// Whether the layer's output channels are nodes of the channel graph. A
    /// projection shortcut is part of a skip connection and a DAG cell's edge
    /// convolution part of its edge, not nodes of their own; a DAG cell's
    /// nodes are (where a path from the cell's input to its output crosses them).
    pub fn has_nodes(&self) -> bool {
        match self.kind {
            LayerKind::Sum => self.role == Role::Node,
            _ => self.is_weighted() && !matches!(self.role, Role::Projection | Role::EdgeConv),
        }
    }

    pub fn name(&self) -> String {
        let role = match self.role {
            Role::Stem => "stem",
            Role::Dense => "conv3x3",
            Role::Bottleneck => "conv1x1",
            Role::Conv1 => "conv1",
            Role::Conv2 => "conv2",
            Role::Projection => "shortcut",
            Role::Expand => "expand",
            Role::Depthwise => "dw",
            Role::Project => "project",
            Role::Transition => "transition",
            Role::Pool => "pool",
            Role::Head => "head",
            Role::GlobalPool => "gap",
            Role::Classifier => "fc",
            Role::EdgeConv if self.kernel == 1 => "conv1x1",
            Role::EdgeConv => "conv3x3",
            Role::EdgePool => "avgpool3x3",
            Role::EdgeZero => "zero",
            Role::Node | Role::DeadNode => "sum",
            Role::ReduceA => "conv_a",
            Role::ReduceB => "conv_b",
            Role::ReducePool => "pool",
        };
        match (self.cell, self.role) {
            (0, Role::ReduceA | Role::ReduceB | Role::ReducePool) => {
                format!("r{}.{role}", self.block)
            }
            (0, Role::Projection) if self.block > 0 && self.bn_channels == 0 => {
                format!("r{}.{role}", self.block)
            }
            (0, _) => role.to_string(),
            (c, Role::Transition | Role::Pool) => format!("c{c}.{role}"),
            (c, Role::EdgeConv | Role::EdgePool | Role::EdgeZero) => {
                format!("c{c}.e{}.{role}", self.block)
            }
            (c, Role::Node | Role::DeadNode) => format!("c{c}.n{}.{role}", self.block),
            (c, _) => format!("c{c}.b{}.{role}", self.block),
        }
    }
}

/// Channels `start..start+len` of the output of layer `layer` (its index among
/// all emitted layers); `layer == INPUT` is the network input, `layer == VOID`
/// channels that carry nothing of the input (a cut-off DAG cell's zeros).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct Piece {
    pub layer: u32,
    pub start: u32,
    pub len: u32,
}

pub const INPUT: u32 = u32::MAX;
/// Channels no path from the input reaches (zeros, or constants of the zeros).
pub const VOID: u32 = u32::MAX - 1;

/// The channels a layer reads and what is added to its output.
#[derive(Clone, Copy, Debug)]
pub struct Reads<'a> {
    /// The layer's input, as the concatenation of these pieces.
    pub pieces: &'a [Piece],
    /// Tensors added into the layer's output: a residual block's shortcut (one),
    /// or every incoming edge of a DAG cell's node (a `Sum`, which reads nothing else).
    pub shortcuts: &'a [Skip],
}

/// An additive input and the channels it carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum Skip {
    /// Channel i of the piece adds into output channel i.
    Identity(Piece),
    /// A 1×1 projection of the piece adds into every output channel: each output
    /// channel reads every channel of the piece through the skip connection.
    Projection(Piece),
}

/// Receives the layers of an architecture in order.
pub trait Sink {
    /// Whether the walker must work out channel reads (only the graph needs them).
    const READS: bool;
    fn layer(&mut self, spec: &LayerSpec, reads: Reads<'_>);
}

/// Walks the layers of a network in order (each family's file defines its cells).
pub fn walk<S: Sink>(frame: &Frame, cells: &[Cell], sink: &mut S) {
    let at = walk_prefix(frame, cells, 0, sink);
    walk_rest(frame, cells, 0, at, sink);
}

/// Where a walk stands after some cells: what it needs to go on. The exact
/// program walks the cells before a state once, then each configuration of the
/// next cell from here.
#[derive(Clone, Debug)]
pub struct Resume {
    next_id: u32,
    cur: Shape,
    cur_pieces: Vec<Piece>,
}

/// Width of the stem's output unless the options fix it.
#[inline]
pub fn stem_width(frame: &Frame, cells: &[Cell]) -> u32 {
    frame.options.stem.unwrap_or_else(|| frame.family.stem_width(frame, cells))
}

/// Walks the stem and cells `0..upto` (the stem's width reads `cells[0]`).
pub fn walk_prefix<S: Sink>(frame: &Frame, cells: &[Cell], upto: usize, sink: &mut S) -> Resume {
    let mut w = Walker {
        sink,
        next_id: 0,
        cur: Shape { c: 0, h: 0, w: 0 },
        cur_pieces: Vec::new(),
        scratch: Vec::new(),
    };
    let ds = &frame.dataset;
    let input = Shape { c: ds.channels, h: ds.height, w: ds.width };
    w.cur = input;
    if S::READS {
        w.cur_pieces.push(Piece { layer: INPUT, start: 0, len: ds.channels });
    }
    let stem_c = stem_width(frame, cells);
    let bn = if frame.family.stem_has_bn() { stem_c } else { 0 };
    w.conv(Role::Stem, 0, 0, 3, frame.options.stem_stride, stem_c, 1, bn, None);
    w.cells(frame, cells, 0..upto);
    Resume { next_id: w.next_id, cur: w.cur, cur_pieces: w.cur_pieces }
}

/// Walks cells `from..` and everything after them, from where `walk_prefix`
/// (of the same cells before `from`) stopped.
pub fn walk_rest<S: Sink>(frame: &Frame, cells: &[Cell], from: usize, at: Resume, sink: &mut S) {
    let at = walk_cells(frame, cells, from..cells.len(), at, sink);
    walk_tail(frame, at, sink);
}

/// Walks cells `range` from where the walk of the cells before them stopped.
pub fn walk_cells<S: Sink>(
    frame: &Frame,
    cells: &[Cell],
    range: std::ops::Range<usize>,
    at: Resume,
    sink: &mut S,
) -> Resume {
    let mut w = Walker::resume(sink, at);
    w.cells(frame, cells, range);
    Resume { next_id: w.next_id, cur: w.cur, cur_pieces: w.cur_pieces }
}

/// Walks what follows the last cell (head, pool, classifier) from where the
/// cells stopped.
pub fn walk_tail<S: Sink>(frame: &Frame, at: Resume, sink: &mut S) {
    let mut w = Walker::resume(sink, at);
    let ds = &frame.dataset;
    if let Some(head) = frame.options.head {
        w.conv(Role::Head, 0, 0, 1, 1, head, 1, head, None);
    }
    let final_bn = if frame.family.final_bn() { w.cur.c } else { 0 };
    w.pool(Role::GlobalPool, 0, LayerKind::GlobalAvgPool, final_bn);
    let spec = LayerSpec {
        kind: LayerKind::Linear,
        role: Role::Classifier,
        cell: 0,
        block: 0,
        input: w.cur,
        output: Shape { c: ds.classes, h: 1, w: 1 },
        kernel: 1,
        stride: 1,
        groups: 1,
        bn_channels: 0,
        bias: true,
    };
    w.emit(spec, &[]);
}

/// Emits layers to a sink and keeps what the next layer reads: the current
/// tensor's shape and (when the sink asks for reads) its pieces.
pub struct Walker<'s, S: Sink> {
    sink: &'s mut S,
    pub(super) next_id: u32,
    pub(super) cur: Shape,
    /// The current tensor as pieces of earlier layers' outputs (only when S::READS).
    pub(super) cur_pieces: Vec<Piece>,
    pub(super) scratch: Vec<Piece>,
}

impl<'s, S: Sink> Walker<'s, S> {
    fn resume(sink: &'s mut S, at: Resume) -> Self {
        Walker {
            sink,
            next_id: at.next_id,
            cur: at.cur,
            cur_pieces: at.cur_pieces,
            scratch: Vec::new(),
        }
    }

    fn cells(&mut self, frame: &Frame, cells: &[Cell], range: std::ops::Range<usize>) {
        for index in range {
            frame.family.walk_cell(self, frame, cells, index);
        }
    }

    /// Hands a layer to the sink, reading `cur_pieces`; returns its id.
    #[inline]
    pub(super) fn emit(&mut self, spec: LayerSpec, shortcuts: &[Skip]) -> u32 {
        let id = self.next_id;
        self.next_id += 1;
        self.sink.layer(&spec, Reads { pieces: &self.cur_pieces, shortcuts });
        self.cur = spec.output;
        if S::READS && spec.has_nodes() {
            self.cur_pieces.clear();
            self.cur_pieces.push(Piece { layer: id, start: 0, len: spec.output.c });
        }
        id
    }

    /// A convolution of the current tensor (3×3 and 1×1 use padding k/2).
    #[allow(clippy::too_many_arguments)]
    #[inline]
    pub(super) fn conv(
        &mut self,
        role: Role,
        cell: u32,
        block: u32,
        kernel: u32,
        stride: u32,
        out_c: u32,
        groups: u32,
        bn: u32,
        shortcut: Option<Skip>,
    ) -> u32 {
        let input = self.cur;
        let output = Shape { c: out_c, h: input.h.div_ceil(stride), w: input.w.div_ceil(stride) };
        let kind = if groups > 1 { LayerKind::Depthwise } else { LayerKind::Conv };
        self.emit(
            LayerSpec {
                kind,
                role,
                cell,
                block,
                input,
                output,
                kernel,
                stride,
                groups,
                bn_channels: bn,
                bias: false,
            },
            shortcut.as_slice(),
        )
    }

    /// A 2×2 average pooling (stride 2, floor) or the global one.
    #[inline]
    pub(super) fn pool(&mut self, role: Role, cell: u32, kind: LayerKind, bn: u32) {
        let input = self.cur;
        let (output, kernel) = match kind {
            LayerKind::GlobalAvgPool => (Shape { c: input.c, h: 1, w: 1 }, input.h),
            _ => (Shape { c: input.c, h: input.h / 2, w: input.w / 2 }, 2),
        };
        let stride = if kind == LayerKind::GlobalAvgPool { 1 } else { 2 };
        self.emit(
            LayerSpec {
                kind,
                role,
                cell,
                block: 0,
                input,
                output,
                kernel,
                stride,
                groups: 1,
                bn_channels: bn,
                bias: false,
            },
            &[],
        );
    }
}
