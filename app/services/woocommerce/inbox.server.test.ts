import { randomUUID } from "node:crypto";

import { eq } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "vitest";

import { caseEvents, cases, orders, shops, webhookInbox } from "#app/db/schema";
import { openCaseForOrder } from "#app/services/cases/commands.server";
import { applyPlatformEvents } from "#app/services/intake/platform-events.server";
import { processInboxDelivery } from "#app/services/intake/processor.server";
import { fixtureBytes, wooWebhookHeaders } from "#test/fixtures/sign";
import { wooStore } from "#test/mocks/woocommerce";
import { createTestDatabase, type TestDatabase, testEngines } from "#test/support/db";
import { connectTestStore, TEST_ENCRYPTION_KEY } from "#test/support/woo";

import { webhookSecretOf } from "./connections.server";
import { disconnectConnection, type WooConnection } from "./connections.server";
import { ingestWooWebhook } from "./inbox.server";

const key = TEST_ENCRYPTION_KEY;

describe.each(testEngines())("WooCommerce webhook ingest on %s", (engine) => {
  let database: TestDatabase;
  let connection: WooConnection;
  let secret: string;
  let queued: string[];
  const enqueue = async (id: string) => void queued.push(id);

  beforeAll(async () => {
    database = await createTestDatabase(engine);
    wooStore.reset();
    ({ connection } = await connectTestStore(database.db));
    secret = webhookSecretOf(connection, key);
  });
  afterAll(() => database.close());
  beforeEach(() => {
    queued = [];
  });

  function delivery(
    body: Buffer | string,
    options: { topic?: string; deliveryId?: string; secret?: string; connectionId?: string } = {},
  ) {
    const headers = wooWebhookHeaders(body, options.secret ?? secret, {
      topic: options.topic ?? "order.updated",
      deliveryId: options.deliveryId ?? randomUUID(),
    });
    return new Request(`https://mahnwerk.example.com/webhooks/woocommerce/${options.connectionId ?? connection.id}`, {
      method: "POST",
      headers,
      body: typeof body === "string" ? body : new Uint8Array(body),
    });
  }
  const ingest = (request: Request, connectionId = connection.id) =>
    ingestWooWebhook(database.db, request, connectionId, { key, enqueue });
  const inboxCount = async () => (await database.db.select().from(webhookInbox)).length;
  const process = (id: string) =>
    processInboxDelivery(database.db, id, { apply: applyPlatformEvents, now: new Date() });
  const orderRow = async (platformOrderId: string) =>
    (await database.db.select().from(orders).where(eq(orders.platformOrderId, platformOrderId))).filter(
      (o) => o.shopId === connection.shopId,
    );

  test.each([
    [
      "signed with another secret",
      () => delivery(fixtureBytes("woocommerce/order-created-invoice.json"), { secret: "wrong" }),
    ],
    [
      "tampered body",
      () =>
        new Request(delivery("{}").url, {
          method: "POST",
          headers: wooWebhookHeaders("{}", secret, { topic: "order.updated" }),
          body: "{ }",
        }),
    ],
    [
      "unsigned JSON",
      () =>
        new Request(delivery("{}").url, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: "{}",
        }),
    ],
  ])("%s → 401, nothing stored, nothing queued", async (_name, make) => {
    const before = await inboxCount();
    const result = await ingest(make());
    expect(result).toEqual({ status: 401, outcome: "unauthorized", inboxId: null });
    expect(await inboxCount()).toBe(before);
    expect(queued).toEqual([]);
  });

  test("an unknown or malformed connection id → 401, nothing stored", async () => {
    const body = fixtureBytes("woocommerce/order-created-invoice.json");
    const before = await inboxCount();
    expect((await ingest(delivery(body), randomUUID())).status).toBe(401);
    expect((await ingest(delivery(body), "not-a-uuid")).status).toBe(401);
    expect(await inboxCount()).toBe(before);
  });

  test("the unsigned creation ping → 200 and no inbox row", async () => {
    const before = await inboxCount();
    const ping = new Request(delivery("{}").url, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: fixtureBytes("woocommerce/ping.txt").toString("utf8"),
    });
    expect(await ingest(ping)).toEqual({ status: 200, outcome: "ping", inboxId: null });
    expect(await inboxCount()).toBe(before);
    expect(queued).toEqual([]);
  });

  test("the same delivery twice → one row, one effect", async () => {
    const body = fixtureBytes("woocommerce/order-created-invoice.json");
    const first = await ingest(delivery(body, { topic: "order.created", deliveryId: "d-same" }));
    const second = await ingest(delivery(body, { topic: "order.created", deliveryId: "d-same" }));
    expect(first).toMatchObject({ status: 200, outcome: "stored" });
    expect(second).toEqual({ status: 200, outcome: "duplicate", inboxId: null });
    expect(queued).toEqual([first.inboxId]);
    const rows = await database.db.select().from(webhookInbox).where(eq(webhookInbox.source, connection.id));
    expect(rows.filter((r) => r.dedupeKey.startsWith("d-same:"))).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      platform: "woocommerce",
      topic: "order.created",
      shopId: connection.shopId,
      body: body.toString("utf8"),
    });
    expect(rows[0]!.headers["x-wc-webhook-signature"]).toBeUndefined();

    expect(await process(first.inboxId!)).toBe("processed");
    const [order] = await orderRow("4711");
    expect(order).toMatchObject({
      name: "4711",
      totalMinor: 8990,
      outstandingMinor: 8990,
      isInvoice: true,
      financialStatus: "pending",
    });
    expect(await orderRow("4711")).toHaveLength(1);
  });

  test("the same delivery id with a different body → two rows", async () => {
    const a = fixtureBytes("woocommerce/order-updated-purchase-on-account.json");
    const b = fixtureBytes("woocommerce/order-updated-paid-paypal.json");
    const first = await ingest(delivery(a, { deliveryId: "d-shared" }));
    const second = await ingest(delivery(b, { deliveryId: "d-shared" }));
    expect(first.outcome).toBe("stored");
    expect(second.outcome).toBe("stored");
    expect(first.inboxId).not.toBe(second.inboxId);
    const rows = (await database.db.select().from(webhookInbox)).filter((r) => r.dedupeKey.startsWith("d-shared:"));
    expect(rows).toHaveLength(2);
  });

  test("an out-of-order order.updated: the newest state wins", async () => {
    const created = JSON.parse(fixtureBytes("woocommerce/order-created-invoice.json").toString("utf8")) as Record<
      string,
      unknown
    >;
    const newer = JSON.stringify({
      ...created,
      id: 5001,
      number: "5001",
      total: "120.00",
      date_modified_gmt: "2026-10-05T12:00:00",
    });
    const older = JSON.stringify({
      ...created,
      id: 5001,
      number: "5001",
      total: "89.90",
      date_modified_gmt: "2026-10-02T08:00:00",
    });
    const late = await ingest(delivery(newer, { deliveryId: "d-newer" }));
    const early = await ingest(delivery(older, { deliveryId: "d-older" }));
    expect(await process(late.inboxId!)).toBe("processed");
    expect(await process(early.inboxId!)).toBe("processed");
    const [order] = await orderRow("5001");
    expect(order).toMatchObject({ totalMinor: 12_000, outstandingMinor: 12_000 });
    expect(order!.platformUpdatedAt.toISOString()).toBe("2026-10-05T12:00:00.000Z");
  });

  test("order.deleted cancels the tracked order", async () => {
    const result = await ingest(delivery(fixtureBytes("woocommerce/order-deleted.json"), { topic: "order.deleted" }));
    expect(await process(result.inboxId!)).toBe("processed");
    const [order] = await orderRow("4711");
    expect(order!.cancelledAt).not.toBeNull();
  });

  test("signed garbage is stored and rejected by the processor, never a 5xx", async () => {
    const result = await ingest(delivery("{not json"));
    expect(result).toMatchObject({ status: 200, outcome: "stored" });
    expect(await process(result.inboxId!)).toBe("rejected");
  });

  test("a credit note on an unpaid invoice lowers the claim; it is not booked as a payment", async () => {
    const created = JSON.parse(fixtureBytes("woocommerce/order-created-invoice.json").toString("utf8")) as Record<
      string,
      unknown
    >;
    const order = { ...created, id: 5100, number: "5100", total: "89.90" };
    const stored = await ingest(
      delivery(JSON.stringify({ ...order, date_modified_gmt: "2026-10-02T08:00:00" }), { topic: "order.created" }),
    );
    expect(await process(stored.inboxId!)).toBe("processed");
    const [row] = await orderRow("5100");
    const opened = await openCaseForOrder(database.db, {
      shop: (await database.db.select().from(shops).where(eq(shops.id, connection.shopId!)))[0]!,
      order: row!,
      kind: "invoice",
      outstanding: { amountMinor: row!.outstandingMinor, currency: "EUR" },
      dueDate: row!.dueDate!,
      actor: { type: "scheduler", id: "test" },
      now: new Date("2026-10-20T09:00:00Z"),
      sourceId: null,
    });
    if (!opened?.ok) throw new Error("the case did not open");

    // WooCommerce keeps `total` as placed and lists the credit note as a refund beside it.
    const creditNote = {
      ...order,
      refunds: [{ id: 5101, reason: "Gutschrift Versandschaden", total: "-19.90" }],
      date_modified_gmt: "2026-10-21T08:00:00",
    };
    const updated = await ingest(delivery(JSON.stringify(creditNote), { topic: "order.updated" }));
    expect(await process(updated.inboxId!)).toBe("processed");

    const [after] = await database.db.select().from(cases).where(eq(cases.id, opened.case.id));
    expect(after).toMatchObject({ outstandingMinor: 7_000, status: opened.case.status });
    const events = await database.db
      .select()
      .from(caseEvents)
      .where(eq(caseEvents.caseId, opened.case.id))
      .orderBy(caseEvents.seq);
    expect(events.map((e) => e.type)).toEqual(["case_opened", "outstanding_adjusted"]);
    expect(events[1]!.data).toMatchObject({ outstanding: { amountMinor: 7_000, currency: "EUR" } });
    expect(await orderRow("5100")).toMatchObject([{ totalMinor: 7_000, outstandingMinor: 7_000 }]);
  });

  test("after disconnect, deliveries are refused with 401", async () => {
    await disconnectConnection(database.db, connection.id, { key, now: new Date() });
    const before = await inboxCount();
    expect((await ingest(delivery(fixtureBytes("woocommerce/order-created-invoice.json")))).status).toBe(401);
    expect(await inboxCount()).toBe(before);
  });
});
