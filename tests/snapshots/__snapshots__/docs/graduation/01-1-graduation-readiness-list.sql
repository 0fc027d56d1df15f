-- docs/graduation.md graphql example 1, operation 1, as {"sub":"demo-planner@kemensos.go.id","role":"PLANNER","org":"Kemensos (demo)","regions":"*"}
-- 3 statements (texts only, sorted; see readme-operations.test.ts)
SELECT code, label, rule, required, weight, source, is_assumption AS "isAssumption", is_active AS "isActive" FROM graduation_criteria WHERE is_active ORDER BY required DESC, weight DESC, code;

INSERT INTO audit_log (actor, role, organisation, action, entity, entity_id, package_id, village_code, before, after, household_ids, request_id)
    VALUES ($1, $2, $3, $4, $5,
      $6, $7, $8,
      $9::jsonb, $10::jsonb, $11::int[], $12);

SELECT h.id, h.village_code, h.desil, h.is_rtlh, h.has_own_toilet, h.has_small_business, h.occupants,
      wo.monthly_income_idr, wo.business_since, wo.observed_on,
      COALESCE((SELECT array_agg(pm.program_code ORDER BY pm.program_code) FROM program_memberships pm WHERE pm.household_id = h.id AND pm.ended_on IS NULL), '{}') AS programs,
      EXISTS (SELECT 1 FROM package_items pi JOIN interventions i ON i.code = pi.intervention_code JOIN packages p ON p.id = pi.package_id
              WHERE pi.household_id = h.id AND pi.progress = 'DONE' AND p.status <> 'CANCELLED' AND i.is_housing) AS house_repaired,
      EXISTS (SELECT 1 FROM package_items pi JOIN interventions i ON i.code = pi.intervention_code JOIN packages p ON p.id = pi.package_id
              WHERE pi.household_id = h.id AND pi.progress = 'DONE' AND p.status <> 'CANCELLED' AND i.category = 'ECONOMIC_EMPOWERMENT') AS received_business_support,
      pa.pendamping_subject
    FROM households h
    LEFT JOIN pendamping_assignments pa ON pa.household_id = h.id
    LEFT JOIN LATERAL (SELECT w.monthly_income_idr, w.business_since, w.observed_on FROM welfare_observations w
                       WHERE w.household_id = h.id ORDER BY w.observed_on DESC, w.id DESC LIMIT 1) wo ON true
    WHERE ($1::text IS NULL OR h.village_code = $2)
    AND ($3::text IS NULL OR pa.pendamping_subject = $4) AND true
      AND EXISTS (SELECT 1 FROM program_memberships pm WHERE pm.household_id = h.id AND pm.ended_on IS NULL)
              AND NOT EXISTS (SELECT 1 FROM graduations g WHERE g.household_id = h.id AND g.status IN ('PROPOSED', 'APPROVED'))
    ORDER BY h.id
    LIMIT $5;
