/**
 * The two real bedah kampung pilots, recorded as they happened (sources: ../shared/DOMAIN.md, news
 * reports 2025), on top of the synthetic demo households:
 *
 * - Eretan Kulon, Kec. Kandanghaur, Kab. Indramayu (32.12.21.2012, Jan 2025, BAZNAS with Kemensos):
 *   93 KK hit by tidal flooding; Masjid Cahaya Zakat Rp2.1 miliar; a village hall, the ZCorner
 *   culinary centre and a craft centre (all BAZNAS's); Rumah Layak Huni BAZNAS Rp1.9 miliar for
 *   the 93 houses (builders' wages); UMKM Rp684 juta; total "Rp4.7 miliar" (2.1 + 1.9 + 0.684 =
 *   4.684). BAZNAS aid only to mustahik.
 * - Desa Talaga, Kec. Mancak, Kab. Serang (36.04.32.2004, May 2025): 22 RST houses (9 Kemensos,
 *   13 YPP SCTV), toilets for 82 families (42 Human Initiative, 40 Kemensos), 60 MCK repaired and
 *   25 septic tanks (funder not stated), household goods for 4 PPKS worth Rp29,822,000.
 *
 * What the sources do not say is recorded as such, never guessed silently: each amount that is
 * not a published figure carries an `amount_note`, the catalog marks assumed unit costs, funders
 * the sources do not name are UNSTATED, and sites (not published) are the village's interior
 * point. Which synthetic households stand for the real families is our choice (poorest first);
 * the real families are not in any data we hold.
 */
import { projectPath } from '../../config/paths.js';
import { readFileSync } from 'node:fs';
import type { Feature, FeatureCollection, MultiPolygon, Polygon } from 'geojson';
import bbox from '@turf/bbox';
import { copyLine, type Queryable } from '../../db/database.js';
import type { Logger } from '../../logging/logger.js';
import { VillageHouseholdGenerator, type VillageContext } from '../synthetic/household.generator.js';
import { buildVillageContexts } from '../synthetic/village-contexts.js';
import { copyHouseholdLines } from '../seed.service.js';

export const ERETAN_KULON = '32.12.21.2012';
export const TALAGA = '36.04.32.2004';

/** Desa Talaga's boundary, one feature extracted from the shared Pantura data (data/README.md). */
const TALAGA_BOUNDARY = projectPath('data/boundaries/pilot_desa_talaga_3604322004.geojson');

/** At least this many registry households per pilot village (the pilots reach 93 and 82 families). */
const MIN_HOUSEHOLDS = { [ERETAN_KULON]: 120, [TALAGA]: 120 } as const;

const SEED_ACTOR = 'seed:pilots';

async function ensureTalagaBoundary(tx: Queryable): Promise<void> {
  // The Pantura import may already have loaded it; then it stays as loaded.
  await tx.query(
    `INSERT INTO village_geography (village_code, boundary, centroid, area_m2, is_coastal, coastal_source)
     SELECT f->'properties'->>'kode', g, ST_Centroid(g), ST_Area(g::geography), false, 'NATURAL_EARTH_COASTLINE'
     FROM json_array_elements($1::json->'features') AS f,
          LATERAL (SELECT ST_Multi(ST_SetSRID(ST_GeomFromGeoJSON(f->>'geometry'), 4326)) AS g) x
     ON CONFLICT (village_code) DO NOTHING`,
    [readFileSync(TALAGA_BOUNDARY, 'utf8')],
  );
}

function talagaContext(): VillageContext {
  const fc = JSON.parse(readFileSync(TALAGA_BOUNDARY, 'utf8')) as FeatureCollection<Polygon | MultiPolygon>;
  const feature = fc.features[0] as Feature<Polygon | MultiPolygon>;
  const [minLon, minLat, maxLon, maxLat] = bbox(feature) as [number, number, number, number];
  return { code: TALAGA, name: 'Talaga', character: 'INLAND', boundary: feature.geometry, bboxWgs84: [minLon, minLat, maxLon, maxLat], shoreLines: [] };
}

/**
 * Tops a village up to `target` households by continuing the demo's own generator for it (same
 * seed, same sequence), so the added households are the ones a bigger demo would have had and
 * registry ids never collide.
 */
