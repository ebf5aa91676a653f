//! Lessons: short guided steps into the playground, as data a teacher can copy
//! (data/lessons.json). Each lesson is a link into the playground with a few
//! sentences, one question, a hint and an answer; a lesson file is checked here,
//! for the page (`lessons` in wasm) and for `flash lessons FILE`, so a bad lesson
//! is named with the field that is wrong.
//!
//! A lesson's answer rests on observations it states as data ([`Check`]): "with
//! the limit halved the result stays feasible", "the accuracy drops by less than
//! the predictor's error". [`check`] runs the searches they name and says which
//! hold (`flash lessons --check`, and the page's "Check this lesson"), so a change
//! of the project that makes a lesson's claim false fails the tests (docs/lessons.md).

use crate::error::{Error, Result};
use crate::playground::Playground;
use crate::search::compare::Comparison;
use crate::state::State;
use serde::{Deserialize, Serialize};

/// The lessons this project ships (the page fetches the same file).
pub const SHIPPED: &str = include_str!("../data/lessons.json");
/// Most lessons one file may hold.
pub const MAX_LESSONS: usize = 50;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Lesson {
    /// Lowercase letters, digits and '-'; unique in its file.
    pub id: String,
    pub title: String,
    /// A few sentences: what the link shows.
    pub text: String,
    /// One question to explore.
    pub question: String,
    /// The playground link (the query after '?').
    pub link: String,
    /// A nudge towards the answer (optional in a teacher's file).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub hint: String,
    /// The answer, in words; its claims are the checks'.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub answer: String,
    /// What the answer claims, as observations [`check`] evaluates.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub checks: Vec<Check>,
}

/// One observation a lesson claims: `value` on the lesson's link (with `edit`'s
/// fields replacing the link's) compares by `is` with `than`: a number, the same
/// value on the lesson's own link (`"lesson"`), or another value of the same search.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Check {
    /// The claim in words, as the page and `flash lessons --check` show it.
    pub claim: String,
    /// Link fields that replace the lesson's (the suggested change, written as in a link:
    /// `goal=max-accuracy%2Clatency%3C%3D0.15`); empty: the lesson's own link.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub edit: String,
    /// What is observed (one of [`QUANTITIES`], `knob.NAME`, `gap.SOLVER`,
    /// `near.SOLVER` or `rho.METRIC`).
    pub value: String,
    /// `<`, `<=`, `>`, `>=`, `=` or `!=`.
    pub is: String,
    pub than: Than,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Than {
    Number(f64),
    /// A sum of terms, each `[K*]ATOM` joined by ` + ` or ` - `, where ATOM is a number,
    /// a value's name (on the same link), `lesson` (the checked value on the lesson's
    /// own link) or `lesson.NAME` (NAME there): `lesson - accuracy_error`,
    /// `100*accuracy_error`.
    Value(String),
}

/// What a term of [`Than::Value`] reads.
#[derive(Clone, Debug, PartialEq)]
enum Atom {
    Number(f64),
    /// A value on the checked (edited) link.
    Here(String),
    /// A value on the lesson's own link.
    Lesson(String),
}

/// Most terms one `than` may add.
const MAX_TERMS: usize = 4;

/// Parses `than`'s sum into (factor, atom) terms; `value` is the checked value's name.
fn terms(text: &str, value: &str) -> std::result::Result<Vec<(f64, Atom)>, String> {
    let mut out = Vec::new();
    let mut sign = 1.0;
    let mut expect_term = true;
    for tok in text.split_whitespace() {
        if !expect_term {
            sign = match tok {
                "+" => 1.0,
                "-" => -1.0,
                _ => return Err(format!("'{tok}' where ' + ' or ' - ' was expected")),
            };
            expect_term = true;
            continue;
        }
        let (factor, atom) = match tok.split_once('*') {
            Some((k, a)) => (
                k.parse::<f64>()
                    .ok()
                    .filter(|k| k.is_finite())
                    .ok_or_else(|| format!("'{k}' is not a finite factor"))?,
                a,
            ),
            None => (1.0, tok),
        };
        let atom = if let Ok(x) = atom.parse::<f64>() {
            if !x.is_finite() {
                return Err(format!("'{atom}' is not finite"));
            }
            Atom::Number(x)
        } else if atom == "lesson" {
            Atom::Lesson(value.to_string())
        } else if let Some(name) = atom.strip_prefix("lesson.") {
            if !known_value(name) {
                return Err(format!("unknown value '{name}'"));
            }
            Atom::Lesson(name.to_string())
        } else if known_value(atom) {
            Atom::Here(atom.to_string())
        } else {
            return Err(format!("unknown value '{atom}'"));
        };
        out.push((sign * factor, atom));
        expect_term = false;
    }
    if out.is_empty() || expect_term {
        return Err("a term is missing".into());
    }
    if out.len() > MAX_TERMS {
        return Err(format!("{} terms: at most {MAX_TERMS}", out.len()));
    }
    Ok(out)
}

