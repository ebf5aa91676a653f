//! `flash train`: trains networks sampled from a space on a real data set and
//! writes the sample CSV the predictor reads (docs/accuracy.md).

use crate::args::{machine, number, options, text_opt, today};
use flash_nas::train::record::{self, Row};
use flash_nas::train::sample::{self, Design};
use flash_nas::train::{self, proxies, Budget, DataSet, Images};
use flash_nas::{Architecture, SearchSpace};
use std::io::{IsTerminal, Write};
use std::sync::{Arc, Mutex};

pub const USAGE: &str = "\
\x20 flash train --dataset digits|mnist --samples N --seed S --out FILE.csv
              [--space SPACE] [--design uniform|stratified] [--arch A,B,…] [--seeds K]
              [--epochs E] [--jobs J] [--shard K/N] [--data DIR]
                                 train N networks drawn from SPACE (default: the data set's
                                 training space; --design stratified over NN-Degree by default,
                                 or uniform), or the networks --arch names, each with seeds
                                 S..S+K-1, J at a time (one thread each; the same bits for any J).
                                 One CSV row per run, with the zero-cost proxies at
                                 initialisation; progress and ETA on stderr. Resumable: run the
                                 same command again and it skips the rows FILE already holds.
                                 --shard K/N trains every N-th run from the K-th (a cluster's
                                 share); flash train-merge joins the parts
  flash train-merge PART.csv... --out FILE.csv
                                 join the --shard parts of one set into the file a single
                                 machine would have written";

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

/// Which part of a set this run trains: runs K-1, K-1+N, K-1+2N, …
#[derive(Clone, Copy, Debug, PartialEq)]
struct Shard {
    k: usize,
    n: usize,
}

impl Shard {
    const WHOLE: Shard = Shard { k: 1, n: 1 };

    fn parse(text: &str) -> Result<Shard, String> {
        let bad =
            || format!("--shard = {text} is not allowed: allowed K/N with 1 <= K <= N <= 10000");
        let (k, n) = text.split_once('/').ok_or_else(bad)?;
        let (k, n): (usize, usize) =
            (k.trim().parse().map_err(|_| bad())?, n.trim().parse().map_err(|_| bad())?);
        if !(1..=10_000).contains(&n) || !(1..=n).contains(&k) {
            return Err(bad());
        }
        Ok(Shard { k, n })
    }

    fn holds(self, run: usize) -> bool {
        run % self.n == self.k - 1
    }

    /// The provenance line a part carries (absent from a whole set).
    fn line(self, total: usize) -> String {
        format!("shard: {}/{} of {total} runs", self.k, self.n)
    }
}

