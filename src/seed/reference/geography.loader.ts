/**
 * Loads village boundaries, shorelines and the derived coastal attributes.
 *
 * Coastal flag, in order of preference (documented in README "Data"):
 *   1. SEAWARD_EDGE — Semarang, Demak, Jakarta Utara: the village has a derived seaward boundary
 *      (`seaward_boundary_m > 0`, data/coastline/derived_seaward_edge_length_per_village.csv).
 *   2. NATURAL_EARTH_COASTLINE — elsewhere: the boundary lies within 1,000 m (geodesic) of the
 *      Natural Earth 1:10m coastline. That line is coarse (it misses reclaimed land), hence the
 *      tolerance.
 */
import { parse } from 'csv-parse/sync';
import { readFileSync } from 'node:fs';
import type { Queryable } from '../../db/database.js';
import { DATA_FILES } from './data-files.js';

export const NATURAL_EARTH_COASTAL_TOLERANCE_M = 1000;

export async function loadBoundaries(tx: Queryable): Promise<{ villages: number; repaired: string[] }> {
  let villages = 0;
  for (const file of DATA_FILES.boundaryGeoJson) {
    const rows = await tx.query<{ n: number }>(
      `WITH src AS (
         SELECT f->'properties'->>'kode' AS code,
                ST_SetSRID(ST_GeomFromGeoJSON(f->>'geometry'), 4326) AS g
         FROM json_array_elements($1::json->'features') AS f
       ), checked AS (
         SELECT code, g, ST_IsValid(g) AS valid FROM src
       ), repaired AS (
         SELECT code, valid,
                CASE WHEN valid THEN NULL ELSE ST_IsValidReason(g) END AS reason,
                ST_Multi(CASE WHEN valid THEN g ELSE ST_CollectionExtract(ST_MakeValid(g), 3) END) AS boundary
         FROM checked
       ), inserted AS (
         INSERT INTO village_geography (village_code, boundary, centroid, area_m2, boundary_repaired,
                                        repair_reason, is_coastal, coastal_source)
         SELECT code, boundary, ST_Centroid(boundary), ST_Area(boundary::geography), NOT valid, reason,
                false, 'NATURAL_EARTH_COASTLINE'
         FROM repaired
         RETURNING 1
       )
       SELECT count(*)::int AS n FROM inserted`,
      [readFileSync(file, 'utf8')],
    );
    villages += rows[0]?.n ?? 0;
  }
  const repaired = await tx.query<{ village_code: string }>(
    'SELECT village_code FROM village_geography WHERE boundary_repaired ORDER BY village_code',
  );
  return { villages, repaired: repaired.map((r) => r.village_code) };
}

export async function loadShorelines(tx: Queryable): Promise<void> {
  // Subdivided so that the GiST index narrows distance queries to short pieces of coast.
  await tx.query(
    `INSERT INTO shorelines (source, geom)
     SELECT 'NATURAL_EARTH_COASTLINE', ST_Subdivide(ST_SetSRID(ST_GeomFromGeoJSON(f->>'geometry'), 4326), 64)
     FROM json_array_elements($1::json->'features') AS f`,
    [readFileSync(DATA_FILES.naturalEarthCoastline, 'utf8')],
  );
  for (const file of DATA_FILES.seawardEdgesGeoJson) {
    await tx.query(
      `INSERT INTO shorelines (source, village_code, geom)
       SELECT 'SEAWARD_EDGE', f->'properties'->>'kode_desa', ST_SetSRID(ST_GeomFromGeoJSON(f->>'geometry'), 4326)
       FROM json_array_elements($1::json->'features') AS f`,
      [readFileSync(file, 'utf8')],
    );
  }
}

export async function deriveCoastalAttributes(tx: Queryable): Promise<void> {
  await tx.query(
    `UPDATE village_geography v SET distance_to_coastline_m = (
       SELECT min(ST_Distance(v.boundary::geography, s.geom::geography))
       FROM shorelines s
       WHERE s.source = 'NATURAL_EARTH_COASTLINE' AND ST_DWithin(s.geom, v.boundary, 0.25)
     )`,
  );
  await tx.query(
    `UPDATE village_geography SET is_coastal = coalesce(distance_to_coastline_m <= $1, false),
                                  coastal_source = 'NATURAL_EARTH_COASTLINE'`,
    [NATURAL_EARTH_COASTAL_TOLERANCE_M],
  );
  const seaward = (
    parse(readFileSync(DATA_FILES.seawardEdgeLengthCsv, 'utf8'), { columns: true }) as {
      kode: string;
      seaward_boundary_m: string;
    }[]
  ).map((row) => ({ code: row.kode, m: Number(row.seaward_boundary_m) }));
  await tx.query(
    `UPDATE village_geography v SET seaward_boundary_m = s.m, is_coastal = s.m > 0, coastal_source = 'SEAWARD_EDGE'
     FROM json_to_recordset($1::json) AS s(code text, m double precision)
     WHERE v.village_code = s.code`,
    [JSON.stringify(seaward)],
  );
}

export function readFishingVillageCodes(): Set<string> {
  const rows = parse(readFileSync(DATA_FILES.fishingVillagesCsv, 'utf8'), { columns: true }) as { kode: string }[];
  return new Set(rows.map((r) => r.kode));
}
