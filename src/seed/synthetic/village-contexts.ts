/**
 * Everything the generator needs about a village, read from the bundled files rather than from
 * the database: the generated rows must not depend on which PostGIS/GEOS version stored the
 * boundaries, so that both databases hold the same data set for the same seed.
 */
import bbox from '@turf/bbox';
import type { Feature, FeatureCollection, LineString, MultiLineString, MultiPolygon, Polygon, Position } from 'geojson';
import { readFileSync } from 'node:fs';
import { DATA_FILES } from '../reference/data-files.js';
import type { VillageCharacter } from './calibration.js';
import type { VillageContext } from './household.generator.js';

/** How far around a village (degrees, ≈ 2 km) Natural Earth coast counts as its shore. */
const SHORE_SEARCH_DEG = 0.02;

function readCollection<G extends FeatureCollection['features'][number]['geometry']>(path: string) {
  return JSON.parse(readFileSync(path, 'utf8')) as FeatureCollection<G, Record<string, unknown>>;
}

function lines(geometry: LineString | MultiLineString): Position[][] {
  return geometry.type === 'LineString' ? [geometry.coordinates] : geometry.coordinates;
}

export interface VillageFlags {
  isCoastal: boolean;
  isFishing: boolean;
}

export function buildVillageContexts(flags: ReadonlyMap<string, VillageFlags>): VillageContext[] {
  const seaward = new Map<string, Position[][]>();
  for (const path of DATA_FILES.generatorShoreGeoJson) {
    const fromThisFile = new Map<string, Position[][]>();
    for (const f of readCollection<LineString | MultiLineString>(path).features) {
      const code = String(f.properties['kode_desa']);
      fromThisFile.set(code, [...(fromThisFile.get(code) ?? []), ...lines(f.geometry)]);
    }
    // The first file that has a village's edges wins (see DATA_FILES.generatorShoreGeoJson).
    for (const [code, shore] of fromThisFile) if (!seaward.has(code)) seaward.set(code, shore);
  }
  const coast = readCollection<LineString | MultiLineString>(DATA_FILES.naturalEarthCoastline).features.flatMap((f) =>
    lines(f.geometry),
  );

  const contexts: VillageContext[] = [];
  for (const path of DATA_FILES.boundaryGeoJson) {
    for (const feature of readCollection<Polygon | MultiPolygon>(path).features as Feature<Polygon | MultiPolygon>[]) {
      const code = String(feature.properties?.['kode']);
      const flag = flags.get(code);
      if (!flag) continue;
      const [minLon, minLat, maxLon, maxLat] = bbox(feature) as [number, number, number, number];
      const character: VillageCharacter = flag.isFishing ? 'FISHING' : flag.isCoastal ? 'COASTAL' : 'INLAND';
      let shoreLines = seaward.get(code) ?? [];
      if (shoreLines.length === 0 && character !== 'INLAND') {
        const inReach = ([lon, lat]: Position) =>
          lon! >= minLon - SHORE_SEARCH_DEG && lon! <= maxLon + SHORE_SEARCH_DEG && lat! >= minLat - SHORE_SEARCH_DEG && lat! <= maxLat + SHORE_SEARCH_DEG;
        shoreLines = coast.flatMap((line) => {
          const pieces: Position[][] = [];
          let current: Position[] = [];
          for (const position of line) {
            if (inReach(position)) current.push(position);
            else if (current.length) {
              if (current.length > 1) pieces.push(current);
              current = [];
            }
          }
          if (current.length > 1) pieces.push(current);
          return pieces;
        });
      }
      contexts.push({
        code,
        name: String(feature.properties?.['nama']),
        character,
        boundary: feature.geometry,
        bboxWgs84: [minLon, minLat, maxLon, maxLat],
        shoreLines,
      });
    }
  }
  return contexts.sort((a, b) => a.code.localeCompare(b.code));
}
