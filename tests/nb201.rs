#![cfg(not(target_arch = "wasm32"))]
//! NAS-Bench-201 as a family of the core: its cell strings verbatim, NN-Degree
//! on hand-computed cells, the network's counts against the benchmark's own
//! model, the data files and their checks, and the truth in the search.

use flash_nas::nasbench::{self, Figure};
use flash_nas::search::request::Request;
use flash_nas::space::nb201;
use flash_nas::state::State;
use flash_nas::{degree, workload, Architecture, SearchSpace};

const RESNET: &str =
    "|nor_conv_3x3~0|+|none~0|nor_conv_3x3~1|+|skip_connect~0|none~1|skip_connect~2|";

fn arch(cell: &str) -> Architecture {
    Architecture::parse(&format!("cifar10/nb201/{cell}")).unwrap()
}

/// NN-Degree of a cell, closed form and channel graph, and the closed form's per-cell values.
fn degrees(cell: &str) -> (f64, f64, Vec<f64>) {
    let a = arch(cell);
    let closed = degree::nn_degree(a.frame(), a.cells());
    let graph = degree::graph(&a);
    let per_cell = degree::per_cell(a.frame(), a.cells());
    assert_eq!(per_cell.len(), 15, "{cell}: 3 stages of 5 cells");
    for (c, g) in per_cell.iter().zip(&graph.cells) {
        assert!((c - g.degree).abs() < 1e-12, "{cell}: closed {c} graph {}", g.degree);
    }
    (closed, graph.nn_degree, per_cell)
}

#[test]
fn nn_degree_of_hand_computed_cells() {
    // docs/nn-degree.md, "DAG cells": ḡ = Σ over the live nodes' incoming live edges (C for a
    // convolution, 1 for a pooling or the identity) ÷ live nodes, at C = 16, 32, 64, five cells each.
    let stages = |g: &dyn Fn(f64) -> f64| 5.0 * (g(16.0) + g(32.0) + g(64.0));
    // A chain of three 3×3 convolutions: each node reads C channels.
    let chain = "|nor_conv_3x3~0|+|none~0|nor_conv_3x3~1|+|none~0|none~1|nor_conv_3x3~2|";
    let (closed, graph, cells) = degrees(chain);
    assert_eq!(closed, stages(&|c| c));
    assert_eq!(closed, 560.0);
    assert!((graph - closed).abs() < 1e-9);
    assert_eq!(cells[0], 16.0);
    // The ResNet cell: nodes 1 and 2 read C each, node 3 sums two identities: (2C + 2) / 3.
    let (closed, _, cells) = degrees(RESNET);
    assert!((closed - stages(&|c| (2.0 * c + 2.0) / 3.0)).abs() < 1e-12);
    assert!((closed - 1150.0 / 3.0).abs() < 1e-12);
    assert!((cells[14] - 130.0 / 3.0).abs() < 1e-12);
    // Every edge a 3×3 convolution: node j reads j·C, ḡ = (C + 2C + 3C) / 3 = 2C.
    let all = "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|nor_conv_3x3~0|nor_conv_3x3~1|nor_conv_3x3~2|";
    assert_eq!(degrees(all).0, stages(&|c| 2.0 * c));
    assert_eq!(degrees(all).0, 1120.0);
    // Cut off: node 3 receives only `none`: no path from input to output, no node of the graph.
    let cut = "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|none~0|none~1|none~2|";
    assert!(nb201::cut_off(&arch(cut).cells()[0].coords[..6]));
    let (closed, graph, cells) = degrees(cut);
    assert_eq!((closed, graph), (0.0, 0.0));
    assert!(cells.iter().all(|&g| g == 0.0));
    // A dead branch: node 2 is computed but never reaches the output, so only nodes 1 and 3
    // count: (C + (1 + C)) / 2 = C + 1/2.
    let dead = "|nor_conv_3x3~0|+|nor_conv_3x3~0|none~1|+|skip_connect~0|nor_conv_1x1~1|none~2|";
    assert_eq!(nb201::live(&arch(dead).cells()[0].coords[..6]), [true, true, false, true]);
    assert_eq!(degrees(dead).0, stages(&|c| c + 0.5));
}

