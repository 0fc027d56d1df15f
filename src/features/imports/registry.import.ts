/**
 * Registry (DTSEN) extract import: validate every row, then write all of it or nothing (or, with
 * skipInvalid, everything except the listed invalid households) in one transaction, with history,
 * derived state and one audit record. See docs/import.md for the format and the rules.
 */
import type { Queryable } from '../../db/database.js';
import { emptyReport, type ImportOptions, type ImportReport, type ProgressListener, type RowIssue } from './import.report.js';
import { isGeoJsonText, readCsvTable, readGeoJsonRecords, readHousehold, readMember, HOUSEHOLD_COLUMNS, MEMBER_COLUMNS, type CsvTable } from './registry.format.js';
import {
  checkRegistryAgainstDatabase, householdCopyLine, markMissingInactive, memberCopyLine, programCopyLine, recordHistory, refreshDerived, stageRegistry,
  tagCopyLine, upsertHouseholds, upsertIdentities, writeMembers, writePrograms, writeTags, type StagedCopy,
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
  /**
   * The files already parsed (on the embedded database runImport parses before the transaction,
   * so that its progress is stored); without them the files are parsed while being staged.
   */
  parsed?: ParsedRegistry;
}

export interface ParsedRegistry {
  /** COPY text of the staging tables, in chunks (see CopyText); rows with an issue of their own are left out. */
  copy: StagedCopy;
  householdRows: number;
  memberRows: number;
  /** Findings of parsing and the in-file checks. */
  issues: RowIssue[];
  /** The registry id each line with an issue names (`file\0line`): skipInvalid leaves out its household. */
  registryIdOfLine: Map<string, string>;
  /** Line of a household by registry id (the first, if the file repeats one). */
  householdLine: (registryId: string) => number | undefined;
  parseMs: number;
}

const lineKey = (file: string, line: number) => `${file}\u0000${line}`;

/**
 * COPY text built up in flat chunks of about 1 MiB: one string for a million households would
 * pass V8's string length limit. Lines are joined per chunk rather than appended with `+=`: an
 * appended string is a rope of every piece (each field of each line), and the ropes of a
 * 1,000,000-household extract ran the import out of its 4 GB heap.
 */
class CopyText {
  private chunks: string[] = [];
  private lines: string[] = [];
  private length = 0;

  add(line: string): void {
    this.lines.push(line);
    this.length += line.length;
    if (this.length >= 1_048_576) this.flush();
  }

  /** The chunks completed so far, handed over (a streaming COPY sends them while parsing goes on). */
  take(): string[] {
    const done = this.chunks;
    this.chunks = [];
    return done;
  }

  /** Every remaining chunk, the last one partial. */
  end(): string[] {
    this.flush();
    return this.take();
  }

  private flush(): void {
    if (this.lines.length) this.chunks.push(this.lines.join(''));
    this.lines = [];
    this.length = 0;
  }
}

/** Parses both files and runs the checks that need no database, holding the COPY text in memory. */
export function parseRegistryFiles(files: RegistryFiles, asOf: string): ParsedRegistry {
  const started = Date.now();
  const parser = new RegistryParser(files, asOf);
  const households = [...parser.households()];
  const members = [...parser.members()];
  return { ...parser.finish({ households, members }), parseMs: Date.now() - started };
}

/** Households + members rows without a finding. */
export function validRowCount(parsed: Pick<ParsedRegistry, 'householdRows' | 'memberRows'>, issues: readonly RowIssue[]): number {
  return parsed.householdRows + parsed.memberRows - new Set(issues.map((i) => lineKey(i.file, i.line))).size;
}

/**
 * Parses and checks both files without the database, straight into the staging tables' COPY text:
 * `households()` and then `members()` yield COPY chunks as they go (a COPY can send them while
 * parsing goes on), and `finish()` runs the checks across files. Each row is checked and turned
 * into its COPY line as it is read and is not kept: what the checks across rows need is kept per
 * household in arrays by position (`slot`), and per NIK, family card number and registry id in
 * maps. Holding five million row objects until the end (1,000,000 households) made parsing take
 * 51 s of a 276 s import, much of it garbage collection.
 */
