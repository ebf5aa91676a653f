//! Charts as SVG text, drawn with plotters. Labels are escaped by plotters'
//! SVG backend; nothing here reads the DOM, so the same SVG comes out natively
//! and in wasm.

use crate::error::{Error, Result};
use crate::hardware::calibrate::Measured;
use crate::hardware::{CostReport, Profile};
use crate::portable::ln;
use crate::predictor::{ModelKind, Predictor, Sample};
use crate::search::{
    ComplexShot, Cost, IterationMark, Problem, RelaxedPoint, SearchResult, Trace, TracePoint,
};
use crate::space::Architecture;
use crate::workload::{self, LayerKind, LayerReads, Role, Skip};
use plotters::prelude::*;
use serde::Serialize;

const SIZE: (u32, u32) = (640, 420);
/// Tick labels, axis names and legends: 18 px in a 640 × 420 chart, which the page draws 272 px
/// high at 1400×900 (0.65×), so on screen they are 11.7 px (issue 39: they were ~6–8 px).
const TEXT: (&str, u32) = ("sans-serif", 18);

/// Test accuracy against NN-Degree, one dot per trained network, with
/// FLASH's log-degree fit (accuracy = a + b·ln g) drawn over it.
pub fn accuracy_vs_degree(samples: &[Sample], title: &str) -> Result<String> {
    accuracy_vs_degree_in(samples, title, None)
}

/// The same, with the x axis spanning `space_degrees` (the searched space's
/// NN-Degree range) and the part of it no sample covers shaded: there the
/// predictor extrapolates.
pub fn accuracy_vs_degree_in(
    samples: &[Sample],
    title: &str,
    space_degrees: Option<(f64, f64)>,
) -> Result<String> {
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
    let (s0, s1) = (g0, g1);
    if let Some((lo, hi)) = space_degrees {
        g0 = g0.min(lo);
        g1 = g1.max(hi);
    }
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
            .label_style(TEXT)
            .axis_desc_style(TEXT)
            .x_desc("NN-Degree")
            .y_desc("test accuracy")
            .light_line_style(WHITE)
            .draw()
            .map_err(|e| err(&e))?;
        let (y0, y1) = (a0 - pad, (a1 + pad).min(1.0 + pad));
        let outside: Vec<(f64, f64)> =
            [(g0 * 0.95, s0), (s1, g1 * 1.05)].into_iter().filter(|(l, h)| h > l).collect();
        if space_degrees.is_some() && !outside.is_empty() {
            chart
                .draw_series(
                    outside.iter().map(|&(l, h)| {
                        Rectangle::new([(l, y0), (h, y1)], BLACK.mix(0.08).filled())
                    }),
                )
                .map_err(|e| err(&e))?
                .label("the space beyond the samples: extrapolated")
                .legend(|(x, y)| {
                    Rectangle::new([(x, y - 5), (x + 20, y + 5)], BLACK.mix(0.15).filled())
                });
        }
        chart
            .draw_series(
                samples
                    .iter()
                    .map(|s| Circle::new((s.nn_degree, s.accuracy), 3, BLUE.mix(0.7).filled())),
            )
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
        legend(&mut chart, SeriesLabelPosition::LowerRight)?;
        root.present().map_err(|e| err(&e))?;
    }
    Ok(svg)
}

/// The predictor's learning curve: held-out MAE against the number of
/// training networks, one line per form (automatic choice, FLASH's log-degree,
/// the params-only baseline), each point the mean over random splits with its
/// 10th–90th percentile band as a vertical bar.
pub fn learning_curve(
    points: &[crate::predictor::report::CurvePoint],
    title: &str,
) -> Result<String> {
    if points.is_empty() {
        return Err(Error::Invalid("the learning curve needs at least 10 samples".into()));
    }
    let n1 = points.iter().map(|p| p.n).max().unwrap_or(1) as f64;
    let top = points.iter().map(|p| p.mae_p90).fold(0.0, f64::max) * 1.1;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, SIZE).into_drawing_area();
        root.fill(&WHITE).map_err(|e| draw_err(&e))?;
        let mut chart = ChartBuilder::on(&root)
            .caption(format!("held-out MAE against training-set size: {title}"), ("sans-serif", 15))
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(56)
            .build_cartesian_2d(0.0..n1 * 1.08, 0.0..top.max(0.01))
            .map_err(|e| draw_err(&e))?;
        chart
            .configure_mesh()
            .label_style(TEXT)
            .axis_desc_style(TEXT)
            .x_desc("training networks n")
            .y_desc("held-out MAE (accuracy)")
            .light_line_style(WHITE)
            .draw()
            .map_err(|e| draw_err(&e))?;
        for (name, color, shift) in
            [("auto", BLUE, -0.3), ("log-degree", RED, 0.0), ("params-only", BLACK, 0.3)]
        {
            let mine: Vec<_> = points.iter().filter(|p| p.predictor == name).collect();
            chart
                .draw_series(mine.iter().map(|p| {
                    let x = p.n as f64 + shift;
                    PathElement::new(vec![(x, p.mae_p10), (x, p.mae_p90)], color.mix(0.5))
                }))
                .map_err(|e| draw_err(&e))?;
            chart
                .draw_series(LineSeries::new(
                    mine.iter().map(|p| (p.n as f64 + shift, p.mae_mean)),
                    color.stroke_width(2),
                ))
                .map_err(|e| draw_err(&e))?
                .label(match name {
                    "auto" => "predictor chosen by leave-one-out",
                    "log-degree" => "FLASH's a + b·ln(NN-Degree)",
                    _ => "baseline a + b·ln(params)",
                })
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 20, y)], color.stroke_width(2))
                });
        }
        legend(&mut chart, SeriesLabelPosition::UpperRight)?;
        root.present().map_err(|e| draw_err(&e))?;
    }
    Ok(svg)
}

/// A chart and the points a pointer can read out (in the SVG's pixels).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Chart {
    pub svg: String,
    pub width: u32,
    pub height: u32,
    pub points: Vec<Hover>,
    /// What the chart leaves out or substitutes, for the page to say.
    pub note: String,
    /// What the chart shows, in words (its text alternative for screen readers).
    pub alt: String,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Hover {
    pub x: i32,
    pub y: i32,
    pub label: String,
}

/// Most points a scatter draws: more add bytes, not information.
pub const MAX_DRAWN: usize = 800;

/// The Pareto chart's score axis leaves out the lowest 1/ZOOM_TAIL of the evaluated
/// networks (never a front's point or the result)…
const ZOOM_TAIL: usize = 10;
/// …where that shrinks the axis to at most this share of the whole span.
const ZOOM_GAIN: f64 = 0.7;

fn draw_err(e: &dyn std::fmt::Display) -> Error {
    Error::Invalid(format!("chart: {e}"))
}

/// Ticks a log axis asks plotters for: enough that an axis of up to three decades gets each
/// decade's 2..9 ticks (plotters keeps only the powers of ten on a wider one).
const LOG_TICKS: usize = 30;

/// A log axis's label: only at 1, 2 and 5 times a power of ten (every tick keeps its grid
/// line), so labels never run into one another towards the top of a decade.
fn log_tick(v: &f64) -> String {
    if !(v.is_finite() && *v > 0.0) {
        return String::new();
    }
    let mut power = (ln(*v) / ln(10.0)).floor() as i32;
    let mut mantissa = v / 10f64.powi(power);
    if mantissa >= 10.0 * (1.0 - 1e-9) {
        power += 1;
        mantissa /= 10.0;
    } else if mantissa < 1.0 - 1e-9 {
        power -= 1;
        mantissa *= 10.0;
    }
    if [1.0, 2.0, 5.0].iter().any(|m| (mantissa - m).abs() < 1e-6 * m) {
        let decimals = (-power).max(0) as usize;
        format!("{v:.decimals$}")
    } else {
        String::new()
    }
}

