//! Per-layer workloads of an architecture: shapes, MACs, parameters, bytes.
//!
//! One walker ([`walk`]) knows each family's layer layout (docs/space.md). It
//! hands every layer to a [`Sink`]: [`totals`] sums on the fly without
//! allocating (the search's hot path), [`layers`] collects the named list, and
//! the NN-Degree graph computation also asks for each layer's channel reads.
//! Because all three share the walker, totals always equal the sum of layers.
//!
//! Conventions (why published figures differ slightly, docs/workload.md):
//! MACs count convolutions and the classifier only (not BN, activations, adds,
//! pooling); parameters are trainable weights: conv weights (no bias when a BN
//! follows), BN γ and β (running statistics are buffers, not parameters), the
//! classifier's weights and bias.

use crate::space::{Architecture, Cell, Family, Frame, Shortcut, ALL};
use serde::Serialize;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LayerKind {
    Conv,
    Depthwise,
    Linear,
    AvgPool,
    GlobalAvgPool,
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
            LayerKind::AvgPool | LayerKind::GlobalAvgPool => 0,
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
            LayerKind::AvgPool | LayerKind::GlobalAvgPool => 0,
        }
    }

    /// Whether the layer carries weights (convolutions and the classifier).
    pub fn is_weighted(&self) -> bool {
        matches!(self.kind, LayerKind::Conv | LayerKind::Depthwise | LayerKind::Linear)
    }

    /// Whether the layer's output channels are nodes of the channel graph. A
    /// projection shortcut is part of a skip connection, not a node of its own.
    pub fn has_nodes(&self) -> bool {
        self.is_weighted() && self.role != Role::Projection
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
        };
        match (self.cell, self.role) {
            (0, _) => role.to_string(),
            (c, Role::Transition | Role::Pool) => format!("c{c}.{role}"),
            (c, _) => format!("c{c}.b{}.{role}", self.block),
        }
    }
}

/// Channels `start..start+len` of the output of node-bearing layer `layer`
/// (its index among all emitted layers); `layer == INPUT` is the network input.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct Piece {
    pub layer: u32,
    pub start: u32,
    pub len: u32,
}

pub const INPUT: u32 = u32::MAX;

/// The channels a layer reads and the shortcut added to its output.
#[derive(Clone, Copy, Debug)]
pub struct Reads<'a> {
    /// The layer's input, as the concatenation of these pieces.
    pub pieces: &'a [Piece],
    /// The additive shortcut into the layer's output, if any.
    pub shortcut: Option<Skip>,
}

/// An additive shortcut and the channels it carries.
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

/// Network totals.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Totals {
    pub layers: u32,
    pub params: u64,
    pub bn_params: u64,
    pub macs: u64,
    /// Sum over layers of output activation elements.
    pub activations: u64,
}

impl Sink for Totals {
    const READS: bool = false;
    #[inline]
    fn layer(&mut self, spec: &LayerSpec, _: Reads<'_>) {
        self.layers += 1;
        self.params += spec.params();
        self.bn_params += spec.bn_params();
        self.macs += spec.macs();
        self.activations += spec.output.elems();
    }
}

/// Totals without building the layer list.
#[inline]
pub fn totals(frame: &Frame, cells: &[Cell]) -> Totals {
    let mut t = Totals::default();
    walk(frame, cells, &mut t);
    t
}

/// One layer of the named list: the spec plus what tables and charts show.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Layer {
    pub name: String,
    #[serde(flatten)]
    pub spec: LayerSpec,
    pub params: u64,
    pub macs: u64,
    /// Bytes at fp32 (4 bytes a value); hardware models rescale to their precision.
    pub weight_bytes: u64,
    pub input_bytes: u64,
    pub output_bytes: u64,
}

struct Collect(Vec<Layer>);

impl Sink for Collect {
    const READS: bool = false;
    fn layer(&mut self, spec: &LayerSpec, _: Reads<'_>) {
        self.0.push(Layer {
            name: spec.name(),
            spec: *spec,
            params: spec.params(),
            macs: spec.macs(),
            weight_bytes: 4 * spec.params(),
            input_bytes: 4 * spec.input.elems(),
            output_bytes: 4 * spec.output.elems(),
        });
    }
}

pub fn layers(arch: &Architecture) -> Vec<Layer> {
    let mut c = Collect(Vec::new());
    walk(arch.frame(), arch.cells(), &mut c);
    c.0
}

