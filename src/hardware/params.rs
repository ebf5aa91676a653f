//! Profile parameters as data: every value carries its unit, its source and its
//! allowed range. Unchecked [`ProfileParams`] (what JSON holds) become a checked
//! [`Profile`](super::Profile) only through `check()` (linfa's ParamGuard).

use super::kind::ModelKind;
use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The profile JSON schema this build reads and writes.
pub const SCHEMA: u32 = 1;
/// Longest profile name, title or description (they are shown on the page).
const NAME_MAX: usize = 40;
const TEXT_MAX: usize = 400;
const SOURCE_MAX: usize = 600;

/// What one parameter of a model is: its key, unit, allowed range and meaning.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct ParamSpec {
    pub key: &'static str,
    pub unit: &'static str,
    pub min: f64,
    pub max: f64,
    /// Whole numbers only.
    pub integer: bool,
    /// What calibration fits it to, if anything (shown as `fitted`).
    #[serde(rename = "fitted", serialize_with = "is_fitted")]
    pub fit: Option<Target>,
    pub meaning: &'static str,
}

fn is_fitted<S: serde::Serializer>(
    fit: &Option<Target>,
    s: S,
) -> std::result::Result<S::Ok, S::Error> {
    s.serialize_bool(fit.is_some())
}

/// What measured samples hold, and so what a calibration fits.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Target {
    Latency,
    Energy,
}

impl ParamSpec {
    pub const fn new(
        key: &'static str,
        unit: &'static str,
        min: f64,
        max: f64,
        meaning: &'static str,
    ) -> ParamSpec {
        ParamSpec { key, unit, min, max, integer: false, fit: None, meaning }
    }

    pub const fn integer(self) -> ParamSpec {
        ParamSpec { integer: true, ..self }
    }

    /// Calibration fits it to measured `target`s.
    pub const fn fits(self, target: Target) -> ParamSpec {
        ParamSpec { fit: Some(target), ..self }
    }

    pub fn allowed(&self) -> String {
        let kind = if self.integer { "a whole number" } else { "a number" };
        format!("{kind} in {}..={} {}", fmt_num(self.min), fmt_num(self.max), self.unit)
    }

    /// Checks a value against the range; the error names the profile's field.
    pub fn check(&self, value: f64) -> Result<f64> {
        let ok = value.is_finite()
            && value >= self.min
            && value <= self.max
            && (!self.integer || value.fract() == 0.0);
        if ok {
            Ok(value)
        } else {
            Err(Error::field(format!("params.{}", self.key), fmt_num(value), self.allowed()))
        }
    }
}

/// Numbers as people write them: 128, 0.99, 1e-6.
pub fn fmt_num(v: f64) -> String {
    if v.is_finite() && v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}

/// One parameter as JSON holds it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ParamValue {
    pub value: f64,
    /// Optional in input; when given it must be the model's unit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    /// Where the number comes from (paper, datasheet, measurement, fit).
    #[serde(default)]
    pub source: String,
}

/// An unchecked profile, as JSON holds it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProfileParams {
    pub schema: u32,
    pub name: String,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub description: String,
    pub model: ModelKind,
    pub params: BTreeMap<String, ParamValue>,
}

impl ProfileParams {
    /// Reads profile JSON; syntax errors name line and column.
    pub fn from_json(text: &str) -> Result<ProfileParams> {
        if text.len() > 64 * 1024 {
            return Err(Error::field(
                "profile JSON",
                format!("{} bytes", text.len()),
                "at most 65536 bytes",
            ));
        }
        let mut params: ProfileParams = serde_json::from_str(text).map_err(|e| {
            Error::Invalid(format!("profile JSON, line {} column {}: {e}", e.line(), e.column()))
        })?;
        params.upgrade();
        Ok(params)
    }

    /// Reads a profile written by an earlier build as it was priced then (each kind
    /// says how: [`DeviceKind::upgrade`](super::kind::DeviceKind::upgrade)).
    pub fn upgrade(&mut self) {
        self.model.upgrade(&mut self.params);
    }

    /// Profile edits as keys of this build (an edit of a key an earlier build had).
    pub fn upgrade_edit(&self, key: &str, value: f64) -> Vec<(String, f64)> {
        self.model.upgrade_edit(key, value)
    }

    /// Checks the frame (schema, names, units, ranges) against a model's parameter
    /// list and returns the values in that list's order.
    pub(crate) fn checked_values(&self, specs: &[ParamSpec]) -> Result<Vec<f64>> {
        if self.schema != SCHEMA {
            return Err(Error::field(
                "schema",
                self.schema,
                format!("{SCHEMA} (this build reads profile schema {SCHEMA})"),
            ));
        }
        let name_ok = !self.name.is_empty()
            && self.name.len() <= NAME_MAX
            && self
                .name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_');
        if !name_ok {
            return Err(Error::field(
                "name",
                format!("'{}'", self.name),
                format!("1..={NAME_MAX} characters of a-z, 0-9, '-' and '_'"),
            ));
        }
        for (field, text) in [("title", &self.title), ("description", &self.description)] {
            if text.chars().count() > TEXT_MAX {
                return Err(Error::field(
                    field,
                    format!("{} characters", text.chars().count()),
                    format!("at most {TEXT_MAX} characters"),
                ));
            }
        }
        if let Some(key) = self.params.keys().find(|k| !specs.iter().any(|s| s.key == k.as_str())) {
            let keys: Vec<&str> = specs.iter().map(|s| s.key).collect();
            return Err(Error::field(
                format!("params.{}", truncate(key, 40)),
                "unknown",
                format!("one of {}", keys.join(", ")),
            ));
        }
        specs
            .iter()
            .map(|spec| {
                let p = self.params.get(spec.key).ok_or_else(|| {
                    Error::field(format!("params.{}", spec.key), "missing", spec.allowed())
                })?;
                if let Some(unit) = &p.unit {
                    if unit != spec.unit {
                        return Err(Error::field(
                            format!("params.{}.unit", spec.key),
                            format!("'{}'", truncate(unit, 20)),
                            format!("'{}'", spec.unit),
                        ));
                    }
                }
                if p.source.chars().count() > SOURCE_MAX {
                    return Err(Error::field(
                        format!("params.{}.source", spec.key),
                        "too long",
                        format!("at most {SOURCE_MAX} characters"),
                    ));
                }
                spec.check(p.value)
            })
            .collect()
    }
}

fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        format!("{}…", s.chars().take(n).collect::<String>())
    }
}

/// A checked parameter as the page and the CLI show it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ParamRow {
    #[serde(flatten)]
    pub spec: ParamSpec,
    pub value: f64,
    pub source: String,
}
