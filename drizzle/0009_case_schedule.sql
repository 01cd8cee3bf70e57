CREATE TABLE "case_schedule" (
	"case_id" uuid PRIMARY KEY NOT NULL,
	"shop_id" uuid NOT NULL,
	"next_action_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
DROP INDEX "cases_next_action_idx";--> statement-breakpoint
ALTER TABLE "case_schedule" ADD CONSTRAINT "case_schedule_case_id_cases_id_fk" FOREIGN KEY ("case_id") REFERENCES "public"."cases"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "case_schedule" ADD CONSTRAINT "case_schedule_shop_id_shops_id_fk" FOREIGN KEY ("shop_id") REFERENCES "public"."shops"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "case_schedule_next_action_idx" ON "case_schedule" USING btree ("next_action_at","case_id");--> statement-breakpoint
-- The sweep's due index moves out of cases (docs/decisions/007-case-schedule-table.md, docs/performance.md "Dunning
-- sweep"). Every sweep step changed cases.next_action_at, indexed, so no step was a HOT update: each wrote a new entry
-- into every index of cases. Now case_schedule holds (case, shop, next_action_at) for each case whose next_action_at
-- is set, kept here by statement-level triggers with transition tables (one statement per cases statement, as in
-- drizzle/0007); a deleted case (or shop) takes its row by the foreign keys' cascade, TRUNCATE … CASCADE likewise.
-- cases gets fillfactor 70 so an update finds room for the new row version on its own page (HOT needs that too).
-- case_schedule has shop_id: mahnwerk_fence_tenant_tables(), which runs after every migration, fences it like every
-- tenant table. The trigger functions run as the caller: under a tenant scope they write only that shop's rows,
-- which are the only rows such a statement can change.
CREATE FUNCTION mahnwerk_case_schedule_after_insert() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  INSERT INTO case_schedule (case_id, shop_id, next_action_at)
  SELECT id, shop_id, next_action_at FROM new_cases WHERE next_action_at IS NOT NULL;
  RETURN NULL;
END
$fn$;
--> statement-breakpoint
CREATE FUNCTION mahnwerk_case_schedule_after_update() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  -- Only rows whose next_action_at changed are written: payments, partner statuses, renames leave the table alone.
  -- A case whose next action is cleared (paid, handed over, cancelled…) leaves it; any other change is an upsert, so a
  -- row is right afterwards whatever was there before. The ANY(ARRAY(…)) keeps the delete on the primary key.
  WITH changed AS MATERIALIZED (
    SELECT n.id, n.shop_id, n.next_action_at
    FROM new_cases n JOIN old_cases o ON o.id = n.id
    WHERE n.next_action_at IS DISTINCT FROM o.next_action_at OR n.shop_id <> o.shop_id
  ), cleared AS (
    DELETE FROM case_schedule WHERE case_id = ANY (ARRAY(SELECT id FROM changed WHERE next_action_at IS NULL))
  )
  INSERT INTO case_schedule (case_id, shop_id, next_action_at)
  SELECT id, shop_id, next_action_at FROM changed WHERE next_action_at IS NOT NULL
  ON CONFLICT (case_id) DO UPDATE SET shop_id = excluded.shop_id, next_action_at = excluded.next_action_at;
  RETURN NULL;
END
$fn$;
--> statement-breakpoint
CREATE TRIGGER cases_schedule_insert AFTER INSERT ON cases REFERENCING NEW TABLE AS new_cases
  FOR EACH STATEMENT EXECUTE FUNCTION mahnwerk_case_schedule_after_insert();
--> statement-breakpoint
CREATE TRIGGER cases_schedule_update AFTER UPDATE ON cases REFERENCING OLD TABLE AS old_cases NEW TABLE AS new_cases
  FOR EACH STATEMENT EXECUTE FUNCTION mahnwerk_case_schedule_after_update();
--> statement-breakpoint
-- Fills case_schedule from cases: the backfill below, and after a bulk load with triggers off (bench/generate.ts).
-- The SHARE lock holds writers of cases off while it runs.
CREATE FUNCTION mahnwerk_rebuild_case_schedule() RETURNS void LANGUAGE plpgsql AS $fn$
BEGIN
  LOCK TABLE cases IN SHARE MODE;
  DELETE FROM case_schedule;
  INSERT INTO case_schedule (case_id, shop_id, next_action_at)
  SELECT id, shop_id, next_action_at FROM cases WHERE next_action_at IS NOT NULL;
END
$fn$;
--> statement-breakpoint
SELECT mahnwerk_rebuild_case_schedule();
--> statement-breakpoint
-- Pages written from now on keep 30 % free; existing pages get it as their rows move (or after VACUUM FULL).
ALTER TABLE cases SET (fillfactor = 70);
