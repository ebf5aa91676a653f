//! `flash`: the command-line face of the same core the page uses.

use args::json;
use flash_nas::describe::{describe, summarize};
use flash_nas::predictor::{self, SampleSet};
use flash_nas::space::CLASSICS;
use flash_nas::{degree, Architecture, SearchSpace};
use std::io::Write;
use std::process::ExitCode;

mod args;
mod bench;
mod codesign;
mod hw;
mod nb201;
mod search;
mod train;
mod validate;

const USAGE: &str = "\
flash — FLASH hardware-aware NAS (NN-Degree, workloads, accuracy predictor, hardware models)

usage:
  flash space [SPACE] [--json]   the space (default: FLASH's), its exact configuration count
  flash describe ARCH            JSON: layers, totals, NN-Degree per cell
  flash degree ARCH...           NN-Degree and per-cell degrees, one line per architecture
  flash fit SAMPLES.csv [--first N] [--noise NOISE.csv] [--plot FILE.svg]
                                 fit the accuracy predictor; JSON report with LOO MAE, ρ, τ
                                 (on the first N rows only with --first), the seed-noise std of
                                 NOISE.csv, and a chart of accuracy against NN-Degree
  flash fit UNIFORM.csv --report json|table [--fit-set DESIGN.csv] [--noise NOISE.csv]
              [--long LONG.csv] [--space SPACE] [--splits K] [--curve-plot FILE.svg]
                                 how NN-Degree, params, MACs and the zero-cost proxies rank the
                                 uniform sample (ρ, τ, top quartile, partial ρ given params); the
                                 predictor's held-out learning curve (n = 5…50, K random splits)
                                 against the params-only baseline; DESIGN's fit scored on UNIFORM;
                                 the seed-noise ceiling; short against long budget; the share of
                                 SPACE predicted at the ceiling (docs/accuracy.md)
  flash classics                 classic networks in the text form
  flash shgo [SPEC.json]         run SHGO on named test problems (JSON spec or list
                                 of specs, from the file or stdin); JSON reports
  flash shgo --problems          the named problems
{HW}
{SEARCH}
{BENCH}
{TRAIN}
{NB201}
  flash playground 'LINK' [--own OWN.csv] [--view | --pytorch | --trace-csv | --compare]
                                 the playground's search for a shared link (its query, from
                                 '?v=1&…'): JSON {link, notices, result, fingerprint}, the same
                                 as the page; a link whose fp (added by the page's Copy link)
                                 is not its result's fingerprint gets a notice, also on stderr;
                                 --own: the CSV file a link names by fingerprint; --view: all the
                                 page shows (charts as SVG); --pytorch: the network as a PyTorch
                                 module; --trace-csv: every evaluated network; --compare: FLASH
                                 against the exact optimum, random search and evolution
  flash pytorch ARCH             the network as a PyTorch nn.Module (Python source)
  flash lessons [FILE] [--check] the playground's lessons (data/lessons.json, or a teacher's own
                                 FILE, checked: each link must decode without a notice);
                                 --check: run every lesson's checks (the claims its answer
                                 rests on) and fail if one does not hold
  flash help                     this text

ARCH and SPACE use the text forms of docs/space.md, e.g.
  cifar10/dense/d4w32t10-d6w48t20-d3w16t0
  cifar10/dense/cells=3;d=2..11;w=8..64:8;t=0..49
Errors go to stderr with exit code 2.";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(out) => {
            // A reader that stops early (`flash search --trace | head`) closes the pipe:
            // stop quietly, as Unix tools do, instead of panicking in println!.
            let mut stdout = std::io::stdout().lock();
            match writeln!(stdout, "{out}").and_then(|()| stdout.flush()) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("flash: cannot write the output: {e}");
                    ExitCode::from(2)
                }
            }
        }
        Err(message) => {
            eprintln!("flash: {message}");
            ExitCode::from(2)
        }
    }
}

