/**
 * A real QGIS (3.22 LTR on Debian 12: python3-qgis, headless) doing what docs/gis-clients.md tells
 * a QGIS user to do, with the values copied from that page: a Basic authentication configuration
 * with the token as the password, the OGC API – Features layers, the "Build query" filters, and the
 * vector tile layers as XYZ connections. Each role's result is compared with the API (Bearer) and the
 * database. CI installs python3-qgis; there (CI=true) a missing QGIS fails this suite.
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { sql } from 'drizzle-orm';
import { VectorTile } from '@mapbox/vector-tile';
import { PbfReader } from 'pbf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_VILLAGE, type PrincipalName } from '../support/principals.js';
import { insertPackageFixture, startGisHarness, type GisHarness } from './harness.js';

const run = promisify(execFile);
const SCRIPT = new URL('./qgis/qgis_client.py', import.meta.url).pathname;
const DOC = readFileSync(new URL('../../docs/gis-clients.md', import.meta.url), 'utf8');
// The system Python: python3-qgis installs into /usr/lib/python3/dist-packages, which a pyenv or
// venv python3 earlier on PATH does not see.
const PYTHON = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
const INSTALL = 'apt-get install --no-install-recommends python3-qgis qgis-providers';

async function qgisAvailable(): Promise<string | null> {
  try {
    await run(PYTHON, ['-c', 'import qgis.core'], { timeout: 60_000 });
    return null;
  } catch (error) {
    return (error as Error).message.split('\n').slice(-2).join(' ');
  }
}
const missing = await qgisAvailable();
if (missing && process.env.CI === 'true') {
  throw new Error(`QGIS (PyQGIS) is required in CI and was not found: ${missing}. Install it: ${INSTALL}`);
}
if (missing) console.warn(`tests/ogc/qgis.test.ts skipped: PyQGIS not found (${missing}). Install it: ${INSTALL}`);

let h: GisHarness;
/**
 * QGIS's HTTP cache (XDG_CACHE_HOME), shared by every role's run as by one QGIS installation whose
 * user switches authentication configurations: a tile cached for one token must not be shown to
 * the next (it was, while tiles were `max-age=300`: Qt's cache ignores Vary: Authorization).
 */
let httpCache: string;
beforeAll(async () => {
  if (missing) return;
  httpCache = mkdtempSync(join(tmpdir(), 'qgis-http-cache-'));
  h = await startGisHarness();
});
afterAll(async () => {
  await h?.close();
  if (httpCache) rmSync(httpCache, { recursive: true, force: true });
});

/** Runs the PyQGIS client with `spec` on stdin; async, so the server in this process keeps answering. */
function qgis(spec: object): Promise<any> {
  return new Promise((resolve, reject) => {
    const child = spawn(PYTHON, [SCRIPT], {
      env: { ...process.env, QT_QPA_PLATFORM: 'offscreen', XDG_CACHE_HOME: httpCache, NO_PROXY: '127.0.0.1,localhost', no_proxy: '127.0.0.1,localhost' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 150_000);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code !== 0) return reject(new Error(`qgis_client.py exited ${code ?? signal}\n${stderr.slice(-4000)}`));
      try {
        resolve(JSON.parse(stdout));
      } catch {
        reject(new Error(`qgis_client.py printed no JSON: ${stdout.slice(0, 2000)}\n${stderr.slice(-4000)}`));
      }
    });
    child.stdin.end(JSON.stringify(spec));
  });
}

