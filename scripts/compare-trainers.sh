#!/usr/bin/env bash
# Compares training libraries (benches/trainers/README.md): clean build times natively and for
# wasm32, wasm size, and one-thread training time at 8x8 and 28x28, twice each. Takes ~20 min on
# 2 cores; not run by CI.
set -euo pipefail
cd "$(dirname "$0")/.."
out=target/trainers
mkdir -p "$out"
gzip -dc data/datasets/digits.csv.gz > "$out/digits.csv"
# name, crate folder, features
for spec in "candle candle -" "burn-ndarray burn ndarray" "burn-flex burn flex"; do
  read -r lib crate features <<< "$spec"
  dir=benches/trainers/$crate
  feat=(); [ "$features" != - ] && feat=(--features "$features")
  rm -rf "$out/$lib" "$out/$lib-wasm"
  t0=$(date +%s.%N)
  CARGO_TARGET_DIR="$out/$lib" cargo build --quiet --release --manifest-path "$dir/Cargo.toml" "${feat[@]}"
  t1=$(date +%s.%N)
  echo "$lib: clean native release build $(printf '%.0f' "$(echo "$t1 - $t0" | bc)") s"
  for run in 1 2; do
    RAYON_NUM_THREADS=1 "$out/$lib/release/trainer-cmp" 8 3 "$out/digits.csv"
    RAYON_NUM_THREADS=1 "$out/$lib/release/trainer-cmp" 28 1 "$out/digits.csv"
  done
  t0=$(date +%s.%N)
  RUSTFLAGS='--cfg getrandom_backend="wasm_js"' CARGO_TARGET_DIR="$out/$lib-wasm" \
    cargo build --quiet --release --lib --target wasm32-unknown-unknown --manifest-path "$dir/Cargo.toml" "${feat[@]}"
  t1=$(date +%s.%N)
  wasm="$out/$lib-wasm/wasm32-unknown-unknown/release/trainer.wasm"
  echo "$lib: clean wasm32 build $(printf '%.0f' "$(echo "$t1 - $t0" | bc)") s, $(wc -c < "$wasm") bytes, $(gzip -9c "$wasm" | wc -c) gzipped"
done
