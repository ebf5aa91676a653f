#!/usr/bin/env python3
"""Cross-check of a sample set against PyTorch (issue 15; not run by CI).

Trains the first N networks of a flash-nas sample CSV in PyTorch, each built from
the project's own export (`flash pytorch ARCH`), with the documented budget
(Adam, learning rate 0.003 cosine-decayed to 0, cross-entropy, batch 32, the
set's epochs), on the digits data set with an independent split and
initialisation (numpy/torch seeds, not the project's). Prints, per network, our
accuracy and PyTorch's, then Kendall's tau and Spearman's rho between the two,
the mean absolute difference, and the time per network of each trainer.

usage: scripts/pytorch_crosscheck.py SAMPLES.csv [N] [FLASH_BINARY]
"""
import csv, gzip, math, subprocess, sys, time, types

import numpy as np
import torch
import torch.nn.functional as F

torch.set_num_threads(1)


def kendall(x, y):
    c = d = tx = ty = 0
    for i in range(len(x)):
        for j in range(i + 1, len(x)):
            a, b = np.sign(x[i] - x[j]), np.sign(y[i] - y[j])
            if a == 0 and b == 0:
                continue
            if a == 0:
                tx += 1
            elif b == 0:
                ty += 1
            elif a == b:
                c += 1
            else:
                d += 1
    return (c - d) / math.sqrt((c + d + tx) * (c + d + ty))


def ranks(v):
    order = sorted(range(len(v)), key=lambda i: v[i])
    r = [0.0] * len(v)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and v[order[j + 1]] == v[order[i]]:
            j += 1
        for k in range(i, j + 1):
            r[order[k]] = (i + j) / 2 + 1
        i = j + 1
    return r


def spearman(x, y):
    return float(np.corrcoef(ranks(x), ranks(y))[0, 1])


def main():
    path = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 20
    flash = sys.argv[3] if len(sys.argv) > 3 else "target/release/flash"
    rows = [r for r in csv.DictReader(l for l in open(path) if not l.startswith("#"))][:n]
    epochs = int(rows[0]["budget"].split("-e")[1].split("-")[0])
    data = np.array([[float(v) for v in line.split(",")] for line in gzip.open("data/datasets/digits.csv.gz", "rt")])
    x = torch.tensor(data[:, :64] / 16.0, dtype=torch.float32).reshape(-1, 1, 8, 8)
    y = torch.tensor(data[:, 64], dtype=torch.long)
    perm = np.random.default_rng(0).permutation(len(x))
    tr, te = perm[:1437], perm[1437:]
    ours, theirs, seconds = [], [], []
    for k, row in enumerate(rows):
        source = subprocess.run([flash, "pytorch", row["arch"]], check=True, capture_output=True, text=True).stdout
        module = types.ModuleType("net")
        exec(source, module.__dict__)
        torch.manual_seed(k)
        net = module.Net()
        start = time.perf_counter()
        opt = torch.optim.Adam(net.parameters(), lr=3e-3)
        steps = epochs * math.ceil(len(tr) / 32)
        sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: 0.5 * (1 + math.cos(math.pi * s / steps)))
        gen = np.random.default_rng(k)
        net.train()
        for _ in range(epochs):
            order = gen.permutation(tr)
            for b in range(0, len(order), 32):
                idx = order[b:b + 32]
                loss = F.cross_entropy(net(x[idx]), y[idx])
                opt.zero_grad()
                loss.backward()
                opt.step()
                sched.step()
        net.eval()
        with torch.no_grad():
            acc = (net(x[te]).argmax(1) == y[te]).float().mean().item()
        seconds.append(time.perf_counter() - start)
        ours.append(float(row["test_accuracy"]))
        theirs.append(acc)
        print(f"{row['arch']}: ours {ours[-1]:.4f}  pytorch {acc:.4f}  ({seconds[-1]:.1f} s)", flush=True)
    ours_s = [float(r["seconds"]) for r in rows]
    print(f"\n{len(rows)} networks of {path}: Kendall tau {kendall(ours, theirs):.3f}, Spearman rho {spearman(ours, theirs):.3f}, "
          f"mean |difference| {np.mean(np.abs(np.array(ours) - np.array(theirs))):.4f}")
    print(f"time per network: PyTorch {np.mean(seconds):.1f} s (torch {torch.__version__}, one thread), "
          f"flash train {np.mean(ours_s):.1f} s (its CSV's seconds column)")


if __name__ == "__main__":
    main()
