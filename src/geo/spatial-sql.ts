/**
 * SQL fragments for distances in metres on WGS84 data, shared by every feature that filters by
 * a circle or simplifies by a ground tolerance.
 */
import { type SQL, sql } from 'drizzle-orm';
import type { Geometry } from 'geojson';

/** Length of one degree of latitude (and of longitude at the equator), metres. */
export const METERS_PER_DEGREE = 111_320;

/** A circle on the ground: centre in WGS84 degrees, radius in metres (geodesic). */
export interface CircleWgs84 {
  longitude: number;
  latitude: number;
  radiusMeters: number;
}

/**
 * `column` (geometry, SRID 4326) lies within `radiusMeters` of the centre. A degree box that
 * contains the circle lets the GiST index prefilter; the geodesic ST_DWithin then decides.
 */
export function withinCircle(column: SQL, circle: CircleWgs84): SQL {
  const { longitude, latitude, radiusMeters } = circle;
  const boxDegrees = radiusMeters / (METERS_PER_DEGREE * Math.cos((latitude * Math.PI) / 180));
  const centre = sql`ST_SetSRID(ST_MakePoint(${longitude}, ${latitude}), 4326)`;
  return sql`(${column} && ST_Expand(${centre}, ${boxDegrees}) AND ST_DWithin(${column}::geography, ${centre}::geography, ${radiusMeters}))`;
}

/** A GeoJSON geometry (WGS84, validated by the caller) as a SRID 4326 geometry parameter. */
export function geometryParam(geometry: Geometry): SQL {
  return sql`ST_SetSRID(ST_GeomFromGeoJSON(${JSON.stringify(geometry)}), 4326)`;
}

/** A bbox [minLon, minLat, maxLon, maxLat] as a SRID 4326 envelope. */
export function envelope([minLon, minLat, maxLon, maxLat]: readonly [number, number, number, number]): SQL {
  return sql`ST_MakeEnvelope(${minLon}, ${minLat}, ${maxLon}, ${maxLat}, 4326)`;
}

/**
 * `column` simplified with a tolerance in metres, converted at the equator (good to a few
 * percent in Indonesia, which straddles it); each polygon keeps its topology. 0 = unchanged.
 */
export function simplified(column: SQL, toleranceMeters: number): SQL {
  return toleranceMeters > 0 ? sql`ST_SimplifyPreserveTopology(${column}, ${toleranceMeters / METERS_PER_DEGREE})` : column;
}

/** A WGS84 point from [longitude, latitude], as SQL. */
export function pointWgs84([longitude, latitude]: readonly [number, number]): SQL {
  return sql`ST_SetSRID(ST_MakePoint(${longitude}::float8, ${latitude}::float8), 4326)`;
}
