/**
 * Registry (DTSEN) extract import: validate every row, then write all of it or nothing (or, with
 * skipInvalid, everything except the listed invalid households) in one transaction, with history,
 * derived state and one audit record. See docs/import.md for the format and the rules.
 */
import type { Queryable } from '../../db/database.js';
import { emptyReport, type ImportOptions, type ImportReport, type ProgressListener, type RowIssue } from './import.report.js';
import { isGeoJsonText, readCsvRows, readGeoJsonRecords, readHousehold, readMember, HOUSEHOLD_COLUMNS, MEMBER_COLUMNS, type HouseholdRow, type MemberRow } from './registry.format.js';
import {
  checkRegistryAgainstDatabase, markMissingInactive, recordHistory, refreshDerived, stageRegistry, upsertHouseholds, upsertIdentities,
  writeMembers, writePrograms, writeTags,
} from './registry.queries.js';

/** How far outside its village boundary a location may lie and still count as inside (GPS error, edge houses). */
export const LOCATION_TOLERANCE_M = 100;

export interface RegistryFiles {
  households: { name: string; text: string };
  members: { name: string; text: string };
}

export interface RegistryImportOptions extends ImportOptions {
  asOf: string;
  /** Called (inside the transaction) when the database checks end and after each write step. */
  onProgress?: ProgressListener;
  /** The files already parsed (runImport parses before the transaction, reporting progress outside it). */
  parsed?: ParsedRegistry;
}

export interface ParsedRegistry {
  households: HouseholdRow[];
  members: MemberRow[];
  /** Findings of parsing and the in-file checks. */
  issues: RowIssue[];
  parseMs: number;
}

/** Parses both files and runs the checks that need no database. */
export function parseRegistryFiles(files: RegistryFiles, asOf: string): ParsedRegistry {
  const started = Date.now();
  const issues: RowIssue[] = [];
  const { households, members } = parseRegistry(files, asOf, issues);
  return { households, members, issues, parseMs: Date.now() - started };
}

/** Households + members rows without a finding (from `issues` so far). */
export function validRowCount(parsed: Pick<ParsedRegistry, 'households' | 'members'>, files: RegistryFiles, issues: readonly RowIssue[]): number {
  if (issues.length === 0) return parsed.households.length + parsed.members.length;
  const bad = new Set(issues.map((i) => `${i.file}\u0000${i.line}`));
  return (
    parsed.households.filter((h) => !bad.has(`${files.households.name}\u0000${h.line}`)).length +
    parsed.members.filter((m) => !bad.has(`${files.members.name}\u0000${m.line}`)).length
  );
}

/** Parses and checks both files without the database; returns rows and issues. */
export function parseRegistry(files: RegistryFiles, asOf: string, issues: RowIssue[]) {
  const hFile = files.households.name;
  const mFile = files.members.name;
  // Record by record, so the file is held as text and rows only (see readCsvRows).
  const households: HouseholdRow[] = [];
  const householdRecords = isGeoJsonText(files.households.text)
    ? readGeoJsonRecords(hFile, files.households.text, issues)
    : readCsvRows(hFile, files.households.text, HOUSEHOLD_COLUMNS.filter((c) => c !== 'pas' && c !== 'programs'), issues);
  for (const { line, raw } of householdRecords) {
    households.push(readHousehold(hFile, line, raw, asOf, issues));
  }
  const members: MemberRow[] = [];
  for (const { line, raw } of readCsvRows(mFile, files.members.text, MEMBER_COLUMNS.filter((c) => c !== 'disability' && c !== 'in_school' && c !== 'pas'), issues)) {
    members.push(readMember(mFile, line, raw, asOf, issues));
  }
  const byId = new Map<string, HouseholdRow>();
  const kk = new Map<string, number>();
  for (const h of households) {
    const first = byId.get(h.registryId);
    if (first) issues.push({ file: hFile, line: h.line, column: 'registry_id', value: h.registryId, expected: `a registry id not already used on line ${first.line}` });
    else byId.set(h.registryId, h);
    const kkLine = kk.get(h.familyCardNumber);
    if (kkLine !== undefined) issues.push({ file: hFile, line: h.line, column: 'family_card_number', value: h.familyCardNumber, expected: `a family card number not already used on line ${kkLine}` });
    else kk.set(h.familyCardNumber, h.line);
  }
  const nik = new Map<string, number>();
  const heads = new Map<string, MemberRow[]>();
  const count = new Map<string, number>();
  for (const m of members) {
    const nikLine = nik.get(m.nik);
    if (nikLine !== undefined) issues.push({ file: mFile, line: m.line, column: 'nik', value: m.nik, expected: `a NIK not already used on line ${nikLine}` });
    else nik.set(m.nik, m.line);
    if (!byId.has(m.registryId)) issues.push({ file: mFile, line: m.line, column: 'registry_id', value: m.registryId, expected: `a registry_id listed in ${hFile}` });
    count.set(m.registryId, (count.get(m.registryId) ?? 0) + 1);
    if (m.relation === 'HEAD') heads.set(m.registryId, [...(heads.get(m.registryId) ?? []), m]);
  }
  for (const h of households) {
    const hs = heads.get(h.registryId) ?? [];
    if (!count.get(h.registryId)) issues.push({ file: hFile, line: h.line, column: 'registry_id', value: h.registryId, expected: `at least one member in ${mFile}` });
    else if (hs.length !== 1) issues.push({ file: hFile, line: h.line, column: 'registry_id', value: h.registryId, expected: `exactly one member with relation HEAD in ${mFile} (found ${hs.length})` });
    else if (hs[0]!.nik !== h.headNik) issues.push({ file: hFile, line: h.line, column: 'head_nik', value: h.headNik, expected: `the NIK of the HEAD member (${mFile} line ${hs[0]!.line})` });
  }
  return { households, members };
}

