#!/usr/bin/env python3
"""flash-nas's synflow against PyTorch's on NAS-Bench-201's own model (not in CI).

    python3 -m venv V && V/bin/pip install torch scipy && V/bin/pip install --no-deps xautodl==1.0.0
    V/bin/python scripts/nb201_synflow.py [--cells 200] [--seed 1]

Reads flash-nas's synflow of every cell (data/nb201/synflow.csv, `flash nb201 synflow`)
and the cell strings (data/nb201/cells.csv); for CELLS cells drawn at random among
those whose output is connected to their input (a cut-off cell scores 0 on both
sides), computes synflow on xautodl's TinyNetwork(C=16, N=5, genotype, 10) the way
flash-nas defines it (src/train/proxies.rs; Tanaka et al. 2020): batch norm removed,
every weight made positive, double precision, one all-ones 3x32x32 input, R = the
sum of the logits, score = sum over conv and linear weights of |w * dR/dw|. Weights
come from PyTorch's default initialisation, flash-nas's from burn's (both uniform
within 1/sqrt(fan-in)), so the values differ draw by draw; the claim is about ranks:
Spearman and Kendall between the two, and the fraction of pairs ordered alike.
"""
import argparse
import csv
import os
import random

import torch
from scipy.stats import kendalltau, spearmanr
from xautodl.models.cell_infers.tiny_network import TinyNetwork
from xautodl.models.cell_searchs.genotypes import Structure

ROOT = os.path.join(os.path.dirname(__file__), "..")


def read_rows(path, skip_header):
    with open(path) as f:
        lines = [l.strip() for l in f if l.strip() and not l.startswith("#")]
    return [l.split(",", 1) for l in lines[1:]] if skip_header else lines


def torch_synflow(arch, seed):
    torch.manual_seed(seed)
    net = TinyNetwork(16, 5, Structure.str2structure(arch), 10)
    for name, module in list(net.named_modules()):
        for child_name, child in list(module.named_children()):
            if isinstance(child, torch.nn.BatchNorm2d):
                setattr(module, child_name, torch.nn.Identity())
    net = net.double()
    with torch.no_grad():
        for p in net.parameters():
            p.abs_()
    net.zero_grad()
    _, logits = net(torch.ones(1, 3, 32, 32, dtype=torch.float64))
    logits.sum().backward()
    score = 0.0
    for m in net.modules():
        if isinstance(m, (torch.nn.Conv2d, torch.nn.Linear)) and m.weight.grad is not None:
            score += (m.weight * m.weight.grad).abs().sum().item()
    return score


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cells", type=int, default=200)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    cells = [arch for _, arch in read_rows(os.path.join(ROOT, "data/nb201/cells.csv"), True)]
    ours = [float(v) for _, v in read_rows(os.path.join(ROOT, "data/nb201/synflow.csv"), True)]
    assert len(ours) == len(cells) == 15625, (len(ours), len(cells))
    connected = [r for r in range(len(cells)) if ours[r] > 0]
    rows = random.Random(args.seed).sample(connected, args.cells)
    a = [ours[r] for r in rows]
    b = [torch_synflow(cells[r], args.seed) for r in rows]
    rho, tau = spearmanr(a, b)[0], kendalltau(a, b)[0]
    print(f"{args.cells} connected cells drawn with seed {args.seed}: Spearman {rho:.4f}, Kendall {tau:.4f} (flash-nas's synflow against PyTorch's on xautodl's TinyNetwork)")
    print(f"torch {torch.__version__}, xautodl 1.0.0")


if __name__ == "__main__":
    main()
