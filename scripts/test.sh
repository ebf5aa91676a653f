#!/usr/bin/env bash
# Every test: format and lints, native (cargo test), wasm in headless Chromium, and the page
# end to end.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --test
export PATH="$PWD/.tools/bin:$PATH"

echo "== format and lints"
cargo fmt --check
cargo clippy --locked --all-targets -- -D warnings
cargo clippy --locked --lib --target wasm32-unknown-unknown --no-default-features -- -D warnings
cargo clippy --locked --lib --target wasm32-unknown-unknown --no-default-features --features bench -- -D warnings
# The fuzz targets (fuzz/, a member of this workspace) build on stable with the project's lock
# and patches; libFuzzer itself is linked only by scripts/fuzz.sh (nightly).
cargo check --locked -p flash-nas-fuzz --no-default-features --bins

echo "== native tests"
cargo test --locked

echo "== wasm tests in headless Chromium (in a dedicated worker, as on the page)"
# The timeout is for the whole run: about 50 s here, under 2 min on a 2-core CI machine.
CHROMEDRIVER=/usr/bin/chromedriver WASM_BINDGEN_TEST_TIMEOUT=400 \
  cargo test --locked --target wasm32-unknown-unknown --test wasm --no-default-features --features bench

echo "== the release site has no test hook"
bash scripts/site.sh
if grep -q faultPanic dist/www/pkg/flash_nas.js; then
  echo "dist/ exports faultPanic: the release build must not have the test-hooks feature" >&2
  exit 1
fi
echo "ok: dist/ has no faultPanic"
# The benchmarks' and the device's exports live in www/pkg-train or the bench build, not in the
# core a first visit downloads.
for name in shgoRun hwMeasure playgroundCalibrate playgroundAgainstMeasured; do
  if grep -q "$name" dist/www/pkg/flash_nas.js; then
    echo "dist/www/pkg exports $name: it belongs to the bench or device feature" >&2
    exit 1
  fi
  grep -q "$name" dist/www/pkg-train/flash_nas.js || [ "$name" = shgoRun ] ||
    { echo "dist/www/pkg-train lacks $name" >&2; exit 1; }
done
echo "ok: dist/www/pkg has no bench or device export"

echo "== end-to-end test of the site, served from dist/ under /flash-nas/ (built with the test hooks)"
FLASH_TEST_HOOKS=1 bash scripts/site.sh
FLASH_E2E_SITE=dist node --test tests/e2e/
# www/pkg and dist/ now have the hook; scripts/serve.sh and scripts/site.sh rebuild without it.
