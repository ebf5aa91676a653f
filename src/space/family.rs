//! What a family is: its declaration (the coordinates of a cell: key, label,
//! range, default, ordinal or categorical), how it checks a cell, walks a
//! cell into layers and gives its NN-Degree. Each family is one file
//! (`dense.rs`, `res.rs` for res and wres, `mobile.rs`, `nb201.rs`) that
//! implements [`FamilySpec`]; [`Family`](super::Family) registers them. The
//! grammar, the form schema, the page's fields, the search lattice, the exact
//! method and the export read the declaration (docs/architecture.md, "Adding a
//! family").

use super::text::Cursor;
use super::walk::{Sink, Walker};
use super::{in_range, Cell, CellParams, CellRanges, Frame, Options, ValueRange, ALL, MAX_COORDS};
use crate::error::{Error, Result};
use serde::Serialize;

/// How a coordinate's values relate to each other.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Kind {
    /// Numbers whose order means something (a depth, a width, a skip budget):
    /// FLASH relaxes them along a line and steps to a neighbour ±1.
    Ordinal,
    /// Named choices (an edge's operation), values 0.. in this order. FLASH's
    /// relaxation lines them up in this order (a family declares them cheapest
    /// first, so costs grow along the line), and a step may go to any other.
    Categorical { names: &'static [&'static str] },
}

/// One coordinate of a family's cell.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Coordinate {
    /// Its key in the text forms (`d`; NAS-Bench-201's edges `1~0`, …).
    pub key: &'static str,
    /// Its name on a chart's axis and in a link's `shgo` field.
    pub name: &'static str,
    /// What an error calls it, after "cell N " (`depth d`).
    pub label: &'static str,
    /// Values a cell may take (categorical: indices into `names`).
    pub limits: (u32, u32),
    pub kind: Kind,
    /// Whether `*` (every skip, [`ALL`]) is a value.
    pub star: bool,
    /// The value a cell takes when its text leaves the key out (`None`: required).
    pub absent: Option<u32>,
    /// Printed even at the `absent` value (a dense cell's `t*`).
    pub always_printed: bool,
    /// Only the `absent` value is allowed: the families that vary it, for the error.
    pub only_in: Option<&'static str>,
    /// A space's range when its text gives none (cell-independent).
    pub default: Values,
}

impl Coordinate {
    pub fn is_categorical(&self) -> bool {
        matches!(self.kind, Kind::Categorical { .. })
    }

    /// The name of value `v` (a category's name, else the number).
    pub fn value_name(&self, v: u32) -> String {
        match self.kind {
            Kind::Categorical { names } => {
                names.get(v as usize).map_or_else(|| v.to_string(), |n| n.to_string())
            }
            Kind::Ordinal if v == ALL && self.star => "*".into(),
            Kind::Ordinal => v.to_string(),
        }
    }
}

/// The values a coordinate ranges over in a space: an arithmetic range
/// (ordinal), or a set of categories (a bit mask over their indices).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(untagged)]
pub enum Values {
    Range(ValueRange),
    Set(u32),
}

impl Values {
    pub const fn single(v: u32) -> Values {
        Values::Range(ValueRange::single(v))
    }

    /// Every category of a coordinate with `n` of them.
    pub const fn all_of(n: u32) -> Values {
        Values::Set((1u32 << n) - 1)
    }

