//! Per-layer roofline of a CPU, GPU or NPU (docs/hardware.md).
//!
//! With c = ops / (η_c·P) and m = DRAM bytes / (η_m·BW), a layer takes
//! max(c, m) + (1 − overlap)·min(c, m) + per-layer overhead: overlap = 1 is the
//! classic roofline (compute hides memory traffic), overlap = 0 a core that
//! does one after the other. Plus one per-inference overhead;
//! energy = idle power × latency + ops × dynamic power / peak + DRAM bits × pJ/bit,
//! three parts that never price the same joule twice. With `im2col` on, a k×k or
//! strided convolution also writes and reads its lowered input (k²·C_in·H_out·W_out
//! values), as CPU libraries that lower convolutions to GEMM do.
//! P = cores × clock × ops per cycle. With on-chip weight memory (Edge TPU), the
//! weights that fit (in layer order) stay on chip and only the rest streams in
//! over `bandwidth_gbs`; activations stay on chip. Without it, every layer reads
//! its weights and input and writes its output through DRAM. Area is fixed
//! silicon here: the model reports the memory footprint instead.

use super::params::ParamSpec;
use super::{ops, Ceilings, Context, HardwareModel, LayerCost, Parts};
use crate::error::{Error, Result};
use crate::workload::{LayerKind, LayerSpec};

pub const PARAMS: [ParamSpec; 15] = [
    ParamSpec::new(
        "cores",
        "cores",
        1.0,
        1e6,
        "cores, shader cores or MAC units working in parallel",
    )
    .integer(),
    ParamSpec::new("clock_ghz", "GHz", 0.01, 10.0, "clock"),
    ParamSpec::new(
        "ops_per_cycle",
        "ops/cycle",
        0.25,
        4096.0,
        "operations per core per cycle at the network's precision (an FMA is 2)",
    ),
    ParamSpec::new(
        "bandwidth_gbs",
        "GB/s",
        0.01,
        1e5,
        "off-chip memory bandwidth (host link where weights stream from the host)",
    ),
    ParamSpec::new(
        "bytes_per_value",
        "bytes",
        1.0,
        8.0,
        "bytes per weight and activation (4 fp32, 2 fp16, 1 int8)",
    )
    .integer(),
    ParamSpec::new(
        "on_chip_mb",
        "MiB",
        0.0,
        1e5,
        "on-chip weight memory; 0 = weights come from DRAM",
    ),
    ParamSpec::new(
        "idle_power_w",
        "W",
        0.0,
        5000.0,
        "board or card power at rest, paid for as long as the inference lasts",
    )
    .fitted(),
    ParamSpec::new(
        "dynamic_power_w",
        "W",
        0.0,
        5000.0,
        "power added to idle with every core busy; divided by the peak, the energy of one operation",
    )
    .fitted(),
    ParamSpec::new("dram_pj_per_bit", "pJ/bit", 0.0, 1000.0, "off-chip access energy per bit")
        .fitted(),
    ParamSpec::new(
        "eta_compute",
        "fraction",
        0.001,
        1.0,
        "fraction of peak compute a layer reaches",
    )
    .fitted(),
    ParamSpec::new(
        "eta_memory",
        "fraction",
        0.001,
        1.0,
        "fraction of peak bandwidth a layer reaches",
    )
    .fitted(),
    ParamSpec::new(
        "layer_overhead_us",
        "µs",
        0.0,
        1e5,
        "fixed time per layer (kernel launch, dispatch)",
    )
    .fitted(),
    ParamSpec::new(
        "network_overhead_us",
        "µs",
        0.0,
        1e6,
        "fixed time per inference (input copy, invoke)",
    )
    .fitted(),
    ParamSpec::new(
        "overlap",
        "fraction",
        0.0,
        1.0,
        "how far compute hides memory time: 1 = max(c, m), 0 = c + m",
    )
    .fitted(),
    ParamSpec::new(
        "im2col",
        "0/1",
        0.0,
        1.0,
        "1: convolutions are lowered to GEMM through an im2col buffer",
    )
    .integer(),
];

/// Bounds on the derived peak P = cores × clock × ops/cycle, in GOP/s.
pub const PEAK_GOPS: (f64, f64) = (0.01, 1e7);

/// A checked roofline profile.
#[derive(Clone, Debug, PartialEq)]
pub struct Roofline {
    /// Nominal peak, ops/s.
    pub peak: f64,
    /// Nominal bandwidth, bytes/s.
    pub bandwidth: f64,
    pub bytes_per_value: f64,
    /// Bytes of on-chip weight memory (0: none).
    pub on_chip: f64,
    pub idle_power_w: f64,
    /// Joules of one operation: dynamic power / peak.
    pub op_energy_j: f64,
    pub dram_pj_per_bit: f64,
    pub eta_compute: f64,
    pub eta_memory: f64,
    pub layer_overhead: f64,
    pub network_overhead: f64,
    pub overlap: f64,
    pub im2col: bool,
}

