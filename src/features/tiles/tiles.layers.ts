/**
 * The vector tile layers, tile arithmetic (web-mercator XYZ, y down from the north) and the
 * TileJSON 3.0.0 document of each layer.
 */
import { PROTECTED_GRID_CELL_METERS } from '../../auth/policy.js';
import { policy } from '../../auth/policy.js';
import type { Principal } from '../../auth/principal.js';
import { INDONESIA_BBOX_WGS84 } from '../../geo/geojson-input.js';
import { METERS_PER_DEGREE } from '../../geo/spatial-sql.js';
import { badParameter, type BboxCrs84 } from '../ogc/index.js';

/** Tile coordinate units per tile edge, and the buffer (in those units) kept around a tile so symbols are not cut at its edge. */
export const EXTENT = 4096;
export const BUFFER = 64;
/** Highest zoom served; TileJSON maxzoom is lower and clients over-zoom past it. */
export const MAX_ZOOM = 22;
/**
 * Household records (and items at a household) only from this zoom, where a tile is ~5 km wide.
 * Measured on the 1,000,000-household seed (PostgreSQL 15, 2 cores): the z12 tile over north
 * Semarang holds 66,089 households (2.5 MiB, 1.3 s); at z13 13,284 (520 KiB, 0.23 s); at z14
 * 2,583 (109 KiB, 0.07 s). Below it the villages layer carries the aggregates.
 */
export const HOUSEHOLD_MIN_ZOOM = 13;
/** Edge of a VIEWER grid cell, metres: one fixed grid at every zoom (the GraphQL householdGrid default), so nested grids cannot be differenced. */
export const GRID_CELL_METERS = PROTECTED_GRID_CELL_METERS;
export const GRID_CELL_DEGREES = GRID_CELL_METERS / METERS_PER_DEGREE;

/** Half the web-mercator world width, metres (EPSG:3857). */
const HALF_WORLD_3857 = 20_037_508.342_789_244;
/** Earth's equatorial circumference, metres (one zoom-0 tile). */
const WORLD_METERS = 2 * HALF_WORLD_3857;

export interface Tile {
  z: number;
  x: number;
  y: number;
}

/** Tile bounds in EPSG:3857 metres. */
export function tileBounds3857({ z, x, y }: Tile) {
  const size = WORLD_METERS / 2 ** z;
  const xmin = -HALF_WORLD_3857 + x * size;
  const ymax = HALF_WORLD_3857 - y * size;
  return { xmin, ymin: ymax - size, xmax: xmin + size, ymax, size };
}

/** Tile bounds in CRS84 degrees [west, south, east, north], widened by `margin` tile units on every side. */
export function tileBoundsLonLat({ z, x, y }: Tile, margin = 0): BboxCrs84 {
  const n = 2 ** z;
  const m = margin / EXTENT;
  const lon = (tx: number) => (tx / n) * 360 - 180;
  const lat = (ty: number) => (Math.atan(Math.sinh(Math.PI * (1 - (2 * ty) / n))) * 180) / Math.PI;
  return [lon(x - m), lat(y + 1 + m), lon(x + 1 + m), lat(y - m)];
}

/** Ground size of one tile unit at zoom z, metres at the equator: the boundary simplification tolerance. */
export const unitMeters = (z: number) => WORLD_METERS / 2 ** z / EXTENT;

export function intersects(a: BboxCrs84, b: readonly [number, number, number, number]): boolean {
  return a[0] <= b[2] && a[2] >= b[0] && a[1] <= b[3] && a[3] >= b[1];
}

/** The data lies in Indonesia: tiles elsewhere are empty without asking the database. */
export const DATA_EXTENT = INDONESIA_BBOX_WGS84;

/** Parses z/x/y from the path, refusing anything but in-range decimal integers. */
export function parseTile(zText: string, xText: string, yText: string): Tile {
  const int = (name: string, text: string, max: number, what: string) => {
    if (!/^\d{1,8}$/.test(text) || Number(text) > max) throw badParameter(name, `expected ${what} from 0 to ${max}; got ${JSON.stringify(text)}.`);
    return Number(text);
  };
  const z = int('z', zText, MAX_ZOOM, 'an integer zoom');
  const last = 2 ** z - 1;
  return { z, x: int('x', xText, last, `at zoom ${z} a column`), y: int('y', yText, last, `at zoom ${z} a row (XYZ scheme, 0 at the north)`) };
}

export type FieldType = 'Number' | 'String' | 'Boolean';

export interface VectorLayer {
  id: string;
  description: string;
  fields: Record<string, FieldType>;
}

export interface TileLayer {
  id: 'villages' | 'households' | 'package-items' | 'existing_facilities' | 'village_graduation';
  title: string;
  minzoom: number;
  maxzoom: number;
  /** The MVT layer inside the tiles, its description and fields, as this principal gets them. */
  vectorLayer(principal: Principal, k: number): VectorLayer;
}

