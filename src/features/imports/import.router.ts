/**
 * ADMIN HTTP entry point for files too large for GraphQL (whose strings are capped at 10,000
 * characters and whose body at 1 MB):
 *
 *   POST /imports/uploads?name=households.csv         body: the file → 201 { uploadId, name, bytes }
 *   POST /imports/registry?asOf=…&households=ID&members=ID[&mode=full|incremental&dryRun=…&skipInvalid=…]
 *   POST /imports/boundaries|facilities?file=ID  (or the file itself as the body, with ?name=)
 *                                                      → 202 { importJob } (QUEUED; poll importJob(id))
 *
 * A GeoPackage (`.gpkg`: boundaries, or registry households as a point layer) is binary: it is read
 * when it arrives (`?layer=` names the layer) and staged as the GeoJSON text of that layer, so the
 * job reads it exactly as the CLI does, and a file that is not a usable GeoPackage is refused at once.
 *
 * The body is read as it arrives and counted; past IMPORT_UPLOAD_MAX_BYTES the request is refused
 * with 413 and the limit (also at once when Content-Length says so). Uploads are staged in the
 * database (import_uploads) so the worker of any API process can run the job. Authentication and
 * rate limits are those of /graphql (mounted by app.ts); every route needs the ADMIN role.
 */
import express, { type Request, type Response } from 'express';
import { randomUUID } from 'node:crypto';
import { principalOf } from '../../auth/http-auth.js';
import { policy } from '../../auth/policy.js';
import type { Database } from '../../db/database.js';
import { AppError, badInput, ErrorCode, isDatabaseUnavailable, databaseUnavailable } from '../../errors/errors.js';
import type { Logger } from '../../logging/logger.js';
import { readGeoPackage } from './geopackage.js';
import { enqueueImport, type JobOptions } from './import.jobs.js';
import type { ImportKind } from './import.report.js';
import { toJob } from './import.resolver.js';
import { isIsoDate } from './registry.format.js';
import { enqueueFromUploads, ownUploads, storeUpload } from './upload.queries.js';

export interface ImportRouterOptions {
  db: Database;
  log: Logger;
  maxBytes: number;
}

class TooLarge extends Error {
  constructor(readonly limitBytes: number, readonly receivedBytes: number) {
    super('too large');
  }
}

const KINDS: Record<string, { kind: ImportKind; roles: string[] }> = {
  registry: { kind: 'REGISTRY', roles: ['households', 'members'] },
  boundaries: { kind: 'BOUNDARIES', roles: ['file'] },
  facilities: { kind: 'FACILITIES', roles: ['file'] },
};

const NAME = /^[\w][\w.\- ]{0,199}$/;

/** The request body's bytes, refused past `maxBytes` while it arrives (never buffered beyond it). */
async function readBytes(req: Request, maxBytes: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) throw new TooLarge(maxBytes, declared);
  const chunks: Buffer[] = [];
  let bytes = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    bytes += chunk.length;
    if (bytes > maxBytes) {
      req.unpipe();
      req.resume();
      throw new TooLarge(maxBytes, bytes);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, bytes);
}

/** SQLite's file header: every GeoPackage starts with it. */
const SQLITE_MAGIC = Buffer.from('SQLite format 3\0', 'latin1');

/**
 * The uploaded file as the text an import reads: UTF-8 text as sent, or a GeoPackage's layer as
 * GeoJSON (named `file.gpkg:layer`, as the CLI names it in reports). `bytes` is what was received.
 */
async function readFile(req: Request, name: string, maxBytes: number): Promise<{ name: string; text: string; bytes: number }> {
  const body = await readBytes(req, maxBytes);
  if (body.length === 0) throw badInput('body', 'expected the file as the request body, got an empty body');
  const isGeoPackage = body.subarray(0, SQLITE_MAGIC.length).equals(SQLITE_MAGIC);
  if (name.toLowerCase().endsWith('.gpkg') || isGeoPackage) {
    if (!isGeoPackage) throw badInput('body', `expected a GeoPackage (an SQLite database) for ${JSON.stringify(name)}; the body is not one`);
    const gpkg = await readGeoPackage(body, str(req, 'layer'));
    return { name: `${name}:${gpkg.layer}`, text: JSON.stringify(gpkg.collection), bytes: body.length };
  }
  try {
    return { name, text: new TextDecoder('utf-8', { fatal: true }).decode(body).replace(/^\uFEFF/, ''), bytes: body.length };
  } catch {
    throw badInput('body', 'expected a UTF-8 text file (CSV or GeoJSON) or a GeoPackage; the body is neither');
  }
}

const bool = (req: Request, name: string): boolean => {
  const v = req.query[name];
  if (v === undefined) return false;
  if (v === 'true' || v === 'false') return v === 'true';
  throw badInput(name, `expected true or false, got ${JSON.stringify(v)}`);
};

