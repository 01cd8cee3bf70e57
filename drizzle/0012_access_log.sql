CREATE TABLE "access_log" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"shop_id" uuid NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"channel" text NOT NULL,
	"actor_id" text NOT NULL,
	"actor_name" text,
	"what" text NOT NULL,
	"case_id" uuid
);
--> statement-breakpoint
ALTER TABLE "access_log" ADD CONSTRAINT "access_log_shop_id_shops_id_fk" FOREIGN KEY ("shop_id") REFERENCES "public"."shops"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "access_log_shop_at_idx" ON "access_log" USING btree ("shop_id","at");--> statement-breakpoint
CREATE INDEX "access_log_case_idx" ON "access_log" USING btree ("shop_id","case_id","at");--> statement-breakpoint
CREATE INDEX "access_log_at_idx" ON "access_log" USING btree ("at");