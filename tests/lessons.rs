#![cfg(not(target_arch = "wasm32"))]
//! The shipped lessons: each link decodes without a notice and its search runs;
//! every claim a lesson's answer rests on holds, and a false one fails; the first
//! screen is the first lesson; bad lesson files are named.

use flash_nas::lessons::{self, Lesson};
use flash_nas::playground::Playground;
use flash_nas::state::{State, FIRST_SCREEN};

#[test]
fn every_shipped_lesson_opens_a_search_without_a_notice() {
    let all: Vec<Lesson> = lessons::parse(lessons::SHIPPED).unwrap();
    assert!(all.len() >= 8, "{} lessons", all.len());
    for l in &all {
        let d = State::decode(&l.link);
        assert!(d.notices.is_empty(), "{}: {:?}", l.id, d.notices);
        // Written as the page writes it, so the page's link after a lesson is the lesson's.
        assert_eq!(d.state.encode(), l.link, "{}: not the canonical form", l.id);
        let pg = Playground::open(&l.link, None);
        assert!(pg.notices.is_empty(), "{}: {:?}", l.id, pg.notices);
        let r = pg.result().unwrap_or_else(|e| panic!("{}: {e}", l.id));
        assert!(r.best.is_some(), "{}: no network", l.id);
    }
}

#[test]
fn every_shipped_lesson_has_a_hint_an_answer_and_checks_that_hold() {
    let all = lessons::shipped();
    assert!(all.len() >= 10, "{} lessons", all.len());
    let mut failed = Vec::new();
    for l in &all {
        assert!(!l.hint.is_empty() && !l.answer.is_empty(), "{}: hint and answer", l.id);
        assert!(!l.checks.is_empty(), "{}: no check", l.id);
        for o in lessons::check(l) {
            if !o.holds {
                failed.push(format!("{}: {} ({})", l.id, o.claim, o.shown));
            }
        }
    }
    assert!(failed.is_empty(), "claims that no longer hold:\n{}", failed.join("\n"));
    // The lessons the classroom asked for: zero-cost measures against the truth, and
    // how many evaluations each solver needs.
    let values: Vec<&str> =
        all.iter().flat_map(|l| l.checks.iter().map(|c| c.value.as_str())).collect();
    assert!(values.iter().any(|v| v.starts_with("rho.")), "a lesson on zero-cost measures");
    assert!(values.iter().any(|v| v.starts_with("near.")), "a lesson on evaluations needed");
}

#[test]
fn a_false_claim_fails_its_check() {
    let all = lessons::shipped();
    let mut knobs = all.iter().find(|l| l.id == "hardware-knobs").unwrap().clone();
    // Every claim turned into its opposite: none may hold.
    let opposite = |is: &str| match is {
        "<" => ">=",
        "<=" => ">",
        ">" => "<=",
        ">=" => "<",
        "=" => "!=",
        _ => "=",
    };
    for c in &mut knobs.checks {
        c.is = opposite(&c.is).to_string();
    }
    for o in lessons::check(&knobs) {
        assert!(!o.holds, "the opposite of a true claim held: {} ({})", o.claim, o.shown);
    }
    // A wrong number: 128 does not win when 256 is allowed.
    let mut wrong = all.iter().find(|l| l.id == "hardware-knobs").unwrap().clone();
    wrong.checks.truncate(1);
    wrong.checks[0].than = lessons::Than::Number(128.0);
    let o = &lessons::check(&wrong)[0];
    assert!(!o.holds && o.value == Some(256.0) && o.shown.contains("knob.rows 256 = 128"), "{o:?}");
    // A value the link cannot show fails with the reason.
    wrong.checks[0].value = "true_accuracy".into();
    let o = &lessons::check(&wrong)[0];
    assert!(!o.holds && o.shown.contains("NAS-Bench-201"), "{o:?}");
}

