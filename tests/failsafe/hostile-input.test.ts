/**
 * Generated hostile input over every argument of every query and mutation (read from the schema
 * by introspection) and every OGC API and tile parameter (read from the OpenAPI document and the
 * tile routes), through HTTP, on both databases. fast-check generates the values with a fixed
 * seed and a bounded number of runs, so a run is reproducible and its cost bounded.
 *
 * For each request: no HTTP 5xx, no INTERNAL_SERVER_ERROR, and when a mutation fails, no row
 * count and no audit record changed. (A failing addPackageItem may still write a
 * READ_PERSONAL_DATA audit record: its explanation quoted household data, and that read is
 * audited on purpose, so those records are not counted as writes.)
 */
import { sql } from 'drizzle-orm';
import fc from 'fast-check';
import {
  getNamedType,
  getNullableType,
  GraphQLEnumType,
  GraphQLInputObjectType,
  GraphQLList,
  GraphQLNonNull,
  GraphQLScalarType,
  isLeafType,
  type GraphQLField,
  type GraphQLInputType,
} from 'graphql';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.js';
import { createSchema } from '../../src/graphql/schema.js';
import { createLogger } from '../../src/logging/logger.js';
import { createApp, type App } from '../../src/server/app.js';
import { startTestApi, type TestApi } from '../support/graphql.js';
import { principals, TEST_VILLAGE } from '../support/principals.js';

const SEED = 20261129;
/** Values per argument, and per field of an input-object argument (bounded: the suite runs twice in CI). */
const RUNS_PER_ARGUMENT = 6;
const RUNS_PER_INPUT_FIELD = 1;
/** Values per OGC API or tile parameter. */
const RUNS_PER_PARAMETER = 8;

