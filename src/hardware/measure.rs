//! "Measure this device": run an architecture's forward pass (random weights,
//! batch 1, fp32, one thread) and time it, natively or in the browser.
//!
//! Convolutions are im2col + GEMM through ndarray's `dot` (matrixmultiply, pure
//! Rust, builds for wasm32); depthwise convolutions, pooling and the classifier
//! are direct loops. `conv_naive` is the 7-loop reference the tests hold them to.
//! The network's wiring (concatenations, shortcuts) comes from the same layer
//! walk as every other number here, so the timed network is the modelled one.

use crate::clock::Instant;
use crate::error::{Error, Result};
use crate::space::Architecture;
use crate::workload::{self, LayerKind, LayerSpec, Piece, Reads, Role, Sink, Skip, INPUT, VOID};
use ndarray::{s, Array1, Array2, Array3, ArrayView3, Axis};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::Serialize;

/// Largest network the timer builds: activations (f32) of all layers together.
pub const MAX_ACTIVATIONS: u64 = 64 * 1024 * 1024;
pub const MAX_REPEATS: u32 = 1000;

/// A layer and where its input comes from.
#[derive(Clone, Debug)]
struct Op {
    spec: LayerSpec,
    pieces: Vec<Piece>,
    shortcuts: Vec<Skip>,
    /// Weights as (out, in/groups·k²) rows, or (channels, k²) for depthwise.
    weights: Option<Array2<f32>>,
}

struct Record(Vec<Op>);

impl Sink for Record {
    const READS: bool = true;
    fn layer(&mut self, spec: &LayerSpec, reads: Reads<'_>) {
        self.0.push(Op {
            spec: *spec,
            pieces: reads.pieces.to_vec(),
            shortcuts: reads.shortcuts.to_vec(),
            weights: None,
        });
    }
}

/// An architecture ready to run: its layers, their wiring and random weights.
pub struct Network {
    ops: Vec<Op>,
    /// A DAG cell's network (NAS-Bench-201): another activation order.
    dag: bool,
    input: Array3<f32>,
    pub arch: String,
    pub macs: u64,
    pub params: u64,
}

impl Network {
    /// Builds the network with weights drawn from a seeded generator (He-uniform).
    pub fn new(arch: &Architecture, seed: u64) -> Result<Network> {
        let totals = workload::totals(arch.frame(), arch.cells());
        if totals.activations > MAX_ACTIVATIONS {
            return Err(Error::field(
                "network size (activation values of all layers)",
                totals.activations,
                format!("at most {MAX_ACTIVATIONS} to time in memory"),
            ));
        }
        let mut record = Record(Vec::new());
        workload::walk(arch.frame(), arch.cells(), &mut record);
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        for op in &mut record.0 {
            let s = &op.spec;
            if !s.is_weighted() {
                continue;
            }
            let k2 = (s.kernel * s.kernel) as usize;
            let fan_in = k2 * (s.input.c / s.groups) as usize;
            let (rows, cols) = if s.kind == LayerKind::Depthwise {
                (s.output.c as usize, k2)
            } else {
                (s.output.c as usize, fan_in)
            };
            let bound = (6.0 / fan_in as f32).sqrt();
            op.weights = Some(Array2::from_shape_simple_fn((rows, cols), || {
                rng.random_range(-bound..bound)
            }));
        }
        let ds = arch.frame().dataset;
        let input = Array3::from_shape_simple_fn(
            (ds.channels as usize, ds.height as usize, ds.width as usize),
            || rng.random_range(-1.0f32..1.0),
        );
        Ok(Network {
            dag: arch.frame().family == crate::space::Family::Nb201,
            ops: record.0,
            input,
            arch: arch.to_string(),
            macs: totals.macs,
            params: totals.params,
        })
    }

