import { randomBytes } from "node:crypto";

import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, test } from "vitest";

import type { DbOrTx } from "#app/db/client.server";
import type { Shop } from "#app/db/schema";
import { createTestDatabase, type TestDatabase, testEngines } from "#test/support/db";
import { insertCaseRow, insertShop } from "#test/support/factories";

import {
  caseListQuerySchema,
  countCasesByStatus,
  listCases,
  STATUS_COUNT_CAP,
  STATUS_COUNT_EXACT_UP_TO,
} from "./list.server";

const q = (input: Record<string, unknown> = {}) => caseListQuerySchema.parse(input);

describe.each(testEngines())("case list on %s", (engine) => {
  let database: TestDatabase;
  let shop: Shop;
  let other: Shop;
  beforeAll(async () => {
    database = await createTestDatabase(engine);
    shop = await insertShop(database.db);
    other = await insertShop(database.db);
    const day = (d: number) => new Date(Date.UTC(2026, 10, d, 12));
    await insertCaseRow(database.db, shop, {
      status: "waiting_for_approval",
      outstandingMinor: 5_000,
      createdAt: day(1),
      firstName: "Anna",
      lastName: "Müller",
    });
    await insertCaseRow(database.db, shop, {
      status: "running",
      outstandingMinor: 25_000,
      createdAt: day(2),
      firstName: "Lukas",
      lastName: "Schmidt",
    });
    await insertCaseRow(database.db, shop, {
      status: "running",
      outstandingMinor: 100_000,
      createdAt: day(3),
      firstName: "Sophie",
      lastName: "Weber",
    });
    await insertCaseRow(database.db, shop, {
      status: "paid",
      outstandingMinor: 0,
      createdAt: day(4),
      firstName: "Jonas",
      lastName: "Müller",
    });
    await insertCaseRow(database.db, other, {
      status: "running",
      outstandingMinor: 7_000,
      createdAt: day(2),
      firstName: "Fremd",
      lastName: "Kunde",
    });
  });
  afterAll(() => database.close());

  test("lists only this shop's cases, newest first", async () => {
    const page = await listCases(database.db, shop.id, q());
    expect(page.cases.map((c) => c.customerFirstName)).toEqual(["Jonas", "Sophie", "Lukas", "Anna"]);
    expect(page.nextCursor).toBeNull();
  });

  test("filters by status, amount range, period and name or order number", async () => {
    const names = async (input: Record<string, unknown>) =>
      (await listCases(database.db, shop.id, q(input))).cases.map((c) => c.customerFirstName);
    expect(await names({ status: "running" })).toEqual(["Sophie", "Lukas"]);
    expect(await names({ minAmount: 20_000, maxAmount: 100_000 })).toEqual(["Sophie", "Lukas"]);
    expect(await names({ from: "2026-11-02", to: "2026-11-03" })).toEqual(["Sophie", "Lukas"]);
    expect(await names({ q: "müll" })).toEqual(["Jonas", "Anna"]);
    expect(await names({ q: "Luk" })).toEqual(["Lukas"]);
    const [first] = (await listCases(database.db, shop.id, q({ q: "Sophie" }))).cases;
    expect(await names({ q: first!.orderName })).toEqual(["Sophie"]);
    expect(await names({ q: first!.orderName.slice(1) })).toEqual(["Sophie"]);
    expect(await names({ q: "%" })).toEqual([]);
  });

  test("keyset pagination visits every row once, in every sort", async () => {
    for (const sort of ["created", "due", "amount", "status"] as const) {
      for (const direction of ["asc", "desc"] as const) {
        const seen: string[] = [];
        let cursor: string | undefined;
        do {
          const page = await listCases(database.db, shop.id, q({ sort, direction, limit: 1, cursor }));
          seen.push(...page.cases.map((c) => c.id));
          cursor = page.nextCursor ?? undefined;
        } while (cursor);
        expect(new Set(seen).size, `${sort} ${direction}`).toBe(4);
      }
    }
    const byAmount = (await listCases(database.db, shop.id, q({ sort: "amount", direction: "asc" }))).cases;
    expect(byAmount.map((c) => c.outstandingMinor)).toEqual([0, 5_000, 25_000, 100_000]);
  });

  test("a tampered cursor is ignored rather than an error", async () => {
    const page = await listCases(database.db, shop.id, q({ cursor: "garbage" }));
    expect(page.cases).toHaveLength(4);
  });

  test("counts per status under the same filters, for the tabs", async () => {
    expect(await countCasesByStatus(database.db, shop.id, q())).toMatchObject({
      all: 4,
      waiting_for_approval: 1,
      running: 2,
      paid: 1,
      failed: 0,
    });
    expect(await countCasesByStatus(database.db, shop.id, q({ minAmount: 20_000 }))).toMatchObject({
      all: 2,
      running: 2,
      paid: 0,
    });
  });
});

