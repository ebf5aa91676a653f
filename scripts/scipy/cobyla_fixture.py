"""Evaluation traces of scipy's COBYLA (PRIMA's, scipy 1.17: scipy._lib.pyprima),
the reference src/shgo/cobyla.rs is tested against.

    python3 scripts/scipy/cobyla_fixture.py > tests/data/cobyla_traces.json

Each case records every point PRIMA evaluates, in order, and what it returns.
Constraints are c(x) <= 0 (PRIMA's sign); bounds become PRIMA's linear rows.
Needs scipy (pip install scipy==1.17.0); not run in CI.
"""
import json

import numpy as np
import scipy
from scipy._lib.pyprima import minimize
from scipy.optimize import Bounds, NonlinearConstraint

CASES = [
    {"name": "quadratic", "x0": [0.0, 0.0], "rhobeg": 0.5, "rhoend": 1e-6},
    {"name": "rosenbrock", "x0": [-1.2, 1.0], "rhobeg": 0.5, "rhoend": 1e-6, "maxfev": 300},
    {"name": "parabola_and_line", "x0": [0.3, -0.2], "rhobeg": 0.4, "rhoend": 1e-6},
    {"name": "box", "x0": [0.5, 0.2, 0.7], "rhobeg": 0.25, "rhoend": 1e-6,
     "lower": [0.0, 0.0, 0.0], "upper": [1.0, 1.0, 1.0]},
]


def objective(name, x):
    if name == "quadratic":
        return (x[0] - 1.0) ** 2 + 4.0 * (x[1] + 2.0) ** 2
    if name == "rosenbrock":
        return 100.0 * (x[1] - x[0] ** 2) ** 2 + (1.0 - x[0]) ** 2
    if name == "parabola_and_line":
        return (x[0] - 2.0) ** 2 + (x[1] - 1.0) ** 2
    if name == "box":
        return (x[0] - 1.5) ** 2 + (x[1] + 0.3) ** 2 + (x[2] - 0.4) ** 2 + x[0] * x[2]
    raise ValueError(name)


def constraints(name):
    if name == "parabola_and_line":
        return [NonlinearConstraint(lambda x: np.array([x[0] ** 2 - x[1], x[0] + x[1] - 2.0]), -np.inf, 0.0)]
    return []


def main():
    out = {"scipy": scipy.__version__, "cases": []}
    for case in CASES:
        trace = []

        def f(x, name=case["name"]):
            v = objective(name, x)
            trace.append([float(c) for c in x] + [float(v)])
            return v
        bounds = Bounds(case["lower"], case["upper"]) if "lower" in case else None
        res = minimize(f, np.array(case["x0"]), method="cobyla", bounds=bounds,
                       constraints=constraints(case["name"]),
                       options={"rhobeg": case["rhobeg"], "rhoend": case["rhoend"], "maxfev": case.get("maxfev", 2000)})
        out["cases"].append(dict(case, trace=trace, x=[float(c) for c in res.x], f=float(res.f),
                                 nf=int(res.nf), info=int(res.info)))
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
