/**
 * All SQL of the vector tiles.
 *
 * Each layer is a row source (`LayerSql`): attribute columns, `geom` (SRID 4326), an optional
 * `fid`, `audit_household_id` (the household whose record the row reveals, for the audit) and
 * `sort_key` (feature order, so equal data gives equal bytes and ETags). Access is SQL, from the
 * policy: household rows and the protected grid through the household source (src/features/households),
 * villages and existing facilities through `policy.villageScope`, package items through the package-item source (packages/index.ts).
 *
 * Two renderers turn a source into a tile:
 * - native: ST_AsMVTGeom / ST_AsMVT / ST_TileEnvelope in PostGIS (PostgreSQL);
 * - portable: ST_TileEnvelope's arithmetic done with ST_Transform + ST_Affine, ST_ClipByBox2D and
 *   ST_SnapToGrid, and the protobuf written by mvt.ts — for PGlite, whose PostGIS is built without
 *   protobuf-c, so ST_AsMVT and ST_AsMVTGeom raise an error there.
 * Both clip to the tile plus BUFFER units and snap to the EXTENT grid; the tests check that they
 * agree feature by feature.
 */
import { type SQL, sql } from 'drizzle-orm';
import type { Geometry } from 'geojson';
import { policy } from '../../auth/policy.js';
import { householdGridCells, householdProperties, HOUSEHOLDS_FROM, householdWhere } from '../households/index.js';
import { villageFrom, villageProtection, VISIBLE_FISHER_SHARE } from '../villages/index.js';
import { boundaryMeets, VILLAGE_GRADUATION_PROPERTIES, villageGraduationMapColumns, villageGraduationMapFrom } from '../graduation/index.js';
import { ITEM_TILE_ATTRIBUTES, itemTileRows } from '../packages/index.js';
import type { Principal } from '../../auth/principal.js';
import type { Queryable } from '../../db/database.js';
import { simplified } from '../../geo/spatial-sql.js';
import { EXISTING_FACILITIES_FROM, EXISTING_FACILITY_GEOMETRY, existingFacilityConditions } from '../facilities/index.js';
import type { BboxCrs84, Source } from '../ogc/index.js';
import { encodeTile, type MvtValue } from './mvt.js';
import { BUFFER, EXTENT, GRID_CELL_DEGREES, GRID_CELL_METERS, HOUSEHOLD_MIN_ZOOM, tileBounds3857, tileBoundsLonLat, unitMeters, type Tile } from './tiles.layers.js';

export interface LayerSql {
  /** Layer name inside the tile. */
  name: string;
  /** SELECT producing the attribute columns, geom, audit_household_id, sort_key (and fid when hasFid). */
  rows: SQL;
  attributes: readonly string[];
  hasFid: boolean;
}

export interface RenderedTile {
  bytes: Uint8Array;
  /** Households whose records the tile holds (audited for non-admins). */
  householdIds: number[];
}

const envelope = ([w, s, e, n]: BboxCrs84) => sql`ST_MakeEnvelope(${w}::float8, ${s}::float8, ${e}::float8, ${n}::float8, 4326)`;

/** The tile plus its buffer, in degrees: the index-friendly prefilter of every layer. */
const searchBox = (tile: Tile) => envelope(tileBoundsLonLat(tile, BUFFER));


// --- layers -----------------------------------------------------------------------------------

/**
 * Household records in the tile, from the household source (scope, active rows, visible
 * properties): the caller must have checked `policy.canReadHouseholdRecords`. The tile's buffered
 * box is the source's bbox filter.
 */
export function householdRecordsLayer(principal: Principal, tile: Tile): LayerSql {
  const p = householdProperties(principal);
  return {
    name: 'households',
    hasFid: true,
    attributes: ['id', 'desil', 'pas', 'is_rtlh', 'member_count', 'village_code'],
    rows: sql`SELECT h.id AS fid, ${p.id} AS id, ${p.desil}::int AS desil, array_to_string(${p.pas}, ',') AS pas,
        ${p.isRtlh} AS is_rtlh, ${p.memberCount}::int AS member_count, ${p.villageCode} AS village_code, h.location AS geom, h.id AS audit_household_id, h.id AS sort_key
      ${HOUSEHOLDS_FROM} ${householdWhere({ principal, bboxWgs84: tileBoundsLonLat(tile, BUFFER) })}`,
  };
}

