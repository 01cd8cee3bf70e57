CREATE TABLE "staff_members" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"shop_id" uuid NOT NULL,
	"staff_id" text NOT NULL,
	"name" text,
	"email" text,
	"last_wp_admin_sign_in_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "bulk_runs" ADD COLUMN "actor_name" text;--> statement-breakpoint
ALTER TABLE "case_events" ADD COLUMN "actor_name" text;--> statement-breakpoint
ALTER TABLE "staff_sessions" ADD COLUMN "staff_id" text;--> statement-breakpoint
ALTER TABLE "staff_sessions" ADD COLUMN "staff_name" text;--> statement-breakpoint
ALTER TABLE "staff_members" ADD CONSTRAINT "staff_members_shop_id_shops_id_fk" FOREIGN KEY ("shop_id") REFERENCES "public"."shops"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "staff_members_shop_staff_key" ON "staff_members" USING btree ("shop_id","staff_id");--> statement-breakpoint
CREATE INDEX "staff_members_email_idx" ON "staff_members" USING btree ("email");