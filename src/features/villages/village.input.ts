import { Field, Float, InputType, Int } from 'type-graphql';
import { GeoJSONScalar } from '../../geo/geojson.scalar.js';
import { Pas } from '../households/index.js';
import { RegionKind } from '../regions/index.js';

@InputType({ description: 'A circle on the ground: centre in WGS84 degrees, radius in metres (geodesic).' })
export class NearInput {
  @Field(() => Float, { description: 'Longitude of the centre, degrees east (WGS84).' })
  longitude!: number;

  @Field(() => Float, { description: 'Latitude of the centre, degrees north (WGS84; negative south of the equator).' })
  latitude!: number;

  @Field(() => Float, { description: 'Radius in metres, up to 50,000.' })
  radiusMeters!: number;
}

@InputType({ description: 'At least `atLeast` households in desil 1..`maxDesil`.' })
export class DesilNeedInput {
  @Field(() => Int, { description: 'Highest desil counted, 1–10.' })
  maxDesil!: number;

  @Field(() => Int, { description: 'Minimum number of households.' })
  atLeast!: number;
}

@InputType({ description: 'At least `atLeast` households carrying a PAS tag.' })
export class PasNeedInput {
  @Field(() => Pas, { description: 'The PAS tag.' })
  pas!: Pas;

  @Field(() => Int, { description: 'Minimum number of households carrying it.' })
  atLeast!: number;
}

@InputType({ description: 'Village filter; all given conditions must hold (AND). Geometry is WGS84 with [longitude, latitude] positions.' })
export class VillageFilter {
  @Field(() => String, { nullable: true, description: 'Province code, e.g. "33".' })
  provinceCode?: string;

  @Field(() => String, { nullable: true, description: 'Regency/city code, e.g. "33.74" (Kota Semarang).' })
  regencyCode?: string;

  @Field(() => String, { nullable: true, description: 'District code, e.g. "33.74.02".' })
  districtCode?: string;

  @Field(() => [RegionKind], { nullable: true, description: 'DESA, KELURAHAN and/or DESA_ADAT.' })
  kinds?: RegionKind[];

  @Field(() => String, { nullable: true, description: 'Part of the name, case- and accent-insensitive, spaces and punctuation ignored.' })
  search?: string;

  @Field(() => Boolean, { nullable: true, description: 'Only villages with (true) or without (false) a known boundary.' })
  hasBoundary?: boolean;

  @Field(() => Boolean, { nullable: true, description: 'Only coastal (true) or non-coastal (false) villages; villages without a boundary have no coastal flag and never match.' })
  coastal?: boolean;

  @Field(() => Boolean, { nullable: true, description: 'Only fishing villages (true): fisher share ≥ fisherShareThreshold (KKP Kampung Nelayan rule); false: below it.' })
  fishingVillage?: boolean;

  @Field(() => Float, { nullable: true, defaultValue: 0.8, description: 'Fisher share (0–1) from which a village counts as a fishing village. Default 0.8.' })
  fisherShareThreshold?: number;

  @Field(() => GeoJSONScalar, { nullable: true, description: 'Polygon or MultiPolygon: villages whose centroid lies inside it.' })
  withinPolygon?: unknown;

  @Field(() => [Float], { nullable: true, description: 'Bounding box [minLongitude, minLatitude, maxLongitude, maxLatitude]: villages whose boundary intersects it.' })
  bboxWgs84?: number[];

  @Field(() => NearInput, { nullable: true, description: 'Villages whose boundary lies within radiusMeters of the point.' })
  near?: NearInput;

  @Field(() => DesilNeedInput, { nullable: true, description: 'At least N households in desil 1..maxDesil.' })
  minHouseholdsInDesil?: DesilNeedInput;

  @Field(() => [PasNeedInput], { nullable: true, description: 'Each listed PAS must reach its minimum.' })
  minHouseholdsWithPas?: PasNeedInput[];

  @Field(() => Int, { nullable: true, description: 'At least this many RTLH households.' })
  minRtlhHouseholds?: number;
}