export const LAYERS: readonly TileLayer[] = [
  {
    id: 'villages',
    title: 'Villages with need statistics',
    minzoom: 6,
    maxzoom: 16,
    vectorLayer: (principal, k) => ({
      id: 'villages',
      description:
        'Village boundaries, simplified to one tile unit for the zoom. Feature id = village code digits. ' +
        // Per principal: a PLANNER outside its regions gets protected counts, so "exact" would be untrue.
        policy.aggregatesDescription(principal, k),
      fields: {
        code: 'String',
        name: 'String',
        kind: 'String',
        district_code: 'String',
        regency_code: 'String',
        is_coastal: 'Boolean',
        households: 'Number',
        households_desil_1_to_2: 'Number',
        rtlh_households: 'Number',
        fisher_share: 'Number',
      },
    }),
  },
  {
    id: 'households',
    title: 'Registry households',
    minzoom: HOUSEHOLD_MIN_ZOOM,
    maxzoom: 16,
    vectorLayer: (principal): VectorLayer =>
      policy.canReadHouseholdRecords(principal)
        ? {
            id: 'households',
            description: 'Households at their house (points), within your access; reading them is audited for every role but ADMIN. Feature id = household id.',
            fields: {
              id: 'Number',
              desil: 'Number',
              pas: 'String',
              is_rtlh: 'Boolean',
              member_count: 'Number',
              village_code: 'String',
            },
          }
        : {
            id: 'household_grid',
            description: `Household counts on a fixed ${GRID_CELL_METERS} m grid (cells aligned to multiples of ${GRID_CELL_METERS} m at 111,320 m per degree). Cells with fewer than k households are left out; smaller sub-counts are left out of a cell.`,
            fields: {
              households: 'Number',
              households_desil_1_to_2: 'Number',
              rtlh_households: 'Number',
              cell_size_m: 'Number',
            },
          },
  },
  {
    id: 'package-items',
    title: 'Package items',
    minzoom: 8,
    maxzoom: 16,
    vectorLayer: () => ({
      id: 'package_items',
      description: `Items of the packages you may read: facilities at their site from zoom 8, items for a household at the household from zoom ${HOUSEHOLD_MIN_ZOOM} (audited like household records). Feature id = item id.`,
      fields: {
        id: 'Number',
        package_id: 'Number',
        package_status: 'String',
        village_code: 'String',
        intervention_code: 'String',
        category: 'String',
        target: 'String',
        funder_code: 'String',
        progress: 'String',
        located_at: 'String',
        household_id: 'Number',
      },
    }),
  },
  {
    id: 'existing_facilities',
    title: 'Existing public facilities',
    // Points of public infrastructure, a few per village: readable from the zoom where package items start.
    minzoom: 8,
    maxzoom: 16,
    vectorLayer: () => ({
      id: 'existing_facilities',
      description:
        'Public facilities that already exist (mosques, schools, posyandu, MCK, …) at their site (points), in your village scope (PARTNER its villages). ' +
        'Feature id = facility id; serves is comma-separated.',
      fields: {
        id: 'Number',
        village_code: 'String',
        kind: 'String',
        name: 'String',
        accessible: 'Boolean',
        serves: 'String',
      },
    }),
  },
  {
    id: 'village_graduation',
    title: 'Graduation and terminasi per village',
    minzoom: 6,
    maxzoom: 16,
    vectorLayer: (principal, k) => ({
      id: 'village_graduation',
      description:
        'Villages where KPM are followed, at their boundary (simplified to one tile unit), with the graduation aggregates of the current year ' +
        '(UTC): the values of the OGC collection village_graduation and GraphQL graduationTargets(groupBy: VILLAGE). Feature id = village code digits. ' +
        'counts_exact tells whether a village\'s counts are exact for you (a PENDAMPING counts its own caseload there). ' +
        policy.aggregatesDescription(principal, k),
      fields: {
        code: 'String',
        name: 'String',
        regency_code: 'String',
        year: 'Number',
        counts_exact: 'Boolean',
        caseload: 'Number',
        pendamping: 'Number',
        target: 'Number',
        graduated: 'Number',
        proposed: 'Number',
        returned: 'Number',
        referred: 'Number',
        accepted: 'Number',
        enrolled: 'Number',
        declined: 'Number',
      },
    }),
  },
];

export function findLayer(id: string): TileLayer | undefined {
  return LAYERS.find((l) => l.id === id);
}

/** TileJSON 3.0.0: one URL from which MapLibre (and other TileJSON clients) set the layer up. */
export function tileJson(base: string, layer: TileLayer, principal: Principal, bounds: BboxCrs84 | null, centerOnData: [number, number] | null, k: number) {
  const vector = layer.vectorLayer(principal, k);
  const [w, s, e, n] = bounds ?? DATA_EXTENT;
  const [centerLon, centerLat] = centerOnData ?? [(w + e) / 2, (s + n) / 2];
  return {
    tilejson: '3.0.0',
    name: `Kampung Terpadu — ${layer.title}`,
    description: vector.description,
    version: '1.0.0',
    attribution: 'Kampung Terpadu (synthetic registry data); boundaries: see data/README.md',
    scheme: 'xyz',
    tiles: [`${base}/${layer.id}/{z}/{x}/{y}.mvt`],
    minzoom: layer.minzoom,
    maxzoom: layer.maxzoom,
    bounds: [w, s, e, n],
    // On a feature the caller can read, at the layer's first zoom: a map opened there shows data.
    center: [centerLon, centerLat, layer.minzoom],
    vector_layers: [
      {
        id: vector.id,
        description: vector.description,
        minzoom: layer.minzoom,
        maxzoom: layer.maxzoom,
        // Attribute name → value type, as tippecanoe writes them; the meanings are in docs/gis-clients.md.
        fields: vector.fields,
      },
    ],
  };
}
