#![cfg(not(target_arch = "wasm32"))]
//! Golden snapshots of what the page and `flash describe` show. A change to a
//! number shows up here as a diff; `UPDATE_GOLDEN=1 cargo test` rewrites them
//! after a deliberate change (review the diff before committing).

#[path = "support/fingerprint.rs"]
mod fingerprint;

use flash_nas::describe::{describe, summarize};
use flash_nas::{Architecture, SearchSpace};

fn check(name: &str, value: serde_json::Value) {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden").join(name);
    let text = serde_json::to_string_pretty(&value).unwrap() + "\n";
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, &text).unwrap();
    }
    let want = std::fs::read_to_string(&path)
        .unwrap_or_else(|_| panic!("missing {}; run with UPDATE_GOLDEN=1", path.display()));
    assert_eq!(
        text, want,
        "{name} changed; if deliberate, rerun with UPDATE_GOLDEN=1 and review the diff"
    );
}

#[test]
fn resnet20_description() {
    let a = Architecture::parse("cifar10/res(shortcut=pad)/d3w16-d3w32-d3w64").unwrap();
    check("describe-resnet20.json", serde_json::to_value(describe(&a)).unwrap());
}

#[test]
fn flash_example_description() {
    let a = Architecture::parse("cifar10/dense/d4w32t10-d6w48t20-d3w16t0").unwrap();
    check("describe-flash-dense.json", serde_json::to_value(describe(&a)).unwrap());
}

#[test]
fn default_space_summary() {
    check(
        "space-default.json",
        serde_json::to_value(summarize(&SearchSpace::flash_default())).unwrap(),
    );
}

/// Every shipped lesson's checks with the values they observed (tests/wasm.rs runs
/// the same checks in the browser and compares with this file); tests/lessons.rs
/// asserts that each holds.
#[test]
fn lesson_checks_match_their_snapshot() {
    let rows: Vec<serde_json::Value> = flash_nas::lessons::shipped()
        .iter()
        .flat_map(|l| {
            flash_nas::lessons::check(l).into_iter().map(|o| {
                serde_json::json!({"lesson": l.id, "claim": o.claim, "value": o.value, "than": o.than, "holds": o.holds})
            })
        })
        .collect();
    check("lesson-checks.json", serde_json::Value::Array(rows));
}

/// SHGO results, bit for bit, for tests/wasm.rs to compare against: runs
/// whose arithmetic is IEEE-exact (no libm calls), so native and wasm agree.
#[test]
fn shgo_runs_match_their_snapshot() {
    use flash_nas::shgo::spec::{run, Spec};
    // The same specs natively and in wasm.
    let specs: Vec<serde_json::Value> =
        serde_json::from_str(include_str!("golden/shgo-specs.json")).unwrap();
    let results: Vec<serde_json::Value> = specs
        .iter()
        .map(|s| {
            let report = run(&serde_json::from_value::<Spec>(s.clone()).unwrap()).unwrap();
            serde_json::json!({"x": report.x, "fun": report.fun, "nfev": report.nfev, "minima": report.minima})
        })
        .collect();
    check("shgo-runs.json", serde_json::Value::Array(results));
}

/// Every built-in profile on a few networks of every family (tests/wasm.rs
/// checks the wasm build reproduces these bit for bit).
#[test]
fn hardware_costs_match_their_snapshot() {
    use flash_nas::hardware::{builtin, profile::BUILTIN, HardwareModel};
    let archs = [
        "cifar10/dense/d4w32t10-d6w48t20-d3w16t0",
        "cifar10/res(shortcut=pad)/d3w16-d3w32-d3w64",
        "cifar10/wres(stem=16;k=10)/d4w16-d4w32-d4w64",
        "mnist/mobile(head=64)/d1w16e1-d2w24e6-d2w32e6",
    ];
    let mut rows = Vec::new();
    for (name, _) in BUILTIN {
        let p = builtin(name).unwrap();
        for arch in archs {
            rows.push(serde_json::json!({"profile": name, "arch": arch, "cost": p.cost(&flash_nas::Architecture::parse(arch).unwrap())}));
        }
    }
    check("hardware-costs.json", serde_json::Value::Array(rows));
}

#[test]
fn search_runs_match_their_snapshot() {
    // tests/wasm.rs replays the same requests in headless Chromium against this file.
    let requests: Vec<flash_nas::search::request::Request> =
        serde_json::from_str(include_str!("golden/search-requests.json")).unwrap();
    let got: Vec<serde_json::Value> =
        requests.iter().map(|r| fingerprint::search(&r.run().unwrap())).collect();
    check("search-runs.json", serde_json::Value::Array(got));
}

/// The predictor fitted to the shipped digits set: the page shows these numbers.
#[test]
fn shipped_digits_fit_matches_its_snapshot() {
    let text = std::fs::read_to_string("data/samples/digits.csv").expect("the shipped digits set");
    let set = flash_nas::predictor::SampleSet::from_csv(&text).unwrap();
    let report = flash_nas::predictor::fit(&set.samples).unwrap();
    check("fit-digits.json", serde_json::to_value(&report).unwrap());
}

/// Links decoded natively; tests/wasm.rs decodes the same links in the browser.
#[test]
fn state_links_match_their_snapshot() {
    let links = include_str!("golden/state-links.txt");
    let decoded: Vec<_> = links.lines().map(|l| serde_json::json!({"link": l, "decoded": flash_nas::state::State::decode(l), "encoded": flash_nas::state::State::decode(l).state.encode()})).collect();
    check("state-links.json", serde_json::Value::Array(decoded));
}

