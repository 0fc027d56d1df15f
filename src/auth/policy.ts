/**
 * The access rules, in one place. Every path out of the system — GraphQL fields, FeatureCollection
 * and CSV exports, OGC API Features, vector tiles, audit records — asks this module, so no path can
 * drift from another.
 *
 * Row scope is SQL (a predicate over the `households` row aliased `h`), so rows a principal may
 * not see are never read, counted or paged over. Field rules (masking, sensitive PAS) are applied
 * where values are shaped, from the same functions.
 *
 * | role       | household rows                                   | names, address, exact location | NIK / KK | sensitive PAS |
 * |------------|--------------------------------------------------|--------------------------------|----------|---------------|
 * | ADMIN      | all                                              | yes                            | masked   | yes           |
 * | PLANNER    | in the token's regions (all when regions = "*")  | yes                            | masked   | yes           |
 * | PENDAMPING | in the assigned villages                         | yes                            | masked   | yes           |
 * | PARTNER    | households with an item it funds (or co-funds)   | yes (it must build the house)  | never    | no            |
 * |            | in an APPROVED, IN_PROGRESS or COMPLETED package; only its own items at those houses          |
 * | VIEWER     | none: aggregates and the suppressed grid only    | no                             | never    | no            |
 */
import { type SQL, sql } from 'drizzle-orm';
import { AppError, ErrorCode } from '../errors/errors.js';
import type { PasCode } from '../db/schema.js';
import type { Principal, Role } from './principal.js';
import { caseloadRowScope } from './caseload-scope.js';

/** PAS whose disclosure would expose health, violence or criminal-justice status. */
export const SENSITIVE_PAS_CODES: readonly PasCode[] = ['KORBAN_NAPZA_HIV', 'KORBAN_KEKERASAN', 'WARGA_BINAAN'];

/** The one grid aggregate-only roles see households on (GraphQL householdGrid, VIEWER household tiles): one size, so grids cannot be differenced. */
export const PROTECTED_GRID_CELL_METERS = 250;

export const forbidden = (message: string, details: Record<string, unknown> = {}) => new AppError(ErrorCode.FORBIDDEN, message, details);

const has = (principal: Principal, ...roles: Role[]) => roles.includes(principal.role);

/**
 * Package items funded by the partner in packages that are not cancelled. The aliases are unusual
 * on purpose: an outer reference such as `pk.village_code` passed into a predicate built on this
 * subquery would otherwise be captured by the inner alias and match every village.
 */
/** An item the partner funds: it is the item's funder, or it holds a funding share of it (pilots co-fund). */
const fundedByPartner = (principal: Principal, item: SQL) =>
  sql`(${item}.funder_code = ${principal.funder}
      OR EXISTS (SELECT 1 FROM package_item_funding policy_f WHERE policy_f.item_id = ${item}.id AND policy_f.funder_code = ${principal.funder}))`;

/** Items the partner funds in live (non-cancelled) packages: they open the village to its aggregates. */
const partnerItems = (principal: Principal) =>
  sql`SELECT 1 FROM package_items policy_pi JOIN packages policy_pk ON policy_pk.id = policy_pi.package_id
      WHERE ${fundedByPartner(principal, sql.raw('policy_pi'))} AND policy_pk.status <> 'CANCELLED'`;

/**
 * Packages from which works are delivered: APPROVED or later. Only these open a household's
 * personal data to a partner (purpose limitation, issue 13 class 7): an automatically proposed
 * DRAFT, or an ASSESSED or PLANNED package, is not yet a reason to know who lives where.
 */
export const DELIVERY_STATUSES = ['APPROVED', 'IN_PROGRESS', 'COMPLETED'] as const;

/** Items the partner funds in packages being delivered: they open the household record. */
const partnerDeliveryItems = (principal: Principal) =>
  sql`SELECT 1 FROM package_items policy_pi JOIN packages policy_pk ON policy_pk.id = policy_pi.package_id
      WHERE ${fundedByPartner(principal, sql.raw('policy_pi'))} AND policy_pk.status::text = ANY(${sql.param([...DELIVERY_STATUSES])}::text[])`;

