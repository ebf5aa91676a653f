#![cfg(not(target_arch = "wasm32"))]
//! Every chart the page shows says in words what it shows (its text
//! alternative): the Pareto chart its front's endpoints and the result, the
//! per-layer chart its total and slowest layer, the SHGO chart its points and minima.

use flash_nas::playground::Playground;

#[test]
fn chart_alternatives_state_what_the_charts_show() {
    let pg = Playground::open("v=1&profile=rpi4&goal=max-accuracy%2Clatency%3C%3D5", None);
    let view = pg.view();
    let result = pg.result().unwrap();
    let best = result.best.as_ref().unwrap();
    let pareto = view.pareto.expect("a Pareto chart");
    assert!(pareto.alt.contains("NN-Degree against latency"), "{}", pareto.alt);
    assert!(pareto.alt.contains(&best.arch), "{}", pareto.alt);
    // The front's endpoints, as numbers: the cheapest first.
    let numbers: Vec<f64> = pareto
        .alt
        .split(|c: char| !(c.is_ascii_digit() || c == '.'))
        .filter_map(|t| t.parse().ok())
        .collect();
    assert!(numbers.len() >= 6, "{}", pareto.alt);
    assert!(pareto.alt.contains(&format!("{:.4}", best.metrics.nn_degree)), "{}", pareto.alt);
    let layers = view.layers.expect("a per-layer chart");
    assert!(layers.alt.contains("ms in all") && layers.alt.contains("slowest"), "{}", layers.alt);
    let total_ms = best.metrics.latency_s * 1e3;
    assert!(layers.alt.contains(&format!("{total_ms:.4}")), "{} vs {total_ms}", layers.alt);
    let shgo = view.shgo.expect("an SHGO chart");
    assert!(shgo.alt.starts_with("SHGO on the shared level"), "{}", shgo.alt);
    assert!(shgo.alt.contains("local minima"), "{}", shgo.alt);
}
