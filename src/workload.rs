//! Per-layer workloads of an architecture: shapes, MACs, parameters, bytes.
//!
//! Each family's file walks its cells into layers (`space::walk`, the one
//! walker); the sinks here receive them: [`totals`] sums on the fly without
//! allocating (the search's hot path), [`layers`] collects the named list, and
//! [`layer_reads`] keeps each layer's channel reads (the trainer, the diagram,
//! the export; `degree` builds the channel graph from them). Because all of
//! them share the walker, totals always equal the sum of layers.

pub use crate::space::walk::{
    stem_width, walk, walk_cells, walk_prefix, walk_rest, walk_tail, LayerKind, LayerSpec, Piece,
    Reads, Resume, Role, Shape, Sink, Skip, INPUT, VOID,
};
use crate::space::{Architecture, Cell, Frame};
use serde::Serialize;

/// Network totals.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Totals {
    pub layers: u32,
    pub params: u64,
    pub bn_params: u64,
    pub macs: u64,
    /// Sum over layers of output activation elements.
    pub activations: u64,
}

impl Sink for Totals {
    const READS: bool = false;
    #[inline]
    fn layer(&mut self, spec: &LayerSpec, _: Reads<'_>) {
        self.layers += 1;
        self.params += spec.params();
        self.bn_params += spec.bn_params();
        self.macs += spec.macs();
        self.activations += spec.output.elems();
    }
}

/// Totals without building the layer list.
#[inline]
pub fn totals(frame: &Frame, cells: &[Cell]) -> Totals {
    let mut t = Totals::default();
    walk(frame, cells, &mut t);
    t
}

/// One layer of the named list: the spec plus what tables and charts show.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Layer {
    pub name: String,
    #[serde(flatten)]
    pub spec: LayerSpec,
    pub params: u64,
    pub macs: u64,
    /// Bytes at fp32 (4 bytes a value); hardware models rescale to their precision.
    pub weight_bytes: u64,
    pub input_bytes: u64,
    pub output_bytes: u64,
}

struct Collect(Vec<Layer>);

impl Sink for Collect {
    const READS: bool = false;
    fn layer(&mut self, spec: &LayerSpec, _: Reads<'_>) {
        self.0.push(Layer {
            name: spec.name(),
            spec: *spec,
            params: spec.params(),
            macs: spec.macs(),
            weight_bytes: 4 * spec.params(),
            input_bytes: 4 * spec.input.elems(),
            output_bytes: 4 * spec.output.elems(),
        });
    }
}

pub fn layers(arch: &Architecture) -> Vec<Layer> {
    let mut c = Collect(Vec::new());
    walk(arch.frame(), arch.cells(), &mut c);
    c.0
}

/// One layer with the channels it reads and what is added to its output, owned.
#[derive(Clone, Debug, PartialEq)]
pub struct LayerReads {
    pub spec: LayerSpec,
    pub pieces: Vec<Piece>,
    pub shortcuts: Vec<Skip>,
}

struct RecordReads(Vec<LayerReads>);

impl Sink for RecordReads {
    const READS: bool = true;
    fn layer(&mut self, spec: &LayerSpec, reads: Reads<'_>) {
        self.0.push(LayerReads {
            spec: *spec,
            pieces: reads.pieces.to_vec(),
            shortcuts: reads.shortcuts.to_vec(),
        });
    }
}

/// Every layer with its reads, in walk order: what the trainer, the diagram and
/// the PyTorch export wire their networks from.
pub fn layer_reads(arch: &Architecture) -> Vec<LayerReads> {
    let mut r = RecordReads(Vec::new());
    walk(arch.frame(), arch.cells(), &mut r);
    r.0
}
