//! Search spaces and architectures: what a network of the space is, how its
//! parameters are checked, how many configurations a space holds.
//!
//! A network is: stem → cells → global average pool → linear classifier. The
//! family decides what a cell is made of: each family is one file
//! (`dense.rs`, `res.rs`, `mobile.rs`, `nb201.rs`) implementing
//! [`family::FamilySpec`], registered in [`Family`]; `walk.rs` is the layer
//! vocabulary and the walker their cells drive. docs/space.md defines each
//! family's layers exactly; docs/architecture.md says how to add one.
//!
//! Unchecked parameters ([`ArchitectureParams`], [`SpaceParams`]) become checked
//! values ([`Architecture`], [`SearchSpace`]) only through `check()`, so code that
//! holds a checked value never re-validates (linfa's ParamGuard pattern).

pub mod dense;
pub mod family;
pub mod lettered;
pub mod mobile;
pub mod nb201;
pub mod res;
pub mod text;
pub mod walk;

use crate::error::{Error, Result};
pub use family::{Coordinate, FamilySpec, Kind, Values};
use rand::Rng;
use serde::Serialize;

/// Skip budget meaning "every skip connection the cell can have".
pub const ALL: u32 = u32::MAX;

/// The most coordinates a family's cell has (NAS-Bench-201's six edges).
pub const MAX_COORDS: usize = 6;

/// Allowed ranges of every architecture parameter. They bound memory and time
/// (a URL can ask for anything) while covering every classic network.
pub mod limits {
    pub const CELLS: (u32, u32) = (1, 16);
    pub const DEPTH: (u32, u32) = (1, 128);
    pub const WIDTH: (u32, u32) = (1, 4096);
    pub const EFFECTIVE_WIDTH: u32 = 16384;
    pub const SKIP: (u32, u32) = (0, 65535);
    pub const EXPANSION: (u32, u32) = (1, 16);
    pub const STRIDE: (u32, u32) = (1, 2);
    pub const STEM: (u32, u32) = (1, 4096);
    pub const HEAD: (u32, u32) = (1, 8192);
    pub const WIDEN: (u32, u32) = (1, 32);
    pub const BOTTLENECK: (u32, u32) = (0, 8);
    /// Compression factor of DenseNet transitions, in thousandths.
    pub const COMPRESSION_MILLI: (u32, u32) = (1, 1000);
    /// Output channels of all the cells' layers (the channel graph's nodes). Each
    /// value above can be in range while their product is not: this bounds memory
    /// (the graph, the page's tables) and keeps MAC counts far from u64 overflow.
    /// The classic networks need at most ≈ 50,000.
    pub const NODES: u64 = 1 << 22;
}

fn check_size(frame: &Frame, cells: &[Cell]) -> Result<()> {
    let nodes = frame.family.node_bound(frame, cells);
    if nodes > limits::NODES {
        return Err(Error::field(
            "network size (output channels of the cells' layers)",
            nodes,
            format!("at most {} (fewer cells, layers or channels)", limits::NODES),
        ));
    }
    Ok(())
}

pub(crate) fn in_range(field: impl Into<String>, value: u32, (lo, hi): (u32, u32)) -> Result<u32> {
    if (lo..=hi).contains(&value) {
        Ok(value)
    } else {
        Err(Error::field(field, value, format!("{lo}..={hi}")))
    }
}

/// Input shape and class count of a data set.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct Dataset {
    pub name: &'static str,
    pub height: u32,
    pub width: u32,
    pub channels: u32,
    pub classes: u32,
}

pub const DATASETS: [Dataset; 5] = [
    Dataset { name: "cifar10", height: 32, width: 32, channels: 3, classes: 10 },
    Dataset { name: "cifar100", height: 32, width: 32, channels: 3, classes: 100 },
    Dataset { name: "mnist", height: 28, width: 28, channels: 1, classes: 10 },
    Dataset { name: "digits", height: 8, width: 8, channels: 1, classes: 10 },
    Dataset { name: "imagenet", height: 224, width: 224, channels: 3, classes: 1000 },
];

