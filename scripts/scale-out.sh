#!/usr/bin/env bash
# The API beyond one machine, on this machine (issue #19): a PostgreSQL primary and a streaming
# replica (pg_basebackup -R), Redis, two API processes and haproxy; a short benchmark through the
# balancer (1 vs 2 API processes) and the checks: 0 errors, one shared rate limit,
# read-your-writes via the replica, no acknowledged write lost when an API process or the
# replica dies. Details: bench/scale-out.ts; results: bench/results/<date>-scale-out.json.
#
#   bash scripts/scale-out.sh            # or: npm run bench:scale-out
#
# Needs: PostgreSQL 15 binaries with PostGIS (apt-get install postgresql-15-postgis-3), haproxy
# (apt-get install haproxy), Redis on 127.0.0.1:6379 (or SCALE_OUT_REDIS_URL), npm ci done.
# Optional: SCALE_OUT_DURATION (seconds per load run, default 8), SCALE_OUT_DEMO_SCALE (0.25),
# SCALE_OUT_KEEP=1 keeps the temp folder with the clusters' logs and haproxy.cfg.
set -Eeuo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

PG_BIN="${PG_BIN:-/usr/lib/postgresql/15/bin}"
for bin in initdb pg_ctl pg_basebackup; do
  [[ -x "$PG_BIN/$bin" ]] || { echo "scale-out: $PG_BIN/$bin is missing (apt-get install postgresql-15-postgis-3)" >&2; exit 2; }
done
command -v haproxy >/dev/null || { echo "scale-out: haproxy is missing (apt-get install haproxy)" >&2; exit 2; }
REDIS_URL_CHECK="${SCALE_OUT_REDIS_URL:-redis://127.0.0.1:6379}"
if command -v redis-cli >/dev/null && ! redis-cli -u "$REDIS_URL_CHECK" ping >/dev/null 2>&1; then
  echo "scale-out: Redis does not answer at $REDIS_URL_CHECK (start redis-server or set SCALE_OUT_REDIS_URL)" >&2
  exit 2
fi
exec npx tsx bench/scale-out.ts "$@"
