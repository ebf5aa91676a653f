//! Charts as SVG text, drawn with plotters. Labels are escaped by plotters'
//! SVG backend; nothing here reads the DOM, so the same SVG comes out natively
//! and in wasm.

use crate::error::{Error, Result};
use crate::portable::ln;
use crate::predictor::{ModelKind, Predictor, Sample};
use plotters::prelude::*;

const SIZE: (u32, u32) = (640, 420);

/// Test accuracy against NN-Degree, one dot per trained network, with
/// FLASH's log-degree fit (accuracy = a + b·ln g) drawn over it.
pub fn accuracy_vs_degree(samples: &[Sample], title: &str) -> Result<String> {
    if samples.len() < 2 {
        return Err(Error::field("number of samples", samples.len(), "at least 2 to draw"));
    }
    let refs: Vec<&Sample> = samples.iter().collect();
    let fit = Predictor::fit(ModelKind::LogDegree, &refs)?;
    let (mut g0, mut g1) = (f64::MAX, 0.0f64);
    let (mut a0, mut a1) = (f64::MAX, f64::MIN);
    for s in samples {
        g0 = g0.min(s.nn_degree);
        g1 = g1.max(s.nn_degree);
        a0 = a0.min(s.accuracy);
        a1 = a1.max(s.accuracy);
    }
    let pad = ((a1 - a0) * 0.05).max(0.005);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, SIZE).into_drawing_area();
        let err = |e: &dyn std::fmt::Display| Error::Invalid(format!("chart: {e}"));
        root.fill(&WHITE).map_err(|e| err(&e))?;
        let mut chart = ChartBuilder::on(&root)
            .caption(title, ("sans-serif", 18))
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(56)
            .build_cartesian_2d((g0 * 0.95)..(g1 * 1.05), (a0 - pad)..(a1 + pad).min(1.0 + pad))
            .map_err(|e| err(&e))?;
        chart
            .configure_mesh()
            .x_desc("NN-Degree")
            .y_desc("test accuracy")
            .light_line_style(WHITE)
            .draw()
            .map_err(|e| err(&e))?;
        chart
            .draw_series(samples.iter().map(|s| Circle::new((s.nn_degree, s.accuracy), 3, BLUE.mix(0.7).filled())))
            .map_err(|e| err(&e))?
            .label("trained network")
            .legend(|(x, y)| Circle::new((x + 10, y), 3, BLUE.filled()));
        let steps = 100;
        let curve = (0..=steps).map(|i| {
            let g = g0 + (g1 - g0) * i as f64 / steps as f64;
            (g, fit.intercept + fit.coef[0] * (ln(g) - fit.mean[0]) / fit.scale[0])
        });
        chart
            .draw_series(LineSeries::new(curve, RED.stroke_width(2)))
            .map_err(|e| err(&e))?
            .label("a + b·ln(NN-Degree), least squares")
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], RED.stroke_width(2)));
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::LowerRight)
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK)
            .draw()
            .map_err(|e| err(&e))?;
        root.present().map_err(|e| err(&e))?;
    }
    Ok(svg)
}
