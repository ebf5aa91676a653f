//! The playground's whole state and its URL form (docs/state.md).
//!
//! The URL is attacker-controlled: decoding never fails. Each field is checked
//! on its own; a bad one is replaced by its default and reported as a
//! [`Notice`] that names the field, the value (shortened) and what is allowed,
//! and the good fields are kept. Encoding writes the schema version and only
//! the fields that differ from the defaults, in a fixed order, so the same
//! state always gives the same link.

use crate::hardware::profile::BUILTIN;
use crate::hardware::{builtin, Profile};
use crate::predictor::SampleSet;
use crate::search::request::Request;
use crate::search::{knobs, Goal};
use crate::space::Architecture;
use crate::SearchSpace;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The schema version this build writes and reads.
pub const VERSION: u32 = 1;
/// What a visit without a link shows: FLASH against the truth. NAS-Bench-201's
/// space on CIFAR-10, its predictor fitted on 25 cells drawn from it (the
/// benchmark's accuracy standing in for training them), searching for the most
/// accurate network the measured Raspberry Pi 4 runs in 25 ms (about the space's
/// median); the result shows its true accuracy and the true optimum beside it.
/// The empty link `?v=1` stays the state's defaults, so shared links keep their
/// meaning; the first lesson (data/lessons.json) opens the same link, and the
/// second the digits trade-off this screen showed before.
pub const FIRST_SCREEN: &str = "v=1&space=cifar10%2Fnb201&profile=rpi4&latency=raspi4&samples=nb201&goal=max-accuracy%2Clatency%3C%3D25";
/// Longest query accepted (characters); longer links are refused whole.
pub const MAX_QUERY: usize = 8192;
/// Longest value of one field (but `own`).
pub const MAX_VALUE: usize = 1024;
/// Longest `own` value: pasted samples travel in the link up to this size,
/// larger sets as a file the link names by fingerprint.
pub const MAX_OWN: usize = 6000;
/// Most notices a decoded link lists (the last one counts the rest).
pub const MAX_NOTICES: usize = 20;
/// Largest seed: the largest integer a JavaScript number holds exactly.
pub const MAX_SEED: u64 = (1 << 53) - 1;
/// Where the predictor's samples come from: none (the NN-Degree proxy), a
/// shipped set, the user's own (pasted or trained here; see `own`), NAS-Bench-201
/// (`n` cells drawn from an nb201 space, the benchmark's `acc` standing in for
/// training them), or NAS-Bench-201's accuracy itself (`truth`: the oracle).
pub const SAMPLE_SETS: [&str; 7] =
    ["none", "digits-flash", "digits", "mnist", "own", "nb201", "truth"];
/// How many cells `samples=nb201` draws unless the link says (FLASH's 25).
pub const DEFAULT_DRAWS: usize = 25;
/// Most cells `samples=nb201` may draw.
pub const MAX_DRAWS: usize = 1000;
/// Costs the Pareto chart can put on its x axis.
pub const COSTS: [&str; 6] = ["latency", "energy", "area", "memory", "edp", "edap"];
/// Coordinates of a cell the SHGO chart can put on its axes: every family's
/// coordinate names (the lettered families' depth, width, skip, expansion first).
pub fn coords() -> Vec<&'static str> {
    let mut out: Vec<&'static str> = Vec::new();
    for f in crate::space::Family::ALL {
        for c in f.coordinates() {
            if !out.contains(&c.name) {
                out.push(c.name);
            }
        }
    }
    out
}
pub const SOLVERS: [&str; 4] = ["flash", "random", "evolution", "exact"];
/// The fields of a link besides `v`, in the order they are written.
/// The fields a link's repair may reset when they are fine alone but not together, most
/// specific first: the benchmark's columns (`latency`, `acc`) before the space they depend
/// on, `samples` last.
const REPAIR_ORDER: [&str; 8] =
    ["knobs", "goal", "latency", "acc", "space", "params", "profile", "samples"];

