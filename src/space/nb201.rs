//! NAS-Bench-201's search space (Dong & Yang, ICLR 2020): one cell, a DAG of
//! four nodes whose six edges each carry one of five operations, repeated in
//! every one of the network's 15 cells (docs/space.md, "nb201").
//!
//! The network is the benchmark's: a 3×3 convolution stem with 16 channels and
//! BN; three stages of N = 5 cells with C = 16, 32 and 64 channels, joined by
//! two residual reduction blocks (ReLU-conv-BN 3×3 with stride 2, ReLU-conv-BN
//! 3×3, and a shortcut of 2×2 average pooling and a 1×1 convolution); BN-ReLU,
//! global average pooling and a linear classifier. In a cell, node j sums its
//! incoming edges; `nor_conv_k×k` is ReLU-conv-BN with C channels in and out,
//! `avg_pool_3x3` a 3×3 average pooling (stride 1, padding 1, the padding not
//! counted), `skip_connect` the identity and `none` zeros. As in the
//! benchmark's model, every operation is computed (and counted), whether or not
//! its result reaches the cell's output.
//!
//! The architecture text is the benchmark's own cell string, verbatim:
//! `cifar10/nb201/|nor_conv_3x3~0|+|none~0|nor_conv_3x3~1|+|skip_connect~0|none~1|skip_connect~2|`.

use super::family::{Coordinate, FamilySpec, Kind, Values};
use super::text::Cursor;
use super::walk::{LayerKind, LayerSpec, Piece, Role, Shape, Sink, Skip, Walker, VOID};
use super::{Cell, CellParams, Frame, Options, MAX_COORDS};
use crate::error::{Error, Result};

pub struct Nb201;

/// The operations an edge can carry, cheapest first (the order FLASH's
/// relaxation lines them up in, so costs grow along it); their names are the
/// benchmark's.
pub const OPS: [&str; 5] = ["none", "skip_connect", "avg_pool_3x3", "nor_conv_1x1", "nor_conv_3x3"];
pub const NONE: u32 = 0;
pub const SKIP: u32 = 1;
pub const POOL: u32 = 2;
pub const CONV1: u32 = 3;
pub const CONV3: u32 = 4;

/// The edges in the cell string's order: (to node, from node).
pub const EDGES: [(usize, usize); 6] = [(1, 0), (2, 0), (2, 1), (3, 0), (3, 1), (3, 2)];

/// Cells per stage (N) and the first stage's channels (C).
pub const CELLS_PER_STAGE: u32 = 5;
pub const STAGES: u32 = 3;
pub const CHANNELS: u32 = 16;

const fn edge(key: &'static str, label: &'static str) -> Coordinate {
    Coordinate {
        key,
        name: key,
        label,
        limits: (0, OPS.len() as u32 - 1),
        kind: Kind::Categorical { names: &OPS },
        star: false,
        absent: None,
        always_printed: true,
        only_in: None,
        default: Values::all_of(OPS.len() as u32),
    }
}

const COORDS: [Coordinate; 6] = [
    edge("1~0", "edge 1~0 (node 1 from node 0)"),
    edge("2~0", "edge 2~0 (node 2 from node 0)"),
    edge("2~1", "edge 2~1 (node 2 from node 1)"),
    edge("3~0", "edge 3~0 (node 3 from node 0)"),
    edge("3~1", "edge 3~1 (node 3 from node 1)"),
    edge("3~2", "edge 3~2 (node 3 from node 2)"),
];

const ALL_EDGES: [usize; 6] = [0, 1, 2, 3, 4, 5];

/// Which nodes a path from the cell's input to its output crosses, through
/// edges that are not `none` (node 0 is the input, node 3 the output).
pub fn live(ops: &[u32]) -> [bool; 4] {
    let mut from_input = [true, false, false, false];
    for (&(j, i), &op) in EDGES.iter().zip(ops) {
        if op != NONE && from_input[i] {
            from_input[j] = true;
        }
    }
    let mut to_output = [false, false, false, true];
    for (&(j, i), &op) in EDGES.iter().zip(ops).rev() {
        if op != NONE && to_output[j] {
            to_output[i] = true;
        }
    }
    std::array::from_fn(|k| from_input[k] && to_output[k])
}

