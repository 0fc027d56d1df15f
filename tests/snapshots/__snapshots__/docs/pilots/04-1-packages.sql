-- docs/pilots.md graphql example 4, operation 1, as {"sub":"demo-planner@kemensos.go.id","role":"PLANNER","org":"Kemensos (demo)","regions":"*"}
-- 3 statements (texts only, sorted; see readme-operations.test.ts)
WITH served_households AS MATERIALIZED (SELECT DISTINCT i.household_id FROM package_items i WHERE i.package_id = $1 AND i.household_id IS NOT NULL)
    SELECT (SELECT row_to_json(n) FROM (SELECT count(*) FILTER (WHERE (h.desil <= 2 OR h.is_rtlh OR cardinality(h.pas::text[]) > 0))::int AS in_need,
      count(*) FILTER (WHERE (h.desil <= 2 OR h.is_rtlh OR cardinality(h.pas::text[]) > 0) AND h.id IN (SELECT household_id FROM served_households))::int AS served
    FROM households h WHERE true AND h.inactive_since IS NULL AND h.village_code = $2) n) AS counts,
      (SELECT coalesce(json_agg(json_build_object('pas', x.pas, 'households', x.households, 'covered', x.covered) ORDER BY x.ord), '[]'::json)
        FROM (
    SELECT p::text AS pas, count(*)::int AS households, count(*) FILTER (WHERE x.covered)::int AS covered, p AS ord
    FROM (SELECT h.pas, h.id IN (SELECT household_id FROM served_households) AS covered FROM households h WHERE true AND h.inactive_since IS NULL AND h.village_code = $3) x, unnest(x.pas) p
    WHERE NOT (p::text = ANY($4::text[]))
    GROUP BY p) x) AS pas,
      (SELECT coalesce(json_agg(json_build_object('category', c.category, 'items', c.items, 'cost_idr', c.cost_idr) ORDER BY c.ord), '[]'::json)
        FROM (
    SELECT c.category::text AS category, CASE WHEN c.exact OR c.items = 0 THEN c.items WHEN c.items < 5 THEN NULL ELSE (round(c.items::numeric / 5) * 5)::int END AS items, CASE WHEN c.exact THEN c.cost_idr END AS cost_idr, c.category AS ord
    FROM (SELECT iv.category, count(*)::int AS items, sum(item.cost_idr)::bigint AS cost_idr, bool_and(true) AS exact
          FROM package_items item JOIN packages pkg ON pkg.id = item.package_id JOIN interventions iv ON iv.code = item.intervention_code
          WHERE item.package_id = $5 GROUP BY iv.category) c) c) AS categories,
      (SELECT row_to_json(a) FROM (
    WITH sites AS MATERIALIZED (
      SELECT ARRAY[iv.serves::text] AS serves, p.id = $6 AS this_package, i.location::geography AS site
      FROM package_items i JOIN packages p ON p.id = i.package_id JOIN interventions iv ON iv.code = i.intervention_code
      WHERE p.village_code = $7 AND i.location IS NOT NULL
        AND (p.id = $8 OR p.status IN ('APPROVED', 'IN_PROGRESS', 'COMPLETED'))
      UNION ALL
      SELECT e.serves, false, e.location::geography FROM existing_facilities e WHERE e.village_code = $9)
    SELECT count(*) FILTER (WHERE h.has_elderly)::int AS t0,
      count(*) FILTER (WHERE h.has_elderly AND EXISTS (SELECT 1 FROM sites s WHERE $10 = ANY(s.serves)
    AND NOT s.this_package AND ST_DWithin(s.site, h.location::geography, $11)))::int AS b0,
      count(*) FILTER (WHERE h.has_elderly AND EXISTS (SELECT 1 FROM sites s WHERE $12 = ANY(s.serves)
     AND ST_DWithin(s.site, h.location::geography, $13)))::int AS a0, count(*) FILTER (WHERE h.has_disabled)::int AS t1,
      count(*) FILTER (WHERE h.has_disabled AND EXISTS (SELECT 1 FROM sites s WHERE $14 = ANY(s.serves)
    AND NOT s.this_package AND ST_DWithin(s.site, h.location::geography, $15)))::int AS b1,
      count(*) FILTER (WHERE h.has_disabled AND EXISTS (SELECT 1 FROM sites s WHERE $16 = ANY(s.serves)
     AND ST_DWithin(s.site, h.location::geography, $17)))::int AS a1, count(*) FILTER (WHERE h.has_child)::int AS t2,
      count(*) FILTER (WHERE h.has_child AND EXISTS (SELECT 1 FROM sites s WHERE $18 = ANY(s.serves)
    AND NOT s.this_package AND ST_DWithin(s.site, h.location::geography, $19)))::int AS b2,
      count(*) FILTER (WHERE h.has_child AND EXISTS (SELECT 1 FROM sites s WHERE $20 = ANY(s.serves)
     AND ST_DWithin(s.site, h.location::geography, $21)))::int AS a2, count(*) FILTER (WHERE NOT h.has_own_toilet)::int AS t3,
      count(*) FILTER (WHERE NOT h.has_own_toilet AND EXISTS (SELECT 1 FROM sites s WHERE $22 = ANY(s.serves)
    AND NOT s.this_package AND ST_DWithin(s.site, h.location::geography, $23)))::int AS b3,
      count(*) FILTER (WHERE NOT h.has_own_toilet AND EXISTS (SELECT 1 FROM sites s WHERE $24 = ANY(s.serves)
     AND ST_DWithin(s.site, h.location::geography, $25)))::int AS a3
    FROM households h WHERE true AND h.inactive_since IS NULL AND h.village_code = $26) a) AS access,
      (SELECT coalesce(json_agg(u.id ORDER BY u.id), '[]'::json) FROM (SELECT h.id FROM households h WHERE true AND true AND h.inactive_since IS NULL AND h.village_code = $27
    AND (h.desil <= 2 OR h.is_rtlh OR cardinality(h.pas::text[]) > 0) AND NOT h.id IN (SELECT household_id FROM served_households)) u) AS unserved;

SELECT b.package_id, b.funder_code, b.budget_idr, b.over_budget_reason,
      CASE WHEN true THEN coalesce((SELECT sum(f.amount_idr) FROM package_item_funding f JOIN package_items i ON i.id = f.item_id
  WHERE i.package_id = b.package_id AND f.funder_code = b.funder_code), 0)::bigint END AS allocated_idr
    FROM package_budgets b JOIN packages pkg ON pkg.id = b.package_id
    WHERE b.package_id = ANY($1::int[]) ORDER BY b.package_id, b.funder_code;

SELECT p.id, p.village_code, p.name, p.status, p.version, p.template_of, p.proposal_decisions, p.created_by, to_json(p.created_at)#>>'{}' AS created_at, to_json(p.updated_at)#>>'{}' AS updated_at FROM packages p
    WHERE true
      AND ($1::text IS NULL OR p.village_code = $2)
      AND ($3::text IS NULL OR p.status::text = $4)
      AND ($5::int IS NULL OR p.id > $6::int)
    ORDER BY p.id LIMIT $7;
