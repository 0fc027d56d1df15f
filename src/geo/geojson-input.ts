/**
 * Validation of geometry arguments sent by GraphQL clients. Every geometry is WGS84 (EPSG:4326)
 * with GeoJSON axis order [longitude, latitude] in degrees. Each parser either returns a clean
 * value or throws an `AppError` whose message names the argument (and the JSON path of the bad
 * value), says what was expected and what was received, and what to do.
 *
 * Codes: malformed or out-of-range input is BAD_USER_INPUT; well-formed input that is not a
 * valid geometry (unclosed or too-short rings, self-intersections) is INVALID_GEOMETRY.
 */
import type { Geometry, MultiPolygon, Point, Polygon, Position } from 'geojson';
import type { Queryable } from '../db/database.js';
import { badInput, invalidGeometry } from '../errors/errors.js';

/** Indonesia's extent as [minLon, minLat, maxLon, maxLat], degrees WGS84. */
export const INDONESIA_BBOX_WGS84 = [94, -11.5, 142, 6.5] as const;

export type BboxWgs84 = [minLon: number, minLat: number, maxLon: number, maxLat: number];
export type InputGeometryType = 'Point' | 'Polygon' | 'MultiPolygon';
type InputGeometry = Point | Polygon | MultiPolygon;

/** Bounds request size; a village boundary has hundreds of positions, not tens of thousands. */
export const MAX_POSITIONS_PER_GEOMETRY = 50_000;

const NESTING: Record<InputGeometryType, string> = {
  Point: '[longitude, latitude]',
  Polygon: '[[[longitude, latitude], ...]] (an array of linear rings)',
  MultiPolygon: '[[[[longitude, latitude], ...]]] (an array of polygons, each an array of linear rings)',
};

const fmt = (value: unknown): string => {
  if (typeof value === 'number') return String(value);
  const text =
    JSON.stringify(value, (_key, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v)) ??
    String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
};

const describe = (value: unknown): string => {
  if (value === null) return 'null';
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return `an array of ${value.length} item(s) ${fmt(value)}`;
  if (typeof value === 'object') return `an object ${fmt(value)}`;
  return `${typeof value} ${fmt(value)}`;
};

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const inBox = (lon: number, lat: number, box: readonly number[]): boolean =>
  lon >= box[0]! && lon <= box[2]! && lat >= box[1]! && lat <= box[3]!;

/**
 * Checks one [longitude, latitude] pair. A swapped pair is reported before the WGS84 range check
 * because an Indonesian [latitude, longitude] pair usually has a "latitude" above 90.
 */
function checkLonLat(lon: number, lat: number, argument: string, path: string, label = path): void {
  const position = { path, received: [lon, lat] };
  if (!Number.isFinite(lon) || !Number.isFinite(lat)) {
    throw badInput(argument, `${label} must hold finite numbers [longitude, latitude]; received ${fmt([lon, lat])}.`, position);
  }
  if (inBox(lon, lat, INDONESIA_BBOX_WGS84)) return;
  if (inBox(lat, lon, INDONESIA_BBOX_WGS84)) {
    throw badInput(
      argument,
      `${label} ${fmt([lon, lat])} looks like [latitude, longitude]; GeoJSON positions are [longitude, latitude] — swap them to ${fmt([lat, lon])}.`,
      { ...position, reason: 'SWAPPED_AXES' },
    );
  }
  if (lon < -180 || lon > 180 || lat < -90 || lat > 90) {
    const projected = Math.abs(lon) > 1000 || Math.abs(lat) > 1000;
    throw badInput(
      argument,
      `${label} ${fmt([lon, lat])} is not a WGS84 position: expected longitude in [-180, 180] and latitude in [-90, 90] degrees.` +
        (projected ? ' Values this large look like projected metres (e.g. UTM); reproject to EPSG:4326.' : ''),
      { ...position, reason: 'OUT_OF_RANGE' },
    );
  }
  throw badInput(
    argument,
    `${label} ${fmt([lon, lat])} lies outside Indonesia's extent (longitude 94..142, latitude -11.5..6.5); check the coordinates and their CRS (must be WGS84 degrees).`,
    { ...position, reason: 'OUTSIDE_INDONESIA' },
  );
}