#[test]
fn the_network_counts_what_the_benchmarks_model_has() {
    // Params and MACs of xautodl's TinyNetwork(16, 5, genotype, 10) (scripts/nb201_xautodl.py
    // counted them; docs/accuracy.md): every edge one operation, and the ResNet cell.
    let cases = [
        ("|none~0|+|none~0|none~1|+|none~0|none~1|none~2|", 73_306, 7_783_040),
        ("|skip_connect~0|+|skip_connect~0|skip_connect~1|+|skip_connect~0|skip_connect~1|skip_connect~2|", 73_306, 7_783_040),
        ("|avg_pool_3x3~0|+|avg_pool_3x3~0|avg_pool_3x3~1|+|avg_pool_3x3~0|avg_pool_3x3~1|avg_pool_3x3~2|", 73_306, 7_783_040),
        ("|nor_conv_1x1~0|+|nor_conv_1x1~0|nor_conv_1x1~1|+|nor_conv_1x1~0|nor_conv_1x1~1|nor_conv_1x1~2|", 241_306, 31_376_000),
        ("|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|nor_conv_3x3~0|nor_conv_3x3~1|nor_conv_3x3~2|", 1_531_546, 220_119_680),
        (RESNET, 559_386, 78_561_920),
    ];
    for (cell, params, macs) in cases {
        let a = arch(cell);
        let t = workload::totals(a.frame(), a.cells());
        assert_eq!((t.params, t.macs), (params, macs), "{cell}");
    }
}

#[test]
fn every_cell_string_reads_and_prints_verbatim() {
    let space = SearchSpace::parse("cifar10/nb201").unwrap();
    assert_eq!(space.count(), 15_625);
    assert_eq!(space.to_string(), "cifar10/nb201");
    let index = nasbench::index().unwrap();
    let cells = include_str!("../data/nb201/cells.csv");
    for (r, line) in cells.lines().filter(|l| !l.starts_with('#')).skip(1).enumerate() {
        let cell = line.split_once(',').unwrap().1;
        let a = arch(cell);
        assert_eq!(a.to_string(), format!("cifar10/nb201/{cell}"));
        // Row r is the space's configuration r and the file's row.
        assert_eq!(space.decode(r as u128).unwrap(), a);
        assert_eq!(nasbench::row(&a.cells()[0]), r);
        assert!(index.index[r] < 15_625);
    }
    // Errors name the place and what is allowed.
    let e = Architecture::parse("cifar10/nb201/|conv~0|+|none~0|none~1|+|none~0|none~1|none~2|")
        .unwrap_err()
        .to_string();
    assert!(e.contains("edge 1~0") && e.contains("nor_conv_3x3"), "{e}");
    let e = Architecture::parse("cifar10/nb201/|none~0|+|none~1|none~1|+|none~0|none~1|none~2|")
        .unwrap_err()
        .to_string();
    assert!(e.contains("allowed ~0"), "{e}");
    assert!(Architecture::parse("cifar10/nb201(stem=32)/".to_string().as_str()).is_err());
}

#[test]
fn spaces_restrict_the_operations_of_every_edge_or_one() {
    let s = SearchSpace::parse("cifar10/nb201/ops=nor_conv_3x3|skip_connect").unwrap();
    assert_eq!(s.count(), 64);
    assert_eq!(s.to_string(), "cifar10/nb201/ops=skip_connect|nor_conv_3x3");
    let s = SearchSpace::parse("cifar100/nb201/ops=none|nor_conv_3x3;3~0=skip_connect").unwrap();
    assert_eq!(s.count(), 32);
    assert_eq!(SearchSpace::parse(&s.to_string()).unwrap(), s);
    // Each drawn member is a member.
    let mut rng = <rand_chacha::ChaCha8Rng as rand::SeedableRng>::seed_from_u64(3);
    for _ in 0..50 {
        let a = s.sample(&mut rng);
        assert_eq!(a.cells()[0].coords[3], nb201::SKIP);
        assert!(s.index_of(a.cells()).is_some());
    }
    for (text, named) in [
        ("cifar10/nb201/ops=conv", "'conv'"),
        ("cifar10/nb201/cells=2", "number of cells"),
        ("cifar10/nb201/s=1", "unknown item 's'"),
        ("cifar10/nb201/d=2", "unknown item 'd'"),
    ] {
        let e = SearchSpace::parse(text).unwrap_err().to_string();
        assert!(e.contains(named), "{text}: {e}");
    }
}