let api: TestApi;
let app: App;
let base: string;
let token: string;
let packageId = '1';
let householdId = '1';
beforeAll(async () => {
  api = await startTestApi();
  // The same pipeline with the rate limit out of the way: a 429 would hide what the input does.
  const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', RATE_LIMIT_PER_MINUTE: '100000000' });
  app = await createApp(config, api.database.db, createLogger(config));
  await new Promise<void>((resolve) => app.httpServer.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(app.httpServer.address() as AddressInfo).port}`;
  // ADMIN: every mutation is allowed, so the hostile value reaches the deepest validation.
  token = await api.token({ sub: 'hostile-admin@test', role: 'ADMIN', regions: '*' });
  const [h] = await api.database.db.query<{ id: number }>(sql`SELECT id FROM households WHERE village_code = ${TEST_VILLAGE} ORDER BY id LIMIT 1`);
  householdId = String(h!.id);
  const r = await api.query(`mutation { createPackage(villageCode: "${TEST_VILLAGE}", name: "hostile target", budgets: [{ funderCode: "KEMENSOS", budgetIdr: 1000000000 }]) { id } }`, {}, principals.planner);
  packageId = r.data!.createPackage.id;
});
afterAll(async () => {
  await new Promise((resolve) => app.httpServer.close(resolve));
  await app?.stop();
  await api?.close();
});

/**
 * A value sent as this JSON text. JSON.stringify recurses, so values thousands of levels deep
 * (which the server must refuse) are written as text rather than built as objects.
 */
class RawJson {
  constructor(readonly json: string) {}
  toJSON() {
    return `(raw JSON, ${this.json.length} characters)`;
  }
}
const deepText = (levels: number, inner: string, open: string, close: string) => new RawJson(open.repeat(levels) + inner + close.repeat(levels));

const deep = (levels: number): unknown => {
  let v: unknown = [1, 2];
  for (let i = 0; i < levels; i++) v = [v];
  return v;
};
const deepRule = (levels: number): unknown => {
  let v: unknown = { fact: 'desil', op: 'lte', value: 2 };
  for (let i = 0; i < levels; i++) v = { all: [v] };
  return v;
};

/** Values that broke the server before (issue #11) or commonly break servers, for any argument. */
const KNOWN_HOSTILE: unknown[] = [
  null,
  '',
  ' 7',
  '+7',
  '007',
  '1e3',
  '0x10',
  '2147483648',
  '9223372036854775808',
  '-1',
  'a\u0000b',
  '\uD800',
  'x\uDC00y',
  "'; DROP TABLE households; --",
  'x'.repeat(20_000),
  '0000-01-01',
  '9999-12-31',
  '2025-02-30',
  2 ** 53,
  2 ** 31,
  -(2 ** 31) - 1,
  1.5,
  1e308,
  1e-320,
  -0,
  true,
  [],
  {},
  deepText(5000, '[1,2]', '[', ']'),
  deepText(2000, '{"fact":"desil","op":"lte","value":2}', '{"all":[', ']}'),
  new RawJson(`{"type":"Point","coordinates":${'['.repeat(5000)}1${']'.repeat(5000)}}`),
  deepRule(20),
  { type: 'Point', coordinates: deep(200) },
  { type: 'Polygon', coordinates: [[[200, 100], [0, 0], [1, 1], [200, 100]]] },
  { fact: 'desil', op: 'eq', value: 'two' },
  { __proto__: { polluted: true }, constructor: { prototype: { x: 1 } } },
];

const hostileArbitrary = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme-composite', maxLength: 20 }),
  fc.integer({ min: -(2 ** 40), max: 2 ** 40 }),
  fc.double({ noNaN: true }),
  fc.jsonValue({ maxDepth: 4 }),
  fc.array(fc.oneof(fc.double({ noNaN: true }), fc.string({ maxLength: 5 })), { maxLength: 5 }),
);
/** Every known hostile value and generated ones, drawn with a fixed seed. */
const generated = fc.sample(fc.oneof(fc.constantFrom(...KNOWN_HOSTILE), hostileArbitrary), { seed: SEED, numRuns: 4000 });

/** A plausible value of `type`, so that one hostile argument is judged with the others valid. */
function baseline(type: GraphQLInputType, name: string): unknown {
  const nullable = getNullableType(type);
  if (nullable instanceof GraphQLList) return [baseline(nullable.ofType, name)];
  if (nullable instanceof GraphQLEnumType) return nullable.getValues()[0]!.value;
  if (nullable instanceof GraphQLInputObjectType) {
    const fields = Object.values(nullable.getFields()).filter((f) => f.type instanceof GraphQLNonNull && f.defaultValue === undefined);
    return Object.fromEntries(fields.map((f) => [f.name, baseline(f.type, f.name)]));
  }
  const scalar = (nullable as GraphQLScalarType).name;
  if (/village/i.test(name) || name === 'code') return TEST_VILLAGE;
  if (name === 'packageId') return packageId;
  if (/household/i.test(name)) return householdId;
  if (name === 'interventionCode') return 'RST';
  if (name === 'funderCode') return 'KEMENSOS';
  if (scalar === 'ID') return '1';
  if (scalar === 'Int' || scalar === 'SafeInt') return 1;
  if (scalar === 'Float') return 1;
  if (scalar === 'Boolean') return true;
  if (scalar === 'JSON' || scalar === 'GeoJSON') return { type: 'Point', coordinates: [110.4, -6.95] };
  return 'x';
}

function typeString(type: GraphQLInputType): string {
  return String(type);
}

interface Case {
  operation: 'query' | 'mutation';
  field: string;
  argument: string;
  value: unknown;
}

function casesOf(operation: 'query' | 'mutation', fields: GraphQLField<unknown, unknown>[]): { cases: Case[]; documents: Map<string, string>; variables: Map<string, Record<string, unknown>> } {
  const cases: Case[] = [];
  const documents = new Map<string, string>();
  const variables = new Map<string, Record<string, unknown>>();
  let g = 0;
  for (const field of fields) {
    if (!field.args.length) continue;
    const selection = isLeafType(getNamedType(field.type)) ? '' : ' { __typename }';
    documents.set(field.name, `${operation}(${field.args.map((a) => `$${a.name}: ${typeString(a.type)}`).join(', ')}) { ${field.name}(${field.args.map((a) => `${a.name}: $${a.name}`).join(', ')})${selection} }`);
    variables.set(field.name, Object.fromEntries(field.args.map((a) => [a.name, baseline(a.type, a.name)])));
    for (const arg of field.args) {
      const values: unknown[] = [];
      for (let i = 0; i < RUNS_PER_ARGUMENT; i++) values.push(generated[g++ % generated.length]);
      // Input objects: also a hostile value in each of their fields (one level down).
      const named = getNullableType(arg.type);
      const object = named instanceof GraphQLList ? getNullableType(named.ofType) : named;
      if (object instanceof GraphQLInputObjectType) {
        const valid = baseline(object, arg.name) as Record<string, unknown>;
        for (const f of Object.values(object.getFields())) {
          for (let i = 0; i < RUNS_PER_INPUT_FIELD; i++) {
            const bad = generated[g++ % generated.length];
            const v = { ...valid, [f.name]: bad };
            values.push(named instanceof GraphQLList ? [v] : v);
          }
        }
      }
      for (const value of values) cases.push({ operation, field: field.name, argument: arg.name, value });
    }
  }
  return { cases, documents, variables };
}

const countsSql = sql`SELECT (SELECT count(*)::int FROM packages) AS packages, (SELECT count(*)::int FROM package_items) AS items,
  (SELECT count(*)::int FROM package_budgets) AS budgets, (SELECT count(*)::int FROM interventions) AS interventions,
  (SELECT coalesce(sum(version), 0)::int FROM interventions) AS intervention_versions, (SELECT coalesce(sum(version), 0)::int FROM packages) AS package_versions,
  (SELECT count(*)::int FROM assessments) AS assessments, (SELECT count(*)::int FROM households) AS households,
  (SELECT count(*)::int FROM audit_log WHERE action <> 'READ_PERSONAL_DATA') AS audit`;

async function post(body: unknown): Promise<{ status: number; json: any }> {
  const raw: string[] = [];
  const text0 = JSON.stringify(body, (_key, value: unknown) => (value instanceof RawJson ? `__RAW_${raw.push(value.json) - 1}__` : value));
  const payload = text0.replace(/"__RAW_(\d+)__"/g, (_m, i: string) => raw[Number(i)]!);
  const response = await fetch(`${base}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: payload });
  const text = await response.text();
  let json: any = null;
  try {
    json = JSON.parse(text);
  } catch {
    json = { unparsable: text.slice(0, 200) };
  }
  return { status: response.status, json };
}

