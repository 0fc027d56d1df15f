/**
 * A small Mapbox Vector Tile 2.1 encoder, for databases whose PostGIS lacks ST_AsMVT.
 *
 * The embedded PGlite ships PostGIS compiled without protobuf-c ("ST_AsMVT: Compiled without
 * protobuf-c support"), so on it the tile SQL returns geometry already transformed, clipped and
 * snapped to tile coordinates (see tiles.queries.ts) and this module writes the protobuf. On
 * PostgreSQL, ST_AsMVT does it in the database. No dependency: `pbf` is only a dev dependency.
 *
 * Geometry arrives as GeoJSON in tile coordinates (integers, y down, 0..extent). Polygon rings
 * are re-oriented as the spec requires: exterior rings with positive area by the surveyor's
 * formula in tile coordinates (clockwise on screen), interior rings negative.
 */
import type { Geometry, Position } from 'geojson';

export type MvtValue = string | number | boolean;

export interface MvtFeature {
  /** Unsigned integer id, or none. */
  id?: number | null;
  geometry: Geometry;
  /** Null and undefined values are left out (MVT has no null). */
  properties: Record<string, MvtValue | null | undefined>;
}

/** MVT GeomType. */
const GeomType = { Point: 1, LineString: 2, Polygon: 3 } as const;
type GeomType = (typeof GeomType)[keyof typeof GeomType];

const MOVE_TO = 1;
const LINE_TO = 2;
const CLOSE_PATH = 7;

/** Protobuf wire writer: varints, fixed64 doubles and length-delimited fields. */
class Writer {
  private buf = new Uint8Array(256);
  length = 0;

  private reserve(n: number) {
    if (this.length + n <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.length + n));
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
  }

  /** Unsigned varint; exact for integers up to 2^53 (division, not 32-bit shifts). */
  varint(value: number) {
    this.reserve(10);
    let v = value;
    while (v >= 0x80) {
      this.buf[this.length++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    this.buf[this.length++] = v;
  }

  tag(field: number, wireType: number) {
    this.varint(field * 8 + wireType);
  }

  bytes(field: number, data: Uint8Array) {
    this.tag(field, 2);
    this.varint(data.length);
    this.reserve(data.length);
    this.buf.set(data, this.length);
    this.length += data.length;
  }

  string(field: number, value: string) {
    this.bytes(field, new TextEncoder().encode(value));
  }

  double(field: number, value: number) {
    this.tag(field, 1);
    this.reserve(8);
    new DataView(this.buf.buffer, this.buf.byteOffset).setFloat64(this.length, value, true);
    this.length += 8;
  }

  packed(field: number, values: readonly number[]) {
    const inner = new Writer();
    for (const v of values) inner.varint(v);
    this.bytes(field, inner.finish());
  }

  finish(): Uint8Array {
    return this.buf.slice(0, this.length);
  }
}

const zigzag = (n: number) => (n >= 0 ? n * 2 : -n * 2 - 1);
const command = (id: number, count: number) => (id & 0x7) | (count << 3);

/** Surveyor's formula; positive = clockwise on screen (tile y points down). */
function signedArea(ring: Position[]): number {
  let sum = 0;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi = 0, yi = 0] = ring[i] as Position;
    const [xj = 0, yj = 0] = ring[j] as Position;
    sum += xj * yi - xi * yj;
  }
  return sum / 2;
}

/** Integer positions without consecutive repeats (and without the closing repeat of a ring). */
function clean(positions: Position[], ring: boolean): Position[] {
  const out: Position[] = [];
  for (const p of positions) {
    const q = [Math.round(p[0] ?? 0), Math.round(p[1] ?? 0)];
    const prev = out[out.length - 1];
    if (!prev || prev[0] !== q[0] || prev[1] !== q[1]) out.push(q);
  }
  if (ring && out.length > 1) {
    const [first, lastPos] = [out[0] as Position, out[out.length - 1] as Position];
    if (first[0] === lastPos[0] && first[1] === lastPos[1]) out.pop();
  }
  return out;
}

class GeometryEncoder {
  readonly commands: number[] = [];
  private cx = 0;
  private cy = 0;

  private delta(p: Position) {
    const x = p[0] as number;
    const y = p[1] as number;
    this.commands.push(zigzag(x - this.cx), zigzag(y - this.cy));
    this.cx = x;
    this.cy = y;
  }

  points(points: Position[]) {
    const ps = points.map((p) => [Math.round(p[0] ?? 0), Math.round(p[1] ?? 0)]);
    if (!ps.length) return;
    this.commands.push(command(MOVE_TO, ps.length));
    for (const p of ps) this.delta(p);
  }

  line(positions: Position[]) {
    const ps = clean(positions, false);
    if (ps.length < 2) return;
    this.commands.push(command(MOVE_TO, 1));
    this.delta(ps[0] as Position);
    this.commands.push(command(LINE_TO, ps.length - 1));
    for (const p of ps.slice(1)) this.delta(p);
  }

