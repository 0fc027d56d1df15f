/**
 * The drizzle schema: the single source of truth for tables, enums and indexes. `drizzle-kit
 * generate` turns it into the committed SQL migrations under `drizzle/`; CI fails when the two
 * drift. PostGIS objects drizzle cannot express (triggers, SQL functions) live in the hand-written
 * migrations next to the generated ones.
 *
 * Geometry is always SRID 4326 (WGS84, axis order longitude, latitude).
 */
import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  customType,
  date,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgEnum,
  pgTable,
  real,
  smallint,
  text,
  timestamp,
  uniqueIndex,
  check,
} from 'drizzle-orm/pg-core';

/** PostGIS geometry column with a fixed type and SRID 4326; values travel as EWKB hex / GeoJSON in SQL. */
const geometry = (name: string, geometryType: 'Point' | 'MultiPolygon' | 'Geometry') =>
  customType<{ data: string; driverData: string }>({
    dataType: () => `geometry(${geometryType},4326)`,
  })(name);

export const PAS_CODES = [
  'ANAK_RENTAN',
  'DISABILITAS',
  'LANSIA_TERLANTAR',
  'BERPENDAPATAN_RENDAH',
  'KORBAN_BENCANA',
  'AFIRMASI_KHUSUS',
  'WARGA_BINAAN',
  'KORBAN_KEKERASAN',
  'KORBAN_NAPZA_HIV',
  'BERMASALAH_SOSIAL',
  'PEREMPUAN_RENTAN',
  'FAKIR_MISKIN',
] as const;
export type PasCode = (typeof PAS_CODES)[number];

export const pasEnum = pgEnum('pas', PAS_CODES);
export const tagSourceEnum = pgEnum('tag_source', ['REGISTRY', 'ASSESSMENT', 'FIELD_REPORT']);
export const regionLevelEnum = pgEnum('region_level', ['PROVINCE', 'REGENCY', 'DISTRICT', 'VILLAGE']);
export const regionKindEnum = pgEnum('region_kind', [
  'PROVINSI',
  'KABUPATEN',
  'KOTA',
  'KECAMATAN',
  'DESA',
  'KELURAHAN',
  'DESA_ADAT',
]);
export const coastalSourceEnum = pgEnum('coastal_source', ['SEAWARD_EDGE', 'NATURAL_EARTH_COASTLINE']);
export const LIVELIHOODS = [
  'FISHER',
  'FISH_FARMER',
  'FISH_PROCESSOR',
  'FARMER',
  'LABOURER',
  'TRADER',
  'SMALL_BUSINESS',
  'FACTORY_WORKER',
  'SERVICE',
  'OTHER',
  'NOT_WORKING',
] as const;
export const livelihoodEnum = pgEnum('livelihood', LIVELIHOODS);
export const sexEnum = pgEnum('sex', ['MALE', 'FEMALE']);
export const relationEnum = pgEnum('family_relation', [
  'HEAD',
  'SPOUSE',
  'CHILD',
  'GRANDCHILD',
  'PARENT',
  'PARENT_IN_LAW',
  'OTHER_RELATIVE',
  'OTHER',
]);
/** Categories of UU 8/2016 on persons with disabilities (fisik, intelektual, mental, sensorik, ganda). */
export const disabilityEnum = pgEnum('disability_type', [
  'PHYSICAL',
  'INTELLECTUAL',
  'MENTAL',
  'SENSORY_VISION',
  'SENSORY_HEARING',
  'MULTIPLE',
]);
export const FLOOR_MATERIALS = ['CERAMIC', 'TERRAZZO_TILE', 'CEMENT', 'WOOD_BOARD', 'BAMBOO', 'EARTH'] as const;
export const WALL_MATERIALS = ['PLASTERED_BRICK', 'UNPLASTERED_BRICK', 'WOOD', 'METAL_SHEET', 'BAMBOO', 'OTHER'] as const;
export const ROOF_MATERIALS = ['CONCRETE', 'CLAY_TILE', 'METAL_SHEET', 'ASBESTOS', 'WOOD_SHINGLE', 'LEAF'] as const;
export const WATER_SOURCES = [
  'PIPED',
  'BOTTLED',
  'PROTECTED_WELL',
  'PROTECTED_SPRING',
  'RAINWATER',
  'UNPROTECTED_WELL',
  'UNPROTECTED_SPRING',
  'SURFACE_WATER',
] as const;
export const LAND_OWNERSHIPS = ['OWNED_CERTIFIED', 'OWNED_UNCERTIFIED', 'RENTED', 'RENT_FREE', 'STATE_LAND', 'OTHER'] as const;
export const floorMaterialEnum = pgEnum('floor_material', FLOOR_MATERIALS);
export const wallMaterialEnum = pgEnum('wall_material', WALL_MATERIALS);
export const roofMaterialEnum = pgEnum('roof_material', ROOF_MATERIALS);
export const waterSourceEnum = pgEnum('water_source', WATER_SOURCES);
export const landOwnershipEnum = pgEnum('land_ownership', LAND_OWNERSHIPS);

/** Every level of the Kemendagri region tree, keyed by its dotted code (`PP.KK.CC.DDDD`). */
export const regions = pgTable(
  'regions',
  {
    code: text('code').primaryKey(),
    level: regionLevelEnum('level').notNull(),
    kind: regionKindEnum('kind').notNull(),
    name: text('name').notNull(),
    /** Lower-case, accents and non-alphanumerics stripped: "Tanjung Mas" → "tanjungmas". */
    nameKey: text('name_key').notNull(),
    parentCode: text('parent_code').references((): never => regions.code as never),
    provinceCode: text('province_code').notNull(),
    regencyCode: text('regency_code'),
    districtCode: text('district_code'),
  },
  (t) => [
    index('regions_parent_idx').on(t.parentCode),
    index('regions_level_name_key_idx').on(t.level, t.nameKey),
    index('regions_regency_idx').on(t.regencyCode, t.level),
    index('regions_district_idx').on(t.districtCode, t.level),
    check('regions_code_format', sql`${t.code} ~ '^[0-9]{2}(\\.[0-9]{2}(\\.[0-9]{2}(\\.[0-9]{4})?)?)?$'`),
  ],
);

/** Geometry and coastal attributes of the villages whose boundary is known (1,107 in the bundled data). */
export const villageGeography = pgTable(
  'village_geography',
  {
    villageCode: text('village_code')
      .primaryKey()
      .references(() => regions.code),
    boundary: geometry('boundary', 'MultiPolygon').notNull(),
    centroid: geometry('centroid', 'Point').notNull(),
    /** Geodesic area on the WGS84 spheroid, square metres. */
    areaM2: doublePrecision('area_m2').notNull(),
    /** True when the source polygon was invalid and repaired with ST_MakeValid on import. */
    boundaryRepaired: boolean('boundary_repaired').notNull().default(false),
    /** ST_IsValidReason of the source polygon when it had to be repaired. */
    repairReason: text('repair_reason'),
    isCoastal: boolean('is_coastal').notNull(),
    coastalSource: coastalSourceEnum('coastal_source').notNull(),
    /** Length of the village boundary facing the sea (derived seaward edge), metres; null where not derived. */
    seawardBoundaryM: doublePrecision('seaward_boundary_m'),
    /** Geodesic distance from the boundary to the Natural Earth 1:10m coastline, metres. */
    distanceToCoastlineM: doublePrecision('distance_to_coastline_m'),
  },
  (t) => [
    index('village_geography_boundary_gist').using('gist', t.boundary),
    index('village_geography_centroid_gist').using('gist', t.centroid),
    index('village_geography_coastal_idx').on(t.isCoastal),
  ],
);

