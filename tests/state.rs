#![cfg(not(target_arch = "wasm32"))]
//! The playground state's URL form: round trips, and hostile links that keep
//! the good fields, fall back for the bad ones and say why.

use flash_nas::state::{fingerprint_of, OwnSamples, State, MAX_OWN, MAX_QUERY, VERSION};

fn custom() -> State {
    State {
        space: "mnist/res/cells=2;d=1..6;w=16..64:16".into(),
        profile: "rpi4".into(),
        params: "bandwidth_gbs=3.5".into(),
        samples: "mnist".into(),
        own: String::new(),
        goal: "max-accuracy,latency<=2,accuracy>=0.8".into(),
        knobs: String::new(),
        solver: "evolution".into(),
        seed: 9_007_199_254_740_991,
        cost: "energy".into(),
        shgo: "cell2:width,skip".into(),
        hide: vec!["compare".into(), "shgo".into()],
        ..State::default()
    }
}

#[test]
fn links_round_trip_and_write_only_what_differs() {
    assert_eq!(State::default().encode(), format!("v={VERSION}"));
    for state in [State::default(), custom()] {
        let link = state.encode();
        let back = State::decode(&format!("?{link}"));
        assert_eq!(back.notices, vec![], "{link}");
        assert_eq!(back.state, state, "{link}");
        assert_eq!(back.state.encode(), link, "the same state gives the same link");
    }
    let link = custom().encode();
    assert!(link.starts_with("v=1&space=mnist%2Fres%2Fcells%3D2%3Bd%3D1..6"), "{link}");
    let imc = State { knobs: "rows+cols=64,128;adc_bits=4..8".into(), ..State::default() };
    assert_eq!(State::decode(&imc.encode()).state, imc);
}

#[test]
fn a_bad_field_falls_back_alone_and_is_named() {
    let d = State::decode("v=1&profile=rpi4&seed=NaN&space=cifar10/dense/cells=3;d=0..4&goal=max-accuracy,latency<=abc");
    assert_eq!(d.state.profile, "rpi4", "the good field stays");
    assert_eq!(
        (d.state.seed, d.state.space.as_str(), d.state.goal.as_str()),
        (1, "default", "max-accuracy")
    );
    let fields: Vec<&str> = d.notices.iter().map(|n| n.field.as_str()).collect();
    assert_eq!(fields, ["seed", "space", "goal"]);
    assert_eq!(
        d.notices[0].message,
        "allowed an integer 0..=9007199254740991; the default is used"
    );
    assert!(
        d.notices[1].message.contains("depth d (lowest) = 0 is not allowed: allowed 1..=128")
            && d.notices[1].message.ends_with("; the default is used"),
        "{}",
        d.notices[1].message
    );
}

