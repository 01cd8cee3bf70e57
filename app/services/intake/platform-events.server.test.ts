import { randomUUID } from "node:crypto";

import { and, eq, sql } from "drizzle-orm";
import { afterEach, describe, expect, test } from "vitest";

import {
  caseEvents,
  cases,
  dataRequests,
  orders,
  outbox,
  sessions,
  type Shop,
  shops,
  webhookInbox,
} from "#app/db/schema";
import { openCaseForOrder, startCase } from "#app/services/cases/commands.server";
import { fixtureJson, shopifyWebhookHeaders } from "#test/fixtures/sign";
import { createTestDatabase, type TestDatabase, testEngines } from "#test/support/db";
import { insertShop } from "#test/support/factories";

import { ingestShopifyWebhook } from "./inbox.server";
import { applyPlatformEvents } from "./platform-events.server";
import { processInboxDelivery } from "./processor.server";

const SECRET = "shpss_test_secret";
const DOMAIN = "mahnwerk-demo.myshopify.com";
const ORDER_ID = "6120457896234";
const NOW = new Date("2026-11-02T09:00:00Z");

type Json = Record<string, any>;

/** The fixture order (119.90 € on invoice, Anna Müller) as Shopify would send it at another moment. */
function orderAt(updatedAt: string, change: Json = {}): Json {
  return { ...(fixtureJson("shopify/orders-create.json") as Json), updated_at: updatedAt, ...change };
}

