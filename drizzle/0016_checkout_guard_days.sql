CREATE TABLE "checkout_guard_days" (
	"shop_id" uuid NOT NULL,
	"day" date NOT NULL,
	"steered" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "checkout_guard_days_shop_id_day_pk" PRIMARY KEY("shop_id","day")
);
--> statement-breakpoint
ALTER TABLE "checkout_guard_days" ADD CONSTRAINT "checkout_guard_days_shop_id_shops_id_fk" FOREIGN KEY ("shop_id") REFERENCES "public"."shops"("id") ON DELETE cascade ON UPDATE no action;