#![cfg(not(target_arch = "wasm32"))]
//! The page's controls come from the core (src/form.rs): every choice the
//! schema offers is accepted by the grammar it stands for, the text the core
//! builds from fields parses back to what the fields say, and an edit is
//! checked as a link is.

use flash_nas::form::{self, GoalForm, ShgoForm, SpaceForm};
use flash_nas::search::Goal;
use flash_nas::state::{State, PANELS, SOLVERS};
use flash_nas::SearchSpace;
use std::collections::BTreeMap;

fn changes(pairs: &[(&str, serde_json::Value)]) -> BTreeMap<String, serde_json::Value> {
    pairs.iter().map(|(k, v)| (k.to_string(), v.clone())).collect()
}

#[test]
fn every_schema_choice_is_accepted_by_the_grammar_it_stands_for() {
    let s = form::schema();
    assert!(s.objectives.len() >= 11, "max-accuracy, six min-, four pareto-");
    for o in &s.objectives {
        Goal::parse(&o.value).unwrap_or_else(|e| panic!("objective {}: {e}", o.value));
    }
    for l in &s.limits {
        let goal = format!("max-accuracy,{}{}{}", l.key, l.op, l.max);
        Goal::parse(&goal).unwrap_or_else(|e| panic!("{goal}: {e}"));
        let over = format!("max-accuracy,{}{}{}", l.key, l.op, l.max * 10.0);
        assert!(Goal::parse(&over).is_err(), "{over} is past the range the field offers");
    }
    for d in &s.datasets {
        for f in &s.families {
            let cells = flash_nas::space::Family::by_name(&f.value).unwrap().cell_limits().1.min(2);
            let text = format!("{}/{}/cells={cells}", d.value, f.value);
            SearchSpace::parse(&text).unwrap_or_else(|e| panic!("{text}: {e}"));
        }
    }
    let solvers: Vec<&str> = s.solvers.iter().map(|c| c.value.as_str()).collect();
    assert_eq!(solvers, SOLVERS);
    let panels: Vec<&str> = s.panels.iter().map(|c| c.value.as_str()).collect();
    assert_eq!(panels, PANELS);
    for set in &s.sample_sets {
        // NAS-Bench-201's sets are of its space; the others of the default.
        let space = if ["nb201", "truth"].contains(&set.value.as_str()) {
            "&space=cifar10%2Fnb201"
        } else {
            ""
        };
        let d = State::decode(&format!("v=1&samples={}{space}", set.value));
        // `own` needs rows; every other set decodes as it is.
        assert!(set.value == "own" || d.notices.is_empty(), "{}: {:?}", set.value, d.notices);
    }
    assert_eq!(s.seed.max, flash_nas::state::MAX_SEED as f64);
    assert_eq!(s.seed.default, State::default().seed as f64);
}

#[test]
fn the_shipped_sets_are_the_sample_sets_a_link_may_name() {
    let names: Vec<&str> = flash_nas::predictor::SHIPPED.iter().map(|s| s.name).collect();
    for name in &names {
        assert!(flash_nas::state::SAMPLE_SETS.contains(name), "{name}");
        let set = flash_nas::predictor::shipped(name).unwrap();
        let space = SearchSpace::parse(set.space).unwrap();
        let dataset = space.frame().dataset.name;
        let rows = flash_nas::predictor::SampleSet::from_csv(set.csv).unwrap().samples;
        assert!(
            rows.iter().all(|s| s.arch.starts_with(&format!("{dataset}/"))),
            "{name}'s CSV holds {dataset} networks"
        );
    }
    let others: Vec<&&str> =
        flash_nas::state::SAMPLE_SETS.iter().filter(|s| !names.contains(s)).collect();
    assert_eq!(others, [&"none", &"own", &"nb201", &"truth"]);
}

#[test]
fn goal_fields_and_goal_text_round_trip() {
    for text in [
        "max-accuracy",
        "min-energy,degree>=120",
        "max-accuracy,latency<=2,energy<=0.5,accuracy>=0.9",
        "pareto-latency,memory<=4",
    ] {
        let f = GoalForm::read(text);
        assert_eq!(f.text(), text);
        assert!(Goal::parse(&f.text()).is_ok());
    }
    // Read leniently while typing: a half-written limit is skipped, the rest kept.
    let f = GoalForm::read("min-latency,lat,degree>=5");
    assert_eq!(f.objective, "min-latency");
    assert_eq!(f.limits.get("degree").map(String::as_str), Some("5"));
    assert_eq!(f.limits.len(), 1);
    // Empty fields are no limit; limits are written in the grammar's order whatever the map's.
    let mut f = GoalForm { objective: "max-accuracy".into(), limits: BTreeMap::new() };
    f.limits.insert("degree".into(), "100".into());
    f.limits.insert("latency".into(), " 2 ".into());
    f.limits.insert("energy".into(), "".into());
    assert_eq!(f.text(), "max-accuracy,latency<=2,degree>=100");
}

