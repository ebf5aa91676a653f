#!/usr/bin/env bash
# The exact method's table (docs/benchmarks.md, "The exact optimum with a
# budget"): every goal kind on the default space with issue 16's IMC knobs,
# wall clock and peak memory per goal, and the certificate.
# Usage: scripts/exact_table.sh [FLASH_BINARY]   (default: a fresh release build)
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-}
if [ -z "$bin" ]; then
  cargo build --release --locked --bin flash
  bin=target/release/flash
fi
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for g in 'max-accuracy' 'max-accuracy,latency<=6' 'max-accuracy,energy<=0.05' \
  'max-accuracy,area<=1' 'max-accuracy,memory<=1' 'min-latency,degree>=238' \
  'min-energy,degree>=238' 'min-area,degree>=238' 'min-memory,degree>=238' \
  'min-edp,degree>=238' 'min-edap,degree>=238' 'pareto-latency' 'pareto-energy' \
  'pareto-area' 'pareto-memory'; do
  /usr/bin/time -f "%e s %M KB" -o "$out/time" "$bin" search --profile rram-imc \
    --knobs 'rows+cols=64,128,256;adc_bits=4..8' --goal "$g" --solver exact \
    2>/dev/null >"$out/result.json"
  summary=$(grep '"summary"' "$out/result.json" | sed 's/.*: //')
  printf '%-28s %s | %s\n' "$g" "$(cat "$out/time")" "$summary"
done