/**
 * The protected household grid (household.source.ts, the same cells and counts as GraphQL
 * `householdGrid`) for roles that see households only in aggregate: every cell touching the tile
 * is counted whole, so a cell shows the same count in every tile it spans. Suppressed cells (below
 * k) are left out entirely.
 */
export function householdGridLayer(principal: Principal, tile: Tile, k: number): LayerSql {
  return {
    name: 'household_grid',
    hasFid: false,
    attributes: ['households', 'households_desil_1_to_2', 'rtlh_households', 'cell_size_m'],
    rows: sql`SELECT g.households, g.desil_1_to_2 AS households_desil_1_to_2, g.rtlh AS rtlh_households, ${GRID_CELL_METERS}::int AS cell_size_m,
        g.cell AS geom, NULL::int AS audit_household_id, g.gy::bigint * 10000000 + g.gx AS sort_key
      FROM (${householdGridCells({ principal }, GRID_CELL_DEGREES, k, tileBoundsLonLat(tile, BUFFER))}) g
      WHERE NOT g.suppressed`,
  };
}

/**
 * TileJSON's `center` for callers who get the protected grid: the middle of the shown cell (at
 * least k households in their aggregate scope) nearest the middle of `bounds`, [lon, lat]. The
 * nearest single household may sit in a suppressed cell, and the map would open on an empty tile.
 */
export async function gridCellOnData(db: Queryable, principal: Principal, [w, s, e, n]: BboxCrs84, k: number): Promise<[number, number] | null> {
  const c = GRID_CELL_DEGREES;
  const [row] = await db.query<{ gx: number; gy: number }>(sql`
    SELECT g.gx, g.gy FROM (${householdGridCells({ principal }, c, k)}) g WHERE NOT g.suppressed
    ORDER BY ((g.gx + 0.5) * ${c}::float8 - ${(w + e) / 2}::float8) ^ 2 + ((g.gy + 0.5) * ${c}::float8 - ${(s + n) / 2}::float8) ^ 2, g.gy, g.gx
    LIMIT 1`);
  return row ? [(Number(row.gx) + 0.5) * c, (Number(row.gy) + 0.5) * c] : null;
}

/**
 * Village boundaries simplified to one tile unit, from the village source (villageFrom): the
 * counts and fisher share are the ones `villages`, the FeatureCollection and OGC show the caller.
 */
export function villagesLayer(principal: Principal, tile: Tile, k: number): LayerSql {
  return {
    name: 'villages',
    hasFid: true,
    attributes: ['code', 'name', 'kind', 'district_code', 'regency_code', 'is_coastal', 'households', 'households_desil_1_to_2', 'rtlh_households', 'fisher_share'],
    rows: sql`SELECT replace(r.code, '.', '')::bigint AS fid, r.code, r.name, r.kind::text AS kind, r.district_code, r.regency_code, g.is_coastal,
        pv.households, pv.households_desil_1_to_2, pv.rtlh_households,
        round(${VISIBLE_FISHER_SHARE}::numeric, 4)::float8 AS fisher_share,
        ${simplified(sql`g.boundary`, unitMeters(tile.z))} AS geom, NULL::int AS audit_household_id, r.code AS sort_key
      ${villageFrom(villageProtection(principal, k))}
      WHERE r.level = 'VILLAGE' AND g.boundary && ${searchBox(tile)} AND ${policy.villageScope(principal, sql`r.code`)}`,
  };
}

/**
 * Per-village graduation aggregates of the current year at the village boundary, from the
 * graduation feature's one source (graduation.map.ts): the values of the OGC collection
 * village_graduation and of GraphQL graduationTargets(groupBy: VILLAGE).
 */
