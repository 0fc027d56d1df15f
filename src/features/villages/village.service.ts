/** Turns GraphQL village arguments into validated criteria and rows into `Village` objects. */
import { sql } from 'drizzle-orm';
import { policy, protectCount } from '../../auth/policy.js';
import type { Principal } from '../../auth/principal.js';
import { badInput } from '../../errors/errors.js';
import type { Queryable } from '../../db/database.js';
import { assertValidInDatabase, parseBboxWgs84, parseCircle, parseGeometryInput } from '../../geo/geojson-input.js';
import { PAS_CODES } from '../../db/schema.js';
import { nameKey, parseRegionCode, RegionLevel } from '../regions/index.js';
import { PRIORITY_COMPONENTS, type PriorityWeights, type VillageCriteria, type VillageRow, villageProtection } from './village.queries.js';
import type { PriorityWeightsInput, VillageNeedStatistics } from './village.type.js';
import { Village } from './village.type.js';
import type { VillageFilter as VillageFilterInput } from './village.input.js';

export const DEFAULT_WEIGHTS: PriorityWeights = { poverty: 0.35, housing: 0.25, vulnerability: 0.2, fishing: 0.1, coastal: 0.1 };
const COMPONENTS = PRIORITY_COMPONENTS;

export function normaliseWeights(input: PriorityWeightsInput | null | undefined, argument = 'priorityWeights'): PriorityWeights {
  if (!input) return DEFAULT_WEIGHTS;
  const merged = { ...DEFAULT_WEIGHTS, ...input };
  for (const name of COMPONENTS) {
    if (!Number.isFinite(merged[name]) || merged[name] < 0) {
      throw badInput(`${argument}.${name}`, `must be a number ≥ 0; got ${merged[name]}.`);
    }
  }
  const sum = COMPONENTS.reduce((s, name) => s + merged[name], 0);
  if (sum <= 0) throw badInput(argument, 'at least one weight must be greater than 0.');
  return Object.fromEntries(COMPONENTS.map((name) => [name, merged[name] / sum])) as unknown as PriorityWeights;
}

function nonNegativeInt(value: number, argument: string): number {
  if (!Number.isInteger(value) || value < 0) throw badInput(argument, `must be an integer ≥ 0; got ${value}.`);
  return value;
}

export async function toCriteria(
  db: Queryable,
  principal: Principal,
  filter: VillageFilterInput | null | undefined,
  kAnonymity: number,
  argument = 'filter',
): Promise<VillageCriteria> {
  const c: VillageCriteria = { scope: policy.villageScope(principal, sql`r.code`), protection: villageProtection(principal, kAnonymity) };
  if (!filter) return c;
  assertNeedThresholdsAllowed(principal, filter, argument, kAnonymity);
  if (filter.provinceCode) c.provinceCode = parseRegionCode(filter.provinceCode, `${argument}.provinceCode`, RegionLevel.PROVINCE);
  if (filter.regencyCode) c.regencyCode = parseRegionCode(filter.regencyCode, `${argument}.regencyCode`, RegionLevel.REGENCY);
  if (filter.districtCode) c.districtCode = parseRegionCode(filter.districtCode, `${argument}.districtCode`, RegionLevel.DISTRICT);
  if (filter.kinds?.length) {
    const bad = filter.kinds.filter((k) => !['DESA', 'KELURAHAN', 'DESA_ADAT'].includes(k));
    if (bad.length) throw badInput(`${argument}.kinds`, `villages are DESA, KELURAHAN or DESA_ADAT; got ${bad.join(', ')}.`);
    c.kinds = filter.kinds;
  }
  if (filter.search !== undefined && filter.search !== null) {
    const key = nameKey(filter.search);
    if (!key) throw badInput(`${argument}.search`, `must contain at least one letter or digit; got ${JSON.stringify(filter.search)}.`);
    c.nameKey = key;
  }
  if (filter.hasBoundary !== undefined && filter.hasBoundary !== null) c.hasBoundary = filter.hasBoundary;
  if (filter.coastal !== undefined && filter.coastal !== null) c.coastal = filter.coastal;
  if (filter.fishingVillage !== undefined && filter.fishingVillage !== null) {
    const threshold = filter.fisherShareThreshold ?? 0.8;
    if (!(threshold >= 0 && threshold <= 1)) {
      throw badInput(`${argument}.fisherShareThreshold`, `must be a share from 0 to 1 (0.8 = 80%); got ${threshold}.`);
    }
    c.fishingVillage = { isFishing: filter.fishingVillage, threshold };
  }
  if (filter.withinPolygon !== undefined && filter.withinPolygon !== null) {
    c.withinPolygon = parseGeometryInput(filter.withinPolygon, `${argument}.withinPolygon`, ['Polygon', 'MultiPolygon']);
    await assertValidInDatabase(db, c.withinPolygon, `${argument}.withinPolygon`);
  }
  if (filter.bboxWgs84) c.bboxWgs84 = parseBboxWgs84(filter.bboxWgs84, `${argument}.bboxWgs84`);
  if (filter.near) c.near = parseCircle(filter.near, `${argument}.near`);
  if (filter.minHouseholdsInDesil) {
    const { maxDesil, atLeast } = filter.minHouseholdsInDesil;
    if (!Number.isInteger(maxDesil) || maxDesil < 1 || maxDesil > 10) {
      throw badInput(`${argument}.minHouseholdsInDesil.maxDesil`, `must be a desil from 1 to 10; got ${maxDesil}.`);
    }
    c.minHouseholdsInDesil = { maxDesil, atLeast: nonNegativeInt(atLeast, `${argument}.minHouseholdsInDesil.atLeast`) };
  }
  if (filter.minHouseholdsWithPas?.length) {
    c.minHouseholdsWithPas = filter.minHouseholdsWithPas.map((need, i) => {
      if (!PAS_CODES.includes(need.pas)) throw badInput(`${argument}.minHouseholdsWithPas[${i}].pas`, `unknown PAS ${need.pas}.`);
      return { pas: need.pas, atLeast: nonNegativeInt(need.atLeast, `${argument}.minHouseholdsWithPas[${i}].atLeast`) };
    });
  }
  if (filter.minRtlhHouseholds !== undefined && filter.minRtlhHouseholds !== null) {
    c.minRtlhHouseholds = nonNegativeInt(filter.minRtlhHouseholds, `${argument}.minRtlhHouseholds`);
  }
  return c;
}

