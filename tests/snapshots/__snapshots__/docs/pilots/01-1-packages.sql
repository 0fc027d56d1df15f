-- docs/pilots.md graphql example 1, operation 1, as {"sub":"demo-planner@kemensos.go.id","role":"PLANNER","org":"Kemensos (demo)","regions":"*"}
-- 2 statements (texts only, sorted; see readme-operations.test.ts)
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
