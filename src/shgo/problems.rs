//! Named test problems: scipy's shgo test problems (scipy 1.17,
//! optimize/tests/test__shgo.py) and a standard global-optimization set
//! (scipy's `benchmarks/go_benchmark_functions`, whose f* values are quoted).
//! The benchmark script (scripts/shgo_bench.py) runs scipy on the same
//! definitions; the `flash shgo` command runs ours.

// sin, cos and e^x from the libm crate (musl's algorithms in Rust, IEEE operations only), not
// `f64`'s methods, which are glibc's natively and compiler_builtins' port in wasm and can differ
// in the last bit: with one source, a problem runs the same search, call for call, natively and
// in the browser (tests/wasm.rs), and the wasm/native timings compare the same work.
use libm::{cos, exp, sin};

/// A scalar function of a point.
pub type Fn1 = fn(&[f64]) -> f64;

/// A box-constrained problem with optional inequality (`g ≥ 0`) and equality
/// (`h = 0`) constraints and its known global minimum.
#[derive(Debug, Clone)]
pub struct Problem {
    pub name: &'static str,
    pub bounds: Vec<(f64, f64)>,
    pub f: Fn1,
    pub ineq: Vec<Fn1>,
    pub eq: Vec<Fn1>,
    /// The global minimum value, where known.
    pub f_star: Option<f64>,
}

fn b(lo: f64, hi: f64, dim: usize) -> Vec<(f64, f64)> {
    vec![(lo, hi); dim]
}

/// scipy's test problem T1 (test__shgo.py).
pub fn t1(x: &[f64]) -> f64 {
    x[0] * x[0] + x[1] * x[1]
}
/// scipy's test problem T1 (test__shgo.py).
pub fn t1_g(x: &[f64]) -> f64 {
    -(x[0] + x[1] - 6.0)
}
/// scipy's test problem T2 (test__shgo.py).
pub fn t2(x: &[f64]) -> f64 {
    (x[0] - 30.0) * sin(x[0])
}
/// scipy's test problem T2 (test__shgo.py).
pub fn t2_g(x: &[f64]) -> f64 {
    58.0 - x[0]
}
/// scipy's test problem T3 (test__shgo.py).
pub fn t3(x: &[f64]) -> f64 {
    0.01 * x[0] * x[0] + x[1] * x[1]
}
/// scipy's test problem T3 (test__shgo.py).
pub fn t3_g1(x: &[f64]) -> f64 {
    x[0] * x[1] - 25.0
}
/// scipy's test problem T3 (test__shgo.py).
pub fn t3_g2(x: &[f64]) -> f64 {
    x[0] * x[0] + x[1] * x[1] - 25.0
}
/// scipy's test problem T4 (test__shgo.py).
pub fn t4(x: &[f64]) -> f64 {
    (x[0] - 10.0).powi(2)
        + 5.0 * (x[1] - 12.0).powi(2)
        + x[2].powi(4)
        + 3.0 * (x[3] - 11.0).powi(2)
        + 10.0 * x[4].powi(6)
        + 7.0 * x[5].powi(2)
        + x[6].powi(4)
        - 4.0 * x[5] * x[6]
        - 10.0 * x[5]
        - 8.0 * x[6]
}
/// scipy's test problem T4 (test__shgo.py).
pub fn t4_g1(x: &[f64]) -> f64 {
    -(2.0 * x[0].powi(2) + 3.0 * x[1].powi(4) + x[2] + 4.0 * x[3].powi(2) + 5.0 * x[4] - 127.0)
}
/// scipy's test problem T4 (test__shgo.py).
pub fn t4_g2(x: &[f64]) -> f64 {
    -(7.0 * x[0] + 3.0 * x[1] + 10.0 * x[2].powi(2) + x[3] - x[4] - 282.0)
}
/// scipy's test problem T4 (test__shgo.py).
pub fn t4_g3(x: &[f64]) -> f64 {
    -(23.0 * x[0] + x[1].powi(2) + 6.0 * x[5].powi(2) - 8.0 * x[6] - 196.0)
}
/// scipy's test problem T4 (test__shgo.py).
pub fn t4_g4(x: &[f64]) -> f64 {
    -(4.0 * x[0].powi(2) + x[1].powi(2) - 3.0 * x[0] * x[1] + 2.0 * x[2].powi(2) + 5.0 * x[5]
        - 11.0 * x[6])
}
/// Eggholder.
pub fn eggholder(x: &[f64]) -> f64 {
    -(x[1] + 47.0) * sin((x[0] / 2.0 + (x[1] + 47.0)).abs().sqrt())
        - x[0] * sin((x[0] - (x[1] + 47.0)).abs().sqrt())
}
/// Lennard-Jones potential of two atoms (6 coordinates), f* = −1.
pub fn lj2(x: &[f64]) -> f64 {
    let d2: f64 = (0..3).map(|k| (x[k] - x[k + 3]).powi(2)).sum();
    let u = d2 * d2 * d2;
    if d2 > 0.0 {
        (1.0 / u - 2.0) / u
    } else {
        0.0
    }
}
fn sphere_shifted(x: &[f64]) -> f64 {
    x.iter().map(|v| (v - 0.5).powi(2)).sum()
}
/// Rosenbrock's banana, any dimension.
pub fn rosen(x: &[f64]) -> f64 {
    x.windows(2).map(|w| 100.0 * (w[1] - w[0] * w[0]).powi(2) + (1.0 - w[0]).powi(2)).sum()
}
fn branin(x: &[f64]) -> f64 {
    use std::f64::consts::PI;
    let (a, bb, c, r, s, t) = (1.0, 5.1 / (4.0 * PI * PI), 5.0 / PI, 6.0, 10.0, 1.0 / (8.0 * PI));
    a * (x[1] - bb * x[0] * x[0] + c * x[0] - r).powi(2) + s * (1.0 - t) * cos(x[0]) + s
}
fn six_hump_camel(x: &[f64]) -> f64 {
    let (a, c) = (x[0], x[1]);
    (4.0 - 2.1 * a * a + a.powi(4) / 3.0) * a * a + a * c + (-4.0 + 4.0 * c * c) * c * c
}
fn goldstein_price(x: &[f64]) -> f64 {
    let (a, c) = (x[0], x[1]);
    (1.0 + (a + c + 1.0).powi(2)
        * (19.0 - 14.0 * a + 3.0 * a * a - 14.0 * c + 6.0 * a * c + 3.0 * c * c))
        * (30.0
            + (2.0 * a - 3.0 * c).powi(2)
                * (18.0 - 32.0 * a + 12.0 * a * a + 48.0 * c - 36.0 * a * c + 27.0 * c * c))
}
const H3_A: [[f64; 3]; 4] =
    [[3.0, 10.0, 30.0], [0.1, 10.0, 35.0], [3.0, 10.0, 30.0], [0.1, 10.0, 35.0]];
