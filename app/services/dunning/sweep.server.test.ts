import { eq, sql } from "drizzle-orm";
import { afterEach, describe, expect, test } from "vitest";

import { caseEvents, cases, orders, outbox, type Shop, shops } from "#app/db/schema";
import { startCase } from "#app/services/cases/commands.server";
import { updateSettings } from "#app/services/settings/settings.server";
import { createTestDatabase, type TestDatabase, testEngines } from "#test/support/db";
import { insertOrder as insertOrderRow, insertShop } from "#test/support/factories";

import { advanceDueCases, openOverdueCases, runDunningSweep } from "./sweep.server";

describe.each(testEngines())("dunning sweep on %s", (engine) => {
  let database: TestDatabase;
  afterEach(async () => database?.close());

  const insertOrder = (shop: Shop, dueDate: string, overrides: Partial<typeof orders.$inferInsert> = {}) =>
    insertOrderRow(database.db, shop, { dueDate, ...overrides });
  test("opens a case for each invoice order whose due day has passed in the shop's zone, once", async () => {
    database = await createTestDatabase(engine);
    const berlin = await insertShop(database.db, { timezone: "Europe/Berlin" });
    const gone = await insertShop(database.db, { status: "uninstalled" });
    const overdue = await insertOrder(berlin, "2026-11-01");
    await insertOrder(berlin, "2026-11-02"); // due today in Berlin
    await insertOrder(berlin, "2026-10-01", { cancelledAt: new Date("2026-10-02T10:00:00Z") });
    await insertOrder(berlin, "2026-10-01", { financialStatus: "paid", outstandingMinor: 0 });
    await insertOrder(gone, "2026-10-01");
    // 2026-11-02 00:30 in Berlin: the 1st has ended there.
    const now = new Date("2026-11-01T23:30:00Z");
    expect(await openOverdueCases(database.db, now)).toBe(1);
    expect(await openOverdueCases(database.db, now)).toBe(0);
    const rows = await database.db.select().from(cases);
    expect(rows).toMatchObject([
      { orderId: overdue.id, status: "waiting_for_approval", dueDate: "2026-11-01", outstandingMinor: 11_990 },
    ]);
  });

  test("the automatic-handover rule starts cases at once; below the threshold they wait", async () => {
    database = await createTestDatabase(engine);
    const shop = await insertShop(database.db);
    const saved = await updateSettings(
      database.db,
      shop.id,
      { autoHandover: { mode: "threshold", minimumMajor: 100 } },
      { changedBy: "test", now: new Date() },
    );
    expect(saved.ok).toBe(true);
    await insertOrder(shop, "2026-10-20", { totalMinor: 10_000, outstandingMinor: 10_000 });
    await insertOrder(shop, "2026-10-20", { totalMinor: 9_999, outstandingMinor: 9_999 });
    await openOverdueCases(database.db, new Date("2026-11-02T09:00:00Z"));
    const rows = await database.db.select().from(cases).orderBy(cases.outstandingMinor);
    expect(rows.map((r) => [r.outstandingMinor, r.status])).toEqual([
      [9_999, "waiting_for_approval"],
      [10_000, "running"],
    ]);
  });

  test("a running case goes through every reminder to the handover, each step once, inside the send window", async () => {
    database = await createTestDatabase(engine);
    const shop = await insertShop(database.db, { timezone: "Europe/Berlin" });
    await insertOrder(shop, "2026-10-01");
    await openOverdueCases(database.db, new Date("2026-10-02T09:00:00Z"));
    const [opened] = await database.db.select().from(cases);
    const started = await startCase(database.db, {
      shopId: shop.id,
      caseId: opened!.id,
      actor: { type: "staff", id: "t" },
      reason: "go",
      now: new Date("2026-10-02T09:00:00Z"),
    });
    expect(started.ok && started.case.nextActionAt?.toISOString()).toBe("2026-10-06T06:00:00.000Z"); // 6 Oct, 08:00 Berlin

    const caseNow = async () => (await database.db.select().from(cases).where(eq(cases.id, opened!.id)))[0]!;
    expect(await advanceDueCases(database.db, new Date("2026-10-06T05:30:00Z"))).toEqual({
      advanced: 0,
      skippedOutsideWindow: 0,
    });
    // Missed in the morning (workers down): at 21:30 Berlin it is due but outside the window, so it waits.
    expect(await advanceDueCases(database.db, new Date("2026-10-06T19:30:00Z"))).toEqual({
      advanced: 0,
      skippedOutsideWindow: 1,
    });
    expect(await advanceDueCases(database.db, new Date("2026-10-07T06:05:00Z"))).toEqual({
      advanced: 1,
      skippedOutsideWindow: 0,
    });
    expect(await advanceDueCases(database.db, new Date("2026-10-07T06:06:00Z"))).toEqual({
      advanced: 0,
      skippedOutsideWindow: 0,
    });
    expect(await caseNow()).toMatchObject({ dunningLevel: "reminder_1" });
    // Reminder 1 went out Wed 7 Oct with 10 days to pay: Sat 17 Oct moves to Mon 19 (§ 193 BGB); the next step waits
    // 3 working days more (Tue, Wed, Thu) and runs Thu 22 Oct at 08:00 Berlin.
    expect(await caseNow()).toMatchObject({
      state: expect.objectContaining({ paymentDeadline: "2026-10-19", firstDeadline: "2026-10-19" }),
    });
    expect((await caseNow()).nextActionAt?.toISOString()).toBe("2026-10-22T06:00:00.000Z");
    await runDunningSweep(database.db, new Date("2026-10-21T07:00:00Z"));
    expect(await caseNow()).toMatchObject({ dunningLevel: "reminder_1" });
    await runDunningSweep(database.db, new Date("2026-10-22T07:00:00Z"));
    expect(await caseNow()).toMatchObject({
      dunningLevel: "reminder_2",
      state: expect.objectContaining({ paymentDeadline: "2026-10-29", firstDeadline: "2026-10-19" }),
    });
    // Deadline Thu 29 Oct, then Fri 30, Mon 2, Tue 3 Nov: 08:00 Berlin, now winter time (UTC+1).
    expect((await caseNow()).nextActionAt?.toISOString()).toBe("2026-11-03T07:00:00.000Z");
    await runDunningSweep(database.db, new Date("2026-11-03T08:00:00Z"));
    expect(await caseNow()).toMatchObject({
      dunningLevel: "final_reminder",
      state: expect.objectContaining({ paymentDeadline: "2026-11-10" }),
    });
    // The handover only after the final reminder's deadline (Tue 10 Nov) and the grace (Wed, Thu, Fri).
    expect((await caseNow()).nextActionAt?.toISOString()).toBe("2026-11-13T07:00:00.000Z");
    await runDunningSweep(database.db, new Date("2026-11-10T20:00:00Z"));
    expect(await caseNow()).toMatchObject({ status: "running" });
    await runDunningSweep(database.db, new Date("2026-11-13T08:00:00Z"));
    expect(await caseNow()).toMatchObject({ status: "handed_over" });

    const queued = (await database.db.select().from(outbox)).filter((r) => r.kind !== "shopify.write_back");
    expect(queued.map((r) => r.idempotencyKey).sort()).toEqual(
      [
        `claim:${opened!.id}`,
        `reminder:${opened!.id}:final_reminder`,
        `reminder:${opened!.id}:reminder_1`,
        `reminder:${opened!.id}:reminder_2`,
      ].sort(),
    );
    const types = (await database.db.select().from(caseEvents).where(eq(caseEvents.caseId, opened!.id))).map(
      (e) => e.type,
    );
    expect(types.filter((t) => t === "dunning_level_reached")).toHaveLength(3);
    expect(types.filter((t) => t === "handed_over")).toHaveLength(1);
  });

  test("sweeps running side by side never reach a level twice", async () => {
    database = await createTestDatabase(engine);
    const shop = await insertShop(database.db);
    for (let i = 0; i < 12; i++) await insertOrder(shop, "2026-10-01");
    await updateSettings(
      database.db,
      shop.id,
      { autoHandover: { mode: "all" } },
      { changedBy: "test", now: new Date() },
    );
    await openOverdueCases(database.db, new Date("2026-10-02T09:00:00Z"));
    const now = new Date("2026-10-06T09:00:00Z");
    await Promise.all([
      runDunningSweep(database.db, now),
      runDunningSweep(database.db, now),
      runDunningSweep(database.db, now),
    ]);
    const rows = await database.db.select().from(cases);
    expect(rows.every((r) => r.dunningLevel === "reminder_1")).toBe(true);
    expect((await database.db.select().from(outbox)).filter((r) => r.kind === "reminder.send")).toHaveLength(12);
    const reached = (await database.db.select().from(caseEvents)).filter((e) => e.type === "dunning_level_reached");
    expect(reached).toHaveLength(12);
  });

  test("batches in flight side by side, in two sweeps at once, take each due case exactly once", async () => {
    database = await createTestDatabase(engine);
    const shop = await insertShop(database.db);
    for (let i = 0; i < 23; i++) await insertOrder(shop, "2026-10-01");
    await updateSettings(
      database.db,
      shop.id,
      { autoHandover: { mode: "all" } },
      { changedBy: "test", now: new Date() },
    );
    await openOverdueCases(database.db, new Date("2026-10-02T09:00:00Z"));
    const now = new Date("2026-10-06T09:00:00Z");
    const reports = await Promise.all([
      advanceDueCases(database.db, now, { lanes: 3, batchSize: 4 }),
      advanceDueCases(database.db, now, { lanes: 2, batchSize: 5 }),
    ]);
    expect(reports[0]!.advanced + reports[1]!.advanced).toBe(23);
    expect(reports.map((r) => r.skippedOutsideWindow)).toEqual([0, 0]);
    const rows = await database.db.select().from(cases);
    expect(rows.map((r) => [r.dunningLevel, r.version])).toEqual(rows.map(() => ["reminder_1", 2]));
    expect((await database.db.select().from(outbox)).filter((r) => r.kind === "reminder.send")).toHaveLength(23);
    // Each case's events stay numbered 1, 2, 3 (opened, started, reminder 1): no gap, no repeat.
    const events = await database.db.select().from(caseEvents).orderBy(caseEvents.caseId, caseEvents.seq);
    const seqs = new Map<string, number[]>();
    for (const e of events) seqs.set(e.caseId, [...(seqs.get(e.caseId) ?? []), e.seq]);
    expect([...seqs.values()]).toEqual(rows.map(() => [1, 2, 3]));
    // Sent Tue 6 Oct with 10 days to pay: deadline Fri 16 Oct; no fee on the first reminder.
    expect(events.filter((e) => e.type === "dunning_level_reached").map((e) => e.data)).toEqual(
      rows.map(() => ({
        level: "reminder_1",
        nextActionAt: expect.any(String),
        paymentDeadline: "2026-10-16",
        fee: null,
      })),
    );
  });

  test("cases, and the events and outbox rows of their steps, get time-ordered ids (UUIDv7), advanced in id order", async () => {
    // The sweep takes due cases in id order so that its writes land on neighbouring pages; that only holds while these
    // ids are time-ordered (docs/performance.md, "Dunning sweep").
    database = await createTestDatabase(engine);
    const shop = await insertShop(database.db);
    for (let i = 0; i < 5; i++) await insertOrder(shop, "2026-10-01");
    await updateSettings(
      database.db,
      shop.id,
      { autoHandover: { mode: "all" } },
      { changedBy: "test", now: new Date() },
    );
    await openOverdueCases(database.db, new Date("2026-10-02T09:00:00Z"));
    // Due in the reverse order of their ids, so that due order and id order differ.
    const opened = (await database.db.select({ id: cases.id }).from(cases)).map((r) => r.id).sort();
    for (const [i, id] of opened.entries()) {
      const at = new Date(Date.parse("2026-10-06T08:00:00Z") - i * 60_000).toISOString();
      await database.db
        .update(cases)
        .set({
          nextActionAt: new Date(at),
          state: sql`jsonb_set(${cases.state}, '{nextActionAt}', to_jsonb(${at}::text))`,
        })
        .where(eq(cases.id, id));
    }
    const now = new Date("2026-10-06T09:00:00Z");
    expect(await advanceDueCases(database.db, now, { lanes: 1, batchSize: 2 })).toEqual({
      advanced: 5,
      skippedOutsideWindow: 0,
    });
    const v7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
    const rows = await database.db.select().from(cases);
    expect(rows.map((r) => r.id)).toEqual(rows.map(() => expect.stringMatching(v7)));
    const reached = (await database.db.select().from(caseEvents)).filter((e) => e.type === "dunning_level_reached");
    const reminders = (await database.db.select().from(outbox)).filter((r) => r.kind === "reminder.send");
    expect([...reached, ...reminders].map((r) => r.id)).toEqual(
      [...reached, ...reminders].map(() => expect.stringMatching(v7)),
    );
    // One lane, batches of two: each step's event id is later than the one before, and the steps came in case id order.
    const byEvent = [...reached].sort((a, b) => (a.id < b.id ? -1 : 1)).map((e) => e.caseId);
    expect(byEvent).toEqual([...byEvent].sort());
  });

  test("an uninstalled shop's cases are never advanced", async () => {
    database = await createTestDatabase(engine);
    const shop = await insertShop(database.db);
    await insertOrder(shop, "2026-10-01");
    await updateSettings(
      database.db,
      shop.id,
      { autoHandover: { mode: "all" } },
      { changedBy: "test", now: new Date() },
    );
    await openOverdueCases(database.db, new Date("2026-10-02T09:00:00Z"));
    await database.db.update(shops).set({ status: "uninstalled" }).where(eq(shops.id, shop.id));
    expect(await runDunningSweep(database.db, new Date("2026-12-01T09:00:00Z"))).toEqual({
      opened: 0,
      advanced: 0,
      skippedOutsideWindow: 0,
    });
    expect((await database.db.select().from(outbox)).filter((r) => r.kind === "reminder.send")).toEqual([]);
  });
});
