-- Functions the PostGraphile 5 baseline needs (no PostGIS plugin exists for PostGraphile 5).
-- Created by the benchmark harness in the benchmark database (kt_bench_N) only, never by the
-- product's migrations. PostGraphile exposes them as documented for custom queries:
--   households_location_geojson(h) -> computed column Household.locationGeojson (op 2)
--   households_in_bbox(...)        -> Query.householdsInBbox connection (op 3)
CREATE OR REPLACE FUNCTION public.households_location_geojson(h public.households) RETURNS json
  LANGUAGE sql STABLE PARALLEL SAFE AS $$ SELECT ST_AsGeoJSON(h.location, 7)::json $$;
CREATE OR REPLACE FUNCTION public.households_in_bbox(min_lon float8, min_lat float8, max_lon float8, max_lat float8)
  RETURNS SETOF public.households LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT * FROM public.households h
    -- ST_Intersects, as the API: `&&` alone compares the index's float4 boxes, which are rounded
    -- outwards, and let a household just outside the bbox through (5,050 rows against the API's
    -- 5,049 at 200,000 households on 2026-12-06, and PostGraphile 5 was left out of op 3).
    -- Active households only, as the API's FeatureCollection and the fixture's count.
    WHERE ST_Intersects(h.location, ST_MakeEnvelope(min_lon, min_lat, max_lon, max_lat, 4326))
      AND h.inactive_since IS NULL
    ORDER BY h.id $$;
