import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, test } from "vitest";

import { caseEvents, cases, type Shop } from "#app/db/schema";
import { openTestCase } from "#test/support/cases";
import { createTestDatabase, type TestDatabase, testEngines } from "#test/support/db";
import { insertShop } from "#test/support/factories";

import { actOnCases, createBulkRun, getBulkRun, runBulkRun } from "./bulk-runs.server";
import { cancelCase } from "./commands.server";
import { caseListQuerySchema } from "./list.server";

const staff = { type: "staff" as const, id: "anna" };
const now = new Date("2026-10-20T09:00:00Z");

describe.each(testEngines())("bulk actions on %s", (engine) => {
  let database: TestDatabase;
  let shop: Shop;
  let other: Shop;
  beforeAll(async () => {
    database = await createTestDatabase(engine);
    shop = await insertShop(database.db);
    other = await insertShop(database.db);
  });
  afterAll(() => database.close());

  const statusOf = async (id: string) => (await database.db.select().from(cases).where(eq(cases.id, id)))[0]!.status;
  const eventCount = async (id: string) =>
    (await database.db.select().from(caseEvents).where(eq(caseEvents.caseId, id))).length;

  test("start over a filter: some succeed, failures are recorded with why, refused cases do not change", async () => {
    const good = await Promise.all([
      openTestCase(database.db, shop, { amountMinor: 50_000, firstName: "Bulk" }),
      openTestCase(database.db, shop, { amountMinor: 60_000, firstName: "Bulk" }),
    ]);
    const noStreet = await openTestCase(database.db, shop, { amountMinor: 70_000, street: null, firstName: "Bulk" });
    const cancelled = await openTestCase(database.db, shop, { amountMinor: 80_000, firstName: "Bulk" });
    await cancelCase(database.db, { shopId: shop.id, caseId: cancelled.case.id, actor: staff, reason: "vorher", now });
    const small = await openTestCase(database.db, shop, { amountMinor: 100, firstName: "Bulk" });
    const foreign = await openTestCase(database.db, other, { amountMinor: 90_000, firstName: "Bulk" });
    const eventsBefore = await eventCount(cancelled.case.id);

    const run = await createBulkRun(database.db, shop, {
      action: "start",
      reason: "Alle großen Fälle freigeben",
      query: caseListQuerySchema.parse({ q: "Bulk", minAmount: 10_000, sort: "amount", direction: "asc" }),
      actor: staff,
      now,
    });
    expect(run).toMatchObject({ status: "queued", total: 4, succeeded: 0 });
    // Pages of 50 are walked; run it like the job does, twice: the second run changes nothing.
    const done = await runBulkRun(database.db, run.id, () => now);
    expect(done).toMatchObject({ status: "done", succeeded: 2 });
    expect(done!.failures).toEqual([
      { caseId: noStreet.case.id, orderName: noStreet.order.name, code: "precheck_failed", message: "missing_street" },
      {
        caseId: cancelled.case.id,
        orderName: cancelled.order.name,
        code: "transition_not_allowed",
        message: expect.stringMatching(/closed/),
      },
    ]);
    expect(await statusOf(good[0].case.id)).toBe("running");
    expect(await statusOf(good[1].case.id)).toBe("running");
    expect(await statusOf(cancelled.case.id)).toBe("closed");
    expect(await eventCount(cancelled.case.id)).toBe(eventsBefore);
    expect(await statusOf(small.case.id)).toBe("waiting_for_approval");
    expect(await statusOf(foreign.case.id)).toBe("waiting_for_approval");
    const [started] = (
      await database.db.select().from(caseEvents).where(eq(caseEvents.caseId, good[0].case.id))
    ).filter((e) => e.type === "case_started");
    expect(started).toMatchObject({ actorType: "staff", actorId: "anna", reason: "Alle großen Fälle freigeben" });

    await runBulkRun(database.db, run.id, () => now);
    expect(await getBulkRun(database.db, shop.id, run.id)).toMatchObject({ succeeded: 2, status: "done" });
    expect(await getBulkRun(database.db, other.id, run.id)).toBeNull();
  });

  test("a run that stopped half-way resumes after the last case it handled", async () => {
    const a = await openTestCase(database.db, shop, { amountMinor: 1_001, firstName: "Resume" });
    const b = await openTestCase(database.db, shop, { amountMinor: 1_002, firstName: "Resume" });
    const run = await createBulkRun(database.db, shop, {
      action: "cancel",
      reason: "Ware zurück",
      query: caseListQuerySchema.parse({ q: "Resume", sort: "amount", direction: "asc" }),
      actor: staff,
      now,
    });
    // Simulate a crash after the first case: it was cancelled and the cursor moved on in the same transaction.
    const { listCases } = await import("./list.server");
    const page = await listCases(
      database.db,
      shop.id,
      caseListQuerySchema.parse({ q: "Resume", sort: "amount", direction: "asc" }),
    );
    expect(page.cases[0]?.id).toBe(a.case.id);
    await cancelCase(database.db, { shopId: shop.id, caseId: a.case.id, actor: staff, reason: "Ware zurück", now });
    const { bulkRuns } = await import("#app/db/schema");
    await database.db
      .update(bulkRuns)
      .set({ status: "running", succeeded: 1, filter: { ...(run.filter as object), cursor: page.cursors[0] } })
      .where(eq(bulkRuns.id, run.id));
    const done = await runBulkRun(database.db, run.id, () => now);
    expect(done).toMatchObject({ status: "done", succeeded: 2, failures: [] });
    expect(await statusOf(b.case.id)).toBe("closed");
  });

  test("selected cases: counts and reasons, another shop's case is not found", async () => {
    const ok = await openTestCase(database.db, shop, { firstName: "Sel" });
    const foreign = await openTestCase(database.db, other, { firstName: "Sel" });
    const result = await actOnCases(database.db, shop, {
      action: "cancel",
      caseIds: [ok.case.id, foreign.case.id],
      reason: "Kulanz",
      actor: staff,
      now,
    });
    expect(result.succeeded).toBe(1);
    expect(result.failures).toEqual([
      { caseId: foreign.case.id, orderName: "", code: "not_found", message: "No such case." },
    ]);
    expect(await statusOf(foreign.case.id)).toBe("waiting_for_approval");
  });
});
