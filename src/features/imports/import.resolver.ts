import { Arg, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import { policy } from '../../auth/policy.js';
import { badInput } from '../../errors/errors.js';
import type { RequestContext } from '../../graphql/context.js';
import { parseId } from '../../graphql/input.js';
import { isIdentityColumn } from './import.report.js';
import { enqueueImport, getImportJob, type ImportJobRow } from './import.jobs.js';
import { ImportFileInput, ImportJob, ImportKindEnum, ImportModeEnum } from './import.type.js';
import { isIsoDate } from './registry.format.js';

export const toJob = (row: ImportJobRow): ImportJob =>
  Object.assign(new ImportJob(), {
    id: String(row.id),
    kind: row.kind,
    status: row.status,
    dryRun: row.options.dryRun,
    stage: row.stage,
    validatedRows: row.validated_rows,
    progressRows: row.progress_rows,
    totalRows: row.total_rows,
    percent:
      row.status === 'DONE' ? 100
      : row.total_rows > 0 ? Math.round(((row.validated_rows + row.progress_rows) / (2 * row.total_rows)) * 1000) / 10
      : 0,
    report: row.report,
    error: row.error,
    createdBy: row.created_by,
    createdAt: row.created_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
  });

const ROLES: Record<string, string[]> = { REGISTRY: ['households', 'members'], BOUNDARIES: ['file'], FACILITIES: ['file'] };

@Resolver()
export class ImportResolver {
  @Mutation(() => ImportJob, { description: 'ADMIN: queue an import (registry extract, village boundaries or facilities) as a background job; poll importJob(id) for progress and the report. See docs/import.md.' })
  async startImport(
    @Arg('kind', () => ImportKindEnum, { description: 'What to import.' }) kind: keyof typeof ImportKindEnum,
    @Arg('files', () => [ImportFileInput], { description: 'The files by role: households + members (REGISTRY) or file.' }) files: ImportFileInput[],
    @Ctx() ctx: RequestContext,
    @Arg('dryRun', () => Boolean, { defaultValue: false, description: 'Validate and compute the changes, write nothing.' }) dryRun: boolean,
    @Arg('asOf', () => String, { nullable: true, description: 'REGISTRY: the snapshot date YYYY-MM-DD (required).' }) asOf: string | null,
    @Arg('mode', () => ImportModeEnum, { defaultValue: 'FULL', description: 'REGISTRY: FULL snapshot or INCREMENTAL.' }) mode: keyof typeof ImportModeEnum,
    @Arg('skipInvalid', () => Boolean, { defaultValue: false, description: 'Write the valid rows and list the skipped ones instead of writing nothing.' }) skipInvalid: boolean,
  ): Promise<ImportJob> {
    policy.assertAdmin(ctx.principal, 'startImport');
    const roles = ROLES[kind]!;
    const given = files.map((f) => f.role).sort();
    if (given.join(',') !== [...roles].sort().join(',')) {
      throw badInput('files', `${kind} needs exactly the files ${roles.map((r) => `"${r}"`).join(' and ')} (by role); got ${given.map((r) => `"${r}"`).join(', ') || 'none'}`);
    }
    if (kind === 'REGISTRY' && (asOf === null || !isIsoDate(asOf))) throw badInput('asOf', `expected the snapshot date YYYY-MM-DD, got ${JSON.stringify(asOf)}`);
    if (asOf !== null && !isIsoDate(asOf)) throw badInput('asOf', `expected a date YYYY-MM-DD, got ${JSON.stringify(asOf)}`);
    const job = await enqueueImport(
      ctx.db,
      ctx.principal.subject,
      kind,
      Object.fromEntries(files.map((f) => [f.role, { name: f.name, text: f.content }])),
      { dryRun, mode, skipInvalid, ...(asOf ? { asOf } : {}) },
    );
    return toJob(job);
  }

  @Query(() => ImportJob, { nullable: true, description: 'ADMIN: an import job with its progress and, once DONE, its report.' })
  async importJob(@Arg('id', () => ID, { description: 'The id startImport returned.' }) id: string, @Ctx() ctx: RequestContext): Promise<ImportJob | null> {
    policy.assertAdmin(ctx.principal, 'importJob');
    const row = await getImportJob(ctx.db, parseId(id, 'id', 'an import job id'));
    // The report lists rows of people (file, line, masked NIK/KK): reading it is audited, once per
    // request, by the same personal-read record as household reads (written before the response leaves).
    if (row?.report) {
      ctx.personalReads.noteRecord('importJob', 'import_job', row.id, { kind: row.kind, issues: row.report.issues.length, maskedIdentifiers: row.report.issues.filter((i) => isIdentityColumn(i.column)).length });
    }
    return row ? toJob(row) : null;
  }
}
