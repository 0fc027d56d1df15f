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
 * is kept as a second, coarse attribute.
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

export async function deriveCoastalAttributes(tx: Queryable): Promise<void> {
  await tx.query(
    // Distance in a local equirectangular frame (metres per degree at the village's latitude, the
    // data README's area formula): within 0.1% of the geodesic distance over the ≤ 28 km searched,
    // and about 10× cheaper than geography distances for 8,181 villages at first start.
    `UPDATE village_geography v SET distance_to_coastline_m = (
       SELECT min(ST_Distance(ST_Scale(v.boundary, k.x, 110574), ST_Scale(s.geom, k.x, 110574)))
       FROM shorelines s, LATERAL (SELECT 111320 * cos(radians(ST_Y(v.centroid))) AS x) k
       WHERE s.source = 'NATURAL_EARTH_COASTLINE' AND ST_DWithin(s.geom, v.boundary, 0.25)
     )`,
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
