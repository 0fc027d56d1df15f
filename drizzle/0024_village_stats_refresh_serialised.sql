-- Two transactions that refresh the same village at once no longer fail. refresh_village_stats
-- deletes a village's row and inserts it again. The second of two concurrent refreshes waited on
-- the first's DELETE; when the first committed, the row it waited for was gone, so its DELETE
-- skipped it (the first's new row is invisible to that statement), and its INSERT then failed with
-- a duplicate key (23505) on village_stats_pkey. Every writer refreshes the villages it touched in
-- its own transaction, so two assessments, verifications or imports in one village at the same
-- moment failed one request. Reproduced with two psql sessions on the benchmark database.
--
-- Now a refresh first waits for any other refresh of the same villages to end: transaction-scoped
-- advisory locks (class 7102028) on the villages' stripes, hashtext(code) & 511, taken in order,
-- so two refreshes of overlapping sets cannot deadlock on them; the refresh of every village takes
-- all 512. Stripes, not one lock per village: every advisory lock is an entry in PostgreSQL's
-- shared lock table, which holds max_locks_per_transaction (64) × max_connections entries; one lock
-- per village failed with "out of shared memory" from about 15,000 villages in one refresh
-- (measured), and an import or a rule switch refreshes up to every village (83,762 nationally).
-- Two villages of one stripe (1 in 512) wait for each other needlessly; that is all. Reads go on.
-- The statements after the lock take a fresh snapshot (READ COMMITTED), so the second refresh
-- counts the first transaction's writes too. Otherwise as in 0021.
CREATE OR REPLACE FUNCTION refresh_village_stats(village_codes text[] DEFAULT NULL) RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
  changed integer;
BEGIN
  PERFORM age_rollups_computed();
  -- One refresh of a village at a time, until its transaction ends (see the header): the stripes
  -- of its villages, in order; every stripe for the refresh of all villages.
  PERFORM pg_advisory_xact_lock(7102028, k) FROM (
    SELECT DISTINCT hashtext(c) & 511 AS k FROM unnest(village_codes) AS c WHERE village_codes IS NOT NULL
    UNION SELECT k FROM generate_series(0, 511) AS k WHERE village_codes IS NULL) x
  ORDER BY k;
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
