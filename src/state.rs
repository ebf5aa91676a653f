//! The playground's whole state and its URL form (docs/state.md).
//!
//! The URL is attacker-controlled: decoding never fails. Each field is checked
//! on its own; a bad one is replaced by its default and reported as a
//! [`Notice`] that names the field, the value (shortened) and what is allowed,
//! and the good fields are kept. Encoding writes the schema version and only
//! the fields that differ from the defaults, in a fixed order, so the same
//! state always gives the same link.

use crate::hardware::builtin;
use crate::hardware::profile::BUILTIN;
use crate::search::request::Request;
use crate::search::{knobs, Goal};
use crate::SearchSpace;
use serde::{Deserialize, Serialize};

/// The schema version this build writes and reads.
pub const VERSION: u32 = 1;
/// Longest query accepted (characters); longer links are refused whole.
pub const MAX_QUERY: usize = 8192;
/// Longest value of one field.
pub const MAX_VALUE: usize = 1024;
/// Largest seed: the largest integer a JavaScript number holds exactly.
pub const MAX_SEED: u64 = (1 << 53) - 1;
/// Where the predictor's samples come from: none (the NN-Degree proxy) or a shipped set.
pub const SAMPLE_SETS: [&str; 3] = ["none", "digits", "mnist"];
pub const SOLVERS: [&str; 4] = ["flash", "random", "evolution", "exact"];
/// The fields of a link besides `v`, in the order they are written.
pub const FIELDS: [&str; 8] = ["space", "profile", "samples", "goal", "knobs", "solver", "seed", "hide"];
/// Panels a classroom link may hide.
pub const PANELS: [&str; 9] = ["hardware", "space", "predictor", "goal", "result", "pareto", "shgo", "layers", "compare"];

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct State {
    /// Space text form, or "default" (FLASH's).
    pub space: String,
    /// A built-in hardware profile.
    pub profile: String,
    /// One of [`SAMPLE_SETS`].
    pub samples: String,
    pub goal: String,
    pub knobs: String,
    /// One of [`SOLVERS`].
    pub solver: String,
    pub seed: u64,
    /// Hidden panels, sorted, without repeats.
    pub hide: Vec<String>,
}

impl Default for State {
    fn default() -> Self {
        State {
            space: "default".into(),
            profile: "rram-imc".into(),
            samples: "none".into(),
            goal: "max-accuracy".into(),
            knobs: String::new(),
            solver: "flash".into(),
            seed: 1,
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
                if value != "default" {
                    SearchSpace::parse(value).map_err(|e| e.to_string())?;
                }
                self.space = value.to_string();
            }
            "profile" => {
                builtin(value).map_err(|_| format!("allowed {}", one_of(&BUILTIN.map(|(n, _)| n))))?;
                self.profile = value.to_string();
            }
            "samples" => {
                if !SAMPLE_SETS.contains(&value) {
                    return Err(format!("allowed {}", one_of(&SAMPLE_SETS)));
                }
                self.samples = value.to_string();
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
                self.seed = value.parse::<u64>().ok().filter(|s| *s <= MAX_SEED).ok_or(format!("allowed an integer 0..={MAX_SEED}"))?;
            }
            "hide" => {
                let mut hide = Vec::new();
                for panel in value.split(',').filter(|p| !p.is_empty()) {
                    if !PANELS.contains(&panel) {
                        return Err(format!("'{}' is not a panel: allowed a comma list of {}", shorten(panel), PANELS.join(", ")));
                    }
                    hide.push(panel.to_string());
                }
                hide.sort();
                hide.dedup();
                self.hide = hide;
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
        let mut notice = |field: &str, value: &str, message: String| notices.push(Notice { field: field.into(), value: shorten(value), message });
        if query.len() > MAX_QUERY {
            notice("link", &query[..query.char_indices().nth(80).map_or(query.len(), |(i, _)| i)], format!("the link is {} characters long: allowed at most {MAX_QUERY}; the defaults are shown", query.len()));
            return Decoded { state, notices };
        }
        let pairs: Vec<(String, String)> = form_urlencoded::parse(query.as_bytes()).map(|(k, v)| (k.into_owned(), v.into_owned())).collect();
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
                notice(&k, &v, format!("unknown field, ignored: the fields are v, {}", FIELDS.join(", ")));
                continue;
            }
            if v.chars().count() > MAX_VALUE {
                notice(&k, &v, format!("{} characters: allowed at most {MAX_VALUE}; the default is used", v.chars().count()));
                continue;
            }
            if let Err(message) = state.set(&k, &v) {
                notice(&k, &v, format!("{message}; the default is used"));
            }
        }
        // Fields that are fine alone but not together (knobs the profile lacks, say):
        // reset them one at a time, most specific first, until the whole is valid.
        let defaults = State::default();
        for field in ["knobs", "goal", "space", "profile"] {
            let Err(e) = state.request(None).problem() else { break };
            let (current, default) = match field {
                "knobs" => (&mut state.knobs, &defaults.knobs),
                "goal" => (&mut state.goal, &defaults.goal),
                "space" => (&mut state.space, &defaults.space),
                _ => (&mut state.profile, &defaults.profile),
            };
            if current != default {
                notice(field, current, format!("{e}; the default is used"));
                *current = default.clone();
            }
        }
        Decoded { state, notices }
    }

    /// The link's query (without '?'): the version, then each field that differs from the default.
    pub fn encode(&self) -> String {
        let d = State::default();
        let mut out = form_urlencoded::Serializer::new(String::new());
        out.append_pair("v", &VERSION.to_string());
        let text_fields = [
            ("space", &self.space, &d.space),
            ("profile", &self.profile, &d.profile),
            ("samples", &self.samples, &d.samples),
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
        if !self.hide.is_empty() {
            out.append_pair("hide", &self.hide.join(","));
        }
        out.finish()
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
            ..Request::default()
        }
    }
}