/// Fields fine alone but not together: when resetting one of them makes the whole valid,
/// only that one is reset (here a `params` edit whose peak compute is out of range), whatever
/// else the link holds; a link that needs more than one reset still comes out valid.
#[test]
fn a_combination_that_fails_resets_only_the_field_that_makes_it_fail() {
    let bad_params = "params=cores%3D395524%3Bops_per_cycle%3D3598.36";
    let d = State::decode(&format!(
        "v=1&space=digits%2Fres%2Fcells%3D2%3Bd%3D1..3%3Bw%3D8..32%3A8&profile=rpi3b&{bad_params}&samples=digits&goal=min-energy%2Clatency%3C%3D300"
    ));
    let fields: Vec<&str> = d.notices.iter().map(|n| n.field.as_str()).collect();
    assert_eq!(fields, ["params"]);
    assert!(d.notices[0].message.contains("peak compute"), "{}", d.notices[0].message);
    assert_eq!(
        (
            d.state.space.as_str(),
            d.state.samples.as_str(),
            d.state.goal.as_str(),
            d.state.params.as_str()
        ),
        ("digits/res/cells=2;d=1..3;w=8..32:8", "digits", "min-energy,latency<=300", "")
    );
    let d = State::decode(&format!(
        "v=1&space=cifar10%2Fnb201&profile=rpi4&latency=raspi4&samples=nb201&{bad_params}&goal=max-accuracy%2Clatency%3C%3D25"
    ));
    let fields: Vec<&str> = d.notices.iter().map(|n| n.field.as_str()).collect();
    assert_eq!(fields, ["params"]);
    assert_eq!(
        (d.state.space.as_str(), d.state.latency.as_str(), d.state.samples.as_str()),
        ("cifar10/nb201", "raspi4", "nb201")
    );
    // Two columns that do not fit a cifar100 space: no single reset helps; both are reset,
    // the benchmark's fields before the space they depend on, and the space stays.
    let d = State::decode(
        "v=1&space=cifar100%2Fnb201&latency=raspi4&samples=nb201&acc=cifar10_test_200ep",
    );
    let fields: Vec<&str> = d.notices.iter().map(|n| n.field.as_str()).collect();
    assert_eq!(fields, ["latency", "acc"]);
    assert_eq!((d.state.space.as_str(), d.state.samples.as_str()), ("cifar100/nb201", "nb201"));
    assert!(State::decode(&d.state.encode()).notices.is_empty());
}

#[test]
fn hostile_links_never_fail_and_never_echo_markup_as_state() {
    let hostile = [
        "space=<script>alert(1)</script>",
        "profile=%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E",
        "seed=99999999999999999999999999",
        "seed=-1",
        "hide=result,<b>",
        "samples=../../etc/passwd",
        "solver=exact%00",
        "goal=%E0%A4%A",
        "%ZZ=%ZZ",
        "v=2&profile=rpi4&future=1",
        "v=banana",
        "knobs=rows+cols=64",
        "&&&===",
    ];
    for link in hostile {
        let d = State::decode(link);
        assert!(!d.notices.is_empty(), "{link}: a notice says what was wrong");
        for field in
            [&d.state.space, &d.state.profile, &d.state.samples, &d.state.goal, &d.state.solver]
        {
            assert!(!field.contains('<'), "{link}: markup reached the state");
        }
        assert!(
            d.state.request(None).problem().is_ok(),
            "{link}: the state that comes out always runs"
        );
    }
    let newer = State::decode("v=2&profile=rpi4&future=1");
    assert_eq!(newer.state.profile, "rpi4");
    assert!(newer.notices[0].message.contains("newer version (schema 2)"), "{:?}", newer.notices);
    assert_eq!(newer.notices[1].field, "future");
    let knobs = State::decode("v=1&profile=rpi4&knobs=rows%2Bcols%3D64,128");
    assert_eq!(
        (knobs.state.profile.as_str(), knobs.state.knobs.as_str()),
        ("rpi4", ""),
        "knobs rpi4 lacks are dropped, the profile kept"
    );
    assert_eq!(knobs.notices.len(), 1);
    assert_eq!(knobs.notices[0].field, "knobs");
}

#[test]
fn oversized_links_and_values_are_refused_with_their_size() {
    let long = format!("v=1&goal={}", "a".repeat(MAX_QUERY));
    let d = State::decode(&long);
    assert_eq!(d.state, State::default());
    assert_eq!(d.notices.len(), 1);
    assert!(d.notices[0]
        .message
        .starts_with(&format!("the link is {} characters long: allowed at most 8192", long.len())));
    assert!(d.notices[0].value.chars().count() <= 81, "values in notices are shortened");
    let d = State::decode(&format!("v=1&profile=rpi4&space={}", "x".repeat(2000)));
    assert_eq!(d.state.profile, "rpi4");
    assert!(
        d.notices[0].message.starts_with("2000 characters: allowed at most 1024"),
        "{:?}",
        d.notices
    );
    let twice = State::decode("v=1&seed=5&seed=6");
    assert_eq!(twice.state.seed, 6);
    assert!(twice.notices[0].message.contains("more than once"));
    let unversioned = State::decode("seed=5");
    assert_eq!(unversioned.state.seed, 5);
    assert!(unversioned.notices[0].message.contains("no schema version"));
    assert_eq!(State::decode("").notices, vec![]);
}

