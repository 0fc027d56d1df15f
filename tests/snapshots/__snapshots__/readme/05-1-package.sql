-- README.md graphql example 5, operation 1, as {"sub":"readme-planner@example","role":"PLANNER","org":"Dinsos Kota Semarang","regions":["33.74"]}
-- 5 statements (texts only, sorted; see readme-operations.test.ts)
WITH served_households AS MATERIALIZED (SELECT DISTINCT i.household_id FROM package_items i WHERE i.package_id = $1 AND i.household_id IS NOT NULL)
    SELECT (SELECT row_to_json(n) FROM (SELECT count(*) FILTER (WHERE (h.desil <= 2 OR h.is_rtlh OR cardinality(h.pas::text[]) > 0))::int AS in_need,
      count(*) FILTER (WHERE (h.desil <= 2 OR h.is_rtlh OR cardinality(h.pas::text[]) > 0) AND h.id IN (SELECT household_id FROM served_households))::int AS served
    FROM households h WHERE left(h.village_code, 5) = $2 AND h.inactive_since IS NULL AND h.village_code = $3) n) AS counts,
      (SELECT coalesce(json_agg(json_build_object('pas', x.pas, 'households', x.households, 'covered', x.covered) ORDER BY x.ord), '[]'::json)
        FROM (
    SELECT p::text AS pas, count(*)::int AS households, count(*) FILTER (WHERE x.covered)::int AS covered, p AS ord
    FROM (SELECT h.pas, h.id IN (SELECT household_id FROM served_households) AS covered FROM households h WHERE left(h.village_code, 5) = $4 AND h.inactive_since IS NULL AND h.village_code = $5) x, unnest(x.pas) p
    WHERE NOT (p::text = ANY($6::text[]))
    GROUP BY p) x) AS pas,
      (SELECT coalesce(json_agg(json_build_object('category', c.category, 'items', c.items, 'cost_idr', c.cost_idr) ORDER BY c.ord), '[]'::json)
        FROM (
    SELECT c.category::text AS category, CASE WHEN c.exact OR c.items = 0 THEN c.items WHEN c.items < 5 THEN NULL ELSE (round(c.items::numeric / 5) * 5)::int END AS items, CASE WHEN c.exact THEN c.cost_idr END AS cost_idr, c.category AS ord
    FROM (SELECT iv.category, count(*)::int AS items, sum(item.cost_idr)::bigint AS cost_idr, bool_and(left(pkg.village_code, 5) = $7) AS exact
          FROM package_items item JOIN packages pkg ON pkg.id = item.package_id JOIN interventions iv ON iv.code = item.intervention_code
          WHERE item.package_id = $8 GROUP BY iv.category) c) c) AS categories,
      (SELECT row_to_json(a) FROM (
    WITH sites AS MATERIALIZED (
      SELECT ARRAY[iv.serves::text] AS serves, p.id = $9 AS this_package, i.location::geography AS site
      FROM package_items i JOIN packages p ON p.id = i.package_id JOIN interventions iv ON iv.code = i.intervention_code
      WHERE p.village_code = $10 AND i.location IS NOT NULL
        AND (p.id = $11 OR p.status IN ('APPROVED', 'IN_PROGRESS', 'COMPLETED'))
      UNION ALL
      SELECT e.serves, false, e.location::geography FROM existing_facilities e WHERE e.village_code = $12)
    SELECT count(*) FILTER (WHERE h.has_elderly)::int AS t0,
      count(*) FILTER (WHERE h.has_elderly AND EXISTS (SELECT 1 FROM sites s WHERE $13 = ANY(s.serves)
    AND NOT s.this_package AND ST_DWithin(s.site, h.location::geography, $14)))::int AS b0,
      count(*) FILTER (WHERE h.has_elderly AND EXISTS (SELECT 1 FROM sites s WHERE $15 = ANY(s.serves)
     AND ST_DWithin(s.site, h.location::geography, $16)))::int AS a0, count(*) FILTER (WHERE h.has_disabled)::int AS t1,
      count(*) FILTER (WHERE h.has_disabled AND EXISTS (SELECT 1 FROM sites s WHERE $17 = ANY(s.serves)
    AND NOT s.this_package AND ST_DWithin(s.site, h.location::geography, $18)))::int AS b1,
      count(*) FILTER (WHERE h.has_disabled AND EXISTS (SELECT 1 FROM sites s WHERE $19 = ANY(s.serves)
     AND ST_DWithin(s.site, h.location::geography, $20)))::int AS a1, count(*) FILTER (WHERE h.has_child)::int AS t2,
      count(*) FILTER (WHERE h.has_child AND EXISTS (SELECT 1 FROM sites s WHERE $21 = ANY(s.serves)
    AND NOT s.this_package AND ST_DWithin(s.site, h.location::geography, $22)))::int AS b2,
      count(*) FILTER (WHERE h.has_child AND EXISTS (SELECT 1 FROM sites s WHERE $23 = ANY(s.serves)
     AND ST_DWithin(s.site, h.location::geography, $24)))::int AS a2, count(*) FILTER (WHERE NOT h.has_own_toilet)::int AS t3,
      count(*) FILTER (WHERE NOT h.has_own_toilet AND EXISTS (SELECT 1 FROM sites s WHERE $25 = ANY(s.serves)
    AND NOT s.this_package AND ST_DWithin(s.site, h.location::geography, $26)))::int AS b3,
      count(*) FILTER (WHERE NOT h.has_own_toilet AND EXISTS (SELECT 1 FROM sites s WHERE $27 = ANY(s.serves)
     AND ST_DWithin(s.site, h.location::geography, $28)))::int AS a3
    FROM households h WHERE left(h.village_code, 5) = $29 AND h.inactive_since IS NULL AND h.village_code = $30) a) AS access,
      (SELECT coalesce(json_agg(u.id ORDER BY u.id), '[]'::json) FROM (SELECT h.id FROM households h WHERE left(h.village_code, 5) = $31 AND true AND h.inactive_since IS NULL AND h.village_code = $32
    AND (h.desil <= 2 OR h.is_rtlh OR cardinality(h.pas::text[]) > 0) AND NOT h.id IN (SELECT household_id FROM served_households)) u) AS unserved;