pub const FIELDS: [&str; 17] = [
    "space", "profile", "params", "latency", "samples", "own", "acc", "n", "goal", "knobs",
    "solver", "seed", "cost", "vs", "shgo", "hide", "fp",
];
/// Fields that change only what the page shows of a result, not the result: an edit of
/// them keeps a link's `fp`.
const VIEW_FIELDS: [&str; 4] = ["cost", "vs", "shgo", "hide"];
/// The digits of a result's fingerprint (`fp`).
pub const FP_DIGITS: usize = 8;
/// Changes of what links show, oldest first (docs/state.md, "Change log", keeps the same
/// dates): a link whose fingerprint no longer matches its result names the latest.
pub const CHANGE_LOG: [(&str, &str); 2] = [
    (
        "2026-11-30",
        "links that name a sample set fit ten predictor candidates instead of five (issue 15)",
    ),
    ("2026-12-06", "the link corpus grew to 55 links; no corpus link's result moved"),
];
/// Panels a classroom link may hide (`arch`: "Explore one network").
pub const PANELS: [&str; 10] = [
    "hardware",
    "space",
    "predictor",
    "goal",
    "result",
    "pareto",
    "shgo",
    "layers",
    "compare",
    "arch",
];

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct State {
    /// Space text form, or "default" (FLASH's).
    pub space: String,
    /// A built-in hardware profile.
    pub profile: String,
    /// Edits of the profile's parameters: `key=value;key=value` (tuned by
    /// hand, fitted by calibration or measured in this browser).
    pub params: String,
    /// One of [`SAMPLE_SETS`].
    pub samples: String,
    /// The user's own samples (`samples=own`): rows `arch@accuracy|…` when they
    /// fit in the link, else `file:ROWS:FINGERPRINT` naming a CSV file.
    pub own: String,
    /// A device of NAS-Bench-201's measurements whose latency stands in for the
    /// profile's model (an nb201 space of CIFAR-10 networks); empty: the model.
    pub latency: String,
    /// NAS-Bench-201's accuracy column (an nb201 space): the truth shown beside
    /// each result and, with `samples=nb201`, the samples' accuracy; empty: the
    /// data set's default.
    pub acc: String,
    /// How many cells `samples=nb201` draws (with `seed`).
    pub n: usize,
    pub goal: String,
    pub knobs: String,
    /// One of [`SOLVERS`].
    pub solver: String,
    pub seed: u64,
    /// The Pareto chart's cost axis (when the goal is not a Pareto goal), one of [`COSTS`].
    pub cost: String,
    /// A second built-in profile whose front the Pareto chart draws beside the result's
    /// (the same space, predictor and chart cost, searched by FLASH); empty: none.
    pub vs: String,
    /// The SHGO chart: `LEVEL:X,Y`, LEVEL `shared`, `cellN` or `cellN.I`, X and Y of [`coords`].
    pub shgo: String,
    /// Hidden panels, sorted, without repeats.
    pub hide: Vec<String>,
    /// The fingerprint of the result this link showed when it was copied
    /// (`playground::fingerprint`): not part of what the link means, a check of it. Empty:
    /// none.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub fp: String,
}

impl Default for State {
    fn default() -> Self {
        State {
            space: crate::space::DEFAULT_ALIAS.into(),
            profile: "rram-imc".into(),
            params: String::new(),
            samples: "none".into(),
            own: String::new(),
            latency: String::new(),
            acc: String::new(),
            n: DEFAULT_DRAWS,
            goal: "max-accuracy".into(),
            knobs: String::new(),
            solver: "flash".into(),
            seed: 1,
            cost: "latency".into(),
            vs: String::new(),
            fp: String::new(),
            shgo: "shared:depth,width".into(),
            hide: Vec::new(),
        }
    }
}

/// Something in a link that could not be used as given.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Notice {
    pub field: String,
    /// The value as given, shortened to 80 characters.
    pub value: String,
    pub message: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Decoded {
    pub state: State,
    pub notices: Vec<Notice>,
}

fn shorten(value: &str) -> String {
    match value.char_indices().nth(80) {
        Some((i, _)) => format!("{}…", &value[..i]),
        None => value.to_string(),
    }
}

fn one_of(list: &[&str]) -> String {
    format!("one of {}", list.join(", "))
}

