-- Households a full registry snapshot no longer lists stay in the table (inactive_since set, never
-- deleted: packages and history may refer to them) but no longer count in the village statistics
-- that choose villages and rank them. Same function as 0004 with that one condition added.
CREATE OR REPLACE FUNCTION refresh_village_stats(village_codes text[] DEFAULT NULL) RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
  changed integer;
BEGIN
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
    SELECT count(*) FILTER (WHERE mm.birth_date <= current_date - interval '60 years') AS elderly,
           count(*) FILTER (WHERE mm.birth_date > current_date - interval '18 years') AS children,
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
-- Roll-ups recomputed for a set of households write only the rows whose roll-ups changed: a
-- registry import refreshes every listed household once (instead of once per statement through
-- the triggers), and re-importing an unchanged extract must change nothing, updated_at included.
CREATE OR REPLACE FUNCTION refresh_household_rollups(household_ids integer[]) RETURNS void LANGUAGE sql AS $$
  UPDATE households h SET pas = r.pas, member_count = r.member_count, has_elderly = r.has_elderly, has_child = r.has_child,
                          has_disabled = r.has_disabled, updated_at = now()
  FROM (
    SELECT x.id,
      coalesce((SELECT array_agg(DISTINCT t.pas ORDER BY t.pas) FROM pas_tags t WHERE t.household_id = x.id), '{}') AS pas,
      (SELECT count(*) FROM members m WHERE m.household_id = x.id)::smallint AS member_count,
      EXISTS (SELECT 1 FROM members m WHERE m.household_id = x.id AND m.birth_date <= current_date - interval '60 years') AS has_elderly,
      EXISTS (SELECT 1 FROM members m WHERE m.household_id = x.id AND m.birth_date > current_date - interval '18 years') AS has_child,
      EXISTS (SELECT 1 FROM members m WHERE m.household_id = x.id AND m.disability IS NOT NULL) AS has_disabled
    FROM households x WHERE x.id = ANY(household_ids)
  ) r
  WHERE h.id = r.id
    AND (h.pas, h.member_count, h.has_elderly, h.has_child, h.has_disabled)
        IS DISTINCT FROM (r.pas, r.member_count, r.has_elderly, r.has_child, r.has_disabled)
$$;
