#!/usr/bin/env bash
# Issue 17's held-out validation on this machine, end to end (not part of CI: it
# installs PyTorch from PyPI and takes about 10 minutes on 2 cores).
#
#   bash scripts/pytorch_validate.sh [SEED] [SAMPLES] [OUT_PREFIX]
#
# 1. draws SAMPLES networks (default 250) uniformly from FLASH's default space with
#    SEED (default 2027) and times them with flash's own timer (5 rounds, the
#    fastest kept), writing OUT_PREFIX-own.csv and this device's roofs to
#    OUT_PREFIX-device.json;
# 2. times the same networks in PyTorch (CPU, batch 1, one thread, 5 rounds):
#    OUT_PREFIX-pytorch.csv (resumable: rerun to continue);
# 3. calibrates the device profile on the first 25 networks of each set and
#    predicts the rest, with the two linear baselines beside the model
#    (OUT_PREFIX-own-report.json, OUT_PREFIX-pytorch-report.json, and a table).
set -euo pipefail
cd "$(dirname "$0")/.."
seed=${1:-2027}
samples=${2:-250}
prefix=${3:-data/measurements/validation-$seed}
venv=.tools/torch-venv
if ! "$venv/bin/python" -c 'import torch' 2>/dev/null; then
  echo "installing PyTorch (CPU use only) into $venv" >&2
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet torch numpy
fi
cargo build --release --offline --bin flash 2>/dev/null || cargo build --release --bin flash
flash=target/release/flash
if [ ! -s "$prefix-own.csv" ]; then
  "$flash" hw measure --space default --samples "$samples" --seed "$seed" --repeats 5 --rounds 5 \
    --out "$prefix-own.csv" --profile-out "$prefix-device.json"
fi
"$venv/bin/python" scripts/pytorch_latency.py "$prefix-own.csv" "$prefix-pytorch.csv" "$flash" --rounds 5
for set in own pytorch; do
  "$flash" hw calibrate "$prefix-device.json" "$prefix-$set.csv" --train 25 > "$prefix-$set-report.json"
done
python3 - "$prefix" <<'EOF'
import json, sys
prefix = sys.argv[1]
for name, label in (("own", "flash's own timer"), ("pytorch", "PyTorch")):
    r = json.load(open(f"{prefix}-{name}-report.json"))
    t = r["targets"][0]
    print(f"\n{label}: calibrated on {r['train']}, predicting {t['held_out']['samples']} held out")
    print("| predictor | MAPE | max error | within ±10 % | Kendall τ |")
    print("|---|---|---|---|---|")
    rows = [("roofline model (fitted)", t["held_out"])] + [(b["name"], b["held_out"]) for b in t["baselines"]]
    for n, e in rows:
        print(f"| {n} | {e['mape']:.1f} % | {e['max_ape']:.1f} % | {e['within_10pct'] * 100:.0f} % | {e['kendall_tau']:.3f} |")
EOF
