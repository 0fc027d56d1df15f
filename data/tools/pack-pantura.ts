/**
 * Builds `data/boundaries/desa_pantura_30_kabkota.geojson` from the shared Pantura village files
 * (../shared/data/boundaries, 30 kab/kota, 7,074 villages): each polygon simplified on its own with
 * ST_SimplifyPreserveTopology at `TOLERANCE_DEG` and written with 6 decimals (≈ 0.1 m), properties
 * reduced to `kode` and `nama`. Run once by hand against a scratch PostGIS database:
 *
 *   PACK_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npx tsx data/tools/pack-pantura.ts [shared-dir]
 *
 * Invalid source polygons are kept invalid on purpose (simplification does not repair them): the
 * loader's ST_IsValidDetail / ST_MakeValid path must see them, as a real import would.
 */
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
// eslint-disable-next-line no-restricted-imports -- a one-off packing tool run by hand against a scratch database, not the product
import pg from 'pg';

/**
 * No simplification: the source polygons are already simplified (≈ 90 vertices per village; at
 * 0.0001° ≈ 11 m ST_SimplifyPreserveTopology removed 181 of 630,684 vertices), so the saving comes
 * from 6 decimals instead of 7 and from dropping the properties. 5 decimals made 9 more polygons
 * self-intersect, 6 keep the shared data's validity findings.
 */
export const TOLERANCE_DEG = 0;

/** The 30 Pantura kab/kota added to the seven bundled before (data/README.md). */
export const PANTURA_REGENCIES = [
  '36.03', '36.04', '36.72', '36.73', '31.01', '32.16', '32.15', '32.13', '32.09', '32.74', '33.29', '33.76', '33.28', '33.27',
  '33.26', '33.25', '33.24', '33.20', '33.18', '33.17', '35.23', '35.24', '35.25', '35.15', '35.14', '35.75', '35.13', '35.74',
  '35.12', '35.10',
];

async function main(): Promise<void> {
  const sharedDir = process.argv[2] ?? '/work/shared/data/boundaries';
  // eslint-disable-next-line no-restricted-properties -- see the import above: not the product's configuration
  const url = process.env['PACK_DATABASE_URL'];
  if (!url) throw new Error('PACK_DATABASE_URL is not set');
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query('CREATE EXTENSION IF NOT EXISTS postgis');
  const files = readdirSync(sharedDir)
    .filter((f) => PANTURA_REGENCIES.some((r) => f.startsWith(`desa_${r.replace('.', '')}_`)))
    .sort();
  if (files.length !== PANTURA_REGENCIES.length) throw new Error(`expected ${PANTURA_REGENCIES.length} files, found ${files.length}`);
  const features: string[] = [];
  let before = 0;
  let after = 0;
  for (const file of files) {
    const { rows } = await client.query<{ f: string; nb: number; na: number }>(
      `SELECT json_build_object('type', 'Feature', 'id', code,
                'properties', json_build_object('kode', code, 'nama', nama),
                'geometry', ST_AsGeoJSON(simple, 6)::json)::text AS f,
              ST_NPoints(g) AS nb, ST_NPoints(simple) AS na
       FROM (SELECT f->'properties'->>'kode' AS code, f->'properties'->>'nama_kepmendagri' AS nama,
                    ST_SetSRID(ST_GeomFromGeoJSON(f->>'geometry'), 4326) AS g
             FROM json_array_elements($1::json->'features') AS f) s,
            LATERAL (SELECT CASE WHEN $2::float8 > 0 THEN ST_SimplifyPreserveTopology(g, $2) ELSE g END AS simple) x
       ORDER BY code`,
      [readFileSync(`${sharedDir}/${file}`, 'utf8'), TOLERANCE_DEG],
    );
    for (const row of rows) {
      features.push(row.f);
      before += row.nb;
      after += row.na;
    }
  }
  await client.end();
  const out = new URL('../boundaries/desa_pantura_30_kabkota.geojson', import.meta.url);
  writeFileSync(out, `{"type":"FeatureCollection","features":[\n${features.join(',\n')}\n]}\n`);
  console.log(JSON.stringify({ files: files.length, features: features.length, verticesBefore: before, verticesAfter: after }));
}

await main();
