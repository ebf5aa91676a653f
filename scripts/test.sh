#!/usr/bin/env bash
# Every test: native (cargo test), wasm in headless Chromium, and the page end to end.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --test
export PATH="$PWD/.tools/bin:$PATH"

echo "== native tests"
cargo test --locked

echo "== wasm tests in headless Chromium"
CHROMEDRIVER=/usr/bin/chromedriver WASM_BINDGEN_TEST_TIMEOUT=120 \
  cargo test --locked --target wasm32-unknown-unknown --test wasm --no-default-features

echo "== end-to-end test of the page"
bash scripts/build.sh
node --test tests/e2e/
