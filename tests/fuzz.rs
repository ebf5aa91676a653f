#![cfg(not(target_arch = "wasm32"))]
//! Replays the fuzzers' kept corpora (fuzz/corpus/TARGET) and every finding
//! (fuzz/regressions/TARGET) through the same checks the fuzz targets run
//! (tests/support/fuzz_checks.rs), on stable Rust, in CI. The fuzzing itself is
//! `bash scripts/fuzz.sh` (nightly, libFuzzer; docs/reliability.md).

#[path = "support/fuzz_checks.rs"]
mod checks;

use std::path::Path;

type Check = fn(&[u8]);

fn replay(target: &str, check: Check) -> usize {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    let mut n = 0;
    for dir in ["corpus", "regressions"] {
        let Ok(entries) = std::fs::read_dir(root.join(dir).join(target)) else { continue };
        let mut paths: Vec<_> = entries.filter_map(|e| e.ok()).map(|e| e.path()).collect();
        paths.sort();
        for path in paths {
            // A fuzzer running beside the test may have just replaced the file.
            let Ok(data) = std::fs::read(&path) else { continue };
            let outcome = std::panic::catch_unwind(|| check(&data));
            assert!(
                outcome.is_ok(),
                "{} fails its check (input: {:?})",
                path.display(),
                String::from_utf8_lossy(&data)
            );
            n += 1;
        }
    }
    n
}

#[test]
fn every_kept_input_passes_its_check() {
    let targets: [(&str, Check); 9] = [
        ("state", checks::state),
        ("arch", checks::arch),
        ("space", checks::space),
        ("samples", checks::samples),
        ("profile", checks::profile),
        ("calibration", checks::calibration),
        ("shgo", checks::shgo),
        ("lessons", checks::lessons),
        ("nb201", checks::nb201),
    ];
    for (name, check) in targets {
        let n = replay(name, check);
        assert!(n > 0, "fuzz/corpus/{name} is empty: run bash scripts/fuzz.sh {name}");
    }
}