impl State {
    /// Sets one field from its URL text, or says why it cannot.
    fn set(&mut self, key: &str, value: &str) -> Result<(), String> {
        match key {
            "space" => {
                SearchSpace::resolve(value).map_err(|e| e.to_string())?;
                self.space = value.to_string();
            }
            "profile" => {
                builtin(value)
                    .map_err(|_| format!("allowed {}", one_of(&BUILTIN.map(|(n, _)| n))))?;
                self.profile = value.to_string();
            }
            "params" => {
                parse_params(value)?;
                self.params = value.to_string();
            }
            "samples" => {
                if !SAMPLE_SETS.contains(&value) {
                    return Err(format!("allowed {}", one_of(&SAMPLE_SETS)));
                }
                self.samples = value.to_string();
            }
            "own" => {
                OwnSamples::parse(value)?;
                self.own = value.to_string();
            }
            // Empty is the default each select offers first: the profile's model, the
            // data set's longest training.
            "latency" => {
                if !value.is_empty() {
                    crate::nasbench::device(value).map_err(|e| e.to_string())?;
                }
                self.latency = value.to_string();
            }
            "acc" => {
                if !value.is_empty() {
                    crate::nasbench::spec(value, crate::nasbench::Figure::Accuracy)
                        .map_err(|e| e.to_string())?;
                }
                self.acc = value.to_string();
            }
            "n" => {
                self.n = value
                    .parse::<usize>()
                    .ok()
                    .filter(|n| (crate::predictor::MIN_SAMPLES..=MAX_DRAWS).contains(n))
                    .ok_or(format!(
                        "allowed an integer {}..={MAX_DRAWS} (cells drawn from the space)",
                        crate::predictor::MIN_SAMPLES
                    ))?;
            }
            "cost" => {
                if !COSTS.contains(&value) {
                    return Err(format!("allowed {}", one_of(&COSTS)));
                }
                self.cost = value.to_string();
            }
            "vs" => {
                if !value.is_empty() {
                    builtin(value).map_err(|_| {
                        format!(
                            "allowed empty (no second front) or {}",
                            one_of(&BUILTIN.map(|(n, _)| n))
                        )
                    })?;
                }
                self.vs = value.to_string();
            }
            "shgo" => {
                ShgoAxes::parse(value)?;
                self.shgo = value.to_string();
            }
            "goal" => {
                Goal::parse(value).map_err(|e| e.to_string())?;
                self.goal = value.to_string();
            }
            "knobs" => {
                knobs::parse(value).map_err(|e| e.to_string())?;
                self.knobs = value.to_string();
            }
            "solver" => {
                if !SOLVERS.contains(&value) {
                    return Err(format!("allowed {}", one_of(&SOLVERS)));
                }
                self.solver = value.to_string();
            }
            "seed" => {
                self.seed = value
                    .parse::<u64>()
                    .ok()
                    .filter(|s| *s <= MAX_SEED)
                    .ok_or(format!("allowed an integer 0..={MAX_SEED}"))?;
            }
            "hide" => {
                let mut hide = Vec::new();
                for panel in value.split(',').filter(|p| !p.is_empty()) {
                    if !PANELS.contains(&panel) {
                        return Err(format!(
                            "'{}' is not a panel: allowed a comma list of {}",
                            shorten(panel),
                            PANELS.join(", ")
                        ));
                    }
                    hide.push(panel.to_string());
                }
                hide.sort();
                hide.dedup();
                self.hide = hide;
            }
            "fp" if value.is_empty() => self.fp.clear(),
            "fp" => {
                let ok = value.len() == FP_DIGITS
                    && value.chars().all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c));
                if !ok {
                    return Err(format!(
                        "allowed {FP_DIGITS} hexadecimal digits 0-9, a-f (the fingerprint 'Copy link' adds)"
                    ));
                }
                self.fp = value.to_string();
            }
            _ => unreachable!("decode checks the key against FIELDS"),
        }
        Ok(())
    }

    /// The state a link describes, and what in it could not be used.
    pub fn decode(query: &str) -> Decoded {
        let query = query.strip_prefix('?').or_else(|| query.strip_prefix('#')).unwrap_or(query);
        let mut state = State::default();
        let mut notices = Vec::new();
        let mut notice = |field: &str, value: &str, message: String| {
            notices.push(Notice { field: field.into(), value: shorten(value), message })
        };
        if query.len() > MAX_QUERY {
            notice("link", &query[..query.char_indices().nth(80).map_or(query.len(), |(i, _)| i)], format!("the link is {} characters long: allowed at most {MAX_QUERY}; the defaults are shown", query.len()));
            return Decoded { state, notices };
        }
        let pairs: Vec<(String, String)> = form_urlencoded::parse(query.as_bytes())
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        if pairs.is_empty() {
            return Decoded { state, notices };
        }
        match pairs.iter().rev().find(|(k, _)| k == "v").map(|(_, v)| v.as_str()) {
            None => notice("v", "", format!("the link has no schema version; read as version {VERSION}")),
            Some(v) => match v.parse::<u32>() {
                Ok(VERSION) => {}
                Ok(n) if n > VERSION => notice("v", v, format!("the link is from a newer version (schema {n}); this page reads schema {VERSION}, so fields it does not know are ignored")),
                _ => notice("v", v, format!("allowed schema version {VERSION}; the fields are read as version {VERSION}")),
            },
        }
        let mut seen = std::collections::BTreeSet::new();
        let mut last: Vec<(String, String)> = Vec::new();
        for (k, v) in pairs.into_iter().filter(|(k, _)| k != "v") {
            if !seen.insert(k.clone()) {
                notice(&k, &v, "given more than once; the last one is used".into());
                last.retain(|(key, _)| *key != k);
            }
            last.push((k, v));
        }
        for (k, v) in last {
            if !FIELDS.contains(&k.as_str()) {
                notice(
                    &k,
                    &v,
                    format!("unknown field, ignored: the fields are v, {}", FIELDS.join(", ")),
                );
                continue;
            }
            let max = if k == "own" { MAX_OWN } else { MAX_VALUE };
            if v.chars().count() > max {
                notice(
                    &k,
                    &v,
                    format!(
                        "{} characters: allowed at most {max}; the default is used",
                        v.chars().count()
                    ),
                );
                continue;
            }
            if let Err(message) = state.set(&k, &v) {
                notice(&k, &v, format!("{message}; the default is used"));
            }
        }
        // Fields that are fine alone but not together (knobs the profile lacks, say):
        // reset them one at a time, most specific first, until the whole is valid.
        let defaults = State::default();
        if state.samples == "own" && state.own.is_empty() {
            notice(
                "own",
                "",
                "samples=own needs the rows in own; the NN-Degree proxy is used".into(),
            );
            state.samples = defaults.samples.clone();
        }
        // First the one field whose default alone makes the whole valid, so a wrong
        // `params` costs the link nothing else; only when no single field does are the
        // fields reset one after another.
        if let Err(e) = state.runs() {
            for field in REPAIR_ORDER {
                if state.field(field) == defaults.field(field) {
                    continue;
                }
                let mut trial = state.clone();
                *trial.field_mut(field) = defaults.field(field).clone();
                if trial.runs().is_ok() {
                    notice(field, state.field(field), format!("{e}; the default is used"));
                    state = trial;
                    break;
                }
            }
        }
        for field in REPAIR_ORDER {
            let Err(e) = state.runs() else { break };
            let default = defaults.field(field);
            if state.field(field) != default {
                notice(field, state.field(field), format!("{e}; the default is used"));
                *state.field_mut(field) = default.clone();
            }
        }
        if state.samples != "own" && !state.own.is_empty() {
            notice("own", &state.own, "given without samples=own; ignored".into());
            state.own.clear();
        }
        if !state.vs.is_empty() && state.vs == state.profile {
            notice(
                "vs",
                &state.vs,
                "the profile on screen: a second front needs another profile; none is drawn".into(),
            );
            state.vs.clear();
        }
        // A link of thousands of junk fields would give thousands of notices (found by
        // fuzzing): list the first ones and count the rest.
        if notices.len() > MAX_NOTICES {
            let more = notices.len() - (MAX_NOTICES - 1);
            notices.truncate(MAX_NOTICES - 1);
            notices.push(Notice {
                field: "link".into(),
                value: String::new(),
                message: format!("and {more} more values that could not be used (not listed)"),
            });
        }
        Decoded { state, notices }
    }

    /// This state with some fields changed as a person typed them, checked as
    /// a link would be: `changes` maps field names to their text (a list for
    /// `hide`, a number for `seed` also accepted). Two rules of the editor live
    /// here, not in the page: a space equal to FLASH's default is stored as the
    /// alias (the link stays short), and choosing a shipped sample set while
    /// the space is the default moves the space to the one its networks were
    /// drawn from (a predictor says little about another data set).
    pub fn edit(&self, changes: &BTreeMap<String, serde_json::Value>) -> Decoded {
        let mut pairs: Vec<(String, String)> = form_urlencoded::parse(self.encode().as_bytes())
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        // An edit that may change the result drops the fingerprint of the one the link showed.
        if changes.keys().any(|k| k != "fp" && !VIEW_FIELDS.contains(&k.as_str())) {
            pairs.retain(|(k, _)| k != "fp");
        }
        let mut set = |key: &str, value: String| {
            pairs.retain(|(k, _)| k != key);
            pairs.push((key.to_string(), value));
        };
        for (key, value) in changes {
            let text = match value {
                serde_json::Value::String(s) => s.clone(),
                serde_json::Value::Array(items) => items
                    .iter()
                    .map(|i| i.as_str().map_or_else(|| i.to_string(), str::to_string))
                    .collect::<Vec<_>>()
                    .join(","),
                serde_json::Value::Null => String::new(),
                other => other.to_string(),
            };
            let text = if key == "space" { space_value(&text) } else { text };
            set(key, text);
        }
        if let Some(serde_json::Value::String(samples)) = changes.get("samples") {
            if let (Some(shipped), false) =
                (crate::predictor::shipped(samples), changes.contains_key("space"))
            {
                if self.space == crate::space::DEFAULT_ALIAS {
                    set("space", shipped.space.to_string());
                }
            }
        }
        // Switching the profile to the one whose front is drawn beside it swaps the two, so
        // both fronts stay on the chart.
        if let Some(serde_json::Value::String(profile)) = changes.get("profile") {
            if !changes.contains_key("vs") && !self.vs.is_empty() && *profile == self.vs {
                set("vs", self.profile.clone());
            }
        }
        let mut query = form_urlencoded::Serializer::new(String::new());
        for (k, v) in &pairs {
            query.append_pair(k, v);
        }
        State::decode(&query.finish())
    }

    /// The link's query (without '?'): the version, then each field that differs from the default.
    pub fn encode(&self) -> String {
        let d = State::default();
        let mut out = form_urlencoded::Serializer::new(String::new());
        out.append_pair("v", &VERSION.to_string());
        let n = self.n.to_string();
        let text_fields = [
            ("space", &self.space, &d.space),
            ("profile", &self.profile, &d.profile),
            ("params", &self.params, &d.params),
            ("latency", &self.latency, &d.latency),
            ("samples", &self.samples, &d.samples),
            ("own", &self.own, &d.own),
            ("acc", &self.acc, &d.acc),
            ("n", &n, &d.n.to_string()),
            ("goal", &self.goal, &d.goal),
            ("knobs", &self.knobs, &d.knobs),
            ("solver", &self.solver, &d.solver),
        ];
        for (key, value, default) in text_fields {
            if value != default {
                out.append_pair(key, value);
            }
        }
        if self.seed != d.seed {
            out.append_pair("seed", &self.seed.to_string());
        }
        for (key, value, default) in
            [("cost", &self.cost, &d.cost), ("vs", &self.vs, &d.vs), ("shgo", &self.shgo, &d.shgo)]
        {
            if value != default {
                out.append_pair(key, value);
            }
        }
        if !self.hide.is_empty() {
            out.append_pair("hide", &self.hide.join(","));
        }
        if !self.fp.is_empty() {
            out.append_pair("fp", &self.fp);
        }
        out.finish()
    }

    /// Whether the search this state asks for can run: the problem is checked
    /// as `request_with` builds it, but with a stand-in predictor wherever
    /// samples are chosen (what a fitted one predicts does not change whether
    /// the goal, profile, knobs and space fit together, and a fit costs a
    /// leave-one-out pass over the samples at every link decoded).
    /// A field that the repair of a link may reset (see [`REPAIR_ORDER`]).
    fn field(&self, name: &str) -> &String {
        match name {
            "knobs" => &self.knobs,
            "goal" => &self.goal,
            "latency" => &self.latency,
            "acc" => &self.acc,
            "samples" => &self.samples,
            "space" => &self.space,
            "params" => &self.params,
            _ => &self.profile,
        }
    }

    fn field_mut(&mut self, name: &str) -> &mut String {
        match name {
            "knobs" => &mut self.knobs,
            "goal" => &mut self.goal,
            "latency" => &mut self.latency,
            "acc" => &mut self.acc,
            "samples" => &mut self.samples,
            "space" => &mut self.space,
            "params" => &mut self.params,
            _ => &mut self.profile,
        }
    }

    fn runs(&self) -> crate::Result<()> {
        use crate::search::{ProblemParams, Quality};
        let space = SearchSpace::resolve(&self.space)?;
        let request = self.request(None);
        // The tables' specs, not their values: a link is checked before (in the
        // page) its columns are fetched.
        let bench = request.benchmark_specs()?;
        if self.samples == "nb201" {
            let n = self.n as u128;
            if bench.truth.is_none() || n > space.count() {
                return Err(crate::Error::field(
                    "samples",
                    format!("nb201 with n = {}", self.n),
                    format!(
                        "an nb201 space of cifar10 or cifar100 networks with at least n cells (this one has {})",
                        space.count()
                    ),
                ));
            }
        }
        let quality = if self.samples == "none" {
            Quality::Degree
        } else if self.samples == "truth" {
            let column = bench.truth.as_ref().map(|c| c.spec.name).ok_or_else(|| {
                crate::Error::field(
                    "samples",
                    "truth",
                    "an nb201 space of cifar10 or cifar100 networks (NAS-Bench-201's accuracy is theirs)",
                )
            })?;
            Quality::Truth { column }
        } else {
            let predictor = crate::predictor::Predictor {
                model: crate::predictor::ModelKind::LogDegree,
                intercept: 0.5,
                coef: vec![0.1],
                mean: vec![0.0],
                scale: vec![1.0],
            };
            Quality::Predictor { predictor, samples: 0, source: "a stand-in for the check".into() }
        };
        ProblemParams {
            space,
            quality,
            profile: self.profile()?,
            knobs: knobs::parse(&self.knobs)?,
            goal: Goal::parse(&self.goal)?,
            bench,
        }
        .check()
        .map(|_| ())
    }

    /// The hardware profile: the built-in one with the state's edits.
    pub fn profile(&self) -> crate::Result<Profile> {
        let base = builtin(&self.profile)?;
        let edits = parse_params(&self.params)
            .map_err(|e| crate::Error::field("params", &self.params, e))?;
        if edits.is_empty() {
            return Ok(base);
        }
        let changes: Vec<(&str, f64)> = edits.iter().map(|(k, v)| (k.as_str(), *v)).collect();
        base.with_values(&changes, "edited in the playground (the link's params)")
    }

    /// The sample CSV the predictor fits: a shipped set, the link's own rows,
    /// or `own_file` when the link names a file by fingerprint. `None`: the
    /// NN-Degree proxy. An error says what is missing.
    pub fn samples_csv(
        &self,
        own_file: Option<&str>,
    ) -> std::result::Result<Option<String>, String> {
        match self.samples.as_str() {
            "own" => match OwnSamples::parse(&self.own)? {
                OwnSamples::Rows(rows) => Ok(Some(OwnSamples::csv(&rows))),
                OwnSamples::File { rows, fingerprint } => match own_file {
                    Some(text) if fingerprint_of(text) == fingerprint => Ok(Some(text.to_string())),
                    Some(text) => Err(format!(
                        "the loaded file has fingerprint {:08x}, the link names {fingerprint:08x} ({rows} rows): load the file the link was made with",
                        fingerprint_of(text)
                    )),
                    None => Err(format!(
                        "the link's own sample set ({rows} rows, fingerprint {fingerprint:08x}) is too large for a link: load its CSV file in the predictor panel to reproduce the result"
                    )),
                },
            },
            "none" | "truth" => Ok(None),
            "nb201" => self.request(None).samples().map_err(|e| e.to_string()),
            name => Ok(crate::predictor::shipped(name).map(|set| set.csv.to_string())),
        }
    }

    /// The search this state asks for, with `own_file` as in [`State::samples_csv`].
    pub fn request_with(&self, own_file: Option<&str>) -> crate::Result<Request> {
        let samples_csv = self
            .samples_csv(own_file)
            .map_err(|e| crate::Error::field("own", shorten(&self.own), e))?;
        Ok(Request { samples_csv, ..self.hardware_request()? })
    }

    /// The search without samples, on the profile with the state's edits.
    pub fn hardware_request(&self) -> crate::Result<Request> {
        let profile_json =
            if self.params.is_empty() { None } else { Some(self.profile()?.to_json()) };
        Ok(Request { profile_json, ..self.request(None) })
    }

    /// The search this state asks for; `samples_csv` is the chosen set's text
    /// (the page fetches the shipped file named by `samples`).
    pub fn request(&self, samples_csv: Option<String>) -> Request {
        Request {
            space: self.space.clone(),
            profile: self.profile.clone(),
            goal: self.goal.clone(),
            knobs: self.knobs.clone(),
            samples_csv,
            solver: self.solver.clone(),
            seed: self.seed,
            truth: (!self.acc.is_empty()).then(|| self.acc.clone()),
            bench_samples: (self.samples == "nb201").then_some(self.n),
            oracle: self.samples == "truth",
            latency: (!self.latency.is_empty()).then(|| self.latency.clone()),
            ..Request::default()
        }
    }

    /// The NAS-Bench-201 columns this state's search reads (the page fetches
    /// them before it runs the search).
    pub fn columns(&self) -> Vec<&'static str> {
        self.request(None)
            .benchmark_specs()
            .map(|b| b.truth.iter().chain(b.latency.iter()).map(|c| c.spec.name).collect())
            .unwrap_or_default()
    }
}

