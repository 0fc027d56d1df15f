-- Derived household state that every reader relies on, kept in the database so that no write
-- path (GraphQL, seed, imports, psql) can forget it:
--   * rtlh_reasons / is_rtlh: the RTLH verdict under the active rtlh_rules row;
--   * pas, member_count, has_elderly, has_child, has_disabled: roll-ups of members and PAS tags.
-- Bulk loaders that compute the roll-ups themselves may `SET LOCAL kt.skip_rollups = 'on'`.

-- Criteria that fail for one house under one rule. Codes are stable API values.
CREATE OR REPLACE FUNCTION rtlh_reasons_for(
  rule rtlh_rules, floor_area_m2 real, occupants smallint, floor floor_material, wall wall_material,
  roof roof_material, own_toilet boolean, electricity boolean, water water_source
) RETURNS text[] LANGUAGE sql IMMUTABLE AS $$
  SELECT array_remove(ARRAY[
    CASE WHEN floor_area_m2 / greatest(occupants, 1) < rule.min_floor_area_m2_per_person THEN 'FLOOR_AREA_PER_PERSON' END,
    CASE WHEN floor = ANY(rule.poor_floor_materials) THEN 'FLOOR_MATERIAL' END,
    CASE WHEN wall = ANY(rule.poor_wall_materials) THEN 'WALL_MATERIAL' END,
    CASE WHEN roof = ANY(rule.poor_roof_materials) THEN 'ROOF_MATERIAL' END,
    CASE WHEN rule.require_own_toilet AND NOT own_toilet THEN 'NO_OWN_TOILET' END,
    CASE WHEN rule.require_electricity AND NOT electricity THEN 'NO_ELECTRICITY' END,
    CASE WHEN water = ANY(rule.unprotected_water_sources) THEN 'UNPROTECTED_WATER' END
  ], NULL)
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION households_set_rtlh() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  rule rtlh_rules;
BEGIN
  SELECT * INTO rule FROM rtlh_rules WHERE is_active;
  IF NOT FOUND THEN
    NEW.rtlh_reasons := '{}';
    NEW.is_rtlh := false;
    RETURN NEW;
  END IF;
  NEW.rtlh_reasons := rtlh_reasons_for(rule, NEW.floor_area_m2, NEW.occupants, NEW.floor_material,
    NEW.wall_material, NEW.roof_material, NEW.has_own_toilet, NEW.has_electricity, NEW.water_source);
  NEW.is_rtlh := cardinality(NEW.rtlh_reasons) >= rule.min_failed_criteria;
  RETURN NEW;
END
$$;
--> statement-breakpoint
CREATE TRIGGER households_rtlh BEFORE INSERT OR UPDATE OF floor_area_m2, occupants, floor_material,
  wall_material, roof_material, has_own_toilet, has_electricity, water_source ON households
  FOR EACH ROW EXECUTE FUNCTION households_set_rtlh();
--> statement-breakpoint
-- Re-evaluates every house after the active rule changed.
CREATE OR REPLACE FUNCTION activate_rtlh_rule(rule_code text) RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
  changed integer;
BEGIN
  IF NOT EXISTS (SELECT 1 FROM rtlh_rules WHERE code = rule_code) THEN
    RAISE EXCEPTION 'unknown RTLH rule %', rule_code USING ERRCODE = 'no_data_found';
  END IF;
  UPDATE rtlh_rules SET is_active = false WHERE is_active AND code <> rule_code;
  UPDATE rtlh_rules SET is_active = true WHERE code = rule_code;
  UPDATE households SET occupants = occupants;
  GET DIAGNOSTICS changed = ROW_COUNT;
  RETURN changed;
