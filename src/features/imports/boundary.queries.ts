/**
 * SQL of the village-boundary import. Features are staged in a temporary table as EWKB; validity,
 * repair, area, centroid and the coastal flag are PostGIS's verdicts.
 */
import { copyLine, type Queryable } from '../../db/database.js';

/** Distance around a village within which another village counts as a neighbour (metres). */
export const NEIGHBOUR_BUFFER_M = 100;
/** Seaward pieces shorter than this are corner slivers, not coast (metres; the source method's check interval). */
export const MIN_SEAWARD_PIECE_M = 40;
/**
 * A seaward piece farther than this from the Natural Earth coastline (degrees, ≈ 22 km) is an inland
 * border with a regency that is not loaded, not coast. Natural Earth is off by up to 6 km (Sidoarjo)
 * and islands lie up to ~15 km offshore of it, hence the margin. Only applied when the coastline is loaded.
 */
export const MAX_DEG_FROM_NATURAL_EARTH = 0.2;

export type BoundaryCheckRow = {
  line: number;
  code: string | null;
  geometry_type: string | null;
  known_village: boolean;
  valid: boolean | null;
  reason: string | null;
  location: string | null;
  empty_after_repair: boolean | null;
};

/** One parsed feature: its position in the file, code, GeoJSON type and (for polygons) EWKB hex. */
export interface StagedFeature {
  line: number;
  code: string | null;
  geometryType: string | null;
  ewkbHex: string | null;
}

/**
 * Copies the features into a temporary table of this transaction and checks them there, once:
 * COPY of EWKB is an order of magnitude faster than parsing a large GeoJSON text in SQL (measured
 * on PGlite: 7,074 villages in ~40 s through json_array_elements).
 */
export async function stageBoundaries(tx: Queryable, features: readonly StagedFeature[]): Promise<void> {
  await tx.query('DROP TABLE IF EXISTS pg_temp.boundary_staging');
  await tx.query(
    `CREATE TEMP TABLE boundary_staging (line int PRIMARY KEY, code text, geometry_type text, g geometry,
       valid boolean, reason text, location text, fixed geometry) ON COMMIT DROP`,
  );
  await tx.copy('boundary_staging', ['line', 'code', 'geometry_type', 'g'], features.map((f) => copyLine([f.line, f.code, f.geometryType, f.ewkbHex])));
  await tx.query(
    `UPDATE boundary_staging SET valid = (d).valid, reason = (d).reason, location = ST_AsText((d).location)
     FROM (SELECT line AS l, ST_IsValidDetail(g) AS d FROM boundary_staging WHERE g IS NOT NULL) x WHERE line = x.l`,
  );
  await tx.query(
    `UPDATE boundary_staging SET fixed = ST_Multi(CASE WHEN valid THEN g ELSE ST_CollectionExtract(ST_MakeValid(g), 3) END)
     WHERE g IS NOT NULL`,
  );
}

/** Checks the staged features without writing: code known as a village, geometry type, validity (with location). */
export async function checkBoundaries(tx: Queryable): Promise<BoundaryCheckRow[]> {
  return tx.query<BoundaryCheckRow>(
    `SELECT line, code, geometry_type,
            EXISTS (SELECT 1 FROM regions r WHERE r.code = s.code AND r.level = 'VILLAGE') AS known_village,
            valid, reason, location, CASE WHEN fixed IS NULL THEN NULL ELSE ST_IsEmpty(fixed) END AS empty_after_repair
     FROM boundary_staging s ORDER BY line`,
  );
}

/**
 * Upserts the staged boundaries of `lines` (already repaired), with geodesic area and centroid.
 * Coastal attributes of new villages start false and are derived afterwards.
 */
export async function upsertBoundaries(tx: Queryable, lines: readonly number[]): Promise<void> {
  await tx.query(
    `INSERT INTO village_geography AS v (village_code, boundary, centroid, area_m2, boundary_repaired, repair_reason, is_coastal, coastal_source)
     SELECT code, fixed, ST_Centroid(fixed), ST_Area(fixed::geography), NOT valid, CASE WHEN valid THEN NULL ELSE reason END, false, 'SEAWARD_EDGE'
     FROM boundary_staging WHERE line = ANY($1::int[])
     ON CONFLICT (village_code) DO UPDATE SET boundary = excluded.boundary, centroid = excluded.centroid, area_m2 = excluded.area_m2,
       boundary_repaired = excluded.boundary_repaired, repair_reason = excluded.repair_reason`,
    [lines],
  );
}

