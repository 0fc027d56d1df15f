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
});
