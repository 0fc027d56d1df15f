-- refresh_age_rollups (0021) recomputed the whole statistics row of every village where a member
-- turned 60 or 18, so its cost grew with the households of those villages: at 10M households one
-- day took 11-12 s (2,170 villages), near the 15 s statement timeout it runs under, and a backlog of
-- three days 21-25 s, over it, so the refresh would have failed until someone intervened
-- (bench/age-rollup-refresh.sh, bench/README.md). This migration makes it add the day's changes
-- instead: work in proportion to the members who crossed a threshold (2,674 on one day at 10M),
-- not to the households of their villages.
--
-- Adding is exact only if the refresh knows from which day each village's age counts are correct.
-- refresh_village_stats, run by writers, computes them on its own transaction's day; a writer
-- after midnight has already counted the new day's birthdays for its villages, and adding them
-- again would count them twice. Hence ages_as_of, per village: the day the counts were computed
-- (or last brought forward by the refresh). A village's counts are correct as of the later of its
-- ages_as_of and household_age_rollups.as_of (a village nobody wrote and where nobody crossed a
-- threshold is as correct on the recorded day as on the day it was computed).
--
-- Adding also relies on the rule every writer already keeps for the other columns of village_stats
-- (households, members, PAS counts): whoever writes households, members or PAS tags recomputes
-- their villages' statistics in the same transaction (assessments, post-works verification, the
-- import, the seed). households_with_elderly then always counts the stored flags, and a flag the
-- refresh flips is exactly one more. A write outside that rule leaves a row wrong until its village
-- is next recomputed, as it always did for the other columns.
--
-- Existing rows: each was computed whole on the day of its refreshed_at (by a writer, the seed, or
-- 0021's refresh, which recomputed every village where someone crossed a threshold), and so is
-- correct as of that day and, by 0021's invariant, as of the recorded day: the later of the two. Not
-- the recorded day alone: a writer after midnight, before the day's first refresh, already counted
-- that day's birthdays. (greatest ignores the NULL of a missing household_age_rollups row.)
--
-- refresh_village_stats (0021) is not restated: it inserts rows without ages_as_of, so the
-- column's default records the day, current_date, which is the start date of the inserting
-- transaction, the same day the function's thresholds used.
ALTER TABLE "village_stats" ADD COLUMN "ages_as_of" date DEFAULT current_date NOT NULL;
--> statement-breakpoint
UPDATE village_stats SET ages_as_of = greatest(refreshed_at::date, (SELECT as_of FROM household_age_rollups));
--> statement-breakpoint
-- Brings the age roll-ups from D (household_age_rollups.as_of) to today, in the caller's
-- transaction, all of it or, on any error, none of it (D included, so the next run retries). One
-- statement over the members who turned 60 or 18 in (D, today] (members_birth_date_idx):
--   * households: has_elderly and has_child recomputed where one of their members crossed, written
--     (with updated_at, as an ordinary write) only where they changed;
--   * village_stats, only for villages with such a member in an active household:
--       elderly_members += members who turned 60 after the village's counts were computed,
--       child_members   -= members who turned 18 after that,
--       households_with_elderly += active households whose has_elderly it set, minus those whose
--       has_elderly it cleared (this column counts the stored flags, whatever day each was
--       computed, so a flip is its exact change; clearing happens only when a writer's day was
--       later than the refresh's: a transaction begun after midnight before the refresh's, or a
--       session in a later time zone, current_date being the session's),
--     and ages_as_of moves to today.
-- Nothing else in a statistics row depends on the day. What the old whole-row recomputation would
-- also have corrected (a row already wrong) stays as it is: refresh_village_stats() rebuilds rows.
-- Outcomes as in 0021: BUSY (a writer or another refresh holds the lock; not waited for),
-- UP_TO_DATE (D is today), REFRESHED (D moved from from_date).
--
-- BUSY also when a row it must write stays locked for 100 ms (or half of deadlock_timeout if that is
-- shorter). Some writers lock a household row
-- before they take the roll-ups' lock (a verification marks had_housing_aid, then refreshes its
-- village's statistics): waiting on that row while holding the lock exclusively would be a
-- deadlock, which PostgreSQL resolves after deadlock_timeout (1 s) by failing one side, possibly
-- the writer. With lock_timeout under deadlock_timeout the refresh always gives way: all its work
-- is undone (the block's subtransaction), its lock is released when the caller's transaction
-- ends, and the next run does the day.
CREATE OR REPLACE FUNCTION refresh_age_rollups()
  RETURNS TABLE (outcome text, from_date date, to_date date, households_changed integer, villages_refreshed integer)
  LANGUAGE plpgsql AS $$
DECLARE
  since date;
  changed integer;
  villages integer;
  caller_lock_timeout text := current_setting('lock_timeout');
BEGIN
  IF NOT pg_try_advisory_xact_lock(7102027, 0) THEN
    RETURN QUERY SELECT 'BUSY', NULL::date, current_date, 0, 0;
    RETURN;
  END IF;
  SELECT a.as_of INTO since FROM household_age_rollups a;
  IF since IS NULL THEN
    RAISE EXCEPTION 'household_age_rollups has no row: restore it with the day the age roll-ups were last all computed'
      USING ERRCODE = 'no_data_found';
  END IF;
  IF since >= current_date THEN
    RETURN QUERY SELECT 'UP_TO_DATE', since, current_date, 0, 0;
    RETURN;
  END IF;
  BEGIN
    PERFORM set_config('lock_timeout',
      greatest(1, round(extract(epoch FROM least(interval '100 ms', current_setting('deadlock_timeout')::interval / 2)) * 1000))::text, true);
    WITH crossed AS MATERIALIZED (
      SELECT m.household_id, m.birth_date FROM members m
      WHERE (m.birth_date > elderly_born_by(since) AND m.birth_date <= elderly_born_by(current_date))
         OR (m.birth_date > child_born_after(since) AND m.birth_date <= child_born_after(current_date))
    ), flipped AS (
      -- Driven by the crossed households, each probed by key (households_pkey, members_household_idx):
      -- with EXISTS here the planner, misjudging the CTE's size, scanned every household and hashed
      -- every elderly member (0.4 s at 200k, growing with the registry). bool_or cannot be hashed.
      UPDATE households h SET has_elderly = r.has_elderly, has_child = r.has_child, updated_at = now()
      FROM (SELECT DISTINCT c.household_id AS id FROM crossed c) x
      JOIN households o ON o.id = x.id
      CROSS JOIN LATERAL (
        SELECT coalesce(bool_or(m.birth_date <= elderly_born_by(current_date)), false) AS has_elderly,
               coalesce(bool_or(m.birth_date > child_born_after(current_date)), false) AS has_child
        FROM members m WHERE m.household_id = x.id
      ) r
      WHERE h.id = x.id AND (o.has_elderly, o.has_child) IS DISTINCT FROM (r.has_elderly, r.has_child)
      RETURNING h.village_code, h.inactive_since IS NULL AS active, r.has_elderly::int - o.has_elderly::int AS elderly_change
    ), member_deltas AS (
      -- Each village from the later of its ages_as_of and D: a village a writer recomputed today
      -- already counts today's birthdays.
      SELECT h.village_code,
        count(*) FILTER (WHERE c.birth_date > elderly_born_by(greatest(s.ages_as_of, since))
                           AND c.birth_date <= elderly_born_by(current_date)) AS elderly,
        count(*) FILTER (WHERE c.birth_date > child_born_after(greatest(s.ages_as_of, since))
                           AND c.birth_date <= child_born_after(current_date)) AS adults
      FROM crossed c
      JOIN households h ON h.id = c.household_id AND h.inactive_since IS NULL
      JOIN village_stats s ON s.village_code = h.village_code
      GROUP BY h.village_code
    ), flag_deltas AS (
      SELECT f.village_code, sum(f.elderly_change) AS elderly_households FROM flipped f WHERE f.active GROUP BY f.village_code
    ), deltas AS (
      SELECT coalesce(d.village_code, f.village_code) AS village_code, coalesce(d.elderly, 0) AS elderly,
             coalesce(d.adults, 0) AS adults, coalesce(f.elderly_households, 0) AS elderly_households
      FROM member_deltas d FULL JOIN flag_deltas f ON f.village_code = d.village_code
    ), updated AS (
      UPDATE village_stats s
      SET elderly_members = s.elderly_members + d.elderly, child_members = s.child_members - d.adults,
          households_with_elderly = s.households_with_elderly + d.elderly_households,
          ages_as_of = greatest(s.ages_as_of, current_date), refreshed_at = now()
      FROM deltas d
      WHERE s.village_code = d.village_code AND (d.elderly, d.adults, d.elderly_households) <> (0, 0, 0)
      RETURNING 1
    )
    SELECT (SELECT count(*) FROM flipped)::int, (SELECT count(*) FROM updated)::int INTO changed, villages;
    UPDATE household_age_rollups SET as_of = current_date;
  EXCEPTION WHEN lock_not_available THEN
    -- The subtransaction's rollback also restored the caller's lock_timeout.
    RETURN QUERY SELECT 'BUSY', NULL::date, current_date, 0, 0;
    RETURN;
  END;
  PERFORM set_config('lock_timeout', caller_lock_timeout, true);
  RETURN QUERY SELECT 'REFRESHED', since, current_date, changed, villages;
END
$$;
--> statement-breakpoint
-- What adding gives up: the old refresh rebuilt every village it touched and so, in passing,
-- repaired a row that a write outside the writers' rule had left wrong; adding keeps it wrong. This
-- brings the check back: up to `sample` villages, drawn at random among those whose counts are as
-- of today or earlier, are rebuilt by refresh_village_stats (the one definition of the counts), and
-- those whose age counts (elderly_members, child_members, households_with_elderly) the rebuild
-- changed are returned as they were and as they are. Nothing while the recorded day is not today
-- (a refresh is pending, or a writer of yesterday moved it back): the stored counts of some
-- villages are then legitimately of an earlier day. The API's refresher runs it after each refresh
-- and logs what it returns as an error.
CREATE FUNCTION village_age_drift(sample integer)
  RETURNS TABLE (village_code text, stored integer[], recomputed integer[])
  LANGUAGE plpgsql AS $$
DECLARE
  codes text[];
  before village_stats[];
BEGIN
  IF NOT EXISTS (SELECT 1 FROM household_age_rollups a WHERE a.as_of = current_date) THEN
    RETURN;
  END IF;
  codes := ARRAY(SELECT v.village_code FROM village_stats v WHERE v.ages_as_of <= current_date ORDER BY random() LIMIT sample);
  before := ARRAY(SELECT v FROM village_stats v WHERE v.village_code = ANY(codes));
  PERFORM refresh_village_stats(codes);
  RETURN QUERY
    SELECT b.village_code, ARRAY[b.elderly_members, b.child_members, b.households_with_elderly],
           ARRAY[s.elderly_members, s.child_members, s.households_with_elderly]
    FROM unnest(before) b JOIN village_stats s ON s.village_code = b.village_code
    WHERE (b.elderly_members, b.child_members, b.households_with_elderly)
          IS DISTINCT FROM (s.elderly_members, s.child_members, s.households_with_elderly);
END
$$;