export function toVillage(row: VillageRow): Village {
  const households = row.households;
  const share = (n: number) => (households > 0 ? n / households : 0);
  const byDesil = row.households_by_desil ?? [];
  const byPas = row.households_by_pas ?? {};
  return Object.assign(new Village(), {
    code: row.code,
    name: row.name,
    kind: row.kind,
    districtCode: row.district_code,
    regencyCode: row.regency_code,
    provinceCode: row.province_code,
    hasBoundary: row.has_boundary,
    centroid: row.centroid,
    areaKm2: row.area_m2 === null ? null : row.area_m2 / 1e6,
    coastal: row.has_boundary
      ? {
          isCoastal: Boolean(row.is_coastal),
          source: row.coastal_source ?? 'NATURAL_EARTH_COASTLINE',
          seawardBoundaryMeters: row.seaward_boundary_m,
          distanceToCoastlineMeters: row.distance_to_coastline_m,
        }
      : null,
    needStatistics: {
      households,
      members: row.members,
      householdsByDesil: Array.from({ length: 10 }, (_, i) => ({ desil: i + 1, households: byDesil[i] ?? 0 })),
      householdsDesil1To2: row.households_desil_1_to_2,
      householdsDesil1To4: row.households_desil_1_to_4,
      householdsByPas: PAS_CODES.map((pas) => ({ pas, households: byPas[pas] ?? 0 })),
      rtlhHouseholds: row.rtlh_households,
      elderlyMembers: row.elderly_members,
      childMembers: row.child_members,
      disabledMembers: row.disabled_members,
      householdsWithElderly: row.households_with_elderly,
      householdsWithDisabled: row.households_with_disabled,
      fisherHouseholds: row.fisher_households,
      fisherShare: row.fisher_share,
      vulnerableHouseholds: row.vulnerable_households,
    },
    shares: {
      poverty: share(row.households_desil_1_to_2),
      housing: share(row.rtlh_households),
      vulnerability: share(row.vulnerable_households),
      fishing: households > 0 ? row.fisher_share : 0,
      coastal: households > 0 && row.is_coastal ? 1 : 0,
    },
  });
}

/**
 * Thresholds on counts are aggregates too: "at least 1 household with KORBAN_NAPZA_HIV" would
 * reveal a count below k. Roles that see only suppressed aggregates must use thresholds ≥ k, and
 * may not filter on sensitive PAS at all.
 */
