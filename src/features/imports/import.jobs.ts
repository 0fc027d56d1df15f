/**
 * The import job queue, in PostgreSQL (`import_jobs`): startImport inserts a QUEUED row; a worker
 * loop in every API process claims the oldest one with FOR UPDATE SKIP LOCKED (so two processes
 * never run the same job), runs the import in its own transaction and stores the report on the
 * row, where the client polls it. No in-process timer holds state: a job survives a restart of
 * the process that queued it. A job left RUNNING by a crashed worker (its transaction rolled
 * back, nothing written) is claimable again after STALE_RUNNING_MINUTES.
 */
import type { Database, Queryable } from '../../db/database.js';
import type { Logger } from '../../logging/logger.js';
import { maskReport, type ImportKind, type ImportReport } from './import.report.js';
import { countRows, runImport, type ImportFiles } from './import.runner.js';
import type { ImportProgress } from './import.report.js';

export const STALE_RUNNING_MINUTES = 30;
/**
 * Claims a job may have. A job whose worker died this many times is FAILED when it next goes stale
 * instead of being run again (an import that kills its worker would otherwise do so forever).
 */
export const MAX_ATTEMPTS = 3;

export interface JobOptions {
  dryRun: boolean;
  asOf?: string;
  mode: 'FULL' | 'INCREMENTAL';
  skipInvalid: boolean;
}

export interface ImportJobRow extends Record<string, unknown> {
  id: number;
  kind: ImportKind;
  status: 'QUEUED' | 'RUNNING' | 'DONE' | 'FAILED';
  options: JobOptions;
  /** Claims so far; the claim's own number is its ownership token. */
  attempts: number;
  files: ImportFiles | null;
  progress_rows: number;
  total_rows: number;
  stage: string | null;
  validated_rows: number;
  report: ImportReport | null;
  error: string | null;
  created_by: string;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
}

export const JOB_COLUMNS = `id, kind, status, options, attempts, progress_rows, total_rows, stage, validated_rows, report, error, created_by,
  created_at::text AS created_at, started_at::text AS started_at, finished_at::text AS finished_at`;

export async function enqueueImport(db: Queryable, createdBy: string, kind: ImportKind, files: ImportFiles, options: JobOptions): Promise<ImportJobRow> {
  const [row] = await db.query<ImportJobRow>(
    `INSERT INTO import_jobs (kind, options, files, created_by) VALUES ($1, $2::jsonb, $3::jsonb, $4) RETURNING ${JOB_COLUMNS}`,
    [kind, JSON.stringify(options), JSON.stringify(files), createdBy],
  );
  return row!;
}

export async function getImportJob(db: Queryable, id: number): Promise<ImportJobRow | null> {
  const [row] = await db.query<ImportJobRow>(`SELECT ${JOB_COLUMNS} FROM import_jobs WHERE id = $1`, [id]);
  return row ?? null;
}

/**
 * Claims the oldest runnable job: one statement, so the claim itself is atomic on both databases.
 * Each claim increments `attempts`; the worker's end update matches that number, so a worker whose
 * job was reclaimed as stale cannot overwrite the new owner's outcome. Stale jobs that used up
 * MAX_ATTEMPTS are FAILED first instead of claimed.
 */
export async function claimImportJob(db: Queryable): Promise<ImportJobRow | null> {
  await db.query(
    `UPDATE import_jobs SET status = 'FAILED', error = 'the import''s worker stopped ' || attempts || ' times without finishing it; not retried (importJob ' || id || ')',
       files = NULL, finished_at = now()
     WHERE status = 'RUNNING' AND started_at < now() - make_interval(mins => $1) AND attempts >= $2`,
    [STALE_RUNNING_MINUTES, MAX_ATTEMPTS],
  );
  const [row] = await db.query<ImportJobRow>(
    `UPDATE import_jobs SET status = 'RUNNING', started_at = now(), progress_rows = 0, validated_rows = 0, stage = 'PARSING', attempts = attempts + 1
     WHERE id = (SELECT id FROM import_jobs
                 WHERE status = 'QUEUED' OR (status = 'RUNNING' AND started_at < now() - make_interval(mins => $1) AND attempts < $2)
                 ORDER BY id FOR UPDATE SKIP LOCKED LIMIT 1)
     RETURNING ${JOB_COLUMNS}, files`,
    [STALE_RUNNING_MINUTES, MAX_ATTEMPTS],
  );
  return row ?? null;
}

