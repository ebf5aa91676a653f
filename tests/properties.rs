#![cfg(not(target_arch = "wasm32"))]
//! Properties over random playground states (tests/support/random_states.rs):
//! links round-trip, and every search result is a member of the space that
//! meets the limits it says it meets. The text forms' round trips, NN-Degree's
//! closed form against the graph and totals against layers are in
//! tests/space.rs and tests/degree.rs; hardware totals against per-layer costs
//! in tests/hardware.rs.

#[path = "support/random_states.rs"]
mod random_states;

use flash_nas::search::goal::LIMIT_TOLERANCE;
use flash_nas::state::State;
use proptest::prelude::*;
use rand::SeedableRng;

fn state_from(seed: u64) -> State {
    random_states::random_state(&mut rand_chacha::ChaCha8Rng::seed_from_u64(seed))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(500))]

    /// parse(print(s)) = s for a state of individually valid fields; when the
    /// fields do not fit together, only the combination rule changes them, and
    /// what comes out is a fixed point.
    #[test]
    fn links_round_trip(seed in any::<u64>()) {
        let s = state_from(seed);
        let d = State::decode(&s.encode());
        if d.notices.is_empty() {
            prop_assert_eq!(&d.state, &s);
        } else {
            for n in &d.notices {
                prop_assert!(["knobs", "goal", "latency", "acc", "space", "params", "profile", "samples"].contains(&n.field.as_str()), "{}: {:?}", s.encode(), n);
            }
        }
        let again = State::decode(&d.state.encode());
        prop_assert!(again.notices.is_empty(), "{:?}", again.notices);
        prop_assert_eq!(again.state, d.state);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(150))]

    /// The network a search reports is a point of the space's lattice (so a member
    /// of the space), its text form is that point's, and when the result says it
    /// is feasible every limit holds; each binding's slack agrees with the metrics.
    #[test]
    fn results_are_members_and_meet_what_they_claim(seed in any::<u64>()) {
        let d = State::decode(&state_from(seed).encode());
        let request = d.state.request_with(None).unwrap();
        let problem = request.problem().unwrap();
        let r = request.run().unwrap();
        let Some(best) = &r.best else { return Ok(()) };
        let lat = &problem.lattice;
        prop_assert_eq!(best.config.len(), lat.dims());
        for (k, &i) in best.config.iter().enumerate() {
            prop_assert!(i < lat.len(k), "coordinate {} = {} of {}", k, i, lat.len(k));
        }
        prop_assert_eq!(&problem.arch(&best.config).to_string(), &best.arch);
        let m = best.metrics;
        if r.feasible {
            for l in &problem.goal.limits {
                let (v, lim) = (m.metric(l.metric), l.si());
                let ok = if l.metric.is_floor() { v >= lim * (1.0 - LIMIT_TOLERANCE) } else { v <= lim * (1.0 + LIMIT_TOLERANCE) };
                prop_assert!(ok, "{}: {} = {} against {}", d.state.encode(), l, v, lim);
            }
            for b in &r.binding {
                prop_assert!(b.slack >= -1e-9, "{}: {:?}", d.state.encode(), b);
            }
        }
        for p in &r.pareto {
            prop_assert!(p.verdict.feasible);
        }
    }
}
