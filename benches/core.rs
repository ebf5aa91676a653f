//! Throughput of NN-Degree, workload totals and hardware costs on random
//! configurations of the default space, one thread. Figures go to docs/benchmarks.md.
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use flash_nas::batch::Batch;
use flash_nas::SearchSpace;
use std::hint::black_box;

const N: usize = 100_000;

fn bench(c: &mut Criterion) {
    let batch = Batch::random(&SearchSpace::flash_default(), 42, N);
    let mut g = c.benchmark_group("default-space");
    g.throughput(Throughput::Elements(N as u64));
    g.bench_function("nn_degree", |b| b.iter(|| black_box(&batch).degrees()));
    g.bench_function("nn_degree+totals", |b| b.iter(|| black_box(&batch).degrees_and_totals()));
    g.finish();
    let mut g = c.benchmark_group("hardware-cost");
    g.throughput(Throughput::Elements(N as u64));
    for name in ["rram-imc", "rpi4", "edge-tpu"] {
        let profile = flash_nas::hardware::builtin(name).expect("built-in profile");
        g.bench_function(name, |b| b.iter(|| black_box(&batch).hardware_costs(&profile)));
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
