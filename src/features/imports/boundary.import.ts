/**
 * Village boundaries from GeoJSON, keyed by Kemendagri code (`properties.kode`): checked without
 * writing (code known, polygon type, ST_IsValidDetail with reason and location), repaired with
 * ST_MakeValid (polygons extracted), upserted with area and centroid; then the coastal flag is
 * derived in PostGIS by the seaward-edge method for the imported villages and their neighbours,
 * and households that a replaced boundary leaves outside are reported (kept, never moved).
 */
import type { Queryable } from '../../db/database.js';
import type { MultiPolygon, Polygon } from 'geojson';
import { badInput } from '../../errors/errors.js';
import { geoJSONToEwkbHex } from '../../geo/ewkb.js';
import { checkBoundaries, deriveSeawardEdges, householdsOutside, stageBoundaries, upsertBoundaries, type StagedFeature } from './boundary.queries.js';
import { emptyReport, type ImportOptions, type ImportReport, type RowIssue } from './import.report.js';

export interface BoundaryImportOptions extends Pick<ImportOptions, 'dryRun' | 'skipInvalid'> {
  /** Derive coastal flags (default). The demo seed turns it off and loads the precomputed flags instead. */
  deriveCoastal?: boolean;
}

interface InputFeature {
  properties?: { kode?: unknown } | null;
  geometry?: { type?: unknown } | null;
}

function parseCollection(file: string, text: string): InputFeature[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw badInput('file', `${file} is not JSON: ${(error as Error).message}`);
  }
  const features = (parsed as { features?: unknown }).features;
  if (!Array.isArray(features)) throw badInput('file', `${file}: expected a GeoJSON FeatureCollection with a "features" array`);
  return features as InputFeature[];
}

const isPosition = (p: unknown): boolean => Array.isArray(p) && p.length >= 2 && p.every((n) => typeof n === 'number' && Number.isFinite(n));
/** A closed ring needs at least 4 positions; PostGIS reports open or self-crossing rings (and repairs them). */
const isRing = (r: unknown): boolean => Array.isArray(r) && r.length >= 4 && r.every(isPosition);
const isPolygonCoordinates = (c: unknown): boolean => Array.isArray(c) && c.length >= 1 && c.every(isRing);

/**
 * What is wrong with a Polygon / MultiPolygon's `coordinates` so that it cannot be encoded at all
 * (wkx throws, or writes NaN), or null. Checked per feature so a malformed one is a finding, not a
 * failed import.
 */
function coordinatesProblem(geometry: { type?: unknown; coordinates?: unknown }): string | null {
  const c = geometry.coordinates;
  const ok = geometry.type === 'Polygon' ? isPolygonCoordinates(c) : Array.isArray(c) && c.length >= 1 && c.every(isPolygonCoordinates);
  return ok ? null : JSON.stringify(c ?? null).slice(0, 80);
}

/** Runs inside a transaction (the staging table and COPY must share its connection). */
export async function importBoundaries(tx: Queryable, file: string, collection: string, options: BoundaryImportOptions): Promise<ImportReport> {
  const report = emptyReport('BOUNDARIES', options);
  /** Features whose coordinates cannot be encoded: feature number → the (shortened) coordinates. */
  const malformed = new Map<number, string>();
  const staged: StagedFeature[] = parseCollection(file, collection).map((f, i) => {
    const type = typeof f.geometry?.type === 'string' ? f.geometry.type : null;
    const kode = f.properties?.kode;
    let ewkbHex: string | null = null;
    if (type === 'Polygon' || type === 'MultiPolygon') {
      const problem = coordinatesProblem(f.geometry as { type: string; coordinates?: unknown });
      if (problem !== null) malformed.set(i + 1, problem);
      else {
        try {
          ewkbHex = geoJSONToEwkbHex(f.geometry as Polygon | MultiPolygon);
        } catch (error) {
          malformed.set(i + 1, (error as Error).message.slice(0, 80));
        }
      }
    }
    return { line: i + 1, code: typeof kode === 'string' ? kode : null, geometryType: type, ewkbHex };
  });
  await stageBoundaries(tx, staged);
  const checks = await checkBoundaries(tx);
  report.rows = checks.length;
  const seen = new Map<string, number>();
  const bad = new Set<number>();
  const repaired: { code: string; reason: string; location: string | null }[] = [];
  const issue = (line: number, column: string, value: string, expected: string) => {
    report.issues.push({ file, line, column, value, expected } satisfies RowIssue);
    bad.add(line);
  };
  for (const row of checks) {
    if (!row.code) issue(row.line, 'properties.kode', '', 'a Kemendagri village code PP.KK.CC.DDDD');
    else if (!row.known_village) issue(row.line, 'properties.kode', row.code, 'a village code in the Kemendagri table');
    else if (seen.has(row.code)) issue(row.line, 'properties.kode', row.code, `a code not already used on feature ${seen.get(row.code)}`);
    if (row.code) seen.set(row.code, seen.get(row.code) ?? row.line);
    if (malformed.has(row.line)) {
      issue(row.line, 'geometry.coordinates', malformed.get(row.line)!, `${row.geometry_type} coordinates: rings of at least 4 [longitude, latitude] number positions`);
    } else if (row.geometry_type !== 'Polygon' && row.geometry_type !== 'MultiPolygon') {
      issue(row.line, 'geometry.type', row.geometry_type ?? '', 'Polygon or MultiPolygon');
    } else if (row.empty_after_repair) {
      issue(row.line, 'geometry', row.reason ?? 'empty', 'a polygon with area (nothing is left after ST_MakeValid)');
    } else if (row.valid === false && row.code) {
      repaired.push({ code: row.code, reason: row.reason ?? '', location: row.location });
    }
  }
  report.details['repaired'] = repaired;
  const keep = new Set(checks.filter((c) => !bad.has(c.line)).map((c) => c.line));
  if (bad.size) report.skippedRows = options.skipInvalid ? [...bad].sort((a, b) => a - b).map((line) => ({ file, line })) : [];
  const codes = checks.filter((c) => keep.has(c.line) && c.code).map((c) => c.code!);
  const [existing] = await tx.query<{ n: number }>('SELECT count(*)::int AS n FROM village_geography WHERE village_code = ANY($1::text[])', [codes]);
  report.changes = { boundariesInserted: codes.length - (existing?.n ?? 0), boundariesReplaced: existing?.n ?? 0, repaired: repaired.length };
  if (options.dryRun || (bad.size > 0 && !options.skipInvalid) || codes.length === 0) return report;

  await upsertBoundaries(tx, [...keep]);
  if (options.deriveCoastal ?? true) {
    const recomputed = await deriveSeawardEdges(tx, codes);
    const coastal = await tx.query<{ village_code: string }>(
      'SELECT village_code FROM village_geography WHERE village_code = ANY($1::text[]) AND is_coastal ORDER BY village_code',
      [codes],
    );
    report.changes['coastalFlagsRecomputed'] = recomputed.length;
    report.details['coastal'] = coastal.map((r) => r.village_code);
  }
  report.details['householdsOutsideNewBoundary'] = await householdsOutside(tx, codes);
  report.written = true;
  return report;
}