interface WalkContext {
  argument: string;
  type: InputGeometryType;
  positions: number;
}

/** Returns a 2D position; a third (z) value is accepted and dropped because storage is 2D. */
function parsePosition(value: unknown, path: string, ctx: WalkContext): Position {
  if (!Array.isArray(value) || (value.length !== 2 && value.length !== 3)) {
    throw badInput(
      ctx.argument,
      `${path} must be a position [longitude, latitude]; received ${describe(value)}. ${ctx.type} coordinates nest as ${NESTING[ctx.type]}.`,
      { path },
    );
  }
  const [lon, lat, z] = value as unknown[];
  if (typeof lon !== 'number' || typeof lat !== 'number' || (z !== undefined && typeof z !== 'number')) {
    throw badInput(ctx.argument, `${path} must hold numbers [longitude, latitude]; received ${fmt(value)}.`, { path });
  }
  checkLonLat(lon, lat, ctx.argument, path);
  ctx.positions += 1;
  if (ctx.positions > MAX_POSITIONS_PER_GEOMETRY) {
    throw badInput(
      ctx.argument,
      `has more than ${MAX_POSITIONS_PER_GEOMETRY} positions; simplify the geometry (e.g. ST_Simplify or mapshaper) before sending it.`,
    );
  }
  return [lon, lat];
}

function parseArray(value: unknown, path: string, expected: string, ctx: WalkContext): unknown[] {
  if (!Array.isArray(value) || value.length === 0) {
    throw badInput(
      ctx.argument,
      `${path} must be a non-empty array of ${expected}; received ${describe(value)}. ${ctx.type} coordinates nest as ${NESTING[ctx.type]}.`,
      { path },
    );
  }
  return value;
}

function parseRing(value: unknown, path: string, ringIndex: number, ctx: WalkContext): Position[] {
  const ring = parseArray(value, path, 'positions', ctx).map((p, i) => parsePosition(p, `${path}[${i}]`, ctx));
  if (ring.length < 4) {
    throw invalidGeometry(
      ctx.argument,
      `ring ${ringIndex} at ${path} has ${ring.length} position(s); a linear ring needs at least 4 (3 corners plus the first repeated at the end).`,
      { path, ring: ringIndex },
    );
  }
  const first = ring[0]!;
  const last = ring[ring.length - 1]!;
  if (first[0] !== last[0] || first[1] !== last[1]) {
    throw invalidGeometry(
      ctx.argument,
      `ring ${ringIndex} at ${path} is not closed: first position ${fmt(first)} differs from last position ${fmt(last)}; repeat the first position at the end of the ring.`,
      { path, ring: ringIndex, first, last },
    );
  }
  return ring;
}

function parsePolygonRings(value: unknown, path: string, ctx: WalkContext): Position[][] {
  return parseArray(value, path, 'linear rings', ctx).map((r, i) => parseRing(r, `${path}[${i}]`, i, ctx));
}

/**
 * Parses a client-supplied GeoJSON geometry whose type is one of `allowed`. Returns a new object
 * holding only `type` and 2D `coordinates` (`bbox`, `crs` and z values are dropped).
 * Topological validity (self-intersections, holes outside shells) is checked by
 * `assertValidInDatabase`, which needs GEOS.
 */
