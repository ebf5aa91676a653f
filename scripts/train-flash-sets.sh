#!/usr/bin/env bash
# Trains issue 15's sample sets in FLASH's space on digits (docs/accuracy.md, "In FLASH's own
# space"): 100 uniform networks, 25 stratified, the first 20 at 12 epochs, and the first 20 with
# seeds 1..5. About 45 minutes of a 2-core machine. Resumable: run it again to go on where it
# stopped. Not run by CI.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --locked --release --bin flash
flash=target/release/flash
S='digits/dense/cells=3;d=2..11;w=8..64:8;t=0..49'
$flash train --dataset digits --space "$S" --design uniform --samples 100 --seed 1 --jobs 2 --out data/samples/digits-flash.csv
$flash train --dataset digits --space "$S" --design stratified --samples 25 --seed 1 --jobs 2 --out data/samples/digits-flash-design.csv
$flash train --dataset digits --space "$S" --design uniform --samples 20 --seed 1 --epochs 12 --jobs 2 --out data/samples/digits-flash-long.csv
$flash train --dataset digits --space "$S" --design uniform --samples 20 --seed 1 --seeds 5 --jobs 2 --out data/samples/digits-flash-noise.csv