fn usage() -> String {
    USAGE
        .replace("{HW}", hw::USAGE)
        .replace("{SEARCH}", search::USAGE)
        .replace("{BENCH}", &format!("{}\n{}", bench::USAGE, codesign::USAGE))
        .replace("{TRAIN}", train::USAGE)
        .replace("{NB201}", nb201::USAGE)
}

fn fit_command(args: &[String]) -> Result<String, String> {
    #[derive(serde::Serialize)]
    struct Fit {
        #[serde(flatten)]
        report: predictor::FitReport,
        #[serde(skip_serializing_if = "Option::is_none")]
        seed_noise: Option<predictor::SeedNoise>,
    }
    let (positional, opts) = args::options(
        args,
        &[
            "first",
            "noise",
            "plot",
            "report",
            "fit-set",
            "long",
            "space",
            "splits",
            "table",
            "curve-plot",
        ],
    )?;
    let [path] = positional.as_slice() else {
        return Err("fit takes exactly one SAMPLES.csv".into());
    };
    let read = |path: &str| {
        let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {path}: {e}"))?;
        SampleSet::from_csv(&text).map_err(|e| format!("{path}: {e}"))
    };
    if let Some(flag) = args::text_opt(&opts, "report") {
        if flag != "table" && flag != "json" {
            return Err(format!("--report = {flag} is not allowed: allowed json or table"));
        }
        return report_command(path, &opts, &read, flag == "table");
    }
    let mut set = read(path)?;
    let first: usize = args::number(
        &opts,
        "first",
        set.samples.len(),
        (predictor::MIN_SAMPLES, predictor::MAX_SAMPLES),
    )?;
    set.samples.truncate(first);
    let report = predictor::fit(&set.samples).map_err(|e| format!("{path}: {e}"))?;
    let seed_noise = match args::text_opt(&opts, "noise") {
        Some(noise) => Some(
            predictor::seed_noise(&read(noise)?.samples)
                .ok_or(format!("{noise}: no network was trained more than once"))?,
        ),
        None => None,
    };
    if let Some(svg) = args::text_opt(&opts, "plot") {
        let title = format!("{} trained networks: {path}", set.samples.len());
        let chart = flash_nas::chart::accuracy_vs_degree(&set.samples, &title)
            .map_err(|e| e.to_string())?;
        std::fs::write(svg, chart).map_err(|e| format!("cannot write {svg}: {e}"))?;
    }
    json(&Fit { report, seed_noise })
}

/// `flash fit UNIFORM.csv --report json|table`: the statistics of docs/accuracy.md.
fn report_command(
    path: &str,
    opts: &[(&str, &str)],
    read: &dyn Fn(&str) -> Result<SampleSet, String>,
    as_table: bool,
) -> Result<String, String> {
    use flash_nas::predictor::report;
    let uniform = read(path)?.samples;
    let optional = |key: &str| args::text_opt(opts, key).map(read).transpose();
    let (fit_set, noise, long) = (optional("fit-set")?, optional("noise")?, optional("long")?);
    let space = args::text_opt(opts, "space")
        .map(|t| flash_nas::SearchSpace::resolve(t).map_err(|e| format!("--space: {e}")))
        .transpose()?;
    let splits: usize = args::number(opts, "splits", 1000, (10, 100_000))?;
    let inputs = report::Inputs {
        uniform: &uniform,
        fit_set: fit_set.as_ref().map(|s| s.samples.as_slice()),
        noise: noise.as_ref().map(|s| s.samples.as_slice()),
        long: long.as_ref().map(|s| s.samples.as_slice()),
        space: space.as_ref(),
        splits,
        space_networks: 100_000,
        seed: 1,
    };
    let r = report::report(&inputs).map_err(|e| format!("{path}: {e}"))?;
    if let Some(svg) = args::text_opt(opts, "curve-plot") {
        let chart =
            flash_nas::chart::learning_curve(&r.learning_curve, path).map_err(|e| e.to_string())?;
        std::fs::write(svg, chart).map_err(|e| format!("cannot write {svg}: {e}"))?;
    }
    if as_table {
        Ok(report::table(&r))
    } else {
        json(&r)
    }
}

