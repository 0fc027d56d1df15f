-- README.md graphql example 14, operation 1, as {"sub":"readme-planner@example","role":"PLANNER","org":"Dinsos Kota Semarang","regions":["33.74"]}
-- 5 statements (texts only, sorted; see readme-operations.test.ts)
WITH items AS MATERIALIZED (SELECT item.id, item.intervention_code, iv.category, iv.serves, item.funder_code, item.quantity, item.cost_idr,
        item.progress, item.member_id, item.household_id, item.location
      FROM package_items item
  JOIN packages pkg ON pkg.id = item.package_id
  JOIN interventions iv ON iv.code = item.intervention_code
  LEFT JOIN households h ON h.id = item.household_id WHERE (left(pkg.village_code, 5) = $1
      AND (item.household_id IS NULL OR (left(h.village_code, 5) = $2 AND true))) AND item.package_id = $3),
    facility AS (SELECT json_build_object('type', 'Feature', 'id', 'item-' || i.id, 'geometry', ST_AsGeoJSON(i.location, 7)::json,
        'properties', json_build_object('kind', 'FACILITY', 'itemId', i.id, 'interventionCode', i.intervention_code, 'category', i.category,
          'serves', i.serves, 'funderCode', i.funder_code, 'quantity', i.quantity, 'costIdr', i.cost_idr, 'progress', i.progress)) AS f, i.id AS k
      FROM items i WHERE i.location IS NOT NULL),
    household AS (SELECT json_build_object('type', 'Feature', 'id', 'household-' || h.id, 'geometry', ST_AsGeoJSON(h.location, 7)::json,
        'properties', json_build_object('kind', 'HOUSEHOLD', 'householdId', h.id, 'desil', h.desil, 'pas', h.pas::text[],
          'items', json_agg(json_build_object('itemId', i.id, 'interventionCode', i.intervention_code, 'category', i.category, 'memberId', i.member_id,
            'funderCode', i.funder_code, 'costIdr', i.cost_idr, 'progress', i.progress) ORDER BY i.id),
          'costIdr', sum(i.cost_idr))) AS f, h.id AS k
      FROM items i JOIN households h ON h.id = i.household_id GROUP BY h.id)
    SELECT json_build_object('type', 'FeatureCollection', 'features',
        coalesce((SELECT json_agg(f ORDER BY k) FROM facility), '[]'::json)::jsonb || coalesce((SELECT json_agg(f ORDER BY k) FROM household), '[]'::json)::jsonb)::text AS fc,
      (SELECT array_agg(k ORDER BY k) FROM household) AS ids;

INSERT INTO audit_log (actor, role, organisation, action, entity, entity_id, package_id, village_code, before, after, household_ids, request_id)
    VALUES ($1, $2, $3, $4, $5,
      $6, $7, $8,
      $9::jsonb, $10::jsonb, $11::int[], $12);

SELECT id, to_json(at)#>>'{}' AS at, actor, role, organisation, action, entity, entity_id, package_id, village_code, household_ids, before, after FROM audit_log WHERE package_id = $1 ORDER BY id;

SELECT item.id, item.package_id, item.intervention_code, iv.category, iv.target, iv.is_housing, iv.serves, item.funder_code,
  item.household_id, item.member_id, ST_AsGeoJSON(item.location, 7) AS location,
  round(ST_X(coalesce(item.location, h.location))::numeric, 7)::float8 AS lon, round(ST_Y(coalesce(item.location, h.location))::numeric, 7)::float8 AS lat,
  item.quantity, item.unit_cost_idr, item.cost_idr, item.eligibility_override_reason, item.origin, item.progress, item.started_on, item.done_on,
  item.amount_note, iv.name_id, iv.package_id AS specific_to FROM package_items item
  JOIN packages pkg ON pkg.id = item.package_id
  JOIN interventions iv ON iv.code = item.intervention_code
  LEFT JOIN households h ON h.id = item.household_id
    WHERE (left(pkg.village_code, 5) = $1
      AND (item.household_id IS NULL OR (left(h.village_code, 5) = $2 AND true))) AND item.package_id = ANY($3::int[]) ORDER BY item.package_id, item.id;

SELECT p.id, p.village_code, p.name, p.status, p.version, p.template_of, p.proposal_decisions, p.created_by, to_json(p.created_at)#>>'{}' AS created_at, to_json(p.updated_at)#>>'{}' AS updated_at FROM packages p
    WHERE p.id = $1 AND left(p.village_code, 5) = $2;