/// The legend box in the corner [`quiet_corner`] picks.
fn quiet_legend<'a, DB: DrawingBackend + 'a, X: Ranged, Y: Ranged>(
    chart: &mut ChartContext<'a, DB, Cartesian2d<X, Y>>,
    points: &[Hover],
    labels: &[String],
    prefer: SeriesLabelPosition,
) -> Result<()> {
    let corner = quiet_corner(chart.plotting_area().get_pixel_range(), points, labels, prefer);
    legend(chart, corner)
}

/// A series' legend label, noted for [`quiet_corner`].
fn said(labels: &mut Vec<String>, label: &str) -> String {
    labels.push(label.to_string());
    label.to_string()
}

/// The legend box every chart uses.
fn legend<'a, DB: DrawingBackend + 'a, CT: CoordTranslate>(
    chart: &mut ChartContext<'a, DB, CT>,
    at: SeriesLabelPosition,
) -> Result<()> {
    chart
        .configure_series_labels()
        .label_font(TEXT)
        .position(at)
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .draw()
        .map_err(|e| draw_err(&e))
}

/// How many scattered marks one marked one (a front's point, the result, a local minimum)
/// counts as when a legend's corner is picked.
const MARKED_WEIGHT: usize = 25;

/// The corner of the plotting area whose legend box (sized for `labels`) covers the
/// fewest of the drawn `points` (pixels); `prefer` wins ties. A fixed corner hid a front
/// or the result whenever the data lay there.
fn quiet_corner(
    area: (std::ops::Range<i32>, std::ops::Range<i32>),
    points: &[Hover],
    labels: &[String],
    prefer: SeriesLabelPosition,
) -> SeriesLabelPosition {
    let widest = labels.iter().map(|l| l.chars().count()).max().unwrap_or(0) as i32;
    // 18 px sans-serif: about 9.5 px a character, 24 px a line, and the box's margins.
    let (w, h) = (widest * 19 / 2 + 50, labels.len() as i32 * 24 + 14);
    let (xs, ys) = area;
    let box_at = |right: bool, lower: bool| {
        let x0 = if right { xs.end - 10 - w } else { xs.start + 10 };
        let y0 = if lower { ys.end - 10 - h } else { ys.start + 10 };
        (x0..x0 + w, y0..y0 + h)
    };
    // A front's point, the result or a local minimum is what a reader looks for: hiding one
    // counts as hiding many of the scattered rest.
    let weight = |h: &Hover| {
        let marked = ["front", "true front", "result", "local minimum"];
        if marked.iter().any(|m| h.label.starts_with(m)) {
            MARKED_WEIGHT
        } else {
            1
        }
    };
    let covered = |right: bool, lower: bool| -> usize {
        let (bx, by) = box_at(right, lower);
        points.iter().filter(|p| bx.contains(&p.x) && by.contains(&p.y)).map(weight).sum()
    };
    let corners = [
        (SeriesLabelPosition::UpperLeft, false, false),
        (SeriesLabelPosition::UpperRight, true, false),
        (SeriesLabelPosition::LowerLeft, false, true),
        (SeriesLabelPosition::LowerRight, true, true),
    ];
    let preferred =
        |c: &SeriesLabelPosition| std::mem::discriminant(c) == std::mem::discriminant(&prefer);
    corners
        .into_iter()
        .min_by_key(|(c, right, lower)| (covered(*right, *lower), !preferred(c)))
        .map_or(prefer, |(c, _, _)| c)
}

/// "1 local minimum", "6 local minima": a count with its noun in the right number.
pub fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// 1st, 2nd, 3rd, 4th, 11th, 21st, 41st, 112th.
pub fn ordinal(n: usize) -> String {
    let suffix = match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

/// Every `k`-th index of `n`, so at most `max` (deterministic thinning).
fn thin(n: usize, max: usize) -> impl Iterator<Item = usize> {
    let step = n.div_ceil(max.max(1)).max(1);
    (0..n).step_by(step)
}

/// (lo, hi) of finite values, widened when they coincide.
fn span(values: impl Iterator<Item = f64>) -> (f64, f64) {
    let (mut lo, mut hi) = (f64::MAX, f64::MIN);
    for v in values.filter(|v| v.is_finite()) {
        lo = lo.min(v);
        hi = hi.max(v);
    }
    if lo > hi {
        return (0.0, 1.0);
    }
    if hi - lo <= hi.abs() * 1e-9 {
        let d = if hi == 0.0 { 1.0 } else { hi.abs() * 0.05 };
        return (lo - d, hi + d);
    }
    (lo, hi)
}

/// A cost in the unit people read it in.
pub fn cost_unit(cost: Cost) -> (&'static str, f64) {
    match cost {
        Cost::Latency => ("latency (ms)", 1e3),
        Cost::Energy => ("energy (mJ)", 1e3),
        Cost::Area => ("area (mm²)", 1.0),
        Cost::Memory => ("memory (MiB)", 1.0 / (1024.0 * 1024.0)),
        Cost::Edp => ("energy × latency (mJ·ms)", 1e6),
        Cost::Edap => ("energy × latency × area (mJ·ms·mm²)", 1e6),
    }
}

/// A profile's name and its front in the chart's units.
type NamedFront = (String, Vec<(f64, f64)>);

/// Two hardware profiles' fronts, each found the same way (FLASH on the chart's
/// `pareto-COST` goal), to draw in place of the evaluated networks' front:
/// (the profile's name, its front as (cost in SI units, score)).
pub struct Overlay<'a> {
    pub own: (&'a str, &'a [(f64, f64)]),
    pub other: (&'a str, &'a [(f64, f64)]),
    /// How the fronts were found, in words.
    pub how: &'a str,
}

