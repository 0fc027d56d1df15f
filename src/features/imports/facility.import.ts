/**
 * Existing public facilities (mosques, schools, posyandu, MCK, village halls …) from CSV into the
 * pilots' `existing_facilities` table, upserted by (source, facility_id): re-importing a file
 * changes nothing, a changed row is updated, a new one inserted. Facilities are never deleted by
 * an import. Columns: facility_id, village_code, kind, name, longitude, latitude, accessible,
 * serves (ELDERLY|DISABLED|CHILD|SANITATION|EVERYONE, separated by |), source.
 */
import { copyLine, type Queryable } from '../../db/database.js';
import { FACILITY_SERVES } from '../../db/schema.js';
import { emptyReport, type ImportOptions, type ImportReport } from './import.report.js';
import { readCsv } from './registry.format.js';
import { LOCATION_TOLERANCE_M } from './registry.import.js';

export const FACILITY_COLUMNS = ['facility_id', 'village_code', 'kind', 'name', 'longitude', 'latitude', 'accessible', 'serves', 'source'] as const;

interface FacilityRow {
  line: number;
  facilityId: string;
  villageCode: string;
  kind: string;
  name: string;
  lonLat: [number, number];
  accessible: boolean;
  serves: string[];
  source: string;
}

export async function importFacilities(tx: Queryable, file: string, text: string, options: Pick<ImportOptions, 'dryRun' | 'skipInvalid'>): Promise<ImportReport> {
  const report = emptyReport('FACILITIES', options);
  const issues = report.issues;
  const rows: FacilityRow[] = [];
  const seen = new Map<string, number>();
  for (const { line, raw } of readCsv(file, text, FACILITY_COLUMNS, issues)) {
    const fail = (column: string, expected: string) => issues.push({ file, line, column, value: raw[column] ?? '', expected });
    const get = (c: string) => raw[c] ?? '';
    if (!/^[A-Za-z0-9._:/-]{1,100}$/.test(get('facility_id'))) fail('facility_id', 'an id of 1–100 letters, digits or . _ : / -');
    if (!/^\d{2}\.\d{2}\.\d{2}\.\d{4}$/.test(get('village_code'))) fail('village_code', 'a Kemendagri village code PP.KK.CC.DDDD');
    if (!/^[A-Z][A-Z_]{1,39}$/.test(get('kind'))) fail('kind', 'an upper-case kind such as MOSQUE, SCHOOL, POSYANDU, MCK, VILLAGE_HALL');
    if (get('name') === '' || get('name').length > 200) fail('name', 'a name of 1–200 characters');
    const lon = Number(get('longitude'));
    const lat = Number(get('latitude'));
    if (get('longitude') === '' || !(lon >= 94 && lon <= 142)) fail('longitude', 'a longitude from 94 to 142 (WGS84)');
    if (get('latitude') === '' || !(lat >= -11.5 && lat <= 6.5)) fail('latitude', 'a latitude from -11.5 to 6.5 (WGS84)');
    if (!['true', 'false', '1', '0'].includes(get('accessible').toLowerCase())) fail('accessible', 'true, false, 1 or 0');
    const serves = get('serves') === '' ? [] : get('serves').split('|');
    if (serves.some((s) => !(FACILITY_SERVES as readonly string[]).includes(s))) fail('serves', `values of ${FACILITY_SERVES.join(', ')} separated by |`);
    if (!/^[A-Za-z0-9 ._:/()-]{1,100}$/.test(get('source'))) fail('source', 'the name of the source (1–100 characters)');
    const key = `${get('source')}\u0000${get('facility_id')}`;
    if (seen.has(key)) fail('facility_id', `an id not already used for this source on line ${seen.get(key)}`);
    else seen.set(key, line);
    rows.push({ line, facilityId: get('facility_id'), villageCode: get('village_code'), kind: get('kind'), name: get('name'), lonLat: [lon, lat],
      accessible: ['true', '1'].includes(get('accessible').toLowerCase()), serves, source: get('source') });
  }
  report.rows = rows.length;
  const badLines = new Set(issues.map((i) => i.line));
  await tx.query('DROP TABLE IF EXISTS pg_temp.facility_staging');
  await tx.query(
    `CREATE TEMP TABLE facility_staging (line int, source_id text, village_code text, kind text, name text, location geometry(Point, 4326),
       accessible boolean, serves text[], source text) ON COMMIT DROP`,
  );
  await tx.copy('facility_staging', ['line', 'source_id', 'village_code', 'kind', 'name', 'location', 'accessible', 'serves', 'source'],
    rows.filter((r) => !badLines.has(r.line)).map((r) => copyLine([r.line, r.facilityId, r.villageCode, r.kind, r.name,
      `SRID=4326;POINT(${r.lonLat[0]} ${r.lonLat[1]})`, r.accessible, r.serves, r.source])));
  const dbIssues = await tx.query<{ line: number; column: string; value: string; expected: string }>(
    `SELECT line, 'village_code' AS column, village_code AS value, 'a village code in the Kemendagri table' AS expected
     FROM facility_staging s WHERE NOT EXISTS (SELECT 1 FROM regions r WHERE r.code = s.village_code AND r.level = 'VILLAGE')
     UNION ALL
     SELECT s.line, 'longitude,latitude', ST_X(s.location) || ',' || ST_Y(s.location),
            'a location inside village ' || s.village_code || ' (within ' || $1::float8::text || ' m of its boundary)'
     FROM facility_staging s JOIN village_geography g ON g.village_code = s.village_code
     WHERE NOT ST_Intersects(g.boundary, s.location) AND NOT ST_DWithin(g.boundary::geography, s.location::geography, $1::float8)
     ORDER BY 1`,
    [LOCATION_TOLERANCE_M],
  );
  for (const i of dbIssues) issues.push({ file, ...i });
  issues.sort((a, b) => a.line - b.line || a.column.localeCompare(b.column));
  if (issues.length) {
    if (!options.skipInvalid) return report;
    const bad = [...new Set(issues.map((i) => i.line))];
    report.skippedRows = bad.map((line) => ({ file, line }));
    await tx.query('DELETE FROM facility_staging WHERE line = ANY($1::int[])', [bad]);
  }
  const [changes] = await tx.query<{ inserted: number; updated: number }>(
    `WITH up AS (
       INSERT INTO existing_facilities AS e (village_code, kind, name, location, accessible, serves, source, source_id)
       SELECT village_code, kind, name, location, accessible, serves, source, source_id FROM facility_staging ORDER BY line
       ON CONFLICT (source, source_id) WHERE source_id IS NOT NULL DO UPDATE SET village_code = excluded.village_code, kind = excluded.kind,
         name = excluded.name, location = excluded.location, accessible = excluded.accessible, serves = excluded.serves
       WHERE (e.village_code, e.kind, e.name, e.location, e.accessible, e.serves)
             IS DISTINCT FROM (excluded.village_code, excluded.kind, excluded.name, excluded.location, excluded.accessible, excluded.serves)
       RETURNING (xmax = 0) AS inserted)
     SELECT count(*) FILTER (WHERE inserted)::int AS inserted, count(*) FILTER (WHERE NOT inserted)::int AS updated FROM up`,
  );
  report.changes = { facilitiesInserted: changes?.inserted ?? 0, facilitiesUpdated: changes?.updated ?? 0 };
  report.written = true;
  return report;
}