export class RegistryParser {
  readonly issues: RowIssue[] = [];
  private readonly hFile: string;
  private readonly mFile: string;
  private readonly registryIdOfLine = new Map<string, string>();
  private readonly tags = new CopyText();
  private readonly programs = new CopyText();
  // Households: slot = position of the first row with a registry id.
  private readonly slotOf = new Map<string, number>();
  private readonly headNik: string[] = [];
  private readonly slotLine: number[] = [];
  private memberCount = new Int32Array(0);
  private headCount = new Int32Array(0);
  private headMemberLine = new Int32Array(0);
  private headMemberNik: string[] = [];
  private householdRows = 0;
  private memberRows = 0;

  constructor(
    private readonly files: RegistryFiles,
    private readonly asOf: string,
  ) {
    this.hFile = files.households.name;
    this.mFile = files.members.name;
  }

  /** A row is staged only if reading it added no issue; otherwise its household is remembered. */
  private noted(file: string, line: number, registryId: string, before: number): boolean {
    if (this.issues.length === before) return false;
    this.registryIdOfLine.set(lineKey(file, line), registryId);
    return true;
  }

  /** COPY chunks of `reg_households_in`; PAS tags and programs are kept for `tagChunks`/`programChunks`. */
  *households(): Generator<string> {
    const { issues, hFile, files, asOf } = this;
    const copy = new CopyText();
    const kkLine = new Map<string, number>();
    const { index, width, rows } = isGeoJsonText(files.households.text)
      ? geoJsonTable(hFile, files.households.text, issues)
      : readCsvTable(hFile, files.households.text, HOUSEHOLD_COLUMNS.filter((c) => c !== 'pas' && c !== 'programs'), issues);
    for (const { line, fields } of rows) {
      this.householdRows += 1;
      if (fields.length !== width) {
        // Its issue is listed already (readCsvTable); the household is still named, for skipInvalid.
        this.registryIdOfLine.set(lineKey(hFile, line), fields[index['registry_id'] ?? -1] ?? '');
        continue;
      }
      const before = issues.length;
      const h = readHousehold(hFile, line, fields, index, asOf, issues);
      if (this.slotOf.has(h.registryId)) {
        issues.push({ file: hFile, line, column: 'registry_id', value: h.registryId, expected: `a registry id not already used on line ${this.slotLine[this.slotOf.get(h.registryId)!]}` });
      } else {
        this.slotOf.set(h.registryId, this.slotLine.length);
        this.slotLine.push(line);
        this.headNik.push(h.headNik);
      }
      const kk = kkLine.get(h.familyCardNumber);
      if (kk !== undefined) issues.push({ file: hFile, line, column: 'family_card_number', value: h.familyCardNumber, expected: `a family card number not already used on line ${kk}` });
      else kkLine.set(h.familyCardNumber, line);
      if (this.noted(hFile, line, h.registryId, before)) continue;
      copy.add(householdCopyLine(h));
      for (const t of h.pas) this.tags.add(tagCopyLine(h.registryId, null, t.pas, t.recordedOn));
      for (const p of h.programs) this.programs.add(programCopyLine(line, h.registryId, p.code, p.since));
      yield* copy.take();
    }
    yield* copy.end();
  }

  /** COPY chunks of `reg_members`, after `households()` (members are counted per household slot). */
  *members(): Generator<string> {
    const { issues, hFile, mFile, files, asOf } = this;
    const slots = this.slotLine.length;
    this.memberCount = new Int32Array(slots);
    this.headCount = new Int32Array(slots);
    this.headMemberLine = new Int32Array(slots);
    this.headMemberNik = new Array<string>(slots).fill('');
    const copy = new CopyText();
    const nikLine = new Map<string, number>();
    const table = readCsvTable(mFile, files.members.text, MEMBER_COLUMNS.filter((c) => c !== 'disability' && c !== 'in_school' && c !== 'pas'), issues);
    for (const { line, fields } of table.rows) {
      this.memberRows += 1;
      if (fields.length !== table.width) {
        this.registryIdOfLine.set(lineKey(mFile, line), fields[table.index['registry_id'] ?? -1] ?? '');
        continue;
      }
      const before = issues.length;
      const m = readMember(mFile, line, fields, table.index, asOf, issues);
      const first = nikLine.get(m.nik);
      if (first !== undefined) issues.push({ file: mFile, line, column: 'nik', value: m.nik, expected: `a NIK not already used on line ${first}` });
      else nikLine.set(m.nik, line);
      const slot = this.slotOf.get(m.registryId);
      if (slot === undefined) {
        issues.push({ file: mFile, line, column: 'registry_id', value: m.registryId, expected: `a registry_id listed in ${hFile}` });
      } else {
        this.memberCount[slot] = this.memberCount[slot]! + 1;
        if (m.relation === 'HEAD') {
          if (this.headCount[slot] === 0) {
            this.headMemberLine[slot] = line;
            this.headMemberNik[slot] = m.nik;
          }
          this.headCount[slot] = this.headCount[slot]! + 1;
        }
      }
      if (this.noted(mFile, line, m.registryId, before)) continue;
      copy.add(memberCopyLine(m));
      for (const t of m.pas) this.tags.add(tagCopyLine(m.registryId, m.nik, t.pas, t.recordedOn));
      yield* copy.take();
    }
    yield* copy.end();
  }

