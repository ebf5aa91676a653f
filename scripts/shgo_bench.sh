#!/usr/bin/env bash
# SHGO against scipy.optimize.shgo (docs/shgo.md, docs/benchmarks.md).
# Needs PyPI for scipy, so CI does not run it.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=.tools/scipy-venv
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet scipy==1.17.0
fi
cargo build --release --locked --bin flash
"$venv/bin/python" scripts/shgo_bench.py "$@"
