//! A trainable network built from the workload walker's layer list, so the
//! network that trains is exactly the one NN-Degree, the cost models and the
//! search describe (same layers, same channel reads, same parameter count).
//!
//! The walker gives each layer its shape and the channels it reads (pieces of
//! earlier layers' outputs). What it does not say is where batch norm and the
//! activation go; that is the family's convention (docs/space.md):
//! dense is pre-activation (BN-ReLU-conv on the concatenated input), res and
//! wres post-activation (conv-BN-ReLU, the second conv's ReLU after the add),
//! mobile conv-BN-ReLU6 with a linear projection.

use crate::space::{Architecture, Family};
use crate::workload::{self, LayerKind, LayerSpec, Piece, Role, Skip, INPUT};
use burn::module::Module;
use burn::nn::conv::{Conv2d, Conv2dConfig};
use burn::nn::pool::AvgPool2dConfig;
use burn::nn::{BatchNorm, BatchNormConfig, Linear, LinearConfig, PaddingConfig2d};
use burn::tensor::activation::{relu, relu6};
use burn::tensor::{Device, Tensor};

/// One layer of the walker's list, owned.
#[derive(Clone, Debug)]
pub struct Step {
    pub spec: LayerSpec,
    pub pieces: Vec<Piece>,
    pub shortcut: Option<Skip>,
    /// Index into the network's convolutions (weighted conv layers only).
    conv: Option<usize>,
    /// Index into the network's batch norms.
    norm: Option<usize>,
}

/// The layer list with channel reads, in walker order.
#[derive(Clone, Debug)]
pub struct Plan {
    pub family: Family,
    pub steps: Vec<Step>,
}

impl Plan {
    pub fn of(arch: &Architecture) -> Plan {
        let mut steps: Vec<Step> = workload::layer_reads(arch)
            .into_iter()
            .map(|l| Step {
                spec: l.spec,
                pieces: l.pieces,
                shortcut: l.shortcut,
                conv: None,
                norm: None,
            })
            .collect();
        let (mut convs, mut norms) = (0, 0);
        for step in &mut steps {
            if matches!(step.spec.kind, LayerKind::Conv | LayerKind::Depthwise) {
                step.conv = Some(convs);
                convs += 1;
            }
            if step.spec.bn_channels > 0 {
                step.norm = Some(norms);
                norms += 1;
            }
        }
        Plan { family: arch.frame().family, steps }
    }
}

/// The trainable network: its weights, and the plan that wires them.
#[derive(Module, Debug)]
pub struct Network {
    convs: Vec<Conv2d>,
    norms: Vec<BatchNorm>,
    classifier: Linear,
    #[module(skip)]
    plan: Plan,
}

impl Network {
    /// Builds the network with fresh weights from the device's seeded generator
    /// (burn's defaults: Kaiming-uniform convolutions, γ = 1, β = 0).
    pub fn new(arch: &Architecture, device: &Device) -> Network {
        let plan = Plan::of(arch);
        let mut convs = Vec::new();
        let mut norms = Vec::new();
        let mut classifier = None;
        for step in &plan.steps {
            let s = &step.spec;
            if step.conv.is_some() {
                let p = (s.kernel / 2) as usize;
                convs.push(
                    Conv2dConfig::new(
                        [s.input.c as usize, s.output.c as usize],
                        [s.kernel as usize; 2],
                    )
                    .with_stride([s.stride as usize; 2])
                    .with_padding(PaddingConfig2d::Explicit(p, p, p, p))
                    .with_groups(s.groups as usize)
                    .with_bias(s.bias)
                    .init(device),
                );
            }
            if step.norm.is_some() {
                norms.push(BatchNormConfig::new(s.bn_channels as usize).init(device));
            }
            if s.kind == LayerKind::Linear {
                classifier = Some(
                    LinearConfig::new(s.input.c as usize, s.output.c as usize)
                        .with_bias(s.bias)
                        .init(device),
                );
            }
        }
        let classifier = classifier.expect("the walker always ends with the classifier");
        Network { convs, norms, classifier, plan }
    }

