-- Issue 19: a regional planner's first page of households. The row scope of a planner holding a
-- region ("36.04") is `left(h.village_code, 5) = '36.04'` (policy.ts regionPrefixMatch); with
-- (left(village_code, 5), id) the planner reads the region's first rows in id order. Before, the
-- LIKE test could use no index ordered by id, so the page walked the primary key past every other
-- region: 0.6-1.0 s at 1,000,000 households when the region's households have the highest ids,
-- 0.3 ms with the index. Counts of a region read the same index (bitmap) instead of the table.
-- Villages (13 characters) already have households_village_idx (village_code, id).
--
-- IF NOT EXISTS: on a large live registry, create the three indexes CONCURRENTLY by hand first
-- (each blocks writes to households while it builds here: about 2 s per million households on
-- the benchmark machine), and this migration then only records them.
CREATE INDEX IF NOT EXISTS "households_province_id_idx" ON "households" USING btree (left("village_code", 2),"id");--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "households_regency_id_idx" ON "households" USING btree (left("village_code", 5),"id");--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "households_district_id_idx" ON "households" USING btree (left("village_code", 8),"id");--> statement-breakpoint
-- Statistics of the new expressions: without them the planner guesses 0.5% of the rows per
-- region and may read a province's count through a bitmap of 360,000 rows where a scan is faster.
-- ANALYZE samples a fixed number of rows (30,000 at the default statistics target), not the table.
ANALYZE households;
