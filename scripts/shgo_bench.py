"""SHGO: ours (the `flash shgo` command) against scipy.optimize.shgo.

    bash scripts/shgo_bench.sh            # sets up scipy in .tools/, builds, runs
    python3 scripts/shgo_bench.py [--quick] [--json OUT] [--local slsqp|cobyla] [--set fresh|constrained]
                                  [--kraft] [--from SAVED.json]

`--from` prints a run saved with `--json` again (the polish recomputed) without running it.

`--kraft` runs ours with SLSQP's roundoff stop off (Kraft's rule, as scipy runs it).

Runs both on the same problems with the same n / iters / sampling / local
method and prints, per run: the minimum found, nfev, median wall time and the
ratios, and which minimum each side's point belongs to: both final points are
polished by the same tight local search (scipy's SLSQP, ftol 1e-15), so a
point that stopped at COBYLA's `tol = 1e-4` radius is judged by the minimum it
sits at, not by where its stopping rule happened to leave it. Needs scipy 1.17 from PyPI, so it is kept out of CI.
Problem definitions mirror src/shgo/problems.rs.
"""
import json
import math
import os
import statistics
import subprocess
import sys
import time

import numpy as np
import scipy
from scipy.optimize import minimize, shgo

PI = math.pi


def t1(x): return x[0] ** 2 + x[1] ** 2
def t1_g(x): return -(x[0] + x[1] - 6.0)
def t2(x): return (x[0] - 30.0) * math.sin(x[0])
def t2_g(x): return 58.0 - x[0]
def t3(x): return 0.01 * x[0] ** 2 + x[1] ** 2
def t3_g1(x): return x[0] * x[1] - 25.0
def t3_g2(x): return x[0] ** 2 + x[1] ** 2 - 25.0


def t4(x):
    return ((x[0] - 10) ** 2 + 5 * (x[1] - 12) ** 2 + x[2] ** 4 + 3 * (x[3] - 11) ** 2
            + 10 * x[4] ** 6 + 7 * x[5] ** 2 + x[6] ** 4 - 4 * x[5] * x[6] - 10 * x[5] - 8 * x[6])


def t4_g1(x): return -(2 * x[0] ** 2 + 3 * x[1] ** 4 + x[2] + 4 * x[3] ** 2 + 5 * x[4] - 127)
def t4_g2(x): return -(7 * x[0] + 3 * x[1] + 10 * x[2] ** 2 + x[3] - x[4] - 282.0)
def t4_g3(x): return -(23 * x[0] + x[1] ** 2 + 6 * x[5] ** 2 - 8 * x[6] - 196)
def t4_g4(x): return -(4 * x[0] ** 2 + x[1] ** 2 - 3 * x[0] * x[1] + 2 * x[2] ** 2 + 5 * x[5] - 11 * x[6])


def eggholder(x):
    return (-(x[1] + 47.0) * math.sin(math.sqrt(abs(x[0] / 2.0 + (x[1] + 47.0))))
            - x[0] * math.sin(math.sqrt(abs(x[0] - (x[1] + 47.0)))))


def lj2(x):
    d2 = sum((x[k] - x[k + 3]) ** 2 for k in range(3))
    u = d2 ** 3
    return (1.0 / u - 2.0) / u if d2 > 0 else 0.0


def sphere_shifted(x): return sum((v - 0.5) ** 2 for v in x)
def rosen(x): return sum(100 * (x[i + 1] - x[i] ** 2) ** 2 + (1 - x[i]) ** 2 for i in range(len(x) - 1))


def branin(x):
    a, b, c, r, s, t = 1.0, 5.1 / (4 * PI ** 2), 5 / PI, 6.0, 10.0, 1 / (8 * PI)
    return a * (x[1] - b * x[0] ** 2 + c * x[0] - r) ** 2 + s * (1 - t) * math.cos(x[0]) + s


def six_hump_camel(x):
    a, c = x
    return (4 - 2.1 * a * a + a ** 4 / 3) * a * a + a * c + (-4 + 4 * c * c) * c * c