#[test]
fn a_corrupted_column_file_is_refused_with_its_line_and_column() {
    let spec = nasbench::spec("cifar10_test_200ep", Figure::Accuracy).unwrap();
    let good = include_str!("../data/nb201/cifar10_test_200ep.csv");
    let column = nasbench::parse(spec, good).unwrap();
    assert_eq!(column.values.len(), 15_625);
    // The anchors the README gives: the best cell at 94.37 %, the ResNet cell at 93.97 %.
    let index = nasbench::index().unwrap();
    let best = (0..15_625).max_by(|&a, &b| column.values[a].total_cmp(&column.values[b])).unwrap();
    assert_eq!(index.index[best], 6111);
    assert!((column.values[best] - 94.37).abs() < 0.01);
    assert!((column.of(arch(RESNET).cells()) - 93.97).abs() < 0.01);
    let lines: Vec<&str> = good.lines().collect();
    let header = lines.iter().position(|l| *l == "cifar10_test_200ep").unwrap() + 1;
    let with = |line: usize, text: &str| -> String {
        let mut l = lines.clone();
        l[line - 1] = text;
        l.join("\n")
    };
    let at = header + 7;
    for (text, want) in [
        (with(at, "9x.1"), format!("line {at}, column 'cifar10_test_200ep'")),
        (with(at, "101"), "allowed a number in 0..=100".to_string()),
        (with(header, "accuracy"), format!("line {header}, column 'header'")),
        (lines[..lines.len() - 1].join("\n"), "ends after 15624 rows".to_string()),
        (format!("{good}\n50.0"), "more than 15625 rows".to_string()),
    ] {
        let e = nasbench::parse(spec, &text).unwrap_err().to_string();
        assert!(e.contains(&want) && e.contains("data/nb201/cifar10_test_200ep.csv"), "{e}");
    }
    // The cells file: a row whose cell string is not its row's is named.
    let cells = include_str!("../data/nb201/cells.csv");
    let bad = cells.replacen("|none~0|+|none~0|none~1|+|none~0|none~1|none~2|", RESNET, 1);
    let e = nasbench::parse_index(&bad).unwrap_err().to_string();
    assert!(e.contains("column 'arch'") && e.contains("not row 0's cell"), "{e}");
    // A name the page loads that is not a column.
    assert!(nasbench::load("cifar10_test_1ep", good).unwrap_err().to_string().contains("one of"));
}

#[test]
fn the_truth_and_measured_latency_enter_the_search() {
    let request = Request {
        space: "cifar10/nb201".into(),
        profile: "rpi4".into(),
        goal: "max-accuracy,latency<=20".into(),
        solver: "exact".into(),
        oracle: true,
        latency: Some("raspi4".into()),
        ..Request::default()
    };
    let r = request.run().unwrap();
    let best = r.best.unwrap();
    // The oracle's optimum is the best true accuracy among cells the measured Pi runs in 20 ms:
    // an independent scan of the two tables.
    let truth =
        nasbench::column(nasbench::spec("cifar10_test_200ep", Figure::Accuracy).unwrap()).unwrap();
    let latency = nasbench::column(nasbench::device("raspi4").unwrap()).unwrap();
    let want = (0..15_625)
        .filter(|&i| latency.values[i] <= 20.0)
        .map(|i| truth.values[i])
        .fold(f64::MIN, f64::max);
    assert!((best.metrics.accuracy.unwrap() - want / 100.0).abs() < 1e-12);
    assert_eq!(best.metrics.true_accuracy, best.metrics.accuracy);
    let a = Architecture::parse(&best.arch).unwrap();
    assert_eq!(best.metrics.latency_s, latency.of(a.cells()) / 1000.0);
    // Benchmark samples: the same seed draws the same cells; the fit reads them.
    let drawn =
        Request { solver: "flash".into(), oracle: false, bench_samples: Some(25), ..request };
    assert_eq!(drawn.samples().unwrap(), drawn.samples().unwrap());
    let r = drawn.run().unwrap();
    let m = r.best.unwrap().metrics;
    assert!(m.accuracy.is_some() && m.true_accuracy.is_some() && m.accuracy != m.true_accuracy);
}

