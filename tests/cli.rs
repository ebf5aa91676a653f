#![cfg(not(target_arch = "wasm32"))]
use std::process::Command;

fn flash(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_flash")).args(args).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into(),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}

#[test]
fn help_indents_every_command_alike() {
    // The usage text is put together from each command module's own part; a
    // part whose first line lost its indent (a string continuation eats the
    // next line's leading spaces) showed up flush left.
    let (code, out, _) = flash(&["help"]);
    assert_eq!(code, 0);
    let commands: Vec<&str> = out
        .lines()
        .skip_while(|l| *l != "usage:")
        .filter(|l| l.trim_start().starts_with("flash "))
        .collect();
    assert!(commands.len() >= 20, "{out}");
    for line in commands {
        assert!(line.starts_with("  flash "), "not indented like the others: {line:?}");
    }
}

#[test]
fn space_prints_the_exact_count() {
    let (code, out, _) = flash(&["space"]);
    assert_eq!(code, 0);
    assert!(out.contains("64000000000") && out.contains("4000 × 4000 × 4000"), "{out}");
    let (code, out, _) = flash(&["space", "digits/res/cells=2;d=1..4;w=16", "--json"]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["count"], "16");
}

#[test]
fn describe_is_json_with_layers_totals_and_degree() {
    let (code, out, _) = flash(&["describe", "cifar10/res(shortcut=pad)/d3w16-d3w32-d3w64"]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["totals"]["params"], 269_722);
    assert_eq!(v["layers"].as_array().unwrap().len(), 21);
    assert!(v["nn_degree"].as_f64().unwrap() > 0.0);
}

#[test]
fn degree_takes_several_architectures() {
    let (code, out, _) = flash(&["degree", "cifar10/dense/d2w8t0", "cifar10/dense/d3w8t8"]);
    assert_eq!(code, 0);
    assert_eq!(out.lines().count(), 2);
    assert!(out.starts_with("8.0000\t[8.0000]"), "{out}");
}

#[test]
fn fit_reads_a_csv() {
    let dir = std::env::temp_dir().join(format!("flash-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("s.csv");
    std::fs::write(&path, "arch,accuracy\ncifar10/dense/d2w8t0,0.5\ncifar10/dense/d4w16t8,0.6\ncifar10/dense/d6w32t20,0.7\ncifar10/dense/d8w48t30,0.72\n").unwrap();
    let (code, out, err) = flash(&["fit", path.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["samples"], 4);
    assert_eq!(
        v["candidates"].as_array().unwrap().len(),
        flash_nas::predictor::ModelKind::candidates().len()
    );
}

#[test]
fn errors_go_to_stderr_with_exit_code_2() {
    for args in [
        vec!["describe", "cifar10/dense/d0w8"],
        vec!["bogus"],
        vec![],
        vec!["fit", "/nonexistent.csv"],
        vec!["space", "x/y/z"],
    ] {
        let (code, out, err) = flash(&args);
        assert_eq!(code, 2, "{args:?}");
        assert!(out.is_empty(), "{args:?}: {out}");
        assert!(err.starts_with("flash: "), "{args:?}: {err}");
    }
    let (_, _, err) = flash(&["describe", "cifar10/dense/d0w8"]);
    assert!(err.contains("cell 1 depth d = 0") && err.contains("1..=128"), "{err}");
}

#[test]
fn hw_list_show_and_cost() {
    let (code, out, _) = flash(&["hw", "list"]);
    assert_eq!(code, 0);
    for name in
        ["rram-imc", "sram-imc", "rpi3b", "rpi4", "jetson-nano", "rtx3090", "edge-tpu", "device"]
    {
        assert!(out.contains(name), "{out}");
    }
    let (code, out, _) = flash(&["hw", "show", "rram-imc"]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let rows = v["params"].as_array().unwrap();
    let adc = rows.iter().find(|r| r["key"] == "adc_bits").unwrap();
    assert_eq!(
        (adc["value"].as_f64(), adc["unit"].as_str(), adc["min"].as_f64()),
        (Some(5.0), Some("bits"), Some(3.0))
    );
    let (code, out, _) = flash(&["hw", "cost", "rpi4", "cifar10/dense/d4w32t10-d6w48t20-d3w16t0"]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let layers = v["layers"].as_array().unwrap();
    let sum: f64 = layers.iter().map(|l| l["latency_s"].as_f64().unwrap()).sum();
    let total = v["total"]["latency_s"].as_f64().unwrap();
    assert!((sum - total).abs() <= 1e-12 * total, "{sum} vs {total}");
    assert_eq!(v["roofline"].as_array().unwrap().len(), layers.len() - 1, "all but the fixed row");
    let (code, _, err) = flash(&["hw", "cost", "tpu-v9", "cifar10/dense/d2w8t0"]);
    assert_eq!(code, 2);
    assert!(err.contains("profile = tpu-v9") && err.contains("rram-imc"), "{err}");
}

#[test]
fn hw_measure_then_calibrate() {
    let dir = std::env::temp_dir().join(format!("flash-hw-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let csv = dir.join("m.csv");
    let device = dir.join("device.json");
    let (code, out, err) = flash(&[
        "hw",
        "measure",
        "--space",
        "digits/res/cells=2;d=1..3;w=8..32:8",
        "--samples",
        "12",
        "--repeats",
        "3",
        "--out",
        csv.to_str().unwrap(),
        "--profile-out",
        device.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("wrote 12 samples"));
    let text = std::fs::read_to_string(&csv).unwrap();
    assert!(text.starts_with("# flash hw measure") && text.contains("# probe: gemm_gflops="));
    assert_eq!(text.lines().filter(|l| !l.starts_with('#')).count(), 13);
    let (code, out, err) = flash(&[
        "hw",
        "calibrate",
        device.to_str().unwrap(),
        csv.to_str().unwrap(),
        "--folds",
        "4",
    ]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["folds"], 4);
    assert!(v["targets"][0]["cross_validated"]["mape"].as_f64().unwrap().is_finite());
    let (code, _, err) = flash(&["hw", "calibrate", "rpi4", csv.to_str().unwrap(), "--folds", "1"]);
    assert_eq!(code, 2);
    assert!(err.contains("--folds = 1") || err.contains("folds = 1"), "{err}");
    let (code, _, err) = flash(&["hw", "measure", "--repeats", "5"]);
    assert_eq!(code, 2);
    assert!(err.contains("needs ARCH"), "{err}");
}

/// A device's measured NAS-Bench-201 latencies, named by bare cell strings as the
/// benchmark's tables write them: 10 fit the profile, the other 30 are scored.
#[test]
fn hw_calibrate_reads_nb201_cells_and_scores_the_held_out_rows() {
    use flash_nas::nasbench;
    use flash_nas::space::nb201;
    let measured = nasbench::column(nasbench::device("raspi4").unwrap()).unwrap();
    let mut text = String::from("arch,latency_ms\n");
    // Connected cells only: a calibration leaves out a cell no path crosses, and would
    // then train on fewer than 10.
    let rows = (0..nasbench::CELLS)
        .step_by(97)
        .filter(|&r| !nb201::cut_off(&nasbench::cell_of_row(r)[..6]))
        .take(40);
    for row in rows {
        let cell = nb201::cell_string(&nasbench::cell_of_row(row));
        text.push_str(&format!("{cell},{}\n", measured.values[row]));
    }
    let dir = std::env::temp_dir().join(format!("flash-nb201-cal-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let csv = dir.join("pi.csv");
    std::fs::write(&csv, &text).unwrap();
    let (code, out, err) =
        flash(&["hw", "calibrate", "rpi4", csv.to_str().unwrap(), "--train", "10"]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let held = &v["targets"][0]["held_out"];
    assert_eq!(held["samples"], 30, "{out}");
    for key in ["spearman_rho", "kendall_tau", "mape", "within_10pct"] {
        assert!(held[key].as_f64().is_some_and(f64::is_finite), "{key}: {out}");
    }
    assert!(v.get("prior").is_none(), "the samples alone by default: {out}");
    // --prior pulls the fit towards the profile: an overwhelming pull keeps η_compute at
    // the start, which the samples alone move.
    let eta = |v: &serde_json::Value| {
        let p = v["params"].as_array().unwrap().iter().find(|p| p["key"] == "eta_compute");
        let p = p.expect("eta_compute is fitted");
        (p["before"].as_f64().unwrap(), p["after"].as_f64().unwrap())
    };
    let (start, alone) = eta(&v);
    assert!((alone / start - 1.0).abs() > 0.05, "the samples move η_compute: {out}");
    let (code, out, err) = flash(&[
        "hw",
        "calibrate",
        "rpi4",
        csv.to_str().unwrap(),
        "--train",
        "10",
        "--prior",
        "1e6",
    ]);
    assert_eq!(code, 0, "{err}");
    let held: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(held["prior"], 1e6);
    let (_, pulled) = eta(&held);
    assert!((pulled / start - 1.0).abs() < 0.05, "{start} → {pulled}");
    let (code, _, err) =
        flash(&["hw", "calibrate", "rpi4", csv.to_str().unwrap(), "--prior", "-1"]);
    assert_eq!(code, 2);
    assert!(err.contains("--prior") && err.contains("0..=1000000"), "{err}");
    // A cell string the benchmark does not have is refused with its line and column.
    std::fs::write(
        &csv,
        "arch,latency_ms\n|conv_9x9~0|+|none~0|none~1|+|none~0|none~1|none~2|,3\n",
    )
    .unwrap();
    let (code, _, err) = flash(&["hw", "calibrate", "rpi4", csv.to_str().unwrap(), "--train", "1"]);
    assert_eq!(code, 2);
    assert!(err.contains("line 2") && err.contains("arch"), "{err}");
}

/// The page's "Model against measurement" is one draw of `flash hw validate`: the
/// same seed draws the same networks, and the calibrated model scores the same.
#[test]
fn hw_validate_one_draw_is_what_the_page_shows() {
    let (code, out, err) = flash(&[
        "hw", "validate", "--device", "1080ti_1", "--k", "10", "--draws", "1", "--seed", "7",
    ]);
    assert_eq!(code, 0, "{err}");
    let rows: serde_json::Value = serde_json::from_str(&out).unwrap();
    let model = rows
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["method"] == "the model, calibrated")
        .expect("the model's row");
    let state = flash_nas::state::State::decode(
        "v=1&space=cifar10%2Fnb201&profile=rtx3090&latency=1080ti_1&seed=7",
    )
    .state;
    let page = flash_nas::playground::against_measured(&state, 10, None).unwrap();
    assert_eq!(model["spearman_median"].as_f64().unwrap(), page.calibrated.spearman);
    assert_eq!(model["mape_median"].as_f64().unwrap(), page.calibrated.mape);
    assert_eq!(model["within_10_median"].as_f64().unwrap(), page.calibrated.within_10);
}

#[test]
fn search_prints_json_a_table_and_named_errors() {
    let (code, out, _) =
        flash(&["search", "--profile", "rpi4", "--goal", "max-accuracy,latency<=5", "--seed", "3"]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["feasible"], true);
    assert!(v["best"]["metrics"]["latency_s"].as_f64().unwrap() <= 5e-3);
    assert!(SearchSpaceCheck::arch(v["best"]["arch"].as_str().unwrap()));
    let (code, out, _) = flash(&["search", "--goal", "max-accuracy,latency<=6", "--human"]);
    assert_eq!(code, 0);
    assert!(out.contains("network:") && out.contains("(binds)"), "{out}");
    let (code, out, _) = flash(&[
        "search",
        "--space",
        "digits/res/cells=2;d=1..3;w=8..16:8",
        "--goal",
        "min-latency",
        "--solver",
        "compare",
        "--human",
    ]);
    assert_eq!(code, 0);
    assert!(out.contains("exact") && out.contains("evolution ×100"), "{out}");
    for (args, want) in [
        (vec!["search", "--goal", "max-accuracy,latency<=-2"], "goal latency<="),
        (vec!["search", "--profile", "rpi4", "--goal", "min-area"], "goal area"),
        (vec!["search", "--knobs", "adc_bits=1..9"], "knob adc_bits"),
        (vec!["search", "--solver", "genius"], "solver"),
        (vec!["search", "--evaluations", "0", "--solver", "random"], "--evaluations"),
        (
            vec!["search-bench", "--suite", "codesign", "--half", "untouched"],
            "allowed tune, held-out, all or fresh",
        ),
    ] {
        let (code, _, err) = flash(&args);
        assert_eq!(code, 2, "{args:?}");
        assert!(err.contains(want), "{args:?}: {err}");
    }
}

struct SearchSpaceCheck;

impl SearchSpaceCheck {
    /// Whether the text is an architecture of FLASH's default space.
    fn arch(text: &str) -> bool {
        let a = flash_nas::Architecture::parse(text).unwrap();
        a.cells().iter().all(|c| {
            (2..=11).contains(&c.depth()) && c.width() % 8 == 0 && c.width() <= 64 && c.skip() <= 49
        })
    }
}

#[test]
fn train_writes_a_sample_csv_with_provenance_and_names_bad_options() {
    let dir = std::env::temp_dir().join(format!("flash-cli-train-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let out_path = dir.join("t.csv");
    let out_arg = out_path.to_str().unwrap();
    let (code, out, err) = flash(&[
        "train",
        "--dataset",
        "digits",
        "--arch",
        "digits/dense/d1w4t0-d1w4t2",
        "--seeds",
        "2",
        "--epochs",
        "1",
        "--jobs",
        "2",
        "--out",
        out_arg,
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("wrote 2 rows to"), "{out}");
    assert!(err.contains("2/2 ETA"), "progress on stderr: {err}");
    let text = std::fs::read_to_string(&out_path).unwrap();
    let set = flash_nas::predictor::SampleSet::from_csv(&text).unwrap();
    assert_eq!(set.samples.len(), 2);
    assert!(
        set.provenance.iter().any(|l| l.starts_with("command: flash train --dataset digits")),
        "{:?}",
        set.provenance
    );
    assert!(
        text.contains(",1,adam-lr0.003-cosine-e1-b32-shift0")
            && text.contains(",2,adam-lr0.003-cosine-e1-b32-shift0"),
        "{text}"
    );

    for (args, want) in [
        (
            vec!["train", "--dataset", "cifar10", "--out", out_arg],
            "--dataset = cifar10 is not allowed: allowed one of digits, mnist",
        ),
        (vec!["train", "--dataset", "digits"], "--out FILE.csv is required"),
        (
            vec!["train", "--dataset", "digits", "--samples", "0", "--out", out_arg],
            "--samples = 0 is not allowed: allowed 1..=10000",
        ),
        (
            vec!["train", "--dataset", "digits", "--epochs", "500", "--out", out_arg],
            "--epochs = 500 is not allowed: allowed 1..=200",
        ),
        (
            vec!["train", "--dataset", "digits", "--arch", "mnist/dense/d1w4t0", "--out", out_arg],
            "--arch mnist/dense/d1w4t0 is for mnist but --dataset is digits",
        ),
        (
            vec!["train", "--dataset", "mnist", "--data", "/nonexistent", "--out", out_arg],
            "cannot read /nonexistent/mnist10k-images-idx3-ubyte.gz",
        ),
    ] {
        let (code, _, err) = flash(&args);
        assert_eq!(code, 2, "{args:?}");
        assert!(err.contains(want), "{args:?}: {err}");
    }
}

#[test]
fn fit_takes_the_first_rows_a_noise_set_and_draws_a_chart() {
    let dir = std::env::temp_dir().join(format!("flash-cli-fit-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let svg = dir.join("chart.svg");
    let (code, out, err) = flash(&[
        "fit",
        "data/samples/digits.csv",
        "--first",
        "25",
        "--noise",
        "data/samples/digits-noise.csv",
        "--plot",
        svg.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["samples"], 25);
    assert_eq!(v["seed_noise"]["networks"], 5);
    assert_eq!(v["seed_noise"]["runs"], 15);
    assert!(std::fs::read_to_string(&svg).unwrap().matches("<circle").count() >= 25);
    let (code, _, err) =
        flash(&["fit", "data/samples/digits.csv", "--noise", "data/samples/digits.csv"]);
    assert_eq!(code, 2);
    assert!(err.contains("no network was trained more than once"), "{err}");
    let (code, _, err) = flash(&["fit", "data/samples/digits.csv", "--first", "2"]);
    assert_eq!(code, 2);
    assert!(err.contains("--first = 2 is not allowed: allowed 3..=10000"), "{err}");
}

#[test]
fn playground_reproduces_a_shared_link_like_the_page() {
    // The golden views come from Playground::open natively; the page (tests/e2e) and
    // the wasm build (tests/wasm.rs) check against the same file.
    let views: Vec<serde_json::Value> =
        serde_json::from_str(include_str!("golden/playground-views.json")).unwrap();
    let links: Vec<&str> = include_str!("golden/playground-links.txt").lines().collect();
    assert_eq!(links.len(), views.len());
    for (link, want) in links.iter().zip(&views) {
        let (code, out, err) =
            flash(&["playground", &format!("https://example.org/flash/?{link}")]);
        assert_eq!(code, 0, "{err}");
        let got: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(got["link"], want["link"]);
        assert_eq!(got["fingerprint"], want["fingerprint"], "{link}");
        let (r, w) = (&got["result"], &want["result"]);
        for key in ["message", "feasible", "evaluations", "relaxed_evaluations"] {
            assert_eq!(r[key], w[key], "{link}: {key}");
        }
        for key in ["arch", "hardware", "metrics"] {
            assert_eq!(r["best"][key], w["best"][key], "{link}: best {key}");
        }
        assert_eq!(
            r["pareto"].as_array().map(Vec::len),
            w["pareto"].as_array().map(Vec::len),
            "{link}"
        );
    }
    let (code, _, err) = flash(&["playground", "v=1", "--view", "--pytorch"]);
    assert_eq!(code, 2);
    assert!(err.contains("one of"), "{err}");
    // A link copied when its result was another says so, in the JSON and on stderr.
    let fp = want_fp(&views[1]);
    let other = if fp == "00000000" { "00000001" } else { "00000000" };
    let (code, out, err) = flash(&["playground", &format!("{}&fp={other}", links[1])]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("another result") && err.contains(&fp), "{err}");
    let got: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert!(got["notices"].as_array().unwrap().iter().any(|n| n["field"] == "fp"), "{out}");
    let (_, _, err) = flash(&["playground", &format!("{}&fp={fp}", links[1])]);
    assert!(err.is_empty(), "its own fingerprint: nothing to say: {err}");
}

fn want_fp(view: &serde_json::Value) -> String {
    view["fingerprint"].as_str().expect("a fingerprint").to_string()
}

#[test]
fn exported_pytorch_builds_every_family_with_the_workload_parameters() {
    // A shape-only stand-in for torch (tests/support/torch_shapes/check.py) runs the module.
    let dir = std::env::temp_dir().join(format!("flash-pytorch-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let nb201 = [
        ("NAS-Bench-201's ResNet cell", "cifar10/nb201/|nor_conv_3x3~0|+|none~0|nor_conv_3x3~1|+|skip_connect~0|none~1|skip_connect~2|"),
        ("every NAS-Bench-201 operation", "cifar100/nb201/|nor_conv_3x3~0|+|none~0|avg_pool_3x3~1|+|skip_connect~0|none~1|nor_conv_1x1~2|"),
        ("a cut-off NAS-Bench-201 cell", "digits/nb201/|nor_conv_3x3~0|+|nor_conv_3x3~0|none~1|+|none~0|none~1|none~2|"),
    ];
    for (name, arch) in flash_nas::space::CLASSICS.into_iter().chain(nb201) {
        let (code, code_text, err) = flash(&["pytorch", arch]);
        assert_eq!(code, 0, "{name}: {err}");
        let path = dir.join("net.py");
        std::fs::write(&path, &code_text).unwrap();
        let out = Command::new("python3")
            .arg("tests/support/torch_shapes/check.py")
            .arg(&path)
            .output()
            .expect("python3");
        assert!(out.status.success(), "{name}: {}", String::from_utf8_lossy(&out.stderr));
        let params = flash_nas::workload::totals(
            flash_nas::Architecture::parse(arch).unwrap().frame(),
            flash_nas::Architecture::parse(arch).unwrap().cells(),
        )
        .params;
        assert!(
            String::from_utf8_lossy(&out.stdout).contains(&format!("parameters={params}")),
            "{name}"
        );
    }
    // The link's text is a Python string literal, whatever it holds.
    let (code, text, _) =
        flash(&["playground", "v=1&seed=7&x=%22%22%22%27%3Bimport+os", "--pytorch"]);
    assert_eq!(code, 0);
    assert!(text.contains("LINK = \"?v=1&seed=7\""), "the link is the canonical one");
    std::fs::remove_dir_all(&dir).ok();
}

/// `flash search --trace | head -c 100`: the reader closes the pipe long before the
/// output ends; flash stops quietly (exit 0, nothing on stderr), as Unix tools do.
#[test]
fn a_closed_pipe_stops_the_output_quietly() {
    use std::io::Read;
    use std::process::Stdio;
    let mut child = Command::new(env!("CARGO_BIN_EXE_flash"))
        .args(["search", "--profile", "rpi4", "--goal", "max-accuracy,latency<=2", "--trace"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut head = [0u8; 100];
    child.stdout.take().unwrap().read_exact(&mut head).unwrap(); // then the pipe is dropped: closed
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(stderr.is_empty(), "{stderr}");
    assert!(head.starts_with(b"{"), "the output began as JSON");
}

/// A trained set with what legitimately changes between runs taken out: each
/// row's wall-clock `seconds`, and the provenance lines naming the machine and
/// the date. Everything else must match bit for bit.
fn set_bits(path: &std::path::Path) -> Vec<String> {
    let text = std::fs::read_to_string(path).unwrap();
    let seconds = flash_nas::train::record::HEADER.split(',').position(|h| h == "seconds").unwrap();
    text.lines()
        .filter(|l| !l.starts_with("# machine:") && !l.starts_with("# date:"))
        .map(|l| {
            if l.starts_with('#') {
                return l.to_string();
            }
            let mut fields: Vec<&str> = l.split(',').collect();
            fields.remove(seconds);
            fields.join(",")
        })
        .collect()
}

#[test]
fn training_gives_the_same_bits_with_one_or_two_jobs_resumed_or_sharded_and_merged() {
    let dir = std::env::temp_dir().join(format!("flash-cli-bits-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = |name: &str| dir.join(name);
    // Five small networks of the shipped digits space, one epoch each, two seeds: 10 runs.
    let args_for = |seed: &'static str, out: &std::path::Path| -> Vec<String> {
        [
            "train",
            "--dataset",
            "digits",
            "--design",
            "uniform",
            "--samples",
            "5",
            "--seed",
            seed,
            "--seeds",
            "2",
            "--epochs",
            "1",
            "--space",
            "digits/dense/cells=2;d=1..3;w=4..8:4;t=0..4",
            "--out",
        ]
        .iter()
        .map(|a| a.to_string())
        .chain([out.to_str().unwrap().to_string()])
        .collect()
    };
    let train = |out: &std::path::Path, extra: &[&str]| {
        let mut args = args_for("4", out);
        args.extend(extra.iter().map(|a| a.to_string()));
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        let (code, stdout, err) = flash(&refs);
        assert_eq!(code, 0, "{args:?}: {err}");
        stdout
    };
    for (name, jobs) in [("j1a.csv", "1"), ("j2a.csv", "2"), ("j1b.csv", "1"), ("j2b.csv", "2")] {
        train(&path(name), &["--jobs", jobs]);
    }
    let reference = set_bits(&path("j1a.csv"));
    assert_eq!(reference.iter().filter(|l| !l.starts_with('#')).count(), 11, "header + 10 rows");
    assert!(reference.iter().any(|l| l.starts_with("arch,") && l.ends_with(",naswot")));
    for name in ["j2a.csv", "j1b.csv", "j2b.csv"] {
        assert_eq!(set_bits(&path(name)), reference, "{name} against --jobs 1");
    }

    // Resume: an interrupted file (its first four rows and half of the fifth) goes on to
    // the same set.
    let whole = std::fs::read_to_string(path("j1a.csv")).unwrap();
    let rows_start = whole.find("\narch,").unwrap() + 1;
    let row_starts: Vec<usize> =
        whole[rows_start..].match_indices('\n').map(|(i, _)| rows_start + i + 1).collect();
    let cut = row_starts[4] + 20;
    std::fs::write(path("resumed.csv"), &whole[..cut]).unwrap();
    let said = train(&path("resumed.csv"), &["--jobs", "2"]);
    assert!(said.starts_with("wrote 6 rows"), "{said}");
    assert_eq!(set_bits(&path("resumed.csv")), reference, "resumed against uninterrupted");
    let said = train(&path("resumed.csv"), &["--jobs", "2"]);
    assert!(said.contains("already holds all 10 rows"), "{said}");

    // Another run's file is refused, not appended to.
    let other = args_for("5", &path("resumed.csv"));
    let (code, _, err) = flash(&other.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(code, 2);
    assert!(err.contains("already holds another run") && err.contains("--seed 4"), "{err}");

    // Three shards, merged, are the one-machine file.
    let parts: Vec<std::path::PathBuf> = (1..=3).map(|k| path(&format!("part{k}.csv"))).collect();
    for (k, part) in parts.iter().enumerate() {
        train(part, &["--jobs", "1", "--shard", &format!("{}/3", k + 1)]);
    }
    let merged = path("merged.csv");
    let mut args = vec!["train-merge"];
    args.extend(parts.iter().map(|p| p.to_str().unwrap()));
    args.extend(["--out", merged.to_str().unwrap()]);
    let (code, out, err) = flash(&args);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("merged 3 parts, 10 rows"), "{out}");
    assert_eq!(set_bits(&merged), reference, "merged shards against one machine");
    let (code, _, err) = flash(&[
        "train-merge",
        parts[0].to_str().unwrap(),
        parts[2].to_str().unwrap(),
        "--out",
        merged.to_str().unwrap(),
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("part 2/3 is missing"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn fit_report_lists_metrics_curve_held_out_fit_and_space_share_and_names_a_bad_flag() {
    let (code, out, err) = flash(&[
        "fit",
        "data/samples/digits-flash.csv",
        "--report",
        "json",
        "--fit-set",
        "data/samples/digits-flash-design.csv",
        "--space",
        "digits/dense/cells=3;d=2..11;w=8..64:8;t=0..49",
        "--splits",
        "20",
    ]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let metrics: Vec<&str> =
        v["metrics"].as_array().unwrap().iter().map(|m| m["metric"].as_str().unwrap()).collect();
    assert_eq!(metrics, ["nn_degree", "params", "macs", "synflow", "snip", "grad_norm", "naswot"]);
    let curve = v["learning_curve"].as_array().unwrap();
    for n in [5, 10, 15, 25, 50] {
        let at_n: Vec<&str> = curve
            .iter()
            .filter(|c| c["n"] == n)
            .map(|c| c["predictor"].as_str().unwrap())
            .collect();
        assert_eq!(at_n, ["auto", "log-degree", "params-only"], "n = {n}");
    }
    assert_eq!(v["held_out"]["fitted_on"], 25);
    assert_eq!(v["held_out"]["scored_on"], 100);
    assert_eq!(v["space_share"].as_array().unwrap().len(), 2);
    let (code, _, err) = flash(&["fit", "data/samples/digits-flash.csv", "--report", "yes"]);
    assert_eq!(code, 2);
    assert!(err.contains("--report = yes is not allowed: allowed json or table"), "{err}");
}

#[test]
fn shgo_names_the_field_of_a_wrongly_typed_spec_value() {
    let dir = std::env::temp_dir().join(format!("flash-cli-shgo-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("specs.json");
    std::fs::write(&path, r#"[{"problem": "t1", "n": 8}, {"problem": "t1", "iters": "two"}]"#)
        .unwrap();
    let (code, _, err) = flash(&["shgo", path.to_str().unwrap()]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("spec 1: iters: invalid type: string \"two\""), "{err}");
    assert!(err.contains("allowed 1..=100, or null"), "{err}");
    std::fs::remove_dir_all(&dir).ok();
}
