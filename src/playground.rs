//! The playground: one link's whole search and everything the page shows of it
//! (docs/playground.md). The page and `flash playground` both call
//! [`Playground::open`], so a shared link gives the same result in the browser
//! and on the command line.

use crate::chart::{self, Chart};
use crate::describe::{describe, Description};
use crate::hardware::profile::ProfileView;
use crate::hardware::{self, CostReport, Profile};
use crate::predictor::{self, report, SampleSet};
use crate::search::compare::{baselines, Comparison};
use crate::search::{
    run, Cost, ExactBudget, Objective, Observer, Problem, Quality, SearchResult, Trace,
};
use crate::space::Architecture;
use crate::state::{Decoded, Notice, ShgoAxes, State};
use serde::Serialize;

/// A link's search, run.
pub struct Playground {
    pub state: State,
    pub notices: Vec<Notice>,
    problem: Option<Problem>,
    /// The search's result, or why it could not run.
    outcome: Result<SearchResult, String>,
    samples: Option<SampleSet>,
    /// The fit of `samples` the search used.
    report: Option<predictor::FitReport>,
    /// How far its predictions are off, and where it was measured.
    uncertainty: Option<Uncertainty>,
    /// The shipped set's held-out networks (file name and rows), read once.
    held: Option<(&'static str, Vec<predictor::Sample>)>,
    truth: Option<TruthView>,
}

/// A result's fingerprint, the `fp` a copied link carries: [`crate::state::FP_DIGITS`] hex
/// digits of a 64-bit FNV-1a hash (folded to 32 bits) of what the search found: each
/// network with its hardware settings, best first, then the front. Metrics are left out:
/// they follow from the network and the link's meaning, which its schema version fixes,
/// and their last bits may move with a refactor that changes nothing a person sees.
pub fn fingerprint(result: Option<&SearchResult>) -> String {
    let mut text = String::new();
    match result {
        None => text.push_str("no result"),
        Some(r) => {
            text.push_str(if r.feasible { "feasible" } else { "infeasible" });
            for f in r.best.iter().chain(&r.pareto) {
                text.push('\n');
                text.push_str(&f.arch);
                text.push('\t');
                text.push_str(&f.hardware);
                for (k, v) in &f.settings {
                    text.push_str(&format!("\t{k}={v}"));
                }
            }
        }
    }
    let h = fnv1a64(text.as_bytes());
    format!("{:08x}", (h >> 32) as u32 ^ h as u32)
}

/// FNV-1a, 64 bits (Fowler, Noll, Vo): stable across platforms and versions, which a
/// link's fingerprint needs and `std`'s hasher does not promise.
pub fn fnv1a64(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= *b as u64;
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// How far a fitted predictor's accuracies are off.
#[derive(Clone, Debug, Serialize)]
pub struct Uncertainty {
    /// Mean absolute error of a predicted accuracy (a fraction).
    pub mae: f64,
    /// Where it was measured, in words.
    pub measured: String,
    /// The held-out comparison, where the set ships one.
    pub held_out: Option<report::HeldOut>,
    /// The samples' ranges: outside them a prediction extrapolates.
    pub domain: predictor::Domain,
}

/// A predicted accuracy as the page shows it.
#[derive(Clone, Debug, Serialize)]
pub struct PredictedAccuracy {
    pub value: f64,
    /// ± this (the predictor's mean absolute error).
    pub plus_minus: f64,
    /// Outside the samples' NN-Degree or parameter range, or in a space whose data set or
    /// family the samples do not have.
    pub extrapolated: bool,
    /// Why it extrapolates, in words.
    pub why: Option<String>,
    /// The value and its error as the page writes them ([`with_error`]).
    pub text: String,
}

/// A value written to the precision its error allows: the error to one significant digit
/// (two when that digit is 1, where rounding would move it most), the value to one decimal
/// more than the error (e.g. "0.998 ± 0.05", not "0.9976 ± 0.049"). Without a usable error
/// the value keeps four decimals.
pub fn with_error(value: f64, error: f64) -> String {
    if !(error.is_finite() && error > 0.0) {
        return format!("{value:.4}");
    }
    // The first significant digit's place, by exact-enough basic steps (no log10, whose
    // last bits differ between platforms): `scaled` in [1, 10), `place` decimals.
    let (mut scaled, mut place) = (error, 0i32);
    while scaled < 1.0 && place < 12 {
        scaled *= 10.0;
        place += 1;
    }
    while scaled >= 10.0 {
        scaled /= 10.0;
        place -= 1;
    }
    let digits = if scaled < 2.0 { 2 } else { 1 };
    let decimals = (place + digits - 1).clamp(0, 12) as usize;
    format!("{value:.prec$} ± {error:.decimals$}", prec = decimals + 1)
}

/// Uniform draws of the space behind the predictor panel's ceiling figure
/// (docs/accuracy.md reports 100,000; the page keeps to a quick sample).
pub const SHARE_DRAWS: usize = 5_000;

/// The most evaluations the page gives each of the larger random search and
/// evolution runs (100× FLASH's, fewer where FLASH needed more than 3,000: with
/// hardware knobs 100× took 8 s natively, twice that in wasm).
pub const PAGE_BASELINE_EVALUATIONS: u64 = 300_000;

/// What the page's comparison worker gives the exact method: 5 s (it runs after
/// the baselines, in its own worker, with a cancel), and about 100 MB of partial
/// networks. Stopped there, it reports the best network with a certified bound.
pub const PAGE_EXACT_BUDGET: ExactBudget =
    ExactBudget { seconds: 5.0, entries: 1_000_000, gap: 0.0, warm_start: true };

/// What the page shows for a link.
#[derive(Clone, Debug, Serialize)]
pub struct View {
    /// The canonical query of the state (without '?').
    pub link: String,
    pub state: State,
    pub notices: Vec<Notice>,
    /// The profile the search ran on, with the link's edits.
    pub profile: Option<ProfileView>,
    pub predictor: Option<PredictorView>,
    /// Why the search could not run (the state's problem).
    pub error: Option<String>,
    /// The search's result, without its trace.
    pub result: Option<SearchResult>,
    pub best: Option<BestView>,
    pub pareto: Option<Chart>,
    /// The cost a Pareto or min goal makes the Pareto chart plot, whatever the state's
    /// `cost`; `None` where the state's `cost` decides.
    pub chart_cost: Option<String>,
    pub shgo: Option<Chart>,
    /// SHGO iterations of the chart's level, for the step mode.
    pub steps: usize,
    pub layers: Option<Chart>,
    /// The command that reproduces this result.
    pub command: String,
    /// NAS-Bench-201's truth beside the result (an nb201 space with a benchmark column).
    pub truth: Option<TruthView>,
    /// The result's fingerprint ([`fingerprint`]).
    pub fingerprint: String,
    /// The link "Copy link" gives: the state's, with the result's fingerprint.
    pub shared_link: String,
    /// The link's `fp` is not its result's fingerprint: what it showed and shows now.
    pub result_changed: Option<Notice>,
}

/// NAS-Bench-201's truth beside a result: the result's true accuracy, the best
/// network the benchmark knows under the same goal (the oracle's optimum) and
/// how far the prediction lands from it, from one pass over every cell of the space.
#[derive(Clone, Debug, Serialize)]
pub struct TruthView {
    /// What the truth is, in words.
    pub column: String,
    /// The result's true accuracy (a fraction).
    pub pick: Option<f64>,
    /// The best network by the truth that meets the goal's limits, and its true accuracy.
    pub optimum_arch: Option<String>,
    pub optimum: Option<f64>,
    /// The optimum's true accuracy minus the pick's, in percentage points.
    pub regret: Option<f64>,
    /// The predictor's mean absolute error and Kendall τ on the cells of the
    /// space it was not fitted on (held out; `None` without a predictor).
    pub held_out_mae: Option<f64>,
    pub held_out_kendall: Option<f64>,
    pub held_out_cells: usize,
    /// The true front: the cells no other beats in true accuracy and the
    /// chart's cost, by increasing cost (SI units, a fraction).
    pub front: Vec<(f64, f64)>,
}

#[derive(Clone, Debug, Serialize)]
pub struct PredictorView {
    pub source: String,
    pub rows: usize,
    pub provenance: Vec<String>,
    pub report: predictor::FitReport,
    pub chart: Option<String>,
    pub uncertainty: Uncertainty,
    /// How NN-Degree, params, MACs and the proxies rank accuracy, and on which rows.
    pub metrics: Vec<report::MetricRow>,
    pub metrics_on: String,
    /// Where the predictor puts the space's networks (SHARE_DRAWS uniform draws).
    pub share: Option<report::SpaceShare>,
}

#[derive(Clone, Debug, Serialize)]
pub struct BestView {
    pub description: Description,
    /// The cost on the hardware configuration the search chose.
    pub cost: CostReport,
    /// Cells, layers and skip connections as SVG.
    pub diagram: String,
    pub pytorch: String,
    /// The predicted accuracy with its error, when a predictor ranks.
    pub accuracy: Option<PredictedAccuracy>,
}

impl Playground {
    /// Decodes a link and runs its search; `own_file` is the CSV a link names
    /// by fingerprint (`own=file:…`). Never fails: what cannot be used becomes
    /// a notice, and a search that cannot run becomes the view's error.
    pub fn open(query: &str, own_file: Option<&str>) -> Playground {
        let Decoded { state, mut notices } = State::decode(query);
        Self::run_state(state, &mut notices, own_file)
    }

    fn run_state(state: State, notices: &mut Vec<Notice>, own_file: Option<&str>) -> Playground {
        let samples_csv = match state.samples_csv(own_file) {
            Ok(csv) => csv,
            Err(message) => {
                notices.push(Notice {
                    field: "own".into(),
                    value: String::new(),
                    message: format!("{message}; until then the NN-Degree proxy ranks networks"),
                });
                None
            }
        };
        // The samples are parsed and fitted once, for the search and for the fit's panel.
        let fitted = samples_csv.as_deref().map(fitted_set);
        let (samples, report) = match &fitted {
            Some(Ok((set, report))) => {
                extrapolation(&state, set, notices);
                (Some(set.clone()), Some(report.clone()))
            }
            _ => (None, None),
        };
        let held = predictor::shipped(&state.samples)
            .and_then(|s| s.held_out)
            .and_then(|(file, csv)| SampleSet::from_csv(csv).ok().map(|h| (file, h.samples)));
        let uncertainty = match (&samples, &report) {
            (Some(set), Some(fit)) => Some(uncertainty(set, fit, held.as_ref())),
            _ => None,
        };
        let problem = state.hardware_request().and_then(|request| match fitted {
            None if state.samples == "truth" => {
                let column = request.benchmark_specs()?.truth.map(|c| c.spec.name);
                request.problem_with(Quality::Truth { column: column.unwrap_or_default() })
            }
            None => request.problem_with(Quality::Degree),
            Some(Ok((_, report))) => {
                let quality = match (Quality::fitted(&report), state.samples.as_str()) {
                    (Quality::Predictor { predictor, samples, .. }, "nb201") => {
                        Quality::Predictor {
                            predictor,
                            samples,
                            source: format!(
                                "drawn from NAS-Bench-201 with seed {}, its accuracy standing in for training",
                                state.seed
                            ),
                        }
                    }
                    (q, _) => q,
                };
                request.problem_with(quality)
            }
            Some(Err(e)) => Err(e),
        });
        let request = state.request(None);
        let outcome = match (&problem, request.solver()) {
            (Ok(p), Ok(solver)) => {
                run(p, solver.as_ref(), &mut (), true).map_err(|e| e.to_string())
            }
            (Err(e), _) => Err(e.to_string()),
            (_, Err(e)) => Err(e.to_string()),
        };
        let truth = match (&problem, &outcome) {
            (Ok(p), Ok(r)) => truth_view(p, r, samples.as_ref(), chart_cost(&state, p)),
            _ => None,
        };
        // With the benchmark's truth at hand, the predictor's error is measured on
        // every cell it was not fitted on: the honest error bar.
        let uncertainty = match (uncertainty, &truth) {
            (Some(u), Some(TruthView { held_out_mae: Some(mae), held_out_cells, .. })) => {
                Some(Uncertainty {
                    mae: *mae,
                    measured: format!(
                        "held out: the mean error on the {held_out_cells} cells of the space the predictor was not fitted on (NAS-Bench-201's truth)"
                    ),
                    held_out: None,
                    domain: u.domain,
                })
            }
            (u, _) => u,
        };
        if !state.fp.is_empty() {
            let now = fingerprint(outcome.as_ref().ok());
            if now != state.fp {
                let found = match outcome.as_ref().ok() {
                    Some(r) if !r.pareto.is_empty() && r.best.is_none() => {
                        format!("a front of {} networks", r.pareto.len())
                    }
                    Some(SearchResult { best: Some(b), .. }) => b.arch.clone(),
                    Some(_) => "no feasible network".to_string(),
                    None => "no result".to_string(),
                };
                let (date, what) = crate::state::CHANGE_LOG[crate::state::CHANGE_LOG.len() - 1];
                notices.push(Notice {
                    field: "fp".into(),
                    value: state.fp.clone(),
                    message: format!(
                        "this link was copied when it showed another result (fingerprint {}); this version finds {found} (fingerprint {now}). The latest change of what links show, {date}: {what} (docs/state.md, change log)",
                        state.fp
                    ),
                });
            }
        }
        Playground {
            state,
            notices: std::mem::take(notices),
            problem: problem.ok(),
            outcome,
            samples,
            report,
            uncertainty,
            held,
            truth,
        }
    }

    pub fn result(&self) -> Result<&SearchResult, &str> {
        self.outcome.as_ref().map_err(String::as_str)
    }

    fn trace(&self) -> Option<&Trace> {
        self.outcome.as_ref().ok().and_then(|r| r.trace.as_ref())
    }

    /// Index of the hardware configuration the best network runs on.
    fn best_hw(&self) -> usize {
        let (Some(p), Ok(r)) = (&self.problem, &self.outcome) else { return 0 };
        r.best
            .as_ref()
            .and_then(|b| p.hardware.iter().position(|h| h.label() == b.hardware))
            .unwrap_or(0)
    }

    pub fn view(&self) -> View {
        let result = self.outcome.as_ref().ok().map(|r| SearchResult { trace: None, ..r.clone() });
        let best = match (&self.problem, &result) {
            (Some(p), Some(r)) => r.best.as_ref().and_then(|b| {
                let arch = Architecture::parse(&b.arch).ok()?;
                let profile = &p.hardware[self.best_hw()].profile;
                Some(BestView {
                    description: describe(&arch),
                    cost: hardware::report(profile, &arch),
                    diagram: chart::diagram(&arch).unwrap_or_default(),
                    pytorch: crate::export::pytorch(&arch, &self.link()),
                    accuracy: match (&self.uncertainty, b.metrics.accuracy) {
                        (Some(u), Some(value)) => {
                            let why = self
                                .samples
                                .as_ref()
                                .and_then(|set| mismatch(&self.state, set))
                                .or_else(|| {
                                    (!u.domain.contains(b.metrics.nn_degree, b.metrics.params))
                                        .then(|| {
                                            "outside the samples' NN-Degree or parameter range"
                                                .to_string()
                                        })
                                });
                            Some(PredictedAccuracy {
                                value,
                                plus_minus: u.mae,
                                extrapolated: why.is_some(),
                                why,
                                text: with_error(value, u.mae),
                            })
                        }
                        _ => None,
                    },
                })
            }),
            _ => None,
        };
        let (shgo, steps) = match self.shgo_chart(None) {
            Some((c, n)) => (Some(c), n),
            None => (None, 0),
        };
        let fingerprint = self.fingerprint();
        View {
            link: self.state.encode(),
            state: self.state.clone(),
            notices: self.notices.clone(),
            profile: self.state.profile().ok().map(|p| p.view()),
            predictor: self.predictor_view(),
            error: self.outcome.as_ref().err().cloned(),
            pareto: self.pareto_chart(),
            chart_cost: self.problem.as_ref().and_then(|p| match p.goal.objective {
                Objective::Pareto(c) | Objective::MinCost(c) => Some(c.name().to_string()),
                _ => None,
            }),
            shgo,
            steps,
            layers: best.as_ref().and_then(|b| chart::layer_costs(&b.cost).ok()),
            best,
            result,
            command: self.command(),
            truth: self.truth.clone(),
            shared_link: State { fp: fingerprint.clone(), ..self.state.clone() }.encode(),
            fingerprint,
            // A checked `fp` that differs (a malformed one was dropped by decoding).
            result_changed: self
                .notices
                .iter()
                .find(|n| n.field == "fp" && !self.state.fp.is_empty())
                .cloned(),
        }
    }

    /// The fingerprint of this link's result ([`fingerprint`]).
    pub fn fingerprint(&self) -> String {
        fingerprint(self.outcome.as_ref().ok())
    }

    fn link(&self) -> String {
        format!("?{}", self.state.encode())
    }

    /// `flash playground '?…'`: the CLI line that gives this result.
    pub fn command(&self) -> String {
        let mut cmd = format!("flash playground '{}'", self.link().replace('\'', "'\\''"));
        if let Some(path) = self.state.own.strip_prefix("file:").map(|_| "OWN.csv") {
            cmd.push_str(&format!(" --own {path}"));
        }
        cmd
    }

    fn predictor_view(&self) -> Option<PredictorView> {
        let (set, report) = (self.samples.as_ref()?, self.report.clone()?);
        let uncertainty = self.uncertainty.clone()?;
        let shipped = predictor::shipped(&self.state.samples);
        let source = match (shipped, self.state.samples.as_str()) {
            (_, "nb201") => format!(
                "drawn from NAS-Bench-201 (seed {}), {} as their accuracy",
                self.state.seed,
                self.truth.as_ref().map_or("the benchmark's column", |t| t.column.as_str())
            ),
            (None, _) => "your own samples".to_string(),
            (Some(s), _) => format!("data/samples/{} (shipped)", s.file),
        };
        let title = format!("{} trained networks: {source}", set.samples.len());
        // Rank agreement is measured on every cell of a benchmark space (its truth), else on
        // the uniform held-out networks where the set has them.
        let whole = self.problem.as_ref().and_then(whole_space_metrics);
        let (metrics, metrics_on) = match (whole, &self.held) {
            (Some(whole), _) => whole,
            (None, Some((file, rows))) => (
                report::metric_rows(rows),
                format!("the {} networks of {file}, drawn uniformly from the space", rows.len()),
            ),
            (None, None) => {
                (report::metric_rows(&set.samples), format!("the {} samples", set.samples.len()))
            }
        };
        let share = crate::SearchSpace::resolve(&self.state.space)
            .ok()
            .map(|space| report::space_share(&report.chosen, &set.samples, &space, SHARE_DRAWS, 1));
        let extent = share.as_ref().map(|s| s.degree_range);
        Some(PredictorView {
            source,
            rows: set.samples.len(),
            provenance: set.provenance.clone(),
            chart: chart::accuracy_vs_degree_in(&set.samples, &title, extent).ok(),
            report,
            uncertainty,
            metrics,
            metrics_on,
            share,
        })
    }

    /// Score against cost of every evaluated network, its front, the result;
    /// in an nb201 space the true front beside them.
    pub fn pareto_chart(&self) -> Option<Chart> {
        let (p, r, trace) = (self.problem.as_ref()?, self.outcome.as_ref().ok()?, self.trace()?);
        let front = self.truth.as_ref().map(|t| t.front.as_slice());
        let cost = chart_cost(&self.state, p);
        let fronts = (!self.state.vs.is_empty()).then(|| {
            let own = self.front_on(&self.state.profile, true, cost, p)?;
            let other = self.front_on(&self.state.vs, false, cost, p)?;
            Ok::<_, String>((own, other))
        });
        let how = format!(
            "FLASH's on pareto-{} in this space with the same predictor, with neither limits nor knobs",
            cost.name()
        );
        let overlay = match &fronts {
            Some(Ok((own, other))) => Some(chart::Overlay {
                own: (&self.state.profile, own),
                other: (&self.state.vs, other),
                how: &how,
            }),
            _ => None,
        };
        let mut c = chart::pareto(p, r, trace, cost, front, overlay.as_ref()).ok()?;
        if let Some(Err(why)) = fronts {
            if !c.note.is_empty() {
                c.note.push_str("; ");
            }
            c.note.push_str(&format!("no second front (on {}): {why}", self.state.vs));
        }
        Some(c)
    }

    /// The front of `profile` against `cost` (SI units, score), as FLASH finds it on
    /// `pareto-COST` in the state's space with the search's own predictor: the Pareto
    /// chart's two fronts (`vs`) are found alike. `own`: the state's profile, with its edits.
    fn front_on(
        &self,
        profile: &str,
        own: bool,
        cost: Cost,
        p: &Problem,
    ) -> Result<Vec<(f64, f64)>, String> {
        if matches!(cost, Cost::Edp | Cost::Edap) {
            return Err(format!(
                "a front is traced against latency, energy, area or memory, not {}",
                cost.name()
            ));
        }
        let front = |r: &SearchResult| -> Vec<(f64, f64)> {
            r.pareto.iter().map(|f| (f.metrics.cost(cost), f.metrics.score())).collect()
        };
        // The search on screen is that search already.
        let same_goal = p.goal.objective == Objective::Pareto(cost) && p.goal.limits.is_empty();
        if own && same_goal && self.state.knobs.is_empty() && self.state.solver == "flash" {
            if let Ok(r) = &self.outcome {
                return Ok(front(r));
            }
        }
        // The view fields do not change the front: left out of the search's state (its key).
        let d = State::default();
        let mut state = State {
            fp: String::new(),
            vs: String::new(),
            cost: d.cost,
            shgo: d.shgo,
            hide: Vec::new(),
            ..self.state.clone()
        };
        if !own {
            state.profile = profile.to_string();
            state.params.clear();
            // A measured device's latency belongs to the state's own profile.
            state.latency.clear();
        }
        state.knobs.clear();
        state.goal = format!("pareto-{}", cost.name());
        // The front is a pure function of the search's state (samples included, by content
        // or fingerprint): kept, so that an edit of the chart alone does not search again.
        let key = state.encode();
        if let Some(kept) = FRONTS.get(&key) {
            return Ok(kept);
        }
        let problem = state
            .hardware_request()
            .and_then(|r| r.problem_with(p.quality.clone()))
            .map_err(|e| e.to_string())?;
        let r = run(&problem, &crate::search::Flash::default(), &mut (), false)
            .map_err(|e| e.to_string())?;
        let f = front(&r);
        FRONTS.keep(&key, f.clone());
        Ok(f)
    }

    /// The SHGO chart of the state's level and axes, up to iteration `step`
    /// (0-based among that level's iterations; `None`: all), and how many
    /// iterations the level ran.
    pub fn shgo_chart(&self, step: Option<usize>) -> Option<(Chart, usize)> {
        let (p, trace) = (self.problem.as_ref()?, self.trace()?);
        let axes = ShgoAxes::parse(&self.state.shgo).ok()?;
        let hw = self.best_hw();
        let lat = &p.lattice;
        let per = lat.per_cell();
        let names = p.space.frame().family.coordinates();
        // The axes the level's SHGO runs over, as the search sets them up: a
        // block's free coordinates, or the shared level's groups.
        let block = (0..lat.cells_count() * lat.blocks_per_cell())
            .find(|&b| lat.block_name(b) == axes.level);
        let (level, coords): (String, Vec<&str>) = match block {
            Some(b) => (
                axes.level.clone(),
                lat.block(b).filter(|&k| lat.len(k) > 1).map(|k| names[k % per].name).collect(),
            ),
            None => (
                "shared".to_string(),
                lat.shared_axes()
                    .iter()
                    .filter(|g| {
                        (0..lat.cells_count()).any(|c| g.iter().any(|&j| lat.len(c * per + j) > 1))
                    })
                    .map(|g| names[g[0]].name)
                    .collect(),
            ),
        };
        let mut notes = Vec::new();
        if level != axes.level {
            notes.push(format!("the space has no {}; showing the shared level", axes.level));
        }
        let all = crate::state::coords();
        let mut pick = |want: usize, other: Option<usize>| -> Option<usize> {
            coords.iter().position(|&n| n == all[want]).or_else(|| {
                let alt = coords.iter().position(|&n| Some(n) != other.map(|o| coords[o]))?;
                notes
                    .push(format!("{} is fixed at this level; showing {}", all[want], coords[alt]));
                Some(alt)
            })
        };
        let xi = pick(axes.x, None)?;
        let yi = if coords.len() > 1 { pick(axes.y, Some(xi)).filter(|&y| y != xi) } else { None };
        let marks: Vec<usize> = (0..trace.iterations.len())
            .filter(|&i| trace.iterations[i].level == level && trace.iterations[i].hw == hw)
            .collect();
        let at =
            step.map(|s| marks.get(s.min(marks.len().saturating_sub(1))).copied()).unwrap_or(None);
        let upto = at.map(|i| &trace.iterations[i]);
        // A level can run SHGO more than once (a Pareto goal searches once per limit of
        // its ladder; knobs search the best configurations again): say which run a step is in.
        let starts = |upto: usize| {
            marks.iter().filter(|&&i| i <= upto && trace.iterations[i].iteration == 1).count()
        };
        let runs = starts(usize::MAX);
        if runs > 1 {
            notes.push(match at {
                Some(i) => format!(
                    "SHGO ran {runs} times at this level (once per search of the level); this step is in run {}",
                    starts(i)
                ),
                None => format!(
                    "SHGO ran {runs} times at this level (once per search of the level); the complex drawn is the last run's"
                ),
            });
        }
        // The complex as the step's iteration left it, or (every step) as the level's last did.
        let complex = at
            .or(marks.last().copied())
            .and_then(|i| trace.complexes.iter().find(|c| c.iteration == i));
        let c = chart::shgo(
            trace,
            &level,
            hw,
            &coords,
            xi,
            yi,
            upto,
            marks.len(),
            step,
            complex,
            &notes.join("; "),
        )
        .ok()?;
        Some((c, marks.len()))
    }

    /// Every evaluated network of the trace as CSV.
    pub fn trace_csv(&self) -> String {
        let (Some(p), Some(trace)) = (&self.problem, self.trace()) else { return String::new() };
        let mut out =
            format!("# flash-nas search trace of {}\n# {}\n", self.link(), self.command());
        out.push_str(
            "order,hardware,arch,score,latency_ms,energy_mj,area_mm2,memory_mib,feasible\n",
        );
        for (i, t) in trace.evaluated.iter().enumerate() {
            out.push_str(&format!(
                "{},{},\"{}\",{},{},{},{},{},{}\n",
                i + 1,
                p.hardware[t.hw].label(),
                p.arch(&t.config),
                t.score,
                t.latency_s * 1e3,
                t.energy_j * 1e3,
                t.area_mm2,
                t.memory_bytes / (1024.0 * 1024.0),
                t.feasible
            ));
        }
        out
    }

    fn checked_problem(&self) -> Result<&Problem, String> {
        self.problem
            .as_ref()
            .ok_or_else(|| self.outcome.as_ref().err().cloned().unwrap_or_default())
    }

    /// FLASH against the exact optimum (within the page's budget) and the baselines.
    pub fn compare(&self) -> Result<Comparison, String> {
        Ok(self.compare_baselines()?.with_exact(
            self.checked_problem()?,
            PAGE_EXACT_BUDGET,
            &mut (),
        ))
    }

    /// FLASH and the baselines, before the exact method (the panel shows them first).
    pub fn compare_baselines(&self) -> Result<Comparison, String> {
        baselines(self.checked_problem()?, self.state.seed, 100, PAGE_BASELINE_EVALUATIONS)
            .map(|c| c.with_score_error(self.uncertainty.as_ref().map(|u| u.mae)))
            .map_err(|e| e.to_string())
    }

    /// Adds the exact method to `c`, within the page's budget, telling `observer` its progress.
    pub fn compare_exact(
        &self,
        c: Comparison,
        observer: &mut dyn Observer,
    ) -> Result<Comparison, String> {
        Ok(c.with_exact(self.checked_problem()?, PAGE_EXACT_BUDGET, observer))
    }
}

/// The last few values of a pure function of a text key, the oldest dropped first: the
/// page's edits ask for the same fits and fronts again, and a kept value is the value.
/// Keyed by the whole text, not a hash of it.
struct Kept<T> {
    most: usize,
    rows: std::sync::Mutex<Vec<(String, T)>>,
}

impl<T: Clone> Kept<T> {
    const fn new(most: usize) -> Kept<T> {
        Kept { most, rows: std::sync::Mutex::new(Vec::new()) }
    }

    fn get(&self, key: &str) -> Option<T> {
        let rows = self.rows.lock().unwrap_or_else(|e| e.into_inner());
        rows.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone())
    }

    fn keep(&self, key: &str, value: T) {
        let mut rows = self.rows.lock().unwrap_or_else(|e| e.into_inner());
        if rows.len() == self.most {
            rows.remove(0);
        }
        rows.push((key.to_string(), value));
    }
}

/// Sample sets fitted lately, by the samples' CSV text: an edit that leaves the samples
/// alone (a limit, the profile, a depth range) does not fit them again (leave-one-out over
/// the candidate forms; most of a search on a shipped set).
static FITS: Kept<(SampleSet, predictor::FitReport)> = Kept::new(8);

fn fitted_set(csv: &str) -> crate::Result<(SampleSet, predictor::FitReport)> {
    if let Some(fit) = FITS.get(csv) {
        return Ok(fit);
    }
    let set = SampleSet::from_csv(csv)?;
    let report = predictor::fit(&set.samples)?;
    FITS.keep(csv, (set.clone(), report.clone()));
    Ok((set, report))
}

/// The Pareto chart's second fronts found lately (each a FLASH Pareto search, 70–150 ms),
/// by the state of the search that found them (`Playground::front_on`).
static FRONTS: Kept<Vec<(f64, f64)>> = Kept::new(8);

/// How NN-Degree, params and MACs rank the truth over every cell of an nb201 space
/// with a benchmark column, and on what: computed once per data set and column (a
/// link's samples do not change it), so an edit does not pay for it again.
fn whole_space_metrics(problem: &Problem) -> Option<(Vec<report::MetricRow>, String)> {
    use std::sync::Mutex;
    static DONE: Mutex<Vec<(String, Vec<report::MetricRow>)>> = Mutex::new(Vec::new());
    let column = problem.bench.truth.as_ref()?;
    let frame = problem.space.frame();
    let key = format!("{}|{}", frame.dataset.name, column.spec.label);
    let on = format!(
        "all {} cells of the space, against {} (NAS-Bench-201)",
        column.values.len(),
        column.spec.label
    );
    let mut done = DONE.lock().unwrap_or_else(|e| e.into_inner());
    if let Some((_, rows)) = done.iter().find(|(k, _)| *k == key) {
        return Some((rows.clone(), on));
    }
    let features = crate::nasbench::features(frame);
    let samples: Vec<predictor::Sample> = features
        .iter()
        .zip(&column.values)
        .enumerate()
        .map(|(line, (f, &v))| predictor::Sample {
            arch: String::new(),
            accuracy: v / 100.0,
            nn_degree: f.nn_degree,
            params: f.params,
            macs: f.macs,
            line,
            seed: None,
            proxies: None,
        })
        .collect();
    let rows = report::metric_rows(&samples);
    done.push((key, rows.clone()));
    Some((rows, on))
}

/// The cost the Pareto chart puts on x: the goal's, else the state's choice.
fn chart_cost(state: &State, problem: &Problem) -> Cost {
    match problem.goal.objective {
        Objective::Pareto(c) | Objective::MinCost(c) => c,
        _ => Cost::ALL.into_iter().find(|c| c.name() == state.cost).unwrap_or(Cost::Latency),
    }
}

/// One pass over every cell of an nb201 space on the result's hardware
/// configuration: the oracle's optimum under the goal, the true front against
/// `cost`, and the predictor's error on the cells it was not fitted on. Where
/// the goal and the chart read nothing a hardware model prices (latency
/// measured, accuracy, NN-Degree), no network is walked: the cells' features
/// are computed once per data set (`nasbench::features`).
fn truth_view(
    problem: &Problem,
    result: &SearchResult,
    samples: Option<&SampleSet>,
    cost: Cost,
) -> Option<TruthView> {
    use crate::search::{Metric, Metrics};
    let column = problem.bench.truth.as_ref()?;
    let lat = &problem.lattice;
    let frame = problem.space.frame();
    let hw = result
        .best
        .as_ref()
        .and_then(|b| problem.hardware.iter().position(|h| h.label() == b.hardware))
        .unwrap_or(0);
    let measured = problem.bench.latency.is_some();
    let priced = |m: Metric| {
        !(matches!(m, Metric::Accuracy | Metric::Degree) || measured && m == Metric::Latency)
    };
    let lookups_only = !problem.goal.limits.iter().any(|l| priced(l.metric))
        && match problem.goal.objective {
            // Equally accurate networks: the cheaper in the first limited cost (latency by default).
            Objective::MaxAccuracy => !priced(
                problem
                    .goal
                    .limits
                    .iter()
                    .find(|l| !l.metric.is_floor())
                    .map_or(Metric::Latency, |l| l.metric),
            ),
            Objective::MinCost(c) | Objective::Pareto(c) => c.metric().is_some_and(|m| !priced(m)),
        }
        && cost.metric().is_some_and(|m| !priced(m));
    let features = crate::nasbench::features(frame);
    let fitted: std::collections::BTreeSet<usize> = samples
        .map(|s| {
            s.samples
                .iter()
                .filter_map(|x| Architecture::parse(&x.arch).ok())
                .map(|a| crate::nasbench::row(&a.cells()[0]))
                .collect()
        })
        .unwrap_or_default();
    let predictor = match &problem.quality {
        Quality::Predictor { predictor, .. } => Some(predictor),
        _ => None,
    };
    let chance = predictor::chance(frame.dataset.classes);
    let count = problem.space.count() as u64;
    let per = lat.per_cell();
    let mut config = vec![0u32; lat.dims()];
    let mut best: Option<(crate::search::Verdict, u64, f64)> = None;
    let mut points: Vec<(f64, f64)> = Vec::with_capacity(count as usize);
    let (mut predicted, mut actual) = (Vec::new(), Vec::new());
    for x in 0..count {
        lat.cell_coords(0, x, &mut config[..per]);
        let cell = lat.cell(0, &config[..per]);
        let r = crate::nasbench::row(&cell);
        let f = features[r];
        let t = column.values[r] / 100.0;
        if let Some(p) = predictor {
            if !fitted.contains(&r) {
                predicted.push(if f.nn_degree == 0.0 {
                    chance
                } else {
                    p.predict(f.nn_degree, f.params, f.macs).clamp(0.0, 1.0)
                });
                actual.push(t);
            }
        }
        let mut m = if lookups_only {
            Metrics {
                nn_degree: f.nn_degree,
                params: f.params,
                macs: f.macs,
                accuracy: None,
                true_accuracy: Some(t),
                latency_s: problem.bench.latency_of(&[cell]).unwrap_or(0.0),
                energy_j: 0.0,
                area_mm2: 0.0,
                memory_bytes: 0.0,
            }
        } else {
            problem.metrics(hw, &config)
        };
        // A cell whose output does not depend on its input is left off the front:
        // its measured latency is of a network a compiler folded to a constant.
        if f.nn_degree > 0.0 {
            points.push((m.cost(cost), t));
        }
        m.accuracy = Some(t);
        let v = crate::search::judge(&problem.goal, &m);
        if v.feasible && best.as_ref().is_none_or(|(b, _, _)| v.better_than(b)) {
            best = Some((v, x, t));
        }
    }
    points.sort_by(|a, b| a.0.total_cmp(&b.0).then(b.1.total_cmp(&a.1)));
    let mut front: Vec<(f64, f64)> = Vec::new();
    for p in points {
        if front.last().is_none_or(|q| p.1 > q.1) {
            front.push(p);
        }
    }
    let pick =
        result.best.as_ref().filter(|b| b.verdict.feasible).and_then(|b| b.metrics.true_accuracy);
    let optimum = best.as_ref().map(|b| b.2);
    let optimum_arch = best.map(|(_, x, _)| {
        lat.cell_coords(0, x, &mut config[..per]);
        problem.arch(&config).to_string()
    });
    let held_out = !predicted.is_empty();
    Some(TruthView {
        column: format!("{} (NAS-Bench-201)", column.spec.label),
        pick,
        regret: pick.zip(optimum).map(|(p, o)| 100.0 * (o - p)),
        optimum,
        optimum_arch,
        held_out_mae: held_out.then(|| {
            predicted.iter().zip(&actual).map(|(p, a)| (p - a).abs()).sum::<f64>()
                / predicted.len() as f64
        }),
        held_out_kendall: if held_out {
            predictor::kendall_fast(&predicted, &actual)
        } else {
            None
        },
        held_out_cells: predicted.len(),
        front,
    })
}

/// Calibrates the state's profile on measured samples (CSV): the report, the
/// `params` text that carries the calibrated values in a link, and a chart of
/// predicted against measured latency. The fit is pulled towards the profile as the
/// measured devices' are (`devices::PRIOR`, what `flash hw calibrate --prior 3e-4`
/// does): a handful of samples cannot pin every parameter, and with many the samples
/// outweigh it.
#[derive(Clone, Debug, Serialize)]
pub struct Calibration {
    pub report: hardware::calibrate::CalibrationReport,
    pub params: String,
    pub chart: Option<Chart>,
}

pub fn calibrate(state: &State, csv: &str) -> crate::Result<Calibration> {
    use hardware::calibrate;
    let profile = state.profile()?;
    let set = calibrate::Measurements::from_csv(csv)?;
    let folds = set.samples.len().clamp(2, 5);
    let prior = hardware::devices::PRIOR;
    let report = calibrate::calibrate_toward(&profile, &set.samples, folds, None, prior)?;
    let calibrated = report.calibrated.clone().check()?;
    let base = hardware::builtin(&state.profile)?;
    let chart = chart::calibration(&set.samples, &profile, &calibrated).ok();
    Ok(Calibration { params: crate::state::params_text(&base, &calibrated), report, chart })
}

/// The model of a link's measured latency device against its measurements: the
/// device's start (hardware::devices) calibrated on `k` of its networks, drawn by
/// the link's seed, and judged on all the others; the network found (`arch`, the
/// page's result) measured beside its modelled latency.
#[derive(Clone, Debug, Serialize)]
pub struct AgainstMeasured {
    pub device: String,
    /// The profile the calibration started from, in words.
    pub start: String,
    pub k: usize,
    /// Networks judged (every connected network but the k).
    pub judged: usize,
    pub calibrated: hardware::devices::Scores,
    pub uncalibrated: hardware::devices::Scores,
    /// HELP's published Spearman ρ after 10 samples, where it has one.
    pub help_rho: Option<f64>,
    /// The fitted parameters that moved: key, unit, before, after.
    pub moved: Vec<(String, String, f64, f64)>,
    pub pick: Option<PickLatency>,
    pub chart: Option<Chart>,
}

#[derive(Clone, Debug, Serialize)]
pub struct PickLatency {
    pub arch: String,
    pub measured_ms: f64,
    pub model_ms: f64,
    pub uncalibrated_ms: f64,
}

pub fn against_measured(
    state: &State,
    k: usize,
    arch: Option<&str>,
) -> crate::Result<AgainstMeasured> {
    use hardware::devices::{self, Against};
    use hardware::HardwareModel;
    if state.latency.is_empty() {
        return Err(crate::Error::field(
            "latency",
            "the profile's model",
            "a measured device: the model is judged against a device's measurements",
        ));
    }
    let device = devices::find(&state.latency)?;
    let a = Against::run(device, k, state.seed ^ k as u64)?;
    let pick = match arch {
        None => None,
        Some(text) => {
            let net = Architecture::parse(&crate::space::nb201::qualified(text))?;
            if net.frame().family != crate::space::Family::Nb201 {
                None
            } else {
                let measured = device.column()?.of(net.cells());
                Some(PickLatency {
                    arch: text.to_string(),
                    measured_ms: measured,
                    model_ms: a.calibrated.cost(&net).latency * 1e3,
                    uncalibrated_ms: a.start.cost(&net).latency * 1e3,
                })
            }
        }
    };
    let moved = a
        .calibrated
        .specs()
        .iter()
        .filter(|s| s.fit.is_some())
        .filter_map(|s| {
            let (before, after) = (a.start.value(s.key)?, a.calibrated.value(s.key)?);
            (before != after).then(|| (s.key.to_string(), s.unit.to_string(), before, after))
        })
        .collect();
    let chart = chart::against_measured(
        &a,
        pick.as_ref().map(|p| (p.arch.as_str(), p.measured_ms, p.model_ms)),
    )
    .ok();
    Ok(AgainstMeasured {
        device: device.name.to_string(),
        start: device.start_text(),
        k,
        judged: a.test.len(),
        calibrated: a.scores(),
        uncalibrated: a.uncalibrated_scores(),
        help_rho: device.help_rho,
        moved,
        pick,
        chart,
    })
}

/// What "Train more, here" trains and where the networks go: networks drawn from the space
/// on screen (the trainer has scikit-learn's digits, so a digits space), added to the sample
/// set the search uses when that set is of the same data set and family; otherwise to the
/// shipped set of this very space, else to [`crate::form::TRAINED_INTO`]'s set.
#[derive(Clone, Debug, Serialize)]
pub struct TrainingPlan {
    /// The space the networks are drawn from (canonical text).
    pub space: String,
    /// The rows the trained networks are appended to.
    pub base_csv: String,
    /// Which set that is, in words.
    pub into: String,
}

pub fn training_plan(state: &State, own_file: Option<&str>) -> crate::Result<TrainingPlan> {
    let space = crate::SearchSpace::resolve(&state.space)?;
    let dataset = space.fields().dataset;
    if dataset != crate::form::TRAINED_INTO {
        return Err(crate::Error::field(
            "space",
            format!("a {dataset} space"),
            "a digits space: the page trains on scikit-learn's digits (other data sets train with `flash train` on the command line)",
        ));
    }
    let text = space.to_string();
    let in_use = state
        .samples_csv(own_file)
        .ok()
        .flatten()
        .and_then(|csv| SampleSet::from_csv(&csv).ok().map(|set| (csv, set)))
        .filter(|(_, set)| mismatch(state, set).is_none());
    let (base_csv, into) = match in_use {
        Some((csv, _)) if state.samples == "own" => (csv, "your own set".to_string()),
        Some((csv, _)) => (csv, format!("the set in use ({})", state.samples)),
        None => {
            let set = predictor::SHIPPED
                .iter()
                .find(|s| {
                    crate::SearchSpace::resolve(s.space).is_ok_and(|sp| sp.to_string() == text)
                })
                .unwrap_or_else(|| crate::form::trained_into());
            (set.csv.to_string(), format!("the shipped set {} (of {})", set.name, set.space))
        }
    };
    // In the columns the page appends trained networks in (`trained_row`): a shipped set's
    // extra columns (seeds, proxies) are not known for the new rows, and a CSV has every
    // column on every row.
    let set = SampleSet::from_csv(&base_csv)?;
    let mut csv: String = set.provenance.iter().map(|p| format!("# {p}\n")).collect();
    csv.push_str(&format!(
        "# {into}, with the networks trained in this page added\narch,accuracy\n"
    ));
    for s in &set.samples {
        csv.push_str(&trained_row(&s.arch, s.accuracy));
    }
    Ok(TrainingPlan { space: text, base_csv: csv, into })
}

/// One trained network as a row of [`TrainingPlan::base_csv`].
pub fn trained_row(arch: &str, accuracy: f64) -> String {
    format!("\"{arch}\",{accuracy}\n")
}

/// The `params` text of the measured `device` profile (from `hwProbe`'s roofs).
pub fn device_params(gemm_gflops: f64, copy_gbs: f64) -> crate::Result<String> {
    let probe = hardware::measure::Probe { gemm_gflops, copy_gbs };
    let measured = hardware::measure::device_profile(&probe, "in this browser")?;
    Ok(crate::state::params_text(&hardware::builtin("device")?, &measured))
}

/// The `params` text of a profile edited field by field: `text` is what was
/// typed; it must be a number within its parameter's range, and the error names
/// the parameter and the range.
pub fn edit_params(state: &State, key: &str, text: &str) -> crate::Result<String> {
    let current: Profile = state.profile()?;
    let value = match text.trim().parse::<f64>() {
        Ok(v) if v.is_finite() => v,
        _ => {
            let allowed =
                current.specs().iter().find(|s| s.key == key).map_or("a number".to_string(), |s| {
                    format!("a number in {}..={}", s.min, s.max)
                });
            return Err(crate::Error::field(
                format!("params.{key}"),
                format!("\"{}\"", text.trim()),
                allowed,
            ));
        }
    };
    let edited = current.with_values(&[(key, value)], "edited in the playground")?;
    Ok(crate::state::params_text(&hardware::builtin(&state.profile)?, &edited))
}

/// Most networks one in-browser measurement times.
pub const MAX_MEASURED: u32 = 64;

/// `n` architectures of a space (text form or `default`), seeded: the
/// networks the page times to calibrate "this device".
pub fn sample_archs(space: &str, n: u32, seed: u64) -> crate::Result<Vec<String>> {
    use rand::SeedableRng;
    // The same range the page's field offers (form::measured_networks).
    crate::form::number("measure-networks", &n.to_string())?;
    let space = crate::SearchSpace::resolve(space)?;
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    Ok((0..n).map(|_| space.sample(&mut rng).to_string()).collect())
}

/// A predictor fitted on one data set's networks says little about another's:
/// say so when the space's data set is not the samples'.
/// The error to show beside a prediction: held out where the shipped set has
/// networks it was not fitted on, else the (optimistic) leave-one-out error.
fn uncertainty(
    set: &SampleSet,
    fit: &predictor::FitReport,
    held: Option<&(&'static str, Vec<predictor::Sample>)>,
) -> Uncertainty {
    let domain = predictor::Domain::of(&set.samples);
    let held = held.and_then(|(file, rows)| {
        report::held_out_of(fit, &set.samples, rows).ok().map(|h| (*file, h))
    });
    match held {
        Some((file, h)) => Uncertainty {
            mae: h.mae,
            measured: format!("held out: the mean error on the {} networks of {file}, drawn uniformly from the space and not used in the fit", h.scored_on),
            held_out: Some(h),
            domain,
        },
        None => {
            Uncertainty {
                mae: fit.chosen_loo_mae(),
                measured: "leave-one-out on the samples (optimistic: the same error chose the model)".into(),
                held_out: None,
                domain,
            }
        }
    }
}

/// Where a predictor fitted on `set` does not apply to the state's space: the samples'
/// data sets or families do not include the space's (a digits-trained predictor rating
/// ImageNet networks, DenseNet samples rating ResNets). None: they do.
fn mismatch(state: &State, set: &SampleSet) -> Option<String> {
    let space = crate::SearchSpace::resolve(&state.space).ok()?;
    let fields = space.fields();
    let mut datasets = std::collections::BTreeSet::new();
    let mut families = std::collections::BTreeSet::new();
    for s in &set.samples {
        let mut parts = s.arch.split('/');
        if let (Some(d), Some(f)) = (parts.next(), parts.next()) {
            datasets.insert(d.to_string());
            families.insert(f.split('(').next().unwrap_or(f).to_string());
        }
    }
    let join =
        |s: &std::collections::BTreeSet<String>| s.iter().cloned().collect::<Vec<_>>().join(", ");
    let data = !datasets.contains(&fields.dataset);
    let family = !families.contains(&fields.family);
    if !data && !family {
        return None;
    }
    let what = match (data, family) {
        (true, true) => format!(
            "{} {} networks but the space is {} {}",
            join(&datasets),
            join(&families),
            fields.dataset,
            fields.family
        ),
        (true, false) => {
            format!("{} networks but the space is {}", join(&datasets), fields.dataset)
        }
        _ => format!("{} networks but the space's family is {}", join(&families), fields.family),
    };
    Some(format!("the predictor was fitted on {what}"))
}

fn extrapolation(state: &State, set: &SampleSet, notices: &mut Vec<Notice>) {
    let Some(why) = mismatch(state, set) else { return };
    let hint = crate::predictor::shipped(&state.samples)
        .map(|set| format!("; the networks were drawn from {}", set.space))
        .unwrap_or_default();
    notices.push(Notice {
        field: "samples".into(),
        value: state.samples.clone(),
        message: format!(
            "{why}: every accuracy it predicts here extrapolates (flagged on the result; it can pass 1){hint}"
        ),
    });
}