#[test]
fn links_name_the_benchmark_and_refuse_what_does_not_fit_it() {
    let link = "v=1&space=cifar10%2Fnb201&profile=rpi4&latency=raspi4&samples=nb201&acc=cifar10_test_12ep&n=40&goal=max-accuracy%2Clatency%3C%3D25";
    let d = State::decode(link);
    assert!(d.notices.is_empty(), "{:?}", d.notices);
    assert_eq!(d.state.encode(), link);
    assert_eq!(d.state.columns(), vec!["cifar10_test_12ep", "lat_ms_raspi4"]);
    for (bad, field) in [
        ("v=1&samples=nb201", "samples"),
        ("v=1&space=cifar100%2Fnb201&latency=raspi4", "latency"),
        ("v=1&space=cifar10%2Fnb201&acc=cifar100_test_12ep", "acc"),
        ("v=1&space=cifar10%2Fnb201&latency=pi5", "latency"),
        ("v=1&space=cifar10%2Fnb201&samples=nb201&n=2", "n"),
        ("v=1&space=cifar10%2Fnb201%2Fops%3Dnone%7Cskip_connect&samples=nb201&n=100", "samples"),
    ] {
        let d = State::decode(bad);
        assert!(d.notices.iter().any(|n| n.field == field), "{bad}: {:?}", d.notices);
    }
    // The first choice of each select, empty, is the default: back to the profile's model
    // and the data set's longest training, without a notice.
    let mut changes = std::collections::BTreeMap::new();
    changes.insert("latency".to_string(), serde_json::json!(""));
    changes.insert("acc".to_string(), serde_json::json!(""));
    let back = d_state(link).edit(&changes);
    assert!(back.notices.is_empty(), "{:?}", back.notices);
    assert_eq!(back.state.latency, "");
    assert_eq!(back.state.acc, "");
    assert!(!back.state.encode().contains("latency=") && !back.state.encode().contains("acc="));
}

fn d_state(link: &str) -> State {
    State::decode(link).state
}

