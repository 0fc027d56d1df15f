/** The JS MVT encoder, decoded with @mapbox/vector-tile (the decoder MapLibre's workers use). */
import { VectorTile, classifyRings } from '@mapbox/vector-tile';
import { PbfReader } from 'pbf';
import { describe, expect, it } from 'vitest';
import { encodeTile } from '../../src/features/tiles/mvt.js';

const decode = (bytes: Uint8Array) => new VectorTile(new PbfReader(bytes));
const xy = (rings: { x: number; y: number }[][]) => rings.map((r) => r.map((p) => [p.x, p.y]));

describe('encodeTile', () => {
  it('encodes points, lines and polygons with ids and typed properties', () => {
    const bytes = encodeTile('things', [
      { id: 7, geometry: { type: 'Point', coordinates: [10, 20] }, properties: { name: 'a', count: 3, negative: -5, share: 0.25, ok: true, missing: null } },
      { id: 3_374_021_008, geometry: { type: 'MultiPoint', coordinates: [[0, 0], [4096, 4096], [-10, 5]] }, properties: { name: 'b', count: 3 } },
      { geometry: { type: 'LineString', coordinates: [[0, 0], [10, 0], [10, 0], [10, 10]] }, properties: {} },
    ]);
    const layer = decode(bytes).layers.things!;
    expect(layer).toMatchObject({ version: 2, extent: 4096, length: 3 });
    const point = layer.feature(0);
    expect(point.type).toBe(1);
    expect(point.id).toBe(7);
    expect(point.properties).toEqual({ name: 'a', count: 3, negative: -5, share: 0.25, ok: true });
    expect(xy(point.loadGeometry())).toEqual([[[10, 20]]]);
    const multi = layer.feature(1);
    expect(multi.id).toBe(3_374_021_008);
    expect(xy(multi.loadGeometry())).toEqual([[[0, 0]], [[4096, 4096]], [[-10, 5]]]);
    const line = layer.feature(2);
    expect(line.type).toBe(2);
    expect(line.id).toBeUndefined();
    expect(xy(line.loadGeometry())).toEqual([[[0, 0], [10, 0], [10, 10]]]); // repeated point dropped
  });

  it('orients polygon rings as the spec requires, whatever the input winding', () => {
    // Exterior given counter-clockwise on screen, hole clockwise: both must be flipped.
    const exterior = [[0, 0], [0, 100], [100, 100], [100, 0], [0, 0]];
    const hole = [[20, 20], [80, 20], [80, 80], [20, 80], [20, 20]];
    const bytes = encodeTile('polys', [
      { id: 1, geometry: { type: 'Polygon', coordinates: [exterior, hole] }, properties: {} },
      { id: 2, geometry: { type: 'MultiPolygon', coordinates: [[exterior], [[[200, 200], [300, 200], [300, 300], [200, 300], [200, 200]]]] }, properties: {} },
      { id: 3, geometry: { type: 'Polygon', coordinates: [[[0, 0], [5, 0], [10, 0], [0, 0]]] }, properties: {} }, // zero area: dropped
    ]);
    const layer = decode(bytes).layers.polys!;
    expect(layer.length).toBe(2);
    const signedArea = (ring: { x: number; y: number }[]) => ring.reduce((s, p, i) => { const q = ring[(i + 1) % ring.length]!; return s + p.x * q.y - q.x * p.y; }, 0);
    const one = layer.feature(0);
    const rings = one.loadGeometry();
    expect(rings).toHaveLength(2);
    expect(signedArea(rings[0]!)).toBeGreaterThan(0); // exterior: clockwise on screen
    expect(signedArea(rings[1]!)).toBeLessThan(0); // hole
    expect(classifyRings(rings)).toHaveLength(1); // one polygon with its hole
    expect(classifyRings(layer.feature(1).loadGeometry())).toHaveLength(2);
    const geojson = one.toGeoJSON(0, 0, 0);
    expect(geojson.geometry.type).toBe('Polygon');
  });

  it('gives zero bytes for a layer without features', () => {
    expect(encodeTile('empty', [])).toHaveLength(0);
    expect(encodeTile('empty', [{ geometry: { type: 'Polygon', coordinates: [[[1, 1], [1, 1], [1, 1], [1, 1]]] }, properties: {} }])).toHaveLength(0);
  });
});