/** Shorelines used for the coastal flag and for placing fishing households near the water. */
export const shorelines = pgTable(
  'shorelines',
  {
    id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
    source: coastalSourceEnum('source').notNull(),
    /** Set for derived seaward edges, which belong to one village. */
    villageCode: text('village_code').references(() => regions.code),
    geom: geometry('geom', 'Geometry').notNull(),
  },
  (t) => [index('shorelines_geom_gist').using('gist', t.geom), index('shorelines_village_idx').on(t.villageCode)],
);

/**
 * A household (keluarga) of the social registry. Personal identifiers live in
 * `household_identities` so that access to them can be granted separately.
 * `pas`, `member_count` and the has_* flags are roll-ups kept current by triggers (see the
 * hand-written migration) so that map filters are index lookups instead of joins.
 */
export const households = pgTable(
  'households',
  {
    id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
    /** Registry (DTSEN) household id. */
    registryId: text('registry_id').notNull().unique(),
    villageCode: text('village_code')
      .notNull()
      .references(() => regions.code),
    location: geometry('location', 'Point').notNull(),
    /** BPS welfare decile, 1 = poorest 10% nationally. */
    desil: smallint('desil').notNull(),
    livelihood: livelihoodEnum('livelihood').notNull(),
    /** Entitled to zakat (BAZNAS money may go only to mustahik). */
    isMustahik: boolean('is_mustahik').notNull(),
    receivesPkh: boolean('receives_pkh').notNull(),
    receivesBpnt: boolean('receives_bpnt').notNull(),
    hasSmallBusiness: boolean('has_small_business').notNull().default(false),
    floorAreaM2: real('floor_area_m2').notNull(),
    occupants: smallint('occupants').notNull(),
    floorMaterial: floorMaterialEnum('floor_material').notNull(),
    wallMaterial: wallMaterialEnum('wall_material').notNull(),
    roofMaterial: roofMaterialEnum('roof_material').notNull(),
    hasOwnToilet: boolean('has_own_toilet').notNull(),
    hasElectricity: boolean('has_electricity').notNull(),
    waterSource: waterSourceEnum('water_source').notNull(),
    landOwnership: landOwnershipEnum('land_ownership').notNull(),
    /** Received government housing aid before (RST, BSPS, RTLH programmes). */
    hadHousingAid: boolean('had_housing_aid').notNull(),
    /** RTLH criteria the house fails under the active `rtlh_rules` row (empty = layak huni). */
    rtlhReasons: text('rtlh_reasons').array().notNull().default(sql`'{}'::text[]`),
    isRtlh: boolean('is_rtlh').notNull().default(false),
    /** Latest PUPR component ratings (COMPONENT → rating) and the damage class they give; null until assessed. */
    componentConditions: jsonb('component_conditions').$type<Record<string, string>>(),
    damageClass: text('damage_class'),
    pas: pasEnum('pas').array().notNull().default(sql`'{}'::pas[]`),
    memberCount: smallint('member_count').notNull().default(0),
    hasElderly: boolean('has_elderly').notNull().default(false),
    hasChild: boolean('has_child').notNull().default(false),
    hasDisabled: boolean('has_disabled').notNull().default(false),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
    /** "As of" date of the registry snapshot that last listed this household (null: seeded, never imported). */
    registryAsOf: date('registry_as_of', { mode: 'string' }),
    /** Set when a full registry snapshot no longer lists the household: kept, never deleted. */
    inactiveSince: date('inactive_since', { mode: 'string' }),
  },
  (t) => [
    index('households_village_idx').on(t.villageCode, t.id),
    // A region's households in id order (province, regency, district): a regional planner's first
    // page reads its region's first entries instead of walking the primary key past every other
    // region. The expressions must stay exactly those of policy.ts (regionLevelMatch), constant
    // included, or the planner does not match them. Villages use households_village_idx.
    index('households_province_id_idx').on(sql`left(${t.villageCode}, 2)`, t.id),
    index('households_regency_id_idx').on(sql`left(${t.villageCode}, 5)`, t.id),
    index('households_district_id_idx').on(sql`left(${t.villageCode}, 8)`, t.id),
    index('households_location_gist').using('gist', t.location),
    index('households_pas_gin').using('gin', t.pas),
    index('households_village_desil_idx').on(t.villageCode, t.desil),
    check('households_desil_range', sql`${t.desil} between 1 and 10`),
    check('households_floor_area_positive', sql`${t.floorAreaM2} > 0`),
    check('households_occupants_positive', sql`${t.occupants} > 0`),
  ],
);

/** Personal identifiers of a household head: never logged, masked on the way out. */
export const householdIdentities = pgTable(
  'household_identities',
  {
    householdId: integer('household_id')
      .primaryKey()
      .references(() => households.id, { onDelete: 'cascade' }),
    headName: text('head_name').notNull(),
    /** NIK of the head, 16 digits. */
    headNik: text('head_nik').notNull(),
    /** Nomor Kartu Keluarga, 16 digits. */
    familyCardNumber: text('family_card_number').notNull(),
    address: text('address').notNull(),
  },
  (t) => [
    index('household_identities_nik_idx').on(t.headNik),
    index('household_identities_kk_idx').on(t.familyCardNumber),
    check('household_identities_nik_format', sql`${t.headNik} ~ '^[0-9]{16}$'`),
    check('household_identities_kk_format', sql`${t.familyCardNumber} ~ '^[0-9]{16}$'`),
  ],
);

export const members = pgTable(
  'members',
  {
    id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
    householdId: integer('household_id')
      .notNull()
      .references(() => households.id, { onDelete: 'cascade' }),
    birthDate: date('birth_date', { mode: 'string' }).notNull(),
    sex: sexEnum('sex').notNull(),
    relation: relationEnum('relation').notNull(),
    disability: disabilityEnum('disability'),
    /** Attends school (only meaningful for school-age members, 7–18). */
    inSchool: boolean('in_school').notNull().default(false),
  },
  (t) => [
    index('members_household_idx').on(t.householdId, t.id),
    // The members who turn 18 or 60 between two days are a birth_date range: the daily refresh of
    // the age roll-ups (refresh_age_rollups, drizzle/0021) reads them here instead of every member.
    index('members_birth_date_idx').on(t.birthDate),
  ],
);

export const memberIdentities = pgTable('member_identities', {
  memberId: integer('member_id')
    .primaryKey()
    .references(() => members.id, { onDelete: 'cascade' }),
  fullName: text('full_name').notNull(),
  nik: text('nik').notNull(),
});

/**
 * A PAS tag (Pemerlu Atensi Sosial, Kepmensos 103/HUK/2025) on a member, or on the household
 * when `member_id` is null, with where it came from and when.
 */
export const pasTags = pgTable(
  'pas_tags',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
    householdId: integer('household_id')
      .notNull()
      .references(() => households.id, { onDelete: 'cascade' }),
    memberId: integer('member_id').references(() => members.id, { onDelete: 'cascade' }),
    pas: pasEnum('pas').notNull(),
    source: tagSourceEnum('source').notNull(),
    recordedOn: date('recorded_on', { mode: 'string' }).notNull(),
  },
  (t) => [index('pas_tags_household_idx').on(t.householdId, t.pas), index('pas_tags_member_idx').on(t.memberId)],
);

