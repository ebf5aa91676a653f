#![cfg(not(target_arch = "wasm32"))]
use flash_nas::batch::Batch;
use flash_nas::SearchSpace;

#[test]
fn batch_seed_42_degrees() {
    // The wasm test compares its own sum against this file, bit for bit.
    let b = Batch::random(&SearchSpace::flash_default(), 42, 1000);
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/batch-42-degrees.txt");
    let text = format!("{:?}\n", b.degrees());
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, &text).unwrap();
    }
    assert_eq!(std::fs::read_to_string(&path).unwrap(), text);
    assert_eq!(b.len(), 1000);
    assert!(b.degrees_and_totals() > b.degrees());
}
