/**
 * The report every import produces (CLI, GraphQL job, seed): what was checked, every invalid row
 * with where it is and what was expected, and the changes made (or, in a dry run, that would be).
 */

/** One finding about one value: enough to find it in the file and fix it. */
export interface RowIssue {
  file: string;
  /** 1-based line in the file (the header is line 1 in CSV; the feature's position in GeoJSON). */
  line: number;
  column: string;
  value: string;
  expected: string;
}

export type ImportKind = 'REGISTRY' | 'BOUNDARIES' | 'FACILITIES';

export interface ImportOptions {
  dryRun: boolean;
  /** Snapshot date of the extract (registry): YYYY-MM-DD. */
  asOf?: string;
  /** FULL: households missing from the file become inactive; INCREMENTAL: only listed ones are touched. */
  mode: 'FULL' | 'INCREMENTAL';
  /** Write the valid rows and list the invalid ones instead of writing nothing. */
  skipInvalid: boolean;
  /** Who runs it (audit actor). */
  actor: string;
}

export interface ImportReport {
  kind: ImportKind;
  dryRun: boolean;
  /** True when something was written (false in a dry run and when validation refused the file). */
  written: boolean;
  rows: number;
  issues: RowIssue[];
  /** Rows left out under --skip-invalid (their issues are in `issues`). */
  skippedRows: { file: string; line: number }[];
  /** Counts of what changed or would change, by kind of change. */
  changes: Record<string, number>;
  /** Details a reader needs beyond counts (repaired geometries, households outside a new boundary…). */
  details: Record<string, unknown>;
}

/**
 * Where a running import is. PARSING: reading the files and the checks that need no database;
 * CHECKING: the database checks (codes, duplicates against the database, locations); WRITING:
 * upserts; DERIVING: roll-ups, inactive households, village statistics.
 */
export type ImportStage = 'PARSING' | 'CHECKING' | 'WRITING' | 'DERIVING';

export interface ImportProgress {
  stage: ImportStage;
  /** Rows (CSV data lines or features, all files) that passed the checks run so far. */
  validatedRows: number;
  /** Rows whose writes are done (a step writes all its rows at once, set-based). */
  writtenRows: number;
  totalRows: number;
}

/**
 * Told at each stage. `inTransaction`: called from inside the import's transaction, whose
 * connection is busy (on the embedded database, the only one).
 */
export type ProgressListener = (progress: ImportProgress, inTransaction: boolean) => Promise<void> | void;

export function emptyReport(kind: ImportKind, options: Pick<ImportOptions, 'dryRun'>): ImportReport {
  return { kind, dryRun: options.dryRun, written: false, rows: 0, issues: [], skippedRows: [], changes: {}, details: {} };
}

/** The report as text lines, for the CLI. */
export function formatReport(report: ImportReport): string {
  const lines = [
    `${report.kind} import${report.dryRun ? ' (dry run)' : ''}: ${report.rows} rows, ${report.issues.length} issues, ${report.written ? 'written' : 'nothing written'}`,
  ];
  for (const issue of report.issues.slice(0, 200)) {
    lines.push(`  ${issue.file}:${issue.line} column ${issue.column}: ${JSON.stringify(issue.value)} — expected ${issue.expected}`);
  }
  if (report.issues.length > 200) lines.push(`  … and ${report.issues.length - 200} more issues`);
  if (report.skippedRows.length) lines.push(`  skipped rows: ${report.skippedRows.map((r) => `${r.file}:${r.line}`).join(', ')}`);
  lines.push(`  ${report.dryRun ? 'would change' : 'changes'}: ${JSON.stringify(report.changes)}`);
  for (const [key, value] of Object.entries(report.details)) lines.push(`  ${key}: ${JSON.stringify(value)}`);
  return lines.join('\n');
}

/** Columns whose values are NIK or family card numbers (registry files). */
const IDENTITY_COLUMNS = new Set(['nik', 'head_nik', 'family_card_number']);

export const isIdentityColumn = (column: string): boolean => IDENTITY_COLUMNS.has(column);

/** A NIK or KK as stored in a job report: the region prefix (6 digits) and the last 4, enough to find the row. */
export function maskIdentity(value: string): string {
  return value.length > 10 ? `${value.slice(0, 6)}…${value.slice(-4)}` : '…';
}

/**
 * The report as a job stores it (import_jobs.report, returned by importJob): NIK and KK values in
 * issues masked, because the row outlives the import and is read outside the identity tables'
 * access rules. File, line and column still point the admin at the row. The CLI prints the full
 * report to the operator who holds the file anyway.
 */
export function maskReport(report: ImportReport): ImportReport {
  return {
    ...report,
    issues: report.issues.map((i) => (IDENTITY_COLUMNS.has(i.column) ? { ...i, value: maskIdentity(i.value) } : i)),
  };
}