async function insertAudit(tx: Queryable, options: ImportOptions, report: ImportReport): Promise<number> {
  const [row] = await tx.query<{ id: number }>(
    `INSERT INTO audit_log (actor, role, action, entity, after) VALUES ($1, 'ADMIN', 'IMPORT_REGISTRY', 'import', $2::jsonb) RETURNING id`,
    [options.actor, JSON.stringify({ asOf: options.asOf, mode: options.mode, rows: report.rows })],
  );
  return row!.id;
}

export async function importRegistry(tx: Queryable, files: RegistryFiles, options: RegistryImportOptions): Promise<ImportReport> {
  const report = emptyReport('REGISTRY', options);
  const issues = report.issues;
  // Milliseconds per step, in the report: where a large import spends its time.
  const timings: Record<string, number> = {};
  report.details['timingsMs'] = timings;
  let lap = Date.now();
  const step = <T>(name: string, value: T): T => {
    timings[name] = Date.now() - lap;
    lap = Date.now();
    return value;
  };
  const parsed = options.parsed ?? parseRegistryFiles(files, options.asOf);
  const { households, members } = parsed;
  // A loop, not push(...): a spread of a million findings would overflow the argument limit.
  for (const issue of parsed.issues) issues.push(issue);
  timings['parse'] = parsed.parseMs;
  lap = Date.now();
  report.rows = households.length + members.length;
  let written = 0;
  const progress = (stage: 'CHECKING' | 'WRITING' | 'DERIVING', validatedRows: number) =>
    options.onProgress?.({ stage, validatedRows, writtenRows: written, totalRows: report.rows }, true);
  // Rows with a parse issue are left out of staging: their values may not fit the staged columns'
  // types (an unknown enum, 2025-02-30, an empty sex), and a duplicate registry id must not reach
  // the database as a key violation. They are reported (and, with skipInvalid, skipped) all the same.
  const parseBad = { [files.households.name]: new Set<number>(), [files.members.name]: new Set<number>() };
  for (const i of issues) parseBad[i.file]?.add(i.line);
  step('stage', await stageRegistry(
    tx,
    households.filter((h) => !parseBad[files.households.name]!.has(h.line)),
    members.filter((m) => !parseBad[files.members.name]!.has(m.line)),
  ));
  for (const row of step('checkDatabase', await checkRegistryAgainstDatabase(tx, options.asOf, LOCATION_TOLERANCE_M))) {
    issues.push({ file: row.file === 'households' ? files.households.name : files.members.name, line: row.line, column: row.column, value: row.value, expected: row.expected });
  }
  issues.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column.localeCompare(b.column));
  const validated = validRowCount(parsed, files, issues);
  if (issues.length) {
    if (!options.skipInvalid) return report;
    // Leave out every household with an issue on its own row or on one of its members' rows.
    const hLine = new Map(households.map((h) => [h.line, h.registryId]));
    const mLine = new Map(members.map((m) => [m.line, m.registryId]));
    const bad = new Set<string>();
    for (const i of issues) {
      const id = i.file === files.households.name ? hLine.get(i.line) : mLine.get(i.line);
      if (id !== undefined) bad.add(id);
      else if (i.line === 1) return report; // a missing column: nothing can be imported
    }
    report.skippedRows = [
      ...households.filter((h) => bad.has(h.registryId)).map((h) => ({ file: files.households.name, line: h.line })),
      ...members.filter((m) => bad.has(m.registryId)).map((m) => ({ file: files.members.name, line: m.line })),
    ];
    for (const table of ['reg_households', 'reg_members', 'reg_tags', 'reg_programs']) {
      await tx.query(`DELETE FROM ${table} WHERE registry_id = ANY($1::text[])`, [[...bad]]);
    }
    // Skipped households are not missing from the snapshot: a FULL import must not mark them inactive.
    await tx.query('INSERT INTO reg_skipped (registry_id) SELECT unnest($1::text[])', [[...bad]]);
  }
  await progress('WRITING', validated);
  const auditId = await insertAudit(tx, options, report);
  const [moved] = await tx.query<{ codes: string[] }>(
    `SELECT coalesce(array_agg(DISTINCT h.village_code), '{}') AS codes FROM households h JOIN reg_households r ON r.household_id = h.id
     WHERE h.village_code <> r.village_code OR h.inactive_since IS NOT NULL`,
  );
  const history = step('history', await recordHistory(tx, options.asOf, auditId));
  const upserted = step('households', await upsertHouseholds(tx, options.asOf));
  const identities = step('identities', await upsertIdentities(tx));
  written += households.length - report.skippedRows.filter((r) => r.file === files.households.name).length;
  await progress('WRITING', validated);
  // Roll-ups (PAS array, member count, has_* flags) once for all listed households instead of
  // once per statement through the triggers; the function writes only rows whose roll-ups change.
  await tx.query("SET LOCAL kt.skip_rollups = 'on'");
  const memberChanges = step('members', await writeMembers(tx));
  const tags = step('pasTags', await writeTags(tx));
  await tx.query("SET LOCAL kt.skip_rollups = 'off'");
  written += members.length - report.skippedRows.filter((r) => r.file === files.members.name).length;
  await progress('DERIVING', validated);
  // New households were inserted with their roll-ups; existing ones may hold other sources' tags.
  step('rollups', await tx.query('SELECT refresh_household_rollups(ARRAY(SELECT household_id FROM reg_households WHERE NOT is_new))'));
  const programs = step('programs', await writePrograms(tx, options.asOf));
  const inactivated = step('inactive', options.mode === 'FULL' ? await markMissingInactive(tx, options.asOf, auditId) : 0);
  const [inactiveVillages] = await tx.query<{ codes: string[] }>(
    `SELECT coalesce(array_agg(DISTINCT village_code), '{}') AS codes FROM households WHERE inactive_since = $1::date`,
    [options.asOf],
  );
  report.changes = {
    householdsInserted: upserted.inserted,
    householdsChanged: history.households,
    fieldsChanged: history.fields,
    identitiesWritten: identities,
    membersInserted: memberChanges.inserted,
    membersUpdated: memberChanges.updated,
    membersRemoved: memberChanges.removed,
    membersKeptReferencedByPackages: memberChanges.keptReferenced,
    pasTagsAdded: tags.added,
    pasTagsRemoved: tags.removed,
    programMembershipsOpened: programs.opened,
    programMembershipsEnded: programs.ended,
    householdsMarkedInactive: inactivated,
  };
  // Village statistics of every village touched; an import that changed nothing leaves them as they are.
  if (Object.values(report.changes).some((n) => n > 0)) step('villageStats', await refreshDerived(tx, [...(moved?.codes ?? []), ...(inactiveVillages?.codes ?? [])]));
  await tx.query(`UPDATE audit_log SET after = after || $2::jsonb WHERE id = $1`, [auditId, JSON.stringify({ changes: report.changes, skippedRows: report.skippedRows.length })]);
  report.details['auditId'] = auditId;
  report.written = true;
  return report;
}
