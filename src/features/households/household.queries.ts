/** All SQL of the households feature. */
import { type SQL, sql } from 'drizzle-orm';
import type { Geometry } from 'geojson';
import type { Queryable } from '../../db/database.js';
import { type CircleWgs84, envelope, geometryParam, withinCircle } from '../../geo/spatial-sql.js';
import type { Livelihood, Pas } from './household.enums.js';
import type { Principal } from '../../auth/principal.js';
import { policy } from '../../auth/policy.js';

export interface HouseholdCriteria {
  /** Who reads: row scope and visible PAS come from the access policy. */
  principal: Principal;
  villageCode?: string;
  bboxWgs84?: readonly [number, number, number, number];
  within?: Geometry;
  pasAny?: Pas[];
  pasAll?: Pas[];
  desilMin?: number;
  desilMax?: number;
  isRtlh?: boolean;
  hasElderly?: boolean;
  hasChild?: boolean;
  hasDisabled?: boolean;
  livelihoods?: Livelihood[];
  isMustahik?: boolean;
  near?: CircleWgs84;
}

export interface HouseholdRow {
  id: number;
  registry_id: string;
  village_code: string;
  location: string;
  desil: number;
  livelihood: Livelihood;
  is_mustahik: boolean;
  receives_pkh: boolean;
  receives_bpnt: boolean;
  has_small_business: boolean;
  floor_area_m2: number;
  occupants: number;
  floor_material: string;
  wall_material: string;
  roof_material: string;
  has_own_toilet: boolean;
  has_electricity: boolean;
  water_source: string;
  land_ownership: string;
  had_housing_aid: boolean;
  rtlh_reasons: string[];
  is_rtlh: boolean;
  pas: Pas[];
  member_count: number;
  has_elderly: boolean;
  has_child: boolean;
  has_disabled: boolean;
  /** Latest assessment: PUPR component → rating, and the damage class it gives (null before one). */
  component_conditions: Record<string, string> | null;
  damage_class: string | null;
  [key: string]: unknown;
}

// Enum arrays are cast to text[]: node-postgres cannot parse arrays of custom enum types.
const columns = (principal: Principal) => sql`h.id, h.registry_id, h.village_code, ST_AsGeoJSON(h.location, 7) AS location, h.desil, h.livelihood,
  h.is_mustahik, h.receives_pkh, h.receives_bpnt, h.has_small_business, h.floor_area_m2, h.occupants,
  h.floor_material, h.wall_material, h.roof_material, h.has_own_toilet, h.has_electricity, h.water_source,
  h.land_ownership, h.had_housing_aid, h.rtlh_reasons, h.is_rtlh, ${policy.visiblePasSql(principal, sql`h.pas`)} AS pas, h.member_count,
  h.has_elderly, h.has_child, h.has_disabled, h.component_conditions, h.damage_class`;

/**
 * WHERE parts of a household query, over `households h`; `scope` defaults to the principal's row
 * scope. The one place household filters become SQL (GraphQL and the OGC households collection).
 */
export function householdConditions(c: HouseholdCriteria, scope: SQL = policy.householdRowScope(c.principal)): SQL[] {
  const where: SQL[] = [scope];
  if (c.villageCode) where.push(sql`h.village_code = ${c.villageCode}`);
  if (c.bboxWgs84) where.push(sql`h.location && ${envelope(c.bboxWgs84)}`);
  if (c.within) where.push(sql`ST_Intersects(h.location, ${geometryParam(c.within)})`);
  if (c.pasAny?.length) where.push(sql`h.pas && ${sql.param(c.pasAny)}::pas[]`);
  if (c.pasAll?.length) where.push(sql`h.pas @> ${sql.param(c.pasAll)}::pas[]`);
  if (c.desilMin !== undefined) where.push(sql`h.desil >= ${c.desilMin}`);
  if (c.desilMax !== undefined) where.push(sql`h.desil <= ${c.desilMax}`);
  if (c.isRtlh !== undefined) where.push(sql`h.is_rtlh = ${c.isRtlh}`);
  if (c.hasElderly !== undefined) where.push(sql`h.has_elderly = ${c.hasElderly}`);
  if (c.hasChild !== undefined) where.push(sql`h.has_child = ${c.hasChild}`);
  if (c.hasDisabled !== undefined) where.push(sql`h.has_disabled = ${c.hasDisabled}`);
  if (c.livelihoods?.length) where.push(sql`h.livelihood = ANY(${sql.param(c.livelihoods)}::livelihood[])`);
  if (c.isMustahik !== undefined) where.push(sql`h.is_mustahik = ${c.isMustahik}`);
  if (c.near) where.push(withinCircle(sql`h.location`, c.near));
  return where;
}

