//! Zero-cost proxies: training-free scores of a network at initialisation, the
//! comparison FLASH's NN-Degree invites (docs/accuracy.md). Each is computed on
//! the network `flash train` is about to train (the same seed, so the same
//! initial weights) and on one fixed batch: the first [`PROXY_BATCH`] images of
//! the training split.
//!
//! * **grad_norm** (Abdelfattah et al. 2021): Σ over weight tensors of the
//!   Euclidean norm of ∂L/∂W, L the batch's mean cross-entropy.
//! * **snip** (Lee et al. 2019, as a network score by Abdelfattah et al.):
//!   Σ |W ⊙ ∂L/∂W| over all weights.
//! * **synflow** (Tanaka et al. 2020): every weight and bias replaced by its
//!   absolute value, batch norm removed, one all-ones image in; R = Σ logits;
//!   score Σ W ⊙ ∂R/∂W over all weights, in f64.
//! * **naswot** (Mellor et al. 2021): the binary code of every ReLU input
//!   (positive or not) for each image of the batch; K = C·Cᵀ + (1−C)·(1−C)ᵀ,
//!   i.e. units minus Hamming distance; score ln |det K|.
//!
//! "Weights" are the convolution and classifier weight tensors (no biases, no
//! batch-norm parameters), as in Abdelfattah et al.'s reference code. Batch
//! norm uses the batch's statistics (training mode) for grad_norm, snip and
//! naswot.

use super::{Images, Network};
use crate::error::{Error, Result};
use crate::space::Architecture;
use burn::module::Param;
use burn::nn::loss::CrossEntropyLossConfig;
use burn::tensor::{Device, FloatDType, Gradients, Int, Tensor, TensorData};
use serde::{Deserialize, Serialize};

/// Images in the proxies' batch (the first of the training split).
pub const PROXY_BATCH: usize = 64;
/// The proxies' names, in CSV column order.
pub const NAMES: [&str; 4] = crate::predictor::PROXY_NAMES;

/// The four scores of one network at initialisation.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Proxies {
    pub synflow: f64,
    pub snip: f64,
    pub grad_norm: f64,
    pub naswot: f64,
}

impl Proxies {
    pub fn values(&self) -> [f64; 4] {
        [self.synflow, self.snip, self.grad_norm, self.naswot]
    }
}

/// The proxies of `arch` initialised with `seed`, on the first [`PROXY_BATCH`]
/// images of `train` (fewer if it holds fewer).
pub fn proxies(arch: &Architecture, train: &Images, seed: u64) -> Result<Proxies> {
    super::fits(arch, train)?;
    if train.is_empty() {
        return Err(Error::Invalid("the proxies need at least one training image".into()));
    }
    let device = Device::flex().autodiff();
    let net = Network::seeded(arch, &device, seed);
    let n = train.len().min(PROXY_BATCH);
    let (h, w) = (train.height, train.width);
    let x = Tensor::<4>::from_data(
        TensorData::new(train.pixels[..n * h * w].to_vec(), [n, 1, h, w]),
        &device,
    );
    let y = Tensor::<1, Int>::from_data(
        TensorData::new(train.labels[..n].iter().map(|&l| l as i64).collect::<Vec<_>>(), [n]),
        &device,
    );

    // grad_norm, snip and naswot share one forward pass.
    let mut kernel = vec![0.0f64; n * n];
    let logits = net.run(x, true, &mut |t| add_codes(t, n, &mut kernel));
    let loss = CrossEntropyLossConfig::new().init(&device).forward(logits, y);
    let grads = loss.backward();
    let (mut snip, mut grad_norm) = (0.0, 0.0);
    for_each_weight(&net, &grads, |w, g| {
        snip += w.iter().zip(g).map(|(w, g)| (w * g).abs()).sum::<f64>();
        grad_norm += g.iter().map(|g| g * g).sum::<f64>().sqrt();
    });
    let naswot = log_abs_det(&kernel, n);

    let linear = net.linearised();
    let ones = Tensor::<4>::ones([1, 1, h, w], &device).cast(FloatDType::F64);
    let r = linear.run(ones, false, &mut |_| {}).sum();
    let grads = r.backward();
    let mut synflow = 0.0;
    for_each_weight(&linear, &grads, |w, g| {
        synflow += w.iter().zip(g).map(|(w, g)| w * g).sum::<f64>();
    });
    Ok(Proxies { synflow, snip, grad_norm, naswot })
}