impl Dataset {
    pub fn by_name(name: &str) -> Result<Dataset> {
        DATASETS.iter().copied().find(|d| d.name == name).ok_or_else(|| {
            let names: Vec<_> = DATASETS.iter().map(|d| d.name).collect();
            Error::field("dataset", name, format!("one of {}", names.join(", ")))
        })
    }
}

/// Cell family: what a cell's layers are and how its skip connections work.
/// The registry: each variant's behaviour is its file's [`FamilySpec`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Family {
    /// DenseNet-type: concatenation skips, budgeted by t channels per layer.
    Dense,
    /// ResNet-type: 2-layer basic blocks with additive identity/projection shortcuts.
    Res,
    /// Wide-ResNet: ResNet-type with every width multiplied by k.
    WideRes,
    /// MobileNetV2-type inverted residual blocks with additive skips where shapes allow.
    Mobile,
    /// NAS-Bench-201's cell: a DAG of 4 nodes, one operation on each of its 6 edges.
    Nb201,
}

/// Calls `$body` with `$f` bound to the family's [`FamilySpec`] (static
/// dispatch: the walk is generic over its sink).
macro_rules! with_family {
    ($family:expr, $f:ident => $body:expr) => {
        match $family {
            Family::Dense => {
                let $f = &dense::Dense;
                $body
            }
            Family::Res => {
                let $f = &res::Res { wide: false };
                $body
            }
            Family::WideRes => {
                let $f = &res::Res { wide: true };
                $body
            }
            Family::Mobile => {
                let $f = &mobile::Mobile;
                $body
            }
            Family::Nb201 => {
                let $f = &nb201::Nb201;
                $body
            }
        }
    };
}

impl Family {
    pub const ALL: [Family; 5] =
        [Family::Dense, Family::Res, Family::WideRes, Family::Mobile, Family::Nb201];

    pub fn name(self) -> &'static str {
        with_family!(self, f => f.name())
    }

    /// What the page's family control says.
    pub fn label(self) -> &'static str {
        with_family!(self, f => f.label())
    }

    pub fn by_name(name: &str) -> Result<Family> {
        Family::ALL.into_iter().find(|f| f.name() == name).ok_or_else(|| {
            let names: Vec<&str> = Family::ALL.iter().map(|f| f.name()).collect();
            Error::field("family", name, format!("one of {}", names.join(", ")))
        })
    }

    /// A cell's coordinates, in the order of the text form and of the lattice.
    pub fn coordinates(self) -> &'static [Coordinate] {
        with_family!(self, f => f.coordinates())
    }

    pub fn cell_limits(self) -> (u32, u32) {
        with_family!(self, f => f.cell_limits())
    }

    pub fn default_cells(self) -> usize {
        with_family!(self, f => f.default_cells())
    }

    pub fn has_stride(self) -> bool {
        with_family!(self, f => f.has_stride())
    }

    pub(crate) fn check_options(self, options: Options) -> Result<Options> {
        with_family!(self, f => f.check_options(options))
    }

    pub(crate) fn check_value(self, frame: &Frame, j: usize, value: u32, n: usize) -> Result<()> {
        with_family!(self, f => f.check_value(frame, j, value, n))
    }

    pub(crate) fn node_bound(self, frame: &Frame, cells: &[Cell]) -> u64 {
        with_family!(self, f => f.node_bound(frame, cells))
    }

    fn halve(self, side: u32) -> u32 {
        with_family!(self, f => f.halve(side))
    }

    pub(crate) fn stem_width(self, frame: &Frame, cells: &[Cell]) -> u32 {
        with_family!(self, f => f.stem_width(frame, cells))
    }

    pub(crate) fn stem_has_bn(self) -> bool {
        with_family!(self, f => f.stem_has_bn())
    }

    pub(crate) fn final_bn(self) -> bool {
        with_family!(self, f => f.final_bn())
    }

    #[inline]
    pub(crate) fn walk_cell<S: walk::Sink>(
        self,
        w: &mut walk::Walker<'_, S>,
        frame: &Frame,
        cells: &[Cell],
        index: usize,
    ) {
        with_family!(self, f => f.walk_cell(w, frame, cells, index))
    }

    /// ḡ of every cell of the network in order (closed form).
    pub fn degrees(self, frame: &Frame, cells: &[Cell], each: &mut dyn FnMut(f64)) {
        with_family!(self, f => f.degrees(frame, cells, each))
    }

    /// ḡ of the last of `cells` and the channels it outputs (the exact program's terms).
    pub fn last_cell(self, frame: &Frame, cells: &[Cell]) -> (f64, u64) {
        with_family!(self, f => f.last_cell(frame, cells))
    }

    /// Whether the exact dynamic program over cells applies.
    pub fn program_applies(self) -> bool {
        with_family!(self, f => f.program_applies())
    }

    /// Coordinates of a cell FLASH's shared level moves together, one group per axis.
    pub fn shared_axes(self) -> Vec<Vec<usize>> {
        with_family!(self, f => f.shared_axes())
    }

    /// Coordinates of a cell FLASH's cell level searches together.
    pub fn blocks(self) -> Vec<std::ops::Range<usize>> {
        with_family!(self, f => f.blocks())
    }

    pub(crate) fn groups(self) -> &'static [(&'static str, &'static [usize])] {
        with_family!(self, f => f.groups())
    }

    pub(crate) fn parse_cells(self, cur: &mut text::Cursor) -> Result<Vec<CellParams>> {
        with_family!(self, f => f.parse_cells(cur))
    }

    pub(crate) fn print_cells(self, cells: &[Cell], out: &mut String) {
        with_family!(self, f => f.print_cells(cells, out))
    }

    pub(crate) fn space_may_end_at_frame(self) -> bool {
        with_family!(self, f => f.space_may_end_at_frame())
    }

    /// What one configuration of a space of `cells` cells is, in words.
    pub fn configuration_meaning(self, cells: usize) -> String {
        with_family!(self, f => f.configuration_meaning(cells))
    }
}

