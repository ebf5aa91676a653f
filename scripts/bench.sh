#!/usr/bin/env bash
# Throughput of the core natively (criterion, one thread) and in wasm (headless
# Chromium); prints the figures docs/benchmarks.md records.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --test
cargo bench --locked --bench core -- --noplot
FLASH_BENCH=1 bash scripts/build.sh
node tests/e2e/bench.mjs
echo "the playground: page load and edit → results in headless Chromium (docs/benchmarks.md):"
node tests/e2e/page-bench.mjs
echo "native forward passes (the same networks as the wasm timer above):"
cargo run --release --locked --quiet -- hw measure 'cifar10/dense/d4w32t10-d6w48t20-d3w16t0' \
  'cifar10/res(shortcut=pad)/d3w16-d3w32-d3w64' 'mnist/mobile/d2w16e6-d2w24e6' --repeats 9 --seed 1
echo "FLASH search against the exact optimum and the baselines (docs/benchmarks.md):"
cargo run --release --locked --quiet -- search-bench --cases-out benches/search-cases.json
cargo run --release --locked --quiet -- search-bench --scaling
echo "training one network on digits, natively (one thread) and in wasm (docs/benchmarks.md):"
cargo run --release --locked --quiet -- train --dataset digits --seeds 1 --seed 1 --jobs 1 \
  --arch 'digits/dense/d2w8t4-d2w8t4,digits/dense/d4w16t12-d3w16t8,digits/dense/d6w32t24-d6w32t24' \
  --out target/train-bench.csv
grep -v '^#' target/train-bench.csv | cut -d, -f1,5,6,7
node tests/e2e/train-bench.mjs