/// One layer with the channels it reads and the shortcut added to its output, owned.
#[derive(Clone, Debug, PartialEq)]
pub struct LayerReads {
    pub spec: LayerSpec,
    pub pieces: Vec<Piece>,
    pub shortcut: Option<Skip>,
}

struct RecordReads(Vec<LayerReads>);

impl Sink for RecordReads {
    const READS: bool = true;
    fn layer(&mut self, spec: &LayerSpec, reads: Reads<'_>) {
        self.0.push(LayerReads {
            spec: *spec,
            pieces: reads.pieces.to_vec(),
            shortcut: reads.shortcut,
        });
    }
}

/// Every layer with its reads, in walk order: what the trainer, the diagram and
/// the PyTorch export wire their networks from.
pub fn layer_reads(arch: &Architecture) -> Vec<LayerReads> {
    let mut r = RecordReads(Vec::new());
    walk(arch.frame(), arch.cells(), &mut r);
    r.0
}

/// Channels a dense layer reads besides its predecessor: `min(t, available)`.
#[inline]
fn skip_take(skip: u32, available: u32) -> u32 {
    if skip == ALL {
        available
    } else {
        skip.min(available)
    }
}

/// Shortcuts a res or mobile cell keeps: the last `min(t, d)` blocks.
#[inline]
fn keeps_shortcut(cell: &Cell, block: u32) -> bool {
    let kept = if cell.skip == ALL { cell.depth } else { cell.skip.min(cell.depth) };
    block > cell.depth - kept
}

/// Width of the stem's output unless the options fix it.
#[inline]
pub fn stem_width(frame: &Frame, cells: &[Cell]) -> u32 {
    frame.options.stem.unwrap_or_else(|| frame.effective_width(&cells[0]))
}

/// Walks the layers of a network in order (docs/space.md defines each layout).
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
    let dense = frame.family == Family::Dense;
    let input = Shape { c: ds.channels, h: ds.height, w: ds.width };
    w.cur = input;
    if S::READS {
        w.cur_pieces.push(Piece { layer: INPUT, start: 0, len: ds.channels });
    }
    let stem_c = stem_width(frame, cells);
    let bn = if dense { 0 } else { stem_c };
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
    let dense = frame.family == Family::Dense;
    if let Some(head) = frame.options.head {
        w.conv(Role::Head, 0, 0, 1, 1, head, 1, head, None);
    }
    let final_bn = if dense { w.cur.c } else { 0 };
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
    w.emit(spec, None);
}

