/** All SQL of the assessment feature. Every function runs inside the caller's transaction. */
import { sql } from 'drizzle-orm';
import type { Queryable } from '../../db/database.js';
import { pointWgs84 } from '../../geo/spatial-sql.js';

export interface AssessmentRow {
  id: number;
  household_id: number;
  assessor: string;
  assessor_organisation: string | null;
  assessed_on: string;
  component_conditions: Record<string, string>;
  floor_area_m2: number;
  occupants: number;
  pas_confirmed: string[];
  pas_added: string[];
  pas_removed: { pas: string; memberId: number | null; reason: string }[];
  damage_class: string | null;
  damage_rule_code: string | null;
  location: string | null;
  notes: string;
  created_at: string;
  [key: string]: unknown;
}

const COLUMNS = sql`id, household_id, assessor, assessor_organisation, assessed_on, component_conditions, floor_area_m2, occupants,
  pas_confirmed::text[] AS pas_confirmed, pas_added::text[] AS pas_added, pas_removed, damage_class, damage_rule_code,
  ST_AsGeoJSON(location, 7) AS location, notes, to_json(created_at)#>>'{}' AS created_at`;

export interface NewAssessment {
  householdId: number;
  assessor: string;
  organisation: string | null;
  assessedOn: string;
  componentConditions: Record<string, string>;
  floorAreaM2: number;
  occupants: number;
  floorMaterial: string;
  wallMaterial: string;
  roofMaterial: string;
  hasOwnToilet: boolean;
  hasElectricity: boolean;
  waterSource: string;
  landOwnership: string;
  livelihood: string;
  hasSmallBusiness: boolean;
  memberSituations: { memberId: number; disability?: string | null; inSchool?: boolean | null; note?: string | null }[];
  pasConfirmed: string[];
  pasAdded: { pas: string; memberId?: number | null; reason?: string | null }[];
  pasRemoved: { pas: string; memberId: number | null; reason: string }[];
  damageClass: string | null;
  damageRuleCode: string | null;
  locationWgs84: [number, number] | null;
  notes: string;
}

export async function activeDamageRule(db: Queryable): Promise<{ code: string; rule: unknown } | null> {
  const [row] = await db.query<{ code: string; rule: unknown }>(sql`SELECT code, rule FROM damage_class_rules WHERE is_active`);
  return row ?? null;
}

export async function insertAssessment(db: Queryable, a: NewAssessment): Promise<AssessmentRow> {
  const [row] = await db.query<AssessmentRow>(sql`INSERT INTO assessments (household_id, assessor, assessor_organisation, assessed_on, component_conditions,
      floor_area_m2, occupants, floor_material, wall_material, roof_material, has_own_toilet, has_electricity, water_source, land_ownership,
      livelihood, has_small_business, member_situations, pas_confirmed, pas_added, pas_removed, damage_class, damage_rule_code, location, notes)
    VALUES (${a.householdId}, ${a.assessor}, ${a.organisation}, ${a.assessedOn}, ${JSON.stringify(a.componentConditions)}::jsonb,
      ${a.floorAreaM2}, ${a.occupants}, ${a.floorMaterial}, ${a.wallMaterial}, ${a.roofMaterial}, ${a.hasOwnToilet}, ${a.hasElectricity},
      ${a.waterSource}, ${a.landOwnership}, ${a.livelihood}, ${a.hasSmallBusiness}, ${JSON.stringify(a.memberSituations)}::jsonb,
      ${sql.param(a.pasConfirmed)}::pas[], ${sql.param([...new Set(a.pasAdded.map((p) => p.pas))])}::pas[], ${JSON.stringify(a.pasRemoved)}::jsonb,
      ${a.damageClass}, ${a.damageRuleCode}, ${a.locationWgs84 ? pointWgs84(a.locationWgs84) : sql`NULL::geometry`}, ${a.notes})
    RETURNING ${COLUMNS}`);
  return row!;
}

/** Applies the assessment to the household: the RTLH trigger re-derives the verdict. */
export async function applyToHousehold(db: Queryable, a: NewAssessment): Promise<void> {
  await db.query(sql`UPDATE households SET floor_area_m2 = ${a.floorAreaM2}, occupants = ${a.occupants}, floor_material = ${a.floorMaterial},
      wall_material = ${a.wallMaterial}, roof_material = ${a.roofMaterial}, has_own_toilet = ${a.hasOwnToilet}, has_electricity = ${a.hasElectricity},
      water_source = ${a.waterSource}, land_ownership = ${a.landOwnership}, livelihood = ${a.livelihood},
      has_small_business = ${a.hasSmallBusiness},
      component_conditions = ${Object.keys(a.componentConditions).length ? JSON.stringify(a.componentConditions) : null}::jsonb, damage_class = ${a.damageClass}, updated_at = now()
    WHERE id = ${a.householdId}`);
  for (const m of a.memberSituations) {
    await db.query(sql`UPDATE members SET disability = ${m.disability ?? null}, in_school = coalesce(${m.inSchool ?? null}::boolean, in_school)
      WHERE id = ${m.memberId} AND household_id = ${a.householdId}`);
  }
  if (a.pasAdded.length) {
    // One statement: the statement-level roll-up trigger recomputes the household's PAS once.
    await db.query(sql`INSERT INTO pas_tags (household_id, member_id, pas, source, recorded_on)
      SELECT ${a.householdId}, t.member_id, t.pas::pas, 'ASSESSMENT', ${a.assessedOn}::date
      FROM jsonb_to_recordset(${JSON.stringify(a.pasAdded.map((p) => ({ pas: p.pas, member_id: p.memberId ?? null })))}::jsonb) AS t(pas text, member_id int)`);
  }
  for (const r of a.pasRemoved) {
    // Member tags by member; household tags (member null) by household. Every source is removed:
    // the assessor found the condition no longer holds.
    await db.query(sql`DELETE FROM pas_tags WHERE household_id = ${a.householdId} AND pas = ${r.pas}::pas
      AND ${r.memberId === null ? sql`member_id IS NULL` : sql`member_id = ${r.memberId}`}`);
  }
  await db.query(sql`SELECT refresh_village_stats(ARRAY[(SELECT village_code FROM households WHERE id = ${a.householdId})])`);
}

export const memberIdsOf = async (db: Queryable, householdId: number) =>
  (await db.query<{ id: number }>(sql`SELECT id FROM members WHERE household_id = ${householdId}`)).map((r) => r.id);

export const assessmentsByHouseholdIds = (db: Queryable, ids: readonly number[]) =>
  db.query<AssessmentRow>(sql`SELECT ${COLUMNS} FROM assessments WHERE household_id = ANY(${sql.param(ids as number[])}::int[]) ORDER BY household_id, assessed_on DESC, id DESC`);
