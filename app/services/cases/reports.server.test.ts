import { afterAll, beforeAll, describe, expect, test } from "vitest";

import type { Shop } from "#app/db/schema";
import { openTestCase } from "#test/support/cases";
import { createTestDatabase, type TestDatabase, testEngines } from "#test/support/db";
import { insertShop } from "#test/support/factories";

import { cancelCase, executeCaseCommand, startCase } from "./commands.server";
import { buildReport, shiftMonth } from "./reports.server";

const staff = { type: "staff" as const, id: "anna" };
const at = (iso: string) => new Date(iso);

describe.each(testEngines())("reports on %s", (engine) => {
  let database: TestDatabase;
  let shop: Shop;
  beforeAll(async () => {
    database = await createTestDatabase(engine);
    shop = await insertShop(database.db, { timezone: "Europe/Berlin", currency: "EUR" });
    const db = database.db;
    const pay = (
      caseId: string,
      amountMinor: number,
      side: "shop" | "partner",
      when: string,
      id: string,
      channel?: "link" | "transfer",
    ) =>
      executeCaseCommand(db, {
        shopId: shop.id,
        caseId,
        envelope: {
          command: { type: "payment", amount: { amountMinor, currency: "EUR" }, side, ...(channel ? { channel } : {}) },
          actor: { type: "platform", id: "test" },
          reason: null,
          occurredAt: at(when),
          sourceId: id,
        },
      });
    const start = (caseId: string, when: string) =>
      startCase(db, { shopId: shop.id, caseId, actor: staff, reason: "los", now: at(when) });

    // A: started, paid in full in-house 10 days after its due date (15 Oct) → 10 days: 4,000 through the pay-now
    // link, the rest recorded by the shop (an event from before channels: a transfer).
    const a = await openTestCase(db, shop, { amountMinor: 10_000 });
    await start(a.case.id, "2026-10-16T09:00:00Z");
    await pay(a.case.id, 4_000, "shop", "2026-10-24T10:00:00Z", "a0", "link");
    await pay(a.case.id, 6_000, "shop", "2026-10-25T10:00:00Z", "a1");
    // B: started and handed over; the partner collected 3,000 of 20,000 (still running, 17,000 owed).
    const b = await openTestCase(db, shop, { amountMinor: 20_000 });
    await start(b.case.id, "2026-10-16T09:00:00Z");
    await pay(b.case.id, 3_000, "partner", "2026-11-02T10:00:00Z", "b1");
    // C: paid before anyone started it: not recovered by dunning; 30 Oct 23:30 UTC is 31 Oct in Berlin → 16 days.
    const c = await openTestCase(db, shop, { amountMinor: 5_000 });
    await pay(c.case.id, 5_000, "shop", "2026-10-30T23:30:00Z", "c1");
    // D: waiting, 7,000 open. E: started then cancelled (written off, 4,000).
    await openTestCase(db, shop, { amountMinor: 7_000 });
    const e = await openTestCase(db, shop, { amountMinor: 4_000 });
    await start(e.case.id, "2026-10-16T09:00:00Z");
    await cancelCase(db, {
      shopId: shop.id,
      caseId: e.case.id,
      actor: staff,
      reason: "Kulanz",
      now: at("2026-10-20T09:00:00Z"),
    });
    // Another shop's money never shows.
    const other = await insertShop(db);
    const x = await openTestCase(db, other, { amountMinor: 99_000 });
    await startCase(db, {
      shopId: other.id,
      caseId: x.case.id,
      actor: staff,
      reason: "x",
      now: at("2026-10-16T09:00:00Z"),
    });
  });
  afterAll(() => database.close());

  test("open and recovered amounts, recovery rate, days to payment, by status and by month", async () => {
    const report = await buildReport(database.db, shop, at("2026-11-15T12:00:00Z"), 3);
    expect(report.currency).toBe("EUR");
    expect(report.openMinor).toBe(17_000 + 7_000);
    expect(report.recoveredShopMinor).toBe(10_000);
    expect(report.recoveredPartnerMinor).toBe(3_000);
    expect(report.recoveredMinor).toBe(13_000);
    expect(report.recoveredByChannel).toEqual({ link: 4_000, transfer: 6_000, partner: 3_000 });
    // The checkout guard's count is a WooCommerce figure.
    expect(shop.platform).not.toBe("woocommerce");
    expect(report.checkoutsSteered).toBeNull();
    // 13,000 ÷ (13,000 + 17,000 owed on B + 4,000 written off on E) = 38.24 %.
    expect(report.recoveryRateBp).toBe(3824);
    expect(report.paidCases).toBe(2);
    expect(report.averageDaysToPayment).toBe(13);
    expect(report.byStatus).toMatchObject({
      all: 5,
      paid: 2,
      running: 1,
      waiting_for_approval: 1,
      closed: 0,
      cancelled: 1,
    });
    expect(report.months.map((m) => m.month)).toEqual(["2026-09", "2026-10", "2026-11"]);
    expect(report.months[1]).toMatchObject({ newCases: 5, recoveredShopMinor: 10_000, recoveredPartnerMinor: 0 });
    expect(report.months[2]).toMatchObject({ newCases: 0, recoveredShopMinor: 0, recoveredPartnerMinor: 3_000 });
  });

  test("a shop with nothing started has no rate rather than 0 %", async () => {
    const empty = await insertShop(database.db);
    const report = await buildReport(database.db, empty, at("2026-11-15T12:00:00Z"));
    expect(report).toMatchObject({ openMinor: 0, recoveredMinor: 0, recoveryRateBp: null, averageDaysToPayment: null });
    expect(report.months).toHaveLength(12);
  });

  test("months step across the year", () => {
    expect(shiftMonth("2026-01", -1)).toBe("2025-12");
    expect(shiftMonth("2026-11", 2)).toBe("2027-01");
  });
});
