-- README.md graphql example 13, operation 2, as {"sub":"readme-planner@example","role":"PLANNER","org":"Dinsos Kota Semarang","regions":["33.74"]}
-- 5 statements (texts only, sorted; see readme-operations.test.ts)
INSERT INTO audit_log (actor, role, organisation, action, entity, entity_id, package_id, village_code, before, after, household_ids, request_id)
    VALUES ($1, $2, $3, $4, $5,
      $6, $7, $8,
      $9::jsonb, $10::jsonb, $11::int[], $12);

SELECT item.id, item.package_id, item.intervention_code, iv.category, iv.target, iv.is_housing, iv.serves, item.funder_code,
  item.household_id, item.member_id, ST_AsGeoJSON(item.location, 7) AS location,
  round(ST_X(coalesce(item.location, h.location))::numeric, 7)::float8 AS lon, round(ST_Y(coalesce(item.location, h.location))::numeric, 7)::float8 AS lat,
  item.quantity, item.unit_cost_idr, item.cost_idr, item.eligibility_override_reason, item.origin, item.progress, item.started_on, item.done_on,
  item.amount_note, iv.name_id, iv.package_id AS specific_to FROM package_items item
  JOIN packages pkg ON pkg.id = item.package_id
  JOIN interventions iv ON iv.code = item.intervention_code
  LEFT JOIN households h ON h.id = item.household_id WHERE item.package_id = $1 AND item.id = $2;

SELECT p.id, p.village_code, p.name, p.status, p.version, p.template_of, p.proposal_decisions, p.created_by, to_json(p.created_at)#>>'{}' AS created_at, to_json(p.updated_at)#>>'{}' AS updated_at FROM packages p
    WHERE p.id = $1 AND left(p.village_code, 5) = $2;

UPDATE package_items SET progress = $1::item_progress, started_on = $2::date, done_on = $3::date WHERE id = $4;

UPDATE packages SET version = version + 1, updated_at = now()
      
    WHERE id = $1 AND version = $2
    RETURNING id, village_code, name, status, version, template_of, proposal_decisions, created_by,
  to_json(created_at)#>>'{}' AS created_at, to_json(updated_at)#>>'{}' AS updated_at;
