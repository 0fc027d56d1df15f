-- docs/pilots.md graphql example 5, operation 1, as {"sub":"demo-planner@kemensos.go.id","role":"PLANNER","org":"Kemensos (demo)","regions":"*"}
-- 34 statements (texts only, sorted; see readme-operations.test.ts)
SELECT id, kind, name, ST_X(location) AS lon, ST_Y(location) AS lat, accessible, serves FROM existing_facilities WHERE village_code = $1 ORDER BY id;

SELECT iv.serves, iv.category, ST_X(i.location) AS lon, ST_Y(i.location) AS lat
    FROM package_items i JOIN packages p ON p.id = i.package_id JOIN interventions iv ON iv.code = i.intervention_code
    WHERE p.village_code = $1 AND p.status IN ('APPROVED', 'IN_PROGRESS', 'COMPLETED') AND i.location IS NOT NULL
      AND ($2::int IS NULL OR p.id <> $3::int);

WITH g AS (SELECT boundary, ST_Envelope(boundary) AS env, greatest(50, sqrt(ST_Area(boundary::geography) / 400)) / 111320.0 AS step
               FROM village_geography WHERE village_code = $1)
    SELECT round((gx * step)::numeric, 7)::float8 AS lon, round((gy * step)::numeric, 7)::float8 AS lat
    FROM g, generate_series(floor(ST_XMin(env) / step)::int, ceil(ST_XMax(env) / step)::int) gx,
         generate_series(floor(ST_YMin(env) / step)::int, ceil(ST_YMax(env) / step)::int) gy
    WHERE ST_Covers(boundary, ST_SetSRID(ST_MakePoint(gx * step, gy * step), 4326))
    ORDER BY gy, gx;

DELETE FROM package_item_funding WHERE item_id = $1;

DELETE FROM package_item_funding WHERE item_id = $1;

DELETE FROM package_item_funding WHERE item_id = $1;

DELETE FROM package_item_funding WHERE item_id = $1;

INSERT INTO audit_log (actor, role, organisation, action, entity, entity_id, package_id, village_code, before, after, household_ids, request_id)
    VALUES ($1, $2, $3, $4, $5,
      $6, $7, $8,
      $9::jsonb, $10::jsonb, $11::int[], $12);

INSERT INTO package_budgets (package_id, funder_code, budget_idr, over_budget_reason) VALUES ($1, $2, $3, $4)
    ON CONFLICT (package_id, funder_code) DO UPDATE SET budget_idr = excluded.budget_idr,
      over_budget_reason = coalesce(excluded.over_budget_reason, package_budgets.over_budget_reason);

INSERT INTO package_item_funding (item_id, funder_code, fund_code, amount_idr)
    SELECT $1, s.funder_code, s.fund_code, s.amount_idr
    FROM jsonb_to_recordset($2::jsonb)
      AS s(funder_code text, fund_code text, amount_idr bigint);

INSERT INTO package_item_funding (item_id, funder_code, fund_code, amount_idr)
    SELECT $1, s.funder_code, s.fund_code, s.amount_idr
    FROM jsonb_to_recordset($2::jsonb)
      AS s(funder_code text, fund_code text, amount_idr bigint);

INSERT INTO package_item_funding (item_id, funder_code, fund_code, amount_idr)
    SELECT $1, s.funder_code, s.fund_code, s.amount_idr
    FROM jsonb_to_recordset($2::jsonb)
      AS s(funder_code text, fund_code text, amount_idr bigint);

INSERT INTO package_item_funding (item_id, funder_code, fund_code, amount_idr)
    SELECT $1, s.funder_code, s.fund_code, s.amount_idr
    FROM jsonb_to_recordset($2::jsonb)
      AS s(funder_code text, fund_code text, amount_idr bigint);

