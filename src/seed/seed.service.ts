/**
 * Loads the reference data (regions, boundaries, shorelines) and the synthetic households.
 *
 * A seed runs in one transaction and records itself in `seed_runs` inside it, so a crash or a
 * second start never leaves half a data set or duplicate rows: either the run is recorded and
 * complete, or nothing of it exists.
 */
import { seedLifecycleDemo } from '../features/graduation/index.js';
import { createHash } from 'node:crypto';
import { BULK_PARALLEL_WORKERS, copyLine, type Database, type Queryable } from '../db/database.js';
import { PAS_CODES } from '../db/schema.js';
import type { Logger } from '../logging/logger.js';
import { startProgress } from './progress.js';
import { seedPilots } from './pilots/pilots.seed.js';
import { loadBoundaries, loadCoastalAttributes, loadShorelines, readFishingVillageCodes } from './reference/geography.loader.js';
import { DATA_FILES } from './reference/data-files.js';
import { loadRegions } from './reference/regions.loader.js';
import { type GeneratedTag, type VillageContext, VillageHouseholdGenerator } from './synthetic/household.generator.js';
import { Rng } from './synthetic/rng.js';
import { buildVillageContexts, type VillageFlags } from './synthetic/village-contexts.js';

/** Households are generated and copied in batches of about this many, to bound memory. */
const BATCH_HOUSEHOLDS = 20_000;
/** Generated households between yields to the event loop while a copy is in flight. */
const YIELD_EVERY = 500;

export const HOUSEHOLD_COPY_COLUMNS = [
  'id', 'registry_id', 'village_code', 'location', 'desil', 'livelihood', 'is_mustahik', 'receives_pkh',
  'receives_bpnt', 'has_small_business', 'floor_area_m2', 'occupants', 'floor_material', 'wall_material',
  'roof_material', 'has_own_toilet', 'has_electricity', 'water_source', 'land_ownership', 'had_housing_aid',
] as const;

/**
 * The roll-up columns (drizzle/0002 `refresh_household_rollups`) a generated household's COPY line
 * carries after HOUSEHOLD_COPY_COLUMNS, so that it is written once: refreshing them afterwards
 * rewrote every household a second time (a million rows, with every index, at scale).
 */
export const ROLLUP_COPY_COLUMNS = ['pas', 'member_count', 'has_elderly', 'has_child', 'has_disabled'] as const;

/** COPY lines of a run of households with consecutive ids, one array per table. */
export interface HouseholdCopyLines {
  /** HOUSEHOLD_COPY_COLUMNS, followed by ROLLUP_COPY_COLUMNS when `withRollups`. */
  households: string[];
  identities: string[];
  members: string[];
  memberIdentities: string[];
  tags: string[];
}

/**
 * Copies households with ids `firstId`..`lastId`, their identities, members and PAS tags, then
 * refreshes their roll-ups once: the roll-up triggers would otherwise recompute per statement.
 */
export async function copyHouseholdLines(tx: Queryable, lines: HouseholdCopyLines, firstId: number, lastId: number, withRollups = false): Promise<void> {
  await tx.query("SET LOCAL kt.skip_rollups = 'on'");
  await tx.copy('households', withRollups ? [...HOUSEHOLD_COPY_COLUMNS, ...ROLLUP_COPY_COLUMNS] : HOUSEHOLD_COPY_COLUMNS, lines.households);
  await tx.copy('household_identities', ['household_id', 'head_name', 'head_nik', 'family_card_number', 'address'], lines.identities);
  await tx.copy('members', ['id', 'household_id', 'birth_date', 'sex', 'relation', 'disability', 'in_school'], lines.members);
  await tx.copy('member_identities', ['member_id', 'full_name', 'nik'], lines.memberIdentities);
  await tx.copy('pas_tags', ['id', 'household_id', 'member_id', 'pas', 'source', 'recorded_on'], lines.tags);
  await tx.query("SET LOCAL kt.skip_rollups = 'off'");
  if (!withRollups) await tx.query('SELECT refresh_household_rollups(ARRAY(SELECT generate_series($1::int, $2::int)))', [firstId, lastId]);
}

