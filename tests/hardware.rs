//! Hardware models: profiles and their checks, the IMC worked example of
//! docs/hardware.md, totals = Σ layers, roofline behaviour, calibration on
//! synthetic truth and on the shipped measurements, the forward-pass timer
//! against a naive convolution.

use flash_nas::hardware::calibrate::{self, Measured, Measurements};
use flash_nas::hardware::imc::Imc;
use flash_nas::hardware::measure::{self, Network};
use flash_nas::hardware::profile::{Model, BUILTIN};
use flash_nas::hardware::{builtin, Context, HardwareModel, Profile};
use flash_nas::space::CLASSICS;
use flash_nas::workload::{self, LayerKind, LayerSpec, Role, Shape};
use flash_nas::{Architecture, Error, SearchSpace};
use ndarray::{Array2, Array3, Array4};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

fn close(a: f64, b: f64, rel: f64) -> bool {
    (a - b).abs() <= rel * a.abs().max(b.abs()).max(1e-300)
}

fn field_of(e: Error) -> String {
    match e {
        Error::Field { field, .. } => field,
        other => panic!("expected a field error, got {other}"),
    }
}

#[test]
fn every_builtin_profile_checks_and_cites_every_parameter() {
    assert_eq!(BUILTIN.len(), 9);
    for (name, _) in BUILTIN {
        let p = builtin(name).unwrap();
        assert_eq!(p.name(), name);
        let view = p.view();
        assert!(!view.title.is_empty() && !view.description.is_empty(), "{name}");
        for row in &view.params {
            assert!(!row.source.trim().is_empty(), "{name}.{} has no source", row.spec.key);
            assert!(
                row.value >= row.spec.min && row.value <= row.spec.max,
                "{name}.{}",
                row.spec.key
            );
            assert!(!row.spec.unit.is_empty());
        }
        // The JSON written back reads back to the same profile.
        assert_eq!(Profile::from_json(&p.to_json()).unwrap(), p);
    }
    assert!(builtin("tpu-v9").unwrap_err().to_string().contains("one of rram-imc"));
}

#[test]
fn bad_parameters_name_the_field_value_and_range() {
    let rpi = builtin("rpi4").unwrap();
    for (key, value) in [
        ("bandwidth_gbs", 0.0),
        ("bandwidth_gbs", -3.0),
        ("idle_power_w", f64::NAN),
        ("eta_compute", 1.5),
        ("cores", 2.5),
        ("dynamic_power_w", f64::INFINITY),
    ] {
        let e = rpi.with_values(&[(key, value)], "").unwrap_err();
        let text = e.to_string();
        assert_eq!(field_of(e), format!("params.{key}"), "{text}");
        assert!(text.contains("allowed"), "{text}");
    }
    let e = rpi.with_values(&[("bandwidth_gbs", 0.0)], "").unwrap_err().to_string();
    assert!(e.contains("params.bandwidth_gbs = 0") && e.contains("0.01..=100000 GB/s"), "{e}");
    // 10⁹ TOPS: every factor is in range but their product is absurd.
    let e = rpi
        .with_values(&[("cores", 1e6), ("clock_ghz", 10.0), ("ops_per_cycle", 4096.0)], "")
        .unwrap_err();
    assert!(field_of(e).starts_with("peak compute"));
    let imc = builtin("rram-imc").unwrap();
    assert_eq!(
        field_of(imc.with_values(&[("columns_per_adc", 256.0)], "").unwrap_err()),
        "params.columns_per_adc"
    );
    assert_eq!(
        field_of(imc.with_values(&[("bits_per_cell", 9.0)], "").unwrap_err()),
        "params.bits_per_cell"
    );

    let json = rpi.to_json();
    let cases = [
        (json.replace("\"schema\": 1", "\"schema\": 2"), "schema"),
        (json.replace("\"name\": \"rpi4\"", "\"name\": \"<script>\""), "name"),
        (json.replace("\"unit\": \"GB/s\"", "\"unit\": \"MB/s\""), "params.bandwidth_gbs.unit"),
        (json.replace("\"idle_power_w\"", "\"idle_power_kw\""), "params.idle_power_kw"),
        (json.replace("\"im2col\"", "\"im2col_x\""), "params.im2col_x"),
    ];
    for (text, field) in cases {
        assert_eq!(field_of(Profile::from_json(&text).unwrap_err()), field);
    }
    // A missing parameter is named too.
    let mut params = rpi.to_params();
    params.params.remove("eta_memory");
    let e = params.check().unwrap_err();
    assert!(e.to_string().contains("params.eta_memory = missing"), "{e}");
    // Syntax errors say where.
    assert!(Profile::from_json("{\"schema\": 1,").unwrap_err().to_string().contains("line 1"));
}

fn conv_layer(c_in: u32, c_out: u32, hw: u32) -> LayerSpec {
    LayerSpec {
        kind: LayerKind::Conv,
        role: Role::Dense,
        cell: 1,
        block: 1,
        input: Shape { c: c_in, h: hw, w: hw },
        output: Shape { c: c_out, h: hw, w: hw },
        kernel: 3,
        stride: 1,
        groups: 1,
        bn_channels: c_in,
        bias: false,
    }
}

fn imc_model(p: &Profile) -> &Imc {
    match p.model() {
        Model::Imc(m) => m,
        _ => panic!("not IMC"),
    }
}

/// docs/hardware.md, "A layer by hand": 3×3 conv, 32 → 64 channels, 16×16, on rram-imc.
#[test]
fn imc_worked_example_matches_the_hand_computation() {
    let p = builtin("rram-imc").unwrap();
    let layer = conv_layer(32, 64, 16);
    let m = imc_model(&p).mapping(&layer);
    assert_eq!((m.row_blocks, m.crossbars, m.active_rows, m.active_cols), (3, 6, 576, 768));
    let c = p.layer_cost(&layer, &Context::default());
    // 2,048 reads × (100 ns ISAAC read + 8 columns per ADC at 1 GHz).
    assert!(close(c.latency, 221_184e-9, 1e-12), "{}", c.latency);
    let [adc, array, digital, traffic] = c.energy_parts;
    // 1,572,864 conversions × 0.20875 pJ (Walden-scaled 5-bit ADC).
    assert!(close(adc, 328_335.36e-12, 1e-12), "{adc}");
    assert!(close(array, 969_670.656e-12, 1e-12), "{array}");
    assert!(close(digital, 71_761.92e-12, 1e-12), "{digital}");
    assert!(close(traffic, 74_109.44e-12, 1e-12), "{traffic}");
    assert!(close(c.energy, 1_443_877.376e-12, 1e-12));
    assert!(close(c.area, 6.0 * 9_445.0e-6, 1e-12), "{}", c.area);
    assert!(array > adc, "with a Walden-scaled 5-bit ADC the array's reads cost more");
}