async function topUpHouseholds(tx: Queryable, context: VillageContext, seed: number, target: number): Promise<number> {
  const [row] = await tx.query<{ n: number; max_id: number; max_member: number; max_tag: number }>(
    `SELECT (SELECT count(*) FROM households WHERE village_code = $1)::int AS n, (SELECT coalesce(max(id), 0) FROM households)::int AS max_id,
            (SELECT coalesce(max(id), 0) FROM members)::int AS max_member, (SELECT coalesce(max(id), 0) FROM pas_tags)::int AS max_tag`,
    [context.code],
  );
  const existing = row!.n;
  if (existing >= target) return 0;
  const generator = new VillageHouseholdGenerator(context, seed);
  for (let i = 0; i < existing; i++) generator.next();
  let householdId = row!.max_id;
  let memberId = row!.max_member;
  let tagId = row!.max_tag;
  const lines = { households: [] as string[], identities: [] as string[], members: [] as string[], memberIdentities: [] as string[], tags: [] as string[] };
  const first = householdId + 1;
  for (let i = existing; i < target; i++) {
    const h = generator.next();
    const id = ++householdId;
    lines.households.push(
      copyLine([
        id, h.registryId, h.villageCode, `SRID=4326;POINT(${h.lonLat[0]} ${h.lonLat[1]})`, h.desil, h.livelihood, h.isMustahik, h.receivesPkh,
        h.receivesBpnt, h.hasSmallBusiness, h.floorAreaM2, h.members.length, h.floorMaterial, h.wallMaterial, h.roofMaterial, h.hasOwnToilet,
        h.hasElectricity, h.waterSource, h.landOwnership, h.hadHousingAid,
      ]),
    );
    lines.identities.push(copyLine([id, h.headName, h.headNik, h.familyCardNumber, h.address]));
    for (const t of h.tags) lines.tags.push(copyLine([++tagId, id, null, t.pas, t.source, t.recordedOn]));
    for (const m of h.members) {
      const mid = ++memberId;
      lines.members.push(copyLine([mid, id, m.birthDate, m.sex, m.relation, m.disability, m.inSchool]));
      lines.memberIdentities.push(copyLine([mid, m.fullName, m.nik]));
      for (const t of m.tags) lines.tags.push(copyLine([++tagId, id, mid, t.pas, t.source, t.recordedOn]));
    }
  }
  await copyHouseholdLines(tx, lines, first, householdId);
  for (const [table, column] of [['households', 'id'], ['members', 'id'], ['pas_tags', 'id']] as const) {
    await tx.query(`SELECT setval(pg_get_serial_sequence('${table}', '${column}'), greatest((SELECT max(${column}) FROM ${table}), 1))`);
  }
  return target - existing;
}

/** The poorest `n` households of a village (desil, then id): who stands for the pilot's families. */
async function poorest(tx: Queryable, villageCode: string, n: number, offset = 0): Promise<number[]> {
  const rows = await tx.query<{ id: number }>('SELECT id FROM households WHERE village_code = $1 ORDER BY desil, id LIMIT $2 OFFSET $3', [villageCode, n, offset]);
  if (rows.length < n) throw new Error(`pilot seed: village ${villageCode} has ${rows.length + offset} households, the pilot needs ${n + offset}`);
  return rows.map((r) => r.id);
}

interface PilotItem {
  intervention: string;
  funder: string;
  householdId?: number;
  site?: boolean;
  quantity?: number;
  unitCostIdr: number;
  amountNote: string | null;
}

async function insertPilotPackage(tx: Queryable, villageCode: string, name: string, items: PilotItem[]): Promise<number> {
  const [site] = await tx.query<{ p: string }>('SELECT ST_AsEWKT(ST_PointOnSurface(boundary)) AS p FROM village_geography WHERE village_code = $1', [villageCode]);
  const [pkg] = await tx.query<{ id: number }>(
    `INSERT INTO packages (village_code, name, status, created_by) VALUES ($1, $2, 'IN_PROGRESS', $3) RETURNING id`,
    [villageCode, name, SEED_ACTOR],
  );
  const packageId = pkg!.id;
  // Budgets: what each funder is reported to have paid.
  const totals = new Map<string, number>();
  for (const i of items) totals.set(i.funder, (totals.get(i.funder) ?? 0) + i.unitCostIdr * (i.quantity ?? 1));
  for (const [funder, total] of [...totals].sort()) {
    await tx.query('INSERT INTO package_budgets (package_id, funder_code, budget_idr) VALUES ($1, $2, $3)', [packageId, funder, total]);
  }
  // One statement; the default-funding trigger gives each item its funder's fund (zakat for
  // mustahik households, infak/sedekah for facilities).
  await tx.query(
    `INSERT INTO package_items (package_id, intervention_code, funder_code, household_id, location, quantity, unit_cost_idr, cost_idr, origin, amount_note)
     SELECT $1, x.intervention, x.funder, x.household_id, CASE WHEN x.site THEN $2::geometry END, x.quantity, x.unit_cost, x.quantity * x.unit_cost, 'ADDED', x.amount_note
     FROM jsonb_to_recordset($3::jsonb) AS x(intervention text, funder text, household_id int, site boolean, quantity int, unit_cost bigint, amount_note text)`,
    [
      packageId,
      site!.p,
      JSON.stringify(items.map((i) => ({ intervention: i.intervention, funder: i.funder, household_id: i.householdId ?? null, site: Boolean(i.site), quantity: i.quantity ?? 1, unit_cost: i.unitCostIdr, amount_note: i.amountNote }))),
    ],
  );
  await tx.query(
    `INSERT INTO audit_log (actor, role, organisation, action, entity, entity_id, package_id, village_code, after)
     VALUES ($1, 'ADMIN', 'seed', 'SEED_PILOT', 'package', $2, $3::int, $4, $5::jsonb)`,
    [SEED_ACTOR, String(packageId), packageId, villageCode, JSON.stringify({ name, items: items.length, budgets: Object.fromEntries(totals) })],
  );
  return packageId;
}

