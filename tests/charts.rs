#![cfg(not(target_arch = "wasm32"))]
//! Every chart the page shows says in words what it shows (its text
//! alternative): the Pareto chart its front's endpoints and the result, the
//! per-layer chart its total and slowest layer, the SHGO chart its points and minima.

use flash_nas::playground::Playground;

#[test]
fn chart_alternatives_state_what_the_charts_show() {
    let pg = Playground::open("v=1&profile=rpi4&goal=max-accuracy%2Clatency%3C%3D5", None);
    let view = pg.view();
    let result = pg.result().unwrap();
    let best = result.best.as_ref().unwrap();
    let pareto = view.pareto.expect("a Pareto chart");
    assert!(pareto.alt.contains("NN-Degree against latency"), "{}", pareto.alt);
    assert!(pareto.alt.contains(&best.arch), "{}", pareto.alt);
    // The front's endpoints, as numbers: the cheapest first.
    let numbers: Vec<f64> = pareto
        .alt
        .split(|c: char| !(c.is_ascii_digit() || c == '.'))
        .filter_map(|t| t.parse().ok())
        .collect();
    assert!(numbers.len() >= 6, "{}", pareto.alt);
    assert!(pareto.alt.contains(&format!("{:.4}", best.metrics.nn_degree)), "{}", pareto.alt);
    let layers = view.layers.expect("a per-layer chart");
    assert!(layers.alt.contains("ms in all") && layers.alt.contains("slowest"), "{}", layers.alt);
    let total_ms = best.metrics.latency_s * 1e3;
    assert!(layers.alt.contains(&format!("{total_ms:.4}")), "{} vs {total_ms}", layers.alt);
    let shgo = view.shgo.expect("an SHGO chart");
    assert!(shgo.alt.starts_with("SHGO on the shared level"), "{}", shgo.alt);
    assert!(shgo.alt.contains("local minima"), "{}", shgo.alt);
}

/// Counts read as words (issue 39: "1 local minima", "every 41th"), and the SHGO chart's
/// step mode shows the level's local minima at its last step, as "All" does.
#[test]
fn counts_read_as_english_and_the_last_step_shows_the_local_minima() {
    use flash_nas::chart::{count, ordinal};
    assert_eq!(count(1, "local minimum", "local minima"), "1 local minimum");
    assert_eq!(count(6, "local minimum", "local minima"), "6 local minima");
    assert_eq!(count(0, "local minimum", "local minima"), "0 local minima");
    let got: Vec<String> =
        [1, 2, 3, 4, 11, 12, 13, 21, 22, 41, 101, 111, 112, 123].map(ordinal).to_vec();
    assert_eq!(
        got,
        [
            "1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "41st", "101st",
            "111th", "112th", "123rd"
        ]
    );
    let pg = flash_nas::playground::Playground::open(
        "v=1&profile=rpi4&goal=max-accuracy%2Clatency%3C%3D5&shgo=shared%3Adepth%2Cskip",
        None,
    );
    let (all, steps) = pg.shgo_chart(None).unwrap();
    assert!(steps >= 2, "{steps} steps");
    let minima =
        |alt: &str| alt.split(", ").find(|p| p.contains("local minim")).map(str::to_string);
    let (last, _) = pg.shgo_chart(Some(steps - 1)).unwrap();
    assert_eq!(minima(&last.alt), minima(&all.alt), "{} / {}", last.alt, all.alt);
    assert!(!minima(&all.alt).unwrap().starts_with("0 "), "{}", all.alt);
    let (first, _) = pg.shgo_chart(Some(0)).unwrap();
    assert!(first.alt.contains("up to iteration 1 of"), "{}", first.alt);
}

