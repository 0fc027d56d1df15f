/**
 * Deterministic synthetic households for one village. Same (seed, village, count) → same
 * households, byte for byte. Locations fall inside the village boundary; in fishing villages
 * most households sit within a few hundred metres of the shore.
 */
import booleanPointInPolygon from '@turf/boolean-point-in-polygon';
import type { MultiPolygon, Polygon, Position } from 'geojson';
import {
  FLOOR_MATERIALS,
  type LIVELIHOODS,
  type PasCode,
  ROOF_MATERIALS,
  WALL_MATERIALS,
  WATER_SOURCES,
} from '../../db/schema.js';
import {
  DESIL_WEIGHTS,
  DISABLED_MEMBER_HOUSEHOLD_SHARE,
  DISASTER_SHARE,
  ELDERLY_PARENT_CHANCE,
  FEMALE_HEAD_SHARE,
  FISHER_SHARE_RANGE,
  HOUSE_FAILURE,
  LAND_OWNERSHIP_WEIGHTS,
  MEAN_HOUSEHOLD_SIZE,
  MUSTAHIK_BY_DESIL,
  PERSON_PAS_CHANCE,
  PROGRAMME_TAKE_UP,
  REFERENCE_DATE,
  REGISTRY_SNAPSHOTS,
  type VillageCharacter,
} from './calibration.js';
import { FAMILY_NAMES, FEMALE_NAMES, MALE_NAMES } from './names.js';
import { Rng } from './rng.js';

type Livelihood = (typeof LIVELIHOODS)[number];

export interface VillageContext {
  code: string;
  name: string;
  character: VillageCharacter;
  boundary: Polygon | MultiPolygon;
  /** [minLon, minLat, maxLon, maxLat], WGS84. */
  bboxWgs84: readonly [number, number, number, number];
  /** Shore lines near the village, [lon, lat] positions; empty when none is known. */
  shoreLines: readonly (readonly Position[])[];
}

export type TagSource = 'REGISTRY' | 'ASSESSMENT' | 'FIELD_REPORT';
export interface GeneratedTag {
  pas: PasCode;
  source: TagSource;
  recordedOn: string;
}

export interface GeneratedMember {
  fullName: string;
  nik: string;
  birthDate: string;
  sex: 'MALE' | 'FEMALE';
  relation: 'HEAD' | 'SPOUSE' | 'CHILD' | 'GRANDCHILD' | 'PARENT' | 'OTHER_RELATIVE';
  disability: string | null;
  inSchool: boolean;
  tags: GeneratedTag[];
}

export interface GeneratedHousehold {
  registryId: string;
  villageCode: string;
  lonLat: readonly [number, number];
  desil: number;
  livelihood: Livelihood;
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
  members: GeneratedMember[];
  /** Household-level tags (member tags are on the members). */
  tags: GeneratedTag[];
}

const REFERENCE_YEAR = Number(REFERENCE_DATE.slice(0, 4));
const METERS_PER_DEGREE_LAT = 111_320;

const LIVELIHOOD_WEIGHTS: Record<VillageCharacter, readonly (readonly [Livelihood, number])[]> = {
  FISHING: [
    ['FISH_PROCESSOR', 30], ['TRADER', 20], ['LABOURER', 20], ['SMALL_BUSINESS', 10], ['SERVICE', 8], ['OTHER', 7], ['NOT_WORKING', 5],
  ],
  COASTAL: [
    ['FISH_PROCESSOR', 6], ['LABOURER', 22], ['TRADER', 16], ['FACTORY_WORKER', 14], ['SERVICE', 12], ['SMALL_BUSINESS', 8], ['FARMER', 8], ['OTHER', 8], ['NOT_WORKING', 6],
  ],
  INLAND: [
    ['FARMER', 22], ['LABOURER', 24], ['TRADER', 15], ['FACTORY_WORKER', 14], ['SERVICE', 12], ['SMALL_BUSINESS', 6], ['OTHER', 4], ['NOT_WORKING', 3],
  ],
};

