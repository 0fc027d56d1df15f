/**
 * The app on a loopback port with a bearer token per role, for the OGC API and tile suites; and a
 * package fixture (the packages tables are empty in the template).
 */
import type { AddressInfo } from 'node:net';
import { sql } from 'drizzle-orm';
import type { Claims } from '../../src/auth/principal.js';
import type { Queryable } from '../../src/db/database.js';
import { startTestApi, type TestApi } from '../support/graphql.js';
import { principals, TEST_VILLAGE, type PrincipalName } from '../support/principals.js';

/** Token claims that verify to the principals of tests/support/principals.ts. */
export const CLAIMS: Record<PrincipalName, Claims> = {
  admin: { sub: principals.admin.subject, role: 'ADMIN', org: 'Kemensos' },
  planner: { sub: principals.planner.subject, role: 'PLANNER', org: 'Kemensos', regions: '*' },
  plannerSemarang: { sub: principals.plannerSemarang.subject, role: 'PLANNER', org: 'Dinsos Kota Semarang', regions: ['33.74'] },
  plannerJabar: { sub: principals.plannerJabar.subject, role: 'PLANNER', org: 'Dinsos Jawa Barat', regions: ['32'] },
  pendamping: { sub: principals.pendamping.subject, role: 'PENDAMPING', org: 'PKH Semarang', villages: [TEST_VILLAGE] },
  partner: { sub: principals.partner.subject, role: 'PARTNER', org: 'BAZNAS RI', funder: 'BAZNAS' },
  viewer: { sub: principals.viewer.subject, role: 'VIEWER', org: 'Kemensos' },
};

export interface GisHarness {
  api: TestApi;
  db: TestApi['database']['db'];
  /** http://127.0.0.1:<port> */
  origin: string;
  tokens: Record<PrincipalName, string>;
  /** Every request path the server saw, in order (for asserting what a client sent). */
  requests: string[];
  get(path: string, as?: PrincipalName | null, headers?: Record<string, string>): Promise<Response>;
  json<T = any>(path: string, as?: PrincipalName): Promise<{ status: number; body: T; response: Response }>;
  close(): Promise<void>;
}

