//! Which networks to train: architectures drawn from a space, stratified over
//! NN-Degree so that a few dozen samples cover its whole range.

use crate::degree;
use crate::error::{Error, Result};
use crate::portable::ln;
use crate::space::{Architecture, SearchSpace};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Candidates drawn per requested sample before stratifying.
pub const POOL_FACTOR: usize = 40;
/// Most samples one call may ask for.
pub const MAX_SAMPLES: usize = 10_000;

/// `n` distinct architectures of `space`: a pool of `POOL_FACTOR · n` random
/// draws is cut into `n` bins of equal width in ln NN-Degree, one network is
/// drawn from each non-empty bin, and the rest are filled at random from the
/// pool. Returned in random order, so any prefix is itself spread over the range.
pub fn stratified(space: &SearchSpace, n: usize, seed: u64) -> Result<Vec<Architecture>> {
    if !(1..=MAX_SAMPLES).contains(&n) {
        return Err(Error::field("samples", n, format!("1..={MAX_SAMPLES}")));
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut pool: Vec<(f64, Architecture)> = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for _ in 0..POOL_FACTOR * n {
        let arch = space.sample(&mut rng);
        if seen.insert(arch.to_string()) {
            pool.push((ln(degree::nn_degree(arch.frame(), arch.cells())), arch));
        }
    }
    if pool.len() < n {
        return Err(Error::Invalid(format!("the space holds only {} distinct networks among {} draws, fewer than the {n} asked for", pool.len(), POOL_FACTOR * n)));
    }
    pool.sort_by(|a, b| a.0.total_cmp(&b.0).then_with(|| a.1.to_string().cmp(&b.1.to_string())));
    let (lo, hi) = (pool[0].0, pool[pool.len() - 1].0);
    let width = (hi - lo) / n as f64;
    let bin = |g: f64| if width > 0.0 { (((g - lo) / width) as usize).min(n - 1) } else { 0 };
    let mut taken = vec![false; pool.len()];
    let mut picked = Vec::with_capacity(n);
    let mut start = 0;
    while start < pool.len() {
        let b = bin(pool[start].0);
        let end = start + pool[start..].iter().take_while(|(g, _)| bin(*g) == b).count();
        let i = rng.random_range(start..end);
        taken[i] = true;
        picked.push(i);
        start = end;
    }
    while picked.len() < n {
        let i = rng.random_range(0..pool.len());
        if !taken[i] {
            taken[i] = true;
            picked.push(i);
        }
    }
    super::shuffle(&mut picked, &mut rng);
    Ok(picked.into_iter().map(|i| pool[i].1.clone()).collect())
}
