//! What one untrusted input must satisfy, shared by the fuzz targets
//! (fuzz/fuzz_targets/*.rs, libFuzzer) and tests/fuzz.rs (which replays the
//! kept corpora and every finding on stable). A violation panics; so does any
//! panic inside the core, which is the point.
#![allow(dead_code)]

use flash_nas::predictor::{self, SampleSet};
use flash_nas::state::State;
use flash_nas::{degree, workload, Architecture, SearchSpace};

fn text(data: &[u8]) -> std::borrow::Cow<'_, str> {
    String::from_utf8_lossy(data)
}

/// A link's query: decoding never fails, and its checked state is a fixed point.
pub fn state(data: &[u8]) {
    let d = State::decode(&text(data));
    let link = d.state.encode();
    let again = State::decode(&link);
    assert_eq!(again.state, d.state, "decode(encode(s)) = s for {link}");
    assert!(
        again.notices.is_empty(),
        "a checked state's own link has notices: {link}: {:?}",
        again.notices
    );
    assert!(
        d.notices.len() <= flash_nas::state::MAX_NOTICES,
        "{} notices: they are bounded",
        d.notices.len()
    );
}

/// The architecture text form: canonical text parses back to itself; metrics are finite.
pub fn arch(data: &[u8]) {
    let Ok(a) = Architecture::parse(&text(data)) else { return };
    let canonical = a.to_string();
    let b = Architecture::parse(&canonical)
        .unwrap_or_else(|e| panic!("canonical {canonical} does not parse: {e}"));
    assert_eq!(b.to_string(), canonical);
    let t = workload::totals(a.frame(), a.cells());
    let g = degree::nn_degree(a.frame(), a.cells());
    assert!(g.is_finite() && g >= 0.0, "NN-Degree {g} of {canonical}");
    assert!(t.layers > 0);
}

/// The space text form: canonical text parses back; the count and fields agree.
pub fn space(data: &[u8]) {
    let Ok(s) = SearchSpace::parse(&text(data)) else { return };
    let canonical = s.to_string();
    let b = SearchSpace::parse(&canonical)
        .unwrap_or_else(|e| panic!("canonical {canonical} does not parse: {e}"));
    assert_eq!(b.to_string(), canonical);
    assert_eq!(b.count(), s.count());
    assert!(s.count() > 0);
    assert_eq!(s.fields().cells.len(), s.cells().len());
}

/// A sample CSV: parses or names its error; a fit of what parses has finite figures.
pub fn samples(data: &[u8]) {
    let Ok(set) = SampleSet::from_csv(&text(data)) else { return };
    if set.samples.len() < predictor::MIN_SAMPLES || set.samples.len() > 200 {
        return; // larger sets are the predictor's benchmark, not a parser's fuzz case
    }
    if let Ok(report) = predictor::fit(&set.samples) {
        for s in &set.samples {
            let p = report.chosen.predict(s.nn_degree, s.params, s.macs);
            assert!(p.is_finite(), "prediction {p} for {}", s.arch);
        }
    }
}

/// A hardware profile's JSON: checked or refused; a checked one round-trips and costs finitely.
pub fn profile(data: &[u8]) {
    let Ok(p) = flash_nas::hardware::Profile::from_json(&text(data)) else { return };
    let back = flash_nas::hardware::Profile::from_json(&p.to_json())
        .expect("a checked profile's JSON is valid");
    assert_eq!(back.to_json(), p.to_json());
    let arch = Architecture::parse("cifar10/dense/d4w32t10-d6w48t20-d3w16t0").unwrap();
    let r = flash_nas::hardware::report(&p, &arch);
    for v in [r.total.latency, r.total.energy, r.total.area, r.total.memory] {
        assert!(v.is_finite() && v >= 0.0, "{} costs {v}", p.name());
    }
}

/// Measured samples for calibration: parsed or refused; small sets are calibrated.
pub fn calibration(data: &[u8]) {
    use flash_nas::hardware::calibrate;
    let Ok(set) = calibrate::Measurements::from_csv(&text(data)) else { return };
    if set.samples.len() > 40 {
        return;
    }
    let profile = flash_nas::hardware::builtin("rpi4").unwrap();
    if let Ok(report) = calibrate::calibrate(&profile, &set.samples, 2, None) {
        assert!(report.calibrated.clone().check().is_ok(), "calibration gave an invalid profile");
    }
}

/// SHGO options as JSON (the spec `flash shgo` and `shgoRun` take): checked or refused;
/// specs within the fuzz budget (n ≤ 1,000, iters ≤ 3, one repeat) are run.
pub fn shgo(data: &[u8]) {
    let source = &mut serde_json::Deserializer::from_slice(data);
    let spec = match flash_nas::shgo::spec::parse(source) {
        Ok(spec) => spec,
        Err(e) => {
            // The message is what the CLI prints: it must not be empty.
            assert!(!e.to_string().is_empty());
            return;
        }
    };
    let small = spec.n.is_some_and(|n| n <= 1000)
        && spec.iters.is_some_and(|i| i <= 3)
        && spec.repeats <= 1
        && spec.maxfev.is_none_or(|m| m <= 100_000);
    match flash_nas::shgo::spec::check(&spec) {
        Err(_) => {}
        Ok(()) if small => {
            if let Ok(r) = flash_nas::shgo::spec::run(&spec) {
                assert!(r.fun.is_finite() || !r.success, "a success with f = {}", r.fun);
            }
        }
        Ok(()) => {}
    }
}

/// A teacher's lesson file: reading it never panics; a file it accepts has lessons with
/// distinct ids, each link a checked state.
pub fn lessons(data: &[u8]) {
    let Ok(lessons) = flash_nas::lessons::parse(&text(data)) else { return };
    assert!(!lessons.is_empty());
    let ids: std::collections::BTreeSet<&str> = lessons.iter().map(|l| l.id.as_str()).collect();
    assert_eq!(ids.len(), lessons.len(), "ids are distinct");
    for l in &lessons {
        assert!(State::decode(&l.link).notices.is_empty(), "{}", l.link);
    }
}

/// A NAS-Bench-201 data file (data/nb201/): the first byte picks a column (or the index of
/// cells), the rest is the file. Reading never panics; a column it accepts has one value
/// per cell, each within the column's range.
pub fn nb201(data: &[u8]) {
    use flash_nas::nasbench;
    let Some((&pick, rest)) = data.split_first() else { return };
    let body = text(rest);
    let columns = &nasbench::COLUMNS;
    match columns.get(pick as usize % (columns.len() + 1)) {
        Some(spec) => {
            if let Ok(column) = nasbench::parse(spec, &body) {
                assert_eq!(column.values.len(), nasbench::CELLS);
                let (lo, hi) = spec.range;
                assert!(column.values.iter().all(|v| (lo..=hi).contains(v)));
            }
        }
        None => {
            if let Ok(index) = nasbench::parse_index(&body) {
                assert_eq!(index.index.len(), nasbench::CELLS);
            }
        }
    }
}
