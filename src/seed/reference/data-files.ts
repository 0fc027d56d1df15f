/**
 * Paths of the bundled open data (see data/README.md for sources and licences). The files are
 * copied verbatim from their sources; loaders never edit them.
 */
import { fileURLToPath } from 'node:url';

const dataDir = fileURLToPath(new URL('../../../data/', import.meta.url));

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
  ].map((name) => `${dataDir}boundaries/${name}.geojson`),
  seawardEdgesGeoJson: [
    `${dataDir}coastline/derived_seaward_edges_semarang_demak.geojson`,
    `${dataDir}coastline/derived_seaward_edges_jakarta_utara.geojson`,
  ],
  seawardEdgeLengthCsv: `${dataDir}coastline/derived_seaward_edge_length_per_village.csv`,
  naturalEarthCoastline: `${dataDir}coastline/ne_10m_coastline_indonesia_bbox.geojson`,
  fishingVillagesCsv: `${dataDir}fishing_villages.csv`,
} as const;
