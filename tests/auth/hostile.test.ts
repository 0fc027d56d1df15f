/**
 * Hostile queries are refused cleanly: deep nesting, alias floods, huge pages, costly nesting,
 * token floods, batching, oversized bodies and injection strings in every string argument — with
 * the server still up and no data changed.
 */
import { sql } from 'drizzle-orm';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.js';
import { createLogger } from '../../src/logging/logger.js';
import { createApp } from '../../src/server/app.js';
import { startTestApi, type TestApi } from '../support/graphql.js';
import { principals, TEST_VILLAGE } from '../support/principals.js';

let api: TestApi;
let url: string;
let token: string;
beforeAll(async () => {
  api = await startTestApi();
  await new Promise<void>((resolve) => api.app.httpServer.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(api.app.httpServer.address() as AddressInfo).port}/graphql`;
  token = await api.token({ sub: 'hostile@test', role: 'PLANNER', regions: '*' });
});
afterAll(async () => {
  await new Promise((resolve) => api.app.httpServer.close(resolve));
  await api?.close();
});

const post = async (body: unknown) => {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify(body) });
  return { status: response.status, body: (await response.json()) as any };
};

const counts = () =>
  api.database.db.query<Record<string, number>>(sql`SELECT (SELECT count(*)::int FROM households) AS households, (SELECT count(*)::int FROM household_identities) AS identities,
    (SELECT count(*)::int FROM packages) AS packages, (SELECT count(*)::int FROM interventions) AS interventions, (SELECT count(*)::int FROM regions) AS regions`);

describe('hostile queries', () => {
  let before: Record<string, number>[];
  beforeAll(async () => {
    before = await counts();
  });

  it('refuses deep nesting, while ordinary nested queries pass', async () => {
    const ordinary = `{ households(villageCode: "${TEST_VILLAGE}", first: 1) { nodes { village { district { code } regency { code } } members { pasTags { pas } } } } }`;
    expect((await post({ query: ordinary })).body.errors).toBeUndefined();
    // The schema has no cycles deeper than the default limit (12), so prove the rule on an app
    // configured with a depth limit of 4.
    const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', GRAPHQL_MAX_DEPTH: '4' });
    const shallow = await createApp(config, api.database.db, createLogger(config));
    await new Promise<void>((resolve) => shallow.httpServer.listen(0, '127.0.0.1', resolve));
    try {
      const response = await fetch(`http://127.0.0.1:${(shallow.httpServer.address() as AddressInfo).port}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ query: ordinary }),
      });
      expect(response.status).toBe(400);
      expect(JSON.stringify(await response.json())).toMatch(/depth/i);
    } finally {
      await new Promise((resolve) => shallow.httpServer.close(resolve));
      await shallow.stop();
    }
  });

  it('refuses alias floods', async () => {
    const aliases = Array.from({ length: 50 }, (_, i) => `v${i}: village(code: "${TEST_VILLAGE}") { name }`).join(' ');
    const r = await post({ query: `{ ${aliases} }` });
    expect(r.status).toBe(400);
    expect(JSON.stringify(r.body.errors)).toMatch(/aliases/i);
  });

  it('refuses huge pages and costly nested lists, naming the argument or the cost', async () => {
    const huge = await post({ query: `{ households(villageCode: "${TEST_VILLAGE}", first: 100000) { nodes { id } } }` });
    expect(JSON.stringify(huge.body.errors)).toMatch(/first|cost/);
    const costly = await post({ query: `{ households(first: 1000) { nodes { members { id age pasTags { pas memberId source } } pasTags { pas } } } }` });
    expect(costly.body.errors?.[0]?.message ?? '').toMatch(/cost|exceeds/i);
  });

  it('prices the same document again for other variables and another operation (costs are kept per document, operation and variables)', async () => {
    const query = `query Small($first: Int!) { households(first: $first) { nodes { members { id age pasTags { pas memberId source } } pasTags { pas } } } }
      query Large { households(first: 1000) { nodes { members { id age pasTags { pas memberId source } } pasTags { pas } } } }`;
    const small = () => post({ query, operationName: 'Small', variables: { first: 1 } });
    expect((await small()).body.errors).toBeUndefined();
    // The same text (one parsed document in Apollo's store) with a page that costs too much.
    const costlyVariables = await post({ query, operationName: 'Small', variables: { first: 1000 } });
    expect(costlyVariables.body.errors?.[0]?.message ?? '').toMatch(/Query cost \d+ exceeds/);
    const costlyOperation = await post({ query, operationName: 'Large' });
    expect(costlyOperation.body.errors?.[0]?.message ?? '').toMatch(/Query cost \d+ exceeds/);
    // And the cheap one is still cheap after them.
    expect((await small()).body.errors).toBeUndefined();
  });

  it('refuses token floods and batched requests', async () => {
    const flood = await post({ query: `{ ${'__typename '.repeat(6000)} }` });
    expect(flood.status).toBe(400);
    expect(JSON.stringify(flood.body)).toMatch(/token/i);
    const batch = await post([{ query: '{ __typename }' }, { query: '{ __typename }' }]);
    expect(batch.status).toBe(400);
  });

  it('treats injection strings in every string argument as data', async () => {
    const evil = `'); DROP TABLE households; --`;
    const evilJson = JSON.stringify(evil);
    const queries = [
      `{ village(code: ${evilJson}) { name } }`,
      `{ region(code: ${evilJson}) { name } }`,
      `{ regions(search: ${evilJson}) { code } }`,
      `{ villages(filter: { search: ${evilJson}, regencyCode: ${evilJson} }) { totalCount } }`,
      `{ villages(filter: { search: ${evilJson} }) { totalCount } }`,
      `{ households(villageCode: ${evilJson}) { totalCount } }`,
      `{ households(after: ${evilJson}) { totalCount } }`,
      `{ household(id: ${evilJson}) { id } }`,
      `{ householdByIdentifier(nik: ${evilJson}) { id } }`,
      `{ interventions(funderCode: ${evilJson}) { code } }`,
      `{ packages(villageCode: ${evilJson}) { nodes { id } } }`,
      `{ eligibility(householdId: ${evilJson}) { eligible } }`,
      `mutation { createPackage(villageCode: ${evilJson}, name: ${evilJson}, budgets: []) { id } }`,
      `mutation { createPackage(villageCode: "${TEST_VILLAGE}", name: "ok", budgets: [{ funderCode: ${evilJson}, budgetIdr: 1 }]) { id } }`,
    ];
    for (const query of queries) {
      const r = await post({ query });
      expect(r.status, query).toBeLessThan(500);
      const errors = JSON.stringify(r.body.errors ?? []);
      expect(errors, query).not.toMatch(/syntax error|relation "|column "|INTERNAL_SERVER_ERROR|at .*\.ts:/);
      if (r.body.errors) expect(r.body.errors[0].extensions.code, query).toMatch(/BAD_USER_INPUT|NOT_FOUND|FORBIDDEN|GRAPHQL_VALIDATION_FAILED/);
    }
    const regions = await post({ query: `{ regions(search: ${evilJson}) { code } }` });
    expect(regions.body.data.regions).toEqual([]);
  });

  it('stays up and changed nothing', async () => {
    const r = await post({ query: `{ village(code: "${TEST_VILLAGE}") { name } }` });
    expect(r.body.data.village.name).toBe('Tanjung Mas');
    expect(await counts()).toEqual(before);
    void principals;
  });
});
