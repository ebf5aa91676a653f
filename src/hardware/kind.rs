//! Device kinds: each cost model is one file that declares what it is (its name in profile
//! JSON, its parameters with their units, ranges and what calibration fits, how it is built
//! from them, its policies), registered once in [`kinds!`] below. Nothing outside
//! `hardware/` asks which kind a profile is: it asks the profile (`sizes_silicon`, `specs`).
//! docs/architecture.md, "Adding a device kind", says how to add one.

use super::params::{ParamSpec, ParamValue, Target};
use super::{Ceilings, Context, HardwareModel, LayerCost, Parts};
use crate::error::Result;
use crate::workload::LayerSpec;
use std::collections::BTreeMap;

/// A checked profile's parameter values, read by key.
#[derive(Clone, Copy, Debug)]
pub struct Values<'a> {
    specs: &'static [ParamSpec],
    values: &'a [f64],
}

impl<'a> Values<'a> {
    /// `values` in the order of `specs` (what `ProfileParams::checked_values` returns).
    pub fn new(specs: &'static [ParamSpec], values: &'a [f64]) -> Values<'a> {
        assert_eq!(specs.len(), values.len(), "one value per parameter");
        Values { specs, values }
    }

    /// The value of `key`; a kind reads only the keys it declares (a test reads them all).
    pub fn get(&self, key: &str) -> f64 {
        let i = self.specs.iter().position(|s| s.key == key);
        self.values[i.unwrap_or_else(|| panic!("'{key}' is not a parameter of this kind"))]
    }
}

/// What one device kind declares. The cost itself is the [`HardwareModel`] the kind
/// implements (one required method: a layer's cost).
pub trait DeviceKind: HardwareModel + Clone + PartialEq + std::fmt::Debug + Sized {
    /// The kind's name in profile JSON (`"model": NAME`).
    const NAME: &'static str;
    /// Every parameter, in the order the page and `flash hw show` list them; those with
    /// `fit` set are what calibration fits, in this order.
    const PARAMS: &'static [ParamSpec];
    /// Whether the silicon is sized to the network (an area the search can limit or
    /// minimise), or fixed (a CPU, GPU or NPU: memory is what a network occupies).
    const SIZES_SILICON: bool;

    /// The model from checked values (each within its range; relations between them are
    /// checked here).
    fn from_values(values: Values) -> Result<Self>;

    /// Fills in what a profile written by an earlier build lacks, priced as it was then.
    fn upgrade(_params: &mut BTreeMap<String, ParamValue>) {}

    /// An edit of a key an earlier build had, as keys of this build.
    fn upgrade_edit(key: &str, value: f64) -> Vec<(String, f64)> {
        vec![(key.to_string(), value)]
    }
}

/// The registry: every kind once. It defines [`ModelKind`] (the kind a profile names) and
/// [`Model`] (the built model), and forwards each to the kind's own code.
macro_rules! kinds {
    ($($variant:ident => $ty:ty),* $(,)?) => {
        /// Which cost model a profile uses.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum ModelKind {
            $($variant,)*
        }

        /// A profile's built cost model.
        #[derive(Clone, Debug, PartialEq)]
        pub enum Model {
            $($variant($ty),)*
        }

        impl ModelKind {
            pub const ALL: &'static [ModelKind] = &[$(ModelKind::$variant,)*];
            const NAMES: &'static [&'static str] = &[$(<$ty as DeviceKind>::NAME,)*];

            pub fn name(self) -> &'static str {
                match self { $(ModelKind::$variant => <$ty as DeviceKind>::NAME,)* }
            }

            pub fn specs(self) -> &'static [ParamSpec] {
                match self { $(ModelKind::$variant => <$ty as DeviceKind>::PARAMS,)* }
            }

            pub fn sizes_silicon(self) -> bool {
                match self { $(ModelKind::$variant => <$ty as DeviceKind>::SIZES_SILICON,)* }
            }

            pub fn upgrade(self, params: &mut BTreeMap<String, ParamValue>) {
                match self { $(ModelKind::$variant => <$ty as DeviceKind>::upgrade(params),)* }
            }

            pub fn upgrade_edit(self, key: &str, value: f64) -> Vec<(String, f64)> {
                match self { $(ModelKind::$variant => <$ty as DeviceKind>::upgrade_edit(key, value),)* }
            }

            /// The model from values in the kind's `PARAMS` order.
            pub fn build(self, values: &[f64]) -> Result<Model> {
                let v = Values::new(self.specs(), values);
                Ok(match self { $(ModelKind::$variant => Model::$variant(<$ty>::from_values(v)?),)* })
            }
        }

        macro_rules! with_model {
            ($model:expr, $m:ident => $body:expr) => {
                match $model { $(Model::$variant($m) => $body,)* }
            };
        }
    };
}

kinds! {
    Imc => super::imc::Imc,
    Roofline => super::roofline::Roofline,
    Spatial => super::spatial::Spatial,
}

impl ModelKind {
    /// The parameters calibration fits to `target`, in the kind's order.
    pub fn fitted_keys(self, target: Target) -> impl Iterator<Item = &'static str> {
        self.specs().iter().filter(move |s| s.fit == Some(target)).map(|s| s.key)
    }
}

impl serde::Serialize for ModelKind {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

impl<'de> serde::Deserialize<'de> for ModelKind {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let name = String::deserialize(d)?;
        ModelKind::ALL
            .iter()
            .copied()
            .find(|k| k.name() == name)
            .ok_or_else(|| serde::de::Error::unknown_variant(&name, ModelKind::NAMES))
    }
}

impl HardwareModel for Model {
    #[inline]
    fn layer_cost(&self, layer: &LayerSpec, ctx: &Context) -> LayerCost {
        with_model!(self, m => m.layer_cost(layer, ctx))
    }

    fn network_cost_fixed(&self, layers: &LayerCost) -> LayerCost {
        with_model!(self, m => m.network_cost_fixed(layers))
    }

    fn fixed_reads_area(&self) -> bool {
        with_model!(self, m => m.fixed_reads_area())
    }

    fn parts(&self) -> Parts {
        with_model!(self, m => m.parts())
    }

    fn bytes_per_value(&self) -> f64 {
        with_model!(self, m => m.bytes_per_value())
    }

    fn ceilings(&self) -> Option<Ceilings> {
        with_model!(self, m => m.ceilings())
    }

    fn order_free_below(&self) -> Option<u64> {
        with_model!(self, m => m.order_free_below())
    }
}
