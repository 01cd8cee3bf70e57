import { sql } from "drizzle-orm";
import { z } from "zod";

import { logger } from "#app/utils/logger.server";

import { type DbOrTx, rowsOf, type Tx } from "./client.server";

/**
 * Row-level security as a second fence between shops (drizzle/0005, docs/decisions/006-row-level-security.md).
 * Services already scope every query by shop_id; request code additionally runs them through `withTenant`, so a
 * query that forgot its `where shop_id = …` still sees and writes only the signed-in shop's rows.
 */
export const TENANT_ROLE = "mahnwerk_tenant";

/** Runs a unit of work on a handle fenced to one shop; the tab and /api/v1 hand one of these to their services. */
export type TenantScope = <T>(fn: (db: Tx) => Promise<T>) => Promise<T>;

const usable = new WeakMap<object, Promise<boolean>>();

/**
 * Runs fn in a transaction that can only see `shopId`'s rows: `mahnwerk.shop_id` is set for the transaction and the
 * role switched to mahnwerk_tenant (both LOCAL, so a pooled connection returns clean). fn must use the handle it is
 * given for every query — on the embedded database a query on the process-wide handle would wait for this
 * transaction to end — and should enqueue jobs after it returns, once its writes are committed.
 */
export async function withTenant<T>(db: DbOrTx, shopId: string, fn: (db: Tx) => Promise<T>): Promise<T> {
  const id = z.uuid().parse(shopId);
  const switchRole = await tenantRoleUsable(db);
  return db.transaction(async (tx) => {
    await tx.execute(
      switchRole
        ? sql`select set_config('mahnwerk.shop_id', ${id}, true), set_config('role', ${TENANT_ROLE}, true)`
        : sql`select set_config('mahnwerk.shop_id', ${id}, true)`,
    );
    return fn(tx);
  });
}

/** The scope of one shop on db: what requireShopContext and requireApiCaller hand to routes. */
export function tenantScope(db: DbOrTx, shopId: string): TenantScope {
  return (fn) => withTenant(db, shopId, fn);
}

/**
 * Whether this database user may switch to the tenant role. Where it may not (a managed PostgreSQL whose app user
 * lacks CREATEROLE, and no administrator created and granted the role), requests still run, scoped by their queries
 * as before, and one warning says how to turn the fence on.
 */
export function tenantRoleUsable(db: DbOrTx): Promise<boolean> {
  let known = usable.get(db);
  if (!known) {
    known = (async () => {
      const result = await db.execute<{ usable: boolean; user: string }>(
        sql`select case when exists (select from pg_roles where rolname = ${TENANT_ROLE})
                   then pg_has_role(current_user, ${TENANT_ROLE}, 'MEMBER') else false end as usable,
                   current_user as user`,
      );
      const row = rowsOf<{ usable: boolean; user: string }>(result)[0];
      if (!row?.usable) {
        logger.warn(
          { role: TENANT_ROLE, user: row?.user },
          `row-level security is off: role ${TENANT_ROLE} is missing or not granted to ${row?.user}; requests are scoped by their queries only. ` +
            `To turn it on: CREATE ROLE ${TENANT_ROLE} NOLOGIN; GRANT ${TENANT_ROLE} TO ${row?.user}; then restart (see docs/decisions/006-row-level-security.md)`,
        );
      }
      return Boolean(row?.usable);
    })();
    usable.set(db, known);
  }
  return known;
}
