//! FLASH against the baselines and the exact optimum on one problem: what the
//! benchmarks of docs/benchmarks.md and the page's comparison panel report.
//!
//! In two steps, so the page can show the baselines (seconds at most) while the
//! exact method (bounded by its budget) still runs: [`baselines`], then
//! [`Comparison::with_exact`].

use super::{
    run, Evolution, Exact, ExactBudget, Flash, Observer, Point, Problem, RandomSearch,
    SearchResult, Solver,
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
    /// The evaluations after which this method's best so far first came within
    /// [`NEAR`] of the optimum (its best-so-far curve); `None` if it never did
    /// or there is no optimum to compare with.
    pub evaluations_to_near: Option<u64>,
    /// Whether `score_gap` is within the predictor's mean error
    /// ([`Comparison::score_error`]): a gap the predictor cannot tell from none.
    /// `None` without a predicted accuracy or a score gap.
    pub inside_error: Option<bool>,
}

/// How close to the exact optimum "near" is: 1 % of the minimized objective.
pub const NEAR: f64 = 0.01;

/// A method's best-so-far curve: (evaluations, objective) at each feasible improvement.
type Curve = Vec<(u64, f64)>;

#[derive(Default)]
struct BestSoFar(Curve);

impl Observer for BestSoFar {
    fn improved(&mut self, p: &Point, evaluations: u64) {
        if p.verdict.feasible {
            self.0.push((evaluations, p.verdict.objective));
        }
    }
}

fn run_curve(problem: &Problem, solver: &dyn Solver) -> Result<(SearchResult, Vec<(u64, f64)>)> {
    let mut curve = BestSoFar::default();
    let r = run(problem, solver, &mut curve, false)?;
    Ok((r, curve.0))
}

/// (objective − optimum) / |optimum|, or the difference where the optimum is 0.
fn relative_gap(objective: f64, optimum: f64) -> f64 {
    if optimum == 0.0 {
        objective - optimum
    } else {
        (objective - optimum) / optimum.abs()
    }
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
    /// The predictor's mean absolute error where the score is a predicted accuracy (a
    /// fraction): the scale the rows' score gaps are read against.
    pub score_error: Option<f64>,
    /// FLASH and the baselines, in row order after the exact row's place.
    #[serde(skip)]
    results: Vec<SearchResult>,
    /// Their best-so-far curves, in the same order.
    #[serde(skip)]
    curves: Vec<Vec<(u64, f64)>>,
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
    let (flash, flash_curve) = run_curve(problem, &Flash::default())?;
    let n = flash.evaluations.max(1);
    let multiple = multiple.min(max_evaluations / n).max(1);
    let mut results: Vec<SearchResult> = vec![flash.clone()];
    let mut curves = vec![flash_curve];
    for budget in [n, n.saturating_mul(multiple.max(1))] {
        let solvers: [Box<dyn Solver>; 2] = [
            Box::new(RandomSearch { evaluations: budget, seed }),
            Box::new(Evolution::new(budget, seed)),
        ];
        for s in solvers {
            let (mut r, curve) = run_curve(problem, s.as_ref())?;
            if budget != n {
                r.solver = format!("{} ×{multiple}", r.solver);
            }
            results.push(r);
            curves.push(curve);
        }
    }
    let mut c = Comparison {
        flash,
        exact: None,
        exact_message: "not run".into(),
        exact_seconds: 0.0,
        rows: Vec::new(),
        score_error: None,
        results,
        curves,
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

    /// Reads the rows' score gaps against a predictor's mean absolute error
    /// (`None`: the score is not a predicted accuracy).
    pub fn with_score_error(mut self, error: Option<f64>) -> Comparison {
        self.score_error = error.filter(|e| e.is_finite() && *e > 0.0);
        self.rows = self.rows();
        self
    }

    /// FLASH, random, evolution, random ×M, evolution ×M (the exact result is apart).
    pub fn results(&self) -> &[SearchResult] {
        &self.results
    }

    fn rows(&self) -> Vec<Row> {
        let optimum = self.exact.as_ref().and_then(|e| e.best.as_ref().filter(|_| e.feasible));
        let star = optimum.map(|o| o.verdict.objective);
        let mut all: Vec<(&SearchResult, Option<&Curve>)> =
            self.results.iter().zip(self.curves.iter().map(Some)).collect();
        if let Some(e) = &self.exact {
            all.insert(1, (e, None));
        }
        all.iter()
            .map(|&(r, curve)| {
                let best = r.best.as_ref().filter(|_| r.feasible);
                let objective = best.map(|b| b.verdict.objective);
                let gap = objective.zip(star).map(|(o, s)| relative_gap(o, s));
                // The exact method proves its optimum only at its end.
                let evaluations_to_near = match (curve, star) {
                    (Some(c), Some(s)) => {
                        c.iter().find(|&&(_, o)| relative_gap(o, s) <= NEAR).map(|&(e, _)| e)
                    }
                    (None, Some(_)) => gap.map(|_| r.evaluations),
                    _ => None,
                };
                let score_gap = match (best, optimum) {
                    (Some(b), Some(opt)) => Some(opt.metrics.score() - b.metrics.score()),
                    _ => None,
                };
                let inside_error = score_gap.zip(self.score_error).map(|(g, e)| g.abs() <= e);
                Row {
                    solver: r.solver.clone(),
                    evaluations: r.evaluations,
                    seconds: r.seconds,
                    feasible: r.feasible,
                    objective,
                    gap,
                    score_gap,
                    evaluations_to_near,
                    inside_error,
                }
            })
            .collect()
    }
}
