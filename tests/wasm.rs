#![cfg(target_arch = "wasm32")]
//! Runs in headless Chromium (wasm-bindgen-test-runner): the core gives, in wasm,
//! exactly the numbers the native build wrote into the golden snapshots.
//!
//! The tests run in a dedicated worker, where the page runs the core too. On the page's
//! main thread a test longer than 30 s (the thousand links on a slow CI machine) stalls
//! the renderer, and chromedriver gives up on it ("Timed out receiving message from
//! renderer") before the test has failed or passed.

use flash_nas::describe::{describe, summarize};
use flash_nas::{Architecture, SearchSpace};
use wasm_bindgen::JsValue;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_dedicated_worker);

fn golden(text: &str) -> serde_json::Value {
    serde_json::from_str(text).unwrap()
}

#[wasm_bindgen_test]
fn describe_matches_the_native_golden_snapshots() {
    let cases = [
        (
            "cifar10/res(shortcut=pad)/d3w16-d3w32-d3w64",
            include_str!("golden/describe-resnet20.json"),
        ),
        (
            "cifar10/dense/d4w32t10-d6w48t20-d3w16t0",
            include_str!("golden/describe-flash-dense.json"),
        ),
    ];
    for (arch, want) in cases {
        let got = serde_json::to_value(describe(&Architecture::parse(arch).unwrap())).unwrap();
        assert_eq!(got, golden(want), "{arch}");
    }
    let got = serde_json::to_value(summarize(&SearchSpace::flash_default())).unwrap();
    assert_eq!(got, golden(include_str!("golden/space-default.json")));
}

#[wasm_bindgen_test]
fn the_shell_converts_results_and_errors() {
    let v = flash_nas::wasm::describe("cifar10/res(shortcut=pad)/d3w16-d3w32-d3w64").unwrap();
    let totals = js_sys::Reflect::get(&v, &JsValue::from_str("totals")).unwrap();
    let params = js_sys::Reflect::get(&totals, &JsValue::from_str("params")).unwrap();
    assert_eq!(params.as_f64(), Some(269_722.0));
    let s =
        flash_nas::wasm::space_summary("cifar10/dense/cells=3;d=2..11;w=8..64:8;t=0..49").unwrap();
    let count = js_sys::Reflect::get(&s, &JsValue::from_str("count")).unwrap();
    assert_eq!(count.as_string().as_deref(), Some("64000000000"));
    assert!(flash_nas::wasm::describe("cifar10/dense/d0w8").is_err());
    assert!(flash_nas::wasm::space_summary("cifar10/dense/d=9..2").is_err());
}

