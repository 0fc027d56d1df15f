/**
 * The proposal algorithm: from a village's households, the catalog and budgets per funder, a
 * draft package that covers as much need as possible. Pure and deterministic: the same inputs
 * always give the same items (ties are broken by id or by site order, never by chance).
 *
 * Need score (integer, 4–110), higher = served first:
 *   4 × (11 − desil)            poverty: desil 1 → 40, desil 10 → 4
 * + 20 if the house is RTLH     housing need
 * + 5 per PAS tag, at most 4    social vulnerability (max 20)
 * + 5 each for an elderly, a disabled and a child member
 *
 * Steps:
 * 1. Facilities. For each FACILITY intervention serving a target group (ELDERLY, DISABLED,
 *    CHILD, SANITATION), greedy maximum coverage: repeatedly place a site at the candidate (a grid
 *    inside the village boundary) that brings the most still-unserved target households within
 *    `radiusMeters`, while it brings at least `minHouseholdsPerSite`, the funder's facility share
 *    (`facilityBudgetShare` of its budget) allows, and at most `maxSitesPerFacility` sites.
 *    Facility kinds take turns (round robin: every kind's first site before any kind's second),
 *    so one target group cannot use up a funder's facility share.
 *    Greedy maximum coverage reaches at least 1 − 1/e ≈ 63% of the best possible coverage for the
 *    same number of sites (Nemhauser, Wolsey & Fisher 1978).
 * 2. Households, in need order (score descending, then id). For each household:
 *    a. at most one housing intervention, among those it is eligible for whose funder still has
 *       budget; a funder restricted to mustahik is preferred for a mustahik household (zakat money
 *       goes where only it may go, leaving general budgets for the others), then the cheaper one;
 *    b. at most one economic-empowerment intervention (household, or the first eligible member);
 *    c. every social-rehabilitation or disability PERSON intervention each member is eligible for.
 *    An item is added only if it fits its funder's remaining budget.
 *
 * Guarantees: budgets are never exceeded; every item passes its eligibility rule including the
 * funder's rules (BAZNAS: mustahik only); at most one housing item per household (also counting
 * housing in the village's other live packages); facilities lie inside the village boundary.
 */
import type { FunderRow, InterventionRow } from '../catalog/catalog.queries.js';
import { eligibilityOf } from '../catalog/catalog.service.js';
import type { HouseholdRow, MemberRow } from '../households/household.queries.js';

export interface ProposeInput {
  households: HouseholdRow[];
  membersOf: Map<number, MemberRow[]>;
  interventions: InterventionRow[];
  funders: FunderRow[];
  budgets: Map<string, number>;
  candidates: { lon: number; lat: number }[];
  existingFacilities: { serves: string; lon: number; lat: number }[];
  /** Households that already hold a housing item in another live package. */
  alreadyHoused: Set<number>;
  radiusMeters: number;
  facilityBudgetShare: number;
  maxSitesPerFacility: number;
  minHouseholdsPerSite: number;
}

export interface ProposedItem {
  interventionCode: string;
  funderCode: string;
  householdId: number | null;
  memberId: number | null;
  locationWgs84: [number, number] | null;
  unitCostIdr: number;
  /** Target households a facility brings within reach. */
  serves?: number;
}

export function needScore(h: HouseholdRow): number {
  return 4 * (11 - h.desil) + (h.is_rtlh ? 20 : 0) + 5 * Math.min(h.pas.length, 4) + (h.has_elderly ? 5 : 0) + (h.has_disabled ? 5 : 0) + (h.has_child ? 5 : 0);
}