export async function startGisHarness(): Promise<GisHarness> {
  const api = await startTestApi();
  const tokens = Object.fromEntries(await Promise.all(Object.entries(CLAIMS).map(async ([name, claims]) => [name, await api.token(claims, '2h')]))) as Record<PrincipalName, string>;
  const requests: string[] = [];
  // originalUrl: express strips the mount path from req.url while a mounted router runs.
  api.app.httpServer.on('request', (req: { url?: string; originalUrl?: string }) => requests.push(req.originalUrl ?? req.url ?? ''));
  await new Promise<void>((resolve) => api.app.httpServer.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(api.app.httpServer.address() as AddressInfo).port}`;
  const get = (path: string, as: PrincipalName | null = 'admin', headers: Record<string, string> = {}) =>
    fetch(`${origin}${path}`, { headers: { ...(as ? { authorization: `Bearer ${tokens[as]}` } : {}), ...headers } });
  return {
    api,
    db: api.database.db,
    origin,
    tokens,
    requests,
    get,
    async json(path, as = 'admin') {
      const response = await get(path, as);
      const text = await response.text();
      let body: any;
      try {
        body = JSON.parse(text);
      } catch {
        throw new Error(`${path}: expected JSON, got ${response.status} ${text.slice(0, 200)}`);
      }
      return { status: response.status, body, response };
    },
    async close() {
      await new Promise((resolve) => api.app.httpServer.close(resolve));
      await api.close();
    },
  };
}

export interface PackageFixture {
  packageId: number;
  cancelledPackageId: number;
  otherVillage: string;
  /** Households with an RLHB item funded by BAZNAS in the active package. */
  baznasHouseholds: number[];
  /** Households with an RST item funded by KEMENSOS only. */
  kemensosHouseholds: number[];
  /** Household whose only BAZNAS item is in a CANCELLED package. */
  cancelledHousehold: number;
  facilityItemIds: number[];
  householdItemIds: number[];
}

/**
 * An APPROVED package (partners see households only from APPROVED on) for Tanjung Mas with 3 BAZNAS house items, 2 KEMENSOS house items, a
 * KEMENSOS elderly post and a BAZNAS village hall inside the village; a CANCELLED package with a
 * BAZNAS item; and a package with a facility in a Jawa Barat village.
 */
export async function insertPackageFixture(db: Queryable): Promise<PackageFixture> {
  // The demo holds the two real pilots (src/seed/pilots); the fixture is meant to be alone.
  await db.query(sql`DELETE FROM packages`);
  const ids = (await db.query<{ id: number }>(sql`SELECT id FROM households WHERE village_code = ${TEST_VILLAGE} ORDER BY id LIMIT 6`)).map((r) => r.id);
  if (ids.length < 6) throw new Error('fixture: Tanjung Mas needs at least 6 households');
  const [baznas1, baznas2, baznas3, kemensos1, kemensos2, cancelled] = ids as [number, number, number, number, number, number];
  const [other] = await db.query<{ code: string }>(sql`SELECT village_code AS code FROM village_geography WHERE village_code LIKE '32.%' ORDER BY village_code LIMIT 1`);
  if (!other) throw new Error('fixture: no bounded village in Jawa Barat');
  const newPackage = async (village: string, name: string, status: string) =>
    (await db.query<{ id: number }>(sql`INSERT INTO packages (village_code, name, status, created_by) VALUES (${village}, ${name}, ${status}::package_status, 'fixture') RETURNING id`))[0]!.id;
  const packageId = await newPackage(TEST_VILLAGE, 'Bedah kampung Tambak Lorok (test)', 'APPROVED');
  const cancelledPackageId = await newPackage(TEST_VILLAGE, 'Cancelled (test)', 'CANCELLED');
  const otherPackageId = await newPackage(other.code, 'Jawa Barat (test)', 'DRAFT');
  const item = async (pkg: number, intervention: string, funder: string, household: number | null, site: 'inside' | null, village = TEST_VILLAGE) =>
    (
      await db.query<{ id: number }>(sql`INSERT INTO package_items (package_id, intervention_code, funder_code, household_id, location, quantity, unit_cost_idr, cost_idr)
        SELECT ${pkg}, iv.code, ${funder}, ${household}::int,
          ${site ? sql`(SELECT ST_PointOnSurface(boundary) FROM village_geography WHERE village_code = ${village})` : sql`NULL::geometry`},
          1, iv.unit_cost_idr, iv.unit_cost_idr
        FROM interventions iv WHERE iv.code = ${intervention} RETURNING id`)
    )[0]!.id;
  const householdItemIds = [
    await item(packageId, 'RLHB', 'BAZNAS', baznas1, null),
    await item(packageId, 'RLHB', 'BAZNAS', baznas2, null),
    await item(packageId, 'RLHB', 'BAZNAS', baznas3, null),
    await item(packageId, 'RST', 'KEMENSOS', kemensos1, null),
    await item(packageId, 'RST', 'KEMENSOS', kemensos2, null),
    await item(cancelledPackageId, 'RLHB', 'BAZNAS', cancelled, null),
  ];
  const facilityItemIds = [
    await item(packageId, 'POS_RAMAH_LANSIA', 'KEMENSOS', null, 'inside'),
    await item(packageId, 'BALAI_WARGA', 'BAZNAS', null, 'inside'),
    await item(otherPackageId, 'MCK_KOMUNAL', 'KEMENSOS', null, 'inside', other.code),
  ];
  return {
    packageId,
    cancelledPackageId,
    otherVillage: other.code,
    baznasHouseholds: [baznas1, baznas2, baznas3],
    kemensosHouseholds: [kemensos1, kemensos2],
    cancelledHousehold: cancelled,
    facilityItemIds,
    householdItemIds,
  };
}

/** Follows `next` links from `path`, returning every page. */
export async function allPages(h: GisHarness, path: string, as: PrincipalName = 'admin', maxPages = 1000): Promise<any[]> {
  const pages: any[] = [];
  let url: string | undefined = `${h.origin}${path}`;
  while (url && pages.length < maxPages) {
    const { status, body }: { status: number; body: any } = await h.json(url.slice(h.origin.length), as);
    if (status !== 200) throw new Error(`${url}: ${status} ${JSON.stringify(body)}`);
    pages.push(body);
    url = body.links.find((l: any) => l.rel === 'next')?.href;
  }
  return pages;
}

export interface ExistingFacilityFixture {
  /** Facility ids in TEST_VILLAGE, by id: MASJID, POSYANDU, MCK, POSYANDU. */
  inTestVillage: number[];
  /** A bounded village with no package at all: outside the test PARTNER's village scope. */
  outsideVillage: string;
  /** The facility in `outsideVillage`. */
  outsideId: number;
}

/**
 * Existing public facilities (not in the demo seed): four in TEST_VILLAGE around its boundary's
 * interior point (0.001° apart), one in a village no package touches (outside PARTNER's scope).
 */
export async function insertExistingFacilities(db: Queryable): Promise<ExistingFacilityFixture> {
  const [other] = await db.query<{ code: string }>(sql`SELECT g.village_code AS code FROM village_geography g
    WHERE g.village_code <> ${TEST_VILLAGE} AND NOT EXISTS (SELECT 1 FROM packages p WHERE p.village_code = g.village_code) ORDER BY g.village_code LIMIT 1`);
  if (!other) throw new Error('fixture: no bounded village without packages');
  const at = (village: string, kind: string, name: string, dLon: number, accessible: boolean, serves: string) =>
    sql`SELECT ${village}::text, ${kind}::text, ${name}::text, ST_Translate(ST_PointOnSurface(boundary), ${dLon}::float8, 0), ${accessible}::boolean, ${serves}::text[], 'test'
      FROM village_geography WHERE village_code = ${village}`;
  const rows = await db.query<{ id: number; village_code: string }>(sql`INSERT INTO existing_facilities (village_code, kind, name, location, accessible, serves, source)
    ${at(TEST_VILLAGE, 'MASJID', 'Masjid Uji', 0, false, '{EVERYONE}')}
    UNION ALL ${at(TEST_VILLAGE, 'POSYANDU', 'Posyandu Uji', 0.001, true, '{CHILD,ELDERLY}')}
    UNION ALL ${at(TEST_VILLAGE, 'MCK', 'MCK Uji', 0.002, false, '{SANITATION}')}
    UNION ALL ${at(TEST_VILLAGE, 'POSYANDU', 'Posyandu Dua', 0.003, true, '{CHILD}')}
    UNION ALL ${at(other.code, 'MCK', 'MCK Luar', 0, false, '{SANITATION}')}
    RETURNING id, village_code`);
  const inTestVillage = rows.filter((r) => r.village_code === TEST_VILLAGE).map((r) => Number(r.id)).sort((a, b) => a - b);
  const outside = rows.find((r) => r.village_code === other.code);
  if (inTestVillage.length !== 4 || !outside) throw new Error('fixture: existing facilities not inserted');
  return { inTestVillage, outsideVillage: other.code, outsideId: Number(outside.id) };
}
