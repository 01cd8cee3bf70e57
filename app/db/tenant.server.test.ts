import { randomBytes } from "node:crypto";

import { eq, sql } from "drizzle-orm";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, test } from "vitest";

import { type CaseRow, cases, orders, type Shop, shops } from "#app/db/schema";
import { createTestDatabase, postgresTestUrl, type TestDatabase, testEngines } from "#test/support/db";
import { insertCaseRow, insertShop } from "#test/support/factories";

import { type DbOrTx, migrateDatabase, openDatabase } from "./client.server";
import { TENANT_ROLE, tenantRoleUsable, withTenant } from "./tenant.server";

const rowsOf = <T>(result: unknown): T[] =>
  (Array.isArray(result) ? result : ((result as { rows: T[] }).rows ?? [])) as T[];

describe.each(testEngines())("row-level security on %s", (engine) => {
  let database: TestDatabase;
  let shopA: Shop;
  let shopB: Shop;
  let caseA: CaseRow;
  let caseB: CaseRow;

  beforeAll(async () => {
    database = await createTestDatabase(engine);
    shopA = await insertShop(database.db, { name: "A" });
    shopB = await insertShop(database.db, { name: "B" });
    caseA = await insertCaseRow(database.db, shopA, { firstName: "Anna" });
    caseB = await insertCaseRow(database.db, shopB, { firstName: "Bernd" });
  });
  afterAll(() => database.close());

  test("every table with shop_id, and shops, has RLS enabled with the tenant policy; Shopify's sessions are not granted", async () => {
    const tables = rowsOf<{ name: string; rls: boolean; policy: boolean; granted: boolean }>(
      await database.db.execute(sql`
        select c.relname as name, c.relrowsecurity as rls,
               exists (select from pg_policies p where p.schemaname = 'public' and p.tablename = c.relname and p.policyname = 'tenant_isolation') as policy,
               has_table_privilege(${TENANT_ROLE}, c.oid, 'SELECT') as granted
        from pg_class c join pg_namespace n on n.oid = c.relnamespace and n.nspname = 'public'
        where c.relkind = 'r' and (c.relname = 'shops' or exists (
          select from pg_attribute a where a.attrelid = c.oid and a.attname = 'shop_id' and not a.attisdropped))`),
    );
    expect(tables.map((t) => t.name)).toEqual(
      expect.arrayContaining(["shops", "orders", "cases", "case_events", "api_tokens", "bulk_runs", "woo_connections"]),
    );
    expect(tables.filter((t) => !t.rls || !t.policy || !t.granted)).toEqual([]);
    const [sessions] = rowsOf<{ granted: boolean }>(
      await database.db.execute(
        sql`select has_table_privilege(${TENANT_ROLE}, 'public.sessions', 'SELECT') as granted`,
      ),
    );
    expect(sessions!.granted).toBe(false);
  });

  test("the database user may switch to the tenant role", async () => {
    expect(await tenantRoleUsable(database.db)).toBe(true);
  });

  test("as shop A, a query without any shop filter sees only A's rows", async () => {
    const seen = await withTenant(database.db, shopA.id, async (db) => ({
      user: rowsOf<{ user: string }>(await db.execute(sql`select current_user as user`))[0]!.user,
      cases: (await db.select({ id: cases.id }).from(cases)).map((r) => r.id),
      orders: (await db.select({ shopId: orders.shopId }).from(orders)).map((r) => r.shopId),
      shops: (await db.select({ id: shops.id }).from(shops)).map((r) => r.id),
    }));
    expect(seen).toEqual({ user: TENANT_ROLE, cases: [caseA.id], orders: [shopA.id], shops: [shopA.id] });
  });

  test("as shop A, B's rows cannot be read, updated, deleted, or written into", async () => {
    await withTenant(database.db, shopA.id, async (db) => {
      expect(await db.select().from(cases).where(eq(cases.id, caseB.id))).toEqual([]);
      expect(await db.update(cases).set({ status: "cancelled" }).where(eq(cases.id, caseB.id)).returning()).toEqual([]);
      expect(await db.delete(orders).where(eq(orders.shopId, shopB.id)).returning()).toEqual([]);
      expect(await db.update(shops).set({ name: "taken" }).where(eq(shops.id, shopB.id)).returning()).toEqual([]);
    });
    // A row claiming shop B is refused by the policy's WITH CHECK, and moving A's row to B likewise.
    await expect(withTenant(database.db, shopA.id, (db) => insertCaseRow(db, shopB))).rejects.toThrow();
    await expect(
      withTenant(database.db, shopA.id, (db) =>
        db.update(cases).set({ shopId: shopB.id }).where(eq(cases.id, caseA.id)),
      ),
    ).rejects.toThrow();
    const [b] = await database.db.select().from(cases).where(eq(cases.id, caseB.id));
    expect(b!.status).toBe(caseB.status);
    expect((await database.db.select().from(shops).where(eq(shops.id, shopB.id)))[0]!.name).toBe("B");
    expect((await database.db.select().from(cases).where(eq(cases.shopId, shopA.id))).length).toBe(1);
  });

  test("the tenant role with no shop set sees nothing", async () => {
    const visible = await database.db.transaction(async (tx) => {
      await tx.execute(sql`select set_config('role', ${TENANT_ROLE}, true)`);
      return { cases: await tx.select().from(cases), shops: await tx.select().from(shops) };
    });
    expect(visible).toEqual({ cases: [], shops: [] });
  });

  test("the tenant role cannot read tables that are not fenced", async () => {
    await expect(withTenant(database.db, shopA.id, (db) => db.execute(sql`select * from sessions`))).rejects.toThrow();
  });

  test("the owner (workers, migrations) still works across shops, and the connection is clean after a tenant scope", async () => {
    for (let i = 0; i < 6; i++)
      await withTenant(database.db, i % 2 ? shopA.id : shopB.id, (db) => db.select().from(cases));
    const scoped = (db: DbOrTx) => db.select({ id: cases.id }).from(cases);
    for (let i = 0; i < 6; i++) {
      expect((await scoped(database.db)).length).toBe(2);
      const [who] = rowsOf<{ user: string; shop: string | null }>(
        await database.db.execute(
          sql`select current_user as user, nullif(current_setting('mahnwerk.shop_id', true), '') as shop`,
        ),
      );
      expect(who!.user).not.toBe(TENANT_ROLE);
      expect(who!.shop).toBeNull();
    }
  });

  test("several queries at once inside one scope", async () => {
    const [a, b] = await withTenant(database.db, shopB.id, (db) =>
      Promise.all([db.select().from(cases), db.select().from(orders)]),
    );
    expect(a!.map((r) => r.id)).toEqual([caseB.id]);
    expect(b!.map((r) => r.shopId)).toEqual([shopB.id]);
  });

  test("a shop id that is not a uuid is refused before any query", async () => {
    await expect(withTenant(database.db, "' or true --", async () => "ran")).rejects.toThrow();
  });
});

