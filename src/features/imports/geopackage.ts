/**
 * Reads the features of a GeoPackage (OGC 12-128r18) into a GeoJSON FeatureCollection, so that a
 * .gpkg goes through exactly the checks and writes of the GeoJSON import. The file is opened with
 * sql.js (SQLite compiled to WebAssembly: no native build), and each geometry blob is decoded as
 * the spec's "GeoPackageBinary" header followed by standard WKB (parsed by wkx):
 *
 *   magic "GP" · version (0) · flags · srs_id int32 · envelope (0, 32, 48 or 64 bytes) · WKB
 *   flags: bit 0 byte order of the header (1 = little endian), bits 1–3 envelope indicator
 *   (0 none, 1 xy, 2 xyz, 3 xym, 4 xyzm), bit 4 empty geometry, bit 5 extended GeoPackageBinary.
 */
import { createRequire } from 'node:module';
import initSqlJs from 'sql.js';
import wkx from 'wkx';
import type { Feature, FeatureCollection, Geometry } from 'geojson';
import { badInput } from '../../errors/errors.js';

const ENVELOPE_BYTES = [0, 32, 48, 48, 64];

/** The WKB inside a GeoPackage geometry blob, or null for an empty geometry. */
export function gpkgGeometryToWkb(blob: Uint8Array): Buffer | null {
  const b = Buffer.from(blob.buffer, blob.byteOffset, blob.byteLength);
  if (b.length < 8 || b[0] !== 0x47 || b[1] !== 0x50) throw new Error('not a GeoPackage geometry (magic "GP" missing)');
  const flags = b[3]!;
  if (flags & 0b10_0000) throw new Error('extended GeoPackage geometries are not supported');
  const envelope = (flags >> 1) & 0b111;
  const envelopeBytes = ENVELOPE_BYTES[envelope];
  if (envelopeBytes === undefined) throw new Error(`invalid envelope indicator ${envelope}`);
  if (flags & 0b1_0000) return null;
  return b.subarray(8 + envelopeBytes);
}

export interface GeoPackageRead {
  collection: FeatureCollection;
  layer: string;
  srsId: number;
}

let sqlJs: Promise<Awaited<ReturnType<typeof initSqlJs>>> | undefined;
const require = createRequire(import.meta.url);

/**
 * The features of one layer (`layer`, or the only features layer), with every non-geometry
 * column as a property. Coordinates must be WGS84 longitude/latitude (srs_id 4326), as for GeoJSON.
 */
export async function readGeoPackage(bytes: Uint8Array, layer?: string): Promise<GeoPackageRead> {
  sqlJs ??= initSqlJs({ locateFile: (file: string) => require.resolve(`sql.js/dist/${file}`) });
  const SQL = await sqlJs;
  let db;
  try {
    db = new SQL.Database(bytes);
    db.exec('SELECT count(*) FROM sqlite_master');
  } catch {
    throw badInput('file', 'expected a GeoPackage (an SQLite database); the file is not one');
  }
  try {
    const layers = db.exec(
      `SELECT g.table_name, g.column_name, g.srs_id FROM gpkg_geometry_columns g JOIN gpkg_contents c ON c.table_name = g.table_name WHERE c.data_type = 'features' ORDER BY g.table_name`,
    )[0]?.values.map(([t, c, s]) => ({ table: String(t), column: String(c), srsId: Number(s) })) ?? [];
    const chosen = layer === undefined ? (layers.length === 1 ? layers[0] : undefined) : layers.find((l) => l.table === layer);
    if (!chosen) {
      throw badInput('layer', `expected ${layer === undefined ? 'a GeoPackage with exactly one features layer (or name one)' : 'a features layer of the GeoPackage'}; layers: ${layers.map((l) => l.table).join(', ') || 'none'}${layer === undefined ? '' : `, got ${JSON.stringify(layer)}`}`);
    }
    if (chosen.srsId !== 4326) throw badInput('file', `expected coordinates in WGS84 (srs_id 4326), got srs_id ${chosen.srsId} in layer ${chosen.table}; reproject with ogr2ogr -t_srs EPSG:4326`);
    const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;
    const statement = db.prepare(`SELECT * FROM ${quote(chosen.table)}`);
    const features: Feature[] = [];
    try {
      while (statement.step()) {
        const row = statement.getAsObject();
        const blob = row[chosen.column];
        const properties: Record<string, unknown> = {};
        for (const [key, value] of Object.entries(row)) if (key !== chosen.column) properties[key] = value;
        let geometry: Geometry | null = null;
        if (blob instanceof Uint8Array) {
          const wkb = gpkgGeometryToWkb(blob);
          geometry = wkb ? (wkx.Geometry.parse(wkb).toGeoJSON() as Geometry) : null;
        }
        features.push({ type: 'Feature', properties, geometry: geometry as Geometry });
      }
    } finally {
      statement.free();
    }
    return { collection: { type: 'FeatureCollection', features }, layer: chosen.table, srsId: chosen.srsId };
  } finally {
    db.close();
  }
}
