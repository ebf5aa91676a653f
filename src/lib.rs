//! flash-nas: FLASH hardware-aware neural architecture search.
//!
//! A platform-free core (no I/O, no clocks, no OS randomness) that the `flash`
//! CLI and the WebAssembly page share. Data flows one way (docs/architecture.md):
//! space → workload → NN-Degree → predictor → (later: hardware cost, search) → page.

pub mod batch;
pub mod degree;
pub mod describe;
pub mod error;
pub mod predictor;
pub mod shgo;
pub mod space;
pub mod workload;

#[cfg(target_arch = "wasm32")]
pub mod wasm;

pub use error::{Error, Result};
pub use space::{Architecture, SearchSpace};
