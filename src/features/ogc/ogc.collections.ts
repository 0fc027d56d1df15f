/**
 * The collections of the OGC API: what each holds, its properties, its filter parameters,
 * and who may read it. The router, the OpenAPI document and docs/gis-clients.md are all driven by
 * these definitions, so a filter cannot exist in one and be missing from another.
 *
 * Filter parameters are named after the property they test (OGC API Features
 * /rec/core/fc-filters), so GDAL and QGIS push simple `property = value` filters to the server;
 * a few short aliases (village, regency, coastal, …) are accepted too.
 */
import { policy } from '../../auth/policy.js';
import type { Principal } from '../../auth/principal.js';
import { FACILITY_SERVES, INTERVENTION_CATEGORIES, INTERVENTION_TARGETS, ITEM_PROGRESS, LIVELIHOODS, PACKAGE_STATUSES, PAS_CODES } from '../../db/schema.js';
import { parseRegionCode, RegionLevel } from '../regions/index.js';
import { badParameter } from './ogc.http.js';
import { parseBoolean, parseCode, parseEnumList, parseInteger, type BboxCrs84, type QueryReader } from './ogc.params.js';
import {
  existingFacilitySource,
  facilitySource,
  householdSource,
  packageItemSource,
  villageGraduationSource,
  villageSource,
  type ExistingFacilityFilters,
  type VillageGraduationFilters,
  type HouseholdFilters,
  type PackageItemFilters,
  type Source,
  type VillageFilters,
} from './ogc.queries.js';

/** What a source may need besides the principal and the filters (GisDeps provides it). */
export interface SourceSettings {
  kAnonymity: number;
  graduationTargetPerYear: number;
}

/** A JSON Schema fragment (OpenAPI 3.0 dialect). */
export type Schema = Record<string, unknown>;

interface Filter<F> {
  name: string;
  aliases?: readonly string[];
  description: string;
  schema: Schema;
  /** Parses `raw` (sent as parameter `used`: the name or an alias) into `target`; throws 400 (bad value) or 403 (a filter the role may not use). */
  apply(raw: string, target: F, principal: Principal, used: string): void;
}

interface Definition<F> {
  id: string;
  title: string;
  description: string;
  keyType: 'integer' | 'string';
  geometryType: 'MultiPolygon' | 'Point';
  properties: Record<string, Schema & { description: string }>;
  filters: Filter<F>[];
  /** Why the principal may not read this collection (403), or null when it may. */
  refusal(principal: Principal): string | null;
  /** Cross-parameter checks after every filter was applied. */
  validate?(filters: F): void;
  source(principal: Principal, filters: F, settings: SourceSettings): Source;
}

export interface FilterDoc {
  name: string;
  aliases: readonly string[];
  description: string;
  schema: Schema;
}

/** A collection with its filter type erased: what the service and the OpenAPI document use. */
export interface Collection {
  id: string;
  title: string;
  description: string;
  keyType: 'integer' | 'string';
  geometryType: 'MultiPolygon' | 'Point';
  properties: Record<string, Schema & { description: string }>;
  filters: FilterDoc[];
  refusal(principal: Principal): string | null;
  /** The access-scoped, filtered source, plus a normal form of the filters (for the cursor's scope hash). */
  select(reader: QueryReader, principal: Principal, bbox: BboxCrs84 | undefined, settings: SourceSettings): { source: Source; filters: unknown };
  /** The access-scoped source without filters (extents, single features). */
  unfiltered(principal: Principal, settings: SourceSettings): Source;
}

function collection<F extends { bbox?: BboxCrs84 }>(d: Definition<F>): Collection {
  return {
    id: d.id,
    title: d.title,
    description: d.description,
    keyType: d.keyType,
    geometryType: d.geometryType,
    properties: d.properties,
    filters: d.filters.map((f) => ({ name: f.name, aliases: f.aliases ?? [], description: f.description, schema: f.schema })),
    refusal: d.refusal,
    select(reader, principal, bbox, settings) {
      const filters = {} as F;
      if (bbox) filters.bbox = bbox;
      for (const filter of d.filters) {
        const found = reader.get(filter.name, filter.aliases);
        if (found !== undefined) filter.apply(found.value, filters, principal, found.name);
      }
      d.validate?.(filters);
      return { source: d.source(principal, filters, settings), filters };
    },
    unfiltered: (principal, settings) => d.source(principal, {} as F, settings),
  };
}