/// docs/hardware.md, "A chip the network outgrows": the crossbars a network needs
/// (counted here from each layer's mapping, not from the model's area), the
/// excess over the chip's budget rewritten every inference, the area capped at
/// the chip's, and a layer larger than the chip run in passes.
#[test]
fn imc_crossbar_budget_matches_the_hand_computation() {
    let archs = [
        "cifar10/dense/d4w16t10-d4w16t10-d4w16t10",
        "cifar10/dense/d4w64t10-d4w64t10-d4w64t10",
        "cifar10/dense/d4w64t49-d4w64t49-d4w64t49",
    ];
    for name in ["sram-imc", "rram-imc"] {
        let chip = builtin(name).unwrap();
        let roomy = chip.with_values(&[("crossbars", 1e7)], "").unwrap();
        let imc = imc_model(&chip);
        let (rows, cols) = (128.0, 128.0);
        let bits_per_cell = chip.value("bits_per_cell").unwrap();
        let bits = rows * cols * bits_per_cell;
        let rewrite_s = (rows * chip.value("write_row_ns").unwrap() * 1e-9)
            .max(bits / (chip.value("offchip_gbs").unwrap() * 8e9));
        let cells_j = rows * cols * chip.value("write_cell_pj").unwrap() * 1e-12;
        let offchip_j = bits * chip.value("offchip_pj_per_bit").unwrap() * 1e-12;
        let budget = chip.value("crossbars").unwrap();
        let mut latencies = Vec::new();
        for text in archs {
            let arch = Architecture::parse(text).unwrap();
            let needed: u64 = workload::layers(&arch)
                .iter()
                .filter(|l| l.spec.is_weighted())
                .map(|l| imc.mapping(&l.spec).crossbars)
                .sum();
            let excess = (needed as f64 - budget).max(0.0);
            let (small, big) = (chip.cost(&arch), roomy.cost(&arch));
            // No layer of these networks needs more than the chip, so the only
            // difference from an unbounded chip is the rewrites.
            assert!(close(small.latency, big.latency + excess * rewrite_s, 1e-12), "{name} {text}");
            assert!(
                close(small.energy, big.energy + excess * (cells_j + offchip_j), 1e-12),
                "{name} {text}"
            );
            let buffer = big.area - needed as f64 * imc.crossbar_area_um2 * 1e-6;
            let held = (needed as f64).min(budget);
            assert!(
                close(small.area, held * imc.crossbar_area_um2 * 1e-6 + buffer, 1e-9),
                "{name} {text}: {} vs {}",
                small.area,
                held * imc.crossbar_area_um2 * 1e-6 + buffer
            );
            latencies.push(small.latency);
        }
        if name == "sram-imc" {
            // 36 crossbars: all three networks outgrow the chip, each by more.
            assert!(latencies.windows(2).all(|w| w[0] < w[1]), "{name}: {latencies:?}");
        }
    }
    // A layer that needs 6 crossbars on a 4-crossbar chip runs in 2 passes.
    let tiny = builtin("rram-imc").unwrap().with_values(&[("crossbars", 4.0)], "").unwrap();
    let layer = conv_layer(32, 64, 16);
    let c = tiny.layer_cost(&layer, &Context::default());
    assert!(close(c.latency, 2.0 * 221_184e-9, 1e-12), "{}", c.latency);
}

/// A roofline layer's energy is three disjoint parts, each priced once: the
/// board's idle power for the layer's time, the operations at dynamic power over
/// peak, and the DRAM bits; summed here by hand from the profile's values.
#[test]
fn no_joule_is_counted_twice_on_a_roofline_layer() {
    for name in ["rpi4", "rtx3090", "jetson-nano"] {
        let p = builtin(name).unwrap();
        let v = |k: &str| p.value(k).unwrap();
        let layer = conv_layer(32, 64, 16);
        let c = p.layer_cost(&layer, &Context::default());
        let ops = 2.0 * layer.macs() as f64;
        let peak = v("cores") * v("clock_ghz") * v("ops_per_cycle") * 1e9;
        let values = (layer.params() + layer.input.elems() + layer.output.elems()) as f64
            + if v("im2col") == 1.0 { 2.0 * 9.0 * 32.0 * 256.0 } else { 0.0 };
        let dram = values * v("bytes_per_value");
        let (tc, tm) =
            (ops / (v("eta_compute") * peak), dram / (v("eta_memory") * v("bandwidth_gbs") * 1e9));
        let latency =
            tc.max(tm) + (1.0 - v("overlap")) * tc.min(tm) + v("layer_overhead_us") * 1e-6;
        assert!(close(c.latency, latency, 1e-12), "{name}");
        let idle = v("idle_power_w") * latency;
        let compute = ops * v("dynamic_power_w") / peak;
        let memory = dram * 8.0 * v("dram_pj_per_bit") * 1e-12;
        assert!(close(c.energy_parts[0], idle, 1e-12), "{name} idle");
        assert!(close(c.energy_parts[1], compute, 1e-12), "{name} compute");
        assert!(close(c.energy_parts[2], memory, 1e-12), "{name} DRAM");
        assert!(close(c.energy, idle + compute + memory, 1e-12), "{name} total");
    }
}

/// docs/hardware.md's published-figure table is what `flash hw published --markdown`
/// prints today, so a model change that moves a ratio cannot leave the docs behind.
#[test]
fn the_published_figure_table_in_the_docs_is_the_models_output() {
    use flash_nas::hardware::published;
    let rows = published::compare().unwrap();
    assert_eq!(rows.len(), published::FIGURES.len());
    let table = published::markdown(&rows);
    let doc =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/hardware.md")).unwrap();
    assert!(doc.contains(&table), "docs/hardware.md lacks the current table:\n{table}");
    for c in &rows {
        assert!(c.model.is_finite() && c.model > 0.0, "{} {}", c.figure.system, c.unit);
    }
}