function assertNeedThresholdsAllowed(principal: Principal, filter: VillageFilterInput, argument: string, k: number): void {
  policy.assertPasFilterAllowed(principal, `${argument}.minHouseholdsWithPas`, filter.minHouseholdsWithPas?.map((n) => n.pas));
  if (!policy.suppressesSmallCounts(principal)) return;
  const thresholds: [string, number | null | undefined][] = [
    [`${argument}.minHouseholdsInDesil.atLeast`, filter.minHouseholdsInDesil?.atLeast],
    [`${argument}.minRtlhHouseholds`, filter.minRtlhHouseholds],
    ...(filter.minHouseholdsWithPas ?? []).map((n, i): [string, number] => [`${argument}.minHouseholdsWithPas[${i}].atLeast`, n.atLeast]),
  ];
  for (const [name, value] of thresholds) {
    if (value !== null && value !== undefined && value > 0 && value < k) {
      throw badInput(name, `must be 0 or at least ${k} for the ${principal.role} role (smaller thresholds would reveal counts below k = ${k}).`);
    }
  }
}

/**
 * Need statistics as this caller may see them. Exact where the caller may read the village's
 * records (ADMIN; PLANNER in its regions; PENDAMPING in its villages); elsewhere every count is
 * protected (`protectCount`: 1 … k−1 suppressed, larger counts rounded to a multiple of k), and
 * counts of PAS the caller may not see are withheld entirely.
 */
export function visibleNeedStatistics(stats: VillageNeedStatistics, principal: Principal, k: number, villageCode: string): VillageNeedStatistics {
  const hiddenPas = policy.hiddenPas(principal) as string[];
  if (policy.exactAggregates(principal, villageCode)) {
    return hiddenPas.length ? { ...stats, householdsByPas: stats.householdsByPas.map((p) => (hiddenPas.includes(p.pas) ? { pas: p.pas, households: null } : p)) } : stats;
  }
  const hide = (n: number | null) => (n === null ? null : protectCount(n, k));
  const households = hide(stats.households);
  const fishers = hide(stats.fisherHouseholds);
  return {
    households,
    members: hide(stats.members),
    householdsByDesil: stats.householdsByDesil.map((d) => ({ desil: d.desil, households: hide(d.households) })),
    householdsDesil1To2: hide(stats.householdsDesil1To2),
    householdsDesil1To4: hide(stats.householdsDesil1To4),
    householdsByPas: stats.householdsByPas.map((p) => ({ pas: p.pas, households: hiddenPas.includes(p.pas) ? null : hide(p.households) })),
    rtlhHouseholds: hide(stats.rtlhHouseholds),
    elderlyMembers: hide(stats.elderlyMembers),
    childMembers: hide(stats.childMembers),
    disabledMembers: hide(stats.disabledMembers),
    householdsWithElderly: hide(stats.householdsWithElderly),
    householdsWithDisabled: hide(stats.householdsWithDisabled),
    fisherHouseholds: fishers,
    // Derived from the protected counts, so it cannot be used to recover the exact ones.
    fisherShare: households && fishers !== null ? fishers / households : households === 0 ? 0 : null,
    vulnerableHouseholds: hide(stats.vulnerableHouseholds),
  };
}

/**
 * Priority for a caller: from exact shares where aggregates are exact, else from the protected
 * counts (null when the village's household count itself is suppressed).
 */
export function visiblePriority(village: Village, weights: PriorityWeights, principal: Principal, k: number) {
  if (policy.exactAggregates(principal, village.code)) return priorityOf(village, weights);
  const stats = visibleNeedStatistics(village.needStatistics, principal, k, village.code);
  if (!stats.households) return stats.households === 0 ? priorityOf(village, weights) : null;
  const share = (n: number | null) => Math.min(1, (n ?? 0) / stats.households!);
  const shares = {
    poverty: share(stats.householdsDesil1To2),
    housing: share(stats.rtlhHouseholds),
    vulnerability: share(stats.vulnerableHouseholds),
    fishing: stats.fisherShare ?? 0,
    coastal: village.shares.coastal,
  };
  return priorityOf(Object.assign(new Village(), village, { shares }), weights);
}

/**
 * The same formula as priorityScore() in village.queries.ts, which orders by it and builds the
 * villages page in SQL: the same operations in the same order, so both give the same double
 * (tests/graphql/villages-page.test.ts compares the two paths' response text). Change both or neither.
 */
export function priorityOf(village: Village, weights: PriorityWeights) {
  const components = COMPONENTS.map((name) => ({
    name,
    value: village.shares[name],
    weight: weights[name],
    points: 100 * village.shares[name] * weights[name],
  }));
  return { score: components.reduce((s, c) => s + c.points, 0), components };
}

