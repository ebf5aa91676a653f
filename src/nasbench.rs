//! NAS-Bench-201's reference data (data/nb201/, its README): every cell's
//! accuracy after the benchmark's trainings and its network's measured latency
//! on 22 devices, one column file per figure, read and checked here.
//!
//! A column file holds the 15,625 cells in the order of the space
//! `cifar10/nb201` (data row r is `SearchSpace::decode(r)`), so a cell's row is
//! its operations read as a number in base 5 ([`row`]). Natively every file is
//! compiled in; the page fetches a column when a link first needs it and hands
//! it to [`load`] (the same checks), so a first visit to another space never
//! downloads them.

use crate::error::{Error, Result};
use crate::space::nb201::{self, OPS};
use crate::space::{Cell, MAX_COORDS};
use serde::Serialize;
use std::sync::{Arc, Mutex};

/// Cells of the benchmark: 5 operations on each of 6 edges.
pub const CELLS: usize = 15_625;

/// What a column measures.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Figure {
    /// Accuracy in %, after one of the benchmark's trainings.
    Accuracy,
    /// Measured inference latency of the network in ms.
    Latency,
}

/// One column: its name (the file's and the header's), what it is, and the
/// values it allows.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Spec {
    pub name: &'static str,
    pub figure: Figure,
    /// The data set the networks were trained (or shaped) for.
    pub dataset: &'static str,
    /// What a person reads in a select.
    pub label: &'static str,
    pub range: (f64, f64),
}

const fn accuracy(name: &'static str, dataset: &'static str, label: &'static str) -> Spec {
    Spec { name, figure: Figure::Accuracy, dataset, label, range: (0.0, 100.0) }
}

const fn latency(name: &'static str, label: &'static str) -> Spec {
    Spec { name, figure: Figure::Latency, dataset: "cifar10", label, range: (1e-4, 1e4) }
}

/// Every column data/nb201/ ships, accuracies first (the first of a data set
/// is its default).
pub const COLUMNS: [Spec; 27] = [
    accuracy("cifar10_test_200ep", "cifar10", "CIFAR-10 test accuracy after 200 epochs"),
    accuracy("cifar10_test_12ep", "cifar10", "CIFAR-10 test accuracy after 12 epochs"),
    accuracy("cifar10_val_12ep", "cifar10", "CIFAR-10 validation accuracy after 12 epochs"),
    accuracy("cifar100_test_12ep", "cifar100", "CIFAR-100 test accuracy after 12 epochs"),
    accuracy("cifar100_val_12ep", "cifar100", "CIFAR-100 validation accuracy after 12 epochs"),
    latency("lat_ms_raspi4", "Raspberry Pi 4 (HW-NAS-Bench)"),
    latency("lat_ms_eyeriss", "Eyeriss-like ASIC, simulated (HW-NAS-Bench)"),
    latency("lat_ms_fpga", "FPGA design, simulated (HW-NAS-Bench)"),
    latency("lat_ms_gold_6226", "Intel Xeon Gold 6226 (HELP)"),
    latency("lat_ms_silver_4114", "Intel Xeon Silver 4114 (HELP)"),
    latency("lat_ms_1080ti_1", "GTX 1080 Ti, batch 1 (HELP)"),
    latency("lat_ms_1080ti_32", "GTX 1080 Ti, batch 32 (HELP)"),
    latency("lat_ms_1080ti_256", "GTX 1080 Ti, batch 256 (HELP)"),
    latency("lat_ms_2080ti_1", "RTX 2080 Ti, batch 1 (HELP)"),
    latency("lat_ms_2080ti_32", "RTX 2080 Ti, batch 32 (HELP)"),
    latency("lat_ms_2080ti_256", "RTX 2080 Ti, batch 256 (HELP)"),
    latency("lat_ms_titanx_1", "Titan X, batch 1 (HELP)"),
    latency("lat_ms_titanx_32", "Titan X, batch 32 (HELP)"),
    latency("lat_ms_titanx_256", "Titan X, batch 256 (HELP)"),
    latency("lat_ms_titanxp_1", "Titan Xp, batch 1 (HELP)"),
    latency("lat_ms_titanxp_32", "Titan Xp, batch 32 (HELP)"),
    latency("lat_ms_titanxp_256", "Titan Xp, batch 256 (HELP)"),
    latency("lat_ms_titan_rtx_1", "Titan RTX, batch 1 (HELP)"),
    latency("lat_ms_titan_rtx_256", "Titan RTX, batch 256 (HELP)"),
    latency("lat_ms_pixel2", "Pixel 2, whole ms (HELP)"),
    latency("lat_ms_essential_ph_1", "Essential PH-1, whole ms (HELP)"),
    latency("lat_ms_samsung_s7", "Samsung S7, whole ms (HELP)"),
];