fn playground_command(args: &[String]) -> Result<String, String> {
    const FLAGS: [&str; 4] = ["--view", "--pytorch", "--trace-csv", "--compare"];
    let flags: Vec<&str> = args.iter().map(String::as_str).filter(|a| FLAGS.contains(a)).collect();
    let rest: Vec<String> = args.iter().filter(|a| !FLAGS.contains(&a.as_str())).cloned().collect();
    let (positional, opts) = args::options(&rest, &["own"])?;
    let [link] = positional.as_slice() else {
        return Err(
            "playground takes exactly one LINK (the page's query, e.g. '?v=1&profile=rpi4')".into(),
        );
    };
    let query = link.split_once('?').map_or(link.as_str(), |(_, q)| q);
    let own = match args::text_opt(&opts, "own") {
        Some(path) => {
            Some(std::fs::read_to_string(path).map_err(|e| format!("cannot read {path}: {e}"))?)
        }
        None => None,
    };
    let pg = flash_nas::playground::Playground::open(query, own.as_deref());
    // A link whose result changed since it was copied says so where a person reads it.
    for n in pg.notices.iter().filter(|n| n.field == "fp") {
        eprintln!("flash playground: {}: {}", n.field, n.message);
    }
    if flags.len() > 1 {
        return Err(format!("playground takes one of {} at a time", FLAGS.join(", ")));
    }
    match flags.first().copied() {
        Some("--view") => json(&pg.view()),
        Some("--pytorch") => pg
            .view()
            .best
            .map(|b| b.pytorch)
            .ok_or_else(|| pg.result().err().unwrap_or("no network was found").to_string()),
        Some("--trace-csv") => Ok(pg.trace_csv()),
        Some("--compare") => json(&pg.compare()?),
        _ => {
            #[derive(serde::Serialize)]
            struct Out<'a> {
                link: String,
                notices: &'a [flash_nas::state::Notice],
                result: Option<flash_nas::search::SearchResult>,
                error: Option<&'a str>,
                /// The result's fingerprint; a copied link carries it as `fp`.
                fingerprint: String,
            }
            let result = pg
                .result()
                .ok()
                .map(|r| flash_nas::search::SearchResult { trace: None, ..r.clone() });
            json(&Out {
                link: pg.state.encode(),
                notices: &pg.notices,
                result,
                error: pg.result().err(),
                fingerprint: pg.fingerprint(),
            })
        }
    }
}

