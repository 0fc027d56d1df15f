/**
 * Loads village boundaries, shorelines and the derived coastal attributes for the demo.
 *
 * Boundaries go through the boundary import (src/features/imports), so the demo and a real import
 * validate and repair the same way. The coastal flag comes from the seaward-edge derivation
 * bundled for all 8,181 villages of the 37 kab/kota (data/coastline/
 * derived_seaward_edge_length_per_village_pantura.csv: `seaward_boundary_m > 0`). It is the
 * method the boundary import runs in PostGIS, but precomputed with the neighbouring kab/kota that
 * are not bundled, so inland borders are not mistaken for coast; running it at first start would
 * also cost more time than the 60 s budget allows. The distance to the Natural Earth 1:10m coastline
 * is kept as a second, coarse attribute, likewise precomputed (`computeDistancesToCoastline`).
 */
import { parse } from 'csv-parse/sync';
import { readFileSync } from 'node:fs';
import type { Queryable } from '../../db/database.js';
import { importBoundaries } from '../../features/imports/index.js';
import { DATA_FILES } from './data-files.js';

export async function loadBoundaries(tx: Queryable): Promise<{ villages: number; repaired: string[] }> {
  let villages = 0;
  const repaired: string[] = [];
  for (const file of DATA_FILES.boundaryGeoJson) {
    const report = await importBoundaries(tx, file, readFileSync(file, 'utf8'), { dryRun: false, skipInvalid: false, deriveCoastal: false });
    if (!report.written) throw new Error(`bundled boundaries ${file} were refused: ${JSON.stringify(report.issues.slice(0, 5))}`);
    villages += report.rows;
    repaired.push(...(report.details['repaired'] as { code: string }[]).map((r) => r.code));
  }
  return { villages, repaired: repaired.sort() };
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

/**
 * The distance from each bounded village to the Natural Earth 1:10m coastline (metres; null beyond
 * the 0.25° searched), computed in PostGIS from the loaded boundaries and shorelines. Not run at
 * start: its result is committed as `DATA_FILES.coastlineDistanceCsv` (it took 7.2 s of a first start
 * on PGlite, measured with the boundaries of the 37 kab/kota); `npm run data:derive` rewrites the
 * file and tests/seed/coastline-distance.test.ts fails when the file and this query disagree.
 */
export async function computeDistancesToCoastline(db: Queryable): Promise<{ village_code: string; m: number | null }[]> {
  return db.query(
    // Distance in a local equirectangular frame (metres per degree at the village's latitude, the
    // data README's area formula): within 0.1% of the geodesic distance over the ≤ 28 km searched,
    // and about 10× cheaper than geography distances for 8,181 villages.
    `SELECT v.village_code, (
       SELECT min(ST_Distance(ST_Scale(v.boundary, k.x, 110574), ST_Scale(s.geom, k.x, 110574)))
       FROM shorelines s, LATERAL (SELECT 111320 * cos(radians(ST_Y(v.centroid))) AS x) k
       WHERE s.source = 'NATURAL_EARTH_COASTLINE' AND ST_DWithin(s.geom, v.boundary, 0.25)
     ) AS m
     FROM village_geography v ORDER BY v.village_code`,
  );
}

/** The committed distances (`computeDistancesToCoastline`'s output; an empty cell is null). */
export function readDistancesToCoastline(): { code: string; m: number | null }[] {
  const rows = parse(readFileSync(DATA_FILES.coastlineDistanceCsv, 'utf8'), { columns: true }) as { kode: string; distance_to_coastline_m: string }[];
  return rows.map((row) => ({ code: row.kode, m: row.distance_to_coastline_m === '' ? null : Number(row.distance_to_coastline_m) }));
}

/**
 * The CSV of `computeDistancesToCoastline`'s rows. Numbers are written as JavaScript's shortest
 * round-trip form, so loading the file gives the very doubles the query returned.
 */
export function distancesToCoastlineCsv(rows: readonly { village_code: string; m: number | null }[]): string {
  return ['kode,distance_to_coastline_m', ...rows.map((r) => `${r.village_code},${r.m === null ? '' : String(r.m)}`)].join('\n') + '\n';
}

/** Sets the coastal attributes of the loaded villages from the two committed derivations. */
export async function loadCoastalAttributes(tx: Queryable): Promise<void> {
  const seaward = (
    parse(readFileSync(DATA_FILES.seawardEdgeLengthCsv, 'utf8'), { columns: true }) as {
      kode: string;
      seaward_boundary_m: string;
    }[]
  ).map((row) => ({ code: row.kode, m: Number(row.seaward_boundary_m) }));
  await tx.query(
    `UPDATE village_geography v SET distance_to_coastline_m = d.m
     FROM json_to_recordset($1::json) AS d(code text, m double precision)
     WHERE v.village_code = d.code`,
    [JSON.stringify(readDistancesToCoastline())],
  );
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
