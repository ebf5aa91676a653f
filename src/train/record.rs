//! One CSV row per trained network, in the format the predictor reads
//! (docs/predictor.md), with `#` provenance lines above the header.

use super::{Budget, Outcome};
use crate::degree;
use crate::space::Architecture;
use crate::workload;
use serde::Serialize;

pub const HEADER: &str = "arch,nn_degree,params,macs,test_accuracy,train_loss,seconds,seed,budget";

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Row {
    pub arch: String,
    pub nn_degree: f64,
    pub params: u64,
    pub macs: u64,
    pub test_accuracy: f64,
    pub train_loss: f64,
    pub seconds: f64,
    pub seed: u64,
    pub budget: String,
}

impl Row {
    pub fn new(arch: &Architecture, outcome: &Outcome, seed: u64, budget: &Budget) -> Row {
        let totals = workload::totals(arch.frame(), arch.cells());
        Row {
            arch: arch.to_string(),
            nn_degree: degree::nn_degree(arch.frame(), arch.cells()),
            params: totals.params,
            macs: totals.macs,
            test_accuracy: outcome.test_accuracy,
            train_loss: outcome.train_loss,
            seconds: outcome.seconds,
            seed,
            budget: budget.label(),
        }
    }

    /// The row as CSV (no field needs quoting: text forms hold no commas).
    pub fn csv(&self) -> String {
        format!(
            "{},{},{},{},{},{:.6},{:.3},{},{}",
            self.arch,
            self.nn_degree,
            self.params,
            self.macs,
            self.test_accuracy,
            self.train_loss,
            self.seconds,
            self.seed,
            self.budget
        )
    }
}

/// A whole file: provenance lines (each prefixed with `# `), the header, the rows.
pub fn csv(provenance: &[String], rows: &[Row]) -> String {
    let mut out = String::new();
    for line in provenance {
        out.push_str("# ");
        out.push_str(line);
        out.push('\n');
    }
    out.push_str(HEADER);
    out.push('\n');
    for row in rows {
        out.push_str(&row.csv());
        out.push('\n');
    }
    out
}