/// How a ResNet block whose shape changes gets its shortcut.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Shortcut {
    /// 1×1 convolution + BN (He et al. option B).
    Proj,
    /// Subsampled identity padded with zero channels, parameter-free (option A).
    Pad,
}

/// Family-wide structural options. Each has a default; the text form lists only
/// the ones that differ.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct Options {
    /// Stem output channels; `None` means the first cell's input width.
    pub stem: Option<u32>,
    pub stem_stride: u32,
    /// Optional 1×1 conv before the pool (MobileNetV2's 1280).
    pub head: Option<u32>,
    /// Wide-ResNet width multiplier k.
    pub widen: u32,
    /// DenseNet-B bottleneck: a 1×1 conv to `bottleneck·w` before each 3×3; 0 = none.
    pub bottleneck: u32,
    /// DenseNet-C transition compression θ in thousandths; `None` = the transition
    /// maps to the next cell's width.
    pub compression_milli: Option<u32>,
    pub shortcut: Shortcut,
}

impl Options {
    pub fn defaults(family: Family) -> Options {
        Options {
            stem: None,
            stem_stride: 1,
            head: None,
            widen: if family == Family::WideRes { 2 } else { 1 },
            bottleneck: 0,
            compression_milli: None,
            shortcut: Shortcut::Proj,
        }
    }
}

/// What every network of a space shares: data set, family, structural options.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct Frame {
    pub dataset: Dataset,
    pub family: Family,
    pub options: Options,
}

impl Frame {
    pub fn new(dataset: Dataset, family: Family) -> Frame {
        Frame { dataset, family, options: Options::defaults(family) }
    }

    /// Channels a cell's layers actually have (k·w for Wide-ResNet).
    #[inline]
    pub fn effective_width(&self, cell: &Cell) -> u32 {
        cell.width() * self.options.widen
    }

    /// Spatial sizes (height, width) inside each cell, or an error naming the cell
    /// whose transition would shrink the feature map to nothing.
    pub fn resolutions(&self, strides: impl Iterator<Item = u32>) -> Result<Vec<(u32, u32)>> {
        let s = self.options.stem_stride;
        let (mut h, mut w) = (self.dataset.height.div_ceil(s), self.dataset.width.div_ceil(s));
        let mut out = Vec::new();
        for (index, stride) in strides.enumerate() {
            if stride == 2 {
                (h, w) = (self.family.halve(h), self.family.halve(w));
            }
            if h == 0 || w == 0 {
                return Err(Error::field(
                    format!("cell {} stride", index + 1),
                    stride,
                    format!(
                        "a layout that keeps the {}×{} input at least 1×1 (fewer resolution-halving cells)",
                        self.dataset.height, self.dataset.width
                    ),
                ));
            }
            out.push((h, w));
        }
        Ok(out)
    }
}

