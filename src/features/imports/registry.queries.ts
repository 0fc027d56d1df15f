/**
 * SQL of the registry import. Rows are COPY'd into temporary tables of the import's transaction
 * (`reg_households`, `reg_members`, `reg_tags`, `reg_programs`); checks against the database and
 * every write are set-based statements over them, so a million households is a few statements,
 * not a million round trips.
 */
import { copyLine, type Queryable } from '../../db/database.js';
import type { HouseholdRow, MemberRow } from './registry.format.js';

/** Household columns compared, written and kept in history (the registry's own fields). */
export const HISTORY_FIELDS = [
  'village_code', 'desil', 'livelihood', 'is_mustahik', 'receives_pkh', 'receives_bpnt', 'has_small_business', 'floor_area_m2',
  'occupants', 'floor_material', 'wall_material', 'roof_material', 'has_own_toilet', 'has_electricity', 'water_source',
  'land_ownership', 'had_housing_aid', 'location',
] as const;

/** Columns of the staged households as the parser writes them (COPY text, `householdCopyLine`). */
const HOUSEHOLD_STAGE_COLUMNS = [
  'line', 'registry_id', 'village_code', 'longitude', 'latitude', 'desil', 'livelihood', 'is_mustahik', 'receives_pkh', 'receives_bpnt',
  'has_small_business', 'floor_area_m2', 'floor_material', 'wall_material', 'roof_material', 'has_own_toilet', 'has_electricity',
  'water_source', 'land_ownership', 'had_housing_aid', 'head_name', 'head_nik', 'family_card_number', 'address',
] as const;

export function householdCopyLine(h: HouseholdRow): string {
  return copyLine([
    h.line, h.registryId, h.villageCode, h.lonLat[0], h.lonLat[1], h.desil, h.livelihood, h.isMustahik, h.receivesPkh, h.receivesBpnt,
    h.hasSmallBusiness, h.floorAreaM2, h.floorMaterial, h.wallMaterial, h.roofMaterial, h.hasOwnToilet, h.hasElectricity, h.waterSource,
    h.landOwnership, h.hadHousingAid, h.headName, h.headNik, h.familyCardNumber, h.address,
  ]);
}

const MEMBER_STAGE_COLUMNS = ['line', 'registry_id', 'full_name', 'nik', 'birth_date', 'sex', 'relation', 'disability', 'in_school'] as const;

export function memberCopyLine(m: MemberRow): string {
  return copyLine([m.line, m.registryId, m.fullName, m.nik, m.birthDate, m.sex, m.relation, m.disability, m.inSchool]);
}

/** A PAS tag of a household (`nik` null) or of a member. */
export function tagCopyLine(registryId: string, nik: string | null, pas: string, recordedOn: string): string {
  return copyLine([registryId, nik, pas, recordedOn]);
}

export function programCopyLine(line: number, registryId: string, code: string, since: string): string {
  return copyLine([line, registryId, code, since]);
}

/**
 * The staging tables' COPY text, in chunks (registry.import.ts RegistryParser builds it). Sent in
 * this order, each read only when its COPY starts: the parser's generators fill tags and programs
 * while they read the households and members.
 */
export interface StagedCopy {
  households: Iterable<string>;
  members: Iterable<string>;
  tags: Iterable<string>;
  programs: Iterable<string>;
}

/**
 * A new id from `table`'s id sequence, looked up once per statement (a subquery):
 * `nextval(pg_get_serial_sequence(…))` looked the sequence up by name for every row, 2.7 µs against
 * 0.3 µs per row (10 s of resolving four million members).
 */
const nextId = (table: 'households' | 'members') => `nextval((SELECT pg_get_serial_sequence('${table}', 'id')::regclass))::int`;

