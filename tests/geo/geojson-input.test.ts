import { describe, expect, it } from 'vitest';
import { AppError } from '../../src/errors/errors.js';
import {
  INDONESIA_BBOX_WGS84,
  MAX_POSITIONS_PER_GEOMETRY,
  parseBboxWgs84,
  parseGeometryInput,
  parsePointWgs84,
  parseRadiusMeters,
} from '../../src/geo/geojson-input.js';

/** Tambak Lorok, Semarang, [lon, lat]. */
const TAMBAK_LOROK: [number, number] = [110.42, -6.95];
const square = (lon: number, lat: number, d = 0.01): number[][] => [
  [lon, lat],
  [lon + d, lat],
  [lon + d, lat + d],
  [lon, lat + d],
  [lon, lat],
];
const polygon = (...rings: unknown[]) => ({ type: 'Polygon', coordinates: rings });

function thrown(fn: () => unknown): AppError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    return error as AppError;
  }
  throw new Error('expected an error');
}

describe('parseGeometryInput', () => {
  const ALL = ['Point', 'Polygon', 'MultiPolygon'] as const;

  it('accepts a valid point, polygon with a hole, and multipolygon, returning only type and 2D coordinates', () => {
    expect(parseGeometryInput({ type: 'Point', coordinates: [...TAMBAK_LOROK, 3] }, 'near', ALL)).toEqual({
      type: 'Point',
      coordinates: TAMBAK_LOROK,
    });
    const withHole = polygon(square(110.4, -6.96, 0.04), square(110.41, -6.95, 0.01));
    expect(parseGeometryInput({ ...withHole, bbox: [1, 2, 3, 4], crs: {} }, 'within', ALL)).toEqual(withHole);
    const multi = { type: 'MultiPolygon', coordinates: [[square(110.4, -6.96)], [square(106.8, -6.2)]] };
    expect(parseGeometryInput(multi, 'within', ALL)).toEqual(multi);
  });

  it('narrows the return type to the allowed types', () => {
    const point = parseGeometryInput({ type: 'Point', coordinates: TAMBAK_LOROK }, 'near', ['Point']);
    const [lon, lat] = point.coordinates;
    expect([lon, lat]).toEqual(TAMBAK_LOROK);
  });

  it.each([
    ['a non-object', 'POLYGON((...))', /expected a GeoJSON geometry object of type Polygon, MultiPolygon; received string/],
    ['null', null, /received null/],
    ['a type outside the allowed list', { type: 'Point', coordinates: TAMBAK_LOROK }, /of type Polygon, MultiPolygon; received type "Point"/],
    ['a missing type', { coordinates: [] }, /received no "type" member/],
    ['a Feature', { type: 'Feature', geometry: {} }, /Send the feature's "geometry" member/],
  ])('rejects %s, listing the allowed types', (_name, value, message) => {
    const error = thrown(() => parseGeometryInput(value, 'within', ['Polygon', 'MultiPolygon']));
    expect(error.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'within' });
    expect(error.message).toMatch(/^within: /);
    expect(error.message).toMatch(message);
  });

  it.each([
    ['a polygon with one nesting level missing', polygon(...square(110.4, -6.96)), 'within.coordinates[0][0]', /must be a position.*received number.*Polygon coordinates nest as \[\[\[/],
    ['a polygon with no rings', polygon(), 'within.coordinates', /non-empty array of linear rings/],
    ['a point with polygon nesting', { type: 'Point', coordinates: [TAMBAK_LOROK] }, 'within.coordinates', /must be a position/],
    ['a multipolygon with polygon nesting', { type: 'MultiPolygon', coordinates: square(110.4, -6.96) }, 'within.coordinates[0][0]', /array of positions; received number 110.4. MultiPolygon coordinates nest as \[\[\[\[/],
    ['a position with 4 numbers', { type: 'Point', coordinates: [110.42, -6.95, 0, 0] }, 'within.coordinates', /must be a position/],
    ['a position holding strings', { type: 'Point', coordinates: ['110.42', '-6.95'] }, 'within.coordinates', /must hold numbers/],
  ])('rejects %s with the JSON path of the problem', (_name, value, path, message) => {
    const error = thrown(() => parseGeometryInput(value, 'within', ALL));
    expect(error.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'within', path });
    expect(error.message).toContain(path);
    expect(error.message).toMatch(message);
  });

  it('rejects a polygon whose ring is not closed, naming the ring and both positions', () => {
    const hole = square(110.41, -6.95).slice(0, 4).concat([[110.415, -6.95]]);
    const error = thrown(() => parseGeometryInput(polygon(square(110.4, -6.96, 0.04), hole), 'within', ALL));
    expect(error.extensions).toMatchObject({ code: 'INVALID_GEOMETRY', argument: 'within', ring: 1, path: 'within.coordinates[1]' });
    expect(error.message).toContain('ring 1 at within.coordinates[1] is not closed');
    expect(error.message).toContain('first position [110.41,-6.95] differs from last position [110.415,-6.95]');
  });

  it('rejects a ring with fewer than 4 positions', () => {
    const error = thrown(() => parseGeometryInput(polygon([[110.4, -6.9], [110.5, -6.9], [110.4, -6.9]]), 'within', ALL));
    expect(error.extensions).toMatchObject({ code: 'INVALID_GEOMETRY', ring: 0 });
    expect(error.message).toMatch(/ring 0 .* has 3 position\(s\); a linear ring needs at least 4/);
  });

  it('detects [latitude, longitude] for Tambak Lorok, Semarang, and suggests the swap', () => {
    const ring = square(...TAMBAK_LOROK);
    ring[3] = [-6.95, 110.42];
    const error = thrown(() => parseGeometryInput(polygon(ring), 'within', ALL));
    expect(error.extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'SWAPPED_AXES', path: 'within.coordinates[0][3]', received: [-6.95, 110.42] });
    expect(error.message).toBe(
      'within: within.coordinates[0][3] [-6.95,110.42] looks like [latitude, longitude]; GeoJSON positions are [longitude, latitude] — swap them to [110.42,-6.95].',
    );
  });

  it.each([
    ['outside WGS84 range', [200, -6.95], 'OUT_OF_RANGE', /longitude in \[-180, 180\]/],
    ['in projected metres', [436000, 9231000], 'OUT_OF_RANGE', /projected metres/],
    ['outside Indonesia (Bangkok)', [100.5, 13.75], 'OUTSIDE_INDONESIA', /outside Indonesia's extent/],
    ['outside Indonesia (Paris)', [2.35, 48.86], 'OUTSIDE_INDONESIA', /outside Indonesia's extent/],
  ])('rejects a position %s', (_name, position, reason, message) => {
    const error = thrown(() => parseGeometryInput({ type: 'Point', coordinates: position }, 'near', ALL));
    expect(error.extensions).toMatchObject({ reason, path: 'near.coordinates' });
    expect(error.message).toMatch(message);
  });

  it('rejects non-finite numbers', () => {
    const error = thrown(() => parseGeometryInput({ type: 'Point', coordinates: [Number.NaN, -6.95] }, 'near', ALL));
    expect(error.message).toMatch(/finite numbers.*\["NaN",-6.95\]/);
  });

  it('rejects geometries with too many positions', () => {
    const ring = Array.from({ length: MAX_POSITIONS_PER_GEOMETRY + 1 }, (_, i) => [110 + i / 1e6, -7]);
    expect(thrown(() => parseGeometryInput(polygon(ring), 'within', ALL)).message).toMatch(/simplify/);
  });
});

describe('parseBboxWgs84', () => {
  const semarang = [110.3, -7.1, 110.5, -6.9];

  it('accepts a bbox overlapping Indonesia', () => {
    expect(parseBboxWgs84(semarang, 'bboxWgs84')).toEqual(semarang);
    expect(parseBboxWgs84([...INDONESIA_BBOX_WGS84], 'bboxWgs84')).toEqual([...INDONESIA_BBOX_WGS84]);
  });

  it.each([
    ['not an array', 'x', /expected \[minLongitude, minLatitude, maxLongitude, maxLatitude\].*received string/, undefined],
    ['3 numbers', [1, 2, 3], /received an array of 3/, undefined],
    ['a non-finite number', [110, -7, Number.POSITIVE_INFINITY, -6], /finite numbers/, undefined],
    ['swapped axes', [-7.1, 110.3, -6.9, 110.5], /looks like \[latitude, longitude, \.\.\.\].*did you mean \[110.3,-7.1,110.5,-6.9\]/, 'SWAPPED_AXES'],
    ['reversed corners', [110.5, -6.9, 110.3, -7.1], /corners look reversed; did you mean \[110.3,-7.1,110.5,-6.9\]/, 'BAD_CORNER_ORDER'],
    ['zero width', [110.3, -7.1, 110.3, -6.9], /zero width or height/, 'BAD_CORNER_ORDER'],
    ['out of range', [100, -95, 110, -6], /latitude in \[-90, 90\]/, 'OUT_OF_RANGE'],
    ['outside Indonesia', [2, 48, 3, 49], /does not overlap Indonesia/, 'OUTSIDE_INDONESIA'],
  ])('rejects %s', (_name, value, message, reason) => {
    const error = thrown(() => parseBboxWgs84(value, 'bboxWgs84'));
    expect(error.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'bboxWgs84' });
    if (reason) expect(error.extensions.reason).toBe(reason);
    expect(error.message).toMatch(message);
  });
});

describe('parsePointWgs84 and parseRadiusMeters', () => {
  it('returns a GeoJSON point for a valid centre', () => {
    expect(parsePointWgs84(110.42, -6.95, 'near')).toEqual({ type: 'Point', coordinates: TAMBAK_LOROK });
  });

  it('detects a centre given as [latitude, longitude]', () => {
    const error = thrown(() => parsePointWgs84(-6.95, 110.42, 'near'));
    expect(error.extensions).toMatchObject({ argument: 'near', reason: 'SWAPPED_AXES' });
    expect(error.message).toMatch(/^near: \[longitude, latitude\] \[-6.95,110.42\] looks like \[latitude, longitude\]/);
  });

  it('accepts a radius in (0, max] metres', () => {
    expect(parseRadiusMeters(500, 'radiusMeters')).toBe(500);
    expect(parseRadiusMeters(50_000, 'radiusMeters')).toBe(50_000);
  });

  it.each([
    [0, /greater than 0 and at most 50000; received number 0/],
    [-5, /received number -5/],
    [50_001, /For larger areas filter by region or bbox/],
    ['500', /received string "500"/],
    [Number.NaN, /received number NaN/],
  ])('rejects radius %s', (value, message) => {
    const error = thrown(() => parseRadiusMeters(value, 'radiusMeters'));
    expect(error.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'radiusMeters', maxMeters: 50_000 });
    expect(error.message).toMatch(message);
  });

  it('honours a custom maximum', () => {
    expect(() => parseRadiusMeters(2_000, 'radiusMeters', 1_000)).toThrow(/at most 1000/);
  });
});
