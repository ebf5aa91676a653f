//! Shared by tests/golden.rs (writes the snapshot) and tests/wasm.rs (replays it).

/// What a search result must reproduce exactly, natively and in wasm: the
/// networks, every metric's bits, and how many evaluations it took.
pub fn search(r: &flash_nas::search::SearchResult) -> serde_json::Value {
    let found = |f: &flash_nas::search::Found| serde_json::json!({"arch": f.arch, "hardware": f.hardware, "metrics": f.metrics});
    serde_json::json!({
        "best": r.best.as_ref().map(found),
        "feasible": r.feasible,
        "message": r.message,
        "pareto": r.pareto.iter().map(found).collect::<Vec<_>>(),
        "local_minima": r.local_minima.len(),
        "evaluations": r.evaluations,
        "relaxed_evaluations": r.relaxed_evaluations,
    })
}

/// What a shared link must reproduce: its canonical link, notices, the search.
#[allow(dead_code)]
pub fn playground(pg: &flash_nas::playground::Playground) -> serde_json::Value {
    let mut v = serde_json::json!({
        "link": pg.state.encode(),
        "notices": pg.notices,
        "result": pg.result().ok().map(search),
        "error": pg.result().err(),
        "fingerprint": pg.fingerprint(),
    });
    // NAS-Bench-201's truth beside the result (an nb201 space only).
    if let Some(t) = pg.view().truth {
        v["truth"] = serde_json::json!({
            "pick": t.pick,
            "optimum": t.optimum,
            "optimum_arch": t.optimum_arch,
            "regret": t.regret,
            "held_out_mae": t.held_out_mae,
            "held_out_kendall": t.held_out_kendall,
            "front": t.front.len(),
        });
    }
    v
}

/// The charts of fixed links, as files under tests/golden/charts/.
#[allow(dead_code)]
pub fn playground_charts() -> Vec<(&'static str, String)> {
    use flash_nas::playground::Playground;
    let a = Playground::open("v=1&profile=rpi4&goal=max-accuracy%2Clatency%3C%3D2", None).view();
    let b = Playground::open("v=1&space=digits%2Fdense%2Fcells%3D2%3Bd%3D1..6%3Bw%3D4..32%3A4%3Bt%3D0..24&profile=sram-imc&samples=digits&goal=pareto-energy&seed=7", None).view();
    let step = Playground::open("v=1&profile=rpi4&goal=max-accuracy%2Clatency%3C%3D2", None)
        .shgo_chart(Some(1))
        .map(|(c, _)| c.svg);
    let best = a.best.expect("a network");
    let n = Playground::open("v=1&space=cifar10%2Fnb201&profile=rpi4&latency=raspi4&samples=nb201&goal=max-accuracy%2Clatency%3C%3D25", None).view();
    // Two profiles' fronts (`vs`), and a score axis zoomed past a tail of poor networks.
    let two = Playground::open("v=1&space=digits%2Fdense%2Fcells%3D2%3Bd%3D1..6%3Bw%3D4..32%3A4%3Bt%3D0..24&profile=sram-imc&samples=digits&goal=pareto-energy&seed=7&vs=rpi4", None).view();
    let zoom = Playground::open("v=1&space=digits%2Fdense%2Fcells%3D3%3Bd%3D2..11%3Bw%3D8..64%3A8%3Bt%3D0..49&profile=rpi4&samples=digits-flash&goal=max-accuracy%2Clatency%3C%3D0.25", None).view();
    vec![
        ("rpi4-pareto.svg", a.pareto.expect("a chart").svg),
        ("rpi4-shgo.svg", a.shgo.expect("a chart").svg),
        ("rpi4-shgo-step2.svg", step.expect("a chart")),
        ("rpi4-layers.svg", a.layers.expect("a chart").svg),
        ("rpi4-diagram.svg", best.diagram),
        ("sram-pareto.svg", b.pareto.expect("a chart").svg),
        ("sram-predictor.svg", b.predictor.expect("a fit").chart.expect("a chart")),
        ("nb201-pareto.svg", n.pareto.expect("a chart").svg),
        ("nb201-diagram.svg", n.best.expect("a network").diagram),
        ("two-fronts-pareto.svg", two.pareto.expect("a chart").svg),
        ("zoomed-pareto.svg", zoom.pareto.expect("a chart").svg),
    ]
}