const DISABILITY_WEIGHTS = [
  ['PHYSICAL', 40], ['SENSORY_VISION', 20], ['SENSORY_HEARING', 12], ['INTELLECTUAL', 10], ['MENTAL', 10], ['MULTIPLE', 8],
] as const;

function pad(value: number, width: number): string {
  return String(value).padStart(width, '0');
}

function isoDate(year: number, month: number, day: number): string {
  return `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}`;
}

function ageOn(birthDate: string): number {
  return REFERENCE_YEAR - Number(birthDate.slice(0, 4)) - (birthDate.slice(5) > REFERENCE_DATE.slice(5) ? 1 : 0);
}

/** Poisson sample by inversion (small means only). */
function poisson(rng: Rng, mean: number): number {
  const limit = Math.exp(-mean);
  let k = 0;
  let p = rng.next();
  while (p > limit) {
    k += 1;
    p *= rng.next();
  }
  return k;
}

export class VillageHouseholdGenerator {
  private readonly rng: Rng;
  private readonly districtDigits: string;
  private readonly villageDigits: string;
  private readonly fisherShare: number;
  private serial = 0;

  constructor(
    private readonly village: VillageContext,
    seed: number,
  ) {
    this.rng = new Rng(`${seed}:${village.code}`);
    this.districtDigits = village.code.split('.').slice(0, 3).join('');
    this.villageDigits = village.code.replaceAll('.', '');
    const [low, high] = FISHER_SHARE_RANGE[village.character];
    this.fisherShare = low + (high - low) * this.rng.next();
  }

  next(): GeneratedHousehold {
    const rng = this.rng;
    const { character } = this.village;
    this.serial += 1;
    const desil = rng.weighted(DESIL_WEIGHTS[character].map((w, i) => [i + 1, w] as const));
    const poor = desil <= 4;
    const livelihood: Livelihood = rng.chance(this.fisherShare)
      ? rng.chance(0.9) ? 'FISHER' : 'FISH_FARMER'
      : rng.weighted(LIVELIHOOD_WEIGHTS[character]);

    const members = this.members(desil, poor ? MEAN_HOUSEHOLD_SIZE.poor : MEAN_HOUSEHOLD_SIZE.nonPoor);
    const head = members[0];
    if (!head) throw new Error('a household always has a head');

    const band = desil <= 2 ? 'deep' : desil <= 4 ? 'poor' : desil <= 6 ? 'near' : 'other';
    const fail = HOUSE_FAILURE[band];
    const occupants = members.length;
    const perPersonM2 = rng.chance(fail.floorArea) ? 3 + rng.next() * 4 : 7.5 + Math.abs(rng.normal()) * 6;
    const durable = <T extends string>(all: readonly T[], poorFrom: number, failChance: number): T =>
      rng.chance(failChance) ? rng.pick(all.slice(poorFrom)) : rng.pick(all.slice(0, poorFrom));

    const landOwnership = character === 'FISHING' && rng.chance(0.05) ? 'STATE_LAND' : rng.weighted(LAND_OWNERSHIP_WEIGHTS);
    const tags: GeneratedTag[] = [];
    if (desil === 1 && rng.chance(0.8)) tags.push(this.tag('FAKIR_MISKIN'));
    else if (desil <= 2 && rng.chance(0.35)) tags.push(this.tag('FAKIR_MISKIN'));
    else if (desil <= 4 && rng.chance(0.6)) tags.push(this.tag('BERPENDAPATAN_RENDAH'));
    if (rng.chance(DISASTER_SHARE[character])) tags.push(this.tag('KORBAN_BENCANA'));
    if (rng.chance(0.002)) tags.push(this.tag('AFIRMASI_KHUSUS'));

    const kkIssued = isoDate(rng.int(2005, 2024), rng.int(1, 12), rng.int(1, 28));
    return {
      registryId: `SYN-${this.villageDigits}-${pad(this.serial, 5)}`,
      villageCode: this.village.code,
      lonLat: this.location(character === 'FISHING' ? 0.75 : character === 'COASTAL' ? 0.3 : 0),
      desil,
      livelihood,
      isMustahik: rng.chance(MUSTAHIK_BY_DESIL[desil - 1] ?? 0),
      receivesPkh: desil <= 4 && rng.chance(PROGRAMME_TAKE_UP.pkh),
      receivesBpnt: desil <= 5 && rng.chance(PROGRAMME_TAKE_UP.bpnt),
      hasSmallBusiness: ['TRADER', 'SMALL_BUSINESS', 'FISH_PROCESSOR'].includes(livelihood) || rng.chance(0.12),
      floorAreaM2: Math.round(perPersonM2 * occupants * 10) / 10,
      floorMaterial: durable(FLOOR_MATERIALS, 4, fail.floor),
      wallMaterial: durable(WALL_MATERIALS, 4, fail.wall),
      roofMaterial: durable(ROOF_MATERIALS, 4, fail.roof),
      hasOwnToilet: !rng.chance(fail.noToilet),
      hasElectricity: !rng.chance(fail.noElectricity),
      waterSource: durable(WATER_SOURCES, 5, fail.unprotectedWater),
      landOwnership,
      hadHousingAid: rng.chance(poor ? 0.1 : 0.04),
      headName: head.fullName,
      headNik: head.nik,
      familyCardNumber: this.identityNumber(kkIssued, false),
      address: `RT ${pad(rng.int(1, 12), 3)} / RW ${pad(rng.int(1, 8), 3)}, ${this.village.name}`,
      members,
      tags,
    };
  }