    /// Logits `[batch, classes]` of images `[batch, channels, height, width]`.
    pub fn forward(&self, x: Tensor<4>) -> Tensor<2> {
        let mut outputs: Vec<Option<Tensor<4>>> = vec![None; self.plan.steps.len()];
        // The global pool's output, read by the classifier (pools carry no channel-graph nodes,
        // so the classifier's pieces still name the pool's input).
        let mut pooled: Option<Tensor<4>> = None;
        let mut projection: Option<Tensor<4>> = None;
        let dense = self.plan.family == Family::Dense;
        let act =
            |t: Tensor<4>| if self.plan.family == Family::Mobile { relu6(t) } else { relu(t) };
        for (id, step) in self.plan.steps.iter().enumerate() {
            let s = &step.spec;
            let norm = |t: Tensor<4>| match step.norm {
                Some(i) => self.norms[i].forward(t),
                None => t,
            };
            match s.kind {
                LayerKind::AvgPool => {
                    // The tensors this pool reads are read again only at the new resolution.
                    let pool = AvgPool2dConfig::new([2, 2]).with_strides([2, 2]).init();
                    for p in &step.pieces {
                        if p.layer == INPUT {
                            continue;
                        }
                        let t = outputs[p.layer as usize]
                            .take()
                            .expect("a pool reads an earlier layer");
                        outputs[p.layer as usize] = Some(pool.forward(t));
                    }
                }
                LayerKind::GlobalAvgPool => {
                    let t = gather(&outputs, &x, &step.pieces);
                    let t = if step.norm.is_some() { act(norm(t)) } else { t };
                    pooled = Some(t.mean_dim(3).mean_dim(2));
                }
                LayerKind::Linear => {
                    let t = pooled.take().expect("the classifier follows the global pool");
                    let [n, c, _, _] = t.dims();
                    return self.classifier.forward(t.reshape([n, c]));
                }
                LayerKind::Conv | LayerKind::Depthwise => {
                    let conv = &self.convs[step.conv.expect("a conv has weights")];
                    let input = gather(&outputs, &x, &step.pieces);
                    let out = if dense {
                        conv.forward(if step.norm.is_some() { act(norm(input)) } else { input })
                    } else {
                        let y = norm(conv.forward(input));
                        match s.role {
                            Role::Projection => {
                                projection = Some(y);
                                continue;
                            }
                            Role::Project => match step.shortcut {
                                Some(skip) => y + shortcut(&outputs, &x, skip, s, &mut projection),
                                None => y,
                            },
                            Role::Conv2 => act(match step.shortcut {
                                Some(skip) => y + shortcut(&outputs, &x, skip, s, &mut projection),
                                None => y,
                            }),
                            _ => act(y),
                        }
                    };
                    debug_assert_eq!(
                        out.dims()[1..],
                        [s.output.c as usize, s.output.h as usize, s.output.w as usize],
                        "{}",
                        s.name()
                    );
                    outputs[id] = Some(out);
                }
            }
        }
        unreachable!("the walker always ends with the classifier")
    }
}

fn source(outputs: &[Option<Tensor<4>>], x: &Tensor<4>, layer: u32) -> Tensor<4> {
    if layer == INPUT {
        x.clone()
    } else {
        outputs[layer as usize].clone().expect("pieces name earlier layers")
    }
}

fn piece(outputs: &[Option<Tensor<4>>], x: &Tensor<4>, p: &Piece) -> Tensor<4> {
    let t = source(outputs, x, p.layer);
    let c = t.dims()[1];
    if p.start == 0 && p.len as usize == c {
        t
    } else {
        t.narrow(1, p.start as usize, p.len as usize)
    }
}

/// The concatenation of pieces along channels.
fn gather(outputs: &[Option<Tensor<4>>], x: &Tensor<4>, pieces: &[Piece]) -> Tensor<4> {
    if let [p] = pieces {
        return piece(outputs, x, p);
    }
    Tensor::cat(pieces.iter().map(|p| piece(outputs, x, p)).collect(), 1)
}

/// The additive shortcut into a block's output: the projection computed just
/// before, or the identity, subsampled to the output's resolution and
/// zero-padded to its channels (He et al.'s option A) where the shape changes.
fn shortcut(
    outputs: &[Option<Tensor<4>>],
    x: &Tensor<4>,
    skip: Skip,
    s: &LayerSpec,
    projection: &mut Option<Tensor<4>>,
) -> Tensor<4> {
    match skip {
        Skip::Projection(_) => {
            projection.take().expect("the projection precedes its block's second conv")
        }
        Skip::Identity(p) => {
            let mut t = piece(outputs, x, &p);
            let [n, c, h, _] = t.dims();
            let stride = h.div_ceil(s.output.h as usize);
            if stride > 1 {
                t = AvgPool2dConfig::new([1, 1]).with_strides([stride, stride]).init().forward(t);
            }
            let out_c = s.output.c as usize;
            if c < out_c {
                let [_, _, h, w] = t.dims();
                let zeros = Tensor::zeros([n, out_c - c, h, w], &t.device());
                t = Tensor::cat(vec![t, zeros], 1);
            }
            t
        }
    }
}
