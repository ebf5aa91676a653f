//! `flash train`: trains networks sampled from a space on a real data set and
//! writes the sample CSV the predictor reads (docs/accuracy.md).

use crate::args::{machine, number, options, text_opt, today};
use flash_nas::train::record::{self, Row};
use flash_nas::train::{self, sample, Budget, DataSet, Images};
use flash_nas::{Architecture, SearchSpace};
use std::io::{IsTerminal, Write};
use std::sync::{Arc, Mutex};

pub const USAGE: &str = "\
  flash train --dataset digits|mnist --samples N --seed S --out FILE.csv
              [--space SPACE] [--arch A,B,…] [--seeds K] [--jobs J] [--epochs E] [--data DIR]
                                 train N networks sampled from SPACE (default: the data set's
                                 training space), stratified over NN-Degree (or the networks
                                 --arch names), each with seeds S..S+K-1, J at a time (one
                                 thread each); one CSV row per run, progress and ETA on stderr";

pub fn load(data: DataSet, dir: &str) -> Result<Images, String> {
    let files: Vec<Vec<u8>> = data
        .files()
        .iter()
        .map(|f| {
            let path = format!("{dir}/{f}");
            std::fs::read(&path).map_err(|e| format!("cannot read {path}: {e}"))
        })
        .collect::<Result<_, _>>()?;
    let refs: Vec<&[u8]> = files.iter().map(Vec::as_slice).collect();
    data.read(&refs).map_err(|e| format!("{}: {e}", data.name()))
}

pub fn run(args: &[String]) -> Result<String, String> {
    let (positional, opts) = options(
        args,
        &["dataset", "samples", "seed", "out", "space", "arch", "seeds", "jobs", "epochs", "data"],
    )?;
    if let Some(p) = positional.first() {
        return Err(format!("train takes only options, not '{p}' (see flash help)"));
    }
    let data = DataSet::by_name(
        text_opt(&opts, "dataset").ok_or("--dataset is required: digits or mnist")?,
    )
    .map_err(|e| format!("--{e}"))?;
    let out = text_opt(&opts, "out").ok_or("--out FILE.csv is required")?;
    let n: usize = number(&opts, "samples", 50, (1, sample::MAX_SAMPLES))?;
    let seed: u64 = number(&opts, "seed", 1, (0, u64::MAX / 2))?;
    let seeds: u64 = number(&opts, "seeds", 1, (1, 100))?;
    let jobs: usize = number(
        &opts,
        "jobs",
        std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1),
        (1, 256),
    )?;
    let mut budget = Budget::default_for(data);
    budget.epochs = number(&opts, "epochs", budget.epochs, (1, train::MAX_EPOCHS))?;
    let space_text = text_opt(&opts, "space").unwrap_or(data.training_space());
    let space = SearchSpace::parse(space_text).map_err(|e| format!("--space: {e}"))?;
    if space.frame().dataset.name != data.name() {
        return Err(format!(
            "--space is for {} but --dataset is {}",
            space.frame().dataset.name,
            data.name()
        ));
    }
    let images = load(data, text_opt(&opts, "data").unwrap_or("data/datasets"))?;
    let (train_set, test_set) = images.split(data.train_images()).map_err(|e| e.to_string())?;
    let archs = match text_opt(&opts, "arch") {
        Some(list) => list
            .split(',')
            .map(|t| {
                let arch = Architecture::parse(t).map_err(|e| format!("--arch {t}: {e}"))?;
                match arch.frame().dataset.name == data.name() {
                    true => Ok(arch),
                    false => Err(format!(
                        "--arch {t} is for {} but --dataset is {}",
                        arch.frame().dataset.name,
                        data.name()
                    )),
                }
            })
            .collect::<Result<Vec<_>, String>>()?,
        None => sample::stratified(&space, n, seed).map_err(|e| e.to_string())?,
    };
    let runs: Vec<(usize, u64)> =
        (0..archs.len()).flat_map(|a| (0..seeds).map(move |k| (a, seed + k))).collect();

    let started = std::time::Instant::now();
    let rows: Arc<Mutex<Vec<Option<Row>>>> = Arc::new(Mutex::new(vec![None; runs.len()]));
    let next = Arc::new(Mutex::new(0usize));
    let error: Arc<Mutex<Option<String>>> = Arc::new(Mutex::new(None));
    let bar = Bar::new(runs.len());
    std::thread::scope(|scope| {
        for _ in 0..jobs.min(runs.len()) {
            scope.spawn(|| {
                // One thread per network: the same bits whatever the machine's core count.
                let pool = rayon::ThreadPoolBuilder::new()
                    .num_threads(1)
                    .build()
                    .expect("a one-thread pool");
                loop {
                    let i = {
                        let mut next = next.lock().unwrap();
                        if *next >= runs.len() || error.lock().unwrap().is_some() {
                            return;
                        }
                        *next += 1;
                        *next - 1
                    };
                    let (a, s) = runs[i];
                    let arch = &archs[a];
                    match pool.install(|| {
                        train::train(arch, &train_set, &test_set, budget, s, &mut |_| true)
                    }) {
                        Ok(outcome) => {
                            let row = Row::new(arch, &outcome, s, &budget);
                            bar.done(&row, started.elapsed().as_secs_f64());
                            rows.lock().unwrap()[i] = Some(row);
                        }
                        Err(e) => *error.lock().unwrap() = Some(format!("{arch} (seed {s}): {e}")),
                    }
                }
            });
        }
    });
    if let Some(e) = error.lock().unwrap().take() {
        return Err(e);
    }
    let rows: Vec<Row> =
        rows.lock().unwrap().iter().map(|r| r.clone().expect("every run finished")).collect();
    let wall = started.elapsed().as_secs_f64();
    let provenance = vec![
        format!("flash-nas sample set: {} runs of networks from {} trained on {} ({} train / {} test images, split seed {})", rows.len(), space_text, data.name(), train_set.len(), test_set.len(), train::data::SPLIT_SEED),
        format!("command: flash train {}", args.iter().map(|a| shell_quote(a)).collect::<Vec<_>>().join(" ")),
        format!("commit: {}", commit()),
        format!("library: burn {} (flex CPU backend), flash-nas {}", BURN_VERSION, env!("CARGO_PKG_VERSION")),
        format!("budget: {} (Adam, cosine learning rate to 0, cross-entropy)", budget.label()),
        format!("machine: {}, {jobs} networks at a time, one thread each", machine()),
        format!("date: {}", today()),
        format!("wall time: {wall:.0} s"),
    ];
    std::fs::write(out, record::csv(&provenance, &rows))
        .map_err(|e| format!("cannot write {out}: {e}"))?;
    Ok(format!("wrote {} rows to {out} in {wall:.0} s", rows.len()))
}

