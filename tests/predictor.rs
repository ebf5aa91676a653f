#![cfg(not(target_arch = "wasm32"))]
//! The fitting maths on synthetic samples (never shipped or shown as data).

use flash_nas::predictor::{self, ModelKind, Predictor, Sample, SampleSet};
use flash_nas::{Architecture, Error, SearchSpace};
use rand::{Rng, SeedableRng};

fn synthetic(n: usize, f: impl Fn(&Sample) -> f64) -> Vec<Sample> {
    let space = SearchSpace::flash_default();
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
    (0..n)
        .map(|i| {
            let mut s = Sample::new(&space.sample(&mut rng), 0.0, i + 2);
            s.accuracy = f(&s);
            s
        })
        .collect()
}

#[test]
fn log_degree_fit_recovers_known_coefficients() {
    let samples = synthetic(25, |s| 0.2 + 0.1 * s.nn_degree.ln());
    let refs: Vec<&Sample> = samples.iter().collect();
    let p = Predictor::fit(ModelKind::LogDegree, &refs).unwrap();
    // a + b·ln g in standardised form: slope = coef / scale, intercept = mean(y) - slope·mean(x).
    let slope = p.coef[0] / p.scale[0];
    let intercept = p.intercept - slope * p.mean[0];
    assert!((slope - 0.1).abs() < 1e-9, "{slope}");
    assert!((intercept - 0.2).abs() < 1e-9, "{intercept}");
    let report = predictor::fit(&samples).unwrap();
    assert_eq!(report.chosen.model, ModelKind::LogDegree);
    assert!(report.candidates[0].loo_mae < 1e-9);
    assert_eq!(report.candidates[0].loo_spearman, Some(1.0));
}

#[test]
fn ridge_is_chosen_when_params_matter() {
    // Accuracy driven by parameters, not by degree: the richer model must win LOO.
    let samples = synthetic(40, |s| 0.5 + 0.03 * (s.params as f64).ln());
    let report = predictor::fit(&samples).unwrap();
    assert!(matches!(report.chosen.model, ModelKind::Ridge { .. }), "{:?}", report.chosen.model);
    let best = report.candidates.iter().map(|c| c.loo_mae).fold(f64::INFINITY, f64::min);
    assert!(best < report.candidates[0].loo_mae);
}

#[test]
fn noisy_fit_keeps_rank_quality() {
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(3);
    let noise: Vec<f64> = (0..60).map(|_| rng.random_range(-0.005..0.005)).collect();
    let samples = synthetic(60, |s| 0.3 + 0.08 * s.nn_degree.ln() + noise[s.line - 2]);
    let report = predictor::fit(&samples).unwrap();
    let log = &report.candidates[0];
    assert!(log.loo_mae < 0.01, "{}", log.loo_mae);
    assert!(log.loo_kendall.unwrap() > 0.7);
    assert!(report.correlations[0].spearman.unwrap() > 0.9);
}

#[test]
fn too_few_samples_is_a_clear_error() {
    let samples = synthetic(2, |_| 0.5);
    let e = predictor::fit(&samples).unwrap_err().to_string();
    assert!(e.contains("number of samples = 2") && e.contains("3..="), "{e}");
}

#[test]
fn csv_reads_provenance_and_names_bad_lines_and_columns() {
    let good = "# trained by: nobody (test)\n# data: none\narch,accuracy,seed\ncifar10/dense/d2w8t0-d2w8t0-d2w8t0,0.5,1\n\"cifar10/dense/d3w16t4-d2w8t0-d2w8t0\",0.61,2\n";
    let set = SampleSet::from_csv(good).unwrap();
    assert_eq!(set.provenance, vec!["trained by: nobody (test)", "data: none"]);
    assert_eq!(set.samples.len(), 2);
    assert_eq!(set.samples[1].line, 5);
    let a = Architecture::parse("cifar10/dense/d3w16t4-d2w8t0-d2w8t0").unwrap();
    assert_eq!(set.samples[1].nn_degree, flash_nas::degree::nn_degree(a.frame(), a.cells()));

    let bad_acc = "arch,accuracy\ncifar10/dense/d2w8t0,0.5\ncifar10/dense/d2w8t0,93.1\n";
    match SampleSet::from_csv(bad_acc) {
        Err(Error::Csv { line, column, message }) => {
            assert_eq!((line, column.as_str()), (3, "accuracy"));
            assert!(message.contains("0..=1"), "{message}");
        }
        other => panic!("{other:?}"),
    }
    let bad_arch = "arch,accuracy\ncifar10/dense/d2w0t0,0.5\n";
    let e = SampleSet::from_csv(bad_arch).unwrap_err().to_string();
    assert!(e.contains("line 2") && e.contains("'arch'") && e.contains("width w = 0"), "{e}");
    let no_col = "network,acc\nx,1\n";
    let e = SampleSet::from_csv(no_col).unwrap_err().to_string();
    assert!(e.contains("line 1") && e.contains("no 'arch' column"), "{e}");
    let ragged = "arch,accuracy\ncifar10/dense/d2w8t0,0.5,extra\n";
    assert!(SampleSet::from_csv(ragged).unwrap_err().to_string().contains("line 2"));
    let test_accuracy = "arch,test_accuracy\ncifar10/dense/d2w8t0,0.5\n";
    assert_eq!(SampleSet::from_csv(test_accuracy).unwrap().samples.len(), 1);
}

