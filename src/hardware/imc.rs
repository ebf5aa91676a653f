//! In-memory computing crossbar accelerator, NeuroSim style (docs/hardware.md
//! derives every formula and works one layer by hand).
//!
//! Weight-stationary: every weighted layer owns its crossbars. A layer whose
//! unrolled weight matrix is K × N (K = k²·C_in/groups rows, N = C_out weights)
//! needs ⌈K/rows⌉ × ⌈N·c/cols⌉ crossbars, c = ⌈weight bits / bits per cell⌉
//! columns per weight. Inputs are fed bit-serially: each output position is
//! one input vector, read `input_bits` times; in each read every ADC converts its
//! `columns_per_adc` columns one per clock, so a read takes
//! `array_read_ns + columns_per_adc / clock`. Crossbars of a layer work in
//! parallel; layers run one after another. The chip has `crossbars` of them: a
//! network that needs more rewrites the excess every inference (a network-level
//! term, `network_cost_fixed`), and a layer larger than the chip runs in passes.

use super::kind::{DeviceKind, Values};
use super::params::{ParamSpec, ParamValue, Target};
use super::{Context, HardwareModel, LayerCost, Parts};
use crate::error::{Error, Result};
use crate::workload::{LayerKind, LayerSpec};
use std::collections::BTreeMap;

const PARAMS: [ParamSpec; 32] = [
    ParamSpec::new(
        "rows",
        "rows",
        16.0,
        2048.0,
        "rows of a crossbar (inputs summed on one bit line)",
    )
    .integer(),
    ParamSpec::new("cols", "columns", 16.0, 2048.0, "columns (bit lines) of a crossbar").integer(),
    ParamSpec::new("bits_per_cell", "bits", 1.0, 8.0, "bits one memory cell stores").integer(),
    ParamSpec::new("weight_bits", "bits", 1.0, 16.0, "weight precision").integer(),
    ParamSpec::new("input_bits", "bits", 1.0, 16.0, "input precision, fed one bit per read")
        .integer(),
    ParamSpec::new("adc_bits", "bits", 3.0, 10.0, "ADC resolution").integer(),
    ParamSpec::new(
        "columns_per_adc",
        "columns",
        1.0,
        2048.0,
        "columns one ADC converts in turn (column mux)",
    )
    .integer(),
    ParamSpec::new("clock_ghz", "GHz", 0.01, 10.0, "clock: one ADC conversion per cycle"),
    ParamSpec::new(
        "array_read_ns",
        "ns",
        0.0,
        1000.0,
        "word-line drive and bit-line settling per read, besides conversions",
    )
    .fits(Target::Latency),
    ParamSpec::new(
        "layer_overhead_us",
        "µs",
        0.0,
        1e5,
        "fixed time per layer (control, pipeline fill)",
    )
    .fits(Target::Latency),
    ParamSpec::new("adc_energy_5bit_pj", "pJ", 0.001, 1000.0, "energy of one 5-bit conversion"),
    ParamSpec::new("adc_energy_8bit_pj", "pJ", 0.001, 1000.0, "energy of one 8-bit conversion"),
    ParamSpec::new("adc_area_5bit_um2", "µm²", 0.1, 1e6, "area of one 5-bit ADC"),
    ParamSpec::new("adc_area_8bit_um2", "µm²", 0.1, 1e6, "area of one 8-bit ADC"),
    ParamSpec::new("adc_energy_scale", "×", 0.01, 100.0, "multiplies the interpolated ADC energy")
        .fits(Target::Energy),
    // Not fitted: like the ADC's, it is paid once per conversion, so the two cannot be
    // told apart from totals.
    ParamSpec::new("array_energy_pj", "pJ", 0.0, 1000.0, "array energy per column per read"),
    ParamSpec::new(
        "row_energy_pj",
        "pJ",
        0.0,
        1000.0,
        "driver and input register energy per active row per read",
    )
    .fits(Target::Energy),
    ParamSpec::new(
        "shift_add_energy_pj",
        "pJ",
        0.0,
        1000.0,
        "shift-and-add and output register per conversion",
    ),
    ParamSpec::new("buffer_energy_pj", "pJ", 0.0, 1e4, "buffer (eDRAM) access per 256 bits")
        .fits(Target::Energy),
    ParamSpec::new("noc_energy_pj", "pJ", 0.0, 1e4, "interconnect (router) per 256 bits"),
    ParamSpec::new("digital_op_pj", "pJ", 0.0, 100.0, "one digital add (partial sums, pooling)"),
    ParamSpec::new(
        "digital_ops_per_cycle",
        "ops/cycle",
        1.0,
        1e6,
        "digital adds per clock (pooling units)",
    ),
    ParamSpec::new("array_area_um2", "µm²", 0.01, 1e7, "area of one crossbar array"),
    ParamSpec::new(
        "periphery_area_um2",
        "µm²",
        0.0,
        1e7,
        "per-crossbar periphery besides ADCs (drivers, S+H, S+A, registers)",
    ),
    ParamSpec::new(
        "shared_area_um2",
        "µm²",
        0.0,
        1e7,
        "per-crossbar share of the tile's bus, router and digital units",
    ),
    ParamSpec::new(
        "buffer_area_um2_per_kb",
        "µm²/KB",
        0.0,
        1e7,
        "buffer (eDRAM) area per KiB; the buffer holds the largest layer's input and output",
    ),
    ParamSpec::new("activation_bits", "bits", 1.0, 32.0, "activation precision in buffers")
        .integer(),
    ParamSpec::new(
        "crossbars",
        "crossbars",
        1.0,
        1e7,
        "crossbars on the chip; a network that needs more rewrites the excess every inference",
    )
    .integer(),
    ParamSpec::new(
        "write_row_ns",
        "ns",
        0.0,
        1e6,
        "time to program one crossbar row (all its columns at once)",
    ),
    ParamSpec::new("write_cell_pj", "pJ", 0.0, 1e4, "energy to program one cell"),
    ParamSpec::new(
        "offchip_gbs",
        "GB/s",
        0.001,
        1e5,
        "off-chip bandwidth rewritten weights arrive over",
    ),
    ParamSpec::new(
        "offchip_pj_per_bit",
        "pJ/bit",
        0.0,
        1000.0,
        "off-chip energy per bit of rewritten weights",
    ),
];

