//! What the page's controls offer, and how their values become state text.
//!
//! The page holds no grammar, default or range: it fills its selects and
//! number fields from [`schema`], builds goal, space and SHGO-chart text with
//! [`GoalForm::text`], [`SpaceForm::text`] and [`shgo_text`], reads them back
//! with [`GoalForm::read`] and [`ShgoForm::read`], and checks every number a
//! person types with [`number`]. Every edit then goes through
//! [`State::edit`](crate::state::State::edit), the same checks a link gets.

use crate::error::{Error, Result};
use crate::search::{Cost, Metric};
use crate::space::{text::print_values, CellRanges, Family, DATASETS};
use crate::state::{self, ShgoAxes, State};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One option of a select: the value the state holds and what a person reads.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Choice {
    pub value: String,
    pub label: String,
}

fn choice(value: impl Into<String>, label: impl Into<String>) -> Choice {
    Choice { value: value.into(), label: label.into() }
}

/// A goal limit's field: `key op value unit`, with the values it allows.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LimitField {
    pub key: &'static str,
    /// `<=` for costs, `>=` for floors.
    pub op: &'static str,
    /// The unit the value is written in ("" for plain numbers).
    pub unit: &'static str,
    pub label: String,
    pub min: f64,
    pub max: f64,
}

/// An integer field: its allowed range and the value it starts with.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct NumberField {
    pub key: &'static str,
    /// The name an error gives the field.
    pub label: &'static str,
    pub min: f64,
    pub max: f64,
    pub default: f64,
}

/// Largest own-samples file the page reads (bytes).
pub const MAX_OWN_FILE: u64 = 4 * 1024 * 1024;
/// The shipped set networks trained in the page join (the page trains on its data set, digits).
pub const TRAINED_INTO: &str = "digits";

pub fn trained_into() -> &'static crate::predictor::ShippedSet {
    crate::predictor::shipped(TRAINED_INTO).expect("TRAINED_INTO names a shipped set")
}

/// Most networks one training run in the browser trains.
pub const MAX_TRAINED: u32 = 20;

/// Networks timed to calibrate "this device": calibration needs at least
/// [`MIN_SAMPLES`](crate::hardware::calibrate::MIN_SAMPLES) (it fits up to seven
/// parameters and checks them on held-out networks).
pub fn measured_networks() -> NumberField {
    NumberField {
        key: "measure-networks",
        label: "Networks",
        min: crate::hardware::calibrate::MIN_SAMPLES as f64,
        max: crate::playground::MAX_MEASURED as f64,
        default: 12.0,
    }
}

/// The integer fields outside the state (the state's seed is checked by [`State::edit`]).
pub fn numbers() -> Vec<NumberField> {
    vec![
        measured_networks(),
        NumberField {
            key: "against-networks",
            label: "Measured networks",
            min: crate::hardware::devices::K_RANGE.0 as f64,
            max: crate::hardware::devices::K_RANGE.1 as f64,
            default: 10.0,
        },
        NumberField {
            key: "train-networks",
            label: "Networks",
            min: 1.0,
            max: MAX_TRAINED as f64,
            default: 3.0,
        },
        NumberField {
            key: "train-seed",
            label: "Seed",
            min: 0.0,
            max: u32::MAX as f64,
            default: 1.0,
        },
        NumberField {
            key: "own-file-bytes",
            label: "own samples file size",
            min: 0.0,
            max: MAX_OWN_FILE as f64,
            default: 0.0,
        },
    ]
}

/// Reads an integer field typed by a person; the error names the field and its range.
pub fn number(key: &str, text: &str) -> Result<u64> {
    let field = numbers().into_iter().find(|f| f.key == key).ok_or_else(|| {
        Error::field(
            "number field",
            key,
            numbers().iter().map(|f| f.key).collect::<Vec<_>>().join(", "),
        )
    })?;
    let allowed = || format!("{}..={}", field.min, field.max);
    let value: u64 =
        text.trim().parse().map_err(|_| Error::field(field.label, text.trim(), allowed()))?;
    if (value as f64) < field.min || (value as f64) > field.max {
        return Err(Error::field(field.label, value, allowed()));
    }
    Ok(value)
}

/// A family's cell as the space editor shows it: its coordinates (a column
/// each, or for categories a grid of checkboxes), how many cells a space of it
/// has, and whether cells have a stride.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FamilyForm {
    pub family: &'static str,
    pub coordinates: Vec<CoordinateForm>,
    pub cells: (u32, u32),
    pub default_cells: usize,
    pub stride: bool,
}