/// One cell of a checked architecture: a value of each of its family's
/// coordinates (in the declaration's order; unused places are 0) and its
/// stride. Copy and small: the search evaluates millions of these without allocating.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct Cell {
    pub coords: [u32; MAX_COORDS],
    /// 2 if the cell starts by halving the resolution.
    pub stride: u32,
}

impl Cell {
    /// A lettered family's cell (d, w, t, e).
    pub fn lettered(depth: u32, width: u32, skip: u32, expansion: u32, stride: u32) -> Cell {
        let mut coords = [0; MAX_COORDS];
        coords[..4].copy_from_slice(&[depth, width, skip, expansion]);
        Cell { coords, stride }
    }

    /// Layers (dense) or blocks (res, wres, mobile): a lettered family's d.
    #[inline]
    pub fn depth(&self) -> u32 {
        self.coords[lettered::D]
    }

    /// Growth rate (dense) or output channels before the k multiplier (wres).
    #[inline]
    pub fn width(&self) -> u32 {
        self.coords[lettered::W]
    }

    /// Skip budget t; [`ALL`] for every possible skip.
    #[inline]
    pub fn skip(&self) -> u32 {
        self.coords[lettered::T]
    }

    /// Expansion ratio of inverted residual blocks (1 outside the mobile family).
    #[inline]
    pub fn expansion(&self) -> u32 {
        self.coords[lettered::E]
    }
}

/// The stride a cell has unless it says otherwise: the first keeps the stem's
/// resolution, every later one halves it.
pub fn default_stride(cell_index: usize) -> u32 {
    if cell_index == 0 {
        1
    } else {
        2
    }
}

/// Unchecked cell parameters (as parsed or as typed into a form): a value per
/// coordinate where given.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CellParams {
    pub coords: [Option<u32>; MAX_COORDS],
    pub stride: Option<u32>,
}

impl CellParams {
    pub fn empty() -> CellParams {
        CellParams { coords: [None; MAX_COORDS], stride: None }
    }

    /// A lettered family's cell parameters (d, w, t, e).
    pub fn lettered(
        depth: u32,
        width: u32,
        skip: Option<u32>,
        expansion: Option<u32>,
        stride: Option<u32>,
    ) -> CellParams {
        let mut p = CellParams::empty();
        p.coords[..4].copy_from_slice(&[Some(depth), Some(width), skip, expansion]);
        p.stride = stride;
        p
    }
}

/// Unchecked architecture: turn into an [`Architecture`] with [`check`](Self::check).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ArchitectureParams {
    pub dataset: Dataset,
    pub family: Family,
    pub options: Options,
    pub cells: Vec<CellParams>,
}

impl ArchitectureParams {
    pub fn check(self) -> Result<Architecture> {
        in_range("number of cells", self.cells.len() as u32, self.family.cell_limits())?;
        let frame = Frame {
            dataset: self.dataset,
            family: self.family,
            options: self.family.check_options(self.options)?,
        };
        let cells = self
            .cells
            .iter()
            .enumerate()
            .map(|(i, c)| family::check_cell(self.family, &frame, c, i))
            .collect::<Result<Vec<_>>>()?;
        frame.resolutions(cells.iter().map(|c| c.stride))?;
        check_size(&frame, &cells)?;
        Ok(Architecture { frame, cells })
    }
}

/// A checked network of some space: every value is in range and every feature
/// map keeps at least one pixel.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Architecture {
    frame: Frame,
    cells: Vec<Cell>,
}

impl Architecture {
    pub fn frame(&self) -> &Frame {
        &self.frame
    }

    pub fn cells(&self) -> &[Cell] {
        &self.cells
    }

    /// Parses the text form (docs/space.md), then checks it.
    pub fn parse(text: &str) -> Result<Architecture> {
        text::parse_architecture(text)?.check()
    }

