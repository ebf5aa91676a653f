//! The comparison network in candle 0.11.

pub const NAME: &str = "candle";

use candle_core::{DType, Device, Module, ModuleT, Tensor, D};
use candle_nn::{batch_norm, conv2d_no_bias, linear, loss, optim::{AdamW, Optimizer, ParamsAdamW}, BatchNorm, BatchNormConfig, Conv2d, Conv2dConfig, Linear, VarBuilder, VarMap};

struct Net { c1: Conv2d, b1: BatchNorm, c2: Conv2d, b2: BatchNorm, c3: Conv2d, b3: BatchNorm, fc: Linear }

impl Net {
    fn new(vb: VarBuilder, w: usize) -> candle_core::Result<Net> {
        let cfg = Conv2dConfig { padding: 1, ..Default::default() };
        let cfg2 = Conv2dConfig { padding: 1, stride: 2, ..Default::default() };
        Ok(Net {
            c1: conv2d_no_bias(1, w, 3, cfg, vb.pp("c1"))?,
            b1: batch_norm(w, BatchNormConfig::default(), vb.pp("b1"))?,
            c2: conv2d_no_bias(w, w, 3, cfg, vb.pp("c2"))?,
            b2: batch_norm(w, BatchNormConfig::default(), vb.pp("b2"))?,
            c3: conv2d_no_bias(w, 2 * w, 3, cfg2, vb.pp("c3"))?,
            b3: batch_norm(2 * w, BatchNormConfig::default(), vb.pp("b3"))?,
            fc: linear(2 * w, 10, vb.pp("fc"))?,
        })
    }
    fn forward(&self, x: &Tensor, train: bool) -> candle_core::Result<Tensor> {
        let x = self.b1.forward_t(&self.c1.forward(x)?, train)?.relu()?;
        let x = (self.b2.forward_t(&self.c2.forward(&x)?, train)? + &x)?.relu()?;
        let x = self.b3.forward_t(&self.c3.forward(&x)?, train)?.relu()?;
        let x = x.mean(D::Minus1)?.mean(D::Minus1)?;
        self.fc.forward(&x)
    }
}

/// Trains on (n, h, w) images for `epochs`; returns (last loss, test accuracy).
pub fn train(train_x: &[f32], train_y: &[u32], test_x: &[f32], test_y: &[u32], h: usize, w: usize, width: usize, epochs: usize, batch: usize) -> (f32, f32) {
    let dev = Device::Cpu;
    let varmap = VarMap::new();
    let vb = VarBuilder::from_varmap(&varmap, DType::F32, &dev);
    let net = Net::new(vb, width).unwrap();
    let mut opt = AdamW::new(varmap.all_vars(), ParamsAdamW { lr: 1e-2, weight_decay: 0.0, ..Default::default() }).unwrap();
    let n = train_y.len();
    let mut last = 0.0;
    for _ in 0..epochs {
        for s in (0..n).step_by(batch) {
            let e = (s + batch).min(n);
            let x = Tensor::from_slice(&train_x[s * h * w..e * h * w], (e - s, 1, h, w), &dev).unwrap();
            let y = Tensor::from_slice(&train_y[s..e], e - s, &dev).unwrap();
            let logits = net.forward(&x, true).unwrap();
            let l = loss::cross_entropy(&logits, &y).unwrap();
            opt.backward_step(&l).unwrap();
            last = l.to_scalar::<f32>().unwrap();
        }
    }
    let m = test_y.len();
    let x = Tensor::from_slice(test_x, (m, 1, h, w), &dev).unwrap();
    let pred = net.forward(&x, false).unwrap().argmax(D::Minus1).unwrap().to_vec1::<u32>().unwrap();
    let ok = pred.iter().zip(test_y).filter(|(a, b)| a == b).count();
    (last, ok as f32 / m as f32)
}

#[no_mangle]
pub extern "C" fn bench(n: usize) -> f32 {
    let x = vec![0.5f32; n * 64];
    let y: Vec<u32> = (0..n as u32).map(|i| i % 10).collect();
    train(&x, &y, &x, &y, 8, 8, 16, 1, 32).1
}
