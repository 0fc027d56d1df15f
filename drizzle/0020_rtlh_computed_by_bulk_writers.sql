-- Issue 17: a bulk writer may compute the RTLH verdict itself, set-based, instead of through the
-- row trigger. The trigger function runs a query for the active rule and a SQL function per row:
-- 8 s of the 41 s INSERT of 1,000,000 imported households (bench:import, EXPLAIN ANALYZE in the
-- import's transaction). A WHEN clause is evaluated in C without calling the function at all.
--
-- A writer that sets `kt.rtlh_computed = 'on'` (SET LOCAL, in its own transaction) must write
-- rtlh_reasons and is_rtlh exactly as households_set_rtlh() would: rtlh_reasons_for() under the
-- active rule, '{}' and false without one. The registry import does (registry.queries.ts
-- upsertHouseholds), and tests/import/registry.test.ts checks that firing the trigger over its rows
-- changes nothing. Every other writer keeps the trigger.
DROP TRIGGER households_rtlh ON households;
--> statement-breakpoint
CREATE TRIGGER households_rtlh BEFORE INSERT OR UPDATE OF floor_area_m2, occupants, floor_material,
  wall_material, roof_material, has_own_toilet, has_electricity, water_source ON households
  FOR EACH ROW WHEN (current_setting('kt.rtlh_computed', true) IS DISTINCT FROM 'on')
  EXECUTE FUNCTION households_set_rtlh();
