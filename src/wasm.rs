//! The WebAssembly shell: converts types and calls the core, nothing more.

use crate::describe::{describe as describe_arch, summarize};
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
    to_js(&describe_arch(&Architecture::parse(arch).map_err(core_error)?))
}

/// Canonical form and exact configuration count of a space in the text form
/// (or the default space's alias).
#[wasm_bindgen(js_name = spaceSummary)]
pub fn space_summary(space: &str) -> Result<JsValue, JsError> {
    to_js(&summarize(&SearchSpace::resolve(space).map_err(core_error)?))
}

/// `[[name, text], …]` of the classic networks.
#[wasm_bindgen]
pub fn classics() -> Result<JsValue, JsError> {
    to_js(&CLASSICS)
}

#[cfg(feature = "bench")]
/// A batch of random configurations, for timing the core in the browser.
#[wasm_bindgen]
pub struct Batch(crate::batch::Batch);

#[cfg(feature = "bench")]
#[wasm_bindgen]
impl Batch {
    #[wasm_bindgen(constructor)]
    pub fn new(space: &str, seed: u32, n: u32) -> Result<Batch, JsError> {
        let space = SearchSpace::resolve(space).map_err(core_error)?;
        Ok(Batch(crate::batch::Batch::random(&space, seed as u64, n as usize)))
    }

    pub fn degrees(&self) -> f64 {
        self.0.degrees()
    }

    #[wasm_bindgen(js_name = degreesAndTotals)]
    pub fn degrees_and_totals(&self) -> f64 {
        self.0.degrees_and_totals()
    }

    /// Σ hardware cost of the batch on a built-in profile.
    #[wasm_bindgen(js_name = hardwareCosts)]
    pub fn hardware_costs(&self, profile: &str) -> Result<f64, JsError> {
        Ok(self.0.hardware_costs(&crate::hardware::builtin(profile).map_err(core_error)?))
    }
}

#[cfg(feature = "bench")]
/// Runs SHGO on a named test problem (a `shgo::spec::Spec` as a JS object).
#[wasm_bindgen(js_name = shgoRun)]
pub fn shgo_run(spec: JsValue) -> Result<JsValue, JsError> {
    // Read as the JSON the object stringifies to, so the page's spec meets the CLI's parser:
    // serde_wasm_bindgen reads only a struct's own fields (an unknown one would pass unseen),
    // and JSON leaves out `undefined` members, which JS code means as "not given".
    let text = js_sys::JSON::stringify(&spec)
        .ok()
        .and_then(|t| t.as_string())
        .ok_or_else(|| JsError::new("spec: not an object that JSON can hold"))?;
    let value: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| JsError::new(&format!("spec: {e}")))?;
    let spec = crate::shgo::spec::parse(value).map_err(|e| JsError::new(&format!("spec: {e}")))?;
    let report = crate::shgo::spec::run(&spec).map_err(core_error)?;
    to_js(&report)
}

/// The built-in hardware profiles: `[{name, title, model, params: [{key, unit, min, max, value, source, …}], …}]`.
#[wasm_bindgen(js_name = hwProfiles)]
pub fn hw_profiles() -> Result<JsValue, JsError> {
    let views: Vec<_> = crate::hardware::profile::BUILTIN
        .iter()
        .map(|(name, _)| crate::hardware::builtin(name).map(|p| p.view()))
        .collect::<crate::Result<_>>()
        .map_err(core_error)?;
    to_js(&views)
}

#[cfg(feature = "bench")]
/// A built-in profile's JSON (the form `hwCost` and `hwCalibrate` take).
#[wasm_bindgen(js_name = hwProfileJson)]
pub fn hw_profile_json(name: &str) -> Result<String, JsError> {
    Ok(crate::hardware::builtin(name).map_err(core_error)?.to_json())
}

#[cfg(feature = "bench")]
/// Latency, energy, area/memory, per-layer breakdown and roofline of `arch` on a profile (JSON text).
#[wasm_bindgen(js_name = hwCost)]
pub fn hw_cost(profile_json: &str, arch: &str) -> Result<JsValue, JsError> {
    let profile = crate::hardware::Profile::from_json(profile_json).map_err(core_error)?;
    let arch = Architecture::parse(arch).map_err(core_error)?;
    to_js(&crate::hardware::report(&profile, &arch))
}

