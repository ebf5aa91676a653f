//! The models against figures published by others for networks the project can
//! describe (issue 17, part 4a; docs/hardware.md, "Published figures").
//!
//! Each figure names its source, the profile it is compared with and what differs
//! between the published setup and the profile. The model's value is computed,
//! never stored, so the table in the docs is a command's output
//! (`flash hw published --markdown`) and a test keeps the two equal.

use super::{builtin, HardwareModel, LayerRow, Profile};
use crate::error::{Error, Result};
use crate::space::Architecture;
use serde::Serialize;

/// What a figure measures, and how the model's value is taken from a cost report.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Metric {
    /// Milliseconds per inference, batch 1.
    LatencyMs,
    /// GOP/s per mm² of the best layer: every crossbar a layer holds is busy,
    /// as in a fully pipelined chip's peak figure.
    PeakGopsPerMm2,
    /// GOP per joule of the same layer.
    PeakGopsPerJoule,
    /// GOP/s per mm² of the whole network at batch 1 (layers one after another).
    NetworkGopsPerMm2,
}

impl Metric {
    pub fn unit(self) -> &'static str {
        match self {
            Metric::LatencyMs => "ms",
            Metric::PeakGopsPerMm2 | Metric::NetworkGopsPerMm2 => "GOP/s/mm²",
            Metric::PeakGopsPerJoule => "GOP/J",
        }
    }
}

/// A figure someone else published, and the profile it is compared with.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct PublishedFigure {
    /// The system the figure was measured or simulated on.
    pub system: &'static str,
    /// The network, as its source names it.
    pub network: &'static str,
    /// The same network in the project's text form.
    pub arch: &'static str,
    /// Built-in profile, and the parameters changed to match the published setup.
    pub profile: &'static str,
    pub changes: &'static [(&'static str, f64)],
    pub metric: Metric,
    pub published: f64,
    pub source: &'static str,
    /// What still differs between the published setup and the model's.
    pub differences: &'static str,
}

const MOBILENET_V2: &str = "imagenet/mobile(stem=32;stem_stride=2;head=1280)/d1w16e1-d2w24e6-d3w32e6-d4w64e6-d3w96e6s1-d3w160e6-d1w320e6s1";

/// ISAAC-CE's design point on the IMC model: 128×128 crossbars of 2-bit cells,
/// 16-bit weights and bit-serial 16-bit inputs, one 8-bit ADC per crossbar at
/// 1.28 GS/s, a 100 ns read, 168 tiles × 12 IMAs × 8 crossbars.
const ISAAC_CE: &[(&str, f64)] = &[
    ("rows", 128.0),
    ("cols", 128.0),
    ("bits_per_cell", 2.0),
    ("weight_bits", 16.0),
    ("input_bits", 16.0),
    ("activation_bits", 16.0),
    ("adc_bits", 8.0),
    ("columns_per_adc", 128.0),
    ("clock_ghz", 1.28),
    ("array_read_ns", 100.0),
    ("crossbars", 16128.0),
];

/// A CIFAR network with full 128-row crossbars in every layer but the stem, so its
/// best layer shows the design's peak.
const CROSSBAR_FILLING: &str = "cifar10/res/d2w128-d2w256-d2w512";

const CORAL: &str =
    "Coral, Edge TPU performance benchmarks (coral.ai/docs/edgetpu/benchmarks), Table 1, \
    'MobileNet v2 (224x224)', time per inference, TensorFlow Lite models";
const ISAAC: &str =
    "Shafiee et al., ISAAC, ISCA 2016: ISAAC-CE's computational efficiency 479 GOP/s/mm² \
    (Sec. VIII-B) on an 85.4 mm² chip drawing 65.8 W";

/// A figure of ISAAC-CE, compared with `rram-imc` set to its design point.
const fn isaac(
    network: &'static str,
    metric: Metric,
    published: f64,
    differences: &'static str,
) -> PublishedFigure {
    PublishedFigure {
        system: "ISAAC-CE (RRAM crossbars, 32 nm, simulated)",
        network,
        arch: CROSSBAR_FILLING,
        profile: "rram-imc",
        changes: ISAAC_CE,
        metric,
        published,
        source: ISAAC,
        differences,
    }
}