    /// One forward pass of a NAS-Bench-201 network (pre-activation: ReLU before
    /// every convolution but the stem and the reduction's 1×1 shortcut; a node
    /// the sum of its edges; BN folded away, as in the other families here).
    fn forward_dag(&self) -> Array1<f32> {
        let mut store: Vec<Option<Array3<f32>>> = vec![None; self.ops.len()];
        let mut projection: Option<Array3<f32>> = None;
        let mut pooled = Array3::zeros((0, 0, 0));
        let zeros = |s: &LayerSpec, c: u32| {
            Array3::zeros((c as usize, s.input.h as usize, s.input.w as usize))
        };
        for (id, op) in self.ops.iter().enumerate() {
            let s = &op.spec;
            let read = |p: &Piece| -> Array3<f32> {
                match p.layer {
                    VOID => zeros(s, p.len),
                    INPUT => self.input.clone(),
                    l => store[l as usize].clone().expect("sources run first"),
                }
            };
            let relu = |mut t: Array3<f32>| {
                t.mapv_inplace(|v| v.max(0.0));
                t
            };
            match (s.kind, s.role) {
                (LayerKind::AvgPool, Role::EdgePool) => {
                    store[id] = Some(avg_pool3(read(&op.pieces[0]).view()));
                }
                (LayerKind::AvgPool, _) => store[id] = Some(avg_pool2(read(&op.pieces[0]).view())),
                (LayerKind::Sum, _) => {
                    let mut total = zeros(s, s.output.c);
                    for Skip::Identity(p) | Skip::Projection(p) in &op.shortcuts {
                        if p.layer != VOID {
                            total += &read(p);
                        }
                    }
                    store[id] = Some(total);
                }
                // A `none` edge: nothing reads it, so this runtime skips it.
                (LayerKind::Zero, _) => {}
                (LayerKind::GlobalAvgPool, _) => {
                    pooled = global_avg_pool(relu(read(&op.pieces[0])).view());
                }
                (LayerKind::Linear, _) => {
                    let w = op.weights.as_ref().expect("weighted layers have weights");
                    let y = linear(pooled.view(), w);
                    return y.into_shape_with_order(s.output.c as usize).expect("logits");
                }
                (_, role) => {
                    let w = op.weights.as_ref().expect("weighted layers have weights");
                    let (k, stride) = (s.kernel as usize, s.stride as usize);
                    match role {
                        Role::Stem => {
                            store[id] = Some(conv(read(&op.pieces[0]).view(), w, k, stride))
                        }
                        Role::Projection => {
                            // The reduction's shortcut reads the 2×2 pooling just before it.
                            let t = store[id - 1].clone().expect("the pooling precedes it");
                            projection = Some(conv(t.view(), w, k, stride));
                        }
                        _ => {
                            let mut y = conv(relu(read(&op.pieces[0])).view(), w, k, stride);
                            if role == Role::ReduceB {
                                y += &projection.take().expect("the shortcut precedes conv_b");
                            }
                            store[id] = Some(y);
                        }
                    }
                }
            }
        }
        Array1::zeros(0)
    }

