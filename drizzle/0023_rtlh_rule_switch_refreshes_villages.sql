-- Switching the RTLH rule is one transaction that leaves every derived number right. Before (0002),
-- activate_rtlh_rule re-evaluated the houses through the row trigger (`SET occupants = occupants`,
-- a write of every household) and left village_stats at the old rule: rtlh_households, and with it
-- the villages' need ranking, the dashboard and the protected aggregates, stayed wrong until an
-- operator also ran refresh_village_stats() by hand, as the README told them to. And a household
-- written concurrently by a transaction that had read the old rule kept the old verdict for good:
-- the re-evaluation could not see the uncommitted row, the writer never saw the new rule.
--
-- Now it:
--   * locks households in SHARE ROW EXCLUSIVE mode: it waits for the transactions that are writing
--     households to end, and holds new writers back until it commits (reads go on). A writer's
--     statement that then runs reads the new rule (the trigger's query and the import's INSERT
--     take a fresh snapshot after the lock is granted);
--   * writes the verdict set-based with rtlh_reasons_for (the one definition, as the trigger and
--     the import use it), and only where it changes, instead of rewriting every row;
--   * recomputes village_stats for the villages of the active households whose verdict changed;
--   * returns how many households' verdicts changed (before: how many households were rewritten).
-- An unknown code changes nothing (no_data_found).
CREATE OR REPLACE FUNCTION activate_rtlh_rule(rule_code text) RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
  rule rtlh_rules;
  changed integer;
  codes text[];
BEGIN
  SELECT * INTO rule FROM rtlh_rules WHERE code = rule_code;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'unknown RTLH rule %', rule_code USING ERRCODE = 'no_data_found';
  END IF;
  LOCK TABLE households IN SHARE ROW EXCLUSIVE MODE;
  UPDATE rtlh_rules SET is_active = false WHERE is_active AND code <> rule_code;
  UPDATE rtlh_rules SET is_active = true WHERE code = rule_code AND NOT is_active;
  WITH verdicts AS (
    SELECT x.id, v.reasons, cardinality(v.reasons) >= rule.min_failed_criteria AS is_rtlh
    FROM households x
    CROSS JOIN LATERAL (SELECT rtlh_reasons_for(rule, x.floor_area_m2, x.occupants, x.floor_material, x.wall_material,
      x.roof_material, x.has_own_toilet, x.has_electricity, x.water_source) AS reasons) v
  ), updated AS (
    UPDATE households h SET rtlh_reasons = v.reasons, is_rtlh = v.is_rtlh
    FROM verdicts v
    WHERE h.id = v.id AND (h.rtlh_reasons, h.is_rtlh) IS DISTINCT FROM (v.reasons, v.is_rtlh)
    RETURNING h.village_code, h.inactive_since
  )
  SELECT count(*)::int, array_agg(DISTINCT village_code) FILTER (WHERE inactive_since IS NULL)
    INTO changed, codes FROM updated;
  IF codes IS NOT NULL THEN
    PERFORM refresh_village_stats(codes);
  END IF;
  RETURN changed;
END
$$;
