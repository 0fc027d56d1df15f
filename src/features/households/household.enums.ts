import { registerEnumType } from 'type-graphql';
import {
  FLOOR_MATERIALS,
  LAND_OWNERSHIPS,
  LIVELIHOODS,
  PAS_CODES,
  ROOF_MATERIALS,
  WALL_MATERIALS,
  WATER_SOURCES,
} from '../../db/schema.js';
import { enumOf } from '../../graphql/enums.js';


export const Pas = enumOf(PAS_CODES);
export type Pas = keyof typeof Pas;
registerEnumType(Pas, {
  name: 'Pas',
  description: 'The 12 PAS (Pemerlu Atensi Sosial, people who need social attention), Kepmensos 103/HUK/2025.',
  valuesConfig: {
    ANAK_RENTAN: { description: 'Anak rentan: vulnerable children (neglected toddlers, street children, children in conflict with the law…).' },
    DISABILITAS: { description: 'Penyandang disabilitas: people with disabilities.' },
    LANSIA_TERLANTAR: { description: 'Lansia terlantar: neglected elderly (60+).' },
    BERPENDAPATAN_RENDAH: { description: 'Berpendapatan rendah: low income (incl. homeless, beggars, scavengers).' },
    KORBAN_BENCANA: { description: 'Korban bencana: disaster victims (incl. tidal flooding, rob).' },
    AFIRMASI_KHUSUS: { description: 'Membutuhkan afirmasi khusus: special affirmation (remote indigenous communities).' },
    WARGA_BINAAN: { description: 'Warga binaan: prisoners and ex-prisoners. Sensitive.' },
    KORBAN_KEKERASAN: { description: 'Korban kekerasan: victims of violence, trafficking, exploited migrant workers. Sensitive.' },
    KORBAN_NAPZA_HIV: { description: 'Korban NAPZA dan HIV/AIDS: drug-use victims, people with HIV/AIDS. Sensitive.' },
    BERMASALAH_SOSIAL: { description: 'Masyarakat bermasalah sosial: people with social problems.' },
    PEREMPUAN_RENTAN: { description: 'Perempuan rentan: vulnerable women.' },
    FAKIR_MISKIN: { description: 'Fakir miskin: the destitute.' },
  },
});

export const TagSource = { REGISTRY: 'REGISTRY', ASSESSMENT: 'ASSESSMENT', FIELD_REPORT: 'FIELD_REPORT' } as const;
export type TagSource = keyof typeof TagSource;
registerEnumType(TagSource, {
  name: 'TagSource',
  description: 'Where a PAS tag came from.',
  valuesConfig: {
    REGISTRY: { description: 'A DTSEN registry snapshot.' },
    ASSESSMENT: { description: 'An integrated assessment (asesmen terpadu).' },
    FIELD_REPORT: { description: 'A field report by a social worker (pendamping).' },
  },
});

export const Livelihood = enumOf(LIVELIHOODS);
export type Livelihood = keyof typeof Livelihood;
registerEnumType(Livelihood, {
  name: 'Livelihood',
  description: "Main livelihood of the household head. FISHER and FISH_FARMER count as fisher households for the fishing-village rule.",
  valuesConfig: {
    FISHER: { description: 'Nelayan: capture fisher.' },
    FISH_FARMER: { description: 'Pembudi daya ikan: fish or shrimp farmer (tambak).' },
    FISH_PROCESSOR: { description: 'Pengolah ikan: fish processing (drying, smoking, trading catch).' },
  },
});

export const FloorMaterial = enumOf(FLOOR_MATERIALS);
registerEnumType(FloorMaterial, { name: 'FloorMaterial', description: 'Main floor material.' });
export const WallMaterial = enumOf(WALL_MATERIALS);
registerEnumType(WallMaterial, { name: 'WallMaterial', description: 'Main wall material.' });
export const RoofMaterial = enumOf(ROOF_MATERIALS);
registerEnumType(RoofMaterial, { name: 'RoofMaterial', description: 'Main roof material.' });
export const WaterSource = enumOf(WATER_SOURCES);
registerEnumType(WaterSource, { name: 'WaterSource', description: 'Main drinking-water source.' });
export const LandOwnership = enumOf(LAND_OWNERSHIPS);
registerEnumType(LandOwnership, { name: 'LandOwnership', description: 'Tenure of the land the house stands on.' });

export const Sex = { MALE: 'MALE', FEMALE: 'FEMALE' } as const;
registerEnumType(Sex, { name: 'Sex', description: 'Sex as recorded in the registry.' });
export const FamilyRelation = enumOf(['HEAD', 'SPOUSE', 'CHILD', 'GRANDCHILD', 'PARENT', 'PARENT_IN_LAW', 'OTHER_RELATIVE', 'OTHER'] as const);
registerEnumType(FamilyRelation, { name: 'FamilyRelation', description: 'Relation to the head of the family (hubungan dengan kepala keluarga).' });
export const DisabilityType = enumOf(['PHYSICAL', 'INTELLECTUAL', 'MENTAL', 'SENSORY_VISION', 'SENSORY_HEARING', 'MULTIPLE'] as const);
registerEnumType(DisabilityType, { name: 'DisabilityType', description: 'Disability category of UU 8/2016 (fisik, intelektual, mental, sensorik, ganda).' });

export const RtlhCriterion = {
  FLOOR_AREA_PER_PERSON: 'FLOOR_AREA_PER_PERSON',
  FLOOR_MATERIAL: 'FLOOR_MATERIAL',
  WALL_MATERIAL: 'WALL_MATERIAL',
  ROOF_MATERIAL: 'ROOF_MATERIAL',
  NO_OWN_TOILET: 'NO_OWN_TOILET',
  NO_ELECTRICITY: 'NO_ELECTRICITY',
  UNPROTECTED_WATER: 'UNPROTECTED_WATER',
} as const;
export type RtlhCriterion = keyof typeof RtlhCriterion;
registerEnumType(RtlhCriterion, {
  name: 'RtlhCriterion',
  description: 'An RTLH (rumah tidak layak huni, uninhabitable house) criterion of the active rule.',
  valuesConfig: {
    FLOOR_AREA_PER_PERSON: { description: 'Floor area per occupant below the rule threshold (7.2 m² PUPR NAHP, 8 m² BPS, 9 m² PUPR BSPS).' },
    FLOOR_MATERIAL: { description: 'Earth or bamboo floor.' },
    WALL_MATERIAL: { description: 'Bamboo or makeshift walls.' },
    ROOF_MATERIAL: { description: 'Leaf or wood-shingle roof.' },
    NO_OWN_TOILET: { description: 'No toilet of its own.' },
    NO_ELECTRICITY: { description: 'No electricity.' },
    UNPROTECTED_WATER: { description: 'Drinking water from an unprotected well or spring or surface water.' },
  },
});

/** The PAS codes in the schema's order, for features that list them (resolvers may not import src/db). */
export { PAS_CODES };