export function villageGraduationLayer(principal: Principal, tile: Tile, settings: { kAnonymity: number; graduationTargetPerYear: number }): LayerSql {
  const year = new Date().getUTCFullYear();
  const from = villageGraduationMapFrom(principal, { year, defaultTarget: settings.graduationTargetPerYear, k: settings.kAnonymity, villages: boundaryMeets(searchBox(tile)) });
  return {
    name: 'village_graduation',
    hasFid: true,
    attributes: VILLAGE_GRADUATION_PROPERTIES,
    rows: sql`SELECT replace(vg.village_code, '.', '')::bigint AS fid, ${villageGraduationMapColumns(year)},
        ${simplified(sql`g.boundary`, unitMeters(tile.z))} AS geom, NULL::int AS audit_household_id, vg.village_code AS sort_key
      ${from}`,
  };
}

/** Package items from the package-item source: facilities at their site; items for a household at the household, only from HOUSEHOLD_MIN_ZOOM. */
export function packageItemsLayer(principal: Principal, tile: Tile): LayerSql {
  return {
    name: 'package_items',
    hasFid: true,
    attributes: ITEM_TILE_ATTRIBUTES,
    rows: itemTileRows(principal, searchBox(tile), tile.z >= HOUSEHOLD_MIN_ZOOM),
  };
}

/** Existing public facilities (the facilities feature's SQL) in the principal's village scope; public infrastructure, nothing audited. */
export function existingFacilitiesLayer(principal: Principal, tile: Tile): LayerSql {
  const where = [...existingFacilityConditions({}), sql`${EXISTING_FACILITY_GEOMETRY} && ${searchBox(tile)}`, policy.villageScope(principal, sql`ef.village_code`)];
  return {
    name: 'existing_facilities',
    hasFid: true,
    attributes: ['id', 'village_code', 'kind', 'name', 'accessible', 'serves'],
    rows: sql`SELECT ef.id AS fid, ef.id AS id, ef.village_code, ef.kind, ef.name, ef.accessible, array_to_string(ef.serves, ',') AS serves,
        ${EXISTING_FACILITY_GEOMETRY} AS geom, NULL::int AS audit_household_id, ef.id AS sort_key
      ${EXISTING_FACILITIES_FROM}
      WHERE ${sql.join(where, sql` AND `)}`,
  };
}

// --- renderers --------------------------------------------------------------------------------

const ident = (name: string) => sql.identifier(name);
const attributeList = (layer: LayerSql) => sql.join(layer.attributes.map(ident), sql`, `);
const toBytes = (value: unknown): Uint8Array => (value instanceof Uint8Array ? value : new Uint8Array(0));

/** ST_AsMVT in the database (PostGIS built with protobuf-c). */
export async function renderNative(db: Queryable, tile: Tile, layer: LayerSql): Promise<RenderedTile> {
  const tileEnvelope = sql`ST_TileEnvelope(${tile.z}::int, ${tile.x}::int, ${tile.y}::int)`;
  const [row] = await db.query<{ tile: Uint8Array | null; household_ids: number[] | null }>(sql`
    WITH src AS (${layer.rows}),
    f AS (SELECT src.*, ST_AsMVTGeom(ST_Transform(src.geom, 3857), ${tileEnvelope}, ${EXTENT}, ${BUFFER}, true) AS mvt_geom FROM src)
    SELECT (SELECT ST_AsMVT(t, ${layer.name}, ${EXTENT}, 'mvt_geom', ${layer.hasFid ? 'fid' : null}::text)
            FROM (SELECT ${layer.hasFid ? sql`fid, ` : sql``}${attributeList(layer)}, mvt_geom FROM f WHERE mvt_geom IS NOT NULL ORDER BY sort_key) t) AS tile,
           (SELECT array_agg(DISTINCT audit_household_id) FROM f WHERE mvt_geom IS NOT NULL AND audit_household_id IS NOT NULL) AS household_ids`);
  return { bytes: toBytes(row?.tile), householdIds: (row?.household_ids ?? []).map(Number) };
}

