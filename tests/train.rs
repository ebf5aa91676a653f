#![cfg(all(feature = "train", not(target_arch = "wasm32")))]
//! The trainer on real data: it learns, it is deterministic, it builds every
//! family exactly as the workload describes, and bad data files are named.

use burn::module::Module;
use burn::tensor::Device;
use flash_nas::predictor::SampleSet;
use flash_nas::train::record::{self, Row};
use flash_nas::train::{self, data, sample, Budget, DataSet, Images, Network, Outcome, Progress};
use flash_nas::{degree, workload, Architecture, SearchSpace};

fn digits() -> (Images, Images) {
    let bytes = std::fs::read("data/datasets/digits.csv.gz").expect("the shipped digits file");
    let images = DataSet::Digits.read(&[&bytes]).expect("digits parse");
    assert_eq!((images.len(), images.height, images.width), (1797, 8, 8));
    images.split(DataSet::Digits.train_images()).expect("split")
}

/// A quick run on the first `n` training images, recording each step's running epoch loss.
fn quick(arch: &str, n: usize, epochs: u32, seed: u64) -> (Outcome, Vec<f64>) {
    let (train_set, test_set) = digits();
    let small = Images {
        pixels: train_set.pixels[..n * 64].to_vec(),
        labels: train_set.labels[..n].to_vec(),
        ..train_set
    };
    let arch = Architecture::parse(arch).unwrap();
    let mut losses = Vec::new();
    let budget = Budget { epochs, batch: 16, lr: 3e-3, shift: 0 };
    let outcome = train::train(&arch, &small, &test_set, budget, seed, &mut |p: &Progress| {
        losses.push(p.loss);
        true
    })
    .expect("training runs");
    (outcome, losses)
}

#[test]
fn a_tiny_network_learns_digits() {
    let (outcome, losses) = quick("digits/dense/d2w8t4-d2w8t4", 640, 3, 7);
    assert_eq!(losses.len(), 120);
    // The last epoch's mean loss falls well below the first step's (≈ ln 10, chance).
    assert!(losses[119] < losses[0] - 0.5, "loss {} → {}", losses[0], losses[119]);
    assert!(
        outcome.test_accuracy > 0.3,
        "accuracy {} is no better than chance (0.1)",
        outcome.test_accuracy
    );
    assert!(outcome.train_loss.is_finite() && outcome.seconds > 0.0);
}

#[test]
fn training_is_bit_identical_for_a_seed() {
    let a = quick("digits/res/d1w8-d1w16", 320, 1, 3).0;
    let b = quick("digits/res/d1w8-d1w16", 320, 1, 3).0;
    let c = quick("digits/res/d1w8-d1w16", 320, 1, 4).0;
    assert_eq!(a.test_accuracy.to_bits(), b.test_accuracy.to_bits());
    assert_eq!(a.train_loss.to_bits(), b.train_loss.to_bits());
    assert_ne!(a.train_loss.to_bits(), c.train_loss.to_bits(), "another seed, other weights");
}

#[test]
fn every_family_builds_exactly_the_workload_and_trains() {
    let archs = [
        "digits/dense/d3w8t5-d2w8t*",
        "digits/dense(stem=8;bottleneck=2;compression=0.5)/d2w4t*-d2w4t*",
        "digits/res/d2w8-d2w16",
        "digits/res(shortcut=pad)/d2w8-d2w16t1",
        "digits/wres(k=2)/d1w4-d2w8",
        "digits/mobile(head=32)/d2w8e2-d2w16e3",
        "mnist/mobile/d1w8e1-d2w8e2",
        "digits/nb201/|nor_conv_3x3~0|+|none~0|avg_pool_3x3~1|+|skip_connect~0|none~1|nor_conv_1x1~2|",
        // Cut off: node 3 sums nothing, the network's output does not depend on its input.
        "digits/nb201/|nor_conv_3x3~0|+|nor_conv_3x3~0|none~1|+|none~0|none~1|none~2|",
    ];
    let device = Device::flex();
    for text in archs {
        let arch = Architecture::parse(text).unwrap();
        let net = Network::new(&arch, &device);
        let totals = workload::totals(arch.frame(), arch.cells());
        // burn also counts each batch norm's running mean and variance (buffers, 2 values a
        // channel, as many as its γ and β): the workload's parameters plus its BN parameters.
        assert_eq!(
            net.num_params() as u64,
            totals.params + totals.bn_params,
            "{text}: parameters and BN buffers"
        );
        let ds = arch.frame().dataset;
        let x = burn::tensor::Tensor::<4>::zeros(
            [2, 1, ds.height as usize, ds.width as usize],
            &device,
        );
        assert_eq!(net.forward(x).dims(), [2, 10], "{text}: logits");
    }
    let (outcome, losses) = quick("digits/mobile/d1w8e2-d1w16e2", 160, 1, 1);
    assert!(losses.iter().all(|l| l.is_finite()) && outcome.test_accuracy >= 0.0);
    let (outcome, losses) = quick("digits/nb201/|nor_conv_1x1~0|+|none~0|skip_connect~1|+|skip_connect~0|none~1|avg_pool_3x3~2|", 160, 1, 1);
    assert!(losses.iter().all(|l| l.is_finite()) && outcome.test_accuracy >= 0.0);
}

