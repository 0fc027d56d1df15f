-- README.md graphql example 3, operation 1, as {"sub":"readme-planner@example","role":"PLANNER","org":"README","regions":"*"}
-- 2 statements (texts only, sorted; see readme-operations.test.ts)
SELECT string_agg(f.feature, ',' ORDER BY f.id) AS features, array_agg(f.id ORDER BY f.id) AS ids
    FROM (SELECT h.id, json_build_object('type', 'Feature', 'id', h.id, 'geometry', ST_AsGeoJSON(h.location, 7)::json,
    'properties', json_build_object('id', h.id, 'villageCode', h.village_code, 'desil', h.desil, 'livelihood', h.livelihood, 'pas', h.pas::text[], 'isRtlh', h.is_rtlh, 'rtlhReasons', h.rtlh_reasons, 'memberCount', h.member_count, 'hasElderly', h.has_elderly, 'hasChild', h.has_child, 'hasDisabled', h.has_disabled, 'isMustahik', h.is_mustahik))::text AS feature, row_number() OVER (ORDER BY h.id) AS n
          FROM (SELECT h.* FROM households h WHERE true AND true AND h.inactive_since IS NULL AND ST_Intersects(h.location, ST_MakeEnvelope($1::float8, $2::float8, $3::float8, $4::float8, 4326)) ORDER BY h.id LIMIT $5) h) f
    GROUP BY (f.n - 1) / 200 ORDER BY min(f.id);

INSERT INTO audit_log (actor, role, organisation, action, entity, entity_id, package_id, village_code, before, after, household_ids, request_id)
    VALUES ($1, $2, $3, $4, $5,
      $6, $7, $8,
      $9::jsonb, $10::jsonb, $11::int[], $12);