def goldstein_price(x):
    a, c = x
    return ((1 + (a + c + 1) ** 2 * (19 - 14 * a + 3 * a * a - 14 * c + 6 * a * c + 3 * c * c))
            * (30 + (2 * a - 3 * c) ** 2 * (18 - 32 * a + 12 * a * a + 48 * c - 36 * a * c + 27 * c * c)))


H3_A = [[3.0, 10, 30], [0.1, 10, 35], [3.0, 10, 30], [0.1, 10, 35]]
H3_P = [[0.3689, 0.1170, 0.2673], [0.4699, 0.4387, 0.7470], [0.1091, 0.8732, 0.5547], [0.03815, 0.5743, 0.8828]]
H_C = [1.0, 1.2, 3.0, 3.2]
H6_A = [[10, 3, 17, 3.5, 1.7, 8], [0.05, 10, 17, 0.1, 8, 14], [3, 3.5, 1.7, 10, 17, 8], [17, 8, 0.05, 10, 0.1, 14]]
H6_P = [[0.1312, 0.1696, 0.5569, 0.0124, 0.8283, 0.5886], [0.2329, 0.4135, 0.8307, 0.3736, 0.1004, 0.9991],
        [0.2348, 0.1451, 0.3522, 0.2883, 0.3047, 0.6650], [0.4047, 0.8828, 0.8732, 0.5743, 0.1091, 0.0381]]


def hartmann3(x): return -sum(H_C[i] * math.exp(-sum(H3_A[i][j] * (x[j] - H3_P[i][j]) ** 2 for j in range(3))) for i in range(4))
def hartmann6(x): return -sum(H_C[i] * math.exp(-sum(H6_A[i][j] * (x[j] - H6_P[i][j]) ** 2 for j in range(6))) for i in range(4))


def shubert(x):
    p = 1.0
    for v in x:
        p *= sum(j * math.cos((j + 1) * v + j) for j in range(1, 6))
    return p


def rastrigin(x): return 10 * len(x) + sum(v * v - 10 * math.cos(2 * PI * v) for v in x)


def ackley(x):
    n = len(x)
    s1 = sum(v * v for v in x) / n
    s2 = sum(math.cos(2 * PI * v) for v in x) / n
    return -20 * math.exp(-0.2 * math.sqrt(s1)) - math.exp(s2) + 20 + math.e


def styblinski_tang(x): return sum(v ** 4 - 16 * v * v + 5 * v for v in x) / 2


def levy(x):
    w = [1 + (v - 1) / 4 for v in x]
    s = math.sin(PI * w[0]) ** 2
    for wi in w[:-1]:
        s += (wi - 1) ** 2 * (1 + 10 * math.sin(PI * wi + 1) ** 2)
    return s + (w[-1] - 1) ** 2 * (1 + math.sin(2 * PI * w[-1]) ** 2)


def box(lo, hi, d): return [(lo, hi)] * d


PROBLEMS = {
    "t1": (t1, box(-1, 6, 2), [t1_g]),
    "t1_unit": (t1, box(0, 1, 2), [t1_g]),
    "t1_unbounded": (t1, box(-1e50, 1e50, 2), [t1_g]),
    "t2": (t2, box(0, 60, 1), [t2_g]),
    "t2_short": (t2, box(0, 4.5, 1), [t2_g]),
    "t3_hs18": (t3, [(2, 50), (0, 50)], [t3_g1, t3_g2]),
    "t4_hs100": (t4, box(-10, 10, 7), [t4_g1, t4_g2, t4_g3, t4_g4]),
    "eggholder": (eggholder, box(-512, 512, 2), []),
    "lennard_jones_2": (lj2, box(-4, 4, 6), []),
    "sphere_shifted_4": (sphere_shifted, box(0, 2, 4), []),
    "rosenbrock_5": (rosen, box(0, 2, 5), []),
    "branin": (branin, [(-5, 10), (0, 15)], []),
    "six_hump_camel": (six_hump_camel, [(-3, 3), (-2, 2)], []),
    "goldstein_price": (goldstein_price, box(-2, 2, 2), []),
    "hartmann3": (hartmann3, box(0, 1, 3), []),
    "hartmann6": (hartmann6, box(0, 1, 6), []),
    "shubert": (shubert, box(-10, 10, 2), []),
    "rastrigin_2": (rastrigin, box(-5.12, 5.12, 2), []),
    "ackley_2": (ackley, box(-32.768, 32.768, 2), []),
    "styblinski_tang_3": (styblinski_tang, box(-5, 5, 3), []),
    "levy_3": (levy, box(-10, 10, 3), []),
    "rosenbrock_2": (rosen, box(-5, 10, 2), []),
}