/// A space as the state stores it: FLASH's default as its alias, any other as typed.
fn space_value(text: &str) -> String {
    match SearchSpace::resolve(text) {
        Ok(space) if space.to_string() == SearchSpace::flash_default().to_string() => {
            crate::space::DEFAULT_ALIAS.to_string()
        }
        _ => text.to_string(),
    }
}

/// Parses `key=value;key=value` profile edits (keys checked against the profile later).
pub fn parse_params(text: &str) -> std::result::Result<Vec<(String, f64)>, String> {
    let mut out: Vec<(String, f64)> = Vec::new();
    for part in text.split(';').filter(|p| !p.trim().is_empty()) {
        let (k, v) = part.split_once('=').ok_or_else(|| format!("'{}' is not key=value: allowed key=value;key=value with keys of the profile's parameters", shorten(part)))?;
        let k = k.trim();
        if k.is_empty() || !k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return Err(format!(
                "'{}' is not a parameter key: allowed letters, digits and _",
                shorten(k)
            ));
        }
        let v: f64 = v.trim().parse().ok().filter(|v: &f64| v.is_finite()).ok_or_else(|| {
            format!("{k} = '{}' is not a number: allowed a finite number", shorten(v))
        })?;
        if out.iter().any(|(key, _)| key == k) {
            return Err(format!("{k} is given twice: allowed once"));
        }
        out.push((k.to_string(), v));
    }
    Ok(out)
}

