#!/usr/bin/env python3
"""Time flash-nas networks in PyTorch (CPU, batch 1, one thread): issue 17's real runtime.

usage: scripts/pytorch_latency.py ARCHS.csv OUT.csv [FLASH_BINARY] [--repeats R] [--rounds N]

ARCHS.csv is any CSV with an `arch` column (e.g. what `flash hw measure` writes; `#` lines are
skipped). Each architecture is exported with `flash pytorch ARCH`, built in eval mode with
seeded weights, run under torch.inference_mode() for 3 warm-up passes and then R timed passes
(default 7); a pass shorter than 2 ms is timed in loops lasting at least 2 ms. OUT.csv gets one
row per network in the `flash hw calibrate` format.

The machine's speed varies over seconds, so every network is timed in several rounds spread over
the run (--rounds, default 5) and its latency is the fastest round's median (min, max and MAD are
over the rounds). Resumable: each (network, round) is appended to OUT.csv.rounds as it finishes
and skipped when rerun; OUT.csv is written at the end; progress goes to stderr. Not part of CI (it needs PyTorch from PyPI: scripts/pytorch_validate.sh
installs it into .tools/torch-venv).
"""
import csv
import os
import platform
import statistics
import subprocess
import sys
import time
import types
import zlib

import torch

torch.set_num_threads(1)
torch.set_num_interop_threads(1)
# Random weights in eval mode (BatchNorm with unit running statistics) can shrink
# activations into subnormal numbers, which x86 computes tens of times slower; a
# deployed network would not run there, and without this the same network timed
# twice differed by up to 50 %.
torch.set_flush_denormal(True)


def cpu_name():
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def time_once(net, x, repeats):
    """Median of `repeats` passes (each a loop lasting >= 2 ms), and the loop length."""
    with torch.inference_mode():
        start = time.perf_counter()
        net(x)
        once = time.perf_counter() - start
        loops = max(1, min(1000, int(0.002 / max(once, 1e-9)) + 1)) if once < 0.002 else 1
        runs = []
        for _ in range(repeats):
            start = time.perf_counter()
            for _ in range(loops):
                net(x)
            runs.append((time.perf_counter() - start) / loops * 1e3)
    return statistics.median(runs), loops


def build(flash, arch):
    code = subprocess.run([flash, "pytorch", arch], check=True, capture_output=True, text=True).stdout
    module = types.ModuleType("net")
    exec(code, module.__dict__)
    # Weights seeded by the architecture, so a rerun times the same network.
    torch.manual_seed(zlib.crc32(arch.encode()))
    net = module.Net().eval()
    x = torch.randn(1, *module.INPUT_SHAPE, generator=torch.Generator().manual_seed(0))
    with torch.inference_mode():
        for _ in range(3):
            net(x)
    return net, x


def main():
    args = [a for a in sys.argv[1:]]
    opts = {"--repeats": 7, "--rounds": 5}
    for key in opts:
        if key in args:
            i = args.index(key)
            opts[key] = int(args[i + 1])
            del args[i:i + 2]
    repeats, rounds = opts["--repeats"], opts["--rounds"]
    if len(args) < 2:
        sys.exit(__doc__)
    source, out = args[0], args[1]
    flash = args[2] if len(args) > 2 else "target/release/flash"
    archs = [r["arch"] for r in csv.DictReader(l for l in open(source) if not l.startswith("#"))]
    journal = out + ".rounds"
    seen = {}
    if os.path.exists(journal):
        for line in open(journal):
            arch, rnd, ms, loops = line.rstrip("\n").rsplit(",", 3)
            seen[(arch, int(rnd))] = (float(ms), int(loops))
    nets = {}
    total = len(archs) * rounds
    with open(journal, "a") as j:
        for rnd in range(rounds):
            for k, arch in enumerate(archs):
                if (arch, rnd) in seen:
                    continue
                if arch not in nets:
                    nets[arch] = build(flash, arch)
                ms, loops = time_once(*nets[arch], repeats)
                seen[(arch, rnd)] = (ms, loops)
                j.write(f"{arch},{rnd},{ms:.5f},{loops}\n")
                j.flush()
                print(f"[{rnd * len(archs) + k + 1}/{total}] round {rnd + 1}/{rounds} {arch}: {ms:.3f} ms",
                      file=sys.stderr, flush=True)
    with open(out, "w", newline="") as f:
        f.write(f"# PyTorch {torch.__version__} CPU, batch 1, fp32, one thread, eval mode, inference_mode, "
                f"subnormals flushed; per round: 3 warm-up passes, then the median of {repeats} timed passes "
                f"(loops of >= 2 ms); {rounds} rounds over all networks; latency = the fastest round\n")
        f.write(f"# why the fastest round: this machine's speed varies over seconds (one network timed for 20 s "
                f"ranged 3.7-7.2 ms); a slow spell only adds time, and rounds spread each network over the run\n")
        f.write(f"# command: scripts/pytorch_latency.py {source} {out} --repeats {repeats} --rounds {rounds}\n")
        f.write(f"# machine: {cpu_name()}, {os.cpu_count()} cores ({platform.system().lower()} "
                f"{platform.machine()}); date: {time.strftime('%Y-%m-%d')}\n")
        f.write("arch,latency_ms,latency_min_ms,latency_max_ms,latency_mad_ms,repeats,loops\n")
        for arch in archs:
            r = [seen[(arch, i)][0] for i in range(rounds)]
            med = statistics.median(r)
            mad = statistics.median(abs(v - med) for v in r)
            f.write(f"{arch},{min(r):.5f},{min(r):.5f},{max(r):.5f},{mad:.5f},{rounds},{seen[(arch, 0)][1]}\n")


if __name__ == "__main__":
    main()
