//! The small dense linear solve the predictor and the calibration share.

use ndarray::{Array1, Array2};

/// Solves a·x = b by Gaussian elimination with partial pivoting; `None` when a
/// pivot is negligible against the largest diagonal entry (a singular system).
pub fn solve(mut a: Array2<f64>, mut b: Array1<f64>) -> Option<Array1<f64>> {
    let n = b.len();
    let scale = (0..n).map(|i| a[[i, i]].abs()).fold(0.0, f64::max);
    let tiny = 1e-12 * scale.max(f64::MIN_POSITIVE);
    for col in 0..n {
        let pivot = (col..n).max_by(|&i, &j| a[[i, col]].abs().total_cmp(&a[[j, col]].abs()))?;
        if a[[pivot, col]].abs() <= tiny || a[[pivot, col]].is_nan() {
            return None;
        }
        for k in 0..n {
            a.swap([col, k], [pivot, k]);
        }
        b.swap(col, pivot);
        for row in col + 1..n {
            let f = a[[row, col]] / a[[col, col]];
            for k in col..n {
                a[[row, k]] -= f * a[[col, k]];
            }
            b[row] -= f * b[col];
        }
    }
    let mut x = Array1::zeros(n);
    for row in (0..n).rev() {
        let s: f64 = (row + 1..n).map(|k| a[[row, k]] * x[k]).sum();
        x[row] = (b[row] - s) / a[[row, row]];
    }
    x.iter().all(|v| v.is_finite()).then_some(x)
}

/// aᵀa, summed row by row in a fixed order. ndarray's `dot` hands matrices to
/// matrixmultiply, whose x86 kernels use FMA when the CPU has it: the same
/// fit would then differ in the last bits natively and in wasm.
pub fn gram(a: &Array2<f64>) -> Array2<f64> {
    let p = a.ncols();
    let mut out = Array2::<f64>::zeros((p, p));
    for row in a.rows() {
        for i in 0..p {
            for j in 0..p {
                out[[i, j]] += row[i] * row[j];
            }
        }
    }
    out
}

/// aᵀb in the same fixed order as [`gram`].
pub fn at_b(a: &Array2<f64>, b: &Array1<f64>) -> Array1<f64> {
    let mut out = Array1::<f64>::zeros(a.ncols());
    for (row, &y) in a.rows().into_iter().zip(b) {
        for i in 0..a.ncols() {
            out[i] += row[i] * y;
        }
    }
    out
}

/// Ordinary least squares: the `x` minimizing |a·x − b|² (normal equations
/// in the fixed order of [`gram`]); `None` for a rank-deficient `a`.
pub fn least_squares(a: &Array2<f64>, b: &Array1<f64>) -> Option<Array1<f64>> {
    solve(gram(a), at_b(a, b))
}

/// The straight line y ≈ intercept + slope·x through points: `(intercept, slope)`.
pub fn fit_line(points: &[(f64, f64)]) -> Option<(f64, f64)> {
    let a =
        Array2::from_shape_fn((points.len(), 2), |(i, j)| if j == 0 { 1.0 } else { points[i].0 });
    let b = Array1::from_iter(points.iter().map(|p| p.1));
    least_squares(&a, &b).map(|x| (x[0], x[1]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn solve_recovers_a_known_system_and_refuses_a_singular_one() {
        let a =
            Array2::from_shape_vec((3, 3), vec![2.0, 1.0, -1.0, -3.0, -1.0, 2.0, -2.0, 1.0, 2.0])
                .unwrap();
        let x = solve(a, Array1::from_vec(vec![8.0, -11.0, -3.0])).unwrap();
        for (got, want) in x.iter().zip([2.0, 3.0, -1.0]) {
            assert!((got - want).abs() < 1e-12);
        }
        let singular = Array2::from_shape_vec((2, 2), vec![1.0, 2.0, 2.0, 4.0]).unwrap();
        assert!(solve(singular, Array1::from_vec(vec![1.0, 2.0])).is_none());
    }

    #[test]
    fn fit_line_matches_the_closed_form_of_simple_regression() {
        // Hand computation: x̄ = 2.5, ȳ = 4.75, Sxy = 9, Sxx = 5 → slope 1.8, intercept 4.75 − 1.8·2.5 = 0.25.
        let (a, b) = fit_line(&[(1.0, 2.0), (2.0, 4.0), (3.0, 5.5), (4.0, 7.5)]).unwrap();
        assert!((b - 1.8).abs() < 1e-12 && (a - 0.25).abs() < 1e-12, "{a} {b}");
        assert!(fit_line(&[(1.0, 1.0), (1.0, 2.0)]).is_none(), "one x value: no unique line");
    }
}
