/**
 * The one read source of existing public facilities (table `existing_facilities`): GraphQL
 * (Village.existingFacilities, existingFacilitiesFeatureCollection) reads through here, and OGC /
 * tile layers are to be wired to the same function, so every path shows the same rows.
 *
 * Facilities are public infrastructure (a mosque, a school, a posyandu, a public toilet), not
 * personal data: every role that may see the village sees them. The caller checks that the village
 * is visible (policy.villageScope); these functions take village codes that already passed.
 */
import { sql } from 'drizzle-orm';
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

/** Existing facilities of these villages, by village then id: one statement for any number of villages. */
export function existingFacilitiesOfVillages(db: Queryable, villageCodes: readonly string[]): Promise<ExistingFacilityRow[]> {
  if (villageCodes.length === 0) return Promise.resolve([]);
  return db.query<ExistingFacilityRow>(sql`
    SELECT id, village_code, kind, name, round(ST_X(location)::numeric, 7)::float8 AS lon, round(ST_Y(location)::numeric, 7)::float8 AS lat,
           accessible, serves::text[] AS serves, source
    FROM existing_facilities WHERE village_code = ANY(${sql.param([...villageCodes])}::text[])
    ORDER BY village_code, id`);
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