/// The `params` text of a profile's differences from its built-in base, in
/// the base's parameter order (so one profile gives one link).
pub fn params_text(base: &Profile, edited: &Profile) -> String {
    base.specs()
        .iter()
        .filter_map(|spec| {
            let (a, b) = (base.value(spec.key)?, edited.value(spec.key)?);
            (a != b).then(|| format!("{}={}", spec.key, crate::hardware::params::fmt_num(b)))
        })
        .collect::<Vec<_>>()
        .join(";")
}

/// FNV-1a (32 bits) of a text's lines, trimmed of trailing white space and
/// line-ending differences: the fingerprint by which a link names a file.
pub fn fingerprint_of(text: &str) -> u32 {
    let mut h: u32 = 0x811c_9dc5;
    for line in text.lines() {
        for b in line.trim_end().bytes().chain(std::iter::once(b'\n')) {
            h ^= b as u32;
            h = h.wrapping_mul(0x0100_0193);
        }
    }
    h
}

/// The user's own samples as the link carries them.
#[derive(Clone, Debug, PartialEq)]
pub enum OwnSamples {
    /// (architecture, accuracy) rows, small enough for the link.
    Rows(Vec<(String, f64)>),
    /// A CSV file the link cannot carry, named by row count and fingerprint.
    File { rows: usize, fingerprint: u32 },
}