/// A checked IMC profile.
#[derive(Clone, Debug, PartialEq)]
pub struct Imc {
    pub rows: u64,
    pub cols: u64,
    /// Columns one weight spans: ⌈weight bits / bits per cell⌉.
    pub cols_per_weight: u64,
    pub input_bits: f64,
    pub adc_bits: u32,
    pub columns_per_adc: u64,
    pub clock_ghz: f64,
    pub array_read_ns: f64,
    pub layer_overhead_us: f64,
    /// Interpolated and scaled: energy (pJ) and area (µm²) of one conversion / ADC.
    pub adc_energy_pj: f64,
    pub adc_area_um2: f64,
    pub array_energy_pj: f64,
    pub row_energy_pj: f64,
    pub shift_add_energy_pj: f64,
    pub buffer_energy_pj: f64,
    pub noc_energy_pj: f64,
    pub digital_op_pj: f64,
    pub digital_ops_per_cycle: f64,
    pub weight_bits: f64,
    pub activation_bits: f64,
    /// µm² of one crossbar with its ADCs, periphery and share of the tile.
    pub crossbar_area_um2: f64,
    pub crossbar_area_parts: [f64; 4],
    pub buffer_area_um2_per_kb: f64,
    /// Crossbars on the chip.
    pub crossbars: u64,
    /// Seconds and joules to rewrite one crossbar's weights (fetch and program).
    pub rewrite_s: f64,
    pub rewrite_j: f64,
    /// The joules of `rewrite_j` spent programming cells (the rest is off-chip traffic).
    pub rewrite_cells_j: f64,
}

/// Geometric interpolation between the published 5-bit and 8-bit ADC figures
/// (a SAR ADC's energy and area grow roughly exponentially with resolution):
/// five · (eight/five)^((bits − 5)/3). Only IEEE-exact operations (no libm
/// `powf`, whose last bit differs between platforms), so wasm and native agree.
pub fn adc_interpolate(five: f64, eight: f64, bits: u32) -> f64 {
    let step = cbrt(eight / five);
    let mut v = five;
    for _ in 5..bits.max(5) {
        v *= step;
    }
    for _ in bits.min(5)..5 {
        v /= step;
    }
    v
}

