//! Search spaces and architectures: what a network of the space is, how its
//! parameters are checked, how many configurations a space holds.
//!
//! A network is: stem → N cells separated by resolution-halving transitions →
//! (optional 1×1 head) → global average pool → linear classifier. The family
//! decides what a cell is made of and how its skip connections work; see
//! docs/space.md for the exact layer-by-layer definition of each family.
//!
//! Unchecked parameters ([`ArchitectureParams`], [`SpaceParams`]) become checked
//! values ([`Architecture`], [`SearchSpace`]) only through `check()`, so code that
//! holds a checked value never re-validates (linfa's ParamGuard pattern).

pub(crate) mod text;

use crate::error::{Error, Result};
use rand::Rng;
use serde::Serialize;

/// Skip budget meaning "every skip connection the cell can have".
pub const ALL: u32 = u32::MAX;

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

/// An upper bound on the channel-graph nodes of the cells, from each cell's
/// (depth, width, expansion); monotone, so a space checks its largest member.
fn node_bound(frame: &Frame, cells: &[(u32, u32, u32)]) -> u64 {
    let widest = cells
        .iter()
        .map(|c| c.1 as u64 * frame.options.widen as u64)
        .max()
        .unwrap_or(0)
        .max(frame.options.stem.unwrap_or(0) as u64);
    cells
        .iter()
        .map(|&(d, w, e)| {
            let (d, w, e) = (d as u64, w as u64 * frame.options.widen as u64, e as u64);
            match frame.family {
                Family::Dense => d * w * (1 + frame.options.bottleneck as u64),
                Family::Res | Family::WideRes => 2 * d * w,
                Family::Mobile => d * (2 * e * widest + w),
            }
        })
        .sum()
}

fn check_size(frame: &Frame, cells: &[(u32, u32, u32)]) -> Result<()> {
    let nodes = node_bound(frame, cells);
    if nodes > limits::NODES {
        return Err(Error::field(
            "network size (output channels of the cells' layers)",
            nodes,
            format!("at most {} (fewer cells, layers or channels)", limits::NODES),
        ));
    }
    Ok(())
}

fn in_range(field: impl Into<String>, value: u32, (lo, hi): (u32, u32)) -> Result<u32> {
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
}

impl Family {
    pub const ALL: [Family; 4] = [Family::Dense, Family::Res, Family::WideRes, Family::Mobile];