export async function stageRegistry(tx: Queryable, copy: StagedCopy): Promise<void> {
  // The staging tables of a large extract are far bigger than the default 8 MB of temporary
  // buffers; spilled, every pass over them goes through the kernel. The buffers are allocated as
  // they are used, so a small import costs nothing more. PostgreSQL refuses a new size once the
  // session has used temporary tables with another one (a pooled connection): then it keeps its own.
  await tx.query(`DO $$ BEGIN PERFORM set_config('temp_buffers', '256MB', true); EXCEPTION WHEN OTHERS THEN NULL; END $$`);
  await tx.query(
    'DROP TABLE IF EXISTS pg_temp.reg_households_in, pg_temp.reg_households, pg_temp.reg_members, pg_temp.reg_tags, pg_temp.reg_programs, pg_temp.reg_skipped',
  );
  // Longitude and latitude as numbers: PostGIS's text parser for `SRID=4326;POINT(…)` made the
  // COPY of a million households take 11 s; ST_MakePoint in the pass below costs next to nothing.
  await tx.query(
    `CREATE TEMP TABLE reg_households_in (line int, registry_id text, village_code text, longitude float8, latitude float8,
       desil smallint, livelihood livelihood, is_mustahik boolean, receives_pkh boolean, receives_bpnt boolean, has_small_business boolean,
       floor_area_m2 real, floor_material floor_material, wall_material wall_material, roof_material roof_material,
       has_own_toilet boolean, has_electricity boolean, water_source water_source, land_ownership land_ownership, had_housing_aid boolean,
       head_name text, head_nik text, family_card_number text, address text) ON COMMIT DROP`,
  );
  await tx.query(
    `CREATE TEMP TABLE reg_members (line int, registry_id text, full_name text, nik text, birth_date date, sex sex,
       relation family_relation, disability disability_type, in_school boolean) ON COMMIT DROP`,
  );
  await tx.query('CREATE TEMP TABLE reg_tags (registry_id text, nik text, pas pas, recorded_on date) ON COMMIT DROP');
  await tx.query('CREATE TEMP TABLE reg_programs (line int, registry_id text, program_code text, since date) ON COMMIT DROP');
  // Households left out under skipInvalid (a FULL snapshot must not mark them inactive).
  await tx.query('CREATE TEMP TABLE reg_skipped (registry_id text) ON COMMIT DROP');
  await tx.copy('reg_households_in', HOUSEHOLD_STAGE_COLUMNS, copy.households);
  await tx.copy('reg_members', MEMBER_STAGE_COLUMNS, copy.members);
  await tx.copy('reg_tags', ['registry_id', 'nik', 'pas', 'recorded_on'], copy.tags);
  await tx.copy('reg_programs', ['line', 'registry_id', 'program_code', 'since'], copy.programs);
  // Each staged household gets its id once, in one pass: the existing household's, or a new one
  // from the table's sequence (imports hold an advisory lock, and the registry_id key still guards).
  // The same pass adds what its members give it: occupants (the registry's household size is its
  // member count) and the roll-ups a new household is inserted with. A pass that creates the table
  // writes each row once; UPDATEs of the staged rows would write it twice. Its age flags are those
  // of the transaction's day, which age_rollups_computed records (drizzle/0021).
  await tx.query('SELECT age_rollups_computed()');
  await tx.query(
    `CREATE TEMP TABLE reg_households ON COMMIT DROP AS
     SELECT i.line, i.registry_id, i.village_code, ST_SetSRID(ST_MakePoint(i.longitude, i.latitude), 4326)::geometry(Point, 4326) AS location,
            i.desil, i.livelihood, i.is_mustahik, i.receives_pkh, i.receives_bpnt, i.has_small_business, i.floor_area_m2,
            coalesce(m.member_count, 0)::smallint AS occupants, i.floor_material, i.wall_material, i.roof_material, i.has_own_toilet,
            i.has_electricity, i.water_source, i.land_ownership, i.had_housing_aid, i.head_name, i.head_nik, i.family_card_number, i.address,
            coalesce(m.member_count, 0)::smallint AS member_count, coalesce(m.has_elderly, false) AS has_elderly,
            coalesce(m.has_child, false) AS has_child, coalesce(m.has_disabled, false) AS has_disabled,
            coalesce(h.id, ${nextId('households')}) AS household_id, h.id IS NULL AS is_new
     FROM reg_households_in i LEFT JOIN households h ON h.registry_id = i.registry_id
     LEFT JOIN (SELECT registry_id, count(*) AS member_count,
                       bool_or(birth_date <= elderly_born_by(current_date)) AS has_elderly,
                       bool_or(birth_date > child_born_after(current_date)) AS has_child,
                       bool_or(disability IS NOT NULL) AS has_disabled
                FROM reg_members GROUP BY registry_id) m ON m.registry_id = i.registry_id`,
  );
  await tx.query('DROP TABLE reg_households_in');
  // A plain index, not a key: the staged ids are unique (duplicates are left out as parse issues),
  // but a key violation must never be how the import finds out.
  await tx.query('CREATE INDEX ON reg_households (registry_id)');
  await tx.query('ANALYZE reg_households');
  await tx.query('ANALYZE reg_members');
}

