/**
 * The registry extract format (docs/import.md): `households.csv` and `members.csv` side by side,
 * UTF-8 with a header row. Parsing and every check that needs no database live here, so they are
 * pure and fast (a million rows in seconds); checks against the database run on the staged rows.
 */
import {
  FLOOR_MATERIALS, LAND_OWNERSHIPS, LIVELIHOODS, PAS_CODES, ROOF_MATERIALS, WALL_MATERIALS, WATER_SOURCES,
} from '../../db/schema.js';
import type { RowIssue } from './import.report.js';

export const RELATIONS = ['HEAD', 'SPOUSE', 'CHILD', 'GRANDCHILD', 'PARENT', 'PARENT_IN_LAW', 'OTHER_RELATIVE', 'OTHER'] as const;
export const DISABILITIES = ['PHYSICAL', 'INTELLECTUAL', 'MENTAL', 'SENSORY_VISION', 'SENSORY_HEARING', 'MULTIPLE'] as const;

export const HOUSEHOLD_COLUMNS = [
  'registry_id', 'village_code', 'longitude', 'latitude', 'desil', 'livelihood', 'is_mustahik', 'receives_pkh', 'receives_bpnt',
  'has_small_business', 'floor_area_m2', 'floor_material', 'wall_material', 'roof_material', 'has_own_toilet', 'has_electricity',
  'water_source', 'land_ownership', 'had_housing_aid', 'head_name', 'head_nik', 'family_card_number', 'address', 'pas', 'programs',
] as const;
export const MEMBER_COLUMNS = ['registry_id', 'full_name', 'nik', 'birth_date', 'sex', 'relation', 'disability', 'in_school', 'pas'] as const;

export interface PasEntry {
  pas: string;
  recordedOn: string;
}

export interface HouseholdRow {
  line: number;
  registryId: string;
  villageCode: string;
  lonLat: [number, number];
  desil: number;
  livelihood: string;
  isMustahik: boolean;
  receivesPkh: boolean;
  receivesBpnt: boolean;
  hasSmallBusiness: boolean;
  floorAreaM2: number;
  floorMaterial: string;
  wallMaterial: string;
  roofMaterial: string;
  hasOwnToilet: boolean;
  hasElectricity: boolean;
  waterSource: string;
  landOwnership: string;
  hadHousingAid: boolean;
  headName: string;
  headNik: string;
  familyCardNumber: string;
  address: string;
  pas: PasEntry[];
  programs: { code: string; since: string }[];
}

export interface MemberRow {
  line: number;
  registryId: string;
  fullName: string;
  nik: string;
  birthDate: string;
  sex: 'MALE' | 'FEMALE';
  relation: string;
  disability: string | null;
  inSchool: boolean;
  pas: PasEntry[];
}

type Raw = Record<string, string>;

/**
 * Splits RFC 4180 CSV (quoted fields, "" escapes, CRLF or LF, newlines inside quotes) into rows,
 * each with the 1-based line it starts on. Hand-written because csv-parse took ~20 s of a
 * 100,000-household import (bench/import-registry.ts); this takes a fraction of that.
 */
export function splitCsv(text: string): { line: number; fields: string[] }[] {
  return [...csvRows(text)];
}

/**
 * `splitCsv` one row at a time: a 4-million-line members file held as rows of fields, then as
 * records, then as members at once ran the import out of its 4 GB heap (bench:import, 1,000,000
 * households); consumed row by row only the members are held.
 */
