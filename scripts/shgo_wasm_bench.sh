#!/usr/bin/env bash
# SHGO in wasm (headless Chromium) against native on the same six problems, alternated round by
# round (tests/e2e/shgo-bench.mjs; docs/benchmarks.md, "SHGO in wasm"). Usage:
#   bash scripts/shgo_wasm_bench.sh [ROUNDS]   (default 5)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --test
FLASH_BENCH=1 bash scripts/build.sh
cargo build --release --locked --bin flash
node tests/e2e/shgo-bench.mjs "$@"