export function parseGeometryInput<T extends InputGeometryType>(
  value: unknown,
  argument: string,
  allowed: readonly T[],
): Extract<InputGeometry, { type: T }> {
  const allowedList = allowed.join(', ');
  if (!isRecord(value)) {
    throw badInput(argument, `expected a GeoJSON geometry object of type ${allowedList}; received ${describe(value)}.`);
  }
  const type = value.type;
  if (typeof type !== 'string' || !(allowed as readonly string[]).includes(type)) {
    const hint = type === 'Feature' || type === 'FeatureCollection' ? ' Send the feature\'s "geometry" member, not the feature.' : '';
    throw badInput(argument, `expected a GeoJSON geometry of type ${allowedList}; received ${type === undefined ? 'no "type" member' : `type ${fmt(type)}`}.${hint}`, {
      allowedTypes: [...allowed],
      receivedType: type,
    });
  }
  const ctx: WalkContext = { argument, type: type as InputGeometryType, positions: 0 };
  const path = `${argument}.coordinates`;
  let geometry: InputGeometry;
  switch (ctx.type) {
    case 'Point':
      geometry = { type: 'Point', coordinates: parsePosition(value.coordinates, path, ctx) };
      break;
    case 'Polygon':
      geometry = { type: 'Polygon', coordinates: parsePolygonRings(value.coordinates, path, ctx) };
      break;
    case 'MultiPolygon':
      geometry = {
        type: 'MultiPolygon',
        coordinates: parseArray(value.coordinates, path, 'polygons', ctx).map((p, i) =>
          parsePolygonRings(p, `${path}[${i}]`, ctx),
        ),
      };
      break;
  }
  return geometry as Extract<InputGeometry, { type: T }>;
}

/**
 * Parses a bbox `[minLon, minLat, maxLon, maxLat]` in WGS84 degrees that must overlap Indonesia.
 * Bboxes crossing the antimeridian (minLon > maxLon, allowed by RFC 7946) are rejected: Indonesia
 * does not cross it.
 */
export function parseBboxWgs84(value: unknown, argument: string): BboxWgs84 {
  const expected = 'expected [minLongitude, minLatitude, maxLongitude, maxLatitude] in WGS84 degrees';
  if (!Array.isArray(value) || value.length !== 4) {
    throw badInput(argument, `${expected}; received ${describe(value)}.`);
  }
  if (!value.every((v) => typeof v === 'number' && Number.isFinite(v))) {
    throw badInput(argument, `${expected}, all finite numbers; received ${fmt(value)}.`);
  }
  const [a, b, c, d] = value as BboxWgs84;
  const sorted: BboxWgs84 = [Math.min(a, c), Math.min(b, d), Math.max(a, c), Math.max(b, d)];
  const swapped: BboxWgs84 = [sorted[1], sorted[0], sorted[3], sorted[2]];
  const overlapsIndonesia = (box: BboxWgs84) =>
    box[0] <= INDONESIA_BBOX_WGS84[2] &&
    box[2] >= INDONESIA_BBOX_WGS84[0] &&
    box[1] <= INDONESIA_BBOX_WGS84[3] &&
    box[3] >= INDONESIA_BBOX_WGS84[1];

  if (!overlapsIndonesia(sorted) && overlapsIndonesia(swapped)) {
    throw badInput(
      argument,
      `${fmt(value)} looks like [latitude, longitude, ...]; a bbox is [minLongitude, minLatitude, maxLongitude, maxLatitude] — did you mean ${fmt([b, a, d, c])}?`,
      { received: value, reason: 'SWAPPED_AXES' },
    );
  }
  if (sorted[0] < -180 || sorted[2] > 180 || sorted[1] < -90 || sorted[3] > 90) {
    throw badInput(argument, `${expected}: longitude in [-180, 180], latitude in [-90, 90]; received ${fmt(value)}.`, {
      received: value,
      reason: 'OUT_OF_RANGE',
    });
  }
  if (a >= c || b >= d) {
    const hint =
      a > c || b > d
        ? ` The corners look reversed; did you mean ${fmt(sorted)}?`
        : ' It has zero width or height; for a single location use a point with radiusMeters.';
    throw badInput(argument, `${expected} with min < max; received ${fmt(value)}.${hint}`, {
      received: value,
      reason: 'BAD_CORNER_ORDER',
    });
  }
  if (!overlapsIndonesia(sorted)) {
    throw badInput(
      argument,
      `${fmt(value)} does not overlap Indonesia's extent ${fmt(INDONESIA_BBOX_WGS84)}; check the coordinates and their CRS (must be WGS84 degrees).`,
      { received: value, reason: 'OUTSIDE_INDONESIA' },
    );
  }
  return [a, b, c, d];
}