    /// One forward pass; returns the logits.
    pub fn forward(&self) -> Array1<f32> {
        if self.dag {
            return self.forward_dag();
        }
        let mut store: Vec<Option<Array3<f32>>> = vec![None; self.ops.len()];
        let mut input = self.input.clone();
        let mut projection: Option<Array3<f32>> = None;
        let mut last = Array3::zeros((0, 0, 0));
        for (id, op) in self.ops.iter().enumerate() {
            let s = &op.spec;
            match s.kind {
                LayerKind::AvgPool | LayerKind::GlobalAvgPool => {
                    // Pooling is per channel, so pooling each source tensor pools
                    // their concatenation; later layers then read pooled sources.
                    let mut seen: Vec<u32> = Vec::new();
                    for p in &op.pieces {
                        if seen.contains(&p.layer) {
                            continue;
                        }
                        seen.push(p.layer);
                        let slot = if p.layer == INPUT {
                            &mut input
                        } else {
                            store[p.layer as usize].as_mut().expect("sources run first")
                        };
                        *slot = if s.kind == LayerKind::AvgPool {
                            avg_pool2(slot.view())
                        } else {
                            global_avg_pool(slot.view())
                        };
                    }
                }
                _ => {
                    let x = gather(&op.pieces, &store, &input);
                    let w = op.weights.as_ref().expect("weighted layers have weights");
                    let mut y = match s.kind {
                        LayerKind::Depthwise => {
                            depthwise(x.view(), w, s.kernel as usize, s.stride as usize)
                        }
                        LayerKind::Linear => linear(x.view(), w),
                        _ => conv(x.view(), w, s.kernel as usize, s.stride as usize),
                    };
                    debug_assert_eq!(
                        y.dim(),
                        (s.output.c as usize, s.output.h as usize, s.output.w as usize)
                    );
                    match op.shortcuts.first().copied() {
                        Some(Skip::Identity(p)) => {
                            let src = if p.layer == INPUT {
                                &input
                            } else {
                                store[p.layer as usize].as_ref().expect("sources run first")
                            };
                            add_identity(&mut y, src.view(), p);
                        }
                        Some(Skip::Projection(_)) => {
                            y += projection
                                .as_ref()
                                .expect("the projection runs before its block's second conv")
                        }
                        None => {}
                    }
                    if !matches!(s.role, Role::Projection | Role::Project | Role::Classifier) {
                        y.mapv_inplace(|v| v.max(0.0));
                    }
                    if s.role == Role::Projection {
                        projection = Some(y);
                        continue;
                    }
                    if s.has_nodes() {
                        store[id] = Some(y.clone());
                    }
                    last = y;
                }
            }
        }
        last.into_shape_with_order(self.ops.last().map(|o| o.spec.output.c as usize).unwrap_or(0))
            .unwrap_or_else(|_| Array1::zeros(0))
    }
}

/// The concatenation of pieces along channels.
fn gather(pieces: &[Piece], store: &[Option<Array3<f32>>], input: &Array3<f32>) -> Array3<f32> {
    let src = |p: &Piece| {
        if p.layer == INPUT {
            input
        } else {
            store[p.layer as usize].as_ref().expect("sources run first")
        }
    };
    if let [p] = pieces {
        let t = src(p);
        if p.start == 0 && p.len as usize == t.dim().0 {
            return t.clone();
        }
    }
    let (_, h, w) = src(&pieces[0]).dim();
    let c: usize = pieces.iter().map(|p| p.len as usize).sum();
    let mut out = Array3::zeros((c, h, w));
    let mut at = 0;
    for p in pieces {
        let (a, b) = (p.start as usize, (p.start + p.len) as usize);
        out.slice_mut(s![at..at + p.len as usize, .., ..]).assign(&src(p).slice(s![a..b, .., ..]));
        at += p.len as usize;
    }
    out
}

/// Adds channels of `src` (subsampled to `y`'s resolution: ResNet option A) to
/// the first channels of `y`.
fn add_identity(y: &mut Array3<f32>, src: ArrayView3<f32>, p: Piece) {
    let (_, h, w) = y.dim();
    let (_, sh, _) = src.dim();
    let step = sh.div_ceil(h).max(1) as isize;
    let (a, b) = (p.start as usize, (p.start + p.len) as usize);
    let view = src.slice(s![a..b, ..;step, ..;step]);
    let view = view.slice(s![.., ..h, ..w]);
    let mut dst = y.slice_mut(s![..p.len as usize, .., ..]);
    dst += &view;
}

/// Padding and output size of a k×k window with padding k/2 (the walk's convention).
fn output_size(h: usize, w: usize, k: usize, stride: usize) -> (usize, usize, usize) {
    let pad = k / 2;
    (pad, (h + 2 * pad - k) / stride + 1, (w + 2 * pad - k) / stride + 1)
}

