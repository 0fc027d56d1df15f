/**
 * Issue #17: the ADMIN HTTP upload route, end to end over a real socket: a file larger than
 * GraphQL's 1 MB body limit is uploaded (staged in import_uploads), a job is started from the
 * uploads, the worker runs it; the size limit answers 413 with the limit; ADMIN only.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../support/graphql.js';
import { principals } from '../support/principals.js';
import { extract, household, pointInside, TANJUNG_MAS } from './registry-fixture.js';

const MAX_BYTES = 2_000_000;
let api: TestApi;
let origin: string;
let admin: string;
let inside: [number, number];
beforeAll(async () => {
  api = await startTestApi({ IMPORT_UPLOAD_MAX_BYTES: String(MAX_BYTES) });
  await new Promise<void>((resolve) => api.app.httpServer.listen(0, '127.0.0.1', resolve));
  // The worker's import runs in this process and can hold the event loop past the server's 5 s
  // keep-alive timeout: fetch would then reuse a socket the server is closing (ECONNRESET).
  api.app.httpServer.keepAliveTimeout = 120_000;
  const address = api.app.httpServer.address();
  origin = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  admin = await api.token({ sub: principals.admin.subject, role: 'ADMIN' });
  inside = await pointInside(api.database.db, TANJUNG_MAS);
});
afterAll(async () => {
  await new Promise<void>((resolve) => api?.app.httpServer.close(() => resolve()));
  await api?.close();
});

const post = (path: string, body: string | undefined, bearer = admin) =>
  fetch(`${origin}${path}`, { method: 'POST', headers: { authorization: `Bearer ${bearer}`, 'content-type': 'text/csv' }, ...(body === undefined ? {} : { body }) });

describe('POST /imports (ADMIN upload route)', () => {
  it('uploads a registry extract larger than the GraphQL body limit, starts the job from the uploads, and the worker imports it', async () => {
    const x = extract([household('UP-1', TANJUNG_MAS, inside, 71), household('UP-2', TANJUNG_MAS, inside, 72)]);
    // Padding lines of spaces are skipped as blank lines by the parser but count against the limits: > 1 MB.
    const padding = `${' '.repeat(1000)}\n`.repeat(1100);
    const households = `${x.households.text.trimEnd()}\n${padding}`;
    expect(Buffer.byteLength(households)).toBeGreaterThan(1_000_000);

    const h = await post('/imports/uploads?name=households.csv', households);
    expect(h.status).toBe(201);
    const hBody = (await h.json()) as { uploadId: string };
    expect(hBody).toMatchObject({ name: 'households.csv', bytes: Buffer.byteLength(households) });
    const m = await post('/imports/uploads?name=members.csv', x.members.text);
    expect(m.status).toBe(201);
    const mBody = (await m.json()) as { uploadId: string };

    const started = await post(`/imports/registry?asOf=2025-06-30&mode=incremental&households=${hBody.uploadId}&members=${mBody.uploadId}`, undefined);
    expect(started.status).toBe(202);
    const { importJob } = (await started.json()) as { importJob: { id: string } };
    expect(importJob).toMatchObject({ kind: 'REGISTRY', status: 'QUEUED', dryRun: false });
    // The uploads moved into the job: none left staged.
    expect(await api.database.db.query('SELECT id FROM import_uploads WHERE id = ANY($1::int[])', [[Number(hBody.uploadId), Number(mBody.uploadId)]])).toEqual([]);
    // An upload is used once.
    const again = await post(`/imports/registry?asOf=2025-06-30&households=${hBody.uploadId}&members=${mBody.uploadId}`, undefined);
    expect(again.status).toBe(400);
    expect(((await again.json()) as any).errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'households' });

    await api.app.importWorker.drain();
    const done = await api.query<any>('query ($id: ID!) { importJob(id: $id) { status report } }', { id: importJob.id });
    expect(done.data.importJob.status).toBe('DONE');
    expect(done.data.importJob.report).toMatchObject({ written: true, issues: [], changes: { householdsInserted: 2 } });
  });

  it('a single-file import takes the file itself as the body', async () => {
    const csv = 'facility_id,village_code,kind,name,longitude,latitude,accessible,serves,source\n' +
      `UP-F1,${TANJUNG_MAS},MOSQUE,Masjid Upload,${inside[0]},${inside[1]},true,EVERYONE,Upload test\n`;
    const started = await post('/imports/facilities?name=fac.csv&dryRun=true', csv);
    expect(started.status).toBe(202);
    const { importJob } = (await started.json()) as { importJob: { id: string } };
    await api.app.importWorker.drain();
    const done = await api.query<any>('query ($id: ID!) { importJob(id: $id) { status dryRun report } }', { id: importJob.id });
    expect(done.data.importJob).toMatchObject({ status: 'DONE', dryRun: true, report: { issues: [], rows: 1 } });
  });

  it('takes a GeoPackage (binary) as the body: its layer is read on arrival and the job imports it as GeoJSON', async () => {
    // tests/import/fixtures/bedono.gpkg: GDAL-made, one layer "villages" with Bedono's boundary and a bow tie.
    const gpkg = readFileSync(new URL('./fixtures/bedono.gpkg', import.meta.url));
    const send = (path: string, body: Uint8Array) => fetch(`${origin}${path}`, { method: 'POST', headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/geopackage+sqlite3' }, body });
    const started = await send('/imports/boundaries?name=bedono.gpkg&dryRun=true', gpkg);
    expect(started.status).toBe(202);
    const { importJob } = (await started.json()) as { importJob: { id: string } };
    await api.app.importWorker.drain();
    const done = await api.query<any>('query ($id: ID!) { importJob(id: $id) { status dryRun report } }', { id: importJob.id });
    expect(done.data.importJob).toMatchObject({ status: 'DONE', dryRun: true, report: { issues: [], rows: 1, changes: { boundariesReplaced: 1, repaired: 1 } } });
    // Through the two-step upload too: staged as the layer's GeoJSON, named file:layer as in CLI reports.
    const uploaded = await send('/imports/uploads?name=bedono.gpkg&layer=villages', gpkg);
    expect(uploaded.status).toBe(201);
    expect(await uploaded.json()).toMatchObject({ name: 'bedono.gpkg:villages', bytes: gpkg.length });
    // Refused on arrival: an unknown layer (with the layers there are), a .gpkg name on a body that is not one.
    const layer = await send('/imports/uploads?name=bedono.gpkg&layer=desa', gpkg);
    expect(layer.status).toBe(400);
    const layerError = ((await layer.json()) as any).errors[0];
    expect(layerError.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'layer' });
    expect(layerError.message).toContain('villages');
    const notGpkg = await post('/imports/uploads?name=desa.gpkg', 'kode,geometry\n');
    expect(notGpkg.status).toBe(400);
    expect(((await notGpkg.json()) as any).errors[0]).toMatchObject({ extensions: { argument: 'body' }, message: expect.stringContaining('GeoPackage') });
  });

  it('refuses a file over IMPORT_UPLOAD_MAX_BYTES with 413 and the limit, and stages nothing', async () => {
    const [{ n: before }] = (await api.database.db.query<{ n: number }>('SELECT count(*)::int AS n FROM import_uploads')) as [{ n: number }];
    const big = 'x'.repeat(MAX_BYTES + 1);
    const response = await post('/imports/uploads?name=big.csv', big);
    expect(response.status).toBe(413);
    const body = (await response.json()) as any;
    expect(body.errors[0].extensions).toEqual({ code: 'BAD_USER_INPUT', argument: 'body', limitBytes: MAX_BYTES, receivedBytes: MAX_BYTES + 1 });
    expect(body.errors[0].message).toContain(`${MAX_BYTES} bytes`);
    // Streamed without a Content-Length: counted as it arrives.
    const chunked = await fetch(`${origin}/imports/uploads?name=big.csv`, {
      method: 'POST',
      headers: { authorization: `Bearer ${admin}` },
      body: new ReadableStream({
        start(controller) {
          for (let i = 0; i < 3; i++) controller.enqueue(new TextEncoder().encode('y'.repeat(MAX_BYTES / 2)));
          controller.close();
        },
      }),
      duplex: 'half',
    } as RequestInit);
    expect(chunked.status).toBe(413);
    expect(((await chunked.json()) as any).errors[0].extensions).toMatchObject({ argument: 'body', limitBytes: MAX_BYTES });
    const [{ n: after }] = (await api.database.db.query<{ n: number }>('SELECT count(*)::int AS n FROM import_uploads')) as [{ n: number }];
    expect(after).toBe(before);
  });

  it('needs a token and the ADMIN role, and checks its arguments', async () => {
    const anonymous = await fetch(`${origin}/imports/uploads?name=a.csv`, { method: 'POST', body: 'a' });
    expect(anonymous.status).toBe(401);
    const planner = await api.token({ sub: principals.planner.subject, role: 'PLANNER', regions: '*' });
    const refused = await post('/imports/uploads?name=a.csv', 'a', planner);
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as any).errors[0].extensions.code).toBe('FORBIDDEN');
    const noDate = await post('/imports/registry?households=1&members=2', undefined);
    expect(noDate.status).toBe(400);
    expect(((await noDate.json()) as any).errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'asOf' });
    const registryBody = await post('/imports/registry?asOf=2025-06-30', 'registry_id\n');
    expect(registryBody.status).toBe(400);
    expect(((await registryBody.json()) as any).errors[0].extensions).toMatchObject({ argument: 'body' });
    const kind = await post('/imports/people?file=1', undefined);
    expect(((await kind.json()) as any).errors[0].extensions).toMatchObject({ argument: 'kind' });
    const name = await post('/imports/uploads?name=../etc/passwd', 'a');
    expect(((await name.json()) as any).errors[0].extensions).toMatchObject({ argument: 'name' });
    const notUtf8 = await fetch(`${origin}/imports/uploads?name=a.csv`, { method: 'POST', headers: { authorization: `Bearer ${admin}` }, body: new Uint8Array([0xff, 0xfe, 0x00, 0xc3]) });
    expect(notUtf8.status).toBe(400);
    expect(((await notUtf8.json()) as any).errors[0].extensions).toMatchObject({ argument: 'body' });
  });
});