/** Parses the centre of a "within radiusMeters of a point" input; `argument` names the pair. */
export function parsePointWgs84(longitude: number, latitude: number, argument: string): Point {
  checkLonLat(longitude, latitude, argument, argument, '[longitude, latitude]');
  return { type: 'Point', coordinates: [longitude, latitude] };
}

/** Parses a search radius in metres: finite, > 0 and ≤ `maxMeters`. */
/** Validates a circle argument ({ longitude, latitude, radiusMeters }). */
export function parseCircle(
  value: { longitude: number; latitude: number; radiusMeters: number },
  argument: string,
): { longitude: number; latitude: number; radiusMeters: number } {
  const [longitude, latitude] = parsePointWgs84(value.longitude, value.latitude, argument).coordinates as [number, number];
  return { longitude, latitude, radiusMeters: parseRadiusMeters(value.radiusMeters, `${argument}.radiusMeters`) };
}

export function parseRadiusMeters(value: unknown, argument: string, maxMeters = 50_000): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0 || value > maxMeters) {
    const hint = typeof value === 'number' && value > maxMeters ? ' For larger areas filter by region or bbox instead.' : '';
    throw badInput(argument, `expected a radius in metres greater than 0 and at most ${maxMeters}; received ${describe(value)}.${hint}`, {
      maxMeters,
    });
  }
  return value;
}

const INVALIDITY_HINTS: Record<string, string> = {
  'Self-intersection': 'a ring crosses itself or another ring at {at}; redraw it or repair it with ST_MakeValid',
  'Ring Self-intersection': 'a ring touches itself at {at} (a pinched ring); split it into separate polygons or repair it with ST_MakeValid',
  'Hole lies outside shell': 'an inner ring (hole) lies outside the outer ring near {at}; the first ring of a polygon must be its outer boundary',
  'Nested shells': 'two polygons of the MultiPolygon overlap near {at}; merge them (ST_Union) or remove one',
  'Nested holes': 'a hole lies inside another hole near {at}; remove the inner one',
  'Interior is disconnected': 'the holes split the polygon into pieces near {at}; send the pieces as separate polygons of a MultiPolygon',
  'Duplicate Rings': 'the same ring appears twice near {at}; remove the duplicate',
  'Too few points': 'a ring has fewer than 4 distinct positions near {at}; remove repeated positions or drop the ring',
};

/**
 * Asks PostGIS (GEOS) whether `geometry` is valid; throws INVALID_GEOMETRY with the reason and
 * the [lon, lat] where it fails. Expects a geometry returned by `parseGeometryInput`. One statement.
 */
export async function assertValidInDatabase(
  db: Pick<Queryable, 'query'>,
  geometry: Geometry,
  argument: string,
): Promise<void> {
  const rows = await db.query<{ valid: boolean; reason: string | null; location: string | null }>(
    `SELECT (d).valid AS valid, (d).reason AS reason, ST_AsGeoJSON((d).location) AS location
       FROM (SELECT ST_IsValidDetail(ST_SetSRID(ST_GeomFromGeoJSON($1), 4326)) AS d) AS detail`,
    [JSON.stringify(geometry)],
  );
  const row = rows[0];
  if (!row || row.valid) return;
  const reason = row.reason ?? 'invalid geometry';
  const locationWgs84 = row.location ? (JSON.parse(row.location) as Point).coordinates.slice(0, 2) : null;
  const at = locationWgs84 ? fmt(locationWgs84) : 'an unknown location';
  const hint = (INVALIDITY_HINTS[reason] ?? 'the geometry is not valid near {at}; repair it with ST_MakeValid').replace('{at}', at);
  throw invalidGeometry(argument, `is not a valid geometry: ${reason} at ${at}; ${hint}.`, { reason, locationWgs84 });
}
