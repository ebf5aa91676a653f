//! The CLI's arguments and run context: `--key value` options, checked
//! numbers, JSON output, profiles by name or file, and the machine and date a
//! result's provenance records. Every subcommand parses with these.

use flash_nas::hardware::calibrate::{self, Prior};
use flash_nas::hardware::{builtin, Profile};

pub fn json<T: serde::Serialize>(value: &T) -> Result<String, String> {
    serde_json::to_string_pretty(value).map_err(|e| e.to_string())
}

pub fn load_profile(name: &str) -> Result<Profile, String> {
    if name.ends_with(".json") {
        let text = std::fs::read_to_string(name).map_err(|e| format!("cannot read {name}: {e}"))?;
        Profile::from_json(&text).map_err(|e| format!("{name}: {e}"))
    } else {
        builtin(name).map_err(|e| e.to_string())
    }
}

/// Positional arguments and `--key value` options.
pub type Parsed<'a> = (Vec<&'a String>, Vec<(&'a str, &'a str)>);

/// Splits `--key value` options from positional arguments.
pub fn options<'a>(args: &'a [String], keys: &[&str]) -> Result<Parsed<'a>, String> {
    let mut positional = Vec::new();
    let mut opts = Vec::new();
    let mut i = 0;
    while i < args.len() {
        let a = &args[i];
        if let Some(key) = a.strip_prefix("--") {
            if !keys.contains(&key) {
                return Err(format!(
                    "unknown option --{key}: allowed {}",
                    keys.iter().map(|k| format!("--{k}")).collect::<Vec<_>>().join(", ")
                ));
            }
            let value = args.get(i + 1).ok_or_else(|| format!("--{key} needs a value"))?;
            opts.push((key, value.as_str()));
            i += 2;
        } else {
            positional.push(a);
            i += 1;
        }
    }
    Ok((positional, opts))
}

pub fn number<T>(opts: &[(&str, &str)], key: &str, default: T, range: (T, T)) -> Result<T, String>
where
    T: std::str::FromStr + PartialOrd + std::fmt::Display + Copy,
{
    match opts.iter().rev().find(|(k, _)| *k == key) {
        None => Ok(default),
        Some((_, v)) => match v.parse::<T>() {
            Ok(n) if n >= range.0 && n <= range.1 => Ok(n),
            _ => Err(format!("--{key} = {v} is not allowed: allowed {}..={}", range.0, range.1)),
        },
    }
}

pub fn text_opt<'a>(opts: &[(&'a str, &'a str)], key: &str) -> Option<&'a str> {
    opts.iter().rev().find(|(k, _)| *k == key).map(|(_, v)| *v)
}

/// `--prior W`, a calibration's pull towards its start (the core checks the range).
pub fn prior_opt(opts: &[(&str, &str)], default: Prior) -> Result<Prior, String> {
    let Some(t) = text_opt(opts, "prior") else { return Ok(default) };
    let w = t.parse::<f64>().map_err(|_| {
        let (lo, hi) = calibrate::PRIOR_RANGE;
        format!("--prior {t}: allowed a number in {lo}..={hi}")
    })?;
    Prior::checked("--prior", w).map_err(|e| e.to_string())
}

/// CPU model and core count, for provenance.
pub fn machine() -> String {
    let model = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|t| {
            t.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|s| s.trim().to_string())
        })
        .unwrap_or_else(|| std::env::consts::ARCH.to_string());
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
    format!("{model}, {cores} cores ({} {})", std::env::consts::OS, std::env::consts::ARCH)
}

/// Today's UTC date as YYYY-MM-DD (Howard Hinnant's civil-from-days).
pub fn today() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let z = (secs / 86_400) as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + if m <= 2 { 1 } else { 0 };
    format!("{y:04}-{m:02}-{d:02}")
}