END
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION refresh_household_rollups(household_ids integer[]) RETURNS void LANGUAGE sql AS $$
  UPDATE households h SET
    pas = coalesce((SELECT array_agg(DISTINCT t.pas ORDER BY t.pas) FROM pas_tags t WHERE t.household_id = h.id), '{}'),
    member_count = (SELECT count(*) FROM members m WHERE m.household_id = h.id),
    has_elderly = EXISTS (SELECT 1 FROM members m WHERE m.household_id = h.id AND m.birth_date <= current_date - interval '60 years'),
    has_child = EXISTS (SELECT 1 FROM members m WHERE m.household_id = h.id AND m.birth_date > current_date - interval '18 years'),
    has_disabled = EXISTS (SELECT 1 FROM members m WHERE m.household_id = h.id AND m.disability IS NOT NULL),
    updated_at = now()
  WHERE h.id = ANY(household_ids)
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION household_rollups_after_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF coalesce(current_setting('kt.skip_rollups', true), '') = 'on' THEN
    RETURN NULL;
  END IF;
  IF TG_OP = 'DELETE' THEN
    PERFORM refresh_household_rollups(ARRAY(SELECT DISTINCT household_id FROM old_rows));
  ELSE
    PERFORM refresh_household_rollups(ARRAY(SELECT DISTINCT household_id FROM new_rows));
  END IF;
  IF TG_OP = 'UPDATE' THEN
    PERFORM refresh_household_rollups(ARRAY(SELECT DISTINCT household_id FROM old_rows));
  END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER pas_tags_rollup_insert AFTER INSERT ON pas_tags REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION household_rollups_after_change();
--> statement-breakpoint
CREATE TRIGGER pas_tags_rollup_update AFTER UPDATE ON pas_tags REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION household_rollups_after_change();
--> statement-breakpoint
CREATE TRIGGER pas_tags_rollup_delete AFTER DELETE ON pas_tags REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION household_rollups_after_change();
--> statement-breakpoint
CREATE TRIGGER members_rollup_insert AFTER INSERT ON members REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION household_rollups_after_change();
--> statement-breakpoint
CREATE TRIGGER members_rollup_update AFTER UPDATE ON members REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION household_rollups_after_change();
--> statement-breakpoint
CREATE TRIGGER members_rollup_delete AFTER DELETE ON members REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION household_rollups_after_change();
--> statement-breakpoint
-- The agencies' published floor-area thresholds (DOMAIN.md); the material, sanitation, water and
-- electricity criteria are the common RTLH list. PUPR_NAHP (7.2 m² per person) is active by default.
INSERT INTO rtlh_rules (code, name, description, min_floor_area_m2_per_person, poor_floor_materials,
  poor_wall_materials, poor_roof_materials, unprotected_water_sources, require_own_toilet,
  require_electricity, min_failed_criteria, is_active) VALUES
  ('PUPR_NAHP', 'PUPR NAHP (7.2 m²/person)',
   'Floor area below 7.2 m² per person, earth or bamboo floor, bamboo or makeshift walls, leaf or wood-shingle roof, no own toilet, no electricity or unprotected water: any one failure makes the house RTLH.',
   7.2, '{EARTH,BAMBOO}', '{BAMBOO,OTHER}', '{LEAF,WOOD_SHINGLE}', '{UNPROTECTED_WELL,UNPROTECTED_SPRING,SURFACE_WATER}', true, true, 1, true),
  ('PUPR_BSPS', 'PUPR BSPS (9 m²/person)',
   'As PUPR NAHP but with the BSPS threshold of 9 m² of floor per person.',
   9, '{EARTH,BAMBOO}', '{BAMBOO,OTHER}', '{LEAF,WOOD_SHINGLE}', '{UNPROTECTED_WELL,UNPROTECTED_SPRING,SURFACE_WATER}', true, true, 1, false),
  ('BPS', 'BPS (8 m²/person)',
   'As PUPR NAHP but with the BPS threshold of 8 m² of floor per person.',
   8, '{EARTH,BAMBOO}', '{BAMBOO,OTHER}', '{LEAF,WOOD_SHINGLE}', '{UNPROTECTED_WELL,UNPROTECTED_SPRING,SURFACE_WATER}', true, true, 1, false);