/// Score against a cost: every network the search evaluated (grey: breaks a
/// limit), the front of those evaluations (or two profiles' fronts), and the result.
pub fn pareto(
    problem: &Problem,
    result: &SearchResult,
    trace: &Trace,
    cost: Cost,
    true_front: Option<&[(f64, f64)]>,
    overlay: Option<&Overlay>,
) -> Result<Chart> {
    let (x_name, x_scale) = cost_unit(cost);
    let score_name = if matches!(problem.quality, crate::search::Quality::Degree) {
        "NN-Degree"
    } else {
        "predicted accuracy"
    };
    // A NAS-Bench-201 cell whose output does not depend on its input scores at
    // chance, at a cost a compiler's folding set: it would only stretch the axes.
    let cut_off = |t: &TracePoint| {
        problem.space.frame().family == crate::space::Family::Nb201
            && crate::space::nb201::cut_off(&problem.arch(&t.config).cells()[0].coords[..6])
    };
    let hidden = trace.evaluated.iter().filter(|t| cut_off(t)).count();
    let pts: Vec<(f64, f64, &TracePoint)> = trace
        .evaluated
        .iter()
        .filter(|t| !cut_off(t))
        .map(|t| (t.cost(cost) * x_scale, t.score, t))
        .collect();
    if pts.is_empty() {
        return Err(Error::Invalid("chart: nothing was evaluated".into()));
    }
    // The front of everything evaluated and feasible: highest score for its cost.
    let mut feasible: Vec<&(f64, f64, &TracePoint)> = pts.iter().filter(|p| p.2.feasible).collect();
    feasible.sort_by(|a, b| a.0.total_cmp(&b.0).then(b.1.total_cmp(&a.1)));
    let mut front: Vec<(f64, f64, &TracePoint)> = Vec::new();
    for p in feasible {
        if front.last().is_none_or(|q| p.1 > q.1) {
            front.push(*p);
        }
    }
    let best = result.best.as_ref().map(|b| (b.metrics.cost(cost) * x_scale, b.metrics.score(), b));
    // NAS-Bench-201's true front, in the chart's units, over the evaluated networks' costs.
    let truth: Vec<(f64, f64)> = true_front
        .unwrap_or_default()
        .iter()
        .map(|&(c, a)| (c * x_scale, a))
        .filter(|p| p.0 > 0.0 || !pts.iter().all(|q| q.0 > 0.0))
        .collect();
    let scaled = |f: &[(f64, f64)]| -> Vec<(f64, f64)> {
        f.iter()
            .map(|&(c, v)| (c * x_scale, v))
            .filter(|p| p.0.is_finite() && p.1.is_finite())
            .collect()
    };
    let fronts: Option<[NamedFront; 2]> = overlay.map(|o| {
        [(o.own.0.to_string(), scaled(o.own.1)), (o.other.0.to_string(), scaled(o.other.1))]
    });
    let overlaid = || fronts.iter().flatten().flat_map(|f| f.1.iter().copied());
    let positive = pts.iter().all(|p| p.0 > 0.0)
        && truth.iter().all(|p| p.0 > 0.0)
        && overlaid().all(|p| p.0 > 0.0);
    // The goal's limit on the chart's cost, drawn as a line (within the axes' span).
    let limit = cost
        .metric()
        .and_then(|m| problem.goal.limits.iter().find(|l| l.metric == m))
        .map(|l| (l.si() * x_scale, l.value));
    // The score axis zooms to where the choice lies: the front, the true front, the result
    // and the best nine tenths of what was evaluated. A tail of poor networks would otherwise
    // squeeze everything that matters against the top; it is counted in the note instead.
    let floor = {
        let mut scores: Vec<f64> = pts.iter().map(|p| p.1).filter(|v| v.is_finite()).collect();
        scores.sort_by(f64::total_cmp);
        let tenth = scores.get(scores.len() / ZOOM_TAIL).copied().unwrap_or(f64::MAX);
        front
            .iter()
            .map(|p| p.1)
            .chain(truth.iter().map(|p| p.1))
            .chain(overlaid().map(|p| p.1))
            .chain(best.as_ref().map(|b| b.1))
            .fold(tenth, f64::min)
    };
    let (all_lo, all_hi) = span(
        pts.iter().map(|p| p.1).chain(truth.iter().map(|p| p.1)).chain(overlaid().map(|p| p.1)),
    );
    let zoomed = floor > all_lo && all_hi - floor < ZOOM_GAIN * (all_hi - all_lo);
    let below = if zoomed { pts.iter().filter(|p| p.1 < floor).count() } else { 0 };
    let evaluated = pts.len();
    let pts: Vec<(f64, f64, &TracePoint)> =
        pts.into_iter().filter(|p| !zoomed || p.1 >= floor).collect();
    let (x0, x1) = span(
        pts.iter().map(|p| p.0).chain(truth.iter().map(|p| p.0)).chain(overlaid().map(|p| p.0)),
    );
    let limit = limit.filter(|&(v, _)| v >= x0 && v <= x1);
    let (y0, y1) = if zoomed { span([floor, all_hi].into_iter()) } else { (all_lo, all_hi) };
    let ypad = (y1 - y0) * 0.05;
    let mut svg = String::new();
    let mut points = Vec::new();
    let mut labels: Vec<String> = Vec::new();
    let size = SIZE;
    {
        let root = SVGBackend::with_string(&mut svg, size).into_drawing_area();
        root.fill(&WHITE).map_err(|e| draw_err(&e))?;
        let caption = format!("{score_name} against {}: {} networks evaluated", x_name, evaluated);
        let mut builder = ChartBuilder::on(&root);
        builder
            .caption(caption, ("sans-serif", 16))
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(60);
        let label = |t: &TracePoint| {
            format!(
                "{} — {score_name} {:.4}, {x_name} {:.4}{}",
                problem.arch(&t.config),
                t.score,
                t.cost(cost) * x_scale,
                if t.feasible { "" } else { " (breaks a limit)" }
            )
        };
        macro_rules! body {
            ($chart:expr, $log:expr) => {{
                let mut chart = $chart;
                let mut mesh = chart.configure_mesh();
                mesh.label_style(TEXT)
                    .axis_desc_style(TEXT)
                    .x_desc(x_name)
                    .y_desc(score_name)
                    .light_line_style(WHITE);
                if $log {
                    // Every tick of each decade, labelled only at 1, 2 and 5 (`log_tick`).
                    mesh.x_labels(LOG_TICKS).x_label_formatter(&log_tick);
                }
                mesh.draw().map_err(|e| draw_err(&e))?;
                let grey = RGBColor(150, 150, 150);
                let idx: Vec<usize> = thin(pts.len(), MAX_DRAWN).collect();
                chart
                    .draw_series(idx.iter().map(|&i| {
                        let p = &pts[i];
                        let style = if p.2.feasible {
                            BLUE.mix(0.35).filled()
                        } else {
                            grey.mix(0.35).filled()
                        };
                        Circle::new((p.0, p.1), 2, style)
                    }))
                    .map_err(|e| draw_err(&e))?
                    .label(said(&mut labels, "evaluated network (grey: breaks a limit)"))
                    .legend(|(x, y)| Circle::new((x + 10, y), 3, BLUE.mix(0.5).filled()));
                for &i in &idx {
                    let (x, y) = chart.backend_coord(&(pts[i].0, pts[i].1));
                    points.push(Hover { x, y, label: label(pts[i].2) });
                }
                if let Some(two) = &fronts {
                    let colours = [RGBColor(230, 120, 0), RGBColor(130, 40, 160)];
                    for ((name, f), colour) in two.iter().zip(colours) {
                        chart
                            .draw_series(LineSeries::new(f.iter().copied(), colour.stroke_width(2)))
                            .map_err(|e| draw_err(&e))?
                            .label(said(&mut labels, &format!("front on {name}")))
                            .legend(move |(x, y)| {
                                PathElement::new(vec![(x, y), (x + 20, y)], colour.stroke_width(2))
                            });
                        chart
                            .draw_series(f.iter().map(|&p| Circle::new(p, 3, colour.filled())))
                            .map_err(|e| draw_err(&e))?;
                        for p in f {
                            let (x, y) = chart.backend_coord(p);
                            points.push(Hover {
                                x,
                                y,
                                label: format!(
                                    "front on {name}: {score_name} {:.4} at {x_name} {:.4}",
                                    p.1, p.0
                                ),
                            });
                        }
                    }
                }
                if front.len() > 1 && fronts.is_none() {
                    chart
                        .draw_series(LineSeries::new(
                            front.iter().map(|p| (p.0, p.1)),
                            RGBColor(230, 120, 0).stroke_width(2),
                        ))
                        .map_err(|e| draw_err(&e))?
                        .label(said(&mut labels, "front of the evaluated networks"))
                        .legend(|(x, y)| {
                            PathElement::new(
                                vec![(x, y), (x + 20, y)],
                                RGBColor(230, 120, 0).stroke_width(2),
                            )
                        });
                }
                for p in front.iter().filter(|_| fronts.is_none()) {
                    let (x, y) = chart.backend_coord(&(p.0, p.1));
                    points.push(Hover { x, y, label: format!("front: {}", label(p.2)) });
                }
                if truth.len() > 1 {
                    let green = RGBColor(20, 140, 60);
                    chart
                        .draw_series(LineSeries::new(truth.iter().copied(), green.stroke_width(2)))
                        .map_err(|e| draw_err(&e))?
                        .label(said(
                            &mut labels,
                            "true front (NAS-Bench-201's accuracy of every cell)",
                        ))
                        .legend(move |(x, y)| {
                            PathElement::new(vec![(x, y), (x + 20, y)], green.stroke_width(2))
                        });
                    for p in &truth {
                        let (x, y) = chart.backend_coord(p);
                        points.push(Hover {
                            x,
                            y,
                            label: format!(
                                "true front: accuracy {:.4} at {x_name} {:.4}",
                                p.1, p.0
                            ),
                        });
                    }
                }
                if let Some((v, typed)) = limit {
                    let dark = RGBColor(90, 90, 90);
                    chart
                        .draw_series(DashedLineSeries::new(
                            [(v, y0 - ypad), (v, y1 + ypad)],
                            6,
                            4,
                            dark.stroke_width(2),
                        ))
                        .map_err(|e| draw_err(&e))?
                        .label(said(&mut labels, &format!("the goal's limit, {x_name} ≤ {typed}")))
                        .legend(move |(x, y)| {
                            PathElement::new(vec![(x, y), (x + 20, y)], dark.stroke_width(2))
                        });
                }
                if let Some((bx, by, b)) = best {
                    chart
                        .draw_series(std::iter::once(TriangleMarker::new(
                            (bx, by),
                            8,
                            RED.filled(),
                        )))
                        .map_err(|e| draw_err(&e))?
                        .label(said(&mut labels, "the result"))
                        .legend(|(x, y)| TriangleMarker::new((x + 10, y), 6, RED.filled()));
                    let (x, y) = chart.backend_coord(&(bx, by));
                    points.push(Hover {
                        x,
                        y,
                        label: format!(
                            "result: {} on {} — {score_name} {:.4}, {x_name} {:.4}",
                            b.arch, b.hardware, by, bx
                        ),
                    });
                }
                quiet_legend(&mut chart, &points, &labels, SeriesLabelPosition::LowerRight)?;
            }};
        }
        if positive && x1 / x0 > 20.0 {
            body!(
                builder
                    .build_cartesian_2d((x0 * 0.9..x1 * 1.1).log_scale(), (y0 - ypad)..(y1 + ypad))
                    .map_err(|e| draw_err(&e))?,
                true
            );
        } else {
            let xpad = (x1 - x0) * 0.05;
            body!(
                builder
                    .build_cartesian_2d((x0 - xpad)..(x1 + xpad), (y0 - ypad)..(y1 + ypad))
                    .map_err(|e| draw_err(&e))?,
                false
            );
        }
        root.present().map_err(|e| draw_err(&e))?;
    }
    let mut note = if pts.len() > MAX_DRAWN {
        format!(
            "{} of {} {} drawn (every {})",
            thin(pts.len(), MAX_DRAWN).count(),
            pts.len(),
            if below > 0 { "networks in view" } else { "evaluated networks" },
            ordinal(pts.len().div_ceil(MAX_DRAWN))
        )
    } else {
        String::new()
    };
    if hidden > 0 {
        if !note.is_empty() {
            note.push_str("; ");
        }
        note.push_str(&format!(
            "{hidden} evaluated cells with no path from input to output (accuracy at chance) not drawn"
        ));
    }
    if let Some(o) = overlay {
        if !note.is_empty() {
            note.push_str("; ");
        }
        note.push_str(&format!(
            "the two fronts, on {} and on {}, are {}",
            o.own.0, o.other.0, o.how
        ));
    }
    if below > 0 {
        if !note.is_empty() {
            note.push_str("; ");
        }
        note.push_str(&format!(
            "the {score_name} axis zooms to the fronts, the result and the best nine tenths of the evaluated networks: {} below {y0:.4} not drawn",
            count(below, "network", "networks")
        ));
    }
    let alt = {
        let mut alt = format!("{score_name} against {x_name}: {evaluated} networks evaluated");
        // A front's two ends, (cost, score) each.
        let runs = |what: String, a: (f64, f64), z: (f64, f64)| {
            format!(
                "; {what} runs from {x_name} {:.4} at {score_name} {:.4} to {x_name} {:.4} at {score_name} {:.4}",
                a.0, a.1, z.0, z.1
            )
        };
        for (name, f) in fronts.iter().flatten() {
            if let (Some(&a), Some(&z)) = (f.first(), f.last()) {
                alt.push_str(&runs(format!("the front on {name} ({} networks)", f.len()), a, z));
            }
        }
        if let (Some(a), Some(z)) = (front.first().filter(|_| fronts.is_none()), front.last()) {
            let what = format!("the front of the feasible ones ({} networks)", front.len());
            alt.push_str(&runs(what, (a.0, a.1), (z.0, z.1)));
        }
        if let (Some(a), Some(z)) = (truth.first(), truth.last()) {
            alt.push_str(&format!(
                "; the true front ({} cells) runs from {x_name} {:.4} at true accuracy {:.4} to {x_name} {:.4} at {:.4}",
                truth.len(),
                a.0,
                a.1,
                z.0,
                z.1
            ));
        }
        if let Some(b) = &result.best {
            alt.push_str(&format!(
                "; the result, {}, has {x_name} {:.4} and {score_name} {:.4}",
                b.arch,
                b.metrics.cost(cost) * x_scale,
                b.metrics.score()
            ));
        }
        alt
    };
    Ok(Chart { svg, width: size.0, height: size.1, points, note, alt })
}