#[test]
fn synflow_scores_nas_bench_201_networks_and_zero_without_a_path() {
    use flash_nas::train::proxies::synflow;
    let a = |cell: &str| Architecture::parse(&format!("cifar10/nb201/{cell}")).unwrap();
    let conv =
        synflow(&a("|nor_conv_3x3~0|+|none~0|nor_conv_3x3~1|+|none~0|none~1|nor_conv_3x3~2|"), 1)
            .unwrap();
    let skip = synflow(
        &a("|nor_conv_3x3~0|+|none~0|nor_conv_3x3~1|+|skip_connect~0|none~1|nor_conv_3x3~2|"),
        1,
    )
    .unwrap();
    assert!(conv > 0.0 && conv.is_finite());
    assert!(skip > conv, "a skip adds paths: {skip} vs {conv}");
    // No path from input to output: nothing flows, every weight scores 0.
    let cut =
        synflow(&a("|nor_conv_3x3~0|+|nor_conv_3x3~0|none~1|+|none~0|none~1|none~2|"), 1).unwrap();
    assert_eq!(cut, 0.0);
}

#[test]
fn cancelling_stops_with_a_message() {
    let (train_set, test_set) = digits();
    let arch = Architecture::parse("digits/dense/d1w4t0-d1w4t0").unwrap();
    let mut calls = 0;
    let err = train::train(
        &arch,
        &train_set,
        &test_set,
        Budget::default_for(DataSet::Digits),
        1,
        &mut |_| {
            calls += 1;
            calls < 3
        },
    )
    .unwrap_err();
    assert_eq!(calls, 3);
    assert!(err.to_string().contains("cancelled"), "{err}");
}

#[test]
fn a_network_for_other_images_is_refused() {
    let (train_set, test_set) = digits();
    let arch = Architecture::parse("cifar10/dense/d1w4t0").unwrap();
    let err = train::train(
        &arch,
        &train_set,
        &test_set,
        Budget::default_for(DataSet::Digits),
        1,
        &mut |_| true,
    )
    .unwrap_err();
    assert!(err.to_string().contains("cifar10 (32x32x3"), "{err}");
    let bad = Budget { epochs: 0, ..Budget::default_for(DataSet::Digits) };
    let err = train::train(
        &Architecture::parse("digits/dense/d1w4t0").unwrap(),
        &train_set,
        &test_set,
        bad,
        1,
        &mut |_| true,
    )
    .unwrap_err();
    assert_eq!(err.to_string(), "epochs = 0 is not allowed: allowed 1..=200");
}

#[test]
fn rows_round_trip_through_the_predictor_csv() {
    let arch = Architecture::parse("digits/dense/d2w8t3-d3w16t9").unwrap();
    let outcome = Outcome { test_accuracy: 0.9305555555555556, train_loss: 0.25, seconds: 1.5 };
    let budget = Budget::default_for(DataSet::Digits);
    let row = Row::new(&arch, &outcome, 42, &budget, None);
    let text = record::csv(
        &["command: flash train …".into(), "machine: test".into()],
        std::slice::from_ref(&row),
    );
    let set = SampleSet::from_csv(&text).expect("the predictor reads the trainer's CSV");
    assert_eq!(set.provenance, ["command: flash train …", "machine: test"]);
    assert_eq!(set.samples.len(), 1);
    let s = &set.samples[0];
    assert_eq!((s.arch.as_str(), s.accuracy), (row.arch.as_str(), row.test_accuracy));
    assert_eq!((s.nn_degree, s.params, s.macs), (row.nn_degree, row.params, row.macs));
    assert_eq!(row.budget, "adam-lr0.003-cosine-e3-b32-shift0");
}

