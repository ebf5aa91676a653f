//! A row-stationary spatial array, the dataflow of Eyeriss (Chen, Krishna, Emer, Sze,
//! "Eyeriss: An Energy-Efficient Reconfigurable Accelerator for Deep Convolutional
//! Neural Networks", IEEE JSSC 52(1), 2017): a grid of processing elements (PEs), each
//! of which runs one 1-D convolution (a filter row over an input row) at a time.
//! docs/hardware.md, "A spatial array (Eyeriss)", derives the cycle count below.
//!
//! A k×k convolution with C input and M output channels and an E×F output maps onto
//! *PE sets* of R = k rows (one per filter row) by E columns (one per output row).
//! Sets taller than the array fold over their rows, wider ones over strips of the
//! array's width; as many sets as fit run at once, each on its own (input channel,
//! filter) pair. A PE computes F outputs of S = k taps: F·S cycles per pair. So
//!
//! cycles = ⌈R / rows⌉ · ⌈E / cols⌉ · ⌈pairs / sets⌉ · F · S,
//! sets = ⌊rows / R'⌋ · ⌊cols / E'⌋, pairs = (C / groups) · M,
//!
//! with R' and E' the folded height and width. A layer takes
//! max(cycles / (η_c · f), DRAM bytes / (η_m · BW)) plus a fixed time per layer, and
//! the network a fixed time per inference. Pooling runs on the same PEs: as a
//! depthwise filter of ones (C pairs), or, with `pool_as_conv`, as a k×k convolution
//! from C channels to C, which is what HW-NAS-Bench's simulated Eyeriss charges (an
//! `avg_pool_3x3` edge costs exactly a `nor_conv_3x3` edge, `flash hw op-costs`).
//! Element-wise sums and `none` edges do not run on the array: the simulated device
//! charges nothing for them (a skip edge costs 0.000 ms there).
//! Energy: average power × time plus DRAM traffic. The silicon is a fixed chip.

use super::kind::{DeviceKind, Values};
use super::params::{ParamSpec, Target};
use super::{Context, HardwareModel, LayerCost, Parts};
use crate::error::{Error, Result};
use crate::workload::{LayerKind, LayerSpec};

const PARAMS: [ParamSpec; 13] = [
    ParamSpec::new("pe_rows", "PEs", 1.0, 1024.0, "rows of the PE array").integer(),
    ParamSpec::new("pe_cols", "PEs", 1.0, 1024.0, "columns of the PE array").integer(),
    ParamSpec::new("clock_mhz", "MHz", 1.0, 10000.0, "core clock"),
    ParamSpec::new(
        "bandwidth_gbs",
        "GB/s",
        0.01,
        1e4,
        "off-chip memory bandwidth",
    ),
    ParamSpec::new(
        "bytes_per_value",
        "bytes",
        1.0,
        8.0,
        "bytes per weight and activation (2: 16-bit fixed point)",
    )
    .integer(),
    ParamSpec::new(
        "pool_as_conv",
        "0/1",
        0.0,
        1.0,
        "1: a k×k pooling runs as a k×k convolution from C channels to C (as HW-NAS-Bench's simulated Eyeriss charges it); 0: as a depthwise filter of ones. Calibration tries both",
    )
    .integer()
    .fits(Target::Latency),
    ParamSpec::new(
        "power_w",
        "W",
        0.0,
        1000.0,
        "average chip power while it computes",
    )
    .fits(Target::Energy),
    ParamSpec::new("dram_pj_per_bit", "pJ/bit", 0.0, 1000.0, "off-chip access energy per bit")
        .fits(Target::Energy),
    ParamSpec::new(
        "eta_compute",
        "fraction",
        0.001,
        1.0,
        "fraction of the mapped PE cycles' rate reached (stalls, refills of the PEs' scratchpads)",
    )
    .fits(Target::Latency),
    ParamSpec::new(
        "eta_memory",
        "fraction",
        0.001,
        1.0,
        "fraction of the off-chip bandwidth reached",
    )
    .fits(Target::Latency),
    ParamSpec::new(
        "layer_overhead_us",
        "µs",
        0.0,
        1e5,
        "fixed time per layer (configuring the array, filling and draining it)",
    )
    .fits(Target::Latency),
    ParamSpec::new(
        "network_overhead_us",
        "µs",
        0.0,
        1e6,
        "fixed time per inference",
    )
    .fits(Target::Latency),
    ParamSpec::new(
        "batch",
        "images",
        1.0,
        65536.0,
        "images per inference: compute and activations scale with it, weights are read once",
    )
    .integer(),
];

/// A checked spatial-array profile.
#[derive(Clone, Debug, PartialEq)]
pub struct Spatial {
    pub rows: u64,
    pub cols: u64,
    /// Hz.
    pub clock: f64,
    /// Bytes/s.
    pub bandwidth: f64,
    pub bytes_per_value: f64,
    pub pool_as_conv: bool,
    pub power_w: f64,
    pub dram_pj_per_bit: f64,
    pub eta_compute: f64,
    pub eta_memory: f64,
    pub layer_overhead: f64,
    pub network_overhead: f64,
    pub batch: f64,
}

impl DeviceKind for Spatial {
    const NAME: &'static str = "spatial";
    const PARAMS: &'static [ParamSpec] = &PARAMS;
    const SIZES_SILICON: bool = false;

