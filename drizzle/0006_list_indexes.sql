ALTER TABLE "cases" ADD COLUMN "status_rank" integer GENERATED ALWAYS AS (array_position(array['waiting_for_approval','running','handed_over','blocked','paid','failed','cancelled','closed']::text[], status)) STORED;--> statement-breakpoint
ALTER TABLE "cases" ADD COLUMN "search_order_name" text GENERATED ALWAYS AS (lower(order_name)) STORED;--> statement-breakpoint
ALTER TABLE "cases" ADD COLUMN "search_first_name" text GENERATED ALWAYS AS (lower(customer_first_name)) STORED;--> statement-breakpoint
ALTER TABLE "cases" ADD COLUMN "search_last_name" text GENERATED ALWAYS AS (lower(customer_last_name)) STORED;--> statement-breakpoint
CREATE INDEX "cases_shop_due_idx" ON "cases" USING btree ("shop_id","due_date","id");--> statement-breakpoint
CREATE INDEX "cases_shop_status_due_idx" ON "cases" USING btree ("shop_id","status","due_date","id");--> statement-breakpoint
CREATE INDEX "cases_shop_amount_idx" ON "cases" USING btree ("shop_id","outstanding_minor","id");--> statement-breakpoint
CREATE INDEX "cases_shop_status_amount_idx" ON "cases" USING btree ("shop_id","status","outstanding_minor","id");--> statement-breakpoint
CREATE INDEX "cases_shop_rank_idx" ON "cases" USING btree ("shop_id","status_rank","id");--> statement-breakpoint
CREATE INDEX "cases_shop_search_order_idx" ON "cases" USING btree ("shop_id","search_order_name" text_pattern_ops);--> statement-breakpoint
CREATE INDEX "cases_shop_search_first_idx" ON "cases" USING btree ("shop_id","search_first_name" text_pattern_ops);--> statement-breakpoint
CREATE INDEX "cases_shop_search_last_idx" ON "cases" USING btree ("shop_id","search_last_name" text_pattern_ops);--> statement-breakpoint
CREATE INDEX "cases_shop_platform_order_idx" ON "cases" USING btree ("shop_id","platform_order_id");