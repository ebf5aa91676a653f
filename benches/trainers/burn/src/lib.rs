#![allow(deprecated)]
//! The comparison network in burn 0.22; the backend is the `ndarray` or `flex` feature.

#[cfg(feature = "ndarray")]
pub const NAME: &str = "burn-ndarray";
#[cfg(feature = "flex")]
pub const NAME: &str = "burn-flex";

#[cfg(feature = "ndarray")]
fn backend() -> Device {
    Device::ndarray()
}
#[cfg(feature = "flex")]
fn backend() -> Device {
    Device::flex()
}
use burn::module::Module;
use burn::nn::conv::{Conv2d, Conv2dConfig};
use burn::nn::loss::CrossEntropyLossConfig;
use burn::nn::{BatchNorm, BatchNormConfig, Linear, LinearConfig, PaddingConfig2d};
use burn::optim::{AdamConfig, GradientsParams};
use burn::tensor::{activation::relu, Device, Int, Tensor, TensorData};

#[derive(Module, Debug)]
struct Net { c1: Conv2d, b1: BatchNorm, c2: Conv2d, b2: BatchNorm, c3: Conv2d, b3: BatchNorm, fc: Linear }

impl Net {
    fn new(d: &Device, w: usize) -> Self {
        let p = PaddingConfig2d::Explicit(1, 1, 1, 1);
        Net {
            c1: Conv2dConfig::new([1, w], [3, 3]).with_padding(p.clone()).with_bias(false).init(d),
            b1: BatchNormConfig::new(w).init(d),
            c2: Conv2dConfig::new([w, w], [3, 3]).with_padding(p.clone()).with_bias(false).init(d),
            b2: BatchNormConfig::new(w).init(d),
            c3: Conv2dConfig::new([w, 2 * w], [3, 3]).with_padding(p).with_stride([2, 2]).with_bias(false).init(d),
            b3: BatchNormConfig::new(2 * w).init(d),
            fc: LinearConfig::new(2 * w, 10).init(d),
        }
    }
    fn forward(&self, x: Tensor<4>) -> Tensor<2> {
        let x = relu(self.b1.forward(self.c1.forward(x)));
        let x = relu(self.b2.forward(self.c2.forward(x.clone())) + x);
        let x = relu(self.b3.forward(self.c3.forward(x)));
        let [n, c, _, _] = x.dims();
        let x = x.mean_dim(3).mean_dim(2).reshape([n, c]);
        self.fc.forward(x)
    }
}


pub fn train(train_x: &[f32], train_y: &[u32], test_x: &[f32], test_y: &[u32], h: usize, w: usize, width: usize, epochs: usize, batch: usize) -> (f32, f32) {
    let dev = backend().autodiff();
    dev.seed(7);
    let mut net: Net = Net::new(&dev, width);
    let mut opt = AdamConfig::new().init();
    let n = train_y.len();
    let mut last = 0.0;
    let ce = CrossEntropyLossConfig::new().init(&dev);
    for _ in 0..epochs {
        for s in (0..n).step_by(batch) {
            let e = (s + batch).min(n);
            let x = Tensor::<4>::from_data(TensorData::new(train_x[s * h * w..e * h * w].to_vec(), [e - s, 1, h, w]), &dev);
            let y = Tensor::<1, Int>::from_data(TensorData::new(train_y[s..e].iter().map(|&v| v as i64).collect::<Vec<_>>(), [e - s]), &dev);
            let logits = net.forward(x);
            let l = ce.forward(logits, y);
            last = l.clone().into_scalar();
            let g = GradientsParams::from_grads(l.backward(), &net);
            net = opt.step(1e-2, net, g);
        }
    }
    let m = test_y.len();
    let net = net.valid();
    let x = Tensor::<4>::from_data(TensorData::new(test_x.to_vec(), [m, 1, h, w]), &backend());
    let pred = net.forward(x).argmax(1).into_data().convert::<i64>().to_vec::<i64>().unwrap();
    let ok = pred.iter().zip(test_y).filter(|(a, b)| **a as u32 == **b).count();
    (last, ok as f32 / m as f32)
}

#[no_mangle]
pub extern "C" fn bench(n: usize) -> f32 {
    let x = vec![0.5f32; n * 64];
    let y: Vec<u32> = (0..n as u32).map(|i| i % 10).collect();
    train(&x, &y, &x, &y, 8, 8, 16, 1, 32).1
}
