-- Row-level security as a second fence between shops (docs/decisions/006-row-level-security.md).
--
-- Request code (the tab, /api/v1) runs its queries inside a transaction that sets `mahnwerk.shop_id` and switches to
-- the NOLOGIN role mahnwerk_tenant (app/db/tenant.server.ts). Policies let that role see and write only rows of that
-- shop. The table owner (migrations, workers, webhooks, sign-in) is not subject to them: RLS is enabled, not forced.
--
-- The function is idempotent and runs again after every migration at start-up (app/db/client.server.ts), so a table
-- with shop_id added by a later migration is fenced without anyone having to remember it.
CREATE OR REPLACE FUNCTION mahnwerk_fence_tenant_tables() RETURNS text
LANGUAGE plpgsql AS $fn$
DECLARE
  tenant constant text := 'mahnwerk_tenant';
  -- %I is the column: shop_id, or id on shops.
  predicate constant text := '%I = nullif(current_setting(''mahnwerk.shop_id'', true), '''')::uuid';
  t record;
  outcome text := 'fenced';
BEGIN
  -- Roles are global to the cluster: another database (or a concurrent migration) may have created it already.
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = tenant) THEN
    BEGIN
      EXECUTE format('CREATE ROLE %I NOLOGIN', tenant);
    EXCEPTION
      WHEN duplicate_object OR unique_violation THEN NULL;
      -- A managed PostgreSQL whose app user lacks CREATEROLE: the policies still stand, the fence is off until an
      -- administrator creates the role (the app logs this at start-up).
      WHEN insufficient_privilege THEN outcome := 'role ' || tenant || ' missing: the database user may not create roles';
    END;
  END IF;
  IF EXISTS (SELECT FROM pg_roles WHERE rolname = tenant) AND NOT pg_has_role(current_user, tenant, 'MEMBER') THEN
    BEGIN
      EXECUTE format('GRANT %I TO %I', tenant, current_user);
    EXCEPTION
      WHEN duplicate_object OR unique_violation THEN NULL;
      WHEN insufficient_privilege OR invalid_grant_operation THEN
        outcome := 'role ' || tenant || ' is not granted to ' || current_user || ' and it may not grant it';
    END;
  END IF;

  -- Every table with a shop_id column: its rows belong to that shop. shops itself: the row with that id.
  FOR t IN
    SELECT c.oid, c.relname, c.relrowsecurity, (c.relname = 'shops') AS is_shops
    FROM pg_class c
    JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public'
    WHERE c.relkind IN ('r', 'p')
      AND (c.relname = 'shops'
        OR EXISTS (SELECT FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'shop_id' AND NOT a.attisdropped))
  LOOP
    IF NOT EXISTS (SELECT FROM pg_policies WHERE schemaname = 'public' AND tablename = t.relname AND policyname = 'tenant_isolation') THEN
      EXECUTE format('CREATE POLICY tenant_isolation ON public.%I USING (%s) WITH CHECK (%s)', t.relname,
        format(predicate, CASE WHEN t.is_shops THEN 'id' ELSE 'shop_id' END),
        format(predicate, CASE WHEN t.is_shops THEN 'id' ELSE 'shop_id' END));
    END IF;
    IF NOT t.relrowsecurity THEN
      EXECUTE format('ALTER TABLE public.%I ENABLE ROW LEVEL SECURITY', t.relname);
    END IF;
    -- Only fenced tables are granted: a tenant-scoped query on anything else (Shopify's sessions, a future global
    -- table) fails with "permission denied" instead of reading across shops.
    IF EXISTS (SELECT FROM pg_roles WHERE rolname = tenant)
       AND NOT (has_table_privilege(tenant, t.oid, 'SELECT') AND has_table_privilege(tenant, t.oid, 'INSERT')
            AND has_table_privilege(tenant, t.oid, 'UPDATE') AND has_table_privilege(tenant, t.oid, 'DELETE')) THEN
      EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON public.%I TO %I', t.relname, tenant);
    END IF;
  END LOOP;
  IF EXISTS (SELECT FROM pg_roles WHERE rolname = tenant) AND NOT has_schema_privilege(tenant, 'public', 'USAGE') THEN
    EXECUTE format('GRANT USAGE ON SCHEMA public TO %I', tenant);
  END IF;
  RETURN outcome;
END
$fn$;
--> statement-breakpoint
SELECT mahnwerk_fence_tenant_tables();