/** Geodesic distance on the WGS84 mean sphere (R = 6,371,008.8 m), metres; accurate to ~0.5% at village scale. */
export function distanceMeters(lon1: number, lat1: number, lon2: number, lat2: number): number {
  const rad = Math.PI / 180;
  const dLat = (lat2 - lat1) * rad;
  const dLon = (lon2 - lon1) * rad;
  const a = Math.sin(dLat / 2) ** 2 + Math.cos(lat1 * rad) * Math.cos(lat2 * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * 6_371_008.8 * Math.asin(Math.min(1, Math.sqrt(a)));
}

const TARGET: Record<string, (h: HouseholdRow) => boolean> = {
  ELDERLY: (h) => h.has_elderly,
  DISABLED: (h) => h.has_disabled,
  CHILD: (h) => h.has_child,
  SANITATION: (h) => !h.has_own_toilet,
};
const FACILITY_ORDER = ['DISABLED', 'ELDERLY', 'CHILD', 'SANITATION'];

const lonLat = (h: HouseholdRow) => (JSON.parse(h.location) as { coordinates: [number, number] }).coordinates;

export function propose(input: ProposeInput): { items: ProposedItem[]; notes: string[] } {
  const notes: string[] = [];
  const remaining = new Map(input.budgets);
  const funderOf = new Map(input.funders.map((f) => [f.code, f]));
  const usable = input.interventions.filter((i) => i.is_active && remaining.has(i.funder_code)).sort((a, b) => a.code.localeCompare(b.code));
  const items: ProposedItem[] = [];
  const position = new Map(input.households.map((h) => [h.id, lonLat(h)]));

  // Households within reach of each candidate site, computed once (candidates × households distances).
  let near: number[][] | null = null;
  const nearCandidate = () =>
    (near ??= input.candidates.map((c) => input.households.filter((h) => {
      const [x, y] = position.get(h.id)!;
      return distanceMeters(c.lon, c.lat, x, y) <= input.radiusMeters;
    }).map((h) => h.id)));

  // 1. Facilities, greedy maximum coverage per target group.
  const facilityCap = new Map([...remaining].map(([f, b]) => [f, Math.floor(b * input.facilityBudgetShare)]));
  if (input.candidates.length === 0) notes.push('No facility was sited: the village has no boundary to place candidate sites in.');
  const facilities = usable.filter((i) => i.target === 'FACILITY' && i.serves && TARGET[i.serves]);
  facilities.sort((a, b) => FACILITY_ORDER.indexOf(a.serves!) - FACILITY_ORDER.indexOf(b.serves!) || a.code.localeCompare(b.code));
  const reach = (lon: number, lat: number, h: HouseholdRow) => {
    const [x, y] = position.get(h.id)!;
    return distanceMeters(lon, lat, x, y) <= input.radiusMeters;
  };
  // Target households of each group not yet within reach of a suitable facility.
  const open = new Map<string, Set<number>>();
  for (const group of FACILITY_ORDER) {
    const sites = input.existingFacilities.filter((f) => f.serves === group || f.serves === 'EVERYONE');
    open.set(group, new Set(input.households.filter((h) => TARGET[group]!(h) && !sites.some((s) => reach(s.lon, s.lat, h))).map((h) => h.id)));
  }
  // Round robin: every facility kind gets its first site before any gets a second, so one
  // target group cannot use up the facility share of a funder.
  const active = new Set(input.candidates.length ? facilities : []);
  for (let round = 0; round < input.maxSitesPerFacility && active.size > 0; round++) {
    for (const facility of facilities) {
      if (!active.has(facility)) continue;
      const unserved = open.get(facility.serves!)!;
      const cap = facilityCap.get(facility.funder_code) ?? 0;
      if (facility.unit_cost_idr > cap || facility.unit_cost_idr > (remaining.get(facility.funder_code) ?? 0)) {
        if (round === 0) notes.push(`${facility.code} not sited: its cost exceeds ${facility.funder_code}'s remaining facility share.`);
        active.delete(facility);
        continue;
      }
      let best = -1;
      let bestCount = 0;
      nearCandidate().forEach((near, index) => {
        let count = 0;
        for (const id of near) if (unserved.has(id)) count++;
        if (count > bestCount) {
          best = index;
          bestCount = count;
        }
      });
      if (best < 0 || bestCount < input.minHouseholdsPerSite) {
        active.delete(facility);
        continue;
      }
      const site = input.candidates[best]!;
      items.push({ interventionCode: facility.code, funderCode: facility.funder_code, householdId: null, memberId: null, locationWgs84: [site.lon, site.lat], unitCostIdr: facility.unit_cost_idr, serves: bestCount });
      remaining.set(facility.funder_code, remaining.get(facility.funder_code)! - facility.unit_cost_idr);
      facilityCap.set(facility.funder_code, cap - facility.unit_cost_idr);
      for (const id of nearCandidate()[best]!) unserved.delete(id);
    }
  }

  // 2. Households in need order.
  const ordered = [...input.households].sort((a, b) => needScore(b) - needScore(a) || a.id - b.id);
  const housing = usable.filter((i) => i.is_housing && i.target === 'HOUSEHOLD');
  const economic = usable.filter((i) => i.category === 'ECONOMIC_EMPOWERMENT' && i.target !== 'FACILITY');
  const rehab = usable.filter((i) => !i.is_housing && i.category !== 'ECONOMIC_EMPOWERMENT' && i.target === 'PERSON');
  const fits = (i: InterventionRow) => (remaining.get(i.funder_code) ?? 0) >= i.unit_cost_idr;
  const take = (i: InterventionRow, householdId: number, memberId: number | null) => {
    items.push({ interventionCode: i.code, funderCode: i.funder_code, householdId, memberId, locationWgs84: null, unitCostIdr: i.unit_cost_idr });
    remaining.set(i.funder_code, remaining.get(i.funder_code)! - i.unit_cost_idr);
  };
  for (const h of ordered) {
    const members = input.membersOf.get(h.id) ?? [];
    const eligible = (i: InterventionRow) => eligibilityOf(i, funderOf.get(i.funder_code)!, h, members);
    if (!input.alreadyHoused.has(h.id)) {
      const options = housing.filter((i) => fits(i) && eligible(i).eligible);
      options.sort((a, b) => {
        const zakat = (i: InterventionRow) => (h.is_mustahik && funderOf.get(i.funder_code)!.requires_mustahik ? 0 : 1);
        return zakat(a) - zakat(b) || a.unit_cost_idr - b.unit_cost_idr || a.code.localeCompare(b.code);
      });
      if (options[0]) take(options[0], h.id, null);
    }
    for (const i of economic) {
      if (!fits(i)) continue;
      const result = eligible(i);
      if (!result.eligible) continue;
      take(i, h.id, i.target === 'PERSON' ? result.eligibleMemberIds[0]! : null);
      break;
    }
    for (const i of rehab) {
      const result = eligible(i);
      for (const memberId of result.eligibleMemberIds) if (fits(i)) take(i, h.id, memberId);
    }
  }
  return { items, notes };
}