impl OwnSamples {
    pub fn parse(text: &str) -> std::result::Result<OwnSamples, String> {
        if let Some(rest) = text.strip_prefix("file:") {
            let bad = || {
                format!("'{}' is not file:ROWS:FINGERPRINT: allowed ROWS 1..={} and an 8-digit hex fingerprint", shorten(rest), crate::predictor::MAX_SAMPLES)
            };
            let (rows, fp) = rest.split_once(':').ok_or_else(bad)?;
            let rows: usize = rows
                .parse()
                .ok()
                .filter(|r| (1..=crate::predictor::MAX_SAMPLES).contains(r))
                .ok_or_else(bad)?;
            if fp.len() != 8 {
                return Err(bad());
            }
            let fingerprint = u32::from_str_radix(fp, 16).map_err(|_| bad())?;
            return Ok(OwnSamples::File { rows, fingerprint });
        }
        let mut rows = Vec::new();
        for (i, row) in text.split('|').enumerate() {
            let (arch, acc) = row.rsplit_once('@').ok_or_else(|| {
                format!(
                    "row {} '{}' is not arch@accuracy: allowed rows arch@accuracy separated by |",
                    i + 1,
                    shorten(row)
                )
            })?;
            let arch = Architecture::parse(arch).map_err(|e| format!("row {}: {e}", i + 1))?;
            let acc: f64 =
                acc.parse().ok().filter(|a| (0.0..=1.0).contains(a)).ok_or_else(|| {
                    format!(
                        "row {} accuracy '{}' is not allowed: allowed a fraction in 0..=1",
                        i + 1,
                        shorten(acc)
                    )
                })?;
            rows.push((arch.to_string(), acc));
        }
        if rows.len() < 2 {
            return Err("fewer than 2 rows: allowed at least 2 arch@accuracy rows".into());
        }
        Ok(OwnSamples::Rows(rows))
    }