export const policy = {
  /** May list household records (VIEWER sees households only as a suppressed grid). */
  canReadHouseholdRecords(principal: Principal): boolean {
    return !has(principal, 'VIEWER');
  },

  assertCanReadHouseholdRecords(principal: Principal, path: string): void {
    if (!this.canReadHouseholdRecords(principal)) {
      throw forbidden(`${path}: the ${principal.role} role sees households only in aggregate (use householdGrid or village needStatistics).`, { argument: path });
    }
  },

  /**
   * SQL predicate over the household row aliased `h`: true for rows the principal may read.
   * Everything that reads household rows ANDs this in.
   */
  householdRowScope(principal: Principal, h: SQL = sql.raw('h')): SQL {
    switch (principal.role) {
      case 'ADMIN':
        return sql`true`;
      case 'PLANNER':
        return principal.regionCodes === null ? sql`true` : regionPrefixMatch(sql`${h}.village_code`, principal.regionCodes);
      case 'PENDAMPING':
        return sql`${h}.village_code = ANY(${sql.param(principal.villageCodes)}::text[])`;
      case 'PARTNER':
        return sql`EXISTS (${partnerDeliveryItems(principal)} AND policy_pi.household_id = ${h}.id)`;
      case 'VIEWER':
        return sql`false`;
    }
  },

  /**
   * `householdRowScope` as disjoint predicates whose OR is the row scope: one per region of a
   * PLANNER holding several regions, else the row scope alone. A listing in id order reads each
   * part through its region's index and merges (household.source.ts, `householdPageRows`):
   * PostgreSQL 15 reads an OR or `= ANY` of regions through a bitmap (no order) or walks the id
   * index past every other region (0.7–1.5 s at 1M households).
   */
  householdRowScopeParts(principal: Principal, h: SQL = sql.raw('h')): SQL[] {
    if (principal.role !== 'PLANNER' || principal.regionCodes === null) return [this.householdRowScope(principal, h)];
    const codes = disjointRegionCodes(principal.regionCodes);
    if (codes.length <= 1) return [this.householdRowScope(principal, h)];
    return codes.map((code) => regionPrefixMatch(sql`${h}.village_code`, [code]));
  },

  /**
   * SQL predicate over a village code expression: villages whose aggregates the principal may see.
   * PARTNER: villages granted in its token, and pilot villages where a package has an item it funds.
   */
  villageScope(principal: Principal, villageCode: SQL): SQL {
    switch (principal.role) {
      case 'PARTNER':
        return sql`(${villageCode} = ANY(${sql.param(principal.villageCodes)}::text[])
          OR EXISTS (${partnerItems(principal)} AND policy_pk.village_code = ${villageCode}))`;
      default:
        return sql`true`;
    }
  },

  /**
   * SQL predicate over the household row aliased `h` for aggregates (grids, counts): VIEWER
   * aggregates everything, PARTNER its villages, every other role its row scope.
   */
  aggregateScope(principal: Principal, h: SQL = sql.raw('h')): SQL {
    if (principal.role === 'VIEWER') return sql`true`;
    if (principal.role === 'PARTNER') return this.villageScope(principal, sql`${h}.village_code`);
    return this.householdRowScope(principal, h);
  },

  /** Villages a principal may write assessments for (PENDAMPING: assigned; PLANNER: in regions). */
  assertCanAssess(principal: Principal, villageCode: string): void {
    if (has(principal, 'ADMIN')) return;
    if (has(principal, 'PENDAMPING') && principal.villageCodes.includes(villageCode)) return;
    if (has(principal, 'PLANNER') && inRegions(principal, villageCode)) return;
    throw forbidden(`Assessments in village ${villageCode} are not within the ${principal.role} role's assignment.`);
  },

  /** Create and edit packages: PLANNER within its regions, ADMIN anywhere. */
  assertCanPlan(principal: Principal, villageCode: string): void {
    if (has(principal, 'ADMIN')) return;
    if (has(principal, 'PLANNER') && inRegions(principal, villageCode)) return;
    throw forbidden(`Planning packages in village ${villageCode} needs the PLANNER role for that region (or ADMIN); you are ${principal.role}.`);
  },

  /** Read packages of a village: everyone who can see the village; PENDAMPING only its villages. */
  canReadPackagesOf(principal: Principal, villageCode: string): boolean {
    if (has(principal, 'PENDAMPING')) return principal.villageCodes.includes(villageCode);
    if (has(principal, 'PLANNER')) return inRegions(principal, villageCode);
    return true; // ADMIN, VIEWER (aggregates only), PARTNER (village scope is applied in SQL)
  },

  /** SQL twin of `canReadPackagesOf` over a village-code expression (PARTNER: its village scope). */
  packageVillageScope(principal: Principal, villageCode: SQL): SQL {
    switch (principal.role) {
      case 'ADMIN':
      case 'VIEWER':
        return sql`true`;
      case 'PLANNER':
        return principal.regionCodes === null ? sql`true` : regionPrefixMatch(villageCode, principal.regionCodes);
      case 'PENDAMPING':
        return sql`${villageCode} = ANY(${sql.param(principal.villageCodes)}::text[])`;
      case 'PARTNER':
        return this.villageScope(principal, villageCode);
    }
  },

  /**
   * Package items the principal may read, over `pkg` (packages), `item` (package_items) and `h`
   * (households LEFT JOINed on item.household_id): the package's village must be readable and an
   * item at a house is as personal as the household record, so it needs the household row scope
   * (a VIEWER sees facility items only).
   */
  packageItemScope(principal: Principal): SQL {
    // A partner sees, at a house, only the items it funds itself: not other funders' person items
    // (ATENSI for children, disability, elderly) at the houses it builds (issue 13, class 7).
    const ownAtHouse = principal.role === 'PARTNER' ? sql` AND ${fundedByPartner(principal, sql.raw('item'))}` : sql``;
    return sql`(${this.packageVillageScope(principal, sql`pkg.village_code`)}
      AND (item.household_id IS NULL OR (${this.householdRowScope(principal)} AND ${this.villageScope(principal, sql`h.village_code`)}${ownAtHouse})))`;
  },

  /**
   * KPM lifecycle records (memberships, graduations, referrals) over the household row aliased `h`:
   * the household row scope, and for PENDAMPING their own caseload; none for PARTNER and VIEWER.
   */
  caseloadScope(principal: Principal, h: SQL = sql.raw('h')): SQL {
    return caseloadRowScope(principal, sql`${h}.id`, this.householdRowScope(principal, h));
  },

  assertAdmin(principal: Principal, what: string): void {
    if (!has(principal, 'ADMIN')) throw forbidden(`${what} needs the ADMIN role; you are ${principal.role}.`);
  },

  /** The audit log of a package: ADMIN and the planners who may plan it. */
  assertCanReadAudit(principal: Principal, villageCode: string): void {
    if (has(principal, 'ADMIN') || (has(principal, 'PLANNER') && inRegions(principal, villageCode))) return;
    throw forbidden(`The audit log needs the ADMIN or PLANNER role; you are ${principal.role}.`);
  },

  seesSensitivePas(principal: Principal): boolean {
    return has(principal, 'ADMIN', 'PLANNER', 'PENDAMPING');
  },

  /** PAS codes hidden from this principal (empty when it sees all). */
  hiddenPas(principal: Principal): PasCode[] {
    return this.seesSensitivePas(principal) ? [] : [...SENSITIVE_PAS_CODES];
  },

  /** SQL text[] of the visible PAS of a `pas[]` expression, in PAS order. */
  visiblePasSql(principal: Principal, pas: SQL): SQL {
    const hidden = this.hiddenPas(principal);
    if (hidden.length === 0) return sql`${pas}::text[]`;
    return sql`ARRAY(SELECT p::text FROM unnest(${pas}) p WHERE p::text <> ALL(${sql.param(hidden)}::text[]) ORDER BY p)`;
  },

  visiblePas<T extends string>(principal: Principal, pas: readonly T[]): T[] {
    const hidden = this.hiddenPas(principal) as string[];
    return pas.filter((p) => !hidden.includes(p));
  },

  /** Refuses filters on PAS the principal may not see: a filter would reveal them by elimination. */
  assertPasFilterAllowed(principal: Principal, argument: string, pas: readonly string[] | null | undefined): void {
    const hidden = this.hiddenPas(principal) as string[];
    const used = (pas ?? []).filter((p) => hidden.includes(p));
    if (used.length) throw forbidden(`${argument}: the ${principal.role} role may not filter on sensitive PAS ${used.join(', ')}.`, { argument });
  },

  /** NIK / KK as any role may see them: first four and last four digits; null for PARTNER and VIEWER. */
  maskIdentifier(principal: Principal, value: string | null): string | null {
    if (value === null || has(principal, 'PARTNER', 'VIEWER')) return null;
    return `${value.slice(0, 4)}${'*'.repeat(Math.max(0, value.length - 8))}${value.slice(-4)}`;
  },

  /** Look a household up by an exact NIK or KK without revealing others: PLANNER and ADMIN. */
  assertCanSearchByIdentifier(principal: Principal): void {
    if (!has(principal, 'ADMIN', 'PLANNER')) throw forbidden(`Searching by NIK or family card number needs the PLANNER or ADMIN role; you are ${principal.role}.`);
  },

  /** Reads of personal data by anyone but ADMIN are themselves audited. */
  auditsPersonalReads(principal: Principal): boolean {
    return !has(principal, 'ADMIN');
  },

  /** Roles that see only aggregates everywhere (VIEWER, PARTNER). */
  suppressesSmallCounts(principal: Principal): boolean {
    return has(principal, 'VIEWER', 'PARTNER');
  },

  /**
   * Whether aggregates about a village are exact for this principal: ADMIN everywhere, PLANNER in
   * its regions, PENDAMPING in its villages — where they may read the records anyway. Everywhere
   * else counts are protected (see `protectCount`).
   */
  exactAggregates(principal: Principal, villageCode: string): boolean {
    if (has(principal, 'ADMIN')) return true;
    if (has(principal, 'PLANNER')) return inRegions(principal, villageCode);
    if (has(principal, 'PENDAMPING')) return principal.villageCodes.includes(villageCode);
    return false;
  },

  /**
   * How counts are shown to this principal, for descriptions (TileJSON, OGC): never "exact" to a
   * principal who gets protected counts anywhere (issue 13, class 6).
   */
  aggregatesDescription(principal: Principal, k: number): string {
    const protectedText = `counts from 1 to ${k - 1} are null (suppressed) and larger counts are rounded to a multiple of k = ${k}`;
    if (has(principal, 'ADMIN') || (has(principal, 'PLANNER') && principal.regionCodes === null)) return 'Counts are exact.';
    if (has(principal, 'PLANNER')) return `Counts are exact in your regions (${principal.regionCodes!.join(', ') || 'none'}); elsewhere ${protectedText}.`;
    if (has(principal, 'PENDAMPING')) return `Counts are exact in your assigned villages; elsewhere ${protectedText}.`;
    return `Counts are protected: ${protectedText}.`;
  },

  /** SQL twin of `exactAggregates` over a village-code expression. */
  exactAggregatesSql(principal: Principal, villageCode: SQL): SQL {
    switch (principal.role) {
      case 'ADMIN':
        return sql`true`;
      case 'PLANNER':
        return principal.regionCodes === null ? sql`true` : regionPrefixMatch(villageCode, principal.regionCodes);
      case 'PENDAMPING':
        return sql`${villageCode} = ANY(${sql.param(principal.villageCodes)}::text[])`;
      default:
        return sql`false`;
    }
  },
};