async function seedEretanKulon(tx: Queryable): Promise<number> {
  const families = await poorest(tx, ERETAN_KULON, 93);
  // BAZNAS's own verification of the 93 families as mustahik (the trigger sets is_mustahik), and
  // the tidal flooding that hit them (PAS KORBAN_BENCANA, field report).
  await tx.query(
    `INSERT INTO mustahik_verifications (household_id, funder_code, is_mustahik, basis, verified_by, verified_on)
     SELECT id, 'BAZNAS', true, 'FAKIR/MISKIN: family hit by tidal flooding (rob), Eretan Kulon pilot (demo record of BAZNAS''s verification)', 'baznas-indramayu (demo)', '2025-01-06'
     FROM unnest($1::int[]) AS id`,
    [families],
  );
  await tx.query(
    `INSERT INTO pas_tags (household_id, pas, source, recorded_on)
     SELECT id, 'KORBAN_BENCANA', 'FIELD_REPORT', '2025-01-06' FROM unnest($1::int[]) AS id
     WHERE NOT EXISTS (SELECT 1 FROM pas_tags t WHERE t.household_id = id AND t.pas = 'KORBAN_BENCANA' AND t.member_id IS NULL)`,
    [families],
  );
  // Rp1.9 miliar over 93 houses: Rp20,430,107.53 each, so 49 houses get one rupiah more.
  const houseCost = Math.floor(1_900_000_000 / 93);
  const extra = 1_900_000_000 - houseCost * 93;
  const SITE_NOTE = 'site not published: recorded at the village interior point';
  const items: PilotItem[] = [
    ...families.map((householdId, i) => ({
      intervention: 'RLHB',
      funder: 'BAZNAS',
      householdId,
      unitCostIdr: houseCost + (i < extra ? 1 : 0),
      amountNote: "Rumah Layak Huni BAZNAS: Rp1.9 miliar for 93 houses (builders' wages), split evenly to the rupiah",
    })),
    { intervention: 'BALAI_WARGA', funder: 'BAZNAS', site: true, unitCostIdr: 0, amountNote: `cost not published separately (the published figures, Rp2.1 miliar + Rp1.9 miliar + Rp684 juta, already make the Rp4.7 miliar total); ${SITE_NOTE}` },
    { intervention: 'ZCORNER', funder: 'BAZNAS', site: true, unitCostIdr: 342_000_000, amountNote: `half of the published UMKM Rp684 juta (ASSUMPTION: the split between ZCorner and the craft centre is not published); ${SITE_NOTE}` },
  ];
  const packageId = await insertPilotPackage(tx, ERETAN_KULON, 'Bedah Kampung Eretan Kulon (pilot, Jan 2025)', items);
  // The mosque and the craft centre are not catalog interventions: package-specific items.
  await tx.query(
    `INSERT INTO interventions (code, name_id, name_en, category, funder_code, target, unit_cost_idr, cost_is_assumption, cost_source, serves, eligibility, description, package_id)
     VALUES ('P' || $1::int || '_MASJID_CAHAYA_ZAKAT', 'Masjid Cahaya Zakat', 'Cahaya Zakat mosque', 'COMMUNITY_FACILITY', 'BAZNAS', 'FACILITY', 2100000000, false,
             'Published: Rp2.1 miliar (Eretan Kulon, Jan 2025)', 'EVERYONE', '{"all":[]}', 'Mosque built by BAZNAS for the village.', $1::int),
            ('P' || $1::int || '_SENTRA_KERAJINAN_UMKM', 'Sentra kerajinan UMKM', 'UMKM craft centre', 'ECONOMIC_EMPOWERMENT', 'BAZNAS', 'FACILITY', 342000000, true,
             'Half of the published UMKM Rp684 juta (assumption: split not published)', 'EVERYONE', '{"all":[]}', 'Craft centre for mustahik micro-businesses.', $1::int)`,
    [packageId],
  );
  await tx.query(`INSERT INTO intervention_funders (intervention_code, funder_code) SELECT code, 'BAZNAS' FROM interventions WHERE package_id = $1`, [packageId]);
  const [site] = await tx.query<{ p: string }>('SELECT ST_AsEWKT(ST_PointOnSurface(boundary)) AS p FROM village_geography WHERE village_code = $1', [ERETAN_KULON]);
  await tx.query(
    `INSERT INTO package_items (package_id, intervention_code, funder_code, location, quantity, unit_cost_idr, cost_idr, origin, amount_note)
     SELECT $1, code, 'BAZNAS', $2::geometry, 1, unit_cost_idr, unit_cost_idr, 'ADDED', cost_source || '; site not published: recorded at the village interior point'
     FROM interventions WHERE package_id = $1 ORDER BY code`,
    [packageId, site!.p],
  );
  await tx.query(`UPDATE package_budgets SET budget_idr = budget_idr + 2100000000 + 342000000 WHERE package_id = $1 AND funder_code = 'BAZNAS'`, [packageId]);
  return packageId;
}