describe.each(testEngines())("case list views of the collections tab on %s", (engine) => {
  let database: TestDatabase;
  let shop: Shop;
  const berlin = { timeZone: "Europe/Berlin", now: new Date("2026-03-10T10:00:00Z") };
  beforeAll(async () => {
    database = await createTestDatabase(engine);
    shop = await insertShop(database.db);
    // 2026-03-03 23:30 UTC is already 4 March in Berlin; equal amounts make ties for the keyset.
    await insertCaseRow(database.db, shop, {
      status: "paid",
      outstandingMinor: 1_000,
      createdAt: new Date("2026-03-03T23:30:00Z"),
      firstName: "Ida",
      platformOrderId: "777001",
    });
    await insertCaseRow(database.db, shop, {
      status: "waiting_for_approval",
      outstandingMinor: 1_000,
      createdAt: new Date("2026-03-03T22:30:00Z"),
      firstName: "Ben",
    });
    await insertCaseRow(database.db, shop, {
      status: "running",
      outstandingMinor: 1_000,
      createdAt: new Date("2026-02-01T12:00:00Z"),
      firstName: "Max",
    });
    await insertCaseRow(database.db, shop, {
      status: "closed",
      outstandingMinor: 2_000,
      createdAt: new Date("2025-11-01T12:00:00Z"),
      firstName: "Lea",
    });
    await insertCaseRow(database.db, shop, {
      status: "handed_over",
      outstandingMinor: 1_000,
      createdAt: new Date("2026-03-09T12:00:00Z"),
      firstName: "Finn",
    });
  });
  afterAll(() => database.close());

  const names = async (input: Record<string, unknown>) =>
    (await listCases(database.db, shop.id, q(input), berlin)).cases.map((c) => c.customerFirstName);

  test("a relative period counts calendar days in the shop's zone", async () => {
    // Last 7 days on 10 March in Berlin: 4–10 March local, so Ida (4 March 00:30 local) is in and Ben (3 March 23:30) is out.
    expect(await names({ period: "7" })).toEqual(["Finn", "Ida"]);
    expect(await names({ period: "30" })).toEqual(["Finn", "Ida", "Ben"]);
    expect(await names({ period: "90" })).toEqual(["Finn", "Ida", "Ben", "Max"]);
    expect(await names({ from: "2026-03-04", to: "2026-03-04" })).toEqual(["Ida"]);
    expect(await names({ to: "2026-03-03" })).toEqual(["Ben", "Max", "Lea"]);
  });

  test("the query finds the platform's order id too", async () => {
    expect(await names({ q: "777001" })).toEqual(["Ida"]);
  });

  test("sorting by status follows the lifecycle, and pages through ties without loss", async () => {
    expect(await names({ sort: "status", direction: "asc" })).toEqual(["Ben", "Max", "Finn", "Ida", "Lea"]);
    expect(await names({ sort: "status", direction: "desc" })).toEqual(["Lea", "Ida", "Finn", "Max", "Ben"]);
    for (const sort of ["created", "due", "amount", "status"] as const) {
      for (const direction of ["asc", "desc"] as const) {
        const all = await names({ sort, direction });
        const paged: (string | null)[] = [];
        let cursor: string | undefined;
        do {
          const page = await listCases(database.db, shop.id, q({ sort, direction, limit: 2, cursor }), berlin);
          paged.push(...page.cases.map((c) => c.customerFirstName));
          cursor = page.nextCursor ?? undefined;
        } while (cursor);
        expect(paged, `${sort} ${direction}`).toEqual(all);
      }
    }
  });

  test("tab counts use the same period in the same zone", async () => {
    expect(await countCasesByStatus(database.db, shop.id, q({ period: "7" }), berlin)).toMatchObject({
      all: 2,
      paid: 1,
      handed_over: 1,
      waiting_for_approval: 0,
    });
  });
});