export function* csvRows(text: string): Generator<{ line: number; fields: string[] }> {
  let line = 1;
  let i = 0;
  const n = text.length;
  while (i < n) {
    const start = line;
    const fields: string[] = [];
    for (;;) {
      let value: string;
      if (text.charCodeAt(i) === 34 /* " */) {
        let j = i + 1;
        let out = '';
        for (;;) {
          const q = text.indexOf('"', j);
          if (q < 0) throw new Error(`line ${start}: a quoted field is not closed`);
          out += text.slice(j, q);
          if (text.charCodeAt(q + 1) === 34) {
            out += '"';
            j = q + 2;
          } else {
            i = q + 1;
            break;
          }
        }
        for (let k = out.indexOf('\n'); k >= 0; k = out.indexOf('\n', k + 1)) line += 1;
        value = out;
      } else {
        let j = i;
        while (j < n) {
          const c = text.charCodeAt(j);
          if (c === 44 || c === 10 || c === 13) break;
          j += 1;
        }
        value = text.slice(i, j);
        i = j;
      }
      fields.push(value.trim());
      const c = text.charCodeAt(i);
      if (c === 44) {
        i += 1;
        continue;
      }
      if (c === 13) i += 1;
      if (text.charCodeAt(i) === 10) i += 1;
      line += 1;
      break;
    }
    if (!(fields.length === 1 && fields[0] === '')) yield { line: start, fields };
  }
}

/** Parses a CSV with a header row; each record keeps its 1-based line (header = line 1). */
export function readCsv(file: string, text: string, required: readonly string[], issues: RowIssue[]): { line: number; raw: Raw }[] {
  return [...readCsvRows(file, text, required, issues)];
}

/** `readCsv` one record at a time (see csvRows); a CSV error ends the records with an issue on line 1. */
export function* readCsvRows(file: string, text: string, required: readonly string[], issues: RowIssue[]): Generator<{ line: number; raw: Raw }> {
  const table = readCsvTable(file, text, required, issues);
  const columns = Object.entries(table.index);
  for (const row of table.rows) {
    if (row.fields.length !== table.width) continue; // its issue is listed (readCsvTable)
    const raw: Raw = {};
    for (const [column, k] of columns) raw[column] = row.fields[k]!;
    yield { line: row.line, raw };
  }
}

/** Data rows of a CSV by position, with the header's column positions: no object per row. */
export interface CsvTable {
  /** Column name → position in `fields`. */
  index: Readonly<Record<string, number>>;
  /** Fields of the header row: a data row with another number has an issue already. */
  width: number;
  rows: Generator<{ line: number; fields: string[] }>;
}

/**
 * `readCsvRows` without a record object per row: the registry import reads 5 million rows of a
 * 1,000,000-household extract, and a 25-key object per row was a large part of its parsing time.
 * Header problems and rows with the wrong number of fields are issues, as in readCsvRows; the
 * latter are yielded too (`fields` short or long) so that the caller can still name the household.
 */