/// SHGO's points on one level's relaxation over two of its coordinates
/// (normalized to [0,1]), coloured by the relaxed objective, with the level's
/// local minima; `upto` stops at one iteration (the step mode).
#[allow(clippy::too_many_arguments)]
pub fn shgo(
    trace: &Trace,
    level: &str,
    hw: usize,
    coords: &[&str],
    xi: usize,
    yi: Option<usize>,
    upto: Option<&IterationMark>,
    iterations: usize,
    step: Option<usize>,
    complex: Option<&ComplexShot>,
    note: &str,
) -> Result<Chart> {
    let end = upto.map_or(trace.relaxed.len(), |m| m.relaxed);
    // The complex's edges as the chart projects them, each drawn once (projecting a
    // 3-D triangulation onto two of its axes lays many edges on one another).
    let segments: Vec<((f64, f64), (f64, f64))> = match (complex, yi) {
        (Some(c), Some(y)) => {
            let at = |v: &[f64]| (v[xi], v[y]);
            let key = |p: (f64, f64)| ((p.0 * 1e6).round() as i64, (p.1 * 1e6).round() as i64);
            let mut seen = std::collections::BTreeSet::new();
            let mut out = Vec::new();
            for &(a, b) in &c.edges {
                let (Some(va), Some(vb)) = (c.vertices.get(a as usize), c.vertices.get(b as usize))
                else {
                    continue;
                };
                if va.len() != coords.len() || vb.len() != coords.len() {
                    continue;
                }
                let (p, q) = (at(va), at(vb));
                let (kp, kq) = (key(p), key(q));
                if kp != kq && seen.insert(if kp < kq { (kp, kq) } else { (kq, kp) }) {
                    out.push((p, q));
                }
            }
            out
        }
        _ => Vec::new(),
    };
    // SHGO reports a level's local minima after its last iteration (the local searches run
    // on the final complex): the last step shows them, the earlier ones cannot yet.
    let last_step = step.is_some_and(|s| s + 1 >= iterations);
    let end_min = match upto {
        Some(m) if !last_step => m.minimizers,
        _ => trace.minimizers.len(),
    };
    let pts: Vec<&RelaxedPoint> = trace.relaxed[..end]
        .iter()
        .filter(|p| p.level == level && p.hw == hw && p.x.len() == coords.len())
        .collect();
    let mins: Vec<&RelaxedPoint> = trace.minimizers[..end_min]
        .iter()
        .filter(|p| p.level == level && p.hw == hw && p.x.len() == coords.len())
        .collect();
    let at = |p: &RelaxedPoint| (p.x[xi], yi.map_or(0.5, |y| p.x[y]));
    let finite: Vec<f64> = pts.iter().map(|p| p.f).filter(|f| f.is_finite()).collect();
    let (f0, f1) = span(finite.iter().copied());
    let x_name = coords[xi];
    let y_name = yi.map_or("(one coordinate only)", |y| coords[y]);
    let caption = match (upto, step) {
        (Some(m), Some(s)) => format!(
            "{level} level, step {} of {iterations}: SHGO iteration {}, {}{}",
            s.min(iterations.saturating_sub(1)) + 1,
            m.iteration,
            count(m.vertices, "vertex", "vertices"),
            if last_step {
                format!(", {}", count(mins.len(), "local minimum", "local minima"))
            } else {
                String::new()
            }
        ),
        _ => format!(
            "{level} level: {}, {}",
            count(pts.len(), "relaxed evaluation", "relaxed evaluations"),
            count(mins.len(), "local minimum", "local minima")
        ),
    };
    let mut svg = String::new();
    let mut points = Vec::new();
    let mut labels: Vec<String> = Vec::new();
    {
        let root = SVGBackend::with_string(&mut svg, SIZE).into_drawing_area();
        root.fill(&WHITE).map_err(|e| draw_err(&e))?;
        let mut chart = ChartBuilder::on(&root)
            .caption(caption, ("sans-serif", 16))
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(50)
            .build_cartesian_2d(-0.03f64..1.03f64, -0.03f64..1.03f64)
            .map_err(|e| draw_err(&e))?;
        chart
            .configure_mesh()
            .label_style(TEXT)
            .axis_desc_style(TEXT)
            .x_desc(format!("{x_name} (0 = smallest in range, 1 = largest)"))
            .y_desc(y_name)
            .light_line_style(WHITE)
            .draw()
            .map_err(|e| draw_err(&e))?;
        if !segments.is_empty() {
            let edge = RGBColor(70, 140, 190).mix(0.55);
            let idx: Vec<usize> = thin(segments.len(), MAX_DRAWN).collect();
            chart
                .draw_series(idx.iter().map(|&i| {
                    PathElement::new(vec![segments[i].0, segments[i].1], edge.stroke_width(1))
                }))
                .map_err(|e| draw_err(&e))?
                .label(said(
                    &mut labels,
                    &if coords.len() == 2 {
                        "SHGO's simplicial complex".to_string()
                    } else {
                        format!("SHGO's simplicial complex ({}-D, projected)", coords.len())
                    },
                ))
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 20, y)], edge.stroke_width(2))
                });
        }
        // Low f (better) is dark blue, high f yellow; infeasible points grey.
        let colour = |f: f64| {
            if !f.is_finite() {
                return RGBColor(170, 170, 170);
            }
            let t = if f1 > f0 { ((f - f0) / (f1 - f0)).clamp(0.0, 1.0) } else { 0.0 };
            RGBColor((40.0 + 210.0 * t) as u8, (50.0 + 170.0 * t) as u8, (150.0 - 120.0 * t) as u8)
        };
        let idx: Vec<usize> = thin(pts.len(), MAX_DRAWN).collect();
        chart
            .draw_series(
                idx.iter().map(|&i| Circle::new(at(pts[i]), 3, colour(pts[i].f).mix(0.8).filled())),
            )
            .map_err(|e| draw_err(&e))?
            .label(said(
                &mut labels,
                &format!("relaxed objective: dark blue {f0:.3} (better) to yellow {f1:.3}"),
            ))
            .legend(|(x, y)| Circle::new((x + 10, y), 3, RGBColor(40, 50, 150).filled()));
        for &i in &idx {
            let (x, y) = chart.backend_coord(&at(pts[i]));
            let coords_text: Vec<String> =
                pts[i].x.iter().zip(coords).map(|(v, n)| format!("{n} {v:.3}")).collect();
            points.push(Hover {
                x,
                y,
                label: format!("{} — relaxed objective {:.4}", coords_text.join(", "), pts[i].f),
            });
        }
        if !mins.is_empty() {
            chart
                .draw_series(mins.iter().map(|p| Cross::new(at(p), 7, RED.stroke_width(3))))
                .map_err(|e| draw_err(&e))?
                .label(said(&mut labels, "local minimum (SHGO minimizer)"))
                .legend(|(x, y)| Cross::new((x + 10, y), 5, RED.stroke_width(2)));
            for p in &mins {
                let (x, y) = chart.backend_coord(&at(p));
                points.push(Hover {
                    x,
                    y,
                    label: format!("local minimum, relaxed objective {:.4}", p.f),
                });
            }
        }
        quiet_legend(&mut chart, &points, &labels, SeriesLabelPosition::UpperRight)?;
        root.present().map_err(|e| draw_err(&e))?;
    }
    let best = mins.iter().map(|p| p.f).fold(f64::INFINITY, f64::min);
    let alt = format!(
        "SHGO on the {level} level over {} and {}: {} points of the relaxation sampled or searched{}, {}{}",
        coords.get(xi).copied().unwrap_or("x"),
        yi.and_then(|y| coords.get(y)).copied().unwrap_or("the objective"),
        pts.len(),
        step.map_or(String::new(), |k| format!(" up to iteration {} of {iterations}", k + 1)),
        count(mins.len(), "local minimum", "local minima"),
        if best.is_finite() { format!(", the lowest relaxed objective {best:.4}") } else { String::new() }
    ) + &complex.filter(|_| !segments.is_empty()).map_or(String::new(), |c| {
        format!(
            "; SHGO's simplicial complex has {} and {}",
            count(c.vertices.len(), "vertex", "vertices"),
            count(c.edges.len(), "edge", "edges")
        )
    });
    let mut note = note.to_string();
    if !segments.is_empty() && coords.len() > 2 {
        if !note.is_empty() {
            note.push_str("; ");
        }
        note.push_str(&format!(
            "the complex spans {} coordinates: its edges are drawn along {x_name} and {y_name}, where several fall on one another",
            coords.len()
        ));
    }
    Ok(Chart { svg, width: SIZE.0, height: SIZE.1, points, note, alt })
}