#[test]
fn profile_edits_are_checked_against_the_profile() {
    let ok = State::decode("v=1&profile=rpi4&params=bandwidth_gbs%3D3.5");
    assert!(ok.notices.is_empty(), "{:?}", ok.notices);
    assert_eq!(ok.state.profile().unwrap().value("bandwidth_gbs"), Some(3.5));
    // Out of range, unknown key, not a number: the edits go, the profile stays, the notice says why.
    for (params, words) in [
        ("bandwidth_gbs%3D-4", "params.bandwidth_gbs"),
        ("nonsense%3D1", "params.nonsense"),
        ("bandwidth_gbs%3Dlots", "not a number"),
    ] {
        let d = State::decode(&format!("v=1&profile=rpi4&params={params}"));
        assert_eq!((d.state.profile.as_str(), d.state.params.as_str()), ("rpi4", ""), "{params}");
        assert!(
            d.notices.iter().any(|n| n.field == "params" && n.message.contains(words)),
            "{params}: {:?}",
            d.notices
        );
    }
}

#[test]
fn own_samples_travel_in_the_link_or_by_fingerprint() {
    let csv = "arch,accuracy\ndigits/dense/d2w8t2-d2w16t4,0.61\ndigits/dense/d4w16t8-d3w32t8,0.83\ndigits/dense/d3w8t0-d2w8t0,0.55\n";
    let own = OwnSamples::of_csv(csv).unwrap();
    assert!(!own.starts_with("file:"), "three rows fit in a link: {own}");
    let state = State {
        samples: "own".into(),
        own: own.clone(),
        goal: "max-accuracy,accuracy>=0.5".into(),
        ..State::default()
    };
    let back = State::decode(&state.encode());
    assert!(back.notices.is_empty(), "{:?}", back.notices);
    assert_eq!(back.state, state);
    let fitted = back.state.samples_csv(None).unwrap().unwrap();
    assert_eq!(flash_nas::predictor::SampleSet::from_csv(&fitted).unwrap().samples.len(), 3);
    // A set too large for a link is named by rows and fingerprint; the file must match it.
    let big = std::fs::read_to_string("data/samples/digits.csv").unwrap();
    let mut grown = big.clone();
    for _ in 0..2 {
        grown.push_str(
            &big.lines().filter(|l| !l.starts_with('#')).skip(1).collect::<Vec<_>>().join("\n"),
        );
        grown.push('\n');
    }
    let named = OwnSamples::of_csv(&grown).unwrap();
    assert_eq!(named, format!("file:300:{:08x}", fingerprint_of(&grown)));
    const { assert!(MAX_OWN < flash_nas::state::MAX_QUERY) };
    let linked = State { samples: "own".into(), own: named, ..State::default() };
    let d = State::decode(&linked.encode());
    assert!(d.notices.is_empty(), "{:?}", d.notices);
    assert!(d.state.samples_csv(None).unwrap_err().contains("load its CSV file"));
    assert!(d.state.samples_csv(Some(&big)).unwrap_err().contains("fingerprint"));
    assert!(
        d.state.samples_csv(Some(&grown.replace('\n', "\r\n"))).is_ok(),
        "line endings do not change the fingerprint"
    );
    // Rows that do not parse fall back to the proxy with a named notice.
    let bad = State::decode("v=1&samples=own&own=digits%2Fdense%2Fd2w8t2%400.5%7Cnope%402");
    assert_eq!(bad.state.samples, "none");
    assert!(bad.notices.iter().any(|n| n.field == "own"), "{:?}", bad.notices);
}

