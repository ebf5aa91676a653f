#![cfg(not(target_arch = "wasm32"))]
use std::process::Command;

fn flash(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_flash")).args(args).output().unwrap();
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stdout).into(), String::from_utf8_lossy(&out.stderr).into())
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
    assert_eq!(v["candidates"].as_array().unwrap().len(), 5);
}

#[test]
fn errors_go_to_stderr_with_exit_code_2() {
    for args in [vec!["describe", "cifar10/dense/d0w8"], vec!["bogus"], vec![], vec!["fit", "/nonexistent.csv"], vec!["space", "x/y/z"]] {
        let (code, out, err) = flash(&args);
        assert_eq!(code, 2, "{args:?}");
        assert!(out.is_empty(), "{args:?}: {out}");
        assert!(err.starts_with("flash: "), "{args:?}: {err}");
    }
    let (_, _, err) = flash(&["describe", "cifar10/dense/d0w8"]);
    assert!(err.contains("cell 1 depth d = 0") && err.contains("1..=128"), "{err}");
}
