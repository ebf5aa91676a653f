//! flash-nas: FLASH hardware-aware neural architecture search.
//!
//! A platform-free core (no I/O, no OS randomness; the only clocks are SHGO's
//! time limit and the forward-pass timer, in `clock`) that the `flash`
//! CLI and the WebAssembly page share. Data flows one way (docs/architecture.md):
//! space → workload → NN-Degree → predictor, hardware cost → (later: search) → page.

pub mod batch;
pub mod chart;
pub mod clock;
pub mod degree;
pub mod describe;
pub mod error;
pub mod export;
pub mod form;
pub mod hardware;
pub mod lessons;
pub mod linalg;
pub mod nasbench;
pub mod playground;
pub mod portable;
pub mod predictor;
pub mod search;
pub mod shgo;
pub mod space;
pub mod state;
#[cfg(feature = "train")]
pub mod train;
pub mod workload;

#[cfg(target_arch = "wasm32")]
pub mod wasm;

pub use error::{Error, Result};
pub use space::{Architecture, SearchSpace};
