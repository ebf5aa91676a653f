//! What the CLI and the page show for one architecture and one space: the same
//! serialisable summaries, so both say the same numbers.

use crate::degree::{self, CellGraph};
use crate::space::{Architecture, Dataset, Family, SearchSpace};
use crate::workload::{self, Layer, Totals};
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Description {
    /// Canonical text form.
    pub arch: String,
    pub dataset: Dataset,
    pub family: Family,
    pub nn_degree: f64,
    /// Per cell: channel-graph nodes, edges and average in-degree.
    pub cells: Vec<CellGraph>,
    pub totals: Totals,
    pub layers: Vec<Layer>,
}

pub fn describe(arch: &Architecture) -> Description {
    let graph = degree::graph(arch);
    Description {
        arch: arch.to_string(),
        dataset: arch.frame().dataset,
        family: arch.frame().family,
        nn_degree: degree::nn_degree(arch.frame(), arch.cells()),
        cells: graph.cells,
        totals: workload::totals(arch.frame(), arch.cells()),
        layers: workload::layers(arch),
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SpaceSummary {
    /// Canonical text form.
    pub space: String,
    /// Exact configuration count as a decimal string (it can exceed 2^53).
    pub count: String,
    /// The same in scientific notation, for display.
    pub count_approx: String,
    /// Configurations of each cell.
    pub per_cell: Vec<String>,
    /// What one configuration is.
    pub configuration: String,
    /// The editor's fields.
    pub fields: crate::space::SpaceFields,
    /// NAS-Bench-201 knows every network of the space: the truth beside each
    /// result, its accuracy as samples (an nb201 space of cifar10 or cifar100).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub benchmark: bool,
    /// Measured latencies of the space's networks can stand in for the
    /// profile's model (an nb201 space of CIFAR-10 networks).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub measured: bool,
}

pub fn summarize(space: &SearchSpace) -> SpaceSummary {
    let count = space.count();
    let nb201 = space.frame().family == Family::Nb201;
    let dataset = space.frame().dataset.name;
    SpaceSummary {
        space: space.to_string(),
        count: count.to_string(),
        count_approx: format!("{:.3e}", count as f64),
        per_cell: space.cells().iter().map(|c| c.count().to_string()).collect(),
        configuration: space.configuration_meaning(),
        fields: space.fields(),
        benchmark: nb201 && crate::nasbench::default_accuracy(dataset).is_some(),
        measured: nb201 && dataset == "cifar10",
    }
}