#[test]
fn a_bad_check_names_the_lesson_the_check_and_the_field() {
    let file = |check: &str| {
        format!(
            r#"{{"lessons": [{{"id": "a", "title": "t", "text": "x", "question": "q?", "link": "v=1", "checks": [{check}]}}]}}"#
        )
    };
    let ok = lessons::parse(&file(
        r#"{"claim": "c", "edit": "seed=2", "value": "nn_degree", "is": "<", "than": "2*lesson - lesson.latency_ms + 1"}"#,
    ));
    assert!(ok.is_ok(), "{ok:?}");
    for (check, wants) in [
        (r#"{"claim": "c", "value": "speed", "is": "<", "than": 1}"#, "check 1 value = speed"),
        (r#"{"claim": "c", "value": "gap.greedy", "is": "<", "than": 1}"#, "SOLVER"),
        (r#"{"claim": "c", "value": "feasible", "is": "==", "than": 1}"#, "check 1 is = =="),
        (r#"{"claim": "c", "value": "feasible", "is": "=", "than": "lesson *"}"#, "check 1 than"),
        (
            r#"{"claim": "c", "value": "feasible", "is": "=", "than": "speed"}"#,
            "unknown value 'speed'",
        ),
        (
            r#"{"claim": "c", "value": "feasible", "is": "=", "than": "1 + 2 + 3 + 4 + 5"}"#,
            "at most 4",
        ),
        (
            r#"{"claim": "c", "edit": "seed=-1", "value": "feasible", "is": "=", "than": 1}"#,
            "check 1 edit",
        ),
        (r#"{"claim": "", "value": "feasible", "is": "=", "than": 1}"#, "check 1 claim"),
    ] {
        let e = lessons::parse(&file(check)).unwrap_err().to_string();
        assert!(e.contains("lesson 'a'") && e.contains(wants), "{check}: {e}");
    }
}

#[test]
fn the_first_screen_is_the_first_lesson_and_its_limit_binds() {
    let first = &lessons::shipped()[0];
    assert_eq!(first.link, FIRST_SCREEN);
    let pg = Playground::open(FIRST_SCREEN, None);
    let r = pg.result().unwrap();
    assert!(r.feasible);
    assert!(r.binding.iter().any(|b| b.binds), "a trade-off: the limit binds ({:?})", r.binding);
    // FLASH against the truth: the pick's true accuracy beside the best the benchmark
    // knows under the same limit, which is never below it.
    let truth = pg.view().truth.expect("an nb201 space shows the truth");
    let (pick, optimum) = (truth.pick.unwrap(), truth.optimum.unwrap());
    assert!(optimum >= pick && (truth.regret.unwrap() - 100.0 * (optimum - pick)).abs() < 1e-9);
    assert!(truth.held_out_cells > 15_000 && truth.held_out_mae.unwrap() > 0.0);
    // The empty link keeps its meaning (the state's defaults), so shared links do not change.
    assert_eq!(State::decode("v=1").state, State::default());
}

#[test]
fn a_bad_lesson_file_names_the_lesson_and_the_field() {
    let lesson = |id: &str, link: &str| {
        format!(
            r#"{{"id": "{id}", "title": "t", "text": "x", "question": "q?", "link": "{link}"}}"#
        )
    };
    let file = |items: &[String]| format!(r#"{{"lessons": [{}]}}"#, items.join(","));
    let e = lessons::parse(&file(&[lesson("ok", "v=1"), lesson("bad", "v=1&seed=-1")]))
        .unwrap_err()
        .to_string();
    assert!(e.contains("lesson 'bad' link") && e.contains("seed"), "{e}");
    let e =
        lessons::parse(&file(&[lesson("a", "v=1"), lesson("a", "v=1")])).unwrap_err().to_string();
    assert!(e.contains("lesson id = a"), "{e}");
    let e = lessons::parse(&file(&[lesson("Bad Id", "v=1")])).unwrap_err().to_string();
    assert!(e.contains("lowercase"), "{e}");
    assert!(lessons::parse(&file(&[])).is_err());
    assert!(lessons::parse("{").unwrap_err().to_string().contains("lesson file"));
    assert!(lessons::parse(r#"{"lessons": [{"id": "a", "title": "t", "text": "x", "question": "q", "link": "v=1", "extra": 1}]}"#).is_err());
}
