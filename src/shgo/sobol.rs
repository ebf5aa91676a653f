//! The Sobol sequence SHGO samples, written point by point into a buffer.
//!
//! The direction numbers are the `sobol` crate's (Joe and Kuo's D6 set,
//! scipy's too, initialised by the crate), and every point has the bits of
//! the crate's iterator (`the_points_are_the_crate_iterators_bit_for_bit`).
//! Only the iteration is here: the crate's iterator allocates two vectors
//! per point, which cost HS100's Sobol run (1,980 points in 7-D, most of
//! them infeasible and dropped) about a fifth of its time.

use std::sync::OnceLock;

/// Bits per coordinate: the crate's resolution for f64 (a significand's 53).
const RESOLUTION: usize = 53;

pub(crate) struct SobolPoints {
    /// `directions[d][c]`: coordinate d's direction number for bit c.
    directions: Vec<Vec<u64>>,
    /// The last point, as integers (a coordinate is `state / 2^64`).
    state: Vec<u64>,
    /// Points produced so far.
    count: u64,
}

impl SobolPoints {
    /// The sequence in `dim` dimensions (at most the minimal parameter
    /// set's 100, which `options::check` enforces).
    pub fn new(dim: usize) -> Self {
        // The direction numbers are decompressed once per process.
        static PARAMS: OnceLock<sobol::params::JoeKuoD6> = OnceLock::new();
        let params = PARAMS.get_or_init(sobol::params::JoeKuoD6::minimal);
        let directions = sobol::Sobol::<f64>::init_direction_vals::<u32>(dim, RESOLUTION, params);
        SobolPoints { directions, state: vec![0; dim], count: 0 }
    }

    /// Writes the next point, in [0, 1)^dim, into `out` (`dim` long); false
    /// once the sequence's 2^53 − 1 points are spent.
    pub fn next_into(&mut self, out: &mut [f64]) -> bool {
        if self.count >= u64::MAX >> (64 - RESOLUTION) {
            return false;
        }
        if self.count > 0 {
            // Gray-code order: point k is point k − 1 with the directions of
            // the lowest zero bit of k − 1 XORed in (the crate's step).
            let c = (!(self.count - 1)).trailing_zeros() as usize;
            for (s, dirs) in self.state.iter_mut().zip(&self.directions) {
                *s ^= dirs[c];
            }
        }
        self.count += 1;
        for (o, &s) in out.iter_mut().zip(&self.state) {
            *o = s as f64 / 18_446_744_073_709_551_616_f64;
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::SobolPoints;

    #[test]
    fn the_points_are_the_crate_iterators_bit_for_bit() {
        // The crate's own iterator is the reference: the first 5,000 points
        // in 1, 2, 3, 7 and 40 dimensions (past several carries of the Gray
        // code), compared by their bits.
        let params = sobol::params::JoeKuoD6::minimal();
        for dim in [1, 2, 3, 7, 40] {
            let mut ours = SobolPoints::new(dim);
            let mut x = vec![f64::NAN; dim];
            for (k, want) in sobol::Sobol::<f64>::new(dim, &params).take(5000).enumerate() {
                assert!(ours.next_into(&mut x));
                let bits = |v: &[f64]| v.iter().map(|t| t.to_bits()).collect::<Vec<_>>();
                assert_eq!(bits(&x), bits(&want), "{dim}-D point {k}");
            }
        }
    }
}