export function findHouseholds(db: Queryable, criteria: HouseholdCriteria, afterId: number | null, limit: number): Promise<HouseholdRow[]> {
  const where = householdConditions(criteria);
  if (afterId !== null) where.push(sql`h.id > ${afterId}`);
  return db.query<HouseholdRow>(sql`SELECT ${columns(criteria.principal)} FROM households h WHERE ${sql.join(where, sql` AND `)} ORDER BY h.id LIMIT ${limit}`);
}

export async function countHouseholds(db: Queryable, criteria: HouseholdCriteria): Promise<number> {
  const [row] = await db.query<{ n: number }>(sql`SELECT count(*)::int AS n FROM households h WHERE ${sql.join(householdConditions(criteria), sql` AND `)}`);
  return row?.n ?? 0;
}

/** Households by id, within the principal's row scope (out-of-scope ids simply do not come back). */
export function householdsByIds(db: Queryable, principal: Principal, ids: readonly number[]): Promise<HouseholdRow[]> {
  return db.query<HouseholdRow>(sql`SELECT ${columns(principal)} FROM households h
    WHERE h.id = ANY(${sql.param(ids as number[])}::int[]) AND ${policy.householdRowScope(principal)}`);
}

export interface IdentityRow {
  household_id: number;
  head_name: string;
  head_nik: string;
  family_card_number: string;
  address: string;
  [key: string]: unknown;
}

/** Identities of households the caller already read through the row scope (ids come from those rows). */
export function identitiesByHouseholdIds(db: Queryable, ids: readonly number[]): Promise<IdentityRow[]> {
  return db.query<IdentityRow>(sql`SELECT household_id, head_name, head_nik, family_card_number, address
    FROM household_identities WHERE household_id = ANY(${sql.param(ids as number[])}::int[])`);
}

/** The one household with this exact head NIK or family card number, within the row scope. */
export async function householdIdByIdentifier(db: Queryable, principal: Principal, identifier: { nik?: string; familyCardNumber?: string }): Promise<number | null> {
  const match = identifier.nik ? sql`i.head_nik = ${identifier.nik}` : sql`i.family_card_number = ${identifier.familyCardNumber ?? ''}`;
  const [row] = await db.query<{ id: number }>(sql`SELECT h.id FROM household_identities i JOIN households h ON h.id = i.household_id
    WHERE ${match} AND ${policy.householdRowScope(principal)} ORDER BY h.id LIMIT 1`);
  return row?.id ?? null;
}

export interface MemberRow {
  id: number;
  household_id: number;
  birth_date: string;
  age: number;
  sex: 'MALE' | 'FEMALE';
  relation: string;
  disability: string | null;
  in_school: boolean;
  full_name: string | null;
  nik: string | null;
  [key: string]: unknown;
}

export function membersByHouseholdIds(db: Queryable, ids: readonly number[]): Promise<MemberRow[]> {
  return db.query<MemberRow>(sql`SELECT m.id, m.household_id, m.birth_date, date_part('year', age(current_date, m.birth_date))::int AS age,
      m.sex, m.relation, m.disability, m.in_school, mi.full_name, mi.nik
    FROM members m LEFT JOIN member_identities mi ON mi.member_id = m.id
    WHERE m.household_id = ANY(${sql.param(ids as number[])}::int[]) ORDER BY m.household_id, m.id`);
}

export interface TagRow {
  household_id: number;
  member_id: number | null;
  pas: Pas;
  source: 'REGISTRY' | 'ASSESSMENT' | 'FIELD_REPORT';
  recorded_on: string;
  [key: string]: unknown;
}

