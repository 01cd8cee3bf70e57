-- Bank credits that paid an invoice order before it had a case (docs/payment-matching.md). It has shop_id, so
-- mahnwerk_fence_tenant_tables() (drizzle/0005), which runs after every migration, fences it like every shop table.
CREATE TABLE "order_bank_payments" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"shop_id" uuid NOT NULL,
	"order_id" uuid NOT NULL,
	"credit_id" uuid NOT NULL,
	"amount_minor" bigint NOT NULL,
	"currency" char(3) NOT NULL,
	"booking_date" date NOT NULL,
	"actor_id" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "order_bank_payments" ADD CONSTRAINT "order_bank_payments_shop_id_shops_id_fk" FOREIGN KEY ("shop_id") REFERENCES "public"."shops"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "order_bank_payments" ADD CONSTRAINT "order_bank_payments_order_id_orders_id_fk" FOREIGN KEY ("order_id") REFERENCES "public"."orders"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "order_bank_payments" ADD CONSTRAINT "order_bank_payments_credit_id_bank_credits_id_fk" FOREIGN KEY ("credit_id") REFERENCES "public"."bank_credits"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "order_bank_payments_credit_order" ON "order_bank_payments" USING btree ("credit_id","order_id");--> statement-breakpoint
CREATE INDEX "order_bank_payments_order_idx" ON "order_bank_payments" USING btree ("order_id");