export function readCsvTable(file: string, text: string, required: readonly string[], issues: RowIssue[]): CsvTable {
  const rows = csvRows(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  let header: string[] = [];
  let broken = false;
  try {
    const first = rows.next();
    header = first.done ? [] : first.value.fields;
  } catch (error) {
    issues.push({ file, line: 1, column: '', value: '', expected: `well-formed CSV (${(error as Error).message})` });
    broken = true;
  }
  for (const column of broken ? [] : required) {
    if (!header.includes(column)) issues.push({ file, line: 1, column, value: '', expected: `a column "${column}" in the header row` });
  }
  const index: Record<string, number> = Object.create(null) as Record<string, number>;
  header.forEach((column, k) => {
    if (!(column in index)) index[column] = k;
  });
  function* data(): Generator<{ line: number; fields: string[] }> {
    if (broken) return;
    for (;;) {
      let next: IteratorResult<{ line: number; fields: string[] }>;
      try {
        next = rows.next();
      } catch (error) {
        issues.push({ file, line: 1, column: '', value: '', expected: `well-formed CSV (${(error as Error).message})` });
        return;
      }
      if (next.done) return;
      const row = next.value;
      if (row.fields.length !== header.length) {
        issues.push({ file, line: row.line, column: '', value: `${row.fields.length} fields`, expected: `${header.length} fields, as in the header row` });
      }
      yield row;
    }
  }
  return { index, width: header.length, rows: data() };
}

/**
 * Household records of a registry extract whose households file is a GeoJSON FeatureCollection of
 * Points (or a GeoPackage point layer, which the CLI reads into one): each feature's properties are
 * the CSV's columns, and its geometry is the location (it replaces any longitude/latitude
 * properties). A record's "line" is the feature's 1-based position in the collection.
 */
export function* readGeoJsonRecords(file: string, text: string, issues: RowIssue[]): Generator<{ line: number; raw: Raw }> {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (error) {
    issues.push({ file, line: 1, column: '', value: '', expected: `a GeoJSON FeatureCollection (${(error as Error).message})` });
    return;
  }
  const features = (doc as { type?: unknown; features?: unknown }).features;
  if ((doc as { type?: unknown }).type !== 'FeatureCollection' || !Array.isArray(features)) {
    issues.push({ file, line: 1, column: '', value: String((doc as { type?: unknown })?.type ?? typeof doc), expected: 'a GeoJSON FeatureCollection' });
    return;
  }
  for (let i = 0; i < features.length; i++) {
    const line = i + 1;
    const feature = features[i] as { properties?: unknown; geometry?: { type?: unknown; coordinates?: unknown } | null } | null;
    const coordinates = feature?.geometry?.type === 'Point' ? feature.geometry.coordinates : null;
    if (!Array.isArray(coordinates) || coordinates.length < 2 || !coordinates.slice(0, 2).every((c) => typeof c === 'number' && Number.isFinite(c))) {
      issues.push({ file, line, column: 'geometry', value: String(feature?.geometry?.type ?? 'null'), expected: 'a Point with longitude and latitude (WGS84)' });
      continue;
    }
    const raw: Raw = {};
    const properties = feature?.properties;
    if (properties && typeof properties === 'object') {
      for (const [key, value] of Object.entries(properties)) raw[key] = value === null || value === undefined ? '' : String(value).trim();
    }
    raw['longitude'] = String(coordinates[0]);
    raw['latitude'] = String(coordinates[1]);
    yield { line, raw };
  }
}

/** A households file is GeoJSON when its first non-blank character opens a JSON object (a CSV header never does). */
export function isGeoJsonText(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0xfeff || c === 32 || c === 9 || c === 10 || c === 13) continue;
    return c === 123; // {
  }
  return false;
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

