-- docs/graduation.md graphql example 2, operation 1, as {"sub":"demo-planner@kemensos.go.id","role":"PLANNER","org":"Kemensos (demo)","regions":"*"}
-- 5 statements (texts only, sorted; see readme-operations.test.ts)
INSERT INTO audit_log (actor, role, organisation, action, entity, entity_id, package_id, village_code, before, after, household_ids, request_id)
    VALUES ($1, $2, $3, $4, $5,
      $6, $7, $8,
      $9::jsonb, $10::jsonb, $11::int[], $12);

SELECT * FROM graduation_follow_ups WHERE graduation_id = ANY($1::int[]) ORDER BY graduation_id, months_after;

SELECT * FROM referrals WHERE graduation_id = ANY($1::int[]) ORDER BY graduation_id, id;

SELECT g.* FROM graduations g JOIN households h ON h.id = g.household_id
    WHERE true
      
      AND ($1::int IS NULL OR g.household_id = $2)
      AND ($3::text IS NULL OR g.village_code = $4)
      AND ($5::text IS NULL OR g.status::text = $6)
      AND ($7::text IS NULL OR g.pendamping_subject = $8)
    ORDER BY g.id DESC LIMIT $9;

SELECT pm.* FROM program_memberships pm JOIN households h ON h.id = pm.household_id
    WHERE pm.household_id = ANY($1::int[]) AND true
    ORDER BY pm.household_id, pm.since, pm.id;