# scipy's own test configurations (test__shgo.py), then the benchmark set.
SCIPY_TESTS = [
    {"problem": "t1", "sampling": "sobol"},
    {"problem": "t1_unit", "sampling": "sobol"},
    {"problem": "t1_unbounded", "sampling": "sobol"},
    {"problem": "t2", "sampling": "sobol"},
    {"problem": "t2_short", "sampling": "sobol"},
    {"problem": "t3_hs18", "sampling": "sobol"},
    {"problem": "t4_hs100", "sampling": "sobol", "n": 1980, "infty_constraints": False},
    {"problem": "eggholder", "sampling": "sobol", "n": 60},
    {"problem": "eggholder", "sampling": "sobol", "n": 60, "iters": 5},
    {"problem": "t1", "sampling": "simplicial", "n": 1},
    {"problem": "t1_unit", "sampling": "simplicial", "n": 1},
    {"problem": "t1_unbounded", "sampling": "simplicial", "n": 5},
    {"problem": "t2", "sampling": "simplicial", "n": 200, "iters": 7, "minimize_every_iter": False},
    {"problem": "t2_short", "sampling": "simplicial", "n": 1},
    {"problem": "t3_hs18", "sampling": "simplicial", "n": 1},
    {"problem": "t4_hs100", "sampling": "simplicial", "n": 1},
    {"problem": "rosenbrock_5", "sampling": "simplicial"},
    {"problem": "rosenbrock_5", "sampling": "sobol"},
    {"problem": "lennard_jones_2", "sampling": "simplicial", "n": 300},
]
GO_SET = ["branin", "six_hump_camel", "goldstein_price", "hartmann3", "hartmann6", "shubert",
          "rastrigin_2", "ackley_2", "styblinski_tang_3", "levy_3", "rosenbrock_2", "eggholder"]
GO_RUNS = [{"problem": p, "sampling": s} for p in GO_SET for s in ("simplicial", "sobol")]
# A second set, for deciding settings without tuning on the table above (`--set fresh`): the
# same functions with other sample sizes, fixed before any run of it.
FRESH_RUNS = [dict(p, problem=f) for f in GO_SET
              for p in ({"sampling": "simplicial", "n": 50}, {"sampling": "sobol", "n": 200})]
# Constrained rows, for checking SLSQP's roundoff stop where it was not found (`--set
# constrained`; `--kraft` runs ours without it), fixed before any run of them (eleventh session).
CONSTRAINED_RUNS = [{"problem": p, "sampling": s, "n": n} for p in ("t1", "t2", "t3_hs18", "t4_hs100")
                    for s, n in (("sobol", 64), ("sobol", 256), ("sobol", 1024), ("simplicial", 30))]
F_STAR = {
    "t1": 0.0, "t1_unit": 0.0, "t1_unbounded": 0.0, "t2": -28.44677132, "t2_short": -28.44677132,
    "t3_hs18": 5.0, "t4_hs100": 680.6300573, "eggholder": -959.6406627208505, "lennard_jones_2": -1.0,
    "sphere_shifted_4": 0.0, "rosenbrock_5": 0.0, "branin": 0.3978873577297382,
    "six_hump_camel": -1.031628453489877, "goldstein_price": 3.0, "hartmann3": -3.862782147820756,
    "hartmann6": -3.322368011391339, "shubert": -186.7309088310239, "rastrigin_2": 0.0, "ackley_2": 0.0,
    "styblinski_tang_3": -39.16616570377141 * 3, "levy_3": 0.0, "rosenbrock_2": 0.0,
}