  private tag(pas: PasCode): GeneratedTag {
    const rng = this.rng;
    const source = rng.weighted([['REGISTRY', 85], ['ASSESSMENT', 10], ['FIELD_REPORT', 5]] as const);
    const recordedOn = source === 'REGISTRY' ? rng.pick(REGISTRY_SNAPSHOTS) : isoDate(2025, rng.int(1, 12), rng.int(1, 28));
    return { pas, source, recordedOn };
  }

  /**
   * 16-digit NIK / KK: 6-digit district code, DDMMYY (day + 40 for women, as on real NIKs), and a
   * serial in 9000–9999 — the range that marks every identifier here as synthetic.
   */
  private identityNumber(date: string, female: boolean): string {
    const day = Number(date.slice(8, 10)) + (female ? 40 : 0);
    return `${this.districtDigits}${pad(day, 2)}${date.slice(5, 7)}${date.slice(2, 4)}9${pad(this.rng.int(0, 999), 3)}`;
  }

  private person(
    relation: GeneratedMember['relation'],
    sex: 'MALE' | 'FEMALE',
    age: number,
    familyName: string,
  ): GeneratedMember {
    const rng = this.rng;
    const birthDate = isoDate(REFERENCE_YEAR - age - 1, rng.int(1, 12), rng.int(1, 28));
    const given = rng.pick(sex === 'MALE' ? MALE_NAMES : FEMALE_NAMES);
    const schoolAge = age >= 7 && age <= 18;
    return {
      fullName: familyName && rng.chance(0.5) ? `${given} ${familyName}` : `${given} ${rng.pick(sex === 'MALE' ? MALE_NAMES : FEMALE_NAMES)}`,
      nik: this.identityNumber(birthDate, sex === 'FEMALE'),
      birthDate,
      sex,
      relation,
      disability: null,
      inSchool: schoolAge && rng.chance(0.88),
      tags: [],
    };
  }

