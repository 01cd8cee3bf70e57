// Webhook bodies with integer ids above 2^53 (Shopify REST ids can exceed it) go through ingest and the
// inbox worker with their ids exact. The bodies are raw text: JSON.stringify of a parsed object would round them.
import { randomUUID } from "node:crypto";

import { eq } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "vitest";

import { orders, webhookInbox } from "#app/db/schema";
import type { PlatformEvent } from "#app/domain/platform-event";
import type { WooConnection } from "#app/services/woocommerce/connections.server";
import { webhookSecretOf } from "#app/services/woocommerce/connections.server";
import { ingestWooWebhook } from "#app/services/woocommerce/inbox.server";
import { fixtureBytes, shopifyWebhookHeaders, wooWebhookHeaders } from "#test/fixtures/sign";
import { wooStore } from "#test/mocks/woocommerce";
import { createTestDatabase, type TestDatabase, testEngines } from "#test/support/db";
import { insertShop } from "#test/support/factories";
import { connectTestStore, TEST_ENCRYPTION_KEY } from "#test/support/woo";

import { ingestShopifyWebhook } from "./inbox.server";
import { applyPlatformEvents } from "./platform-events.server";
import { type ApplyEvents, processInboxDelivery } from "./processor.server";

const SECRET = "shpss_test_secret";
const DOMAIN = "mahnwerk-large-ids.myshopify.com";
const NOW = new Date("2026-11-02T09:00:00Z");

describe.each(testEngines())("webhook bodies with ids above 2^53 on %s", (engine) => {
  let database: TestDatabase;
  let connection: WooConnection;
  let wooSecret: string;
  let applied: PlatformEvent[];
  // Records what reaches the domain, then applies it for real.
  const apply: ApplyEvents = async (tx, shop, events, now) => {
    applied.push(...events);
    await applyPlatformEvents(tx, shop, events, now);
  };

  beforeAll(async () => {
    database = await createTestDatabase(engine);
    await insertShop(database.db, { domain: DOMAIN });
    wooStore.reset();
    ({ connection } = await connectTestStore(database.db));
    wooSecret = webhookSecretOf(connection, TEST_ENCRYPTION_KEY);
  });
  afterAll(() => database.close());
  beforeEach(() => {
    applied = [];
  });

  const process = (inboxId: string) => processInboxDelivery(database.db, inboxId, { apply, now: NOW });
  const lastError = async (inboxId: string) =>
    (await database.db.select().from(webhookInbox).where(eq(webhookInbox.id, inboxId)))[0]?.lastError ?? null;

  async function deliverShopify(topic: string, body: string): Promise<string> {
    const headers = shopifyWebhookHeaders(body, SECRET, {
      topic,
      shopDomain: DOMAIN,
      webhookId: randomUUID(),
      eventId: randomUUID(),
      triggeredAt: NOW.toISOString(),
    });
    const request = new Request("http://localhost/webhooks/shopify", { method: "POST", headers, body });
    const ingested = await ingestShopifyWebhook(database.db, request, {
      secret: SECRET,
      enqueue: async () => undefined,
    });
    expect(ingested).toMatchObject({ status: 200, outcome: "stored" });
    return ingested.inboxId!;
  }

  async function deliverWoo(topic: string, body: string): Promise<string> {
    const headers = wooWebhookHeaders(body, wooSecret, { topic, deliveryId: randomUUID() });
    const request = new Request(`https://mahnwerk.example.com/webhooks/woocommerce/${connection.id}`, {
      method: "POST",
      headers,
      body,
    });
    const ingested = await ingestWooWebhook(database.db, request, connection.id, {
      key: TEST_ENCRYPTION_KEY,
      enqueue: async () => undefined,
    });
    expect(ingested).toMatchObject({ status: 200, outcome: "stored" });
    return ingested.inboxId!;
  }

  test("Shopify order_transactions/create: transaction, order and parent ids arrive exact", async () => {
    const body = fixtureBytes("shopify/order-transactions-create-large-ids.json").toString("utf8");
    const inboxId = await deliverShopify("order_transactions/create", body);
    expect(await process(inboxId), (await lastError(inboxId)) ?? "").toBe("processed");
    expect(applied).toHaveLength(1);
    expect(applied[0]).toMatchObject({
      type: "transaction.created",
      platformOrderId: "820982911946154508",
      externalId: "120560818172775265",
      parentExternalId: "9007199254740993",
      kind: "sale",
      amount: { amountMinor: 11_990, currency: "EUR" },
    });
  });

  test("Shopify refunds/create without gids: refund and order ids arrive exact", async () => {
    const refund = fixtureBytes("shopify/refunds-create.json")
      .toString("utf8")
      .replace(/"id": 1012345678901,/, '"id": 890088186047892319,')
      .replace(/"order_id": 6120458123456,/g, '"order_id": 820982911946154508,')
      .replace(/\s*"admin_graphql_api_id": "gid:\/\/shopify\/Refund\/1012345678901",/, "");
    expect(refund).not.toContain("gid://shopify/Refund/");
    const inboxId = await deliverShopify("refunds/create", refund);
    expect(await process(inboxId), (await lastError(inboxId)) ?? "").toBe("processed");
    expect(applied).toEqual([
      expect.objectContaining({
        type: "refund.created",
        platformOrderId: "820982911946154508",
        externalId: "890088186047892319",
      }),
    ]);
  });

  test("WooCommerce order with an id and customer id above 2^53: tracked under the exact id", async () => {
    const body = fixtureBytes("woocommerce/order-created-invoice.json")
      .toString("utf8")
      .replace(/"id": 4711,/, '"id": 9007199254740993,')
      .replace(/"customer_id": 0,/, '"customer_id": 18014398509481985,');
    expect(body).toContain("9007199254740993");
    const inboxId = await deliverWoo("order.created", body);
    expect(await process(inboxId), (await lastError(inboxId)) ?? "").toBe("processed");
    const upserted = applied.find((e) => e.type === "order.upserted");
    expect(upserted?.type === "order.upserted" && upserted.order).toMatchObject({
      platformOrderId: "9007199254740993",
      customer: { id: "18014398509481985" },
    });
    const rows = await database.db.select().from(orders).where(eq(orders.platformOrderId, "9007199254740993"));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ shopId: connection.shopId, totalMinor: 8990 });
  });

  test("WooCommerce order.deleted with an id above 2^53 names the exact order", async () => {
    const inboxId = await deliverWoo("order.deleted", '{"id":9007199254740995}');
    expect(await process(inboxId), (await lastError(inboxId)) ?? "").toBe("processed");
    expect(applied).toEqual([expect.objectContaining({ type: "order.deleted", platformOrderId: "9007199254740995" })]);
  });

  test("an invalid body is still rejected as not JSON", async () => {
    const inboxId = await deliverShopify("orders/create", '{"id":9007199254740993');
    expect(await process(inboxId)).toBe("rejected");
    expect(await lastError(inboxId)).toBe("body is not valid JSON");
  });
});