describe('hostile input', () => {
  it('over every argument of every query and mutation: 0 HTTP 5xx, 0 INTERNAL_SERVER_ERROR, 0 writes by failed requests', async () => {
    const schema = await createSchema();
    const queries = casesOf('query', Object.values(schema.getQueryType()!.getFields()));
    const mutations = casesOf('mutation', Object.values(schema.getMutationType()!.getFields()));
    let requests = 0;
    let failedMutations = 0;
    let refused4xx = 0;
    let rateLimited = 0;
    const serverErrors: string[] = [];
    const internal: string[] = [];
    const writes: string[] = [];
    for (const set of [queries, mutations]) {
      for (const c of set.cases) {
        const variables = { ...set.variables.get(c.field), [c.argument]: c.value };
        const before = c.operation === 'mutation' ? JSON.stringify(await api.database.db.query(countsSql)) : '';
        const { status, json } = await post({ query: set.documents.get(c.field), variables });
        requests++;
        const label = `${c.field}(${c.argument}: ${JSON.stringify(c.value)?.slice(0, 60)}) → ${status}`;
        if (status >= 500) serverErrors.push(`${label} ${JSON.stringify(json).slice(0, 200)}`);
        if (status >= 400 && status < 500) refused4xx++;
        if (status === 429) rateLimited++;
        if ((json?.errors ?? []).some((e: any) => e.extensions?.code === 'INTERNAL_SERVER_ERROR')) internal.push(label);
        if (c.operation === 'mutation' && json?.errors?.length) {
          failedMutations++;
          const after = JSON.stringify(await api.database.db.query(countsSql));
          if (after !== before) writes.push(`${label}: ${before} → ${after}`);
        }
      }
    }
    const alive = await post({ query: '{ __typename }' });
    console.info(`[hostile] GraphQL: ${requests} requests (${queries.cases.length} on queries, ${mutations.cases.length} on mutations), ${refused4xx} refused with 4xx, ${serverErrors.length} HTTP 5xx, ${internal.length} INTERNAL_SERVER_ERROR, ${failedMutations} failed mutations, ${writes.length} of them wrote`);
    expect(serverErrors).toEqual([]);
    expect(internal).toEqual([]);
    expect(writes).toEqual([]);
    expect(rateLimited).toBe(0);
    expect(alive.status).toBe(200);
  });

  it('over every OGC API parameter and tile parameter: 0 HTTP 5xx, errors in the JSON exception shape', async () => {
    const auth = { authorization: `Bearer ${token}` };
    const api_ = (await (await fetch(`${base}/ogc/api`, { headers: auth })).json()) as { paths: Record<string, { get?: { parameters?: { name?: string; in?: string; $ref?: string }[] } }>; components?: { parameters?: Record<string, { name: string; in: string }> } };
    const collections = ((await (await fetch(`${base}/ogc/collections`, { headers: auth })).json()) as { collections: { id: string }[] }).collections.map((c) => c.id);
    const enc = (h: string) => {
      try {
        return encodeURIComponent(h);
      } catch {
        return '%ED%A0%80'; // a lone surrogate, as the UTF-8 bytes a client could still send
      }
    };
    const hostileText = [...KNOWN_HOSTILE.filter((v): v is string | number => typeof v === 'string' || typeof v === 'number').map(String), ...fc.sample(fc.string({ unit: 'binary', maxLength: 30 }), { seed: SEED, numRuns: 6 }), '1,2,3', '-181,-91,181,91', '10,10,0,0', 'NaN,0,1,1', '2025-02-30T00:00:00Z/..', '../..', 'eyJ4IjoxfQ', Buffer.from(JSON.stringify(['a', 2 ** 40, 0, 'x'])).toString('base64url'), Buffer.from(JSON.stringify(['a', 1.5, 0, 'x'])).toString('base64url')];
    const urls: string[] = [];
    let k = 0;
    const some = () => Array.from({ length: RUNS_PER_PARAMETER }, () => hostileText[k++ % hostileText.length]!);
    const resolveParam = (p: { name?: string; in?: string; $ref?: string }) => (p.$ref ? api_.components?.parameters?.[p.$ref.split('/').pop()!] : p) as { name: string; in: string } | undefined;
    for (const [path, item] of Object.entries(api_.paths)) {
      const params = (item.get?.parameters ?? []).map(resolveParam).filter((p): p is { name: string; in: string } => Boolean(p));
      const concrete = path.includes('{collectionId}') ? collections.map((c) => path.replace('{collectionId}', c)) : [path];
      for (const p of concrete) {
        const withFeature = p.includes('{featureId}') ? [...hostileText.slice(0, 14).map((h) => p.replace('{featureId}', enc(h)))] : [p];
        for (const target of withFeature) {
          urls.push(`/ogc${target}`);
          for (const param of params.filter((x) => x.in === 'query')) for (const h of some()) urls.push(`/ogc${target}?${param.name}=${enc(h)}`);
        }
      }
    }
    const layers = ['villages', 'households', 'package-items'];
    for (const h of some()) {
      const e = enc(h);
      urls.push(`/tiles/${e}.json`, `/tiles/${e}/1/1/1.mvt`);
      for (const layer of layers) urls.push(`/tiles/${layer}/${e}/0/0.mvt`, `/tiles/${layer}/10/${e}/0.mvt`, `/tiles/${layer}/10/0/${e}.mvt`, `/tiles/${layer}/10/800/520.mvt?package_id=${e}`);
    }
    urls.push('/nope', '/ogc/nope', '/tiles/nope');
    const serverErrors: string[] = [];
    const notJson: string[] = [];
    for (const url of urls) {
      const response = await fetch(`${base}${url}`, { headers: auth });
      const body = await response.arrayBuffer();
      if (response.status >= 500) serverErrors.push(`${url.slice(0, 120)} → ${response.status}`);
      // 431: Node's HTTP parser refuses a request line over 16 KB before any application code runs.
      if (response.status >= 400 && response.status !== 431 && !/json/.test(response.headers.get('content-type') ?? '')) notJson.push(`${url.slice(0, 120)} → ${response.status} ${response.headers.get('content-type')}`);
      expect(body).toBeDefined();
    }
    console.info(`[hostile] OGC API and tiles: ${urls.length} requests, ${serverErrors.length} HTTP 5xx, ${notJson.length} errors not in JSON`);
    expect(serverErrors).toEqual([]);
    expect(notJson).toEqual([]);
  });
});
