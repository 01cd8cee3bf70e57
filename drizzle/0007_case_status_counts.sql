CREATE TABLE "case_status_counts" (
	"shop_id" uuid NOT NULL,
	"status" text NOT NULL,
	"n" bigint NOT NULL
);
--> statement-breakpoint
ALTER TABLE "case_status_counts" ADD CONSTRAINT "case_status_counts_shop_id_shops_id_fk" FOREIGN KEY ("shop_id") REFERENCES "public"."shops"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "case_status_counts_shop_status_idx" ON "case_status_counts" USING btree ("shop_id","status","n");--> statement-breakpoint
-- The tab badges' counts per (shop, status), kept exact by statement-level triggers on cases (docs/performance.md,
-- "Status counts"). Each statement adds one delta row per (shop, status) it changed — appended, never updated, so
-- concurrent transactions of one shop (webhooks, sweeps in several workers) do not queue for a counter row. Readers
-- sum a shop's rows; compactCaseStatusCounts folds them. Transition tables hold the statement's rows once, so a sweep
-- updating 5,000 cases adds one aggregate query, not 5,000 trigger calls.
CREATE FUNCTION mahnwerk_case_counts_after_insert() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  INSERT INTO case_status_counts (shop_id, status, n)
  SELECT shop_id, status, count(*) FROM new_cases GROUP BY shop_id, status;
  RETURN NULL;
END
$fn$;
--> statement-breakpoint
CREATE FUNCTION mahnwerk_case_counts_after_update() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  -- Most updates (next step, amounts, partner status) leave every status as it was: their deltas sum to zero and
  -- nothing is written.
  INSERT INTO case_status_counts (shop_id, status, n)
  SELECT shop_id, status, sum(d) FROM (
    SELECT shop_id, status, 1 AS d FROM new_cases
    UNION ALL
    SELECT shop_id, status, -1 AS d FROM old_cases
  ) changed
  GROUP BY shop_id, status
  HAVING sum(d) <> 0;
  RETURN NULL;
END
$fn$;
--> statement-breakpoint
CREATE FUNCTION mahnwerk_case_counts_after_delete() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  -- A deleted shop takes its cases (and its count rows) with it by cascade: no delta for a shop that is gone, which
  -- would also fail the foreign key.
  INSERT INTO case_status_counts (shop_id, status, n)
  SELECT o.shop_id, o.status, -count(*) FROM old_cases o
  WHERE EXISTS (SELECT FROM shops s WHERE s.id = o.shop_id)
  GROUP BY o.shop_id, o.status;
  RETURN NULL;
END
$fn$;
--> statement-breakpoint
CREATE FUNCTION mahnwerk_case_counts_after_truncate() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  DELETE FROM case_status_counts;
  RETURN NULL;
END
$fn$;
--> statement-breakpoint
CREATE TRIGGER cases_status_counts_insert AFTER INSERT ON cases REFERENCING NEW TABLE AS new_cases
  FOR EACH STATEMENT EXECUTE FUNCTION mahnwerk_case_counts_after_insert();
--> statement-breakpoint
CREATE TRIGGER cases_status_counts_update AFTER UPDATE ON cases REFERENCING OLD TABLE AS old_cases NEW TABLE AS new_cases
  FOR EACH STATEMENT EXECUTE FUNCTION mahnwerk_case_counts_after_update();
--> statement-breakpoint
CREATE TRIGGER cases_status_counts_delete AFTER DELETE ON cases REFERENCING OLD TABLE AS old_cases
  FOR EACH STATEMENT EXECUTE FUNCTION mahnwerk_case_counts_after_delete();
--> statement-breakpoint
CREATE TRIGGER cases_status_counts_truncate AFTER TRUNCATE ON cases
  FOR EACH STATEMENT EXECUTE FUNCTION mahnwerk_case_counts_after_truncate();
--> statement-breakpoint
-- Recounts every shop from cases: the backfill below, and after a bulk load with triggers off (bench/generate.ts).
-- The SHARE lock holds writers of cases off while it runs, so no delta is counted twice or lost.
CREATE FUNCTION mahnwerk_rebuild_case_status_counts() RETURNS void LANGUAGE plpgsql AS $fn$
BEGIN
  LOCK TABLE cases IN SHARE MODE;
  DELETE FROM case_status_counts;
  INSERT INTO case_status_counts (shop_id, status, n)
  SELECT shop_id, status, count(*) FROM cases GROUP BY shop_id, status;
END
$fn$;
--> statement-breakpoint
SELECT mahnwerk_rebuild_case_status_counts();