// A managed PostgreSQL where the app's user may not create or grant roles: migrations must still apply, requests still
// run (scoped by their queries), and the fence is reported off.
const adminUrl = postgresTestUrl();
describe.skipIf(!adminUrl)("on PostgreSQL as a user without CREATEROLE (TEST_DATABASE_URL)", () => {
  const user = `mahnwerk_nocr_${randomBytes(4).toString("hex")}`;
  const dbName = `mahnwerk_test_${randomBytes(6).toString("hex")}`;
  let admin: postgres.Sql;
  beforeAll(() => {
    admin = postgres(adminUrl!, { max: 1, onnotice: () => undefined });
  });
  afterAll(async () => {
    await admin.unsafe(`drop database if exists ${dbName} with (force)`);
    await admin.unsafe(`drop role if exists ${user}`);
    await admin.end();
  });

  test("migrations apply and requests run without the fence", async () => {
    await admin.unsafe(`create role ${user} login nocreaterole`);
    await admin.unsafe(`create database ${dbName} owner ${user}`);
    const url = new URL(adminUrl!);
    url.username = user;
    url.pathname = `/${dbName}`;
    const options = { engine: "postgres" as const, url: url.toString(), max: 2 };
    const database = await openDatabase(options);
    try {
      await migrateDatabase(options, database);
      const [outcome] = rowsOf<{ outcome: string }>(
        await database.db.execute(sql`select mahnwerk_fence_tenant_tables() as outcome`),
      );
      expect(outcome!.outcome).toMatch(/^role mahnwerk_tenant (missing|is not granted)/);
      expect(await tenantRoleUsable(database.db)).toBe(false);
      const shop = await insertShop(database.db);
      await insertCaseRow(database.db, shop);
      expect(await withTenant(database.db, shop.id, (db) => db.select().from(cases))).toHaveLength(1);
    } finally {
      await database.close();
    }
  }, 60_000);
});