/// The ISAAC peak row by hand, from the design point's parameters: a crossbar does
/// 128 rows × 16 weights (16-bit weights on 2-bit cells) = 2,048 MACs per input,
/// read 16 times (16-bit inputs) at 100 ns + 128 conversions at 1.28 GS/s, on
/// 3,013 µm² (one 8-bit ADC, the array, its periphery and its tile share).
#[test]
fn isaac_peak_density_matches_the_hand_computation() {
    use flash_nas::hardware::published::{model_value, Metric, FIGURES};
    let figure = FIGURES.iter().find(|f| f.metric == Metric::PeakGopsPerMm2).unwrap();
    let ops_per_s = 2.0 * 2048.0 / (16.0 * (100e-9 + 128.0 / 1.28e9));
    let mm2 = (1200.0 + 25.0 + 415.0 + 1373.0) * 1e-6;
    let hand = ops_per_s / mm2 / 1e9;
    let model = model_value(figure).unwrap();
    assert!(close(model, hand, 1e-9), "model {model} hand {hand}");
}

#[test]
fn adc_interpolation_hits_the_published_points() {
    use flash_nas::hardware::imc::adc_interpolate;
    assert_eq!(adc_interpolate(0.99, 1.67, 5), 0.99);
    assert!(close(adc_interpolate(0.99, 1.67, 8), 1.67, 1e-14));
    assert!(close(adc_interpolate(477.0, 1200.0, 8), 1200.0, 1e-14));
    let e6 = adc_interpolate(0.99, 1.67, 6);
    assert!(close(e6 * e6 * e6, 0.99 * 0.99 * 1.67, 1e-12));
    assert!(adc_interpolate(0.99, 1.67, 4) < 0.99);
}

/// NeuroSim's qualitative behaviour: fewer bits per cell → more columns per
/// weight → more conversions, so the ADC's share of energy grows; and area is
/// proportional to the number of crossbars.
#[test]
fn imc_breakdown_behaves_like_neurosim() {
    // NeuroSim sizes the chip to the network: a budget no network reaches.
    let base = builtin("rram-imc").unwrap().with_values(&[("crossbars", 1e7)], "").unwrap();
    let arch = Architecture::parse(CLASSICS[0].1).unwrap();
    let mut shares = Vec::new();
    for bits in [1.0, 2.0, 4.0, 8.0] {
        let p = base.with_values(&[("bits_per_cell", bits)], "").unwrap();
        let cost = p.cost(&arch);
        shares.push(cost.energy_parts[0] / cost.energy);
    }
    assert!(
        shares.windows(2).all(|w| w[0] > w[1]),
        "ADC share must fall as cells hold more bits: {shares:?}"
    );
    // Area per layer = crossbars × per-crossbar area; doubling the output channels
    // doubles the crossbars (256 → 512 columns) and the area.
    let imc = imc_model(&base);
    for (c_in, c_out) in [(32, 64), (64, 128), (16, 32)] {
        let a = conv_layer(c_in, c_out, 8);
        let b = conv_layer(c_in, 2 * c_out, 8);
        let (ma, mb) = (imc.mapping(&a), imc.mapping(&b));
        assert_eq!(mb.crossbars, 2 * ma.crossbars);
        let (ca, cb) =
            (base.layer_cost(&a, &Context::default()), base.layer_cost(&b, &Context::default()));
        assert!(close(ca.area, ma.crossbars as f64 * imc.crossbar_area_um2 * 1e-6, 1e-12));
        assert!(close(cb.area, 2.0 * ca.area, 1e-12));
    }
    // Whole networks: weighted-layer area is linear in the total crossbar count.
    let mut ratio = None;
    for (_, text) in CLASSICS.iter().take(6) {
        let arch = Architecture::parse(text).unwrap();
        let crossbars: u64 = workload::layers(&arch)
            .iter()
            .filter(|l| l.spec.is_weighted())
            .map(|l| imc.mapping(&l.spec).crossbars)
            .sum();
        let cost = base.cost(&arch);
        let layer_area: f64 =
            base.breakdown(&arch).iter().filter(|r| r.name != "fixed").map(|r| r.cost.area).sum();
        assert!(cost.area > layer_area, "the buffer adds area");
        let r = layer_area / crossbars as f64;
        assert!(ratio.is_none_or(|q: f64| close(q, r, 1e-9)), "{text}: {r} vs {ratio:?}");
        ratio = Some(r);
    }
}

fn random_archs(n: usize, seed: u64) -> Vec<Architecture> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut out: Vec<Architecture> =
        CLASSICS.iter().map(|(_, t)| Architecture::parse(t).unwrap()).collect();
    let spaces = [
        SearchSpace::flash_default(),
        SearchSpace::parse("mnist/res/cells=2;d=1..6;w=16..64:16").unwrap(),
        SearchSpace::parse("cifar10/mobile/cells=3;d=1..4;w=8..64:8;e=1..6").unwrap(),
        SearchSpace::parse("cifar10/wres/cells=3;d=1..4;w=8..32:8").unwrap(),
    ];
    for i in 0..n {
        out.push(spaces[i % spaces.len()].sample(&mut rng));
    }
    out
}

#[test]
fn totals_are_the_sum_of_per_layer_costs() {
    for (name, _) in BUILTIN {
        let p = builtin(name).unwrap();
        for arch in random_archs(40, 7) {
            let total = p.cost(&arch);
            let rows = p.breakdown(&arch);
            let sum = |f: &dyn Fn(&flash_nas::hardware::LayerCost) -> f64| {
                rows.iter().map(|r| f(&r.cost)).sum::<f64>()
            };
            assert!(close(total.latency, sum(&|c| c.latency), 1e-12), "{name} {arch}");
            assert!(close(total.energy, sum(&|c| c.energy), 1e-12), "{name} {arch}");
            assert!(
                close(total.area, sum(&|c| c.area), 1e-12) || total.area == 0.0,
                "{name} {arch}"
            );
            let weights = sum(&|c| c.weight_bytes);
            let largest = rows.iter().map(|r| r.cost.activation_bytes).fold(0.0, f64::max);
            assert!(close(total.memory, weights + largest, 1e-12), "{name} {arch}");
            for i in 0..4 {
                assert!(
                    close(total.energy_parts[i], sum(&|c| c.energy_parts[i]), 1e-12)
                        || total.energy_parts[i] == 0.0
                );
            }
            assert!(
                close(total.energy_parts.iter().sum::<f64>(), total.energy, 1e-12),
                "{name} parts"
            );
            assert!(
                close(total.area_parts.iter().sum::<f64>(), total.area, 1e-12) || total.area == 0.0,
                "{name} area parts"
            );
            assert!(total.latency > 0.0 && total.energy > 0.0 && total.memory > 0.0);
        }
    }
}