/// The values a check can observe of a search, with what each means (docs/lessons.md).
pub const QUANTITIES: [(&str, &str); 27] = [
    ("feasible", "1 if the best network meets every limit, else 0"),
    ("accuracy", "the best network's predicted accuracy (a fraction)"),
    ("accuracy_error", "the predictor's mean absolute error on held-out networks"),
    ("extrapolated", "1 if the best network's prediction is flagged as extrapolated"),
    ("true_accuracy", "NAS-Bench-201's accuracy of the best network (a fraction)"),
    ("true_optimum", "the most accurate network the benchmark knows under the same limits"),
    ("regret", "the true optimum minus the pick's true accuracy, in points"),
    ("held_out_kendall", "Kendall τ of the predictor on the space's cells it was not fitted on"),
    ("held_out_mae", "the predictor's mean absolute error on those cells"),
    ("nn_degree", "the best network's NN-Degree"),
    ("params", "the best network's parameters, in millions"),
    ("latency_ms", "the best network's latency"),
    ("energy_mj", "the best network's energy per inference"),
    ("area_mm2", "the area of the hardware the best network runs on"),
    ("binds", "1 if a limit stops the search (a one-step larger network breaks it)"),
    ("slack", "the smallest unused share of a limit (0: on the limit)"),
    ("evaluations", "FLASH's exact evaluations of networks"),
    ("local_minima", "distinct networks SHGO's local minima refined to"),
    ("front_points", "networks on the Pareto front"),
    ("front_min_latency_ms", "the fastest network on the front"),
    ("front_max_latency_ms", "the slowest network on the front"),
    ("front_min_energy_mj", "the most frugal network on the front"),
    ("front_max_energy_mj", "the most energy-hungry network on the front"),
    ("front_max_nn_degree", "the largest NN-Degree on the front"),
    (
        "measured_rho",
        "Spearman ρ of the device model, calibrated on 10 measured networks, against the rest",
    ),
    ("measured_within_10", "its share of networks within ±10 % of the measurement"),
    ("measured_mape", "its mean absolute percentage error"),
];

/// The solvers of the comparison panel, as `gap.SOLVER` and `near.SOLVER` name them,
/// in the panel's row order.
pub const SOLVERS: [&str; 6] =
    ["flash", "exact", "random", "evolution", "random_more", "evolution_more"];

/// Relations a check may state.
pub const RELATIONS: [&str; 6] = ["<", "<=", ">", ">=", "=", "!="];

/// Most checks one lesson may state.
pub const MAX_CHECKS: usize = 40;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LessonFile {
    #[serde(default)]
    #[allow(dead_code)]
    about: String,
    lessons: Vec<Lesson>,
}

/// Whether `name` is a value a check can observe.
fn known_value(name: &str) -> bool {
    if QUANTITIES.iter().any(|(q, _)| *q == name) {
        return true;
    }
    let word = |w: &str| {
        !w.is_empty() && w.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '+')
    };
    match name.split_once('.') {
        Some(("gap" | "near", solver)) => SOLVERS.contains(&solver),
        Some(("knob" | "rho", rest)) => word(rest),
        _ => false,
    }
}

/// The lesson's link with `edit`'s fields in place of its own, in canonical form;
/// the error names the field that does not decode.
pub fn edited_link(link: &str, edit: &str) -> std::result::Result<String, String> {
    let pairs = |q: &str| -> Vec<(String, String)> {
        form_urlencoded::parse(q.as_bytes())
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect()
    };
    let mut merged = pairs(link);
    for (k, v) in pairs(edit) {
        merged.retain(|(key, _)| *key != k);
        merged.push((k, v));
    }
    let query = form_urlencoded::Serializer::new(String::new()).extend_pairs(merged).finish();
    let decoded = State::decode(&query);
    match decoded.notices.first() {
        Some(n) => Err(format!("{}: {}", n.field, n.message)),
        None => Ok(decoded.state.encode()),
    }
}

