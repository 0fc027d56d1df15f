/**
 * The one read source of existing public facilities (table `existing_facilities`): GraphQL
 * (Village.existingFacilities, existingFacilitiesFeatureCollection) reads through here, and OGC /
 * tile layers are built from the same SQL fragments below, so every path shows the same rows.
 *
 * Facilities are public infrastructure (a mosque, a school, a posyandu, a public toilet), not
 * personal data: every role that may see the village sees them. The caller checks that the village
 * is visible (policy.villageScope); these functions take village codes that already passed.
 */
import { type SQL, sql } from 'drizzle-orm';
import type { Queryable } from '../../db/database.js';

export type ExistingFacilityRow = {
  id: number;
  village_code: string;
  kind: string;
  name: string;
  /** WGS84 degrees. */
  lon: number;
  lat: number;
  accessible: boolean;
  /** Groups it really serves (ELDERLY, DISABLED, CHILD, SANITATION, EVERYONE). */
  serves: string[];
  source: string;
};

/**
 * The SQL every read of existing facilities is built from (GraphQL here; the OGC collection
 * `existing_facilities` in ogc.queries.ts; the tile layer in tiles.queries.ts), over the alias `ef`:
 * one FROM, one column list, one set of filter conditions, so the paths cannot disagree.
 */
export const EXISTING_FACILITIES_FROM = sql`FROM existing_facilities ef`;
/** Geometry (Point, SRID 4326): bbox filters, extents, tiles. */
export const EXISTING_FACILITY_GEOMETRY = sql`ef.location`;
/** The columns of `ExistingFacilityRow`. */
export const EXISTING_FACILITY_COLUMNS = sql`ef.id, ef.village_code, ef.kind, ef.name,
  round(ST_X(ef.location)::numeric, 7)::float8 AS lon, round(ST_Y(ef.location)::numeric, 7)::float8 AS lat,
  ef.accessible, ef.serves::text[] AS serves, ef.source`;
/** A GeoJSON Feature (CRS84, 7 decimals) as json; snake_case properties as the other OGC collections use. */
export const EXISTING_FACILITY_FEATURE_JSON = sql`json_build_object('type', 'Feature', 'id', ef.id, 'geometry', ST_AsGeoJSON(ef.location, 7)::json,
  'properties', json_build_object('id', ef.id, 'village_code', ef.village_code, 'kind', ef.kind, 'name', ef.name,
    'accessible', ef.accessible, 'serves', ef.serves, 'source', ef.source))`;

export interface ExistingFacilityCriteria {
  /** Only these villages (any of them). */
  villageCodes?: readonly string[];
  /** Only these kinds (any of them), e.g. MASJID, POSYANDU. */
  kinds?: readonly string[];
}

/** Filter conditions over `ef`; the caller adds the village scope (policy.villageScope) and any bbox. */
export function existingFacilityConditions(c: ExistingFacilityCriteria): SQL[] {
  const where: SQL[] = [];
  if (c.villageCodes) where.push(sql`ef.village_code = ANY(${sql.param([...c.villageCodes])}::text[])`);
  if (c.kinds?.length) where.push(sql`ef.kind = ANY(${sql.param([...c.kinds])}::text[])`);
  return where;
}

/** Existing facilities of these villages, by village then id: one statement for any number of villages. */
export function existingFacilitiesOfVillages(db: Queryable, villageCodes: readonly string[]): Promise<ExistingFacilityRow[]> {
  if (villageCodes.length === 0) return Promise.resolve([]);
  return db.query<ExistingFacilityRow>(sql`
    SELECT ${EXISTING_FACILITY_COLUMNS}
    ${EXISTING_FACILITIES_FROM} WHERE ${sql.join(existingFacilityConditions({ villageCodes }), sql` AND `)}
    ORDER BY ef.village_code, ef.id`);
}

/** RFC 7946 FeatureCollection of facility rows (WGS84, [longitude, latitude]); feature id = facility id. */
export function toFeatureCollection(rows: readonly ExistingFacilityRow[]): GeoJSON.FeatureCollection<GeoJSON.Point> {
  return {
    type: 'FeatureCollection',
    features: rows.map((r) => ({
      type: 'Feature',
      id: r.id,
      geometry: { type: 'Point', coordinates: [r.lon, r.lat] },
      properties: { id: r.id, villageCode: r.village_code, kind: r.kind, name: r.name, accessible: r.accessible, serves: r.serves, source: r.source },
    })),
  };
}