#[test]
fn roofline_bounds_and_overlap() {
    let p = builtin("rtx3090").unwrap();
    let arch = Architecture::parse("cifar10/dense/d4w32t10-d6w48t20-d3w16t0").unwrap();
    let points = p.roofline(&arch);
    let roof = p.ceilings().unwrap();
    assert_eq!(points.len(), workload::layers(&arch).len());
    for pt in &points {
        // No layer beats its roof: attained ≤ min(η_c·P, I·η_m·BW).
        assert!(
            pt.attained_ops
                <= roof.effective_ops.min(pt.intensity * roof.effective_bandwidth) * (1.0 + 1e-9),
            "{pt:?}"
        );
    }
    assert!(points.iter().any(|p| p.compute_bound) && points.iter().any(|p| !p.compute_bound));
    // overlap 1 → max(c, m); overlap 0 → c + m: never faster, strictly slower when both terms are non-zero.
    let serial = p.with_values(&[("overlap", 0.0)], "").unwrap();
    let (a, b) = (p.cost(&arch).latency, serial.cost(&arch).latency);
    assert!(b > a, "{a} {b}");
    // More bandwidth never hurts.
    let faster = p.with_values(&[("bandwidth_gbs", 2000.0)], "").unwrap();
    assert!(faster.cost(&arch).latency < a);
}

#[test]
fn edge_tpu_streams_weights_beyond_its_sram() {
    let p = builtin("edge-tpu").unwrap();
    let small = Architecture::parse("cifar10/dense/d4w32t10-d6w48t20-d3w16t0").unwrap();
    assert_eq!(p.cost(&small).dram_bytes, 0.0, "0.2 M int8 weights fit in 8 MiB");
    let big = Architecture::parse(CLASSICS[4].1).unwrap(); // WRN-28-10, 36 M weights
    let weights = workload::totals(big.frame(), big.cells()).params as f64;
    let cost = p.cost(&big);
    assert!(
        close(cost.dram_bytes, weights - 8.0 * 1024.0 * 1024.0, 1e-12),
        "{} vs {}",
        cost.dram_bytes,
        weights
    );
    let bigger_sram = p.with_values(&[("on_chip_mb", 64.0)], "").unwrap();
    assert!(bigger_sram.cost(&big).latency < cost.latency);
}

/// Latency and energy of random networks as a known profile predicts them.
fn measured_by(truth: &Profile, n: usize, seed: u64) -> Vec<Measured> {
    random_archs(n, seed)
        .iter()
        .enumerate()
        .map(|(i, a)| {
            let c = truth.cost(a);
            Measured::new(a, Some(c.latency), Some(c.energy), i + 2)
        })
        .collect()
}

/// Latencies and energies generated by a known profile are fitted back.
#[test]
fn calibration_recovers_a_known_profile() {
    let prior = builtin("rpi4").unwrap();
    let truth = prior
        .with_values(
            &[
                ("eta_compute", 0.62),
                ("eta_memory", 0.21),
                ("layer_overhead_us", 12.0),
                ("network_overhead_us", 80.0),
                ("overlap", 0.3),
                ("idle_power_w", 2.1),
                ("dynamic_power_w", 4.2),
                ("dram_pj_per_bit", 35.0),
            ],
            "truth",
        )
        .unwrap();
    let samples = measured_by(&truth, 40, 11);
    let fitted = calibrate::fit(&prior, &samples).unwrap();
    for key in [
        "eta_compute",
        "eta_memory",
        "layer_overhead_us",
        "network_overhead_us",
        "overlap",
        "idle_power_w",
        "dynamic_power_w",
        "dram_pj_per_bit",
    ] {
        let (got, want) = (fitted.value(key).unwrap(), truth.value(key).unwrap());
        assert!(close(got, want, 1e-3), "{key}: fitted {got}, truth {want}");
    }
    let report = calibrate::calibrate(&prior, &samples, 5, None).unwrap();
    for t in &report.targets {
        assert!(t.cross_validated.as_ref().unwrap().mape < 0.1, "{t:?}");
        assert!(t.prior.mape > 1.0);
    }

    // IMC: latency and energy parameters from synthetic NeuroSim-like numbers.
    let prior = builtin("rram-imc").unwrap();
    let truth = prior
        .with_values(
            &[
                ("array_read_ns", 3.0),
                ("layer_overhead_us", 0.5),
                ("adc_energy_scale", 1.4),
                ("row_energy_pj", 0.3),
                ("buffer_energy_pj", 30.0),
            ],
            "truth",
        )
        .unwrap();
    let samples = measured_by(&truth, 30, 12);
    let fitted = calibrate::fit(&prior, &samples).unwrap();
    for key in [
        "array_read_ns",
        "layer_overhead_us",
        "adc_energy_scale",
        "row_energy_pj",
        "buffer_energy_pj",
    ] {
        let (got, want) = (fitted.value(key).unwrap(), truth.value(key).unwrap());
        assert!(close(got, want, 1e-3), "{key}: fitted {got}, truth {want}");
    }
}

#[test]
fn calibration_refuses_too_few_or_degenerate_samples() {
    let prior = builtin("rpi4").unwrap();
    let arch = Architecture::parse("cifar10/dense/d4w32t10-d6w48t20-d3w16t0").unwrap();
    let few: Vec<Measured> =
        (0..5).map(|i| Measured::new(&arch, Some(1e-3 * (i + 1) as f64), None, i + 2)).collect();
    let e = calibrate::fit(&prior, &few).unwrap_err().to_string();
    assert!(e.contains("samples with latency = 5") && e.contains("at least"), "{e}");
    let same: Vec<Measured> =
        (0..20).map(|i| Measured::new(&arch, Some(1e-3), None, i + 2)).collect();
    let e = calibrate::fit(&prior, &same).unwrap_err().to_string();
    assert!(e.contains("only 1 distinct architecture"), "{e}");
    let ok: Vec<Measured> = random_archs(20, 3)
        .iter()
        .enumerate()
        .map(|(i, a)| Measured::new(a, Some(prior.cost(a).latency), None, i))
        .collect();
    assert_eq!(field_of(calibrate::calibrate(&prior, &ok, 1, None).unwrap_err()), "folds");
    assert_eq!(
        field_of(calibrate::calibrate(&prior, &ok, 5, Some(ok.len())).unwrap_err()),
        "train"
    );
}

