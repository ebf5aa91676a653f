//! `flash hw …`: hardware profiles, costs, calibration and measurement.

use flash_nas::hardware::calibrate::{self, Measurements};
use flash_nas::hardware::measure::{self, Network};
use flash_nas::hardware::{self, builtin, profile::BUILTIN};
use flash_nas::{Architecture, SearchSpace};
use rand::SeedableRng;
use std::io::{IsTerminal, Write};

use crate::args::{json, load_profile, machine, number, options, text_opt, today};

pub const USAGE: &str = "\
\x20 flash hw list                  built-in hardware profiles
  flash hw show PROFILE          a profile's parameters with units, ranges and sources (JSON)
  flash hw cost PROFILE ARCH     latency, energy, area/memory, per-layer breakdown, roofline (JSON)
  flash hw calibrate PROFILE SAMPLES.csv [--folds K] [--train N] [--prior W]
                   [--out CALIBRATED.json]
                                 fit the profile's free parameters to measured samples (rows of
                                 arch,latency_ms and/or energy_mj; a bare NAS-Bench-201 cell
                                 string is its CIFAR-10 network); JSON report with MAPE, max
                                 error, share within ±10 %, Kendall τ, Spearman ρ (k-fold;
                                 on the rows after the first N with --train N); --prior W pulls
                                 the fit towards the profile (default 0: the samples alone;
                                 0.0003 is what hw validate uses, for a handful of samples)
  flash hw measure [ARCH...] [--space SPACE --samples N] [--seed S] [--repeats R]
                   [--rounds N] [--out SAMPLES.csv] [--profile-out DEVICE.json]
                                 time forward passes on this machine (batch 1, fp32, one
                                 thread) in N rounds over all networks (default 3, the
                                 fastest round kept); CSV of median latencies, for hw calibrate
  flash hw published [--markdown]
                                 the models beside figures others published for networks
                                 the project describes (JSON; --markdown: docs/hardware.md's table)
  flash hw validate [--k 10,25] [--draws N] [--seed S] [--device NAME] [--prior W] [--markdown]
                                 every device of data/nb201's latency columns: its starting
                                 profile calibrated on k measured networks (N draws, default
                                 100), judged on all the others (Spearman ρ, Kendall τ, MAPE,
                                 share within ±10 %), beside a FLOPs line and a regression on
                                 operation counts fitted to the same k, and HELP's published ρ;
                                 --prior W: how hard the fit is pulled towards the start
                                 (default 0.0003, hardware::devices::PRIOR; 0: the samples alone)
  flash hw op-costs [--markdown]  what each NAS-Bench-201 operation adds to each device's latency:
                                 a line in the operation counts fitted to every connected cell,
                                 and how close it comes (the best any model that adds a price
                                 per operation can do on that device)
PROFILE is a built-in name (flash hw list) or a profile JSON file.";

pub fn run(rest: &[String]) -> Result<String, String> {
    let (command, args) = match rest.split_first() {
        Some((c, r)) => (c.as_str(), r),
        None => return Err(format!("hw needs a command\n\n{USAGE}")),
    };
    match command {
        "list" => {
            let mut lines = vec![format!("{:<12} {:<9} {}", "name", "model", "title")];
            for (name, _) in BUILTIN {
                let p = builtin(name).map_err(|e| e.to_string())?;
                lines.push(format!(
                    "{:<12} {:<9} {}",
                    name,
                    p.kind().name().to_string(),
                    p.title()
                ));
            }
            Ok(lines.join("\n"))
        }
        "published" => {
            let rows = hardware::published::compare().map_err(|e| e.to_string())?;
            match args {
                [] => json(&rows),
                [flag] if flag == "--markdown" => Ok(hardware::published::markdown(&rows)),
                _ => Err("hw published takes no arguments but --markdown".into()),
            }
        }
        "show" => match args {
            [name] => json(&load_profile(name)?.view()),
            _ => Err("hw show takes exactly one PROFILE".into()),
        },
        "cost" => match args {
            [name, arch] => {
                let profile = load_profile(name)?;
                let arch = Architecture::parse(arch).map_err(|e| e.to_string())?;
                json(&hardware::report(&profile, &arch))
            }
            _ => Err("hw cost takes a PROFILE and an ARCH".into()),
        },
        "calibrate" => {
            let (pos, opts) = options(args, &["folds", "train", "prior", "out"])?;
            let [name, path] = pos.as_slice() else {
                return Err("hw calibrate takes a PROFILE and a SAMPLES.csv".into());
            };
            let profile = load_profile(name)?;
            let text =
                std::fs::read_to_string(path).map_err(|e| format!("cannot read {path}: {e}"))?;
            let set = Measurements::from_csv(&text).map_err(|e| format!("{path}: {e}"))?;
            let folds =
                number(&opts, "folds", calibrate::DEFAULT_FOLDS, (2, calibrate::MAX_SAMPLES))?;
            let train = match text_opt(&opts, "train") {
                None => None,
                Some(_) => Some(number(&opts, "train", 0usize, (1, calibrate::MAX_SAMPLES))?),
            };
            let prior = crate::args::prior_opt(&opts, calibrate::Prior::default())?;
            let report = calibrate::calibrate_toward(&profile, &set.samples, folds, train, prior)
                .map_err(|e| format!("{path}: {e}"))?;
            if let Some(out) = text_opt(&opts, "out") {
                let text =
                    serde_json::to_string_pretty(&report.calibrated).map_err(|e| e.to_string())?;
                std::fs::write(out, text + "\n").map_err(|e| format!("cannot write {out}: {e}"))?;
            }
            json(&report)
        }
        "measure" => measure_command(args),
        "validate" => crate::validate::run(args),
        "op-costs" => crate::validate::op_costs(args),
        other => Err(format!("unknown hw command '{other}'\n\n{USAGE}")),
    }
}

fn measure_command(args: &[String]) -> Result<String, String> {
    let (pos, opts) =
        options(args, &["space", "samples", "seed", "repeats", "rounds", "out", "profile-out"])?;
    let seed: u64 = number(&opts, "seed", 1, (0, u64::MAX))?;
    let repeats: u32 = number(&opts, "repeats", 5, (1, measure::MAX_REPEATS))?;
    let rounds: u32 = number(&opts, "rounds", 3, (1, measure::MAX_ROUNDS))?;
    let mut archs: Vec<Architecture> = pos
        .iter()
        .map(|a| Architecture::parse(a).map_err(|e| format!("{a}: {e}")))
        .collect::<Result<_, _>>()?;
    if let Some(space) = text_opt(&opts, "space") {
        let space = SearchSpace::resolve(space).map_err(|e| e.to_string())?;
        let n: usize = number(&opts, "samples", 25, (1, calibrate::MAX_SAMPLES))?;
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
        archs.extend((0..n).map(|_| space.sample(&mut rng)));
    } else if text_opt(&opts, "samples").is_some() {
        return Err("--samples needs --space".into());
    }
    if archs.is_empty() {
        return Err("hw measure needs ARCH arguments or --space SPACE --samples N".into());
    }
    let probe = measure::probe();
    let machine = machine();
    let date = today();
    let provenance = vec![
        format!("flash hw measure: forward passes, batch 1, fp32, one thread, {repeats} timed runs after one warm-up; latency = median; {rounds} rounds over all networks, the fastest round kept"),
        format!("command: flash hw measure {}", args.join(" ")),
        format!("machine: {machine}; date: {date}; flash-nas {}", env!("CARGO_PKG_VERSION")),
        format!("probe: gemm_gflops={:.2} copy_gbs={:.2}", probe.gemm_gflops, probe.copy_gbs),
    ];
    let mut rounds_of: Vec<Vec<measure::Timing>> = vec![Vec::new(); archs.len()];
    let started = std::time::Instant::now();
    let tty = std::io::stderr().is_terminal();
    let total = archs.len() * rounds as usize;
    for round in 0..rounds as usize {
        for (i, arch) in archs.iter().enumerate() {
            // The same seed every round: each round times the same weights.
            let net = Network::new(arch, seed.wrapping_add(i as u64))
                .map_err(|e| format!("{arch}: {e}"))?;
            rounds_of[i].push(measure::time(&net, repeats).map_err(|e| e.to_string())?);
            let done = round * archs.len() + i + 1;
            let elapsed = started.elapsed().as_secs_f64();
            let eta = elapsed / done as f64 * (total - done) as f64;
            if tty {
                eprint!("\rmeasured {done}/{total}  {elapsed:.0} s elapsed, ETA {eta:.0} s   ");
                let _ = std::io::stderr().flush();
            } else if done * 10 / total != (done - 1) * 10 / total {
                eprintln!("measured {done}/{total}  {elapsed:.0} s elapsed, ETA {eta:.0} s");
            }
        }
    }
    if tty {
        eprintln!();
    }
    let timings: Vec<measure::Timing> =
        rounds_of.iter().map(|r| measure::fastest_round(r).expect("at least one round")).collect();
    let total = archs.len();
    if let Some(out) = text_opt(&opts, "profile-out") {
        let profile = measure::device_profile(&probe, &format!("on {machine}, {date}"))
            .map_err(|e| e.to_string())?;
        std::fs::write(out, profile.to_json() + "\n")
            .map_err(|e| format!("cannot write {out}: {e}"))?;
    }
    let text = measure::csv(&provenance, &timings);
    match text_opt(&opts, "out") {
        Some(out) => {
            std::fs::write(out, text).map_err(|e| format!("cannot write {out}: {e}"))?;
            Ok(format!("wrote {total} samples to {out}"))
        }
        None => Ok(text.trim_end().to_string()),
    }
}
