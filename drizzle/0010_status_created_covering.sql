-- The tab badges' filtered counts walk each status newest first along (shop_id, status, created_at, id) and check the
-- filter on every entry (docs/performance.md, "Status counts"). With the filtered columns in the index that walk is
-- an index-only scan: a rare customer prefix read about 8,000 rows per status before, now as many index entries.
-- Write cost: no extra index. Every INCLUDE column is already in another index of cases (outstanding_minor in the
-- amount indexes, the search copies and platform_order_id in the search indexes), so an update that changes one was
-- never a HOT update, and a dunning step (next action, level, state) changes none and stays one. The entries grow:
-- this index from 135 to 236 MB per 2,000,000 cases.
-- drizzle's index builder has no INCLUDE: app/db/schema.ts keeps the key columns and points here.
-- The new index is built first (a SHARE lock: writes wait, reads go on), then the old one is dropped and its name
-- taken over.
CREATE INDEX "cases_shop_status_created_covering_idx" ON "cases" USING btree ("shop_id","status","created_at","id")
  INCLUDE ("outstanding_minor","search_order_name","search_first_name","search_last_name","platform_order_id");--> statement-breakpoint
DROP INDEX "cases_shop_status_created_idx";--> statement-breakpoint
ALTER INDEX "cases_shop_status_created_covering_idx" RENAME TO "cases_shop_status_created_idx";
