import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../support/graphql.js';

let api: TestApi;
let url: string;
let planner: string;
beforeAll(async () => {
  api = await startTestApi();
  planner = await api.token({ sub: 'planner@test', role: 'PLANNER', regions: '*' });
  await new Promise<void>((resolve) => api.app.httpServer.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(api.app.httpServer.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => api.app.httpServer.close(resolve));
  await api?.close();
});

const post = (body: string, token: string | null = planner) =>
  fetch(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }, body });

describe('HTTP edge', () => {
  it('answers a query over HTTP', async () => {
    const response = await post(JSON.stringify({ query: '{ village(code: "33.74.02.1008") { name } }' }));
    expect(await response.json()).toEqual({ data: { village: { name: 'Tanjung Mas' } } });
  });

  it('answers malformed JSON with a coded JSON error and no stack trace', async () => {
    const response = await post('not json');
    expect(response.status).toBe(400);
    const text = await response.text();
    expect(text).not.toMatch(/at JSON\.parse|node_modules|<html/i);
    expect(JSON.parse(text).errors[0].extensions.code).toBe('BAD_REQUEST');
  });

  it('refuses an oversized body with 413', async () => {
    const response = await post(JSON.stringify({ query: `{ __typename }`, variables: { pad: 'x'.repeat(2 * 1024 * 1024) } }));
    expect(response.status).toBe(413);
    expect(((await response.json()) as any).errors[0].message).toMatch(/larger than/);
  });
});

describe('GeoJSON over HTTP', () => {
  it('splices PostGIS GeoJSON text into the response as valid JSON, identical to the parsed form', async () => {
    const query = '{ householdsFeatureCollection(villageCode: "33.74.02.1008", first: 20) households(villageCode: "33.74.02.1008", first: 3) { nodes { id location } } }';
    const response = await post(JSON.stringify({ query }));
    const text = await response.text();
    expect(text).not.toMatch(/raw-json/);
    const body = JSON.parse(text);
    expect(body.data.householdsFeatureCollection.type).toBe('FeatureCollection');
    expect(body.data.householdsFeatureCollection.features).toHaveLength(20);
    expect(body.data.households.nodes[0].location.type).toBe('Point');
    const inProcess = await api.query(query, {}, undefined);
    expect(body.data).toEqual(inProcess.data);
  });

  it('writes a FeatureCollection of several pieces with its exact Content-Length, the same as in process', async () => {
    // More than FEATURES_PER_PIECE (200) features: several rows from PostgreSQL, written one by one.
    const query = '{ a: householdsFeatureCollection(bboxWgs84: [94, -11, 141, 6], first: 450) b: householdsFeatureCollection(bboxWgs84: [94, -11, 141, 6], first: 3) }';
    const response = await post(JSON.stringify({ query }));
    expect(response.status).toBe(200);
    const bytes = Buffer.from(await response.arrayBuffer());
    expect(Number(response.headers.get('content-length'))).toBe(bytes.length);
    const text = bytes.toString('utf8');
    expect(text).not.toMatch(/raw-json/);
    const body = JSON.parse(text);
    expect(body.data.a.features).toHaveLength(450);
    expect(body.data.b.features).toHaveLength(3);
    expect(body.data.a.features.map((f: { id: number }) => f.id)).toEqual([...body.data.a.features.map((f: { id: number }) => f.id)].sort((x, y) => x - y));
    const inProcess = await api.query(query, {}, undefined);
    expect(body.data).toEqual(inProcess.data);
  });

  it('answers a FeatureCollection an error nulled with the error and no placeholder', async () => {
    const response = await post(JSON.stringify({ query: '{ householdsFeatureCollection(bboxWgs84: [94, -11, 141], first: 5) }' }));
    const text = await response.text();
    expect(text).not.toMatch(/raw-json/);
    expect(JSON.parse(text).errors[0].message).toMatch(/bboxWgs84/);
  });
});