/// Cube root of a positive number by Newton's method from a bracketing start.
fn cbrt(r: f64) -> f64 {
    let mut y = if r > 1.0 { r } else { 1.0 };
    for _ in 0..200 {
        let next = (2.0 * y + r / (y * y)) / 3.0;
        if next >= y {
            break;
        }
        y = next;
    }
    y
}

impl DeviceKind for Imc {
    const NAME: &'static str = "imc";
    const PARAMS: &'static [ParamSpec] = &PARAMS;
    const SIZES_SILICON: bool = true;

    fn from_values(v: Values) -> Result<Imc> {
        let (rows, cols, bits_per_cell) = (v.get("rows"), v.get("cols"), v.get("bits_per_cell"));
        let (weight_bits, adc_bits, columns_per_adc) =
            (v.get("weight_bits"), v.get("adc_bits"), v.get("columns_per_adc"));
        let (e5, e8) = (v.get("adc_energy_5bit_pj"), v.get("adc_energy_8bit_pj"));
        let (a5, a8) = (v.get("adc_area_5bit_um2"), v.get("adc_area_8bit_um2"));
        let (write_row_ns, write_cell_pj) = (v.get("write_row_ns"), v.get("write_cell_pj"));
        let (offchip_gbs, offchip_pj_per_bit) = (v.get("offchip_gbs"), v.get("offchip_pj_per_bit"));
        if columns_per_adc > cols {
            return Err(Error::field(
                "params.columns_per_adc",
                columns_per_adc,
                format!("1..={} (params.cols)", cols),
            ));
        }
        if bits_per_cell > weight_bits {
            return Err(Error::field(
                "params.bits_per_cell",
                bits_per_cell,
                format!("1..={} (params.weight_bits)", weight_bits),
            ));
        }
        let adc_bits = adc_bits as u32;
        let adc_area_um2 = adc_interpolate(a5, a8, adc_bits);
        let adcs = (cols / columns_per_adc).ceil();
        let crossbar_area_parts = [
            adcs * adc_area_um2,
            v.get("array_area_um2"),
            v.get("periphery_area_um2"),
            v.get("shared_area_um2"),
        ];
        // Rewriting a crossbar: its rows × cols × bits-per-cell bits come over the
        // off-chip link while its rows are programmed one at a time; the two overlap.
        let bits = rows * cols * bits_per_cell;
        let rewrite_s = (rows * write_row_ns * 1e-9).max(bits / (offchip_gbs * 8e9));
        let rewrite_cells_j = rows * cols * write_cell_pj * PJ;
        let rewrite_j = rewrite_cells_j + bits * offchip_pj_per_bit * PJ;
        Ok(Imc {
            rows: rows as u64,
            cols: cols as u64,
            cols_per_weight: (weight_bits / bits_per_cell).ceil() as u64,
            input_bits: v.get("input_bits"),
            adc_bits,
            columns_per_adc: columns_per_adc as u64,
            clock_ghz: v.get("clock_ghz"),
            array_read_ns: v.get("array_read_ns"),
            layer_overhead_us: v.get("layer_overhead_us"),
            adc_energy_pj: adc_interpolate(e5, e8, adc_bits) * v.get("adc_energy_scale"),
            adc_area_um2,
            array_energy_pj: v.get("array_energy_pj"),
            row_energy_pj: v.get("row_energy_pj"),
            shift_add_energy_pj: v.get("shift_add_energy_pj"),
            buffer_energy_pj: v.get("buffer_energy_pj"),
            noc_energy_pj: v.get("noc_energy_pj"),
            digital_op_pj: v.get("digital_op_pj"),
            digital_ops_per_cycle: v.get("digital_ops_per_cycle"),
            weight_bits,
            activation_bits: v.get("activation_bits"),
            crossbar_area_um2: crossbar_area_parts.iter().sum(),
            crossbar_area_parts,
            buffer_area_um2_per_kb: v.get("buffer_area_um2_per_kb"),
            crossbars: v.get("crossbars") as u64,
            rewrite_s,
            rewrite_j,
            rewrite_cells_j,
        })
    }

