//! The ResNet-type families: basic blocks (post-activation) with additive
//! identity or projection shortcuts; `wres` (Wide-ResNet) multiplies every
//! width by k (docs/space.md).

use super::family::{Coordinate, FamilySpec};
use super::lettered;
use super::walk::{Piece, Role, Sink, Skip, Walker};
use super::{Cell, Frame, Options, Shortcut};
use crate::error::Result;

/// `res` (k = 1) or `wres` (k from the options, default 2).
pub struct Res {
    pub wide: bool,
}

const COORDS: [Coordinate; 4] =
    [lettered::DEPTH, lettered::WIDTH, lettered::SHORTCUTS, lettered::FIXED_EXPANSION];

impl Res {
    /// (edge count, node count) of one cell's channel graph, and the channel
    /// count of the tensor the cell outputs, given the channels entering it.
    #[inline]
    fn cell_graph(frame: &Frame, cell: &Cell, c_in: u64) -> (u64, u64, u64) {
        let d = cell.depth() as u64;
        let w = frame.effective_width(cell) as u64;
        let kept = lettered::kept(cell);
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

    #[inline]
    fn cell_input(frame: &Frame, cells: &[Cell], index: usize, prev_out: u64) -> u64 {
        if index == 0 {
            super::walk::stem_width(frame, cells) as u64
        } else {
            prev_out
        }
    }
}

impl FamilySpec for Res {
    fn name(&self) -> &'static str {
        if self.wide {
            "wres"
        } else {
            "res"
        }
    }

    fn label(&self) -> &'static str {
        if self.wide {
            "wres (Wide-ResNet)"
        } else {
            "res (ResNet)"
        }
    }

    fn coordinates(&self) -> &'static [Coordinate] {
        &COORDS
    }

    fn configuration_meaning(&self, cells: usize) -> String {
        lettered::meaning(
            &COORDS,
            cells,
            "blocks of the cell that keep their shortcut, counted from the last block",
        )
    }

    fn check_options(&self, options: Options) -> Result<Options> {
        lettered::check_options(options, self.name())
    }

    fn check_value(&self, frame: &Frame, j: usize, value: u32, n: usize) -> Result<()> {
        lettered::check_effective_width(frame, j, value, n)
    }

    fn node_bound(&self, frame: &Frame, cells: &[Cell]) -> u64 {
        cells
            .iter()
            .map(|c| 2 * c.depth() as u64 * c.width() as u64 * frame.options.widen as u64)
            .sum()
    }

    fn stem_width(&self, frame: &Frame, cells: &[Cell]) -> u32 {
        frame.effective_width(&cells[0])
    }

    fn walk_cell<S: Sink>(
        &self,
        w: &mut Walker<'_, S>,
        frame: &Frame,
        cells: &[Cell],
        index: usize,
    ) {
        let (c, cell) = (index as u32 + 1, &cells[index]);
        let width = frame.effective_width(cell);
        for b in 1..=cell.depth() {
            let stride = if b == 1 { cell.stride } else { 1 };
            let block_in = w.cur;
            let block_piece = w.cur_pieces.first().copied();
            let changes = block_in.c != width || stride != 1;
            let shortcut_kept = lettered::keeps_shortcut(cell, b);
            let conv1 = w.conv(Role::Conv1, c, b, 3, stride, width, 1, width, None);
            let mut shortcut = None;
            if shortcut_kept {
                shortcut = match (changes, frame.options.shortcut) {
                    (false, _) => block_piece.map(Skip::Identity),
                    (true, Shortcut::Pad) => {
                        block_piece.map(|p| Skip::Identity(Piece { len: p.len.min(width), ..p }))
                    }
                    (true, Shortcut::Proj) => {
                        // The projection reads the block input, not conv1's output.
                        let after_conv1 = (w.cur, std::mem::take(&mut w.cur_pieces));
                        w.cur = block_in;
                        w.cur_pieces.extend(block_piece);
                        w.conv(Role::Projection, c, b, 1, stride, width, 1, width, None);
                        (w.cur, w.cur_pieces) = after_conv1;
                        block_piece.map(Skip::Projection)
                    }
                };
            }
            debug_assert!(
                !S::READS || w.cur_pieces == [Piece { layer: conv1, start: 0, len: width }]
            );
            w.conv(Role::Conv2, c, b, 3, 1, width, 1, width, shortcut);
        }
    }

    fn degrees(&self, frame: &Frame, cells: &[Cell], each: &mut dyn FnMut(f64)) {
        lettered::chain_degrees(frame, cells, Res::cell_input, Res::cell_graph, each)
    }

    fn last_cell(&self, frame: &Frame, cells: &[Cell]) -> (f64, u64) {
        lettered::chain_last(frame, cells, Res::cell_input, Res::cell_graph)
    }
}
