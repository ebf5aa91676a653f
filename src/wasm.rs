//! The WebAssembly shell: converts types and calls the core, nothing more.

use crate::batch;
use crate::describe::{describe as describe_arch, summarize};
use crate::shgo::spec;
use crate::space::CLASSICS;
use crate::{Architecture, SearchSpace};
use wasm_bindgen::prelude::*;

/// Plain JS objects (not `Map`s, which `#[serde(flatten)]` would otherwise give).
fn to_js<T: serde::Serialize>(value: &T) -> Result<JsValue, JsError> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| JsError::new(&e.to_string()))
}

fn core_error(e: crate::Error) -> JsError {
    JsError::new(&e.to_string())
}

/// Layers, totals and NN-Degree of an architecture in the text form.
#[wasm_bindgen]
pub fn describe(arch: &str) -> Result<JsValue, JsError> {
    to_js(&describe_arch(
        &Architecture::parse(arch).map_err(core_error)?,
    ))
}

/// Canonical form and exact configuration count of a space in the text form.
#[wasm_bindgen(js_name = spaceSummary)]
pub fn space_summary(space: &str) -> Result<JsValue, JsError> {
    to_js(&summarize(&SearchSpace::parse(space).map_err(core_error)?))
}

#[wasm_bindgen(js_name = defaultSpace)]
pub fn default_space() -> String {
    SearchSpace::flash_default().to_string()
}

/// `[[name, text], …]` of the classic networks.
#[wasm_bindgen]
pub fn classics() -> Result<JsValue, JsError> {
    to_js(&CLASSICS)
}

/// A batch of random configurations, for timing the core in the browser.
#[wasm_bindgen]
pub struct Batch(batch::Batch);

#[wasm_bindgen]
impl Batch {
    #[wasm_bindgen(constructor)]
    pub fn new(space: &str, seed: u32, n: u32) -> Result<Batch, JsError> {
        let space = SearchSpace::parse(space).map_err(core_error)?;
        Ok(Batch(batch::Batch::random(&space, seed as u64, n as usize)))
    }

    pub fn degrees(&self) -> f64 {
        self.0.degrees()
    }

    #[wasm_bindgen(js_name = degreesAndTotals)]
    pub fn degrees_and_totals(&self) -> f64 {
        self.0.degrees_and_totals()
    }
}

/// Runs SHGO on a named test problem (a `shgo::spec::Spec` as a JS object).
#[wasm_bindgen(js_name = shgoRun)]
pub fn shgo_run(spec: JsValue) -> Result<JsValue, JsError> {
    let spec: spec::Spec =
        serde_wasm_bindgen::from_value(spec).map_err(|e| JsError::new(&format!("spec: {e}")))?;
    let report = spec::run(&spec).map_err(core_error)?;
    to_js(&report)
}