/** Either the count, or null when it is non-zero and below k (so a single family cannot be singled out). */
export function suppressBelowK(count: number, k: number): number | null {
  return count > 0 && count < k ? null : count;
}

/**
 * A protected count: 0 stays 0, 1 … k−1 become null (suppressed), k and more are rounded to the
 * nearest multiple of k. Rounding is what stops differencing: with exact large counts, a total
 * minus its visible parts would give back the one suppressed part.
 */
export function protectCount(count: number, k: number): number | null {
  if (count === 0) return 0;
  if (count < k) return null;
  return Math.round(count / k) * k;
}

/**
 * SQL twin of `protectCount`, applied unless `exact` holds. `k` is written as a literal, not a
 * parameter: it is configuration (K_ANONYMITY, one value per process), so the statement's text is
 * the same for every request either way, and a villages page protects a dozen counts three times
 * over — as parameters that were ~115 values to bind and send per request, and fragments that
 * could not be rendered once (village.queries.ts).
 */
export function protectCountSql(count: SQL, k: number, exact: SQL = sql`false`): SQL {
  if (!Number.isSafeInteger(k) || k < 1) throw new Error(`k-anonymity must be an integer ≥ 1; got ${k}`);
  const kText = sql.raw(String(k));
  return sql`CASE WHEN ${exact} OR ${count} = 0 THEN ${count} WHEN ${count} < ${kText} THEN NULL ELSE (round(${count}::numeric / ${kText}) * ${kText})::int END`;
}

