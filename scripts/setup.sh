#!/usr/bin/env bash
# Installs everything flash-nas needs on a fresh machine. Idempotent: each step
# checks first and does nothing when its tool is already there.
#   scripts/setup.sh          build tools only (wasm target, wasm-bindgen-cli)
#   scripts/setup.sh --test   also the browser and the end-to-end test's npm packages
set -euo pipefail
cd "$(dirname "$0")/.."
want_test=0
[ "${1:-}" = "--test" ] && want_test=1

pin() { # pin KEY -> value from wasm-pack.toml
  sed -n "s/^$1 *= *\"\\(.*\\)\"/\\1/p" wasm-pack.toml | head -n1
}
WBG_VERSION=$(pin wasm-bindgen-cli)
TOOLS=$(pin root)
say() { printf '[setup] %s\n' "$*"; }

for component in rustfmt clippy; do
  if ! rustup component list --installed | grep -q "^$component"; then
    say "adding rust component $component"
    rustup component add "$component"
  fi
done

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding rust target wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown
fi

locked=$(sed -n '/^name = "wasm-bindgen"$/{n;s/^version = "\(.*\)"/\1/p}' Cargo.lock | head -n1)
if [ -n "$locked" ] && [ "$locked" != "$WBG_VERSION" ]; then
  echo "[setup] Cargo.lock has wasm-bindgen $locked but wasm-pack.toml pins $WBG_VERSION: make them equal" >&2
  exit 1
fi
have=$("$TOOLS/bin/wasm-bindgen" --version 2>/dev/null | awk '{print $2}' || true)
if [ "$have" != "$WBG_VERSION" ]; then
  say "installing wasm-bindgen-cli $WBG_VERSION into $TOOLS (about 2 minutes)"
  cargo install --locked wasm-bindgen-cli --version "$WBG_VERSION" --root "$TOOLS"
fi

if [ $want_test = 1 ]; then
  if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then
    say "installing Debian chromium + chromium-driver"
    SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium chromium-driver >/dev/null
  fi
  if [ ! -d tests/e2e/node_modules/playwright-core ] || [ ! -d tests/e2e/node_modules/axe-core ]; then
    say "installing the end-to-end test's npm packages"
    (cd tests/e2e && npm ci --no-audit --no-fund --loglevel=error)
  fi
fi
say "ready"
