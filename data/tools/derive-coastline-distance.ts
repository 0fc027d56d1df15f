/**
 * Writes `data/coastline/derived_distance_to_natural_earth_coastline_per_village.csv`: the distance of
 * every bundled village to the Natural Earth 1:10m coastline, as the first start used to compute it.
 * The first start now loads this file instead (7.2 s less on PGlite); run this after changing a
 * bundled boundary or coastline file, on the embedded database (no server or DATABASE_URL needed):
 *
 *   npm run data:derive
 *
 * tests/seed/coastline-distance.test.ts recomputes the distances on the test database (PGlite and
 * PostgreSQL) and fails when they and the committed file disagree.
 */
import { writeFileSync } from 'node:fs';
import { openEmbedded } from '../../src/db/database.js';
import { migrate } from '../../src/db/migrate.js';
import { DATA_FILES } from '../../src/seed/reference/data-files.js';
import { computeDistancesToCoastline, distancesToCoastlineCsv, loadBoundaries, loadShorelines } from '../../src/seed/reference/geography.loader.js';
import { loadRegions } from '../../src/seed/reference/regions.loader.js';

const db = await openEmbedded({ dataDir: 'memory://', statementTimeoutMs: 0 });
try {
  await migrate(db);
  const rows = await db.transaction(async (tx) => {
    await loadRegions(tx);
    await loadBoundaries(tx);
    await loadShorelines(tx);
    return computeDistancesToCoastline(tx);
  });
  writeFileSync(DATA_FILES.coastlineDistanceCsv, distancesToCoastlineCsv(rows));
  console.log(`${rows.length} villages → ${DATA_FILES.coastlineDistanceCsv}`);
} finally {
  await db.close();
}