function inRegions(principal: Principal, villageCode: string): boolean {
  return principal.regionCodes === null || principal.regionCodes.some((code) => villageCode === code || villageCode.startsWith(`${code}.`));
}

/**
 * Region codes are fixed-format Kemendagri codes (`PP.KK.DD.VVVV`, principal.ts and the
 * `regions_code_format` check): province, regency and district codes end at a component
 * boundary, 2, 5 and 8 characters long, and a village code is 13. So for a well-formed code x,
 * `left(x, length(c)) = c` holds exactly when x is c or lies under it ("33.74" covers "33.74" and
 * "33.74.*"; the character after a prefix is always the dot). Households, packages and regions
 * hold only well-formed codes (foreign keys to `regions`): the equivalence needs the column's
 * values to be well-formed ("33.74x" would pass `left(x, 5) = '33.74'`), which is why only
 * those columns are given to this module's region predicates.
 */
const REGION_CODE = /^\d{2}(\.\d{2}(\.\d{2}(\.\d{4})?)?)?$/;

/**
 * The codes without those another code covers ("33" covers "33.74"), without repeats, sorted:
 * the regions they name are disjoint, so a row lies in at most one of them.
 */
export function disjointRegionCodes(codes: readonly string[]): string[] {
  const unique = [...new Set(codes)].sort();
  return unique.filter((code) => !unique.some((other) => other !== code && code.startsWith(`${other}.`)));
}

