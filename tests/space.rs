#![cfg(not(target_arch = "wasm32"))]
mod common;

use flash_nas::space::lettered::{D, W};
use flash_nas::space::{
    ArchitectureParams, Family, Frame, SpaceParams, ValueRange, Values, CLASSICS, DATASETS,
};
use flash_nas::{Architecture, Error, SearchSpace};
use proptest::prelude::*;

#[test]
fn default_space_has_6_4e10_configurations() {
    let s = SearchSpace::flash_default();
    assert_eq!(s.count(), 64_000_000_000);
    assert_eq!(s.cells().iter().map(|c| c.count()).collect::<Vec<_>>(), vec![4000, 4000, 4000]);
    assert_eq!(s.to_string(), "cifar10/dense/cells=3;d=2..11;w=8..64:8;t=0..49");
    assert_eq!(SearchSpace::parse(&s.to_string()).unwrap(), s);
}

#[test]
fn edited_space_counts_exactly() {
    let s = SearchSpace::parse("mnist/mobile/cells=4;d=1..4;w=16..64:16;e=2..6:2;c2.w=8;c4.s=1")
        .unwrap();
    // Cell: 4 depths × 4 widths × 1 skip (*) × 3 expansions; cell 2 has one width.
    assert_eq!(s.count(), 48 * 12 * 48 * 48);
    assert_eq!(s.cells()[3].stride, 1);
    assert_eq!(SearchSpace::parse(&s.to_string()).unwrap(), s);
    // A count past u128 is an error that names the field, not an overflow.
    let huge = "cifar10/dense/cells=16;s=1;d=1..4;w=1..4096;t=0..65535";
    let e = SearchSpace::parse(huge).unwrap_err();
    assert!(e.to_string().contains("number of configurations"), "{e}");
    // So is a space whose largest member would be too big to build.
    let e = SearchSpace::parse("cifar10/dense/cells=16;s=1;d=1..128;w=1..4096")
        .unwrap_err()
        .to_string();
    assert!(e.contains("network size") && e.contains("at most 4194304"), "{e}");
}

#[test]
fn ranges_are_normalised_so_equal_sets_are_equal() {
    let a = SearchSpace::parse("cifar10/dense/w=8..63:8").unwrap();
    let b = SearchSpace::parse("cifar10/dense/w=8..56:8").unwrap();
    assert_eq!(a, b);
    assert_eq!(a.cells()[0].width(), Values::Range(ValueRange::new(8, 56, 8)));
}

#[test]
fn decode_enumerates_every_configuration_once() {
    let s = SearchSpace::parse("digits/dense/cells=2;d=1..3;w=4..8:4;t=0..2").unwrap();
    let n = s.count();
    assert_eq!(n, (3 * 2 * 3) * (3 * 2 * 3));
    let mut seen = std::collections::HashSet::new();
    for i in 0..n {
        let arch = s.decode(i).unwrap();
        assert!(seen.insert(arch.cells().to_vec()), "index {i} repeats a configuration");
        // Every decoded configuration is a valid, checkable architecture.
        assert_eq!(Architecture::parse(&arch.to_string()).unwrap(), arch);
    }
    assert!(s.decode(n).is_err());
}

#[test]
fn classic_networks_round_trip() {
    for (name, text) in CLASSICS {
        let arch = Architecture::parse(text).unwrap_or_else(|e| panic!("{name}: {e}"));
        let printed = arch.to_string();
        assert_eq!(Architecture::parse(&printed).unwrap(), arch, "{name}");
        assert_eq!(
            Architecture::parse(&printed).unwrap().to_string(),
            printed,
            "{name}: printing is canonical"
        );
    }
}

fn message(text: &str) -> String {
    Architecture::parse(text).unwrap_err().to_string()
}

