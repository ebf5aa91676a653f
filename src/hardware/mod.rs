//! Hardware models: latency, energy and area (or memory) of a network on a
//! target, layer by layer (docs/hardware.md).
//!
//! A [`HardwareModel`] needs one method, the cost of one layer; network totals,
//! the per-layer breakdown and the roofline position are default methods, so a
//! new target is one function (plotters' `DrawingBackend` is the pattern).
//! Targets are data: a [`Profile`] is checked from JSON whose every parameter has
//! a unit, a source and an allowed range (`params`), and names its device kind:
//! an in-memory computing accelerator ([`imc`]), a roofline device
//! ([`roofline`]) or a row-stationary PE array ([`spatial`]), each one file that
//! declares itself ([`kind`]).
//! [`calibrate`] fits a profile's free parameters to measured samples and
//! [`measure`] produces such samples on the machine it runs on; [`published`]
//! sets the models beside figures others published.

pub mod calibrate;
pub mod devices;
pub mod imc;
pub mod kind;
pub mod measure;
pub mod params;
pub mod profile;
pub mod published;
pub mod roofline;
pub mod spatial;

pub use profile::{builtin, Profile};

use crate::space::{Architecture, Cell, Frame};
use crate::workload::{self, LayerKind, LayerSpec, Reads, Role, Sink};
use serde::Serialize;

/// Where a layer sits in the network, for costs that depend on what came before
/// (an Edge TPU caches weights on chip in layer order until its SRAM is full).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Context {
    /// 0-based index of the layer.
    pub index: u32,
    /// Parameters of all earlier layers.
    pub params_before: u64,
}

/// Number of named parts a cost splits into (see [`HardwareModel::parts`]).
pub const PARTS: usize = 4;

/// The cost of one layer (or of a network's fixed part) in SI units.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct LayerCost {
    /// Seconds.
    #[serde(rename = "latency_s")]
    pub latency: f64,
    /// Joules.
    #[serde(rename = "energy_j")]
    pub energy: f64,
    /// mm² of silicon the layer occupies (0 where the silicon is fixed).
    #[serde(rename = "area_mm2")]
    pub area: f64,
    /// Bytes of weights the layer keeps resident.
    pub weight_bytes: f64,
    /// Bytes of the layer's input and output activations (alive together).
    pub activation_bytes: f64,
    /// Bytes moved to or from off-chip memory.
    pub dram_bytes: f64,
    /// Energy split into the model's parts (sums to `energy`).
    pub energy_parts: [f64; PARTS],
    /// Area split into the model's parts (sums to `area`).
    pub area_parts: [f64; PARTS],
}

impl LayerCost {
    /// A fixed time at a constant power (a network's per-inference overhead): its energy
    /// is the first part.
    pub fn fixed_time(seconds: f64, watts: f64) -> LayerCost {
        let energy = watts * seconds;
        LayerCost {
            latency: seconds,
            energy,
            energy_parts: [energy, 0.0, 0.0, 0.0],
            ..LayerCost::default()
        }
    }

    /// Adds a layer: sums, except the live activations, which take the larger.
    pub fn add(&mut self, other: &LayerCost) {
        self.latency += other.latency;
        self.energy += other.energy;
        self.area += other.area;
        self.weight_bytes += other.weight_bytes;
        self.dram_bytes += other.dram_bytes;
        self.activation_bytes = self.activation_bytes.max(other.activation_bytes);
        for i in 0..PARTS {
            self.energy_parts[i] += other.energy_parts[i];
            self.area_parts[i] += other.area_parts[i];
        }
    }
}

/// Names of the parts energy and area split into; empty names are unused parts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Parts {
    pub energy: [&'static str; PARTS],
    pub area: [&'static str; PARTS],
}

/// A network's cost: the sum over layers plus the network's fixed part.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct NetworkCost {
    /// Seconds per inference (batch 1).
    #[serde(rename = "latency_s")]
    pub latency: f64,
    /// Joules per inference.
    #[serde(rename = "energy_j")]
    pub energy: f64,
    /// mm² of silicon the network needs (0 for fixed-silicon targets).
    #[serde(rename = "area_mm2")]
    pub area: f64,
    /// Memory footprint in bytes: all weights plus the largest layer's activations.
    #[serde(rename = "memory_bytes")]
    pub memory: f64,
    pub dram_bytes: f64,
    pub energy_parts: [f64; PARTS],
    pub area_parts: [f64; PARTS],
    pub layers: u32,
}

