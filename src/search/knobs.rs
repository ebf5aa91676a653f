//! Hardware knobs: which profile parameters the search may choose, and from
//! which values. The outer level of the FLASH search visits every combination.
//!
//! ```text
//! KNOBS := KNOB (';' KNOB)*
//! KNOB  := KEY ('+' KEY)* '=' VALUES        keys joined by '+' take the same value
//! VALUES:= NUMBER (',' NUMBER)* | INT '..' INT (':' INT)?
//! ```
//! e.g. `rows+cols=64,128,256;adc_bits=4..8;bits_per_cell=1,2,4` for an IMC
//! profile, `cores=1..4;clock_ghz=0.6,1.2,1.5` for a CPU.

use crate::error::{Error, Result};
use crate::hardware::params::fmt_num;
use crate::hardware::Profile;
use serde::Serialize;

/// Most hardware configurations one search may visit.
pub const MAX_CONFIGS: usize = 512;

/// One knob: the keys it sets and the values it takes.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Knob {
    pub keys: Vec<String>,
    pub values: Vec<f64>,
}

/// One hardware configuration: the profile with the knobs set.
#[derive(Clone, Debug, PartialEq)]
pub struct Hardware {
    /// (key, value) for each knob key; empty without knobs.
    pub settings: Vec<(String, f64)>,
    pub profile: Profile,
}

impl Hardware {
    /// "rows=128 cols=128 adc_bits=5", or the profile's name without knobs.
    pub fn label(&self) -> String {
        if self.settings.is_empty() {
            return self.profile.name().to_string();
        }
        self.settings
            .iter()
            .map(|(k, v)| format!("{k}={}", fmt_num(*v)))
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// Parses the knob text form (empty text: no knobs).
pub fn parse(text: &str) -> Result<Vec<Knob>> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(Vec::new());
    }
    if text.len() > 1024 {
        return Err(Error::field(
            "knobs",
            format!("{} characters", text.len()),
            "at most 1024 characters",
        ));
    }
    let mut knobs: Vec<Knob> = Vec::new();
    let mut at = 0;
    for item in text.split(';') {
        let (keys, values) = item.split_once('=').ok_or_else(|| {
            Error::parse("knobs", at, format!("'{item}' is not KEY=VALUES (e.g. adc_bits=4..8)"))
        })?;
        let keys: Vec<String> = keys.split('+').map(|k| k.trim().to_string()).collect();
        if keys.iter().any(|k| k.is_empty()) {
            return Err(Error::parse("knobs", at, "a knob needs a parameter name before '='"));
        }
        for k in &keys {
            if knobs.iter().any(|kn| kn.keys.contains(k)) {
                return Err(Error::parse("knobs", at, format!("{k} is set by two knobs")));
            }
        }
        let values = parse_values(values.trim(), at)?;
        knobs.push(Knob { keys, values });
        at += item.len() + 1;
    }
    Ok(knobs)
}

fn parse_values(text: &str, at: usize) -> Result<Vec<f64>> {
    let bad = |what: &str| Error::parse("knobs", at, format!("'{text}': {what}"));
    let values: Vec<f64> = if let Some((lo, rest)) = text.split_once("..") {
        let (hi, step) = match rest.split_once(':') {
            Some((h, s)) => {
                (h, s.trim().parse::<u32>().map_err(|_| bad("the step is not a whole number"))?)
            }
            None => (rest, 1),
        };
        let lo: u32 =
            lo.trim().parse().map_err(|_| bad("a range takes whole numbers, LO..HI[:STEP]"))?;
        let hi: u32 =
            hi.trim().parse().map_err(|_| bad("a range takes whole numbers, LO..HI[:STEP]"))?;
        if step == 0 || lo > hi || (hi - lo) / step >= MAX_CONFIGS as u32 {
            return Err(bad(&format!(
                "a range needs LO ≤ HI, a step ≥ 1 and at most {MAX_CONFIGS} values"
            )));
        }
        (lo..=hi).step_by(step as usize).map(f64::from).collect()
    } else {
        text.split(',')
            .map(|v| {
                v.trim().parse::<f64>().map_err(|_| bad("values are numbers separated by ','"))
            })
            .collect::<Result<_>>()?
    };
    if values.is_empty() || values.len() > MAX_CONFIGS {
        return Err(bad(&format!("1..={MAX_CONFIGS} values")));
    }
    Ok(values)
}

/// Every combination of knob values applied to `profile`, each checked (a value
/// outside its parameter's range is an error naming the parameter).
pub fn configurations(profile: &Profile, knobs: &[Knob]) -> Result<Vec<Hardware>> {
    let mut total: usize = 1;
    for k in knobs {
        for key in &k.keys {
            if profile.value(key).is_none() {
                let keys: Vec<&str> = profile.specs().iter().map(|s| s.key).collect();
                return Err(Error::field(
                    format!("knob {key}"),
                    "unknown",
                    format!("a parameter of profile {}: {}", profile.name(), keys.join(", ")),
                ));
            }
        }
        total = total.saturating_mul(k.values.len());
    }
    if total > MAX_CONFIGS {
        return Err(Error::field(
            "hardware configurations (product of the knobs' value counts)",
            total,
            format!("1..={MAX_CONFIGS}"),
        ));
    }
    let mut out = Vec::with_capacity(total);
    for n in 0..total {
        let mut rest = n;
        let mut settings = Vec::new();
        // The last knob varies fastest, as in the space's configuration order.
        let mut picks = vec![0.0; knobs.len()];
        for (i, k) in knobs.iter().enumerate().rev() {
            picks[i] = k.values[rest % k.values.len()];
            rest /= k.values.len();
        }
        for (k, v) in knobs.iter().zip(&picks) {
            for key in &k.keys {
                settings.push((key.clone(), *v));
            }
        }
        let changes: Vec<(&str, f64)> = settings.iter().map(|(k, v)| (k.as_str(), *v)).collect();
        let p = profile.with_values(&changes, "set by a search knob").map_err(|e| match e {
            Error::Field { field, value, allowed } => Error::Field {
                field: format!("knob {}", field.trim_start_matches("params.")),
                value,
                allowed,
            },
            other => other,
        })?;
        out.push(Hardware { settings, profile: p });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hardware::builtin;

    #[test]
    fn knob_grids_expand_and_check_every_value() {
        let p = builtin("rram-imc").unwrap();
        let knobs = parse("rows+cols=64,128,256;adc_bits=4..8;bits_per_cell=1,2,4").unwrap();
        let hw = configurations(&p, &knobs).unwrap();
        assert_eq!(hw.len(), 45);
        assert_eq!(hw[0].label(), "rows=64 cols=64 adc_bits=4 bits_per_cell=1");
        assert_eq!(hw[44].profile.value("cols"), Some(256.0));
        let e = configurations(&p, &parse("adc_bits=2..5").unwrap()).unwrap_err().to_string();
        assert!(e.contains("knob adc_bits") && e.contains("3"), "{e}");
        let e = configurations(&p, &parse("speed=1,2").unwrap()).unwrap_err().to_string();
        assert!(e.contains("knob speed") && e.contains("rows"), "{e}");
        assert!(parse("rows=").is_err() && parse("rows=1..").is_err() && parse("=4").is_err());
        assert!(parse("rows=1;rows=2").unwrap_err().to_string().contains("two knobs"));
        assert!(parse("rows=16..2048").is_err());
        assert!(configurations(&p, &parse("rows=16..500;cols=16..500").unwrap())
            .unwrap_err()
            .to_string()
            .contains("hardware configurations"));
        assert!(parse("").unwrap().is_empty());
    }
}