const str = (req: Request, name: string): string | undefined => {
  const v = req.query[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw badInput(name, `expected one value, got ${JSON.stringify(v)}`);
  return v;
};

function options(req: Request, kind: ImportKind): JobOptions {
  const asOf = str(req, 'asOf');
  if (kind === 'REGISTRY' && asOf === undefined) throw badInput('asOf', 'a registry import needs its snapshot date YYYY-MM-DD, got none');
  if (asOf !== undefined && !isIsoDate(asOf)) throw badInput('asOf', `expected a date YYYY-MM-DD, got ${JSON.stringify(asOf)}`);
  const mode = str(req, 'mode') ?? 'full';
  if (mode !== 'full' && mode !== 'incremental') throw badInput('mode', `expected full or incremental, got ${JSON.stringify(mode)}`);
  return { dryRun: bool(req, 'dryRun'), mode: mode === 'full' ? 'FULL' : 'INCREMENTAL', skipInvalid: bool(req, 'skipInvalid'), ...(asOf ? { asOf } : {}) };
}

const hasBody = (req: Request) => Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined;

export function createImportRouter({ db, log, maxBytes }: ImportRouterOptions): express.Router {
  const router = express.Router();

  const route = (handler: (req: Request, res: Response, subject: string) => Promise<void>) => async (req: Request, res: Response) => {
    try {
      const principal = principalOf(res);
      policy.assertAdmin(principal, `${req.method} /imports${req.path}`);
      await handler(req, res, principal.subject);
    } catch (thrown) {
      let error = thrown;
      if (error instanceof TooLarge) {
        res.status(413).set('Connection', 'close').json({
          errors: [{
            message: `body: the file is larger than the upload limit of ${error.limitBytes} bytes (IMPORT_UPLOAD_MAX_BYTES); received ${error.receivedBytes} bytes or more. Use the CLI (npm run import) for larger files.`,
            extensions: { code: ErrorCode.BAD_USER_INPUT, argument: 'body', limitBytes: error.limitBytes, receivedBytes: error.receivedBytes },
          }],
        });
        return;
      }
      if (!(error instanceof AppError) && isDatabaseUnavailable(error)) error = databaseUnavailable();
      if (error instanceof AppError) {
        const status = { BAD_USER_INPUT: 400, FORBIDDEN: 403, NOT_FOUND: 404, UNAUTHENTICATED: 401, CONFLICT: 409, DATABASE_UNAVAILABLE: 503 }[error.code as string] ?? 500;
        res.status(status).json({ errors: [{ message: error.message, extensions: error.extensions }] });
        return;
      }
      const errorId = randomUUID();
      log.error({ err: error, errorId }, 'import upload failed');
      res.status(500).json({ errors: [{ message: `Internal error; quote id ${errorId} when reporting it.`, extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR, errorId } }] });
    }
  };

  router.post('/uploads', route(async (req, res, subject) => {
    const name = str(req, 'name');
    if (!name || !NAME.test(name)) throw badInput('name', `expected a file name (letters, digits, . _ - and spaces, at most 200), got ${JSON.stringify(name ?? null)}`);
    const file = await readFile(req, name, maxBytes);
    const upload = await storeUpload(db, subject, file.name, file.text, file.bytes);
    res.status(201).json({ uploadId: String(upload.id), name: upload.name, bytes: upload.bytes });
  }));

  router.post('/:kind', route(async (req, res, subject) => {
    const spec = KINDS[String(req.params['kind'])];
    if (!spec) throw badInput('kind', `expected registry, boundaries or facilities in /imports/:kind, got ${JSON.stringify(req.params['kind'])}`);
    const opts = options(req, spec.kind);
    if (spec.roles.length === 1 && str(req, 'file') === undefined && hasBody(req)) {
      // A single-file import may send the file itself as the body.
      const name = str(req, 'name') ?? `${req.params['kind']}.${spec.kind === 'BOUNDARIES' ? 'geojson' : 'csv'}`;
      if (!NAME.test(name)) throw badInput('name', `expected a file name (letters, digits, . _ - and spaces, at most 200), got ${JSON.stringify(name)}`);
      const file = await readFile(req, name, maxBytes);
      const job = await enqueueImport(db, subject, spec.kind, { file: { name: file.name, text: file.text } }, opts);
      res.status(202).json({ importJob: toJob(job) });
      return;
    }
    if (spec.roles.length > 1 && hasBody(req)) {
      throw badInput('body', `a ${req.params['kind']} import takes ${spec.roles.join(' and ')} as uploads (POST /imports/uploads, then their ids as query parameters), not a request body`);
    }
    const roles: Record<string, number> = {};
    for (const role of spec.roles) {
      const id = str(req, role);
      if (id === undefined || !/^[1-9]\d{0,9}$/.test(id)) throw badInput(role, `expected the uploadId of the ${role} file (POST /imports/uploads), got ${JSON.stringify(id ?? null)}`);
      roles[role] = Number(id);
    }
    const found = new Set((await ownUploads(db, subject, Object.values(roles))).map((u) => u.id));
    for (const [role, id] of Object.entries(roles)) {
      if (!found.has(id)) throw badInput(role, `upload ${id} not found among your uploads (an upload is used once, and kept 24 hours)`);
    }
    const job = await db.transaction((tx) => enqueueFromUploads(tx, subject, spec.kind, roles, opts));
    res.status(202).json({ importJob: toJob(job) });
  }));

  return router;
}