/// One coordinate of a family's cell, as the editor shows it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CoordinateForm {
    /// Its key in the space text (`d`, `1~0`).
    pub key: &'static str,
    pub name: &'static str,
    pub label: &'static str,
    /// Categorical: the names a checkbox each; empty: a range typed as text.
    pub choices: Vec<&'static str>,
    /// What joins the checked names in the space text (categorical).
    pub join: &'static str,
    /// Fixed in this family (not shown).
    pub fixed: bool,
}

/// Every family's editor form, from its declaration.
pub fn families() -> Vec<FamilyForm> {
    Family::ALL
        .iter()
        .map(|&f| FamilyForm {
            family: f.name(),
            coordinates: f
                .coordinates()
                .iter()
                .map(|c| CoordinateForm {
                    key: c.key,
                    name: c.name,
                    label: c.label,
                    choices: match c.kind {
                        crate::space::Kind::Categorical { names } => names.to_vec(),
                        crate::space::Kind::Ordinal => Vec::new(),
                    },
                    join: "|",
                    fixed: c.only_in.is_some(),
                })
                .collect(),
            cells: f.cell_limits(),
            default_cells: f.default_cells(),
            stride: f.has_stride(),
        })
        .collect()
}

/// Everything the page's controls offer.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Schema {
    pub objectives: Vec<Choice>,
    pub limits: Vec<LimitField>,
    pub datasets: Vec<Choice>,
    pub families: Vec<Choice>,
    /// Each family's cell coordinates, for the space editor.
    pub family_forms: Vec<FamilyForm>,
    /// NAS-Bench-201's accuracy columns (`acc`), with the data set each is of.
    pub accuracy_columns: Vec<Choice>,
    /// NAS-Bench-201's measured devices (`latency`; the empty value: the profile's model).
    pub latency_devices: Vec<Choice>,
    /// Cells `samples=nb201` draws.
    pub draws: NumberField,
    /// Cells a space may have.
    pub cells: NumberField,
    pub solvers: Vec<Choice>,
    pub sample_sets: Vec<Choice>,
    /// The Pareto chart's cost axis.
    pub costs: Vec<Choice>,
    /// A cell's coordinates the SHGO chart can plot.
    pub coords: Vec<Choice>,
    /// Panels a classroom link may hide.
    pub panels: Vec<Choice>,
    /// The state's seed.
    pub seed: NumberField,
    /// Integer fields outside the state (measurement, training, file size).
    pub numbers: Vec<NumberField>,
    /// The schema version links carry.
    pub version: u32,
}

fn objective_label(value: &str) -> String {
    let cost_label = |c: Cost| match c {
        Cost::Latency => "latency",
        Cost::Energy => "energy",
        Cost::Area => "area (IMC)",
        Cost::Memory => "memory",
        Cost::Edp => "energy × latency",
        Cost::Edap => "energy × latency × area (IMC)",
    };
    if value == "max-accuracy" {
        return "maximize accuracy (or NN-Degree)".into();
    }
    for c in Cost::ALL {
        if value == format!("min-{}", c.name()) {
            return format!("minimize {}", cost_label(c));
        }
        if value == format!("pareto-{}", c.name()) {
            return format!("Pareto front: accuracy vs {}", cost_label(c));
        }
    }
    value.to_string()
}

/// Every objective the goal grammar accepts, in the order a select lists them.
pub fn objectives() -> Vec<String> {
    let mut out = vec!["max-accuracy".to_string()];
    out.extend(Cost::ALL.iter().map(|c| format!("min-{}", c.name())));
    // A front is traced by limiting the cost, and only plain costs have limits.
    out.extend(
        Cost::ALL.iter().filter(|c| c.metric().is_some()).map(|c| format!("pareto-{}", c.name())),
    );
    out
}

