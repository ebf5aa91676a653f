#![cfg(not(target_arch = "wasm32"))]
//! The shipped lessons: each link decodes without a notice and its search runs;
//! the first screen is the first lesson; bad lesson files are named.

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
