-- README.md graphql example 10, operation 1, as {"sub":"readme-planner@example","role":"PLANNER","org":"Dinsos Kota Semarang","regions":["33.74"]}
-- 5 statements (texts only, sorted; see readme-operations.test.ts)
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

SELECT p.id, p.village_code, p.name, p.status, p.version, p.template_of, p.proposal_decisions, p.created_by, to_json(p.created_at)#>>'{}' AS created_at, to_json(p.updated_at)#>>'{}' AS updated_at FROM packages p
    WHERE p.id = $1 AND left(p.village_code, 5) = $2;

SELECT t.household_id,
      EXISTS (SELECT 1 FROM assessments a WHERE a.household_id = t.household_id) AS assessed
    FROM (SELECT DISTINCT coalesce(i.household_id, m.household_id) AS household_id
          FROM package_items i LEFT JOIN members m ON m.id = i.member_id
          WHERE i.package_id = $1 AND (i.household_id IS NOT NULL OR i.member_id IS NOT NULL)) t
    ORDER BY t.household_id;

UPDATE packages SET version = version + 1, updated_at = now()
      , status = $1::package_status
    WHERE id = $2 AND version = $3
    RETURNING id, village_code, name, status, version, template_of, proposal_decisions, created_by,
  to_json(created_at)#>>'{}' AS created_at, to_json(updated_at)#>>'{}' AS updated_at;
