/** All SQL of the catalog feature. */
import { sql } from 'drizzle-orm';
import type { Queryable } from '../../db/database.js';

export interface FunderRow {
  code: string;
  name: string;
  kind: string;
  requires_mustahik: boolean;
  description: string;
  [key: string]: unknown;
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
}

export interface InterventionRow extends InterventionFields {
  is_active: boolean;
  version: number;
  [key: string]: unknown;
}

export const listFunders = (db: Queryable) => db.query<FunderRow>(sql`SELECT code, name, kind, requires_mustahik, description FROM funders ORDER BY code`);

export function listInterventions(db: Queryable, filter: { category?: string | null; funderCode?: string | null; activeOnly?: boolean } = {}) {
  return db.query<InterventionRow>(sql`SELECT * FROM interventions
    WHERE (${filter.category ?? null}::text IS NULL OR category::text = ${filter.category ?? null})
      AND (${filter.funderCode ?? null}::text IS NULL OR funder_code = ${filter.funderCode ?? null})
      AND (${filter.activeOnly ?? false} = false OR is_active)
    ORDER BY category, code`);
}

export async function interventionByCode(db: Queryable, code: string, lock = false): Promise<InterventionRow | null> {
  const [row] = await db.query<InterventionRow>(sql`SELECT * FROM interventions WHERE code = ${code} ${lock ? sql`FOR UPDATE` : sql``}`);
  return row ?? null;
}

export async function insertIntervention(db: Queryable, i: InterventionFields): Promise<InterventionRow> {
  const [row] = await db.query<InterventionRow>(sql`INSERT INTO interventions (code, name_id, name_en, category, cluster, funder_code, target, unit_cost_idr,
      cost_is_assumption, cost_source, is_housing, serves, eligibility, description)
    VALUES (${i.code}, ${i.name_id}, ${i.name_en}, ${i.category}, ${i.cluster}, ${i.funder_code}, ${i.target}, ${i.unit_cost_idr},
      ${i.cost_is_assumption}, ${i.cost_source}, ${i.is_housing}, ${i.serves}, ${JSON.stringify(i.eligibility)}::jsonb, ${i.description})
    RETURNING *`);
  return row!;
}

export async function updateIntervention(db: Queryable, code: string, next: InterventionRow): Promise<InterventionRow> {
  const [row] = await db.query<InterventionRow>(sql`UPDATE interventions SET unit_cost_idr = ${next.unit_cost_idr}, cost_is_assumption = ${next.cost_is_assumption},
      cost_source = ${next.cost_source}, eligibility = ${JSON.stringify(next.eligibility)}::jsonb, is_active = ${next.is_active},
      description = ${next.description}, version = version + 1, updated_at = now()
    WHERE code = ${code} RETURNING *`);
  return row!;
}
