/**
 * Runs one import in one transaction. A dry run executes exactly the same statements and then
 * rolls the transaction back, so the changes it reports are the ones a real run would make.
 * The audit record of a registry import is written inside the same transaction.
 */
import type { Database } from '../../db/database.js';
import { importBoundaries } from './boundary.import.js';
import { importFacilities } from './facility.import.js';
import type { ImportKind, ImportOptions, ImportReport } from './import.report.js';
import { importRegistry } from './registry.import.js';

/** The uploaded files of one import, by role: `households` + `members` (registry) or `file`. */
export type ImportFiles = Record<string, { name: string; text: string }>;

class DryRunRollback extends Error {
  constructor(readonly report: ImportReport) {
    super('dry run: rolled back');
  }
}

export interface RunOptions extends ImportOptions {
  onProgress?: (done: number, total: number) => Promise<void> | void;
  /** Statement timeout for the import's transaction (config IMPORT_STATEMENT_TIMEOUT_MS); unset: the connection's. */
  statementTimeoutMs?: number;
}

/**
 * Advisory lock key (two-int form: feature, kind) every import takes for its transaction: imports
 * run one at a time, so two of them never check the same NIK, family card number or village
 * against the database and then both write it (the checks are set-based reads before the writes).
 */
export const IMPORT_LOCK_CLASS = 1_700_017;

export async function runImport(db: Database, kind: ImportKind, files: ImportFiles, options: RunOptions): Promise<ImportReport> {
  try {
    return await db.transaction(async (tx) => {
      if (options.statementTimeoutMs !== undefined) await tx.query(`SET LOCAL statement_timeout = ${Math.trunc(options.statementTimeoutMs)}`);
      // One key for all kinds: a boundary import changes the village boundaries a registry import checks locations against.
      await tx.query(`SELECT pg_advisory_xact_lock(${IMPORT_LOCK_CLASS}, 0)`);
      let report: ImportReport;
      if (kind === 'REGISTRY') {
        const households = files['households'];
        const members = files['members'];
        if (!households || !members) throw new Error('a registry import needs the files "households" and "members"');
        if (!options.asOf) throw new Error('a registry import needs its snapshot date (asOf)');
        report = await importRegistry(tx, { households, members }, { ...options, asOf: options.asOf, dryRun: false });
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