pub fn run(args: &[String]) -> Result<String, String> {
    let (positional, opts) = options(
        args,
        &[
            "dataset", "samples", "seed", "out", "space", "design", "arch", "seeds", "jobs",
            "epochs", "data", "shard",
        ],
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
    let design = Design::parse(text_opt(&opts, "design").unwrap_or("stratified"))
        .map_err(|e| format!("--{e}"))?;
    let shard = match text_opt(&opts, "shard") {
        Some(t) => Shard::parse(t)?,
        None => Shard::WHOLE,
    };
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
    let arch_list = text_opt(&opts, "arch");
    let archs = match arch_list {
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
        None => design.draw(&space, n, seed).map_err(|e| e.to_string())?,
    };
    let runs: Vec<(usize, u64)> =
        (0..archs.len()).flat_map(|a| (0..seeds).map(move |k| (a, seed + k))).collect();
    let mine: Vec<usize> = (0..runs.len()).filter(|&i| shard.holds(i)).collect();

    // The command as the set's provenance records it: only what decides the rows,
    // so a resumed, re-sharded or other-machine run writes the same line.
    let mut command = format!("flash train --dataset {}", data.name());
    match arch_list {
        Some(list) => command += &format!(" --arch {}", shell_quote(list)),
        None => {
            command += &format!(
                " --space {} --design {} --samples {n}",
                shell_quote(space_text),
                design.name()
            )
        }
    }
    command += &format!(" --seed {seed} --seeds {seeds} --epochs {}", budget.epochs);

    let images = load(data, text_opt(&opts, "data").unwrap_or("data/datasets"))?;
    let (train_set, test_set) = images.split(data.train_images()).map_err(|e| e.to_string())?;
    let mut provenance = vec![
        format!("flash-nas sample set: {} runs of networks from {} trained on {} ({} train / {} test images, split seed {})", runs.len(), space_text, data.name(), train_set.len(), test_set.len(), train::data::SPLIT_SEED),
        format!("command: {command}"),
        format!("commit: {}", commit()),
        format!("library: burn {} (flex CPU backend), flash-nas {}", BURN_VERSION, env!("CARGO_PKG_VERSION")),
        format!("budget: {} (Adam, cosine learning rate to 0, cross-entropy)", budget.label()),
        format!("proxies: {} at initialisation (the run's seed) on the first {} training images (docs/accuracy.md)", proxies::NAMES.join(", "), proxies::PROXY_BATCH),
        format!("machine: {}, {jobs} networks at a time, one thread each", machine()),
        format!("date: {}", today()),
    ];
    if shard != Shard::WHOLE {
        provenance.push(shard.line(runs.len()));
    }

    // Resume: the rows already in `out` must be this run's first rows.
    let done = match std::fs::read_to_string(out) {
        Ok(text) if !text.trim().is_empty() => {
            resume_point(&text, out, &command, shard, runs.len(), |j| {
                let (a, s) = runs[mine[j]];
                (archs[a].to_string(), s)
            })?
        }
        _ => {
            std::fs::write(out, record::csv(&provenance, &[]))
                .map_err(|e| format!("cannot write {out}: {e}"))?;
            0
        }
    };
    if done == mine.len() {
        return Ok(format!("{out} already holds all {done} rows of this run; nothing to train"));
    }
    let todo = &mine[done..];
    let file = std::fs::OpenOptions::new()
        .append(true)
        .open(out)
        .map_err(|e| format!("cannot append to {out}: {e}"))?;
    let writer = Mutex::new(InOrder { file, next: 0, pending: Default::default() });

    let started = std::time::Instant::now();
    let next = Arc::new(Mutex::new(0usize));
    let error: Arc<Mutex<Option<String>>> = Arc::new(Mutex::new(None));
    let bar = Bar::new(todo.len(), done);
    std::thread::scope(|scope| {
        for _ in 0..jobs.min(todo.len()) {
            scope.spawn(|| {
                // One thread per network: the same bits whatever the machine's core count.
                let pool = rayon::ThreadPoolBuilder::new()
                    .num_threads(1)
                    .build()
                    .expect("a one-thread pool");
                loop {
                    let i = {
                        let mut next = next.lock().unwrap();
                        if *next >= todo.len() || error.lock().unwrap().is_some() {
                            return;
                        }
                        *next += 1;
                        *next - 1
                    };
                    let (a, s) = runs[todo[i]];
                    let arch = &archs[a];
                    let trained = pool.install(|| {
                        let p = proxies::proxies(arch, &train_set, s)?;
                        let outcome =
                            train::train(arch, &train_set, &test_set, budget, s, &mut |_| true)?;
                        Ok::<_, flash_nas::Error>(Row::new(arch, &outcome, s, &budget, Some(p)))
                    });
                    match trained {
                        Ok(row) => {
                            bar.done(&row, started.elapsed().as_secs_f64());
                            if let Err(e) = writer.lock().unwrap().put(i, row.csv()) {
                                *error.lock().unwrap() =
                                    Some(format!("cannot append to {out}: {e}"));
                            }
                        }
                        Err(e) => *error.lock().unwrap() = Some(format!("{arch} (seed {s}): {e}")),
                    }
                }
            });
        }
    });
    if let Some(e) = error.lock().unwrap().take() {
        return Err(format!(
            "{e}\n(the rows trained so far are in {out}; run the same command again to go on)"
        ));
    }
    let wall = started.elapsed().as_secs_f64();
    Ok(format!("wrote {} rows to {out} in {wall:.0} s ({} rows in all)", todo.len(), mine.len()))
}

/// Appends rows in run order, whatever order the threads finish in, so the
/// file is always a prefix of the whole run (what resuming relies on).
struct InOrder {
    file: std::fs::File,
    next: usize,
    pending: std::collections::BTreeMap<usize, String>,
}

impl InOrder {
    fn put(&mut self, i: usize, line: String) -> std::io::Result<()> {
        self.pending.insert(i, line);
        while let Some(line) = self.pending.remove(&self.next) {
            self.file.write_all(format!("{line}\n").as_bytes())?;
            self.file.flush()?;
            self.next += 1;
        }
        Ok(())
    }
}

/// How many of this run's rows `text` (the existing output) already holds,
/// after checking that it is this run's file: the same command and shard, and
/// row j naming the j-th run's network and seed. A last line cut short by an
/// interruption is dropped from the file.
fn resume_point(
    text: &str,
    out: &str,
    command: &str,
    shard: Shard,
    total: usize,
    expected: impl Fn(usize) -> (String, u64),
) -> Result<usize, String> {
    let other = |why: String| {
        Err(format!("{out} already holds another run ({why}); give another --out, or delete it to start over"))
    };
    let lines: Vec<&str> = text.lines().collect();
    let recorded = lines.iter().find_map(|l| l.strip_prefix("# command: "));
    if recorded != Some(command) {
        return other(format!("its command is '{}'", recorded.unwrap_or("missing")));
    }
    let recorded_shard = lines.iter().find_map(|l| l.strip_prefix("# shard: "));
    let wanted_shard = (shard != Shard::WHOLE).then(|| shard.line(total));
    if recorded_shard.map(|s| format!("shard: {s}")) != wanted_shard {
        return other(format!("its shard is '{}'", recorded_shard.unwrap_or("none")));
    }
    let Some(header) = lines.iter().position(|l| !l.starts_with('#')) else {
        return other("it has no header".into());
    };
    if lines[header] != record::HEADER {
        return other(format!("its header is '{}'", lines[header]));
    }
    let mut rows: Vec<&str> = lines[header + 1..].to_vec();
    if !text.ends_with('\n') && rows.pop().is_some() {
        let keep = text.len() - text.rsplit('\n').next().map_or(0, str::len);
        std::fs::write(out, &text[..keep]).map_err(|e| format!("cannot rewrite {out}: {e}"))?;
        eprintln!("{out}: dropped a last row cut short by an interruption");
    }
    for (j, row) in rows.iter().enumerate() {
        let fields: Vec<&str> = row.split(',').collect();
        let (arch, seed) = expected(j);
        if fields.first() != Some(&arch.as_str())
            || fields.get(7) != Some(&seed.to_string().as_str())
        {
            return other(format!(
                "row {} is '{}' seed {}, this run's is {arch} seed {seed}",
                j + 1,
                fields.first().unwrap_or(&""),
                fields.get(7).unwrap_or(&"")
            ));
        }
    }
    eprintln!("{out}: {} rows already trained, going on", rows.len());
    Ok(rows.len())
}

/// `flash train-merge`: the parts of a sharded set, interleaved back into run order.
pub fn merge(args: &[String]) -> Result<String, String> {
    let (parts, opts) = options(args, &["out"])?;
    let out = text_opt(&opts, "out").ok_or("--out FILE.csv is required")?;
    if parts.is_empty() {
        return Err("train-merge needs the part files (PART.csv…)".into());
    }
    struct Part {
        k: usize,
        n: usize,
        total: usize,
        provenance: Vec<String>,
        rows: Vec<String>,
    }
    let mut read = Vec::new();
    for path in &parts {
        let text = std::fs::read_to_string(path.as_str())
            .map_err(|e| format!("cannot read {path}: {e}"))?;
        let mut provenance = Vec::new();
        let mut shard = None;
        let mut lines = text.lines();
        let mut header = None;
        for line in lines.by_ref() {
            match line.strip_prefix("# ") {
                Some(p) => match p.strip_prefix("shard: ") {
                    Some(s) => shard = Some(s.to_string()),
                    None => provenance.push(p.to_string()),
                },
                None => {
                    header = Some(line);
                    break;
                }
            }
        }
        if header != Some(record::HEADER) {
            return Err(format!(
                "{path}: not a flash train file (its header is '{}')",
                header.unwrap_or("missing")
            ));
        }
        let shard = shard
            .ok_or_else(|| format!("{path}: not a part (no '# shard: K/N of T runs' line)"))?;
        let parsed = (|| {
            let (kn, total) = shard.split_once(" of ")?;
            let (k, n) = kn.split_once('/')?;
            Some((k.parse().ok()?, n.parse().ok()?, total.strip_suffix(" runs")?.parse().ok()?))
        })();
        let (k, n, total) =
            parsed.ok_or_else(|| format!("{path}: cannot read its shard line '{shard}'"))?;
        read.push(Part { k, n, total, provenance, rows: lines.map(str::to_string).collect() });
    }
    read.sort_by_key(|p| p.k);
    let (n, total) = (read[0].n, read[0].total);
    let command = |p: &Part| p.provenance.iter().find(|l| l.starts_with("command: ")).cloned();
    for (i, p) in read.iter().enumerate() {
        if p.n != n || p.total != total || command(p) != command(&read[0]) {
            return Err(format!("part {}/{} is of another set than part {}/{} (shard count, run count or command differ)", p.k, p.n, read[0].k, read[0].n));
        }
        if p.k != i + 1 {
            return Err(format!("part {}/{n} is missing (or given twice)", i + 1));
        }
        let expected = (0..total).filter(|r| r % n == i).count();
        if p.rows.len() != expected {
            return Err(format!("part {}/{n} holds {} of its {expected} rows: finish it first (run its command again)", p.k, p.rows.len()));
        }
    }
    if read.len() != n {
        return Err(format!("{} parts given, the set has {n}", read.len()));
    }
    let mut text = String::new();
    for line in &read[0].provenance {
        text += &format!("# {line}\n");
    }
    text += record::HEADER;
    text.push('\n');
    for r in 0..total {
        text += &read[r % n].rows[r / n];
        text.push('\n');
    }
    std::fs::write(out, text).map_err(|e| format!("cannot write {out}: {e}"))?;
    Ok(format!("merged {n} parts, {total} rows, into {out}"))
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
    /// Rows an earlier sitting trained (shown, not timed).
    before: usize,
    done: Mutex<usize>,
    tty: bool,
}

impl Bar {
    fn new(total: usize, before: usize) -> Bar {
        Bar { total, before, done: Mutex::new(0), tty: std::io::stderr().is_terminal() }
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
            *done + self.before,
            self.total + self.before,
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
