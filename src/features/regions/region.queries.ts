/** All SQL of the regions feature. */
import { sql } from 'drizzle-orm';
import type { Queryable } from '../../db/database.js';
import type { RegionLevel, RegionRow } from './region.type.js';

const COLUMNS = sql.raw('code, level, kind, name, parent_code');

export function regionsByCodes(db: Queryable, codes: readonly string[]): Promise<RegionRow[]> {
  return db.query<RegionRow & Record<string, unknown>>(sql`SELECT ${COLUMNS} FROM regions WHERE code = ANY(${sql.param(codes as string[])}::text[])`);
}

export function childrenOf(db: Queryable, parentCodes: readonly string[]): Promise<RegionRow[]> {
  return db.query<RegionRow & Record<string, unknown>>(
    sql`SELECT ${COLUMNS} FROM regions WHERE parent_code = ANY(${sql.param(parentCodes as string[])}::text[]) ORDER BY code`,
  );
}

export interface RegionSearch {
  /** Normalised with `nameKey`. */
  nameKey?: string;
  level?: RegionLevel;
  /** Restrict to descendants of this code. */
  withinCode?: string;
  limit: number;
}

/** Name search: exact key matches first, then prefix, then substring; ties by code. */
export function searchRegions(db: Queryable, search: RegionSearch): Promise<RegionRow[]> {
  const conditions = [sql`true`];
  if (search.nameKey) conditions.push(sql`name_key LIKE ${`%${search.nameKey}%`}`);
  if (search.level) conditions.push(sql`level = ${search.level}`);
  if (search.withinCode) conditions.push(sql`code LIKE ${`${search.withinCode}.%`}`);
  const key = search.nameKey ?? '';
  return db.query<RegionRow & Record<string, unknown>>(sql`
    SELECT ${COLUMNS} FROM regions
    WHERE ${sql.join(conditions, sql` AND `)}
    ORDER BY CASE WHEN name_key = ${key} THEN 0 WHEN name_key LIKE ${`${key}%`} THEN 1 ELSE 2 END, code
    LIMIT ${search.limit}`);
}