/// Per-layer latency of the result on its hardware, one bar per layer.
pub fn layer_costs(report: &CostReport) -> Result<Chart> {
    let rows: Vec<_> = report.layers.iter().collect();
    if rows.is_empty() {
        return Err(Error::Invalid("chart: no layers".into()));
    }
    let n = rows.len();
    let (_, y1) = span(rows.iter().map(|r| r.cost.latency * 1e3));
    let size = (SIZE.0, 320);
    let mut svg = String::new();
    let mut points = Vec::new();
    {
        let root = SVGBackend::with_string(&mut svg, size).into_drawing_area();
        root.fill(&WHITE).map_err(|e| draw_err(&e))?;
        let total = report.total.latency * 1e3;
        let mut chart = ChartBuilder::on(&root)
            .caption(
                format!(
                    "latency per layer on {}: {} layers, {total:.4} ms in all",
                    report.profile, n
                ),
                ("sans-serif", 16),
            )
            .margin(12)
            .x_label_area_size(36)
            .y_label_area_size(60)
            .build_cartesian_2d(0f64..n as f64, 0f64..y1.max(1e-12) * 1.08)
            .map_err(|e| draw_err(&e))?;
        chart
            .configure_mesh()
            .label_style(TEXT)
            .axis_desc_style(TEXT)
            .x_desc("layer (in order)")
            // Layers are counted: whole numbers on the axis.
            .x_label_formatter(&|x| format!("{x:.0}"))
            .y_desc("latency (ms)")
            .light_line_style(WHITE)
            .draw()
            .map_err(|e| draw_err(&e))?;
        chart
            .draw_series(rows.iter().enumerate().map(|(i, r)| {
                let colour = match r.kind {
                    // The network's fixed per-inference cost (hardware::report's last row).
                    _ if r.name == crate::hardware::FIXED_ROW => RGBColor(230, 120, 20).mix(0.9),
                    LayerKind::Conv => BLUE.mix(0.7),
                    LayerKind::Depthwise => GREEN.mix(0.7),
                    LayerKind::Linear => RED.mix(0.7),
                    _ => RGBColor(150, 150, 150).mix(0.7),
                };
                Rectangle::new(
                    [(i as f64 + 0.1, 0.0), (i as f64 + 0.9, r.cost.latency * 1e3)],
                    colour.filled(),
                )
            }))
            .map_err(|e| draw_err(&e))?;
        for (i, r) in rows.iter().enumerate() {
            let (x, y) = chart.backend_coord(&(i as f64 + 0.5, r.cost.latency * 1e3));
            let share = if total > 0.0 { 100.0 * r.cost.latency * 1e3 / total } else { 0.0 };
            points.push(Hover {
                x,
                y,
                label: format!(
                    "{}: {:.5} ms ({share:.1} %), {:.5} mJ, {} ops",
                    r.name,
                    r.cost.latency * 1e3,
                    r.cost.energy * 1e3,
                    r.ops
                ),
            });
        }
        root.present().map_err(|e| draw_err(&e))?;
    }
    let slowest = rows.iter().max_by(|a, b| a.cost.latency.total_cmp(&b.cost.latency));
    let alt = format!(
        "latency of each of the {n} layers on {}: {:.4} ms in all{}",
        report.profile,
        rows.iter().map(|r| r.cost.latency).sum::<f64>() * 1e3,
        slowest.map_or(String::new(), |r| format!(
            "; the slowest, {}, takes {:.4} ms",
            r.name,
            r.cost.latency * 1e3
        ))
    );
    Ok(Chart {
        svg,
        width: size.0,
        height: size.1,
        points,
        note: "blue: convolution, green: depthwise, red: classifier, grey: pooling and sums, orange: the fixed per-inference cost (not a layer)".into(),
        alt,
    })
}

