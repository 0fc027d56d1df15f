import { Field, ObjectType, registerEnumType } from 'type-graphql';

export const RegionLevel = { PROVINCE: 'PROVINCE', REGENCY: 'REGENCY', DISTRICT: 'DISTRICT', VILLAGE: 'VILLAGE' } as const;
export type RegionLevel = (typeof RegionLevel)[keyof typeof RegionLevel];
registerEnumType(RegionLevel, {
  name: 'RegionLevel',
  description: 'Level of the Kemendagri region tree.',
  valuesConfig: {
    PROVINCE: { description: 'Provinsi (code PP).' },
    REGENCY: { description: 'Kabupaten or kota (code PP.KK; KK 01–69 kabupaten, 71–99 kota).' },
    DISTRICT: { description: 'Kecamatan (code PP.KK.CC).' },
    VILLAGE: { description: 'Desa, kelurahan or desa adat (code PP.KK.CC.DDDD).' },
  },
});

export const RegionKind = {
  PROVINSI: 'PROVINSI',
  KABUPATEN: 'KABUPATEN',
  KOTA: 'KOTA',
  KECAMATAN: 'KECAMATAN',
  DESA: 'DESA',
  KELURAHAN: 'KELURAHAN',
  DESA_ADAT: 'DESA_ADAT',
} as const;
export type RegionKind = (typeof RegionKind)[keyof typeof RegionKind];
registerEnumType(RegionKind, {
  name: 'RegionKind',
  description: 'Administrative kind of a region.',
  valuesConfig: {
    PROVINSI: { description: 'Province.' },
    KABUPATEN: { description: 'Regency (rural).' },
    KOTA: { description: 'City.' },
    KECAMATAN: { description: 'District.' },
    DESA: { description: 'Village governed by a village head (first digit of the village part of the code is 2).' },
    KELURAHAN: { description: 'Urban village, part of the city/regency administration (first digit 1).' },
    DESA_ADAT: { description: 'Customary village (first digit 3).' },
  },
});

export interface RegionRow {
  code: string;
  level: RegionLevel;
  kind: RegionKind;
  name: string;
  parent_code: string | null;
}

@ObjectType({ description: 'A region of the Kemendagri tree (Kepmendagri 300.2.2-2138/2025): province, regency/city, district or village.' })
export class Region {
  @Field(() => String, { description: 'Kemendagri code (kode wilayah), dotted: PP, PP.KK, PP.KK.CC or PP.KK.CC.DDDD.' })
  code!: string;

  @Field(() => String, { description: 'Official name.' })
  name!: string;

  @Field(() => RegionLevel, { description: 'Level in the tree.' })
  level!: RegionLevel;

  @Field(() => RegionKind, { description: 'Administrative kind.' })
  kind!: RegionKind;

  @Field(() => String, { nullable: true, description: 'Code of the parent region; null for a province.' })
  parentCode!: string | null;

  static fromRow(row: RegionRow): Region {
    return Object.assign(new Region(), {
      code: row.code,
      name: row.name,
      level: row.level,
      kind: row.kind,
      parentCode: row.parent_code,
    });
  }
}