    #[inline]
    pub fn len(&self) -> u32 {
        match self {
            Values::Range(r) => r.len(),
            Values::Set(mask) => mask.count_ones(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Value number `i` (ascending).
    #[inline]
    pub fn value(&self, i: u32) -> u32 {
        match self {
            Values::Range(r) => r.value(i),
            Values::Set(mask) => {
                let mut m = *mask;
                for _ in 0..i {
                    m &= m - 1;
                }
                m.trailing_zeros()
            }
        }
    }

    pub fn values(&self) -> impl Iterator<Item = u32> + '_ {
        (0..self.len()).map(|i| self.value(i))
    }

    /// The position of value `v` among the values, if it is one.
    pub fn position(&self, v: u32) -> Option<u32> {
        self.values().position(|x| x == v).map(|p| p as u32)
    }

    /// The largest value (a space's largest member is checked for size).
    pub fn hi(&self) -> u32 {
        self.value(self.len() - 1)
    }

    /// The arithmetic range (an ordinal coordinate's).
    pub fn range(&self) -> Option<ValueRange> {
        match self {
            Values::Range(r) => Some(*r),
            Values::Set(_) => None,
        }
    }
}

/// What every family provides. The methods with a default serve the lettered
/// families (d, w, t, e); a family with another cell grammar overrides them.
pub trait FamilySpec: Sync {
    /// Its name in the text forms.
    fn name(&self) -> &'static str;
    /// What the page's family control says.
    fn label(&self) -> &'static str;
    /// A cell's coordinates, in the order of the text form and of the lattice.
    fn coordinates(&self) -> &'static [Coordinate];

    /// Cells a space of this family may have.
    fn cell_limits(&self) -> (u32, u32) {
        super::limits::CELLS
    }
    /// Cells a space has when its text does not say.
    fn default_cells(&self) -> usize {
        3
    }
    /// Whether a cell has a stride (`s`; the cells of a fixed macro do not).
    fn has_stride(&self) -> bool {
        true
    }

    /// What one configuration is, in words.
    fn configuration_meaning(&self, cells: usize) -> String;

    /// The structural options it takes, checked (the others must keep their defaults).
    fn check_options(&self, options: Options) -> Result<Options>;

    /// A check a value of coordinate `j` needs beyond its limits (a width times
    /// the Wide-ResNet multiplier); `n` is the 1-based cell.
    fn check_value(&self, _frame: &Frame, _j: usize, _value: u32, _n: usize) -> Result<()> {
        Ok(())
    }

    /// An upper bound on the channel-graph nodes of `cells`' layers (monotone in
    /// every coordinate: a space checks its largest member).
    fn node_bound(&self, frame: &Frame, cells: &[Cell]) -> u64;

    /// A feature map's side after a resolution-halving cell.
    fn halve(&self, side: u32) -> u32 {
        side.div_ceil(2)
    }

    /// The stem's output channels unless the options fix them.
    fn stem_width(&self, frame: &Frame, cells: &[Cell]) -> u32;
    fn stem_has_bn(&self) -> bool {
        true
    }
    /// Whether a BN-ReLU precedes the global pool.
    fn final_bn(&self) -> bool {
        false
    }

    /// Emits cell `index`'s layers (with what precedes it: a transition, a
    /// reduction block).
    fn walk_cell<S: Sink>(
        &self,
        w: &mut Walker<'_, S>,
        frame: &Frame,
        cells: &[Cell],
        index: usize,
    );

    /// ḡ of every cell of the network in order (closed form; a repeated cell
    /// once per place it takes).
    fn degrees(&self, frame: &Frame, cells: &[Cell], each: &mut dyn FnMut(f64));

    /// ḡ of the last of `cells` and the channels it outputs: the exact
    /// program's per-cell terms (families where [`program_applies`](Self::program_applies)).
    fn last_cell(&self, frame: &Frame, cells: &[Cell]) -> (f64, u64);

    /// Whether the exact dynamic program over cells applies (its states are
    /// the channels between cells); otherwise the exact method enumerates.
    fn program_applies(&self) -> bool {
        true
    }

    /// The coordinates of a cell that FLASH's shared level moves together, one
    /// group per SHGO axis (default: each its own axis, the same position in
    /// every cell).
    fn shared_axes(&self) -> Vec<Vec<usize>> {
        (0..self.coordinates().len()).map(|j| vec![j]).collect()
    }

    /// The coordinates of a cell that FLASH's cell level searches together, in
    /// blocks of at most four (SHGO's complex grows as 2^dim); default: the whole cell.
    fn blocks(&self) -> Vec<std::ops::Range<usize>> {
        let all = 0..self.coordinates().len();
        vec![all]
    }

    /// Keys a space item may name that set several coordinates at once.
    fn groups(&self) -> &'static [(&'static str, &'static [usize])] {
        &[]
    }

    /// Reads the cells of an architecture's text (after `DATASET/FAMILY/`).
    fn parse_cells(&self, cur: &mut Cursor) -> Result<Vec<CellParams>> {
        lettered_parse(self.coordinates(), self.has_stride(), cur)
    }

    /// Writes the cells of an architecture's text (canonical).
    fn print_cells(&self, cells: &[Cell], out: &mut String) {
        lettered_print(self.coordinates(), cells, out)
    }

    /// Whether a space prints nothing after its frame (`DATASET/FAMILY`) and
    /// its text may end there: every item at its default.
    fn space_may_end_at_frame(&self) -> bool {
        false
    }
}

/// The lettered families' cell grammar (docs/space.md):
/// `CELL := KEY INT (KEY INT)* ('s' INT)?`, required keys first, in the
/// declaration's order; `*` where the coordinate takes it.
fn lettered_parse(
    coords: &[Coordinate],
    stride: bool,
    cur: &mut Cursor,
) -> Result<Vec<CellParams>> {
    let mut cells = Vec::new();
    loop {
        if cells.len() as u32 >= super::limits::CELLS.1 {
            return Err(cur.err(format!(
                "more than {} cells: allowed {}..={}",
                super::limits::CELLS.1,
                super::limits::CELLS.0,
                super::limits::CELLS.1
            )));
        }
        let n = cells.len() + 1;
        let mut cell = CellParams::empty();
        let required: Vec<&Coordinate> = coords.iter().filter(|c| c.absent.is_none()).collect();
        for (j, c) in coords.iter().enumerate() {
            let field = format!("cell {n} {}", c.label);
            if c.absent.is_none() {
                let first = required.first().is_some_and(|r| r.key == c.key);
                let context = if first {
                    let hint: String =
                        required.iter().map(|r| format!("{}<{}>", r.key, r.name)).collect();
                    format!("to start cell {n} ({hint}…)")
                } else {
                    let before = coords[..j].iter().rev().find(|p| p.absent.is_none());
                    format!("after cell {n}'s {}", before.map_or("start", |p| p.name))
                };
                cur.expect_str(c.key, &context)?;
                cell.coords[j] = Some(cur.int(&field)?);
            } else if cur.eat_str(c.key) {
                cell.coords[j] = Some(if c.star && cur.eat('*') { ALL } else { cur.int(&field)? });
            }
        }
        if stride && cur.eat('s') {
            cell.stride = Some(cur.int(&format!("cell {n} stride s"))?);
        }
        cells.push(cell);
        if !cur.eat('-') {
            break;
        }
    }
    Ok(cells)
}

fn lettered_print(coords: &[Coordinate], cells: &[Cell], out: &mut String) {
    for (i, c) in cells.iter().enumerate() {
        if i > 0 {
            out.push('-');
        }
        for (j, coord) in coords.iter().enumerate() {
            let v = c.coords[j];
            if coord.only_in.is_some()
                || (Some(v) == coord.absent && !coord.always_printed && coord.absent.is_some())
            {
                continue;
            }
            let value = if v == ALL && coord.star { "*".to_string() } else { v.to_string() };
            out.push_str(coord.key);
            out.push_str(&value);
        }
        if c.stride != super::default_stride(i) {
            out.push_str(&format!("s{}", c.stride));
        }
    }
}

/// Checks one cell's parameters against the declaration, coordinate by
/// coordinate (with the family's extra checks after each), then its stride.
pub(super) fn check_cell(
    family: super::Family,
    frame: &Frame,
    params: &CellParams,
    index: usize,
) -> Result<Cell> {
    let n = index + 1;
    let mut cell = Cell { coords: [0; MAX_COORDS], stride: 0 };
    for (j, c) in family.coordinates().iter().enumerate() {
        let field = format!("cell {n} {}", c.label);
        let v = match (params.coords[j], c.only_in) {
            (None, _) => c.absent.ok_or_else(|| {
                Error::field(field.clone(), "missing", format!("{}..={}", c.limits.0, c.limits.1))
            })?,
            (Some(ALL), None) if c.star => ALL,
            (Some(v), Some(families)) => {
                if Some(v) != c.absent {
                    return Err(Error::field(field, v, format!("only for the {families} family")));
                }
                v
            }
            (Some(v), None) => in_range(field, v, c.limits)?,
        };
        family.check_value(frame, j, v, n)?;
        cell.coords[j] = v;
    }
    cell.stride = if family.has_stride() {
        in_range(
            format!("cell {n} stride s"),
            params.stride.unwrap_or(super::default_stride(index)),
            super::limits::STRIDE,
        )?
    } else {
        match params.stride {
            None => 1,
            Some(s) => {
                return Err(Error::field(
                    format!("cell {n} stride s"),
                    s,
                    format!("no stride in the {} family", family.name()),
                ))
            }
        }
    };
    Ok(cell)
}

/// Checks one cell's ranges against the declaration (normalising each range),
/// with the family's extra checks on each range's largest value.
pub(super) fn check_ranges(
    family: super::Family,
    frame: &Frame,
    ranges: &CellRanges,
    index: usize,
) -> Result<CellRanges> {
    let n = index + 1;
    let mut out = *ranges;
    for (j, c) in family.coordinates().iter().enumerate() {
        let field = format!("cell {n} {}", c.label);
        out.coords[j] = match (ranges.coords[j], c.only_in, c.kind) {
            (v, Some(families), _) => {
                if Some(v) != c.absent.map(Values::single) {
                    return Err(Error::field(
                        field,
                        "a range",
                        format!("only for the {families} family"),
                    ));
                }
                v
            }
            (Values::Range(r), None, Kind::Ordinal) => {
                Values::Range(r.check(&field, c.limits, c.star)?)
            }
            (Values::Set(mask), None, Kind::Categorical { names }) => {
                let all = (1u32 << names.len()) - 1;
                if mask == 0 || mask & !all != 0 {
                    return Err(Error::field(
                        field,
                        "no operation",
                        format!("at least one of {}", names.join(", ")),
                    ));
                }
                Values::Set(mask)
            }
            (_, None, Kind::Ordinal) => {
                return Err(Error::field(field, "a set of names", "a range of numbers"))
            }
            (_, None, Kind::Categorical { names }) => {
                return Err(Error::field(
                    field,
                    "a range of numbers",
                    format!("names of {} joined by |", names.join(", ")),
                ))
            }
        };
        if c.kind == Kind::Ordinal && c.only_in.is_none() {
            let hi = out.coords[j].hi();
            if hi != ALL {
                family.check_value(frame, j, hi, n)?;
            }
        }
    }
    out.stride = if family.has_stride() {
        in_range(format!("cell {n} stride s"), ranges.stride, super::limits::STRIDE)?
    } else {
        1
    };
    Ok(out)
}