#[wasm_bindgen_test]
fn shgo_run_reads_a_js_spec_as_the_cli_does_and_names_a_bad_field() {
    let get = |v: &JsValue, k: &str| js_sys::Reflect::get(v, &JsValue::from_str(k)).unwrap();
    let spec = js_sys::JSON::parse(r#"{"problem": "t1", "sampling": "sobol", "n": 8}"#).unwrap();
    let report = flash_nas::wasm::shgo_run(spec).unwrap();
    assert!(get(&report, "nfev").as_f64().unwrap() > 0.0);
    let bad = js_sys::JSON::parse(r#"{"problem": "t1", "n": "x"}"#).unwrap();
    let err: JsValue = flash_nas::wasm::shgo_run(bad).unwrap_err().into();
    let message = get(&err, "message").as_string().unwrap();
    assert!(message.starts_with("spec: n: invalid type"), "{message}");
    assert!(message.ends_with("allowed 1..=100000, or null"), "{message}");
    // An unknown field is refused here as in the CLI (the JS object is read as JSON first).
    let unknown = js_sys::JSON::parse(r#"{"problem": "t1", "nn": 1}"#).unwrap();
    let err: JsValue = flash_nas::wasm::shgo_run(unknown).unwrap_err().into();
    let message = get(&err, "message").as_string().unwrap();
    assert!(message.starts_with("spec: nn: unknown field `nn`"), "{message}");
    // An `undefined` member is a field not given, as in JSON: it takes its default.
    let spec = js_sys::JSON::parse(r#"{"problem": "t1", "sampling": "sobol", "n": 8}"#).unwrap();
    js_sys::Reflect::set(&spec, &JsValue::from_str("roundoff_stop"), &JsValue::UNDEFINED).unwrap();
    let report = flash_nas::wasm::shgo_run(spec).unwrap();
    assert_eq!(get(&get(&report, "spec"), "roundoff_stop").as_bool(), Some(true));
    assert!(flash_nas::wasm::shgo_run(JsValue::UNDEFINED).is_err());
}

#[wasm_bindgen_test]
fn the_page_form_helpers_convert_to_and_from_js() {
    use flash_nas::wasm;
    let get = |v: &JsValue, k: &str| js_sys::Reflect::get(v, &JsValue::from_str(k)).unwrap();
    // The schema the page builds its controls from is the core's.
    let schema = wasm::schema().unwrap();
    let objectives = js_sys::Array::from(&get(&schema, "objectives"));
    assert_eq!(objectives.length() as usize, flash_nas::form::objectives().len());
    // An edit comes back checked, with its link; the default space is stored as the alias.
    let state = wasm::state_decode("v=1&profile=rpi4").unwrap();
    let state = get(&state, "state");
    let changes = js_sys::JSON::parse(r#"{"space": "cifar10/dense/cells=3;d=2..11;w=8..64:8;t=0..49", "seed": "7", "hide": ["shgo", "compare"]}"#).unwrap();
    let edited = wasm::state_edit(state.clone(), changes).unwrap();
    assert_eq!(
        get(&edited, "query").as_string().as_deref(),
        Some("v=1&profile=rpi4&seed=7&hide=compare%2Cshgo")
    );
    let bad = wasm::state_edit(state, js_sys::JSON::parse(r#"{"seed": "-5"}"#).unwrap()).unwrap();
    assert_eq!(js_sys::Array::from(&get(&bad, "notices")).length(), 1);
    // Goal text both ways, and a typed number checked with its range named.
    let form = wasm::goal_form("max-accuracy,latency<=2,degree>=100").unwrap();
    assert_eq!(wasm::goal_text(form).unwrap(), "max-accuracy,latency<=2,degree>=100");
    assert_eq!(wasm::form_number("train-networks", "3").unwrap(), 3.0);
    assert!(wasm::form_number("train-networks", "0").is_err());
}

#[wasm_bindgen_test]
fn batches_are_identical_to_native() {
    // The same seed draws the same configurations in wasm as natively (tests/batch.rs).
    let b = flash_nas::batch::Batch::random(&SearchSpace::flash_default(), 42, 1000);
    assert_eq!(b.degrees().to_bits(), BATCH_42_DEGREES.to_bits());
}

/// Written by the native test `batch_seed_42_degrees` (tests/batch.rs).
const BATCH_42_DEGREES: f64 = include!("golden/batch-42-degrees.txt");

#[wasm_bindgen_test]
fn shgo_in_wasm_matches_native_bit_for_bit() {
    // The native snapshot comes from tests/golden.rs (shgo_runs_match_their_snapshot).
    use flash_nas::shgo::spec::{run, Spec};
    // The same specs natively and in wasm.
    let specs: Vec<serde_json::Value> =
        serde_json::from_str(include_str!("golden/shgo-specs.json")).unwrap();
    let got: Vec<serde_json::Value> = specs
        .iter()
        .map(|s| {
            let report = run(&serde_json::from_value::<Spec>(s.clone()).unwrap()).unwrap();
            serde_json::json!({"x": report.x, "fun": report.fun, "nfev": report.nfev, "minima": report.minima})
        })
        .collect();
    assert_eq!(serde_json::Value::Array(got), golden(include_str!("golden/shgo-runs.json")));
}

#[wasm_bindgen_test]
fn hardware_costs_in_wasm_match_native_bit_for_bit() {
    // Written by tests/golden.rs (hardware_costs_match_their_snapshot).
    use flash_nas::hardware::{builtin, HardwareModel};
    let want: Vec<serde_json::Value> =
        serde_json::from_str(include_str!("golden/hardware-costs.json")).unwrap();
    for row in want {
        let p = builtin(row["profile"].as_str().unwrap()).unwrap();
        let arch = Architecture::parse(row["arch"].as_str().unwrap()).unwrap();
        assert_eq!(
            serde_json::to_value(p.cost(&arch)).unwrap(),
            row["cost"],
            "{} {}",
            row["profile"],
            row["arch"]
        );
    }
}

#[wasm_bindgen_test]
fn the_forward_pass_timer_runs_in_the_browser() {
    use flash_nas::hardware::measure::{time, Network};
    let arch = Architecture::parse("digits/res/d2w16-d2w32").unwrap();
    let net = Network::new(&arch, 1).unwrap();
    // Same weights as natively (seeded ChaCha8); the logits agree with the native
    // ones (tests/golden.rs) to rounding: the GEMM kernels differ between x86 and
    // wasm, so not bit for bit.
    let logits = net.forward();
    let want = golden(include_str!("golden/forward-logits.json"));
    assert_eq!(want["arch"], arch.to_string());
    let want: Vec<f64> =
        want["logits"].as_array().unwrap().iter().map(|v| v.as_f64().unwrap()).collect();
    assert_eq!(logits.len(), want.len());
    let scale = want.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    for (got, want) in logits.iter().zip(&want) {
        assert!((*got as f64 - want).abs() <= 1e-4 * scale, "logit {got} against native {want}");
    }
    let t = time(&net, 3).unwrap();
    assert!(t.median > 0.0 && t.min <= t.median && t.median <= t.max);
    let report = flash_nas::wasm::hw_calibrate(
        &flash_nas::wasm::hw_profile_json("device").unwrap(),
        include_str!("../data/measurements/epyc-2core-default-space.csv"),
        5,
        25,
    );
    assert!(report.is_ok());
    assert!(flash_nas::wasm::hw_cost("{\"schema\": 9}", "digits/res/d2w16").is_err());
}

#[path = "support/fingerprint.rs"]
mod fingerprint;

#[wasm_bindgen_test]
fn searches_in_wasm_match_native_bit_for_bit() {
    // Written by tests/golden.rs (search_runs_match_their_snapshot): same networks,
    // same metric bits, same evaluation counts.
    load_nb201();
    let requests: Vec<flash_nas::search::request::Request> =
        serde_json::from_str(include_str!("golden/search-requests.json")).unwrap();
    let got: Vec<serde_json::Value> =
        requests.iter().map(|r| fingerprint::search(&r.run().unwrap())).collect();
    assert_eq!(serde_json::Value::Array(got), golden(include_str!("golden/search-runs.json")));
    let bad = js_sys::JSON::parse(r#"{"goal": "max-accuracy,latency<=-1"}"#).unwrap();
    assert!(flash_nas::wasm::search_run(bad).is_err());
}

#[wasm_bindgen_test]
fn links_decode_in_wasm_as_natively() {
    // Written by tests/golden.rs (state_links_match_their_snapshot).
    let links = include_str!("golden/state-links.txt");
    let got: Vec<serde_json::Value> = links
        .lines()
        .map(|l| serde_json::json!({"link": l, "decoded": flash_nas::state::State::decode(l), "encoded": flash_nas::state::State::decode(l).state.encode()}))
        .collect();
    assert_eq!(serde_json::Value::Array(got), golden(include_str!("golden/state-links.json")));
    let decoded = flash_nas::wasm::state_decode("v=1&seed=x").unwrap();
    assert!(decoded.is_object());
    // Fields a state object leaves out take their defaults.
    let state = js_sys::JSON::parse(r#"{"space":"default","profile":"rpi4","samples":"none","goal":"max-accuracy","knobs":"","solver":"flash","seed":3,"hide":[]}"#).unwrap();
    assert_eq!(flash_nas::wasm::state_encode(state).unwrap(), "v=1&profile=rpi4&seed=3");
    assert!(
        flash_nas::wasm::state_encode(js_sys::JSON::parse(r#"{"seed": "one"}"#).unwrap()).is_err()
    );
}

#[path = "support/against.rs"]
mod against;

#[wasm_bindgen_test]
fn a_device_against_its_calibrated_model_matches_native_in_wasm() {
    // Written by tests/golden.rs (against_measured_matches_its_snapshot): the same
    // draw, fit, scores, network found and chart bytes.
    load_nb201();
    assert_eq!(
        against::against_measured_fingerprint(),
        golden(include_str!("golden/against-measured.json"))
    );
}

/// The NAS-Bench-201 columns the golden links read, through the shell as the page loads them
/// (natively they are compiled in; the page fetches them).
fn load_nb201() {
    for (name, text) in [
        ("cifar10_test_200ep", include_str!("../data/nb201/cifar10_test_200ep.csv")),
        ("cifar10_test_12ep", include_str!("../data/nb201/cifar10_test_12ep.csv")),
        ("cifar100_test_12ep", include_str!("../data/nb201/cifar100_test_12ep.csv")),
        ("lat_ms_raspi4", include_str!("../data/nb201/lat_ms_raspi4.csv")),
        ("lat_ms_2080ti_1", include_str!("../data/nb201/lat_ms_2080ti_1.csv")),
        ("lat_ms_1080ti_1", include_str!("../data/nb201/lat_ms_1080ti_1.csv")),
        // The measured devices the link corpus names (tests/golden/playground-links.txt).
        ("lat_ms_eyeriss", include_str!("../data/nb201/lat_ms_eyeriss.csv")),
        ("lat_ms_titanx_256", include_str!("../data/nb201/lat_ms_titanx_256.csv")),
        ("lat_ms_pixel2", include_str!("../data/nb201/lat_ms_pixel2.csv")),
    ] {
        flash_nas::wasm::nb201_load(name, text).unwrap();
    }
    assert!(flash_nas::wasm::nb201_missing(flash_nas::state::FIRST_SCREEN).is_empty());
    assert!(flash_nas::wasm::nb201_load("cifar10_test_200ep", "cifar10_test_200ep\n9x").is_err());
}

#[wasm_bindgen_test]
fn shared_links_give_the_native_results_and_charts_in_wasm() {
    // Written by tests/golden.rs (playground_links_match_their_snapshot and
    // playground_charts_match_their_snapshot): the same results, and the same chart bytes.
    load_nb201();
    let links = include_str!("golden/playground-links.txt");
    let want = golden(include_str!("golden/playground-views.json"));
    for (i, l) in links.lines().enumerate() {
        let got = fingerprint::playground(&flash_nas::playground::Playground::open(l, None));
        for key in ["link", "notices", "error", "truth", "fingerprint"] {
            assert_eq!(got[key], want[i][key], "{l}: {key}");
        }
        for key in
            ["message", "evaluations", "relaxed_evaluations", "local_minima", "best", "pareto"]
        {
            assert_eq!(got["result"][key], want[i]["result"][key], "{l}: {key}");
        }
    }
    let want = [
        include_str!("golden/charts/rpi4-pareto.svg"),
        include_str!("golden/charts/rpi4-shgo.svg"),
        include_str!("golden/charts/rpi4-shgo-step2.svg"),
        include_str!("golden/charts/rpi4-layers.svg"),
        include_str!("golden/charts/rpi4-diagram.svg"),
        include_str!("golden/charts/sram-pareto.svg"),
        include_str!("golden/charts/sram-predictor.svg"),
        include_str!("golden/charts/nb201-pareto.svg"),
        include_str!("golden/charts/nb201-diagram.svg"),
        include_str!("golden/charts/two-fronts-pareto.svg"),
        include_str!("golden/charts/zoomed-pareto.svg"),
    ];
    let charts = fingerprint::playground_charts();
    assert_eq!(charts.len(), want.len(), "a native golden chart is not compared here");
    for ((name, svg), want) in charts.into_iter().zip(want) {
        assert!(svg == want, "{name} differs from the native chart");
    }
    // The shell's playground object: a view, a step, the trace.
    let pg = flash_nas::wasm::Playground::new("v=1&profile=rpi4", None);
    assert!(pg.view().unwrap().is_object());
    assert!(pg.shgo_step(0).unwrap().is_object());
    assert!(pg.trace_csv().lines().count() > 10);
}

/// Every shipped lesson's claims hold in the browser, with the values observed natively
/// (tests/golden.rs writes them; tests/lessons.rs checks that each holds natively).
#[wasm_bindgen_test]
fn every_lesson_claim_holds_in_wasm_as_natively() {
    load_nb201();
    let want = golden(include_str!("golden/lesson-checks.json"));
    let mut got = Vec::new();
    for l in flash_nas::lessons::shipped() {
        for o in flash_nas::lessons::check(&l) {
            assert!(o.holds, "{}: {} ({})", l.id, o.claim, o.shown);
            got.push(serde_json::json!({"lesson": l.id, "claim": o.claim, "value": o.value, "than": o.than, "holds": o.holds}));
        }
    }
    assert_eq!(got.len(), want.as_array().unwrap().len());
    for (g, w) in got.iter().zip(want.as_array().unwrap()) {
        assert_eq!(g, w);
    }
}

#[path = "support/random_states.rs"]
mod random_states;

#[wasm_bindgen_test]
fn a_thousand_random_states_search_as_natively() {
    // Written by tests/golden.rs (random_states_match_their_snapshot).
    let want = golden(include_str!("golden/random-states.json"));
    let want = want.as_array().unwrap();
    assert_eq!(want.len(), 1000);
    for w in want {
        let link = w["link"].as_str().unwrap();
        let o = random_states::outcome(link, fingerprint::search);
        assert_eq!(random_states::digest(&o), w["digest"].as_str().unwrap(), "{link}: {o}");
    }
}