#[cfg(feature = "bench")]
/// Calibrates a profile (JSON text) on measured samples (CSV text); `train` = 0 for k-fold only.
#[wasm_bindgen(js_name = hwCalibrate)]
pub fn hw_calibrate(
    profile_json: &str,
    csv: &str,
    folds: u32,
    train: u32,
) -> Result<JsValue, JsError> {
    use crate::hardware::calibrate;
    let profile = crate::hardware::Profile::from_json(profile_json).map_err(core_error)?;
    let set = calibrate::Measurements::from_csv(csv).map_err(core_error)?;
    let train = (train > 0).then_some(train as usize);
    to_js(&calibrate::calibrate(&profile, &set.samples, folds as usize, train).map_err(core_error)?)
}

#[cfg(feature = "device")]
/// Times `repeats` forward passes of `arch` in this browser (one warm-up first).
#[wasm_bindgen(js_name = hwMeasure)]
pub fn hw_measure(arch: &str, repeats: u32, seed: f64) -> Result<JsValue, JsError> {
    use crate::hardware::measure;
    let arch = Architecture::parse(arch).map_err(core_error)?;
    let net = measure::Network::new(&arch, seed as u64).map_err(core_error)?;
    to_js(&measure::time(&net, repeats).map_err(core_error)?)
}

#[cfg(feature = "device")]
/// This browser's single-thread GEMM throughput and copy bandwidth.
#[wasm_bindgen(js_name = hwProbe)]
pub fn hw_probe() -> Result<JsValue, JsError> {
    to_js(&crate::hardware::measure::probe())
}

#[cfg(feature = "bench")]
/// Runs a search (`search::request::Request` as a JS object: space, profile or
/// profile_json, goal, knobs, samples_csv, solver, evaluations, seed, trace).
#[wasm_bindgen(js_name = searchRun)]
pub fn search_run(request: JsValue) -> Result<JsValue, JsError> {
    let request: crate::search::request::Request = serde_wasm_bindgen::from_value(request)
        .map_err(|e| JsError::new(&format!("search request: {e}")))?;
    to_js(&request.run().map_err(core_error)?)
}

/// Trains networks on scikit-learn's digits in the browser (the trainer wasm
/// only: the page's main wasm is built without the `train` feature).
#[cfg(feature = "train")]
#[wasm_bindgen]
pub struct DigitsTrainer {
    train: crate::train::Images,
    test: crate::train::Images,
}

#[cfg(feature = "train")]
#[wasm_bindgen]
impl DigitsTrainer {
    /// Reads digits.csv.gz (or the plain CSV) and splits it as the CLI does.
    #[wasm_bindgen(constructor)]
    pub fn new(digits: &[u8]) -> Result<DigitsTrainer, JsError> {
        use crate::train::DataSet;
        let images = DataSet::Digits.read(&[digits]).map_err(core_error)?;
        let (train, test) = images.split(DataSet::Digits.train_images()).map_err(core_error)?;
        Ok(DigitsTrainer { train, test })
    }

    /// The space the shipped digits set was drawn from.
    #[wasm_bindgen(js_name = defaultSpace)]
    pub fn default_space() -> String {
        crate::train::DataSet::Digits.training_space().to_string()
    }

    /// The shipped digits budget's epochs.
    #[wasm_bindgen(js_name = defaultEpochs)]
    pub fn default_epochs() -> u32 {
        crate::train::Budget::default_for(crate::train::DataSet::Digits).epochs
    }

    /// `n` architectures of `space` stratified over NN-Degree (text forms).
    pub fn sample(&self, space: &str, n: u32, seed: u32) -> Result<Vec<String>, JsError> {
        let space = SearchSpace::parse(space).map_err(core_error)?;
        let archs = crate::train::sample::stratified(&space, n as usize, seed as u64)
            .map_err(core_error)?;
        Ok(archs.iter().map(|a| a.to_string()).collect())
    }

    /// Trains one network; `progress(p)` gets {epoch, epochs, step, steps, loss}
    /// after every step. Returns the CSV row as an object with a `csv` field.
    pub fn train(
        &self,
        arch: &str,
        epochs: u32,
        seed: u32,
        progress: &js_sys::Function,
    ) -> Result<JsValue, JsError> {
        use crate::train::{record::Row, Budget, DataSet};
        #[derive(serde::Serialize)]
        struct Trained {
            #[serde(flatten)]
            row: Row,
            csv: String,
        }
        let arch = Architecture::parse(arch).map_err(core_error)?;
        let mut budget = Budget::default_for(DataSet::Digits);
        budget.epochs = epochs;
        let mut report = |p: &crate::train::Progress| {
            let value = to_js(p).unwrap_or(JsValue::NULL);
            progress
                .call1(&JsValue::NULL, &value)
                .map(|r| r.as_bool() != Some(false))
                .unwrap_or(false)
        };
        let outcome =
            crate::train::train(&arch, &self.train, &self.test, budget, seed as u64, &mut report)
                .map_err(core_error)?;
        // No proxies: the row joins the shipped set the page trains into, which has none.
        let row = Row::new(&arch, &outcome, seed as u64, &budget, None);
        let csv = row.csv();
        to_js(&Trained { row, csv })
    }
}

