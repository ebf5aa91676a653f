#!/usr/bin/env python3
"""Two readings of NN-Degree for a NAS-Bench-201 cell, compared on the 12-epoch columns only
(not in CI; docs/nn-degree.md, "The other reading, tried and rejected").

    python3 -m venv V && V/bin/pip install scipy
    V/bin/python scripts/nb201_degree_variants.py

* nodes: the channels of the cell's nodes 1..3 on a path from input to output; a convolution
  edge gives C in-edges per channel, a pooling or the identity 1 (flash-nas's definition,
  src/space/nb201.rs; recomputed here independently of the Rust code);
* producers: the live convolutions' output channels are the nodes; a sum is a channel with
  several producers, read C times per producer by a later convolution.

The choice between them was made on CIFAR-10 and CIFAR-100 after 12 epochs, so the figures the
claims rest on (CIFAR-10 after 200 epochs) played no part in it; this script prints both.
"""
import os

from scipy.stats import spearmanr

ROOT = os.path.join(os.path.dirname(__file__), "..")
OPS = ["none", "skip_connect", "avg_pool_3x3", "nor_conv_1x1", "nor_conv_3x3"]
EDGES = [(1, 0), (2, 0), (2, 1), (3, 0), (3, 1), (3, 2)]


def column(name):
    with open(os.path.join(ROOT, "data", "nb201", f"{name}.csv")) as f:
        lines = [l.strip() for l in f if l.strip() and not l.startswith("#")]
    return [float(v) for v in lines[1:]]


def ops_of_row(r):
    ops = []
    for _ in range(6):
        ops.append(OPS[r % 5])
        r //= 5
    return ops[::-1]


def live(ops):
    fwd = [True, False, False, False]
    for (j, i), o in zip(EDGES, ops):
        if o != "none" and fwd[i]:
            fwd[j] = True
    bwd = [False, False, False, True]
    for (j, i), o in reversed(list(zip(EDGES, ops))):
        if o != "none" and bwd[j]:
            bwd[i] = True
    return [f and b for f, b in zip(fwd, bwd)]


def nodes_degree(ops):
    lv = live(ops)
    total = 0.0
    for c in (16, 32, 64):
        e = n = 0
        for j in (1, 2, 3):
            if not lv[j]:
                continue
            n += 1
            for (jj, i), o in zip(EDGES, ops):
                if jj == j and lv[i] and o != "none":
                    e += c if o.startswith("nor_conv") else 1
        total += 5 * (e / n if n else 0.0)
    return total


def producers_degree(ops):
    lv = live(ops)
    total = 0.0
    p = frozenset(["stem"])
    for s, c in enumerate((16, 32, 64)):
        if s > 0:
            p = frozenset([("reduce", s)])
        for k in range(5):
            node = {0: p}
            e = n = 0
            for j in (1, 2, 3):
                pj = set()
                for (jj, i), o in zip(EDGES, ops):
                    if jj != j or o == "none":
                        continue
                    src = node.get(i, frozenset())
                    if o.startswith("nor_conv"):
                        if lv[jj] and lv[i]:
                            n += c
                            e += c * c * len(src)
                        if src:
                            pj.add((s, k, jj, i))
                    else:
                        pj |= set(src)
                node[j] = frozenset(pj)
            p = node[3]
            total += e / n if n else 0.0
    return total


def main():
    cells = [ops_of_row(r) for r in range(15625)]
    a = [nodes_degree(o) for o in cells]
    b = [producers_degree(o) for o in cells]
    for name in ["cifar10_test_12ep", "cifar100_test_12ep"]:
        y = column(name)
        print(f"{name}: Spearman nodes {spearmanr(a, y)[0]:.3f}, producers {spearmanr(b, y)[0]:.3f}")


if __name__ == "__main__":
    main()