#[test]
fn the_accuracy_chart_draws_every_sample_and_escapes_its_title() {
    let samples = synthetic(12, |s| 0.5 + 0.05 * s.nn_degree.ln());
    let svg =
        flash_nas::chart::accuracy_vs_degree(&samples, "<script>alert(1)</script> & co").unwrap();
    assert!(svg.starts_with("<svg"), "{}", &svg[..40]);
    // One dot per sample, plus the legend's.
    assert_eq!(svg.matches("<circle").count(), samples.len() + 1);
    assert!(!svg.contains("<script>"), "the title must be escaped");
    assert!(svg.contains("&lt;script&gt;"));
    assert!(svg.contains("NN-Degree") && svg.contains("test accuracy"));
    let err = flash_nas::chart::accuracy_vs_degree(&samples[..1], "x").unwrap_err();
    assert_eq!(err.to_string(), "number of samples = 1 is not allowed: allowed at least 2 to draw");
}

#[test]
fn logistic_fit_recovers_known_coefficients_and_stays_below_one() {
    // accuracy = σ(−1 + 0.8·ln g): a saturating curve the logistic form must recover.
    let sigma = |z: f64| 1.0 / (1.0 + (-z).exp());
    let samples = synthetic(25, |s| sigma(-1.0 + 0.8 * s.nn_degree.ln()));
    let refs: Vec<&Sample> = samples.iter().collect();
    let p = Predictor::fit(ModelKind::LogisticDegree, &refs).unwrap();
    let slope = p.coef[0] / p.scale[0];
    assert!((slope - 0.8).abs() < 1e-6, "{slope}");
    assert!((p.intercept - slope * p.mean[0] + 1.0).abs() < 1e-6);
    // Far beyond the samples it approaches 1 without reaching it; the linear form passes it.
    let big = p.predict(1e6, 1, 1);
    assert!(big < 1.0 && big > 0.999, "{big}");
    let linear = Predictor::fit(ModelKind::LogDegree, &refs).unwrap();
    assert!(linear.predict(1e6, 1, 1) > 1.0);
    assert!(ModelKind::candidates().iter().filter(|m| m.saturates()).count() == 5);
}

/// Samples with the features set by hand (the report reads only these fields).
fn hand(rows: &[(f64, f64, u64, [f64; 4])]) -> Vec<Sample> {
    rows.iter()
        .enumerate()
        .map(|(i, &(accuracy, nn_degree, params, proxies))| Sample {
            arch: format!("digits/dense/d{}w4t0-d1w4t0", i + 1),
            accuracy,
            nn_degree,
            params,
            macs: params * 10,
            line: i + 2,
            seed: Some(1),
            proxies: Some(proxies),
        })
        .collect()
}

