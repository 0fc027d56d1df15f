/**
 * Runs one import in one transaction. A dry run executes exactly the same statements and then
 * rolls the transaction back, so the changes it reports are the ones a real run would make.
 * The audit record of a registry import is written inside the same transaction.
 */
import { BULK_PARALLEL_WORKERS, type Database } from '../../db/database.js';
import { importBoundaries } from './boundary.import.js';
import { importFacilities } from './facility.import.js';
import type { ImportKind, ImportOptions, ImportReport, ProgressListener } from './import.report.js';
import { importRegistry, parseRegistryFiles, validRowCount, type ParsedRegistry } from './registry.import.js';

/** The uploaded files of one import, by role: `households` + `members` (registry) or `file`. */
export type ImportFiles = Record<string, { name: string; text: string }>;

class DryRunRollback extends Error {
  constructor(readonly report: ImportReport) {
    super('dry run: rolled back');
  }
}

export interface RunOptions extends ImportOptions {
  /**
   * Told the stage and row counts as the import runs: PARSING from outside the transaction, then
   * CHECKING (from outside it on the embedded database, where registry files are parsed before it
   * begins; from inside it on PostgreSQL, where they are parsed while being staged), WRITING and
   * DERIVING from inside it (registry imports; boundary and facility imports report no steps inside).
   */
  onProgress?: ProgressListener;
  /** Statement timeout for the import's transaction (config IMPORT_STATEMENT_TIMEOUT_MS); unset: the connection's. */
  statementTimeoutMs?: number;
  /** `work_mem` of the import's transaction in MB (config IMPORT_WORK_MEM_MB); unset: the connection's. */
  workMemMb?: number;
}

/**
 * Advisory lock key (two-int form: feature, kind) every import takes for its transaction: imports
 * run one at a time, so two of them never check the same NIK, family card number or village
 * against the database and then both write it (the checks are set-based reads before the writes).
 */
export const IMPORT_LOCK_CLASS = 1_700_017;

/** Data rows of the files: CSV lines after the header, or GeoJSON features (what progress counts). */
export function countRows(files: ImportFiles): number {
  let n = 0;
  for (const file of Object.values(files)) {
    const text = file.text.trimStart();
    if (text.startsWith('{')) {
      try {
        n += ((JSON.parse(text) as { features?: unknown[] }).features ?? []).length;
      } catch {
        // The import reports the parse error.
      }
    } else {
      n += Math.max(0, countNonBlankLines(text) - 1);
    }
  }
  return n;
}

/** Lines with something other than blanks, counted without splitting (a members file has millions). */
function countNonBlankLines(text: string): number {
  let n = 0;
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    for (let k = start; k < end; k++) {
      const c = text.charCodeAt(k);
      if (c !== 32 && c !== 9 && c !== 13) {
        n += 1;
        break;
      }
    }
    start = end + 1;
  }
  return n;
}

export async function runImport(db: Database, kind: ImportKind, files: ImportFiles, options: RunOptions): Promise<ImportReport> {
  const totalRows = countRows(files);
  await options.onProgress?.({ stage: 'PARSING', validatedRows: 0, writtenRows: 0, totalRows }, false);
  // On PostgreSQL the registry files are parsed inside the transaction while COPY stages them (the
  // database stores one chunk while Node parses the next: 20 s less at 1,000,000 households), and
  // progress from inside it is stored through the pool. The embedded database has one connection:
  // progress from inside the transaction cannot be stored, so the files are parsed (and checked
  // where no database is needed) before it begins, and CHECKING is reported from outside.
  let parsed: ParsedRegistry | undefined;
  const households = files['households'];
  const members = files['members'];
  if (kind === 'REGISTRY' && households && members && options.asOf && db.kind === 'embedded') {
    parsed = parseRegistryFiles({ households, members }, options.asOf);
    const rows = parsed.householdRows + parsed.memberRows;
    await options.onProgress?.({ stage: 'CHECKING', validatedRows: validRowCount(parsed, parsed.issues), writtenRows: 0, totalRows: rows }, false);
  } else if (kind !== 'REGISTRY') {
    await options.onProgress?.({ stage: 'CHECKING', validatedRows: 0, writtenRows: 0, totalRows }, false);
  }
  try {
    return await db.transaction(async (tx) => {
      if (options.statementTimeoutMs !== undefined) await tx.query(`SET LOCAL statement_timeout = ${Math.trunc(options.statementTimeoutMs)}`);
      // The staged rows are joined and grouped by registry id in hashes of a million entries: at the
      // default 4 MB each is split into batches on disk (docs/import.md "Speed").
      if (options.workMemMb !== undefined) await tx.query(`SET LOCAL work_mem = '${Math.trunc(options.workMemMb)}MB'`);
      // Request connections run without parallel workers (db/database.ts); an import is one large
      // job whose scans and hashes over millions of staged rows may use them, as measured.
      await tx.query(`SET LOCAL max_parallel_workers_per_gather = ${BULK_PARALLEL_WORKERS}`);
      // One key for all kinds: a boundary import changes the village boundaries a registry import checks locations against.
      await tx.query(`SELECT pg_advisory_xact_lock(${IMPORT_LOCK_CLASS}, 0)`);
      let report: ImportReport;
      if (kind === 'REGISTRY') {
        if (!households || !members) throw new Error('a registry import needs the files "households" and "members"');
        if (!options.asOf) throw new Error('a registry import needs its snapshot date (asOf)');
        report = await importRegistry(tx, { households, members }, { ...options, asOf: options.asOf, dryRun: false, ...(parsed ? { parsed } : {}) });
      } else {
        const file = files['file'];
        if (!file) throw new Error(`a ${kind.toLowerCase()} import needs one file`);
        report = kind === 'BOUNDARIES'
          ? await importBoundaries(tx, file.name, file.text, { dryRun: false, skipInvalid: options.skipInvalid })
          : await importFacilities(tx, file.name, file.text, { dryRun: false, skipInvalid: options.skipInvalid });
      }
      // The registry import writes its own audit record (its history rows reference it).
      if (kind !== 'REGISTRY' && report.written) {
        const [audit] = await tx.query<{ id: number }>(
          `INSERT INTO audit_log (actor, role, action, entity, after) VALUES ($1, 'ADMIN', $2, 'import', $3::jsonb) RETURNING id`,
          [options.actor, `IMPORT_${kind}`, JSON.stringify({ file: files['file']?.name, rows: report.rows, changes: report.changes, skippedRows: report.skippedRows.length })],
        );
        report.details['auditId'] = audit!.id;
      }
      report.dryRun = options.dryRun;
      if (options.dryRun && report.written) {
        report.written = false;
        throw new DryRunRollback(report);
      }
      return report;
    });
  } catch (error) {
    if (error instanceof DryRunRollback) return error.report;
    throw error;
  }
}
