import { randomBytes } from "node:crypto";

import { eq, sql } from "drizzle-orm";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, test, vi } from "vitest";

import type { DbOrTx } from "#app/db/client.server";
import { cases, caseStatusCounts, type Shop, shops } from "#app/db/schema";
import { withTenant } from "#app/db/tenant.server";
import { CASE_STATUSES } from "#app/domain/case/status";
import { createTestDatabase, type TestDatabase, testEngines } from "#test/support/db";
import { insertShop } from "#test/support/factories";

import { caseListQuerySchema, countCasesByStatus, countMatching, STATUS_COUNT_CAP } from "./list.server";
import { compactCaseStatusCounts } from "./status-counts.server";

/*
 * case_status_counts (drizzle/0007) against the truth, a GROUP BY over cases, after every kind of write: multi-row
 * inserts, status updates (and updates that leave the status alone), deletes (direct and by an order's cascade),
 * concurrent transactions of one shop (also two updating the same rows), compaction beside writers, a shop's
 * deletion; and one shop's counts never include another's, also through the tenant fence.
 */

const rows = <T>(result: unknown): T[] => (Array.isArray(result) ? result : (result as { rows: T[] }).rows) as T[];
const q = (input: Record<string, unknown> = {}) => caseListQuerySchema.parse(input);