fn run(args: &[String]) -> Result<String, String> {
    let (command, rest) = match args.split_first() {
        Some((c, r)) => (c.as_str(), r),
        None => return Err(format!("no command given\n\n{}", usage())),
    };
    match command {
        "help" | "--help" | "-h" => Ok(usage()),
        "hw" => hw::run(rest),
        "search" => search::run(rest),
        "search-bench" if rest.iter().any(|a| a == "--suite") => codesign::run_suite(rest),
        "search-bench" => bench::run_bench(rest),
        "train" => train::run(rest),
        "nb201" => nb201::run(rest),
        "train-merge" => train::merge(rest),
        "shgo" => shgo_command(rest),
        "space" => {
            let as_json = rest.iter().any(|a| a == "--json");
            let texts: Vec<&String> = rest.iter().filter(|a| *a != "--json").collect();
            let space = match texts.as_slice() {
                [] => SearchSpace::flash_default(),
                [text] => SearchSpace::resolve(text).map_err(|e| e.to_string())?,
                _ => return Err("space takes at most one SPACE".into()),
            };
            let s = summarize(&space);
            if as_json {
                return json(&s);
            }
            Ok(format!(
                "space:          {}\nconfigurations: {} (≈ {})\nper cell:       {}\na configuration is {}",
                s.space,
                s.count,
                s.count_approx,
                s.per_cell.join(" × "),
                s.configuration
            ))
        }
        "describe" => match rest {
            [text] => json(&describe(&Architecture::parse(text).map_err(|e| e.to_string())?)),
            _ => Err("describe takes exactly one ARCH".into()),
        },
        "degree" => {
            if rest.is_empty() {
                return Err("degree takes one or more ARCH".into());
            }
            let mut lines = Vec::new();
            for text in rest {
                let arch = Architecture::parse(text).map_err(|e| format!("{text}: {e}"))?;
                let cells: Vec<String> = degree::per_cell(arch.frame(), arch.cells())
                    .iter()
                    .map(|g| format!("{g:.4}"))
                    .collect();
                lines.push(format!(
                    "{:.4}\t[{}]\t{arch}",
                    degree::nn_degree(arch.frame(), arch.cells()),
                    cells.join(", ")
                ));
            }
            Ok(lines.join("\n"))
        }
        "fit" => fit_command(rest),
        "playground" => playground_command(rest),
        "pytorch" => match rest {
            [text] => Ok(flash_nas::export::pytorch(
                &Architecture::parse(text).map_err(|e| e.to_string())?,
                "",
            )),
            _ => Err("pytorch takes exactly one ARCH".into()),
        },
        "lessons" => {
            let check = rest.iter().any(|a| a == "--check");
            let only: Vec<&String> = rest.iter().filter(|a| *a != "--check").collect();
            let lessons = match only.as_slice() {
                [] => flash_nas::lessons::shipped(),
                [path] => {
                    let text = std::fs::read_to_string(path)
                        .map_err(|e| format!("cannot read {path}: {e}"))?;
                    flash_nas::lessons::parse(&text).map_err(|e| format!("{path}: {e}"))?
                }
                _ => return Err("lessons takes at most one FILE (and --check)".into()),
            };
            if !check {
                return Ok(lessons
                    .iter()
                    .map(|l| format!("{:<18} {}\n{:<18} ?{}", l.id, l.title, "", l.link))
                    .collect::<Vec<_>>()
                    .join("\n"));
            }
            let (mut lines, mut failed, mut total) = (Vec::new(), 0, 0);
            for l in &lessons {
                lines.push(format!("{}: {}", l.id, l.title));
                if l.checks.is_empty() {
                    lines.push("  (no checks)".into());
                }
                for o in flash_nas::lessons::check(l) {
                    total += 1;
                    failed += usize::from(!o.holds);
                    let mark = if o.holds { "ok  " } else { "FAIL" };
                    lines.push(format!("  {mark} {}\n       {}", o.claim, o.shown));
                }
            }
            lines.push(format!(
                "{} of {total} claims hold in {} lessons",
                total - failed,
                lessons.len()
            ));
            if failed > 0 {
                Err(lines.join("\n"))
            } else {
                Ok(lines.join("\n"))
            }
        }
        "classics" => Ok(CLASSICS
            .iter()
            .map(|(name, text)| format!("{name:<28} {text}"))
            .collect::<Vec<_>>()
            .join("\n")),
        other => Err(format!("unknown command '{other}'\n\n{}", usage())),
    }
}

/// `flash shgo`: one spec object or a list of them, from a file or stdin.
fn shgo_command(rest: &[String]) -> Result<String, String> {
    use flash_nas::shgo::{problems, spec};
    if rest.iter().any(|a| a == "--problems") {
        let names: Vec<serde_json::Value> = problems::all()
            .iter()
            .map(|p| serde_json::json!({"name": p.name, "dim": p.bounds.len(), "constraints": p.ineq.len() + p.eq.len(), "f_star": p.f_star}))
            .collect();
        return json(&names);
    }
    let text = match rest {
        [] => std::io::read_to_string(std::io::stdin()).map_err(|e| format!("stdin: {e}"))?,
        [path] => std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))?,
        _ => return Err("shgo takes at most one SPEC.json".into()),
    };
    let value: serde_json::Value = serde_json::from_str(&text).map_err(|e| format!("spec: {e}"))?;
    let list = match value {
        serde_json::Value::Array(items) => items,
        one => vec![one],
    };
    let mut reports = Vec::with_capacity(list.len());
    for (i, item) in list.into_iter().enumerate() {
        let s = spec::parse(item).map_err(|e| format!("spec {i}: {e}"))?;
        reports.push(spec::run(&s).map_err(|e| format!("spec {i}: {e}"))?);
    }
    json(&reports)
}