fn check_check(id: &str, k: usize, c: &Check, link: &str) -> Result<()> {
    let field = |name: &str| format!("lesson '{id}' check {} {name}", k + 1);
    length(id, &format!("check {} claim", k + 1), &c.claim, 200)?;
    if !known_value(&c.value) {
        return Err(Error::field(field("value"), &c.value, value_help()));
    }
    if !RELATIONS.contains(&c.is.as_str()) {
        return Err(Error::field(field("is"), &c.is, RELATIONS.join(" ")));
    }
    match &c.than {
        Than::Number(x) if !x.is_finite() => {
            return Err(Error::field(field("than"), x, "a finite number"))
        }
        Than::Value(v) => {
            if let Err(e) = terms(v, &c.value) {
                return Err(Error::field(
                    field("than"),
                    v,
                    format!("a number or a sum of [K*]NAME terms, NAME \"lesson\", \"lesson.VALUE\" or a value ({e})"),
                ));
            }
        }
        _ => {}
    }
    if c.edit.len() > crate::state::MAX_QUERY {
        return Err(Error::field(field("edit"), c.edit.len(), "a link's length at most"));
    }
    if let Err(e) = edited_link(link, &c.edit) {
        return Err(Error::field(
            field("edit"),
            &c.edit,
            format!("fields that decode without a notice ({e})"),
        ));
    }
    Ok(())
}

fn value_help() -> String {
    format!(
        "one of {}, knob.NAME, gap.SOLVER, near.SOLVER (SOLVER: {}) or rho.METRIC",
        QUANTITIES.iter().map(|(q, _)| *q).collect::<Vec<_>>().join(", "),
        SOLVERS.join(", ")
    )
}

fn length(id: &str, field: &str, text: &str, max: usize) -> Result<()> {
    let n = text.chars().count();
    if n == 0 || n > max {
        return Err(Error::field(
            format!("lesson '{id}' {field}"),
            format!("{n} characters"),
            format!("1..={max} characters"),
        ));
    }
    Ok(())
}

/// Reads and checks a lesson file: its JSON form, each field's length, unique
/// ids, and that every link decodes without a notice.
pub fn parse(json: &str) -> Result<Vec<Lesson>> {
    let file: LessonFile =
        serde_json::from_str(json).map_err(|e| Error::Invalid(format!("lesson file: {e}")))?;
    if file.lessons.is_empty() || file.lessons.len() > MAX_LESSONS {
        return Err(Error::field(
            "lessons",
            file.lessons.len(),
            format!("1..={MAX_LESSONS} lessons"),
        ));
    }
    let mut seen = std::collections::BTreeSet::new();
    for l in &file.lessons {
        let id_ok = (1..=40).contains(&l.id.len())
            && l.id.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        if !id_ok {
            return Err(Error::field(
                "lesson id",
                &l.id,
                "1 to 40 lowercase letters, digits and '-'",
            ));
        }
        if !seen.insert(l.id.clone()) {
            return Err(Error::field("lesson id", &l.id, "an id no other lesson has"));
        }
        length(&l.id, "title", &l.title, 100)?;
        length(&l.id, "text", &l.text, 800)?;
        length(&l.id, "question", &l.question, 300)?;
        length(&l.id, "link", &l.link, crate::state::MAX_QUERY)?;
        for (name, text) in [("hint", &l.hint), ("answer", &l.answer)] {
            if !text.is_empty() {
                length(&l.id, name, text, 800)?;
            }
        }
        if l.checks.len() > MAX_CHECKS {
            return Err(Error::field(
                format!("lesson '{}' checks", l.id),
                l.checks.len(),
                format!("at most {MAX_CHECKS}"),
            ));
        }
        for (k, c) in l.checks.iter().enumerate() {
            check_check(&l.id, k, c, &l.link)?;
        }
        let decoded = State::decode(&l.link);
        if let Some(n) = decoded.notices.first() {
            return Err(Error::field(
                format!("lesson '{}' link", l.id),
                &n.field,
                format!("a link that decodes without a notice ({})", n.message),
            ));
        }
    }
    Ok(file.lessons)
}

/// The shipped lessons (checked by the tests, so this cannot fail).
pub fn shipped() -> Vec<Lesson> {
    parse(SHIPPED).expect("data/lessons.json is checked by tests/lessons.rs")
}

/// One check, evaluated.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Outcome {
    pub claim: String,
    /// The link the value was observed on (canonical).
    pub link: String,
    pub value: Option<f64>,
    pub than: Option<f64>,
    /// The check as a formula with its numbers, e.g. `accuracy 0.912 < 0.935 (lesson)`.
    pub shown: String,
    pub holds: bool,
}

