-- README.md graphql example 9, operation 1, as {"sub":"readme-planner@example","role":"PLANNER","org":"Dinsos Kota Semarang","regions":["33.74"]}
-- 2 statements (texts only, sorted; see readme-operations.test.ts)
SELECT p.id, p.village_code, p.name, p.status, p.version, p.template_of, p.proposal_decisions, p.created_by, to_json(p.created_at)#>>'{}' AS created_at, to_json(p.updated_at)#>>'{}' AS updated_at FROM packages p
    WHERE p.id = $1 AND left(p.village_code, 5) = $2;

UPDATE packages SET version = version + 1, updated_at = now()
      , status = $1::package_status
    WHERE id = $2 AND version = $3
    RETURNING id, village_code, name, status, version, template_of, proposal_decisions, created_by,
  to_json(created_at)#>>'{}' AS created_at, to_json(updated_at)#>>'{}' AS updated_at;
