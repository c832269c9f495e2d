#!/usr/bin/env bash
# Benchmark: requests per second on /health and on a province page, 2 web workers,
# load from wrk in a second process on loopback (apt-get install wrk).
# Run from the project root after `ops/run` has set up data once (or `pharmreg setup --demo`):
#   eval "$(.venv/bin/python ops/stack.py env)"; ops/bench/http.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
command -v wrk >/dev/null || { echo "wrk is not installed: apt-get install wrk" >&2; exit 1; }
: "${DATABASE_URL:?set DATABASE_URL (eval \"\$(.venv/bin/python ops/stack.py env)\")}"
port=${BENCH_PORT:-8077}
duration=${BENCH_SECONDS:-10}
PHARMREG_LOG_LEVEL=WARNING .venv/bin/pharmreg serve --port "$port" --workers 2 >/tmp/pharmreg-bench-http.log 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null' EXIT
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/health" >/dev/null && break; sleep 0.1; done
for path in /health /p/gd/ /api/v1/tenants/gd/units /; do
  wrk -t1 -c8 -d2s "http://127.0.0.1:$port$path" >/dev/null  # warm-up
  echo "== GET $path  (wrk -t1 -c32 -d${duration}s, 2 uvicorn workers)"
  wrk -t1 -c32 -d"${duration}s" --latency "http://127.0.0.1:$port$path" | grep -E "Requests/sec|^ +50%|^ +99%|Non-2xx"
done
