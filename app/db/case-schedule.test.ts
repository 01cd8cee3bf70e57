import { randomBytes } from "node:crypto";

import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, test } from "vitest";

import type { DbOrTx } from "#app/db/client.server";
import { cases, caseSchedule, type Shop, shops } from "#app/db/schema";
import { tenantRoleUsable, withTenant } from "#app/db/tenant.server";
import { startCase } from "#app/services/cases/commands.server";
import { advanceDueCases, openOverdueCases } from "#app/services/dunning/sweep.server";
import { createTestDatabase, type TestDatabase, testEngines } from "#test/support/db";
import { insertOrder, insertShop } from "#test/support/factories";

/*
 * case_schedule (drizzle/0009), the sweep's due index, against the truth — the cases whose next_action_at is set —
 * after every kind of write: multi-row inserts, updates that set, move, clear or keep next_action_at, deletes (direct,
 * by an order's cascade, by a shop's), the app's own writes (start, sweep step) and writes inside a tenant scope.
 * The sweep finds due cases only here: a row missing or stale means a reminder never sent or sent at the wrong time.
 */

const rows = <T>(result: unknown): T[] => (Array.isArray(result) ? result : (result as { rows: T[] }).rows) as T[];
const iso = (value: unknown) => new Date(value as string | Date).toISOString();

/** n orders and their cases in ONE insert statement per table; every other case has a next action, 1…n hours on. */
async function bulkCases(db: DbOrTx, shopId: string, n: number): Promise<void> {
  const tag = randomBytes(4).toString("hex");
  await db.execute(sql`
    with o as (
      insert into orders (shop_id, platform_order_id, name, currency, total_minor, outstanding_minor, financial_status, is_invoice,
                          ordered_at, due_date, platform_updated_at, customer)
      select ${shopId}::uuid, ${tag} || '-' || i, '#' || ${tag} || '-' || i, 'EUR', 1000 + i, 1000 + i, 'pending', true, now(),
             '2026-10-15', now(), '{}'::jsonb
      from generate_series(1, ${n}::int) as i
      returning id, platform_order_id, name, total_minor)
    insert into cases (shop_id, order_id, kind, status, currency, original_minor, outstanding_minor, due_date, platform_order_id,
                       order_name, next_action_at, state)
    select ${shopId}::uuid, id, 'invoice', 'running', 'EUR', total_minor, total_minor, '2026-10-15', platform_order_id, name,
           case when total_minor % 2 = 0 then timestamptz '2026-11-01 08:00:00+00' + make_interval(hours => (total_minor - 1000)::int) end,
           '{}'::jsonb
    from o`);
}

type Entry = { caseId: string; shopId: string; at: string };
const sorted = (list: Entry[]) => [...list].sort((a, b) => a.caseId.localeCompare(b.caseId));

async function scheduled(db: DbOrTx): Promise<Entry[]> {
  return sorted(
    (await db.select().from(caseSchedule)).map((r) => ({
      caseId: r.caseId,
      shopId: r.shopId,
      at: iso(r.nextActionAt),
    })),
  );
}

/** The truth: one entry per case whose next_action_at is set. */
async function truth(db: DbOrTx): Promise<Entry[]> {
  const list = rows<{ id: string; shop_id: string; next_action_at: string | Date }>(
    await db.execute(sql`select id, shop_id, next_action_at from cases where next_action_at is not null`),
  );
  return sorted(list.map((r) => ({ caseId: r.id, shopId: r.shop_id, at: iso(r.next_action_at) })));
}

async function expectInSync(db: DbOrTx, label: string): Promise<void> {
  const expected = await truth(db);
  expect(await scheduled(db), label).toEqual(expected);
}

/** Row versions of the schedule: an update that leaves next_action_at alone must not write any. */
const versions = async (db: DbOrTx) =>
  rows<{ v: string }>(
    await db.execute(sql`select case_id::text || ':' || xmin::text as v from case_schedule order by 1`),
  ).map((r) => r.v);

