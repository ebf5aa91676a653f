"""Vertex and edge sets of scipy's SHGO simplicial complex (scipy 1.17),
the reference src/shgo/complex.rs is tested against.

    python3 scripts/scipy/complex_fixture.py > tests/data/shgo_complex.json

Needs scipy (pip install scipy==1.17.0); not run in CI.
"""
import json
import scipy
from scipy.optimize._shgo_lib._complex import Complex

CASES = [
    {"bounds": [[0, 1]], "ops": ["all", "all", "all"]},
    {"bounds": [[0, 60]], "ops": [7, 7, 7, 7]},
    {"bounds": [[0, 1], [0, 1]], "ops": ["all", "all", "all"]},
    {"bounds": [[-1, 6], [-1, 6]], "ops": [1, 1, 3, 5, 5, 5, 40]},
    {"bounds": [[2, 50], [0, 50]], "ops": [5, 30, 100]},
    {"bounds": [[0, 1]] * 3, "ops": ["all", "all"]},
    {"bounds": [[0, 2]] * 3, "ops": [9, 9, 9, 30]},
    {"bounds": [[-1, 1]] * 4, "ops": ["all", "all"]},
    {"bounds": [[0, 1]] * 5, "ops": [33]},
]


def snapshot(hc):
    verts = sorted(tuple(float(c) for c in v) for v in hc.V.cache)
    edges = set()
    for v in hc.V.cache:
        for u in hc.V[v].nn:
            a, b = tuple(float(c) for c in v), tuple(float(c) for c in u.x)
            edges.add((min(a, b), max(a, b)))
    return {"vertices": verts, "edges": sorted(edges)}


out = {"scipy": scipy.__version__, "cases": []}
for case in CASES:
    bounds = [tuple(float(x) for x in b) for b in case["bounds"]]
    hc = Complex(len(bounds), domain=bounds)
    steps = []
    for op in case["ops"]:
        if op == "all":
            hc.refine_all()
        else:
            hc.refine(op)
        steps.append(snapshot(hc))
    out["cases"].append({"bounds": case["bounds"], "ops": case["ops"], "steps": steps})
print(json.dumps(out))
