ALTER TABLE "order_imports" ADD COLUMN "mode" text DEFAULT 'pages' NOT NULL;--> statement-breakpoint
ALTER TABLE "order_imports" ADD COLUMN "bulk_operation_id" text;--> statement-breakpoint
ALTER TABLE "order_imports" ADD COLUMN "attempts" integer DEFAULT 0 NOT NULL;