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

/// `n` distinct architectures drawn uniformly from `space` (each draw picks
/// every cell's depth, width and skip budget uniformly; repeats are redrawn),
/// in draw order. Repeats are rare in real spaces; a space too small to hold
/// `n` networks is an error, not a loop.
pub fn uniform(space: &SearchSpace, n: usize, seed: u64) -> Result<Vec<Architecture>> {
    if !(1..=MAX_SAMPLES).contains(&n) {
        return Err(Error::field("samples", n, format!("1..={MAX_SAMPLES}")));
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut seen = std::collections::BTreeSet::new();
    let mut picked = Vec::with_capacity(n);
    for _ in 0..POOL_FACTOR * n {
        let arch = space.sample(&mut rng);
        if seen.insert(arch.to_string()) {
            picked.push(arch);
            if picked.len() == n {
                return Ok(picked);
            }
        }
    }
    Err(Error::Invalid(format!(
        "the space holds only {} distinct networks among {} draws, fewer than the {n} asked for",
        picked.len(),
        POOL_FACTOR * n
    )))
}

/// How `flash train` picks its networks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Design {
    /// Uniform over the space: the sample the statistics of docs/accuracy.md need.
    Uniform,
    /// Stratified over ln NN-Degree (FLASH's style: a few dozen cover the whole range).
    Stratified,
}

impl Design {
    pub const NAMES: [&'static str; 2] = ["uniform", "stratified"];

    pub fn parse(text: &str) -> Result<Design> {
        match text {
            "uniform" => Ok(Design::Uniform),
            "stratified" => Ok(Design::Stratified),
            _ => Err(Error::field("design", text, "uniform or stratified")),
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Design::Uniform => "uniform",
            Design::Stratified => "stratified",
        }
    }

    pub fn draw(self, space: &SearchSpace, n: usize, seed: u64) -> Result<Vec<Architecture>> {
        match self {
            Design::Uniform => uniform(space, n, seed),
            Design::Stratified => stratified(space, n, seed),
        }
    }
}