    pub fn name(self) -> &'static str {
        match self {
            Family::Dense => "dense",
            Family::Res => "res",
            Family::WideRes => "wres",
            Family::Mobile => "mobile",
        }
    }

    pub fn by_name(name: &str) -> Result<Family> {
        Family::ALL
            .into_iter()
            .find(|f| f.name() == name)
            .ok_or_else(|| Error::field("family", name, "one of dense, res, wres, mobile"))
    }

    /// What the skip budget t of a cell counts in this family.
    pub fn skip_meaning(self) -> &'static str {
        match self {
            Family::Dense => "channels each layer reads from earlier layers of the cell (besides the previous layer)",
            Family::Res | Family::WideRes => "blocks of the cell that keep their shortcut, counted from the last block",
            Family::Mobile => "blocks of the cell that keep their skip (where shapes allow), counted from the last block",
        }
    }

    fn default_expansion(self) -> u32 {
        if self == Family::Mobile {
            6
        } else {
            1
        }
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

    fn check(self, family: Family) -> Result<Options> {
        if let Some(stem) = self.stem {
            in_range("stem", stem, limits::STEM)?;
        }
        in_range("stem_stride", self.stem_stride, limits::STRIDE)?;
        if let Some(head) = self.head {
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
            in_range("k", self.widen, limits::WIDEN)?;
        } else {
            only("k", self.widen == defaults.widen, self.widen.to_string(), "wres")?;
        }
        if family == Family::Dense {
            in_range("bottleneck", self.bottleneck, limits::BOTTLENECK)?;
            if let Some(c) = self.compression_milli {
                in_range("compression (thousandths)", c, limits::COMPRESSION_MILLI)?;
            }
        } else {
            only("bottleneck", self.bottleneck == 0, self.bottleneck.to_string(), "dense")?;
            only("compression", self.compression_milli.is_none(), "set".into(), "dense")?;
        }
        if !matches!(family, Family::Res | Family::WideRes) {
            only("shortcut", self.shortcut == Shortcut::Proj, "pad".into(), "res and wres")?;
        }
        Ok(self)
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
        cell.width * self.options.widen
    }

    /// Spatial sizes (height, width) inside each cell, or an error naming the cell
    /// whose transition would shrink the feature map to nothing.
    pub fn resolutions(&self, strides: impl Iterator<Item = u32>) -> Result<Vec<(u32, u32)>> {
        let s = self.options.stem_stride;
        let (mut h, mut w) = (self.dataset.height.div_ceil(s), self.dataset.width.div_ceil(s));
        let mut out = Vec::new();
        for (index, stride) in strides.enumerate() {
            if stride == 2 {
                // Dense transitions pool 2×2 (floor); strided 3×3 convs with padding 1 give ceil.
                (h, w) = if self.family == Family::Dense {
                    (h / 2, w / 2)
                } else {
                    (h.div_ceil(2), w.div_ceil(2))
                };
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

/// One cell of a checked architecture. Copy and small: the search evaluates
/// millions of these without allocating.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct Cell {
    /// Layers (dense) or blocks (res, wres, mobile).
    pub depth: u32,
    /// Growth rate (dense) or output channels before the k multiplier (wres).
    pub width: u32,
    /// Skip budget t; [`ALL`] for every possible skip.
    pub skip: u32,
    /// Expansion ratio of inverted residual blocks (1 outside the mobile family).
    pub expansion: u32,
    /// 2 if the cell starts by halving the resolution.
    pub stride: u32,
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

/// Unchecked cell parameters (as parsed or as typed into a form).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CellParams {
    pub depth: u32,
    pub width: u32,
    pub skip: Option<u32>,
    pub expansion: Option<u32>,
    pub stride: Option<u32>,
}

impl CellParams {
    fn check(self, frame: &Frame, index: usize) -> Result<Cell> {
        let n = index + 1;
        let depth = in_range(format!("cell {n} depth d"), self.depth, limits::DEPTH)?;
        let width = in_range(format!("cell {n} width w"), self.width, limits::WIDTH)?;
        if width * frame.options.widen > limits::EFFECTIVE_WIDTH {
            return Err(Error::field(
                format!("cell {n} width w × k"),
                width * frame.options.widen,
                format!("1..={}", limits::EFFECTIVE_WIDTH),
            ));
        }
        let skip = match self.skip {
            None | Some(ALL) => ALL,
            Some(t) => in_range(format!("cell {n} skip budget t"), t, limits::SKIP)?,
        };
        let expansion = match (frame.family, self.expansion) {
            (_, None) => frame.family.default_expansion(),
            (Family::Mobile, Some(e)) => {
                in_range(format!("cell {n} expansion e"), e, limits::EXPANSION)?
            }
            (_, Some(1)) => 1,
            (_, Some(e)) => {
                return Err(Error::field(
                    format!("cell {n} expansion e"),
                    e,
                    "only for the mobile family",
                ))
            }
        };
        let stride = in_range(
            format!("cell {n} stride s"),
            self.stride.unwrap_or(default_stride(index)),
            limits::STRIDE,
        )?;
        Ok(Cell { depth, width, skip, expansion, stride })
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
        in_range("number of cells", self.cells.len() as u32, limits::CELLS)?;
        let frame = Frame {
            dataset: self.dataset,
            family: self.family,
            options: self.options.check(self.family)?,
        };
        let cells = self
            .cells
            .iter()
            .enumerate()
            .map(|(i, c)| c.check(&frame, i))
            .collect::<Result<Vec<_>>>()?;
        frame.resolutions(cells.iter().map(|c| c.stride))?;
        check_size(
            &frame,
            &cells.iter().map(|c| (c.depth, c.width, c.expansion)).collect::<Vec<_>>(),
        )?;
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

/// Per-cell parameter ranges of a space.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct CellRanges {
    pub depth: ValueRange,
    pub width: ValueRange,
    pub skip: ValueRange,
    pub expansion: ValueRange,
    pub stride: u32,
}

impl CellRanges {
    /// FLASH's ranges: d ∈ 2..=11, w ∈ {8,16,…,64}, t ∈ 0..=49 (dense) or every
    /// shortcut (other families); expansion 6 for mobile.
    pub fn defaults(family: Family, index: usize) -> CellRanges {
        CellRanges {
            depth: ValueRange::new(2, 11, 1),
            width: ValueRange::new(8, 64, 8),
            skip: if family == Family::Dense {
                ValueRange::new(0, 49, 1)
            } else {
                ValueRange::single(ALL)
            },
            expansion: ValueRange::single(family.default_expansion()),
            stride: default_stride(index),
        }
    }

    /// Configurations of this cell (at most 4096⁴, so it always fits u128).
    pub fn count(&self) -> u128 {
        self.depth.len() as u128
            * self.width.len() as u128
            * self.skip.len() as u128
            * self.expansion.len() as u128
    }

    fn check(self, frame: &Frame, index: usize) -> Result<CellRanges> {
        let n = index + 1;
        let depth = self.depth.check(&format!("cell {n} depth d"), limits::DEPTH, false)?;
        let width = self.width.check(&format!("cell {n} width w"), limits::WIDTH, false)?;
        if width.hi * frame.options.widen > limits::EFFECTIVE_WIDTH {
            return Err(Error::field(
                format!("cell {n} width w × k"),
                width.hi * frame.options.widen,
                format!("1..={}", limits::EFFECTIVE_WIDTH),
            ));
        }
        let skip = self.skip.check(&format!("cell {n} skip budget t"), limits::SKIP, true)?;
        let expansion = if frame.family == Family::Mobile {
            self.expansion.check(&format!("cell {n} expansion e"), limits::EXPANSION, false)?
        } else if self.expansion == ValueRange::single(1) {
            self.expansion
        } else {
            return Err(Error::field(
                format!("cell {n} expansion e"),
                "a range",
                "only for the mobile family",
            ));
        };
        let stride = in_range(format!("cell {n} stride s"), self.stride, limits::STRIDE)?;
        Ok(CellRanges { depth, width, skip, expansion, stride })
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
        in_range("number of cells", self.cells.len() as u32, limits::CELLS)?;
        let frame = Frame { options: self.frame.options.check(self.frame.family)?, ..self.frame };
        let cells = self
            .cells
            .iter()
            .enumerate()
            .map(|(i, c)| c.check(&frame, i))
            .collect::<Result<Vec<_>>>()?;
        frame.resolutions(cells.iter().map(|c| c.stride))?;
        check_size(
            &frame,
            &cells.iter().map(|c| (c.depth.hi, c.width.hi, c.expansion.hi)).collect::<Vec<_>>(),
        )?;
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
/// parameter (d, w, t and, for mobile, e) from its range; [`count`](Self::count)
/// counts configurations exactly. Two configurations can describe the same
/// network (a skip budget larger than what a cell can read), as in FLASH's count.
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

    /// Exact number of configurations.
    pub fn count(&self) -> u128 {
        self.count
    }

    /// The configuration with this index in mixed radix: cell 1 most significant,
    /// within a cell the digits d, w, t, e (e least significant).
    pub fn decode(&self, index: u128) -> Result<Architecture> {
        if index >= self.count {
            return Err(Error::field(
                "configuration index",
                index,
                format!("0..={}", self.count - 1),
            ));
        }
        let mut rest = index;
        let mut cells =
            vec![Cell { depth: 0, width: 0, skip: 0, expansion: 0, stride: 0 }; self.cells.len()];
        for (slot, r) in cells.iter_mut().zip(&self.cells).rev() {
            let mut digit = |range: &ValueRange| {
                let n = range.len() as u128;
                let v = range.value((rest % n) as u32);
                rest /= n;
                v
            };
            let expansion = digit(&r.expansion);
            let skip = digit(&r.skip);
            let width = digit(&r.width);
            let depth = digit(&r.depth);
            *slot = Cell { depth, width, skip, expansion, stride: r.stride };
        }
        Ok(Architecture::from_space(self, cells))
    }

    /// One configuration drawn uniformly, each parameter independently.
    pub fn sample_cells<R: Rng + ?Sized>(&self, rng: &mut R, out: &mut Vec<Cell>) {
        out.clear();
        out.extend(self.cells.iter().map(|r| {
            let mut pick = |range: &ValueRange| range.value(rng.random_range(0..range.len()));
            Cell {
                depth: pick(&r.depth),
                width: pick(&r.width),
                skip: pick(&r.skip),
                expansion: pick(&r.expansion),
                stride: r.stride,
            }
        }));
    }

    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> Architecture {
        let mut cells = Vec::with_capacity(self.cells.len());
        self.sample_cells(rng, &mut cells);
        Architecture::from_space(self, cells)
    }

    /// Plain words for what one configuration is, for the CLI and the page.
    pub fn configuration_meaning(&self) -> String {
        let mut params = vec!["depth d", "width w", "skip budget t"];
        if self.frame.family == Family::Mobile {
            params.push("expansion e");
        }
        format!(
            "one choice of {} for each of the {} cells; t counts {}",
            params.join(", "),
            self.cells.len(),
            self.frame.family.skip_meaning()
        )
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
    /// Per cell: d, w, t, e in the RANGE syntax, and the stride.
    pub cells: Vec<[String; 5]>,
}

impl SearchSpace {
    pub fn fields(&self) -> SpaceFields {
        let frame = text::print_frame(&self.frame);
        let mut parts = frame.split('/');
        let dataset = parts.next().unwrap_or_default().to_string();
        let family =
            parts.next().unwrap_or_default().split('(').next().unwrap_or_default().to_string();
        let cells = self
            .cells
            .iter()
            .map(|c| {
                [
                    text::print_range(&c.depth),
                    text::print_range(&c.width),
                    text::print_range(&c.skip),
                    text::print_range(&c.expansion),
                    c.stride.to_string(),
                ]
            })
            .collect();
        SpaceFields { dataset, family, frame, cells }
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