#[test]
fn the_report_statistics_on_a_hand_computed_example() {
    use flash_nas::predictor::report;
    // Partial correlation: (0.5 − 0.5·0.5) / √(0.75·0.75) = 1/3.
    assert!((report::partial(0.5, 0.5, 0.5).unwrap() - 1.0 / 3.0).abs() < 1e-12);
    assert_eq!(report::partial(0.9, 1.0, 0.9), None, "given a copy of itself: undefined");
    // Eight networks. NN-Degree ranks accuracy perfectly; params reverse the top two;
    // synflow is reversed everywhere; the other proxies are constant but for one.
    let s = hand(&[
        (0.50, 10.0, 100, [8.0, 1.0, 1.0, 1.0]),
        (0.60, 20.0, 200, [7.0, 1.0, 1.0, 1.0]),
        (0.70, 30.0, 300, [6.0, 1.0, 1.0, 1.0]),
        (0.75, 40.0, 400, [5.0, 1.0, 1.0, 1.0]),
        (0.80, 50.0, 500, [4.0, 1.0, 1.0, 1.0]),
        (0.85, 60.0, 600, [3.0, 1.0, 1.0, 1.0]),
        (0.90, 70.0, 800, [2.0, 1.0, 1.0, 1.0]),
        (0.95, 80.0, 700, [1.0, 1.0, 1.0, 2.0]),
    ]);
    let rows = report::metric_rows(&s);
    let get = |m: &str| rows.iter().find(|r| r.metric == m).unwrap();
    assert_eq!(rows.len(), 7, "three features and four proxies");
    assert_eq!(get("nn_degree").spearman, Some(1.0));
    assert_eq!(get("nn_degree").kendall, Some(1.0));
    // params: one swapped pair of 28 → τ = 26/28; ρ = 1 − 6·2/(8·63).
    assert!((get("params").kendall.unwrap() - 26.0 / 28.0).abs() < 1e-12);
    assert!((get("params").spearman.unwrap() - (1.0 - 12.0 / 504.0)).abs() < 1e-12);
    assert_eq!(get("synflow").spearman, Some(-1.0));
    // The top quartile is the two best networks: degree keeps their order, params swap it.
    assert_eq!(get("nn_degree").top_quartile_spearman, Some(1.0));
    assert_eq!(get("params").top_quartile_spearman, Some(-1.0));
    assert_eq!(get("snip").spearman, None, "a constant metric has no rank correlation");
    // Given params (ρ = 1 − 12/504 with both), degree's partial ρ is positive; params has none.
    let r = 1.0 - 12.0 / 504.0;
    let want = (1.0 - r * r) / (1.0 - r * r);
    assert!((get("nn_degree").partial_spearman_given_params.unwrap() - want).abs() < 1e-12);
    assert_eq!(get("params").partial_spearman_given_params, None);

    // Budget: the long runs of three networks, the middle two swapped against the short.
    let mut long = hand(&[
        (0.9, 10.0, 100, [0.0; 4]),
        (0.99, 20.0, 200, [0.0; 4]),
        (0.95, 30.0, 300, [0.0; 4]),
    ]);
    long[2].arch = s[2].arch.clone();
    long[1].arch = s[1].arch.clone();
    let b = report::budget_study(&s, &long).unwrap();
    assert_eq!(b.networks, 3);
    // short 0.50, 0.60, 0.70 against long 0.90, 0.99, 0.95: one discordant pair of 3.
    assert!((b.kendall.unwrap() - 1.0 / 3.0).abs() < 1e-12);
    assert!((b.short_mean - 0.6).abs() < 1e-12 && (b.long_mean - 2.84 / 3.0).abs() < 1e-12);

    // Noise: two networks with three runs each. Per run k, τ between the run and the mean
    // of the other two over the two networks: 1 whenever the order agrees.
    let mut noise = hand(&[
        (0.5, 1.0, 1, [0.0; 4]),
        (0.52, 1.0, 1, [0.0; 4]),
        (0.54, 1.0, 1, [0.0; 4]),
        (0.8, 2.0, 2, [0.0; 4]),
        (0.82, 2.0, 2, [0.0; 4]),
        (0.84, 2.0, 2, [0.0; 4]),
    ]);
    for (i, n) in noise.iter_mut().enumerate() {
        n.arch = format!("digits/dense/d{}w4t0-d1w4t0", i / 3 + 1);
    }
    let c = report::noise_ceiling(&noise, &s, 1).unwrap();
    assert_eq!((c.networks, c.runs), (2, 6));
    assert!((c.pooled_std - 0.02).abs() < 1e-12);
    assert_eq!(c.kendall_run_vs_rest, 1.0);
    // Noise of 0.02 on accuracies 0.05 apart: the ceiling is high but below 1.
    assert!(
        c.kendall_ceiling_on_set > 0.5 && c.kendall_ceiling_on_set < 1.0,
        "{}",
        c.kendall_ceiling_on_set
    );
}

#[test]
fn the_learning_curve_skips_sizes_too_large_for_the_rows_and_is_exact_on_an_exact_law() {
    use flash_nas::predictor::report;
    let samples = synthetic(40, |s| 0.2 + 0.1 * s.nn_degree.ln());
    let curve = report::learning_curve(&samples, 50, 3);
    let ns: std::collections::BTreeSet<usize> = curve.iter().map(|c| c.n).collect();
    assert_eq!(ns.into_iter().collect::<Vec<_>>(), [5, 10, 15, 25], "50 + 5 > 40 rows: no n = 50");
    for c in curve.iter().filter(|c| c.predictor == "log-degree") {
        assert_eq!(c.splits, 50);
        assert!(c.mae_mean < 1e-9 && c.kendall_p10 > 0.999, "{c:?}");
    }
    // The params-only baseline cannot be exact on a degree law.
    assert!(curve.iter().filter(|c| c.predictor == "params-only").all(|c| c.mae_mean > 1e-4));
}

