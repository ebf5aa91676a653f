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