/** A value docs/gis-clients.md tells the user to type; the test fails when the page stops saying it. */
function fromDoc(pattern: RegExp): RegExpExecArray {
  const match = pattern.exec(DOC);
  if (!match) throw new Error(`docs/gis-clients.md no longer matches ${pattern}: update this test with the page`);
  return match;
}
const DOC_ORIGIN = 'http://localhost:4000';
const DOCUMENTED = {
  ogcUrl: fromDoc(/- URL: `(http:\/\/localhost:4000\/ogc)`/)[1]!,
  username: fromDoc(/Username `([^`]+)`/)[1]!,
  pageSize: Number(fromDoc(/set \*Page size\* to ([\d,]+)/)[1]!.replace(',', '')),
  filters: fromDoc(/\*Build query\* with a simple condition such as\s+`([^`]+)` or `([^`]+)`/).slice(1),
  tiles: [
    fromDoc(/- URL: `(http:\/\/localhost:4000\/tiles\/[^`]+)`\n- Min\. zoom level: `(\d+)`, Max\. zoom level: `(\d+)`/),
    ...DOC.matchAll(/`(http:\/\/localhost:4000\/tiles\/[^`]+)` \(zoom (\d+)–(\d+)\)/g),
  ].map(([, url, zmin, zmax]) => ({ url: url!, zmin: Number(zmin), zmax: Number(zmax), layer: /tiles\/([^/]+)\//.exec(url!)![1]! })),
};

type Tile = { z: number; x: number; y: number };
const tileX = (lon: number, z: number) => Math.floor(((lon + 180) / 360) * 2 ** z);
const tileY = (lat: number, z: number) => {
  const r = (lat * Math.PI) / 180;
  return Math.floor(((1 - Math.log(Math.tan(r) + 1 / Math.cos(r)) / Math.PI) / 2) * 2 ** z);
};

/** The API's own answer (Bearer), to compare QGIS's with. */
async function numberMatched(path: string, as: PrincipalName): Promise<number> {
  const { status, body } = await h.json(path, as);
  expect(status, path).toBe(200);
  return body.numberMatched;
}
async function apiIds(path: string, as: PrincipalName): Promise<number[]> {
  const { status, body } = await h.json(path, as);
  expect(status, path).toBe(200);
  expect(body.numberReturned).toBe(body.numberMatched); // one page holds them all
  return body.features.map((f: any) => f.properties.id).sort((a: number, b: number) => a - b);
}

/**
 * The label values QGIS can place for a tile: `property` of the features the API's tile holds (Bearer,
 * decoded with @mapbox/vector-tile), points only within the rendered extent (1% inside the tile).
 */
async function apiTileLabels(layer: string, t: Tile, property: string, as: PrincipalName): Promise<{ labels: string[]; polygons: boolean }> {
  const response = await h.get(`/tiles/${layer}/${t.z}/${t.x}/${t.y}.mvt`, as);
  expect([200, 204]).toContain(response.status);
  const bytes = new Uint8Array(await response.arrayBuffer());
  const labels = new Set<string>();
  let polygons = false;
  if (bytes.length) {
    for (const vl of Object.values(new VectorTile(new PbfReader(bytes)).layers)) {
      const margin = vl.extent / 100;
      for (let i = 0; i < vl.length; i++) {
        const f = vl.feature(i);
        const value = f.properties[property];
        if (value === undefined) continue;
        if (f.type === 3) polygons = true;
        const [p] = f.loadGeometry()[0]!;
        if (f.type !== 1 || (p!.x > margin && p!.x < vl.extent - margin && p!.y > margin && p!.y < vl.extent - margin)) labels.add(String(value));
      }
    }
  }
  return { labels: [...labels].sort(), polygons };
}

const LABEL: Record<string, string> = { households: 'id', villages: 'code', 'package-items': 'id' };
/** The MVT layer of each tile layer (the `source-layer` of the page's MapLibre section). */
const MVT_LAYERS: Record<string, string[]> = { households: ['households', 'household_grid'], villages: ['villages'], 'package-items': ['package_items'] };

/**
 * Runs QGIS as `as` with the documented settings and checks every layer against the API and the
 * database; returns QGIS's output for role-specific checks.
 */
async function checkRole(as: PrincipalName, tile: Tile, bbox: number[]) {
  const local = (url: string) => url.replace(DOC_ORIGIN, h.origin);
  const from = h.requests.length;
  const labelOf = (layer: string) => (as === 'viewer' && layer === 'households' ? 'households' : LABEL[layer]!);
  const out = await qgis({
    token: h.tokens[as],
    username: DOCUMENTED.username,
    ogcUrl: local(DOCUMENTED.ogcUrl),
    pageSize: DOCUMENTED.pageSize,
    collections: { villages: [], households: DOCUMENTED.filters },
    bbox: { households: bbox },
    tiles: DOCUMENTED.tiles.map((t) => ({ name: t.layer, url: local(t.url), zmin: t.zmin, zmax: t.zmax, tile: [tile.z, tile.x, tile.y], label: `"${labelOf(t.layer)}"`, mvtLayers: MVT_LAYERS[t.layer] })),
  });
  const requests = h.requests.slice(from);
  expect(out.qgisVersion).toMatch(/^3\./);
  expect(out.authMethod).toBe('Basic');

  // "Connect" lists exactly the collections the API lists for this token.
  const { body: collections } = await h.json('/ogc/collections', as);
  expect(out.listed).toEqual(collections.collections.map((c: any) => c.id));

  // Every listed layer is valid and QGIS reads all its features, as many as the API matches.
  for (const [id, layer] of Object.entries<any>(out.layers)) {
    if (!out.listed.includes(id)) {
      expect(layer.valid, `${as} ${id}`).toBe(false);
      continue;
    }
    expect(layer.valid, `${as} ${id}: ${layer.error}`).toBe(true);
    expect(layer.read, `${as} ${id}`).toBe(await numberMatched(`/ogc/collections/${id}/items?limit=1`, as));
  }
  // Pages of the documented size (GDAL-style small pages would be 10).
  expect(requests.some((u) => u.includes(`/items?limit=${DOCUMENTED.pageSize}`))).toBe(true);

  const households = out.layers.households;
  if (households.valid) {
    expect(households.geometryType).toBe('Point');
    const [villageFilter, desilFilter] = DOCUMENTED.filters as [string, string];
    expect(households.filters[villageFilter]).toEqual({ accepted: true, ids: await apiIds(`/ogc/collections/households/items?village_code=${TEST_VILLAGE}&limit=10000`, as) });
    expect(households.filters[desilFilter]).toEqual({ accepted: true, ids: await apiIds('/ogc/collections/households/items?desil=1&limit=10000', as) });
    expect(households.bbox).toEqual({ valid: true, ids: await apiIds(`/ogc/collections/households/items?bbox=${bbox.join(',')}&limit=10000`, as) });
    // As the page says, QGIS 3.22 sends no filter: it reads the whole layer and filters it itself.
    if (out.qgisVersion.startsWith('3.22.')) {
      expect(requests.filter((u) => /[?&](village_code|desil)=/.test(u))).toEqual([]);
    }
    // The view-extent option sends bbox to the server.
    expect(requests.some((u) => u.startsWith('/ogc/collections/households/items') && u.includes('bbox='))).toBe(true);
  }

  // Each vector tile layer as a generic XYZ connection: QGIS asked for the tile at the zoom and drew
  // and labelled the features the API's tile holds.
  for (const t of DOCUMENTED.tiles) {
    const result = out.tiles[t.layer];
    expect(result.valid, `${as} ${t.layer}: ${result.error}`).toBe(true);
    expect(result.zoom).toEqual([t.zmin, t.zmax]);
    expect(result.renderErrors).toEqual([]);
    expect(requests, `${as} ${t.layer}`).toContain(`/tiles/${t.layer}/${tile.z}/${tile.x}/${tile.y}.mvt`);
    const expected = await apiTileLabels(t.layer, tile, labelOf(t.layer), as);
    if (expected.polygons) {
      // A polygon's label goes where QGIS finds room; every one placed is a feature of the tile.
      expect(result.labels.length, `${as} ${t.layer}`).toBeGreaterThan(0);
      expect(expected.labels, `${as} ${t.layer}`).toEqual(expect.arrayContaining(result.labels));
    } else {
      expect(result.labels, `${as} ${t.layer}`).toEqual(expected.labels);
    }
    expect(result.renderedPixels > 0, `${as} ${t.layer}`).toBe(expected.labels.length > 0);
  }
  return out;
}

// The roles run in this order and share QGIS's HTTP cache (see httpCache).
describe.skipIf(missing)('QGIS 3.22 with the settings of docs/gis-clients.md (Basic authentication, OAPIF, XYZ vector tiles)', () => {
  let tile: Tile;
  let bbox: number[];
  let funded: number[];
  beforeAll(async () => {
    if (missing) return;
    const fixture = await insertPackageFixture(h.db);
    funded = fixture.baznasHouseholds;
    // The zoom-14 tile of a household the partner funds, within every layer's zoom range.
    const [p] = await h.db.query<{ lon: number; lat: number }>(sql`SELECT ST_X(location) AS lon, ST_Y(location) AS lat FROM households WHERE id = ${funded[0]!}`);
    tile = { z: 14, x: tileX(p!.lon, 14), y: tileY(p!.lat, 14) };
    const [b] = await h.db.query<{ xmin: number; ymin: number; xmax: number; ymax: number }>(
      sql`SELECT ST_XMin(e) AS xmin, ST_YMin(e) AS ymin, ST_XMax(e) AS xmax, ST_YMax(e) AS ymax FROM (SELECT ST_Extent(location)::geometry AS e FROM households WHERE village_code = ${TEST_VILLAGE}) s`,
    );
    bbox = [b!.xmin, b!.ymin, b!.xmax, b!.ymax];
  });

  it('the page still documents what this test does (Basic, XYZ template, zoom ranges)', () => {
    expect(DOCUMENTED.filters).toHaveLength(2);
    expect(DOCUMENTED.tiles.map((t) => t.layer)).toEqual(['households', 'villages', 'package-items']);
  });

  it('PLANNER (national, the token npm start prints): every household, the filters and the view extent as the API answers them', async () => {
    const out = await checkRole('planner', tile, bbox);
    const [counts] = await h.db.query<{ households: number; villages: number }>(
      sql`SELECT (SELECT count(*)::int FROM households) AS households, (SELECT count(*)::int FROM village_geography) AS villages`,
    );
    expect(out.layers.households.read).toBe(counts!.households);
    expect(out.layers.villages.read).toBe(counts!.villages);
    const inVillage = await h.db.query<{ id: number }>(sql`SELECT id FROM households WHERE village_code = ${TEST_VILLAGE} ORDER BY id`);
    expect(out.layers.households.filters[DOCUMENTED.filters[0]!].ids).toEqual(inVillage.map((r) => r.id));
    expect(out.tiles.households.labels.length).toBeGreaterThan(0);
  });

  it('PLANNER of Kota Semarang (--regions 33.74): only the households of its region', async () => {
    const out = await checkRole('plannerSemarang', tile, bbox);
    const [n] = await h.db.query<{ n: number }>(sql`SELECT count(*)::int AS n FROM households WHERE village_code LIKE '33.74.%'`);
    expect(out.layers.households.read).toBe(n!.n);
  });

  it('PARTNER (BAZNAS): exactly the households it funds, in features and in tiles', async () => {
    const out = await checkRole('partner', tile, bbox);
    const rows = await h.db.query<{ id: number }>(
      sql`SELECT DISTINCT pi.household_id AS id FROM package_items pi JOIN packages pk ON pk.id = pi.package_id
          WHERE pi.funder_code = 'BAZNAS' AND pk.status <> 'CANCELLED' AND pi.household_id IS NOT NULL ORDER BY 1`,
    );
    expect(out.layers.households.ids).toEqual(rows.map((r) => r.id));
    // Only funded households in its tile (checkRole compared the tile with the API's).
    expect(out.tiles.households.labels.length).toBeGreaterThan(0);
    expect(funded.map(String)).toEqual(expect.arrayContaining(out.tiles.households.labels));
  });

  it('VIEWER: no households collection (refused), the 250 m grid in the households tiles', async () => {
    const out = await checkRole('viewer', tile, bbox);
    expect(out.listed).not.toContain('households');
    expect(out.layers.households.valid).toBe(false);
    expect(out.tiles.households.labels.length).toBeGreaterThan(0); // grid cells, labelled with their counts
  });
});