WITH served_households AS MATERIALIZED (SELECT DISTINCT i.household_id FROM package_items i WHERE i.package_id = $1 AND i.household_id IS NOT NULL)
    SELECT json_build_object('type', 'FeatureCollection', 'features', coalesce(json_agg(json_build_object('type', 'Feature', 'id', h.id,
      'geometry', ST_AsGeoJSON(h.location, 7)::json,
      'properties', json_build_object('id', h.id, 'desil', h.desil, 'isRtlh', h.is_rtlh, 'pas', h.pas::text[],
        'hasElderly', h.has_elderly, 'hasDisabled', h.has_disabled, 'hasChild', h.has_child)) ORDER BY h.id), '[]'::json))::text AS fc,
      array_agg(h.id ORDER BY h.id) AS ids
    FROM households h WHERE left(h.village_code, 5) = $2 AND true AND h.inactive_since IS NULL AND h.village_code = $3 AND (h.desil <= 2 OR h.is_rtlh OR cardinality(h.pas::text[]) > 0) AND NOT h.id IN (SELECT household_id FROM served_households);

INSERT INTO audit_log (actor, role, organisation, action, entity, entity_id, package_id, village_code, before, after, household_ids, request_id)
    VALUES ($1, $2, $3, $4, $5,
      $6, $7, $8,
      $9::jsonb, $10::jsonb, $11::int[], $12);

SELECT b.package_id, b.funder_code, b.budget_idr, b.over_budget_reason,
      CASE WHEN left(pkg.village_code, 5) = $1 THEN coalesce((SELECT sum(f.amount_idr) FROM package_item_funding f JOIN package_items i ON i.id = f.item_id
  WHERE i.package_id = b.package_id AND f.funder_code = b.funder_code), 0)::bigint END AS allocated_idr
    FROM package_budgets b JOIN packages pkg ON pkg.id = b.package_id
    WHERE b.package_id = ANY($2::int[]) ORDER BY b.package_id, b.funder_code;

SELECT p.id, p.village_code, p.name, p.status, p.version, p.template_of, p.proposal_decisions, p.created_by, to_json(p.created_at)#>>'{}' AS created_at, to_json(p.updated_at)#>>'{}' AS updated_at FROM packages p
    WHERE p.id = $1 AND left(p.village_code, 5) = $2;
