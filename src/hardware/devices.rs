//! NAS-Bench-201's measured devices as hardware profiles (docs/hardware.md, "Against
//! 22 measured devices"): where each device's model starts, and a calibration on k
//! of its measured networks judged on all the others. `flash hw validate` repeats
//! it over many draws beside its baselines; the page's "Model against measurement"
//! runs one draw.

use crate::error::{Error, Result};
use crate::hardware::calibrate::{self, Measured};
use crate::hardware::{builtin, HardwareModel, Profile};
use crate::nasbench::{self, Column, CELLS};
use crate::space::nb201;
use crate::space::{Architecture, SearchSpace};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::Serialize;
use std::sync::Arc;

/// How a measured device's model starts: the closest built-in profile, the
/// runtime's parameters (batch, eager) from how the device was measured, and HELP's
/// published Spearman ρ after 10 samples where Table 3 of Lee et al. (NeurIPS 2021)
/// has one.
#[derive(Debug)]
pub struct Device {
    /// As a link names it (`raspi4` for the column `lat_ms_raspi4`).
    pub name: &'static str,
    pub profile: &'static str,
    /// `params` edits: the batch of the column and whether the runtime is eager.
    pub edits: &'static [(&'static str, f64)],
    pub help_rho: Option<f64>,
}

const EAGER_GPU_1: &[(&str, f64)] = &[("batch", 1.0), ("eager", 1.0)];
const EAGER_GPU_32: &[(&str, f64)] = &[("batch", 32.0), ("eager", 1.0)];
const EAGER_GPU_256: &[(&str, f64)] = &[("batch", 256.0), ("eager", 1.0)];
const EAGER: &[(&str, f64)] = &[("eager", 1.0)];
const COMPILED: &[(&str, f64)] = &[];

const fn device(
    name: &'static str,
    profile: &'static str,
    edits: &'static [(&'static str, f64)],
    help_rho: Option<f64>,
) -> Device {
    Device { name, profile, edits, help_rho }
}

/// The devices, fixed before any run. HELP measured its devices in PyTorch (eager:
/// every operation a kernel, `none` edges computed); HW-NAS-Bench's Raspberry Pi 4
/// runs a compiled graph, its Eyeriss and FPGA are simulators. CPUs and phones start
/// from the Raspberry Pi 4's profile, GPUs from the RTX 3090's, the FPGA from the Edge
/// TPU's: the closest built-ins. Eyeriss starts from its own spatial array (`eyeriss`,
/// added after the first runs, docs/hardware.md says why).
pub const DEVICES: [Device; 22] = [
    device("raspi4", "rpi4", COMPILED, Some(0.890)),
    device("eyeriss", "eyeriss", COMPILED, Some(0.940)),
    device("fpga", "edge-tpu", COMPILED, Some(0.985)),
    device("gold_6226", "rpi4", EAGER, Some(0.989)),
    device("silver_4114", "rpi4", EAGER, None),
    device("1080ti_1", "rtx3090", EAGER_GPU_1, None),
    device("1080ti_32", "rtx3090", EAGER_GPU_32, None),
    device("1080ti_256", "rtx3090", EAGER_GPU_256, None),
    device("2080ti_1", "rtx3090", EAGER_GPU_1, None),
    device("2080ti_32", "rtx3090", EAGER_GPU_32, None),
    device("2080ti_256", "rtx3090", EAGER_GPU_256, None),
    device("titanx_1", "rtx3090", EAGER_GPU_1, None),
    device("titanx_32", "rtx3090", EAGER_GPU_32, None),
    device("titanx_256", "rtx3090", EAGER_GPU_256, None),
    device("titanxp_1", "rtx3090", EAGER_GPU_1, None),
    device("titanxp_32", "rtx3090", EAGER_GPU_32, None),
    device("titanxp_256", "rtx3090", EAGER_GPU_256, None),
    device("titan_rtx_1", "rtx3090", EAGER_GPU_1, None),
    device("titan_rtx_256", "rtx3090", EAGER_GPU_256, Some(0.987)),
    device("pixel2", "rpi4", EAGER, Some(0.802)),
    device("essential_ph_1", "rpi4", EAGER, None),
    device("samsung_s7", "rpi4", EAGER, None),
];

/// A measured device by the name a link gives it.
pub fn find(name: &str) -> Result<&'static Device> {
    DEVICES.iter().find(|d| d.name == name).ok_or_else(|| {
        let names: Vec<&str> = DEVICES.iter().map(|d| d.name).collect();
        Error::field("latency", name, format!("one of {}", names.join(", ")))
    })
}

impl Device {
    /// The profile a calibration starts from.
    pub fn start(&self) -> Result<Profile> {
        builtin(self.profile)?
            .with_values(self.edits, "set from how the device was measured (hardware::devices)")
    }

    /// The start in words, e.g. `rtx3090 with batch = 32, eager = 1`.
    pub fn start_text(&self) -> String {
        if self.edits.is_empty() {
            return self.profile.to_string();
        }
        let edits: Vec<String> = self.edits.iter().map(|(k, v)| format!("{k} = {v}")).collect();
        format!("{} with {}", self.profile, edits.join(", "))
    }

    pub fn column(&self) -> Result<Arc<Column>> {
        nasbench::column(nasbench::device(self.name)?)
    }
}