type LogLog<'a, 'b> = ChartContext<'a, SVGBackend<'b>, Cartesian2d<LogCoord<f64>, LogCoord<f64>>>;

/// Log axes from `lo` to `hi` in ms, measured on x, a model's latency on y: the
/// frame of the charts that set a model against measurements.
fn against_measured_axes<'a, 'b>(
    root: &'a DrawingArea<SVGBackend<'b>, plotters::coord::Shift>,
    caption: String,
    (lo, hi): (f64, f64),
    y_desc: &str,
) -> Result<LogLog<'a, 'b>> {
    let mut chart = ChartBuilder::on(root)
        .caption(caption, ("sans-serif", 16))
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(60)
        .build_cartesian_2d((lo..hi).log_scale(), (lo..hi).log_scale())
        .map_err(|e| draw_err(&e))?;
    chart
        .configure_mesh()
        .label_style(TEXT)
        .axis_desc_style(TEXT)
        .x_desc("measured (ms)")
        .y_desc(y_desc)
        .x_labels(LOG_TICKS)
        .y_labels(LOG_TICKS)
        .x_label_formatter(&log_tick)
        .y_label_formatter(&log_tick)
        .light_line_style(WHITE)
        .draw()
        .map_err(|e| draw_err(&e))?;
    Ok(chart)
}

/// Predicted against measured latency, before and after calibration, with y = x.
pub fn calibration(samples: &[Measured], before: &Profile, after: &Profile) -> Result<Chart> {
    let rows: Vec<(f64, f64, f64, &str)> = samples
        .iter()
        .filter_map(|s| {
            Some((
                s.latency? * 1e3,
                s.cost(before.model()).latency * 1e3,
                s.cost(after.model()).latency * 1e3,
                s.arch.as_str(),
            ))
        })
        .collect();
    if rows.len() < 2 {
        return Err(Error::field("measured latencies", rows.len(), "at least 2 to draw"));
    }
    let (lo, hi) = span(rows.iter().flat_map(|r| [r.0, r.1, r.2]).filter(|v| *v > 0.0));
    let (lo, hi) = (lo * 0.8, hi * 1.25);
    let mut svg = String::new();
    let mut points = Vec::new();
    {
        let root = SVGBackend::with_string(&mut svg, SIZE).into_drawing_area();
        root.fill(&WHITE).map_err(|e| draw_err(&e))?;
        let caption = format!(
            "{}: predicted against measured latency, {} networks",
            after.name(),
            rows.len()
        );
        let mut chart = against_measured_axes(&root, caption, (lo, hi), "predicted (ms)")?;
        chart
            .draw_series(LineSeries::new([(lo, lo), (hi, hi)], BLACK.mix(0.4)))
            .map_err(|e| draw_err(&e))?
            .label("predicted = measured");
        chart
            .draw_series(
                rows.iter().map(|r| Circle::new((r.0, r.1), 3, RGBColor(150, 150, 150).filled())),
            )
            .map_err(|e| draw_err(&e))?
            .label("before calibration")
            .legend(|(x, y)| Circle::new((x + 10, y), 3, RGBColor(150, 150, 150).filled()));
        chart
            .draw_series(rows.iter().map(|r| Circle::new((r.0, r.2), 3, BLUE.filled())))
            .map_err(|e| draw_err(&e))?
            .label("calibrated")
            .legend(|(x, y)| Circle::new((x + 10, y), 3, BLUE.filled()));
        for r in &rows {
            let (x, y) = chart.backend_coord(&(r.0, r.2));
            points.push(Hover {
                x,
                y,
                label: format!(
                    "{}: measured {:.4} ms, calibrated {:.4} ms, before {:.4} ms",
                    r.3, r.0, r.2, r.1
                ),
            });
        }
        legend(&mut chart, SeriesLabelPosition::LowerRight)?;
        root.present().map_err(|e| draw_err(&e))?;
    }
    let alt = format!(
        "predicted against measured latency for {} measured networks, before and after calibration, with the line where prediction equals measurement",
        rows.len()
    );
    Ok(Chart { svg, width: SIZE.0, height: SIZE.1, points, note: String::new(), alt })
}

/// A device's measured latency against its calibrated model for every network it
/// was judged on (thinned to [`MAX_DRAWN`]), the networks it was fitted on, and the
/// search's pick (`(cell, measured ms, model ms)`), with the lines where the model
/// is exact and ±10 % off; log axes, as latencies span a decade or more.
pub fn against_measured(
    a: &crate::hardware::devices::Against,
    pick: Option<(&str, f64, f64)>,
) -> Result<Chart> {
    use crate::nasbench::cell_of_row;
    use crate::space::nb201::cell_string;
    let name = |row: usize| cell_string(&cell_of_row(row));
    let train: Vec<(f64, f64, usize)> = (0..a.train.len())
        .map(|i| (a.train_measured_ms[i], a.train_model_ms[i], a.train[i]))
        .collect();
    let drawn: Vec<usize> = thin(a.test.len(), MAX_DRAWN).collect();
    let (lo, hi) = span(
        a.measured_ms
            .iter()
            .chain(&a.model_ms)
            .chain(train.iter().flat_map(|t| [&t.0, &t.1]))
            .copied()
            .filter(|v| *v > 0.0),
    );
    let (lo, hi) = (lo * 0.8, hi * 1.25);
    let mut svg = String::new();
    let mut points = Vec::new();
    {
        let root = SVGBackend::with_string(&mut svg, SIZE).into_drawing_area();
        root.fill(&WHITE).map_err(|e| draw_err(&e))?;
        let caption = format!(
            "{}: the model calibrated on {} against the measurement",
            a.device.name,
            a.train.len()
        );
        let mut chart = against_measured_axes(&root, caption, (lo, hi), "model, calibrated (ms)")?;
        chart
            .draw_series(LineSeries::new([(lo, lo), (hi, hi)], BLACK.mix(0.5)))
            .map_err(|e| draw_err(&e))?
            .label("model = measured")
            .legend(|(x, y)| PathElement::new([(x, y), (x + 20, y)], BLACK.mix(0.5)));
        let band = RGBColor(120, 120, 120).mix(0.6);
        chart
            .draw_series(LineSeries::new([(lo, lo * 1.1), (hi / 1.1, hi)], band))
            .map_err(|e| draw_err(&e))?
            .label("±10 %")
            .legend(move |(x, y)| PathElement::new([(x, y), (x + 20, y)], band));
        chart
            .draw_series(LineSeries::new([(lo / 0.9, lo), (hi, hi * 0.9)], band))
            .map_err(|e| draw_err(&e))?;
        let grey = RGBColor(150, 150, 150);
        chart
            .draw_series(
                drawn
                    .iter()
                    .map(|&i| Circle::new((a.measured_ms[i], a.model_ms[i]), 2, grey.filled())),
            )
            .map_err(|e| draw_err(&e))?
            .label(format!("judged ({} of {} drawn)", drawn.len(), a.test.len()))
            .legend(move |(x, y)| Circle::new((x + 10, y), 3, grey.filled()));
        chart
            .draw_series(train.iter().map(|t| Circle::new((t.0, t.1), 4, BLUE.filled())))
            .map_err(|e| draw_err(&e))?
            .label("fitted on")
            .legend(|(x, y)| Circle::new((x + 10, y), 4, BLUE.filled()));
        if let Some((_, m, p)) = pick {
            chart
                .draw_series([Cross::new((m, p), 7, RED.stroke_width(3))])
                .map_err(|e| draw_err(&e))?
                .label("the network found")
                .legend(|(x, y)| Cross::new((x + 10, y), 5, RED.stroke_width(3)));
        }
        for &i in &drawn {
            let (x, y) = chart.backend_coord(&(a.measured_ms[i], a.model_ms[i]));
            points.push(Hover {
                x,
                y,
                label: format!(
                    "{}: measured {:.3} ms, model {:.3} ms",
                    name(a.test[i]),
                    a.measured_ms[i],
                    a.model_ms[i]
                ),
            });
        }
        for t in &train {
            let (x, y) = chart.backend_coord(&(t.0, t.1));
            points.push(Hover {
                x,
                y,
                label: format!(
                    "fitted on {}: measured {:.3} ms, model {:.3} ms",
                    name(t.2),
                    t.0,
                    t.1
                ),
            });
        }
        if let Some((arch, m, p)) = pick {
            let (x, y) = chart.backend_coord(&(m, p));
            points.push(Hover {
                x,
                y,
                label: format!("found {arch}: measured {m:.3} ms, model {p:.3} ms"),
            });
        }
        legend(&mut chart, SeriesLabelPosition::UpperLeft)?;
        root.present().map_err(|e| draw_err(&e))?;
    }
    let note = if drawn.len() < a.test.len() {
        format!(
            "{} of the {} judged networks are drawn (one in {}); the figures are over all of them.",
            drawn.len(),
            a.test.len(),
            a.test.len().div_ceil(MAX_DRAWN)
        )
    } else {
        String::new()
    };
    let alt = format!(
        "the calibrated model's latency against the measured latency on {}, for {} networks it was judged on and the {} it was fitted on, with the lines where the model is exact and 10 % off",
        a.device.name,
        a.test.len(),
        a.train.len()
    );
    Ok(Chart { svg, width: SIZE.0, height: SIZE.1, points, note, alt })
}

