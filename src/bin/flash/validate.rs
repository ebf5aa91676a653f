//! `flash hw validate`: the hardware models against the measured latency of every
//! NAS-Bench-201 network on 22 devices (docs/hardware.md, "Against 22 measured
//! devices"): calibrated from k measured networks, judged on all the others, beside a
//! FLOPs line and a linear regression on operation counts fitted to the same k, and
//! beside HELP's published rank correlation after 10 samples.

use crate::args::{json, number, options, text_opt};
use flash_nas::hardware::calibrate::{self, Measured};
use flash_nas::hardware::devices::{self, scores, Scores, DEVICES};
use flash_nas::hardware::HardwareModel;
use flash_nas::space::nb201::OPS;
use flash_nas::Architecture;
use rayon::prelude::*;
use serde::Serialize;

fn predict(x: &[f64], beta: &[f64]) -> f64 {
    x.iter().zip(beta).map(|(a, b)| a * b).sum()
}

/// What the baselines read of each cell: a constant and its MACs; a constant and how
/// many of its edges carry each operation but `none` (the counts sum to 6).
struct Features {
    flops: Vec<Vec<f64>>,
    counts: Vec<Vec<f64>>,
}

fn features(cells: &[Architecture]) -> Features {
    let mut flops = Vec::with_capacity(cells.len());
    let mut counts = Vec::with_capacity(cells.len());
    for a in cells {
        flops.push(vec![1.0, flash_nas::workload::totals(a.frame(), a.cells()).macs as f64]);
        let ops = &a.cells()[0].coords[..6];
        let mut row = vec![1.0];
        for op in 1..OPS.len() as u32 {
            row.push(ops.iter().filter(|&&o| o == op).count() as f64);
        }
        counts.push(row);
    }
    Features { flops, counts }
}

#[derive(Serialize)]
struct Row {
    device: &'static str,
    profile: &'static str,
    k: usize,
    method: &'static str,
    draws: usize,
    spearman_median: f64,
    spearman_p10: f64,
    kendall_median: f64,
    mape_median: f64,
    within_10_median: f64,
    within_10_p10: f64,
    help_spearman: Option<f64>,
}

fn quantile(v: &mut [f64], q: f64) -> f64 {
    v.sort_by(f64::total_cmp);
    v[((v.len() - 1) as f64 * q).round() as usize]
}

const METHODS: [&str; 4] = [
    "the model, calibrated",
    "FLOPs line",
    "linear in operation counts",
    "the model, uncalibrated",
];

pub fn run(args: &[String]) -> Result<String, String> {
    let (positional, opts) = options(args, &["k", "draws", "seed", "device", "prior", "markdown"])?;
    if let Some(p) = positional.first() {
        return Err(format!("hw validate takes only options, not '{p}'"));
    }
    let draws: usize = number(&opts, "draws", 100, (1, 10_000))?;
    let seed: u64 = number(&opts, "seed", 1, (0, u64::MAX))?;
    let pull = crate::args::prior_opt(&opts, devices::PRIOR)?;
    let markdown = text_opt(&opts, "markdown").is_some_and(|v| v == "true" || v == "1");
    let ks: Vec<usize> = match text_opt(&opts, "k") {
        None => vec![10, 25],
        Some(t) => t
            .split(',')
            .map(|k| match k.trim().parse::<usize>() {
                Ok(k) if (devices::K_RANGE.0..=devices::K_RANGE.1).contains(&k) => Ok(k),
                _ => Err(format!(
                    "--k {t}: allowed whole numbers in {}..={}, separated by commas",
                    devices::K_RANGE.0,
                    devices::K_RANGE.1
                )),
            })
            .collect::<Result<_, _>>()?,
    };
    let only = text_opt(&opts, "device");
    if let Some(d) = only {
        devices::find(d).map_err(|e| format!("--device {d}: {e}"))?;
    }
    let cells = devices::networks().map_err(|e| e.to_string())?;
    let connected = devices::connected(&cells);
    let feats = features(&cells);
    let mut rows = Vec::new();
    for device in DEVICES.iter().filter(|d| only.is_none_or(|o| d.name == o)) {
        let measured = device.column().map_err(|e| e.to_string())?;
        let start = device.start().map_err(|e| e.to_string())?;
        let prior: Vec<f64> = cells.iter().map(|a| start.cost(a).latency * 1e3).collect();
        for &k in &ks {
            let per_draw: Vec<Result<[Scores; 4], String>> = (0..draws)
                .into_par_iter()
                .map(|d| {
                    let (train, test) =
                        devices::draw(&connected, k, seed ^ ((d as u64) << 20) ^ k as u64);
                    let y: Vec<f64> = test.iter().map(|&i| measured.values[i]).collect();
                    let samples: Vec<Measured> = train
                        .iter()
                        .enumerate()
                        .map(|(n, &i)| {
                            Measured::new(&cells[i], Some(measured.values[i] * 1e-3), None, n + 2)
                        })
                        .collect();
                    let fitted = calibrate::fit_toward(&start, &samples, pull)
                        .map_err(|e| format!("{}: {e}", device.name))?;
                    let model: Vec<f64> =
                        test.iter().map(|&i| fitted.cost(&cells[i]).latency * 1e3).collect();
                    let train_y: Vec<f64> = train.iter().map(|&i| measured.values[i]).collect();
                    let line = |x: &[Vec<f64>]| -> Vec<f64> {
                        let tx: Vec<Vec<f64>> = train.iter().map(|&i| x[i].clone()).collect();
                        match calibrate::relative_least_squares(&tx, &train_y) {
                            Some(beta) => test.iter().map(|&i| predict(&x[i], &beta)).collect(),
                            None => vec![f64::NAN; test.len()],
                        }
                    };
                    let uncalibrated: Vec<f64> = test.iter().map(|&i| prior[i]).collect();
                    Ok([
                        scores(&model, &y),
                        scores(&line(&feats.flops), &y),
                        scores(&line(&feats.counts), &y),
                        scores(&uncalibrated, &y),
                    ])
                })
                .collect();
            let per_draw: Vec<[Scores; 4]> = per_draw.into_iter().collect::<Result<_, _>>()?;
            for (m, method) in METHODS.iter().enumerate() {
                let pick = |f: fn(&Scores) -> f64| -> Vec<f64> {
                    per_draw.iter().map(|s| f(&s[m])).collect()
                };
                let (mut rho, mut tau, mut mape, mut w10) = (
                    pick(|s| s.spearman),
                    pick(|s| s.kendall),
                    pick(|s| s.mape),
                    pick(|s| s.within_10),
                );
                rows.push(Row {
                    device: device.name,
                    profile: device.profile,
                    k,
                    method,
                    draws,
                    spearman_median: quantile(&mut rho, 0.5),
                    spearman_p10: quantile(&mut rho, 0.1),
                    kendall_median: quantile(&mut tau, 0.5),
                    mape_median: quantile(&mut mape, 0.5),
                    within_10_median: quantile(&mut w10, 0.5),
                    within_10_p10: quantile(&mut w10, 0.1),
                    help_spearman: device.help_rho,
                });
            }
            eprintln!("validate: {} k = {k} done", device.name);
        }
    }
    if !markdown {
        return json(&rows);
    }
    let mut out = String::from("| device | start | k | method | ρ (median) | ρ (10th pct.) | τ | MAPE % | within ±10 % (median) | within ±10 % (10th pct.) | HELP ρ (k = 10) |\n|---|---|---|---|---|---|---|---|---|---|---|\n");
    for r in &rows {
        out.push_str(&format!(
            "| {} | {} | {} | {} | {:.3} | {:.3} | {:.3} | {:.1} | {:.0} % | {:.0} % | {} |\n",
            r.device,
            r.profile,
            r.k,
            r.method,
            r.spearman_median,
            r.spearman_p10,
            r.kendall_median,
            r.mape_median,
            100.0 * r.within_10_median,
            100.0 * r.within_10_p10,
            r.help_spearman.map_or("–".to_string(), |h| format!("{h:.3}")),
        ));
    }
    Ok(out.trim_end().to_string())
}