INSERT INTO package_items (package_id, intervention_code, funder_code, household_id, member_id,
      location, quantity, unit_cost_idr, cost_idr, eligibility_override_reason, origin, amount_note)
    VALUES ($1, $2, $3, $4::int, $5::int,
      ST_SetSRID(ST_MakePoint($6::float8, $7::float8), 4326), $8, $9, $10,
      $11, $12, $13), ($14, $15, $16, $17::int, $18::int,
      ST_SetSRID(ST_MakePoint($19::float8, $20::float8), 4326), $21, $22, $23,
      $24, $25, $26), ($27, $28, $29, $30::int, $31::int,
      ST_SetSRID(ST_MakePoint($32::float8, $33::float8), 4326), $34, $35, $36,
      $37, $38, $39), ($40, $41, $42, $43::int, $44::int,
      ST_SetSRID(ST_MakePoint($45::float8, $46::float8), 4326), $47, $48, $49,
      $50, $51, $52), ($53, $54, $55, $56::int, $57::int,
      NULL::geometry, $58, $59, $60,
      $61, $62, $63), ($64, $65, $66, $67::int, $68::int,
      NULL::geometry, $69, $70, $71,
      $72, $73, $74), ($75, $76, $77, $78::int, $79::int,
      NULL::geometry, $80, $81, $82,
      $83, $84, $85), ($86, $87, $88, $89::int, $90::int,
      NULL::geometry, $91, $92, $93,
      $94, $95, $96), ($97, $98, $99, $100::int, $101::int,
      NULL::geometry, $102, $103, $104,
      $105, $106, $107), ($108, $109, $110, $111::int, $112::int,
      NULL::geometry, $113, $114, $115,
      $116, $117, $118), ($119, $120, $121, $122::int, $123::int,
      NULL::geometry, $124, $125, $126,
      $127, $128, $129), ($130, $131, $132, $133::int, $134::int,
      NULL::geometry, $135, $136, $137,
      $138, $139, $140), ($141, $142, $143, $144::int, $145::int,
      NULL::geometry, $146, $147, $148,
      $149, $150, $151), ($152, $153, $154, $155::int, $156::int,
      NULL::geometry, $157, $158, $159,
      $160, $161, $162), ($163, $164, $165, $166::int, $167::int,
      NULL::geometry, $168, $169, $170,
      $171, $172, $173), ($174, $175, $176, $177::int, $178::int,
      NULL::geometry, $179, $180, $181,
      $182, $183, $184), ($185, $186, $187, $188::int, $189::int,
      NULL::geometry, $190, $191, $192,
      $193, $194, $195), ($196, $197, $198, $199::int, $200::int,
      NULL::geometry, $201, $202, $203,
      $204, $205, $206), ($207, $208, $209, $210::int, $211::int,
      NULL::geometry, $212, $213, $214,
      $215, $216, $217), ($218, $219, $220, $221::int, $222::int,
      NULL::geometry, $223, $224, $225,
      $226, $227, $228), ($229, $230, $231, $232::int, $233::int,
      NULL::geometry, $234, $235, $236,
      $237, $238, $239), ($240, $241, $242, $243::int, $244::int,
      NULL::geometry, $245, $246, $247,
      $248, $249, $250), ($251, $252, $253, $254::int, $255::int,
      NULL::geometry, $256, $257, $258,
      $259, $260, $261), ($262, $263, $264, $265::int, $266::int,
      NULL::geometry, $267, $268, $269,
      $270, $271, $272), ($273, $274, $275, $276::int, $277::int,
      NULL::geometry, $278, $279, $280,
      $281, $282, $283), ($284, $285, $286, $287::int, $288::int,
      NULL::geometry, $289, $290, $291,
      $292, $293, $294), ($295, $296, $297, $298::int, $299::int,
      NULL::geometry, $300, $301, $302,
      $303, $304, $305), ($306, $307, $308, $309::int, $310::int,
      NULL::geometry, $311, $312, $313,
      $314, $315, $316), ($317, $318, $319, $320::int, $321::int,
      NULL::geometry, $322, $323, $324,
      $325, $326, $327), ($328, $329, $330, $331::int, $332::int,
      NULL::geometry, $333, $334, $335,
      $336, $337, $338), ($339, $340, $341, $342::int, $343::int,
      NULL::geometry, $344, $345, $346,
      $347, $348, $349), ($350, $351, $352, $353::int, $354::int,
      NULL::geometry, $355, $356, $357,
      $358, $359, $360), ($361, $362, $363, $364::int, $365::int,
      NULL::geometry, $366, $367, $368,
      $369, $370, $371), ($372, $373, $374, $375::int, $376::int,
      NULL::geometry, $377, $378, $379,
      $380, $381, $382), ($383, $384, $385, $386::int, $387::int,
      NULL::geometry, $388, $389, $390,
      $391, $392, $393), ($394, $395, $396, $397::int, $398::int,
      NULL::geometry, $399, $400, $401,
      $402, $403, $404), ($405, $406, $407, $408::int, $409::int,
      NULL::geometry, $410, $411, $412,
      $413, $414, $415), ($416, $417, $418, $419::int, $420::int,
      NULL::geometry, $421, $422, $423,
      $424, $425, $426), ($427, $428, $429, $430::int, $431::int,
      NULL::geometry, $432, $433, $434,
      $435, $436, $437), ($438, $439, $440, $441::int, $442::int,
      NULL::geometry, $443, $444, $445,
      $446, $447, $448), ($449, $450, $451, $452::int, $453::int,
      NULL::geometry, $454, $455, $456,
      $457, $458, $459), ($460, $461, $462, $463::int, $464::int,
      NULL::geometry, $465, $466, $467,
      $468, $469, $470), ($471, $472, $473, $474::int, $475::int,
      NULL::geometry, $476, $477, $478,
      $479, $480, $481), ($482, $483, $484, $485::int, $486::int,
      NULL::geometry, $487, $488, $489,
      $490, $491, $492), ($493, $494, $495, $496::int, $497::int,
      NULL::geometry, $498, $499, $500,
      $501, $502, $503), ($504, $505, $506, $507::int, $508::int,
      NULL::geometry, $509, $510, $511,
      $512, $513, $514), ($515, $516, $517, $518::int, $519::int,
      NULL::geometry, $520, $521, $522,
      $523, $524, $525), ($526, $527, $528, $529::int, $530::int,
      NULL::geometry, $531, $532, $533,
      $534, $535, $536), ($537, $538, $539, $540::int, $541::int,
      NULL::geometry, $542, $543, $544,
      $545, $546, $547), ($548, $549, $550, $551::int, $552::int,
      NULL::geometry, $553, $554, $555,
      $556, $557, $558) RETURNING id;