/// The network as a diagram: one row per part (stem, each cell, head), a box
/// per layer (its role and output channels), a line from a layer to the next,
/// and an arc for every read that skips layers (dense concatenations, residual
/// shortcuts: dashed).
pub fn diagram(arch: &Architecture) -> Result<String> {
    if arch.frame().family == crate::space::Family::Nb201 {
        return dag_diagram(arch);
    }
    let layers = workload::layer_reads(arch);
    let cells = arch.cells().len() as u32;
    // Row of each layer: 0 stem, 1..=cells, cells + 1 head; transitions stay on their cell's row.
    let mut row_of = Vec::with_capacity(layers.len());
    let mut current = 0u32;
    for LayerReads { spec, .. } in &layers {
        if spec.cell > 0 {
            current = spec.cell;
        } else if matches!(spec.role, Role::Head | Role::GlobalPool | Role::Classifier) {
            current = cells + 1;
        }
        row_of.push(current);
    }
    let rows = cells + 2;
    let mut col_of = vec![0usize; layers.len()];
    let mut per_row = vec![0usize; rows as usize];
    for (i, &r) in row_of.iter().enumerate() {
        col_of[i] = per_row[r as usize];
        per_row[r as usize] += 1;
    }
    let (box_w, box_h, gap, row_h, left) = (46i32, 26i32, 12i32, 96i32, 80i32);
    let max_cols = per_row.iter().copied().max().unwrap_or(1) as i32;
    let width = (left + max_cols * (box_w + gap) + 20).max(400) as u32;
    let height = (rows as i32 * row_h + 20) as u32;
    let centre = |i: usize| -> (i32, i32) {
        (left + col_of[i] as i32 * (box_w + gap) + box_w / 2, 20 + row_of[i] as i32 * row_h + 50)
    };
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (width, height)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| draw_err(&e))?;
        let font = ("sans-serif", 11).into_font();
        for r in 0..rows {
            let name = if r == 0 {
                "stem".to_string()
            } else if r == cells + 1 {
                "head".to_string()
            } else {
                format!("cell {r}")
            };
            root.draw(&Text::new(
                name,
                (8, 20 + r as i32 * row_h + 44),
                ("sans-serif", 13).into_font(),
            ))
            .map_err(|e| draw_err(&e))?;
        }
        let mut arcs = Vec::new();
        for (i, LayerReads { pieces, shortcuts, .. }) in layers.iter().enumerate() {
            let mut sources: Vec<(u32, bool)> = pieces.iter().map(|p| (p.layer, false)).collect();
            for Skip::Identity(p) | Skip::Projection(p) in shortcuts {
                sources.push((p.layer, true));
            }
            sources.dedup();
            for (src, dashed) in sources {
                if src == workload::INPUT || src == workload::VOID || src as usize >= i {
                    continue;
                }
                arcs.push((src as usize, i, dashed));
            }
        }
        for &(a, b, dashed) in &arcs {
            let ((x0, y0), (x1, y1)) = (centre(a), centre(b));
            let colour = if dashed { RGBColor(200, 60, 40) } else { RGBColor(60, 90, 200) };
            if row_of[a] == row_of[b] && col_of[b] == col_of[a] + 1 && !dashed {
                root.draw(&PathElement::new(
                    vec![(x0 + box_w / 2, y0), (x1 - box_w / 2, y1)],
                    BLACK.stroke_width(1),
                ))
                .map_err(|e| draw_err(&e))?;
            } else if row_of[a] == row_of[b] {
                // An arc over the row, higher for longer skips.
                let span = (x1 - x0).abs();
                let lift = (10 + span / 6).min(row_h / 2 - box_h / 2 - 2);
                let pts: Vec<(i32, i32)> = (0..=16)
                    .map(|k| {
                        let t = k as f64 / 16.0;
                        let x = x0 as f64 + (x1 - x0) as f64 * t;
                        let y = (y0 - box_h / 2) as f64 - 4.0 * lift as f64 * t * (1.0 - t);
                        (x as i32, y as i32)
                    })
                    .collect();
                let style = colour.mix(if dashed { 0.9 } else { 0.45 }).stroke_width(if dashed {
                    2
                } else {
                    1
                });
                root.draw(&PathElement::new(pts, style)).map_err(|e| draw_err(&e))?;
            } else {
                root.draw(&PathElement::new(
                    vec![(x0, y0 + box_h / 2), (x1, y1 - box_h / 2)],
                    colour.mix(0.35).stroke_width(1),
                ))
                .map_err(|e| draw_err(&e))?;
            }
        }
        for (i, LayerReads { spec, .. }) in layers.iter().enumerate() {
            let (cx, cy) = centre(i);
            let fill = match spec.kind {
                LayerKind::Conv => RGBColor(205, 220, 250),
                LayerKind::Depthwise => RGBColor(205, 240, 210),
                LayerKind::Linear => RGBColor(250, 210, 205),
                _ => RGBColor(230, 230, 230),
            };
            let rect = [(cx - box_w / 2, cy - box_h / 2), (cx + box_w / 2, cy + box_h / 2)];
            root.draw(&Rectangle::new(rect, fill.filled())).map_err(|e| draw_err(&e))?;
            root.draw(&Rectangle::new(rect, BLACK.stroke_width(1))).map_err(|e| draw_err(&e))?;
            let short = match spec.role {
                Role::Stem => "stem",
                Role::Dense => "3×3",
                Role::Bottleneck => "1×1",
                Role::Conv1 => "c1",
                Role::Conv2 => "c2",
                Role::Projection => "proj",
                Role::Expand => "exp",
                Role::Depthwise => "dw",
                Role::Project => "prj",
                Role::Transition => "tr",
                Role::Pool => "pool",
                Role::Head => "head",
                Role::GlobalPool => "gap",
                Role::Classifier => "fc",
                Role::EdgeConv if spec.kernel == 1 => "1×1",
                Role::EdgeConv => "3×3",
                Role::EdgePool => "avg",
                Role::EdgeZero => "0",
                Role::Node | Role::DeadNode => "+",
                Role::ReduceA => "ra",
                Role::ReduceB => "rb",
                Role::ReducePool => "pool",
            };
            root.draw(&Text::new(short.to_string(), (cx - box_w / 2 + 4, cy - 11), font.clone()))
                .map_err(|e| draw_err(&e))?;
            root.draw(&Text::new(
                format!("{}", spec.output.c),
                (cx - box_w / 2 + 4, cy + 1),
                font.clone(),
            ))
            .map_err(|e| draw_err(&e))?;
        }
        root.present().map_err(|e| draw_err(&e))?;
    }
    Ok(svg)
}

