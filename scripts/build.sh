#!/usr/bin/env bash
# Builds the page's WebAssembly core into www/pkg (release, no wasm-opt).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
cargo build --locked --release --lib --target wasm32-unknown-unknown
.tools/bin/wasm-bindgen --target web --no-typescript --out-dir www/pkg \
  target/wasm32-unknown-unknown/release/flash_nas.wasm
echo "[build] www/pkg/flash_nas_bg.wasm: $(wc -c < www/pkg/flash_nas_bg.wasm) bytes"