  /** COPY chunks of `reg_tags` and `reg_programs`, complete once both files are read. */
  *tagChunks(): Generator<string> {
    yield* this.tags.end();
  }

  *programChunks(): Generator<string> {
    yield* this.programs.end();
  }

  /** The checks across files (after both were read); `copy` is what the caller collected, if anything. */
  finish(copy: { households: string[]; members: string[] } = { households: [], members: [] }): Omit<ParsedRegistry, 'parseMs'> {
    const { issues, hFile, mFile } = this;
    for (const [registryId, slot] of this.slotOf) {
      const line = this.slotLine[slot]!;
      const before = issues.length;
      const count = this.memberCount[slot] ?? 0;
      const heads = this.headCount[slot] ?? 0;
      if (count === 0) issues.push({ file: hFile, line, column: 'registry_id', value: registryId, expected: `at least one member in ${mFile}` });
      else if (heads !== 1) issues.push({ file: hFile, line, column: 'registry_id', value: registryId, expected: `exactly one member with relation HEAD in ${mFile} (found ${heads})` });
      else if (this.headMemberNik[slot] !== this.headNik[slot]) issues.push({ file: hFile, line, column: 'head_nik', value: this.headNik[slot]!, expected: `the NIK of the HEAD member (${mFile} line ${this.headMemberLine[slot]})` });
      this.noted(hFile, line, registryId, before);
    }
    return {
      copy: { households: copy.households, members: copy.members, tags: [...this.tagChunks()], programs: [...this.programChunks()] },
      householdRows: this.householdRows, memberRows: this.memberRows, issues, registryIdOfLine: this.registryIdOfLine,
      householdLine: (registryId) => { const slot = this.slotOf.get(registryId); return slot === undefined ? undefined : this.slotLine[slot]; },
    };
  }
}