// --- filter helpers ---------------------------------------------------------------------------

const enumSchema = (values: readonly string[]): Schema => ({ type: 'string', description: `One or more of ${values.join(', ')}, comma-separated.`, example: values[0] });

function regionFilter<F>(name: string, aliases: string[], level: RegionLevel, example: string, set: (t: F, code: string) => void): Filter<F> {
  return {
    name,
    aliases,
    description: `Only features in this ${level.toLowerCase()} (Kemendagri code, e.g. ${example}).`,
    schema: { type: 'string', pattern: { PROVINCE: '^\\d{2}$', REGENCY: '^\\d{2}\\.\\d{2}$', DISTRICT: '^\\d{2}\\.\\d{2}\\.\\d{2}$', VILLAGE: '^\\d{2}\\.\\d{2}\\.\\d{2}\\.\\d{4}$' }[level], example },
    apply: (raw, target, _principal, used) => set(target, parseRegionCode(raw, used, level)),
  };
}

function booleanFilter<F>(name: string, aliases: string[], description: string, set: (t: F, v: boolean) => void): Filter<F> {
  return { name, aliases, description, schema: { type: 'boolean' }, apply: (raw, target, _principal, used) => set(target, parseBoolean(used, raw) as boolean) };
}

function enumFilter<F, V extends string = string>(name: string, values: readonly V[], description: string, set: (t: F, v: V[]) => void): Filter<F> {
  return { name, description, schema: enumSchema(values), apply: (raw, target) => set(target, parseEnumList(name, raw, values) as V[]) };
}

const desilFilter = <F>(name: string, description: string, set: (t: F, v: number) => void): Filter<F> => ({
  name,
  description,
  schema: { type: 'integer', minimum: 1, maximum: 10 },
  apply: (raw, target) => set(target, parseInteger(name, raw, 1, 10) as number),
});

const nullableInteger = (description: string) => ({ type: 'integer', nullable: true, description });

// --- the collections --------------------------------------------------------------------------

const villages = collection<VillageFilters>({
  id: 'villages',
  title: 'Villages (desa/kelurahan) with need statistics',
  description:
    'Village boundaries (MultiPolygon) with aggregated need statistics from the social registry. Feature id = Kemendagri village code. ' +
    'For VIEWER and PARTNER, counts from 1 to k − 1 (K_ANONYMITY, default 5) are null; PARTNER sees only its villages.',
  keyType: 'string',
  geometryType: 'MultiPolygon',
  properties: {
    code: { type: 'string', description: 'Kemendagri village code PP.KK.CC.DDDD.' },
    name: { type: 'string', description: 'Village name.' },
    kind: { type: 'string', enum: ['DESA', 'KELURAHAN', 'DESA_ADAT'], description: 'Desa, kelurahan or desa adat.' },
    district_code: { type: 'string', description: 'Kecamatan code.' },
    regency_code: { type: 'string', description: 'Kabupaten/kota code.' },
    province_code: { type: 'string', description: 'Province code.' },
    area_km2: { type: 'number', description: 'Geodesic area, km².' },
    is_coastal: { type: 'boolean', description: 'Coastal village (see README, "Coastal flag").' },
    households: nullableInteger('Registry households mapped in the village (null when suppressed).'),
    members: nullableInteger('Household members.'),
    households_desil_1_to_2: nullableInteger('Households in desil 1–2.'),
    households_desil_1_to_4: nullableInteger('Households in desil 1–4.'),
    rtlh_households: nullableInteger('Households in an RTLH house (unfit to live in).'),
    vulnerable_households: nullableInteger('Households with LANSIA_TERLANTAR, DISABILITAS, ANAK_RENTAN or PEREMPUAN_RENTAN.'),
    households_with_elderly: nullableInteger('Households with a member aged 60+.'),
    households_with_disabled: nullableInteger('Households with a member with a disability.'),
    fisher_share: { type: 'number', nullable: true, description: 'Share of fisher and fish-farmer households, 0–1 (null when the household count is suppressed).' },
    priority_score: { type: 'number', description: 'Priority score 0–100 with the default weights (see README, "Priority score").' },
  },
  filters: [
    regionFilter('province_code', ['province'], RegionLevel.PROVINCE, '33', (t, v) => (t.provinceCode = v)),
    regionFilter('regency_code', ['regency'], RegionLevel.REGENCY, '33.74', (t, v) => (t.regencyCode = v)),
    regionFilter('district_code', ['district'], RegionLevel.DISTRICT, '33.74.02', (t, v) => (t.districtCode = v)),
    booleanFilter('is_coastal', ['coastal'], 'Only coastal (true) or inland (false) villages.', (t, v) => (t.coastal = v)),
    enumFilter('kind', ['DESA', 'KELURAHAN', 'DESA_ADAT'], 'Only villages of these kinds.', (t, v) => (t.kinds = v)),
  ],
  refusal: () => null,
  source: villageSource,
});

