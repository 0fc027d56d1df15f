/**
 * Paths of the bundled open data (see data/README.md for sources and licences). The files are
 * copied verbatim from their sources; loaders never edit them.
 */
import { projectPath } from '../../config/paths.js';

const dataDir = projectPath('data/');

export const DATA_FILES = {
  regionsCsv: `${dataDir}wilayah/wilayah_kepmendagri_2025.csv`,
  boundaryGeoJson: [
    'desa_3172_jakarta_utara',
    'desa_3174_kota_semarang',
    'desa_3578_kota_surabaya',
    'desa_3321_kab_demak',
    'desa_3375_kota_pekalongan',
    'desa_7371_kota_makassar',
    'desa_3212_kab_indramayu',
    // The 30 further Pantura kab/kota in one file, properties reduced (data/tools/pack-pantura.ts).
    'desa_pantura_30_kabkota',
  ].map((name) => `${dataDir}boundaries/${name}.geojson`),
  // The Pantura derivation covers all 8,181 villages of the 37 kab/kota (and agrees with the earlier
  // Semarang/Demak/Jakarta Utara files on all 457 of theirs, data/README.md).
  seawardEdgesGeoJson: [`${dataDir}coastline/derived_seaward_edges_pantura.geojson`],
  /**
   * Shore lines the household generator places fishing households along, first match per village:
   * the earlier Semarang/Demak and Jakarta Utara edges for their 457 villages (so the demo
   * households there stay the rows they were, README examples included), the Pantura edges elsewhere.
   */
  generatorShoreGeoJson: [
    `${dataDir}coastline/derived_seaward_edges_semarang_demak.geojson`,
    `${dataDir}coastline/derived_seaward_edges_jakarta_utara.geojson`,
    `${dataDir}coastline/derived_seaward_edges_pantura.geojson`,
  ],
  seawardEdgeLengthCsv: `${dataDir}coastline/derived_seaward_edge_length_per_village_pantura.csv`,
  /** Distance of every bundled village to the Natural Earth coastline, derived from the files here (data/tools/derive-coastline-distance.ts). */
  coastlineDistanceCsv: `${dataDir}coastline/derived_distance_to_natural_earth_coastline_per_village.csv`,
  naturalEarthCoastline: `${dataDir}coastline/ne_10m_coastline_indonesia_bbox.geojson`,
  fishingVillagesCsv: `${dataDir}fishing_villages.csv`,
  /** The seven kab/kota bundled first: the demo gives their inland villages households too. */
  studyRegencies: ['31.72', '33.74', '35.78', '33.21', '33.75', '73.71', '32.12'],
} as const;
