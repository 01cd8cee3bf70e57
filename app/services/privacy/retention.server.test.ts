import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, test } from "vitest";

import type { DbOrTx } from "#app/db/client.server";
import {
  accessLog,
  caseEvents,
  cases,
  dataRequests,
  loginTokens,
  orders,
  outbox,
  retentionRuns,
  type Shop,
  staffSessions,
  webhookInbox,
} from "#app/db/schema";
import { updateSettings } from "#app/services/settings/settings.server";
import { createTestDatabase, type TestDatabase, testEngines } from "#test/support/db";
import { insertCaseRow, insertOrder, insertShop } from "#test/support/factories";

import { lastRetentionRun, RETENTION_RULES, retentionRunToJson, runRetention } from "./retention.server";

/*
 * Each enforced rule against rows one minute inside and one minute outside its period (fake clock), plus rows it must
 * never touch; the sweep twice; two sweeps at once; a dry run.
 */

const NOW = new Date("2027-03-01T12:00:00Z");
const MINUTE = 60_000;
const DAY = 86_400_000;
const ago = (days: number, minutes = 0) => new Date(NOW.getTime() - days * DAY - minutes * MINUTE);
/** Just outside a period of `days`: one minute past it. Just inside: one minute short of it. */
const outside = (days: number) => ago(days, 1);
const inside = (days: number) => ago(days, -1);

const ENFORCED = RETENTION_RULES.filter((r) => r.enforced).map((r) => r.id);
const ONE_EACH = Object.fromEntries(ENFORCED.map((id) => [id, 1]));
const NONE = Object.fromEntries(ENFORCED.map((id) => [id, 0]));

let counter = 0;
const key = (prefix: string) => `${prefix}-${++counter}-${Math.random().toString(36).slice(2, 8)}`;

type Seeded = {
  inboxOut: string;
  inboxIn: string;
  inboxReceived: string;
  deadOut: string;
  deadIn: string;
  outboxOut: string;
  outboxIn: string;
  outboxPending: string;
  paidOut: string;
  paidIn: string;
  unpaidOld: string;
  withCase: string;
  tokenOut: string;
  tokenIn: string;
  sessionOut: string;
  sessionIn: string;
  exportOut: string;
  exportIn: string;
  accessOut: string;
  accessIn: string;
  caseOut: string;
  caseIn: string;
};

async function inbox(
  db: DbOrTx,
  shop: Shop,
  status: "received" | "processed" | "ignored" | "rejected" | "dead",
  receivedAt: Date,
): Promise<string> {
  const [row] = await db
    .insert(webhookInbox)
    .values({
      platform: "shopify",
      source: shop.domain,
      shopId: shop.id,
      topic: "orders/updated",
      dedupeKey: key("d"),
      headers: { "x-shopify-topic": "orders/updated" },
      body: '{"email":"anna@example.de"}',
      status,
      receivedAt,
      processedAt: status === "received" ? null : receivedAt,
    })
    .returning();
  return row!.id;
}

async function outboxRow(db: DbOrTx, shop: Shop, status: "pending" | "done", updatedAt: Date): Promise<string> {
  const [row] = await db
    .insert(outbox)
    .values({
      shopId: shop.id,
      kind: "reminder.send",
      idempotencyKey: key("o"),
      payload: { caseId: "x", level: "reminder_1" },
      status,
      lastError: "mailbox of <anna@example.de> full",
      result: { messageId: "m1" },
      createdAt: updatedAt,
      updatedAt,
    })
    .returning();
  return row!.id;
}

async function paidOrder(
  db: DbOrTx,
  shop: Shop,
  updatedAt: Date,
  overrides: Partial<typeof orders.$inferInsert> = {},
): Promise<string> {
  return (await insertOrder(db, shop, { financialStatus: "paid", outstandingMinor: 0, updatedAt, ...overrides })).id;
}