/// A link's query decoded: `{state, notices}`; never fails (bad fields fall back, with a notice).
#[wasm_bindgen(js_name = stateDecode)]
pub fn state_decode(query: &str) -> Result<JsValue, JsError> {
    to_js(&crate::state::State::decode(query))
}

/// The link query of a state object (as `stateDecode` returns it).
#[wasm_bindgen(js_name = stateEncode)]
pub fn state_encode(state: JsValue) -> Result<String, JsError> {
    let state: crate::state::State =
        serde_wasm_bindgen::from_value(state).map_err(|e| JsError::new(&format!("state: {e}")))?;
    Ok(state.encode())
}

/// A link's search, run once; the page asks it for views, steps and exports. It
/// keeps the comparison's baselines between `compareBaselines` and `compareExact`.
#[wasm_bindgen]
pub struct Playground(
    crate::playground::Playground,
    std::cell::RefCell<Option<crate::search::compare::Comparison>>,
);

/// Forwards the exact method's progress to a JS callback `(done, what)`.
struct JsProgress<'f>(&'f js_sys::Function);

impl crate::search::Observer for JsProgress<'_> {
    fn progress(&mut self, done: f64, what: &str) {
        let _ = self.0.call2(&JsValue::NULL, &JsValue::from_f64(done), &JsValue::from_str(what));
    }
}

#[wasm_bindgen]
impl Playground {
    /// `query`: the link's query; `own_file`: the CSV a link names by fingerprint.
    #[wasm_bindgen(constructor)]
    pub fn new(query: &str, own_file: Option<String>) -> Playground {
        Playground(
            crate::playground::Playground::open(query, own_file.as_deref()),
            std::cell::RefCell::new(None),
        )
    }

    pub fn view(&self) -> Result<JsValue, JsError> {
        to_js(&self.0.view())
    }

    /// The SHGO chart up to one iteration of its level (0-based).
    #[wasm_bindgen(js_name = shgoStep)]
    pub fn shgo_step(&self, step: u32) -> Result<JsValue, JsError> {
        to_js(&self.0.shgo_chart(Some(step as usize)).map(|(c, _)| c))
    }

    #[wasm_bindgen(js_name = traceCsv)]
    pub fn trace_csv(&self) -> String {
        self.0.trace_csv()
    }

    pub fn compare(&self) -> Result<JsValue, JsError> {
        to_js(&self.0.compare().map_err(|e| JsError::new(&e))?)
    }

    /// FLASH and the baselines (the first half of `compare`).
    #[wasm_bindgen(js_name = compareBaselines)]
    pub fn compare_baselines(&self) -> Result<JsValue, JsError> {
        let c = self.0.compare_baselines().map_err(|e| JsError::new(&e))?;
        let js = to_js(&c);
        *self.1.borrow_mut() = Some(c);
        js
    }

    /// The whole comparison: the baselines kept from `compareBaselines` (run
    /// now if it was not called) and the exact method within the page's budget;
    /// `progress(done, what)` hears how far it has come.
    #[wasm_bindgen(js_name = compareExact)]
    pub fn compare_exact(&self, progress: &js_sys::Function) -> Result<JsValue, JsError> {
        let c = match self.1.borrow_mut().take() {
            Some(c) => c,
            None => self.0.compare_baselines().map_err(|e| JsError::new(&e))?,
        };
        to_js(&self.0.compare_exact(c, &mut JsProgress(progress)).map_err(|e| JsError::new(&e))?)
    }
}

/// The `own` value of a pasted sample CSV (its rows, or its fingerprint when too large for a link).
#[wasm_bindgen(js_name = ownSamples)]
pub fn own_samples(csv: &str) -> Result<String, JsError> {
    crate::state::OwnSamples::of_csv(csv).map_err(core_error)
}