#[test]
fn corrupt_data_files_get_clear_errors() {
    let gz = std::fs::read("data/datasets/digits.csv.gz").unwrap();
    let err = DataSet::Digits.read(&[&gz[..gz.len() / 2]]).unwrap_err().to_string();
    assert!(err.contains("not a valid gzip file"), "{err}");
    let err = data::digits(b"0,1,2\n").unwrap_err().to_string();
    assert_eq!(
        err,
        "line 1, column 'row': 3 columns: allowed exactly 65 (64 pixels, then the label)"
    );
    let row = |pixel: &str, label: &str| format!("{}{pixel},{label}\n", "0,".repeat(63));
    assert_eq!(
        data::digits(row("17", "3").as_bytes()).unwrap_err().to_string(),
        "line 1, column 'pixel 64': '17' is not allowed: allowed 0..=16"
    );
    assert_eq!(
        data::digits(row("1", "12").as_bytes()).unwrap_err().to_string(),
        "line 1, column 'label': '12' is not allowed: allowed 0..=9"
    );

    let header = |magic: u32, count: u32, rows: u32| {
        [magic.to_be_bytes(), count.to_be_bytes(), rows.to_be_bytes(), 28u32.to_be_bytes()].concat()
    };
    let labels = |count: u32| {
        [2049u32.to_be_bytes().to_vec(), count.to_be_bytes().to_vec(), vec![1; count as usize]]
            .concat()
    };
    let err = data::mnist(&header(2049, 1, 28), &labels(1)).unwrap_err().to_string();
    assert_eq!(
        err,
        "mnist images magic number = 2049 is not allowed: allowed 2051 (an IDX file of u8 images)"
    );
    let err = data::mnist(&header(2051, 4_000_000_000, 28), &labels(1)).unwrap_err().to_string();
    assert_eq!(err, "mnist images count = 4000000000 is not allowed: allowed 1..=60000");
    let err = data::mnist(&header(2051, 2, 28), &labels(2)).unwrap_err().to_string();
    assert!(
        err.contains("the header says 2 images of 28x28 (1568 bytes) but the file holds 0 bytes"),
        "{err}"
    );
    let mut images = header(2051, 1, 28);
    images.extend(vec![0u8; 784]);
    let err = data::mnist(&images, &labels(2)).unwrap_err().to_string();
    assert!(err.contains("2 labels in the header"), "{err}");
    assert!(data::mnist(&images, &labels(1)).is_ok());
    assert!(data::mnist(&images[..10], &labels(1))
        .unwrap_err()
        .to_string()
        .contains("ends inside its header"));
}

#[test]
fn stratified_samples_cover_the_degree_range_deterministically() {
    let space = SearchSpace::parse(DataSet::Digits.training_space()).unwrap();
    let a = sample::stratified(&space, 30, 5).unwrap();
    assert_eq!(a, sample::stratified(&space, 30, 5).unwrap());
    let texts: std::collections::BTreeSet<String> = a.iter().map(|x| x.to_string()).collect();
    assert_eq!(texts.len(), 30, "distinct networks");
    let g: Vec<f64> = a.iter().map(|x| degree::nn_degree(x.frame(), x.cells())).collect();
    let (lo, hi) = g.iter().fold((f64::MAX, 0.0f64), |(l, h), &v| (l.min(v), h.max(v)));
    // Uniform draws from this space put nearly all networks in a narrower band; the strata reach out.
    let mut rng = <rand_chacha::ChaCha8Rng as rand::SeedableRng>::seed_from_u64(5);
    let plain: Vec<f64> = (0..30)
        .map(|_| {
            let x = space.sample(&mut rng);
            degree::nn_degree(x.frame(), x.cells())
        })
        .collect();
    let (plo, phi) = plain.iter().fold((f64::MAX, 0.0f64), |(l, h), &v| (l.min(v), h.max(v)));
    assert!(hi / lo > phi / plo, "stratified range {lo}..{hi} vs uniform {plo}..{phi}");
    assert!(sample::stratified(&space, 0, 1)
        .unwrap_err()
        .to_string()
        .starts_with("samples = 0 is not allowed"));
}

/// The shipped sets are real runs of the shipped trainer: complete provenance,
/// and every row's features are what the core computes for its architecture.
#[test]
fn shipped_sample_sets_are_complete_and_consistent() {
    for (file, min_rows) in
        [("digits.csv", 50), ("mnist.csv", 50), ("digits-noise.csv", 15), ("mnist-noise.csv", 15)]
    {
        let path = format!("data/samples/{file}");
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        let set = SampleSet::from_csv(&text).unwrap_or_else(|e| panic!("{path}: {e}"));
        assert!(set.samples.len() >= min_rows, "{path}: {} rows", set.samples.len());
        for key in [
            "command: flash train",
            "commit: ",
            "library: burn",
            "budget: ",
            "machine: ",
            "date: ",
            "wall time: ",
        ] {
            assert!(
                set.provenance.iter().any(|l| l.starts_with(key)),
                "{path}: provenance lacks '{key}'"
            );
        }
        let mut reader = csv::ReaderBuilder::new().comment(Some(b'#')).from_reader(text.as_bytes());
        for (i, rec) in reader.records().enumerate() {
            let rec = rec.unwrap();
            let arch = Architecture::parse(&rec[0]).unwrap();
            let totals = workload::totals(arch.frame(), arch.cells());
            let degree: f64 = rec[1].parse().unwrap();
            assert_eq!(
                degree,
                degree::nn_degree(arch.frame(), arch.cells()),
                "{path} row {i}: nn_degree"
            );
            assert_eq!(
                (rec[2].parse::<u64>().unwrap(), rec[3].parse::<u64>().unwrap()),
                (totals.params, totals.macs),
                "{path} row {i}"
            );
            let seconds: f64 = rec[6].parse().unwrap();
            assert!(seconds > 0.0, "{path} row {i}: seconds");
        }
    }
}