const households = collection<HouseholdFilters>({
  id: 'households',
  title: 'Registry households (points)',
  description:
    'Households of the social registry at their house (Point). Feature id = household id. No names, NIK, KK or addresses. ' +
    'ADMIN all, PLANNER its regions, PENDAMPING its villages, PARTNER the households receiving an item it funds; VIEWER is refused ' +
    '(use the vector tiles /tiles/households/{z}/{x}/{y}.mvt, a grid of counts for VIEWER). Reads by non-admins are audited.',
  keyType: 'integer',
  geometryType: 'Point',
  properties: {
    id: { type: 'integer', description: 'Household id.' },
    village_code: { type: 'string', description: 'Kemendagri village code.' },
    desil: { type: 'integer', minimum: 1, maximum: 10, description: 'Welfare decile (1 = poorest 10%).' },
    livelihood: { type: 'string', enum: [...LIVELIHOODS], description: 'Main livelihood of the household.' },
    pas: { type: 'array', items: { type: 'string', enum: [...PAS_CODES] }, description: 'PAS tags of the household and its members (sensitive PAS only for ADMIN, PLANNER, PENDAMPING).' },
    is_rtlh: { type: 'boolean', description: 'The house fails the active RTLH rule.' },
    rtlh_reasons: { type: 'array', items: { type: 'string' }, description: 'RTLH criteria the house fails.' },
    member_count: { type: 'integer', description: 'Household members.' },
    has_elderly: { type: 'boolean', description: 'A member is 60 or older.' },
    has_child: { type: 'boolean', description: 'A member is under 18.' },
    has_disabled: { type: 'boolean', description: 'A member has a disability.' },
    is_mustahik: { type: 'boolean', description: 'Entitled to zakat.' },
  },
  filters: [
    regionFilter('village_code', ['village'], RegionLevel.VILLAGE, '33.74.02.1008', (t, v) => (t.villageCode = v)),
    {
      name: 'pas',
      description: 'Households carrying at least one of these PAS (comma-separated). Sensitive PAS are refused (403) for PARTNER and VIEWER.',
      schema: enumSchema(PAS_CODES),
      apply(raw, target, principal) {
        const pas = parseEnumList('pas', raw, PAS_CODES) as (typeof PAS_CODES)[number][];
        policy.assertPasFilterAllowed(principal, 'pas', pas);
        target.pasAny = pas;
      },
    },
    desilFilter('desil', 'Only households in this desil.', (t, v) => (t.desil = v)),
    desilFilter('desil_min', 'Only households in this desil or above.', (t, v) => (t.desilMin = v)),
    desilFilter('desil_max', 'Only households in this desil or below (desil_max=2: the poorest 20%).', (t, v) => (t.desilMax = v)),
    booleanFilter('is_rtlh', [], 'Only households whose house is (true) or is not (false) RTLH.', (t, v) => (t.isRtlh = v)),
    booleanFilter('has_elderly', [], 'Only households with (true) or without (false) a member aged 60+.', (t, v) => (t.hasElderly = v)),
    booleanFilter('has_child', [], 'Only households with (true) or without (false) a member under 18.', (t, v) => (t.hasChild = v)),
    booleanFilter('has_disabled', [], 'Only households with (true) or without (false) a member with a disability.', (t, v) => (t.hasDisabled = v)),
    booleanFilter('is_mustahik', [], 'Only mustahik (true) or non-mustahik (false) households.', (t, v) => (t.isMustahik = v)),
    enumFilter('livelihood', LIVELIHOODS, 'Only households with one of these livelihoods.', (t, v) => (t.livelihoods = v)),
  ],
  refusal: (principal) =>
    policy.canReadHouseholdRecords(principal)
      ? null
      : `The ${principal.role} role sees households only in aggregate: use the vector tiles /tiles/households/{z}/{x}/{y}.mvt ` +
        '(TileJSON /tiles/households.json), a grid of household counts with cells below k suppressed, or GraphQL householdGrid; ' +
        'village need statistics are in the villages collection.',
  validate(f) {
    if (f.desilMin !== undefined && f.desilMax !== undefined && f.desilMin > f.desilMax) {
      throw badParameter('desil_min', `must not exceed desil_max; got desil_min ${f.desilMin} > desil_max ${f.desilMax}.`);
    }
  },
  source: householdSource,
});

