import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { postgis } from '@electric-sql/pglite-postgis';
import type { SQL } from 'drizzle-orm';
import type { Polygon } from 'geojson';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Queryable, Row } from '../../src/db/database.js';
import { AppError } from '../../src/errors/errors.js';
import { assertValidInDatabase } from '../../src/geo/geojson-input.js';

let dataDir: string;
let client: PGlite;
let statements = 0;
const db: Pick<Queryable, 'query'> = {
  async query<T extends Row>(statement: SQL | string, params?: unknown[]) {
    if (typeof statement !== 'string') throw new Error('this test wrapper runs string SQL only');
    statements += 1;
    return (await client.query<T>(statement, params)).rows;
  },
};

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'kt-geo-'));
  client = new PGlite(dataDir, { extensions: { postgis } });
  await client.exec('CREATE EXTENSION IF NOT EXISTS postgis');
}, 180_000);

afterAll(async () => {
  await client?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('assertValidInDatabase', () => {
  it('accepts a valid polygon with one statement', async () => {
    const before = statements;
    const valid: Polygon = {
      type: 'Polygon',
      coordinates: [[[110.4, -6.96], [110.44, -6.96], [110.44, -6.94], [110.4, -6.94], [110.4, -6.96]]],
    };
    await expect(assertValidInDatabase(db, valid, 'within')).resolves.toBeUndefined();
    expect(statements - before).toBe(1);
  });

  it('rejects a bow-tie polygon with "Self-intersection" and the [lon, lat] where it crosses', async () => {
    const bowTie: Polygon = {
      type: 'Polygon',
      coordinates: [[[110.4, -6.96], [110.44, -6.94], [110.44, -6.96], [110.4, -6.94], [110.4, -6.96]]],
    };
    const error = await assertValidInDatabase(db, bowTie, 'within').then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(AppError);
    const appError = error as AppError;
    expect(appError.extensions).toMatchObject({
      code: 'INVALID_GEOMETRY',
      argument: 'within',
      reason: 'Self-intersection',
    });
    const [lon, lat] = appError.extensions.locationWgs84 as number[];
    expect(lon).toBeCloseTo(110.42, 9);
    expect(lat).toBeCloseTo(-6.95, 9);
    expect(appError.message).toMatch(/^within: is not a valid geometry: Self-intersection at \[110\.42,-6\.95\]/);
    expect(appError.message).toMatch(/a ring crosses itself .*; redraw it or repair it with ST_MakeValid\.$/);
  });

  it('reports a hole outside its shell', async () => {
    const holeOutside: Polygon = {
      type: 'Polygon',
      coordinates: [
        [[110.4, -6.96], [110.41, -6.96], [110.41, -6.95], [110.4, -6.95], [110.4, -6.96]],
        [[110.5, -6.96], [110.51, -6.96], [110.51, -6.95], [110.5, -6.95], [110.5, -6.96]],
      ],
    };
    await expect(assertValidInDatabase(db, holeOutside, 'within')).rejects.toThrow(/Hole lies outside shell/);
  });
});
