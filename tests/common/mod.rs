//! Random architectures of every family, for the property tests.
#![allow(dead_code)]

use flash_nas::space::{
    ArchitectureParams, CellParams, Dataset, Family, Options, Shortcut, ALL, DATASETS,
};
use proptest::prelude::*;

/// The lettered families (d, w, t, e cells).
pub fn family() -> impl Strategy<Value = Family> {
    prop::sample::select(
        Family::ALL.into_iter().filter(|f| *f != Family::Nb201).collect::<Vec<_>>(),
    )
}

/// A NAS-Bench-201 cell: an operation (0..5) on each of its six edges.
pub fn nb201_ops() -> impl Strategy<Value = [u32; 6]> {
    prop::array::uniform6(0u32..5)
}

fn nb201_params() -> impl Strategy<Value = ArchitectureParams> {
    (nb201_ops(), prop::sample::select(vec![DATASETS[0], DATASETS[1], DATASETS[2], DATASETS[3]]))
        .prop_map(|(ops, dataset)| {
            let mut cell = CellParams::empty();
            for (slot, op) in cell.coords.iter_mut().zip(ops) {
                *slot = Some(op);
            }
            ArchitectureParams {
                dataset,
                family: Family::Nb201,
                options: Options::defaults(Family::Nb201),
                cells: vec![cell],
            }
        })
}

fn cell() -> impl Strategy<Value = CellParams> {
    (
        1u32..=8,
        1u32..=40,
        prop_oneof![Just(None), Just(Some(ALL)), (0u32..=80).prop_map(Some)],
        1u32..=6,
        prop::option::of(1u32..=2),
    )
        .prop_map(|(depth, width, skip, e, stride)| {
            CellParams::lettered(depth, width, skip, Some(e), stride)
        })
}

/// Unchecked parameters of every family; options that a family does not take
/// are reset so that most draws pass `check()`.
pub fn arch_params() -> impl Strategy<Value = ArchitectureParams> {
    prop_oneof![4 => lettered_params(), 1 => nb201_params()]
}

fn lettered_params() -> impl Strategy<Value = ArchitectureParams> {
    (
        family(),
        prop::sample::select(vec![DATASETS[0], DATASETS[2], DATASETS[4]]),
        prop::collection::vec(cell(), 1..=4),
        (
            prop::option::of(1u32..=48),
            1u32..=2,
            prop::option::of(1u32..=64),
            1u32..=4,
            0u32..=4,
            prop::option::of(1u32..=1000),
            any::<bool>(),
        ),
    )
        .prop_map(
            |(
                family,
                dataset,
                mut cells,
                (stem, stem_stride, head, widen, bottleneck, compression, pad),
            ): (Family, Dataset, Vec<CellParams>, _)| {
                let mut options = Options::defaults(family);
                options.stem = stem;
                options.stem_stride = stem_stride;
                options.head = head;
                match family {
                    Family::Dense => {
                        options.bottleneck = bottleneck;
                        options.compression_milli = compression;
                    }
                    Family::WideRes => {
                        options.widen = widen;
                        options.shortcut = if pad { Shortcut::Pad } else { Shortcut::Proj };
                    }
                    Family::Res => {
                        options.shortcut = if pad { Shortcut::Pad } else { Shortcut::Proj }
                    }
                    Family::Mobile | Family::Nb201 => {}
                }
                if family != Family::Mobile {
                    cells.iter_mut().for_each(|c| c.coords[3] = None);
                }
                ArchitectureParams { dataset, family, options, cells }
            },
        )
}
