-- README.md graphql example 7, operation 2, as {"sub":"readme-planner@example","role":"PLANNER","org":"Dinsos Kota Semarang","regions":["33.74"]}
-- 7 statements (texts only, sorted; see readme-operations.test.ts)
SELECT g.village_code IS NOT NULL AS has_boundary, coalesce(ST_Covers(g.boundary, ST_SetSRID(ST_MakePoint($1::float8, $2::float8), 4326)), false) AS inside,
      ST_Distance(g.boundary::geography, ST_SetSRID(ST_MakePoint($3::float8, $4::float8), 4326)::geography) AS distance_m
    FROM (SELECT 1) one LEFT JOIN village_geography g ON g.village_code = $5;

SELECT * FROM funds ORDER BY funder_code, NOT is_default, code;

SELECT b.package_id, b.funder_code, b.budget_idr, b.over_budget_reason,
      CASE WHEN true THEN coalesce((SELECT sum(f.amount_idr) FROM package_item_funding f JOIN package_items i ON i.id = f.item_id
  WHERE i.package_id = b.package_id AND f.funder_code = b.funder_code), 0)::bigint END AS allocated_idr
    FROM package_budgets b JOIN packages pkg ON pkg.id = b.package_id
    WHERE b.package_id = ANY($1::int[]) ORDER BY b.package_id, b.funder_code;

SELECT item.id, item.package_id, item.intervention_code, iv.category, iv.target, iv.is_housing, iv.serves, item.funder_code,
  item.household_id, item.member_id, ST_AsGeoJSON(item.location, 7) AS location,
  round(ST_X(coalesce(item.location, h.location))::numeric, 7)::float8 AS lon, round(ST_Y(coalesce(item.location, h.location))::numeric, 7)::float8 AS lat,
  item.quantity, item.unit_cost_idr, item.cost_idr, item.eligibility_override_reason, item.origin, item.progress, item.started_on, item.done_on,
  item.amount_note, iv.name_id, iv.package_id AS specific_to FROM package_items item
  JOIN packages pkg ON pkg.id = item.package_id
  JOIN interventions iv ON iv.code = item.intervention_code
  LEFT JOIN households h ON h.id = item.household_id
    WHERE item.package_id = ANY($1::int[]) ORDER BY item.package_id, item.id;

SELECT iv.*, coalesce((SELECT array_agg(x.funder_code ORDER BY x.funder_code) FROM intervention_funders x WHERE x.intervention_code = iv.code), '{}') AS funder_codes FROM interventions iv WHERE iv.code = $1;

SELECT p.id, p.village_code, p.name, p.status, p.version, p.template_of, p.proposal_decisions, p.created_by, to_json(p.created_at)#>>'{}' AS created_at, to_json(p.updated_at)#>>'{}' AS updated_at FROM packages p
    WHERE p.id = $1 AND left(p.village_code, 5) = $2;

UPDATE packages SET version = version + 1, updated_at = now()
      
    WHERE id = $1 AND version = $2
    RETURNING id, village_code, name, status, version, template_of, proposal_decisions, created_by,
  to_json(created_at)#>>'{}' AS created_at, to_json(updated_at)#>>'{}' AS updated_at;