def run_scipy(spec, repeats):
    f, bounds, gs = PROBLEMS[spec["problem"]]
    cons = [{"type": "ineq", "fun": g} for g in gs] or None
    options = {}
    if not spec.get("infty_constraints", True):
        options["infty_constraints"] = False
    if not spec.get("minimize_every_iter", True):
        options["minimize_every_iter"] = False
    local = spec.get("local", "slsqp")
    kwargs = {"method": "COBYLA"} if local == "cobyla" else None
    times = []
    for _ in range(repeats):
        calls = [0]

        def counted(x):
            calls[0] += 1
            return f(x)
        t = time.perf_counter()
        res = shgo(counted, bounds, constraints=cons, n=spec.get("n", 100), iters=spec.get("iters", 1),
                   sampling_method=spec["sampling"], options=options or None, minimizer_kwargs=kwargs)
        times.append(time.perf_counter() - t)
    fun = float(np.atleast_1d(res.fun)[0]) if res.fun is not None else math.inf
    x = [float(v) for v in np.atleast_1d(res.x)] if res.x is not None and np.size(res.x) else None
    return {"fun": fun, "x": x, "nfev": calls[0], "reported_nfev": int(res.nfev), "seconds": statistics.median(times),
            "success": bool(res.success)}


def polish(spec, x, fun):
    """f at the minimum x belongs to: a tight SLSQP from x inside the box.

    Both sides' points go through this same routine, so the two polished values differ only
    where the points sit in different minima. Where the polish ends infeasible (beyond 1e-7),
    the point's own f stands. No point (no feasible sample): inf.
    """
    if x is None or not all(math.isfinite(v) for v in x):
        return math.inf
    f, bounds, gs = PROBLEMS[spec["problem"]]
    box = [(None if lo <= -1e49 else lo, None if hi >= 1e49 else hi) for lo, hi in bounds]
    start = [min(max(v, lo if lo is not None else v), hi if hi is not None else v) for v, (lo, hi) in zip(x, box)]
    cons = [{"type": "ineq", "fun": g} for g in gs]
    # Central differences: with forward ones SLSQP's line search stalls short of HS100's
    # minimum, 3e-5 above it. Its "positive directional derivative" at a point feasible to
    # 1e-7 is rounding at the minimum, not a failure.
    res = minimize(f, start, jac="3-point", method="SLSQP", bounds=box, constraints=cons,
                   options={"ftol": 1e-15, "maxiter": 1000})
    if not math.isfinite(res.fun) or any(g(res.x) < -1e-7 for g in gs):
        return fun
    return min(float(res.fun), fun)