describe.each(testEngines())("the list's cursor on %s", (engine) => {
  let database: TestDatabase;
  let shop: Shop;
  const ids: string[] = [];
  beforeAll(async () => {
    database = await createTestDatabase(engine);
    shop = await insertShop(database.db);
    // Three cases created within one millisecond (a webhook burst), and one whose status has no tab (no status rank).
    for (const firstName of ["A", "B", "C"])
      ids.push(
        (await insertCaseRow(database.db, shop, { firstName, createdAt: new Date("2026-11-01T12:00:00.123Z") })).id,
      );
    ids.push((await insertCaseRow(database.db, shop, { firstName: "X", status: "legacy_status" })).id);
    await database.db.execute(
      sql`update cases set created_at = '2026-11-01 12:00:00.123400+00' where id = ${ids[0]}::uuid`,
    );
    await database.db.execute(
      sql`update cases set created_at = '2026-11-01 12:00:00.123700+00' where id = ${ids[1]}::uuid`,
    );
    await database.db.execute(
      sql`update cases set created_at = '2026-11-01 12:00:00.123100+00' where id = ${ids[2]}::uuid`,
    );
  });
  afterAll(() => database.close());

  const walk = async (input: Record<string, unknown>) => {
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await listCases(database.db, shop.id, q({ ...input, limit: 1, cursor }));
      seen.push(...page.cases.map((c) => c.id));
      expect(page.cursors).toHaveLength(page.cases.length);
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    return seen;
  };

  test("pages through rows created within the same millisecond without skipping one", async () => {
    // Milliseconds in the cursor made the second page start after every row of that millisecond.
    expect(await walk({ sort: "created", direction: "desc" })).toEqual([ids[3], ids[1], ids[0], ids[2]]);
    expect(await walk({ sort: "created", direction: "asc" })).toEqual([ids[2], ids[0], ids[1], ids[3]]);
  });

  test("pages through a status without a rank in both directions", async () => {
    for (const direction of ["asc", "desc"] as const) {
      const all = (await listCases(database.db, shop.id, q({ sort: "status", direction }))).cases.map((c) => c.id);
      expect(all).toHaveLength(4);
      expect(await walk({ sort: "status", direction }), direction).toEqual(all);
    }
  });

  test("a cursor written before (milliseconds, ISO) still resumes after its row", async () => {
    const old = Buffer.from(JSON.stringify({ v: "2026-11-01T12:00:00.124Z", id: ids[3] })).toString("base64url");
    const page = await listCases(database.db, shop.id, q({ sort: "created", direction: "desc", cursor: old }));
    expect(page.cases.map((c) => c.id)).toEqual([ids[1], ids[0], ids[2]]);
    expect(page.cases[0]).not.toHaveProperty("keysetKey");
  });
});

/** n orders and their cases of one status and customer name, in one statement per table. */
async function bulkCases(
  db: DbOrTx,
  shopId: string,
  n: number,
  status: string,
  lastName: string,
  outstandingMinor = 1_000,
): Promise<void> {
  const tag = randomBytes(4).toString("hex");
  await db.execute(sql`
    with o as (
      insert into orders (shop_id, platform_order_id, name, currency, total_minor, outstanding_minor, financial_status, is_invoice,
                          ordered_at, due_date, platform_updated_at, customer)
      select ${shopId}::uuid, ${tag} || '-' || i, '#' || ${tag} || '-' || i, 'EUR', ${outstandingMinor}::bigint, ${outstandingMinor}::bigint,
             'pending', true, now(), '2026-10-15', now(), '{}'::jsonb
      from generate_series(1, ${n}::int) as i
      returning id, platform_order_id, name)
    insert into cases (shop_id, order_id, kind, status, currency, original_minor, outstanding_minor, due_date, platform_order_id,
                       order_name, customer_last_name, state)
    select ${shopId}::uuid, id, 'invoice', ${status}, 'EUR', ${outstandingMinor}::bigint, ${outstandingMinor}::bigint, '2026-10-15',
           platform_order_id, name, ${lastName}, '{}'::jsonb
    from o`);
}

