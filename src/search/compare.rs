//! FLASH against the baselines and the exact optimum on one problem: what the
//! benchmarks of docs/benchmarks.md and the page's comparison panel report.
//!
//! In two steps, so the page can show the baselines (seconds at most) while the
//! exact method (bounded by its budget) still runs: [`baselines`], then
//! [`Comparison::with_exact`].

use super::{
    run, Evolution, Exact, ExactBudget, Flash, Observer, Problem, RandomSearch, SearchResult,
    Solver,
};
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
    /// exact result or when this method found nothing feasible. Where the exact
    /// method stopped at its budget, against the best it found (the certificate
    /// in `exact.optimality` says how far that can be from the optimum).
    pub gap: Option<f64>,
    /// Optimum's score minus this method's (accuracy, or NN-Degree without a predictor).
    pub score_gap: Option<f64>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Comparison {
    pub flash: SearchResult,
    /// `None` where no exact method applies or it has not run yet (the message says which).
    pub exact: Option<SearchResult>,
    pub exact_message: String,
    /// The time the exact method may take (its budget), seconds.
    pub exact_seconds: f64,
    pub rows: Vec<Row>,
    /// FLASH and the baselines, in row order after the exact row's place.
    #[serde(skip)]
    results: Vec<SearchResult>,
}

/// Runs FLASH, the exact optimum (when `exact`, with the default budget), and
/// random search and aging evolution with FLASH's number of evaluations and with
/// `multiple` times as many.
pub fn compare(problem: &Problem, seed: u64, exact: bool, multiple: u64) -> Result<Comparison> {
    let c = baselines(problem, seed, multiple, u64::MAX)?;
    Ok(if exact { c.with_exact(problem, ExactBudget::default(), &mut ()) } else { c })
}

/// FLASH, random search and aging evolution (same and `multiple`× evaluations,
/// fewer where that would pass `max_evaluations`; the row's label says how many
/// times): the comparison before the exact method has run.
pub fn baselines(
    problem: &Problem,
    seed: u64,
    multiple: u64,
    max_evaluations: u64,
) -> Result<Comparison> {
    let flash = run(problem, &Flash::default(), &mut (), false)?;
    let n = flash.evaluations.max(1);
    let multiple = multiple.min(max_evaluations / n).max(1);
    let mut results: Vec<SearchResult> = vec![flash.clone()];
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
    let mut c = Comparison {
        flash,
        exact: None,
        exact_message: "not run".into(),
        exact_seconds: 0.0,
        rows: Vec::new(),
        results,
    };
    c.rows = c.rows();
    Ok(c)
}

impl Comparison {
    /// Adds the exact method's result (within `budget`, telling `observer` its
    /// progress) and the gaps against it.
    pub fn with_exact(
        mut self,
        problem: &Problem,
        budget: ExactBudget,
        observer: &mut dyn Observer,
    ) -> Comparison {
        self.exact_seconds = budget.seconds;
        let exact = Exact { budget, ..Exact::default() };
        match run(problem, &exact, observer, false) {
            Ok(r) => {
                self.exact_message = match &r.optimality {
                    Some(o) if !o.proven => format!(
                        "The exact method stopped at its budget: gaps are against the best network it found, {}.",
                        o.describe()
                    ),
                    _ => String::new(),
                };
                self.exact = Some(r);
            }
            Err(e) => self.exact_message = e.to_string(),
        }
        self.rows = self.rows();
        self
    }

    /// FLASH, random, evolution, random ×M, evolution ×M (the exact result is apart).
    pub fn results(&self) -> &[SearchResult] {
        &self.results
    }

    fn rows(&self) -> Vec<Row> {
        let optimum = self.exact.as_ref().and_then(|e| e.best.as_ref().filter(|_| e.feasible));
        let mut all: Vec<&SearchResult> = self.results.iter().collect();
        if let Some(e) = &self.exact {
            all.insert(1, e);
        }
        all.iter()
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
            .collect()
    }
}