/// Every figure found that the project can describe; none was dropped for its
/// ratio (docs/hardware.md says why each differs).
pub const FIGURES: &[PublishedFigure] = &[
    PublishedFigure {
        system: "Coral Dev Board and USB Accelerator (Edge TPU)",
        network: "MobileNetV2 1.0, 224×224",
        arch: MOBILENET_V2,
        profile: "edge-tpu",
        changes: &[],
        metric: Metric::LatencyMs,
        published: 2.6,
        source: CORAL,
        differences: "int8 on both; the profile's η are priors, not calibrated on an Edge TPU",
    },
    PublishedFigure {
        system: "Coral Dev Board's CPU (4× Cortex-A53 @ 1.5 GHz)",
        network: "MobileNetV2 1.0, 224×224",
        arch: MOBILENET_V2,
        profile: "rpi3b",
        changes: &[("clock_ghz", 1.5)],
        metric: Metric::LatencyMs,
        published: 122.0,
        source: CORAL,
        differences: "the profile is the Pi 3B's A53s at the Dev Board's clock: fp32 and LPDDR2 where \
            the Dev Board has LPDDR4 and TensorFlow Lite may run the int8 model",
    },
    isaac(
        "its peak: every crossbar busy",
        Metric::PeakGopsPerMm2,
        479.0,
        "ISAAC overlaps a crossbar's next read with the ADC's conversions; the model reads \
            then converts (100 + 100 ns); ISAAC's area includes each tile's eDRAM, the model's layer area does not",
    ),
    isaac(
        "its peak: every crossbar busy",
        Metric::PeakGopsPerJoule,
        479.0 * 85.4 / 65.8,
        "the published value is 479 GOP/s/mm² × 85.4 mm² / 65.8 W; ISAAC's chip power includes \
            idle tiles, eDRAM refresh and I/O, the model's layer energy only the work",
    ),
    isaac(
        "a CIFAR ResNet, batch 1, layer after layer",
        Metric::NetworkGopsPerMm2,
        479.0,
        "ISAAC pipelines many images so that every layer's crossbars are busy; one image \
            keeps one layer busy at a time",
    ),
];

/// One figure beside the model's value.
#[derive(Clone, Debug, Serialize)]
pub struct Comparison {
    #[serde(flatten)]
    pub figure: PublishedFigure,
    pub unit: &'static str,
    pub model: f64,
    /// model / published.
    pub ratio: f64,
}

/// The profile a figure is compared with.
pub fn profile_of(figure: &PublishedFigure) -> Result<Profile> {
    let base = builtin(figure.profile)?;
    if figure.changes.is_empty() {
        Ok(base)
    } else {
        base.with_values(figure.changes, "set to the published setup")
    }
}

fn best_layer(rows: &[LayerRow], score: impl Fn(&LayerRow) -> f64) -> f64 {
    rows.iter()
        .filter(|r| r.ops > 0 && r.cost.area > 0.0 && r.cost.latency > 0.0 && r.cost.energy > 0.0)
        .map(score)
        .fold(0.0, f64::max)
}

/// The model's value of one figure.
pub fn model_value(figure: &PublishedFigure) -> Result<f64> {
    let profile = profile_of(figure)?;
    let arch = Architecture::parse(figure.arch)?;
    Ok(match figure.metric {
        Metric::LatencyMs => profile.cost(&arch).latency * 1e3,
        Metric::PeakGopsPerMm2 => best_layer(&profile.breakdown(&arch), |r| {
            r.ops as f64 / r.cost.latency / r.cost.area / 1e9
        }),
        Metric::PeakGopsPerJoule => {
            best_layer(&profile.breakdown(&arch), |r| r.ops as f64 / r.cost.energy / 1e9)
        }
        Metric::NetworkGopsPerMm2 => {
            let cost = profile.cost(&arch);
            if cost.area <= 0.0 {
                return Err(Error::Invalid(format!("{} has no area to divide by", figure.profile)));
            }
            let ops: u64 = profile.breakdown(&arch).iter().map(|r| r.ops).sum();
            ops as f64 / cost.latency / cost.area / 1e9
        }
    })
}

/// Every figure beside the model's value.
pub fn compare() -> Result<Vec<Comparison>> {
    FIGURES
        .iter()
        .map(|figure| {
            let model = model_value(figure)?;
            Ok(Comparison {
                figure: *figure,
                unit: figure.metric.unit(),
                model,
                ratio: model / figure.published,
            })
        })
        .collect()
}

/// Three significant digits, as the docs' table prints them.
pub fn fmt3(v: f64) -> String {
    if v == 0.0 || !v.is_finite() {
        return format!("{v}");
    }
    let digits = (2 - v.abs().log10().floor() as i32).max(0) as usize;
    format!("{v:.digits$}")
}

/// The docs' table (docs/hardware.md, "Published figures").
pub fn markdown(rows: &[Comparison]) -> String {
    let mut out = String::from(
        "| system | network | metric | published | model (profile) | model / published |\n|---|---|---|---|---|---|\n",
    );
    for c in rows {
        let f = &c.figure;
        let changed = if f.changes.is_empty() { String::new() } else { ", edited".to_string() };
        out += &format!(
            "| {} | {} | {} | {} | {} (`{}`{}) | {} |\n",
            f.system,
            f.network,
            c.unit,
            fmt3(f.published),
            fmt3(c.model),
            f.profile,
            changed,
            fmt3(c.ratio),
        );
    }
    out
}