async function seed(db: DbOrTx, shop: Shop): Promise<Seeded> {
  const withCase = await insertCaseRow(db, shop, { status: "paid", outstandingMinor: 0 });
  await db
    .update(orders)
    .set({ financialStatus: "paid", outstandingMinor: 0, updatedAt: ago(400) })
    .where(eq(orders.id, withCase.orderId));
  const token = async (expiresAt: Date) =>
    (
      await db
        .insert(loginTokens)
        .values({ shopId: shop.id, kind: "magic_link", tokenHash: key("t"), email: "staff@example.de", expiresAt })
        .returning()
    )[0]!.id;
  const session = async (expiresAt: Date) =>
    (
      await db
        .insert(staffSessions)
        .values({ shopId: shop.id, email: "staff@example.de", sessionHash: key("s"), expiresAt })
        .returning()
    )[0]!.id;
  const access = async (at: Date) =>
    (
      await db
        .insert(accessLog)
        .values({ shopId: shop.id, at, channel: "tab", actorId: "wp:42", actorName: "Anna Schmidt", what: "case" })
        .returning()
    )[0]!.id;
  const dataExport = async (createdAt: Date) =>
    (
      await db
        .insert(dataRequests)
        .values({
          shopId: shop.id,
          platformCustomerId: "1",
          data: { customer: { email: "anna@example.de" } },
          createdAt,
        })
        .returning()
    )[0]!.id;
  return {
    inboxOut: await inbox(db, shop, "processed", outside(7)),
    inboxIn: await inbox(db, shop, "ignored", inside(7)),
    inboxReceived: await inbox(db, shop, "received", ago(60)),
    deadOut: await inbox(db, shop, "dead", outside(30)),
    deadIn: await inbox(db, shop, "rejected", inside(30)),
    outboxOut: await outboxRow(db, shop, "done", outside(30)),
    outboxIn: await outboxRow(db, shop, "done", inside(30)),
    outboxPending: await outboxRow(db, shop, "pending", ago(60)),
    paidOut: await paidOrder(db, shop, outside(30)),
    paidIn: await paidOrder(db, shop, inside(30)),
    unpaidOld: (await insertOrder(db, shop, { updatedAt: ago(400) })).id,
    withCase: withCase.orderId,
    tokenOut: await token(ago(0, 1)),
    tokenIn: await token(ago(0, -1)),
    sessionOut: await session(ago(0, 1)),
    sessionIn: await session(ago(0, -1)),
    exportOut: await dataExport(outside(30)),
    exportIn: await dataExport(inside(30)),
    accessOut: await access(outside(365)),
    accessIn: await access(inside(365)),
    // NOW is in 2027, the shop's default is 10 years: a case that ended in 2016 (Berlin) is past its period, one that
    // ended at 00:30 on 1 January 2017 in Berlin (still 2016 in UTC) is not.
    caseOut: await endedCase(db, shop, new Date("2016-12-31T22:30:00Z")),
    caseIn: await endedCase(db, shop, new Date("2016-12-31T23:30:00Z")),
  };
}

/** A paid case whose event reason and outbox error quote the customer, last changed at `endedAt`. */
async function endedCase(db: DbOrTx, shop: Shop, endedAt: Date, lastName = "Quorble"): Promise<string> {
  const row = await insertCaseRow(db, shop, { status: "paid", outstandingMinor: 0, lastName });
  await db.insert(caseEvents).values({
    shopId: shop.id,
    caseId: row.id,
    seq: 1,
    type: "note",
    actorType: "staff",
    actorId: "demo",
    reason: `Frau ${lastName} rief an`,
    data: { to: "anna@example.de" },
    occurredAt: endedAt,
  });
  await db.insert(outbox).values({
    shopId: shop.id,
    caseId: row.id,
    kind: "reminder.send",
    idempotencyKey: key("c"),
    payload: { caseId: row.id },
    status: "failed",
    lastError: "mailbox of <anna@example.de> full",
    updatedAt: endedAt,
  });
  await db.update(cases).set({ updatedAt: endedAt }).where(eq(cases.id, row.id));
  return row.id;
}

async function inboxRow(db: DbOrTx, id: string) {
  return (await db.select().from(webhookInbox).where(eq(webhookInbox.id, id)))[0];
}

