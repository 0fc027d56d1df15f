-- Functions the PostGraphile 5 baseline needs (no PostGIS plugin exists for PostGraphile 5).
-- Created by the benchmark harness in the benchmark database (kt_bench_N) only, never by the
-- product's migrations. PostGraphile exposes them as documented for custom queries:
--   households_location_geojson(h) -> computed column Household.locationGeojson (op 2)
--   households_in_bbox(...)        -> Query.householdsInBbox connection (op 3)
CREATE OR REPLACE FUNCTION public.households_location_geojson(h public.households) RETURNS json
  LANGUAGE sql STABLE PARALLEL SAFE AS $$ SELECT ST_AsGeoJSON(h.location, 7)::json $$;
CREATE OR REPLACE FUNCTION public.households_in_bbox(min_lon float8, min_lat float8, max_lon float8, max_lat float8)
  RETURNS SETOF public.households LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT * FROM public.households h WHERE h.location && ST_MakeEnvelope(min_lon, min_lat, max_lon, max_lat, 4326) ORDER BY h.id $$;