/// An argument as a POSIX shell would need it ('…' around anything but plain characters).
fn shell_quote(arg: &str) -> String {
    if !arg.is_empty() && arg.chars().all(|c| c.is_ascii_alphanumeric() || "-_./=:,+".contains(c)) {
        arg.to_string()
    } else {
        format!("'{}'", arg.replace('\'', "'\\''"))
    }
}

const BURN_VERSION: &str = "0.22.0";

fn commit() -> String {
    std::process::Command::new("git")
        .args(["rev-parse", "--short", "HEAD"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_else(|| "unknown".into())
}

/// A progress bar with ETA on stderr (one line per network when not a terminal).
struct Bar {
    total: usize,
    done: Mutex<usize>,
    tty: bool,
}

impl Bar {
    fn new(total: usize) -> Bar {
        Bar { total, done: Mutex::new(0), tty: std::io::stderr().is_terminal() }
    }

    fn done(&self, row: &Row, elapsed: f64) {
        let mut done = self.done.lock().unwrap();
        *done += 1;
        let eta = elapsed / *done as f64 * (self.total - *done) as f64;
        let width = 24;
        let filled = width * *done / self.total;
        let line = format!(
            "[{}{}] {}/{} ETA {:.0}m{:02.0}s  {} acc {:.3} ({:.1} s)",
            "#".repeat(filled),
            " ".repeat(width - filled),
            *done,
            self.total,
            (eta / 60.0).floor(),
            eta % 60.0,
            row.arch,
            row.test_accuracy,
            row.seconds
        );
        let mut err = std::io::stderr();
        if self.tty {
            let _ = write!(err, "\r\x1b[2K{line}");
            if *done == self.total {
                let _ = writeln!(err);
            }
        } else {
            let _ = writeln!(err, "{line}");
        }
    }
}
