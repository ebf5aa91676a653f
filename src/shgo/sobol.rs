//! The Sobol sequence SHGO samples, written point by point into a buffer.
//!
//! The direction numbers are Joe and Kuo's D6 set (scipy's too; `joe_kuo.rs`
//! has them as a table, equal to the `sobol` crate's gzipped copy), initialised
//! by the crate, and every point has the bits of the crate's own iterator
//! (`the_points_are_the_crate_iterators_bit_for_bit`).
//! Only the iteration is here: the crate's iterator allocates two vectors
//! per point, which cost HS100's Sobol run (1,980 points in 7-D, most of
//! them infeasible and dropped) about a fifth of its time.

use super::joe_kuo::{Dimension, DIMENSIONS};
use sobol::{ParamDimension, SobolParams};

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
    /// The sequence in `dim` dimensions (at most the table's 100, which
    /// `options::check` enforces).
    pub fn new(dim: usize) -> Self {
        let directions = sobol::Sobol::<f64>::init_direction_vals::<u32>(dim, RESOLUTION, &JoeKuo);
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

/// The table as the crate's parameter set.
struct JoeKuo;

impl SobolParams<u32> for JoeKuo {
    fn get_dim(&self, dim: usize) -> &dyn ParamDimension<u32> {
        &DIMENSIONS[dim - 2]
    }

    fn max_dims(&self) -> usize {
        DIMENSIONS.len() + 1
    }
}

impl ParamDimension<u32> for Dimension {
    fn d(&self) -> u16 {
        self.d
    }

    fn s(&self) -> usize {
        self.m.len()
    }

    fn coefficient(&self, i: usize) -> u32 {
        (self.a >> i) & 1
    }

    fn m(&self, i: usize) -> u32 {
        self.m[i]
    }
}

#[cfg(test)]
mod tests {
    use super::{SobolPoints, DIMENSIONS};

    #[test]
    fn the_table_is_the_crates_minimal_set() {
        // The crate's gzipped new-joe-kuo-6.100, read by the crate: every dimension's
        // index, polynomial and initial direction numbers.
        let crate_set = sobol::params::JoeKuoD6::minimal();
        assert_eq!(crate_set.dim_params.len(), DIMENSIONS.len());
        for (ours, theirs) in DIMENSIONS.iter().zip(&crate_set.dim_params) {
            assert_eq!((ours.d, ours.a, ours.m), (theirs.d, theirs.a, theirs.m.as_slice()));
        }
    }

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