const H3_P: [[f64; 3]; 4] = [
    [0.3689, 0.1170, 0.2673],
    [0.4699, 0.4387, 0.7470],
    [0.1091, 0.8732, 0.5547],
    [0.03815, 0.5743, 0.8828],
];
const H_C: [f64; 4] = [1.0, 1.2, 3.0, 3.2];
fn hartmann3(x: &[f64]) -> f64 {
    -(0..4)
        .map(|i| {
            H_C[i] * exp(-(0..3).map(|j| H3_A[i][j] * (x[j] - H3_P[i][j]).powi(2)).sum::<f64>())
        })
        .sum::<f64>()
}
const H6_A: [[f64; 6]; 4] = [
    [10.0, 3.0, 17.0, 3.5, 1.7, 8.0],
    [0.05, 10.0, 17.0, 0.1, 8.0, 14.0],
    [3.0, 3.5, 1.7, 10.0, 17.0, 8.0],
    [17.0, 8.0, 0.05, 10.0, 0.1, 14.0],
];
const H6_P: [[f64; 6]; 4] = [
    [0.1312, 0.1696, 0.5569, 0.0124, 0.8283, 0.5886],
    [0.2329, 0.4135, 0.8307, 0.3736, 0.1004, 0.9991],
    [0.2348, 0.1451, 0.3522, 0.2883, 0.3047, 0.6650],
    [0.4047, 0.8828, 0.8732, 0.5743, 0.1091, 0.0381],
];
fn hartmann6(x: &[f64]) -> f64 {
    -(0..4)
        .map(|i| {
            H_C[i] * exp(-(0..6).map(|j| H6_A[i][j] * (x[j] - H6_P[i][j]).powi(2)).sum::<f64>())
        })
        .sum::<f64>()
}
fn shubert(x: &[f64]) -> f64 {
    x.iter()
        .map(|&v| (1..=5).map(|j| j as f64 * cos((j as f64 + 1.0) * v + j as f64)).sum::<f64>())
        .product()
}
fn rastrigin(x: &[f64]) -> f64 {
    use std::f64::consts::PI;
    10.0 * x.len() as f64 + x.iter().map(|v| v * v - 10.0 * cos(2.0 * PI * v)).sum::<f64>()
}
fn ackley(x: &[f64]) -> f64 {
    use std::f64::consts::{E, PI};
    let n = x.len() as f64;
    let s1 = x.iter().map(|v| v * v).sum::<f64>() / n;
    let s2 = x.iter().map(|v| cos(2.0 * PI * v)).sum::<f64>() / n;
    -20.0 * exp(-0.2 * s1.sqrt()) - exp(s2) + 20.0 + E
}
fn styblinski_tang(x: &[f64]) -> f64 {
    x.iter().map(|v| v.powi(4) - 16.0 * v * v + 5.0 * v).sum::<f64>() / 2.0
}
fn levy(x: &[f64]) -> f64 {
    use std::f64::consts::PI;
    let w: Vec<f64> = x.iter().map(|v| 1.0 + (v - 1.0) / 4.0).collect();
    let n = w.len();
    let mut s = sin(PI * w[0]).powi(2);
    for &wi in &w[..n - 1] {
        s += (wi - 1.0).powi(2) * (1.0 + 10.0 * sin(PI * wi + 1.0).powi(2));
    }
    s + (w[n - 1] - 1.0).powi(2) * (1.0 + sin(2.0 * PI * w[n - 1]).powi(2))
}