/** PAS tags of the households, without the PAS the principal may not see. */
export function tagsByHouseholdIds(db: Queryable, principal: Principal, ids: readonly number[]): Promise<TagRow[]> {
  const hidden = policy.hiddenPas(principal);
  return db.query<TagRow>(sql`SELECT household_id, member_id, pas, source, recorded_on
    FROM pas_tags WHERE household_id = ANY(${sql.param(ids as number[])}::int[])
      AND NOT (pas::text = ANY(${sql.param(hidden)}::text[]))
    ORDER BY household_id, pas, member_id NULLS FIRST, id`);
}

export interface RtlhRuleRow {
  code: string;
  min_floor_area_m2_per_person: number;
  [key: string]: unknown;
}

export async function activeRtlhRule(db: Queryable): Promise<RtlhRuleRow | null> {
  const [row] = await db.query<RtlhRuleRow>(sql`SELECT code, min_floor_area_m2_per_person FROM rtlh_rules WHERE is_active`);
  return row ?? null;
}

/**
 * RFC 7946 FeatureCollection of households built by PostGIS in one statement: serialising in
 * the database avoids materialising every row as a JS object only to stringify it again.
 */
export async function householdFeatureCollection(db: Queryable, criteria: HouseholdCriteria, limit: number): Promise<{ fc: string; ids: number[] }> {
  const [row] = await db.query<{ fc: string; ids: number[] | null }>(sql`
    SELECT json_build_object('type', 'FeatureCollection', 'features', coalesce(json_agg(json_build_object(
      'type', 'Feature', 'id', h.id, 'geometry', ST_AsGeoJSON(h.location, 7)::json,
      'properties', json_build_object('id', h.id, 'villageCode', h.village_code, 'desil', h.desil,
        'livelihood', h.livelihood, 'pas', ${policy.visiblePasSql(criteria.principal, sql`h.pas`)}, 'isRtlh', h.is_rtlh, 'rtlhReasons', h.rtlh_reasons,
        'memberCount', h.member_count, 'hasElderly', h.has_elderly, 'hasChild', h.has_child,
        'hasDisabled', h.has_disabled, 'isMustahik', h.is_mustahik)
    ) ORDER BY h.id), '[]'::json))::text AS fc, array_agg(h.id ORDER BY h.id) AS ids
    FROM (SELECT * FROM households h WHERE ${sql.join(householdConditions(criteria), sql` AND `)} ORDER BY h.id LIMIT ${limit}) h`);
  return { fc: row?.fc ?? '{"type":"FeatureCollection","features":[]}', ids: row?.ids ?? [] };
}

export interface GridRow {
  cell: string;
  households: number;
  desil_1_to_2: number;
  rtlh: number;
  [key: string]: unknown;
}

/**
 * Household counts on a square grid of `cellDegrees` (degrees, WGS84): an aggregate, so the scope is
 * the policy's aggregate scope, not the row scope. Suppression below k is applied by the caller.
 */
export function householdGrid(db: Queryable, criteria: HouseholdCriteria, cellDegreesArg: number): Promise<GridRow[]> {
  const cellDegrees = sql`${cellDegreesArg}::float8`;
  const where = householdConditions(criteria, policy.aggregateScope(criteria.principal));
  return db.query<GridRow>(sql`
    SELECT ST_AsGeoJSON(ST_MakeEnvelope(gx * ${cellDegrees}, gy * ${cellDegrees}, (gx + 1) * ${cellDegrees}, (gy + 1) * ${cellDegrees}, 4326), 7) AS cell,
      count(*)::int AS households, count(*) FILTER (WHERE desil <= 2)::int AS desil_1_to_2, count(*) FILTER (WHERE is_rtlh)::int AS rtlh
    FROM (SELECT floor(ST_X(h.location) / ${cellDegrees})::int AS gx, floor(ST_Y(h.location) / ${cellDegrees})::int AS gy, h.desil, h.is_rtlh
          FROM households h WHERE ${sql.join(where, sql` AND `)}) g
    GROUP BY gx, gy ORDER BY gy, gx`);
}