async function seedTalaga(tx: Queryable): Promise<number> {
  const rst = await poorest(tx, TALAGA, 22);
  // The 82 families who got toilets had none: recorded so (the RTLH trigger re-derives the verdict).
  const toilets = await poorest(tx, TALAGA, 82);
  await tx.query('UPDATE households SET has_own_toilet = false WHERE id = ANY($1::int[])', [toilets]);
  const ppks = await poorest(tx, TALAGA, 4, 22);
  const RST_NOTE = 'Rp20 juta per house: the published RST unit cost; per-house amounts of the pilot are not published';
  const UNPUBLISHED = 'amount not published: the catalog default (an assumption)';
  const items: PilotItem[] = [
    ...rst.map((householdId, i) => ({ intervention: 'RST', funder: i < 9 ? 'KEMENSOS' : 'YPP_SCTV', householdId, unitCostIdr: 20_000_000, amountNote: RST_NOTE })),
    ...toilets.map((householdId, i) => ({ intervention: 'MCK_KELUARGA', funder: i < 42 ? 'HUMAN_INITIATIVE' : 'KEMENSOS', householdId, unitCostIdr: 3_000_000, amountNote: UNPUBLISHED })),
    { intervention: 'PERBAIKAN_MCK', funder: 'UNSTATED', site: true, quantity: 60, unitCostIdr: 5_000_000, amountNote: `${UNPUBLISHED}; funder not stated in the sources; sites not published (village interior point)` },
    { intervention: 'SEPTIC_TANK', funder: 'UNSTATED', site: true, quantity: 25, unitCostIdr: 40_000_000, amountNote: `${UNPUBLISHED}; funder not stated in the sources; sites not published (village interior point)` },
    ...ppks.map((householdId) => ({ intervention: 'ATENSI_PERABOTAN', funder: 'KEMENSOS', householdId, unitCostIdr: 7_455_500, amountNote: 'published: Rp29,822,000 for 4 PPKS households, split evenly' })),
  ];
  return insertPilotPackage(tx, TALAGA, 'Bedah Kampung Desa Talaga (pilot, May 2025)', items);
}

/**
 * Existing public facilities of the two pilot villages, so the map, coverage "before" and siting
 * have something real to work with. The KINDS are what such a village has (a mosque, a primary
 * school, a posyandu, the village office); the LOCATIONS ARE SYNTHETIC: no source we hold gives
 * their sites (../shared/data has boundaries only). Each is placed at an offset (degrees, WGS84)
 * from the centre of the village's households and pulled inside the boundary (ST_ClosestPoint), so
 * it stands where the settlement is. `source` says so on every row. What each serves follows the
 * honest-coverage rule: a mosque or village office serves EVERYONE (no target group); a school and
 * a posyandu (mothers and under-fives) serve CHILD. None is recorded as accessible, so ramps may
 * attach to them. Not added to any other village: README outputs and snapshots depend on them.
 */
