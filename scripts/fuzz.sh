#!/usr/bin/env bash
# Fuzzes the untrusted inputs with libFuzzer (cargo-fuzz, nightly Rust; not in CI):
#   bash scripts/fuzz.sh [TARGET...]      default: every target
#   bash scripts/fuzz.sh --summary         only the table of the last runs' logs
# Each target runs until 10^7 executions or 30 minutes, whichever comes first, with a 1 s
# timeout per input and a 2 GiB memory limit, on the kept corpus in fuzz/corpus/TARGET.
# Logs go to target/fuzz-logs/; the last line of each is libFuzzer's summary, which
# docs/reliability.md records. A crash leaves its input in fuzz/artifacts/TARGET/: copy it to
# fuzz/regressions/TARGET/ (tests/fuzz.rs replays those on stable in CI) and fix the cause.
# RUNS and SECONDS_MAX override the budget (e.g. RUNS=100000 for a quick look).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/.tools/bin:$PATH"
command -v cargo-fuzz >/dev/null || cargo install --locked cargo-fuzz --version 0.13.2 --root .tools
rustup toolchain list | grep -q nightly || { echo "fuzz.sh needs a nightly toolchain (rustup toolchain install nightly)"; exit 2; }
summary_only=0
if [ "${1:-}" = "--summary" ]; then summary_only=1; shift; fi
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(arch space profile shgo state samples calibration lessons nb201)
mkdir -p target/fuzz-logs
cd fuzz
# fuzz/ is a member of the project's workspace (one lock file, one [patch] set); the release
# profile it would inherit is the site's (LTO, one codegen unit): the fuzzers keep the profile
# they had as a workspace of their own, with debug info for the backtraces.
export CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 CARGO_PROFILE_RELEASE_DEBUG=1
if [ "$summary_only" = 0 ]; then
# Memory safety is Rust's; what the fuzzer looks for is panics, hangs and runaway memory, so no
# sanitizer (ASan would cut the executions per second by 5-8x).
cargo +nightly fuzz build -O -s none
for t in "${targets[@]}"; do
  mkdir -p "corpus/$t"
  echo "== $t ($(date -u +%FT%TZ))"
  cargo +nightly fuzz run -O -s none "$t" "corpus/$t" -- \
    -runs="${RUNS:-10000000}" -max_total_time="${SECONDS_MAX:-1800}" -timeout=1 -rss_limit_mb=2048 \
    -max_len=8192 -print_final_stats=1 2>&1 | tee "../target/fuzz-logs/$t.log" | grep -E "DONE|ERROR|panicked|Timeout|crash-|stat::number_of_executed_units|stat::peak_rss_mb" || true
done
fi
cd ..
# The table docs/reliability.md records, from the logs.
echo
echo "| target | executions | seconds | exec/s | corpus (files) | peak RSS (MB) | crashes |"
echo "|---|---|---|---|---|---|---|"
for t in "${targets[@]}"; do
  log="target/fuzz-logs/$t.log"
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
  secs=$(grep -o 'Done [0-9]* runs in [0-9]* second' "$log" | awk '{print $5}' | tail -1)
  rss=$(grep -o 'stat::peak_rss_mb: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
  crashes=$(grep -c -E 'ERROR: libFuzzer|panicked at|==[0-9]+== ERROR' "$log" || true)
  files=$(ls "fuzz/corpus/$t" | wc -l)
  rate=$([ -n "$secs" ] && [ "$secs" -gt 0 ] && echo $(( ${runs:-0} / secs )) || echo "–")
  echo "| $t | ${runs:-–} | ${secs:-–} | $rate | $files | ${rss:-–} | $crashes |"
done