    /// Builds an architecture from cells that a checked [`SearchSpace`] produced.
    pub fn from_space(space: &SearchSpace, cells: Vec<Cell>) -> Architecture {
        debug_assert_eq!(cells.len(), space.cells.len());
        Architecture { frame: space.frame, cells }
    }
}

impl std::fmt::Display for Architecture {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&text::print_architecture(&self.frame, &self.cells))
    }
}

/// An arithmetic range of values `lo, lo+step, …, hi` (inclusive), or the single
/// value [`ALL`] (a skip budget of `*`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct ValueRange {
    pub lo: u32,
    pub hi: u32,
    pub step: u32,
}

impl ValueRange {
    pub const fn single(v: u32) -> ValueRange {
        ValueRange { lo: v, hi: v, step: 1 }
    }

    pub const fn new(lo: u32, hi: u32, step: u32) -> ValueRange {
        ValueRange { lo, hi, step }
    }

    /// Number of values.
    #[inline]
    pub fn len(&self) -> u32 {
        (self.hi - self.lo) / self.step + 1
    }

    pub fn is_empty(&self) -> bool {
        false
    }

    #[inline]
    pub fn value(&self, i: u32) -> u32 {
        self.lo + i * self.step
    }

    pub fn values(&self) -> impl Iterator<Item = u32> + '_ {
        (0..self.len()).map(|i| self.value(i))
    }

    /// Checks bounds and normalises so that equal value sets have equal ranges
    /// (`hi` is the last value taken, a single value has step 1).
    fn check(self, field: &str, (min, max): (u32, u32), allow_all: bool) -> Result<ValueRange> {
        if self.lo == ALL || self.hi == ALL {
            return if allow_all && self.lo == ALL && self.hi == ALL {
                Ok(ValueRange::single(ALL))
            } else {
                Err(Error::field(
                    field,
                    "a range ending in *",
                    format!("* alone or a range within {min}..={max}"),
                ))
            };
        }
        in_range(format!("{field} (lowest)"), self.lo, (min, max))?;
        in_range(format!("{field} (highest)"), self.hi, (min, max))?;
        if self.lo > self.hi {
            return Err(Error::field(
                field,
                format!("{}..{}", self.lo, self.hi),
                "a range whose first value is at most its last",
            ));
        }
        in_range(format!("{field} (step)"), self.step, (1, max.max(1)))?;
        let hi = self.lo + (self.hi - self.lo) / self.step * self.step;
        Ok(if hi == self.lo {
            ValueRange::single(self.lo)
        } else {
            ValueRange { lo: self.lo, hi, step: self.step }
        })
    }
}

/// Per-cell ranges of a space: the values of each coordinate (in the
/// family's order; unused places hold 0) and the stride.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct CellRanges {
    pub coords: [Values; MAX_COORDS],
    pub stride: u32,
}

impl CellRanges {
    /// The family's defaults (FLASH's ranges for the lettered families: d ∈
    /// 2..=11, w ∈ {8,16,…,64}, t ∈ 0..=49 (dense) or every shortcut (other
    /// families), expansion 6 for mobile; every operation on every edge for nb201).
    pub fn defaults(family: Family, index: usize) -> CellRanges {
        let mut coords = [Values::single(0); MAX_COORDS];
        for (slot, c) in coords.iter_mut().zip(family.coordinates()) {
            *slot = c.default;
        }
        CellRanges { coords, stride: if family.has_stride() { default_stride(index) } else { 1 } }
    }

    /// The values of coordinate `j`.
    #[inline]
    pub fn get(&self, j: usize) -> Values {
        self.coords[j]
    }

    /// A lettered family's depth range (d).
    pub fn depth(&self) -> Values {
        self.coords[lettered::D]
    }
    pub fn width(&self) -> Values {
        self.coords[lettered::W]
    }
    pub fn skip(&self) -> Values {
        self.coords[lettered::T]
    }
    pub fn expansion(&self) -> Values {
        self.coords[lettered::E]
    }

    /// Configurations of this cell (at most 4096⁴, so it always fits u128).
    pub fn count(&self) -> u128 {
        self.coords.iter().map(|v| v.len() as u128).product()
    }
}

/// The name links, requests and the CLI use for FLASH's default space.
pub const DEFAULT_ALIAS: &str = "default";