#[cfg(feature = "device")]
/// Calibrates the link's profile on measured samples (CSV): report, `params` text, chart.
#[wasm_bindgen(js_name = playgroundCalibrate)]
pub fn playground_calibrate(query: &str, csv: &str) -> Result<JsValue, JsError> {
    let state = crate::state::State::decode(query).state;
    to_js(&crate::playground::calibrate(&state, csv).map_err(core_error)?)
}

#[cfg(feature = "device")]
/// The link's measured latency device against its calibrated model: scores on every
/// network not fitted on, the network found (`arch`, may be empty) and a chart.
#[wasm_bindgen(js_name = playgroundAgainstMeasured)]
pub fn playground_against_measured(query: &str, k: u32, arch: &str) -> Result<JsValue, JsError> {
    let state = crate::state::State::decode(query).state;
    let k = k as usize;
    let arch = (!arch.is_empty()).then_some(arch);
    to_js(&crate::playground::against_measured(&state, k, arch).map_err(core_error)?)
}

/// What "Train more, here" trains for the link (the space on screen) and the rows it adds to;
/// `own_file` is the CSV the page holds for `own=file:…`.
#[wasm_bindgen(js_name = trainingPlan)]
pub fn training_plan(query: &str, own_file: Option<String>) -> Result<JsValue, JsError> {
    let state = crate::state::State::decode(query).state;
    to_js(&crate::playground::training_plan(&state, own_file.as_deref()).map_err(core_error)?)
}

/// A network trained in the page as a row of the plan's CSV.
#[wasm_bindgen(js_name = trainedRow)]
pub fn trained_row(arch: &str, accuracy: f64) -> String {
    crate::playground::trained_row(arch, accuracy)
}

/// The `params` text after setting one parameter of the link's profile (checked).
#[wasm_bindgen(js_name = editParams)]
pub fn edit_params(query: &str, key: &str, value: &str) -> Result<String, JsError> {
    let state = crate::state::State::decode(query).state;
    crate::playground::edit_params(&state, key, value).map_err(core_error)
}

#[cfg(feature = "device")]
/// The `params` text of the `device` profile with this browser's measured roofs.
#[wasm_bindgen(js_name = deviceParams)]
pub fn device_params(gemm_gflops: f64, copy_gbs: f64) -> Result<String, JsError> {
    crate::playground::device_params(gemm_gflops, copy_gbs).map_err(core_error)
}

/// `n` architectures drawn from a space with a seed (the measurement's networks).
#[wasm_bindgen(js_name = sampleArchs)]
pub fn sample_archs(space: &str, n: u32, seed: f64) -> Result<Vec<String>, JsError> {
    crate::playground::sample_archs(space, n, seed as u64).map_err(core_error)
}

/// A lesson file (JSON text) read and checked: `[{id, title, text, question, link}]`.
#[wasm_bindgen]
pub fn lessons(json: &str) -> Result<JsValue, JsError> {
    to_js(&crate::lessons::parse(json).map_err(core_error)?)
}

/// The link a visit without one opens (`state::FIRST_SCREEN`).
#[wasm_bindgen(js_name = firstScreen)]
pub fn first_screen() -> String {
    crate::state::FIRST_SCREEN.to_string()
}

/// What the page's controls offer: choices, labels, ranges and defaults (`form::Schema`).
#[wasm_bindgen]
pub fn schema() -> Result<JsValue, JsError> {
    to_js(&crate::form::schema())
}

/// A page edit checked as a link would be: `{state, notices, query}` (`State::edit`).
#[wasm_bindgen(js_name = stateEdit)]
pub fn state_edit(state: JsValue, changes: JsValue) -> Result<JsValue, JsError> {
    #[derive(serde::Serialize)]
    struct Edited {
        #[serde(flatten)]
        decoded: crate::state::Decoded,
        query: String,
    }
    let state: crate::state::State =
        serde_wasm_bindgen::from_value(state).map_err(|e| JsError::new(&format!("state: {e}")))?;
    let changes: std::collections::BTreeMap<String, serde_json::Value> =
        serde_wasm_bindgen::from_value(changes)
            .map_err(|e| JsError::new(&format!("changes: {e}")))?;
    let decoded = state.edit(&changes);
    let query = decoded.state.encode();
    to_js(&Edited { decoded, query })
}

/// A goal text's fields: `{objective, limits: {key: text}}` (read leniently).
#[wasm_bindgen(js_name = goalForm)]
pub fn goal_form(goal: &str) -> Result<JsValue, JsError> {
    to_js(&crate::form::GoalForm::read(goal))
}