INSERT INTO packages (village_code, name, created_by, template_of, proposal_decisions)
    VALUES ($1, $2, $3, $4, $5::jsonb) RETURNING id, village_code, name, status, version, template_of, proposal_decisions, created_by,
  to_json(created_at)#>>'{}' AS created_at, to_json(updated_at)#>>'{}' AS updated_at;

SELECT b.package_id, b.funder_code, b.budget_idr, b.over_budget_reason,
      CASE WHEN true THEN coalesce((SELECT sum(f.amount_idr) FROM package_item_funding f JOIN package_items i ON i.id = f.item_id
  WHERE i.package_id = b.package_id AND f.funder_code = b.funder_code), 0)::bigint END AS allocated_idr
    FROM package_budgets b JOIN packages pkg ON pkg.id = b.package_id
    WHERE b.package_id = ANY($1::int[]) ORDER BY b.package_id, b.funder_code;

SELECT b.package_id, b.funder_code, b.budget_idr, b.over_budget_reason,
      CASE WHEN true THEN coalesce((SELECT sum(f.amount_idr) FROM package_item_funding f JOIN package_items i ON i.id = f.item_id
  WHERE i.package_id = b.package_id AND f.funder_code = b.funder_code), 0)::bigint END AS allocated_idr
    FROM package_budgets b JOIN packages pkg ON pkg.id = b.package_id
    WHERE b.package_id = ANY($1::int[]) ORDER BY b.package_id, b.funder_code;

SELECT b.package_id, b.funder_code, b.budget_idr, b.over_budget_reason,
      CASE WHEN true THEN coalesce((SELECT sum(f.amount_idr) FROM package_item_funding f JOIN package_items i ON i.id = f.item_id
  WHERE i.package_id = b.package_id AND f.funder_code = b.funder_code), 0)::bigint END AS allocated_idr
    FROM package_budgets b JOIN packages pkg ON pkg.id = b.package_id
    WHERE b.package_id = ANY($1::int[]) ORDER BY b.package_id, b.funder_code;