#[test]
fn measurement_csv_errors_name_line_and_column() {
    let header = "# provenance\narch,latency_ms,energy_mj\n";
    let ok = Measurements::from_csv(&format!(
        "{header}digits/res/d2w16-d2w32,1.5,\ndigits/res/d1w16-d2w32,,0.2\n"
    ))
    .unwrap();
    assert_eq!(ok.provenance, vec!["provenance"]);
    assert_eq!(ok.samples[0].latency, Some(1.5e-3));
    assert_eq!(ok.samples[0].energy, None);
    assert_eq!(ok.samples[1].energy, Some(0.2e-3));
    let cases = [
        (format!("{header}digits/res/d2w16-d2w32,-1,\n"), 3, "latency_ms"),
        (format!("{header}digits/res/d2w16-d2w32,NaN,\n"), 3, "latency_ms"),
        (format!("{header}digits/res/d2w16-d2w32,1,\ndigits/res/d2w0,1,\n"), 4, "arch"),
        (format!("{header}digits/res/d2w16-d2w32,,\n"), 3, "latency_ms"),
        (format!("{header}digits/res/d2w16-d2w32,1,1e99\n"), 3, "energy_mj"),
        ("arch,accuracy\ndigits/res/d2w16,0.9\n".to_string(), 1, "latency_ms"),
        ("latency_ms\n1\n".to_string(), 1, "arch"),
    ];
    for (text, line, column) in cases {
        match Measurements::from_csv(&text).unwrap_err() {
            Error::Csv { line: l, column: c, .. } => {
                assert_eq!((l, c.as_str()), (line, column), "{text}")
            }
            other => panic!("{text}: {other}"),
        }
    }
}

/// The shipped measurements of this project's machine (data/measurements/):
/// 25 calibrate the `device` profile, 200 others are predicted.
#[test]
fn shipped_measurements_calibrate_and_predict_held_out_networks() {
    let csv = include_str!("../data/measurements/epyc-2core-default-space.csv");
    let set = Measurements::from_csv(csv).unwrap();
    assert_eq!(set.samples.len(), 225);
    assert!(set.provenance.iter().any(|l| l.contains("machine:")));
    let profile =
        Profile::from_json(include_str!("../data/measurements/epyc-2core-device.json")).unwrap();
    let report = calibrate::calibrate(&profile, &set.samples, 5, Some(25)).unwrap();
    let held = report.targets[0].held_out.as_ref().unwrap();
    assert_eq!(held.samples, 200);
    // docs/hardware.md reports these figures; the bounds leave room, not slack.
    assert!(held.mape < 6.0, "{held:?}");
    assert!(held.kendall_tau.unwrap() > 0.9, "{held:?}");
    assert!(report.targets[0].prior.mape > held.mape, "calibration must help");
}

#[test]
fn im2col_convolution_matches_the_naive_reference() {
    let mut rng = ChaCha8Rng::seed_from_u64(5);
    for (c_in, c_out, h, w, k, stride) in [
        (3, 8, 9, 7, 3, 1),
        (5, 4, 8, 8, 3, 2),
        (6, 10, 5, 6, 1, 1),
        (4, 3, 7, 7, 1, 2),
        (1, 2, 1, 1, 3, 1),
    ] {
        let x = Array3::from_shape_simple_fn((c_in, h, w), || rng.random_range(-1.0f32..1.0));
        let w4 =
            Array4::from_shape_simple_fn((c_out, c_in, k, k), || rng.random_range(-1.0f32..1.0));
        let w2: Array2<f32> = w4.to_shape((c_out, c_in * k * k)).unwrap().to_owned();
        let fast = measure::conv(x.view(), &w2, k, stride);
        let slow = measure::conv_naive(&x, &w4, stride, 1);
        assert_eq!(fast.dim(), slow.dim());
        for (a, b) in fast.iter().zip(slow.iter()) {
            assert!((a - b).abs() < 1e-4, "conv {c_in}→{c_out} k{k} s{stride}: {a} vs {b}");
        }
    }
    for (c, h, stride) in [(6, 9, 1), (4, 8, 2), (3, 5, 2)] {
        let x = Array3::from_shape_simple_fn((c, h, h), || rng.random_range(-1.0f32..1.0));
        let w4 = Array4::from_shape_simple_fn((c, 1, 3, 3), || rng.random_range(-1.0f32..1.0));
        let w2: Array2<f32> = w4.to_shape((c, 9)).unwrap().to_owned();
        let fast = measure::depthwise(x.view(), &w2, 3, stride);
        let slow = measure::conv_naive(&x, &w4, stride, c);
        for (a, b) in fast.iter().zip(slow.iter()) {
            assert!((a - b).abs() < 1e-5, "depthwise c{c} s{stride}: {a} vs {b}");
        }
    }
}

#[test]
fn forward_pass_runs_every_family_and_is_seeded() {
    let archs = [
        "digits/res/d2w16-d2w32",
        "digits/res(shortcut=pad)/d2w8-d2w16",
        "digits/wres/d1w8-d2w8",
        "mnist/dense/d3w8t4-d2w8t*",
        "digits/dense(bottleneck=2;compression=0.5)/d2w8t*-d2w8t3",
        "digits/mobile(head=32)/d1w8e1-d2w16e3-d2w16e6s1",
        "digits/nb201/|nor_conv_3x3~0|+|none~0|avg_pool_3x3~1|+|skip_connect~0|none~1|nor_conv_1x1~2|",
    ];
    for text in archs {
        let arch = Architecture::parse(text).unwrap();
        let a = Network::new(&arch, 1).unwrap().forward();
        assert_eq!(a.len(), 10, "{text}");
        assert!(a.iter().all(|v| v.is_finite()), "{text}");
        assert_eq!(a, Network::new(&arch, 1).unwrap().forward(), "{text}: same seed, same logits");
        assert_ne!(
            a,
            Network::new(&arch, 2).unwrap().forward(),
            "{text}: another seed, other weights"
        );
    }
    let net = Network::new(&Architecture::parse(archs[0]).unwrap(), 1).unwrap();
    let t = measure::time(&net, 5).unwrap();
    assert_eq!(t.runs.len(), 5);
    assert!(t.min <= t.median && t.median <= t.max && t.min > 0.0);
    assert_eq!(field_of(measure::time(&net, 0).unwrap_err()), "repeats");
    let huge = Architecture::parse("imagenet/dense/d40w256t*-d40w256t*").unwrap();
    assert!(field_of(Network::new(&huge, 1).err().unwrap()).starts_with("network size"));
}