/// The benchmark's networks in row order (`SearchSpace::decode` on `cifar10/nb201`).
pub fn networks() -> Result<Vec<Architecture>> {
    let space = SearchSpace::parse("cifar10/nb201")?;
    (0..CELLS as u128).map(|r| space.decode(r)).collect()
}

/// Rows whose cell some path crosses. The others are left out of draws and scores,
/// as calibration leaves them out (`calibrate::degenerate`): runtimes differ on
/// whether they run a network whose output does not depend on its input.
pub fn connected(networks: &[Architecture]) -> Vec<usize> {
    (0..networks.len()).filter(|&i| !nb201::cut_off(&networks[i].cells()[0].coords[..6])).collect()
}

/// k of `pool` drawn without replacement by `seed` (the first k of a partial
/// Fisher–Yates shuffle), and the rest in row order.
pub fn draw(pool: &[usize], k: usize, seed: u64) -> (Vec<usize>, Vec<usize>) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut pool = pool.to_vec();
    for i in 0..k.min(pool.len()) {
        let j = rng.random_range(i..pool.len());
        pool.swap(i, j);
    }
    let mut rest = pool.split_off(k.min(pool.len()));
    rest.sort_unstable();
    (pool, rest)
}

/// How well predictions of held-out networks rank and match their measurements.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct Scores {
    pub spearman: f64,
    pub kendall: f64,
    /// Mean absolute percentage error.
    pub mape: f64,
    /// Share of networks predicted within ±10 %.
    pub within_10: f64,
}

pub fn scores(predicted: &[f64], measured: &[f64]) -> Scores {
    let ape: Vec<f64> = predicted.iter().zip(measured).map(|(p, m)| (p - m).abs() / m).collect();
    let n = ape.len().max(1) as f64;
    Scores {
        spearman: crate::predictor::spearman(predicted, measured).unwrap_or(f64::NAN),
        kendall: crate::predictor::kendall_fast(predicted, measured).unwrap_or(f64::NAN),
        mape: 100.0 * ape.iter().sum::<f64>() / n,
        within_10: ape.iter().filter(|a| **a <= 0.1).count() as f64 / n,
    }
}

/// How hard a calibration from a handful of measurements is pulled towards the device's
/// start (`calibrate::Prior`). Chosen on half of the devices (the even rows of
/// [`DEVICES`], k = 10, 30 draws, by the mean median share within ±10 %, a rule fixed
/// before the runs) from 0, 10⁻⁴ … 1: any weight from 10⁻⁴ to 3·10⁻³ helped alike,
/// 3·10⁻⁴ was best; the other half, held out, improved too (docs/hardware.md).
pub const PRIOR: calibrate::Prior = calibrate::Prior { weight: 3e-4 };

/// Fewest and most measured networks a calibration against a device draws: the fewest a
/// calibration accepts (`calibrate::MIN_SAMPLES`).
pub const K_RANGE: (usize, usize) = (calibrate::MIN_SAMPLES, 1000);

/// One calibration of a device's model on k of its measured networks, judged on
/// every other connected network.
#[derive(Clone, Debug)]
pub struct Against {
    pub device: &'static Device,
    pub start: Profile,
    pub calibrated: Profile,
    /// Rows fitted on, in the order drawn, with their measured and calibrated
    /// latencies in ms.
    pub train: Vec<usize>,
    pub train_measured_ms: Vec<f64>,
    pub train_model_ms: Vec<f64>,
    /// Rows judged, in row order, with their measured, calibrated and uncalibrated
    /// latencies in ms.
    pub test: Vec<usize>,
    pub measured_ms: Vec<f64>,
    pub model_ms: Vec<f64>,
    pub uncalibrated_ms: Vec<f64>,
}

impl Against {
    /// Draws k connected networks of `device` by `seed`, calibrates the device's start
    /// on their measured latencies and predicts all the others.
    pub fn run(device: &'static Device, k: usize, seed: u64) -> Result<Against> {
        if !(K_RANGE.0..=K_RANGE.1).contains(&k) {
            return Err(Error::field(
                "measured networks",
                k,
                format!("{}..={}", K_RANGE.0, K_RANGE.1),
            ));
        }
        let networks = networks()?;
        let column = device.column()?;
        let (train, test) = draw(&connected(&networks), k, seed);
        let samples: Vec<Measured> = train
            .iter()
            .enumerate()
            .map(|(n, &i)| Measured::new(&networks[i], Some(column.values[i] * 1e-3), None, n + 1))
            .collect();
        let start = device.start()?;
        let calibrated = calibrate::fit_toward(&start, &samples, PRIOR)?;
        let ms = |p: &Profile, rows: &[usize]| -> Vec<f64> {
            rows.iter().map(|&i| p.cost(&networks[i]).latency * 1e3).collect()
        };
        Ok(Against {
            device,
            train_measured_ms: train.iter().map(|&i| column.values[i]).collect(),
            train_model_ms: ms(&calibrated, &train),
            measured_ms: test.iter().map(|&i| column.values[i]).collect(),
            model_ms: ms(&calibrated, &test),
            uncalibrated_ms: ms(&start, &test),
            start,
            calibrated,
            train,
            test,
        })
    }

    pub fn scores(&self) -> Scores {
        scores(&self.model_ms, &self.measured_ms)
    }

    pub fn uncalibrated_scores(&self) -> Scores {
        scores(&self.uncalibrated_ms, &self.measured_ms)
    }
}
