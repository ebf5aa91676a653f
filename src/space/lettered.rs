//! What the lettered families (dense, res, wres, mobile) share: the cell
//! coordinates d, w, t, e (in that order in the text and the lattice), the
//! structural options, and NN-Degree over a chain of cells whose only link is
//! the channels between them.

use super::family::{Coordinate, Kind, Values};
use super::{in_range, limits, Cell, Family, Frame, Options, Shortcut, ValueRange, ALL};
use crate::error::{Error, Result};

/// Positions of the lettered coordinates in a cell.
pub const D: usize = 0;
pub const W: usize = 1;
pub const T: usize = 2;
pub const E: usize = 3;

pub const DEPTH: Coordinate = Coordinate {
    key: "d",
    name: "depth",
    label: "depth d",
    limits: limits::DEPTH,
    kind: Kind::Ordinal,
    star: false,
    absent: None,
    always_printed: true,
    only_in: None,
    default: Values::Range(ValueRange::new(2, 11, 1)),
};

pub const WIDTH: Coordinate = Coordinate {
    key: "w",
    name: "width",
    label: "width w",
    limits: limits::WIDTH,
    kind: Kind::Ordinal,
    star: false,
    absent: None,
    always_printed: true,
    only_in: None,
    default: Values::Range(ValueRange::new(8, 64, 8)),
};

/// The skip budget of the residual families: the last min(t, d) blocks keep
/// their shortcut; `*` (every one) unless the text says otherwise.
pub const SHORTCUTS: Coordinate = Coordinate {
    key: "t",
    name: "skip",
    label: "skip budget t",
    limits: limits::SKIP,
    kind: Kind::Ordinal,
    star: true,
    absent: Some(ALL),
    always_printed: false,
    only_in: None,
    default: Values::single(ALL),
};

/// The expansion ratio where a family has none (always 1).
pub const FIXED_EXPANSION: Coordinate = Coordinate {
    key: "e",
    name: "expansion",
    label: "expansion e",
    limits: limits::EXPANSION,
    kind: Kind::Ordinal,
    star: false,
    absent: Some(1),
    always_printed: false,
    only_in: Some("mobile"),
    default: Values::single(1),
};

/// "one choice of depth d, width w, skip budget t for each of the 3 cells; t counts …"
pub fn meaning(coords: &[Coordinate], cells: usize, skip_meaning: &str) -> String {
    let params: Vec<&str> =
        coords.iter().filter(|c| c.only_in.is_none()).map(|c| c.label).collect();
    format!(
        "one choice of {} for each of the {cells} cells; t counts {skip_meaning}",
        params.join(", ")
    )
}

/// A width times the Wide-ResNet multiplier stays within the effective width.
pub fn check_effective_width(frame: &Frame, j: usize, value: u32, n: usize) -> Result<()> {
    if j == W && value * frame.options.widen > limits::EFFECTIVE_WIDTH {
        return Err(Error::field(
            format!("cell {n} width w × k"),
            value * frame.options.widen,
            format!("1..={}", limits::EFFECTIVE_WIDTH),
        ));
    }
    Ok(())
}

/// The options of the lettered families: stem, stem stride and head for all;
/// k for wres, bottleneck and compression for dense, shortcut for res and wres.
pub fn check_options(options: Options, family: &str) -> Result<Options> {
    let family = Family::by_name(family)?;
    if let Some(stem) = options.stem {
        in_range("stem", stem, limits::STEM)?;
    }
    in_range("stem_stride", options.stem_stride, limits::STRIDE)?;
    if let Some(head) = options.head {
        in_range("head", head, limits::HEAD)?;
    }
    let defaults = Options::defaults(family);
    let only = |field: &str, ok: bool, value: String, families: &str| -> Result<()> {
        if ok {
            Ok(())
        } else {
            Err(Error::field(field, value, format!("only for the {families} family")))
        }
    };
    if family == Family::WideRes {
        in_range("k", options.widen, limits::WIDEN)?;
    } else {
        only("k", options.widen == defaults.widen, options.widen.to_string(), "wres")?;
    }
    if family == Family::Dense {
        in_range("bottleneck", options.bottleneck, limits::BOTTLENECK)?;
        if let Some(c) = options.compression_milli {
            in_range("compression (thousandths)", c, limits::COMPRESSION_MILLI)?;
        }
    } else {
        only("bottleneck", options.bottleneck == 0, options.bottleneck.to_string(), "dense")?;
        only("compression", options.compression_milli.is_none(), "set".into(), "dense")?;
    }
    if !matches!(family, Family::Res | Family::WideRes) {
        only("shortcut", options.shortcut == Shortcut::Proj, "pad".into(), "res and wres")?;
    }
    Ok(options)
}

/// The channels entering a cell, from the previous cell's output.
pub type CellInput = fn(&Frame, &[Cell], usize, u64) -> u64;
/// One cell's channel graph: (edges, nodes, channels out) from the channels in.
pub type CellGraph = fn(&Frame, &Cell, u64) -> (u64, u64, u64);

/// ḡ of each cell of a chain of cells (general closed form, no allocation).
pub fn chain_degrees(
    frame: &Frame,
    cells: &[Cell],
    input: CellInput,
    graph: CellGraph,
    each: &mut dyn FnMut(f64),
) {
    let mut prev = 0;
    for (i, cell) in cells.iter().enumerate() {
        let c_in = input(frame, cells, i, prev);
        let (edges, nodes, cell_out) = graph(frame, cell, c_in);
        prev = cell_out;
        // Through i64: one instruction, where u64 → f64 needs a sequence.
        each(edges as i64 as f64 / nodes as i64 as f64);
    }
}

/// ḡ of the last cell of a chain and the channels it outputs.
pub fn chain_last(frame: &Frame, cells: &[Cell], input: CellInput, graph: CellGraph) -> (f64, u64) {
    let mut prev = 0;
    let mut last = (0.0, 0);
    for (i, cell) in cells.iter().enumerate() {
        let c_in = input(frame, cells, i, prev);
        let (edges, nodes, out) = graph(frame, cell, c_in);
        prev = out;
        last = (edges as i64 as f64 / nodes as i64 as f64, out);
    }
    last
}

/// Whether block `block` (1-based) of a residual cell keeps its shortcut: the
/// last `min(t, d)` blocks do.
#[inline]
pub fn keeps_shortcut(cell: &Cell, block: u32) -> bool {
    let kept = kept(cell) as u32;
    block > cell.depth() - kept
}

/// How many blocks of a residual cell keep their shortcut.
#[inline]
pub fn kept(cell: &Cell) -> u64 {
    let d = cell.depth() as u64;
    if cell.skip() == ALL {
        d
    } else {
        (cell.skip() as u64).min(d)
    }
}
