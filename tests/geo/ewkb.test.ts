import type { Geometry } from 'geojson';
import { describe, expect, it } from 'vitest';
import { ewkbHexToGeoJSON, geoJSONToEwkbHex } from '../../src/geo/ewkb.js';

/** `SELECT ST_SetSRID(ST_GeomFromGeoJSON(...), 4326)::text` for a bow-tie near Tambak Lorok, from PostGIS 3.6. */
const POSTGIS_POLYGON_HEX =
  '0103000020E610000001000000050000009A99999999995B40D7A3703D0AD71BC05C8FC2F5289C5B40C3F5285C8FC21BC05C8FC2F5289C5B40D7A3703D0AD71BC09A99999999995B40C3F5285C8FC21BC09A99999999995B40D7A3703D0AD71BC0';
const POSTGIS_POLYGON: Geometry = {
  type: 'Polygon',
  coordinates: [[[110.4, -6.96], [110.44, -6.94], [110.44, -6.96], [110.4, -6.94], [110.4, -6.96]]],
};

describe('EWKB ⇄ GeoJSON', () => {
  it('encodes exactly as PostGIS prints a geometry(…, 4326)', () => {
    expect(geoJSONToEwkbHex(POSTGIS_POLYGON)).toBe(POSTGIS_POLYGON_HEX);
    expect(ewkbHexToGeoJSON(POSTGIS_POLYGON_HEX)).toEqual(POSTGIS_POLYGON);
  });

  it.each<Geometry>([
    { type: 'Point', coordinates: [110.42, -6.95] },
    { type: 'Polygon', coordinates: [[[110.4, -6.96], [110.44, -6.96], [110.44, -6.92], [110.4, -6.96]], [[110.41, -6.95], [110.42, -6.95], [110.42, -6.94], [110.41, -6.95]]] },
    { type: 'MultiPolygon', coordinates: [[[[110.4, -6.96], [110.44, -6.96], [110.44, -6.92], [110.4, -6.96]]], [[[106.8, -6.2], [106.9, -6.2], [106.9, -6.1], [106.8, -6.2]]]] },
  ])('round-trips a $type', (geometry) => {
    const hex = geoJSONToEwkbHex(geometry);
    expect(hex).toMatch(/^01[0-9A-F]{2}000020E6100000/); // little-endian, SRID flag, SRID 4326
    expect(ewkbHexToGeoJSON(hex)).toEqual(geometry);
  });

  it('writes the requested SRID', () => {
    const hex = geoJSONToEwkbHex({ type: 'Point', coordinates: [436000, 9231000] }, 32749);
    expect(hex.slice(10, 18)).toBe('ED7F0000'); // 32749 little-endian
  });

  it('rejects text that is not hex', () => {
    expect(() => ewkbHexToGeoJSON('POINT(1 2)')).toThrow(/hex/);
    expect(() => ewkbHexToGeoJSON('010')).toThrow(/hex/);
  });
});