/// Profiles (and link edits) written before issue 17 still load, priced as they
/// were: a roofline's `power_w` as idle power with no dynamic part (power × time),
/// an IMC chip without a crossbar budget as one no network outgrows.
#[test]
fn profiles_from_before_issue_17_load_and_price_as_before() {
    let arch = Architecture::parse(CLASSICS[0].1).unwrap();
    let rpi = builtin("rpi4").unwrap();
    let mut v: serde_json::Value = serde_json::from_str(&rpi.to_json()).unwrap();
    let params = v["params"].as_object_mut().unwrap();
    params.remove("idle_power_w");
    params.remove("dynamic_power_w");
    params
        .insert("power_w".into(), serde_json::json!({"value": 6.4, "unit": "W", "source": "old"}));
    let old = Profile::from_json(&v.to_string()).unwrap();
    assert_eq!(old.value("idle_power_w"), Some(6.4));
    assert_eq!(old.value("dynamic_power_w"), Some(0.0));
    let c = old.cost(&arch);
    assert!(close(c.energy_parts[0], 6.4 * c.latency, 1e-12));
    assert_eq!(c.energy_parts[1], 0.0);
    // The same through an edit, as a link's `params=power_w=…` gives it.
    let edited = rpi.with_values(&[("power_w", 6.4)], "").unwrap();
    assert_eq!(edited.cost(&arch), c);

    let imc = builtin("sram-imc").unwrap();
    let mut v: serde_json::Value = serde_json::from_str(&imc.to_json()).unwrap();
    let params = v["params"].as_object_mut().unwrap();
    for key in ["crossbars", "write_row_ns", "write_cell_pj", "offchip_gbs", "offchip_pj_per_bit"] {
        params.remove(key);
    }
    let old = Profile::from_json(&v.to_string()).unwrap();
    let roomy = imc.with_values(&[("crossbars", 1e7)], "").unwrap();
    assert_eq!(old.cost(&arch), roomy.cost(&arch));
    assert!(imc.cost(&arch).latency > roomy.cost(&arch).latency, "the real chip rewrites");
}

/// `flash hw measure --rounds`: the fastest round's median is kept, and min and
/// max span every round.
#[test]
fn measuring_in_rounds_keeps_the_fastest_round() {
    let net = Network::new(&Architecture::parse("digits/dense/d1w8t2-d1w8t0").unwrap(), 3).unwrap();
    let mut rounds: Vec<measure::Timing> =
        (0..3).map(|_| measure::time(&net, 3).unwrap()).collect();
    // Make the rounds' medians distinct and known: a slow spell in round 0.
    for (i, r) in rounds.iter_mut().enumerate() {
        r.median = [3e-3, 1e-3, 2e-3][i];
        r.min = [2.5e-3, 0.9e-3, 1.8e-3][i];
        r.max = [9e-3, 1.2e-3, 2.2e-3][i];
    }
    let t = measure::fastest_round(&rounds).unwrap();
    assert_eq!((t.median, t.min, t.max), (1e-3, 0.9e-3, 9e-3));
    assert!(measure::fastest_round(&[]).is_none());
}

/// Issue 17's frozen held-out sets (measured after the model was committed):
/// 250 default-space networks timed by flash's own timer and by PyTorch on the
/// same machine. Calibrated on the first 25, the model must predict the other
/// 225 better than both linear baselines, in MAPE and in Kendall's τ.
#[test]
fn the_model_beats_both_linear_baselines_on_the_frozen_held_out_sets() {
    let profile =
        Profile::from_json(include_str!("../data/measurements/xeon-2core-heldout-device.json"))
            .unwrap();
    for csv in [
        include_str!("../data/measurements/xeon-2core-heldout-own.csv"),
        include_str!("../data/measurements/xeon-2core-heldout-pytorch.csv"),
    ] {
        let set = Measurements::from_csv(csv).unwrap();
        assert_eq!(set.samples.len(), 250);
        let report = calibrate::calibrate(&profile, &set.samples, 5, Some(25)).unwrap();
        let t = &report.targets[0];
        let model = t.held_out.as_ref().unwrap();
        assert_eq!(model.samples, 225);
        assert_eq!(t.baselines.len(), 2);
        for b in &t.baselines {
            let base = b.held_out.as_ref().unwrap();
            assert_eq!(base.samples, 225);
            assert!(model.mape < base.mape, "{}: {model:?} vs {base:?}", b.name);
            assert!(model.kendall_tau > base.kendall_tau, "{}: {model:?} vs {base:?}", b.name);
        }
    }
}