/// Peak compute and bandwidth that bound a roofline target.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Ceilings {
    /// Nominal peak, operations per second.
    pub peak_ops: f64,
    /// Nominal memory bandwidth, bytes per second.
    pub bandwidth: f64,
    /// What the model reaches at best (η_compute × peak, η_memory × bandwidth).
    pub effective_ops: f64,
    pub effective_bandwidth: f64,
}

/// One layer on the roofline: operational intensity against attained throughput.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RooflinePoint {
    pub layer: String,
    /// Operations per byte moved.
    pub intensity: f64,
    /// Operations per second the model predicts.
    pub attained_ops: f64,
    /// Whether the layer sits under the compute roof (else under the memory roof).
    pub compute_bound: bool,
}

/// One row of the per-layer breakdown.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LayerRow {
    pub name: String,
    pub kind: LayerKind,
    pub ops: u64,
    #[serde(flatten)]
    pub cost: LayerCost,
}

/// Operations a layer performs: 2 per multiply-accumulate, one add per pooled
/// or summed input (a 3×3 pooling with stride 1 adds each input into up to 9 outputs).
#[inline]
pub fn ops(spec: &LayerSpec) -> u64 {
    match spec.kind {
        LayerKind::Conv | LayerKind::Depthwise | LayerKind::Linear => 2 * spec.macs(),
        LayerKind::AvgPool if spec.role == Role::EdgePool => {
            spec.output.elems() * (spec.kernel * spec.kernel) as u64
        }
        LayerKind::AvgPool | LayerKind::GlobalAvgPool | LayerKind::Sum => spec.input.elems(),
        // One multiply (by 0) per element.
        LayerKind::Zero => spec.output.elems(),
    }
}

/// The name of a cost report's last row: the network's fixed per-inference cost, not a layer.
pub const FIXED_ROW: &str = "fixed";

/// A cost model of one target.
pub trait HardwareModel {
    /// The cost of one layer at its place in the network.
    fn layer_cost(&self, layer: &LayerSpec, ctx: &Context) -> LayerCost;

    /// What the network costs besides its layers, given the sum of its layers'
    /// costs (`layers.activation_bytes` is the largest layer's): buffers sized by
    /// the largest activation, a per-inference overhead, the weight rewrites of an
    /// IMC chip the network outgrows. Nothing by default. Each total (layers plus
    /// this) must not decrease as any layer sum grows: the exact search
    /// (`search::exact`) prunes partial networks on that assumption. Its
    /// `weight_bytes` and `activation_bytes` are not read: a network's memory is
    /// its layers' weights plus the largest activation, so configurations whose
    /// layers store the same bytes need the same memory (the exact search then
    /// solves a memory goal once for all of them).
    fn network_cost_fixed(&self, _layers: &LayerCost) -> LayerCost {
        LayerCost::default()
    }

    /// True when `network_cost_fixed`'s latency or energy reads the layers' area
    /// sum (an IMC chip with a crossbar budget), so the exact search must keep
    /// partial networks apart by area even for a latency or energy goal.
    fn fixed_reads_area(&self) -> bool {
        false
    }

    /// `None` when a layer's cost never depends on the layers before it (its
    /// [`Context`]); `Some(p)` when it can, but only once more than `p`
    /// parameters precede it (an Edge TPU's weight cache). The exact search
    /// splits a network into independent cells only below that.
    fn order_free_below(&self) -> Option<u64> {
        None
    }

    /// Names of the energy and area parts.
    fn parts(&self) -> Parts {
        Parts { energy: ["energy", "", "", ""], area: ["area", "", "", ""] }
    }

    /// Bytes a value takes on the target (weights and activations).
    fn bytes_per_value(&self) -> f64 {
        4.0
    }

    /// Roofs of a roofline target; `None` where the roofline does not apply.
    fn ceilings(&self) -> Option<Ceilings> {
        None
    }

