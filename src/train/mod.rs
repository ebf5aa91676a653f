//! Real training of networks from the space (burn, flex CPU backend; the choice
//! and its measurements are in docs/accuracy.md). Behind the `train` feature so
//! the playground's main wasm stays small: the page loads a separate trainer
//! wasm only when someone trains.
//!
//! Deterministic: weights come from burn's generator seeded with the run's
//! seed (`Network::seeded`, which holds the generator for the whole
//! initialisation, so networks built on other threads cannot draw from it in
//! between), batches and augmentation from a ChaCha8 stream of the same seed,
//! and the train/test split from a fixed seed. Each network trains on one
//! thread; the same (architecture, data, budget, seed) gives the same bits
//! whatever else runs beside it.

pub mod data;
pub mod network;
pub mod proxies;
pub mod record;
pub mod sample;

use crate::error::{Error, Result};
use crate::space::Architecture;
use burn::module::Module;
use burn::nn::loss::CrossEntropyLossConfig;
use burn::optim::{AdamConfig, GradientsParams};
use burn::tensor::{Device, Int, Tensor, TensorData};
pub use data::{DataSet, Images};
pub use network::Network;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

/// Most epochs a budget may ask for.
pub const MAX_EPOCHS: u32 = 200;
/// Most images one batch may hold.
pub const MAX_BATCH: usize = 4096;
/// Images per evaluation batch (memory, not results: evaluation is per image).
const EVAL_BATCH: usize = 500;

/// The fixed training budget of a sample set: Adam, cosine learning rate from
/// `lr` to 0 over all steps, cross-entropy, batches of `batch` reshuffled every
/// epoch, and random shifts of up to `shift` pixels (0: no augmentation).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Budget {
    pub epochs: u32,
    pub batch: usize,
    pub lr: f64,
    pub shift: u32,
}

impl Budget {
    /// The documented budget of each data set (docs/accuracy.md).
    pub fn default_for(data: DataSet) -> Budget {
        match data {
            DataSet::Digits => Budget { epochs: 3, batch: 32, lr: 3e-3, shift: 0 },
            DataSet::Mnist => Budget { epochs: 2, batch: 64, lr: 3e-3, shift: 0 },
        }
    }

    pub fn check(self) -> Result<Budget> {
        if !(1..=MAX_EPOCHS).contains(&self.epochs) {
            return Err(Error::field("epochs", self.epochs, format!("1..={MAX_EPOCHS}")));
        }
        if !(1..=MAX_BATCH).contains(&self.batch) {
            return Err(Error::field("batch", self.batch, format!("1..={MAX_BATCH}")));
        }
        if !(self.lr > 0.0 && self.lr <= 1.0) {
            return Err(Error::field("learning rate", self.lr, "a number in (0, 1]"));
        }
        if self.shift > 4 {
            return Err(Error::field("shift", self.shift, "0..=4 pixels"));
        }
        Ok(self)
    }

    /// One-token form for CSV rows: `adam-lr0.003-cosine-e3-b32-shift0`.
    pub fn label(&self) -> String {
        format!("adam-lr{}-cosine-e{}-b{}-shift{}", self.lr, self.epochs, self.batch, self.shift)
    }
}

/// Where training is, for progress bars and cancelling.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Progress {
    pub epoch: u32,
    pub epochs: u32,
    /// Steps done of all epochs.
    pub step: usize,
    pub steps: usize,
    /// Mean loss of the current epoch so far.
    pub loss: f64,
}

/// What training one network measured.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Outcome {
    pub test_accuracy: f64,
    /// Mean cross-entropy over the last epoch.
    pub train_loss: f64,
    pub seconds: f64,
}

/// Checks that the architecture takes these images (size, one channel, ten classes).
pub(crate) fn fits(arch: &Architecture, images: &Images) -> Result<()> {
    let ds = arch.frame().dataset;
    if (ds.height as usize, ds.width as usize, ds.channels, ds.classes)
        != (images.height, images.width, 1, 10)
    {
        return Err(Error::Invalid(format!(
            "the architecture is for {} ({}x{}x{}, {} classes) but the images are {}x{}x1 with 10 classes",
            ds.name, ds.height, ds.width, ds.channels, ds.classes, images.height, images.width
        )));
    }
    Ok(())
}