/// The "10 measurements are enough?" lesson's device against its model calibrated
/// on 10 of its networks, natively; tests/wasm.rs computes the same in the browser.
/// (Its correctness: tests/cli.rs, `hw_validate_one_draw_is_what_the_page_shows`, and
/// tests/nb201.rs.)
#[test]
fn against_measured_matches_its_snapshot() {
    check("against-measured.json", against_measured_fingerprint());
}

#[path = "support/against.rs"]
mod against;
use against::against_measured_fingerprint;

/// The playground's results for shared links, natively: the page (tests/e2e),
/// `flash playground` (tests/cli.rs) and the wasm build (tests/wasm.rs) must
/// show exactly these.
#[test]
fn playground_links_match_their_snapshot() {
    let links = include_str!("golden/playground-links.txt");
    let got: Vec<serde_json::Value> = links
        .lines()
        .map(|l| fingerprint::playground(&flash_nas::playground::Playground::open(l, None)))
        .collect();
    check("playground-views.json", serde_json::Value::Array(got));
}

/// The link corpus (docs/state.md, "Links that keep their answer") covers what a link can
/// say: every family, built-in profile, solver, sample set and objective kind, every
/// lesson's link, own samples, parameter edits, knobs, hidden panels and several seeds.
#[test]
fn the_link_corpus_covers_what_a_link_can_say() {
    use flash_nas::state::{State, SAMPLE_SETS, SOLVERS};
    use std::collections::BTreeSet;
    let links: Vec<&str> = include_str!("golden/playground-links.txt").lines().collect();
    assert!(links.len() >= 50, "{} links", links.len());
    let states: Vec<State> = links.iter().map(|l| State::decode(l).state).collect();
    let set = |f: &dyn Fn(&State) -> String| states.iter().map(f).collect::<BTreeSet<String>>();
    let families = set(&|s| {
        let text = SearchSpace::resolve(&s.space).unwrap().to_string();
        text.split('/').nth(1).unwrap().split('(').next().unwrap().to_string()
    });
    for f in flash_nas::space::Family::ALL {
        assert!(families.contains(f.name()), "no link has the family {}", f.name());
    }
    let profiles = set(&|s| s.profile.clone());
    for (name, _) in flash_nas::hardware::profile::BUILTIN {
        assert!(profiles.contains(name), "no link has the profile {name}");
    }
    let solvers = set(&|s| s.solver.clone());
    assert!(SOLVERS.iter().all(|s| solvers.contains(*s)), "{solvers:?}");
    let samples = set(&|s| s.samples.clone());
    assert!(SAMPLE_SETS.iter().all(|s| samples.contains(*s)), "{samples:?}");
    let objectives = set(&|s| s.goal.split(',').next().unwrap().to_string());
    for o in ["max-accuracy", "min-latency", "min-energy", "min-area", "min-memory", "min-edp"] {
        assert!(objectives.contains(o), "no link has the objective {o}");
    }
    assert!(objectives.contains("min-edap") && objectives.iter().any(|o| o.starts_with("pareto-")));
    for lesson in flash_nas::lessons::shipped() {
        assert!(links.contains(&lesson.link.as_str()), "lesson {} is not in the corpus", lesson.id);
    }
    for (what, has) in [
        ("own samples", states.iter().any(|s| !s.own.is_empty())),
        ("parameter edits", states.iter().any(|s| !s.params.is_empty())),
        ("knobs", states.iter().any(|s| !s.knobs.is_empty())),
        ("hidden panels", states.iter().any(|s| !s.hide.is_empty())),
        ("a measured latency device", states.iter().any(|s| !s.latency.is_empty())),
        ("a second profile's front", states.iter().any(|s| !s.vs.is_empty())),
    ] {
        assert!(has, "no link has {what}");
    }
    assert!(set(&|s| s.seed.to_string()).len() >= 5, "several seeds");
}

/// The charts the page draws for fixed links, byte for byte (tests/wasm.rs
/// draws them in the browser and compares with these files).
#[test]
fn playground_charts_match_their_snapshot() {
    for (name, svg) in fingerprint::playground_charts() {
        let path =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/charts").join(name);
        if std::env::var_os("UPDATE_GOLDEN").is_some() {
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, &svg).unwrap();
        }
        let want = std::fs::read_to_string(&path)
            .unwrap_or_else(|_| panic!("missing {}; run with UPDATE_GOLDEN=1", path.display()));
        assert!(
            svg == want,
            "{name} changed; if deliberate, rerun with UPDATE_GOLDEN=1 and look at the chart"
        );
    }
}

#[path = "support/random_states.rs"]
mod random_states;

/// 1,000 random states' searches, natively; tests/wasm.rs runs the same states in
/// the browser and must give the same digest for every one.
#[test]
fn random_states_match_their_snapshot() {
    let links = random_states::links(1000, 2027);
    let got: Vec<serde_json::Value> = links
        .iter()
        .map(|l| {
            let o = random_states::outcome(l, fingerprint::search);
            serde_json::json!({"link": l, "digest": random_states::digest(&o)})
        })
        .collect();
    check("random-states.json", serde_json::Value::Array(got));
}

/// The forward-pass timer's logits for one network, natively: tests/wasm.rs
/// computes the same pass in the browser and compares (to rounding: the GEMM
/// kernels' summation order differs between x86 and wasm). Their independent
/// check is tests/hardware.rs's naive convolution.
#[test]
fn forward_logits_match_their_snapshot() {
    let arch = Architecture::parse("digits/res/d2w16-d2w32").unwrap();
    let net = flash_nas::hardware::measure::Network::new(&arch, 1).unwrap();
    check(
        "forward-logits.json",
        serde_json::json!({"arch": arch.to_string(), "seed": 1, "logits": net.forward().to_vec()}),
    );
}