/**
 * Tile geometry in SQL without ST_AsMVTGeom: EPSG:3857 → tile units (x right, y down) with
 * ST_Affine, clipped to the buffered tile, snapped to whole units; the protobuf is written in JS.
 */
export async function renderPortable(db: Queryable, tile: Tile, layer: LayerSql): Promise<RenderedTile> {
  const { xmin, ymax, size } = tileBounds3857(tile);
  const perMeter = EXTENT / size;
  const toTileUnits = (g: SQL) => sql`ST_Affine(ST_Transform(${g}, 3857), ${perMeter}::float8, 0, 0, ${-perMeter}::float8, ${-xmin * perMeter}::float8, ${ymax * perMeter}::float8)`;
  const clipBox = sql`ST_MakeEnvelope(${-BUFFER}, ${-BUFFER}, ${EXTENT + BUFFER}, ${EXTENT + BUFFER})`;
  const rows = await db.query<Record<string, unknown> & { tile_geom: string; fid?: number | null; audit_household_id: number | null }>(sql`
    WITH src AS (${layer.rows}),
    f AS (SELECT src.*, ST_SnapToGrid(ST_ClipByBox2D(${toTileUnits(sql`src.geom`)}, ${clipBox}), 1) AS g FROM src)
    SELECT ${layer.hasFid ? sql`fid, ` : sql``}${attributeList(layer)}, audit_household_id, ST_AsGeoJSON(g, 0) AS tile_geom
    FROM f WHERE g IS NOT NULL AND NOT ST_IsEmpty(g) ORDER BY sort_key`);
  const householdIds = new Set<number>();
  const features = rows.map((row) => {
    if (row.audit_household_id !== null && row.audit_household_id !== undefined) householdIds.add(Number(row.audit_household_id));
    const properties: Record<string, MvtValue | null> = {};
    for (const name of layer.attributes) properties[name] = row[name] as MvtValue | null;
    return { id: layer.hasFid && row.fid !== null && row.fid !== undefined ? Number(row.fid) : null, geometry: JSON.parse(row.tile_geom) as Geometry, properties };
  });
  return { bytes: encodeTile(layer.name, features, EXTENT), householdIds: [...householdIds] };
}

/** Whether this database's PostGIS can run ST_AsMVT (false on PGlite: no protobuf-c). */
export async function supportsNativeMvt(db: Queryable): Promise<boolean> {
  try {
    await db.query(sql`SELECT ST_AsMVT(t, 'probe') FROM (SELECT ST_AsMVTGeom(ST_MakePoint(0, 0), ST_MakeEnvelope(-1, -1, 1, 1)) AS geom) t`);
    return true;
  } catch (error) {
    if (error instanceof Error && /protobuf/i.test(error.message)) return false;
    throw error;
  }
}

/**
 * The readable feature nearest the middle of `bounds`, as a point on it ([lon, lat], WGS84), or
 * null when the caller can read none. TileJSON's `center`: the middle of the bounds of a coastal
 * strip lies in the sea, and a map opened there would show an empty tile.
 */
export async function pointOnData(db: Queryable, source: Source, [w, s, e, n]: BboxCrs84): Promise<[number, number] | null> {
  const middle = sql`ST_SetSRID(ST_MakePoint(${(w + e) / 2}::float8, ${(s + n) / 2}::float8), 4326)`;
  const [row] = await db.query<{ lon: number; lat: number }>(sql`
    SELECT ST_X(p) AS lon, ST_Y(p) AS lat FROM (
      SELECT ST_PointOnSurface(${source.geometry}) AS p ${source.from}
      WHERE ${sql.join(source.where.length ? source.where : [sql`true`], sql` AND `)}
      ORDER BY ${source.geometry} <-> ${middle} LIMIT 1) nearest`);
  return row ? [Number(row.lon), Number(row.lat)] : null;
}