describe.each(testEngines())("retention on %s", (engine) => {
  let database: TestDatabase;
  let db: DbOrTx;

  beforeAll(async () => {
    database = await createTestDatabase(engine);
    db = database.db;
  }, 60_000);
  afterAll(() => database?.close());

  async function emptyTables() {
    await db.execute(sql`truncate shops, webhook_inbox, retention_runs cascade`);
  }

  test("removes what is past its period, leaves what is inside it, and a second run removes nothing", async () => {
    await emptyTables();
    const shop = await insertShop(db);
    const s = await seed(db, shop);

    const first = await runRetention(db, { now: NOW });
    expect(first.error).toBeNull();
    expect(first.removed).toEqual(ONE_EACH);

    // Inbox: body and headers go, the dedupe key and status stay; inside the window and unprocessed rows untouched.
    const cleared = await inboxRow(db, s.inboxOut);
    expect(cleared).toMatchObject({ body: '{"redacted":true}', headers: {}, status: "processed" });
    expect(cleared!.dedupeKey).toMatch(/^d-/);
    expect(await inboxRow(db, s.inboxIn)).toMatchObject({ body: '{"email":"anna@example.de"}', status: "ignored" });
    expect(await inboxRow(db, s.inboxReceived)).toMatchObject({ body: '{"email":"anna@example.de"}' });
    expect(await inboxRow(db, s.deadOut)).toBeUndefined();
    expect(await inboxRow(db, s.deadIn)).toMatchObject({ status: "rejected", body: '{"email":"anna@example.de"}' });

    // Outbox: the outcome stays.
    const byOutboxId = async (id: string) => (await db.select().from(outbox).where(eq(outbox.id, id)))[0]!;
    expect(await byOutboxId(s.outboxOut)).toMatchObject({
      payload: { redacted: true },
      lastError: null,
      status: "done",
      result: { messageId: "m1" },
    });
    expect(await byOutboxId(s.outboxIn)).toMatchObject({
      payload: { caseId: "x", level: "reminder_1" },
      lastError: expect.stringContaining("anna"),
    });
    expect(await byOutboxId(s.outboxPending)).toMatchObject({ payload: { caseId: "x", level: "reminder_1" } });

    // Orders: only the one paid without a case, past 30 days.
    const byOrderId = async (id: string) => (await db.select().from(orders).where(eq(orders.id, id)))[0]!;
    const paidOut = await byOrderId(s.paidOut);
    expect(paidOut.customer).toEqual({
      platformCustomerId: null,
      firstName: null,
      lastName: null,
      company: null,
      email: null,
      phone: null,
      locale: null,
    });
    expect(paidOut.billingAddress).toBeNull();
    expect(paidOut.totalMinor).toBe(11_990);
    for (const id of [s.paidIn, s.unpaidOld, s.withCase])
      expect((await byOrderId(id)).customer.lastName).toBe("Müller");
    expect((await byOrderId(s.paidIn)).billingAddress).not.toBeNull();

    const ids = async (table: typeof loginTokens | typeof staffSessions | typeof dataRequests | typeof accessLog) =>
      (await db.select({ id: table.id }).from(table)).map((r) => r.id);
    expect(await ids(loginTokens)).toEqual([s.tokenIn]);
    expect(await ids(staffSessions)).toEqual([s.sessionIn]);
    expect(await ids(dataRequests)).toEqual([s.exportIn]);
    expect(await ids(accessLog)).toEqual([s.accessIn]);

    // Cases: the one past its period has lost its customer everywhere it was; amounts and the order number stay.
    const caseOut = (await db.select().from(cases).where(eq(cases.id, s.caseOut)))[0]!;
    expect(caseOut).toMatchObject({
      customerFirstName: null,
      customerLastName: null,
      outstandingMinor: 0,
      status: "paid",
    });
    expect(caseOut.anonymisedAt).not.toBeNull();
    expect((await byOrderId(caseOut.orderId)).customer.email).toBeNull();
    expect((await byOrderId(caseOut.orderId)).billingAddress).toBeNull();
    const texts = async (caseId: string) =>
      JSON.stringify([
        await db
          .select({ reason: caseEvents.reason, data: caseEvents.data })
          .from(caseEvents)
          .where(eq(caseEvents.caseId, caseId)),
        await db.select({ lastError: outbox.lastError }).from(outbox).where(eq(outbox.caseId, caseId)),
      ]);
    expect(await texts(s.caseOut)).not.toMatch(/Quorble|anna@example/);
    expect(await texts(s.caseOut)).toContain("[redacted]");
    const caseIn = (await db.select().from(cases).where(eq(cases.id, s.caseIn)))[0]!;
    expect(caseIn).toMatchObject({ customerLastName: "Quorble", anonymisedAt: null });
    expect(await texts(s.caseIn)).toMatch(/Quorble/);

    const second = await runRetention(db, { now: NOW });
    expect(second.removed).toEqual(NONE);

    const last = await lastRetentionRun(db);
    expect(retentionRunToJson(last)).toMatchObject({
      startedAt: second.startedAt.toISOString(),
      removed: NONE,
      error: null,
    });
    expect(await db.$count(retentionRuns)).toBe(2);
  }, 60_000);

  test("a dry run counts and changes nothing, and is not recorded", async () => {
    await emptyTables();
    const shop = await insertShop(db);
    const s = await seed(db, shop);
    const report = await runRetention(db, { now: NOW, dryRun: true });
    expect(report).toMatchObject({ dryRun: true, removed: ONE_EACH, error: null });
    expect(await inboxRow(db, s.inboxOut)).toMatchObject({ body: '{"email":"anna@example.de"}' });
    expect(await inboxRow(db, s.deadOut)).toBeDefined();
    expect((await db.select().from(orders).where(eq(orders.id, s.paidOut)))[0]!.customer.lastName).toBe("Müller");
    expect(await db.$count(loginTokens)).toBe(2);
    expect(await lastRetentionRun(db)).toBeNull();
    // The real run afterwards removes exactly what the dry run counted.
    expect((await runRetention(db, { now: NOW })).removed).toEqual(report.removed);
  }, 60_000);

  test("ended cases: the shop's setting of 6 years counts from the end of the year the case ended", async () => {
    await emptyTables();
    const shop = await insertShop(db);
    await updateSettings(db, shop.id, { caseRetentionYears: 6 }, { changedBy: "t", now: NOW });
    const ended2020 = await endedCase(db, shop, new Date("2020-07-01T10:00:00Z"));
    const ended2021 = await endedCase(db, shop, new Date("2021-01-02T10:00:00Z"));
    const running = await insertCaseRow(db, shop, { status: "running" });
    await db
      .update(cases)
      .set({ updatedAt: new Date("2001-01-01T00:00:00Z") })
      .where(eq(cases.id, running.id));
    const report = await runRetention(db, { now: NOW });
    expect(report.removed["cases.commercial"]).toBe(1);
    const names = Object.fromEntries((await db.select().from(cases)).map((c) => [c.id, c.customerLastName]));
    expect(names).toEqual({ [ended2020]: null, [ended2021]: "Quorble", [running.id]: "Müller" });
    expect((await runRetention(db, { now: NOW })).removed["cases.commercial"]).toBe(0);
  }, 60_000);

  test("two runs at once, in small batches, split the work without counting a row twice", async () => {
    await emptyTables();
    const shop = await insertShop(db);
    const n = 260;
    await db.execute(sql`
      insert into webhook_inbox (platform, source, shop_id, topic, dedupe_key, headers, body, status, received_at, processed_at)
      select 'shopify', ${shop.domain}, ${shop.id}::uuid, 'orders/updated', 'bulk-' || i, '{"a":"b"}'::jsonb, '{"x":1}',
             case when i % 2 = 0 then 'processed' else 'dead' end, ${ago(40).toISOString()}::timestamptz, ${ago(40).toISOString()}::timestamptz
      from generate_series(1, ${n}::int) as i`);
    const [a, b] = await Promise.all([
      runRetention(db, { now: NOW, batch: 20 }),
      runRetention(db, { now: NOW, batch: 20 }),
    ]);
    expect(a.error).toBeNull();
    expect(b.error).toBeNull();
    expect(a.removed["inbox.bodies"]! + b.removed["inbox.bodies"]!).toBe(n / 2);
    expect(a.removed["inbox.failed"]! + b.removed["inbox.failed"]!).toBe(n / 2);
    expect(await db.$count(webhookInbox)).toBe(n / 2);
    expect(await db.$count(webhookInbox, sql`body <> '{"redacted":true}'`)).toBe(0);
    expect((await runRetention(db, { now: NOW })).removed).toEqual(NONE);
  }, 60_000);
});

test("every rule says what it removes, for how long and why; only rules with SQL are enforced", () => {
  for (const rule of RETENTION_RULES) {
    expect(rule.id).toMatch(/^[a-z_]+\.[a-z_]+$/);
    expect(rule.periodDays).toBeGreaterThanOrEqual(0);
    expect(rule.why.length).toBeGreaterThan(10);
  }
  expect(RETENTION_RULES.every((r) => r.enforced)).toBe(true);
});