/// The digits trade-off's predictor (the first screen before NAS-Bench-201, now the second
/// lesson) must not pile the space up at the ceiling (issue 15: FLASH's form fitted on the
/// 2-cell sets put more than 99 % of the default space at 100 %).
#[test]
fn the_digits_lesson_predicts_under_five_percent_of_its_space_at_the_ceiling() {
    use flash_nas::predictor::report;
    let lesson = &flash_nas::lessons::shipped()[1];
    let state = flash_nas::state::State::decode(&lesson.link).state;
    let set = predictor::shipped(&state.samples).expect("the first screen uses a shipped set");
    let samples = SampleSet::from_csv(set.csv).unwrap().samples;
    let space = SearchSpace::resolve(&state.space).unwrap();
    assert_eq!(
        space.to_string(),
        SearchSpace::parse(set.space).unwrap().to_string(),
        "the set was trained in the space searched"
    );
    let chosen = predictor::fit(&samples).unwrap().chosen;
    let share = report::space_share(&chosen, &samples, &space, 100_000, 1);
    assert!(share.at_ceiling < 0.05, "{share:?}");
}

/// "Train more, here" trains in the space on screen and adds to the set the search uses
/// (issue 39: it trained 2-cell networks whatever the screen showed, and switched sets).
#[test]
fn training_here_draws_from_the_space_on_screen_into_the_set_in_use() {
    use flash_nas::playground::training_plan;
    use flash_nas::predictor::{shipped, DIGITS_FLASH_SPACE};
    use flash_nas::state::State;
    let plan = |link: &str| training_plan(&State::decode(link).state, None);
    // The rows a plan starts from, as (network, accuracy).
    let rows = |csv: &str| -> Vec<(String, f64)> {
        let set = flash_nas::predictor::SampleSet::from_csv(csv).unwrap();
        set.samples.iter().map(|s| (s.arch.clone(), s.accuracy)).collect()
    };
    let set = |name: &str| rows(shipped(name).unwrap().csv);
    let flash_space = flash_nas::SearchSpace::resolve(DIGITS_FLASH_SPACE).unwrap().to_string();
    // The trade-off lesson: FLASH's 3-cell digits space with its own set.
    let p = plan(&flash_nas::lessons::shipped()[1].link).unwrap();
    assert_eq!(p.space, flash_space);
    assert_eq!(rows(&p.base_csv), set("digits-flash"));
    assert!(p.into.contains("digits-flash"), "{}", p.into);
    // A trained network appended as the page appends it is read back as one more sample.
    let more = format!(
        "{}{}",
        p.base_csv,
        flash_nas::playground::trained_row("digits/dense/d2w8t1-d2w8t0-d2w8t0", 0.875)
    );
    assert_eq!(rows(&more).len(), set("digits-flash").len() + 1);
    assert_eq!(
        rows(&more).last().unwrap(),
        &("digits/dense/d2w8t1-d2w8t0-d2w8t0".to_string(), 0.875)
    );
    // The 2-cell digits space with the digits set: that set, that space.
    let two = "v=1&space=digits%2Fdense%2Fcells%3D2%3Bd%3D1..6%3Bw%3D4..32%3A4%3Bt%3D0..24&samples=digits";
    let p = plan(two).unwrap();
    assert_eq!(rows(&p.base_csv), set("digits"));
    assert!(p.space.starts_with("digits/dense/cells=2"), "{}", p.space);
    // No set, or a set of another data set: the shipped set of this very space.
    for link in [
        "v=1&space=digits%2Fdense%2Fcells%3D3%3Bd%3D2..11%3Bw%3D8..64%3A8%3Bt%3D0..49",
        "v=1&space=digits%2Fdense%2Fcells%3D3%3Bd%3D2..11%3Bw%3D8..64%3A8%3Bt%3D0..49&samples=mnist",
    ] {
        let p = plan(link).unwrap();
        assert_eq!(rows(&p.base_csv), set("digits-flash"), "{link}");
        assert!(p.into.contains("shipped set digits-flash"), "{link}: {}", p.into);
    }
    // Own rows are kept and added to (a link's own rows, of this data set and family).
    let own = "v=1&samples=own&own=digits%2Fdense%2Fd2w8t2-d2w16t4%400.61%7Cdigits%2Fdense%2Fd4w16t8-d3w32t8%400.83%7Cdigits%2Fdense%2Fd3w8t0-d2w8t0%400.55&space=digits%2Fdense%2Fcells%3D2%3Bd%3D1..6%3Bw%3D8..32%3A8%3Bt%3D0..16";
    let p = plan(own).unwrap();
    assert_eq!(p.into, "your own set");
    assert_eq!(rows(&p.base_csv).len(), 3, "{}", p.base_csv);
    // NAS-Bench-201 (CIFAR-10) cannot train in the browser: the message says why.
    let e = plan(flash_nas::state::FIRST_SCREEN).unwrap_err().to_string();
    assert!(e.contains("space") && e.contains("a digits space") && e.contains("cifar10"), "{e}");
}
