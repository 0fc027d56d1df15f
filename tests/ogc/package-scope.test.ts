/**
 * The SQL package scope of the GIS paths agrees with the policy's `canReadPackagesOf` for every
 * role (it restates that rule in SQL until policy.ts has a SQL form).
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { policy } from '../../src/auth/policy.js';
import type { Principal } from '../../src/auth/principal.js';
import { principals } from '../support/principals.js';
import { openTestDatabase, type TestDatabase } from '../support/test-database.js';

let database: TestDatabase;
beforeAll(async () => {
  database = await openTestDatabase(inject('template'));
});
afterAll(async () => database?.dispose());

const CODES = ['33.74.02.1008', '33.74.13.1004', '33.7', '33.74', '32.01.01.2001', '33.01.01.2001', '11.01.01.2001', '33_74%02'];

const extra: Record<string, Principal> = {
  plannerDistrict: { ...principals.plannerSemarang, regionCodes: ['33.74.02'] },
  plannerPartialCode: { ...principals.plannerSemarang, regionCodes: ['33.7'] },
  plannerNone: { ...principals.plannerSemarang, regionCodes: [] },
  plannerTwo: { ...principals.plannerSemarang, regionCodes: ['32', '33.74.13'] },
};

describe('packageVillageScope', () => {
  it('matches policy.canReadPackagesOf for every non-PARTNER principal and village code', async () => {
    const all = { ...principals, ...extra };
    for (const [name, principal] of Object.entries(all)) {
      if (principal.role === 'PARTNER') continue;
      for (const code of CODES) {
        const [row] = await database.db.query<{ ok: boolean }>(sql`SELECT ${policy.packageVillageScope(principal, sql`${code}::text`)} AS ok`);
        expect(row!.ok, `${name} ${code}`).toBe(policy.canReadPackagesOf(principal, code));
      }
    }
  });

  it('is the village scope for a PARTNER (as canReadPackagesOf notes)', async () => {
    const partner = { ...principals.partner, villageCodes: ['33.74.13.1004'] };
    for (const code of CODES) {
      const [row] = await database.db.query<{ a: boolean; b: boolean }>(
        sql`SELECT ${policy.packageVillageScope(partner, sql`${code}::text`)} AS a, ${policy.villageScope(partner, sql`${code}::text`)} AS b`,
      );
      expect(row!.a, code).toBe(row!.b);
    }
  });
});