describe.each(testEngines())("platform facts on %s", (engine) => {
  let database: TestDatabase;
  afterEach(async () => database?.close());

  async function setup(): Promise<Shop> {
    database = await createTestDatabase(engine);
    return insertShop(database.db, { domain: DOMAIN, timezone: "Europe/Berlin" });
  }

  /** Signs, ingests and processes one delivery, as the webhook route and the worker do. */
  async function deliver(topic: string, payload: Json, options: { webhookId?: string } = {}) {
    const body = JSON.stringify(payload);
    const headers = shopifyWebhookHeaders(body, SECRET, {
      topic,
      shopDomain: DOMAIN,
      webhookId: options.webhookId ?? randomUUID(),
      eventId: randomUUID(),
      triggeredAt: NOW.toISOString(),
    });
    const request = new Request("http://localhost/webhooks/shopify", { method: "POST", headers, body });
    const ingested = await ingestShopifyWebhook(database.db, request, {
      secret: SECRET,
      enqueue: async () => undefined,
    });
    expect(ingested.status).toBe(200);
    if (!ingested.inboxId) return ingested.outcome;
    return processInboxDelivery(database.db, ingested.inboxId, { apply: applyPlatformEvents, now: NOW });
  }

  async function openTheCase(shop: Shop) {
    const [order] = await database.db.select().from(orders).where(eq(orders.platformOrderId, ORDER_ID));
    const opened = await openCaseForOrder(database.db, {
      shop,
      order: order!,
      kind: "invoice",
      outstanding: { amountMinor: order!.outstandingMinor, currency: "EUR" },
      dueDate: order!.dueDate!,
      actor: { type: "scheduler", id: "test" },
      now: NOW,
      sourceId: null,
    });
    if (!opened?.ok) throw new Error("the case did not open");
    return opened.case;
  }

  const theCase = async () => (await database.db.select().from(cases))[0]!;
  const eventTypes = async (caseId: string) =>
    (await database.db.select().from(caseEvents).where(eq(caseEvents.caseId, caseId)).orderBy(caseEvents.seq)).map(
      (e) => e.type,
    );

  test("an invoice order is tracked with its due date; a card order is not stored at all", async () => {
    await setup();
    expect(await deliver("orders/create", orderAt("2026-10-02T10:15:24+02:00"))).toBe("processed");
    expect(
      await deliver("orders/create", {
        ...orderAt("2026-10-02T10:15:24+02:00"),
        id: 999,
        admin_graphql_api_id: "gid://shopify/Order/999",
        payment_gateway_names: ["shopify_payments"],
      }),
    ).toBe("processed");
    const rows = await database.db.select().from(orders);
    expect(rows).toHaveLength(1);
    // Ordered 2026-10-02 in Berlin + the default 14-day term.
    expect(rows[0]).toMatchObject({
      platformOrderId: ORDER_ID,
      isInvoice: true,
      outstandingMinor: 11_990,
      dueDate: "2026-10-16",
    });
    expect(rows[0]!.customer).toMatchObject({
      firstName: "Anna",
      lastName: "Müller",
      email: "anna.mueller@example.de",
    });
  });

  test("the same webhook delivered twice is stored once and applied once", async () => {
    const shop = await setup();
    await deliver("orders/create", orderAt("2026-10-02T10:15:24+02:00"));
    const row = await openTheCase(shop);
    const partial = orderAt("2026-10-20T10:00:00+02:00", {
      financial_status: "partially_paid",
      total_outstanding: "60.00",
    });
    expect(await deliver("orders/updated", partial, { webhookId: "dup-1" })).toBe("processed");
    expect(await deliver("orders/updated", partial, { webhookId: "dup-1" })).toBe("duplicate");
    expect((await database.db.select().from(webhookInbox)).filter((r) => r.dedupeKey === "dup-1")).toHaveLength(1);
    expect(await eventTypes(row.id)).toEqual(["case_opened", "payment_received"]);
    expect((await theCase()).outstandingMinor).toBe(6_000);
  });

  test("a payment through the order's payment page counts as the pay-now link; one the merchant records, as a transfer", async () => {
    const shop = await setup();
    const fixture = orderAt("2026-10-02T10:15:24+02:00");
    await deliver("orders/create", fixture);
    const row = await openTheCase(shop);
    // Half paid online with a card on the payment link's page, the rest marked as paid in the admin (a transfer).
    await deliver(
      "orders/paid",
      orderAt("2026-10-20T10:00:00+02:00", {
        financial_status: "partially_paid",
        total_outstanding: "60.00",
        payment_gateway_names: [...(fixture.payment_gateway_names as string[]), "shopify_payments"],
      }),
    );
    await deliver(
      "orders/updated",
      orderAt("2026-10-22T10:00:00+02:00", {
        financial_status: "paid",
        total_outstanding: "0.00",
        payment_gateway_names: [...(fixture.payment_gateway_names as string[]), "shopify_payments", "manual"],
      }),
    );
    const payments = (
      await database.db.select().from(caseEvents).where(eq(caseEvents.caseId, row.id)).orderBy(caseEvents.seq)
    )
      .filter((e) => e.type === "payment_received")
      .map((e) => e.data as { amount: { amountMinor: number }; channel?: string });
    expect(payments.map((p) => [p.amount.amountMinor, p.channel])).toEqual([
      [5_990, "link"],
      [6_000, "transfer"],
    ]);
    expect((await theCase()).status).toBe("paid");
  });

  const updates: [string, Json][] = [
    [
      "orders/updated",
      orderAt("2026-10-20T10:00:00+02:00", { financial_status: "partially_paid", total_outstanding: "60.00" }),
    ],
    // The order is edited down by 19.90 € (a returned item): total 100 €, 40 € still open.
    [
      "orders/updated",
      orderAt("2026-10-22T10:00:00+02:00", {
        financial_status: "partially_paid",
        total_outstanding: "40.10",
        current_total_price: "100.00",
        current_total_price_set: {
          shop_money: { amount: "100.00", currency_code: "EUR" },
          presentment_money: { amount: "100.00", currency_code: "EUR" },
        },
      }),
    ],
    [
      "orders/paid",
      orderAt("2026-10-25T10:00:00+02:00", {
        financial_status: "paid",
        total_outstanding: "0.00",
        current_total_price: "100.00",
        current_total_price_set: {
          shop_money: { amount: "100.00", currency_code: "EUR" },
          presentment_money: { amount: "100.00", currency_code: "EUR" },
        },
      }),
    ],
  ];
  const orderings = [
    [0, 1, 2],
    [2, 1, 0],
    [1, 0, 2],
    [2, 0, 1],
  ];

  test.each(orderings.map((order) => ({ order, label: order.join(" → ") })))(
    "payments and edits delivered as $label end in the same state",
    async ({ order }) => {
      const shop = await setup();
      await deliver("orders/create", orderAt("2026-10-02T10:15:24+02:00"));
      await openTheCase(shop);
      for (const i of order) await deliver(updates[i]![0], updates[i]![1]);
      const row = await theCase();
      expect({ status: row.status, outstanding: row.outstandingMinor }).toEqual({ status: "paid", outstanding: 0 });
      const [stored] = await database.db.select().from(orders);
      expect(stored).toMatchObject({ outstandingMinor: 0, totalMinor: 10_000, financialStatus: "paid" });
    },
  );

  test("a late, older snapshot never overwrites newer state", async () => {
    const shop = await setup();
    await deliver("orders/create", orderAt("2026-10-02T10:15:24+02:00"));
    await openTheCase(shop);
    await deliver("orders/updated", updates[0]![1]);
    await deliver("orders/updated", orderAt("2026-10-10T10:00:00+02:00"));
    expect((await theCase()).outstandingMinor).toBe(6_000);
    expect((await database.db.select().from(orders))[0]!.outstandingMinor).toBe(6_000);
  });

  test("a cancelled order closes a waiting case once, however often it is reported", async () => {
    const shop = await setup();
    await deliver("orders/create", orderAt("2026-10-02T10:15:24+02:00"));
    const row = await openTheCase(shop);
    const cancelled = orderAt("2026-10-26T09:30:02+02:00", {
      cancelled_at: "2026-10-26T09:30:02+02:00",
      cancel_reason: "customer",
      financial_status: "voided",
    });
    await deliver("orders/cancelled", cancelled);
    await deliver("orders/updated", { ...cancelled, updated_at: "2026-10-26T09:31:00+02:00" });
    expect((await theCase()).status).toBe("closed");
    expect(await eventTypes(row.id)).toEqual(["case_opened", "case_closed"]);
  });

  test("a dispute blocks the invoice case; its resolution resumes it where it was", async () => {
    const shop = await setup();
    await deliver(
      "orders/create",
      orderAt("2026-10-02T10:15:24+02:00", {
        billing_address: (fixtureJson("shopify/orders-create.json") as Json).billing_address,
      }),
    );
    const row = await openTheCase(shop);
    const started = await startCase(database.db, {
      shopId: shop.id,
      caseId: row.id,
      actor: { type: "staff", id: "t" },
      reason: "go",
      now: NOW,
    });
    expect(started.ok && started.case.status).toBe("running");
    const dispute = { ...(fixtureJson("shopify/disputes-create.json") as Json), order_id: Number(ORDER_ID) };
    await deliver("disputes/create", dispute);
    expect((await theCase()).status).toBe("blocked");
    await deliver("disputes/update", { ...dispute, status: "won", finalized_on: "2026-11-01T10:00:00Z" });
    expect((await theCase()).status).toBe("running");
  });

  test("a chargeback on a tracked order without an invoice case opens a chargeback case", async () => {
    await setup();
    await deliver("orders/create", orderAt("2026-10-02T10:15:24+02:00"));
    await deliver("disputes/create", {
      ...(fixtureJson("shopify/disputes-create.json") as Json),
      order_id: Number(ORDER_ID),
    });
    const row = await theCase();
    expect(row).toMatchObject({ kind: "chargeback", status: "waiting_for_approval", outstandingMinor: 5_995 });
  });

  test("app/uninstalled: shop marked, sessions gone, queued work stopped, later orders ignored", async () => {
    const shop = await setup();
    await database.db.insert(sessions).values({ id: `offline_${DOMAIN}`, shop: DOMAIN, state: "s", accessToken: "t" });
    await database.db
      .insert(outbox)
      .values({ shopId: shop.id, kind: "reminder.send", idempotencyKey: "k1", payload: {} });
    await deliver("app/uninstalled", fixtureJson("shopify/app-uninstalled.json") as Json);
    const [after] = await database.db.select().from(shops);
    expect(after!.status).toBe("uninstalled");
    expect(await database.db.select().from(sessions)).toEqual([]);
    expect((await database.db.select().from(outbox))[0]!.status).toBe("dead");
    expect(await deliver("orders/create", orderAt("2026-10-02T10:15:24+02:00"))).toBe("ignored");
    expect(await database.db.select().from(orders)).toEqual([]);
  });

  test("customers/redact leaves none of the customer's personal data in any table", async () => {
    const shop = await setup();
    await deliver(
      "orders/create",
      orderAt("2026-10-02T10:15:24+02:00", {
        billing_address: (fixtureJson("shopify/orders-create.json") as Json).billing_address,
      }),
    );
    const row = await openTheCase(shop);
    await deliver("customers/data_request", fixtureJson("shopify/customers-data-request.json") as Json);
    expect(await database.db.select().from(dataRequests)).toHaveLength(1);
    await deliver("customers/redact", fixtureJson("shopify/customers-redact.json") as Json);

    const dump = JSON.stringify(
      await Promise.all(
        ["shops", "orders", "cases", "case_events", "webhook_inbox", "outbox", "data_requests", "settings"].map(
          async (table) => {
            const result = await database.db.execute(sql.raw(`select * from ${table}`));
            return (result as unknown as { rows?: unknown[] }).rows ?? result;
          },
        ),
      ),
    );
    for (const datum of [
      "Anna",
      "Müller",
      "M\\u00fcller",
      "anna.mueller@example.de",
      "Friedrichstra",
      "10117",
      "+4930123456789",
    ]) {
      expect(dump).not.toContain(datum);
    }
    // Amounts and ids are kept.
    const [kept] = await database.db
      .select()
      .from(cases)
      .where(and(eq(cases.id, row.id)));
    expect(kept).toMatchObject({ outstandingMinor: 11_990, platformOrderId: ORDER_ID, customerFirstName: null });
  });

  test("shop/redact erases everything about the shop", async () => {
    const shop = await setup();
    await deliver("orders/create", orderAt("2026-10-02T10:15:24+02:00"));
    await openTheCase(shop);
    await deliver("shop/redact", fixtureJson("shopify/shop-redact.json") as Json);
    for (const table of [shops, orders, cases, caseEvents, webhookInbox]) {
      expect(await database.db.select().from(table)).toEqual([]);
    }
  });
});