def run_ours(specs, flash):
    out = subprocess.run([flash, "shgo"], input=json.dumps(specs), capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def ok_at(row, v):
    return abs(v - row["f_star"]) < 1e-5


def same(a, b):
    return a == b or abs(a - b) <= 1e-8 * max(1.0, abs(a))


def flag_value(flag, wanted):
    """The value after `flag`, None when the flag is absent; exits with a message when it has none."""
    if flag not in sys.argv:
        return None
    i = sys.argv.index(flag) + 1
    if i >= len(sys.argv) or sys.argv[i].startswith("--"):
        sys.exit(f"{flag} needs a value: {wanted}")
    return sys.argv[i]


def main():
    quick = "--quick" in sys.argv
    out_json = flag_value("--json", "a file to write")
    flash = "target/release/flash"
    methods = ("slsqp", "cobyla")
    if "--local" in sys.argv:
        methods = (flag_value("--local", "slsqp or cobyla"),)
    rows = []
    if "--from" in sys.argv:  # re-analyse a saved run (--json) without running it again
        path = flag_value("--from", "a run saved with --json")
        try:
            with open(path) as fh:
                saved = json.load(fh)
        except (OSError, ValueError) as e:
            sys.exit(f"--from {path}: {e}")
        methods = tuple(dict.fromkeys(r["spec"]["local"] for r in saved))
        rows = saved
    for local in (() if rows else methods):
        which = flag_value("--set", "fresh or constrained")
        runs = {"fresh": FRESH_RUNS, "constrained": CONSTRAINED_RUNS}.get(which, SCIPY_TESTS + GO_RUNS)
        specs = [dict(s, local=local) for s in runs]
        if quick:
            specs = specs[:8]
        kraft = {"roundoff_stop": False} if "--kraft" in sys.argv else {}
        ours = run_ours([dict(s, repeats=3 if quick else 20, **kraft) for s in specs], flash)
        for spec, mine in zip(specs, ours):
            theirs = run_scipy(spec, 1 if quick else 3)
            f_star = F_STAR[spec["problem"]]
            if mine["fun"] is None:  # no feasible sample: nothing found, as scipy's `inf`
                mine = dict(mine, fun=math.inf)
            rows.append({
                "spec": spec, "f_star": f_star,
                "scipy": theirs, "ours": {k: mine[k] for k in ("fun", "x", "nfev", "seconds", "success", "minima")},
            })
    # A saved run's polish is recomputed, so a change to polish() applies to it too.
    for r in rows:
        for side in (r["scipy"], r["ours"]):
            side["polished"] = polish(r["spec"], side["x"] if math.isfinite(side["fun"]) else None, side["fun"])
    # scipy's counts and minima on some rows depend on the BLAS kernel OpenBLAS picks for the CPU
    # (docs/benchmarks.md): OPENBLAS_CORETYPE=SkylakeX, Haswell, Zen, ... fixes it.
    kernel = os.environ.get("OPENBLAS_CORETYPE") or "chosen by OpenBLAS for this CPU"
    print(f"scipy {scipy.__version__}, numpy {np.__version__}, OpenBLAS kernel {kernel}; "
          "times are medians of repeated runs on this machine\n")
    print("f: ✓ within 1e-5 of f*; polished: the same for the point's minimum (both sides' final points")
    print("polished alike, see polish()); the polished column marks = where both reach the same value (1e-8)\n")
    print("| local | problem | sampling | n | iters | f* | scipy f | ours f | polished scipy / ours | scipy nfev | ours nfev | nfev ratio | scipy ms | ours ms | speed-up |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        s, a, b = r["spec"], r["scipy"], r["ours"]
        ok = lambda v: "✓" if ok_at(r, v) else "✗"
        print(f"| {s['local']} | {s['problem']} | {s['sampling']} | {s.get('n', 100)} | {s.get('iters', 1)} | {r['f_star']:.6g} "
              f"| {a['fun']:.8g} {ok(a['fun'])} | {b['fun']:.8g} {ok(b['fun'])} "
              f"| {ok(a['polished'])} / {ok(b['polished'])}{' =' if same(a['polished'], b['polished']) else ''} | {a['nfev']} | {b['nfev']} "
              f"| {b['nfev'] / max(a['nfev'], 1):.2f} | {a['seconds'] * 1e3:.2f} | {b['seconds'] * 1e3:.3f} "
              f"| {a['seconds'] / max(b['seconds'], 1e-9):.0f}× |")
    missed = [r for r in rows if ok_at(r, r["scipy"]["polished"]) and not ok_at(r, r["ours"]["polished"])]
    strict = [r for r in rows if ok_at(r, r["scipy"]["fun"]) and not ok_at(r, r["ours"]["fun"])]
    print(f"\nscipy's global minimum missed by ours: {len(missed)} of {len(rows)} rows by the minimum each point "
          f"sits at, {len(strict)} by f within 1e-5")
    for r in missed:
        print(f"  missed (polished): {r['spec']}")
    for r in strict:
        print(f"  missed (f within 1e-5): {r['spec']}")
    for local in methods:
        go = [r for r in rows if r["spec"]["local"] == local and r["spec"] in [dict(g, local=local) for g in GO_RUNS]]
        if go:
            sa = sum(ok_at(r, r["scipy"]["fun"]) for r in go)
            sb = sum(ok_at(r, r["ours"]["fun"]) for r in go)
            na = sum(r["scipy"]["nfev"] for r in go)
            nb = sum(r["ours"]["nfev"] for r in go)
            print(f"\nGO set, local {local}: scipy solved {sa}/{len(go)} (nfev {na}), ours {sb}/{len(go)} (nfev {nb})")
    if out_json:
        with open(out_json, "w") as fh:
            json.dump(rows, fh, indent=1)


if __name__ == "__main__":
    main()