/// Whether no path of operations joins the cell's input to its output: the
/// cell, and so the network, outputs what does not depend on the input.
pub fn cut_off(ops: &[u32]) -> bool {
    !live(ops)[0]
}

/// (edges, nodes) of one cell's channel graph at C channels (docs/nn-degree.md,
/// "DAG cells"): the nodes are the channels of the cell's nodes 1..=3 that a
/// path from input to output crosses; a channel of node j reads, through each
/// incoming edge from such a node, every channel of it (a convolution) or its
/// own channel (a pooling or the identity).
pub fn cell_graph(ops: &[u32], c: u64) -> (u64, u64) {
    let live = live(ops);
    let mut edges = 0;
    let mut nodes = 0;
    for j in 1..=3 {
        if !live[j] {
            continue;
        }
        nodes += c;
        for (&(to, from), &op) in EDGES.iter().zip(ops) {
            if to == j && live[from] {
                edges += c * match op {
                    NONE => 0,
                    CONV1 | CONV3 => c,
                    _ => 1,
                };
            }
        }
    }
    (edges, nodes)
}

/// The channels of stage `s` (0-based).
#[inline]
fn stage_channels(frame: &Frame, s: u32) -> u32 {
    frame.options.stem.unwrap_or(CHANNELS) << s
}

impl Nb201 {
    /// One cell of the DAG: its edges' operations, then each node's sum.
    fn walk_dag<S: Sink>(w: &mut Walker<'_, S>, ops: &[u32], cell: u32) {
        let shape = w.cur;
        let live = live(ops);
        let mut nodes: [Piece; 4] = [Piece { layer: VOID, start: 0, len: shape.c }; 4];
        if S::READS {
            nodes[0] = w.cur_pieces.first().copied().unwrap_or(nodes[0]);
        }
        let mut terms: Vec<Skip> = Vec::with_capacity(3);
        for j in 1..=3 {
            terms.clear();
            for (e, (&(to, from), &op)) in EDGES.iter().zip(ops).enumerate() {
                if to != j {
                    continue;
                }
                let block = e as u32 + 1;
                // Each edge reads its source node.
                w.cur = shape;
                if S::READS {
                    w.cur_pieces.clear();
                    w.cur_pieces.push(nodes[from]);
                }
                if op == NONE {
                    // Computed by the benchmark's model (input × 0), read by nothing.
                    w.emit(
                        LayerSpec {
                            kind: LayerKind::Zero,
                            role: Role::EdgeZero,
                            cell,
                            block,
                            input: shape,
                            output: shape,
                            kernel: 1,
                            stride: 1,
                            groups: 1,
                            bn_channels: 0,
                            bias: false,
                        },
                        &[],
                    );
                    continue;
                }
                let id = match op {
                    SKIP => None,
                    POOL => Some(w.emit(
                        LayerSpec {
                            kind: LayerKind::AvgPool,
                            role: Role::EdgePool,
                            cell,
                            block,
                            input: shape,
                            output: shape,
                            kernel: 3,
                            stride: 1,
                            groups: 1,
                            bn_channels: 0,
                            bias: false,
                        },
                        &[],
                    )),
                    _ => {
                        let k = if op == CONV1 { 1 } else { 3 };
                        Some(w.conv(Role::EdgeConv, cell, block, k, 1, shape.c, 1, shape.c, None))
                    }
                };
                terms.push(Skip::Identity(match id {
                    Some(layer) => Piece { layer, start: 0, len: shape.c },
                    None => nodes[from],
                }));
            }
            if terms.is_empty() {
                // Only `none` edges: zeros, which the benchmark's model never adds up.
                nodes[j] = Piece { layer: VOID, start: 0, len: shape.c };
                continue;
            }
            w.cur_pieces.clear();
            let id = w.emit(
                LayerSpec {
                    kind: LayerKind::Sum,
                    role: if live[j] { Role::Node } else { Role::DeadNode },
                    cell,
                    block: j as u32,
                    input: Shape { c: shape.c * terms.len() as u32, ..shape },
                    output: shape,
                    kernel: 1,
                    stride: 1,
                    groups: 1,
                    bn_channels: 0,
                    bias: false,
                },
                &terms,
            );
            nodes[j] = Piece { layer: id, start: 0, len: shape.c };
        }
        w.cur = shape;
        if S::READS {
            w.cur_pieces.clear();
            w.cur_pieces.push(nodes[3]);
        }
    }

