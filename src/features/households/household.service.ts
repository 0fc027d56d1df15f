/** Validates household arguments and shapes rows into GraphQL objects. */
import { policy } from '../../auth/policy.js';
import type { Principal } from '../../auth/principal.js';
import { badInput } from '../../errors/errors.js';
import { assertValidInDatabase, parseBboxWgs84, parseCircle, parseGeometryInput } from '../../geo/geojson-input.js';
import type { Queryable } from '../../db/database.js';
import { parseRegionCode, RegionLevel } from '../regions/index.js';
import type { RtlhCriterion } from './household.enums.js';
import type { HouseholdFilter } from './household.input.js';
import type { HouseholdRow, MemberRow, RtlhRuleRow, TagRow } from './household.queries.js';
import type { HouseholdCriteria } from './household.source.js';
import { Household, Member, PasTag, type RtlhVerdict } from './household.type.js';

export interface HouseholdScope {
  villageCode?: string | null;
  bboxWgs84?: number[] | null;
  within?: unknown;
}

function desil(value: number, argument: string): number {
  if (!Number.isInteger(value) || value < 1 || value > 10) throw badInput(argument, `must be a desil from 1 to 10; got ${value}.`);
  return value;
}

export async function toHouseholdCriteria(
  db: Queryable,
  principal: Principal,
  scope: HouseholdScope,
  filter: HouseholdFilter | null | undefined,
): Promise<HouseholdCriteria> {
  const c: HouseholdCriteria = { principal };
  if (scope.villageCode) c.villageCode = parseRegionCode(scope.villageCode, 'villageCode', RegionLevel.VILLAGE);
  if (scope.bboxWgs84) c.bboxWgs84 = parseBboxWgs84(scope.bboxWgs84, 'bboxWgs84');
  if (scope.within !== undefined && scope.within !== null) {
    const within = parseGeometryInput(scope.within, 'within', ['Polygon', 'MultiPolygon']);
    await assertValidInDatabase(db, within, 'within');
    c.within = within;
  }
  if (!filter) return c;
  policy.assertPasFilterAllowed(principal, 'filter.pasAny', filter.pasAny);
  policy.assertPasFilterAllowed(principal, 'filter.pasAll', filter.pasAll);
  if (filter.pasAny?.length) c.pasAny = filter.pasAny;
  if (filter.pasAll?.length) c.pasAll = filter.pasAll;
  if (filter.desilMin !== undefined && filter.desilMin !== null) c.desilMin = desil(filter.desilMin, 'filter.desilMin');
  if (filter.desilMax !== undefined && filter.desilMax !== null) c.desilMax = desil(filter.desilMax, 'filter.desilMax');
  if (c.desilMin !== undefined && c.desilMax !== undefined && c.desilMin > c.desilMax) {
    throw badInput('filter.desilMin', `must not exceed filter.desilMax; got desilMin ${c.desilMin} > desilMax ${c.desilMax}.`);
  }
  for (const flag of ['isRtlh', 'hasElderly', 'hasChild', 'hasDisabled', 'isMustahik'] as const) {
    const value = filter[flag];
    if (value !== undefined && value !== null) c[flag] = value;
  }
  if (filter.livelihoods?.length) c.livelihoods = filter.livelihoods;
  if (filter.near) c.near = parseCircle(filter.near, 'filter.near');
  return c;
}

export function toHousehold(row: HouseholdRow): Household {
  return Object.assign(new Household(), {
    id: String(row.id),
    registryId: row.registry_id,
    villageCode: row.village_code,
    location: row.location,
    desil: row.desil,
    livelihood: row.livelihood,
    isMustahik: row.is_mustahik,
    receivesPkh: row.receives_pkh,
    receivesBpnt: row.receives_bpnt,
    hasSmallBusiness: row.has_small_business,
    pas: row.pas,
    memberCount: row.member_count,
    hasElderly: row.has_elderly,
    hasChild: row.has_child,
    hasDisabled: row.has_disabled,
    houseCondition: {
      floorAreaM2: row.floor_area_m2,
      occupants: row.occupants,
      floorAreaPerPersonM2: Math.round((row.floor_area_m2 / Math.max(row.occupants, 1)) * 100) / 100,
      floorMaterial: row.floor_material,
      wallMaterial: row.wall_material,
      roofMaterial: row.roof_material,
      hasOwnToilet: row.has_own_toilet,
      hasElectricity: row.has_electricity,
      waterSource: row.water_source,
      landOwnership: row.land_ownership,
      hadHousingAid: row.had_housing_aid,
    },
    rtlhReasons: row.rtlh_reasons as RtlhCriterion[],
    isRtlh: row.is_rtlh,
    inactiveSince: row.inactive_since,
  });
}

export function toMember(row: MemberRow, principal: Principal): Member {
  return Object.assign(new Member(), {
    id: row.id,
    fullName: row.full_name,
    nikMasked: policy.maskIdentifier(principal, row.nik),
    householdId: row.household_id,
    birthDate: row.birth_date,
    age: row.age,
    sex: row.sex,
    relation: row.relation,
    disability: row.disability,
    isSchoolAge: row.age >= 7 && row.age <= 18,
    inSchool: row.in_school,
    isElderly: row.age >= 60,
    isChild: row.age < 18,
  });
}

export function toPasTag(row: TagRow): PasTag {
  return Object.assign(new PasTag(), { pas: row.pas, source: row.source, recordedOn: row.recorded_on, memberId: row.member_id });
}

export function rtlhVerdict(household: Household, rule: RtlhRuleRow | null): RtlhVerdict {
  const h = household.houseCondition;
  const explain: Record<RtlhCriterion, () => string> = {
    FLOOR_AREA_PER_PERSON: () =>
      `${h.floorAreaPerPersonM2} m² of floor per person (${h.floorAreaM2} m² for ${h.occupants}) is below ${rule?.min_floor_area_m2_per_person ?? '?'} m².`,
    FLOOR_MATERIAL: () => `Floor of ${h.floorMaterial.toLowerCase().replace('_', ' ')}.`,
    WALL_MATERIAL: () => `Walls of ${h.wallMaterial.toLowerCase().replace('_', ' ')}.`,
    ROOF_MATERIAL: () => `Roof of ${h.roofMaterial.toLowerCase().replace('_', ' ')}.`,
    NO_OWN_TOILET: () => 'No toilet of its own.',
    NO_ELECTRICITY: () => 'No electricity.',
    UNPROTECTED_WATER: () => `Drinking water from ${h.waterSource.toLowerCase().replace('_', ' ')}.`,
  };
  return {
    isRtlh: household.isRtlh,
    ruleCode: rule?.code ?? 'NONE',
    reasons: household.rtlhReasons.map((criterion) => ({ criterion, explanation: explain[criterion]() })),
  };
}
