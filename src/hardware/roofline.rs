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

use super::kind::{DeviceKind, Values};
use super::params::{ParamSpec, ParamValue, Target};
use super::{ops, Ceilings, Context, HardwareModel, LayerCost, Parts};
use crate::error::{Error, Result};
use crate::workload::{LayerKind, LayerSpec};
use std::collections::BTreeMap;

const PARAMS: [ParamSpec; 19] = [
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
    .fits(Target::Energy),
    ParamSpec::new(
        "dynamic_power_w",
        "W",
        0.0,
        5000.0,
        "power added to idle with every core busy; divided by the peak, the energy of one operation",
    )
    .fits(Target::Energy),
    ParamSpec::new("dram_pj_per_bit", "pJ/bit", 0.0, 1000.0, "off-chip access energy per bit")
        .fits(Target::Energy),
    ParamSpec::new(
        "eta_compute",
        "fraction",
        0.001,
        1.0,
        "fraction of peak compute a layer reaches",
    )
    .fits(Target::Latency),
    ParamSpec::new(
        "eta_memory",
        "fraction",
        0.001,
        1.0,
        "fraction of peak bandwidth a layer reaches",
    )
    .fits(Target::Latency),
    ParamSpec::new(
        "layer_overhead_us",
        "µs",
        0.0,
        1e5,
        "fixed time per layer (kernel launch, dispatch)",
    )
    .fits(Target::Latency),
    ParamSpec::new(
        "network_overhead_us",
        "µs",
        0.0,
        1e6,
        "fixed time per inference (input copy, invoke)",
    )
    .fits(Target::Latency),
    ParamSpec::new(
        "overlap",
        "fraction",
        0.0,
        1.0,
        "how far compute hides memory time: 1 = max(c, m), 0 = c + m",
    )
    .fits(Target::Latency),
    ParamSpec::new(
        "im2col",
        "0/1",
        0.0,
        1.0,
        "1: convolutions are lowered to GEMM through an im2col buffer",
    )
    .integer(),
    ParamSpec::new(
        "batch",
        "images",
        1.0,
        65536.0,
        "images per inference: compute and activations scale with it, weights are read once",
    )
    .integer(),
    ParamSpec::new(
        "eager",
        "0/1",
        0.0,
        1.0,
        "1: every operation is a kernel of its own, as in eager PyTorch: a convolution's batch norm and activation, each term a node adds, and the `none` edges (input × 0) a DAG cell computes",
    )
    .integer(),
    ParamSpec::new(
        "conv_overhead_us",
        "µs",
        0.0,
        1e5,
        "fixed time per convolution besides its kernel's (algorithm choice, several kernels per convolution)",
    )
    .fits(Target::Latency),
    ParamSpec::new(
        "pool_efficiency",
        "fraction",
        0.001,
        1.0,
        "how far below the other layers' efficiencies (η_compute, η_memory) a pooling kernel runs",
    )
    .fits(Target::Latency),
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
    /// Images per inference.
    pub batch: f64,
    /// Every operation its own kernel (see the `eager` parameter).
    pub eager: bool,
    pub conv_overhead: f64,
    /// Scales both efficiencies for pooling layers.
    pub pool_efficiency: f64,
}

impl DeviceKind for Roofline {
    const NAME: &'static str = "roofline";
    const PARAMS: &'static [ParamSpec] = &PARAMS;
    const SIZES_SILICON: bool = false;

    fn from_values(v: Values) -> Result<Roofline> {
        let (cores, clock_ghz, ops_per_cycle) =
            (v.get("cores"), v.get("clock_ghz"), v.get("ops_per_cycle"));
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
            bandwidth: v.get("bandwidth_gbs") * 1e9,
            bytes_per_value: v.get("bytes_per_value"),
            on_chip: v.get("on_chip_mb") * 1024.0 * 1024.0,
            idle_power_w: v.get("idle_power_w"),
            op_energy_j: v.get("dynamic_power_w") / (gops * 1e9),
            dram_pj_per_bit: v.get("dram_pj_per_bit"),
            eta_compute: v.get("eta_compute"),
            eta_memory: v.get("eta_memory"),
            layer_overhead: v.get("layer_overhead_us") * 1e-6,
            network_overhead: v.get("network_overhead_us") * 1e-6,
            overlap: v.get("overlap"),
            im2col: v.get("im2col") == 1.0,
            batch: v.get("batch"),
            eager: v.get("eager") == 1.0,
            conv_overhead: v.get("conv_overhead_us") * 1e-6,
            pool_efficiency: v.get("pool_efficiency"),
        })
    }

    /// A profile from before issue 17 had one `power_w`: it becomes idle power with no
    /// dynamic part (power × time, as it was priced).
    fn upgrade(params: &mut BTreeMap<String, ParamValue>) {
        if !params.contains_key("batch") {
            let note = "a profile from before issue 38: one image, one kernel per layer";
            for (key, value) in [("batch", 1.0), ("eager", 0.0), ("conv_overhead_us", 0.0)] {
                params.entry(key.to_string()).or_insert(ParamValue {
                    value,
                    unit: None,
                    source: note.to_string(),
                });
            }
        }
        // Issue 38's last change: pooling's own efficiency (1: as every other layer).
        params.entry("pool_efficiency".to_string()).or_insert(ParamValue {
            value: 1.0,
            unit: None,
            source: "a profile from before pooling had its own efficiency: as every other layer"
                .to_string(),
        });
        if let Some(old) = params.remove("power_w") {
            let note = format!("was power_w (before issue 17): {}", old.source);
            params.entry("idle_power_w".into()).or_insert(ParamValue {
                value: old.value,
                unit: old.unit,
                source: note,
            });
            params.entry("dynamic_power_w".into()).or_insert(ParamValue {
                value: 0.0,
                unit: None,
                source: "0: a profile from before issue 17 prices power × time".into(),
            });
        }
    }

    fn upgrade_edit(key: &str, value: f64) -> Vec<(String, f64)> {
        match key {
            "power_w" => vec![("idle_power_w".into(), value), ("dynamic_power_w".into(), 0.0)],
            _ => vec![(key.to_string(), value)],
        }
    }
}