/// The spec of a column by its name, or an error listing the names of `figure`.
pub fn spec(name: &str, figure: Figure) -> Result<&'static Spec> {
    COLUMNS.iter().find(|c| c.name == name && c.figure == figure).ok_or_else(|| {
        let names: Vec<&str> =
            COLUMNS.iter().filter(|c| c.figure == figure).map(|c| c.name).collect();
        Error::field(
            match figure {
                Figure::Accuracy => "NAS-Bench-201 accuracy column",
                Figure::Latency => "NAS-Bench-201 latency device",
            },
            name,
            format!("one of {}", names.join(", ")),
        )
    })
}

/// A device's column as a link names it (`raspi4` for `lat_ms_raspi4`).
pub fn device(name: &str) -> Result<&'static Spec> {
    spec(&format!("lat_ms_{name}"), Figure::Latency).map_err(|_| {
        let names: Vec<&str> = COLUMNS
            .iter()
            .filter(|c| c.figure == Figure::Latency)
            .map(|c| &c.name["lat_ms_".len()..])
            .collect();
        Error::field("measured latency device", name, format!("one of {}", names.join(", ")))
    })
}

/// The default accuracy column of a data set (the benchmark's longest training).
pub fn default_accuracy(dataset: &str) -> Option<&'static Spec> {
    COLUMNS.iter().find(|c| c.figure == Figure::Accuracy && c.dataset == dataset)
}

/// A column's values, one per cell, in row order.
#[derive(Debug, PartialEq)]
pub struct Column {
    pub spec: &'static Spec,
    pub values: Vec<f64>,
}

impl Column {
    /// The value of a cell of an nb201 architecture (its first and only cell).
    #[inline]
    pub fn of(&self, cells: &[Cell]) -> f64 {
        self.values[row(&cells[0])]
    }
}

/// A cell's row in the column files: its operations in base 5, the first edge
/// most significant (the order of `SearchSpace::decode` on `cifar10/nb201`).
#[inline]
pub fn row(cell: &Cell) -> usize {
    cell.coords[..6].iter().fold(0usize, |r, &op| r * OPS.len() + op as usize)
}

/// The cell of row `r` (the operations of [`row`]'s inverse).
pub fn cell_of_row(mut r: usize) -> [u32; MAX_COORDS] {
    let mut ops = [0u32; MAX_COORDS];
    for slot in ops[..6].iter_mut().rev() {
        *slot = (r % OPS.len()) as u32;
        r /= OPS.len();
    }
    ops
}

/// The lines after the provenance (`#` lines): (1-based line number, text).
fn data_lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim_end()))
        .skip_while(|(_, l)| l.trim_start().starts_with('#'))
}