    /// The network's cost without building a layer list (the search's hot path).
    fn network_cost(&self, frame: &Frame, cells: &[Cell]) -> NetworkCost {
        let mut sink = CostSink { model: self, sum: LayerCost::default(), ctx: Context::default() };
        workload::walk(frame, cells, &mut sink);
        let layers = sink.ctx.index;
        let mut sum = sink.sum;
        sum.add(&self.network_cost_fixed(&sink.sum));
        NetworkCost {
            latency: sum.latency,
            energy: sum.energy,
            area: sum.area,
            memory: sink.sum.weight_bytes + sink.sum.activation_bytes,
            dram_bytes: sum.dram_bytes,
            energy_parts: sum.energy_parts,
            area_parts: sum.area_parts,
            layers,
        }
    }

    fn cost(&self, arch: &Architecture) -> NetworkCost {
        self.network_cost(arch.frame(), arch.cells())
    }

    /// Every layer's cost, by name, and the network's fixed part as a last row
    /// named `fixed` (when it is not zero).
    fn breakdown(&self, arch: &Architecture) -> Vec<LayerRow> {
        let mut rows = Vec::new();
        let mut ctx = Context::default();
        let mut sum = LayerCost::default();
        for layer in workload::layers(arch) {
            let cost = self.layer_cost(&layer.spec, &ctx);
            sum.add(&cost);
            ctx.index += 1;
            ctx.params_before += layer.params;
            rows.push(LayerRow {
                name: layer.name,
                kind: layer.spec.kind,
                ops: ops(&layer.spec),
                cost,
            });
        }
        let fixed = self.network_cost_fixed(&sum);
        if fixed != LayerCost::default() {
            rows.push(LayerRow {
                name: FIXED_ROW.into(),
                kind: LayerKind::GlobalAvgPool,
                ops: 0,
                cost: fixed,
            });
        }
        rows
    }

    /// Each layer's place on the roofline (empty where the roofline does not apply).
    fn roofline(&self, arch: &Architecture) -> Vec<RooflinePoint> {
        let Some(roof) = self.ceilings() else { return Vec::new() };
        let mut ctx = Context::default();
        let mut points = Vec::new();
        for layer in workload::layers(arch) {
            let cost = self.layer_cost(&layer.spec, &ctx);
            ctx.index += 1;
            ctx.params_before += layer.params;
            let ops = ops(&layer.spec) as f64;
            // Bytes from off-chip memory: an Edge TPU layer whose weights sit on
            // chip has (almost) infinite intensity, as it should.
            let intensity = ops / cost.dram_bytes.max(1.0);
            points.push(RooflinePoint {
                layer: layer.name,
                intensity,
                attained_ops: if cost.latency > 0.0 { ops / cost.latency } else { 0.0 },
                compute_bound: intensity * roof.effective_bandwidth >= roof.effective_ops,
            });
        }
        points
    }
}

struct CostSink<'m, M: ?Sized> {
    model: &'m M,
    sum: LayerCost,
    ctx: Context,
}

impl<M: HardwareModel + ?Sized> Sink for CostSink<'_, M> {
    const READS: bool = false;
    #[inline]
    fn layer(&mut self, spec: &LayerSpec, _: Reads<'_>) {
        let cost = self.model.layer_cost(spec, &self.ctx);
        self.sum.add(&cost);
        self.ctx.index += 1;
        self.ctx.params_before += spec.params();
    }
}

/// Everything `flash hw cost` and the page show for one network on one profile.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CostReport {
    pub profile: String,
    pub arch: String,
    pub total: NetworkCost,
    pub parts: Parts,
    pub ceilings: Option<Ceilings>,
    pub layers: Vec<LayerRow>,
    pub roofline: Vec<RooflinePoint>,
}

pub fn report(profile: &Profile, arch: &Architecture) -> CostReport {
    CostReport {
        profile: profile.name().to_string(),
        arch: arch.to_string(),
        total: profile.cost(arch),
        parts: profile.parts(),
        ceilings: profile.ceilings(),
        layers: profile.breakdown(arch),
        roofline: profile.roofline(arch),
    }
}