    fn from_values(v: Values) -> Result<Spatial> {
        let (rows, cols) = (v.get("pe_rows"), v.get("pe_cols"));
        if rows * cols > 1e6 {
            return Err(Error::field(
                "PE array (pe_rows × pe_cols)",
                format!("{} PEs", rows * cols),
                "at most 1000000 PEs".to_string(),
            ));
        }
        Ok(Spatial {
            rows: rows as u64,
            cols: cols as u64,
            clock: v.get("clock_mhz") * 1e6,
            bandwidth: v.get("bandwidth_gbs") * 1e9,
            bytes_per_value: v.get("bytes_per_value"),
            pool_as_conv: v.get("pool_as_conv") == 1.0,
            power_w: v.get("power_w"),
            dram_pj_per_bit: v.get("dram_pj_per_bit"),
            eta_compute: v.get("eta_compute"),
            eta_memory: v.get("eta_memory"),
            layer_overhead: v.get("layer_overhead_us") * 1e-6,
            network_overhead: v.get("network_overhead_us") * 1e-6,
            batch: v.get("batch"),
        })
    }
}

/// A 2-D filtering the array runs: `pairs` (input channel, filter) pairs, each an
/// R×S filter over an input giving an E×F output.
struct Mapping {
    pairs: u64,
    r: u64,
    s: u64,
    e: u64,
    f: u64,
}

impl Spatial {
    /// What the array runs for a layer; None for what it does not run (sums, `none`
    /// edges).
    fn mapping(&self, layer: &LayerSpec) -> Option<Mapping> {
        let (k, e, f) = (layer.kernel as u64, layer.output.h as u64, layer.output.w as u64);
        let (c, m) = (layer.input.c as u64, layer.output.c as u64);
        match layer.kind {
            LayerKind::Conv | LayerKind::Depthwise => {
                let pairs = c / (layer.groups as u64).max(1) * m;
                Some(Mapping { pairs, r: k, s: k, e, f })
            }
            // A fully connected layer is a 1×1 convolution on a 1×1 input.
            LayerKind::Linear => Some(Mapping { pairs: c * m, r: 1, s: 1, e: 1, f: 1 }),
            LayerKind::AvgPool => {
                let pairs = if self.pool_as_conv { c * c } else { c };
                Some(Mapping { pairs, r: k, s: k, e, f })
            }
            // The whole map is the window: R = H, S = W, one output.
            LayerKind::GlobalAvgPool => {
                let (h, w) = (layer.input.h as u64, layer.input.w as u64);
                let pairs = if self.pool_as_conv { c * c } else { c };
                Some(Mapping { pairs, r: h, s: w, e: 1, f: 1 })
            }
            LayerKind::Sum | LayerKind::Zero => None,
        }
    }

    /// Cycles of the row-stationary mapping (the module's formula), for one image.
    pub fn cycles(&self, layer: &LayerSpec) -> u64 {
        self.mapping(layer).map_or(0, |m| self.mapped_cycles(&m))
    }

    fn mapped_cycles(&self, m: &Mapping) -> u64 {
        let (r, e) = (m.r.max(1), m.e.max(1));
        let row_folds = r.div_ceil(self.rows);
        let strips = e.div_ceil(self.cols);
        let (height, width) = (r.div_ceil(row_folds), e.div_ceil(strips));
        let sets = (self.rows / height).max(1) * (self.cols / width).max(1);
        row_folds * strips * m.pairs.div_ceil(sets) * m.f.max(1) * m.s.max(1)
    }

    /// Off-chip bytes of a layer the array runs: its weights once and its input and output
    /// per image.
    fn dram_bytes(&self, layer: &LayerSpec) -> f64 {
        let activations = (layer.input.elems() + layer.output.elems()) as f64;
        (layer.params() as f64 + self.batch * activations) * self.bytes_per_value
    }
}

impl HardwareModel for Spatial {
    #[inline]
    fn layer_cost(&self, layer: &LayerSpec, _ctx: &Context) -> LayerCost {
        // The mapping once per layer: this is the search's hot path.
        let Some(mapping) = self.mapping(layer) else { return LayerCost::default() };
        let compute =
            self.batch * self.mapped_cycles(&mapping) as f64 / (self.eta_compute * self.clock);
        let dram = self.dram_bytes(layer);
        let memory = dram / (self.eta_memory * self.bandwidth);
        let latency = compute.max(memory) + self.layer_overhead;
        let chip = self.power_w * latency;
        let dram_energy = dram * 8.0 * self.dram_pj_per_bit * 1e-12;
        LayerCost {
            latency,
            energy: chip + dram_energy,
            area: 0.0,
            weight_bytes: layer.params() as f64 * self.bytes_per_value,
            activation_bytes: self.batch
                * (layer.input.elems() + layer.output.elems()) as f64
                * self.bytes_per_value,
            dram_bytes: dram,
            energy_parts: [chip, dram_energy, 0.0, 0.0],
            area_parts: [0.0; 4],
        }
    }

    fn network_cost_fixed(&self, _layers: &LayerCost) -> LayerCost {
        LayerCost::fixed_time(self.network_overhead, self.power_w)
    }

    fn parts(&self) -> Parts {
        Parts { energy: ["chip power × time", "DRAM traffic", "", ""], area: ["", "", "", ""] }
    }

    fn bytes_per_value(&self) -> f64 {
        self.bytes_per_value
    }
}
