-- docs/pilots.md graphql example 3, operation 1, as {"sub":"demo-planner@kemensos.go.id","role":"PLANNER","org":"Kemensos (demo)","regions":"*"}
-- 2 statements (texts only, sorted; see readme-operations.test.ts)
SELECT * FROM funds WHERE funder_code = ANY($1::text[]) ORDER BY funder_code, NOT is_default, code;

SELECT f.code, f.name, f.kind, coalesce(d.requires_mustahik, false) AS requires_mustahik, f.description
    FROM funders f LEFT JOIN funds d ON d.funder_code = f.code AND d.is_default ORDER BY f.code;
