/** SQL of the HTTP upload route: staged uploads and the job created from them. */
import type { Queryable } from '../../db/database.js';
import type { ImportKind } from './import.report.js';
import type { ImportJobRow, JobOptions } from './import.jobs.js';
import { JOB_COLUMNS } from './import.jobs.js';

/** Uploads not turned into a job within this many hours are deleted (they hold personal data). */
export const UPLOAD_RETENTION_HOURS = 24;

export async function storeUpload(db: Queryable, createdBy: string, name: string, content: string, bytes: number): Promise<{ id: number; name: string; bytes: number }> {
  await db.query(`DELETE FROM import_uploads WHERE created_at < now() - make_interval(hours => $1)`, [UPLOAD_RETENTION_HOURS]);
  const [row] = await db.query<{ id: number; name: string; bytes: number }>(
    'INSERT INTO import_uploads (name, content, bytes, created_by) VALUES ($1, $2, $3, $4) RETURNING id, name, bytes',
    [name, content, bytes, createdBy],
  );
  return row!;
}

/** Uploads of this creator by id (another admin's uploads are not found: each uploader starts their own). */
export async function ownUploads(db: Queryable, createdBy: string, ids: number[]): Promise<{ id: number; name: string }[]> {
  return db.query<{ id: number; name: string }>('SELECT id, name FROM import_uploads WHERE id = ANY($1::int[]) AND created_by = $2', [ids, createdBy]);
}

/**
 * Creates the QUEUED job from staged uploads (role → upload id) and deletes them, in one
 * transaction: the file text moves inside the database, never back through Node.
 */
export async function enqueueFromUploads(tx: Queryable, createdBy: string, kind: ImportKind, roles: Record<string, number>, options: JobOptions): Promise<ImportJobRow> {
  const entries = Object.entries(roles);
  const [row] = await tx.query<ImportJobRow>(
    `INSERT INTO import_jobs (kind, options, files, created_by)
     SELECT $1, $2::jsonb, jsonb_object_agg(r.role, jsonb_build_object('name', u.name, 'text', u.content)), $3
     FROM unnest($4::text[], $5::int[]) AS r(role, upload_id) JOIN import_uploads u ON u.id = r.upload_id AND u.created_by = $3
     RETURNING ${JOB_COLUMNS}`,
    [kind, JSON.stringify(options), createdBy, entries.map(([r]) => r), entries.map(([, id]) => id)],
  );
  await tx.query('DELETE FROM import_uploads WHERE id = ANY($1::int[])', [entries.map(([, id]) => id)]);
  return row!;
}