/// Reads a column file and checks it: the header names the column, then
/// exactly [`CELLS`] values, each a number within the column's range. Errors
/// name the file, the line and the column.
pub fn parse(spec: &'static Spec, text: &str) -> Result<Column> {
    let file = format!("data/nb201/{}.csv", spec.name);
    let mut lines = data_lines(text);
    let (header_line, header) = lines.next().unwrap_or((1, ""));
    if header != spec.name {
        return Err(Error::csv(
            header_line,
            "header",
            format!("in {file}: '{header}' is not the column's name: allowed {}", spec.name),
        ));
    }
    let (lo, hi) = spec.range;
    let unit = if spec.figure == Figure::Accuracy { "%" } else { "ms" };
    let mut values = Vec::with_capacity(CELLS);
    let mut last = header_line;
    for (line, text) in lines {
        last = line;
        if values.len() == CELLS {
            return Err(Error::csv(
                line,
                spec.name,
                format!("in {file}: more than {CELLS} rows: allowed exactly {CELLS}, one per cell"),
            ));
        }
        let v: f64 = text
            .trim()
            .parse()
            .ok()
            .filter(|v: &f64| v.is_finite() && (lo..=hi).contains(v))
            .ok_or_else(|| {
                Error::csv(
                    line,
                    spec.name,
                    format!("in {file}: '{text}' is not allowed: allowed a number in {lo}..={hi} ({unit})"),
                )
            })?;
        values.push(v);
    }
    if values.len() != CELLS {
        return Err(Error::csv(
            last + 1,
            spec.name,
            format!(
                "in {file}: the file ends after {} rows: allowed exactly {CELLS}, one per cell",
                values.len()
            ),
        ));
    }
    Ok(Column { spec, values })
}

/// A column that names its spec but holds no values: what a check needs
/// (which column, of which data set) before the values are loaded.
pub fn stand_in(spec: &'static Spec) -> Arc<Column> {
    Arc::new(Column { spec, values: Vec::new() })
}

/// NAS-Bench-201's own index of each row, checked against the cell strings of
/// data/nb201/cells.csv.
#[derive(Debug, PartialEq)]
pub struct Index {
    pub index: Vec<u32>,
}

/// Reads data/nb201/cells.csv: `index,arch` per row, the arch the row's cell
/// verbatim, every index once.
pub fn parse_index(text: &str) -> Result<Index> {
    let file = "data/nb201/cells.csv";
    let mut lines = data_lines(text);
    let (header_line, header) = lines.next().unwrap_or((1, ""));
    if header != "index,arch" {
        return Err(Error::csv(header_line, "header", format!("in {file}: allowed index,arch")));
    }
    let mut index = Vec::with_capacity(CELLS);
    let mut seen = vec![false; CELLS];
    for (line, text) in lines {
        let r = index.len();
        if r == CELLS {
            return Err(Error::csv(line, "index", format!("in {file}: more than {CELLS} rows")));
        }
        let (i, arch) = text.split_once(',').unwrap_or((text, ""));
        let i: u32 = i
            .parse()
            .ok()
            .filter(|&i: &u32| (i as usize) < CELLS && !seen[i as usize])
            .ok_or_else(|| {
                Error::csv(
                    line,
                    "index",
                    format!(
                        "in {file}: '{i}' is not allowed: allowed an unused index 0..={}",
                        CELLS - 1
                    ),
                )
            })?;
        let want = nb201::cell_string(&cell_of_row(r));
        if arch != want {
            return Err(Error::csv(
                line,
                "arch",
                format!("in {file}: '{arch}' is not row {r}'s cell: allowed {want}"),
            ));
        }
        seen[i as usize] = true;
        index.push(i);
    }
    if index.len() != CELLS {
        return Err(Error::csv(
            0,
            "index",
            format!("in {file}: {} rows: allowed {CELLS}", index.len()),
        ));
    }
    Ok(Index { index })
}

/// The columns loaded so far (natively: parsed from the compiled-in files on first use).
static LOADED: Mutex<Vec<Arc<Column>>> = Mutex::new(Vec::new());

/// Checks a column file's text and keeps it for the searches that name it
/// (the page's loader; natively the files are compiled in).
pub fn load(name: &str, text: &str) -> Result<()> {
    let spec = COLUMNS.iter().find(|c| c.name == name).ok_or_else(|| {
        Error::field("NAS-Bench-201 column", name, format!("one of {}", names().join(", ")))
    })?;
    let column = Arc::new(parse(spec, text)?);
    let mut loaded = LOADED.lock().unwrap_or_else(|e| e.into_inner());
    loaded.retain(|c| c.spec.name != name);
    loaded.push(column);
    Ok(())
}

/// Every column's name.
pub fn names() -> Vec<&'static str> {
    COLUMNS.iter().map(|c| c.name).collect()
}