#[test]
fn the_space_editor_writes_text_that_parses_to_its_fields() {
    let default = SearchSpace::flash_default();
    let fields = default.fields();
    let rows: Vec<Vec<String>> = fields.cells.iter().map(|c| c[..4].to_vec()).collect();
    let form = SpaceForm {
        dataset: fields.dataset.clone(),
        family: fields.family.clone(),
        cells: "3".into(),
        rows: rows.clone(),
        previous: "default".into(),
    };
    assert_eq!(SearchSpace::parse(&form.text()).unwrap(), default);
    // One range changed: only that cell's depth changes.
    let mut changed = rows.clone();
    changed[0][0] = "2..3".into();
    let text = SpaceForm { rows: changed, ..form.clone() }.text();
    let s = SearchSpace::parse(&text).unwrap();
    assert_eq!(s.count(), 2 * 8 * 50 * 4000 * 4000);
    // Frame options and strides the table does not show are kept.
    let strided =
        SearchSpace::parse("cifar10/res(shortcut=pad)/cells=4;d=1..3;w=16;s=1;c3.s=2").unwrap();
    let f = strided.fields();
    let rows: Vec<Vec<String>> = f.cells.iter().map(|c| c[..4].to_vec()).collect();
    let kept = SpaceForm {
        dataset: f.dataset,
        family: f.family,
        cells: "4".into(),
        rows,
        previous: strided.to_string(),
    };
    assert_eq!(SearchSpace::parse(&kept.text()).unwrap(), strided, "{}", kept.text());
    // A new family starts from its own skip budgets (res: every skip), not dense's 0..49.
    let res = SpaceForm { family: "res".into(), ..form.clone() }.text();
    let s = SearchSpace::parse(&res).unwrap();
    assert_eq!(s.fields().family, "res");
    assert!(s.fields().cells.iter().all(|c| c[2] == "*"), "{res}");
    // More cells than rows: the last row repeats. Mobile gets its expansion.
    let mobile = SpaceForm { family: "mobile".into(), cells: "4".into(), ..form }.text();
    let s = SearchSpace::parse(&mobile).unwrap();
    assert_eq!(s.cells().len(), 4);
    assert!(s.fields().cells.iter().all(|c| c[3] == "6"), "{mobile}");
}

#[test]
fn an_edit_is_checked_as_a_link_is_and_keeps_the_editor_rules() {
    let base = State::decode("v=1&profile=rpi4").state;
    // The default space typed out is stored as its alias.
    let d = base
        .edit(&changes(&[("space", serde_json::json!(SearchSpace::flash_default().to_string()))]));
    assert!(d.notices.is_empty());
    assert_eq!(d.state.space, "default");
    // A shipped sample set moves the default space to its own …
    let d = base.edit(&changes(&[("samples", serde_json::json!("digits"))]));
    assert_eq!(d.state.space, flash_nas::predictor::shipped("digits").unwrap().space);
    // … but not a space the person chose.
    let mine = base.edit(&changes(&[("space", serde_json::json!("mnist/dense/cells=2"))])).state;
    assert_eq!(
        mine.edit(&changes(&[("samples", serde_json::json!("digits"))])).state.space,
        "mnist/dense/cells=2"
    );
    // A bad value is named with its range, and nothing else changes.
    let d = base.edit(&changes(&[("seed", serde_json::json!("-5"))]));
    assert_eq!(d.notices.len(), 1);
    assert_eq!(d.notices[0].field, "seed");
    assert!(d.notices[0].message.contains("0..=9007199254740991"), "{}", d.notices[0].message);
    assert_eq!(d.state, State { seed: State::default().seed, ..base.clone() });
    // Lists and numbers are accepted as a page sends them.
    let d = base.edit(&changes(&[
        ("hide", serde_json::json!(["shgo", "compare"])),
        ("seed", serde_json::json!(9)),
    ]));
    assert!(d.notices.is_empty(), "{:?}", d.notices);
    assert_eq!(d.state.hide, ["compare", "shgo"]);
    assert_eq!(d.state.seed, 9);
}

#[test]
fn shgo_fields_read_and_write_the_chart_choice() {
    let f = ShgoForm::read("cell2:width,skip").unwrap();
    assert_eq!((f.level.as_str(), f.x.as_str(), f.y.as_str()), ("cell2", "width", "skip"));
    assert_eq!(form::shgo_text(&f.level, &f.x, &f.y), "cell2:width,skip");
    assert!(ShgoForm::read("shared:depth,depth").is_err(), "x and y must differ");
    let levels: Vec<String> = form::shgo_levels(3).into_iter().map(|c| c.value).collect();
    assert_eq!(levels, ["shared", "cell1", "cell2", "cell3"]);
    for l in &levels {
        assert!(ShgoForm::read(&format!("{l}:depth,width")).is_ok(), "{l}");
    }
}

#[test]
fn typed_numbers_are_checked_against_the_core_ranges() {
    assert_eq!(form::number("measure-networks", "9").unwrap(), 9);
    let e = form::number("measure-networks", "2").unwrap_err().to_string();
    assert_eq!(e, "Networks = 2 is not allowed: allowed 9..=64");
    assert_eq!(form::number("train-networks", " 20 ").unwrap(), 20);
    assert!(form::number("train-networks", "21").is_err());
    assert!(form::number("train-seed", "x").unwrap_err().to_string().contains("0..=4294967295"));
    assert!(form::number("no-such-field", "1").is_err());
    // The page's measurement and the core's sampler use the same range.
    assert!(flash_nas::playground::sample_archs("default", 8, 1).is_err());
    assert_eq!(flash_nas::playground::sample_archs("default", 9, 1).unwrap().len(), 9);
}