export interface DbIssueRow extends Record<string, unknown> {
  file: 'households' | 'members';
  /** The household the row belongs to (skipInvalid leaves it out). */
  registry_id: string;
  line: number;
  column: string;
  value: string;
  expected: string;
}

/** Checks that need the database, as issues (households.csv / members.csv by `file`). */
export async function checkRegistryAgainstDatabase(tx: Queryable, asOf: string, toleranceMeters: number): Promise<DbIssueRow[]> {
  return tx.query<DbIssueRow>(
    `SELECT 'households' AS file, line, 'village_code' AS column, village_code AS value, 'a village code in the Kemendagri table' AS expected, r.registry_id
     FROM reg_households r WHERE NOT EXISTS (SELECT 1 FROM regions g WHERE g.code = r.village_code AND g.level = 'VILLAGE')
     UNION ALL
     SELECT 'households', r.line, 'longitude,latitude', ST_X(r.location) || ',' || ST_Y(r.location),
            'a location inside village ' || r.village_code || ' (within ' || $2::float8::text || ' m of its boundary)', r.registry_id
     FROM reg_households r JOIN village_geography g ON g.village_code = r.village_code
     WHERE NOT ST_Intersects(g.boundary, r.location) AND NOT ST_DWithin(g.boundary::geography, r.location::geography, $2::float8)
     UNION ALL
     SELECT 'households', r.line, col, val, 'a region prefix (digits 1–6) that is a kecamatan in the Kemendagri table', r.registry_id
     FROM reg_households r, LATERAL (VALUES ('head_nik', r.head_nik), ('family_card_number', r.family_card_number)) v(col, val)
     WHERE NOT EXISTS (SELECT 1 FROM regions g WHERE g.level = 'DISTRICT'
                       AND g.code = substr(val, 1, 2) || '.' || substr(val, 3, 2) || '.' || substr(val, 5, 2))
     UNION ALL
     SELECT 'households', r.line, 'family_card_number', r.family_card_number, 'a family card number not held by another household (' || h.registry_id || ')', r.registry_id
     FROM reg_households r JOIN household_identities i ON i.family_card_number = r.family_card_number
     JOIN households h ON h.id = i.household_id WHERE h.registry_id <> r.registry_id
     UNION ALL
     SELECT 'households', r.line, 'registry_id', r.registry_id, 'a snapshot not older than the one already imported (' || h.registry_as_of || ')', r.registry_id
     FROM reg_households r JOIN households h ON h.id = r.household_id WHERE h.registry_as_of > $1::date
     UNION ALL
     SELECT 'households', p.line, 'programs', p.program_code, 'a program code in social_programs', p.registry_id
     FROM reg_programs p WHERE NOT EXISTS (SELECT 1 FROM social_programs s WHERE s.code = p.program_code)
     UNION ALL
     SELECT 'members', m.line, 'nik', m.nik, 'a region prefix (digits 1–6) that is a kecamatan in the Kemendagri table', m.registry_id
     FROM reg_members m WHERE NOT EXISTS (SELECT 1 FROM regions g WHERE g.level = 'DISTRICT'
                       AND g.code = substr(m.nik, 1, 2) || '.' || substr(m.nik, 3, 2) || '.' || substr(m.nik, 5, 2))
     UNION ALL
     SELECT 'members', m.line, 'nik', m.nik, 'a NIK not held by a member of another household (' || h.registry_id || ')', m.registry_id
     FROM reg_members m JOIN member_identities i ON i.nik = m.nik JOIN members x ON x.id = i.member_id
     JOIN households h ON h.id = x.household_id WHERE h.registry_id <> m.registry_id
     ORDER BY 1, 2, 3`,
    [asOf, toleranceMeters],
  );
}

