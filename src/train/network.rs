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
use crate::workload::{self, LayerKind, LayerSpec, Piece, Role, Skip, INPUT, VOID};
use burn::module::{Module, ModuleVisitor, Param};
use burn::nn::conv::{Conv2d, Conv2dConfig};
use burn::nn::pool::AvgPool2dConfig;
use burn::nn::{BatchNorm, BatchNormConfig, Linear, LinearConfig, PaddingConfig2d};
use burn::tensor::activation::{relu, relu6};
use burn::tensor::{Device, FloatDType, Tensor};

/// One layer of the walker's list, owned.
#[derive(Clone, Debug)]
pub struct Step {
    pub spec: LayerSpec,
    pub pieces: Vec<Piece>,
    pub shortcuts: Vec<Skip>,
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
                shortcuts: l.shortcuts,
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
    /// Builds the network with weights drawn from burn's generator seeded with
    /// `seed`. burn's flex backend keeps one generator for the whole process,
    /// and burn draws a parameter's values lazily, on its first use; so seeding
    /// and drawing every value happen here, under one lock. Otherwise networks
    /// trained at once on two threads interleave their draws (issue 15:
    /// `--jobs 2` gave other accuracies from run to run).
    pub fn seeded(arch: &Architecture, device: &Device, seed: u64) -> Network {
        struct Draw;
        impl ModuleVisitor for Draw {
            fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
                let _ = param.val();
            }
        }
        static GENERATOR: std::sync::Mutex<()> = std::sync::Mutex::new(());
        let _held = GENERATOR.lock().unwrap_or_else(|e| e.into_inner());
        device.seed(seed);
        let net = Network::new(arch, device);
        net.visit(&mut Draw);
        net
    }

    /// Builds the network with fresh weights from the device's generator as it
    /// stands (burn's defaults: Kaiming-uniform convolutions, γ = 1, β = 0);
    /// `seeded` is the reproducible entry.
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
        self.run(x, true, &mut |_| {})
    }

    /// The forward pass, with batch norm on or skipped (synflow's network has
    /// none), calling `before_activation` with every tensor a ReLU (ReLU6)
    /// receives (NASWOT's activation codes).
    pub(crate) fn run(
        &self,
        x: Tensor<4>,
        batch_norm: bool,
        before_activation: &mut dyn FnMut(&Tensor<4>),
    ) -> Tensor<2> {
        if self.plan.family == Family::Nb201 {
            return self.run_dag(x, batch_norm, before_activation);
        }
        let mut outputs: Vec<Option<Tensor<4>>> = vec![None; self.plan.steps.len()];
        // The global pool's output, read by the classifier (pools carry no channel-graph nodes,
        // so the classifier's pieces still name the pool's input).
        let mut pooled: Option<Tensor<4>> = None;
        let mut projection: Option<Tensor<4>> = None;
        let dense = self.plan.family == Family::Dense;
        let mobile = self.plan.family == Family::Mobile;
        let mut act = |t: Tensor<4>| {
            before_activation(&t);
            if mobile {
                relu6(t)
            } else {
                relu(t)
            }
        };
        for (id, step) in self.plan.steps.iter().enumerate() {
            let s = &step.spec;
            let norm = |t: Tensor<4>| match step.norm {
                Some(i) if batch_norm => self.norms[i].forward(t),
                _ => t,
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
                LayerKind::Sum | LayerKind::Zero => {
                    unreachable!("only DAG cells have nodes and edges")
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
                            Role::Project => match step.shortcuts.first().copied() {
                                Some(skip) => y + shortcut(&outputs, &x, skip, s, &mut projection),
                                None => y,
                            },
                            Role::Conv2 => act(match step.shortcuts.first().copied() {
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

impl Network {
    /// NAS-Bench-201's network as the benchmark's model runs it: ReLU-conv-BN
    /// on every edge and in the reduction blocks, a stem of conv-BN, each node
    /// the sum of its edges, a 3×3 average pooling that does not count its
    /// padding, the reduction's shortcut a 2×2 pooling and a 1×1 convolution,
    /// and BN-ReLU before the global pool. Zeros (a node only `none` edges
    /// reach) are what the benchmark adds up: nothing.
    fn run_dag(
        &self,
        x: Tensor<4>,
        batch_norm: bool,
        before_activation: &mut dyn FnMut(&Tensor<4>),
    ) -> Tensor<2> {
        let mut outputs: Vec<Option<Tensor<4>>> = vec![None; self.plan.steps.len()];
        let mut pooled: Option<Tensor<4>> = None;
        let mut projection: Option<Tensor<4>> = None;
        let mut act = |t: Tensor<4>| {
            before_activation(&t);
            relu(t)
        };
        let batch = x.dims()[0];
        let device = x.device();
        let dtype = x.dtype();
        for (id, step) in self.plan.steps.iter().enumerate() {
            let s = &step.spec;
            let norm = |t: Tensor<4>| match step.norm {
                Some(i) if batch_norm => self.norms[i].forward(t),
                _ => t,
            };
            let zeros = |c: u32| {
                Tensor::<4>::zeros(
                    [batch, c as usize, s.input.h as usize, s.input.w as usize],
                    &device,
                )
                .cast(dtype)
            };
            let read =
                |p: &Piece| if p.layer == VOID { zeros(p.len) } else { piece(&outputs, &x, p) };
            match (s.kind, s.role) {
                (LayerKind::AvgPool, Role::EdgePool) => {
                    let t = read(&step.pieces[0]);
                    let pool = AvgPool2dConfig::new([3, 3])
                        .with_strides([1, 1])
                        .with_padding(PaddingConfig2d::Explicit(1, 1, 1, 1))
                        .with_count_include_pad(false)
                        .init();
                    outputs[id] = Some(pool.forward(t));
                }
                (LayerKind::AvgPool, _) => {
                    let t = read(&step.pieces[0]);
                    let pool = AvgPool2dConfig::new([2, 2]).with_strides([2, 2]).init();
                    outputs[id] = Some(pool.forward(t));
                }
                // A `none` edge: nothing reads it.
                (LayerKind::Zero, _) => {}
                (LayerKind::Sum, _) => {
                    let mut total: Option<Tensor<4>> = None;
                    for Skip::Identity(p) | Skip::Projection(p) in &step.shortcuts {
                        if p.layer == VOID {
                            continue;
                        }
                        let t = piece(&outputs, &x, p);
                        total = Some(match total {
                            Some(a) => a + t,
                            None => t,
                        });
                    }
                    outputs[id] = Some(total.unwrap_or_else(|| zeros(s.output.c)));
                }
                (LayerKind::GlobalAvgPool, _) => {
                    let t = read(&step.pieces[0]);
                    let t = if step.norm.is_some() { act(norm(t)) } else { t };
                    pooled = Some(t.mean_dim(3).mean_dim(2));
                }
                (LayerKind::Linear, _) => {
                    let t = pooled.take().expect("the classifier follows the global pool");
                    let [n, c, _, _] = t.dims();
                    return self.classifier.forward(t.reshape([n, c]));
                }
                (LayerKind::Conv | LayerKind::Depthwise, role) => {
                    let conv = &self.convs[step.conv.expect("a conv has weights")];
                    let out = match role {
                        Role::Stem => norm(conv.forward(read(&step.pieces[0]))),
                        Role::Projection => {
                            // The reduction's shortcut reads the 2×2 pooling just before it.
                            let t = outputs[id - 1].clone().expect("the pooling precedes it");
                            projection = Some(conv.forward(t));
                            continue;
                        }
                        _ => {
                            let y = norm(conv.forward(act(read(&step.pieces[0]))));
                            match projection.take() {
                                Some(p) if role == Role::ReduceB => y + p,
                                _ => y,
                            }
                        }
                    };
                    outputs[id] = Some(out);
                }
            }
        }
        unreachable!("the walker always ends with the classifier")
    }

    /// The weighted layers' weight tensors (convolutions and the classifier;
    /// no biases, no batch-norm parameters), as the zero-cost proxies score them.
    pub(crate) fn weights(&self) -> (Vec<&Param<Tensor<4>>>, &Param<Tensor<2>>) {
        (self.convs.iter().map(|c| &c.weight).collect(), &self.classifier.weight)
    }

    /// The same network with every weight tensor (convolutions in order, then
    /// the classifier) replaced by `f(index, values)`, same shape and dtype;
    /// the proxies' tests move the weights along a direction with it.
    #[cfg(test)]
    pub(crate) fn with_weights(&self, mut f: impl FnMut(usize, &[f64]) -> Vec<f64>) -> Network {
        fn replace<const D: usize>(p: &Param<Tensor<D>>, values: Vec<f64>) -> Param<Tensor<D>> {
            let t = p.val();
            let (shape, dtype, device) = (t.shape(), t.dtype(), t.device());
            let data = burn::tensor::TensorData::new(values, shape);
            Param::from_tensor(Tensor::<D>::from_data(data, &device).cast(dtype))
        }
        fn host<const D: usize>(p: &Param<Tensor<D>>) -> Vec<f64> {
            p.val().into_data().convert::<f64>().try_to_vec::<f64>().expect("f64")
        }
        let mut net = self.clone();
        for (i, c) in net.convs.iter_mut().enumerate() {
            c.weight = replace(&c.weight, f(i, &host(&c.weight)));
        }
        let last = net.convs.len();
        net.classifier.weight =
            replace(&net.classifier.weight, f(last, &host(&net.classifier.weight)));
        net
    }

    /// Synflow's network (Tanaka et al. 2020): every weight and bias replaced by
    /// its absolute value, in f64 (products over tens of layers overflow f32),
    /// each a fresh leaf that records its gradient.
    pub(crate) fn linearised(&self) -> Network {
        fn leaf<const D: usize>(p: &Param<Tensor<D>>) -> Param<Tensor<D>> {
            Param::from_tensor(p.val().abs().cast(FloatDType::F64).detach().require_grad())
        }
        Network {
            convs: self
                .convs
                .iter()
                .map(|c| Conv2d {
                    weight: leaf(&c.weight),
                    bias: c.bias.as_ref().map(leaf),
                    stride: c.stride,
                    kernel_size: c.kernel_size,
                    dilation: c.dilation,
                    groups: c.groups,
                    padding: c.padding.clone(),
                })
                .collect(),
            norms: self.norms.clone(),
            classifier: Linear {
                weight: leaf(&self.classifier.weight),
                bias: self.classifier.bias.as_ref().map(leaf),
            },
            plan: self.plan.clone(),
        }
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
