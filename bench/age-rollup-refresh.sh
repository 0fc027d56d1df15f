#!/usr/bin/env bash
# bash bench/age-rollup-refresh.sh DATABASE DAYS... (e.g. kt_bench_1000000 1 7 30)
#
# Times the daily age roll-up refresh (issue #19; migrations 0021 and 0022) on a benchmark database:
# for each DAYS, inside transactions that are rolled back, the households' age flags and every
# village's age counts are set to what they were DAYS ago (by the writers' own expressions, not by
# the functions under test), and then the refresh brings them to today. Two rounds, alternating:
#   old  0021's refresh_age_rollups (recomputes every village where someone crossed 60 or 18),
#        created from drizzle/0021 under another name inside the transaction;
#   new  the database's refresh_age_rollups (0022: adds the day's changes).
# After the new one, a full refresh_village_stats() in the same transaction says how many villages'
# age counts differ from a recomputation (must be 0). Needs psql and a database migrated to 0022.
set -euo pipefail
db=$1
shift
cd "$(dirname "$0")/.."
old=$(python3 - <<'PY'
s = open('drizzle/0021_age_rollups_as_of.sql').read().split('--> statement-breakpoint')
f = next(p for p in s if 'CREATE FUNCTION refresh_age_rollups()' in p)
print(f.replace('CREATE FUNCTION refresh_age_rollups()', 'CREATE FUNCTION pg_temp.refresh_age_rollups_0021()'))
PY
)
for days in "$@"; do
  for round in 1 2; do
    for which in old new; do
      if [ "$which" = old ]; then call='pg_temp.refresh_age_rollups_0021()'; else call='refresh_age_rollups()'; fi
      out=$(psql -X -q -A -t -d "$db" -v ON_ERROR_STOP=1 -v days="$days" <<SQL
BEGIN;
$old;
SET LOCAL kt.skip_rollups = 'on';
UPDATE household_age_rollups SET as_of = current_date - :days;
UPDATE households h SET
  has_elderly = EXISTS (SELECT 1 FROM members m WHERE m.household_id = h.id AND m.birth_date <= (current_date - :days) - interval '60 years'),
  has_child = EXISTS (SELECT 1 FROM members m WHERE m.household_id = h.id AND m.birth_date > (current_date - :days) - interval '18 years')
WHERE h.id IN (
  SELECT household_id FROM members WHERE birth_date > (current_date - :days) - interval '60 years' AND birth_date <= current_date - interval '60 years'
  UNION SELECT household_id FROM members WHERE birth_date > (current_date - :days) - interval '18 years' AND birth_date <= current_date - interval '18 years');
UPDATE village_stats s SET ages_as_of = current_date - :days, elderly_members = x.e, child_members = x.c, households_with_elderly = x.he
FROM (SELECT h.village_code, count(m.id) FILTER (WHERE m.birth_date <= (current_date - :days) - interval '60 years') AS e,
             count(m.id) FILTER (WHERE m.birth_date > (current_date - :days) - interval '18 years') AS c,
             count(DISTINCT h.id) FILTER (WHERE h.has_elderly) AS he
      FROM households h LEFT JOIN members m ON m.household_id = h.id WHERE h.inactive_since IS NULL GROUP BY 1) x
WHERE x.village_code = s.village_code;
SET LOCAL kt.skip_rollups = 'off';
SELECT clock_timestamp() AS t0 \gset
SELECT 'result', outcome, households_changed, villages_refreshed FROM $call;
SELECT 'ms', round(extract(epoch FROM clock_timestamp() - :'t0'::timestamptz) * 1000, 1);
CREATE TEMP TABLE got ON COMMIT DROP AS SELECT village_code, elderly_members, child_members, households_with_elderly FROM village_stats;
SELECT refresh_village_stats();
SELECT 'differing', count(*) FROM (
  (SELECT village_code, elderly_members, child_members, households_with_elderly FROM village_stats EXCEPT SELECT * FROM got)
  UNION ALL (SELECT * FROM got EXCEPT SELECT village_code, elderly_members, child_members, households_with_elderly FROM village_stats)) d;
ROLLBACK;
SQL
)
      echo "days=$days round=$round $which: $(echo "$out" | grep -E '^(result|ms|differing)\|' | tr '\n' ' ')"
    done
  done
done
