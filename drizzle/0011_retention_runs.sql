CREATE TABLE "retention_runs" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"started_at" timestamp with time zone NOT NULL,
	"finished_at" timestamp with time zone NOT NULL,
	"removed" jsonb NOT NULL,
	"error" text
);
--> statement-breakpoint
CREATE INDEX "retention_runs_finished_idx" ON "retention_runs" USING btree ("finished_at");