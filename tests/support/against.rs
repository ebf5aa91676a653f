//! The lesson "10 measurements are enough?" computed by the core: what
//! tests/golden.rs keeps and tests/wasm.rs compares, natively and in the browser.

/// The lesson's link, its found network, and the core's figures for it (the chart's
/// bytes too).
pub fn against_measured_fingerprint() -> serde_json::Value {
    let lesson = flash_nas::lessons::shipped()
        .into_iter()
        .find(|l| l.id == "ten-measurements")
        .expect("the lesson ten-measurements is shipped");
    let view = flash_nas::playground::Playground::open(&lesson.link, None);
    let found = view.result().ok().and_then(|r| r.best.as_ref()).map(|b| b.arch.clone());
    let a = flash_nas::playground::against_measured(&view.state, 10, found.as_deref())
        .expect("the lesson's device calibrates");
    serde_json::to_value(&a).unwrap()
}