impl Roofline {
    /// Kernels a layer runs and the extra element-wise passes among them (each reads
    /// and writes the layer's output once): one kernel per layer, except in an eager
    /// runtime, where a convolution's batch norm and activation are kernels of their
    /// own, a node adds each term in turn, and a `none` edge multiplies and adds.
    #[inline]
    fn kernels(&self, layer: &LayerSpec) -> (f64, f64) {
        if !self.eager {
            return (1.0, 0.0);
        }
        match layer.kind {
            LayerKind::Conv | LayerKind::Depthwise if layer.bn_channels > 0 => (3.0, 2.0),
            LayerKind::Sum => {
                let terms = (layer.input.c / layer.output.c.max(1)) as f64;
                (terms, 0.0)
            }
            // The multiply (the layer itself) and its add into the node.
            LayerKind::Zero => (2.0, 1.0),
            _ => (1.0, 0.0),
        }
    }

    /// Seconds a layer's compute and its memory traffic take at the roofs (η = 1),
    /// and the DRAM bytes; calibration fits the η's and overheads against these.
    #[inline]
    pub fn layer_terms(&self, layer: &LayerSpec, ctx: &Context) -> (f64, f64, f64) {
        let (_, passes) = self.kernels(layer);
        let weights = layer.params() as f64 * self.bytes_per_value;
        let out = layer.output.elems() as f64;
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
                + self.batch
                    * ((layer.input.elems() + layer.output.elems()) as f64
                        + lowered
                        + 2.0 * passes * out)
                    * self.bytes_per_value
        };
        let ops = self.batch * (ops(layer) as f64 + passes * out);
        (ops / self.peak, dram / self.bandwidth, dram)
    }
}

impl HardwareModel for Roofline {
    #[inline]
    fn layer_cost(&self, layer: &LayerSpec, ctx: &Context) -> LayerCost {
        if layer.kind == LayerKind::Zero && !self.eager {
            // A `none` edge no node reads: a compiled runtime never runs it.
            return LayerCost::default();
        }
        let (compute, memory, dram) = self.layer_terms(layer, ctx);
        // A pooling kernel may run far below the roofs the other layers reach (Pascal GPUs at
        // batch 256 pool slower than they run a 1×1 convolution, docs/hardware.md).
        let pool = if layer.kind == LayerKind::AvgPool { self.pool_efficiency } else { 1.0 };
        let (c, m) = (compute / (self.eta_compute * pool), memory / (self.eta_memory * pool));
        let (kernels, passes) = self.kernels(layer);
        let conv = if matches!(layer.kind, LayerKind::Conv | LayerKind::Depthwise) {
            self.conv_overhead
        } else {
            0.0
        };
        let latency =
            c.max(m) + (1.0 - self.overlap) * c.min(m) + self.layer_overhead * kernels + conv;
        // Three disjoint parts: the board at rest for the layer's time, the work
        // the cores add on top of rest (per operation), and the DRAM traffic.
        // Dynamic power is load minus idle with the cores busy on registers and
        // caches, so it holds no DRAM traffic; idle holds only refresh and standby.
        let idle = self.idle_power_w * latency;
        let compute = self.batch
            * (ops(layer) as f64 + passes * layer.output.elems() as f64)
            * self.op_energy_j;
        let dram_energy = dram * 8.0 * self.dram_pj_per_bit * 1e-12;
        LayerCost {
            latency,
            energy: idle + compute + dram_energy,
            area: 0.0,
            weight_bytes: layer.params() as f64 * self.bytes_per_value,
            activation_bytes: self.batch
                * (layer.input.elems() + layer.output.elems()) as f64
                * self.bytes_per_value,
            dram_bytes: dram,
            energy_parts: [idle, compute, dram_energy, 0.0],
            area_parts: [0.0; 4],
        }
    }

    fn network_cost_fixed(&self, _layers: &LayerCost) -> LayerCost {
        LayerCost::fixed_time(self.network_overhead, self.idle_power_w)
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