/// Synflow alone (it needs no data): the network of `arch` initialised with
/// `seed`, every weight made positive, batch norm removed, one all-ones input
/// of the data set's shape; Σ W ⊙ ∂R/∂W in f64, R the sum of the logits. A
/// weight no path joins to the logits (a NAS-Bench-201 edge into a node that
/// never reaches the cell's output) has no gradient and scores 0.
pub fn synflow(arch: &Architecture, seed: u64) -> Result<f64> {
    let device = Device::flex().autodiff();
    let net = Network::seeded(arch, &device, seed);
    let ds = arch.frame().dataset;
    let (c, h, w) = (ds.channels as usize, ds.height as usize, ds.width as usize);
    let linear = net.linearised();
    let ones = Tensor::<4>::ones([1, c, h, w], &device).cast(FloatDType::F64);
    let r = linear.run(ones, false, &mut |_| {}).sum();
    let grads = r.backward();
    let mut synflow = 0.0;
    for_each_weight(&linear, &grads, |w, g| {
        synflow += w.iter().zip(g).map(|(w, g)| w * g).sum::<f64>();
    });
    Ok(synflow)
}

/// Calls `f(weights, gradient)` for every weight tensor, both as f64 (a
/// weight off every path to the output: a zero gradient).
fn for_each_weight(net: &Network, grads: &Gradients, mut f: impl FnMut(&[f64], &[f64])) {
    fn host<const D: usize>(t: Tensor<D>) -> Vec<f64> {
        t.into_data().convert::<f64>().try_to_vec::<f64>().expect("converted to f64")
    }
    fn pair<const D: usize>(p: &Param<Tensor<D>>, grads: &Gradients) -> (Vec<f64>, Vec<f64>) {
        let value = p.val();
        match value.grad(grads) {
            Some(grad) => (host(value), host(grad)),
            None => {
                let w = host(value);
                let zeros = vec![0.0; w.len()];
                (w, zeros)
            }
        }
    }
    let (convs, classifier) = net.weights();
    for p in convs {
        let (w, g) = pair(p, grads);
        f(&w, &g);
    }
    let (w, g) = pair(classifier, grads);
    f(&w, &g);
}

/// Adds one activation's codes to NASWOT's kernel: for images i, j, the
/// number of units where both are positive plus where both are not.
fn add_codes(t: &Tensor<4>, n: usize, kernel: &mut [f64]) {
    let codes: Vec<bool> = t
        .clone()
        .detach()
        .greater_elem(0.0)
        .into_data()
        .try_to_vec::<bool>()
        .expect("a bool tensor");
    add_code_rows(&codes, n, kernel);
}

/// The same for codes given as `n` rows of equal length (row-major).
pub fn add_code_rows(codes: &[bool], n: usize, kernel: &mut [f64]) {
    let units = codes.len() / n;
    // Packed 64 to a word, agreements are units minus the popcount of the XOR.
    let words = units.div_ceil(64);
    let mut packed = vec![0u64; n * words];
    for i in 0..n {
        for (u, &c) in codes[i * units..(i + 1) * units].iter().enumerate() {
            if c {
                packed[i * words + u / 64] |= 1 << (u % 64);
            }
        }
    }
    for i in 0..n {
        let a = &packed[i * words..(i + 1) * words];
        for j in i..n {
            let b = &packed[j * words..(j + 1) * words];
            let differ: u32 = a.iter().zip(b).map(|(a, b)| (a ^ b).count_ones()).sum();
            let same = (units - differ as usize) as f64;
            kernel[i * n + j] += same;
            if i != j {
                kernel[j * n + i] += same;
            }
        }
    }
}