SELECT f.code, f.name, f.kind, coalesce(d.requires_mustahik, false) AS requires_mustahik, f.description
    FROM funders f LEFT JOIN funds d ON d.funder_code = f.code AND d.is_default ORDER BY f.code;

SELECT h.id FROM households h WHERE true AND true AND h.inactive_since IS NULL AND h.village_code = $1 ORDER BY h.id;

SELECT h.id, h.registry_id, h.village_code, ST_AsGeoJSON(h.location, 7) AS location, h.desil, h.livelihood,
  h.is_mustahik, h.receives_pkh, h.receives_bpnt, h.has_small_business, h.floor_area_m2, h.occupants,
  h.floor_material, h.wall_material, h.roof_material, h.has_own_toilet, h.has_electricity, h.water_source,
  h.land_ownership, h.had_housing_aid, h.rtlh_reasons, h.is_rtlh, h.pas::text[] AS pas, h.member_count,
  h.has_elderly, h.has_child, h.has_disabled, h.component_conditions, h.damage_class, h.inactive_since::text AS inactive_since FROM households h
    WHERE h.id = ANY($1::int[]) AND true AND true;

SELECT i.household_id, i.package_id, i.intervention_code
    FROM package_items i JOIN interventions iv ON iv.code = i.intervention_code JOIN packages p ON p.id = i.package_id
    WHERE iv.is_housing AND p.status <> 'CANCELLED' AND i.household_id = ANY($1::int[]);

SELECT item.id, item.package_id, item.intervention_code, iv.category, iv.target, iv.is_housing, iv.serves, item.funder_code,
  item.household_id, item.member_id, ST_AsGeoJSON(item.location, 7) AS location,
  round(ST_X(coalesce(item.location, h.location))::numeric, 7)::float8 AS lon, round(ST_Y(coalesce(item.location, h.location))::numeric, 7)::float8 AS lat,
  item.quantity, item.unit_cost_idr, item.cost_idr, item.eligibility_override_reason, item.origin, item.progress, item.started_on, item.done_on,
  item.amount_note, iv.name_id, iv.package_id AS specific_to FROM package_items item
  JOIN packages pkg ON pkg.id = item.package_id
  JOIN interventions iv ON iv.code = item.intervention_code
  LEFT JOIN households h ON h.id = item.household_id
    WHERE item.package_id = ANY($1::int[]) ORDER BY item.package_id, item.id;

SELECT item.id, item.package_id, item.intervention_code, iv.category, iv.target, iv.is_housing, iv.serves, item.funder_code,
  item.household_id, item.member_id, ST_AsGeoJSON(item.location, 7) AS location,
  round(ST_X(coalesce(item.location, h.location))::numeric, 7)::float8 AS lon, round(ST_Y(coalesce(item.location, h.location))::numeric, 7)::float8 AS lat,
  item.quantity, item.unit_cost_idr, item.cost_idr, item.eligibility_override_reason, item.origin, item.progress, item.started_on, item.done_on,
  item.amount_note, iv.name_id, iv.package_id AS specific_to FROM package_items item
  JOIN packages pkg ON pkg.id = item.package_id
  JOIN interventions iv ON iv.code = item.intervention_code
  LEFT JOIN households h ON h.id = item.household_id
    WHERE item.package_id = ANY($1::int[]) ORDER BY item.package_id, item.id;

SELECT item_id, funder_code, fund_code, amount_idr FROM package_item_funding WHERE item_id = ANY($1::int[]) ORDER BY item_id, amount_idr DESC, fund_code;

SELECT iv.*, coalesce((SELECT array_agg(x.funder_code ORDER BY x.funder_code) FROM intervention_funders x WHERE x.intervention_code = iv.code), '{}') AS funder_codes FROM interventions iv
    WHERE ($1::text IS NULL OR iv.category::text = $2)
      AND ($3::text IS NULL OR EXISTS (SELECT 1 FROM intervention_funders x WHERE x.intervention_code = iv.code AND x.funder_code = $4))
      AND ($5 = false OR iv.is_active)
      AND (iv.package_id IS NULL OR iv.package_id = $6::int)
    ORDER BY iv.category, iv.code;