const itemFilters = (withTarget: boolean, withServes: boolean): Filter<PackageItemFilters>[] => [
  regionFilter('village_code', ['village'], RegionLevel.VILLAGE, '33.74.02.1008', (t, v) => (t.villageCode = v)),
  {
    name: 'package_id',
    description: 'Only items of this package.',
    schema: { type: 'integer', minimum: 1 },
    apply: (raw, t) => (t.packageId = parseInteger('package_id', raw, 1, 2_147_483_647)),
  },
  enumFilter('package_status', PACKAGE_STATUSES, 'Only items of packages in one of these states.', (t, v) => (t.packageStatuses = v)),
  {
    name: 'funder_code',
    description: 'Only items funded by this funder (e.g. BAZNAS, KEMENSOS).',
    schema: { type: 'string', pattern: '^[A-Z][A-Z0-9_]*$', example: 'BAZNAS' },
    apply: (raw, t) => (t.funderCode = parseCode('funder_code', raw)),
  },
  {
    name: 'intervention_code',
    description: 'Only items of this catalog intervention (e.g. RLHB, POS_RAMAH_LANSIA).',
    schema: { type: 'string', pattern: '^[A-Z][A-Z0-9_]*$', example: 'RLHB' },
    apply: (raw, t) => (t.interventionCode = parseCode('intervention_code', raw)),
  },
  enumFilter('category', INTERVENTION_CATEGORIES, 'Only items of interventions in one of these categories.', (t, v) => (t.categories = v)),
  ...(withTarget ? [enumFilter<PackageItemFilters>('target', INTERVENTION_TARGETS, 'Only items whose intervention targets one of these.', (t, v) => (t.targets = v))] : []),
  ...(withServes ? [enumFilter<PackageItemFilters>('serves', FACILITY_SERVES, 'Only facilities serving one of these groups.', (t, v) => (t.serves = v))] : []),
  enumFilter('progress', ITEM_PROGRESS, 'Only items in one of these states of work.', (t, v) => (t.progress = v)),
];

const ITEM_PROPERTIES = {
  id: { type: 'integer', description: 'Package item id.' },
  package_id: { type: 'integer', description: 'Package id.' },
  package_status: { type: 'string', enum: [...PACKAGE_STATUSES], description: 'State of the package.' },
  village_code: { type: 'string', description: 'Village of the package.' },
  intervention_code: { type: 'string', description: 'Catalog intervention code.' },
  intervention_name: { type: 'string', description: 'Intervention name (Indonesian).' },
  category: { type: 'string', enum: [...INTERVENTION_CATEGORIES], description: 'Intervention category.' },
  funder_code: { type: 'string', description: 'Funder of the item (KEMENSOS, BAZNAS, …).' },
  quantity: { type: 'integer', description: 'Units.' },
  cost_idr: { type: 'integer', description: 'Cost, integer rupiah.' },
  progress: { type: 'string', enum: [...ITEM_PROGRESS], description: 'State of the work.' },
  started_on: { type: 'string', format: 'date', nullable: true, description: 'Work started.' },
  done_on: { type: 'string', format: 'date', nullable: true, description: 'Work done.' },
};