describe.each(testEngines())("filtered tab counts on %s", (engine) => {
  let database: TestDatabase;
  const bound = STATUS_COUNT_EXACT_UP_TO;
  const { range, filtered } = STATUS_COUNT_CAP;
  beforeAll(async () => {
    database = await createTestDatabase(engine);
  });
  afterAll(() => database.close());

  test("a filter matching at most the bound is counted exactly, also beyond the per-status caps", async () => {
    const shop = await insertShop(database.db);
    // One more "paid" than a search's cap, and one more "running" than a range's: below the bound both stay exact.
    await bulkCases(database.db, shop.id, filtered + 1, "paid", "Schmidt");
    await bulkCases(database.db, shop.id, 12, "blocked", "Schmidt");
    await bulkCases(database.db, shop.id, range + 1, "running", "Weber", 50_000);
    expect(await countCasesByStatus(database.db, shop.id, q({ q: "schmidt" }))).toMatchObject({
      paid: filtered + 1,
      blocked: 12,
      running: 0,
      all: filtered + 13,
      capped: [],
    });
    expect(await countCasesByStatus(database.db, shop.id, q({ minAmount: 50_000 }))).toMatchObject({
      running: range + 1,
      paid: 0,
      all: range + 1,
      capped: [],
    });
    expect(await countCasesByStatus(database.db, shop.id, q({ q: "Web", maxAmount: 5 }))).toMatchObject({
      all: 0,
      capped: [],
    });
  });

  test("exactly the bound is exact; beyond it each status counts up to its cap and shows N+", async () => {
    const shop = await insertShop(database.db);
    await bulkCases(database.db, shop.id, bound - 200, "running", "Weber");
    await bulkCases(database.db, shop.id, 200, "paid", "Weber");
    expect(await countCasesByStatus(database.db, shop.id, q({ q: "weber" }))).toMatchObject({
      running: bound - 200,
      paid: 200,
      all: bound,
      capped: [],
    });

    // One match more: "running" and "paid" are past a search's cap among the first matches already, "failed" is walked.
    await bulkCases(database.db, shop.id, 1, "failed", "Weber");
    expect(await countCasesByStatus(database.db, shop.id, q({ q: "weber" }))).toMatchObject({
      running: filtered,
      paid: filtered,
      failed: 1,
      all: 2 * filtered + 1,
      capped: ["all", "running", "paid"],
    });
    // "failed" past the cap where the first matches (the rows inserted first) hold only one of them: its walk stops at the cap.
    await bulkCases(database.db, shop.id, filtered + 49, "failed", "Weber");
    expect(await countCasesByStatus(database.db, shop.id, q({ q: "weber" }))).toMatchObject({
      running: filtered,
      paid: filtered,
      failed: filtered,
      all: 3 * filtered,
      capped: ["all", "running", "paid", "failed"],
    });
    // An amount range alone is a range of a status-led index: the higher cap, below which "paid" and "failed" are exact.
    expect(await countCasesByStatus(database.db, shop.id, q({ minAmount: 0 }))).toMatchObject({
      running: range,
      paid: 200,
      failed: filtered + 50,
      all: range + 250 + filtered,
      capped: ["all", "running"],
    });
    // The unfiltered tabs stay exact at any size.
    expect(await countCasesByStatus(database.db, shop.id, q())).toMatchObject({
      running: bound - 200,
      failed: filtered + 50,
      all: bound + filtered + 50,
      capped: [],
    });
  });

  test("beyond the bound, 'all' reads N+ even when no tab reached its cap (cases of a status without a tab)", async () => {
    const shop = await insertShop(database.db);
    await bulkCases(database.db, shop.id, bound, "legacy_status", "Weber");
    await bulkCases(database.db, shop.id, 3, "legacy_status", "Weber", 70_000);
    await bulkCases(database.db, shop.id, 2, "running", "Weber", 70_000);
    expect(await countCasesByStatus(database.db, shop.id, q({ q: "weber" }))).toMatchObject({
      running: 2,
      all: 2,
      capped: ["all"],
    });
    // Below the bound the filtered "all" counts them, as the unfiltered one does.
    expect(await countCasesByStatus(database.db, shop.id, q({ q: "weber", minAmount: 70_000 }))).toMatchObject({
      running: 2,
      all: 5,
      capped: [],
    });
  });
});