/// A batch of B images and an eager runtime, by hand: compute and activations scale with
/// B, weights are read once; a convolution with batch norm runs three kernels (conv, BN,
/// activation: two element-wise passes over its output), plus the per-convolution time;
/// pooling's efficiency slows a pool and nothing else.
#[test]
fn batch_an_eager_runtime_and_pooling_efficiency_price_a_layer_as_derived() {
    let base = builtin("rtx3090").unwrap();
    let set = |batch: f64, eager: f64| {
        base.with_values(
            &[
                ("cores", 1000.0),
                ("clock_ghz", 1.0),
                ("ops_per_cycle", 2.0),
                ("bandwidth_gbs", 100.0),
                ("bytes_per_value", 4.0),
                ("on_chip_mb", 0.0),
                ("eta_compute", 0.5),
                ("eta_memory", 0.5),
                ("layer_overhead_us", 10.0),
                ("overlap", 1.0),
                ("im2col", 0.0),
                ("conv_overhead_us", 20.0),
                ("batch", batch),
                ("eager", eager),
            ],
            "test",
        )
        .unwrap()
    };
    // 3×3, 16 → 16 channels on 32×32, batch norm of 16 channels.
    let layer = conv_layer(16, 16, 32);
    let ctx = Context::default();
    let (macs, elems, params): (f64, f64, f64) =
        (9.0 * 16.0 * 16.0 * 1024.0, 16.0 * 1024.0, 9.0 * 256.0 + 32.0);
    let (peak, bw): (f64, f64) = (1000.0 * 1.0e9 * 2.0 * 0.5, 100e9 * 0.5);
    // Batch 8, eager: ops 8·(2·MACs + 2 passes · out); bytes: weights once, then
    // 8·(in + out + 2 passes · 2 · out) values of 4 bytes.
    let c = 8.0 * (2.0 * macs + 2.0 * elems) / peak;
    let m = (params * 4.0 + 8.0 * (elems + elems + 4.0 * elems) * 4.0) / bw;
    let want = c.max(m) + 3.0 * 10e-6 + 20e-6;
    let got = set(8.0, 1.0).model().layer_cost(&layer, &ctx).latency;
    assert!(close(got, want, 1e-12), "{got} vs {want}");
    // Batch 1, one kernel per layer: the roofline as before issue 38, plus the conv time.
    let want = (2.0 * macs / peak).max((params + 2.0 * elems) * 4.0 / bw) + 10e-6 + 20e-6;
    let got = set(1.0, 0.0).model().layer_cost(&layer, &ctx).latency;
    assert!(close(got, want, 1e-12), "{got} vs {want}");
    // Weights are read once per batch: bytes grow by B·(activations) only.
    let bytes = |b: f64| set(b, 0.0).model().layer_cost(&layer, &ctx).dram_bytes;
    assert!(close(bytes(4.0) - bytes(1.0), 3.0 * 2.0 * elems * 4.0, 1e-12));
    // Pooling's own efficiency divides both of a pool's terms, and no other layer's.
    let pool =
        LayerSpec { kind: LayerKind::AvgPool, role: Role::EdgePool, bn_channels: 0, ..layer };
    let slow = set(1.0, 0.0).with_values(&[("pool_efficiency", 0.25)], "test").unwrap();
    let (pool_ops, pool_bytes) = (9.0 * elems, 2.0 * elems * 4.0);
    let want = (pool_ops / (0.25 * peak)).max(pool_bytes / (0.25 * bw)) + 10e-6;
    let got = slow.model().layer_cost(&pool, &ctx).latency;
    assert!(close(got, want, 1e-12), "{got} vs {want}");
    assert_eq!(
        slow.model().layer_cost(&layer, &ctx),
        set(1.0, 0.0).model().layer_cost(&layer, &ctx)
    );
    // A `none` edge costs nothing unless the runtime is eager: then a multiply and an add.
    let zero = LayerSpec { kind: LayerKind::Zero, role: Role::EdgeZero, bn_channels: 0, ..layer };
    assert_eq!(set(1.0, 0.0).model().layer_cost(&zero, &ctx).latency, 0.0);
    let want = (2.0 * elems / peak).max(4.0 * elems * 4.0 / bw) + 2.0 * 10e-6;
    let got = set(1.0, 1.0).model().layer_cost(&zero, &ctx).latency;
    assert!(close(got, want, 1e-12), "{got} vs {want}");
}

/// NAS-Bench-201 networks (one cell each) drawn among the connected ones.
fn nb201_archs(n: usize, seed: u64) -> Vec<Architecture> {
    let space = SearchSpace::parse("cifar10/nb201").unwrap();
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut out = Vec::new();
    while out.len() < n {
        let a = space.decode(rng.random_range(0..space.count())).unwrap();
        if !flash_nas::space::nb201::cut_off(&a.cells()[0].coords[..6]) {
            out.push(a);
        }
    }
    out
}

/// An eager GPU at batch 1 (mostly kernel launches): latencies the model itself made are
/// fitted back from 25 networks, and from 10 with 3 % noise it still predicts 500 others.
#[test]
fn calibration_recovers_an_eager_gpu_from_a_handful_of_networks() {
    let prior = builtin("rtx3090").unwrap().with_values(&[("eager", 1.0)], "").unwrap();
    let truth = prior
        .with_values(
            &[
                ("eta_compute", 0.2),
                ("eta_memory", 0.5),
                ("layer_overhead_us", 15.0),
                ("conv_overhead_us", 60.0),
                ("network_overhead_us", 400.0),
            ],
            "truth",
        )
        .unwrap();
    let measure = |archs: &[Architecture], noise: f64, seed: u64| -> Vec<Measured> {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        archs
            .iter()
            .enumerate()
            .map(|(i, a)| {
                let e = 1.0 + noise * (2.0 * rng.random::<f64>() - 1.0);
                Measured::new(a, Some(truth.cost(a).latency * e), None, i + 2)
            })
            .collect()
    };
    let fitted = calibrate::fit(&prior, &measure(&nb201_archs(25, 5), 0.0, 0)).unwrap();
    for key in ["layer_overhead_us", "conv_overhead_us", "network_overhead_us"] {
        let (got, want) = (fitted.value(key).unwrap(), truth.value(key).unwrap());
        assert!(close(got, want, 1e-2), "{key}: fitted {got}, truth {want}");
    }
    let others = nb201_archs(500, 6);
    let fitted = calibrate::fit(&prior, &measure(&nb201_archs(10, 7), 0.03, 8)).unwrap();
    let predicted: Vec<f64> = others.iter().map(|a| fitted.cost(a).latency).collect();
    let measured: Vec<f64> = others.iter().map(|a| truth.cost(a).latency).collect();
    let e = calibrate::Errors::of(&predicted, &measured);
    assert!(e.mape < 3.0 && e.within_10pct > 0.99, "{e:?}");
    // The measured devices' pull towards the start still lets 10 noisy networks recover
    // the device; an overwhelming pull keeps the start, and a weight of 0 fits the samples
    // alone, as `fit` does.
    let ten = measure(&nb201_archs(10, 7), 0.03, 8);
    let pulled = calibrate::fit_toward(&prior, &ten, flash_nas::hardware::devices::PRIOR).unwrap();
    let predicted: Vec<f64> = others.iter().map(|a| pulled.cost(a).latency).collect();
    let e = calibrate::Errors::of(&predicted, &measured);
    assert!(e.mape < 3.0 && e.within_10pct > 0.99, "{e:?}");
    let held = calibrate::fit_toward(&prior, &ten, calibrate::Prior { weight: 1e6 }).unwrap();
    // (The pull is on a log scale offset by 1 % of each range: it holds the efficiencies;
    // an overhead far below its range's 1 % is nearly free to move.)
    for key in ["eta_compute", "eta_memory", "overlap"] {
        let (got, start) = (held.value(key).unwrap(), prior.value(key).unwrap());
        assert!(close(got, start, 5e-2), "{key}: held {got}, start {start}");
    }
    let alone = calibrate::fit_toward(&prior, &ten, calibrate::Prior { weight: 0.0 }).unwrap();
    assert_eq!(alone.to_json(), fitted.to_json());
}

