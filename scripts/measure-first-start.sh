#!/usr/bin/env bash
# Measures the first start of the embedded default: from `npm start` on an empty data directory to
# the "listening" line, with the time of every output line, then the time SIGTERM takes to end it.
#   bash scripts/measure-first-start.sh            # PORT 4000 unless PORT is set
# Prints one summary line: first output, ready and shutdown seconds. Not a test: timings depend on
# the machine, so they belong in reports, not in assertions.
set -Eeuo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

port=${PORT:-4000}
data_dir=$(mktemp -d "${TMPDIR:-/tmp}/kt-first-start-XXXXXX")
log="$data_dir.log"
trap 'rm -rf "$data_dir" "$log"' EXIT

start_ns=$(date +%s%N)
elapsed() { echo "scale=1; ($(date +%s%N) - $start_ns) / 1000000000" | bc; }

# The node process itself (not npm) so SIGTERM reaches the server as it would under `init: true`.
env -u DATABASE_URL PGLITE_DATA_DIR="$data_dir/pglite" HOST=127.0.0.1 PORT="$port" LOG_LEVEL=info \
  node --import tsx src/main.ts >"$log" 2>&1 &
pid=$!

first_output=""
ready=""
while kill -0 "$pid" 2>/dev/null; do
  if [[ -z "$first_output" && -s "$log" ]]; then first_output=$(elapsed); fi
  if grep -q 'GraphQL API on http' "$log"; then ready=$(elapsed); break; fi
  sleep 0.2
done
if [[ -z "$ready" ]]; then
  cat "$log" >&2
  echo "server exited before it was ready" >&2
  exit 1
fi
curl -fsS "http://127.0.0.1:$port/health" >/dev/null

stop_ns=$(date +%s%N)
kill -TERM "$pid"
wait "$pid" || true
shutdown=$(echo "scale=1; ($(date +%s%N) - $stop_ns) / 1000000000" | bc)

echo "--- output (first 40 lines)"
head -40 "$log"
echo "--- first output after ${first_output:-?} s; ready after ${ready} s; shutdown took ${shutdown} s ($(nproc) cores, node $(node --version), load average $(cut -d" " -f1-3 /proc/loadavg))"
