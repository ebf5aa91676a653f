#![cfg(not(target_arch = "wasm32"))]
mod common;

use flash_nas::degree;
use flash_nas::space::{Family, ALL};
use flash_nas::workload::{self, Totals};
use flash_nas::{Architecture, SearchSpace};
use proptest::prelude::*;
use rand::SeedableRng;

#[test]
fn dense_cells_follow_w_plus_t_over_d() {
    // With the transition mapping to the cell's width (FLASH's space), the issue's
    // formula ḡ = w + T/d holds, T = Σ_j min(t, (j-1)·w) over the cell's layers.
    let space = SearchSpace::flash_default();
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
    for _ in 0..2000 {
        let arch = space.sample(&mut rng);
        let per_cell = degree::per_cell(arch.frame(), arch.cells());
        let sum: f64 = per_cell.iter().sum();
        assert!((degree::nn_degree(arch.frame(), arch.cells()) - sum).abs() < 1e-9);
        for (cell, g) in arch.cells().iter().zip(per_cell) {
            let (d, w, t) = (cell.depth(), cell.width(), cell.skip());
            let total: u32 =
                (1..=d).map(|j| if t == ALL { (j - 1) * w } else { t.min((j - 1) * w) }).sum();
            let want = w as f64 + total as f64 / d as f64;
            assert!((g - want).abs() < 1e-9, "{arch}: {g} vs {want}");
        }
    }
}

#[test]
fn skip_connections_raise_the_degree() {
    let plain = Architecture::parse("cifar10/res/d3w16t0-d3w32t0-d3w64t0").unwrap();
    let residual = Architecture::parse("cifar10/res/d3w16-d3w32-d3w64").unwrap();
    let g = |a: &Architecture| degree::nn_degree(a.frame(), a.cells());
    assert!(g(&residual) > g(&plain));
    let no_skip = Architecture::parse("cifar10/dense/d6w32t0-d6w32t0-d6w32t0").unwrap();
    let skips = Architecture::parse("cifar10/dense/d6w32t40-d6w32t40-d6w32t40").unwrap();
    assert!(g(&skips) > g(&no_skip));
    // Without skips a dense cell of width w reads exactly w channels per layer.
    assert_eq!(g(&no_skip), 3.0 * 32.0);
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * a.abs().max(1.0)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(4000))]

    #[test]
    fn closed_form_equals_the_channel_graph(p in common::arch_params()) {
        if let Ok(arch) = p.check() {
            let closed = degree::per_cell(arch.frame(), arch.cells());
            let graph = degree::graph(&arch);
            for (i, (c, g)) in closed.iter().zip(&graph.cells).enumerate() {
                prop_assert!(close(*c, g.degree), "{} cell {}: closed {} graph {}", arch, i + 1, c, g.degree);
            }
            prop_assert!(close(degree::nn_degree(arch.frame(), arch.cells()), graph.nn_degree));
        }
    }

    #[test]
    fn totals_equal_the_sum_of_layers(p in common::arch_params()) {
        if let Ok(arch) = p.check() {
            let layers = workload::layers(&arch);
            let sum = layers.iter().fold(Totals::default(), |mut t, l| {
                t.layers += 1;
                t.params += l.params;
                t.bn_params += l.spec.bn_params();
                t.macs += l.macs;
                t.activations += l.spec.output.elems();
                t
            });
            prop_assert_eq!(workload::totals(arch.frame(), arch.cells()), sum);
            // Shapes chain: each layer's input is what the walk left before it.
            for l in &layers {
                prop_assert!(l.spec.output.h >= 1 && l.spec.output.w >= 1);
            }
        }
    }
}

#[test]
fn every_family_is_covered_by_the_property_tests() {
    // Guards the generator: if a family stopped passing check(), the properties
    // above would silently test nothing for it.
    use proptest::strategy::ValueTree;
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let mut valid = std::collections::HashMap::new();
    for _ in 0..2000 {
        let p = common::arch_params().new_tree(&mut runner).unwrap().current();
        if let Ok(a) = p.check() {
            *valid.entry(a.frame().family).or_insert(0) += 1;
        }
    }
    for f in Family::ALL {
        assert!(valid.get(&f).copied().unwrap_or(0) > 100, "{f:?}: {valid:?}");
    }
}
