//! FLASH against the baselines and the exact optimum on one problem: what the
//! benchmarks of docs/benchmarks.md and the page's comparison panel report.

use super::{run, Evolution, Exact, Flash, Problem, RandomSearch, SearchResult, Solver};
use crate::error::Result;
use serde::Serialize;

/// One method's result against the exact optimum.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Row {
    pub solver: String,
    pub evaluations: u64,
    pub seconds: f64,
    pub feasible: bool,
    /// The minimized objective (−score for accuracy goals, the cost otherwise).
    pub objective: Option<f64>,
    /// (objective − optimum) / |optimum|: 0 at the optimum; `None` without an
    /// exact optimum or when this method found nothing feasible.
    pub gap: Option<f64>,
    /// Optimum's score minus this method's (accuracy, or NN-Degree without a predictor).
    pub score_gap: Option<f64>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Comparison {
    pub flash: SearchResult,
    /// `None` where no exact method applies (the message says why).
    pub exact: Option<SearchResult>,
    pub exact_message: String,
    pub rows: Vec<Row>,
}

/// Runs FLASH, the exact optimum (when `exact`), and random search and aging
/// evolution with FLASH's number of evaluations and with `multiple` times as many.
pub fn compare(problem: &Problem, seed: u64, exact: bool, multiple: u64) -> Result<Comparison> {
    let flash = run(problem, &Flash::default(), &mut (), false)?;
    let (exact_result, exact_message) = if exact {
        match run(problem, &Exact::default(), &mut (), false) {
            Ok(r) => (Some(r), String::new()),
            Err(e) => (None, e.to_string()),
        }
    } else {
        (None, "not run".into())
    };
    let n = flash.evaluations.max(1);
    let mut results: Vec<SearchResult> = vec![flash.clone()];
    if let Some(e) = &exact_result {
        results.push(e.clone());
    }
    for budget in [n, n.saturating_mul(multiple.max(1))] {
        let solvers: [Box<dyn Solver>; 2] = [
            Box::new(RandomSearch { evaluations: budget, seed }),
            Box::new(Evolution::new(budget, seed)),
        ];
        for s in solvers {
            let mut r = run(problem, s.as_ref(), &mut (), false)?;
            if budget != n {
                r.solver = format!("{} ×{multiple}", r.solver);
            }
            results.push(r);
        }
    }
    let optimum = exact_result.as_ref().and_then(|e| e.best.as_ref().filter(|_| e.feasible));
    let rows = results
        .iter()
        .map(|r| {
            let best = r.best.as_ref().filter(|_| r.feasible);
            let objective = best.map(|b| b.verdict.objective);
            let gap = match (objective, optimum) {
                (Some(o), Some(opt)) => {
                    let star = opt.verdict.objective;
                    Some(if star == 0.0 { o - star } else { (o - star) / star.abs() })
                }
                _ => None,
            };
            let score_gap = match (best, optimum) {
                (Some(b), Some(opt)) => Some(opt.metrics.score() - b.metrics.score()),
                _ => None,
            };
            Row {
                solver: r.solver.clone(),
                evaluations: r.evaluations,
                seconds: r.seconds,
                feasible: r.feasible,
                objective,
                gap,
                score_gap,
            }
        })
        .collect();
    Ok(Comparison { flash, exact: exact_result, exact_message, rows })
}