    /// The `own` value for a pasted CSV: its rows when they fit in [`MAX_OWN`]
    /// characters, else the file's row count and fingerprint.
    pub fn of_csv(text: &str) -> crate::Result<String> {
        let set = SampleSet::from_csv(text)?;
        if set.samples.len() < 2 {
            return Err(crate::Error::field("samples", set.samples.len(), "at least 2 rows"));
        }
        let rows: Vec<String> =
            set.samples.iter().map(|s| format!("{}@{}", s.arch, s.accuracy)).collect();
        let inline = rows.join("|");
        let encoded = form_urlencoded::byte_serialize(inline.as_bytes()).count();
        if encoded <= MAX_OWN && inline.chars().count() <= MAX_OWN {
            Ok(inline)
        } else {
            Ok(format!("file:{}:{:08x}", set.samples.len(), fingerprint_of(text)))
        }
    }

    /// A sample CSV of inline rows.
    pub fn csv(rows: &[(String, f64)]) -> String {
        let mut out = String::from("# samples carried in the link (own=…)\narch,accuracy\n");
        for (arch, acc) in rows {
            out.push_str(&format!("\"{arch}\",{acc}\n"));
        }
        out
    }
}

/// The SHGO chart's choice: a FLASH level and two of its coordinates.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShgoAxes {
    /// `shared`, or `cell N` (1-based), as the search's trace names levels.
    pub level: String,
    pub x: usize,
    pub y: usize,
}

