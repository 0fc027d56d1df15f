-- Switching the RTLH rule is one transaction that leaves every derived number right. Before (0002),
-- activate_rtlh_rule re-evaluated the houses through the row trigger (`SET occupants = occupants`,
-- a write of every household) and left village_stats at the old rule: rtlh_households, and with it
-- the villages' need ranking, the dashboard and the protected aggregates, stayed wrong until an
-- operator also ran refresh_village_stats() by hand, as the README told them to. And a household
-- inserted concurrently by a transaction that had read the old rule kept the old verdict for good:
-- the re-evaluation could not see the uncommitted row, the writer never saw the new rule.
--
-- Now it:
--   * refuses at once while a data import runs (the imports' advisory lock, import.runner.ts): an
--     import writes households in one transaction of minutes. Holding that lock also keeps an
--     import from starting until the switch has committed;
--   * locks households in SHARE ROW EXCLUSIVE mode: no transaction is writing households while it
--     holds the lock, and new writers wait until it commits (reads go on). A writer's statement
--     that then runs reads the new rule: under READ COMMITTED, which every writer here uses, the
--     trigger's query and the import's INSERT take a fresh snapshot after the lock is granted.
--     The lock is tried without waiting (NOWAIT) every 50 ms for up to wait_seconds: a request
--     that waits in PostgreSQL's lock queue holds back every writer that comes after it, and a
--     long writer would have stopped all household writes of the API behind the switch;
--   * writes the verdict set-based with rtlh_reasons_for (the one definition, as the trigger and
--     the import use it), and only where it changes, instead of rewriting every row;
--   * recomputes village_stats for the villages of the active households whose verdict changed;
--   * returns how many households' verdicts changed (before: how many households were rewritten).
-- An unknown code changes nothing (no_data_found); so does a lock it could not get
-- (lock_not_available, with the reason).
--
-- A new parameter: the one-argument function is dropped, else a call with one argument would be
-- ambiguous between the two.
DROP FUNCTION activate_rtlh_rule(text);
--> statement-breakpoint
CREATE FUNCTION activate_rtlh_rule(rule_code text, wait_seconds integer DEFAULT 30) RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
  rule rtlh_rules;
  changed integer;
  codes text[];
  deadline timestamptz := clock_timestamp() + make_interval(secs => greatest(wait_seconds, 0));
BEGIN
  SELECT * INTO rule FROM rtlh_rules WHERE code = rule_code;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'unknown RTLH rule %', rule_code USING ERRCODE = 'no_data_found';
  END IF;
  IF NOT pg_try_advisory_xact_lock(1700017, 0) THEN
    RAISE EXCEPTION 'a data import is running: switch the RTLH rule after it has finished'
      USING ERRCODE = 'lock_not_available';
  END IF;
  LOOP
    BEGIN
      LOCK TABLE households IN SHARE ROW EXCLUSIVE MODE NOWAIT;
      EXIT;
    EXCEPTION WHEN lock_not_available THEN
      IF clock_timestamp() >= deadline THEN
        RAISE EXCEPTION 'households were being written for % s without a pause: the RTLH rule was not switched; try again, or with a longer wait_seconds', wait_seconds
          USING ERRCODE = 'lock_not_available';
      END IF;
      PERFORM pg_sleep(0.05);
    END;
  END LOOP;
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