/// Issue 39: the SHGO chart draws the simplicial complex SHGO sampled on: the trace keeps
/// it at the end of each iteration, with as many vertices as SHGO reported for that
/// iteration, edges between existing vertices, and every vertex in the level's unit box.
#[test]
fn the_shgo_chart_draws_the_complex_each_iteration_left() {
    let pg = Playground::open(
        "v=1&profile=rpi4&goal=max-accuracy%2Clatency%3C%3D5&shgo=shared%3Adepth%2Cskip",
        None,
    );
    let trace = pg.result().unwrap().trace.as_ref().expect("the page's search keeps its trace");
    assert!(!trace.complexes.is_empty(), "no complex kept");
    // Every iteration of a simplicial level keeps one (the joint level samples one point: none).
    for (i, mark) in trace.iterations.iter().enumerate().filter(|(_, m)| m.level != "joint") {
        assert!(
            trace.complexes.iter().any(|c| c.iteration == i),
            "no complex for {} iteration {}",
            mark.level,
            mark.iteration
        );
    }
    for c in &trace.complexes {
        let mark = &trace.iterations[c.iteration];
        assert_eq!((mark.level.as_str(), mark.hw), (c.level.as_str(), c.hw));
        assert_eq!(c.vertices.len(), mark.vertices, "{} iteration {}", c.level, mark.iteration);
        assert!(!c.edges.is_empty());
        for &(a, b) in &c.edges {
            assert!(a < b && (b as usize) < c.vertices.len());
        }
        assert!(c.vertices.iter().flatten().all(|v| (0.0..=1.0).contains(v)));
    }
    let (all, steps) = pg.shgo_chart(None).unwrap();
    assert!(all.alt.contains("simplicial complex has"), "{}", all.alt);
    assert!(all.svg.contains("simplicial complex"), "the legend names the complex");
    // A later step's complex holds at least the vertices of an earlier one.
    let vertices = |alt: &str| -> usize {
        let tail = alt.split("simplicial complex has ").nth(1).unwrap();
        tail.split(' ').next().unwrap().parse().unwrap()
    };
    let (first, _) = pg.shgo_chart(Some(0)).unwrap();
    let (last, _) = pg.shgo_chart(Some(steps - 1)).unwrap();
    assert!(vertices(&first.alt) < vertices(&last.alt), "{} / {}", first.alt, last.alt);
    assert_eq!(vertices(&last.alt), vertices(&all.alt));
}

/// Issue 39: two profiles' fronts on one Pareto chart (`vs`), each the front FLASH finds
/// on that profile alone (the same link with the other profile, opened by itself).
#[test]
fn the_pareto_chart_overlays_a_second_profiles_front() {
    let pg = Playground::open("v=1&goal=pareto-energy&vs=rpi4", None);
    let chart = pg.view().pareto.expect("a Pareto chart");
    let alone = Playground::open("v=1&goal=pareto-energy&profile=rpi4", None);
    let own = pg.result().unwrap();
    let other = alone.result().unwrap();
    for (name, r) in [("rram-imc", own), ("rpi4", other)] {
        let ends = |i: usize| {
            let f = &r.pareto[i];
            format!(
                "energy (mJ) {:.4} at NN-Degree {:.4}",
                f.metrics.energy_j * 1e3,
                f.metrics.score()
            )
        };
        let first = r
            .pareto
            .iter()
            .enumerate()
            .min_by(|a, b| a.1.metrics.energy_j.total_cmp(&b.1.metrics.energy_j))
            .unwrap()
            .0;
        let want =
            format!("the front on {name} ({} networks) runs from {}", r.pareto.len(), ends(first));
        assert!(chart.alt.contains(&want), "{want}\n{}", chart.alt);
    }
    assert!(chart.note.contains("the two fronts, on rram-imc and on rpi4"), "{}", chart.note);
    assert!(chart.svg.contains("front on rpi4"), "the legend names the second front");
    // A cost no front is traced against says so instead of drawing one.
    let edp = Playground::open("v=1&goal=min-edp%2Cdegree%3E%3D150&vs=rpi4", None);
    let note = edp.view().pareto.expect("a Pareto chart").note;
    assert!(note.contains("no second front (on rpi4): a front is traced against"), "{note}");
    assert!(!edp.view().pareto.unwrap().svg.contains("front on rpi4"), "no second front drawn");
}

/// The Pareto chart's score axis zooms past a tail of poor networks (issue 39: the accuracy
/// axis from 0.5 to 1.0 with every point near the top): the note counts the networks left
/// below the axis, and that count is the trace's networks scoring below it (the note's
/// floor is written to four digits), at most a tenth of them.
#[test]
fn the_pareto_score_axis_zooms_past_the_poorest_tenth() {
    let pg = Playground::open("v=1&space=digits%2Fdense%2Fcells%3D3%3Bd%3D2..11%3Bw%3D8..64%3A8%3Bt%3D0..49&profile=rpi4&samples=digits-flash&goal=max-accuracy%2Clatency%3C%3D0.25", None);
    let chart = pg.view().pareto.expect("a Pareto chart");
    let tail = chart.note.split("axis zooms").nth(1).expect("a zoomed axis");
    let words: Vec<&str> = tail.split(' ').collect();
    let at = words.iter().position(|w| *w == "below").expect("a floor");
    let below: usize = words[at - 2].parse().unwrap();
    let floor: f64 = words[at + 1].parse().unwrap();
    let scores: Vec<f64> =
        pg.result().unwrap().trace.as_ref().unwrap().evaluated.iter().map(|t| t.score).collect();
    let under = |y: f64| scores.iter().filter(|&&s| s < y).count();
    assert!((under(floor - 5e-5)..=under(floor + 5e-5)).contains(&below), "{}", chart.note);
    assert!(below > 0 && below <= scores.len() / 10 + 1, "{below} of {}", scores.len());
    // The result is drawn: its score is above the floor.
    assert!(pg.result().unwrap().best.as_ref().unwrap().metrics.score() >= floor);
}
