import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, test } from "vitest";

import { caseEvents, cases, type Shop } from "#app/db/schema";
import { replay } from "#app/domain/case/events";
import { updateSettings } from "#app/services/settings/settings.server";
import { openTestCase } from "#test/support/cases";
import { createTestDatabase, type TestDatabase, testEngines } from "#test/support/db";
import { insertShop } from "#test/support/factories";

import { cancelCase, executeCaseCommand, openCaseForOrder, startCase } from "./commands.server";
import { caseFromJson, eventFromRow } from "./serialization";

const support = { type: "support" as const, id: "maria" };
const now = new Date("2026-11-23T10:00:00Z");

describe.each(testEngines())("case service on %s", (engine) => {
  let database: TestDatabase;
  let shop: Shop;
  beforeAll(async () => {
    database = await createTestDatabase(engine);
    shop = await insertShop(database.db);
  });
  afterAll(() => database.close());

  const eventsOf = async (caseId: string) =>
    (await database.db.select().from(caseEvents).where(eq(caseEvents.caseId, caseId))).sort((a, b) => a.seq - b.seq);

  test("start records who and why, and schedules the first reminder in the shop's time zone", async () => {
    const { case: opened } = await openTestCase(database.db, shop, { dueDate: "2026-11-20" });
    const result = await startCase(database.db, {
      shopId: shop.id,
      caseId: opened.id,
      actor: support,
      reason: "Kunde erreicht",
      now,
    });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.case.status).toBe("running");
    // Due 2026-11-20 + 5 days = 2026-11-25, at 08:00 in Berlin (07:00 UTC in winter).
    expect(result.case.nextActionAt?.toISOString()).toBe("2026-11-25T07:00:00.000Z");
    const events = await eventsOf(opened.id);
    expect(events.map((e) => [e.seq, e.type, e.actorType, e.actorId, e.reason])).toEqual([
      [1, "case_opened", "scheduler", "dunning", null],
      [2, "case_started", "support", "maria", "Kunde erreicht"],
    ]);
  });

  test("a refused command changes nothing and says why", async () => {
    const { case: opened } = await openTestCase(database.db, shop);
    await cancelCase(database.db, { shopId: shop.id, caseId: opened.id, actor: support, reason: "Dublette", now });
    const before = await database.db.select().from(cases).where(eq(cases.id, opened.id));
    const eventsBefore = await eventsOf(opened.id);
    const result = await startCase(database.db, {
      shopId: shop.id,
      caseId: opened.id,
      actor: support,
      reason: "doch",
      now,
    });
    expect(result).toMatchObject({
      ok: false,
      error: { code: "transition_not_allowed", details: { from: "closed", command: "start" } },
    });
    expect(!result.ok && result.error.message).toMatch(/closed/);
    expect(await database.db.select().from(cases).where(eq(cases.id, opened.id))).toEqual(before);
    expect(await eventsOf(opened.id)).toEqual(eventsBefore);
  });

  test("a case of another shop is not found", async () => {
    const other = await insertShop(database.db);
    const { case: theirs } = await openTestCase(database.db, other);
    const result = await startCase(database.db, {
      shopId: shop.id,
      caseId: theirs.id,
      actor: support,
      reason: "x",
      now,
    });
    expect(result).toMatchObject({ ok: false, error: { code: "not_found" } });
  });

  test("an incomplete address fails the start with every missing item", async () => {
    const { case: opened } = await openTestCase(database.db, shop, { street: null });
    const result = await startCase(database.db, {
      shopId: shop.id,
      caseId: opened.id,
      actor: support,
      reason: "los",
      now,
    });
    expect(result.ok && result.case.status).toBe("failed");
    expect(result.ok && caseFromJson(result.case.state).failureReasons).toEqual(["missing_street"]);
  });

  test("two concurrent cancels: one succeeds, the other is refused", async () => {
    const { case: opened } = await openTestCase(database.db, shop);
    await startCase(database.db, { shopId: shop.id, caseId: opened.id, actor: support, reason: "los", now });
    const results = await Promise.all([
      cancelCase(database.db, { shopId: shop.id, caseId: opened.id, actor: support, reason: "A", now }),
      cancelCase(database.db, {
        shopId: shop.id,
        caseId: opened.id,
        actor: { type: "staff", id: "b" },
        reason: "B",
        now,
      }),
    ]);
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.filter((r) => !r.ok).map((r) => !r.ok && r.error.code)).toEqual(["transition_not_allowed"]);
    expect((await eventsOf(opened.id)).filter((e) => e.type === "case_cancelled")).toHaveLength(1);
  });

  test("a fact with the same source id twice is recorded once", async () => {
    const { case: opened } = await openTestCase(database.db, shop);
    const pay = () =>
      executeCaseCommand(database.db, {
        shopId: shop.id,
        caseId: opened.id,
        envelope: {
          command: { type: "payment", amount: { amountMinor: 1_000, currency: "EUR" }, side: "shop" },
          actor: { type: "platform", id: "shopify" },
          reason: null,
          occurredAt: now,
          sourceId: "txn-42",
        },
      });
    await pay();
    await pay();
    const row = (await database.db.select().from(cases).where(eq(cases.id, opened.id)))[0]!;
    expect(row.outstandingMinor).toBe(10_990);
    expect((await eventsOf(opened.id)).filter((e) => e.type === "payment_received")).toHaveLength(1);
  });

  test("automatic handover starts cases at or above the threshold; below waits for approval", async () => {
    const auto = await insertShop(database.db);
    const saved = await updateSettings(
      database.db,
      auto.id,
      { autoHandover: { mode: "threshold", minimumMajor: 100 } },
      { changedBy: "staff:owner", now },
    );
    expect(saved.ok).toBe(true);
    const at = await openTestCase(database.db, auto, { amountMinor: 10_000 });
    const below = await openTestCase(database.db, auto, { amountMinor: 9_999 });
    expect(at.case.status).toBe("running");
    expect((await eventsOf(at.case.id)).map((e) => [e.type, e.actorType])).toEqual([
      ["case_opened", "scheduler"],
      ["case_started", "system"],
    ]);
    expect(below.case.status).toBe("waiting_for_approval");
  });

  test("opening the same order twice creates one case", async () => {
    const { order } = await openTestCase(database.db, shop);
    const again = await openCaseForOrder(database.db, {
      shop,
      order,
      kind: "invoice",
      outstanding: { amountMinor: 11_990, currency: "EUR" },
      dueDate: "2026-10-15",
      actor: { type: "scheduler", id: "dunning" },
      now,
      sourceId: null,
    });
    expect(again).toBeNull();
  });

  test("every stored case equals the replay of its events", async () => {
    const rows = await database.db.select().from(cases);
    const events = await database.db.select().from(caseEvents);
    expect(rows.length).toBeGreaterThan(5);
    for (const row of rows) {
      const own = events
        .filter((e) => e.caseId === row.id)
        .sort((a, b) => a.seq - b.seq)
        .map(eventFromRow);
      expect(replay(own)).toEqual(caseFromJson(row.state));
    }
  });
});
