#!/usr/bin/env bash
# Fails when src/db/schema.ts and the committed migrations under drizzle/ disagree:
# drizzle-kit must find nothing to generate, and its consistency check must pass.
set -euo pipefail
cd "$(dirname "$0")/.."
npx drizzle-kit check
out=$(npx drizzle-kit generate --name drift-check 2>&1)
if ! grep -q "No schema changes" <<<"$out"; then
  echo "$out"
  git checkout -- drizzle/meta 2>/dev/null || true
  git clean -fq drizzle/ 2>/dev/null || true
  echo "drizzle/ is out of date with src/db/schema.ts: run 'npm run db:generate' and commit the migration." >&2
  exit 1
fi
echo "migrations: no drift"
