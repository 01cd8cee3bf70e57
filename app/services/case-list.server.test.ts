import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Shop } from "#app/db/schema";
import { createTestDatabase, testEngines, type TestDatabase } from "#test/support/db";
import { insertCaseRow, insertShop } from "#test/support/factories";
import { caseListQuerySchema, countCasesByStatus, listCases } from "./case-list.server";

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
    await insertCaseRow(database.db, shop, { status: "waiting_for_approval", outstandingMinor: 5_000, createdAt: day(1), firstName: "Anna", lastName: "Müller" });
    await insertCaseRow(database.db, shop, { status: "running", outstandingMinor: 25_000, createdAt: day(2), firstName: "Lukas", lastName: "Schmidt" });
    await insertCaseRow(database.db, shop, { status: "running", outstandingMinor: 100_000, createdAt: day(3), firstName: "Sophie", lastName: "Weber" });
    await insertCaseRow(database.db, shop, { status: "paid", outstandingMinor: 0, createdAt: day(4), firstName: "Jonas", lastName: "Müller" });
    await insertCaseRow(database.db, other, { status: "running", outstandingMinor: 7_000, createdAt: day(2), firstName: "Fremd", lastName: "Kunde" });
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
    expect(await countCasesByStatus(database.db, shop.id, q())).toMatchObject({ all: 4, waiting_for_approval: 1, running: 2, paid: 1, failed: 0 });
    expect(await countCasesByStatus(database.db, shop.id, q({ minAmount: 20_000 }))).toMatchObject({ all: 2, running: 2, paid: 0 });
  });
});