SELECT m.id, m.household_id, m.birth_date, date_part('year', age(current_date, m.birth_date))::int AS age,
      m.sex, m.relation, m.disability, m.in_school, mi.full_name, mi.nik
    FROM members m LEFT JOIN member_identities mi ON mi.member_id = m.id
    WHERE m.household_id = ANY($1::int[]) ORDER BY m.household_id, m.id;

SELECT p.id, p.village_code, p.name, p.status, p.version, p.template_of, p.proposal_decisions, p.created_by, to_json(p.created_at)#>>'{}' AS created_at, to_json(p.updated_at)#>>'{}' AS updated_at FROM packages p
    WHERE p.id = $1 AND true;

SELECT pg_try_advisory_xact_lock(7102026, hashtext($1)) AS locked;

SELECT r.code, r.name, r.name_key, r.kind, r.district_code, r.regency_code, r.province_code,
  g.village_code IS NOT NULL AS has_boundary, ST_AsGeoJSON(g.centroid, 7) AS centroid, g.area_m2,
  g.is_coastal, g.coastal_source, g.seaward_boundary_m, g.distance_to_coastline_m,
  coalesce(s.households, 0) AS households, coalesce(s.members, 0) AS members, s.households_by_desil,
  coalesce(s.households_desil_1_to_2, 0) AS households_desil_1_to_2,
  coalesce(s.households_desil_1_to_4, 0) AS households_desil_1_to_4, s.households_by_pas,
  coalesce(s.rtlh_households, 0) AS rtlh_households, coalesce(s.elderly_members, 0) AS elderly_members,
  coalesce(s.child_members, 0) AS child_members, coalesce(s.disabled_members, 0) AS disabled_members,
  coalesce(s.households_with_elderly, 0) AS households_with_elderly,
  coalesce(s.households_with_disabled, 0) AS households_with_disabled,
  coalesce(s.fisher_households, 0) AS fisher_households, coalesce(s.fisher_share, 0) AS fisher_share,
  coalesce(s.vulnerable_households, 0) AS vulnerable_households, 0::float8 AS priority_score FROM regions r
  LEFT JOIN village_geography g ON g.village_code = r.code
  LEFT JOIN village_stats s ON s.village_code = r.code
    WHERE r.level = 'VILLAGE' AND r.code = ANY($1::text[]);

SELECT round(ST_X(p)::numeric, 7)::float8 AS lon, round(ST_Y(p)::numeric, 7)::float8 AS lat
    FROM (SELECT ST_PointOnSurface(boundary) AS p FROM village_geography WHERE village_code = $1) x;

SELECT round(ST_X(p)::numeric, 7)::float8 AS lon, round(ST_Y(p)::numeric, 7)::float8 AS lat
    FROM (SELECT ST_PointOnSurface(boundary) AS p FROM village_geography WHERE village_code = $1) x;

WITH served_households AS MATERIALIZED (SELECT DISTINCT i.household_id FROM package_items i WHERE i.package_id = $1 AND i.household_id IS NOT NULL) SELECT count(*) FILTER (WHERE (h.desil <= 2 OR h.is_rtlh OR cardinality(h.pas::text[]) > 0))::int AS in_need,
      count(*) FILTER (WHERE (h.desil <= 2 OR h.is_rtlh OR cardinality(h.pas::text[]) > 0) AND h.id IN (SELECT household_id FROM served_households))::int AS served
    FROM households h WHERE true AND h.inactive_since IS NULL AND h.village_code = $2;

WITH served_households AS MATERIALIZED (SELECT DISTINCT i.household_id FROM package_items i WHERE i.package_id = $1 AND i.household_id IS NOT NULL) SELECT count(*) FILTER (WHERE (h.desil <= 2 OR h.is_rtlh OR cardinality(h.pas::text[]) > 0))::int AS in_need,
      count(*) FILTER (WHERE (h.desil <= 2 OR h.is_rtlh OR cardinality(h.pas::text[]) > 0) AND h.id IN (SELECT household_id FROM served_households))::int AS served
    FROM households h WHERE true AND h.inactive_since IS NULL AND h.village_code = $2;