/// Whether a column is at hand (natively, always).
pub fn is_loaded(name: &str) -> bool {
    cfg!(not(target_arch = "wasm32"))
        || LOADED.lock().unwrap_or_else(|e| e.into_inner()).iter().any(|c| c.spec.name == name)
}

/// The column of this spec: loaded, or (natively) read from the compiled-in file.
pub fn column(spec: &'static Spec) -> Result<Arc<Column>> {
    if let Some(c) =
        LOADED.lock().unwrap_or_else(|e| e.into_inner()).iter().find(|c| c.spec.name == spec.name)
    {
        return Ok(c.clone());
    }
    let text = compiled(spec.name).ok_or_else(|| {
        Error::Invalid(format!(
            "the NAS-Bench-201 column {} is not loaded yet (data/nb201/{}.csv)",
            spec.name, spec.name
        ))
    })?;
    load(spec.name, text)?;
    column(spec)
}

/// NAS-Bench-201's index of every row (natively; the page does not need it).
#[cfg(not(target_arch = "wasm32"))]
pub fn index() -> Result<&'static Index> {
    static INDEX: std::sync::OnceLock<Result<Index>> = std::sync::OnceLock::new();
    INDEX
        .get_or_init(|| parse_index(include_str!("../data/nb201/cells.csv")))
        .as_ref()
        .map_err(Clone::clone)
}

macro_rules! compiled_columns {
    ($($name:literal),* $(,)?) => {
        /// The column files compiled in (natively only: the page fetches them).
        #[cfg(not(target_arch = "wasm32"))]
        fn compiled(name: &str) -> Option<&'static str> {
            match name {
                $($name => Some(include_str!(concat!("../data/nb201/", $name, ".csv"))),)*
                _ => None,
            }
        }
    };
}

compiled_columns!(
    "cifar10_test_200ep",
    "cifar10_test_12ep",
    "cifar10_val_12ep",
    "cifar100_test_12ep",
    "cifar100_val_12ep",
    "lat_ms_raspi4",
    "lat_ms_eyeriss",
    "lat_ms_fpga",
    "lat_ms_gold_6226",
    "lat_ms_silver_4114",
    "lat_ms_1080ti_1",
    "lat_ms_1080ti_32",
    "lat_ms_1080ti_256",
    "lat_ms_2080ti_1",
    "lat_ms_2080ti_32",
    "lat_ms_2080ti_256",
    "lat_ms_titanx_1",
    "lat_ms_titanx_32",
    "lat_ms_titanx_256",
    "lat_ms_titanxp_1",
    "lat_ms_titanxp_32",
    "lat_ms_titanxp_256",
    "lat_ms_titan_rtx_1",
    "lat_ms_titan_rtx_256",
    "lat_ms_pixel2",
    "lat_ms_essential_ph_1",
    "lat_ms_samsung_s7",
);

#[cfg(target_arch = "wasm32")]
fn compiled(_name: &str) -> Option<&'static str> {
    None
}

/// NN-Degree, parameters and MACs of one cell's network.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Features {
    pub nn_degree: f64,
    pub params: u64,
    pub macs: u64,
}

/// The [`Features`] of every cell's network on `frame`'s data set, in row
/// order: walked once per data set, then shared (a pass over the benchmark's
/// cells needs no walk).
pub fn features(frame: &crate::space::Frame) -> &'static [Features] {
    type Table = (crate::space::Frame, &'static [Features]);
    static TABLES: Mutex<Vec<Table>> = Mutex::new(Vec::new());
    let mut tables = TABLES.lock().unwrap_or_else(|e| e.into_inner());
    if let Some((_, t)) = tables.iter().find(|(f, _)| f == frame) {
        return t;
    }
    let table: Vec<Features> = (0..CELLS)
        .map(|r| {
            let cells = [Cell { coords: cell_of_row(r), stride: 1 }];
            let t = crate::workload::totals(frame, &cells);
            Features {
                nn_degree: crate::degree::nn_degree(frame, &cells),
                params: t.params,
                macs: t.macs,
            }
        })
        .collect();
    let table: &'static [Features] = Box::leak(table.into_boxed_slice());
    tables.push((*frame, table));
    table
}
