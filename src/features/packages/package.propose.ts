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
import { eligibilityOf, type FunderRow, type InterventionRow } from '../catalog/index.js';
import type { HouseholdRow, MemberRow } from '../households/index.js';

export interface ProposeInput {
  households: HouseholdRow[];
  membersOf: Map<number, MemberRow[]>;
  interventions: InterventionRow[];
  funders: FunderRow[];
  budgets: Map<string, number>;
  candidates: { lon: number; lat: number }[];
  /**
   * Facilities already there: existing facilities of the village and sites of its other approved
   * packages. `serves` lists the groups each really serves; EVERYONE serves no target group.
   * `publicBuilding`: a ramp may attach to it (`accessible` ones need none).
   */
  existingFacilities: { serves: string[]; lon: number; lat: number; name: string; publicBuilding: boolean; accessible: boolean }[];
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

/** One decision of the proposal with its reason: returned to the planner, and audited. */
export interface Decision {
  decision: 'SITED' | 'NOT_SITED' | 'SKIPPED' | 'FLAGGED' | 'BUDGET';
  interventionCode: string | null;
  serves: string | null;
  reason: string;
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
const rp = (n: number) => `Rp${n.toLocaleString('en')}`;

export function propose(input: ProposeInput): { items: ProposedItem[]; decisions: Decision[] } {
  const decisions: Decision[] = [];
  const remaining = new Map(input.budgets);
  const funderOf = new Map(input.funders.map((f) => [f.code, f]));
  const payerOf = (i: InterventionRow) => i.funder_codes.find((f) => remaining.has(f)) ?? i.funder_code;
  const usable = input.interventions.filter((i) => i.is_active && i.funder_codes.some((f) => remaining.has(f))).sort((a, b) => a.code.localeCompare(b.code));
  const items: ProposedItem[] = [];
  const position = new Map(input.households.map((h) => [h.id, lonLat(h)]));
  const within = (lon: number, lat: number, id: number) => {
    const [x, y] = position.get(id)!;
    return distanceMeters(lon, lat, x, y) <= input.radiusMeters;
  };

  // Households within reach of each candidate site, computed once (candidates × households distances).
  let near: number[][] | null = null;
  const nearCandidate = () => (near ??= input.candidates.map((c) => input.households.filter((h) => within(c.lon, c.lat, h.id)).map((h) => h.id)));

  // 1. Facilities. A facility counts only for the groups it serves (EVERYONE serves no target group).
  const facilityCap = new Map([...remaining].map(([f, b]) => [f, Math.floor(b * input.facilityBudgetShare)]));
  if (input.candidates.length === 0) decisions.push({ decision: 'NOT_SITED', interventionCode: null, serves: null, reason: 'No facility was sited: the village has no boundary to place candidate sites in.' });
  const facilities = usable.filter((i) => i.target === 'FACILITY' && i.serves && TARGET[i.serves]);
  const isRamp = (i: InterventionRow) => i.category === 'DISABILITY_ACCESS';
  // One slot per kind (target group; ramps and accessible paths are their own kind, the
  // "accessible" one). A slot takes the most complete facility of its kind that the share still
  // affords (MCK_KOMUNAL before SEPTIC_TANK before PERBAIKAN_MCK), so a kind is covered before a
  // second of any kind. Slots go cheapest first, so the facility share covers as many kinds as it
  // can; ramps go last, because they attach to a public building, existing or sited this round.
  const slotsOf = new Map<string, InterventionRow[]>();
  for (const f of facilities) {
    const key = isRamp(f) ? `ACCESS:${f.serves}` : f.serves!;
    slotsOf.set(key, [...(slotsOf.get(key) ?? []), f]);
  }
  const slots = [...slotsOf.entries()].map(([key, options]) => ({
    key,
    group: options[0]!.serves!,
    ramp: isRamp(options[0]!),
    options: [...options].sort((a, b) => b.unit_cost_idr - a.unit_cost_idr || a.code.localeCompare(b.code)),
  }));
  const cheapest = (slot: (typeof slots)[number]) => Math.min(...slot.options.map((o) => o.unit_cost_idr));
  slots.sort((a, b) => Number(a.ramp) - Number(b.ramp) || cheapest(a) - cheapest(b) || FACILITY_ORDER.indexOf(a.group) - FACILITY_ORDER.indexOf(b.group) || a.key.localeCompare(b.key));
  const open = new Map<string, Set<number>>();
  for (const group of FACILITY_ORDER) {
    const sites = input.existingFacilities.filter((f) => f.serves.includes(group));
    open.set(group, new Set(input.households.filter((h) => TARGET[group]!(h) && !sites.some((s) => within(s.lon, s.lat, h.id))).map((h) => h.id)));
  }
  const planned: { lon: number; lat: number; name: string }[] = [];
  const active = new Set(input.candidates.length ? slots : []);
  /** Kinds with need that got no site in round 0: no kind gets a second site while one is uncovered. */
  const uncovered: string[] = [];
  const shareOf = (i: InterventionRow) => i.funder_codes.filter((f) => facilityCap.has(f)).map((f) => `${f} ${rp(facilityCap.get(f)!)}`).join(', ') || 'no funder of it has a budget';
  for (let round = 0; round < input.maxSitesPerFacility && active.size > 0; round++) {
    if (round > 0 && uncovered.length) {
      decisions.push({ decision: 'SKIPPED', interventionCode: null, serves: null, reason: `No second site of any facility: ${uncovered.join(', ')} still ha${uncovered.length > 1 ? 've' : 's'} none (every needed kind is covered before a second of any kind).` });
      break;
    }
    for (const slot of slots) {
      if (!active.has(slot)) continue;
      const group = slot.group;
      const unserved = open.get(group)!;
      const label = slot.options.map((o) => o.code).join('/');
      if (unserved.size < input.minHouseholdsPerSite) {
        if (round === 0) decisions.push({ decision: 'NOT_SITED', interventionCode: slot.options[0]!.code, serves: group, reason: `${label} not needed: ${unserved.size} ${group} household(s) are beyond ${input.radiusMeters} m of a suitable facility (a site needs at least ${input.minHouseholdsPerSite}).` });
        active.delete(slot);
        continue;
      }
      const affordable = (i: InterventionRow) => i.funder_codes.find((f) => (facilityCap.get(f) ?? 0) >= i.unit_cost_idr && (remaining.get(f) ?? 0) >= i.unit_cost_idr);
      const facility = slot.options.find((o) => affordable(o));
      if (!facility) {
        const last = slot.options[slot.options.length - 1]!;
        decisions.push({ decision: 'NOT_SITED', interventionCode: last.code, serves: group, reason: `${label} not sited${round ? ' again' : ''}: even ${last.code} at ${rp(last.unit_cost_idr)} exceeds the remaining facility share (${shareOf(last)}; facilityBudgetShare ${input.facilityBudgetShare}).` });
        if (round === 0) uncovered.push(label);
        active.delete(slot);
        continue;
      }
      const funder = affordable(facility)!;
      // Ramps: only at public buildings (existing and not yet accessible, or planned in this proposal).
      const sites = slot.ramp ? [...input.existingFacilities.filter((f) => f.publicBuilding && !f.accessible), ...planned].map((b) => ({ lon: b.lon, lat: b.lat, name: b.name })) : null;
      let best = -1;
      let bestCount = 0;
      const reachable = sites ? sites.map((b) => input.households.filter((h) => unserved.has(h.id) && within(b.lon, b.lat, h.id)).map((h) => h.id)) : nearCandidate();
      reachable.forEach((ids, index) => {
        let count = 0;
        for (const id of ids) if (unserved.has(id)) count++;
        if (count > bestCount) {
          best = index;
          bestCount = count;
        }
      });
      if (best < 0 || bestCount < input.minHouseholdsPerSite) {
        if (round === 0) {
          decisions.push({
            decision: 'NOT_SITED',
            interventionCode: facility.code,
            serves: group,
            reason:
              sites && sites.length === 0
                ? `${facility.code} not sited: ramps and accessible paths attach to a public building, and the village has none recorded or planned (add existing facilities or a public building first).`
                : `${facility.code} not sited: no ${sites ? 'public building' : 'site'} brings ${input.minHouseholdsPerSite} or more unserved ${group} households within ${input.radiusMeters} m.`,
          });
          uncovered.push(facility.code);
        }
        active.delete(slot);
        continue;
      }
      const site = sites ? sites[best]! : input.candidates[best]!;
      items.push({ interventionCode: facility.code, funderCode: funder, householdId: null, memberId: null, locationWgs84: [site.lon, site.lat], unitCostIdr: facility.unit_cost_idr, serves: bestCount });
      decisions.push({
        decision: 'SITED',
        interventionCode: facility.code,
        serves: group,
        reason: `${facility.code} #${round + 1} sited${sites ? ` at ${sites[best]!.name}` : ''}, paid by ${funder}: brings ${bestCount} unserved ${group} households within ${input.radiusMeters} m.`,
      });
      if (!slot.ramp) planned.push({ lon: site.lon, lat: site.lat, name: `${facility.name_id} (planned)` });
      remaining.set(funder, remaining.get(funder)! - facility.unit_cost_idr);
      facilityCap.set(funder, facilityCap.get(funder)! - facility.unit_cost_idr);
      for (const id of reachable[best]!) unserved.delete(id);
    }
  }

  // 2. Households in need order.
  const byNeed = [...input.households].sort((a, b) => needScore(b) - needScore(a) || a.id - b.id);
  const housing = usable.filter((i) => i.is_housing && i.target === 'HOUSEHOLD');
  const economic = usable.filter((i) => i.category === 'ECONOMIC_EMPOWERMENT' && i.target !== 'FACILITY');
  const rehab = usable.filter((i) => !i.is_housing && i.category !== 'ECONOMIC_EMPOWERMENT' && i.target === 'PERSON');
  const fits = (i: InterventionRow) => (remaining.get(payerOf(i)) ?? 0) >= i.unit_cost_idr;
  const take = (i: InterventionRow, householdId: number, memberId: number | null) => {
    const funder = payerOf(i);
    items.push({ interventionCode: i.code, funderCode: funder, householdId, memberId, locationWgs84: null, unitCostIdr: i.unit_cost_idr });
    remaining.set(funder, remaining.get(funder)! - i.unit_cost_idr);
  };
  const eligibleFor = (h: HouseholdRow, i: InterventionRow) => eligibilityOf(i, funderOf.get(payerOf(i))!, h, input.membersOf.get(h.id) ?? []);
  // A priority rule (RLHB: desil 1–2) serves its households first: the others wait for a second pass.
  const deferred: HouseholdRow[] = [];
  const house = (h: HouseholdRow, secondPass: boolean) => {
    if (input.alreadyHoused.has(h.id)) return;
    const options = housing.filter((i) => {
      if (!fits(i)) return false;
      const result = eligibleFor(h, i);
      return result.eligible && (secondPass || result.priority !== false);
    });
    options.sort((a, b) => {
      const zakat = (i: InterventionRow) => (h.is_mustahik && funderOf.get(payerOf(i))!.requires_mustahik ? 0 : 1);
      return zakat(a) - zakat(b) || a.unit_cost_idr - b.unit_cost_idr || a.code.localeCompare(b.code);
    });
    if (options[0]) take(options[0], h.id, null);
    else if (!secondPass) deferred.push(h);
  };
  for (const h of byNeed) {
    const eligible = (i: InterventionRow) => eligibleFor(h, i);
    house(h, false);
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
  for (const h of deferred) house(h, true);
  return { items, decisions };
}