export function isIsoDate(value: string): boolean {
  const m = DATE.exec(value);
  if (!m) return false;
  // Calendar arithmetic (proleptic Gregorian, as PostgreSQL and Date use) rather than a Date per
  // value: a million-household extract has over five million dates, and building and printing a
  // Date for each took 2 s of every 11 s of parsing at 200,000 households (bench:import profile).
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  if (month < 1 || month > 12 || day < 1) return false;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return day <= (month === 2 ? (leap ? 29 : 28) : DAYS_IN_MONTH[month - 1]!);
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** The region prefix (PPKKCC, the kecamatan of first registration) of a NIK or KK as a Kemendagri code. */
export function districtOfIdentity(id: string): string {
  return `${id.slice(0, 2)}.${id.slice(2, 4)}.${id.slice(4, 6)}`;
}

/**
 * The birth date and sex a NIK encodes: digits 7–12 are DDMMYY, with 40 added to the day for
 * women. Returns null when the digits cannot be a date.
 */
export function nikBirth(nik: string): { day: number; month: number; yy: string; sex: 'MALE' | 'FEMALE' } | null {
  let day = Number(nik.slice(6, 8));
  const month = Number(nik.slice(8, 10));
  const sex = day > 40 ? 'FEMALE' : 'MALE';
  if (day > 40) day -= 40;
  if (day < 1 || day > 31 || month < 1 || month > 12) return null;
  return { day, month, yy: nik.slice(10, 12), sex };
}

class RowReader {
  constructor(
    private readonly file: string,
    private readonly line: number,
    private readonly fields: readonly string[],
    private readonly index: Readonly<Record<string, number>>,
    private readonly issues: RowIssue[],
  ) {}

  /** The column's value; '' when the file has no such column. */
  value(column: string): string {
    const k = this.index[column];
    return k === undefined ? '' : (this.fields[k] ?? '');
  }

  private fail(column: string, expected: string): void {
    this.issues.push({ file: this.file, line: this.line, column, value: this.value(column), expected });
  }

  text(column: string, maxLength = 200, optional = false): string {
    const value = this.value(column);
    if (!optional && value === '') this.fail(column, 'a value (required)');
    else if (value.length > maxLength) this.fail(column, `at most ${maxLength} characters`);
    return value;
  }

  pattern(column: string, re: RegExp, expected: string): string {
    const value = this.value(column);
    if (!re.test(value)) this.fail(column, expected);
    return value;
  }

  int(column: string, min: number, max: number): number {
    const value = this.value(column);
    const n = Number(value);
    if (!/^-?\d+$/.test(value) || n < min || n > max) this.fail(column, `an integer from ${min} to ${max}`);
    return n;
  }

  number(column: string, min: number, max: number, exclusiveMin = false): number {
    const value = this.value(column);
    const n = Number(value);
    if (value === '' || !Number.isFinite(n) || n < min || (exclusiveMin && n === min) || n > max) {
      this.fail(column, `a number ${exclusiveMin ? '>' : '≥'} ${min} and ≤ ${max}`);
    }
    return n;
  }

  bool(column: string): boolean {
    const value = this.value(column).toLowerCase();
    if (!['true', 'false', '1', '0'].includes(value)) this.fail(column, 'true, false, 1 or 0');
    return value === 'true' || value === '1';
  }

  oneOf(column: string, values: readonly string[], optional = false): string {
    const value = this.value(column);
    if (optional && value === '') return '';
    if (!values.includes(value)) this.fail(column, `one of ${values.join(', ')}`);
    return value;
  }

  date(column: string, notAfter: string): string {
    const value = this.value(column);
    if (!isIsoDate(value)) this.fail(column, 'a date YYYY-MM-DD');
    else if (value > notAfter) this.fail(column, `a date not after the snapshot date ${notAfter}`);
    return value;
  }

  /** `CODE` or `CODE@YYYY-MM-DD`, separated by `|`; the date defaults to the snapshot date. */
  pas(column: string, asOf: string): PasEntry[] {
    const value = this.value(column);
    if (value === '') return [];
    const entries: PasEntry[] = [];
    for (const part of value.split('|')) {
      const [pas = '', recordedOn = asOf] = part.split('@');
      if (!(PAS_CODES as readonly string[]).includes(pas)) this.fail(column, `PAS codes (${PAS_CODES.join(', ')}) separated by |, each optionally @YYYY-MM-DD`);
      else if (!isIsoDate(recordedOn) || recordedOn > asOf) this.fail(column, `a PAS date YYYY-MM-DD not after ${asOf}`);
      else if (!entries.some((e) => e.pas === pas)) entries.push({ pas, recordedOn });
    }
    return entries;
  }

  programs(column: string, asOf: string): { code: string; since: string }[] {
    const value = this.value(column);
    if (value === '') return [];
    const out: { code: string; since: string }[] = [];
    for (const part of value.split('|')) {
      const [code = '', since = ''] = part.split(':');
      if (!/^[A-Z0-9_]+$/.test(code) || !isIsoDate(since) || since > asOf) {
        this.fail(column, `program memberships CODE:YYYY-MM-DD separated by |, dates not after ${asOf}`);
      } else if (out.some((p) => p.code === code)) {
        this.fail(column, `each program once (${code} is listed twice)`);
      } else out.push({ code, since });
    }
    return out;
  }
}

const SIXTEEN = /^[0-9]{16}$/;
const VILLAGE = /^\d{2}\.\d{2}\.\d{2}\.\d{4}$/;

export function readHousehold(
  file: string, line: number, fields: readonly string[], index: Readonly<Record<string, number>>, asOf: string, issues: RowIssue[],
): HouseholdRow {
  const r = new RowReader(file, line, fields, index, issues);
  const lon = r.number('longitude', 94, 142);
  const lat = r.number('latitude', -11.5, 6.5);
  return {
    line,
    registryId: r.pattern('registry_id', /^[A-Za-z0-9._-]{1,64}$/, 'a registry id of 1–64 letters, digits, ".", "_" or "-"'),
    villageCode: r.pattern('village_code', VILLAGE, 'a Kemendagri village code PP.KK.CC.DDDD'),
    lonLat: [lon, lat],
    desil: r.int('desil', 1, 10),
    livelihood: r.oneOf('livelihood', LIVELIHOODS),
    isMustahik: r.bool('is_mustahik'),
    receivesPkh: r.bool('receives_pkh'),
    receivesBpnt: r.bool('receives_bpnt'),
    hasSmallBusiness: r.bool('has_small_business'),
    floorAreaM2: r.number('floor_area_m2', 0, 10_000, true),
    floorMaterial: r.oneOf('floor_material', FLOOR_MATERIALS),
    wallMaterial: r.oneOf('wall_material', WALL_MATERIALS),
    roofMaterial: r.oneOf('roof_material', ROOF_MATERIALS),
    hasOwnToilet: r.bool('has_own_toilet'),
    hasElectricity: r.bool('has_electricity'),
    waterSource: r.oneOf('water_source', WATER_SOURCES),
    landOwnership: r.oneOf('land_ownership', LAND_OWNERSHIPS),
    hadHousingAid: r.bool('had_housing_aid'),
    headName: r.text('head_name'),
    headNik: r.pattern('head_nik', SIXTEEN, '16 digits'),
    familyCardNumber: r.pattern('family_card_number', SIXTEEN, '16 digits'),
    address: r.text('address', 500),
    pas: r.pas('pas', asOf),
    programs: r.programs('programs', asOf),
  };
}

export function readMember(
  file: string, line: number, fields: readonly string[], index: Readonly<Record<string, number>>, asOf: string, issues: RowIssue[],
): MemberRow {
  const r = new RowReader(file, line, fields, index, issues);
  const member: MemberRow = {
    line,
    registryId: r.text('registry_id', 64),
    fullName: r.text('full_name'),
    nik: r.pattern('nik', SIXTEEN, '16 digits'),
    birthDate: r.date('birth_date', asOf),
    sex: r.oneOf('sex', ['MALE', 'FEMALE']) as 'MALE' | 'FEMALE',
    relation: r.oneOf('relation', RELATIONS),
    disability: r.oneOf('disability', DISABILITIES, true) || null,
    inSchool: r.value('in_school') === '' ? false : r.bool('in_school'),
    pas: r.pas('pas', asOf),
  };
  // The NIK encodes the birth date (DDMMYY) and the sex (women: day + 40).
  if (SIXTEEN.test(member.nik) && isIsoDate(member.birthDate) && (member.sex === 'MALE' || member.sex === 'FEMALE')) {
    const encoded = nikBirth(member.nik);
    const [y, m, d] = member.birthDate.split('-');
    if (!encoded) {
      issues.push({ file, line, column: 'nik', value: member.nik, expected: 'digits 7–12 as DDMMYY (day + 40 for women)' });
    } else if (encoded.day !== Number(d) || encoded.month !== Number(m) || encoded.yy !== y!.slice(2)) {
      issues.push({ file, line, column: 'nik', value: member.nik, expected: `digits 7–12 encoding birth_date ${member.birthDate} (${d}${m}${y!.slice(2)}, day + 40 for women)` });
    } else if (encoded.sex !== member.sex) {
      issues.push({ file, line, column: 'nik', value: member.nik, expected: `a NIK of a ${member.sex === 'FEMALE' ? 'woman (day + 40)' : 'man (day ≤ 31)'}, as column sex says` });
    }
  }
  return member;
}
