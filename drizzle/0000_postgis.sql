-- PostGIS must exist before any geometry column. On PostgreSQL this needs a role allowed to
-- create extensions (postgis is not a trusted extension); the embedded database always is.
CREATE EXTENSION IF NOT EXISTS postgis;