const facilities = collection<PackageItemFilters>({
  id: 'facilities',
  title: 'Planned facilities (package items at a site)',
  description:
    'Package items whose intervention targets a FACILITY (elderly post, child-friendly space, communal toilet, …), at their site (Point). ' +
    'Feature id = package item id. Every role that may read the package sees them (PLANNER its regions, PENDAMPING its villages, PARTNER its villages).',
  keyType: 'integer',
  geometryType: 'Point',
  properties: {
    ...ITEM_PROPERTIES,
    package_name: { type: 'string', description: 'Package name.' },
    intervention_name_en: { type: 'string', description: 'Intervention name (English).' },
    serves: { type: 'string', enum: [...FACILITY_SERVES], description: 'Who the facility serves.' },
  },
  filters: itemFilters(false, true),
  refusal: () => null,
  source: facilitySource,
});

const packageItems = collection<PackageItemFilters>({
  id: 'package-items',
  title: 'Package items (household items at the household, facilities at their site)',
  description:
    'Every item of every package the caller may read (Point): items for a household or person stand at the household, facility items at their site. ' +
    'Feature id = package item id. Items at a household follow the household access rules (VIEWER sees facility items only); reads by non-admins are audited.',
  keyType: 'integer',
  geometryType: 'Point',
  properties: {
    ...ITEM_PROPERTIES,
    target: { type: 'string', enum: [...INTERVENTION_TARGETS], description: 'What the intervention targets.' },
    household_id: { type: 'integer', nullable: true, description: 'Household receiving the item (null for facilities).' },
    located_at: { type: 'string', enum: ['HOUSEHOLD', 'SITE'], description: 'Where the point stands: the household, or the facility site.' },
  },
  filters: itemFilters(true, false),
  refusal: () => null,
  source: packageItemSource,
});

const existingFacilities = collection<ExistingFacilityFilters>({
  id: 'existing_facilities',
  title: 'Existing public facilities (mosques, schools, posyandu, MCK, …)',
  description:
    'Public facilities that already exist in a village (Point), from the facilities feature (the source behind GraphQL Village.existingFacilities). ' +
    'Feature id = facility id. Public infrastructure, not personal data: every role sees them in its village scope (PARTNER its villages, every other role every village).',
  keyType: 'integer',
  geometryType: 'Point',
  properties: {
    id: { type: 'integer', description: 'Facility id.' },
    village_code: { type: 'string', description: 'Kemendagri village code.' },
    kind: { type: 'string', description: 'What it is, e.g. MASJID, SEKOLAH, POSYANDU, MCK, BALAI_DESA (as recorded by its source).' },
    name: { type: 'string', description: 'Name of the facility.' },
    accessible: { type: 'boolean', description: 'Accessible to wheelchair users (step-free entrance).' },
    serves: { type: 'array', items: { type: 'string', enum: [...FACILITY_SERVES] }, description: 'Groups it really serves.' },
    source: { type: 'string', description: 'Where the record came from (survey, import file).' },
  },
  filters: [
    regionFilter('village_code', ['village'], RegionLevel.VILLAGE, '33.74.02.1008', (t, v) => (t.villageCode = v)),
    {
      name: 'kind',
      description: 'Only facilities of these kinds (upper-case codes, comma-separated), e.g. POSYANDU,MCK.',
      schema: { type: 'string', pattern: '^[A-Z][A-Z0-9_]*(,[A-Z][A-Z0-9_]*)*$', example: 'POSYANDU' },
      apply: (raw, t) => (t.kinds = [...new Set(raw.split(',').map((k) => parseCode('kind', k.trim()) as string))]),
    },
  ],
  refusal: () => null,
  source: existingFacilitySource,
});