/**
 * Configurable RTLH (rumah tidak layak huni) rules. Agencies differ (PUPR BSPS 9 m², PUPR NAHP
 * 7.2 m², BPS 8 m² of floor per person); exactly one row is active and `rtlh_reasons()` evaluates it.
 */
export const rtlhRules = pgTable(
  'rtlh_rules',
  {
    code: text('code').primaryKey(),
    name: text('name').notNull(),
    description: text('description').notNull(),
    minFloorAreaM2PerPerson: real('min_floor_area_m2_per_person').notNull(),
    poorFloorMaterials: floorMaterialEnum('poor_floor_materials').array().notNull(),
    poorWallMaterials: wallMaterialEnum('poor_wall_materials').array().notNull(),
    poorRoofMaterials: roofMaterialEnum('poor_roof_materials').array().notNull(),
    unprotectedWaterSources: waterSourceEnum('unprotected_water_sources').array().notNull(),
    requireOwnToilet: boolean('require_own_toilet').notNull(),
    requireElectricity: boolean('require_electricity').notNull(),
    /** A house is RTLH when at least this many criteria fail. */
    minFailedCriteria: smallint('min_failed_criteria').notNull().default(1),
    isActive: boolean('is_active').notNull().default(false),
  },
  (t) => [uniqueIndex('rtlh_rules_one_active').on(t.isActive).where(sql`${t.isActive}`)],
);

/**
 * Need statistics per village, aggregated from households by `refresh_village_stats()` (a
 * hand-written SQL function) after every seed and every household write. Village filters and the
 * priority score read this table instead of scanning a million households per query.
 */