  private members(desil: number, meanSize: number): GeneratedMember[] {
    const rng = this.rng;
    const familyName = rng.pick(FAMILY_NAMES);
    const size = Math.min(12, 1 + poisson(rng, meanSize - 1));
    const femaleHead = rng.chance(FEMALE_HEAD_SHARE);
    const headAge = Math.min(85, Math.max(20, Math.round(44 + rng.normal() * 13)));
    const members = [this.person('HEAD', femaleHead ? 'FEMALE' : 'MALE', headAge, familyName)];
    if (size >= 2 && !femaleHead && rng.chance(0.9)) {
      members.push(this.person('SPOUSE', 'FEMALE', Math.max(18, headAge - rng.int(0, 8)), familyName));
    }
    if (members.length < size && headAge < 65 && rng.chance(ELDERLY_PARENT_CHANCE)) {
      members.push(this.person('PARENT', rng.chance(0.65) ? 'FEMALE' : 'MALE', Math.min(92, headAge + rng.int(22, 32)), familyName));
    }
    while (members.length < size) {
      const maxChildAge = Math.max(0, headAge - 18);
      if (maxChildAge >= 1) {
        members.push(this.person('CHILD', rng.chance(0.5) ? 'MALE' : 'FEMALE', rng.int(0, Math.min(maxChildAge, 30)), familyName));
      } else {
        members.push(this.person('OTHER_RELATIVE', rng.chance(0.5) ? 'MALE' : 'FEMALE', rng.int(10, 60), familyName));
      }
    }
    if (rng.chance(DISABLED_MEMBER_HOUSEHOLD_SHARE)) {
      const member = rng.pick(members);
      member.disability = rng.weighted(DISABILITY_WEIGHTS);
    }
    for (const member of members) this.personTags(member, desil);
    return members;
  }

  private personTags(member: GeneratedMember, desil: number): void {
    const rng = this.rng;
    const age = ageOn(member.birthDate);
    if (member.disability) member.tags.push(this.tag('DISABILITAS'));
    if (age >= 60 && desil <= 4 && rng.chance(0.25)) member.tags.push(this.tag('LANSIA_TERLANTAR'));
    if (age < 18 && desil <= 3 && (rng.chance(0.05) || (age >= 7 && !member.inSchool && rng.chance(0.5)))) {
      member.tags.push(this.tag('ANAK_RENTAN'));
    }
    if (member.relation === 'HEAD' && member.sex === 'FEMALE' && desil <= 5 && rng.chance(0.7)) {
      member.tags.push(this.tag('PEREMPUAN_RENTAN'));
    }
    if (age >= 15) {
      for (const [pas, chance] of Object.entries(PERSON_PAS_CHANCE) as [PasCode, number][]) {
        if (pas === 'WARGA_BINAAN' && member.sex !== 'MALE') continue;
        if (rng.chance(chance)) member.tags.push(this.tag(pas));
      }
    }
  }

  /**
   * A point inside the boundary. With probability `shoreBias` (and a known shore) it is drawn
   * within a few hundred metres of the shore; otherwise uniformly over the village.
   */
  private location(shoreBias: number): readonly [number, number] {
    const rng = this.rng;
    const { boundary, bboxWgs84, shoreLines } = this.village;
    const [minLon, minLat, maxLon, maxLat] = bboxWgs84;
    if (shoreLines.length > 0 && rng.chance(shoreBias)) {
      for (let attempt = 0; attempt < 40; attempt += 1) {
        const line = rng.pick(shoreLines);
        const i = rng.int(0, line.length - 2);
        const a = line[i];
        const b = line[i + 1];
        if (!a || !b) continue;
        const t = rng.next();
        const distanceM = Math.abs(rng.normal()) * 250;
        const angle = rng.next() * 2 * Math.PI;
        const lat = a[1]! + (b[1]! - a[1]!) * t + (distanceM * Math.sin(angle)) / METERS_PER_DEGREE_LAT;
        const lon =
          a[0]! + (b[0]! - a[0]!) * t + (distanceM * Math.cos(angle)) / (METERS_PER_DEGREE_LAT * Math.cos((lat * Math.PI) / 180));
        if (booleanPointInPolygon([lon, lat], boundary)) return [round7(lon), round7(lat)];
      }
    }
    for (let attempt = 0; attempt < 10_000; attempt += 1) {
      const lon = minLon + (maxLon - minLon) * rng.next();
      const lat = minLat + (maxLat - minLat) * rng.next();
      if (booleanPointInPolygon([lon, lat], boundary)) return [round7(lon), round7(lat)];
    }
    throw new Error(`could not place a household inside village ${this.village.code}`);
  }
}

/** 1e-7 degrees ≈ 1 cm: enough precision, and a stable text form for checksums. */
function round7(value: number): number {
  return Math.round(value * 1e7) / 1e7;
}
