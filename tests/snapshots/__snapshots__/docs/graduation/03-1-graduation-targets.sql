-- docs/graduation.md graphql example 3, operation 1, as {"sub":"demo-planner@kemensos.go.id","role":"PLANNER","org":"Kemensos (demo)","regions":"*"}
-- 2 statements (texts only, sorted; see readme-operations.test.ts)
SELECT vg.village_code AS key, vg.* FROM (WITH
    assigned AS (SELECT pa.household_id, pa.pendamping_subject, h.village_code FROM pendamping_assignments pa JOIN households h ON h.id = pa.household_id WHERE ((true AND true)
    OR (NOT true AND true)) AND (h.village_code = $1 OR h.village_code LIKE $2)),
    grads AS (SELECT g.id, g.status, g.graduated_on, g.returned_on, h.village_code FROM graduations g JOIN households h ON h.id = g.household_id WHERE ((true AND true)
    OR (NOT true AND true)) AND (h.village_code = $3 OR h.village_code LIKE $4)),
    caseloads AS (SELECT village_code, count(*)::int AS caseload, count(DISTINCT pendamping_subject)::int AS pendamping FROM assigned GROUP BY 1),
    shares AS (SELECT village_code, pendamping_subject, count(*) AS n FROM assigned GROUP BY 1, 2),
    totals AS (SELECT pendamping_subject, count(*) AS n FROM pendamping_assignments GROUP BY 1),
    targets AS (SELECT s.village_code, sum(COALESCE(p.target_per_year, $5) * s.n::numeric / t.n) AS target
                FROM shares s JOIN totals t USING (pendamping_subject) JOIN pendamping p ON p.subject = s.pendamping_subject GROUP BY 1),
    gstats AS (SELECT village_code,
                 count(*) FILTER (WHERE status IN ('APPROVED', 'RETURNED') AND extract(year FROM graduated_on) = $6)::int AS graduated,
                 count(*) FILTER (WHERE status = 'PROPOSED')::int AS proposed,
                 count(*) FILTER (WHERE extract(year FROM returned_on) = $7)::int AS returned
               FROM grads GROUP BY 1),
    rstats AS (SELECT g.village_code,
                 count(*) FILTER (WHERE r.status = 'REFERRED')::int AS referred, count(*) FILTER (WHERE r.status = 'ACCEPTED')::int AS accepted,
                 count(*) FILTER (WHERE r.status = 'ENROLLED')::int AS enrolled, count(*) FILTER (WHERE r.status = 'DECLINED')::int AS declined
               FROM referrals r JOIN grads g ON g.id = r.graduation_id WHERE extract(year FROM r.referred_on) = $8 GROUP BY 1),
    keys AS (SELECT village_code, true AS counts_exact
             FROM (SELECT village_code FROM caseloads UNION SELECT village_code FROM gstats UNION SELECT village_code FROM rstats) u)
    SELECT keys.village_code, keys.counts_exact, CASE WHEN keys.counts_exact OR COALESCE(c.caseload, 0)::int = 0 THEN COALESCE(c.caseload, 0)::int WHEN COALESCE(c.caseload, 0)::int < 5 THEN NULL ELSE (round(COALESCE(c.caseload, 0)::int::numeric / 5) * 5)::int END AS caseload, COALESCE(c.pendamping, 0) AS pendamping,
      CASE WHEN keys.counts_exact THEN round(COALESCE(t.target, 0), 1)::float8 END AS target,
      CASE WHEN keys.counts_exact OR COALESCE(gs.graduated, 0)::int = 0 THEN COALESCE(gs.graduated, 0)::int WHEN COALESCE(gs.graduated, 0)::int < 5 THEN NULL ELSE (round(COALESCE(gs.graduated, 0)::int::numeric / 5) * 5)::int END AS graduated, CASE WHEN keys.counts_exact OR COALESCE(gs.proposed, 0)::int = 0 THEN COALESCE(gs.proposed, 0)::int WHEN COALESCE(gs.proposed, 0)::int < 5 THEN NULL ELSE (round(COALESCE(gs.proposed, 0)::int::numeric / 5) * 5)::int END AS proposed, CASE WHEN keys.counts_exact OR COALESCE(gs.returned, 0)::int = 0 THEN COALESCE(gs.returned, 0)::int WHEN COALESCE(gs.returned, 0)::int < 5 THEN NULL ELSE (round(COALESCE(gs.returned, 0)::int::numeric / 5) * 5)::int END AS returned,
      CASE WHEN keys.counts_exact OR COALESCE(rs.referred, 0)::int = 0 THEN COALESCE(rs.referred, 0)::int WHEN COALESCE(rs.referred, 0)::int < 5 THEN NULL ELSE (round(COALESCE(rs.referred, 0)::int::numeric / 5) * 5)::int END AS referred, CASE WHEN keys.counts_exact OR COALESCE(rs.accepted, 0)::int = 0 THEN COALESCE(rs.accepted, 0)::int WHEN COALESCE(rs.accepted, 0)::int < 5 THEN NULL ELSE (round(COALESCE(rs.accepted, 0)::int::numeric / 5) * 5)::int END AS accepted, CASE WHEN keys.counts_exact OR COALESCE(rs.enrolled, 0)::int = 0 THEN COALESCE(rs.enrolled, 0)::int WHEN COALESCE(rs.enrolled, 0)::int < 5 THEN NULL ELSE (round(COALESCE(rs.enrolled, 0)::int::numeric / 5) * 5)::int END AS enrolled, CASE WHEN keys.counts_exact OR COALESCE(rs.declined, 0)::int = 0 THEN COALESCE(rs.declined, 0)::int WHEN COALESCE(rs.declined, 0)::int < 5 THEN NULL ELSE (round(COALESCE(rs.declined, 0)::int::numeric / 5) * 5)::int END AS declined
    FROM keys LEFT JOIN caseloads c USING (village_code) LEFT JOIN targets t USING (village_code)
      LEFT JOIN gstats gs USING (village_code) LEFT JOIN rstats rs USING (village_code)) vg ORDER BY vg.village_code;

