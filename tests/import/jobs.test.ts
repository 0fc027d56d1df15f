/**
 * Issue #17: the ADMIN job API — startImport queues a job in the PostgreSQL-backed queue, a worker
 * claims it (FOR UPDATE SKIP LOCKED) and runs it, importJob(id) shows progress and the report.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claimImportJob, enqueueImport, failedJobMessage, getImportJob, MAX_ATTEMPTS, runImportJob } from '../../src/features/imports/import.jobs.js';
import { startTestApi, type TestApi } from '../support/graphql.js';
import { principals } from '../support/principals.js';
import { extract, household, pointInside, TANJUNG_MAS } from './registry-fixture.js';

let api: TestApi;
let inside: [number, number];
beforeAll(async () => {
  api = await startTestApi();
  inside = await pointInside(api.database.db, TANJUNG_MAS);
});
afterAll(async () => api?.close());

const START = `mutation ($files: [ImportFileInput!]!, $asOf: String, $dryRun: Boolean! = false) {
  startImport(kind: REGISTRY, files: $files, asOf: $asOf, mode: INCREMENTAL, dryRun: $dryRun) { id status totalRows percent } }`;
const JOB_PROGRESS = `query ($id: ID!) { importJob(id: $id) { status stage validatedRows progressRows totalRows percent report } }`;
const JOB = `query ($id: ID!) { importJob(id: $id) { id kind status dryRun progressRows totalRows percent report error createdBy startedAt finishedAt } }`;

function files() {
  const x = extract([household('JOB-1', TANJUNG_MAS, inside, 51), household('JOB-2', TANJUNG_MAS, inside, 52)]);
  return [
    { role: 'households', name: x.households.name, content: x.households.text },
    { role: 'members', name: x.members.name, content: x.members.text },
  ];
}

describe('import jobs', () => {
  it('startImport → a worker runs it → importJob reports DONE with the report; the files are cleared', async () => {
    const started = await api.query<any>(START, { files: files(), asOf: '2025-06-30' });
    expect(started.errors).toBeUndefined();
    expect(started.data.startImport).toMatchObject({ status: 'QUEUED', percent: 0 });
    const id = started.data.startImport.id;
    const queued = await api.query<any>(JOB, { id });
    expect(queued.data.importJob.status).toBe('QUEUED');

    await api.app.importWorker.drain();
    const done = await api.query<any>(JOB, { id });
    expect(done.errors).toBeUndefined();
    expect(done.data.importJob).toMatchObject({ kind: 'REGISTRY', status: 'DONE', dryRun: false, progressRows: 8, totalRows: 8, percent: 100, error: null, createdBy: principals.admin.subject });
    expect(done.data.importJob.report).toMatchObject({ written: true, issues: [], changes: { householdsInserted: 2, membersInserted: 6 } });
    const [row] = await api.database.db.query<{ files: unknown; n: number }>(
      `SELECT files, (SELECT count(*) FROM households WHERE registry_id LIKE 'JOB-%')::int AS n FROM import_jobs WHERE id = $1`,
      [Number(id)],
    );
    expect(row).toEqual({ files: null, n: 2 });
  });

  it('claims each job once (SKIP LOCKED): a second claim finds nothing while one is running', async () => {
    const started = await api.query<any>(START, { files: files(), asOf: '2025-06-30', dryRun: true });
    const first = await claimImportJob(api.database.db);
    expect(first?.id).toBe(Number(started.data.startImport.id));
    expect(await claimImportJob(api.database.db)).toBeNull();
    await api.database.db.query(`UPDATE import_jobs SET status = 'QUEUED' WHERE id = $1`, [first!.id]);
    await api.app.importWorker.drain();
    const done = await api.query<any>(JOB, { id: started.data.startImport.id });
    expect(done.data.importJob).toMatchObject({ status: 'DONE', dryRun: true });
    expect(done.data.importJob.report.written).toBe(false);
  });

  it('is ADMIN only and checks its arguments', async () => {
    const refused = await api.query<any>(START, { files: files(), asOf: '2025-06-30' }, principals.planner);
    expect(refused.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const noDate = await api.query<any>(START, { files: files() });
    expect(noDate.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'asOf' });
    const oneFile = await api.query<any>(START, { files: files().slice(0, 1), asOf: '2025-06-30' });
    expect(oneFile.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'files' });
  });

  it('stores NIK and KK values of issues masked (region prefix + last 4) in the job report', async () => {
    const x = extract([household('JOB-9', TANJUNG_MAS, inside, 59)]);
    // The wife's NIK says woman; the row now says MALE: an issue whose value is her NIK.
    const m = x.members.text.split('\n');
    m[2] = m[2]!.replace(',FEMALE,', ',MALE,');
    const started = await api.query<any>(START, {
      files: [{ role: 'households', name: x.households.name, content: x.households.text }, { role: 'members', name: x.members.name, content: m.join('\n') }],
      asOf: '2025-06-30',
    });
    await api.app.importWorker.drain();
    const done = await api.query<any>(JOB, { id: started.data.startImport.id });
    const issue = done.data.importJob.report.issues.find((i: any) => i.column === 'nik');
    expect(issue).toMatchObject({ file: 'members.csv', line: 3 });
    expect(issue.value).toMatch(/^\d{6}…\d{4}$/);
    const [stored] = await api.database.db.query<{ report: unknown }>('SELECT report FROM import_jobs WHERE id = $1', [Number(started.data.startImport.id)]);
    expect(JSON.stringify(stored!.report)).not.toMatch(/\d{16}/);
  });

  it('an unexpected error is logged with the job id; the job stores and returns only a generic message with that id', async () => {
    const x = extract([household('JOB-8', TANJUNG_MAS, inside, 58)]);
    // Queued without its members file (the API refuses that; a direct insert does not), so the run throws.
    const job = await enqueueImport(api.database.db, 'test:import', 'REGISTRY', { households: x.households }, { dryRun: false, asOf: '2025-06-30', mode: 'INCREMENTAL', skipInvalid: false });
    const claimed = await claimImportJob(api.database.db);
    expect(claimed?.id).toBe(job.id);
    const logged: unknown[] = [];
    await runImportJob(api.database.db, claimed!, { log: { error: (obj: unknown) => void logged.push(obj) } as never });
    expect(logged).toEqual([expect.objectContaining({ importJob: job.id, err: expect.any(Error) })]);
    const failed = await getImportJob(api.database.db, job.id);
    expect(failed).toMatchObject({ status: 'FAILED', error: failedJobMessage(job.id) });
    expect(failed!.error).not.toMatch(/members/);
  });

  it('a worker whose job was reclaimed as stale cannot end it; after MAX_ATTEMPTS stale claims the job FAILS instead of running again', async () => {
    const x = extract([household('JOB-7', TANJUNG_MAS, inside, 57)]);
    const job = await enqueueImport(api.database.db, 'test:import', 'REGISTRY', { households: x.households, members: x.members }, { dryRun: true, asOf: '2025-06-30', mode: 'INCREMENTAL', skipInvalid: false });
    const stale = () => api.database.db.query(`UPDATE import_jobs SET started_at = now() - interval '31 minutes' WHERE id = $1`, [job.id]);
    const first = await claimImportJob(api.database.db);
    expect(first).toMatchObject({ id: job.id, attempts: 1 });
    await stale();
    const second = await claimImportJob(api.database.db);
    expect(second).toMatchObject({ id: job.id, attempts: 2 });
    // The first worker comes back and finishes: its end update does not match the current claim.
    await runImportJob(api.database.db, first!);
    expect(await getImportJob(api.database.db, job.id)).toMatchObject({ status: 'RUNNING', attempts: 2, report: null });
    await runImportJob(api.database.db, second!);
    expect(await getImportJob(api.database.db, job.id)).toMatchObject({ status: 'DONE', attempts: 2 });

    // A job whose worker keeps dying: claimed MAX_ATTEMPTS times, then FAILED on the next stale check.
    const dying = await enqueueImport(api.database.db, 'test:import', 'REGISTRY', { households: x.households, members: x.members }, { dryRun: true, asOf: '2025-06-30', mode: 'INCREMENTAL', skipInvalid: false });
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      expect(await claimImportJob(api.database.db)).toMatchObject({ id: dying.id, attempts: attempt });
      await api.database.db.query(`UPDATE import_jobs SET started_at = now() - interval '31 minutes' WHERE id = $1`, [dying.id]);
    }
    expect(await claimImportJob(api.database.db)).toBeNull();
    const failed = await getImportJob(api.database.db, dying.id);
    expect(failed).toMatchObject({ status: 'FAILED', attempts: MAX_ATTEMPTS });
    expect(failed!.error).toMatch(new RegExp(`stopped ${MAX_ATTEMPTS} times.*importJob ${dying.id}`));
  });

  it('after a job that wrote ends DONE, its creator is recorded as having written (read-your-writes); a dry run is not', async () => {
    const x = extract([household('JOB-6', TANJUNG_MAS, inside, 56)]);
    const recorded: string[] = [];
    const onWritten = (subject: string) => void recorded.push(subject);
    for (const dryRun of [true, false]) {
      const job = await enqueueImport(api.database.db, 'planner-who-uploaded', 'REGISTRY', { households: x.households, members: x.members }, { dryRun, asOf: '2025-06-30', mode: 'INCREMENTAL', skipInvalid: false });
      const claimed = await claimImportJob(api.database.db);
      expect(claimed?.id).toBe(job.id);
      await runImportJob(api.database.db, claimed!, { onWritten });
      expect(await getImportJob(api.database.db, job.id)).toMatchObject({ status: 'DONE' });
      expect(recorded).toEqual(dryRun ? [] : ['planner-who-uploaded']);
    }
  });

  it('stores stage and row counts on the job row while it runs: a poll through the API sees them between start and end', async () => {
    const x = extract([household('JOB-P1', TANJUNG_MAS, inside, 61), household('JOB-P2', TANJUNG_MAS, inside, 62), household('JOB-P3', TANJUNG_MAS, inside, 63)]);
    const members = x.members.text.trim().split('\n').length - 1;
    const total = 3 + members;
    const job = await enqueueImport(api.database.db, principals.admin.subject, 'REGISTRY', { households: x.households, members: x.members }, { dryRun: false, asOf: '2025-06-30', mode: 'INCREMENTAL', skipInvalid: false });
    const claimed = await claimImportJob(api.database.db);
    expect(claimed?.id).toBe(job.id);
    const seen: unknown[] = [];
    await runImportJob(api.database.db, claimed!, {
      onProgressStored: async (id) => {
        const polled = await api.query<any>(JOB_PROGRESS, { id: String(id) });
        expect(polled.errors).toBeUndefined();
        seen.push(polled.data.importJob);
      },
    });
    // Every poll happened while the job ran, and saw where it was.
    expect(seen.length).toBeGreaterThanOrEqual(2);
    for (const s of seen) expect(s).toMatchObject({ status: 'RUNNING', totalRows: total, report: null });
    expect(seen).toContainEqual(expect.objectContaining({ stage: 'PARSING', validatedRows: 0, progressRows: 0 }));
    expect(seen).toContainEqual(expect.objectContaining({ stage: 'CHECKING', validatedRows: total, progressRows: 0, percent: 50 }));
    if (api.database.db.kind === 'postgres') {
      // From inside the import's transaction (through the pool): the write steps.
      expect(seen).toContainEqual(expect.objectContaining({ stage: 'WRITING', validatedRows: total, progressRows: 0 }));
      expect(seen).toContainEqual(expect.objectContaining({ stage: 'WRITING', progressRows: 3 }));
      expect(seen).toContainEqual(expect.objectContaining({ stage: 'DERIVING', progressRows: total, percent: 100 }));
    }
    const done = await api.query<any>(JOB_PROGRESS, { id: String(job.id) });
    expect(done.data.importJob).toMatchObject({ status: 'DONE', stage: null, validatedRows: total, progressRows: total, percent: 100 });
    expect(done.data.importJob.report).toMatchObject({ written: true, changes: { householdsInserted: 3 } });
  });

  it('reading a finished job (its report lists rows of people) writes a personal-read audit record, ADMIN included; reads before it ends do not', async () => {
    const started = await api.query<any>(START, { files: files(), asOf: '2025-06-30', dryRun: true });
    const id = started.data.startImport.id;
    const audits = () => api.database.db.query<{ actor: string; role: string; after: any }>(
      `SELECT actor, role, after FROM audit_log WHERE action = 'READ_PERSONAL_DATA' AND entity = 'import_job' AND entity_id = $1 ORDER BY id`, [id]);
    await api.query<any>(JOB, { id });
    expect(await audits()).toEqual([]);
    await api.app.importWorker.drain();
    const read = await api.query<any>(JOB, { id });
    expect(read.data.importJob.status).toBe('DONE');
    expect(await audits()).toEqual([{ actor: principals.admin.subject, role: 'ADMIN', after: { paths: ['importJob'], kind: 'REGISTRY', issues: 0, maskedIdentifiers: 0 } }]);
  });
});