export const villageStats = pgTable(
  'village_stats',
  {
    villageCode: text('village_code')
      .primaryKey()
      .references(() => regions.code),
    households: integer('households').notNull(),
    members: integer('members').notNull(),
    /** Households per desil: element i (0-based) is desil i + 1. */
    householdsByDesil: integer('households_by_desil').array().notNull(),
    /** Households in desil 1–2 (the poorest 20%: BAZNAS house-rebuilding priority). */
    householdsDesil1To2: integer('households_desil_1_to_2').notNull(),
    /** Households in desil 1–4 (PKH threshold). */
    householdsDesil1To4: integer('households_desil_1_to_4').notNull(),
    /** Households carrying each PAS tag: JSON object keyed by PAS code. */
    householdsByPas: jsonb('households_by_pas').$type<Record<string, number>>().notNull(),
    rtlhHouseholds: integer('rtlh_households').notNull(),
    elderlyMembers: integer('elderly_members').notNull(),
    childMembers: integer('child_members').notNull(),
    disabledMembers: integer('disabled_members').notNull(),
    householdsWithElderly: integer('households_with_elderly').notNull(),
    householdsWithDisabled: integer('households_with_disabled').notNull(),
    /** Households living from fishing or fish farming (nelayan, pembudi daya ikan). */
    fisherHouseholds: integer('fisher_households').notNull(),
    /** fisher_households / households, 0 when there are none. */
    fisherShare: doublePrecision('fisher_share').notNull(),
    /** Households with at least one of LANSIA_TERLANTAR, DISABILITAS, ANAK_RENTAN, PEREMPUAN_RENTAN. */
    vulnerableHouseholds: integer('vulnerable_households').notNull(),
    /**
     * The day as of which elderly_members and child_members are correct (drizzle/0022): the day
     * refresh_village_stats computed them, moved forward by refresh_age_rollups as it adds the
     * members who turned 60 or 18 since. The later of it and household_age_rollups.as_of counts.
     */
    agesAsOf: date('ages_as_of', { mode: 'string' })
      .notNull()
      .default(sql`current_date`),
    refreshedAt: timestamp('refreshed_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('village_stats_fisher_share_idx').on(t.fisherShare),
    index('village_stats_rtlh_idx').on(t.rtlhHouseholds),
    index('village_stats_desil12_idx').on(t.householdsDesil1To2),
  ],
);

/**
 * The day as of which every household's age roll-ups (`has_elderly`, `has_child`) and the age
 * counts of `village_stats` are correct: one row, kept by the database (drizzle/0021). Each was
 * computed on some day from `as_of` to today, so only members who turned 60 or 18 since `as_of`
 * can have changed them; `refresh_age_rollups()` recomputes their households, adds them to their
 * villages' counts (from each village's `ages_as_of`) and moves `as_of` to today, and a writer whose
 * transaction began before `as_of` moves it back to its own day.
 */
export const householdAgeRollups = pgTable(
  'household_age_rollups',
  {
    /** Always true: the primary key and the check make this a one-row table. */
    id: boolean('id').primaryKey().default(true),
    asOf: date('as_of', { mode: 'string' }).notNull(),
  },
  (t) => [check('household_age_rollups_one_row', sql`${t.id}`)],
);

/** One row per completed seed, written in the seed's own transaction: a seed is all or nothing. */
export const seedRuns = pgTable('seed_runs', {
  id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
  kind: text('kind').notNull(),
  seed: integer('seed').notNull(),
  households: integer('households').notNull(),
  checksum: text('checksum').notNull(),
  startedAt: timestamp('started_at', { withTimezone: true }).notNull(),
  finishedAt: timestamp('finished_at', { withTimezone: true }).notNull().defaultNow(),
});

// ---------------------------------------------------------------------------------------------
// Packages (bedah kampung terpadu): funders, the intervention catalog, assessments, packages,
// their items, and the audit log.
// ---------------------------------------------------------------------------------------------

export const INTERVENTION_CATEGORIES = [
  'HOUSING',
  'ECONOMIC_EMPOWERMENT',
  'CHILD_FRIENDLY_FACILITY',
  'ELDERLY_FRIENDLY_FACILITY',
  'DISABILITY_ACCESS',
  'SANITATION',
  'COMMUNITY_FACILITY',
  'SOCIAL_REHABILITATION',
] as const;
export const interventionCategoryEnum = pgEnum('intervention_category', INTERVENTION_CATEGORIES);
export const KEMENSOS_CLUSTERS = ['PERLINDUNGAN', 'REHABILITASI', 'PEMBERDAYAAN'] as const;
export const kemensosClusterEnum = pgEnum('kemensos_cluster', KEMENSOS_CLUSTERS);
export const INTERVENTION_TARGETS = ['HOUSEHOLD', 'PERSON', 'FACILITY'] as const;
export const interventionTargetEnum = pgEnum('intervention_target', INTERVENTION_TARGETS);
/** Which households a facility serves, for siting and spatial-access coverage. */
export const FACILITY_SERVES = ['ELDERLY', 'DISABLED', 'CHILD', 'SANITATION', 'EVERYONE'] as const;
export const facilityServesEnum = pgEnum('facility_serves', FACILITY_SERVES);
export const PACKAGE_STATUSES = ['DRAFT', 'ASSESSED', 'PLANNED', 'APPROVED', 'IN_PROGRESS', 'COMPLETED', 'CANCELLED'] as const;
export const packageStatusEnum = pgEnum('package_status', PACKAGE_STATUSES);
export const ITEM_PROGRESS = ['NOT_STARTED', 'IN_PROGRESS', 'DONE'] as const;
export const itemProgressEnum = pgEnum('item_progress', ITEM_PROGRESS);
/** PUPR house survey scale, best to worst. */
export const COMPONENT_CONDITIONS = ['LAYAK', 'MENUJU_LAYAK', 'AGAK_LAYAK', 'KURANG_LAYAK'] as const;

/**
 * Kinds of funder, as data (ministry, zakat agency, regional government, foundation, NGO, company
 * CSR, …): a new kind is a row, not a schema change.
 */
export const funderKinds = pgTable('funder_kinds', {
  code: text('code').primaryKey(),
  name: text('name').notNull(),
  description: text('description').notNull().default(''),
});

/** Who pays: Kemensos, BAZNAS, regional governments, foundations, NGOs, companies. Registered by ADMIN. */
export const funders = pgTable(
  'funders',
  {
    code: text('code').primaryKey(),
    name: text('name').notNull(),
    kind: text('kind')
      .notNull()
      .references(() => funderKinds.code),
    description: text('description').notNull().default(''),
  },
  (t) => [check('funders_code_format', sql`${t.code} ~ '^[A-Z][A-Z0-9_]{1,39}$'`)],
);

/**
 * A funder's pot of money with its own rules. BAZNAS holds zakat (UU 23/2011: only to mustahik)
 * and infak/sedekah (as the giver designated: not restricted). Every funder has exactly one
 * default fund, used when an item names the funder but not the fund.
 */
export const funds = pgTable(
  'funds',
  {
    code: text('code').primaryKey(),
    funderCode: text('funder_code')
      .notNull()
      .references(() => funders.code),
    name: text('name').notNull(),
    /** Only households the funder verified as mustahik may receive this money. */
    requiresMustahik: boolean('requires_mustahik').notNull().default(false),
    isDefault: boolean('is_default').notNull().default(false),
    /** The law or policy the rule follows, e.g. "UU 23/2011 Pasal 25–26". */
    legalBasis: text('legal_basis').notNull().default(''),
    description: text('description').notNull().default(''),
  },
  (t) => [
    uniqueIndex('funds_one_default').on(t.funderCode).where(sql`${t.isDefault}`),
    check('funds_code_format', sql`${t.code} ~ '^[A-Z][A-Z0-9_]{1,39}$'`),
  ],
);

/**
 * A funder's own verification of a household's mustahik status (who, when, on what basis), kept
 * as history; the newest verification sets `households.is_mustahik` (trigger in the migration).
 */
export const mustahikVerifications = pgTable(
  'mustahik_verifications',
  {
    id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
    householdId: integer('household_id')
      .notNull()
      .references(() => households.id, { onDelete: 'cascade' }),
    funderCode: text('funder_code')
      .notNull()
      .references(() => funders.code),
    isMustahik: boolean('is_mustahik').notNull(),
    /** Asnaf or other basis, e.g. "FAKIR", "MISKIN", "GHARIM": the funder's own words. */
    basis: text('basis').notNull(),
    verifiedBy: text('verified_by').notNull(),
    verifiedOn: date('verified_on', { mode: 'string' }).notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('mustahik_verifications_household_idx').on(t.householdId, t.verifiedOn, t.id)],
);

/** The intervention catalog. `eligibility` is a rule as data (see packages/eligibility.ts). */
export const interventions = pgTable(
  'interventions',
  {
    code: text('code').primaryKey(),
    nameId: text('name_id').notNull(),
    nameEn: text('name_en').notNull(),
    category: interventionCategoryEnum('category').notNull(),
    cluster: kemensosClusterEnum('cluster'),
    funderCode: text('funder_code')
      .notNull()
      .references(() => funders.code),
    target: interventionTargetEnum('target').notNull(),
    /** Integer rupiah per unit: the default amount of a new item. */
    unitCostIdr: bigint('unit_cost_idr', { mode: 'number' }).notNull(),
    /** The rule's ceiling per unit (PENA: up to Rp6 juta); null = no ceiling. Enforced on items by trigger. */
    maxUnitCostIdr: bigint('max_unit_cost_idr', { mode: 'number' }),
    /** The countable unit when one recipient may take several (toilet, septic tank, shop); null = one per recipient. */
    quantityUnit: text('quantity_unit'),
    /** Set for a package-specific item (a mosque, a culinary centre): not part of the catalog. */
    packageId: integer('package_id'),
    /** True when no published figure exists and the cost is a demo assumption. */
    costIsAssumption: boolean('cost_is_assumption').notNull(),
    costSource: text('cost_source').notNull(),
    /** Counts against "at most one housing intervention per household". */
    isHousing: boolean('is_housing').notNull().default(false),
    /** FACILITY targets: which households it serves, for siting and access coverage. */
    serves: facilityServesEnum('serves'),
    eligibility: jsonb('eligibility').notNull(),
    /** Optional rule of who is served first (BAZNAS RLHB: desil 1–2) without excluding the others. */
    priority: jsonb('priority'),
    description: text('description').notNull().default(''),
    isActive: boolean('is_active').notNull().default(true),
    version: integer('version').notNull().default(1),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    check('interventions_cost_nonnegative', sql`${t.unitCostIdr} >= 0`),
    // Rupiah bounds keep every sum a read computes below 2^53 (JS numbers, GraphQL SafeInt):
    // see MAX_UNIT_COST_IDR in graphql/input.ts.
    check('interventions_cost_bounded', sql`${t.unitCostIdr} <= 1000000000000`),
    check('interventions_facility_serves', sql`(${t.target} = 'FACILITY') = (${t.serves} IS NOT NULL)`),
    check('interventions_ceiling', sql`${t.maxUnitCostIdr} IS NULL OR ${t.maxUnitCostIdr} >= ${t.unitCostIdr}`),
    index('interventions_package_idx').on(t.packageId),
  ],
);

/** Funders (and funds) an intervention may be paid by; the intervention's own funder is the default. */
export const interventionFunders = pgTable(
  'intervention_funders',
  {
    interventionCode: text('intervention_code')
      .notNull()
      .references(() => interventions.code, { onDelete: 'cascade' }),
    funderCode: text('funder_code')
      .notNull()
      .references(() => funders.code),
  },
  (t) => [uniqueIndex('intervention_funders_pk').on(t.interventionCode, t.funderCode)],
);

/** PUPR component ratings → damage class (RINGAN/SEDANG/BERAT): a rule as data with its source. */
export const damageClassRules = pgTable(
  'damage_class_rules',
  {
    code: text('code').primaryKey(),
    name: text('name').notNull(),
    source: text('source').notNull(),
    /** { scores: {LAYAK: 0, …}, weights: {COLUMNS: n, …}, sedangFrom: 0–1, beratFrom: 0–1 }. */
    rule: jsonb('rule').notNull(),
    isActive: boolean('is_active').notNull().default(false),
  },
  (t) => [uniqueIndex('damage_class_rules_one_active').on(t.isActive).where(sql`${t.isActive}`)],
);

/**
 * Facilities that already exist in a village (a mosque, a posyandu, a school, a public toilet):
 * counted in coverage "before" and used as anchors for siting (ramps attach to public buildings).
 * `serves` holds the groups the facility really serves (ELDERLY, DISABLED, CHILD, SANITATION,
 * EVERYONE); EVERYONE alone serves no target group.
 */
export const existingFacilities = pgTable(
  'existing_facilities',
  {
    id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
    villageCode: text('village_code')
      .notNull()
      .references(() => regions.code),
    kind: text('kind').notNull(),
    name: text('name').notNull(),
    location: geometry('location', 'Point').notNull(),
    accessible: boolean('accessible').notNull().default(false),
    serves: text('serves').array().notNull().default(sql`'{}'::text[]`),
    source: text('source').notNull(),
    /** The facility's id in the imported source (e.g. a registry or OSM id); null for hand-entered ones. */
    sourceId: text('source_id'),
  },
  (t) => [
    uniqueIndex('existing_facilities_source_id_idx').on(t.source, t.sourceId).where(sql`${t.sourceId} IS NOT NULL`),
    index('existing_facilities_village_idx').on(t.villageCode), index('existing_facilities_location_gist').using('gist', t.location)],
);

/** Asesmen terpadu: one field assessment of a household, kept as history. */
export const assessments = pgTable(
  'assessments',
  {
    id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
    householdId: integer('household_id')
      .notNull()
      .references(() => households.id, { onDelete: 'cascade' }),
    assessor: text('assessor').notNull(),
    assessorOrganisation: text('assessor_organisation'),
    assessedOn: date('assessed_on', { mode: 'string' }).notNull(),
    /** PUPR components (columns, ring beam, roof frame, floor, walls, ...) → LAYAK … KURANG_LAYAK. */
    componentConditions: jsonb('component_conditions').$type<Record<string, string>>().notNull(),
    floorAreaM2: real('floor_area_m2').notNull(),
    occupants: smallint('occupants').notNull(),
    floorMaterial: floorMaterialEnum('floor_material').notNull(),
    wallMaterial: wallMaterialEnum('wall_material').notNull(),
    roofMaterial: roofMaterialEnum('roof_material').notNull(),
    hasOwnToilet: boolean('has_own_toilet').notNull(),
    hasElectricity: boolean('has_electricity').notNull(),
    waterSource: waterSourceEnum('water_source').notNull(),
    landOwnership: landOwnershipEnum('land_ownership').notNull(),
    livelihood: livelihoodEnum('livelihood').notNull(),
    hasSmallBusiness: boolean('has_small_business').notNull(),
    /** Per-member observations: [{ memberId, disability, inSchool, note }]. */
    memberSituations: jsonb('member_situations').notNull().default(sql`'[]'::jsonb`),
    pasConfirmed: pasEnum('pas_confirmed').array().notNull().default(sql`'{}'::pas[]`),
    pasAdded: pasEnum('pas_added').array().notNull().default(sql`'{}'::pas[]`),
    /** PAS tags the assessment removed: [{ pas, memberId, reason }]. */
    pasRemoved: jsonb('pas_removed').notNull().default(sql`'[]'::jsonb`),
    /** Damage class from the ratings under `damage_rule_code`: RINGAN, SEDANG, BERAT; null without ratings. */
    damageClass: text('damage_class'),
    damageRuleCode: text('damage_rule_code'),
    /** Where the assessment was taken (GPS), inside the household's village. */
    location: geometry('location', 'Point'),
    notes: text('notes').notNull().default(''),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('assessments_household_idx').on(t.householdId, t.id)],
);

export const packages = pgTable(
  'packages',
  {
    id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
    villageCode: text('village_code')
      .notNull()
      .references(() => regions.code),
    name: text('name').notNull(),
    status: packageStatusEnum('status').notNull().default('DRAFT'),
    /** Optimistic concurrency: every change must name the version it read. */
    version: integer('version').notNull().default(1),
    /** The package this one was duplicated from, when it was. */
    templateOf: integer('template_of'),
    /** proposePackage / duplicatePackage: each decision with its reason (what was sited, skipped, flagged). */
    proposalDecisions: jsonb('proposal_decisions'),
    createdBy: text('created_by').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('packages_village_idx').on(t.villageCode)],
);

export const packageBudgets = pgTable(
  'package_budgets',
  {
    packageId: integer('package_id')
      .notNull()
      .references(() => packages.id, { onDelete: 'cascade' }),
    funderCode: text('funder_code')
      .notNull()
      .references(() => funders.code),
    budgetIdr: bigint('budget_idr', { mode: 'number' }).notNull(),
    /** When allocations may exceed the budget: the recorded reason. */
    overBudgetReason: text('over_budget_reason'),
  },
  (t) => [uniqueIndex('package_budgets_pk').on(t.packageId, t.funderCode), check('package_budgets_nonnegative', sql`${t.budgetIdr} >= 0`), check('package_budgets_bounded', sql`${t.budgetIdr} <= 1000000000000000`)],
);

export const packageItems = pgTable(
  'package_items',
  {
    id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
    packageId: integer('package_id')
      .notNull()
      .references(() => packages.id, { onDelete: 'cascade' }),
    interventionCode: text('intervention_code')
      .notNull()
      .references(() => interventions.code),
    funderCode: text('funder_code')
      .notNull()
      .references(() => funders.code),
    householdId: integer('household_id').references(() => households.id),
    memberId: integer('member_id').references(() => members.id),
    /** Facility site, inside the village boundary. */
    location: geometry('location', 'Point'),
    quantity: integer('quantity').notNull().default(1),
    unitCostIdr: bigint('unit_cost_idr', { mode: 'number' }).notNull(),
    costIdr: bigint('cost_idr', { mode: 'number' }).notNull(),
    /** Where the amount comes from when it is not the catalog default (a published figure, a split). */
    amountNote: text('amount_note'),
    /** Set when a planner added an item the eligibility rule refused: the recorded reason. */
    eligibilityOverrideReason: text('eligibility_override_reason'),
    /** How the item entered the package: PROPOSED by the algorithm, or ADDED by a planner. */
    origin: text('origin').notNull().default('ADDED'),
    progress: itemProgressEnum('progress').notNull().default('NOT_STARTED'),
    startedOn: date('started_on', { mode: 'string' }),
    doneOn: date('done_on', { mode: 'string' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('package_items_package_idx').on(t.packageId, t.id),
    index('package_items_household_idx').on(t.householdId),
    index('package_items_funder_idx').on(t.funderCode, t.packageId),
    index('package_items_location_gist').using('gist', t.location),
    check('package_items_cost', sql`${t.costIdr} = ${t.unitCostIdr} * ${t.quantity} AND ${t.quantity} > 0`),
    check('package_items_cost_bounded', sql`${t.costIdr} <= 1000000000000000`),
    check('package_items_target', sql`${t.householdId} IS NOT NULL OR ${t.location} IS NOT NULL`),
  ],
);

/**
 * Who pays for an item: one row per funder (and fund); the shares sum to the item's cost (a
 * deferred constraint trigger checks it at commit). Budgets are allocated from these shares.
 */
export const packageItemFunding = pgTable(
  'package_item_funding',
  {
    itemId: integer('item_id')
      .notNull()
      .references(() => packageItems.id, { onDelete: 'cascade' }),
    funderCode: text('funder_code')
      .notNull()
      .references(() => funders.code),
    fundCode: text('fund_code')
      .notNull()
      .references(() => funds.code),
    amountIdr: bigint('amount_idr', { mode: 'number' }).notNull(),
  },
  (t) => [
    uniqueIndex('package_item_funding_pk').on(t.itemId, t.fundCode),
    index('package_item_funding_funder_idx').on(t.funderCode),
    check('package_item_funding_positive', sql`${t.amountIdr} >= 0`),
  ],
);

/** Instalments (termin) of an item, paid as work progresses; their sum never exceeds the item's cost. */
export const packageItemInstalments = pgTable(
  'package_item_instalments',
  {
    id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
    itemId: integer('item_id')
      .notNull()
      .references(() => packageItems.id, { onDelete: 'cascade' }),
    seq: smallint('seq').notNull(),
    amountIdr: bigint('amount_idr', { mode: 'number' }).notNull(),
    dueOn: date('due_on', { mode: 'string' }),
    paidOn: date('paid_on', { mode: 'string' }),
    note: text('note').notNull().default(''),
  },
  (t) => [uniqueIndex('package_item_instalments_seq').on(t.itemId, t.seq), check('package_item_instalments_positive', sql`${t.amountIdr} > 0 AND ${t.seq} > 0`)],
);

/**
 * "Catat apa yang kamu lakukan": every mutation, and every read of personal data by a non-admin,
 * written in the same transaction as the change it records. Never holds NIK or KK.
 */
export const auditLog = pgTable(
  'audit_log',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
    actor: text('actor').notNull(),
    role: text('role').notNull(),
    organisation: text('organisation'),
    action: text('action').notNull(),
    entity: text('entity').notNull(),
    entityId: text('entity_id'),
    packageId: integer('package_id'),
    villageCode: text('village_code'),
    before: jsonb('before'),
    after: jsonb('after'),
    /** READ_PERSONAL_DATA: the households read, and the path (GraphQL field or export). */
    householdIds: integer('household_ids').array(),
    requestId: text('request_id'),
  },
  (t) => [index('audit_log_package_idx').on(t.packageId, t.id), index('audit_log_actor_idx').on(t.actor, t.at)],
);

// ---------------------------------------------------------------------------------------------
// The KPM lifecycle (graduasi and terminasi): social-assistance programs and memberships,
// pendamping caseloads, graduation criteria and decisions, referrals to other ministries'
// programs and follow-ups. See docs/graduation.md.
// ---------------------------------------------------------------------------------------------

export const GRADUATION_PATHWAYS = ['GRADUASI_MANDIRI', 'NATURAL_EXIT', 'ADMINISTRATIVE_EXIT'] as const;
export const graduationPathwayEnum = pgEnum('graduation_pathway', GRADUATION_PATHWAYS);
/** PROPOSED → APPROVED | REJECTED; APPROVED → RETURNED (back on assistance). Enforced by a trigger. */
export const GRADUATION_STATUSES = ['PROPOSED', 'APPROVED', 'REJECTED', 'RETURNED'] as const;
export const graduationStatusEnum = pgEnum('graduation_status', GRADUATION_STATUSES);
/** REFERRED → ACCEPTED → ENROLLED; REFERRED | ACCEPTED → DECLINED. Enforced by a trigger. */
export const REFERRAL_STATUSES = ['REFERRED', 'ACCEPTED', 'ENROLLED', 'DECLINED'] as const;
export const referralStatusEnum = pgEnum('referral_status', REFERRAL_STATUSES);

/** Social-assistance programs a KPM can receive (PKH, BPNT/Sembako, PBI-JK, ATENSI …): data, not an enum. */
export const socialPrograms = pgTable('social_programs', {
  code: text('code').primaryKey(),
  name: text('name').notNull(),
  provider: text('provider').notNull(),
  /** Highest desil the program admits (PKH 4, Sembako/PBI 5); null when it is not desil-based. */
  maxDesil: smallint('max_desil'),
  source: text('source').notNull(),
  description: text('description').notNull().default(''),
});

/** A household's membership of a program, kept as history: ending one sets ended_on, never deletes. */
export const programMemberships = pgTable(
  'program_memberships',
  {
    id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
    householdId: integer('household_id')
      .notNull()
      .references(() => households.id, { onDelete: 'cascade' }),
    programCode: text('program_code')
      .notNull()
      .references(() => socialPrograms.code),
    since: date('since', { mode: 'string' }).notNull(),
    /** The registry extract (e.g. "DTSEN 2025-Q3") the membership was read from, or how it was recorded. */
    registrySnapshot: text('registry_snapshot').notNull(),
    endedOn: date('ended_on', { mode: 'string' }),
    /** GRADUATED, NO_LONGER_ELIGIBLE, MOVED, DECEASED, … (free codes, upper case). */
    endReason: text('end_reason'),
    /** The approved graduation that ended it, when one did. */
    graduationId: integer('graduation_id'),
  },
  (t) => [
    index('program_memberships_household_idx').on(t.householdId, t.programCode),
    uniqueIndex('program_memberships_one_open').on(t.householdId, t.programCode).where(sql`${t.endedOn} IS NULL`),
    check('program_memberships_end', sql`(${t.endedOn} IS NULL) = (${t.endReason} IS NULL) AND (${t.endedOn} IS NULL OR ${t.endedOn} >= ${t.since})`),
  ],
);

/** A pendamping (PKH social worker), keyed by the subject of their bearer token. */
export const pendamping = pgTable('pendamping', {
  subject: text('subject').primaryKey(),
  name: text('name').notNull(),
  organisation: text('organisation'),
  /** Graduations per year expected of this pendamping; null = the configured default (10). */
  targetPerYear: smallint('target_per_year'),
});

/** Which pendamping carries which KPM: one pendamping per household at a time. */
export const pendampingAssignments = pgTable(
  'pendamping_assignments',
  {
    householdId: integer('household_id')
      .primaryKey()
      .references(() => households.id, { onDelete: 'cascade' }),
    pendampingSubject: text('pendamping_subject')
      .notNull()
      .references(() => pendamping.subject),
    assignedOn: date('assigned_on', { mode: 'string' }).notNull(),
  },
  (t) => [index('pendamping_assignments_pendamping_idx').on(t.pendampingSubject, t.householdId)],
);

/**
 * Welfare measurements a pendamping records in the field (income, business) — what the
 * graduation criteria measure beyond the registry row. History: the latest per household counts.
 */
export const welfareObservations = pgTable(
  'welfare_observations',
  {
    id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
    householdId: integer('household_id')
      .notNull()
      .references(() => households.id, { onDelete: 'cascade' }),
    observedOn: date('observed_on', { mode: 'string' }).notNull(),
    /** Household income per month, integer rupiah. */
    monthlyIncomeIdr: bigint('monthly_income_idr', { mode: 'number' }).notNull(),
    /** When the household's business started, if it runs one. */
    businessSince: date('business_since', { mode: 'string' }),
    recordedBy: text('recorded_by').notNull(),
    note: text('note').notNull().default(''),
  },
  (t) => [index('welfare_observations_household_idx').on(t.householdId, t.observedOn), check('welfare_observations_income', sql`${t.monthlyIncomeIdr} >= 0`)],
);

/** Graduation criteria as rules as data (same rule language as eligibility), each with its source. */
export const graduationCriteria = pgTable('graduation_criteria', {
  code: text('code').primaryKey(),
  label: text('label').notNull(),
  rule: jsonb('rule').notNull(),
  /** A household is ready only when every required criterion passes; weights score the rest. */
  required: boolean('required').notNull(),
  weight: smallint('weight').notNull().default(1),
  source: text('source').notNull(),
  /** True when no published rule exists and the threshold is our assumption. */
  isAssumption: boolean('is_assumption').notNull(),
  isActive: boolean('is_active').notNull().default(true),
});

export const graduations = pgTable(
  'graduations',
  {
    id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
    householdId: integer('household_id')
      .notNull()
      .references(() => households.id, { onDelete: 'cascade' }),
    /** Copied from the household so aggregates group without a join; a household does not move villages. */
    villageCode: text('village_code')
      .notNull()
      .references(() => regions.code),
    /** The pendamping carrying the household when it was proposed. */
    pendampingSubject: text('pendamping_subject').references(() => pendamping.subject),
    pathway: graduationPathwayEnum('pathway').notNull(),
    status: graduationStatusEnum('status').notNull().default('PROPOSED'),
    proposedBy: text('proposed_by').notNull(),
    proposedAt: timestamp('proposed_at', { withTimezone: true }).notNull().defaultNow(),
    /** The criteria results at proposal time (what was measured) plus the proposer's notes. */
    evidence: jsonb('evidence').notNull(),
    decidedBy: text('decided_by'),
    decidedAt: timestamp('decided_at', { withTimezone: true }),
    decisionNote: text('decision_note'),
    /** The date the household left assistance (set on approval). */
    graduatedOn: date('graduated_on', { mode: 'string' }),
    returnedOn: date('returned_on', { mode: 'string' }),
    returnReason: text('return_reason'),
  },
  (t) => [
    index('graduations_household_idx').on(t.householdId, t.id),
    index('graduations_village_idx').on(t.villageCode, t.status),
    index('graduations_pendamping_idx').on(t.pendampingSubject, t.status),
    uniqueIndex('graduations_one_open').on(t.householdId).where(sql`${t.status} IN ('PROPOSED', 'APPROVED')`),
    check('graduations_four_eyes', sql`${t.decidedBy} IS NULL OR ${t.decidedBy} <> ${t.proposedBy}`),
    check('graduations_decision', sql`(${t.status} = 'PROPOSED') = (${t.decidedBy} IS NULL) AND (${t.status} IN ('APPROVED', 'RETURNED')) = (${t.graduatedOn} IS NOT NULL)`),
    check('graduations_return', sql`(${t.status} = 'RETURNED') = (${t.returnedOn} IS NOT NULL)`),
  ],
);

/** Package items that contributed to a graduation (the PENA capital, the repaired house). */
export const graduationContributions = pgTable(
  'graduation_contributions',
  {
    graduationId: integer('graduation_id')
      .notNull()
      .references(() => graduations.id, { onDelete: 'cascade' }),
    packageItemId: integer('package_item_id')
      .notNull()
      .references(() => packageItems.id),
  },
  (t) => [uniqueIndex('graduation_contributions_pk').on(t.graduationId, t.packageItemId), index('graduation_contributions_item_idx').on(t.packageItemId)],
);

/** Receiving programs of other ministries and agencies for terminasi (capital, mentoring, market access). */
export const receivingPrograms = pgTable('receiving_programs', {
  code: text('code').primaryKey(),
  name: text('name').notNull(),
  agency: text('agency').notNull(),
  /** CAPITAL, MENTORING, MARKET_ACCESS, TRAINING, HOUSING, … */
  kind: text('kind').notNull(),
  source: text('source').notNull(),
  description: text('description').notNull().default(''),
});

export const referrals = pgTable(
  'referrals',
  {
    id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
    graduationId: integer('graduation_id')
      .notNull()
      .references(() => graduations.id, { onDelete: 'cascade' }),
    programCode: text('program_code')
      .notNull()
      .references(() => receivingPrograms.code),
    status: referralStatusEnum('status').notNull().default('REFERRED'),
    referredOn: date('referred_on', { mode: 'string' }).notNull(),
    acceptedOn: date('accepted_on', { mode: 'string' }),
    enrolledOn: date('enrolled_on', { mode: 'string' }),
    declinedOn: date('declined_on', { mode: 'string' }),
    declineReason: text('decline_reason'),
    createdBy: text('created_by').notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('referrals_one_per_program').on(t.graduationId, t.programCode),
    check('referrals_declined', sql`(${t.status} = 'DECLINED') = (${t.declinedOn} IS NOT NULL AND ${t.declineReason} IS NOT NULL)`),
    check('referrals_dates', sql`(${t.acceptedOn} IS NULL OR ${t.acceptedOn} >= ${t.referredOn}) AND (${t.enrolledOn} IS NULL OR (${t.acceptedOn} IS NOT NULL AND ${t.enrolledOn} >= ${t.acceptedOn}))`),
    check('referrals_status_dates', sql`(${t.status} IN ('ACCEPTED', 'ENROLLED')) <= (${t.acceptedOn} IS NOT NULL) AND (${t.status} = 'ENROLLED') = (${t.enrolledOn} IS NOT NULL)`),
  ],
);

/** Follow-up at 6 and 12 months after graduation: still out of poverty, or back on assistance. */
export const graduationFollowUps = pgTable(
  'graduation_follow_ups',
  {
    id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
    graduationId: integer('graduation_id')
      .notNull()
      .references(() => graduations.id, { onDelete: 'cascade' }),
    monthsAfter: smallint('months_after').notNull(),
    checkedOn: date('checked_on', { mode: 'string' }).notNull(),
    stillOutOfPoverty: boolean('still_out_of_poverty').notNull(),
    returnedToAssistance: boolean('returned_to_assistance').notNull(),
    recordedBy: text('recorded_by').notNull(),
    note: text('note').notNull().default(''),
  },
  (t) => [uniqueIndex('graduation_follow_ups_once').on(t.graduationId, t.monthsAfter), check('graduation_follow_ups_months', sql`${t.monthsAfter} IN (6, 12)`)],
);

// ---------------------------------------------------------------------------------------------
// Imports (registry extracts, village boundaries, facilities): the job queue and the history of
// fields a registry snapshot changed. See docs/import.md.
// ---------------------------------------------------------------------------------------------

export const IMPORT_KINDS = ['REGISTRY', 'BOUNDARIES', 'FACILITIES'] as const;
export const importKindEnum = pgEnum('import_kind', IMPORT_KINDS);
export const IMPORT_STATUSES = ['QUEUED', 'RUNNING', 'DONE', 'FAILED'] as const;
export const importStatusEnum = pgEnum('import_status', IMPORT_STATUSES);

/**
 * Background imports started over GraphQL: a PostgreSQL job queue. Workers claim the oldest QUEUED
 * row with FOR UPDATE SKIP LOCKED, so any number of API processes can poll the same table and
 * each job runs once; the result report stays on the row for the client to poll.
 */
export const importJobs = pgTable(
  'import_jobs',
  {
    id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
    kind: importKindEnum('kind').notNull(),
    status: importStatusEnum('status').notNull().default('QUEUED'),
    /** Options as given (dryRun, asOf, mode, skipInvalid). */
    options: jsonb('options').notNull(),
    /** The uploaded files, name → text; cleared when the job ends so personal data does not linger. */
    files: jsonb('files').$type<Record<string, string>>(),
    progressRows: integer('progress_rows').notNull().default(0),
    totalRows: integer('total_rows').notNull().default(0),
    report: jsonb('report'),
    error: text('error'),
    createdBy: text('created_by').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    startedAt: timestamp('started_at', { withTimezone: true }),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
    /** Claims so far; the current claim's number is its ownership token (end updates match it). */
    attempts: integer('attempts').notNull().default(0),
    /**
     * Where a RUNNING job is (PARSING, CHECKING, WRITING, DERIVING), written while it runs from
     * outside the import's transaction so any API process polling the row sees it (import.jobs.ts).
     */
    stage: text('stage'),
    /** Rows that passed validation so far (parse checks, then the database checks). */
    validatedRows: integer('validated_rows').notNull().default(0),
  },
  (t) => [index('import_jobs_queue_idx').on(t.status, t.id)],
);

/**
 * Files uploaded over HTTP (POST /imports/uploads) before a job is started from them: staged in
 * the database so the worker of any API process can read them; moved into the job and deleted
 * when the job is created, and never kept longer than a day (uploads.ts deletes older ones).
 */
export const importUploads = pgTable('import_uploads', {
  id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
  name: text('name').notNull(),
  content: text('content').notNull(),
  bytes: integer('bytes').notNull(),
  createdBy: text('created_by').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

/** Each household field a registry snapshot changed: old and new value (as text) and the snapshot date. */
export const householdFieldHistory = pgTable(
  'household_field_history',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
    householdId: integer('household_id')
      .notNull()
      .references(() => households.id, { onDelete: 'cascade' }),
    field: text('field').notNull(),
    oldValue: text('old_value'),
    newValue: text('new_value'),
    asOf: date('as_of', { mode: 'string' }).notNull(),
    /** The audit record of the import that made the change. */
    auditId: bigint('audit_id', { mode: 'number' }),
    changedAt: timestamp('changed_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('household_field_history_household_idx').on(t.householdId, t.id)],
);

// ---------------------------------------------------------------------------------------------
// Execution (issue 15): timeline, four-eyes approval, funder sign-off, field progress, outcomes.
// ---------------------------------------------------------------------------------------------

const bytea = customType<{ data: string; driverData: string }>({ dataType: () => 'bytea' });

/** Planned phase ends of a package; absent = the configured defaults counted from its creation. */
export const packageSchedules = pgTable(
  'package_schedules',
  {
    packageId: integer('package_id')
      .primaryKey()
      .references(() => packages.id, { onDelete: 'cascade' }),
    assessmentEnd: date('assessment_end', { mode: 'string' }).notNull(),
    planningEnd: date('planning_end', { mode: 'string' }).notNull(),
    implementationEnd: date('implementation_end', { mode: 'string' }).notNull(),
  },
  (t) => [check('package_schedules_order', sql`${t.assessmentEnd} <= ${t.planningEnd} AND ${t.planningEnd} <= ${t.implementationEnd}`)],
);

/** Planned start and end of one item; absent = the package's implementation phase. */
export const packageItemSchedules = pgTable(
  'package_item_schedules',
  {
    itemId: integer('item_id')
      .primaryKey()
      .references(() => packageItems.id, { onDelete: 'cascade' }),
    plannedStart: date('planned_start', { mode: 'string' }).notNull(),
    plannedEnd: date('planned_end', { mode: 'string' }).notNull(),
  },
  (t) => [check('package_item_schedules_order', sql`${t.plannedStart} <= ${t.plannedEnd}`)],
);

/** Four eyes: who drafted the package and who approved it; never the same person (CHECK). */
export const packageApprovals = pgTable(
  'package_approvals',
  {
    id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
    packageId: integer('package_id')
      .notNull()
      .references(() => packages.id, { onDelete: 'cascade' }),
    draftedBy: text('drafted_by').notNull(),
    approvedBy: text('approved_by').notNull(),
    approvedAt: timestamp('approved_at', { withTimezone: true }).notNull().defaultNow(),
    /** Set when the package went back to PLANNED: the approval no longer holds. */
    withdrawnAt: timestamp('withdrawn_at', { withTimezone: true }),
  },
  (t) => [index('package_approvals_package_idx').on(t.packageId, t.id), check('package_approvals_four_eyes', sql`${t.draftedBy} <> ${t.approvedBy}`)],
);

/** A funder's decision on the items it funds in an approved package (one per approval and funder). */
export const packageSignoffs = pgTable(
  'package_signoffs',
  {
    id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
    approvalId: integer('approval_id')
      .notNull()
      .references(() => packageApprovals.id, { onDelete: 'cascade' }),
    funderCode: text('funder_code')
      .notNull()
      .references(() => funders.code),
    decision: text('decision').notNull(),
    reason: text('reason'),
    subject: text('subject').notNull(),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('package_signoffs_once').on(t.approvalId, t.funderCode),
    check('package_signoffs_decision', sql`${t.decision} IN ('SIGNED', 'REFUSED') AND (${t.decision} = 'SIGNED' OR ${t.reason} IS NOT NULL)`),
  ],
);

/** Field progress of an item: who, when, where (GPS inside the village) and evidence. */
export const itemProgressRecords = pgTable(
  'item_progress_records',
  {
    id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
    itemId: integer('item_id')
      .notNull()
      .references(() => packageItems.id, { onDelete: 'cascade' }),
    progress: itemProgressEnum('progress').notNull(),
    onDate: date('on_date', { mode: 'string' }).notNull(),
    note: text('note').notNull().default(''),
    location: geometry('location', 'Point'),
    recordedBy: text('recorded_by').notNull(),
    recorderRole: text('recorder_role').notNull(),
    evidence: bytea('evidence'),
    evidenceSha256: text('evidence_sha256'),
    evidenceMime: text('evidence_mime'),
    evidenceBytes: integer('evidence_bytes'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('item_progress_records_item_idx').on(t.itemId, t.id),
    check('item_progress_records_evidence', sql`(${t.evidence} IS NULL) = (${t.evidenceSha256} IS NULL) AND (${t.evidence} IS NULL OR octet_length(${t.evidence}) = ${t.evidenceBytes})`),
  ],
);

/** The post-works verification of a housing item: the assessment of the repaired house. */
export const postWorksVerifications = pgTable('post_works_verifications', {
  itemId: integer('item_id')
    .primaryKey()
    .references(() => packageItems.id, { onDelete: 'cascade' }),
  assessmentId: integer('assessment_id')
    .notNull()
    .references(() => assessments.id),
  verifiedBy: text('verified_by').notNull(),
  fit: boolean('fit').notNull(),
  at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
});

/** Economic-empowerment follow-ups: is the business running 3, 6 and 12 months after the item was done. */
export const outcomeChecks = pgTable(
  'outcome_checks',
  {
    itemId: integer('item_id')
      .notNull()
      .references(() => packageItems.id, { onDelete: 'cascade' }),
    monthsAfter: smallint('months_after').notNull(),
    dueOn: date('due_on', { mode: 'string' }).notNull(),
    checkedOn: date('checked_on', { mode: 'string' }),
    businessRunning: boolean('business_running'),
    note: text('note').notNull().default(''),
    checkedBy: text('checked_by'),
  },
  (t) => [uniqueIndex('outcome_checks_pk').on(t.itemId, t.monthsAfter), check('outcome_checks_months', sql`${t.monthsAfter} IN (3, 6, 12)`)],
);