const H = (c: string) => `h.${c}`;
const R = (c: string) => `r.${c}`;
const historyValues = HISTORY_FIELDS.map((f) =>
  f === 'location' ? `('location', ST_AsText(h.location), ST_AsText(r.location))` : `('${f}', ${H(f)}::text, ${R(f)}::text)`,
).join(', ');

/** Writes one history row per changed field of existing households (including reactivation). */
export async function recordHistory(tx: Queryable, asOf: string, auditId: number): Promise<{ households: number; fields: number }> {
  const rows = await tx.query<{ households: number; fields: number }>(
    `WITH ins AS (
       INSERT INTO household_field_history (household_id, field, old_value, new_value, as_of, audit_id)
       SELECT h.id, f.field, f.old, f.new, $1::date, $2
       FROM reg_households r JOIN households h ON h.id = r.household_id,
            LATERAL (VALUES ${historyValues}, ('inactive_since', h.inactive_since::text, NULL::text)) AS f(field, old, new)
       WHERE f.old IS DISTINCT FROM f.new
       RETURNING household_id)
     SELECT count(DISTINCT household_id)::int AS households, count(*)::int AS fields FROM ins`,
    [asOf, auditId],
  );
  return rows[0] ?? { households: 0, fields: 0 };
}

const UPSERT_COLUMNS = [
  'registry_id', 'village_code', 'location', 'desil', 'livelihood', 'is_mustahik', 'receives_pkh', 'receives_bpnt', 'has_small_business',
  'floor_area_m2', 'occupants', 'floor_material', 'wall_material', 'roof_material', 'has_own_toilet', 'has_electricity', 'water_source',
  'land_ownership', 'had_housing_aid',
];
const UPDATED = UPSERT_COLUMNS.filter((c) => c !== 'registry_id');

/**
 * Updates changed households (an unchanged row is not touched) and inserts new ones with their
 * roll-ups (PAS array, member count, has_* flags) computed from the staged rows, so a new
 * household is written once; existing ones get theirs from refresh_household_rollups afterwards,
 * since they may hold tags from assessments too.
 */