/// One link's search, and what a check may ask of it beyond the view (run when asked).
struct Observed {
    playground: Playground,
    view: crate::playground::View,
    comparison: Option<std::result::Result<Comparison, String>>,
    measured: Option<std::result::Result<crate::playground::AgainstMeasured, String>>,
}

impl Observed {
    fn open(link: &str) -> Observed {
        let playground = Playground::open(link, None);
        let view = playground.view();
        Observed { playground, view, comparison: None, measured: None }
    }

    fn value(&mut self, name: &str) -> std::result::Result<f64, String> {
        let flag = |b: bool| if b { 1.0 } else { 0.0 };
        let r = self.view.result.as_ref().ok_or_else(|| {
            format!("the search did not run: {}", self.view.error.clone().unwrap_or_default())
        })?;
        let best = || r.best.as_ref().ok_or("the search found no network".to_string());
        let truth = |f: fn(&crate::playground::TruthView) -> Option<f64>| {
            self.view.truth.as_ref().and_then(f).ok_or("the link shows no NAS-Bench-201 truth")
        };
        let front = |f: fn(&crate::search::Metrics) -> f64, max: bool| {
            let it = r.pareto.iter().map(|p| f(&p.metrics));
            if max { it.reduce(f64::max) } else { it.reduce(f64::min) }
                .ok_or("the link's goal draws no Pareto front")
        };
        let accuracy = || {
            self.view
                .best
                .as_ref()
                .and_then(|b| b.accuracy.as_ref())
                .ok_or("no predictor ranks this link's networks")
        };
        Ok(match name {
            "feasible" => flag(r.feasible),
            "accuracy" => accuracy()?.value,
            "accuracy_error" => accuracy()?.plus_minus,
            "extrapolated" => flag(accuracy()?.extrapolated),
            "true_accuracy" => truth(|t| t.pick)?,
            "true_optimum" => truth(|t| t.optimum)?,
            "regret" => truth(|t| t.regret)?,
            "held_out_kendall" => truth(|t| t.held_out_kendall)?,
            "held_out_mae" => truth(|t| t.held_out_mae)?,
            "nn_degree" => best()?.metrics.nn_degree,
            "params" => best()?.metrics.params as f64 / 1e6,
            "latency_ms" => best()?.metrics.latency_s * 1e3,
            "energy_mj" => best()?.metrics.energy_j * 1e3,
            "area_mm2" => best()?.metrics.area_mm2,
            "binds" => flag(r.binding.iter().any(|b| b.binds)),
            "slack" => r
                .binding
                .iter()
                .map(|b| b.slack)
                .reduce(f64::min)
                .ok_or("the goal sets no limit")?,
            "evaluations" => r.evaluations as f64,
            "local_minima" => r.local_minima.len() as f64,
            "front_points" => r.pareto.len() as f64,
            "front_min_latency_ms" => front(|m| m.latency_s * 1e3, false)?,
            "front_max_latency_ms" => front(|m| m.latency_s * 1e3, true)?,
            "front_min_energy_mj" => front(|m| m.energy_j * 1e3, false)?,
            "front_max_energy_mj" => front(|m| m.energy_j * 1e3, true)?,
            "front_max_nn_degree" => front(|m| m.nn_degree, true)?,
            "measured_rho" | "measured_within_10" | "measured_mape" => {
                let arch = r.best.as_ref().map(|b| b.arch.clone());
                let state = &self.playground.state;
                let a = self
                    .measured
                    .get_or_insert_with(|| {
                        crate::playground::against_measured(state, 10, arch.as_deref())
                            .map_err(|e| e.to_string())
                    })
                    .as_ref()
                    .map_err(Clone::clone)?;
                match name {
                    "measured_rho" => a.calibrated.spearman,
                    "measured_within_10" => a.calibrated.within_10,
                    _ => a.calibrated.mape,
                }
            }
            _ => match name.split_once('.') {
                Some(("knob", knob)) => best()?
                    .settings
                    .iter()
                    .find(|(k, _)| k == knob)
                    .map(|(_, v)| *v)
                    .ok_or_else(|| format!("the result sets no knob {knob}"))?,
                Some(("rho", metric)) => self
                    .view
                    .predictor
                    .as_ref()
                    .ok_or("the link names no sample set")?
                    .metrics
                    .iter()
                    .find(|m| m.metric == metric)
                    .ok_or_else(|| format!("the predictor panel ranks no metric {metric}"))?
                    .spearman
                    .ok_or_else(|| format!("{metric} has no rank correlation here"))?,
                Some((kind @ ("gap" | "near"), solver)) => {
                    let playground = &self.playground;
                    let c = self
                        .comparison
                        .get_or_insert_with(|| playground.compare())
                        .as_ref()
                        .map_err(Clone::clone)?;
                    let mut at = SOLVERS.iter().position(|s| *s == solver).expect("checked");
                    // Without an exact method the rows go on without its row.
                    if c.exact.is_none() {
                        if at == 1 {
                            return Err(format!("no exact optimum: {}", c.exact_message));
                        }
                        at -= usize::from(at > 1);
                    }
                    let row = c.rows.get(at).ok_or("the comparison has no such row")?;
                    let v = if kind == "gap" {
                        row.gap.map(|g| 100.0 * g)
                    } else {
                        // Never near: more than every evaluation it made.
                        Some(row.evaluations_to_near.map_or(f64::INFINITY, |e| e as f64))
                    };
                    v.ok_or_else(|| {
                        format!("{} found nothing feasible, or no optimum", row.solver)
                    })?
                }
                _ => return Err(format!("unknown value {name}")),
            },
        })
    }
}