/// One device's price per operation, fitted to all its connected cells.
#[derive(Serialize)]
struct OpCosts {
    device: &'static str,
    /// Milliseconds: the constant, then one edge of each operation but `none`, in
    /// [`OPS`]' order (skip_connect, avg_pool_3x3, nor_conv_1x1, nor_conv_3x3).
    ms: Vec<f64>,
    spearman: f64,
    mape: f64,
    within_10: f64,
}

/// `flash hw op-costs`: a line in the operation counts fitted (relative least squares)
/// to every connected cell of each device. A model that prices each operation and adds
/// the prices cannot beat this fit on its own training data, so its share within ±10 %
/// is the ceiling of such models there; a price out of line (a pool dearer than a 1×1
/// convolution) names what a device does that a roofline does not.
pub fn op_costs(args: &[String]) -> Result<String, String> {
    let markdown = match args {
        [] => false,
        [flag] if flag == "--markdown" => true,
        _ => return Err("hw op-costs takes no arguments but --markdown".into()),
    };
    let cells = devices::networks().map_err(|e| e.to_string())?;
    let connected = devices::connected(&cells);
    let counts = features(&cells).counts;
    let x: Vec<Vec<f64>> = connected.iter().map(|&i| counts[i].clone()).collect();
    let mut rows = Vec::new();
    for device in &DEVICES {
        let measured = device.column().map_err(|e| e.to_string())?;
        let y: Vec<f64> = connected.iter().map(|&i| measured.values[i]).collect();
        let beta = calibrate::relative_least_squares(&x, &y)
            .ok_or_else(|| format!("{}: the operation counts cannot be fitted", device.name))?;
        let fit: Vec<f64> = x.iter().map(|row| predict(row, &beta)).collect();
        let s = scores(&fit, &y);
        rows.push(OpCosts {
            device: device.name,
            ms: beta,
            spearman: s.spearman,
            mape: s.mape,
            within_10: s.within_10,
        });
    }
    if !markdown {
        return json(&rows);
    }
    let mut out = String::from("| device | constant (ms) | skip_connect | avg_pool_3x3 | nor_conv_1x1 | nor_conv_3x3 | ρ | MAPE % | within ±10 % |\n|---|---|---|---|---|---|---|---|---|\n");
    for r in &rows {
        let ms: Vec<String> = r.ms.iter().map(|v| format!("{v:.3}")).collect();
        out.push_str(&format!(
            "| {} | {} | {:.3} | {:.1} | {:.0} % |\n",
            r.device,
            ms.join(" | "),
            r.spearman,
            r.mape,
            100.0 * r.within_10
        ));
    }
    Ok(out.trim_end().to_string())
}
