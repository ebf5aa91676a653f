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

/// Counts read as words (issue 39: "1 local minima", "every 41th"), and the SHGO chart's
/// step mode shows the level's local minima at its last step, as "All" does.
#[test]
fn counts_read_as_english_and_the_last_step_shows_the_local_minima() {
    use flash_nas::chart::{count, ordinal};
    assert_eq!(count(1, "local minimum", "local minima"), "1 local minimum");
    assert_eq!(count(6, "local minimum", "local minima"), "6 local minima");
    assert_eq!(count(0, "local minimum", "local minima"), "0 local minima");
    let got: Vec<String> =
        [1, 2, 3, 4, 11, 12, 13, 21, 22, 41, 101, 111, 112, 123].map(ordinal).to_vec();
    assert_eq!(
        got,
        [
            "1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "41st", "101st",
            "111th", "112th", "123rd"
        ]
    );
    let pg = flash_nas::playground::Playground::open(
        "v=1&profile=rpi4&goal=max-accuracy%2Clatency%3C%3D5&shgo=shared%3Adepth%2Cskip",
        None,
    );
    let (all, steps) = pg.shgo_chart(None).unwrap();
    assert!(steps >= 2, "{steps} steps");
    let minima =
        |alt: &str| alt.split(", ").find(|p| p.contains("local minim")).map(str::to_string);
    let (last, _) = pg.shgo_chart(Some(steps - 1)).unwrap();
    assert_eq!(minima(&last.alt), minima(&all.alt), "{} / {}", last.alt, all.alt);
    assert!(!minima(&all.alt).unwrap().starts_with("0 "), "{}", all.alt);
    let (first, _) = pg.shgo_chart(Some(0)).unwrap();
    assert!(first.alt.contains("up to iteration 1 of"), "{}", first.alt);
}
