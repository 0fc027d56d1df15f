/**
 * npm run import -- <registry|boundaries|facilities> <file> [--dry-run] [--as-of YYYY-MM-DD]
 *                   [--mode full|incremental] [--skip-invalid] [--json]
 *
 * registry: <file> is households.csv (members.csv is read from the same folder) or that folder;
 * the households may also be a point layer, households.geojson or a .gpkg (--layer NAME), whose
 * features carry the CSV's columns as properties and the location as geometry.
 * boundaries: a GeoJSON FeatureCollection of village polygons (properties.kode), or a GeoPackage
 * (.gpkg; its only features layer, or --layer NAME; a column kode), read as the same features.
 * facilities: a facilities CSV. Prints the report (every invalid row with file, line, column, value
 * and what was expected) and, for a dry run, the changes it would make. Exit code 0 when the import
 * was written (or a dry run found no issue), 1 when issues stopped it, 2 for wrong arguments.
 * Uses DATABASE_URL when set, the embedded database otherwise.
 */
import { SingleBar } from 'cli-progress';
import { readFileSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import { loadConfig } from '../../config/config.js';
import { connect } from '../../db/connect.js';
import { formatReport, type ImportKind, type ImportProgress } from './import.report.js';
import { runImport, type ImportFiles } from './import.runner.js';
import { isIsoDate } from './registry.format.js';
import { readGeoPackage } from './geopackage.js';

const usage = 'usage: npm run import -- <registry|boundaries|facilities> <file> [--dry-run] [--as-of YYYY-MM-DD] [--mode full|incremental] [--skip-invalid] [--layer NAME] [--json]';
const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    'dry-run': { type: 'boolean', default: false },
    'as-of': { type: 'string' },
    mode: { type: 'string', default: 'full' },
    'skip-invalid': { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
    layer: { type: 'string' },
  },
});
const fail = (message: string): never => {
  console.error(`${message}\n${usage}`);
  process.exit(2);
};
const [kindArg, path] = positionals;
const kinds: Record<string, ImportKind> = { registry: 'REGISTRY', boundaries: 'BOUNDARIES', facilities: 'FACILITIES' };
const kind = kinds[kindArg ?? ''] ?? fail(`<kind>: expected registry, boundaries or facilities, got ${JSON.stringify(kindArg)}`);
if (!path) fail('<file>: missing');
const mode = values.mode === 'full' ? 'FULL' : values.mode === 'incremental' ? 'INCREMENTAL' : fail(`--mode: expected full or incremental, got ${JSON.stringify(values.mode)}`);
const asOf = values['as-of'] ?? (kind === 'REGISTRY' ? fail('--as-of: a registry import needs the snapshot date YYYY-MM-DD') : undefined);
if (asOf !== undefined && !isIsoDate(asOf)) fail(`--as-of: expected a date YYYY-MM-DD, got ${JSON.stringify(asOf)}`);

const read = (p: string) => ({ name: basename(p), text: readFileSync(p, 'utf8') });
let files: ImportFiles;
/** A GeoPackage's features layer as GeoJSON text, named file:layer in reports. */
async function readGpkg(p: string): Promise<{ name: string; text: string }> {
  try {
    const gpkg = await readGeoPackage(readFileSync(p), values.layer);
    return { name: `${basename(p)}:${gpkg.layer}`, text: JSON.stringify(gpkg.collection) };
  } catch (error) {
    return fail(`<file>: ${error instanceof Error ? error.message : String(error)}`);
  }
}
if (kind === 'REGISTRY') {
  const folder = statSync(path!).isDirectory() ? path! : dirname(path!);
  const households = statSync(path!).isDirectory() ? join(folder, 'households.csv') : path!;
  // Households may come as a point layer (GeoJSON or GeoPackage) with the CSV's columns as properties.
  files = { households: households.toLowerCase().endsWith('.gpkg') ? await readGpkg(households) : read(households), members: read(join(folder, 'members.csv')) };
} else if (path!.toLowerCase().endsWith('.gpkg')) {
  if (kind !== 'BOUNDARIES') fail(`<file>: a GeoPackage is read for boundaries and registry households only, got ${kindArg} ${path}`);
  try {
    const gpkg = await readGeoPackage(readFileSync(path!), values.layer);
    files = { file: { name: `${basename(path!)}:${gpkg.layer}`, text: JSON.stringify(gpkg.collection) } };
  } catch (error) {
    files = fail(`<file>: ${error instanceof Error ? error.message : String(error)}`);
  }
} else {
  files = { file: read(path!) };
}

const config = loadConfig();
const db = await connect(config.database);
// Stage and rows on stderr (a terminal only: cli-progress prints nothing otherwise), so --json stays clean.
// The bar counts validated + written rows over twice the total: checks and writes each take one pass.
const bar = new SingleBar({
  format: '{stage} |{bar}| validated {validated}/{total_rows} · written {written}/{total_rows} · {duration_formatted}',
  hideCursor: true,
  clearOnComplete: false,
});
let barStarted = false;
const onProgress = (p: ImportProgress) => {
  const payload = { stage: p.stage.padEnd(8), validated: p.validatedRows, written: p.writtenRows, total_rows: p.totalRows };
  if (!barStarted) {
    bar.start(Math.max(1, 2 * p.totalRows), 0, payload);
    barStarted = true;
  }
  bar.setTotal(Math.max(1, 2 * p.totalRows));
  bar.update(p.validatedRows + p.writtenRows, payload);
};
try {
  const report = await runImport(db, kind, files, {
    dryRun: values['dry-run'], asOf, mode, skipInvalid: values['skip-invalid'], actor: `cli:${userInfo().username}`,
    statementTimeoutMs: config.imports.statementTimeoutMs, workMemMb: config.imports.workMemMb, onProgress,
  }).finally(() => barStarted && bar.stop());
  console.log(values.json ? JSON.stringify(report, null, 2) : formatReport(report));
  process.exitCode = report.issues.length > 0 && !report.written && !(values['skip-invalid'] && report.skippedRows.length) ? 1 : 0;
} finally {
  await db.close();
}