    /// The residual reduction block before stage `s` (1 or 2).
    fn walk_reduction<S: Sink>(w: &mut Walker<'_, S>, s: u32, c: u32) {
        let block_in = w.cur;
        let block_piece = w.cur_pieces.first().copied();
        w.conv(Role::ReduceA, 0, s, 3, 2, c, 1, c, None);
        let after_a = (w.cur, std::mem::take(&mut w.cur_pieces));
        // The shortcut: 2×2 average pooling, then a 1×1 convolution (no BN).
        w.cur = block_in;
        w.cur_pieces.extend(block_piece);
        w.emit(
            LayerSpec {
                kind: LayerKind::AvgPool,
                role: Role::ReducePool,
                cell: 0,
                block: s,
                input: block_in,
                output: Shape { c: block_in.c, h: block_in.h / 2, w: block_in.w / 2 },
                kernel: 2,
                stride: 2,
                groups: 1,
                bn_channels: 0,
                bias: false,
            },
            &[],
        );
        w.conv(Role::Projection, 0, s, 1, 1, c, 1, 0, None);
        (w.cur, w.cur_pieces) = after_a;
        w.conv(Role::ReduceB, 0, s, 3, 1, c, 1, c, block_piece.map(Skip::Projection));
    }
}

impl FamilySpec for Nb201 {
    fn name(&self) -> &'static str {
        "nb201"
    }

    fn label(&self) -> &'static str {
        "nb201 (NAS-Bench-201's 15,625 cells)"
    }

    fn coordinates(&self) -> &'static [Coordinate] {
        &COORDS
    }

    fn cell_limits(&self) -> (u32, u32) {
        (1, 1)
    }

    fn default_cells(&self) -> usize {
        1
    }

    fn has_stride(&self) -> bool {
        false
    }

    fn configuration_meaning(&self, _cells: usize) -> String {
        format!(
            "one operation on each of the cell's 6 edges, of those the space allows ({}); the network repeats the cell in all of its {} cells",
            OPS.join(", "),
            STAGES * CELLS_PER_STAGE
        )
    }

    fn check_options(&self, options: Options) -> Result<Options> {
        let d = Options::defaults(super::Family::Nb201);
        if options != d {
            return Err(Error::field(
                "nb201 options",
                "given",
                "none: the network is NAS-Bench-201's (16 channels, 5 cells per stage)",
            ));
        }
        Ok(options)
    }

    fn node_bound(&self, frame: &Frame, _cells: &[Cell]) -> u64 {
        // Three nodes per cell, five cells per stage, at most 2^(s) × C channels.
        (0..STAGES).map(|s| 3 * CELLS_PER_STAGE as u64 * stage_channels(frame, s) as u64).sum()
    }

    fn stem_width(&self, frame: &Frame, _cells: &[Cell]) -> u32 {
        stage_channels(frame, 0)
    }

    fn final_bn(&self) -> bool {
        true
    }

    fn walk_cell<S: Sink>(
        &self,
        w: &mut Walker<'_, S>,
        frame: &Frame,
        cells: &[Cell],
        index: usize,
    ) {
        let ops = &cells[index].coords[..COORDS.len()];
        for s in 0..STAGES {
            let c = stage_channels(frame, s);
            if s > 0 {
                Nb201::walk_reduction(w, s, c);
            }
            for k in 0..CELLS_PER_STAGE {
                Nb201::walk_dag(w, ops, s * CELLS_PER_STAGE + k + 1);
            }
        }
    }

    fn degrees(&self, frame: &Frame, cells: &[Cell], each: &mut dyn FnMut(f64)) {
        let ops = &cells[0].coords[..COORDS.len()];
        for s in 0..STAGES {
            let (edges, nodes) = cell_graph(ops, stage_channels(frame, s) as u64);
            let g = if nodes == 0 { 0.0 } else { edges as i64 as f64 / nodes as i64 as f64 };
            for _ in 0..CELLS_PER_STAGE {
                each(g);
            }
        }
    }

    fn last_cell(&self, frame: &Frame, cells: &[Cell]) -> (f64, u64) {
        let mut sum = 0.0;
        self.degrees(frame, cells, &mut |g| sum += g);
        (sum, stage_channels(frame, STAGES - 1) as u64)
    }

    fn program_applies(&self) -> bool {
        false
    }

    /// One axis per node: the operations of the edges into node 1, into node
    /// 2 and into node 3 move together.
    fn shared_axes(&self) -> Vec<Vec<usize>> {
        vec![vec![0], vec![1, 2], vec![3, 4, 5]]
    }

    /// The edges into nodes 1 and 2, then the edges into node 3 (the output).
    fn blocks(&self) -> Vec<std::ops::Range<usize>> {
        vec![0..3, 3..6]
    }

    fn groups(&self) -> &'static [(&'static str, &'static [usize])] {
        &[("ops", &ALL_EDGES)]
    }

    fn parse_cells(&self, cur: &mut Cursor) -> Result<Vec<CellParams>> {
        let mut cell = CellParams::empty();
        let mut e = 0;
        for j in 1..=3 {
            if j > 1 {
                cur.expect('+', &format!("between node {}'s and node {j}'s edges", j - 1))?;
            }
            cur.expect('|', &format!("to open node {j}'s edges (|op~0|…)"))?;
            for i in 0..j {
                let at = cur.pos;
                let name = cur.take_while(|c| c.is_ascii_alphanumeric() || c == '_');
                let op = OPS.iter().position(|o| *o == name).ok_or_else(|| {
                    Error::parse(
                        cur.what,
                        at,
                        format!(
                            "edge {j}~{i}: '{name}' is not an operation: allowed {}",
                            OPS.join(", ")
                        ),
                    )
                })?;
                cur.expect('~', &format!("after edge {j}~{i}'s operation"))?;
                let from_at = cur.pos;
                let from = cur.int(&format!("edge {j}~{i}'s source node"))?;
                if from != i as u32 {
                    return Err(Error::parse(
                        cur.what,
                        from_at,
                        format!(
                            "node {j}'s edge {} comes from node {from}: allowed ~{i} (node {j} lists its inputs 0..{} in order)",
                            i + 1,
                            j - 1
                        ),
                    ));
                }
                cur.expect('|', &format!("after edge {j}~{i}"))?;
                cell.coords[e] = Some(op as u32);
                e += 1;
            }
        }
        Ok(vec![cell])
    }

    fn print_cells(&self, cells: &[Cell], out: &mut String) {
        out.push_str(&cell_string(&cells[0].coords));
    }

    fn space_may_end_at_frame(&self) -> bool {
        true
    }
}

/// A network's name as NAS-Bench-201's own tables write it, a bare cell string
/// (`|nor_conv_3x3~0|+|…|`), means the CIFAR-10 network they trained and measured;
/// any other text is returned as it is, for `Architecture::parse` to read.
pub fn qualified(text: &str) -> std::borrow::Cow<'_, str> {
    if text.starts_with('|') {
        std::borrow::Cow::Owned(format!("cifar10/nb201/{text}"))
    } else {
        std::borrow::Cow::Borrowed(text)
    }
}

/// The benchmark's cell string of six operations (indices into [`OPS`]).
pub fn cell_string(ops: &[u32; MAX_COORDS]) -> String {
    let mut out = String::new();
    let mut e = 0;
    for j in 1..=3 {
        if j > 1 {
            out.push('+');
        }
        out.push('|');
        for i in 0..j {
            out.push_str(OPS[ops[e] as usize]);
            out.push_str(&format!("~{i}|"));
            e += 1;
        }
    }
    out
}