/// Every named problem.
pub fn all() -> Vec<Problem> {
    let p = |name, bounds, f, ineq, f_star| Problem { name, bounds, f, ineq, eq: vec![], f_star };
    vec![
        // scipy's test problems (test__shgo.py).
        p("t1", b(-1.0, 6.0, 2), t1, vec![t1_g], Some(0.0)),
        p("t1_unit", b(0.0, 1.0, 2), t1, vec![t1_g], Some(0.0)),
        p("t1_unbounded", b(-1e50, 1e50, 2), t1, vec![t1_g], Some(0.0)),
        p("t2", b(0.0, 60.0, 1), t2, vec![t2_g], Some(-28.44677132)),
        p("t2_short", b(0.0, 4.5, 1), t2, vec![t2_g], Some(-28.44677132)),
        p("t3_hs18", vec![(2.0, 50.0), (0.0, 50.0)], t3, vec![t3_g1, t3_g2], Some(5.0)),
        p("t4_hs100", b(-10.0, 10.0, 7), t4, vec![t4_g1, t4_g2, t4_g3, t4_g4], Some(680.6300573)),
        p("eggholder", b(-512.0, 512.0, 2), eggholder, vec![], Some(-959.640_662_720_850_5)),
        p("lennard_jones_2", b(-4.0, 4.0, 6), lj2, vec![], Some(-1.0)),
        p("sphere_shifted_4", b(0.0, 2.0, 4), sphere_shifted, vec![], Some(0.0)),
        p("rosenbrock_5", b(0.0, 2.0, 5), rosen, vec![], Some(0.0)),
        // The global-optimization set (go_benchmark_functions' f*).
        p("branin", vec![(-5.0, 10.0), (0.0, 15.0)], branin, vec![], Some(0.397_887_357_729_738_2)),
        p(
            "six_hump_camel",
            vec![(-3.0, 3.0), (-2.0, 2.0)],
            six_hump_camel,
            vec![],
            Some(-1.031_628_453_489_877),
        ),
        p("goldstein_price", b(-2.0, 2.0, 2), goldstein_price, vec![], Some(3.0)),
        p("hartmann3", b(0.0, 1.0, 3), hartmann3, vec![], Some(-3.862_782_147_820_756)),
        p("hartmann6", b(0.0, 1.0, 6), hartmann6, vec![], Some(-3.322_368_011_391_339)),
        p("shubert", b(-10.0, 10.0, 2), shubert, vec![], Some(-186.730_908_831_023_9)),
        p("rastrigin_2", b(-5.12, 5.12, 2), rastrigin, vec![], Some(0.0)),
        p("ackley_2", b(-32.768, 32.768, 2), ackley, vec![], Some(0.0)),
        p(
            "styblinski_tang_3",
            b(-5.0, 5.0, 3),
            styblinski_tang,
            vec![],
            Some(-39.166_165_703_771_41 * 3.0),
        ),
        p("levy_3", b(-10.0, 10.0, 3), levy, vec![], Some(0.0)),
        p("rosenbrock_2", b(-5.0, 10.0, 2), rosen, vec![], Some(0.0)),
    ]
}

/// The problem called `name`.
pub fn by_name(name: &str) -> Option<Problem> {
    all().into_iter().find(|p| p.name == name)
}