describe.each(testEngines())("case schedule on %s", (engine) => {
  let database: TestDatabase;
  let shop: Shop;
  let other: Shop;
  beforeAll(async () => {
    database = await createTestDatabase(engine);
    shop = await insertShop(database.db);
    other = await insertShop(database.db);
  });
  afterAll(() => database.close());

  test("follows next_action_at through inserts, updates and deletes", async () => {
    const db = database.db;
    await bulkCases(db, shop.id, 30);
    await bulkCases(db, other.id, 10);
    await expectInSync(db, "after multi-row inserts");
    expect((await scheduled(db)).length).toBe(20);

    // One statement that moves some next actions, clears some, sets some that had none, and leaves the rest.
    await db.execute(sql`
      update cases set next_action_at = case
          when outstanding_minor % 4 = 0 then next_action_at + interval '1 day'
          when outstanding_minor % 4 = 2 then null
          when outstanding_minor % 3 = 0 then timestamptz '2026-12-01 08:00:00+00'
          else next_action_at end,
        version = version + 1
      where shop_id = ${shop.id}`);
    await expectInSync(db, "after an update that sets, moves and clears");

    const before = await versions(db);
    await db
      .update(cases)
      .set({ outstandingMinor: sql`${cases.outstandingMinor} + 1`, dunningLevel: "reminder_1" })
      .where(eq(cases.shopId, shop.id));
    expect(await versions(db), "an update that keeps next_action_at writes no schedule row").toEqual(before);

    // Deletes: direct, and through the order (cases.order_id cascades).
    await db.execute(
      sql`delete from cases where shop_id = ${shop.id} and next_action_at is not null and outstanding_minor % 3 = 0`,
    );
    await db.execute(
      sql`delete from orders where id in (select order_id from cases where shop_id = ${shop.id} and next_action_at is not null limit 2)`,
    );
    await expectInSync(db, "after deletes");

    // A shop's deletion (privacy.shop_redact) takes its cases and their schedule rows along.
    await db.delete(shops).where(eq(shops.id, other.id));
    await expectInSync(db, "after a shop's deletion");
    expect((await scheduled(db)).some((e) => e.shopId === other.id)).toBe(false);
  });

  test("follows the app's own writes: a started case is scheduled, each sweep step moves it, the handover clears it", async () => {
    const db = database.db;
    const berlin = await insertShop(db, { timezone: "Europe/Berlin" });
    await insertOrder(db, berlin, { dueDate: "2026-10-01" });
    await openOverdueCases(db, new Date("2026-10-02T09:00:00Z"));
    const [opened] = await db.select().from(cases).where(eq(cases.shopId, berlin.id));
    const entry = async () => (await scheduled(db)).filter((e) => e.caseId === opened!.id).map((e) => e.at);
    expect(await entry(), "waiting for approval: nothing scheduled").toEqual([]);
    await startCase(db, {
      shopId: berlin.id,
      caseId: opened!.id,
      actor: { type: "staff", id: "t" },
      reason: "go",
      now: new Date("2026-10-02T09:00:00Z"),
    });
    expect(await entry()).toEqual(["2026-10-06T06:00:00.000Z"]);
    for (const [now, next] of [
      // Each step: the deadline it prints (§ 193 BGB applied) plus three working days of grace, 08:00 Berlin.
      ["2026-10-06T07:00:00Z", "2026-10-21T06:00:00.000Z"],
      ["2026-10-21T07:00:00Z", "2026-11-02T07:00:00.000Z"],
      ["2026-11-02T08:00:00Z", "2026-11-12T07:00:00.000Z"],
    ] as const) {
      expect(await advanceDueCases(db, new Date(now))).toMatchObject({ advanced: 1 });
      expect(await entry(), `after the step at ${now}`).toEqual([next]);
    }
    await advanceDueCases(db, new Date("2026-11-12T08:00:00Z"));
    expect((await db.select().from(cases).where(eq(cases.id, opened!.id)))[0]).toMatchObject({
      status: "handed_over",
      nextActionAt: null,
    });
    expect(await entry(), "handed over: no next action").toEqual([]);
    await expectInSync(db, "after the app's writes");
  });

  test("is fenced like every tenant table, and a write inside a tenant scope keeps it in sync", async (context) => {
    const db = database.db;
    if (!(await tenantRoleUsable(db))) context.skip();
    const mine = await insertShop(db);
    const theirs = await insertShop(db);
    await bulkCases(db, mine.id, 6);
    await bulkCases(db, theirs.id, 6);
    const seen = await withTenant(db, mine.id, (tx) => tx.select().from(caseSchedule));
    expect(seen.length).toBe(3);
    expect(seen.every((r) => r.shopId === mine.id)).toBe(true);
    // The tab's and /api/v1's commands update cases as the tenant role: the triggers write the schedule as that role.
    await withTenant(db, mine.id, (tx) =>
      tx.execute(sql`update cases set next_action_at = coalesce(next_action_at, now()) + interval '1 hour'`),
    );
    await expectInSync(db, "after a tenant-scoped update");
    await withTenant(db, mine.id, (tx) =>
      tx.execute(sql`update cases set next_action_at = null where outstanding_minor % 3 = 0`),
    );
    await expectInSync(db, "after a tenant-scoped clear");
  });
});
