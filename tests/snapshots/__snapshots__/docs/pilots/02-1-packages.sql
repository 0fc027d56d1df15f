-- docs/pilots.md graphql example 2, operation 1, as {"sub":"demo-planner@kemensos.go.id","role":"PLANNER","org":"Kemensos (demo)","regions":"*"}
-- 3 statements (texts only, sorted; see readme-operations.test.ts)
SELECT item.id, item.package_id, item.intervention_code, iv.category, iv.target, iv.is_housing, iv.serves, item.funder_code,
  item.household_id, item.member_id, ST_AsGeoJSON(item.location, 7) AS location,
  round(ST_X(coalesce(item.location, h.location))::numeric, 7)::float8 AS lon, round(ST_Y(coalesce(item.location, h.location))::numeric, 7)::float8 AS lat,
  item.quantity, item.unit_cost_idr, item.cost_idr, item.eligibility_override_reason, item.origin, item.progress, item.started_on, item.done_on,
  item.amount_note, iv.name_id, iv.package_id AS specific_to FROM package_items item
  JOIN packages pkg ON pkg.id = item.package_id
  JOIN interventions iv ON iv.code = item.intervention_code
  LEFT JOIN households h ON h.id = item.household_id
    WHERE (true
      AND (item.household_id IS NULL OR (true AND true))) AND item.package_id = ANY($1::int[]) ORDER BY item.package_id, item.id;

SELECT item_id, funder_code, fund_code, amount_idr FROM package_item_funding WHERE item_id = ANY($1::int[]) ORDER BY item_id, amount_idr DESC, fund_code;

SELECT p.id, p.village_code, p.name, p.status, p.version, p.template_of, p.proposal_decisions, p.created_by, to_json(p.created_at)#>>'{}' AS created_at, to_json(p.updated_at)#>>'{}' AS updated_at FROM packages p
    WHERE true
      AND ($1::text IS NULL OR p.village_code = $2)
      AND ($3::text IS NULL OR p.status::text = $4)
      AND ($5::int IS NULL OR p.id > $6::int)
    ORDER BY p.id LIMIT $7;