/**
 * A collection of its own rather than properties on `villages`: a QGIS user adds "graduation" as
 * its own thematic layer (with its own style and year), it holds only the villages where KPM are
 * followed (not all 8,181 bounded villages), and its values come from the graduation feature's one
 * source, the one GraphQL graduationTargets(groupBy: VILLAGE) reads.
 */
const protectedCount = (what: string) => nullableInteger(`${what} Protected unless counts_exact: 0, null for 1 to k − 1, else rounded to a multiple of k.`);
const villageGraduation = collection<VillageGraduationFilters>({
  id: 'village_graduation',
  title: 'Graduation (graduasi) and terminasi per village',
  description:
    'Per village (MultiPolygon boundary; feature id = Kemendagri village code) where KPM are followed: assigned KPM, the graduation target, ' +
    'graduations, open proposals and returns to assistance in the year, and terminasi referrals made in the year by status — the values of ' +
    'GraphQL graduationTargets(groupBy: VILLAGE). Counts are exact only where counts_exact is true (ADMIN; PLANNER in its regions; PENDAMPING in ' +
    'its villages, counting its own caseload only); everywhere else they count every household of the village and are protected: 0 stays 0, ' +
    '1 to k − 1 (K_ANONYMITY, default 5) are null, larger counts are rounded to a multiple of k. PARTNER sees only its villages. ' +
    'year= picks the calendar year (default: the current one, UTC).',
  keyType: 'string',
  geometryType: 'MultiPolygon',
  properties: {
    code: { type: 'string', description: 'Kemendagri village code PP.KK.CC.DDDD.' },
    name: { type: 'string', description: 'Village name.' },
    regency_code: { type: 'string', description: 'Kabupaten/kota code.' },
    year: { type: 'integer', description: 'Calendar year of graduated, returned and the referral counts.' },
    counts_exact: { type: 'boolean', description: 'True when the counts are exact for you; false when they are protected.' },
    caseload: protectedCount('KPM assigned to a pendamping.'),
    pendamping: { type: 'integer', description: 'Pendamping serving the village.' },
    target: { type: 'number', description: "Graduations expected in the year: each pendamping's yearly target (default 10) × the share of their caseload in the village, 1 decimal." },
    graduated: protectedCount('Graduations approved with a graduation date in the year (returned ones included).'),
    proposed: protectedCount('Open graduation proposals.'),
    returned: protectedCount('Graduated households back on assistance in the year.'),
    referred: protectedCount('Terminasi referrals made in the year, still REFERRED.'),
    accepted: protectedCount('… ACCEPTED by the receiving program.'),
    enrolled: protectedCount('… ENROLLED.'),
    declined: protectedCount('… DECLINED.'),
  },
  filters: [
    regionFilter('village_code', ['village'], RegionLevel.VILLAGE, '33.74.02.1008', (t, v) => (t.regions = [...(t.regions ?? []), v])),
    regionFilter('district_code', ['district'], RegionLevel.DISTRICT, '33.74.02', (t, v) => (t.regions = [...(t.regions ?? []), v])),
    regionFilter('regency_code', ['regency'], RegionLevel.REGENCY, '32.12', (t, v) => (t.regions = [...(t.regions ?? []), v])),
    regionFilter('province_code', ['province'], RegionLevel.PROVINCE, '32', (t, v) => (t.regions = [...(t.regions ?? []), v])),
    {
      name: 'year',
      description: 'Calendar year of the graduation, return and referral counts (default: the current year, UTC).',
      schema: { type: 'integer', minimum: 2000, maximum: 2100, example: 2026 },
      apply: (raw, t) => (t.year = parseInteger('year', raw, 2000, 2100)),
    },
  ],
  refusal: () => null,
  source: villageGraduationSource,
});

export const COLLECTIONS: readonly Collection[] = [villages, households, facilities, packageItems, existingFacilities, villageGraduation];

export function findCollection(id: string): Collection | undefined {
  return COLLECTIONS.find((c) => c.id === id);
}