/// A network with a cell no path crosses, and a latency near zero, are left out of a
/// calibration, each with its reason; the rest calibrate.
#[test]
fn degenerate_samples_are_left_out_with_their_reason() {
    let prior = builtin("rpi4").unwrap();
    let mut samples: Vec<Measured> = nb201_archs(12, 9)
        .iter()
        .enumerate()
        .map(|(i, a)| Measured::new(a, Some(prior.cost(a).latency), None, i + 2))
        .collect();
    let cut = Architecture::parse(
        "cifar10/nb201/|nor_conv_3x3~0|+|none~0|none~1|+|none~0|none~1|nor_conv_3x3~2|",
    )
    .unwrap();
    let live = nb201_archs(1, 10).remove(0);
    samples.push(Measured::new(&cut, Some(0.02), None, 14));
    samples.push(Measured::new(&live, Some(prior.cost(&live).latency * 1e-3), None, 15));
    let report = calibrate::calibrate(&prior, &samples, 5, None).unwrap();
    let lines: Vec<usize> = report.excluded.iter().map(|x| x.line).collect();
    assert_eq!(lines, [14, 15]);
    assert!(report.excluded[0].reason.contains("no path"), "{:?}", report.excluded);
    assert!(report.excluded[1].reason.contains("median"), "{:?}", report.excluded);
    assert_eq!(report.targets[0].fitted.samples, 12);
}

/// The row-stationary mapping's cycles, worked by hand on a 12×14 array (docs/hardware.md,
/// "A spatial array (Eyeriss)"), and a layer's latency from them.
#[test]
fn a_spatial_array_prices_layers_as_the_row_stationary_mapping_derives() {
    let p = builtin("eyeriss").unwrap();
    let Model::Spatial(array) = p.model() else { panic!("eyeriss is a spatial array") };
    // 3×3, 16 → 16 on 32×32: PE sets 3 rows × 32 output rows fold into ⌈32/14⌉ = 3 strips
    // 11 wide; ⌊12/3⌋·⌊14/11⌋ = 4 sets at once over 16·16 pairs; 32 outputs × 3 taps a row.
    let conv3 = conv_layer(16, 16, 32);
    assert_eq!(array.cycles(&conv3), 3 * (256 / 4) * 32 * 3);
    // 1×1: sets one row tall, 12 at once: ⌈256/12⌉ = 22 rounds of 32 one-tap outputs.
    let conv1 = LayerSpec { kernel: 1, ..conv3 };
    assert_eq!(array.cycles(&conv1), 3 * 22 * 32);
    // 3×3, 64 → 64 on 8×8: one strip 8 wide, 4·1 sets, 4096 pairs, 8 outputs × 3 taps.
    assert_eq!(array.cycles(&conv_layer(64, 64, 8)), (4096 / 4) * 8 * 3);
    // A 3×3 pool: C pairs as a depthwise filter, C·C as a convolution.
    let pool =
        LayerSpec { kind: LayerKind::AvgPool, role: Role::EdgePool, bn_channels: 0, ..conv3 };
    assert_eq!(array.cycles(&pool), 3 * (16 / 4) * 32 * 3);
    let as_conv = p.with_values(&[("pool_as_conv", 1.0)], "").unwrap();
    let Model::Spatial(as_conv) = as_conv.model() else { unreachable!() };
    assert_eq!(as_conv.cycles(&pool), array.cycles(&conv3));
    // Sums and `none` edges do not run on the array.
    let sum = LayerSpec { kind: LayerKind::Sum, role: Role::Node, bn_channels: 0, ..conv3 };
    assert_eq!(array.cycles(&sum), 0);
    assert_eq!(p.model().layer_cost(&sum, &Context::default()).latency, 0.0);
    // Latency: max(cycles / (η_c·f), bytes / (η_m·BW)) + the per-layer time.
    let (eta_c, eta_m, f, bw): (f64, f64, f64, f64) = (0.8, 0.8, 200e6, 1.6e9);
    let bytes = (9.0 * 256.0 + 32.0 + 2.0 * 16.0 * 1024.0) * 2.0;
    let want = (18432.0 / (eta_c * f)).max(bytes / (eta_m * bw)) + 5e-6;
    let got = p.model().layer_cost(&conv3, &Context::default()).latency;
    assert!(close(got, want, 1e-12), "{got} vs {want}");
}

/// A switch (a whole-number fitted parameter) is chosen by the samples: latencies made by
/// an array that pools as a convolution are fitted back from 10 networks starting from one
/// that does not, and the other way round the start's choice stays.
#[test]
fn calibration_chooses_a_spatial_arrays_pooling_from_ten_networks() {
    let start = builtin("eyeriss").unwrap();
    assert_eq!(start.value("pool_as_conv"), Some(0.0));
    for (pools_as_conv, seed) in [(1.0, 3), (0.0, 4)] {
        let truth = start
            .with_values(
                &[
                    ("pool_as_conv", pools_as_conv),
                    ("eta_compute", 0.6),
                    ("layer_overhead_us", 9.0),
                ],
                "truth",
            )
            .unwrap();
        let samples: Vec<Measured> = nb201_archs(10, seed)
            .iter()
            .enumerate()
            .map(|(i, a)| Measured::new(a, Some(truth.cost(a).latency), None, i + 2))
            .collect();
        let fitted = calibrate::fit(&start, &samples).unwrap();
        assert_eq!(fitted.value("pool_as_conv"), Some(pools_as_conv));
        let others = nb201_archs(300, seed + 10);
        let predicted: Vec<f64> = others.iter().map(|a| fitted.cost(a).latency).collect();
        let measured: Vec<f64> = others.iter().map(|a| truth.cost(a).latency).collect();
        let e = calibrate::Errors::of(&predicted, &measured);
        assert!(e.mape < 1.0, "pool_as_conv {pools_as_conv}: {e:?}");
    }
}
