import { Field, Float, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { GeoJSONScalar } from '../../geo/geojson.scalar.js';
import { Connection } from '../../graphql/connection.type.js';
import { Pas } from '../households/index.js';
import { RegionKind } from '../regions/index.js';

export const CoastalSource = { SEAWARD_EDGE: 'SEAWARD_EDGE', NATURAL_EARTH_COASTLINE: 'NATURAL_EARTH_COASTLINE' } as const;
export type CoastalSource = keyof typeof CoastalSource;
registerEnumType(CoastalSource, {
  name: 'CoastalSource',
  description: 'How the coastal flag was derived.',
  valuesConfig: {
    SEAWARD_EDGE: { description: 'From the derived seaward edge of the village boundary (Semarang, Demak, Jakarta Utara): coastal when the edge is longer than 0 m.' },
    NATURAL_EARTH_COASTLINE: { description: 'Elsewhere: coastal when the boundary lies within 1,000 m of the Natural Earth 1:10m coastline.' },
  },
});

export const VillageOrder = { CODE: 'CODE', NAME: 'NAME', PRIORITY: 'PRIORITY' } as const;
export type VillageOrder = keyof typeof VillageOrder;
registerEnumType(VillageOrder, {
  name: 'VillageOrder',
  description: 'Order of a village list. Every order ends with the code, so it is total and pages are stable.',
  valuesConfig: {
    CODE: { description: 'By Kemendagri code, ascending.' },
    NAME: { description: 'By name (case- and accent-insensitive), then code.' },
    PRIORITY: { description: 'By priority score, highest first, then code.' },
  },
});

@ObjectType({ description: 'Coastal character of a village.' })
export class CoastalAttributes {
  @Field(() => Boolean, { description: 'Whether the village touches the sea.' })
  isCoastal!: boolean;

  @Field(() => CoastalSource, { description: 'How the flag was derived.' })
  source!: CoastalSource;

  @Field(() => Float, { nullable: true, description: 'Length of the boundary facing the sea, metres (derived seaward edge); null where not derived.' })
  seawardBoundaryMeters!: number | null;

  @Field(() => Float, { nullable: true, description: 'Geodesic distance from the boundary to the Natural Earth 1:10m coastline, metres; null when farther than about 25 km.' })
  distanceToCoastlineMeters!: number | null;
}

@ObjectType({ description: 'Households in one desil.' })
export class DesilCount {
  @Field(() => Int, { description: 'Desil 1–10 (1 = poorest 10% nationally, BPS ranking of DTSEN).' })
  desil!: number;

  @Field(() => Int, { nullable: true, description: 'Households in this desil. Null when suppressed (non-zero and below k, for roles that see only aggregates).' })
  households!: number | null;
}

@ObjectType({ description: 'Households carrying one PAS tag (on the household or on any member).' })
export class PasCount {
  @Field(() => Pas, { description: 'The PAS tag.' })
  pas!: Pas;

  @Field(() => Int, { nullable: true, description: 'Households carrying it. Null when suppressed (non-zero and below k, for roles that see only aggregates).' })
  households!: number | null;
}

@ObjectType({ description: 'Need statistics of a village, aggregated from its registry households. Ages are on the current date.' })
export class VillageNeedStatistics {
  @Field(() => Int, { nullable: true, description: 'Registry households (keluarga) mapped in the village. Null when suppressed (non-zero and below k, for roles that see only aggregates).' })
  households!: number | null;

  @Field(() => Int, { nullable: true, description: 'Members of those households. Null when suppressed (non-zero and below k, for roles that see only aggregates).' })
  members!: number | null;

  @Field(() => [DesilCount], { description: 'Households per desil, desil 1 to 10 (all ten listed).' })
  householdsByDesil!: DesilCount[];

  @Field(() => Int, { nullable: true, description: 'Households in desil 1–2. Null when suppressed (non-zero and below k, for roles that see only aggregates).' })
  householdsDesil1To2!: number | null;

  @Field(() => Int, { nullable: true, description: 'Households in desil 1–4 (the PKH threshold). Null when suppressed (non-zero and below k, for roles that see only aggregates).' })
  householdsDesil1To4!: number | null;

  @Field(() => [PasCount], { description: 'Households per PAS tag, all 12 listed, in PAS order.' })
  householdsByPas!: PasCount[];

  @Field(() => Int, { nullable: true, description: 'Households in an RTLH (rumah tidak layak huni) under the active rule. Null when suppressed (non-zero and below k, for roles that see only aggregates).' })
  rtlhHouseholds!: number | null;

  @Field(() => Int, { nullable: true, description: 'Members aged 60 or more. Null when suppressed (non-zero and below k, for roles that see only aggregates).' })
  elderlyMembers!: number | null;

  @Field(() => Int, { nullable: true, description: 'Members under 18. Null when suppressed (non-zero and below k, for roles that see only aggregates).' })
  childMembers!: number | null;

  @Field(() => Int, { nullable: true, description: 'Members with a disability. Null when suppressed (non-zero and below k, for roles that see only aggregates).' })
  disabledMembers!: number | null;

  @Field(() => Int, { nullable: true, description: 'Households with at least one member aged 60 or more. Null when suppressed (non-zero and below k, for roles that see only aggregates).' })
  householdsWithElderly!: number | null;

  @Field(() => Int, { nullable: true, description: 'Households with at least one member with a disability. Null when suppressed (non-zero and below k, for roles that see only aggregates).' })
  householdsWithDisabled!: number | null;

  @Field(() => Int, { nullable: true, description: 'Households living from capture fishing or fish farming (FISHER, FISH_FARMER). Null when suppressed (non-zero and below k, for roles that see only aggregates).' })
  fisherHouseholds!: number | null;

  @Field(() => Float, { nullable: true, description: 'fisherHouseholds / households, 0–1; 0 when there are no households. Null when suppressed (non-zero and below k, for roles that see only aggregates).' })
  fisherShare!: number | null;

  @Field(() => Int, { nullable: true, description: 'Households with LANSIA_TERLANTAR, DISABILITAS, ANAK_RENTAN or PEREMPUAN_RENTAN. Null when suppressed (non-zero and below k, for roles that see only aggregates).' })
  vulnerableHouseholds!: number | null;
}

@InputType({
  description:
    'Weights of the priority score components; each ≥ 0, not all 0. They are normalised by their sum, so only their ratios matter.',
})
export class PriorityWeightsInput {
  @Field(() => Float, { defaultValue: 0.35, description: 'Weight of the share of households in desil 1–2.' })
  poverty!: number;

  @Field(() => Float, { defaultValue: 0.25, description: 'Weight of the share of RTLH households.' })
  housing!: number;

  @Field(() => Float, { defaultValue: 0.2, description: 'Weight of the share of vulnerable households (LANSIA_TERLANTAR, DISABILITAS, ANAK_RENTAN, PEREMPUAN_RENTAN).' })
  vulnerability!: number;

  @Field(() => Float, { defaultValue: 0.1, description: 'Weight of the fisher share.' })
  fishing!: number;

  @Field(() => Float, { defaultValue: 0.1, description: 'Weight of being coastal (1 when coastal, else 0).' })
  coastal!: number;
}

@ObjectType({ description: 'One component of the priority score.' })
export class PriorityComponent {
  @Field(() => String, { description: 'poverty, housing, vulnerability, fishing or coastal.' })
  name!: string;

  @Field(() => Float, { description: 'The component value, 0–1.' })
  value!: number;

  @Field(() => Float, { description: 'Its weight after normalisation (weights sum to 1).' })
  weight!: number;

  @Field(() => Float, { description: 'value × weight × 100: points this component adds to the score.' })
  points!: number;
}

@ObjectType({
  description: [
    'Priority score for choosing a bedah kampung pilot village, 0–100.',
    'score = 100 × Σ wᵢ·cᵢ / Σ wᵢ over the components',
    'poverty = households in desil 1–2 / households; housing = RTLH households / households;',
    'vulnerability = households with LANSIA_TERLANTAR, DISABILITAS, ANAK_RENTAN or PEREMPUAN_RENTAN / households;',
    'fishing = fisher share; coastal = 1 when the village is coastal, else 0.',
    'Default weights 0.35, 0.25, 0.20, 0.10, 0.10. A village without registry households scores 0.',
  ].join(' '),
})
export class PriorityScore {
  @Field(() => Float, { description: 'The score, 0–100.' })
  score!: number;

  @Field(() => [PriorityComponent], { description: 'The parts that add up to the score.' })
  components!: PriorityComponent[];
}

@ObjectType({ description: 'A village (desa, kelurahan or desa adat) as a candidate for bedah kampung terpadu.' })
export class Village {
  @Field(() => String, { description: 'Kemendagri code PP.KK.CC.DDDD.' })
  code!: string;

  @Field(() => String, { description: 'Official name (Kepmendagri 2025).' })
  name!: string;

  @Field(() => RegionKind, { description: 'DESA, KELURAHAN or DESA_ADAT.' })
  kind!: RegionKind;

  @Field(() => String, { description: 'Code of the district (kecamatan).' })
  districtCode!: string;

  @Field(() => String, { description: 'Code of the regency or city (kabupaten/kota).' })
  regencyCode!: string;

  @Field(() => String, { description: 'Code of the province.' })
  provinceCode!: string;

  @Field(() => Boolean, { description: 'Whether a boundary is known (1,107 villages in the bundled data).' })
  hasBoundary!: boolean;

  @Field(() => GeoJSONScalar, { nullable: true, description: 'Centroid, GeoJSON Point, WGS84 [longitude, latitude]; null without a boundary.' })
  centroid!: unknown;

  @Field(() => Float, { nullable: true, description: 'Geodesic area on the WGS84 spheroid, km²; null without a boundary.' })
  areaKm2!: number | null;

  @Field(() => CoastalAttributes, { nullable: true, description: 'Null without a boundary.' })
  coastal!: CoastalAttributes | null;

  /** Raw statistics; the `needStatistics` field resolver applies the caller's suppression rules. */
  needStatistics!: VillageNeedStatistics;

  /** Priority components 0–1, used by the `priority` field resolver with the request's weights. */
  shares!: { poverty: number; housing: number; vulnerability: number; fishing: number; coastal: number };
}

export const VillageConnectionBase = Connection(Village, 'Village');
@ObjectType('VillageConnection', { description: 'A page of villages.' })
export class VillageConnection extends VillageConnectionBase {}