pub fn schema() -> Schema {
    let solver_label = |s: &'static str| -> &'static str {
        match s {
            "flash" => "FLASH (hierarchical SHGO)",
            "random" => "random search",
            "evolution" => "aging evolution",
            "exact" => "exact optimum",
            other => other,
        }
    };
    let set_label = |s: &str| {
        match s {
        "none" => "NN-Degree alone (no trained networks)".to_string(),
        "own" => "your own samples (pasted, loaded or trained here)".to_string(),
        "digits-flash" => {
            "digits in FLASH's space (3 cells): 25 trained networks, error held out on 100 more"
                .to_string()
        }
        "digits" => "digits (scikit-learn, 8×8), 2-cell space: shipped set".to_string(),
        "mnist" => "MNIST (10,000-image subset, 28×28): shipped set".to_string(),
        "nb201" => "NAS-Bench-201: n cells of an nb201 space, the benchmark's accuracy standing in for training them".to_string(),
        "truth" => "NAS-Bench-201's accuracy itself (the oracle, no prediction)".to_string(),
        other => format!("{other}: shipped set"),
    }
    };
    let (lo, hi) = crate::space::limits::CELLS;
    Schema {
        objectives: objectives()
            .into_iter()
            .map(|o| choice(o.clone(), objective_label(&o)))
            .collect(),
        limits: Metric::ALL
            .iter()
            .map(|&m| {
                let (min, max) = m.range();
                let op = if m.is_floor() { ">=" } else { "<=" };
                let name = if m == Metric::Degree { "NN-Degree" } else { m.name() };
                LimitField {
                    key: m.name(),
                    op,
                    unit: m.unit(),
                    label: format!("{name} {}", if m.is_floor() { "≥" } else { "≤" }),
                    min,
                    max,
                }
            })
            .collect(),
        datasets: DATASETS.iter().map(|d| choice(d.name, d.name)).collect(),
        families: Family::ALL.iter().map(|&f| choice(f.name(), f.label())).collect(),
        family_forms: families(),
        accuracy_columns: std::iter::once(choice("", "the data set's longest training"))
            .chain(
                crate::nasbench::COLUMNS
                    .iter()
                    .filter(|c| c.figure == crate::nasbench::Figure::Accuracy)
                    .map(|c| choice(c.name, c.label)),
            )
            .collect(),
        latency_devices: std::iter::once(choice("", "the profile's model"))
            .chain(
                crate::nasbench::COLUMNS
                    .iter()
                    .filter(|c| c.figure == crate::nasbench::Figure::Latency)
                    .map(|c| choice(&c.name["lat_ms_".len()..], format!("measured: {}", c.label))),
            )
            .collect(),
        draws: NumberField {
            key: "n",
            label: "benchmark samples n",
            min: crate::predictor::MIN_SAMPLES as f64,
            max: state::MAX_DRAWS as f64,
            default: state::DEFAULT_DRAWS as f64,
        },
        cells: NumberField {
            key: "cells",
            label: "number of cells",
            min: lo as f64,
            max: hi as f64,
            default: 3.0,
        },
        solvers: state::SOLVERS.iter().map(|s| choice(*s, solver_label(s))).collect(),
        sample_sets: state::SAMPLE_SETS.iter().map(|s| choice(*s, set_label(s))).collect(),
        costs: state::COSTS.iter().map(|c| choice(*c, *c)).collect(),
        coords: state::coords().into_iter().map(|c| choice(c, c)).collect(),
        panels: state::PANELS
            .iter()
            .map(|p| choice(*p, if *p == "arch" { "explore one network" } else { p }))
            .collect(),
        seed: NumberField {
            key: "seed",
            label: "seed",
            min: 0.0,
            max: state::MAX_SEED as f64,
            default: State::default().seed as f64,
        },
        numbers: numbers(),
        version: state::VERSION,
    }
}

/// A goal as the page's fields hold it: the objective and each limit's value text.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct GoalForm {
    pub objective: String,
    /// Limit key (`latency`, …, `degree`) → the value as typed ("" or absent: no limit).
    pub limits: BTreeMap<String, String>,
}

impl GoalForm {
    /// The fields of a goal text, read leniently (a person may be half-way
    /// through typing it): the head is the objective, each part that reads
    /// `KEY OP VALUE` with a known key and its own operator fills that limit.
    pub fn read(text: &str) -> GoalForm {
        let mut parts = text.split(',');
        let objective = parts.next().unwrap_or("").trim().to_string();
        let mut limits = BTreeMap::new();
        for part in parts {
            for m in Metric::ALL {
                let op = if m.is_floor() { ">=" } else { "<=" };
                if let Some(value) =
                    part.trim().strip_prefix(m.name()).and_then(|r| r.strip_prefix(op))
                {
                    limits.insert(m.name().to_string(), value.to_string());
                }
            }
        }
        GoalForm { objective, limits }
    }

    /// The goal text of the fields: the objective, then every limit given, in
    /// the grammar's metric order (unchecked: the state's check names a bad value).
    pub fn text(&self) -> String {
        let mut parts = vec![self.objective.trim().to_string()];
        for m in Metric::ALL {
            if let Some(v) = self.limits.get(m.name()).map(|v| v.trim()).filter(|v| !v.is_empty()) {
                let op = if m.is_floor() { ">=" } else { "<=" };
                parts.push(format!("{}{op}{v}", m.name()));
            }
        }
        parts.join(",")
    }
}