export async function upsertHouseholds(tx: Queryable, asOf: string): Promise<{ inserted: number; updated: number }> {
  const [updated] = await tx.query<{ n: number }>(
    `WITH up AS (
       UPDATE households h SET ${UPDATED.map((c) => `${c} = r.${c}`).join(', ')}, registry_as_of = $1::date, inactive_since = NULL, updated_at = now()
       FROM reg_households r
       WHERE h.id = r.household_id AND NOT r.is_new
         AND (${UPDATED.map(H).join(', ')}, h.registry_as_of, h.inactive_since)
             IS DISTINCT FROM (${UPDATED.map(R).join(', ')}, $1::date, NULL::date)
       RETURNING 1)
     SELECT count(*)::int AS n FROM up`,
    [asOf],
  );
  // The RTLH verdict is computed here, set-based under the active rule, exactly as the row
  // trigger would (drizzle/0020): the trigger's query and function call per row were 7 s of the
  // INSERT of a million households.
  await tx.query("SET LOCAL kt.rtlh_computed = 'on'");
  const [inserted] = await tx.query<{ n: number }>(
    `WITH ins AS (
       INSERT INTO households (id, ${UPSERT_COLUMNS.join(', ')}, registry_as_of, pas, member_count, has_elderly, has_child, has_disabled,
                               rtlh_reasons, is_rtlh)
       SELECT r.household_id, ${UPSERT_COLUMNS.map(R).join(', ')}, $1::date, coalesce(tag.pas, '{}'), r.member_count,
              r.has_elderly, r.has_child, r.has_disabled,
              coalesce(v.reasons, '{}'), coalesce(cardinality(v.reasons) >= rule.min_failed_criteria, false)
       FROM reg_households r
       LEFT JOIN (SELECT registry_id, array_agg(DISTINCT pas ORDER BY pas) AS pas FROM reg_tags GROUP BY registry_id) tag ON tag.registry_id = r.registry_id
       LEFT JOIN rtlh_rules rule ON rule.is_active
       CROSS JOIN LATERAL (SELECT rtlh_reasons_for(rule, r.floor_area_m2, r.occupants, r.floor_material, r.wall_material, r.roof_material,
                                                   r.has_own_toilet, r.has_electricity, r.water_source) AS reasons) v
       WHERE r.is_new ORDER BY r.line
       RETURNING 1)
     SELECT count(*)::int AS n FROM ins`,
    [asOf],
  );
  await tx.query("SET LOCAL kt.rtlh_computed = 'off'");
  return { inserted: inserted?.n ?? 0, updated: updated?.n ?? 0 };
}

export async function upsertIdentities(tx: Queryable): Promise<number> {
  const [changed] = await tx.query<{ n: number }>(
    `WITH up AS (
       UPDATE household_identities i SET head_name = r.head_name, head_nik = r.head_nik, family_card_number = r.family_card_number, address = r.address
       FROM reg_households r
       WHERE i.household_id = r.household_id AND NOT r.is_new
         AND (i.head_name, i.head_nik, i.family_card_number, i.address) IS DISTINCT FROM (r.head_name, r.head_nik, r.family_card_number, r.address)
       RETURNING 1)
     SELECT count(*)::int AS n FROM up`,
  );
  // An existing household without an identity row (none is expected) gets one, as new ones do.
  const [added] = await tx.query<{ n: number }>(
    `WITH ins AS (
       INSERT INTO household_identities (household_id, head_name, head_nik, family_card_number, address)
       SELECT r.household_id, r.head_name, r.head_nik, r.family_card_number, r.address FROM reg_households r
       WHERE r.is_new OR NOT EXISTS (SELECT 1 FROM household_identities i WHERE i.household_id = r.household_id)
       RETURNING 1)
     SELECT count(*)::int AS n FROM ins`,
  );
  return (changed?.n ?? 0) + (added?.n ?? 0);
}

export interface MemberChanges {
  inserted: number;
  updated: number;
  removed: number;
  keptReferenced: number;
}

/**
 * Members are matched within their household by NIK. Listed ones are inserted or updated; members
 * the snapshot no longer lists are removed, except those a package item names (kept, reported).
 */
