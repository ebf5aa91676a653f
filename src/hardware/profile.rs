//! Checked hardware profiles and the built-in ones (`profiles/*.json`, sources
//! in docs/hardware.md and in each parameter's `source`).

pub use super::kind::{Model, ModelKind};
use super::params::{ParamRow, ParamSpec, ProfileParams};
use super::{Ceilings, Context, HardwareModel, LayerCost, Parts};
use crate::error::{Error, Result};
use crate::workload::LayerSpec;
use serde::Serialize;

/// The built-in profiles, as shipped JSON.
pub const BUILTIN: [(&str, &str); 9] = [
    ("rram-imc", include_str!("../../profiles/rram-imc.json")),
    ("sram-imc", include_str!("../../profiles/sram-imc.json")),
    ("rpi3b", include_str!("../../profiles/rpi3b.json")),
    ("rpi4", include_str!("../../profiles/rpi4.json")),
    ("jetson-nano", include_str!("../../profiles/jetson-nano.json")),
    ("rtx3090", include_str!("../../profiles/rtx3090.json")),
    ("edge-tpu", include_str!("../../profiles/edge-tpu.json")),
    ("eyeriss", include_str!("../../profiles/eyeriss.json")),
    ("device", include_str!("../../profiles/device.json")),
];

/// A built-in profile by name; the error lists the names.
pub fn builtin(name: &str) -> Result<Profile> {
    let (_, json) = BUILTIN.iter().find(|(n, _)| *n == name).ok_or_else(|| {
        let names: Vec<&str> = BUILTIN.iter().map(|(n, _)| *n).collect();
        Error::field("profile", name, format!("one of {}", names.join(", ")))
    })?;
    Profile::from_json(json)
}

/// A checked profile: its data (with every parameter's unit, range and source)
/// and the model built from it.
#[derive(Clone, Debug, PartialEq)]
pub struct Profile {
    params: ProfileParams,
    values: Vec<f64>,
    model: Model,
}

impl ProfileParams {
    /// Checks every field and builds the model.
    pub fn check(self) -> Result<Profile> {
        let values = self.checked_values(self.model.specs())?;
        let model = self.model.build(&values)?;
        let mut params = self;
        for (spec, v) in params.model.specs().iter().zip(&values) {
            let p = params.params.get_mut(spec.key).expect("checked");
            p.unit = Some(spec.unit.to_string());
            p.value = *v;
        }
        Ok(Profile { params, values, model })
    }
}

/// What `flash hw show` and the page show of a profile.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ProfileView {
    pub name: String,
    pub title: String,
    pub description: String,
    pub model: ModelKind,
    pub params: Vec<ParamRow>,
    pub parts: Parts,
    pub ceilings: Option<Ceilings>,
}

impl Profile {
    pub fn from_json(text: &str) -> Result<Profile> {
        ProfileParams::from_json(text)?.check()
    }

    pub fn name(&self) -> &str {
        &self.params.name
    }

    pub fn title(&self) -> &str {
        &self.params.title
    }

    pub fn kind(&self) -> ModelKind {
        self.params.model
    }

    pub fn model(&self) -> &Model {
        &self.model
    }

    pub fn specs(&self) -> &'static [ParamSpec] {
        self.params.model.specs()
    }

    /// Whether the silicon is sized to the network (an area a goal can limit or minimise).
    pub fn sizes_silicon(&self) -> bool {
        self.params.model.sizes_silicon()
    }

    /// A parameter's value by key.
    pub fn value(&self, key: &str) -> Option<f64> {
        self.specs().iter().position(|s| s.key == key).map(|i| self.values[i])
    }

    /// The data form, with units filled in: what to save or share.
    pub fn to_params(&self) -> ProfileParams {
        self.params.clone()
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(&self.params).expect("profiles serialize")
    }

    /// A copy with some parameters changed (and their source noted), checked again.
    pub fn with_values(&self, changes: &[(&str, f64)], source: &str) -> Result<Profile> {
        let mut params = self.params.clone();
        let changes: Vec<(String, f64)> =
            changes.iter().flat_map(|(k, v)| params.upgrade_edit(k, *v)).collect();
        for (key, value) in &changes {
            let p = params.params.get_mut(key.as_str()).ok_or_else(|| {
                Error::field(format!("params.{key}"), "unknown", "a parameter of this profile")
            })?;
            p.value = *value;
            if !source.is_empty() {
                p.source = source.to_string();
            }
        }
        params.check()
    }

    pub fn view(&self) -> ProfileView {
        ProfileView {
            name: self.params.name.clone(),
            title: self.params.title.clone(),
            description: self.params.description.clone(),
            model: self.params.model,
            params: self
                .specs()
                .iter()
                .zip(&self.values)
                .map(|(spec, v)| ParamRow {
                    spec: *spec,
                    value: *v,
                    source: self.params.params[spec.key].source.clone(),
                })
                .collect(),
            parts: self.parts(),
            ceilings: self.ceilings(),
        }
    }
}

impl HardwareModel for Profile {
    #[inline]
    fn layer_cost(&self, layer: &LayerSpec, ctx: &Context) -> LayerCost {
        self.model.layer_cost(layer, ctx)
    }

    fn network_cost_fixed(&self, layers: &LayerCost) -> LayerCost {
        self.model.network_cost_fixed(layers)
    }

    fn fixed_reads_area(&self) -> bool {
        self.model.fixed_reads_area()
    }

    fn parts(&self) -> Parts {
        self.model.parts()
    }

    fn bytes_per_value(&self) -> f64 {
        self.model.bytes_per_value()
    }

    fn ceilings(&self) -> Option<Ceilings> {
        self.model.ceilings()
    }

    fn order_free_below(&self) -> Option<u64> {
        self.model.order_free_below()
    }
}
