#![cfg(not(target_arch = "wasm32"))]
//! Workloads against the figures the networks' papers publish (3 % tolerance).
//! docs/workload.md says which conventions explain the residue.

use flash_nas::workload;
use flash_nas::Architecture;

fn totals(text: &str) -> workload::Totals {
    let a = Architecture::parse(text).unwrap();
    workload::totals(a.frame(), a.cells())
}

fn within(got: u64, published: f64, what: &str) {
    let rel = (got as f64 - published).abs() / published;
    assert!(rel <= 0.03, "{what}: {got} vs published {published} ({:.2} % off)", rel * 100.0);
}

#[test]
fn resnet20_cifar() {
    // He et al. 2016, Table 6: 0.27 M parameters; ≈ 41 M MACs (40.8 M commonly quoted).
    let t = totals("cifar10/res(shortcut=pad)/d3w16-d3w32-d3w64");
    within(t.params, 0.27e6, "ResNet-20 parameters");
    within(t.macs, 41e6, "ResNet-20 MACs");
}

#[test]
fn resnet56_and_110_cifar() {
    // He et al. 2016, Table 6: 0.85 M and 1.7 M parameters.
    within(
        totals("cifar10/res(shortcut=pad)/d9w16-d9w32-d9w64").params,
        0.85e6,
        "ResNet-56 parameters",
    );
    within(
        totals("cifar10/res(shortcut=pad)/d18w16-d18w32-d18w64").params,
        1.7e6,
        "ResNet-110 parameters",
    );
}

#[test]
fn wide_resnet_28_10() {
    // Zagoruyko & Komodakis 2016, Table: WRN-28-10 has 36.5 M parameters.
    within(
        totals("cifar10/wres(stem=16;k=10)/d4w16-d4w32-d4w64").params,
        36.5e6,
        "WRN-28-10 parameters",
    );
}

#[test]
fn mobilenet_v2_224() {
    // Sandler et al. 2018, Table 4: 3.4 M parameters, 300 M multiply-adds.
    let t = totals("imagenet/mobile(stem=32;stem_stride=2;head=1280)/d1w16e1s1-d2w24e6-d3w32e6-d4w64e6-d3w96e6s1-d3w160e6-d1w320e6s1");
    // The paper's 3.4 M leaves out BN's γ and β (34,112 here): 3,470,760 weights.
    within(t.params - t.bn_params, 3.4e6, "MobileNetV2 parameters without BN");
    within(t.macs, 300e6, "MobileNetV2 MACs");
    // torchvision's mobilenet_v2() counts exactly this many trainable parameters.
    assert_eq!(t.params, 3_504_872);
}

#[test]
fn densenet_bc_100_12() {
    // Huang et al. 2017, Table 2: DenseNet-BC (L=100, k=12) has 0.8 M parameters.
    // We count 0.769 M (torchvision-style counting gives the same); the paper rounds up.
    let t =
        totals("cifar10/dense(stem=24;bottleneck=4;compression=0.5)/d16w12t*-d16w12t*-d16w12t*");
    assert!((760_000..780_000).contains(&t.params), "{}", t.params);
    // L counts convolutions: 3 blocks × 16 × 2 + stem + 2 transitions + classifier = 100.
    let a = Architecture::parse(
        "cifar10/dense(stem=24;bottleneck=4;compression=0.5)/d16w12t*-d16w12t*-d16w12t*",
    )
    .unwrap();
    let weighted = workload::layers(&a).iter().filter(|l| l.spec.is_weighted()).count();
    assert_eq!(weighted, 100);
}
