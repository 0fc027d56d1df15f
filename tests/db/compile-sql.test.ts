/**
 * The request path's SQL compiler (src/db/compile-sql.ts) gives exactly drizzle's text and
 * parameters: for each kind of chunk, for what it hands to drizzle, and for real statements of
 * the villages page, the tiles and the audit log as several roles build them. No database: the
 * statements are recorded, not run.
 */
import { type SQL, sql } from 'drizzle-orm';
import { pgTable, integer } from 'drizzle-orm/pg-core';
import { describe, expect, it } from 'vitest';
import { writeAudit } from '../../src/audit/audit.js';
import type { Principal } from '../../src/auth/principal.js';
import { compileSql, drizzleCompile } from '../../src/db/compile-sql.js';
import type { Queryable } from '../../src/db/database.js';
import { parseTile } from '../../src/features/tiles/tiles.layers.js';
import { householdGridLayer, householdRecordsLayer, renderNative, renderPortable, villagesLayer } from '../../src/features/tiles/tiles.queries.js';
import { normaliseWeights, toCriteria } from '../../src/features/villages/village.service.js';
import { villagePageJson } from '../../src/features/villages/village.queries.js';
import { principals } from '../support/principals.js';

const same = (statement: SQL) => expect(compileSql(statement)).toEqual(drizzleCompile(statement));

/** Records every statement a query function sends, answering each with `rows`. */
function recorder(rows: Record<string, unknown>[] = []) {
  const statements: SQL[] = [];
  const db = {
    query: async (statement: SQL | string) => {
      if (typeof statement !== 'string') statements.push(statement);
      return rows;
    },
    copy: async () => undefined,
  } as unknown as Queryable;
  return { db, statements };
}

describe('compileSql', () => {
  it('gives drizzle’s text and parameters for every chunk it compiles itself', () => {
    const inner = sql`lower(${'Tanjung Mas'})`;
    same(sql`SELECT 1`);
    same(sql``);
    same(sql`SELECT ${1}, ${0}, ${-2.5}, ${'text'}, ${''}, ${null}, ${true}, ${false}, ${10n}`);
    same(sql`SELECT ${inner} = ${inner}, ${sql`${sql`${'deep'}`}`}`);
    same(sql`WHERE id IN ${[1, 2, 3]} AND code IN ${['a', sql`upper(${'b'})`]} AND x IN ${[]}`);
    // eslint-disable-next-line no-sparse-arrays -- drizzle writes the holes of a sparse array too
    same(sql`WHERE id IN ${[1, , 3]} OR id IN ${new Array(2)}`);
    same(sql`SELECT * FROM unnest(${sql.param([1, 2, 3])}::int[]), ${sql.param(null)}, ${sql.param({ a: 1 })}::jsonb`);
    same(sql`SELECT ${sql.identifier('a"b')} FROM ${sql.identifier('households')}`);
    same(sql`SELECT ${sql.raw('now()')}, ${sql.join([sql`a`, sql`${1}`, sql`${2}`], sql`, `)}, ${sql.join([sql`x`, sql`y`])}`);
    same(sql`SELECT ${{ json: [1, 'two'] }}::jsonb, ${new Date(0)}, ${Buffer.from('ab')}, ${undefined}`);
    same(sql.empty().append(sql`SELECT ${1}`).append(sql` WHERE ${'x'} = ${'y'}`));
  });

  it('hands what it does not compile to drizzle, with the same result', () => {
    const table = pgTable('t', { id: integer('id') });
    same(sql`SELECT ${table.id} FROM ${table} WHERE ${table.id} = ${5}`);
    same(sql`SELECT ${sql.placeholder('p')}`);
    same(sql`SELECT ${5}, ${"it's"}`.inlineParams());
    same(sql`SELECT ${sql`${5}`.inlineParams()}, ${6}`);
    same(sql`SELECT ${sql.param(7, { mapToDriverValue: (v: unknown) => Number(v) * 2 })}`);
    same(sql`SELECT ${sql`1`.as('one')}`);
  });

  it('compiles the real statements of the villages page, the tiles and the audit log as drizzle does, for every role', async () => {
    const tile = parseTile('14', '13057', '8170');
    for (const principal of Object.values(principals) as Principal[]) {
      const { db, statements } = recorder([{ nodes: '[]', rows: 0, last_code: null, total: 0 }]);
      const criteria = await toCriteria(db, principal, { regencyCode: '33.74' } as never, 5);
      const f = (name: string, children?: unknown[]) => ({ key: name, field: name, ...(children ? { children } : {}) });
      const keys = [f('code'), f('name'), f('priority', [f('score'), f('components', [f('name'), f('points')])]), f('needStatistics', [f('households'), f('fisherShare')])];
      for (const order of ['PRIORITY', 'NAME', 'CODE'] as const) {
        await villagePageJson(db, { criteria, order, weights: normaliseWeights(null), after: null, limit: 50 } as never, principal, keys as never, true, normaliseWeights(null));
      }
      const empty = recorder([]);
      const layers = [villagesLayer(principal, tile, 5), householdGridLayer(principal, tile, 5)];
      if (principal.role !== 'VIEWER' && principal.role !== 'PARTNER') layers.push(householdRecordsLayer(principal, tile));
      for (const layer of layers) {
        await renderNative(empty.db, tile, layer);
        await renderPortable(empty.db, tile, layer);
      }
      await writeAudit(empty.db, principal, { action: 'READ_PERSONAL_DATA', entity: 'household', householdIds: [3, 1, 2], after: { paths: ['households'], count: 3 }, requestId: 'r-1' });
      expect(statements.length).toBe(3);
      expect(empty.statements.length).toBeGreaterThanOrEqual(5);
      for (const statement of [...statements, ...empty.statements]) same(statement);
    }
  });
});
