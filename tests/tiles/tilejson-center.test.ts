/**
 * TileJSON `center` lies on data the caller can read: a map opened at it shows features, not an
 * empty tile in the sea (issue #12: the middle of the Pantura bounds is in the Java Sea).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGisHarness, type GisHarness } from '../ogc/harness.js';
import type { PrincipalName } from '../support/principals.js';

let h: GisHarness;
beforeAll(async () => {
  h = await startGisHarness();
});
afterAll(async () => h?.close());

/** The XYZ tile holding [lon, lat] at zoom z (Web Mercator). */
function tileAt(lon: number, lat: number, z: number): [number, number] {
  const n = 2 ** z;
  const x = Math.floor(((lon + 180) / 360) * n);
  const rad = (lat * Math.PI) / 180;
  const y = Math.floor(((1 - Math.log(Math.tan(rad) + 1 / Math.cos(rad)) / Math.PI) / 2) * n);
  return [x, y];
}

describe('TileJSON center', () => {
  const cases: [string, PrincipalName][] = [
    ['villages', 'planner'],
    ['villages', 'viewer'],
    ['villages', 'plannerSemarang'],
    ['households', 'planner'],
    ['households', 'plannerSemarang'],
    ['households', 'viewer'],
  ];
  for (const [layer, as] of cases) {
    it(`the ${layer} tile at the center is not empty for ${as}`, async () => {
      const { status, body } = await h.json(`/tiles/${layer}.json`, as);
      expect(status).toBe(200);
      const [lon, lat, z] = body.center as [number, number, number];
      const [w, s, e, n] = body.bounds as number[];
      expect(lon).toBeGreaterThanOrEqual(w!);
      expect(lon).toBeLessThanOrEqual(e!);
      expect(lat).toBeGreaterThanOrEqual(s!);
      expect(lat).toBeLessThanOrEqual(n!);
      const [x, y] = tileAt(lon, lat, z);
      const tile = await h.get(`/tiles/${layer}/${z}/${x}/${y}.mvt`, as);
      expect(tile.status).toBe(200);
      expect((await tile.arrayBuffer()).byteLength).toBeGreaterThan(0);
    });
  }
});