export const PILOT_EXISTING_FACILITY_SOURCE = 'demo: synthetic location inside the village boundary (real sites not published)';
const PILOT_EXISTING_FACILITIES: { village: string; key: string; kind: string; name: string; serves: string[]; dLonLat: [number, number] }[] = [
  { village: ERETAN_KULON, key: 'masjid', kind: 'MOSQUE', name: 'Masjid desa Eretan Kulon', serves: ['EVERYONE'], dLonLat: [0.0012, 0.0004] },
  { village: ERETAN_KULON, key: 'sd', kind: 'SCHOOL', name: 'SD negeri Eretan Kulon', serves: ['CHILD'], dLonLat: [-0.0015, 0.001] },
  { village: ERETAN_KULON, key: 'posyandu', kind: 'POSYANDU', name: 'Posyandu Eretan Kulon', serves: ['CHILD'], dLonLat: [0.0005, -0.0014] },
  { village: ERETAN_KULON, key: 'kantor-desa', kind: 'VILLAGE_HALL', name: 'Kantor Desa Eretan Kulon', serves: ['EVERYONE'], dLonLat: [-0.0004, -0.0003] },
  { village: TALAGA, key: 'masjid', kind: 'MOSQUE', name: 'Masjid desa Talaga', serves: ['EVERYONE'], dLonLat: [0.001, 0.0006] },
  { village: TALAGA, key: 'sd', kind: 'SCHOOL', name: 'SD negeri Talaga', serves: ['CHILD'], dLonLat: [-0.0012, -0.0008] },
  { village: TALAGA, key: 'posyandu', kind: 'POSYANDU', name: 'Posyandu Talaga', serves: ['CHILD'], dLonLat: [0.0006, -0.0012] },
  { village: TALAGA, key: 'kantor-desa', kind: 'VILLAGE_HALL', name: 'Kantor Desa Talaga', serves: ['EVERYONE'], dLonLat: [-0.0003, 0.0002] },
];

async function seedExistingFacilities(tx: Queryable): Promise<number> {
  const rows = await tx.query<{ id: number }>(
    `INSERT INTO existing_facilities (village_code, kind, name, location, accessible, serves, source, source_id)
     SELECT x.village, x.kind, x.name,
            ST_ClosestPoint(g.boundary, ST_Translate(coalesce(h.centre, ST_PointOnSurface(g.boundary)), x.dlon, x.dlat)), false, x.serves, $2, x.village || ':' || x.key
     FROM jsonb_to_recordset($1::jsonb) AS x(village text, key text, kind text, name text, serves text[], dlon float8, dlat float8)
     JOIN village_geography g ON g.village_code = x.village
     LEFT JOIN LATERAL (SELECT ST_Centroid(ST_Collect(location)) AS centre FROM households WHERE village_code = x.village) h ON true
     RETURNING id`,
    [JSON.stringify(PILOT_EXISTING_FACILITIES.map((f) => ({ village: f.village, key: f.key, kind: f.kind, name: f.name, serves: f.serves, dlon: f.dLonLat[0], dlat: f.dLonLat[1] }))), PILOT_EXISTING_FACILITY_SOURCE],
  );
  if (rows.length !== PILOT_EXISTING_FACILITIES.length) throw new Error(`pilot seed: ${rows.length} of ${PILOT_EXISTING_FACILITIES.length} existing facilities placed (a pilot village has no boundary)`);
  return rows.length;
}

/** Adds both pilots to a freshly seeded demo, in the seed's transaction; returns the households it added. */
export async function seedPilots(tx: Queryable, seed: number, log: Logger): Promise<number> {
  await ensureTalagaBoundary(tx);
  const [eretan] = buildVillageContexts(new Map([[ERETAN_KULON, { isCoastal: true, isFishing: true }]]));
  const added = (eretan ? await topUpHouseholds(tx, eretan, seed, MIN_HOUSEHOLDS[ERETAN_KULON]) : 0) + (await topUpHouseholds(tx, talagaContext(), seed, MIN_HOUSEHOLDS[TALAGA]));
  const eretanPackage = await seedEretanKulon(tx);
  const talagaPackage = await seedTalaga(tx);
  const existingFacilities = await seedExistingFacilities(tx);
  log.info({ addedHouseholds: added, eretanPackage, talagaPackage, existingFacilities }, 'recorded the Eretan Kulon and Talaga pilots');
  return added;
}
