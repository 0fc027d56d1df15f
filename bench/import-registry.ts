/**
 * npm run bench:import -- [--households N] [--admin-url URL] [--keep] [--extract-only DIR] [--work-mem-mb MB]
 *
 * Registry-import benchmark (issue #17: 1,000,000 households with their members into PostgreSQL
 * in ≤ 3 min on the 2-core machine). Not a test: it prints timings for reports.
 *
 * 1. Creates a scratch database, migrates it and loads the reference data (regions, the 8,181
 *    Pantura boundaries) — not timed.
 * 2. Writes a registry extract of N synthetic households (the demo generator, spread over every
 *    bounded village like `npm run seed -- --households N`) to households.csv / members.csv. NIK
 *    and KK serials are renumbered so that the extract is valid (the generator draws them at
 *    random and would collide at this size) — not timed.
 * 3. Times `runImport` exactly as `npm run import -- registry … --as-of …` runs it: read, parse,
 *    validate every row (in JS and against the database), write, derive, audit; one transaction.
 */
import 'reflect-metadata';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, createWriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_IMPORT_WORK_MEM_MB } from '../src/config/config.js';
import { openPostgres } from '../src/db/database.js';
import { migrate } from '../src/db/migrate.js';
import { HOUSEHOLD_COLUMNS, MEMBER_COLUMNS, runImport } from '../src/features/imports/index.js';
import { createLogger } from '../src/logging/logger.js';
import { loadReferenceData, scaleCounts } from '../src/seed/seed.service.js';
import { VillageHouseholdGenerator } from '../src/seed/synthetic/household.generator.js';
import { buildVillageContexts } from '../src/seed/synthetic/village-contexts.js';

const { values } = parseArgs({
  options: {
    households: { type: 'string', default: '1000000' },
    'admin-url': { type: 'string', default: process.env.BENCH_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres' },
    keep: { type: 'boolean', default: false },
    // Writes the extract to DIR and stops (to profile parsing on its own: see docs/import.md "Speed").
    'extract-only': { type: 'string' },
    // work_mem of the import's transaction, as the CLI and the job worker set it (IMPORT_WORK_MEM_MB).
    'work-mem-mb': { type: 'string', default: String(DEFAULT_IMPORT_WORK_MEM_MB) },
  },
});
const total = Number(values.households);
const seconds = (since: number) => Math.round((Date.now() - since) / 100) / 10;
const load = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');

const name = `kt_bench_import_${Date.now().toString(36)}`;
const admin = await openPostgres({ url: values['admin-url']!, poolSize: 1, statementTimeoutMs: 0 });
await admin.query(`CREATE DATABASE ${name}`);
const url = new URL(values['admin-url']!);
url.pathname = `/${name}`;
const db = await openPostgres({ url: url.toString(), poolSize: 2, statementTimeoutMs: 0 });
const dir = values['extract-only'] ?? mkdtempSync(join(tmpdir(), 'kt-bench-import-'));
try {
  let t = Date.now();
  await migrate(db);
  await db.transaction((tx) => loadReferenceData(tx, createLogger({ env: 'test', log: { level: 'silent' } })));
  console.log(`setup (migrations, regions, boundaries): ${seconds(t)} s`);

  t = Date.now();
  const flags = await db.query<{ village_code: string; is_coastal: boolean }>('SELECT village_code, is_coastal FROM village_geography');
  const contexts = buildVillageContexts(new Map(flags.map((r) => [r.village_code, { isCoastal: r.is_coastal, isFishing: false }])));
  const hOut = createWriteStream(join(dir, 'households.csv'));
  const mOut = createWriteStream(join(dir, 'members.csv'));
  hOut.write(`${HOUSEHOLD_COLUMNS.join(',')}\n`);
  mOut.write(`${MEMBER_COLUMNS.join(',')}\n`);
  const serials = new Map<string, number>();
  // Keeps the region prefix and birth date (digits 1–12) and numbers the last 4 per prefix.
  const unique = (id: string) => {
    const prefix = id.slice(0, 12);
    const n = (serials.get(prefix) ?? 0) + 1;
    serials.set(prefix, n);
    if (n > 9999) throw new Error(`more than 9,999 identity numbers with prefix ${prefix}`);
    return `${prefix}${String(n).padStart(4, '0')}`;
  };
  const csv = (v: unknown) => {
    const s = String(v ?? '');
    return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  let members = 0;
  for (const [village, count] of scaleCounts(contexts, total)) {
    if (count === 0) continue;
    const generator = new VillageHouseholdGenerator(village, 7);
    let hLines = '';
    let mLines = '';
    for (let i = 0; i < count; i++) {
      const h = generator.next();
      const niks = h.members.map((m) => unique(m.nik));
      const headIndex = h.members.findIndex((m) => m.relation === 'HEAD');
      const hPas = h.tags.map((tag) => `${tag.pas}@${tag.recordedOn}`).join('|');
      hLines += `${[
        h.registryId, h.villageCode, h.lonLat[0], h.lonLat[1], h.desil, h.livelihood, h.isMustahik, h.receivesPkh, h.receivesBpnt, h.hasSmallBusiness,
        h.floorAreaM2, h.floorMaterial, h.wallMaterial, h.roofMaterial, h.hasOwnToilet, h.hasElectricity, h.waterSource, h.landOwnership,
        h.hadHousingAid, h.headName, niks[headIndex], unique(h.familyCardNumber), h.address, hPas, h.receivesPkh ? 'PKH:2024-01-01' : '',
      ].map(csv).join(',')}\n`;
      h.members.forEach((m, j) => {
        mLines += `${[h.registryId, m.fullName, niks[j], m.birthDate, m.sex, m.relation, m.disability ?? '', m.inSchool, m.tags.map((tag) => `${tag.pas}@${tag.recordedOn}`).join('|')].map(csv).join(',')}\n`;
      });
      members += h.members.length;
    }
    hOut.write(hLines);
    mOut.write(mLines);
  }
  await Promise.all([new Promise((r) => hOut.end(r)), new Promise((r) => mOut.end(r))]);
  console.log(`extract written: ${total} households, ${members} members (${seconds(t)} s, not timed)`);

  if (values['extract-only']) {
    console.log(`extract in ${dir}`);
    process.exitCode = 0;
  } else {
    const loadBefore = load();
    t = Date.now();
    const read = (f: string) => ({ name: f, text: readFileSync(join(dir, f), 'utf8') });
    const report = await runImport(db, 'REGISTRY', { households: read('households.csv'), members: read('members.csv') }, {
      dryRun: false, asOf: '2025-12-31', mode: 'FULL', skipInvalid: false, actor: 'bench:import', workMemMb: Number(values['work-mem-mb']),
    });
    const importSeconds = seconds(t);
    if (!report.written) {
      console.log(JSON.stringify(report.issues.slice(0, 10), null, 2));
      throw new Error(`the benchmark extract was refused: ${report.issues.length} issues`);
    }
    console.log(JSON.stringify(report.changes));
    console.log(`steps (ms): ${JSON.stringify(report.details['timingsMs'])}`);
    console.log(`IMPORT ${total} households + ${members} members into PostgreSQL: ${importSeconds} s (work_mem ${values['work-mem-mb']} MB; load average before ${loadBefore}, after ${load()}; ${(await import('node:os')).cpus().length} cores)`);
    writeFileSync(join(dir, 'done'), '');
  }
} finally {
  await db.close();
  if (!values.keep) await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.close();
  if (!values['extract-only']) rmSync(dir, { recursive: true, force: true });
}