/// `=` and `!=` compare to a relative 10⁻⁹: two networks of equal cost summed in
/// another order differ in the last bits (the same slack as the limits').
fn compare(x: f64, is: &str, y: f64) -> bool {
    let equal = x == y || (x - y).abs() <= 1e-9 * x.abs().max(y.abs());
    match is {
        "<" => x < y,
        "<=" => x <= y,
        ">" => x > y,
        ">=" => x >= y,
        "=" => equal,
        _ => !equal,
    }
}

fn show(x: f64) -> String {
    if x.is_infinite() {
        "never".into()
    } else if x != 0.0 && (x.abs() >= 1e5 || x.abs() < 1e-3) {
        format!("{x:.3e}")
    } else {
        format!("{}", (x * 1e4).round() / 1e4)
    }
}

/// Evaluates every check of `lesson`: each link's search runs once.
pub fn check(lesson: &Lesson) -> Vec<Outcome> {
    let mut runs: std::collections::BTreeMap<String, Observed> = Default::default();
    let mut observe = |link: &str, name: &str| -> std::result::Result<f64, String> {
        runs.entry(link.to_string()).or_insert_with(|| Observed::open(link)).value(name)
    };
    let own = State::decode(&lesson.link).state.encode();
    lesson
        .checks
        .iter()
        .map(|c| {
            let link = match edited_link(&lesson.link, &c.edit) {
                Ok(l) => l,
                Err(e) => {
                    return Outcome {
                        claim: c.claim.clone(),
                        link: lesson.link.clone(),
                        value: None,
                        than: None,
                        shown: format!("the edit does not decode: {e}"),
                        holds: false,
                    }
                }
            };
            let value = observe(&link, &c.value);
            let (than, than_text) = match &c.than {
                Than::Number(x) => (Ok(*x), show(*x)),
                Than::Value(v) => {
                    // `parse` refuses a bad sum; a lesson built in code gets the reason here.
                    let parsed = terms(v, &c.value);
                    let mut sum = parsed.as_ref().map(|_| 0.0).map_err(Clone::clone);
                    for &(k, ref atom) in parsed.as_deref().unwrap_or_default() {
                        let x = match atom {
                            Atom::Number(x) => Ok(*x),
                            Atom::Here(name) => observe(&link, name),
                            Atom::Lesson(name) => observe(&own, name),
                        };
                        sum = match (sum, x) {
                            (Ok(s), Ok(x)) => Ok(s + k * x),
                            (Err(e), _) | (_, Err(e)) => Err(e),
                        };
                    }
                    let text = sum.as_ref().map_or_else(|e| e.clone(), |&x| show(x));
                    (sum, format!("{text} ({v})"))
                }
            };
            let (holds, shown) = match (&value, &than) {
                (Ok(x), Ok(y)) => (
                    compare(*x, &c.is, *y),
                    format!("{} {} {} {}", c.value, show(*x), c.is, than_text),
                ),
                (Err(e), _) => (false, format!("{}: {e}", c.value)),
                (_, Err(_)) => (false, format!("{}: {than_text}", c.value)),
            };
            Outcome {
                claim: c.claim.clone(),
                link,
                value: value.ok(),
                than: than.ok(),
                shown,
                holds,
            }
        })
        .collect()
}