impl ShgoAxes {
    pub fn parse(text: &str) -> std::result::Result<ShgoAxes, String> {
        let names = coords();
        let bad = || {
            format!(
                "allowed LEVEL:X,Y with LEVEL shared, cell1..cell64 or cellN.I (a block of a cell) and X, Y two different of {}",
                names.join(", ")
            )
        };
        let (level, axes) = text.split_once(':').ok_or_else(bad)?;
        let level = match level {
            "shared" => "shared".to_string(),
            l => {
                let rest = l.strip_prefix("cell").ok_or_else(bad)?;
                let (n, block) = match rest.split_once('.') {
                    Some((n, b)) => (n, Some(b)),
                    None => (rest, None),
                };
                let n: usize = n.parse().ok().filter(|n| (1..=64).contains(n)).ok_or_else(bad)?;
                match block {
                    None => format!("cell {n}"),
                    Some(b) => {
                        let b: usize =
                            b.parse().ok().filter(|b| (1..=8).contains(b)).ok_or_else(bad)?;
                        format!("cell {n}.{b}")
                    }
                }
            }
        };
        let (x, y) = axes.split_once(',').ok_or_else(bad)?;
        let find = |name: &str| names.iter().position(|c| *c == name).ok_or_else(bad);
        let (x, y) = (find(x)?, find(y)?);
        if x == y {
            return Err(bad());
        }
        Ok(ShgoAxes { level, x, y })
    }
}