const PAS_ORDER = new Map<string, number>(PAS_CODES.map((code, i) => [code, i]));

/**
 * A generated household's roll-ups as refresh_household_rollups computes them: distinct PAS of the
 * household and its members in the enum's order, member count, and whether a member is 60 or older,
 * under 18 or disabled on the day whose age thresholds `today` holds (the database's
 * elderly_born_by and child_born_after of the transaction's current_date, drizzle/0021).
 */
export function householdRollups(
  h: { tags: readonly { pas: string }[]; members: readonly { birthDate: string; disability: string | null; tags: readonly { pas: string }[] }[] },
  today: { elderlyOnOrBefore: string; childAfter: string },
): unknown[] {
  const pas = new Set<string>();
  for (const t of h.tags) pas.add(t.pas);
  for (const m of h.members) for (const t of m.tags) pas.add(t.pas);
  return [
    [...pas].sort((a, b) => PAS_ORDER.get(a)! - PAS_ORDER.get(b)!),
    h.members.length,
    h.members.some((m) => m.birthDate <= today.elderlyOnOrBefore),
    h.members.some((m) => m.birthDate > today.childAfter),
    h.members.some((m) => m.disability !== null),
  ];
}

export interface SeedResult {
  households: number;
  checksum: string;
  seconds: number;
}

async function referenceDataLoaded(db: Queryable): Promise<boolean> {
  const [row] = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM regions');
  return (row?.n ?? 0) > 0;
}

export async function loadReferenceData(tx: Queryable, log: Logger): Promise<void> {
  let started = Date.now();
  const regions = await loadRegions(tx);
  log.info({ regions, ms: Date.now() - started }, 'loaded Kemendagri regions');
  started = Date.now();
  const { villages, repaired } = await loadBoundaries(tx);
  await loadShorelines(tx);
  await loadCoastalAttributes(tx);
  log.info({ villages, repairedWithMakeValid: repaired, ms: Date.now() - started }, 'loaded village boundaries and coastal attributes');
}

async function villageFlags(db: Queryable): Promise<Map<string, VillageFlags>> {
  const fishing = readFishingVillageCodes();
  const rows = await db.query<{ village_code: string; is_coastal: boolean }>(
    'SELECT village_code, is_coastal FROM village_geography ORDER BY village_code',
  );
  return new Map(rows.map((r) => [r.village_code, { isCoastal: r.is_coastal, isFishing: fishing.has(r.village_code) }]));
}

/**
 * Household counts of the demo: fishing villages big, other coastal villages medium, inland villages
 * small in the seven first-bundled kab/kota and empty (boundary only) in the other 30 Pantura ones.
 * The coastal range is below what a real coastal village holds (hundreds of KK) so that the first
 * start stays within 60 s with every coastal village of the Pantura populated (README "Demo data").
 */
export function demoCounts(contexts: readonly VillageContext[], seed: number, scale: number): Map<VillageContext, number> {
  const ranges = { FISHING: [300, 700], COASTAL: [25, 60], INLAND: [5, 12] } as const;
  const study = new Set<string>(DATA_FILES.studyRegencies);
  return new Map(
    contexts.map((village) => {
      if (village.character === 'INLAND' && !study.has(village.code.slice(0, 5))) return [village, 0];
      const [low, high] = ranges[village.character];
      const base = low + (high - low) * new Rng(`${seed}:count:${village.code}`).next();
      return [village, Math.max(1, Math.round(base * scale))];
    }),
  );
}

