#!/usr/bin/env bash
# Builds the playground and serves it on 127.0.0.1 (PORT, default 8000).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
port="${PORT:-8000}"
echo
echo "flash-nas playground: http://127.0.0.1:${port}/"
echo "(Ctrl-C stops the server)"
exec python3 -m http.server "$port" --bind 127.0.0.1