#[test]
fn bad_values_name_the_field_the_value_and_the_range() {
    let m = message("cifar10/dense/d0w32t4");
    assert!(m.contains("cell 1 depth d = 0") && m.contains("1..=128"), "{m}");
    let m = message("cifar10/dense/d4w32t4-d4w5000t4");
    assert!(m.contains("cell 2 width w = 5000") && m.contains("1..=4096"), "{m}");
    let m = message("cifar10/res/d3w16e6");
    assert!(m.contains("cell 1 expansion e") && m.contains("only for the mobile family"), "{m}");
    let m = message("cifar10/res(bottleneck=4)/d3w16");
    assert!(m.contains("bottleneck") && m.contains("dense"), "{m}");
    let m = message("cifar10/dense/d4w32s3");
    assert!(m.contains("cell 1 stride s = 3") && m.contains("1..=2"), "{m}");
    let m = message("svhn/dense/d4w32");
    assert!(m.contains("dataset = svhn") && m.contains("cifar10"), "{m}");
    let m = message("cifar10/resnet/d4w32");
    assert!(m.contains("family = resnet"), "{m}");
    // Too many halvings for an 8×8 input.
    let m = message("digits/dense/d2w8-d2w8-d2w8-d2w8-d2w8");
    assert!(m.contains("cell 5 stride") && m.contains("8×8"), "{m}");
    let m = message("cifar10/dense(compression=1.5)/d2w8-d2w8");
    assert!(m.contains("compression") && m.contains("1..=1000"), "{m}");
    let m = message("cifar10/dense(bottleneck=8)/d128w4096t*-d128w4096t*s1");
    assert!(m.contains("network size") && m.contains("at most 4194304"), "{m}");
    let m = message("cifar10/dense/d99999999999w8");
    assert!(m.contains("too large"), "{m}");
}

#[test]
fn syntax_errors_say_where() {
    match Architecture::parse("cifar10/dense/d4x32") {
        Err(Error::Parse { at, message, .. }) => {
            assert_eq!(at, 16);
            assert!(message.contains("expected 'w'"), "{message}");
        }
        other => panic!("{other:?}"),
    }
    assert!(message("cifar10/dense/d4w32t4 trailing").contains("unexpected"));
    assert!(message("").contains("data set") || message("").contains("dataset"));
    let e = SearchSpace::parse("cifar10/dense/cells=2;c3.d=4").unwrap_err().to_string();
    assert!(e.contains("c3 does not exist") && e.contains("c1..=c2"), "{e}");
    let e = SearchSpace::parse("cifar10/dense/d=5..2").unwrap_err().to_string();
    assert!(e.contains("first value is at most its last"), "{e}");
    let e = SearchSpace::parse("cifar10/dense/s=1..2").unwrap_err().to_string();
    assert!(e.contains("s takes one value") && e.contains("1 or 2"), "{e}");
    let e = SearchSpace::parse("cifar10/dense/c2.s=7").unwrap_err().to_string();
    assert!(e.contains("cell 2 stride s = 7") && e.contains("1..=2"), "{e}");
    let e = SearchSpace::parse("cifar10/dense/w=8..64:0").unwrap_err().to_string();
    assert!(e.contains("step"), "{e}");
}

#[test]
fn checked_construction_is_the_only_way_in() {
    let mut p = SpaceParams::flash_default();
    p.cells[1].coords[D] = Values::Range(ValueRange::new(2, 200, 1));
    let e = p.check().unwrap_err().to_string();
    assert!(e.contains("cell 2 depth d (highest) = 200") && e.contains("1..=128"), "{e}");
    let p = ArchitectureParams {
        dataset: DATASETS[0],
        family: Family::Dense,
        options: Frame::new(DATASETS[0], Family::Dense).options,
        cells: vec![],
    };
    assert!(p.check().unwrap_err().to_string().contains("number of cells = 0"));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn architectures_round_trip_through_text(p in common::arch_params()) {
        if let Ok(arch) = p.check() {
            let text = arch.to_string();
            prop_assert_eq!(Architecture::parse(&text).unwrap(), arch);
        }
    }

    #[test]
    fn spaces_round_trip_through_text(family in common::family(), cells in 1usize..=4, d in (1u32..=6, 0u32..=5, 1u32..=3), w in (1u32..=64, 0u32..=64, 1u32..=16), over in prop::option::of((0usize..4, 1u32..=30))) {
        let mut p = SpaceParams::defaults(DATASETS[4], family, cells);
        for c in &mut p.cells {
            c.coords[D] = Values::Range(ValueRange::new(d.0, d.0 + d.1, d.2));
            c.coords[W] = Values::Range(ValueRange::new(w.0, w.0 + w.1, w.2));
        }
        if let Some((i, width)) = over {
            if i < cells { p.cells[i].coords[W] = Values::single(width); }
        }
        let s = p.check().unwrap();
        prop_assert_eq!(SearchSpace::parse(&s.to_string()).unwrap(), s);
    }
}
