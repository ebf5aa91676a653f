#!/usr/bin/env bash
# Builds the page's two WebAssembly modules (release, no wasm-opt, no name section):
#   www/pkg        the core, without the trainer (what every visit loads)
#   www/pkg-train  the core with the trainer, wasm SIMD on (loaded by the training worker only)
# FLASH_TEST_HOOKS=1 builds www/pkg with the test-only fault hook (cargo feature test-hooks),
# which the end-to-end tests use; the page built without it cannot panic on purpose.
# FLASH_BENCH=1 (implied by FLASH_TEST_HOOKS=1) adds what only the browser benchmarks and tests
# call (cargo feature bench: SHGO's test problems, raw searches, hardware costs, batches).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
wasm=target/wasm32-unknown-unknown/release/flash_nas.wasm
hooks=()
[ "${FLASH_BENCH:-0}" = 1 ] && hooks=(--features bench)
[ "${FLASH_TEST_HOOKS:-0}" = 1 ] && hooks=(--features test-hooks)
cargo build --locked --release --lib --target wasm32-unknown-unknown --no-default-features "${hooks[@]}"
# The name section (function names for stack traces: 141 KB, 42 KB gzipped) is left out: it was
# 6 % of what a first visit downloads (docs/benchmarks.md, "WebAssembly size").
.tools/bin/wasm-bindgen --target web --no-typescript --remove-name-section --out-dir www/pkg "$wasm"
# The trainer with wasm SIMD (every current browser has it; 10-17 % faster training), in its own
# target folder so the two builds' flags never invalidate each other.
RUSTFLAGS='-C target-feature=+simd128' CARGO_TARGET_DIR=target/wasm-train \
  cargo build --locked --release --lib --target wasm32-unknown-unknown --features train
.tools/bin/wasm-bindgen --target web --no-typescript --remove-name-section --out-dir www/pkg-train \
  target/wasm-train/wasm32-unknown-unknown/release/flash_nas.wasm
echo "[build] www/pkg/flash_nas_bg.wasm: $(wc -c < www/pkg/flash_nas_bg.wasm) bytes"
echo "[build] www/pkg-train/flash_nas_bg.wasm: $(wc -c < www/pkg-train/flash_nas_bg.wasm) bytes"