/** GeoJSON households as a table in HOUSEHOLD_COLUMNS order (a property the feature lacks reads as ''). */
function geoJsonTable(file: string, text: string, issues: RowIssue[]): CsvTable {
  function* rows() {
    for (const { line, raw } of readGeoJsonRecords(file, text, issues)) yield { line, fields: HOUSEHOLD_COLUMNS.map((c) => raw[c] ?? '') };
  }
  return { index: Object.fromEntries(HOUSEHOLD_COLUMNS.map((c, k) => [c, k])), width: HOUSEHOLD_COLUMNS.length, rows: rows() };
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
  // Rows with an issue of their own are not in the COPY text: their values may not fit the staged
  // columns' types (an unknown enum, 2025-02-30, an empty sex), and a duplicate registry id must
  // not reach the database as a key violation. They are reported (and, with skipInvalid, skipped).
  let parsed: ParsedRegistry;
  if (options.parsed) {
    parsed = options.parsed;
    timings['parse'] = parsed.parseMs;
    lap = Date.now();
    step('stage', await stageRegistry(tx, parsed.copy));
  } else {
    // Parsing while the COPYs send what is parsed: the database stores one chunk while the next
    // is parsed (2 cores). Staged rows are only ever read by this transaction's own checks.
    const parser = new RegistryParser(files, options.asOf);
    await stageRegistry(tx, { households: parser.households(), members: parser.members(), tags: parser.tagChunks(), programs: parser.programChunks() });
    parsed = { ...parser.finish(), parseMs: 0 };
    step('parseAndStage', undefined);
    await options.onProgress?.({ stage: 'CHECKING', validatedRows: validRowCount(parsed, parsed.issues), writtenRows: 0, totalRows: parsed.householdRows + parsed.memberRows }, true);
    lap = Date.now();
  }
  // A loop, not push(...): a spread of a million findings would overflow the argument limit.
  for (const issue of parsed.issues) issues.push(issue);
  report.rows = parsed.householdRows + parsed.memberRows;
  let written = 0;
  const progress = (stage: 'CHECKING' | 'WRITING' | 'DERIVING', validatedRows: number) =>
    options.onProgress?.({ stage, validatedRows, writtenRows: written, totalRows: report.rows }, true);
  const registryIdOfLine = new Map(parsed.registryIdOfLine);
  for (const row of step('checkDatabase', await checkRegistryAgainstDatabase(tx, options.asOf, LOCATION_TOLERANCE_M))) {
    const file = row.file === 'households' ? files.households.name : files.members.name;
    issues.push({ file, line: row.line, column: row.column, value: row.value, expected: row.expected });
    registryIdOfLine.set(lineKey(file, row.line), row.registry_id);
  }
  issues.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column.localeCompare(b.column));
  const validated = validRowCount(parsed, issues);
  const householdsSkipped = () => report.skippedRows.filter((r) => r.file === files.households.name).length;
  if (issues.length) {
    if (!options.skipInvalid) return report;
    // Leave out every household with an issue on its own row or on one of its members' rows.
    const bad = new Set<string>();
    for (const i of issues) {
      const id = registryIdOfLine.get(lineKey(i.file, i.line));
      if (id) bad.add(id);
      // A missing column or a broken file (line 1 of no household): nothing can be imported.
      else if (id === undefined && i.line === 1) return report;
    }
    const ids = [...bad];
    // Lines of the skipped households and members: the staged ones from staging, the rest (rows
    // with an issue of their own, never staged) from the issues.
    const stagedMembers = await tx.query<{ line: number }>('SELECT line FROM reg_members WHERE registry_id = ANY($1::text[])', [ids]);
    const skipped = new Map<string, { file: string; line: number }>();
    const skip = (file: string, line: number) => skipped.set(lineKey(file, line), { file, line });
    for (const id of ids) {
      const line = parsed.householdLine(id);
      if (line !== undefined) skip(files.households.name, line);
    }
    for (const { line } of stagedMembers) skip(files.members.name, line);
    for (const [key, id] of registryIdOfLine) {
      if (!bad.has(id)) continue;
      const [file, line] = key.split('\u0000');
      skip(file!, Number(line));
    }
    report.skippedRows = [...skipped.values()].sort((a, b) => (a.file === b.file ? a.line - b.line : a.file === files.households.name ? -1 : 1));
    for (const table of ['reg_households', 'reg_members', 'reg_tags', 'reg_programs']) {
      await tx.query(`DELETE FROM ${table} WHERE registry_id = ANY($1::text[])`, [ids]);
    }
    // Skipped households are not missing from the snapshot: a FULL import must not mark them inactive.
    await tx.query('INSERT INTO reg_skipped (registry_id) SELECT unnest($1::text[])', [ids]);
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
  written += parsed.householdRows - householdsSkipped();
  await progress('WRITING', validated);
  // Roll-ups (PAS array, member count, has_* flags) once for all listed households instead of
  // once per statement through the triggers; the function writes only rows whose roll-ups change.
  await tx.query("SET LOCAL kt.skip_rollups = 'on'");
  const memberChanges = step('members', await writeMembers(tx));
  const tags = step('pasTags', await writeTags(tx));
  await tx.query("SET LOCAL kt.skip_rollups = 'off'");
  written += parsed.memberRows - (report.skippedRows.length - householdsSkipped());
  await progress('DERIVING', validated);
  // New households were inserted with their roll-ups; existing ones may hold other sources' tags.
  const [rollups] = step(
    'rollups',
    await tx.query<{ changed: number }>('SELECT refresh_household_rollups(ARRAY(SELECT household_id FROM reg_households WHERE NOT is_new)) AS changed'),
  );
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
  // Village statistics of every village touched; an import that changed nothing leaves them as they
  // are. Roll-ups count as a change: a listed household's has_elderly computed today (a member
  // turned 60 since it was last written) must reach households_with_elderly, which counts the
  // stored flags and to which the daily age refresh adds only the flags it flips itself.
  if ((rollups?.changed ?? 0) > 0 || Object.values(report.changes).some((n) => n > 0)) step('villageStats', await refreshDerived(tx, [...(moved?.codes ?? []), ...(inactiveVillages?.codes ?? [])]));
  await tx.query(`UPDATE audit_log SET after = after || $2::jsonb WHERE id = $1`, [auditId, JSON.stringify({ changes: report.changes, skippedRows: report.skippedRows.length })]);
  report.details['auditId'] = auditId;
  report.written = true;
  return report;
}