export interface WorkerOptions {
  /** Statement timeout of each import's transaction (config IMPORT_STATEMENT_TIMEOUT_MS). */
  statementTimeoutMs?: number;
  /** `work_mem` of each import's transaction in MB (config IMPORT_WORK_MEM_MB). */
  workMemMb?: number;
  /** Where an unexpected job error is logged (with the job id); the job row keeps only a generic message. */
  log?: Pick<Logger, 'error'>;
  /**
   * Called with the job's creator after a job that wrote something ended DONE, so that the creator's
   * next reads see the import (read-your-writes): the app passes its read routing's recordWrite.
   * A failure here is logged; the job stays DONE.
   */
  onWritten?: (subject: string) => Promise<void> | void;
  /** Called after each progress update of a job was stored on its row (tests observe the job there). */
  onProgressStored?: (jobId: number, progress: ImportProgress) => Promise<void> | void;
}

/** What a FAILED job stores and returns: no raw error text (it can hold SQL, values, identifiers). */
export function failedJobMessage(id: number): string {
  return `the import failed with an unexpected error; nothing was written (logged as importJob ${id})`;
}

export async function runImportJob(db: Database, job: ImportJobRow, workerOptions: WorkerOptions = {}): Promise<void> {
  const files = job.files ?? {};
  const total = countRows(files);
  // Every update of the run matches the claim (status RUNNING, same attempt): a reclaimed job is no longer ours.
  const owned = `id = $1 AND status = 'RUNNING' AND attempts = ${Math.trunc(job.attempts)}`;
  await db.query(`UPDATE import_jobs SET total_rows = $2 WHERE ${owned}`, [job.id, total]);
  // Progress goes to the job's row through the pool, outside the import's transaction, so that it
  // is committed at once and any API process polling the row sees it. On the embedded database the
  // transaction holds the only connection: updates from inside it are skipped (they would wait for
  // the transaction to end), so only PARSING and CHECKING are seen there while the job runs.
  const onProgress = async (progress: ImportProgress, inTransaction: boolean) => {
    if (inTransaction && db.kind === 'embedded') return;
    try {
      await db.query(
        `UPDATE import_jobs SET stage = $2, validated_rows = $3, progress_rows = $4, total_rows = $5 WHERE ${owned}`,
        [job.id, progress.stage, progress.validatedRows, progress.writtenRows, progress.totalRows],
      );
    } catch (error) {
      // A progress update that fails (no free connection in a pool of one) must not fail the import.
      workerOptions.log?.error({ err: error, importJob: job.id }, 'import job: could not store progress');
      return;
    }
    await workerOptions.onProgressStored?.(job.id, progress);
  };
  try {
    const report = await runImport(db, job.kind, files, { ...job.options, actor: job.created_by, statementTimeoutMs: workerOptions.statementTimeoutMs, workMemMb: workerOptions.workMemMb, onProgress });
    const done = await db.query(
      `UPDATE import_jobs SET status = 'DONE', stage = NULL, report = $2::jsonb, progress_rows = total_rows,
         validated_rows = GREATEST(total_rows - $3::int, 0), files = NULL, finished_at = now()
       WHERE ${owned} RETURNING id`,
      [job.id, JSON.stringify(maskReport(report)), new Set(report.issues.map((i) => `${i.file}:${i.line}`)).size],
    );
    if (done.length && report.written && workerOptions.onWritten) {
      try {
        await workerOptions.onWritten(job.created_by);
      } catch (error) {
        workerOptions.log?.error({ err: error, importJob: job.id }, 'import job: could not record the write for read-your-writes');
      }
    }
  } catch (error) {
    workerOptions.log?.error({ err: error, importJob: job.id, kind: job.kind }, 'import job failed');
    await db.query(`UPDATE import_jobs SET status = 'FAILED', stage = NULL, error = $2, files = NULL, finished_at = now() WHERE ${owned}`, [
      job.id,
      failedJobMessage(job.id),
    ]);
  }
}

export interface ImportWorker {
  /** Claims and runs jobs until none is queued (tests call it instead of waiting for the poll). */
  drain(): Promise<void>;
  stop(): Promise<void>;
}

/** Polls the queue every `pollMs` (0: never) while the process runs; stop() waits for a running job to end. */
export function startImportWorker(db: Database, log: Logger, pollMs: number, workerOptions: WorkerOptions = {}): ImportWorker {
  let stopped = false;
  let current: Promise<void> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  const drain = async () => {
    for (;;) {
      if (stopped) return;
      const job = await claimImportJob(db);
      if (!job) return;
      log.info({ importJob: job.id, kind: job.kind }, 'import job started');
      await runImportJob(db, job, { log, ...workerOptions });
      log.info({ importJob: job.id }, 'import job ended');
    }
  };
  const tick = () => {
    current = current
      .then(drain)
      .catch((error: unknown) => log.error({ err: error }, 'import worker: poll failed'))
      .finally(() => {
        if (!stopped && pollMs > 0) timer = setTimeout(tick, pollMs).unref();
      });
  };
  if (pollMs > 0) timer = setTimeout(tick, pollMs).unref();
  return {
    async drain() {
      current = current.then(drain);
      await current;
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await current.catch(() => undefined);
    },
  };
}
