/** All SQL of the households feature. */
import { type SQL, sql } from 'drizzle-orm';
import type { Geometry } from 'geojson';
import type { Queryable } from '../../db/database.js';
import { type CircleWgs84, envelope, geometryParam, withinCircle } from '../../geo/spatial-sql.js';
import type { Livelihood, Pas } from './household.enums.js';

export interface HouseholdCriteria {
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
  [key: string]: unknown;
}

// Enum arrays are cast to text[]: node-postgres cannot parse arrays of custom enum types.
const COLUMNS = sql`h.id, h.registry_id, h.village_code, ST_AsGeoJSON(h.location, 7) AS location, h.desil, h.livelihood,
  h.is_mustahik, h.receives_pkh, h.receives_bpnt, h.has_small_business, h.floor_area_m2, h.occupants,
  h.floor_material, h.wall_material, h.roof_material, h.has_own_toilet, h.has_electricity, h.water_source,
  h.land_ownership, h.had_housing_aid, h.rtlh_reasons, h.is_rtlh, h.pas::text[] AS pas, h.member_count,
  h.has_elderly, h.has_child, h.has_disabled`;

function conditions(c: HouseholdCriteria): SQL[] {
  const where: SQL[] = [sql`true`];
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
  const where = conditions(criteria);
  if (afterId !== null) where.push(sql`h.id > ${afterId}`);
  return db.query<HouseholdRow>(sql`SELECT ${COLUMNS} FROM households h WHERE ${sql.join(where, sql` AND `)} ORDER BY h.id LIMIT ${limit}`);
}

export async function countHouseholds(db: Queryable, criteria: HouseholdCriteria): Promise<number> {
  const [row] = await db.query<{ n: number }>(sql`SELECT count(*)::int AS n FROM households h WHERE ${sql.join(conditions(criteria), sql` AND `)}`);
  return row?.n ?? 0;
}

export function householdsByIds(db: Queryable, ids: readonly number[]): Promise<HouseholdRow[]> {
  return db.query<HouseholdRow>(sql`SELECT ${COLUMNS} FROM households h WHERE h.id = ANY(${sql.param(ids as number[])}::int[])`);
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
  [key: string]: unknown;
}

export function membersByHouseholdIds(db: Queryable, ids: readonly number[]): Promise<MemberRow[]> {
  return db.query<MemberRow>(sql`SELECT id, household_id, birth_date, date_part('year', age(current_date, birth_date))::int AS age,
      sex, relation, disability, in_school
    FROM members WHERE household_id = ANY(${sql.param(ids as number[])}::int[]) ORDER BY household_id, id`);
}

export interface TagRow {
  household_id: number;
  member_id: number | null;
  pas: Pas;
  source: 'REGISTRY' | 'ASSESSMENT' | 'FIELD_REPORT';
  recorded_on: string;
  [key: string]: unknown;
}

export function tagsByHouseholdIds(db: Queryable, ids: readonly number[]): Promise<TagRow[]> {
  return db.query<TagRow>(sql`SELECT household_id, member_id, pas, source, recorded_on
    FROM pas_tags WHERE household_id = ANY(${sql.param(ids as number[])}::int[]) ORDER BY household_id, pas, member_id NULLS FIRST, id`);
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
export async function householdFeatureCollection(db: Queryable, criteria: HouseholdCriteria, limit: number): Promise<string> {
  const [row] = await db.query<{ fc: string }>(sql`
    SELECT json_build_object('type', 'FeatureCollection', 'features', coalesce(json_agg(json_build_object(
      'type', 'Feature', 'id', h.id, 'geometry', ST_AsGeoJSON(h.location, 7)::json,
      'properties', json_build_object('id', h.id, 'villageCode', h.village_code, 'desil', h.desil,
        'livelihood', h.livelihood, 'pas', h.pas, 'isRtlh', h.is_rtlh, 'rtlhReasons', h.rtlh_reasons,
        'memberCount', h.member_count, 'hasElderly', h.has_elderly, 'hasChild', h.has_child,
        'hasDisabled', h.has_disabled, 'isMustahik', h.is_mustahik)
    ) ORDER BY h.id), '[]'::json))::text AS fc
    FROM (SELECT * FROM households h WHERE ${sql.join(conditions(criteria), sql` AND `)} ORDER BY h.id LIMIT ${limit}) h`);
  return row?.fc ?? '{"type":"FeatureCollection","features":[]}';
}