#[test]
fn chart_choices_are_checked() {
    let d = State::decode("v=1&cost=speed&shgo=cell0%3Adepth%2Cdepth");
    assert_eq!((d.state.cost.as_str(), d.state.shgo.as_str()), ("latency", "shared:depth,width"));
    assert_eq!(d.notices.len(), 2, "{:?}", d.notices);
    let ok = State::decode("v=1&cost=edp&shgo=cell3%3Askip%2Cwidth");
    assert!(ok.notices.is_empty(), "{:?}", ok.notices);
}

#[test]
fn a_missing_own_file_keeps_the_profile_edits() {
    // The search falls back to the NN-Degree proxy, but still on the edited profile.
    let link = "v=1&profile=rpi4&params=bandwidth_gbs%3D2&samples=own&own=file%3A300%3A0123abcd";
    let pg = flash_nas::playground::Playground::open(link, None);
    assert!(
        pg.notices.iter().any(|n| n.field == "own" && n.message.contains("load its CSV file")),
        "{:?}",
        pg.notices
    );
    let edited =
        flash_nas::playground::Playground::open("v=1&profile=rpi4&params=bandwidth_gbs%3D2", None);
    let (a, b) = (pg.result().unwrap(), edited.result().unwrap());
    assert_eq!(a.best.as_ref().unwrap().metrics, b.best.as_ref().unwrap().metrics);
}

/// FNV-1a's published test vectors (Fowler, Noll, Vo): the hash behind a link's `fp`.
#[test]
fn the_result_fingerprint_hash_is_fnv1a() {
    use flash_nas::playground::fnv1a64;
    assert_eq!(fnv1a64(b""), 0xcbf2_9ce4_8422_2325);
    assert_eq!(fnv1a64(b"a"), 0xaf63_dc4c_8601_ec8c);
    assert_eq!(fnv1a64(b"foobar"), 0x8594_4171_f739_67e8);
}

/// A link's `fp`: kept by decoding and encoding, refused with its field and form when
/// malformed, dropped by an edit that may change the result and kept by one of the view.
#[test]
fn a_links_fingerprint_is_checked_kept_and_dropped_by_edits() {
    let link = "v=1&profile=rpi4&goal=max-accuracy%2Clatency%3C%3D2&fp=92cca875";
    let d = State::decode(link);
    assert!(d.notices.is_empty(), "{:?}", d.notices);
    assert_eq!(d.state.fp, "92cca875");
    assert_eq!(d.state.encode(), link);
    for bad in ["XYZ", "92CCA875", "92cca8751", "92cca87g"] {
        let d = State::decode(&format!("v=1&fp={bad}"));
        assert_eq!(d.state.fp, "");
        assert_eq!(d.notices[0].field, "fp");
        assert!(d.notices[0].message.contains("8 hexadecimal digits"), "{:?}", d.notices);
    }
    let edit = |k: &str, v: &str| {
        let changes = std::collections::BTreeMap::from([(k.to_string(), serde_json::json!(v))]);
        State::decode(link).state.edit(&changes).state
    };
    assert_eq!(edit("goal", "min-latency").fp, "", "a new goal: another result");
    assert_eq!(edit("seed", "4").fp, "");
    assert_eq!(edit("hide", "shgo").fp, "92cca875", "hiding a panel changes no result");
    assert_eq!(edit("cost", "energy").fp, "92cca875");
}

