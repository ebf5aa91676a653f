//! Batches of random configurations for throughput measurements. Natively
//! (`cargo bench`) and in the browser (scripts/bench.sh) the same batch is timed,
//! so the wasm/native ratio compares identical work.

use crate::degree;
use crate::hardware::HardwareModel;
use crate::space::{Cell, Frame, SearchSpace};
use crate::workload;
use rand::SeedableRng;

pub struct Batch {
    frame: Frame,
    cells_per_arch: usize,
    /// `len × cells_per_arch` cells, architecture after architecture.
    cells: Vec<Cell>,
}

impl Batch {
    /// `n` configurations drawn uniformly from `space` with a seeded ChaCha8.
    pub fn random(space: &SearchSpace, seed: u64, n: usize) -> Batch {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
        let mut cells = Vec::with_capacity(n * space.cells().len());
        let mut one = Vec::new();
        for _ in 0..n {
            space.sample_cells(&mut rng, &mut one);
            cells.extend_from_slice(&one);
        }
        Batch { frame: *space.frame(), cells_per_arch: space.cells().len(), cells }
    }

    pub fn len(&self) -> usize {
        self.cells.len() / self.cells_per_arch
    }

    pub fn is_empty(&self) -> bool {
        self.cells.is_empty()
    }

    /// Σ NN-Degree over the batch (closed form).
    pub fn degrees(&self) -> f64 {
        self.cells
            .chunks_exact(self.cells_per_arch)
            .map(|c| degree::nn_degree(&self.frame, c))
            .sum()
    }

    /// Σ (NN-Degree + MACs + params) over the batch: what one objective evaluation needs.
    pub fn degrees_and_totals(&self) -> f64 {
        self.cells
            .chunks_exact(self.cells_per_arch)
            .map(|c| {
                let t = workload::totals(&self.frame, c);
                degree::nn_degree(&self.frame, c) + t.macs as f64 + t.params as f64
            })
            .sum()
    }

    /// Σ (latency + energy + area) of the batch on a hardware model: what the
    /// search's hardware constraints cost per evaluation.
    pub fn hardware_costs<M: HardwareModel + ?Sized>(&self, model: &M) -> f64 {
        self.cells
            .chunks_exact(self.cells_per_arch)
            .map(|c| {
                let cost = model.network_cost(&self.frame, c);
                cost.latency + cost.energy + cost.area
            })
            .sum()
    }
}