/// The goal text of `{objective, limits}`.
#[wasm_bindgen(js_name = goalText)]
pub fn goal_text(form: JsValue) -> Result<String, JsError> {
    let form: crate::form::GoalForm = serde_wasm_bindgen::from_value(form)
        .map_err(|e| JsError::new(&format!("goal fields: {e}")))?;
    Ok(form.text())
}

/// The space text of the structured editor's fields (`form::SpaceForm`).
#[wasm_bindgen(js_name = spaceText)]
pub fn space_text(form: JsValue) -> Result<String, JsError> {
    let form: crate::form::SpaceForm = serde_wasm_bindgen::from_value(form)
        .map_err(|e| JsError::new(&format!("space fields: {e}")))?;
    Ok(form.text())
}

/// The SHGO chart's `{level, x, y}` of a state's `shgo` text.
#[wasm_bindgen(js_name = shgoForm)]
pub fn shgo_form(shgo: &str) -> Result<JsValue, JsError> {
    to_js(&crate::form::ShgoForm::read(shgo).map_err(|e| JsError::new(&e))?)
}

/// The `shgo` text of a level and two coordinates.
#[wasm_bindgen(js_name = shgoText)]
pub fn shgo_text(level: &str, x: &str, y: &str) -> String {
    crate::form::shgo_text(level, x, y)
}

/// The SHGO chart's levels for a space of `cells` cells: `[{value, label}]`.
#[wasm_bindgen(js_name = shgoLevels)]
pub fn shgo_levels(cells: u32) -> Result<JsValue, JsError> {
    to_js(&crate::form::shgo_levels(cells as usize))
}

/// An integer field typed by a person (`form::number`); the error names the field and range.
#[wasm_bindgen(js_name = formNumber)]
pub fn form_number(key: &str, text: &str) -> Result<f64, JsError> {
    Ok(crate::form::number(key, text).map_err(core_error)? as f64)
}

#[cfg(feature = "device")]
/// The measurement CSV of timings (`hwMeasure`'s), with `#` provenance lines.
#[wasm_bindgen(js_name = measurementCsv)]
pub fn measurement_csv(provenance: Vec<String>, timings: JsValue) -> Result<String, JsError> {
    let timings: Vec<crate::hardware::measure::Timing> = serde_wasm_bindgen::from_value(timings)
        .map_err(|e| JsError::new(&format!("timings: {e}")))?;
    Ok(crate::hardware::measure::csv(&provenance, &timings))
}

/// The message of the last panic in the core (empty: none). A panic aborts the
/// call with a bare `RuntimeError: unreachable`; the page reads this to say what
/// failed, with the link, and restarts its worker.
static LAST_PANIC: std::sync::Mutex<String> = std::sync::Mutex::new(String::new());

#[wasm_bindgen(start)]
fn start() {
    std::panic::set_hook(Box::new(|info| {
        if let Ok(mut last) = LAST_PANIC.lock() {
            *last = info.to_string();
        }
    }));
}

#[wasm_bindgen(js_name = lastPanic)]
pub fn last_panic() -> String {
    LAST_PANIC.lock().map(|s| s.clone()).unwrap_or_default()
}

/// Fault injection for the page's tests: panics inside the core, as a bug
/// would. Only in builds with the `test-hooks` feature (the page's end-to-end
/// test build); the release page has no way to panic on purpose.
#[cfg(feature = "test-hooks")]
#[wasm_bindgen(js_name = faultPanic)]
pub fn fault_panic(what: &str) {
    panic!("fault injected by the page's test: {what}");
}

/// Checks a NAS-Bench-201 column file's text (`data/nb201/NAME.csv`) and keeps
/// it for the searches that read it; the error names the line and column.
#[wasm_bindgen(js_name = nb201Load)]
pub fn nb201_load(name: &str, text: &str) -> Result<(), JsError> {
    crate::nasbench::load(name, text).map_err(core_error)
}

/// The NAS-Bench-201 columns a link's search reads that are not loaded yet
/// (the page fetches `data/nb201/NAME.csv` for each before it runs the search).
#[wasm_bindgen(js_name = nb201Missing)]
pub fn nb201_missing(query: &str) -> Vec<String> {
    crate::state::State::decode(query)
        .state
        .columns()
        .into_iter()
        .filter(|c| !crate::nasbench::is_loaded(c))
        .map(str::to_string)
        .collect()
}