/// Opened with its own result's fingerprint a link says nothing more; with another, it says
/// what it finds now, both fingerprints and the latest change-log entry, and the page's
/// "Copy link" link carries the fingerprint.
#[test]
fn a_link_whose_result_changed_since_it_was_copied_says_so() {
    use flash_nas::playground::Playground;
    let link = "v=1&profile=rpi4&goal=max-accuracy%2Clatency%3C%3D2";
    let pg = Playground::open(link, None);
    let fp = pg.fingerprint();
    assert_eq!(fp.len(), flash_nas::state::FP_DIGITS);
    let view = pg.view();
    assert_eq!(view.shared_link, format!("{link}&fp={fp}"));
    let same = Playground::open(&view.shared_link, None);
    assert!(same.notices.is_empty(), "{:?}", same.notices);
    assert!(same.view().result_changed.is_none());
    let other = if fp == "00000000" { "00000001" } else { "00000000" };
    let changed = Playground::open(&format!("{link}&fp={other}"), None);
    let n = changed.view().result_changed.expect("a changed result is said");
    let arch = &changed.result().unwrap().best.as_ref().unwrap().arch;
    let (date, _) = flash_nas::state::CHANGE_LOG[flash_nas::state::CHANGE_LOG.len() - 1];
    for part in [other, fp.as_str(), arch.as_str(), date] {
        assert!(n.message.contains(part), "{part} missing: {}", n.message);
    }
    // Another link's result has another fingerprint.
    let energy = Playground::open("v=1&profile=rpi4&goal=min-energy%2Cdegree%3E%3D150", None);
    assert_ne!(energy.fingerprint(), fp);
}

/// docs/state.md's change log has every entry of the core's, by date.
#[test]
fn the_change_log_in_the_docs_is_the_cores() {
    let docs = include_str!("../docs/state.md");
    let log = &docs[docs.find("**Change log.**").expect("docs/state.md has a change log")..];
    for (date, _) in flash_nas::state::CHANGE_LOG {
        assert!(
            log.contains(&format!("| {date} |")),
            "{date} is not in docs/state.md's change log"
        );
    }
}

/// A predictor rates only the data sets and families it was fitted on: outside them every
/// prediction is flagged as extrapolated, with why, on the result and in a notice (the
/// cases a lecturer found: digits rating ImageNet, MNIST rating digits, DenseNet samples
/// rating ResNets); inside them nothing is flagged for that reason.
#[test]
fn a_predictor_outside_its_data_set_or_family_flags_every_prediction() {
    use flash_nas::playground::Playground;
    let accuracy = |link: &str| {
        let pg = Playground::open(link, None);
        let acc = pg.view().best.expect("a network").accuracy.expect("a prediction");
        (acc, pg.notices)
    };
    for (link, words) in [
        (
            "v=1&space=imagenet%2Fres%2Fcells%3D4%3Bd%3D1..4%3Bw%3D64..512%3A64&samples=digits&profile=rtx3090",
            ["digits", "imagenet"],
        ),
        (
            "v=1&space=digits%2Fdense%2Fcells%3D2%3Bd%3D1..4%3Bw%3D4..16%3A4%3Bt%3D0..12&samples=mnist",
            ["mnist", "digits"],
        ),
        (
            "v=1&space=digits%2Fres%2Fcells%3D2%3Bd%3D1..4%3Bw%3D8..32%3A8&samples=digits",
            ["dense", "res"],
        ),
    ] {
        let (acc, notices) = accuracy(link);
        assert!(acc.extrapolated, "{link}");
        let why = acc.why.expect("a reason");
        assert!(words.iter().all(|w| why.contains(w)), "{link}: {why}");
        assert!(notices.iter().any(|n| n.field == "samples" && n.message.contains("extrapolates")));
    }
    // The digits set in the space its networks were drawn from: no mismatch to flag.
    let (acc, notices) = accuracy(
        "v=1&space=digits%2Fdense%2Fcells%3D2%3Bd%3D1..6%3Bw%3D4..32%3A4%3Bt%3D0..24&samples=digits",
    );
    assert!(acc.why.as_deref().is_none_or(|w| !w.contains("fitted on")), "{:?}", acc.why);
    assert!(notices.iter().all(|n| n.field != "samples"), "{notices:?}");
}