/// Unchecked search space.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SpaceParams {
    pub frame: Frame,
    pub cells: Vec<CellRanges>,
}

impl SpaceParams {
    /// FLASH's default space: CIFAR-10, DenseNet-type, 3 cells, 4,000 choices each.
    pub fn flash_default() -> SpaceParams {
        SpaceParams::defaults(DATASETS[0], Family::Dense, 3)
    }

    pub fn defaults(dataset: Dataset, family: Family, cells: usize) -> SpaceParams {
        SpaceParams {
            frame: Frame::new(dataset, family),
            cells: (0..cells).map(|i| CellRanges::defaults(family, i)).collect(),
        }
    }

    pub fn check(self) -> Result<SearchSpace> {
        let family = self.frame.family;
        in_range("number of cells", self.cells.len() as u32, family.cell_limits())?;
        let frame = Frame { options: family.check_options(self.frame.options)?, ..self.frame };
        let cells = self
            .cells
            .iter()
            .enumerate()
            .map(|(i, c)| family::check_ranges(family, &frame, c, i))
            .collect::<Result<Vec<_>>>()?;
        frame.resolutions(cells.iter().map(|c| c.stride))?;
        // The largest member: each ordinal coordinate at its highest value.
        let largest: Vec<Cell> = cells
            .iter()
            .map(|c| {
                let mut coords = [0; MAX_COORDS];
                for (j, v) in c.coords.iter().enumerate() {
                    coords[j] = v.hi();
                }
                Cell { coords, stride: c.stride }
            })
            .collect();
        check_size(&frame, &largest)?;
        let mut count: u128 = 1;
        for c in &cells {
            count = count.checked_mul(c.count()).ok_or_else(|| {
                Error::field(
                    "number of configurations",
                    "more than 2^128",
                    "at most 2^128 - 1 (narrow the ranges or use fewer cells)",
                )
            })?;
        }
        Ok(SearchSpace { frame, cells, count })
    }
}

/// A checked search space. A *configuration* is one choice of every per-cell
/// coordinate from its values; [`count`](Self::count) counts configurations
/// exactly. Two configurations can describe the same network (a skip budget
/// larger than what a cell can read), as in FLASH's count.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct SearchSpace {
    frame: Frame,
    cells: Vec<CellRanges>,
    count: u128,
}

impl SearchSpace {
    pub fn flash_default() -> SearchSpace {
        SpaceParams::flash_default().check().expect("the default space is valid")
    }

    pub fn parse(text: &str) -> Result<SearchSpace> {
        text::parse_space(text)?.check()
    }

    /// A space as links, requests and the CLI name it: the text form, or
    /// [`DEFAULT_ALIAS`] for FLASH's own space (the one place the alias is read).
    pub fn resolve(text: &str) -> Result<SearchSpace> {
        if text == DEFAULT_ALIAS {
            Ok(SearchSpace::flash_default())
        } else {
            SearchSpace::parse(text)
        }
    }

    pub fn frame(&self) -> &Frame {
        &self.frame
    }

    pub fn cells(&self) -> &[CellRanges] {
        &self.cells
    }

    /// Coordinates per cell (the family's).
    pub fn per_cell(&self) -> usize {
        self.frame.family.coordinates().len()
    }

    /// Exact number of configurations.
    pub fn count(&self) -> u128 {
        self.count
    }

    /// The configuration with this index in mixed radix: cell 1 most significant,
    /// within a cell the coordinates in the family's order, the last least
    /// significant (d, w, t, e; NAS-Bench-201's edges in the cell string's order).
    pub fn decode(&self, index: u128) -> Result<Architecture> {
        if index >= self.count {
            return Err(Error::field(
                "configuration index",
                index,
                format!("0..={}", self.count - 1),
            ));
        }
        let k = self.per_cell();
        let mut rest = index;
        let mut cells = vec![Cell { coords: [0; MAX_COORDS], stride: 0 }; self.cells.len()];
        for (slot, r) in cells.iter_mut().zip(&self.cells).rev() {
            for j in (0..k).rev() {
                let n = r.coords[j].len() as u128;
                slot.coords[j] = r.coords[j].value((rest % n) as u32);
                rest /= n;
            }
            slot.stride = r.stride;
        }
        Ok(Architecture::from_space(self, cells))
    }