/// k×k convolution, padding k/2, via im2col and GEMM.
pub fn conv(x: ArrayView3<f32>, w: &Array2<f32>, k: usize, stride: usize) -> Array3<f32> {
    let (c, h, wd) = x.dim();
    let (pad, ho, wo) = output_size(h, wd, k, stride);
    let out_c = w.dim().0;
    let y = if k == 1 && stride == 1 {
        let flat = x.to_shape((c, h * wd)).expect("contiguous");
        w.dot(&flat)
    } else {
        let mut col = Array2::<f32>::zeros((c * k * k, ho * wo));
        for ci in 0..c {
            for ky in 0..k {
                for kx in 0..k {
                    let mut row = col.row_mut((ci * k + ky) * k + kx);
                    let row = row.as_slice_mut().expect("rows are contiguous");
                    for oy in 0..ho {
                        let iy = (oy * stride + ky) as isize - pad as isize;
                        if iy < 0 || iy >= h as isize {
                            continue;
                        }
                        for ox in 0..wo {
                            let ix = (ox * stride + kx) as isize - pad as isize;
                            if ix >= 0 && ix < wd as isize {
                                row[oy * wo + ox] = x[[ci, iy as usize, ix as usize]];
                            }
                        }
                    }
                }
            }
        }
        w.dot(&col)
    };
    y.into_shape_with_order((out_c, ho, wo)).expect("GEMM output is contiguous")
}

/// Depthwise k×k convolution (one filter per channel), padding k/2.
pub fn depthwise(x: ArrayView3<f32>, w: &Array2<f32>, k: usize, stride: usize) -> Array3<f32> {
    let (c, h, wd) = x.dim();
    let (pad, ho, wo) = output_size(h, wd, k, stride);
    let mut y = Array3::<f32>::zeros((c, ho, wo));
    for ci in 0..c {
        for oy in 0..ho {
            for ox in 0..wo {
                let mut acc = 0.0;
                for ky in 0..k {
                    let iy = (oy * stride + ky) as isize - pad as isize;
                    if iy < 0 || iy >= h as isize {
                        continue;
                    }
                    for kx in 0..k {
                        let ix = (ox * stride + kx) as isize - pad as isize;
                        if ix >= 0 && ix < wd as isize {
                            acc += w[[ci, ky * k + kx]] * x[[ci, iy as usize, ix as usize]];
                        }
                    }
                }
                y[[ci, oy, ox]] = acc;
            }
        }
    }
    y
}

/// The classifier (no bias: the bias is a constant add and costs nothing).
fn linear(x: ArrayView3<f32>, w: &Array2<f32>) -> Array3<f32> {
    let v = x.to_shape(x.len()).expect("contiguous");
    let y = w.dot(&v);
    let n = y.len();
    y.into_shape_with_order((n, 1, 1)).expect("vector")
}

fn avg_pool2(x: ArrayView3<f32>) -> Array3<f32> {
    let (c, h, w) = x.dim();
    Array3::from_shape_fn((c, h / 2, w / 2), |(ci, y, xx)| {
        0.25 * (x[[ci, 2 * y, 2 * xx]]
            + x[[ci, 2 * y + 1, 2 * xx]]
            + x[[ci, 2 * y, 2 * xx + 1]]
            + x[[ci, 2 * y + 1, 2 * xx + 1]])
    })
}

/// 3×3 average pooling, stride 1, padding 1, the padding not counted (NAS-Bench-201's).
fn avg_pool3(x: ArrayView3<f32>) -> Array3<f32> {
    let (c, h, w) = x.dim();
    Array3::from_shape_fn((c, h, w), |(ci, y, xx)| {
        let (mut sum, mut n) = (0.0f32, 0.0f32);
        for yy in y.saturating_sub(1)..(y + 2).min(h) {
            for xw in xx.saturating_sub(1)..(xx + 2).min(w) {
                sum += x[[ci, yy, xw]];
                n += 1.0;
            }
        }
        sum / n
    })
}

fn global_avg_pool(x: ArrayView3<f32>) -> Array3<f32> {
    let (c, h, w) = x.dim();
    let m = x.sum_axis(Axis(2)).sum_axis(Axis(1)) / (h * w) as f32;
    m.into_shape_with_order((c, 1, 1)).expect("vector")
}

