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