/// An accuracy is written to the precision its error allows (issue 39).
#[test]
fn a_value_is_written_to_the_precision_its_error_allows() {
    use flash_nas::playground::with_error;
    assert_eq!(with_error(0.99761, 0.049), "0.998 ± 0.05");
    assert_eq!(with_error(0.9, 0.0123), "0.9000 ± 0.012");
    assert_eq!(with_error(0.87654, 0.003), "0.8765 ± 0.003");
    assert_eq!(with_error(0.5, 0.0), "0.5000");
    assert_eq!(with_error(0.5, f64::NAN), "0.5000");
}

/// Issue 39: the comparison reads each answer's accuracy gap against the predictor's mean
/// error (the error bar the result shows); with no predictor (NN-Degree ranks) it does not.
#[test]
fn the_comparisons_accuracy_gaps_are_set_against_the_predictors_error() {
    use flash_nas::playground::Playground;
    let lesson = "v=1&space=digits%2Fdense%2Fcells%3D3%3Bd%3D2..11%3Bw%3D8..64%3A8%3Bt%3D0..49&profile=rpi4&samples=digits-flash&goal=max-accuracy%2Clatency%3C%3D0.25";
    let pg = Playground::open(lesson, None);
    let mae = pg.view().predictor.expect("a fitted predictor").uncertainty.mae;
    let c = pg.compare().unwrap();
    assert_eq!(c.score_error, Some(mae));
    let mut read = 0;
    for r in &c.rows {
        match r.score_gap {
            Some(g) => {
                assert_eq!(r.inside_error, Some(g.abs() <= mae), "{}", r.solver);
                read += 1;
            }
            None => assert_eq!(r.inside_error, None, "{}", r.solver),
        }
    }
    assert!(read >= 5, "{read} rows with a score gap");
    let degree = Playground::open("v=1&profile=rpi4&goal=max-accuracy%2Clatency%3C%3D2", None);
    let c = degree.compare_baselines().unwrap();
    assert_eq!(c.score_error, None);
    assert!(c.rows.iter().all(|r| r.inside_error.is_none()));
}

/// `vs` (a second profile's front on the Pareto chart) takes a built-in profile or
/// nothing, and, changing only the chart, keeps a link's fingerprint.
#[test]
fn a_second_front_names_a_builtin_profile_and_keeps_the_fingerprint() {
    let bad = State::decode("v=1&vs=toaster");
    assert_eq!(bad.state.vs, "");
    let n = bad.notices.iter().find(|n| n.field == "vs").expect("a notice for vs");
    assert!(n.message.contains("rpi4") && n.message.contains("empty"), "{}", n.message);
    let none = State::decode("v=1&vs=");
    assert!(none.notices.is_empty() && none.state.vs.is_empty(), "{:?}", none.notices);
    let good = State::decode("v=1&vs=rpi4&fp=0123abcd");
    assert!(good.notices.is_empty(), "{:?}", good.notices);
    assert_eq!(good.state.vs, "rpi4");
    assert_eq!(good.state.encode(), "v=1&vs=rpi4&fp=0123abcd");
    let edited = good.state.edit(&[("vs".to_string(), serde_json::json!("jetson-nano"))].into());
    assert_eq!(edited.state.fp, "0123abcd", "a view field keeps fp");
}

/// A second front on the profile on screen draws nothing new: a link asking for it is told
/// so; switching the profile to the one drawn beside it swaps the two.
#[test]
fn a_second_front_is_another_profiles() {
    let same = State::decode("v=1&profile=rpi4&vs=rpi4");
    assert_eq!(same.state.vs, "");
    assert!(same.notices.iter().any(|n| n.field == "vs" && n.message.contains("another profile")));
    let both = State::decode("v=1&goal=pareto-energy&vs=rpi4").state;
    let swapped = both.edit(&[("profile".to_string(), serde_json::json!("rpi4"))].into());
    assert!(swapped.notices.is_empty(), "{:?}", swapped.notices);
    assert_eq!((swapped.state.profile.as_str(), swapped.state.vs.as_str()), ("rpi4", "rram-imc"));
}
