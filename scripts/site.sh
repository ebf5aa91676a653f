#!/usr/bin/env bash
# Builds the static site into dist/: only what the page needs (index.html, the service worker,
# the JS, the two wasm modules, the lessons and the digits data the training worker reads), with
# relative paths, so any static host can serve it at any path (GitHub Pages serves a project at
# /NAME/). Prints the total and gzipped sizes. FLASH_TEST_HOOKS=1 is passed on to scripts/build.sh
# (the end-to-end tests' build); a site to publish is built without it.
# A host must serve .wasm as application/wasm (WebAssembly.instantiateStreaming needs it; every
# common host does) and .js as text/javascript; nothing else is needed: no server code, no headers.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
rm -rf dist
mkdir -p dist/www/pkg dist/www/pkg-train dist/data/datasets
cp index.html dist/
cp www/*.js www/style.css dist/www/
cp www/pkg/flash_nas.js www/pkg/flash_nas_bg.wasm dist/www/pkg/
cp www/pkg-train/flash_nas.js www/pkg-train/flash_nas_bg.wasm dist/www/pkg-train/
cp data/lessons.json dist/data/
cp data/datasets/digits.csv.gz dist/data/datasets/
# NAS-Bench-201's columns: fetched by the search worker when a link first needs one.
mkdir -p dist/data/nb201
for f in data/nb201/*.csv; do
  case "$f" in */cells.csv | */synflow.csv) ;; *) cp "$f" dist/data/nb201/ ;; esac
done
# The service worker precaches what a first visit loads, under a name that changes with every
# build (a hash of the files), so a new build replaces the old cache.
files=(index.html www/style.css www/pkg/flash_nas.js www/pkg/flash_nas_bg.wasm data/lessons.json)
# The NAS-Bench-201 columns the first screen reads (the core names them) belong to a first visit.
first_columns=$(node --input-type=module -e "
  import { readFileSync } from 'node:fs';
  const core = await import('./www/pkg/flash_nas.js');
  core.initSync({ module: readFileSync('www/pkg/flash_nas_bg.wasm') });
  console.log(core.nb201Missing(core.firstScreen()).join(' '));
")
for c in $first_columns; do files+=("data/nb201/$c.csv"); done
for f in dist/www/*.js; do files+=("${f#dist/}"); done
version=$(cd dist && cat "${files[@]}" | sha256sum | cut -c1-16)
list=$(printf '"%s",' "${files[@]}")
sed -e "s|const VERSION = 'dev';|const VERSION = '$version';|" \
    -e "s|const PRECACHE = \[\];|const PRECACHE = ['./', ${list%,}];|" sw.js > dist/sw.js
# The page registers the service worker only where this mark says a build made it.
sed -i "s|<meta name=\"flash-build\" content=\"\">|<meta name=\"flash-build\" content=\"$version\">|" dist/index.html
grep -q "content=\"$version\"" dist/index.html || { echo "[site] index.html lacks the flash-build mark" >&2; exit 1; }
total=$(du -cb $(find dist -type f) | tail -1 | cut -f1)
first=0
for f in "${files[@]}" sw.js; do first=$((first + $(gzip -9 -c "dist/$f" | wc -c))); done
echo "[site] dist/: $(find dist -type f | wc -l) files, $total bytes; build $version"
echo "[site] a first visit transfers $first bytes gzipped (the page, its modules, the core's wasm, the lessons, the first screen's NAS-Bench-201 columns: $first_columns)"
