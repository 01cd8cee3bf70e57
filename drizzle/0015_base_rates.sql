CREATE TABLE "base_rates" (
	"from" date PRIMARY KEY NOT NULL,
	"rate_bp" integer NOT NULL,
	"source" text NOT NULL,
	"fetched_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
-- Global, read by request code inside a tenant scope (case page, letter): the tenant role may read it, never write.
-- mahnwerk_fence_tenant_tables() grants only tables with shop_id; where the role does not exist yet, the reader
-- (storedBaseRates) checks the privilege and falls back to the shipped table.
DO $$
BEGIN
  IF EXISTS (SELECT FROM pg_roles WHERE rolname = 'mahnwerk_tenant') THEN
    GRANT SELECT ON public.base_rates TO mahnwerk_tenant;
  END IF;
END
$$;
