/**
 * The one place that converts (E)WKB ⇄ GeoJSON, for geometry read from or written to PostGIS as
 * hex (the text form of a `geometry` value, and COPY input). Input here comes from the database
 * or our own code, not from clients, so failures are plain errors (masked as internal).
 */
import type { Geometry } from 'geojson';
import wkx from 'wkx';

const HEX = /^(?:[0-9a-fA-F]{2})+$/;

/** Decodes hex (E)WKB into a GeoJSON geometry; the SRID is dropped (positions are as stored). */
export function ewkbHexToGeoJSON(hex: string): Geometry {
  if (!HEX.test(hex)) throw new Error(`ewkbHexToGeoJSON: expected an even-length hex string, received ${JSON.stringify(hex.slice(0, 40))}`);
  return wkx.Geometry.parse(Buffer.from(hex, 'hex')).toGeoJSON() as Geometry;
}

/** Encodes a GeoJSON geometry as upper-case hex EWKB with `srid`, the form PostGIS prints. */
export function geoJSONToEwkbHex(geometry: Geometry, srid = 4326): string {
  const parsed = wkx.Geometry.parseGeoJSON(geometry);
  parsed.srid = srid;
  return parsed.toEwkb().toString('hex').toUpperCase();
}
