#!/usr/bin/env bash
# Throughput of the core natively (criterion, one thread) and in wasm (headless
# Chromium); prints the figures docs/benchmarks.md records.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --test
cargo bench --locked --bench core -- --noplot
bash scripts/build.sh
node tests/e2e/bench.mjs
