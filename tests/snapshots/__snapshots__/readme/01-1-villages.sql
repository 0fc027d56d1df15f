-- README.md graphql example 1, operation 1, as {"sub":"readme-planner@example","role":"PLANNER","org":"README","regions":"*"}
-- 2 statements (texts only, sorted; see readme-operations.test.ts)
SELECT count(*)::int AS n FROM regions r
  LEFT JOIN village_geography g ON g.village_code = r.code
  LEFT JOIN village_stats s ON s.village_code = r.code
  CROSS JOIN LATERAL (SELECT true AS exact) px
  CROSS JOIN LATERAL (SELECT CASE WHEN px.exact OR coalesce(s.households, 0) = 0 THEN coalesce(s.households, 0) WHEN coalesce(s.households, 0) < $1 THEN NULL ELSE (round(coalesce(s.households, 0)::numeric / $2) * $3)::int END AS households, CASE WHEN px.exact OR coalesce(s.households_desil_1_to_2, 0) = 0 THEN coalesce(s.households_desil_1_to_2, 0) WHEN coalesce(s.households_desil_1_to_2, 0) < $4 THEN NULL ELSE (round(coalesce(s.households_desil_1_to_2, 0)::numeric / $5) * $6)::int END AS households_desil_1_to_2,
    CASE WHEN px.exact OR coalesce(s.rtlh_households, 0) = 0 THEN coalesce(s.rtlh_households, 0) WHEN coalesce(s.rtlh_households, 0) < $7 THEN NULL ELSE (round(coalesce(s.rtlh_households, 0)::numeric / $8) * $9)::int END AS rtlh_households, CASE WHEN px.exact OR coalesce(s.vulnerable_households, 0) = 0 THEN coalesce(s.vulnerable_households, 0) WHEN coalesce(s.vulnerable_households, 0) < $10 THEN NULL ELSE (round(coalesce(s.vulnerable_households, 0)::numeric / $11) * $12)::int END AS vulnerable_households,
    CASE WHEN px.exact OR coalesce(s.fisher_households, 0) = 0 THEN coalesce(s.fisher_households, 0) WHEN coalesce(s.fisher_households, 0) < $13 THEN NULL ELSE (round(coalesce(s.fisher_households, 0)::numeric / $14) * $15)::int END AS fisher_households) pv WHERE r.level = 'VILLAGE' AND true AND r.regency_code = $16 AND g.is_coastal = $17;

SELECT r.code, r.name, r.name_key, r.kind, r.district_code, r.regency_code, r.province_code,
  g.village_code IS NOT NULL AS has_boundary, ST_AsGeoJSON(g.centroid, 7) AS centroid, g.area_m2,
  g.is_coastal, g.coastal_source, g.seaward_boundary_m, g.distance_to_coastline_m,
  coalesce(s.households, 0) AS households, coalesce(s.members, 0) AS members, s.households_by_desil,
  coalesce(s.households_desil_1_to_2, 0) AS households_desil_1_to_2,
  coalesce(s.households_desil_1_to_4, 0) AS households_desil_1_to_4, s.households_by_pas,
  coalesce(s.rtlh_households, 0) AS rtlh_households, coalesce(s.elderly_members, 0) AS elderly_members,
  coalesce(s.child_members, 0) AS child_members, coalesce(s.disabled_members, 0) AS disabled_members,
  coalesce(s.households_with_elderly, 0) AS households_with_elderly,
  coalesce(s.households_with_disabled, 0) AS households_with_disabled,
  coalesce(s.fisher_households, 0) AS fisher_households, coalesce(s.fisher_share, 0) AS fisher_share,
  coalesce(s.vulnerable_households, 0) AS vulnerable_households, coalesce(CASE WHEN px.exact THEN (CASE WHEN coalesce(s.households, 0) = 0 THEN 0::float8 ELSE 100 * (
      $1::float8 * s.households_desil_1_to_2 / s.households
    + $2::float8 * s.rtlh_households / s.households
    + $3::float8 * s.vulnerable_households / s.households
    + $4::float8 * s.fisher_share
    + $5::float8 * (CASE WHEN g.is_coastal THEN 1 ELSE 0 END)) END)
    WHEN pv.households IS NULL THEN NULL
    WHEN pv.households = 0 THEN 0::float8
    ELSE 100 * (
      $6::float8 * least(1, coalesce(pv.households_desil_1_to_2, 0)::float8 / pv.households)
    + $7::float8 * least(1, coalesce(pv.rtlh_households, 0)::float8 / pv.households)
    + $8::float8 * least(1, coalesce(pv.vulnerable_households, 0)::float8 / pv.households)
    + $9::float8 * coalesce(pv.fisher_households::float8 / pv.households, 0)
    + $10::float8 * (CASE WHEN g.is_coastal THEN 1 ELSE 0 END)) END, -1::float8) AS priority_score FROM regions r
  LEFT JOIN village_geography g ON g.village_code = r.code
  LEFT JOIN village_stats s ON s.village_code = r.code
  CROSS JOIN LATERAL (SELECT true AS exact) px
  CROSS JOIN LATERAL (SELECT CASE WHEN px.exact OR coalesce(s.households, 0) = 0 THEN coalesce(s.households, 0) WHEN coalesce(s.households, 0) < $11 THEN NULL ELSE (round(coalesce(s.households, 0)::numeric / $12) * $13)::int END AS households, CASE WHEN px.exact OR coalesce(s.households_desil_1_to_2, 0) = 0 THEN coalesce(s.households_desil_1_to_2, 0) WHEN coalesce(s.households_desil_1_to_2, 0) < $14 THEN NULL ELSE (round(coalesce(s.households_desil_1_to_2, 0)::numeric / $15) * $16)::int END AS households_desil_1_to_2,
    CASE WHEN px.exact OR coalesce(s.rtlh_households, 0) = 0 THEN coalesce(s.rtlh_households, 0) WHEN coalesce(s.rtlh_households, 0) < $17 THEN NULL ELSE (round(coalesce(s.rtlh_households, 0)::numeric / $18) * $19)::int END AS rtlh_households, CASE WHEN px.exact OR coalesce(s.vulnerable_households, 0) = 0 THEN coalesce(s.vulnerable_households, 0) WHEN coalesce(s.vulnerable_households, 0) < $20 THEN NULL ELSE (round(coalesce(s.vulnerable_households, 0)::numeric / $21) * $22)::int END AS vulnerable_households,
    CASE WHEN px.exact OR coalesce(s.fisher_households, 0) = 0 THEN coalesce(s.fisher_households, 0) WHEN coalesce(s.fisher_households, 0) < $23 THEN NULL ELSE (round(coalesce(s.fisher_households, 0)::numeric / $24) * $25)::int END AS fisher_households) pv
    WHERE r.level = 'VILLAGE' AND true AND r.regency_code = $26 AND g.is_coastal = $27 ORDER BY priority_score DESC, r.code LIMIT $28;
