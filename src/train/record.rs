//! One CSV row per trained network, in the format the predictor reads
//! (docs/predictor.md), with `#` provenance lines above the header.

use super::proxies::Proxies;
use super::{Budget, Outcome};
use crate::degree;
use crate::space::Architecture;
use crate::workload;
use serde::Serialize;

pub const HEADER: &str =
    "arch,nn_degree,params,macs,test_accuracy,train_loss,seconds,seed,budget,synflow,snip,grad_norm,naswot";
/// The header of sets written before the zero-cost proxies (still read).
pub const HEADER_WITHOUT_PROXIES: &str =
    "arch,nn_degree,params,macs,test_accuracy,train_loss,seconds,seed,budget";

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
    /// The zero-cost proxies at initialisation (absent in sets written before them).
    pub proxies: Option<Proxies>,
}

impl Row {
    pub fn new(
        arch: &Architecture,
        outcome: &Outcome,
        seed: u64,
        budget: &Budget,
        proxies: Option<Proxies>,
    ) -> Row {
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
            proxies,
        }
    }

    /// The row as CSV (no field needs quoting: text forms hold no commas).
    /// Synflow in scientific notation: it spans hundreds of orders of magnitude.
    pub fn csv(&self) -> String {
        self.csv_columns(self.proxies.is_some())
    }

    /// The row with or without the proxy columns (a file has them on every row or none).
    pub fn csv_columns(&self, with_proxies: bool) -> String {
        let proxies = match &self.proxies {
            Some(p) if with_proxies => {
                format!(",{:e},{},{},{}", p.synflow, p.snip, p.grad_norm, p.naswot)
            }
            _ => String::new(),
        };
        format!(
            "{},{},{},{},{},{:.6},{:.3},{},{}{}",
            self.arch,
            self.nn_degree,
            self.params,
            self.macs,
            self.test_accuracy,
            self.train_loss,
            self.seconds,
            self.seed,
            self.budget,
            proxies
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
    let with_proxies = rows.iter().all(|r| r.proxies.is_some());
    out.push_str(if with_proxies { HEADER } else { HEADER_WITHOUT_PROXIES });
    out.push('\n');
    for row in rows {
        out.push_str(&row.csv_columns(with_proxies));
        out.push('\n');
    }
    out
}