impl Roofline {
    pub fn from_values(v: &[f64]) -> Result<Roofline> {
        let [cores, clock_ghz, ops_per_cycle, bandwidth_gbs, bytes_per_value, on_chip_mb, idle_power_w, dynamic_power_w, dram_pj_per_bit, eta_compute, eta_memory, layer_overhead_us, network_overhead_us, overlap, im2col] =
            v.try_into()
                .map_err(|_| Error::Invalid("a roofline profile has 15 parameters".into()))?;

        let gops = cores * clock_ghz * ops_per_cycle;
        if !(PEAK_GOPS.0..=PEAK_GOPS.1).contains(&gops) {
            return Err(Error::field(
                "peak compute (cores × clock_ghz × ops_per_cycle)",
                format!("{gops} GOP/s"),
                format!("{}..={} GOP/s (10 TOPS is 10000)", PEAK_GOPS.0, PEAK_GOPS.1),
            ));
        }
        Ok(Roofline {
            peak: gops * 1e9,
            bandwidth: bandwidth_gbs * 1e9,
            bytes_per_value,
            on_chip: on_chip_mb * 1024.0 * 1024.0,
            idle_power_w,
            op_energy_j: dynamic_power_w / (gops * 1e9),
            dram_pj_per_bit,
            eta_compute,
            eta_memory,
            layer_overhead: layer_overhead_us * 1e-6,
            network_overhead: network_overhead_us * 1e-6,
            overlap,
            im2col: im2col == 1.0,
        })
    }

    /// Seconds a layer's compute and its memory traffic take at the roofs (η = 1),
    /// and the DRAM bytes; calibration fits the η's and overheads against these.
    #[inline]
    pub fn layer_terms(&self, layer: &LayerSpec, ctx: &Context) -> (f64, f64, f64) {
        let weights = layer.params() as f64 * self.bytes_per_value;
        let dram = if self.on_chip > 0.0 {
            let before = ctx.params_before as f64 * self.bytes_per_value;
            let cached = (self.on_chip - before).clamp(0.0, weights);
            weights - cached
        } else {
            let lowered = if self.im2col
                && layer.kind == LayerKind::Conv
                && (layer.kernel > 1 || layer.stride > 1)
            {
                2.0 * (layer.kernel * layer.kernel) as f64
                    * (layer.input.c as u64 * layer.output.h as u64 * layer.output.w as u64) as f64
            } else {
                0.0
            };
            weights
                + ((layer.input.elems() + layer.output.elems()) as f64 + lowered)
                    * self.bytes_per_value
        };
        (ops(layer) as f64 / self.peak, dram / self.bandwidth, dram)
    }
}

impl HardwareModel for Roofline {
    #[inline]
    fn layer_cost(&self, layer: &LayerSpec, ctx: &Context) -> LayerCost {
        let (compute, memory, dram) = self.layer_terms(layer, ctx);
        let (c, m) = (compute / self.eta_compute, memory / self.eta_memory);
        let latency = c.max(m) + (1.0 - self.overlap) * c.min(m) + self.layer_overhead;
        // Three disjoint parts: the board at rest for the layer's time, the work
        // the cores add on top of rest (per operation), and the DRAM traffic.
        // Dynamic power is load minus idle with the cores busy on registers and
        // caches, so it holds no DRAM traffic; idle holds only refresh and standby.
        let idle = self.idle_power_w * latency;
        let compute = ops(layer) as f64 * self.op_energy_j;
        let dram_energy = dram * 8.0 * self.dram_pj_per_bit * 1e-12;
        LayerCost {
            latency,
            energy: idle + compute + dram_energy,
            area: 0.0,
            weight_bytes: layer.params() as f64 * self.bytes_per_value,
            activation_bytes: (layer.input.elems() + layer.output.elems()) as f64
                * self.bytes_per_value,
            dram_bytes: dram,
            energy_parts: [idle, compute, dram_energy, 0.0],
            area_parts: [0.0; 4],
        }
    }

    fn network_cost_fixed(&self, _layers: &LayerCost) -> LayerCost {
        let idle = self.idle_power_w * self.network_overhead;
        LayerCost {
            latency: self.network_overhead,
            energy: idle,
            energy_parts: [idle, 0.0, 0.0, 0.0],
            ..LayerCost::default()
        }
    }

    fn parts(&self) -> Parts {
        Parts {
            energy: [
                "idle power × time",
                "compute (dynamic power / peak, per op)",
                "DRAM traffic",
                "",
            ],
            area: ["", "", "", ""],
        }
    }

    fn bytes_per_value(&self) -> f64 {
        self.bytes_per_value
    }

    fn order_free_below(&self) -> Option<u64> {
        if self.on_chip > 0.0 {
            // Weights stream once the cache is full: a layer's cost depends on
            // every earlier layer only past this many parameters.
            Some((self.on_chip / self.bytes_per_value) as u64)
        } else {
            None
        }
    }

    fn ceilings(&self) -> Option<Ceilings> {
        Some(Ceilings {
            peak_ops: self.peak,
            bandwidth: self.bandwidth,
            effective_ops: self.eta_compute * self.peak,
            effective_bandwidth: self.eta_memory * self.bandwidth,
        })
    }
}