/// A measured device against its model calibrated on k of its networks: the k and
/// the judged networks split the connected cells, every figure is over the judged
/// ones (recounted here), and the network found reads its measurement from the table.
#[test]
fn a_device_model_is_judged_on_every_network_it_was_not_fitted_on() {
    use flash_nas::hardware::devices::{self, Against};
    let device = devices::find("raspi4").unwrap();
    let a = Against::run(device, 10, 3).unwrap();
    let cells = devices::networks().unwrap();
    let connected = devices::connected(&cells);
    assert_eq!(connected.len(), 15_284, "the 341 cells no path crosses are left out");
    let mut all: Vec<usize> = a.train.iter().chain(&a.test).copied().collect();
    all.sort_unstable();
    assert_eq!(all, connected, "fitted and judged split the connected cells");
    assert_eq!(a.test.len(), 15_274);
    let column = nasbench::column(nasbench::device("raspi4").unwrap()).unwrap();
    for (i, &r) in a.test.iter().enumerate().step_by(997) {
        assert_eq!(a.measured_ms[i], column.values[r]);
    }
    let within = a
        .model_ms
        .iter()
        .zip(&a.measured_ms)
        .filter(|(p, m)| ((*p - *m) / *m).abs() <= 0.1)
        .count() as f64
        / a.test.len() as f64;
    assert_eq!(a.scores().within_10, within);
    // Calibration moved the model towards the device: a lower mean error than the start.
    assert!(a.scores().mape < a.uncalibrated_scores().mape);

    let state = State::decode(
        "v=1&space=cifar10%2Fnb201&profile=rpi4&latency=raspi4&seed=3&goal=max-accuracy%2Clatency%3C%3D25",
    )
    .state;
    let found = format!("cifar10/nb201/{RESNET}");
    let page = flash_nas::playground::against_measured(&state, 10, Some(&found)).unwrap();
    // A bare cell string, as the benchmark's tables write it, is the same network.
    let bare = flash_nas::playground::against_measured(&state, 10, Some(RESNET)).unwrap();
    assert_eq!(bare.pick.unwrap().measured_ms, page.pick.as_ref().unwrap().measured_ms);
    let pick = page.pick.unwrap();
    assert_eq!(pick.measured_ms, column.of(arch(RESNET).cells()));
    assert!(pick.model_ms > 0.0 && pick.uncalibrated_ms > 0.0);
    assert_eq!(page.judged, 15_274);
    assert!(page.chart.is_some());
    // Without a measured device, and with k out of range, the error names the field.
    let no_device = State::decode("v=1&space=cifar10%2Fnb201&profile=rpi4").state;
    let e = flash_nas::playground::against_measured(&no_device, 10, None).unwrap_err().to_string();
    assert!(e.contains("latency"), "{e}");
    let e = flash_nas::playground::against_measured(&state, 2, None).unwrap_err().to_string();
    assert!(e.contains("measured networks") && e.contains("..=1000"), "{e}");
}

/// Every device's start calibrates from the fewest networks the page allows.
#[test]
fn every_measured_device_calibrates_from_the_fewest_networks_allowed() {
    use flash_nas::hardware::devices::{Against, DEVICES, K_RANGE};
    for device in &DEVICES {
        let a = Against::run(device, K_RANGE.0, 1);
        assert!(a.is_ok(), "{}: {:?}", device.name, a.err());
    }
    assert!(Against::run(&DEVICES[0], K_RANGE.0 - 1, 1).is_err());
}

/// The page's "calibrate with measured samples" pulls towards the profile as the measured
/// devices do: the report names the pull, and the fit is `flash hw calibrate --prior 3e-4`'s.
#[test]
fn the_pages_calibration_is_pulled_towards_the_profile() {
    use flash_nas::hardware::{calibrate, devices};
    let column = nasbench::column(nasbench::device("gold_6226").unwrap()).unwrap();
    let mut csv = String::from("arch,latency_ms\n");
    let rows = (0..nasbench::CELLS)
        .step_by(1301)
        .filter(|&r| !nb201::cut_off(&nasbench::cell_of_row(r)[..6]))
        .take(10);
    for r in rows {
        csv.push_str(&format!(
            "{},{}\n",
            nb201::cell_string(&nasbench::cell_of_row(r)),
            column.values[r]
        ));
    }
    let state = State::decode("v=1&space=cifar10%2Fnb201&profile=rpi4").state;
    let page = flash_nas::playground::calibrate(&state, &csv).unwrap();
    assert_eq!(page.report.prior, devices::PRIOR.weight);
    let set = calibrate::Measurements::from_csv(&csv).unwrap();
    let profile = state.profile().unwrap();
    let pulled =
        calibrate::calibrate_toward(&profile, &set.samples, 5, None, devices::PRIOR).unwrap();
    let alone = calibrate::calibrate(&profile, &set.samples, 5, None).unwrap();
    let json = |r: &calibrate::CalibrationReport| serde_json::to_string(&r.calibrated).unwrap();
    assert_eq!(json(&page.report), json(&pulled));
    assert_ne!(json(&page.report), json(&alone), "the pull changes the fit");
}
