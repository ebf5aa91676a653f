//! The DenseNet-type family (FLASH's own): concatenation skips, budgeted by t
//! channels per layer (docs/space.md).

use super::family::{Coordinate, FamilySpec, Kind, Values};
use super::lettered::{self, D, T, W};
use super::walk::{LayerKind, Piece, Role, Sink, Walker};
use super::{limits, Cell, Frame, Options, ValueRange, ALL};
use crate::error::Result;

pub struct Dense;

const COORDS: [Coordinate; 4] = [
    lettered::DEPTH,
    lettered::WIDTH,
    Coordinate {
        key: "t",
        name: "skip",
        label: "skip budget t",
        limits: limits::SKIP,
        kind: Kind::Ordinal,
        star: true,
        absent: Some(ALL),
        always_printed: true,
        only_in: None,
        default: Values::Range(ValueRange::new(0, 49, 1)),
    },
    lettered::FIXED_EXPANSION,
];

/// Σ_{k=0}^{n-1} min(t, c + k·w): the skip channels read by n successive dense
/// layers when the pool they can draw from grows by w per layer from c.
///
/// Branch-free on purpose: whether t exceeds c is a coin flip over a search
/// space, and mispredicted branches cost more than the arithmetic (docs/benchmarks.md).
#[inline]
pub(crate) fn capped_sum(t: u32, c: u64, w: u64, n: u64) -> u64 {
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

/// Channels a dense layer reads besides its predecessor: `min(t, available)`.
#[inline]
fn skip_take(skip: u32, available: u32) -> u32 {
    if skip == ALL {
        available
    } else {
        skip.min(available)
    }
}

impl Dense {
    /// (edge count, node count) of one cell's channel graph, and the channel
    /// count of the tensor the cell outputs, given the channels entering it.
    #[inline]
    fn cell_graph(frame: &Frame, cell: &Cell, c_in: u64) -> (u64, u64, u64) {
        let d = cell.depth() as u64;
        let w = cell.width() as u64;
        // Σ_j in_j = c_in + (d-1)·w + T, T = Σ_{j=2..d} min(t, c_in + (j-2)·w).
        let reads = c_in + (d - 1) * w + capped_sum(cell.skip(), c_in, w, d - 1);
        let out = w + capped(cell.skip(), c_in + (d - 1) * w);
        match frame.options.bottleneck as u64 {
            0 => (w * reads, d * w, out),
            b => (b * w * reads + d * w * b * w, d * (b + 1) * w, out),
        }
    }

    /// Channels entering cell `index` given the previous cell's output channels.
    #[inline]
    fn cell_input(frame: &Frame, cells: &[Cell], index: usize, prev_out: u64) -> u64 {
        if index == 0 {
            return super::walk::stem_width(frame, cells) as u64;
        }
        match frame.options.compression_milli {
            Some(m) => (prev_out * m as u64 / 1000).max(1),
            None => cells[index].width() as u64,
        }
    }
}

/// The concatenation read by a dense layer: `pieces(prev)` plus the first `take`
/// channels of the earlier tensors, most recent first.
fn dense_reads<S: Sink>(w: &mut Walker<'_, S>, tensors: &[Vec<Piece>], prev: usize, mut take: u32) {
    w.scratch.clear();
    w.scratch.extend_from_slice(&tensors[prev]);
    for tensor in tensors[..prev].iter().rev() {
        for p in tensor {
            if take == 0 {
                break;
            }
            let n = p.len.min(take);
            w.scratch.push(Piece { layer: p.layer, start: p.start, len: n });
            take -= n;
        }
    }
    std::mem::swap(&mut w.cur_pieces, &mut w.scratch);
}

impl FamilySpec for Dense {
    fn name(&self) -> &'static str {
        "dense"
    }

    fn label(&self) -> &'static str {
        "dense (DenseNet)"
    }

    fn coordinates(&self) -> &'static [Coordinate] {
        &COORDS
    }

    fn configuration_meaning(&self, cells: usize) -> String {
        lettered::meaning(
            &COORDS,
            cells,
            "channels each layer reads from earlier layers of the cell (besides the previous layer)",
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
            .map(|c| {
                let (d, w) = (c.depth() as u64, c.width() as u64 * frame.options.widen as u64);
                d * w * (1 + frame.options.bottleneck as u64)
            })
            .sum()
    }

    /// Dense transitions pool 2×2 (floor); strided 3×3 convs with padding 1 give ceil.
    fn halve(&self, side: u32) -> u32 {
        side / 2
    }

    fn stem_width(&self, frame: &Frame, cells: &[Cell]) -> u32 {
        frame.effective_width(&cells[0])
    }

    fn stem_has_bn(&self) -> bool {
        false
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
        let (c, cell, first) = (index as u32 + 1, &cells[index], index == 0);
        let width = cell.width();
        if !first {
            let to = match frame.options.compression_milli {
                Some(m) => ((w.cur.c as u64 * m as u64 / 1000) as u32).max(1),
                None => width,
            };
            let bn = w.cur.c;
            w.conv(Role::Transition, c, 0, 1, 1, to, 1, bn, None);
        }
        if cell.stride == 2 {
            w.pool(Role::Pool, c, LayerKind::AvgPool, 0);
        }
        let c_in = w.cur.c;
        // tensors[0] is the cell input, tensors[j] the output of layer j.
        let mut tensors: Vec<Vec<Piece>> = Vec::new();
        if S::READS {
            tensors.push(w.cur_pieces.clone());
        }
        let bottleneck = frame.options.bottleneck;
        for j in 1..=cell.depth() {
            // Earlier than the predecessor: the cell input and layers 1..j-2.
            let available = if j == 1 { 0 } else { c_in + (j - 2) * width };
            let skip = skip_take(cell.skip(), available);
            let in_c = if j == 1 { c_in } else { width + skip };
            if S::READS {
                dense_reads(w, &tensors, j as usize - 1, skip);
            }
            w.cur.c = in_c;
            if bottleneck > 0 {
                w.conv(Role::Bottleneck, c, j, 1, 1, bottleneck * width, 1, in_c, None);
                w.conv(Role::Dense, c, j, 3, 1, width, 1, bottleneck * width, None);
            } else {
                w.conv(Role::Dense, c, j, 3, 1, width, 1, in_c, None);
            }
            if S::READS {
                tensors.push(w.cur_pieces.clone());
            }
        }
        // The cell's output is what a further layer would read.
        let available = c_in + (cell.depth() - 1) * width;
        let skip = skip_take(cell.skip(), available);
        if S::READS {
            dense_reads(w, &tensors, cell.depth() as usize, skip);
        }
        w.cur.c = width + skip;
    }

    fn degrees(&self, frame: &Frame, cells: &[Cell], each: &mut dyn FnMut(f64)) {
        lettered::chain_degrees(frame, cells, Dense::cell_input, Dense::cell_graph, each)
    }

    fn last_cell(&self, frame: &Frame, cells: &[Cell]) -> (f64, u64) {
        lettered::chain_last(frame, cells, Dense::cell_input, Dense::cell_graph)
    }
}

/// Whether every cell of the frame starts from exactly `w` channels: FLASH's
/// DenseNet-type space (stem and transitions map to the cell's width, no
/// bottleneck). There ḡ_c = w + T/d (docs/nn-degree.md).
#[inline]
pub(crate) fn is_flash_dense(frame: &Frame) -> bool {
    frame.family == super::Family::Dense
        && frame.options.bottleneck == 0
        && frame.options.compression_milli.is_none()
        && frame.options.stem.is_none()
}

/// NN-Degree of FLASH's DenseNet-type space: the search's hot path, one
/// division per cell, no dispatch.
#[inline]
pub(crate) fn flash_degree(cells: &[Cell]) -> f64 {
    cells
        .iter()
        .map(|c| {
            let (d, w) = (c.coords[D] as u64, c.coords[W] as u64);
            c.coords[W] as f64 + capped_sum(c.coords[T], w, w, d - 1) as i64 as f64 / d as f64
        })
        .sum()
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