/**
 * Rows of `column` in regions of one level (codes of one length). The prefix length is a literal,
 * never a parameter: the planner matches `left(village_code, 5)` to the expression index
 * households_regency_id_idx (migration 0019) only when the expression is the same, constant
 * included. One code is an equality, so the index returns the region's rows in id order and a
 * first page reads 50 index entries instead of walking the id index past other regions.
 */
function regionLevelMatch(column: SQL, codes: readonly string[]): SQL {
  const length = codes[0]!.length;
  // A village code is its own region: households_village_idx (village_code, id) serves it.
  const prefix = length === 13 ? column : sql`left(${column}, ${sql.raw(String(length))})`;
  return codes.length === 1 ? sql`${prefix} = ${codes[0]}` : sql`${prefix} = ANY(${sql.param([...codes])}::text[])`;
}

/**
 * "33.74" covers the region itself and every code below it ("33.74.*"), as a test on the code's
 * prefix (see REGION_CODE above), not LIKE or a range: a range on text is only right under a
 * C collation, and neither LIKE nor a range can use an index ordered by id within a region.
 * Several codes of one level share one `= ANY`; levels are ORed.
 */
function regionPrefixMatch(column: SQL, codes: readonly string[]): SQL {
  const disjoint = disjointRegionCodes(codes);
  if (disjoint.length === 0) return sql`false`;
  const byLength = new Map<number, string[]>();
  const malformed: string[] = [];
  for (const code of disjoint) {
    if (REGION_CODE.test(code)) byLength.set(code.length, [...(byLength.get(code.length) ?? []), code]);
    else malformed.push(code);
  }
  const parts = [...byLength.values()].map((level) => regionLevelMatch(column, level));
  // Tokens carry only well-formed codes (principal.ts). A principal built otherwise keeps the
  // meaning the JavaScript twin `inRegions` gives any code: itself, or below it after a dot.
  if (malformed.length) parts.push(likeBelow(column, malformed));
  return parts.length === 1 ? parts[0]! : sql`(${sql.join(parts, sql` OR `)})`;
}

/** `column` is one of `codes` or lies below one ("33.7" covers "33.7.1"); LIKE wildcards in codes are escaped. */
function likeBelow(column: SQL, codes: readonly string[]): SQL {
  const prefixes = codes.map((code) => `${code.replace(/[%_\\]/g, '\\$&')}.%`);
  return sql`(${column} = ANY(${sql.param([...codes])}::text[]) OR ${column} LIKE ANY(${sql.param(prefixes)}::text[]))`;
}