/// The structured space editor's fields.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SpaceForm {
    pub dataset: String,
    pub family: String,
    /// The cells field as typed.
    pub cells: String,
    /// Per row of the table: d, w, t, e as typed (rows beyond the last repeat it).
    pub rows: Vec<Vec<String>>,
    /// The last valid space text: its frame options, skip budgets and strides
    /// are kept while the data set and family stay the same.
    pub previous: String,
}

impl SpaceForm {
    /// The space text form of the editor's fields (unchecked: the space's
    /// check names a bad value). A cell field left empty takes the family's
    /// default; a new data set or family starts from its own frame, and a
    /// coordinate the old family did not have the same way (a skip budget
    /// means another thing in another family) from its new default.
    pub fn text(&self) -> String {
        let previous = crate::SearchSpace::resolve(&self.previous).ok();
        let previous_family = previous.as_ref().map(|p| p.frame().family);
        let previous = previous.map(|s| s.fields());
        let same =
            previous.as_ref().filter(|p| p.dataset == self.dataset && p.family == self.family);
        let frame =
            same.map_or_else(|| format!("{}/{}/", self.dataset, self.family), |p| p.frame.clone());
        let Ok(family) = Family::by_name(&self.family) else {
            return format!("{frame}cells={}", self.cells.trim());
        };
        let coords = family.coordinates();
        let (lo, hi) = family.cell_limits();
        let cells: Option<usize> =
            if lo == hi { Some(lo as usize) } else { self.cells.trim().parse().ok() };
        let mut items = vec![format!(
            "cells={}",
            cells.map_or_else(|| self.cells.trim().to_string(), |n| n.to_string())
        )];
        if let Some(n) = cells {
            for i in 0..n.min(crate::space::limits::CELLS.1 as usize) {
                let defaults = CellRanges::defaults(family, i);
                let row = self.rows.get(i.min(self.rows.len().saturating_sub(1)));
                for (j, c) in coords.iter().enumerate() {
                    if c.only_in.is_some() {
                        continue;
                    }
                    let typed = row.and_then(|r| r.get(j)).map(|v| v.trim()).unwrap_or("");
                    // What the old family had in this place, if it is the same coordinate.
                    let carried = previous_family.is_some_and(|pf| {
                        pf.coordinates().get(j).is_some_and(|p| p.key == c.key && p.kind == c.kind)
                    });
                    let fresh = same.is_none() && (c.absent.is_some() || !carried);
                    let default = match c.absent {
                        None if !c.is_categorical() => String::new(),
                        _ => print_values(c, &defaults.get(j)),
                    };
                    let value = if fresh || typed.is_empty() { default } else { typed.to_string() };
                    if !value.is_empty() {
                        items.push(format!("c{}.{}={value}", i + 1, c.key));
                    }
                }
                // The table has no stride column: keep the previous space's strides.
                let stride = same
                    .and_then(|p| p.cells.get(i))
                    .and_then(|c| c.last())
                    .and_then(|s| s.parse::<u32>().ok());
                if let Some(s) =
                    stride.filter(|&s| family.has_stride() && s != crate::space::default_stride(i))
                {
                    items.push(format!("c{}.s={s}", i + 1));
                }
            }
        }
        format!("{frame}{}", items.join(";"))
    }
}

/// The SHGO chart's choice as its fields hold it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ShgoForm {
    /// `shared` or `cellN`, as the link writes it.
    pub level: String,
    pub x: String,
    pub y: String,
}

impl ShgoForm {
    pub fn read(text: &str) -> std::result::Result<ShgoForm, String> {
        let axes = ShgoAxes::parse(text)?;
        let level = text.split(':').next().unwrap_or_default().to_string();
        let names = state::coords();
        Ok(ShgoForm { level, x: names[axes.x].into(), y: names[axes.y].into() })
    }
}

/// The `shgo` text of a level and two coordinates (unchecked).
pub fn shgo_text(level: &str, x: &str, y: &str) -> String {
    format!("{level}:{x},{y}")
}

/// The SHGO chart's levels for a space of `cells` cells.
pub fn shgo_levels(cells: usize) -> Vec<Choice> {
    let mut out = vec![choice("shared", "shared (all cells)")];
    out.extend((1..=cells).map(|i| choice(format!("cell{i}"), format!("cell {i}"))));
    out
}