    /// A profile from before issue 17 had no crossbar budget: it gets one no network
    /// reaches, with free rewrites.
    fn upgrade(params: &mut BTreeMap<String, ParamValue>) {
        if !params.contains_key("crossbars") {
            let note = "a profile from before issue 17: a chip as large as any network";
            for (key, value) in [
                ("crossbars", 1e7),
                ("write_row_ns", 0.0),
                ("write_cell_pj", 0.0),
                ("offchip_gbs", 1e5),
                ("offchip_pj_per_bit", 0.0),
            ] {
                params.entry(key.to_string()).or_insert(ParamValue {
                    value,
                    unit: None,
                    source: note.to_string(),
                });
            }
        }
    }
}

impl Imc {
    /// Crossbars behind a sum of layer areas (each layer's area is its crossbars
    /// times one crossbar's; rounding removes the sum's floating-point error).
    #[inline]
    pub fn crossbars_in(&self, layer_area_mm2: f64) -> f64 {
        (layer_area_mm2 / (self.crossbar_area_um2 * UM2_TO_MM2)).round()
    }

    /// Seconds of one bit-serial read: settling plus each ADC's conversions.
    #[inline]
    pub fn read_ns(&self) -> f64 {
        self.array_read_ns + self.columns_per_adc as f64 / self.clock_ghz
    }

    /// How a weighted layer maps onto crossbars.
    #[inline]
    pub fn mapping(&self, layer: &LayerSpec) -> Mapping {
        let k2 = (layer.kernel * layer.kernel) as u64;
        let cpw = self.cols_per_weight;
        if layer.groups > 1 {
            // Depthwise: channel g's k² weights sit on rows g·k².., columns g·c..;
            // as many channels share a crossbar as fit both ways.
            let channels = layer.output.c as u64;
            let row_blocks = k2.div_ceil(self.rows);
            let per_crossbar = (self.rows / k2).min(self.cols / cpw).max(1);
            Mapping {
                crossbars: channels.div_ceil(per_crossbar) * row_blocks,
                row_blocks,
                active_rows: channels * k2,
                active_cols: channels * cpw * row_blocks,
                outputs: channels,
            }
        } else {
            let k = k2 * layer.input.c as u64;
            let n = layer.output.c as u64 * cpw;
            let row_blocks = k.div_ceil(self.rows);
            let col_blocks = n.div_ceil(self.cols);
            Mapping {
                crossbars: row_blocks * col_blocks,
                row_blocks,
                active_rows: k * col_blocks,
                active_cols: n * row_blocks,
                outputs: layer.output.c as u64,
            }
        }
    }
}

/// A weighted layer on crossbars.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Mapping {
    pub crossbars: u64,
    /// Crossbars stacked along the input dimension (their partial sums are added digitally).
    pub row_blocks: u64,
    /// Rows driven in one read, over all the layer's crossbars.
    pub active_rows: u64,
    /// Columns converted in one read, over all the layer's crossbars.
    pub active_cols: u64,
    /// Output channels (one partial sum per row block each).
    pub outputs: u64,
}

const PJ: f64 = 1e-12;
const UM2_TO_MM2: f64 = 1e-6;
/// Bits an interconnect or buffer access moves.
const ACCESS_BITS: f64 = 256.0;
/// Partial sums travel at 16 bits.
const PSUM_BITS: f64 = 16.0;

