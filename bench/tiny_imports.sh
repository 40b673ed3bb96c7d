#!/bin/bash
# The first six rOpenSci monthly X analytics exports (../shared/data) imported one at a time into a new workspace,
# each in its own `strategyfirst ingest` process; prints the wall seconds of each (BENCHMARKS.md, session 20).
#   bench/tiny_imports.sh [CODE_DIR]     (default: this checkout; CODE_DIR/src is put on PYTHONPATH)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
code=${1:-$here}
python=$here/.venv/bin/python
data=${SHARED_DATA:-$here/../shared/data}/x-analytics/rOpenSci
ws=$(mktemp -d)
trap 'rm -rf "$ws"' EXIT
PYTHONPATH=$code/src "$python" -m strategyfirst init -w "$ws" >/dev/null 2>&1
sed -i 's/@YourOrgHelp/@rOpenSci/g' "$ws/strategy.yaml"
out=""
for f in $(ls "$data"/*.csv | head -6); do
  start=$(date +%s.%N)
  PYTHONPATH=$code/src "$python" -m strategyfirst ingest -w "$ws" "$f" >/dev/null
  out="$out $(printf %.2f "$(echo "$(date +%s.%N) - $start" | bc)")"
done
echo "$(basename "$code"):$out (load $(cut -d' ' -f1 /proc/loadavg))"
