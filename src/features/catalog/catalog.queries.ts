/** All SQL of the catalog feature. */
import { sql } from 'drizzle-orm';
import type { Queryable } from '../../db/database.js';

export interface FunderRow {
  code: string;
  name: string;
  kind: string;
  /** Whether the funder's default fund is restricted to mustahik (BAZNAS: zakat). */
  requires_mustahik: boolean;
  description: string;
  [key: string]: unknown;
}

/** A fund, or the rule-bearing part of one: eligibility only needs its code and mustahik rule. */
export interface Payer {
  code: string;
  requires_mustahik: boolean;
}

export interface InterventionFields {
  code: string;
  name_id: string;
  name_en: string;
  category: string;
  cluster: string | null;
  funder_code: string;
  target: 'HOUSEHOLD' | 'PERSON' | 'FACILITY';
  unit_cost_idr: number;
  cost_is_assumption: boolean;
  cost_source: string;
  is_housing: boolean;
  serves: string | null;
  eligibility: unknown;
  description: string;
  max_unit_cost_idr: number | null;
  quantity_unit: string | null;
  priority: unknown;
  /** Set for a package-specific item; null for the catalog. */
  package_id: number | null;
}

export interface InterventionRow extends InterventionFields {
  is_active: boolean;
  version: number;
  /** Funders that may pay for it (its own funder included), sorted. */
  funder_codes: string[];
  [key: string]: unknown;
}

export const listFunders = (db: Queryable) =>
  db.query<FunderRow>(sql`SELECT f.code, f.name, f.kind, coalesce(d.requires_mustahik, false) AS requires_mustahik, f.description
    FROM funders f LEFT JOIN funds d ON d.funder_code = f.code AND d.is_default ORDER BY f.code`);

const INTERVENTION_COLUMNS = sql`iv.*, coalesce((SELECT array_agg(x.funder_code ORDER BY x.funder_code) FROM intervention_funders x WHERE x.intervention_code = iv.code), '{}') AS funder_codes`;

/** The catalog; package-specific items (package_id set) only with `packageId`. */
export function listInterventions(db: Queryable, filter: { category?: string | null; funderCode?: string | null; activeOnly?: boolean; packageId?: number | null } = {}) {
  return db.query<InterventionRow>(sql`SELECT ${INTERVENTION_COLUMNS} FROM interventions iv
    WHERE (${filter.category ?? null}::text IS NULL OR iv.category::text = ${filter.category ?? null})
      AND (${filter.funderCode ?? null}::text IS NULL OR EXISTS (SELECT 1 FROM intervention_funders x WHERE x.intervention_code = iv.code AND x.funder_code = ${filter.funderCode ?? null}))
      AND (${filter.activeOnly ?? false} = false OR iv.is_active)
      AND (iv.package_id IS NULL OR iv.package_id = ${filter.packageId ?? null}::int)
    ORDER BY iv.category, iv.code`);
}

export async function interventionByCode(db: Queryable, code: string, lock = false): Promise<InterventionRow | null> {
  const [row] = await db.query<InterventionRow>(sql`SELECT ${INTERVENTION_COLUMNS} FROM interventions iv WHERE iv.code = ${code} ${lock ? sql`FOR UPDATE OF iv` : sql``}`);
  return row ?? null;
}

export async function insertIntervention(db: Queryable, i: InterventionFields, funderCodes: string[]): Promise<InterventionRow> {
  await db.query(sql`INSERT INTO interventions (code, name_id, name_en, category, cluster, funder_code, target, unit_cost_idr,
      cost_is_assumption, cost_source, is_housing, serves, eligibility, description, max_unit_cost_idr, quantity_unit, priority, package_id)
    VALUES (${i.code}, ${i.name_id}, ${i.name_en}, ${i.category}, ${i.cluster}, ${i.funder_code}, ${i.target}, ${i.unit_cost_idr},
      ${i.cost_is_assumption}, ${i.cost_source}, ${i.is_housing}, ${i.serves}, ${JSON.stringify(i.eligibility)}::jsonb, ${i.description},
      ${i.max_unit_cost_idr}, ${i.quantity_unit}, ${i.priority === null ? null : JSON.stringify(i.priority)}::jsonb, ${i.package_id})`);
  await setInterventionFunders(db, i.code, funderCodes);
  return (await interventionByCode(db, i.code))!;
}

/** Replaces the funders allowed to pay for an intervention (its own funder always stays). */
export async function setInterventionFunders(db: Queryable, code: string, funderCodes: string[]): Promise<void> {
  await db.query(sql`DELETE FROM intervention_funders WHERE intervention_code = ${code}`);
  await db.query(sql`INSERT INTO intervention_funders (intervention_code, funder_code)
    SELECT ${code}, f FROM unnest(${sql.param(funderCodes)}::text[]) f UNION SELECT code, funder_code FROM interventions WHERE code = ${code}`);
}

export async function updateIntervention(db: Queryable, code: string, next: InterventionRow): Promise<InterventionRow> {
  await db.query(sql`UPDATE interventions SET unit_cost_idr = ${next.unit_cost_idr}, cost_is_assumption = ${next.cost_is_assumption},
      cost_source = ${next.cost_source}, eligibility = ${JSON.stringify(next.eligibility)}::jsonb, is_active = ${next.is_active},
      description = ${next.description}, max_unit_cost_idr = ${next.max_unit_cost_idr}, quantity_unit = ${next.quantity_unit},
      priority = ${next.priority === null ? null : JSON.stringify(next.priority)}::jsonb, version = version + 1, updated_at = now()
    WHERE code = ${code}`);
  await setInterventionFunders(db, code, next.funder_codes);
  return (await interventionByCode(db, code))!;
}