  /** One polygon: its exterior, then its holes; skipped when the exterior collapsed. */
  polygon(rings: Position[][]) {
    const cleaned = rings.map((r) => clean(r, true));
    const exterior = cleaned[0];
    if (!exterior || exterior.length < 3 || signedArea(exterior) === 0) return;
    cleaned.forEach((ring, i) => {
      const area = signedArea(ring);
      if (ring.length < 3 || area === 0) return;
      const oriented = (i === 0) === area > 0 ? ring : [...ring].reverse();
      this.commands.push(command(MOVE_TO, 1));
      this.delta(oriented[0] as Position);
      this.commands.push(command(LINE_TO, oriented.length - 1));
      for (const p of oriented.slice(1)) this.delta(p);
      this.commands.push(command(CLOSE_PATH, 1));
    });
  }
}

/** Leaf geometries of one dimension; a clipped polygon may come back as a collection. */
function flatten(g: Geometry): Geometry[] {
  return g.type === 'GeometryCollection' ? g.geometries.flatMap(flatten) : [g];
}

function encodeGeometry(geometry: Geometry): { type: GeomType; commands: number[] } | null {
  const parts = flatten(geometry);
  const has = (...types: Geometry['type'][]) => parts.filter((p) => types.includes(p.type));
  const encoder = new GeometryEncoder();
  let type: GeomType;
  const polygons = has('Polygon', 'MultiPolygon');
  const lines = has('LineString', 'MultiLineString');
  if (polygons.length) {
    type = GeomType.Polygon;
    for (const p of polygons) for (const rings of p.type === 'Polygon' ? [p.coordinates] : p.type === 'MultiPolygon' ? p.coordinates : []) encoder.polygon(rings);
  } else if (lines.length) {
    type = GeomType.LineString;
    for (const l of lines) for (const line of l.type === 'LineString' ? [l.coordinates] : l.type === 'MultiLineString' ? l.coordinates : []) encoder.line(line);
  } else {
    type = GeomType.Point;
    encoder.points(has('Point', 'MultiPoint').flatMap((p) => (p.type === 'Point' ? [p.coordinates] : p.type === 'MultiPoint' ? p.coordinates : [])));
  }
  return encoder.commands.length ? { type, commands: encoder.commands } : null;
}

function encodeValue(value: MvtValue): Uint8Array {
  const w = new Writer();
  if (typeof value === 'string') w.string(1, value);
  else if (typeof value === 'boolean') {
    w.tag(7, 0);
    w.varint(value ? 1 : 0);
  } else if (Number.isSafeInteger(value)) {
    // uint_value for non-negative integers, sint_value (zigzag) for negative ones.
    w.tag(value >= 0 ? 5 : 6, 0);
    w.varint(value >= 0 ? value : zigzag(value));
  } else w.double(3, value);
  return w.finish();
}

/**
 * One layer as a complete tile. An empty layer gives an empty tile (zero bytes), which the
 * router answers as 204 No Content.
 */
export function encodeTile(layerName: string, features: readonly MvtFeature[], extent = 4096): Uint8Array {
  const keys = new Map<string, number>();
  const values = new Map<string, { index: number; bytes: Uint8Array }>();
  const encodedFeatures: Uint8Array[] = [];
  for (const feature of features) {
    const geometry = encodeGeometry(feature.geometry);
    if (!geometry) continue;
    const tags: number[] = [];
    for (const [key, value] of Object.entries(feature.properties)) {
      if (value === null || value === undefined) continue;
      if (!keys.has(key)) keys.set(key, keys.size);
      const valueKey = `${typeof value}:${String(value)}`;
      let entry = values.get(valueKey);
      if (!entry) {
        entry = { index: values.size, bytes: encodeValue(value) };
        values.set(valueKey, entry);
      }
      tags.push(keys.get(key) as number, entry.index);
    }
    const f = new Writer();
    if (feature.id !== null && feature.id !== undefined) {
      f.tag(1, 0);
      f.varint(feature.id);
    }
    if (tags.length) f.packed(2, tags);
    f.tag(3, 0);
    f.varint(geometry.type);
    f.packed(4, geometry.commands);
    encodedFeatures.push(f.finish());
  }
  if (encodedFeatures.length === 0) return new Uint8Array(0);
  const layer = new Writer();
  layer.tag(15, 0);
  layer.varint(2);
  layer.string(1, layerName);
  for (const f of encodedFeatures) layer.bytes(2, f);
  for (const key of keys.keys()) layer.string(3, key);
  for (const { bytes } of values.values()) layer.bytes(4, bytes);
  layer.tag(5, 0);
  layer.varint(extent);
  const tile = new Writer();
  tile.bytes(3, layer.finish());
  return tile.finish();
}