/// ln |det A| of an n×n row-major matrix by LU with partial pivoting;
/// −∞ when it is singular (two images with the same codes everywhere).
pub fn log_abs_det(a: &[f64], n: usize) -> f64 {
    let mut m = a.to_vec();
    let mut sum = 0.0;
    for k in 0..n {
        let p = (k..n)
            .max_by(|&i, &j| m[i * n + k].abs().total_cmp(&m[j * n + k].abs()))
            .expect("k < n");
        let pivot = m[p * n + k];
        if pivot == 0.0 {
            return f64::NEG_INFINITY;
        }
        if p != k {
            for c in 0..n {
                m.swap(p * n + c, k * n + c);
            }
        }
        sum += pivot.abs().ln();
        for i in k + 1..n {
            let factor = m[i * n + k] / pivot;
            if factor != 0.0 {
                for c in k..n {
                    m[i * n + c] -= factor * m[k * n + c];
                }
            }
        }
    }
    sum
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::train::DataSet;

    fn digits() -> Images {
        let bytes = std::fs::read("data/datasets/digits.csv.gz").expect("the shipped digits");
        let images = DataSet::Digits.read(&[&bytes]).expect("digits read");
        images.split(DataSet::Digits.train_images()).expect("split").0
    }

    /// One network of each family with skips, so paths of many lengths meet.
    const ARCHS: [&str; 4] = [
        "digits/dense/d3w4t3-d2w4t1",
        "digits/res/d2w4-d1w8",
        "digits/wres/d1w4-d1w4",
        "digits/mobile/d2w4e2-d1w8e3",
    ];

    #[test]
    fn naswot_kernel_and_log_determinant_by_hand() {
        // Three images, two units: codes 11, 10, 00.
        let codes = [true, true, true, false, false, false];
        let mut k = vec![0.0; 9];
        add_code_rows(&codes, 3, &mut k);
        // Agreements: (0,1) 1, (0,2) 0, (1,2) 1; the diagonal is the unit count.
        assert_eq!(k, vec![2.0, 1.0, 0.0, 1.0, 2.0, 1.0, 0.0, 1.0, 2.0]);
        // det [[2,1,0],[1,2,1],[0,1,2]] = 2·3 − 1·2 = 4.
        assert!((log_abs_det(&k, 3) - 4f64.ln()).abs() < 1e-12);
        // A second activation of 70 units (more than one word) adds its agreements.
        let mut wide = vec![false; 3 * 70];
        wide[..70].iter_mut().for_each(|c| *c = true);
        wide[70..105].iter_mut().for_each(|c| *c = true);
        add_code_rows(&wide, 3, &mut k);
        assert_eq!(k, vec![72.0, 36.0, 0.0, 36.0, 72.0, 36.0, 0.0, 36.0, 72.0]);
        // Two images with equal codes make K singular: −∞, not a panic.
        let mut same = vec![0.0; 4];
        add_code_rows(&[true, false, true, false], 2, &mut same);
        assert_eq!(log_abs_det(&same, 2), f64::NEG_INFINITY);
        // A pivot is needed: det [[0,1],[1,0]] = −1.
        assert!(log_abs_det(&[0.0, 1.0, 1.0, 0.0], 2).abs() < 1e-15);
    }

    /// Synflow is Σ W ⊙ ∂R/∂W = d/dα R(αW) at α = 1 (the chain rule). R(α)
    /// needs only forward passes, so a central difference checks the gradient
    /// pass independently.
    #[test]
    fn synflow_is_the_derivative_of_r_along_the_weights() {
        let images = digits();
        for text in ARCHS {
            let arch = Architecture::parse(text).unwrap();
            let synflow = proxies(&arch, &images, 3).unwrap().synflow;
            let device = Device::flex().autodiff();
            let linear = Network::seeded(&arch, &device, 3).linearised();
            let r = |alpha: f64| {
                let net = linear.with_weights(|_, w| w.iter().map(|v| v * alpha).collect());
                let ones = Tensor::<4>::ones([1, 1, 8, 8], &device).cast(FloatDType::F64);
                net.run(ones, false, &mut |_| {}).sum().into_scalar::<f64>()
            };
            // burn's kernels round like f32 even on f64 tensors, so the step is not tiny;
            // Richardson's extrapolation cancels the h² term of the central difference.
            let central = |h: f64| (r(1.0 + h) - r(1.0 - h)) / (2.0 * h);
            let h = 1e-2;
            let slope = (4.0 * central(h / 2.0) - central(h)) / 3.0;
            // ReLU6 (mobile) clips the linearised network's large activations: a kink
            // the difference straddles, so that family is held to 1 %.
            let allowed = if text.contains("mobile") { 1e-2 } else { 1e-4 };
            assert!(
                synflow > 0.0 && (synflow - slope).abs() < allowed * synflow,
                "{text}: synflow {synflow}, dR/dα {slope}"
            );
        }
    }

    /// snip and grad_norm read ∂L/∂W; along a fixed random direction D in one
    /// layer's weights the loss's slope d/dε L(W + εD) must equal Σ D ⊙ ∂L/∂W.
    /// The loss is f32 and has ReLU kinks, so the central difference is only
    /// close (10 % plus 0.015) for convolutions; the classifier, past the last
    /// kink, must agree within 1 %.
    #[test]
    fn the_loss_gradient_matches_a_central_difference_in_every_layer() {
        use rand::{Rng, SeedableRng};
        let images = digits();
        for text in ["digits/dense/d2w4t1-d1w4t0", "digits/res/d1w4-d1w4"] {
            let arch = Architecture::parse(text).unwrap();
            let device = Device::flex().autodiff();
            let net = Network::seeded(&arch, &device, 5);
            let n = PROXY_BATCH;
            let x = Tensor::<4>::from_data(
                TensorData::new(images.pixels[..n * 64].to_vec(), [n, 1, 8, 8]),
                &device,
            );
            let y = Tensor::<1, Int>::from_data(
                TensorData::new(
                    images.labels[..n].iter().map(|&l| l as i64).collect::<Vec<_>>(),
                    [n],
                ),
                &device,
            );
            let loss = |net: &Network| {
                CrossEntropyLossConfig::new()
                    .init(&device)
                    .forward(net.forward(x.clone()), y.clone())
            };
            let grads = loss(&net).backward();
            let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(9);
            let (mut directions, mut slopes) = (Vec::new(), Vec::new());
            for_each_weight(&net, &grads, |w, g| {
                let d: Vec<f64> = w.iter().map(|_| rng.random_range(-1.0..1.0)).collect();
                slopes.push(d.iter().zip(g).map(|(d, g)| d * g).sum::<f64>());
                directions.push(d);
            });
            let last = directions.len() - 1;
            for (layer, expected) in slopes.iter().enumerate() {
                let at = |eps: f64| {
                    let moved = net.with_weights(|i, w| match i == layer {
                        true => w.iter().zip(&directions[i]).map(|(w, d)| w + eps * d).collect(),
                        false => w.to_vec(),
                    });
                    loss(&moved).into_scalar::<f64>()
                };
                let h = 1e-3;
                let slope = (at(h) - at(-h)) / (2.0 * h);
                let allowed = if layer == last {
                    0.01 * expected.abs() + 1e-4
                } else {
                    0.1 * expected.abs() + 0.015
                };
                assert!(
                    (slope - expected).abs() <= allowed,
                    "{text}, weight tensor {layer}: Σ D·∂L/∂W = {expected}, finite difference {slope}"
                );
            }
            let p = proxies(&arch, &images, 5).unwrap();
            assert!(p.snip > 0.0 && p.grad_norm > 0.0 && p.naswot.is_finite(), "{text}: {p:?}");
        }
    }

    #[test]
    fn proxies_are_deterministic_per_seed() {
        let images = digits();
        let arch = Architecture::parse(ARCHS[0]).unwrap();
        let a = proxies(&arch, &images, 1).unwrap();
        assert_eq!(a, proxies(&arch, &images, 1).unwrap());
        assert_ne!(a.snip, proxies(&arch, &images, 2).unwrap().snip, "another seed, other weights");
    }
}