impl HardwareModel for Imc {
    fn layer_cost(&self, layer: &LayerSpec, _: &Context) -> LayerCost {
        if layer.kind == LayerKind::Zero {
            // A `none` edge no node reads: a compiled accelerator never runs it.
            return LayerCost::default();
        }
        let in_bits = layer.input.elems() as f64 * self.activation_bits;
        let out_bits = layer.output.elems() as f64 * self.activation_bits;
        let activation_bytes = (in_bits + out_bits) / 8.0;
        let weight_bytes = layer.params() as f64 * self.weight_bits / 8.0;
        if !layer.is_weighted() {
            // Pooling runs on the tile's digital units.
            let adds = layer.input.elems() as f64;
            let latency = adds / (self.digital_ops_per_cycle * self.clock_ghz) * 1e-9;
            let digital = adds * self.digital_op_pj * PJ;
            let traffic = (in_bits + out_bits) / ACCESS_BITS
                * (self.buffer_energy_pj + self.noc_energy_pj)
                * PJ;
            return LayerCost {
                latency,
                energy: digital + traffic,
                activation_bytes,
                energy_parts: [0.0, 0.0, digital, traffic],
                ..LayerCost::default()
            };
        }
        let m = self.mapping(layer);
        let vectors = if layer.kind == LayerKind::Linear {
            1.0
        } else {
            (layer.output.h as u64 * layer.output.w as u64) as f64
        };
        let reads = vectors * self.input_bits;
        // A layer larger than the chip runs in passes, each on a chip's worth of its
        // crossbars (the rewrites between passes are priced with the network's).
        let passes = m.crossbars.div_ceil(self.crossbars) as f64;
        let latency = passes * reads * self.read_ns() * 1e-9 + self.layer_overhead_us * 1e-6;
        let conversions = reads * m.active_cols as f64;
        let adc = conversions * self.adc_energy_pj * PJ;
        let array = (conversions * self.array_energy_pj
            + reads * m.active_rows as f64 * self.row_energy_pj)
            * PJ;
        let psum_adds = vectors * m.outputs as f64 * (m.row_blocks - 1) as f64;
        let digital =
            (conversions * self.shift_add_energy_pj + psum_adds * self.digital_op_pj) * PJ;
        let moved = in_bits + out_bits;
        let traffic = (moved / ACCESS_BITS * self.buffer_energy_pj
            + (moved + psum_adds * PSUM_BITS) / ACCESS_BITS * self.noc_energy_pj)
            * PJ;
        let xb = m.crossbars as f64;
        let p = &self.crossbar_area_parts;
        let area_parts = [
            xb * p[0] * UM2_TO_MM2,
            xb * p[1] * UM2_TO_MM2,
            xb * p[2] * UM2_TO_MM2,
            xb * p[3] * UM2_TO_MM2,
        ];
        LayerCost {
            latency,
            energy: adc + array + digital + traffic,
            area: xb * self.crossbar_area_um2 * UM2_TO_MM2,
            weight_bytes,
            activation_bytes,
            dram_bytes: 0.0,
            energy_parts: [adc, array, digital, traffic],
            area_parts,
        }
    }

    /// The activation buffer, and the crossbars the network needs beyond the
    /// chip's: each inference rewrites that many crossbars' weights (an ideal
    /// schedule's minimum: every weight is read once per inference and at most
    /// `crossbars` of them can already be in place), and the chip's area counts
    /// only the crossbars it has.
    fn network_cost_fixed(&self, layers: &LayerCost) -> LayerCost {
        let buffer = layers.activation_bytes / 1024.0 * self.buffer_area_um2_per_kb * UM2_TO_MM2;
        let needed = self.crossbars_in(layers.area);
        let excess = (needed - self.crossbars as f64).max(0.0);
        let p = &self.crossbar_area_parts;
        let shed = |part: f64| -excess * part * UM2_TO_MM2;
        let cells = excess * self.rewrite_cells_j;
        let offchip = excess * self.rewrite_j - cells;
        LayerCost {
            latency: excess * self.rewrite_s,
            energy: cells + offchip,
            area: buffer - excess * self.crossbar_area_um2 * UM2_TO_MM2,
            energy_parts: [0.0, cells, 0.0, offchip],
            area_parts: [shed(p[0]), shed(p[1]), shed(p[2]), shed(p[3]) + buffer],
            ..LayerCost::default()
        }
    }

    fn fixed_reads_area(&self) -> bool {
        true
    }

    fn parts(&self) -> Parts {
        Parts {
            energy: [
                "ADC",
                "array (cells, drivers)",
                "digital (shift-add, accumulate, pool)",
                "buffer + interconnect + off-chip",
            ],
            area: ["ADC", "array", "periphery", "tile share + buffer"],
        }
    }

    fn bytes_per_value(&self) -> f64 {
        self.activation_bits / 8.0
    }
}