WITH
    assigned AS (SELECT pa.household_id, pa.pendamping_subject, h.village_code FROM pendamping_assignments pa JOIN households h ON h.id = pa.household_id WHERE true AND true),
    grads AS (SELECT g.* FROM graduations g JOIN households h ON h.id = g.household_id WHERE true AND true),
    caseloads AS (SELECT 'ID' AS k, count(*)::int AS caseload, count(DISTINCT pendamping_subject)::int AS pendamping FROM assigned GROUP BY 1),
    shares AS (SELECT 'ID' AS k, pendamping_subject, count(*) AS n FROM assigned GROUP BY 1, 2),
    totals AS (SELECT pendamping_subject, count(*) AS n FROM pendamping_assignments GROUP BY 1),
    targets AS (SELECT s.k, sum(COALESCE(p.target_per_year, $1) * s.n::numeric / t.n) AS target
                FROM shares s JOIN totals t USING (pendamping_subject) JOIN pendamping p ON p.subject = s.pendamping_subject GROUP BY 1),
    gstats AS (SELECT 'ID' AS k,
                 count(*) FILTER (WHERE status IN ('APPROVED', 'RETURNED') AND extract(year FROM graduated_on) = $2)::int AS graduated,
                 count(*) FILTER (WHERE status = 'PROPOSED')::int AS proposed,
                 count(*) FILTER (WHERE extract(year FROM returned_on) = $3)::int AS returned
               FROM grads GROUP BY 1),
    rstats AS (SELECT 'ID' AS k,
                 count(*) FILTER (WHERE r.status = 'REFERRED')::int AS referred, count(*) FILTER (WHERE r.status = 'ACCEPTED')::int AS accepted,
                 count(*) FILTER (WHERE r.status = 'ENROLLED')::int AS enrolled, count(*) FILTER (WHERE r.status = 'DECLINED')::int AS declined
               FROM referrals r JOIN grads g ON g.id = r.graduation_id WHERE extract(year FROM r.referred_on) = $4 GROUP BY 1),
    keys AS (SELECT k FROM caseloads UNION SELECT k FROM gstats UNION SELECT k FROM rstats)
    SELECT keys.k AS key, $5::boolean AS counts_exact, CASE WHEN $6 OR COALESCE(c.caseload, 0)::int = 0 THEN COALESCE(c.caseload, 0)::int WHEN COALESCE(c.caseload, 0)::int < 5 THEN NULL ELSE (round(COALESCE(c.caseload, 0)::int::numeric / 5) * 5)::int END AS caseload, COALESCE(c.pendamping, 0) AS pendamping, round(COALESCE(t.target, 0), 1)::float8 AS target,
      CASE WHEN $7 OR COALESCE(gs.graduated, 0)::int = 0 THEN COALESCE(gs.graduated, 0)::int WHEN COALESCE(gs.graduated, 0)::int < 5 THEN NULL ELSE (round(COALESCE(gs.graduated, 0)::int::numeric / 5) * 5)::int END AS graduated, CASE WHEN $8 OR COALESCE(gs.proposed, 0)::int = 0 THEN COALESCE(gs.proposed, 0)::int WHEN COALESCE(gs.proposed, 0)::int < 5 THEN NULL ELSE (round(COALESCE(gs.proposed, 0)::int::numeric / 5) * 5)::int END AS proposed, CASE WHEN $9 OR COALESCE(gs.returned, 0)::int = 0 THEN COALESCE(gs.returned, 0)::int WHEN COALESCE(gs.returned, 0)::int < 5 THEN NULL ELSE (round(COALESCE(gs.returned, 0)::int::numeric / 5) * 5)::int END AS returned,
      CASE WHEN $10 OR COALESCE(rs.referred, 0)::int = 0 THEN COALESCE(rs.referred, 0)::int WHEN COALESCE(rs.referred, 0)::int < 5 THEN NULL ELSE (round(COALESCE(rs.referred, 0)::int::numeric / 5) * 5)::int END AS referred, CASE WHEN $11 OR COALESCE(rs.accepted, 0)::int = 0 THEN COALESCE(rs.accepted, 0)::int WHEN COALESCE(rs.accepted, 0)::int < 5 THEN NULL ELSE (round(COALESCE(rs.accepted, 0)::int::numeric / 5) * 5)::int END AS accepted, CASE WHEN $12 OR COALESCE(rs.enrolled, 0)::int = 0 THEN COALESCE(rs.enrolled, 0)::int WHEN COALESCE(rs.enrolled, 0)::int < 5 THEN NULL ELSE (round(COALESCE(rs.enrolled, 0)::int::numeric / 5) * 5)::int END AS enrolled, CASE WHEN $13 OR COALESCE(rs.declined, 0)::int = 0 THEN COALESCE(rs.declined, 0)::int WHEN COALESCE(rs.declined, 0)::int < 5 THEN NULL ELSE (round(COALESCE(rs.declined, 0)::int::numeric / 5) * 5)::int END AS declined
    FROM keys LEFT JOIN caseloads c ON c.k = keys.k LEFT JOIN targets t ON t.k = keys.k LEFT JOIN gstats gs ON gs.k = keys.k LEFT JOIN rstats rs ON rs.k = keys.k
    ORDER BY keys.k;
