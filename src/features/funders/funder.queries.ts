/** All SQL of the funders feature: funder kinds, funders, funds and mustahik verifications. */
import { sql } from 'drizzle-orm';
import type { Queryable } from '../../db/database.js';

export interface FunderKindRow {
  code: string;
  name: string;
  description: string;
  [key: string]: unknown;
}

export interface FundRow {
  code: string;
  funder_code: string;
  name: string;
  requires_mustahik: boolean;
  is_default: boolean;
  legal_basis: string;
  description: string;
  [key: string]: unknown;
}

export interface VerificationRow {
  id: number;
  household_id: number;
  funder_code: string;
  is_mustahik: boolean;
  basis: string;
  verified_by: string;
  verified_on: string;
  created_at: string;
  [key: string]: unknown;
}

export const listFunderKinds = (db: Queryable) => db.query<FunderKindRow>(sql`SELECT code, name, description FROM funder_kinds ORDER BY code`);

export const fundsByFunderCodes = (db: Queryable, codes: readonly string[]) =>
  db.query<FundRow>(sql`SELECT * FROM funds WHERE funder_code = ANY(${sql.param(codes as string[])}::text[]) ORDER BY funder_code, NOT is_default, code`);

export const allFunds = (db: Queryable) => db.query<FundRow>(sql`SELECT * FROM funds ORDER BY funder_code, NOT is_default, code`);

export async function funderExists(db: Queryable, code: string): Promise<boolean> {
  const [row] = await db.query<{ n: number }>(sql`SELECT count(*)::int AS n FROM funders WHERE code = ${code}`);
  return (row?.n ?? 0) > 0;
}

/**
 * Inserts a funder; false when the code is taken (the primary key decides, so two concurrent
 * registrations of one code cannot both succeed).
 */
export async function insertFunder(db: Queryable, f: { code: string; name: string; kind: string; description: string }): Promise<boolean> {
  const rows = await db.query<{ code: string }>(sql`INSERT INTO funders (code, name, kind, description) VALUES (${f.code}, ${f.name}, ${f.kind}, ${f.description})
    ON CONFLICT (code) DO NOTHING RETURNING code`);
  return rows.length === 1;
}

export async function insertFund(db: Queryable, f: Omit<FundRow, 'is_default'> & { is_default: boolean }): Promise<FundRow | null> {
  const [row] = await db.query<FundRow>(sql`INSERT INTO funds (code, funder_code, name, requires_mustahik, is_default, legal_basis, description)
    VALUES (${f.code}, ${f.funder_code}, ${f.name}, ${f.requires_mustahik}, ${f.is_default}, ${f.legal_basis}, ${f.description})
    ON CONFLICT (code) DO NOTHING RETURNING *`);
  return row ?? null;
}

/** The household's village, unscoped: callers decide access from it and answer NOT_FOUND otherwise. */
export async function villageOfHousehold(db: Queryable, householdId: number): Promise<string | null> {
  const [row] = await db.query<{ village_code: string }>(sql`SELECT village_code FROM households WHERE id = ${householdId}`);
  return row?.village_code ?? null;
}

const VERIFICATION_COLUMNS = sql`id, household_id, funder_code, is_mustahik, basis, verified_by, verified_on::text AS verified_on, to_json(created_at)#>>'{}' AS created_at`;

export async function insertVerification(db: Queryable, v: Omit<VerificationRow, 'id' | 'created_at'>): Promise<VerificationRow> {
  const [row] = await db.query<VerificationRow>(sql`INSERT INTO mustahik_verifications (household_id, funder_code, is_mustahik, basis, verified_by, verified_on)
    VALUES (${v.household_id}, ${v.funder_code}, ${v.is_mustahik}, ${v.basis}, ${v.verified_by}, ${v.verified_on}::date) RETURNING ${VERIFICATION_COLUMNS}`);
  return row!;
}

export const verificationsByHousehold = (db: Queryable, householdId: number, funderCode: string | null) =>
  db.query<VerificationRow>(sql`SELECT ${VERIFICATION_COLUMNS} FROM mustahik_verifications
    WHERE household_id = ${householdId} AND (${funderCode}::text IS NULL OR funder_code = ${funderCode}) ORDER BY verified_on DESC, id DESC`);
