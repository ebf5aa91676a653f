//! Maths that gives the same bits on every platform.
//!
//! `f64::ln` is the platform's libm: glibc natively, a Rust port in wasm. They
//! may differ in the last bit, and a search that compares predicted accuracies
//! can then take a different branch in the browser than on the CLI. These use
//! only IEEE-754 operations (+, −, ×, ÷, exactly rounded everywhere), so a
//! shared link gives the identical result natively and in wasm.

/// ln 2 split so that `e · LN2_HI` is exact for every exponent e of an f64.
/// fdlibm's split: 6.93147180369123816490e-01 and 1.90821492927058770002e-10.
const LN2_HI: f64 = f64::from_bits(0x3FE6_2E42_FEE0_0000);
const LN2_LO: f64 = f64::from_bits(0x3DEA_39EF_3579_3C76);

/// Natural logarithm, within about 1 ulp of the true value for every positive
/// normal or subnormal x; `ln(0) = −∞`, negative or NaN input gives NaN, `ln(∞) = ∞`.
///
/// x = m·2^e with m ∈ [√½, √2); ln x = e·ln 2 + 2·atanh(s), s = (m−1)/(m+1),
/// |s| ≤ 0.1716, and the atanh series to s^27 leaves < 1e-20 relative error.
pub fn ln(x: f64) -> f64 {
    if x.is_nan() || x < 0.0 {
        return f64::NAN;
    }
    if x == 0.0 {
        return f64::NEG_INFINITY;
    }
    if x.is_infinite() {
        return f64::INFINITY;
    }
    let (mut m, mut e) = frexp(x);
    if m < std::f64::consts::FRAC_1_SQRT_2 {
        m *= 2.0;
        e -= 1;
    }
    let s = (m - 1.0) / (m + 1.0);
    let s2 = s * s;
    // Horner from the highest odd power: Σ s^(2k+1)/(2k+1), k = 0..13.
    let mut sum = 0.0;
    for k in (1..14).rev() {
        sum = sum * s2 + 1.0 / (2 * k + 1) as f64;
    }
    let atanh = s + s * s2 * sum;
    let e = e as f64;
    e * LN2_HI + (2.0 * atanh + e * LN2_LO)
}

/// e^x, within a few ulp, from IEEE operations only: x = k·ln 2 + r with
/// |r| ≤ ln 2 / 2, e^r by its Taylor series to r^20 (error < 1e-19 relative),
/// then scaled by 2^k exactly.
pub fn exp(x: f64) -> f64 {
    if x.is_nan() {
        return f64::NAN;
    }
    if x > 709.78 {
        return f64::INFINITY;
    }
    if x < -745.2 {
        return 0.0;
    }
    let k = (x / std::f64::consts::LN_2).round();
    let r = (x - k * LN2_HI) - k * LN2_LO;
    let mut term = 1.0;
    let mut sum = 1.0;
    for n in 1..=20 {
        term *= r / n as f64;
        sum += term;
    }
    // 2^k in two steps so that subnormal results are reached without overflow.
    let k = k as i32;
    let half = k / 2;
    sum * pow2(half) * pow2(k - half)
}

fn pow2(k: i32) -> f64 {
    f64::from_bits(((k + 1023) as u64) << 52)
}

/// m ∈ [0.5, 1) and e with x = m·2^e, for positive finite x (subnormals included).
fn frexp(x: f64) -> (f64, i32) {
    let mut bits = x.to_bits();
    let mut shift = 0;
    if (bits >> 52) & 0x7ff == 0 {
        // Subnormal: scale into the normal range first (exact).
        bits = (x * f64::from_bits(0x4350_0000_0000_0000)).to_bits(); // × 2^54
        shift = -54;
    }
    let exp = ((bits >> 52) & 0x7ff) as i32 - 1022;
    let m = f64::from_bits((bits & !(0x7ff << 52)) | (1022 << 52));
    (m, exp + shift)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ln_matches_libm_to_an_ulp_or_two() {
        let mut worst: f64 = 0.0;
        let mut x = 1e-300;
        while x < 1e300 {
            for f in [1.0, 1.1, 1.5, std::f64::consts::SQRT_2, 1.9999] {
                let v = x * f;
                let (a, b) = (ln(v), v.ln());
                let ulps = if b == 0.0 {
                    a.abs() / f64::EPSILON
                } else {
                    ((a - b) / b).abs() / f64::EPSILON
                };
                worst = worst.max(ulps);
            }
            x *= 3.7;
        }
        assert!(worst <= 2.0, "worst error {worst} ulp");
        assert_eq!(ln(1.0), 0.0);
        assert_eq!(ln(0.0), f64::NEG_INFINITY);
        assert!(ln(-1.0).is_nan() && ln(f64::NAN).is_nan());
        assert_eq!(ln(f64::INFINITY), f64::INFINITY);
        assert!((ln(5e-324) - (5e-324f64).ln()).abs() < 1e-12);
        assert!((ln(std::f64::consts::E) - 1.0).abs() <= f64::EPSILON);
    }

    #[test]
    fn exp_matches_libm_to_a_few_ulp() {
        let mut worst: f64 = 0.0;
        let mut x = -700.0;
        while x < 700.0 {
            let (a, b) = (exp(x), x.exp());
            worst = worst.max(((a - b) / b).abs() / f64::EPSILON);
            x += 0.37;
        }
        assert!(worst <= 4.0, "worst error {worst} ulp");
        assert_eq!(exp(0.0), 1.0);
        assert_eq!(exp(1000.0), f64::INFINITY);
        assert_eq!(exp(-1000.0), 0.0);
        assert!((exp(ln(12345.678)) / 12345.678 - 1.0).abs() < 4.0 * f64::EPSILON);
    }
}