export async function writeMembers(tx: Queryable): Promise<MemberChanges> {
  // One pass resolves every staged member: its household, and the existing member with its NIK
  // in that household or a new id from the sequence.
  await tx.query(
    `CREATE TEMP TABLE reg_members_resolved ON COMMIT DROP AS
     SELECT m.*, r.household_id, coalesce(x.id, ${nextId('members')}) AS member_id, x.id IS NULL AS is_new
     FROM reg_members m JOIN reg_households r ON r.registry_id = m.registry_id
     LEFT JOIN (SELECT x.id, x.household_id, i.nik FROM members x JOIN member_identities i ON i.member_id = x.id
                WHERE x.household_id IN (SELECT household_id FROM reg_households WHERE NOT is_new)) x
       ON x.household_id = r.household_id AND x.nik = m.nik`,
  );
  await tx.query('ANALYZE reg_members_resolved');
  const [updated] = await tx.query<{ n: number }>(
    `WITH up AS (
       UPDATE members x SET birth_date = m.birth_date, sex = m.sex, relation = m.relation, disability = m.disability, in_school = m.in_school
       FROM reg_members_resolved m WHERE x.id = m.member_id AND NOT m.is_new
         AND (x.birth_date, x.sex, x.relation, x.disability, x.in_school) IS DISTINCT FROM (m.birth_date, m.sex, m.relation, m.disability, m.in_school)
       RETURNING x.id),
     names AS (
       UPDATE member_identities i SET full_name = m.full_name FROM reg_members_resolved m
       WHERE i.member_id = m.member_id AND NOT m.is_new AND i.full_name IS DISTINCT FROM m.full_name RETURNING i.member_id)
     SELECT (SELECT count(*) FROM (SELECT id FROM up UNION SELECT member_id FROM names) u)::int AS n`,
  );
  const [removed] = await tx.query<{ removed: number; kept: number }>(
    `WITH gone AS (
       SELECT x.id, EXISTS (SELECT 1 FROM package_items p WHERE p.member_id = x.id) AS referenced
       FROM members x JOIN reg_households r ON r.household_id = x.household_id AND NOT r.is_new
       WHERE NOT EXISTS (SELECT 1 FROM reg_members_resolved m WHERE m.member_id = x.id)),
     del AS (DELETE FROM members x USING gone g WHERE x.id = g.id AND NOT g.referenced RETURNING 1)
     SELECT (SELECT count(*) FROM del)::int AS removed, (SELECT count(*) FROM gone WHERE referenced)::int AS kept`,
  );
  const [inserted] = await tx.query<{ n: number }>(
    `WITH ins AS (
       INSERT INTO members (id, household_id, birth_date, sex, relation, disability, in_school)
       SELECT member_id, household_id, birth_date, sex, relation, disability, in_school
       FROM reg_members_resolved WHERE is_new ORDER BY line RETURNING id)
     SELECT count(*)::int AS n FROM ins`,
  );
  await tx.query(`INSERT INTO member_identities (member_id, full_name, nik) SELECT member_id, full_name, nik FROM reg_members_resolved WHERE is_new`);
  return { inserted: inserted?.n ?? 0, updated: updated?.n ?? 0, removed: removed?.removed ?? 0, keptReferenced: removed?.kept ?? 0 };
}

/** Registry-sourced PAS tags of listed households become exactly the file's; assessment and field tags stay. */
export async function writeTags(tx: Queryable): Promise<{ added: number; removed: number }> {
  await tx.query(
    `CREATE TEMP TABLE reg_tags_resolved ON COMMIT DROP AS
     SELECT r.household_id, r.is_new, m.member_id, t.pas, t.recorded_on
     FROM reg_tags t JOIN reg_households r ON r.registry_id = t.registry_id
     LEFT JOIN reg_members_resolved m ON m.registry_id = t.registry_id AND m.nik = t.nik`,
  );
  const [removed] = await tx.query<{ n: number }>(
    `WITH del AS (
       DELETE FROM pas_tags p USING reg_households r
       WHERE p.household_id = r.household_id AND p.source = 'REGISTRY'
         AND NOT EXISTS (SELECT 1 FROM reg_tags_resolved x WHERE x.household_id = p.household_id
                         AND x.member_id IS NOT DISTINCT FROM p.member_id AND x.pas = p.pas)
       RETURNING 1)
     SELECT count(*)::int AS n FROM del`,
  );
  const [added] = await tx.query<{ n: number }>(
    `WITH ins AS (
       INSERT INTO pas_tags (household_id, member_id, pas, source, recorded_on)
       SELECT x.household_id, x.member_id, x.pas, 'REGISTRY', x.recorded_on FROM reg_tags_resolved x
       -- A household this import creates has no tags yet: only existing ones need the lookup.
       WHERE x.is_new OR NOT EXISTS (SELECT 1 FROM pas_tags p WHERE p.household_id = x.household_id AND p.source = 'REGISTRY'
                         AND p.member_id IS NOT DISTINCT FROM x.member_id AND p.pas = x.pas)
       RETURNING 1)
     SELECT count(*)::int AS n FROM ins`,
  );
  return { added: added?.n ?? 0, removed: removed?.n ?? 0 };
}