    /// The index of a configuration of this space ([`decode`](Self::decode)'s
    /// inverse); `None` when a cell value is not in the space.
    pub fn index_of(&self, cells: &[Cell]) -> Option<u128> {
        if cells.len() != self.cells.len() {
            return None;
        }
        let k = self.per_cell();
        let mut index: u128 = 0;
        for (c, r) in cells.iter().zip(&self.cells) {
            for j in 0..k {
                let pos = r.coords[j].position(c.coords[j])?;
                index = index * r.coords[j].len() as u128 + pos as u128;
            }
        }
        Some(index)
    }

    /// One configuration drawn uniformly, each coordinate independently.
    pub fn sample_cells<R: Rng + ?Sized>(&self, rng: &mut R, out: &mut Vec<Cell>) {
        out.clear();
        let k = self.per_cell();
        out.extend(self.cells.iter().map(|r| {
            let mut coords = [0; MAX_COORDS];
            for (j, slot) in coords.iter_mut().enumerate().take(k) {
                let v = &r.coords[j];
                *slot = v.value(rng.random_range(0..v.len()));
            }
            Cell { coords, stride: r.stride }
        }));
    }

    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> Architecture {
        let mut cells = Vec::with_capacity(self.cells.len());
        self.sample_cells(rng, &mut cells);
        Architecture::from_space(self, cells)
    }

    /// Plain words for what one configuration is, for the CLI and the page.
    pub fn configuration_meaning(&self) -> String {
        self.frame.family.configuration_meaning(self.cells.len())
    }
}

/// A space as the page's editor shows it: the frame (dataset, family and
/// options, as the text form writes them) and each cell's ranges.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SpaceFields {
    pub dataset: String,
    pub family: String,
    /// `dataset/family(options)/`, the text form's prefix.
    pub frame: String,
    /// Per cell: each coordinate's values as the text form writes them (the
    /// family's order), then the stride.
    pub cells: Vec<Vec<String>>,
}

impl SearchSpace {
    pub fn fields(&self) -> SpaceFields {
        let frame = text::print_frame(&self.frame);
        let coords = self.frame.family.coordinates();
        let cells = self
            .cells
            .iter()
            .map(|c| {
                let mut row: Vec<String> =
                    coords.iter().zip(&c.coords).map(|(d, v)| text::print_values(d, v)).collect();
                row.push(c.stride.to_string());
                row
            })
            .collect();
        SpaceFields {
            dataset: self.frame.dataset.name.to_string(),
            family: self.frame.family.name().to_string(),
            frame,
            cells,
        }
    }
}

impl std::fmt::Display for SearchSpace {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&text::print_space(&self.frame, &self.cells))
    }
}

/// Classic networks in the text form, with the figures their papers publish
/// (tests/classics.rs checks our workloads against them).
pub const CLASSICS: [(&str, &str); 9] = [
    ("FLASH-type DenseNet (example)", "cifar10/dense/d4w32t10-d6w48t20-d3w16t0"),
    ("ResNet-20 (CIFAR)", "cifar10/res(shortcut=pad)/d3w16-d3w32-d3w64"),
    ("ResNet-56 (CIFAR)", "cifar10/res(shortcut=pad)/d9w16-d9w32-d9w64"),
    ("ResNet-110 (CIFAR)", "cifar10/res(shortcut=pad)/d18w16-d18w32-d18w64"),
    ("Wide-ResNet-28-10", "cifar10/wres(stem=16;k=10)/d4w16-d4w32-d4w64"),
    ("DenseNet-BC (L=100, k=12)", "cifar10/dense(stem=24;bottleneck=4;compression=0.5)/d16w12t*-d16w12t*-d16w12t*"),
    (
        "MobileNetV2 1.0 (224)",
        "imagenet/mobile(stem=32;stem_stride=2;head=1280)/d1w16e1s1-d2w24e6-d3w32e6-d4w64e6-d3w96e6s1-d3w160e6-d1w320e6s1",
    ),
    ("Small MNIST DenseNet", "mnist/dense/d3w16t8-d3w32t16"),
    ("Small digits ResNet", "digits/res/d2w16-d2w32"),
];