/// Trains `arch` on `train` and measures accuracy on `test`. `progress` is
/// called after every step; returning false cancels (an error saying so).
pub fn train(
    arch: &Architecture,
    train: &Images,
    test: &Images,
    budget: Budget,
    seed: u64,
    progress: &mut dyn FnMut(&Progress) -> bool,
) -> Result<Outcome> {
    let budget = budget.check()?;
    fits(arch, train)?;
    fits(arch, test)?;
    if train.is_empty() || test.is_empty() {
        return Err(Error::Invalid(
            "training needs at least one training and one test image".into(),
        ));
    }
    let start = crate::clock::Instant::now();
    let device = Device::flex().autodiff();
    let mut net = Network::seeded(arch, &device, seed);
    let mut optimizer = AdamConfig::new().init();
    let loss_fn = CrossEntropyLossConfig::new().init(&device);
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let (h, w) = (train.height, train.width);
    let n = train.len();
    let per_epoch = n.div_ceil(budget.batch);
    let steps = per_epoch * budget.epochs as usize;
    let mut order: Vec<usize> = (0..n).collect();
    let mut step = 0;
    let mut epoch_loss = 0.0;
    for epoch in 1..=budget.epochs {
        shuffle(&mut order, &mut rng);
        epoch_loss = 0.0;
        for (b, chunk) in order.chunks(budget.batch).enumerate() {
            let mut pixels = Vec::with_capacity(chunk.len() * h * w);
            for &i in chunk {
                let (dy, dx) = if budget.shift > 0 {
                    let s = budget.shift as i32;
                    (rng.random_range(-s..=s), rng.random_range(-s..=s))
                } else {
                    (0, 0)
                };
                shifted(train.image(i), h, w, dy, dx, &mut pixels);
            }
            let x =
                Tensor::<4>::from_data(TensorData::new(pixels, [chunk.len(), 1, h, w]), &device);
            let y = Tensor::<1, Int>::from_data(
                TensorData::new(
                    chunk.iter().map(|&i| train.labels[i] as i64).collect::<Vec<_>>(),
                    [chunk.len()],
                ),
                &device,
            );
            let loss = loss_fn.forward(net.forward(x), y);
            let value = loss.clone().into_scalar::<f32>() as f64;
            if !value.is_finite() {
                return Err(Error::Invalid(format!(
                    "training diverged: the loss became {value} at epoch {epoch}, step {}",
                    b + 1
                )));
            }
            let grads = GradientsParams::from_grads(loss.backward(), &net);
            let lr =
                budget.lr * 0.5 * (1.0 + (std::f64::consts::PI * step as f64 / steps as f64).cos());
            net = optimizer.step(lr, net, grads);
            step += 1;
            epoch_loss += (value - epoch_loss) / (b + 1) as f64;
            if !progress(&Progress { epoch, epochs: budget.epochs, step, steps, loss: epoch_loss })
            {
                return Err(Error::Invalid("training was cancelled".into()));
            }
        }
    }
    let test_accuracy = accuracy(&net.valid(), test);
    Ok(Outcome { test_accuracy, train_loss: epoch_loss, seconds: start.elapsed().as_secs_f64() })
}

/// Fraction of `images` the network classifies right.
pub fn accuracy(net: &Network, images: &Images) -> f64 {
    let device = Device::flex();
    let (h, w) = (images.height, images.width);
    let mut right = 0usize;
    for start in (0..images.len()).step_by(EVAL_BATCH) {
        let end = (start + EVAL_BATCH).min(images.len());
        let x = Tensor::<4>::from_data(
            TensorData::new(
                images.pixels[start * h * w..end * h * w].to_vec(),
                [end - start, 1, h, w],
            ),
            &device,
        );
        let predicted = net.forward(x).argmax(1).into_data().convert::<i64>();
        let predicted = predicted.as_slice::<i64>().expect("converted to i64");
        right += predicted
            .iter()
            .zip(&images.labels[start..end])
            .filter(|(p, l)| **p == **l as i64)
            .count();
    }
    right as f64 / images.len() as f64
}

/// Fisher–Yates with the run's stream (rand's shuffle is not promised stable
/// across versions; this is).
pub(crate) fn shuffle(order: &mut [usize], rng: &mut ChaCha8Rng) {
    for i in (1..order.len()).rev() {
        let j = rng.random_range(0..=i);
        order.swap(i, j);
    }
}

/// The image moved by (dy, dx) pixels, zeros shifted in.
fn shifted(image: &[f32], h: usize, w: usize, dy: i32, dx: i32, out: &mut Vec<f32>) {
    if dy == 0 && dx == 0 {
        out.extend_from_slice(image);
        return;
    }
    for r in 0..h as i32 {
        for c in 0..w as i32 {
            let (sr, sc) = (r - dy, c - dx);
            out.push(if (0..h as i32).contains(&sr) && (0..w as i32).contains(&sc) {
                image[(sr as usize) * w + sc as usize]
            } else {
                0.0
            });
        }
    }
}