/** n orders and their cases in ONE insert statement per table (so one trigger call covers many rows). */
async function bulkCases(db: DbOrTx, shopId: string, n: number, status: string, lastName = "Bulk"): Promise<void> {
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
                       order_name, customer_last_name, state)
    select ${shopId}::uuid, id, 'invoice', ${status}, 'EUR', total_minor, total_minor, '2026-10-15', platform_order_id, name, ${lastName}, '{}'::jsonb
    from o`);
}

/** The truth: cases grouped by status, every status present (0 when none). */
async function truth(db: DbOrTx, shopId: string): Promise<Record<string, number>> {
  const result = Object.fromEntries(CASE_STATUSES.map((s) => [s, 0])) as Record<string, number>;
  let all = 0;
  for (const row of rows<{ status: string; n: number }>(
    await db.execute(sql`select status, count(*)::int as n from cases where shop_id = ${shopId} group by status`),
  )) {
    result[row.status] = Number(row.n);
    all += Number(row.n);
  }
  return { all, ...result };
}

async function expectExact(db: DbOrTx, shop: Shop, label: string): Promise<void> {
  const { capped, ...counts } = await countCasesByStatus(db, shop.id, {});
  expect(capped, label).toEqual([]);
  expect(counts, label).toEqual(await truth(db, shop.id));
}

const deltaRows = async (db: DbOrTx, shopId: string) =>
  (await db.select().from(caseStatusCounts).where(eq(caseStatusCounts.shopId, shopId))).length;

describe.each(testEngines())("case status counts on %s", (engine) => {
  let database: TestDatabase;
  let shop: Shop;
  let other: Shop;
  beforeAll(async () => {
    database = await createTestDatabase(engine);
    shop = await insertShop(database.db);
    other = await insertShop(database.db);
  });
  afterAll(() => database.close());

  test("stay exact through inserts, status updates, deletes and compaction", async () => {
    const db = database.db;
    await expectExact(db, shop, "empty");
    await bulkCases(db, shop.id, 40, "running");
    await bulkCases(db, shop.id, 25, "waiting_for_approval");
    await bulkCases(db, other.id, 30, "running");
    await expectExact(db, shop, "after inserts");
    await expectExact(db, other, "other shop after inserts");

    // One statement moving cases between several statuses, and one that changes no status (writes no delta).
    await db.execute(sql`update cases set status = case when outstanding_minor % 3 = 0 then 'paid' when outstanding_minor % 3 = 1 then 'blocked' else status end
                         where shop_id = ${shop.id} and status = 'running'`);
    await expectExact(db, shop, "after a multi-status update");
    const before = await deltaRows(db, shop.id);
    await db
      .update(cases)
      .set({ outstandingMinor: sql`${cases.outstandingMinor} + 1` })
      .where(eq(cases.shopId, shop.id));
    expect(await deltaRows(db, shop.id), "an update that keeps every status writes no delta").toBe(before);

    // Deletes: direct, and through the order (cases.order_id cascades).
    await db.execute(
      sql`delete from cases where shop_id = ${shop.id} and status = 'blocked' and outstanding_minor % 2 = 0`,
    );
    await db.execute(
      sql`delete from orders where shop_id = ${shop.id} and id in (select order_id from cases where shop_id = ${shop.id} and status = 'paid' limit 5)`,
    );
    await expectExact(db, shop, "after deletes");
    await expectExact(db, other, "other shop untouched");

    const statuses = Object.values(await truth(db, shop.id)).filter((n) => n > 0).length - 1;
    expect(await deltaRows(db, shop.id), "deltas: more rows than statuses").toBeGreaterThan(statuses);
    const { folded } = await compactCaseStatusCounts(db);
    expect(folded).toBeGreaterThan(0);
    await expectExact(db, shop, "after compaction");
    await expectExact(db, other, "other shop after compaction");
    const after = rows<{ status: string; n: number }>(
      await db.execute(
        sql`select status, count(*)::int as n from case_status_counts where shop_id = ${shop.id} group by status`,
      ),
    );
    expect(
      after.every((r) => Number(r.n) === 1),
      "one row per status after compaction",
    ).toBe(true);
    expect(await compactCaseStatusCounts(db)).toEqual({ folded: 0 });

    // Everything of a status gone: its rows sum to zero, and compaction drops them.
    await db.execute(sql`delete from cases where shop_id = ${shop.id} and status = 'waiting_for_approval'`);
    await compactCaseStatusCounts(db);
    const waiting = await db
      .select()
      .from(caseStatusCounts)
      .where(sql`${caseStatusCounts.shopId} = ${shop.id} and ${caseStatusCounts.status} = 'waiting_for_approval'`);
    expect(waiting).toEqual([]);
    await expectExact(db, shop, "after a status emptied");
    expect(await countMatching(db, shop.id, { status: "paid" })).toBe((await truth(db, shop.id)).paid);
  });

  // Generous: on a loaded machine the writers queue for the pool's five connections.
  test(
    "stay exact when transactions of one shop write at once, also on the same rows, while compaction runs",
    { timeout: 120_000 },
    async () => {
      const db = database.db;
      await bulkCases(db, shop.id, 200, "running");
      // Two transactions updating the same rows: the second waits, then updates the first's row versions, and its
      // transition table must hold those (status "paid"), not the versions it first saw ("running").
      const contested = sql`select id from cases where shop_id = ${shop.id} and status = 'running' order by id desc limit 30`;
      const ids = rows<{ id: string }>(await db.execute(contested)).map((r) => r.id);
      const idList = sql.join(
        ids.map((id) => sql`${id}::uuid`),
        sql`, `,
      );
      // The second update starts once the first's has run, and the first commits only once the second waits for its
      // row locks (observed in pg_stat_activity; on PGlite, one transaction at a time, the second's statement simply
      // queues behind the first's transaction): the order is made, not hoped for from sleeps.
      const order: string[] = [];
      let firstUpdated!: () => void;
      const updated = new Promise<void>((resolve) => (firstUpdated = resolve));
      let secondIssued!: () => void;
      const issued = new Promise<void>((resolve) => (secondIssued = resolve));
      const secondIsWaiting = issued.then(() =>
        engine === "postgres" ? waitForLockWaiter(database, "update cases set status = 'cancelled'") : undefined,
      );
      const first = db.transaction(async (tx) => {
        await tx.execute(sql`update cases set status = 'paid' where id in (${idList})`);
        firstUpdated();
        await secondIsWaiting;
        order.push("first");
      });
      const second = (async () => {
        await updated;
        // then() sends the statement at once (a drizzle query is lazy until then).
        const update = db
          .execute(sql`update cases set status = 'cancelled' where id in (${idList})`)
          .then(() => order.push("second"));
        secondIssued();
        await update;
      })();
      const writers = Array.from({ length: 8 }, (_, i) =>
        db
          .transaction(async (tx) => {
            await bulkCases(tx, shop.id, 20, i % 2 ? "waiting_for_approval" : "running");
            await tx.execute(sql`update cases set status = ${CASE_STATUSES[i % CASE_STATUSES.length]!}
                             where id in (select id from cases where shop_id = ${shop.id} and status = 'running' order by id limit 10 for update skip locked)`);
            if (i === 3) throw new Error("rolled back on purpose");
          })
          .catch((error: Error) => {
            if (error.message !== "rolled back on purpose") throw error;
          }),
      );
      // A second compaction a little later, to overlap the writers differently (any delay is correct).
      const compactions = [
        compactCaseStatusCounts(db),
        new Promise((resolve) => setTimeout(resolve, 60)).then(() => compactCaseStatusCounts(db)),
      ];
      await Promise.all([second, first, secondIsWaiting, ...writers, ...compactions]);
      expect(order, "the second update waited for the first").toEqual(["first", "second"]);
      const contestedNow = rows<{ status: string }>(
        await db.execute(sql`select distinct status from cases where id in (${idList})`),
      );
      expect(contestedNow.map((r) => r.status)).toEqual(["cancelled"]);
      await expectExact(db, shop, "after concurrent writers");
      await expectExact(db, other, "other shop after concurrent writers");
      await compactCaseStatusCounts(db);
      await expectExact(db, shop, "compacted after concurrent writers");
    },
  );

  test("a shop's counts never include another's, also under the tenant fence", async () => {
    const db = database.db;
    const truthOther = await truth(db, other.id);
    // Through the fence: the tenant writes its own cases (the trigger's deltas pass the policy) and reads its counts.
    await withTenant(db, shop.id, (tx) => bulkCases(tx, shop.id, 7, "handed_over"));
    const mine = await withTenant(db, shop.id, (tx) => countCasesByStatus(tx, shop.id, {}));
    const { capped: _c, ...exact } = mine;
    expect(exact).toEqual(await truth(db, shop.id));
    // Asking for the other shop from inside this shop's scope: nothing (row-level security), never its numbers.
    const foreign = await withTenant(db, shop.id, (tx) => countCasesByStatus(tx, other.id, {}));
    expect(foreign.all).toBe(engine === "postgres" || (await fenced(db)) ? 0 : truthOther.all);
    const { capped: _o, ...others } = await countCasesByStatus(db, other.id, {});
    expect(others).toEqual(truthOther);
  });

  test("filtered counts are exact below their bound (the capped path: app/services/cases/list.server.test.ts); unfiltered ones at any size", async () => {
    const db = database.db;
    const big = await insertShop(db);
    const { range, filtered } = STATUS_COUNT_CAP;
    await bulkCases(db, big.id, range + 5, "running", "Weber");
    await bulkCases(db, big.id, filtered + 3, "paid", "Schmidt");
    await bulkCases(db, big.id, 12, "blocked", "Schmidt");
    expect(await countCasesByStatus(db, big.id, q({ q: "schmidt" }))).toMatchObject({
      paid: filtered + 3,
      blocked: 12,
      running: 0,
      all: filtered + 15,
      capped: [],
    });
    expect(await countCasesByStatus(db, big.id, q({ q: "Web", maxAmount: 5 }))).toMatchObject({ all: 0, capped: [] });
    // The unfiltered tabs and a bulk run's total stay exact at any size.
    expect(await countCasesByStatus(db, big.id, {})).toMatchObject({
      running: range + 5,
      all: range + filtered + 20,
      capped: [],
    });
    expect(await countMatching(db, big.id, { q: "schmidt" })).toBe(filtered + 15);
  });

  test("a deleted shop takes its count rows along; a truncate empties them", async () => {
    const db = database.db;
    const gone = await insertShop(db);
    await bulkCases(db, gone.id, 10, "running");
    await db.execute(sql`update cases set status = 'paid' where shop_id = ${gone.id} and outstanding_minor % 2 = 0`);
    expect(await deltaRows(db, gone.id)).toBeGreaterThan(0);
    // What privacy.shop_redact does (app/services/intake/platform-events.server.ts): the shop row goes, everything else by cascade.
    await db.delete(shops).where(eq(shops.id, gone.id));
    expect(await deltaRows(db, gone.id)).toBe(0);
    await expectExact(db, shop, "other shops unchanged by the deletion");

    await db.execute(sql`truncate cases cascade`);
    expect(await db.select().from(caseStatusCounts)).toEqual([]);
  });
});

/**
 * Resolves once a statement starting with `prefix` waits for a lock in this test database: on a connection of its own,
 * as the pool's may all be busy.
 */
async function waitForLockWaiter(database: TestDatabase, prefix: string): Promise<void> {
  if (database.options.engine !== "postgres") throw new Error("pg_stat_activity: PostgreSQL only");
  const watcher = postgres(database.options.url, { max: 1, onnotice: () => undefined });
  try {
    await vi.waitFor(
      async () => {
        const [row] = await watcher<{ n: number }[]>`
          select count(*)::int as n from pg_stat_activity
          where datname = current_database() and pid <> pg_backend_pid() and wait_event_type = 'Lock' and starts_with(query, ${prefix})`;
        if (!row || row.n < 1) throw new Error(`no statement "${prefix}…" waiting for a lock yet`);
      },
      { timeout: 60_000, interval: 10 },
    );
  } finally {
    await watcher.end();
  }
}

/** Whether this database has the tenant role granted (it has on both test engines; a managed PostgreSQL may not). */
async function fenced(db: DbOrTx): Promise<boolean> {
  const [row] = rows<{ ok: boolean }>(
    await db.execute(
      sql`select exists (select from pg_roles where rolname = 'mahnwerk_tenant') and pg_has_role(current_user, 'mahnwerk_tenant', 'MEMBER') as ok`,
    ),
  );
  return Boolean(row?.ok);
}
