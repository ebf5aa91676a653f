#!/usr/bin/env python3
"""Checks flash-nas's NAS-Bench-201 networks against the benchmark's own model code (not in CI).

    python3 -m venv V && V/bin/pip install torch && V/bin/pip install --no-deps xautodl==1.0.0
    cargo run --release -- nb201 counts > counts.csv
    V/bin/python scripts/nb201_xautodl.py counts.csv [--cells 500] [--seed 1]

For every cell whose six edges carry one and the same operation, every cell with a
single operation on one edge (the rest `none`), and CELLS cells drawn at random,
builds xautodl's TinyNetwork(C=16, N=5, genotype, 10 classes) (NAS-Bench-201's
model, xautodl/models/cell_infers/tiny_network.py) and compares:
  * parameters: sum of numel() over the model's parameters (conv weights, BN affine
    weights and biases, the classifier's weight and bias);
  * MACs: counted by forward hooks on every Conv2d and Linear of the model on a
    1x3x32x32 input: out_elements x in_channels/groups x kh x kw (+0 for biases),
    flash-nas's convention (docs/workload.md; pooling, BN and adds are not counted).
Prints one line per mismatch and a summary; exits 1 on any mismatch.
"""
import argparse
import csv
import random
import sys

import torch
from xautodl.models.cell_infers.tiny_network import TinyNetwork
from xautodl.models.cell_searchs.genotypes import Structure

OPS = ["none", "skip_connect", "avg_pool_3x3", "nor_conv_1x1", "nor_conv_3x3"]


def genotype(arch):
    return Structure.str2structure(arch)


def count(arch):
    net = TinyNetwork(16, 5, genotype(arch), 10)
    net.eval()
    params = sum(p.numel() for p in net.parameters())
    macs = 0

    def hook(module, inputs, output):
        nonlocal macs
        if isinstance(module, torch.nn.Conv2d):
            kh, kw = module.kernel_size
            macs += output.numel() * (module.in_channels // module.groups) * kh * kw
        elif isinstance(module, torch.nn.Linear):
            macs += module.in_features * module.out_features

    handles = [m.register_forward_hook(hook) for m in net.modules() if isinstance(m, (torch.nn.Conv2d, torch.nn.Linear))]
    with torch.no_grad():
        net(torch.zeros(1, 3, 32, 32))
    for h in handles:
        h.remove()
    return params, macs


def cell(ops):
    e = iter(ops)
    return "|" + "+|".join("".join(f"{next(e)}~{i}|" for i in range(j)) for j in (1, 2, 3))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("counts")
    ap.add_argument("--cells", type=int, default=500)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    ours = {}
    with open(args.counts) as f:
        for r in csv.DictReader(f):
            ours[r["arch"]] = (int(r["params"]), int(r["macs"]))
    chosen = [cell([op] * 6) for op in OPS]
    for e in range(6):
        for op in OPS[1:]:
            ops = ["none"] * 6
            ops[e] = op
            chosen.append(cell(ops))
    rng = random.Random(args.seed)
    rest = sorted(set(ours) - set(chosen))
    chosen += rng.sample(rest, args.cells)
    bad = 0
    for arch in chosen:
        theirs = count(arch)
        if ours[arch] != theirs:
            bad += 1
            print(f"MISMATCH {arch}: flash-nas params {ours[arch][0]} MACs {ours[arch][1]}, xautodl params {theirs[0]} MACs {theirs[1]}")
    print(f"{len(chosen)} cells ({len(chosen) - args.cells} uniform or single-operation, {args.cells} drawn with seed {args.seed}): {len(chosen) - bad} equal, {bad} differ")
    print(f"torch {torch.__version__}, xautodl 1.0.0 TinyNetwork(C=16, N=5, classes=10)")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
