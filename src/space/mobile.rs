//! The MobileNetV2-type family: inverted residual blocks with additive skips
//! where shapes allow (docs/space.md).

use super::family::{Coordinate, FamilySpec, Kind, Values};
use super::lettered;
use super::walk::{Role, Sink, Skip, Walker};
use super::{limits, Cell, Frame, Options};
use crate::error::Result;

pub struct Mobile;

/// MobileNetV2's expansion ratio when the text does not give one.
const DEFAULT_EXPANSION: u32 = 6;

const COORDS: [Coordinate; 4] = [
    lettered::DEPTH,
    lettered::WIDTH,
    lettered::SHORTCUTS,
    Coordinate {
        key: "e",
        name: "expansion",
        label: "expansion e",
        limits: limits::EXPANSION,
        kind: Kind::Ordinal,
        star: false,
        absent: Some(DEFAULT_EXPANSION),
        always_printed: true,
        only_in: None,
        default: Values::single(DEFAULT_EXPANSION),
    },
];

impl Mobile {
    #[inline]
    fn cell_graph(_frame: &Frame, cell: &Cell, c_in: u64) -> (u64, u64, u64) {
        let d = cell.depth() as u64;
        let w = cell.width() as u64;
        let e = cell.expansion() as u64;
        let kept = lettered::kept(cell);
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

    #[inline]
    fn cell_input(frame: &Frame, cells: &[Cell], index: usize, prev_out: u64) -> u64 {
        if index == 0 {
            super::walk::stem_width(frame, cells) as u64
        } else {
            prev_out
        }
    }
}

impl FamilySpec for Mobile {
    fn name(&self) -> &'static str {
        "mobile"
    }

    fn label(&self) -> &'static str {
        "mobile (MobileNetV2)"
    }

    fn coordinates(&self) -> &'static [Coordinate] {
        &COORDS
    }

    fn configuration_meaning(&self, cells: usize) -> String {
        lettered::meaning(
            &COORDS,
            cells,
            "blocks of the cell that keep their skip (where shapes allow), counted from the last block",
        )
    }

    fn check_options(&self, options: Options) -> Result<Options> {
        lettered::check_options(options, self.name())
    }

    fn check_value(&self, frame: &Frame, j: usize, value: u32, n: usize) -> Result<()> {
        lettered::check_effective_width(frame, j, value, n)
    }

    fn node_bound(&self, frame: &Frame, cells: &[Cell]) -> u64 {
        let widest = cells
            .iter()
            .map(|c| c.width() as u64 * frame.options.widen as u64)
            .max()
            .unwrap_or(0)
            .max(frame.options.stem.unwrap_or(0) as u64);
        cells
            .iter()
            .map(|c| {
                let (d, w, e) = (
                    c.depth() as u64,
                    c.width() as u64 * frame.options.widen as u64,
                    c.expansion() as u64,
                );
                d * (2 * e * widest + w)
            })
            .sum()
    }

    fn stem_width(&self, frame: &Frame, cells: &[Cell]) -> u32 {
        frame.effective_width(&cells[0])
    }

    fn walk_cell<S: Sink>(
        &self,
        w: &mut Walker<'_, S>,
        _frame: &Frame,
        cells: &[Cell],
        index: usize,
    ) {
        let (c, cell) = (index as u32 + 1, &cells[index]);
        let width = cell.width();
        for b in 1..=cell.depth() {
            let stride = if b == 1 { cell.stride } else { 1 };
            let block_in = w.cur;
            let block_piece = w.cur_pieces.first().copied();
            let skip = stride == 1 && block_in.c == width && lettered::keeps_shortcut(cell, b);
            let hidden = block_in.c * cell.expansion();
            if cell.expansion() != 1 {
                w.conv(Role::Expand, c, b, 1, 1, hidden, 1, hidden, None);
            }
            w.conv(Role::Depthwise, c, b, 3, stride, hidden, hidden, hidden, None);
            w.conv(
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

    fn degrees(&self, frame: &Frame, cells: &[Cell], each: &mut dyn FnMut(f64)) {
        lettered::chain_degrees(frame, cells, Mobile::cell_input, Mobile::cell_graph, each)
    }

    fn last_cell(&self, frame: &Frame, cells: &[Cell]) -> (f64, u64) {
        lettered::chain_last(frame, cells, Mobile::cell_input, Mobile::cell_graph)
    }
}
