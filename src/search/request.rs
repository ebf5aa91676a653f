//! A whole search as plain data (strings and numbers): what the page sends to
//! the wasm shell and what golden tests replay natively and in wasm.

use super::compare::{compare, Comparison};
use super::{
    knobs, run, Benchmark, Evolution, Exact, ExactBudget, ExactMethod, Flash, Goal, Problem,
    ProblemParams, Quality, RandomSearch, SearchResult, Solver,
};
use crate::error::{Error, Result};
use crate::hardware::{builtin, Profile};
use crate::nasbench;
use crate::predictor::{self, SampleSet};
use crate::SearchSpace;
use serde::{Deserialize, Serialize};

fn default_space() -> String {
    crate::space::DEFAULT_ALIAS.into()
}
fn default_profile() -> String {
    "rram-imc".into()
}
fn default_goal() -> String {
    "max-accuracy".into()
}
fn default_solver() -> String {
    "flash".into()
}
fn default_evaluations() -> u64 {
    1000
}
fn default_seed() -> u64 {
    1
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Request {
    /// Space text form, or "default" (FLASH's).
    #[serde(default = "default_space")]
    pub space: String,
    /// A built-in profile name …
    #[serde(default = "default_profile")]
    pub profile: String,
    /// … or a whole profile as JSON text (takes precedence).
    #[serde(default)]
    pub profile_json: Option<String>,
    #[serde(default = "default_goal")]
    pub goal: String,
    #[serde(default)]
    pub knobs: String,
    /// Sample CSV text to fit the predictor on; none: the NN-Degree proxy.
    #[serde(default)]
    pub samples_csv: Option<String>,
    /// flash | random | evolution | exact | exact-program | exact-enumerate
    #[serde(default = "default_solver")]
    pub solver: String,
    /// Evaluations for random search and evolution.
    #[serde(default = "default_evaluations")]
    pub evaluations: u64,
    #[serde(default = "default_seed")]
    pub seed: u64,
    #[serde(default)]
    pub trace: bool,
    /// What the exact method may spend (time, memory) and the gap it accepts.
    #[serde(default)]
    pub exact: ExactBudget,
    /// NAS-Bench-201 (an nb201 space): the accuracy column each result's true
    /// accuracy is read from; none: the space's data set's default column.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub truth: Option<String>,
    /// Without `samples_csv`: the predictor is fitted on this many cells drawn
    /// (with `seed`) from the space, the truth column standing in for training them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bench_samples: Option<usize>,
    /// Rank by the benchmark's accuracy itself (the oracle), not a prediction.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub oracle: bool,
    /// A device of data/nb201 whose measured latency stands in for the profile's
    /// (`raspi4`, …; an nb201 space of CIFAR-10 networks).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latency: Option<String>,
}

impl Default for Request {
    fn default() -> Self {
        serde_json::from_str("{}").expect("every field has a default")
    }
}

impl Request {
    /// The checked problem; each error names its field.
    pub fn problem(&self) -> Result<Problem> {
        let quality = if self.oracle {
            let column = self.benchmark()?.truth.ok_or_else(|| {
                Error::field("oracle", "true", "an nb201 space of cifar10 or cifar100 networks")
            })?;
            Quality::Truth { column: column.spec.name }
        } else {
            match self.samples()? {
                None => Quality::Degree,
                Some(csv) => Quality::fitted(&predictor::fit(&SampleSet::from_csv(&csv)?.samples)?),
            }
        };
        self.problem_with(quality)
    }

    /// The sample CSV the predictor fits: `samples_csv`, or the benchmark's draw.
    pub fn samples(&self) -> Result<Option<String>> {
        match (&self.samples_csv, self.bench_samples) {
            (Some(csv), _) => Ok(Some(csv.clone())),
            (None, Some(n)) => {
                let space = SearchSpace::resolve(&self.space)?;
                let truth = self.benchmark()?.truth.ok_or_else(|| {
                    Error::field(
                        "benchmark samples",
                        n,
                        "an nb201 space of cifar10 or cifar100 networks (NAS-Bench-201's accuracies are of those)",
                    )
                })?;
                Ok(Some(predictor::benchmark_csv(&space, &truth, n, self.seed)?))
            }
            (None, None) => Ok(None),
        }
    }

    /// The NAS-Bench-201 tables this request reads: the truth column (the
    /// given one, or the data set's default in an nb201 space) and the
    /// measured latency of `latency`.
    pub fn benchmark(&self) -> Result<Benchmark> {
        let specs = self.benchmark_specs()?;
        let load = |c: Option<std::sync::Arc<nasbench::Column>>| {
            c.map(|c| nasbench::column(c.spec)).transpose()
        };
        Ok(Benchmark { truth: load(specs.truth)?, latency: load(specs.latency)? })
    }

    /// [`benchmark`](Self::benchmark) with columns that hold no values: what a
    /// check of the request needs (which columns, of which data set), before
    /// the page has fetched them.
    pub fn benchmark_specs(&self) -> Result<Benchmark> {
        let space = SearchSpace::resolve(&self.space)?;
        let frame = space.frame();
        let nb201 = frame.family == crate::space::Family::Nb201;
        let truth = match (&self.truth, nb201) {
            (Some(name), _) => Some(nasbench::spec(name, nasbench::Figure::Accuracy)?),
            (None, true) => nasbench::default_accuracy(frame.dataset.name),
            (None, false) => None,
        };
        let latency = match &self.latency {
            Some(device) => Some(nasbench::device(device)?),
            None => None,
        };
        Ok(Benchmark {
            truth: truth.map(nasbench::stand_in),
            latency: latency.map(nasbench::stand_in),
        })
    }

    /// The checked problem with an accuracy model already at hand (the
    /// playground fits its samples once for the search and the fit's panel);
    /// `samples_csv` is not read.
    pub fn problem_with(&self, quality: Quality) -> Result<Problem> {
        let space = SearchSpace::resolve(&self.space)?;
        let profile = match &self.profile_json {
            Some(json) => Profile::from_json(json)?,
            None => builtin(&self.profile)?,
        };
        ProblemParams {
            space,
            quality,
            profile,
            knobs: knobs::parse(&self.knobs)?,
            goal: Goal::parse(&self.goal)?,
            bench: self.benchmark()?,
        }
        .check()
    }

    pub fn solver(&self) -> Result<Box<dyn Solver>> {
        Ok(match self.solver.as_str() {
            "flash" => Box::new(Flash::default()),
            "random" => Box::new(RandomSearch { evaluations: self.evaluations, seed: self.seed }),
            "evolution" => Box::new(Evolution::new(self.evaluations, self.seed)),
            "exact" => Box::new(Exact { method: ExactMethod::Auto, budget: self.exact }),
            "exact-program" => Box::new(Exact { method: ExactMethod::Program, budget: self.exact }),
            "exact-enumerate" => {
                Box::new(Exact { method: ExactMethod::Enumerate, budget: self.exact })
            }
            other => {
                return Err(Error::field(
                    "solver",
                    other,
                    "flash, random, evolution, exact, exact-program or exact-enumerate",
                ))
            }
        })
    }

    pub fn run(&self) -> Result<SearchResult> {
        self.run_observed(&mut ())
    }

    /// The search, telling `observer` its progress (the CLI's stderr, the page's panel).
    pub fn run_observed(&self, observer: &mut dyn super::Observer) -> Result<SearchResult> {
        run(&self.problem()?, self.solver()?.as_ref(), observer, self.trace)
    }

    /// FLASH against the exact optimum and the baselines (same and 100× evaluations).
    pub fn compare(&self) -> Result<Comparison> {
        compare(&self.problem()?, self.seed, true, 100)
    }
}