/** Households of the given villages that lie outside their village's (new) boundary. */
export async function householdsOutside(db: Queryable, codes: readonly string[]): Promise<{ village_code: string; households: number }[]> {
  return db.query(
    `SELECT h.village_code, count(*)::int AS households
     FROM households h JOIN village_geography g ON g.village_code = h.village_code
     WHERE h.village_code = ANY($1::text[]) AND NOT ST_Intersects(g.boundary, h.location)
     GROUP BY h.village_code ORDER BY h.village_code`,
    [codes],
  );
}

/**
 * The coastal flag by the seaward-edge method (data/README.md): in UTM (48S/49S/50S by centroid
 * longitude), the part of the village's boundary farther than 100 m from every other loaded
 * village, pieces under 40 m dropped, length geodesic. A village with seaward length > 0 is
 * coastal. Recomputed for `codes` and their neighbours, whose seaward edges a new polygon may cover.
 */
export async function deriveSeawardEdges(db: Queryable, codes: readonly string[]): Promise<string[]> {
  const rows = await db.query<{ village_code: string }>(
    `WITH targets AS (
       SELECT DISTINCT o.village_code
       FROM village_geography v JOIN village_geography o ON ST_DWithin(o.boundary, v.boundary, 0.002)
       WHERE v.village_code = ANY($1::text[])
     ), v AS (
       SELECT g.village_code, g.boundary,
              CASE WHEN ST_X(g.centroid) < 108 THEN 32748 WHEN ST_X(g.centroid) < 114 THEN 32749 ELSE 32750 END AS srid
       FROM village_geography g JOIN targets t USING (village_code)
     ), others AS (
       SELECT v.village_code, v.srid, ST_Boundary(ST_Transform(v.boundary, v.srid)) AS outline,
              (SELECT ST_Union(ST_Buffer(ST_Transform(o.boundary, v.srid), $2))
               FROM village_geography o
               WHERE o.village_code <> v.village_code AND ST_DWithin(o.boundary, v.boundary, 0.002)) AS covered
       FROM v
     ), pieces AS (
       SELECT village_code, (ST_Dump(ST_LineMerge(ST_CollectionExtract(
                CASE WHEN covered IS NULL THEN outline ELSE ST_Difference(outline, covered) END, 2)))).geom AS piece
       FROM others
     ), kept AS (
       SELECT village_code, ST_Transform(piece, 4326) AS piece FROM pieces
       WHERE ST_Length(piece) >= $3
         AND (NOT EXISTS (SELECT 1 FROM shorelines WHERE source = 'NATURAL_EARTH_COASTLINE')
              OR EXISTS (SELECT 1 FROM shorelines s WHERE s.source = 'NATURAL_EARTH_COASTLINE'
                         AND ST_DWithin(s.geom, ST_Transform(piece, 4326), $4)))
     ), cleared AS (
       DELETE FROM shorelines s USING targets t WHERE s.source = 'SEAWARD_EDGE' AND s.village_code = t.village_code RETURNING 1
     ), stored AS (
       INSERT INTO shorelines (source, village_code, geom) SELECT 'SEAWARD_EDGE', village_code, piece FROM kept RETURNING 1
     ), lengths AS (
       SELECT t.village_code, coalesce(sum(ST_Length(k.piece::geography)), 0) AS m
       FROM targets t LEFT JOIN kept k USING (village_code) GROUP BY t.village_code
     )
     UPDATE village_geography g SET seaward_boundary_m = l.m, is_coastal = l.m > 0, coastal_source = 'SEAWARD_EDGE'
     FROM lengths l WHERE g.village_code = l.village_code AND (SELECT count(*) FROM cleared) >= 0 AND (SELECT count(*) FROM stored) >= 0
     RETURNING g.village_code`,
    [codes, NEIGHBOUR_BUFFER_M, MIN_SEAWARD_PIECE_M, MAX_DEG_FROM_NATURAL_EARTH],
  );
  return rows.map((r) => r.village_code);
}