struct Walker<'s, S: Sink> {
    sink: &'s mut S,
    next_id: u32,
    cur: Shape,
    /// The current tensor as pieces of earlier layers' outputs (only when S::READS).
    cur_pieces: Vec<Piece>,
    scratch: Vec<Piece>,
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
            let (c, cell) = (index as u32 + 1, &cells[index]);
            match frame.family {
                Family::Dense => self.dense_cell(frame, c, cell, index == 0),
                Family::Res | Family::WideRes => self.res_cell(frame, c, cell),
                Family::Mobile => self.mobile_cell(c, cell),
            }
        }
    }

    /// Hands a layer to the sink, reading `cur_pieces`; returns its id.
    #[inline]
    fn emit(&mut self, spec: LayerSpec, shortcut: Option<Skip>) -> u32 {
        let id = self.next_id;
        self.next_id += 1;
        self.sink.layer(&spec, Reads { pieces: &self.cur_pieces, shortcut });
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
    fn conv(
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
            shortcut,
        )
    }

    #[inline]
    fn pool(&mut self, role: Role, cell: u32, kind: LayerKind, bn: u32) {
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
            None,
        );
    }

    /// The concatenation read by a dense layer: `pieces(prev)` plus the first `take`
    /// channels of the earlier tensors, most recent first.
    fn dense_reads(&mut self, tensors: &[Vec<Piece>], prev: usize, mut take: u32) {
        self.scratch.clear();
        self.scratch.extend_from_slice(&tensors[prev]);
        for tensor in tensors[..prev].iter().rev() {
            for p in tensor {
                if take == 0 {
                    break;
                }
                let n = p.len.min(take);
                self.scratch.push(Piece { layer: p.layer, start: p.start, len: n });
                take -= n;
            }
        }
        std::mem::swap(&mut self.cur_pieces, &mut self.scratch);
    }

    fn dense_cell(&mut self, frame: &Frame, c: u32, cell: &Cell, first: bool) {
        let w = cell.width;
        if !first {
            let to = match frame.options.compression_milli {
                Some(m) => ((self.cur.c as u64 * m as u64 / 1000) as u32).max(1),
                None => w,
            };
            let bn = self.cur.c;
            self.conv(Role::Transition, c, 0, 1, 1, to, 1, bn, None);
        }
        if cell.stride == 2 {
            self.pool(Role::Pool, c, LayerKind::AvgPool, 0);
        }
        let c_in = self.cur.c;
        // tensors[0] is the cell input, tensors[j] the output of layer j.
        let mut tensors: Vec<Vec<Piece>> = Vec::new();
        if S::READS {
            tensors.push(self.cur_pieces.clone());
        }
        let bottleneck = frame.options.bottleneck;
        for j in 1..=cell.depth {
            // Earlier than the predecessor: the cell input and layers 1..j-2.
            let available = if j == 1 { 0 } else { c_in + (j - 2) * w };
            let skip = skip_take(cell.skip, available);
            let in_c = if j == 1 { c_in } else { w + skip };
            if S::READS {
                self.dense_reads(&tensors, j as usize - 1, skip);
            }
            self.cur.c = in_c;
            if bottleneck > 0 {
                self.conv(Role::Bottleneck, c, j, 1, 1, bottleneck * w, 1, in_c, None);
                self.conv(Role::Dense, c, j, 3, 1, w, 1, bottleneck * w, None);
            } else {
                self.conv(Role::Dense, c, j, 3, 1, w, 1, in_c, None);
            }
            if S::READS {
                tensors.push(self.cur_pieces.clone());
            }
        }
        // The cell's output is what a further layer would read.
        let available = c_in + (cell.depth - 1) * w;
        let skip = skip_take(cell.skip, available);
        if S::READS {
            self.dense_reads(&tensors, cell.depth as usize, skip);
        }
        self.cur.c = w + skip;
    }

    fn res_cell(&mut self, frame: &Frame, c: u32, cell: &Cell) {
        let width = frame.effective_width(cell);
        for b in 1..=cell.depth {
            let stride = if b == 1 { cell.stride } else { 1 };
            let block_in = self.cur;
            let block_piece = self.cur_pieces.first().copied();
            let changes = block_in.c != width || stride != 1;
            let shortcut_kept = keeps_shortcut(cell, b);
            let conv1 = self.conv(Role::Conv1, c, b, 3, stride, width, 1, width, None);
            let mut shortcut = None;
            if shortcut_kept {
                shortcut = match (changes, frame.options.shortcut) {
                    (false, _) => block_piece.map(Skip::Identity),
                    (true, Shortcut::Pad) => {
                        block_piece.map(|p| Skip::Identity(Piece { len: p.len.min(width), ..p }))
                    }
                    (true, Shortcut::Proj) => {
                        // The projection reads the block input, not conv1's output.
                        let after_conv1 = (self.cur, std::mem::take(&mut self.cur_pieces));
                        self.cur = block_in;
                        self.cur_pieces.extend(block_piece);
                        self.conv(Role::Projection, c, b, 1, stride, width, 1, width, None);
                        (self.cur, self.cur_pieces) = after_conv1;
                        block_piece.map(Skip::Projection)
                    }
                };
            }
            debug_assert!(
                !S::READS || self.cur_pieces == [Piece { layer: conv1, start: 0, len: width }]
            );
            self.conv(Role::Conv2, c, b, 3, 1, width, 1, width, shortcut);
        }
    }

    fn mobile_cell(&mut self, c: u32, cell: &Cell) {
        let width = cell.width;
        for b in 1..=cell.depth {
            let stride = if b == 1 { cell.stride } else { 1 };
            let block_in = self.cur;
            let block_piece = self.cur_pieces.first().copied();
            let skip = stride == 1 && block_in.c == width && keeps_shortcut(cell, b);
            let hidden = block_in.c * cell.expansion;
            if cell.expansion != 1 {
                self.conv(Role::Expand, c, b, 1, 1, hidden, 1, hidden, None);
            }
            self.conv(Role::Depthwise, c, b, 3, stride, hidden, hidden, hidden, None);
            self.conv(
                Role::Project,
                c,
                b,
                1,
                1,
                width,
                1,
                width,
                if skip { block_piece.map(Skip::Identity) } else { None },
            );
        }
    }
}