/** Spreads `total` households over all villages (weights 6 : 3 : 1 by character), summing exactly. */
export function scaleCounts(contexts: readonly VillageContext[], total: number): Map<VillageContext, number> {
  const weight = { FISHING: 6, COASTAL: 3, INLAND: 1 } as const;
  const sum = contexts.reduce((s, v) => s + weight[v.character], 0);
  const exact = contexts.map((v) => (total * weight[v.character]) / sum);
  const counts = exact.map(Math.floor);
  let remainder = total - counts.reduce((s, c) => s + c, 0);
  const order = exact.map((e, i) => [e - Math.floor(e), i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (const [, i] of order) {
    if (remainder-- <= 0) break;
    counts[i] = (counts[i] ?? 0) + 1;
  }
  return new Map(contexts.map((v, i) => [v, counts[i] ?? 0]));
}

interface Batch {
  households: string[];
  identities: string[];
  members: string[];
  memberIdentities: string[];
  tags: string[];
  firstId: number;
  lastId: number;
}

/**
 * Generates and copies households village by village. Ids are assigned here (1, 2, …) so that
 * members and tags can reference them within the same COPY batch; sequences are moved past them.
 */
export async function copyHouseholds(
  tx: Queryable,
  counts: ReadonlyMap<VillageContext, number>,
  seed: number,
  label: string,
): Promise<{ households: number; checksum: string }> {
  const total = [...counts.values()].reduce((s, c) => s + c, 0);
  const progress = startProgress(label, total);
  const hash = createHash('sha256');
  let householdId = 0;
  let memberId = 0;
  let tagId = 0;
  // The checksum covers the generated rows, not the roll-ups: those depend on the day of the run.
  // The age thresholds of that day come from the database's one definition of them, and the day is
  // recorded as one on which age roll-ups were computed (age_rollups_computed, drizzle/0021).
  await tx.query('SELECT age_rollups_computed()');
  const [ages] = await tx.query<{ elderlyOnOrBefore: string; childAfter: string }>(
    'SELECT elderly_born_by(current_date)::text AS "elderlyOnOrBefore", child_born_after(current_date)::text AS "childAfter"',
  );
  if (!ages) throw new Error('the age thresholds of the seed day were not returned');
  const newBatch = (): Batch => ({ households: [], identities: [], members: [], memberIdentities: [], tags: [], firstId: householdId + 1, lastId: householdId });
  let batch = newBatch();

  // One batch is copied while the next is generated: the database and this process each have a
  // core's work to do, and awaiting each copy before generating on would leave one of them idle.
  // A failed copy is held (not left as an unhandled rejection) and rethrown at the next wait.
  let inFlight: Promise<{ error: unknown } | null> = Promise.resolve(null);
  const settle = async () => {
    const failed = await inFlight;
    if (failed) throw failed.error;
  };
  const flush = async () => {
    if (batch.households.length === 0) return;
    for (const lines of [batch.identities, batch.members, batch.memberIdentities, batch.tags]) {
      for (const line of lines) hash.update(line);
    }
    await settle();
    const full = batch;
    inFlight = copyHouseholdLines(tx, full, full.firstId, full.lastId, true).then(
      () => (progress.advance(full.households.length), null),
      (error: unknown) => ({ error }),
    );
    batch = newBatch();
  };

  const tagLine = (hid: number, mid: number | null, tag: GeneratedTag) =>
    copyLine([++tagId, hid, mid, tag.pas, tag.source, tag.recordedOn]);

  for (const [village, count] of counts) {
    if (count === 0) continue;
    const generator = new VillageHouseholdGenerator(village, seed);
    for (let i = 0; i < count; i += 1) {
      const h = generator.next();
      const id = ++householdId;
      batch.lastId = id;
      const line = copyLine([
        id, h.registryId, h.villageCode, `SRID=4326;POINT(${h.lonLat[0]} ${h.lonLat[1]})`, h.desil, h.livelihood,
        h.isMustahik, h.receivesPkh, h.receivesBpnt, h.hasSmallBusiness, h.floorAreaM2, h.members.length,
        h.floorMaterial, h.wallMaterial, h.roofMaterial, h.hasOwnToilet, h.hasElectricity, h.waterSource,
        h.landOwnership, h.hadHousingAid,
      ]);
      hash.update(line);
      batch.households.push(`${line.slice(0, -1)}\t${copyLine(householdRollups(h, ages))}`);
      batch.identities.push(copyLine([id, h.headName, h.headNik, h.familyCardNumber, h.address]));
      for (const tag of h.tags) batch.tags.push(tagLine(id, null, tag));
      for (const m of h.members) {
        const mid = ++memberId;
        batch.members.push(copyLine([mid, id, m.birthDate, m.sex, m.relation, m.disability, m.inSchool]));
        batch.memberIdentities.push(copyLine([mid, m.fullName, m.nik]));
        for (const tag of m.tags) batch.tags.push(tagLine(id, mid, tag));
      }
      if (batch.households.length >= BATCH_HOUSEHOLDS) await flush();
      // Generation is synchronous: yield now and then so the copy in flight can stream its rows.
      else if (batch.households.length % YIELD_EVERY === 0) await new Promise((resolve) => setImmediate(resolve));
    }
  }
  await flush();
  await settle();
  progress.stop();
  for (const [table, column] of [['households', 'id'], ['members', 'id'], ['pas_tags', 'id']] as const) {
    await tx.query(`SELECT setval(pg_get_serial_sequence('${table}', '${column}'), greatest((SELECT max(${column}) FROM ${table}), 1))`);
  }
  return { households: householdId, checksum: hash.digest('hex') };
}

async function recordRun(tx: Queryable, kind: string, seed: number, result: { households: number; checksum: string }, startedAt: Date) {
  await tx.query('INSERT INTO seed_runs (kind, seed, households, checksum, started_at) VALUES ($1, $2, $3, $4, $5)', [
    kind, seed, result.households, result.checksum, startedAt.toISOString(),
  ]);
}

/** Loads the demo data set unless a seed has already completed on this database. */
export async function seedDemoIfEmpty(db: Database, options: { seed: number; scale: number }, log: Logger): Promise<SeedResult | null> {
  const [done] = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM seed_runs');
  if ((done?.n ?? 0) > 0) return null;
  const startedAt = new Date();
  log.info({ seed: options.seed, scale: options.scale }, 'first start: loading the demo data set (regions, boundaries, synthetic households)');
  const result = await db.transaction(async (tx) => {
    if (!(await referenceDataLoaded(tx))) await loadReferenceData(tx, log);
    const contexts = buildVillageContexts(await villageFlags(tx));
    const loaded = await copyHouseholds(tx, demoCounts(contexts, options.seed, options.scale), options.seed, 'demo households');
    const pilotHouseholds = await seedPilots(tx, options.seed, log);
    await tx.query('SELECT refresh_village_stats()');
    await seedLifecycleDemo(tx);
    await recordRun(tx, 'demo', options.seed, { ...loaded, households: loaded.households + pilotHouseholds }, startedAt);
    return loaded;
  });
  await db.query('ANALYZE');
  const seconds = (Date.now() - startedAt.getTime()) / 1000;
  log.info({ households: result.households, checksum: result.checksum, seconds }, 'demo data loaded');
  return { ...result, seconds };
}

/** Replaces all households with `households` synthetic ones spread over every bounded village. */
export async function seedScale(db: Database, options: { seed: number; households: number }, log: Logger): Promise<SeedResult> {
  const startedAt = new Date();
  const result = await db.transaction(async (tx) => {
    // Whole-table statistics over millions of rows: parallel workers as PostgreSQL's default allows.
    await tx.query(`SET LOCAL max_parallel_workers_per_gather = ${BULK_PARALLEL_WORKERS}`);
    if (!(await referenceDataLoaded(tx))) await loadReferenceData(tx, log);
    await tx.query('TRUNCATE households, household_identities, members, member_identities, pas_tags, village_stats, seed_runs RESTART IDENTITY CASCADE');
    const contexts = buildVillageContexts(await villageFlags(tx));
    const loaded = await copyHouseholds(tx, scaleCounts(contexts, options.households), options.seed, 'households');
    log.info('computing village need statistics');
    await tx.query('SELECT refresh_village_stats()');
    await recordRun(tx, 'scale', options.seed, loaded, startedAt);
    return loaded;
  });
  log.info('analyzing tables');
  await db.query('ANALYZE');
  return { ...result, seconds: (Date.now() - startedAt.getTime()) / 1000 };
}