/** Opens memberships the file lists and ends (never deletes) open ones of listed households it no longer lists. */
export async function writePrograms(tx: Queryable, asOf: string): Promise<{ opened: number; ended: number }> {
  const [ended] = await tx.query<{ n: number }>(
    `WITH up AS (
       UPDATE program_memberships pm SET ended_on = greatest($1::date, pm.since), end_reason = 'NOT_IN_REGISTRY'
       FROM reg_households r
       WHERE pm.household_id = r.household_id AND pm.ended_on IS NULL
         AND NOT EXISTS (SELECT 1 FROM reg_programs p WHERE p.registry_id = r.registry_id AND p.program_code = pm.program_code)
       RETURNING 1)
     SELECT count(*)::int AS n FROM up`,
    [asOf],
  );
  const [opened] = await tx.query<{ n: number }>(
    `WITH ins AS (
       INSERT INTO program_memberships (household_id, program_code, since, registry_snapshot)
       SELECT r.household_id, p.program_code, p.since, 'registry import as of ' || $1::text
       FROM reg_programs p JOIN reg_households r ON r.registry_id = p.registry_id
       WHERE NOT EXISTS (SELECT 1 FROM program_memberships pm WHERE pm.household_id = r.household_id
                         AND pm.program_code = p.program_code AND pm.ended_on IS NULL)
       RETURNING 1)
     SELECT count(*)::int AS n FROM ins`,
    [asOf],
  );
  return { opened: opened?.n ?? 0, ended: ended?.n ?? 0 };
}

/**
 * Full snapshot: households of the villages the file covers that it does not list become inactive
 * as of its date (history kept). Villages the file does not mention are outside its scope.
 */
export async function markMissingInactive(tx: Queryable, asOf: string, auditId: number): Promise<number> {
  const [row] = await tx.query<{ n: number }>(
    `WITH gone AS (
       UPDATE households h SET inactive_since = $1::date, updated_at = now()
       WHERE h.village_code IN (SELECT DISTINCT village_code FROM reg_households) AND h.inactive_since IS NULL
         AND NOT EXISTS (SELECT 1 FROM reg_households r WHERE r.registry_id = h.registry_id)
         AND NOT EXISTS (SELECT 1 FROM reg_skipped s WHERE s.registry_id = h.registry_id)
       RETURNING h.id),
     hist AS (
       INSERT INTO household_field_history (household_id, field, old_value, new_value, as_of, audit_id)
       SELECT id, 'inactive_since', NULL, $1::text, $1::date, $2 FROM gone RETURNING 1)
     SELECT (SELECT count(*) FROM gone)::int AS n WHERE (SELECT count(*) FROM hist) >= 0`,
    [asOf, auditId],
  );
  return row?.n ?? 0;
}

/** Statistics of every village touched, in the import's transaction (RTLH verdicts and roll-ups are kept by triggers). */
export async function refreshDerived(tx: Queryable, extraVillages: readonly string[]): Promise<void> {
  await tx.query('SELECT refresh_village_stats(ARRAY(SELECT DISTINCT village_code FROM reg_households UNION SELECT unnest($1::text[])))', [extraVillages]);
}
