//! Baselines on the same objective: random search and regularized (aging)
//! evolution (Real et al., AAAI 2019), both seeded.

use super::{judge, Session, Solver, Verdict};
use crate::error::{Error, Result};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::collections::VecDeque;

/// Most evaluations a baseline may be given.
pub const MAX_EVALUATIONS: u64 = 100_000_000;

fn check_budget(evaluations: u64) -> Result<()> {
    if evaluations == 0 || evaluations > MAX_EVALUATIONS {
        return Err(Error::field("evaluations", evaluations, format!("1..={MAX_EVALUATIONS}")));
    }
    Ok(())
}

/// A uniformly random point: hardware configuration and every coordinate.
fn random_point(s: &Session, rng: &mut ChaCha8Rng, config: &mut [u32]) -> usize {
    let lat = &s.problem.lattice;
    for (k, c) in config.iter_mut().enumerate() {
        *c = rng.random_range(0..lat.len(k));
    }
    rng.random_range(0..s.problem.hardware.len())
}

/// Uniform random sampling of networks (and hardware configurations).
#[derive(Clone, Debug, PartialEq)]
pub struct RandomSearch {
    pub evaluations: u64,
    pub seed: u64,
}

impl Solver for RandomSearch {
    fn name(&self) -> String {
        "random".into()
    }

    fn solve(&self, s: &mut Session) -> Result<()> {
        check_budget(self.evaluations)?;
        let mut rng = ChaCha8Rng::seed_from_u64(self.seed);
        let mut config = vec![0; s.problem.lattice.dims()];
        for _ in 0..self.evaluations {
            let hw = random_point(s, &mut rng, &mut config);
            s.evaluate_uncached(hw, &config);
        }
        Ok(())
    }
}

/// Aging evolution: a population of `population` networks; each step samples
/// `sample` of them, mutates the best one in one coordinate (or the hardware
/// configuration) and replaces the *oldest* member with the child.
#[derive(Clone, Debug, PartialEq)]
pub struct Evolution {
    pub evaluations: u64,
    pub population: usize,
    pub sample: usize,
    pub seed: u64,
}

impl Evolution {
    pub fn new(evaluations: u64, seed: u64) -> Evolution {
        Evolution { evaluations, population: 50, sample: 10, seed }
    }
}

impl Solver for Evolution {
    fn name(&self) -> String {
        "evolution".into()
    }

    fn solve(&self, s: &mut Session) -> Result<()> {
        check_budget(self.evaluations)?;
        if self.population < 2 || self.population > 100_000 {
            return Err(Error::field("population", self.population, "2..=100000"));
        }
        if self.sample < 1 || self.sample > self.population {
            return Err(Error::field(
                "sample",
                self.sample,
                format!("1..={} (the population)", self.population),
            ));
        }
        let mut rng = ChaCha8Rng::seed_from_u64(self.seed);
        let goal = s.problem.goal.clone();
        let free = s.problem.lattice.free();
        let hws = s.problem.hardware.len();
        let mut population: VecDeque<(usize, Vec<u32>, Verdict)> =
            VecDeque::with_capacity(self.population);
        let mut spent = 0;
        while spent < self.evaluations && population.len() < self.population {
            let mut config = vec![0; s.problem.lattice.dims()];
            let hw = random_point(s, &mut rng, &mut config);
            let v = judge(&goal, &s.evaluate_uncached(hw, &config));
            population.push_back((hw, config, v));
            spent += 1;
        }
        // Genes: each free coordinate, plus the hardware configuration when there is a choice.
        let genes = free.len() + usize::from(hws > 1);
        while spent < self.evaluations && genes > 0 {
            let mut parent = rng.random_range(0..population.len());
            for _ in 1..self.sample {
                let j = rng.random_range(0..population.len());
                if population[j].2.better_than(&population[parent].2) {
                    parent = j;
                }
            }
            let (mut hw, mut config, _) = population[parent].clone();
            let gene = rng.random_range(0..genes);
            if gene == free.len() {
                hw = (hw + rng.random_range(1..hws)) % hws;
            } else {
                let k = free[gene];
                let len = s.problem.lattice.len(k);
                config[k] = (config[k] + rng.random_range(1..len)) % len;
            }
            let v = judge(&goal, &s.evaluate_uncached(hw, &config));
            population.pop_front();
            population.push_back((hw, config, v));
            spent += 1;
        }
        Ok(())
    }
}
