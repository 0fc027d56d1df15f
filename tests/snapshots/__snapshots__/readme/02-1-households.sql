-- README.md graphql example 2, operation 1, as {"sub":"readme-planner@example","role":"PLANNER","org":"README","regions":"*"}
-- 6 statements (texts only, sorted; see readme-operations.test.ts)
INSERT INTO audit_log (actor, role, organisation, action, entity, entity_id, package_id, village_code, before, after, household_ids, request_id)
    VALUES ($1, $2, $3, $4, $5,
      $6, $7, $8,
      $9::jsonb, $10::jsonb, $11::int[], $12);

SELECT code, min_floor_area_m2_per_person FROM rtlh_rules WHERE is_active;

SELECT count(*)::int AS n FROM households h WHERE true AND true AND h.inactive_since IS NULL AND h.village_code = $1 AND h.pas && $2::pas[] AND h.is_rtlh = $3;

SELECT h.id, h.registry_id, h.village_code, ST_AsGeoJSON(h.location, 7) AS location, h.desil, h.livelihood,
  h.is_mustahik, h.receives_pkh, h.receives_bpnt, h.has_small_business, h.floor_area_m2, h.occupants,
  h.floor_material, h.wall_material, h.roof_material, h.has_own_toilet, h.has_electricity, h.water_source,
  h.land_ownership, h.had_housing_aid, h.rtlh_reasons, h.is_rtlh, h.pas::text[] AS pas, h.member_count,
  h.has_elderly, h.has_child, h.has_disabled, h.component_conditions, h.damage_class, h.inactive_since::text AS inactive_since FROM (SELECT h.* FROM households h WHERE true AND true AND h.inactive_since IS NULL AND h.village_code = $1 AND h.pas && $2::pas[] AND h.is_rtlh = $3 ORDER BY h.id LIMIT $4) h ORDER BY h.id;

SELECT household_id, member_id, pas, source, recorded_on
    FROM pas_tags WHERE household_id = ANY($1::int[])
      AND NOT (pas::text = ANY($2::text[]))
    ORDER BY household_id, pas, member_id NULLS FIRST, id;

SELECT m.id, m.household_id, m.birth_date, date_part('year', age(current_date, m.birth_date))::int AS age,
      m.sex, m.relation, m.disability, m.in_school, mi.full_name, mi.nik
    FROM members m LEFT JOIN member_identities mi ON mi.member_id = m.id
    WHERE m.household_id = ANY($1::int[]) ORDER BY m.household_id, m.id;