/// The reference: a direct convolution with groups, weights (out, in/groups, k, k).
pub fn conv_naive(
    x: &Array3<f32>,
    w: &ndarray::Array4<f32>,
    stride: usize,
    groups: usize,
) -> Array3<f32> {
    let (c, h, wd) = x.dim();
    let (out_c, in_per_group, k, _) = w.dim();
    let (pad, ho, wo) = output_size(h, wd, k, stride);
    let out_per_group = out_c / groups;
    assert_eq!(in_per_group * groups, c);
    let mut y = Array3::zeros((out_c, ho, wo));
    for o in 0..out_c {
        let g = o / out_per_group;
        for oy in 0..ho {
            for ox in 0..wo {
                let mut acc = 0.0f32;
                for i in 0..in_per_group {
                    for ky in 0..k {
                        for kx in 0..k {
                            let iy = (oy * stride + ky) as isize - pad as isize;
                            let ix = (ox * stride + kx) as isize - pad as isize;
                            if iy >= 0 && iy < h as isize && ix >= 0 && ix < wd as isize {
                                acc += w[[o, i, ky, kx]]
                                    * x[[g * in_per_group + i, iy as usize, ix as usize]];
                            }
                        }
                    }
                }
                y[[o, oy, ox]] = acc;
            }
        }
    }
    y
}

/// Repeated timings of one network.
#[derive(Clone, Debug, PartialEq, Serialize, serde::Deserialize)]
pub struct Timing {
    pub arch: String,
    pub macs: u64,
    pub params: u64,
    pub repeats: u32,
    /// Passes per timed run (1 unless a pass is under [`MIN_RUN`]).
    pub loops: u32,
    /// Seconds per pass: median, fastest, slowest, and the median absolute deviation.
    pub median: f64,
    pub min: f64,
    pub max: f64,
    pub mad: f64,
    pub runs: Vec<f64>,
}

/// The header of a measurement CSV (`flash hw measure`, the page's "this device").
pub const CSV_HEADER: &str =
    "arch,latency_ms,latency_min_ms,latency_max_ms,latency_mad_ms,repeats,macs,params";

impl Timing {
    /// This timing's row under [`CSV_HEADER`] (the architecture quoted when its text has a comma).
    pub fn csv_row(&self) -> String {
        let arch = if self.arch.contains([',', '"']) {
            format!("\"{}\"", self.arch.replace('"', "\"\""))
        } else {
            self.arch.clone()
        };
        format!(
            "{arch},{:.6},{:.6},{:.6},{:.6},{},{},{}",
            self.median * 1e3,
            self.min * 1e3,
            self.max * 1e3,
            self.mad * 1e3,
            self.repeats,
            self.macs,
            self.params
        )
    }
}

/// A measurement CSV that `hw calibrate` and the page's calibration read:
/// each provenance line as a `#` comment, the header, a row per timing.
pub fn csv(provenance: &[String], timings: &[Timing]) -> String {
    let mut lines: Vec<String> =
        provenance.iter().map(|p| format!("# {}", p.replace(['\n', '\r'], " "))).collect();
    lines.push(CSV_HEADER.to_string());
    lines.extend(timings.iter().map(Timing::csv_row));
    lines.join("\n") + "\n"
}

/// Shortest timed run: passes below it are timed in loops.
pub const MIN_RUN: f64 = 2e-3;
/// Most passes in one timed loop.
pub const MAX_LOOPS: u32 = 1000;

/// Times `repeats` forward passes after one warm-up (in loops of passes when a
/// pass is under [`MIN_RUN`]; `loops` says how many).
pub fn time(net: &Network, repeats: u32) -> Result<Timing> {
    if !(1..=MAX_REPEATS).contains(&repeats) {
        return Err(Error::field("repeats", repeats, format!("1..={MAX_REPEATS}")));
    }
    // The warm-up, timed: a pass shorter than the clock can resolve (browsers
    // coarsen performance.now() to 0.1 ms or more) is timed in loops of
    // passes lasting at least MIN_RUN, and each run is the loop's mean.
    let t = Instant::now();
    std::hint::black_box(net.forward());
    let first = t.elapsed().as_secs_f64();
    let loops = if first >= MIN_RUN {
        1
    } else {
        ((MIN_RUN / first.max(1e-6)).ceil() as u32).clamp(1, MAX_LOOPS)
    };
    let mut runs = Vec::with_capacity(repeats as usize);
    for _ in 0..repeats {
        let t = Instant::now();
        for _ in 0..loops {
            std::hint::black_box(net.forward());
        }
        runs.push(t.elapsed().as_secs_f64() / loops as f64);
    }
    let median = median(&runs);
    let deviations: Vec<f64> = runs.iter().map(|r| (r - median).abs()).collect();
    Ok(Timing {
        arch: net.arch.clone(),
        macs: net.macs,
        params: net.params,
        repeats,
        loops,
        median,
        min: runs.iter().cloned().fold(f64::INFINITY, f64::min),
        max: runs.iter().cloned().fold(0.0, f64::max),
        mad: median_of(deviations),
        runs,
    })
}

