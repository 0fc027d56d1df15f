/** Builds small registry extracts (households.csv + members.csv) for the import tests. */
import type { Database } from '../../src/db/database.js';
import { HOUSEHOLD_COLUMNS, MEMBER_COLUMNS } from '../../src/features/imports/registry.format.js';

/** The village the import tests put their households in (Tanjung Mas, Kota Semarang). */
export const TANJUNG_MAS = '33.74.02.1008';

/** A point surely inside the village's boundary, [lon, lat] WGS84, for fixture households. */
export async function pointInside(db: Database, villageCode: string): Promise<[number, number]> {
  const [p] = await db.query<{ lon: number; lat: number }>(
    `SELECT ST_X(p) AS lon, ST_Y(p) AS lat FROM (SELECT ST_PointOnSurface(boundary) AS p FROM village_geography WHERE village_code = $1) x`,
    [villageCode],
  );
  return [p!.lon, p!.lat];
}

export interface FixtureMember {
  fullName: string;
  birthDate: string;
  sex: 'MALE' | 'FEMALE';
  relation: string;
  serial: string;
  pas?: string;
  disability?: string;
}

export interface FixtureHousehold {
  registryId: string;
  villageCode: string;
  lonLat: [number, number];
  desil: number | string;
  kkSerial: string;
  members: FixtureMember[];
  pas?: string;
  programs?: string;
  floorAreaM2?: number;
}

/** A NIK: kecamatan digits, DDMMYY of birth (day + 40 for women), 4 serial digits. */
export function nik(villageCode: string, birthDate: string, sex: 'MALE' | 'FEMALE', serial: string): string {
  const district = villageCode.slice(0, 8).replace(/\./g, '');
  const [y, m, d] = birthDate.split('-');
  const day = String(Number(d) + (sex === 'FEMALE' ? 40 : 0)).padStart(2, '0');
  return `${district}${day}${m}${y!.slice(2)}${serial}`;
}

export function household(registryId: string, villageCode: string, lonLat: [number, number], n: number): FixtureHousehold {
  return {
    registryId,
    villageCode,
    lonLat,
    desil: 1 + (n % 4),
    kkSerial: String(7000 + n),
    members: [
      { fullName: `Kepala ${n}`, birthDate: '1975-03-14', sex: 'MALE', relation: 'HEAD', serial: String(1000 + n * 3) },
      { fullName: `Istri ${n}`, birthDate: '1979-11-02', sex: 'FEMALE', relation: 'SPOUSE', serial: String(1001 + n * 3) },
      { fullName: `Anak ${n}`, birthDate: '2012-07-21', sex: 'FEMALE', relation: 'CHILD', serial: String(1002 + n * 3), pas: 'ANAK_RENTAN' },
    ],
    programs: 'PKH:2023-01-15',
  };
}

const csvValue = (v: unknown) => {
  const s = String(v ?? '');
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

export function extract(households: readonly FixtureHousehold[]): { households: { name: string; text: string }; members: { name: string; text: string } } {
  const hLines = [HOUSEHOLD_COLUMNS.join(',')];
  const mLines = [MEMBER_COLUMNS.join(',')];
  for (const h of households) {
    const head = h.members.find((m) => m.relation === 'HEAD')!;
    const values: Record<(typeof HOUSEHOLD_COLUMNS)[number], unknown> = {
      registry_id: h.registryId, village_code: h.villageCode, longitude: h.lonLat[0], latitude: h.lonLat[1], desil: h.desil,
      livelihood: 'FISHER', is_mustahik: true, receives_pkh: true, receives_bpnt: false, has_small_business: false,
      floor_area_m2: h.floorAreaM2 ?? 24, floor_material: 'EARTH', wall_material: 'BAMBOO', roof_material: 'METAL_SHEET',
      has_own_toilet: false, has_electricity: true, water_source: 'UNPROTECTED_WELL', land_ownership: 'OWNED_UNCERTIFIED',
      had_housing_aid: false, head_name: head.fullName, head_nik: nik(h.villageCode, head.birthDate, head.sex, head.serial),
      family_card_number: `${h.villageCode.slice(0, 8).replace(/\./g, '')}0101${String(h.kkSerial).padStart(6, '0')}`,
      address: `RT 01/RW 02, ${h.registryId}`, pas: h.pas ?? '', programs: h.programs ?? '',
    };
    hLines.push(HOUSEHOLD_COLUMNS.map((c) => csvValue(values[c])).join(','));
    for (const m of h.members) {
      const mv: Record<(typeof MEMBER_COLUMNS)[number], unknown> = {
        registry_id: h.registryId, full_name: m.fullName, nik: nik(h.villageCode, m.birthDate, m.sex, m.serial), birth_date: m.birthDate,
        sex: m.sex, relation: m.relation, disability: m.disability ?? '', in_school: m.relation === 'CHILD', pas: m.pas ?? '',
      };
      mLines.push(MEMBER_COLUMNS.map((c) => csvValue(mv[c])).join(','));
    }
  }
  return { households: { name: 'households.csv', text: `${hLines.join('\n')}\n` }, members: { name: 'members.csv', text: `${mLines.join('\n')}\n` } };
}