/// A NAS-Bench-201 cell as its DAG: nodes 0 (input) to 3 (output), an arc per
/// edge labelled and coloured by its operation (`none` edges left out; edges
/// and nodes no path from input to output crosses in grey), and below it the
/// network the cell is repeated in.
fn dag_diagram(arch: &Architecture) -> Result<String> {
    use crate::space::nb201::{self, EDGES, OPS};
    let ops = &arch.cells()[0].coords[..6];
    let live = nb201::live(ops);
    let (width, height) = (640u32, 300u32);
    let x_of = |node: usize| 90 + node as i32 * 150;
    let y_mid = 140;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (width, height)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| draw_err(&e))?;
        let font = ("sans-serif", 12).into_font();
        root.draw(&Text::new(
            "the cell (repeated in all 15 cells; a node sums its incoming edges)",
            (12, 14),
            ("sans-serif", 13).into_font(),
        ))
        .map_err(|e| draw_err(&e))?;
        let colour = |op: u32| match op {
            nb201::SKIP => RGBColor(120, 120, 120),
            nb201::POOL => RGBColor(20, 140, 60),
            nb201::CONV1 => RGBColor(90, 140, 230),
            _ => RGBColor(30, 60, 170),
        };
        let short = |op: u32| match op {
            nb201::SKIP => "skip",
            nb201::POOL => "avg pool 3×3",
            nb201::CONV1 => "conv 1×1",
            nb201::CONV3 => "conv 3×3",
            _ => "none",
        };
        // Arcs: an edge between neighbours is a straight line; longer ones arc,
        // above the row for edges from node 0, below for the others.
        for (e, (&(to, from), &op)) in EDGES.iter().zip(ops).enumerate() {
            if op == nb201::NONE {
                continue;
            }
            let on_path = live[to] && live[from];
            let c = if on_path { colour(op) } else { RGBColor(200, 200, 200) };
            let (x0, x1) = (x_of(from), x_of(to));
            let span = (to - from) as i32;
            let lift = if span == 1 {
                0
            } else if from == 0 {
                -28 * span
            } else {
                28 * span
            };
            let pts: Vec<(i32, i32)> = (0..=24)
                .map(|k| {
                    let t = k as f64 / 24.0;
                    let x = x0 as f64 + (x1 - x0) as f64 * t;
                    let y = y_mid as f64 + 4.0 * lift as f64 * t * (1.0 - t);
                    (x as i32, y as i32)
                })
                .collect();
            let stroke = if op == nb201::SKIP { 1 } else { 3 };
            root.draw(&PathElement::new(pts, c.stroke_width(stroke))).map_err(|e| draw_err(&e))?;
            // The label sits at the arc's apex (above it, or below an arc that bends down).
            let apex = y_mid + lift;
            let ly = if lift > 0 { apex + 4 } else { apex - 16 };
            root.draw(&Text::new(
                format!("{}~{}: {}", to, from, short(op)),
                ((x0 + x1) / 2 - 36, ly),
                font.clone().color(&c),
            ))
            .map_err(|e| draw_err(&e))?;
            let _ = (e, OPS);
        }
        for node in 0..4 {
            let c = if live[node] { BLACK } else { RGBColor(190, 190, 190) };
            let fill = if node == 0 || node == 3 { RGBColor(250, 235, 200) } else { WHITE };
            root.draw(&Circle::new((x_of(node), y_mid), 16, fill.filled()))
                .map_err(|e| draw_err(&e))?;
            root.draw(&Circle::new((x_of(node), y_mid), 16, c.stroke_width(2)))
                .map_err(|e| draw_err(&e))?;
            let name = match node {
                0 => "in",
                3 => "out",
                _ => ["", "1", "2"][node],
            };
            root.draw(&Text::new(name.to_string(), (x_of(node) - 8, y_mid - 6), font.clone()))
                .map_err(|e| draw_err(&e))?;
        }
        let note = if nb201::cut_off(ops) {
            "no path of operations joins the input to the output: the cell outputs zeros, the network a constant (accuracy at chance)".to_string()
        } else if live[1..3].iter().zip(1..3).any(|(l, j)| {
            !l && EDGES.iter().zip(ops).any(|(&(t, _), &op)| t == j && op != nb201::NONE)
        }) {
            "grey: computed, but on no path from the input to the output".to_string()
        } else {
            String::new()
        };
        root.draw(&Text::new(note, (12, 232), font.clone())).map_err(|e| draw_err(&e))?;
        let ds = arch.frame().dataset;
        root.draw(&Text::new(
            format!(
                "network: stem 3×3 (16) → 5 cells (16 ch, {}×{}) → reduce → 5 cells (32) → reduce → 5 cells (64) → BN-ReLU, pool → fc ({})",
                ds.height, ds.width, ds.classes
            ),
            (12, 260),
            font.clone(),
        ))
        .map_err(|e| draw_err(&e))?;
        root.draw(&Text::new(
            "reduce: ReLU-conv-BN 3×3 stride 2, ReLU-conv-BN 3×3, + 2×2 pool and 1×1 conv shortcut",
            (12, 280),
            font,
        ))
        .map_err(|e| draw_err(&e))?;
        root.present().map_err(|e| draw_err(&e))?;
    }
    Ok(svg)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_axes_label_one_two_and_five_of_each_decade() {
        let labels: Vec<String> =
            [0.1, 0.2, 0.3, 0.5, 0.9, 1.0, 2.0, 4.0, 5.0, 10.0, 20.0, 70.0, 100.0, 0.0005, 0.0002]
                .iter()
                .map(log_tick)
                .collect();
        assert_eq!(
            labels,
            [
                "0.1", "0.2", "", "0.5", "", "1", "2", "", "5", "10", "20", "", "100", "0.0005",
                "0.0002"
            ]
        );
        // Values a power-of-ten step left a rounding off still read as round.
        assert_eq!(log_tick(&(0.1 * 3.0 / 3.0)), "0.1");
        assert_eq!(log_tick(&1000.0000000001), "1000");
        assert_eq!(log_tick(&0.0), "");
        assert_eq!(log_tick(&f64::NAN), "");
    }

    #[test]
    fn a_legend_goes_where_it_hides_the_fewest_marks() {
        let area = (0..600, 0..400);
        let at = |x: i32, y: i32, label: &str| Hover { x, y, label: label.to_string() };
        let labels = vec!["evaluated network".to_string(), "the result".to_string()];
        // Scattered marks in the lower right, nothing elsewhere: the preferred corner yields.
        let lower_right: Vec<Hover> = (0..20).map(|i| at(560 - i, 380 - i, "a network")).collect();
        let c = quiet_corner(area.clone(), &lower_right, &labels, SeriesLabelPosition::LowerRight);
        assert!(matches!(c, SeriesLabelPosition::UpperLeft), "{c:?}");
        // Nothing anywhere: the preferred corner.
        let c = quiet_corner(area.clone(), &[], &labels, SeriesLabelPosition::LowerRight);
        assert!(matches!(c, SeriesLabelPosition::LowerRight), "{c:?}");
        // One result weighs more than a few scattered networks.
        let mut marks: Vec<Hover> = (0..5).map(|i| at(30 + i, 20 + i, "a network")).collect();
        marks.push(at(560, 380, "result: the network"));
        for i in 0..5 {
            marks.push(at(40 + i, 380 - i, "a network"));
            marks.push(at(560 - i, 20 + i, "a network"));
        }
        let c = quiet_corner(area, &marks, &labels, SeriesLabelPosition::LowerRight);
        assert!(!matches!(c, SeriesLabelPosition::LowerRight), "{c:?}");
    }
}