/// Most rounds `flash hw measure --rounds` accepts.
pub const MAX_ROUNDS: u32 = 100;

/// One network timed in several rounds spread over a run: the fastest round.
/// A shared or virtual machine slows down for seconds at a time (one network
/// timed for 20 s on the project's 2-core machine ranged 3.7–7.2 ms); a slow
/// spell only adds time, so the fastest round's median is the network's own
/// cost, and spreading rounds over the run keeps one spell from hitting every
/// round of a network. min and max cover every run of every round.
pub fn fastest_round(rounds: &[Timing]) -> Option<Timing> {
    let best = rounds.iter().min_by(|a, b| a.median.total_cmp(&b.median))?;
    let mut t = best.clone();
    t.min = rounds.iter().map(|r| r.min).fold(f64::INFINITY, f64::min);
    t.max = rounds.iter().map(|r| r.max).fold(0.0, f64::max);
    Some(t)
}

fn median(v: &[f64]) -> f64 {
    median_of(v.to_vec())
}

fn median_of(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n == 0 {
        0.0
    } else if n % 2 == 1 {
        v[n / 2]
    } else {
        0.5 * (v[n / 2 - 1] + v[n / 2])
    }
}

/// The device's own roofs: single-thread GEMM throughput and copy bandwidth.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Probe {
    pub gemm_gflops: f64,
    pub copy_gbs: f64,
}

/// Best of five: a 256³ GEMM and a 32 MiB copy (read + write counted).
pub fn probe() -> Probe {
    let n = 256;
    let a = Array2::<f32>::from_shape_fn((n, n), |(i, j)| ((i * 7 + j * 3) % 13) as f32 * 0.1);
    let b = a.t().to_owned();
    let mut best = f64::INFINITY;
    for _ in 0..5 {
        let t = Instant::now();
        std::hint::black_box(a.dot(&b));
        best = best.min(t.elapsed().as_secs_f64());
    }
    let gemm_gflops = 2.0 * (n * n * n) as f64 / best.max(1e-9) / 1e9;
    let len = 8 * 1024 * 1024;
    let src = vec![1.0f32; len];
    let mut dst = vec![0.0f32; len];
    let mut best = f64::INFINITY;
    for _ in 0..5 {
        let t = Instant::now();
        dst.copy_from_slice(std::hint::black_box(&src));
        std::hint::black_box(&mut dst);
        best = best.min(t.elapsed().as_secs_f64());
    }
    let copy_gbs = 2.0 * 4.0 * len as f64 / best.max(1e-9) / 1e9;
    Probe { gemm_gflops, copy_gbs }
}

/// The `device` profile with this machine's measured roofs.
pub fn device_profile(probe: &Probe, note: &str) -> Result<super::Profile> {
    let base = super::builtin("device")?;
    let gflops = probe.gemm_gflops.clamp(0.25, 4096.0);
    let gbs = probe.copy_gbs.clamp(0.01, 1e5);
    let a = base.with_values(
        &[("ops_per_cycle", gflops)],
        &format!("measured: single-thread 256³ SGEMM, {gflops:.1} GFLOP/s {note}"),
    )?;
    a.with_values(
        &[("bandwidth_gbs", gbs)],
        &format!("measured: 32 MiB copy, {gbs:.1} GB/s {note}"),
    )
}
