-- A household's has_elderly (a member aged 60 or older) and has_child (a member under 18), and the
-- elderly and child counts of village_stats, are computed on the day something writes them. A
-- member who turned 60 or 18 afterwards changed nothing until the household was written again, so
-- proposals, facility siting (ELDERLY), the OGC has_elderly filter, tiles and village statistics
-- read yesterday's ages. This migration keeps them correct from day to day:
--   * household_age_rollups holds the day D as of which every household's age roll-ups are
--     correct (each was computed on a day from D to today);
--   * refresh_age_rollups() recomputes the households of the members who turned 60 or 18 since D
--     (a birth_date range, members_birth_date_idx) and moves D to today; the API runs it at start
--     and then periodically (AGE_ROLLUP_REFRESH_MS);
--   * every writer that computes age roll-ups calls age_rollups_computed() in its transaction.
--
-- IF NOT EXISTS, as in 0019: on a large live registry, create the index CONCURRENTLY by hand first
-- (it blocks writes to members while it builds here), and this migration then only records it.
CREATE TABLE "household_age_rollups" (
	"id" boolean PRIMARY KEY DEFAULT true NOT NULL,
	"as_of" date NOT NULL,
	CONSTRAINT "household_age_rollups_one_row" CHECK ("household_age_rollups"."id")
);
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "members_birth_date_idx" ON "members" USING btree ("birth_date");
--> statement-breakpoint
-- The one definition of the age thresholds, used by every writer (refresh_household_rollups,
-- refresh_village_stats, the registry import's staging, the seed) and by the refresh's ranges: on
-- day d a member is elderly when born on or before elderly_born_by(d) and a child when born after
-- child_born_after(d). PostgreSQL's date arithmetic: 29 February minus 18 years is 28 February.
-- Both are monotone in d, so the members whose verdict differs between days D and T are exactly
-- those born in (f(D), f(T)]. IMMUTABLE one-line SQL: the planner inlines them, and on a constant
-- or current_date a comparison with birth_date is an index range.
CREATE FUNCTION elderly_born_by(on_date date) RETURNS date LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT (on_date - interval '60 years')::date $$;
--> statement-breakpoint
CREATE FUNCTION child_born_after(on_date date) RETURNS date LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT (on_date - interval '18 years')::date $$;
--> statement-breakpoint
-- Called by a writer that computes age roll-ups on current_date (its transaction's first day), in
-- that transaction. Two things make the invariant of household_age_rollups hold against a refresh:
--   * the advisory lock, held shared until the writer commits: a refresh takes it exclusively
--     (without waiting) so it never moves D past rows it cannot see yet, and writers never wait
--     for one another;
--   * a writer whose transaction began before D (it started before midnight, a refresh claimed
--     the new day before it got here) moves D back to its own day, so the next refresh redoes
--     that day and covers its rows. This is the only case in which the UPDATE finds a row to lock.
CREATE FUNCTION age_rollups_computed() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_advisory_xact_lock_shared(7102027, 0);
  UPDATE household_age_rollups SET as_of = current_date WHERE as_of > current_date;
END
$$;
--> statement-breakpoint
-- As 0013, with the shared thresholds and age_rollups_computed(); it now returns how many
-- households it changed (the refresh logs it), hence DROP: a return type cannot be replaced.
-- Still LANGUAGE sql, planned per call with the ids it is given, as the import relies on.
DROP FUNCTION refresh_household_rollups(integer[]);
--> statement-breakpoint
CREATE FUNCTION refresh_household_rollups(household_ids integer[]) RETURNS integer LANGUAGE sql AS $$
  SELECT age_rollups_computed();
  WITH changed AS (
    UPDATE households h SET pas = r.pas, member_count = r.member_count, has_elderly = r.has_elderly, has_child = r.has_child,
                            has_disabled = r.has_disabled, updated_at = now()
    FROM (
      SELECT x.id,
        coalesce((SELECT array_agg(DISTINCT t.pas ORDER BY t.pas) FROM pas_tags t WHERE t.household_id = x.id), '{}') AS pas,
        (SELECT count(*) FROM members m WHERE m.household_id = x.id)::smallint AS member_count,
        EXISTS (SELECT 1 FROM members m WHERE m.household_id = x.id AND m.birth_date <= elderly_born_by(current_date)) AS has_elderly,
        EXISTS (SELECT 1 FROM members m WHERE m.household_id = x.id AND m.birth_date > child_born_after(current_date)) AS has_child,
        EXISTS (SELECT 1 FROM members m WHERE m.household_id = x.id AND m.disability IS NOT NULL) AS has_disabled
      FROM households x WHERE x.id = ANY(household_ids)
    ) r
    WHERE h.id = r.id
      AND (h.pas, h.member_count, h.has_elderly, h.has_child, h.has_disabled)
          IS DISTINCT FROM (r.pas, r.member_count, r.has_elderly, r.has_child, r.has_disabled)
    RETURNING 1)
  SELECT count(*)::int FROM changed
$$;
--> statement-breakpoint
-- As 0013, with the shared thresholds and age_rollups_computed() (elderly and child counts).
CREATE OR REPLACE FUNCTION refresh_village_stats(village_codes text[] DEFAULT NULL) RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
  changed integer;
BEGIN
  PERFORM age_rollups_computed();
  DELETE FROM village_stats WHERE village_codes IS NULL OR village_code = ANY(village_codes);
  INSERT INTO village_stats (village_code, households, members, households_by_desil, households_desil_1_to_2,
    households_desil_1_to_4, households_by_pas, rtlh_households, elderly_members, child_members, disabled_members,
    households_with_elderly, households_with_disabled, fisher_households, fisher_share, vulnerable_households)
  SELECT h.village_code,
         count(*)::int,
         sum(h.member_count)::int,
         ARRAY[count(*) FILTER (WHERE h.desil = 1), count(*) FILTER (WHERE h.desil = 2), count(*) FILTER (WHERE h.desil = 3), count(*) FILTER (WHERE h.desil = 4), count(*) FILTER (WHERE h.desil = 5), count(*) FILTER (WHERE h.desil = 6), count(*) FILTER (WHERE h.desil = 7), count(*) FILTER (WHERE h.desil = 8), count(*) FILTER (WHERE h.desil = 9), count(*) FILTER (WHERE h.desil = 10)]::int[] AS by_desil,
         count(*) FILTER (WHERE h.desil <= 2)::int,
         count(*) FILTER (WHERE h.desil <= 4)::int,
         coalesce((SELECT jsonb_object_agg(p.pas, p.n) FROM (
           SELECT u.tag AS pas, count(*)::int AS n FROM households t, unnest(t.pas) AS u(tag)
           WHERE t.village_code = h.village_code AND t.inactive_since IS NULL GROUP BY u.tag) AS p), '{}'::jsonb),
         count(*) FILTER (WHERE h.is_rtlh)::int,
         coalesce(sum(m.elderly), 0)::int,
         coalesce(sum(m.children), 0)::int,
         coalesce(sum(m.disabled), 0)::int,
         count(*) FILTER (WHERE h.has_elderly)::int,
         count(*) FILTER (WHERE h.has_disabled)::int,
         count(*) FILTER (WHERE h.livelihood IN ('FISHER', 'FISH_FARMER'))::int,
         (count(*) FILTER (WHERE h.livelihood IN ('FISHER', 'FISH_FARMER')))::float8 / count(*),
         count(*) FILTER (WHERE h.pas && ARRAY['LANSIA_TERLANTAR', 'DISABILITAS', 'ANAK_RENTAN', 'PEREMPUAN_RENTAN']::pas[])::int
  FROM households h
  LEFT JOIN LATERAL (
    SELECT count(*) FILTER (WHERE mm.birth_date <= elderly_born_by(current_date)) AS elderly,
           count(*) FILTER (WHERE mm.birth_date > child_born_after(current_date)) AS children,
           count(*) FILTER (WHERE mm.disability IS NOT NULL) AS disabled
    FROM members mm WHERE mm.household_id = h.id
  ) m ON true
  WHERE (village_codes IS NULL OR h.village_code = ANY(village_codes)) AND h.inactive_since IS NULL
  GROUP BY h.village_code;
  GET DIAGNOSTICS changed = ROW_COUNT;
  RETURN changed;
END
$$;
--> statement-breakpoint
-- Brings the age roll-ups from D to today, in the caller's transaction (one statement: all of it
-- or, on any error, none of it, D included, so the next run retries). What an ordinary write of
-- those households does: refresh_household_rollups (writes only rows whose roll-ups changed, with
-- updated_at) and refresh_village_stats for their villages. The villages are those of every member
-- who crossed a threshold, not only of the households whose flags changed: a third elderly member
-- changes elderly_members without changing has_elderly.
-- Outcome BUSY: a writer or another refresh holds the lock (see age_rollups_computed); the refresh
-- does not wait, so that a long import delays it to its next run instead of queueing every writer
-- behind it. UP_TO_DATE: D is today (another process ran it). REFRESHED: D moved from from_date.
CREATE FUNCTION refresh_age_rollups()
  RETURNS TABLE (outcome text, from_date date, to_date date, households_changed integer, villages_refreshed integer)
  LANGUAGE plpgsql AS $$
DECLARE
  since date;
  ids integer[];
  codes text[];
  changed integer;
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
  ids := ARRAY(SELECT DISTINCT m.household_id FROM members m
               WHERE (m.birth_date > elderly_born_by(since) AND m.birth_date <= elderly_born_by(current_date))
                  OR (m.birth_date > child_born_after(since) AND m.birth_date <= child_born_after(current_date)));
  changed := refresh_household_rollups(ids);
  codes := ARRAY(SELECT DISTINCT h.village_code FROM households h WHERE h.id = ANY(ids));
  IF cardinality(codes) > 0 THEN
    PERFORM refresh_village_stats(codes);
  END IF;
  UPDATE household_age_rollups SET as_of = current_date;
  RETURN QUERY SELECT 'REFRESHED', since, current_date, changed, cardinality(codes);
END
$$;
--> statement-breakpoint
-- Existing databases: when their roll-ups were computed is not recorded, so this once brings
-- every household to today (the households whose age flags differ from today's, found with one
-- pass over members, written by refresh_household_rollups) and every village's statistics, then
-- records today. A new database has no households yet: both statements find nothing.
INSERT INTO household_age_rollups (as_of) VALUES (current_date);
--> statement-breakpoint
SELECT refresh_household_rollups(ARRAY(
  SELECT h.id FROM households h
  LEFT JOIN (SELECT household_id, bool_or(birth_date <= elderly_born_by(current_date)) AS has_elderly,
                    bool_or(birth_date > child_born_after(current_date)) AS has_child
             FROM members GROUP BY household_id) m ON m.household_id = h.id
  WHERE (h.has_elderly, h.has_child) IS DISTINCT FROM (coalesce(m.has_elderly, false), coalesce(m.has_child, false))));
--> statement-breakpoint
SELECT refresh_village_stats() WHERE EXISTS (SELECT 1 FROM households);
