import { randomUUID } from "node:crypto";
import { Readable } from "node:stream";

import { afterAll, beforeAll, describe, expect, test } from "vitest";

import { webhookInbox } from "#app/db/schema";
import {
  ingestShopifyWebhook,
  MAX_WEBHOOK_BODY_BYTES,
  readWebhookBody,
  storeDelivery,
} from "#app/services/intake/inbox.server";
import { fixtureBytes, shopifyWebhookHeaders } from "#test/fixtures/sign";
import { createTestDatabase, type TestDatabase, testEngines } from "#test/support/db";

import { webhookTarget } from "./webhook-receive.server";

describe("webhookTarget: which requests take the fast path", () => {
  test.each([
    ["POST", "/webhooks/shopify", { platform: "shopify" }],
    ["POST", "/webhooks/shopify/?x=1", { platform: "shopify" }],
    [
      "POST",
      "/webhooks/woocommerce/5f0c6f0e-4a7e-4f3e-9f55-0c1a3c1b2d3e",
      { platform: "woocommerce", connectionId: "5f0c6f0e-4a7e-4f3e-9f55-0c1a3c1b2d3e" },
    ],
    ["POST", "/webhooks/woocommerce/a%20b", { platform: "woocommerce", connectionId: "a b" }],
    ["GET", "/webhooks/shopify", null],
    ["PUT", "/webhooks/woocommerce/1", null],
    ["POST", "/webhooks/partners/riverty", null],
    ["POST", "/webhooks/woocommerce/1/2", null],
    ["POST", "/webhooks/woocommerce/%E0%A4%A", null],
    ["POST", "/app/webhooks/shopify", null],
  ])("%s %s", (method, url, expected) => {
    expect(webhookTarget(method, url)).toEqual(expected);
  });
});

describe("readWebhookBody", () => {
  test("joins the chunks into one Buffer", async () => {
    const body = await readWebhookBody(Readable.from([Buffer.from("ab"), Buffer.from("cd")]), null);
    expect(body?.toString()).toBe("abcd");
  });

  test("refuses a declared length over the limit without reading, and stops reading at the limit otherwise", async () => {
    let read = 0;
    async function* endless() {
      for (;;) {
        read++;
        yield new Uint8Array(1024);
      }
    }
    expect(await readWebhookBody(endless(), String(MAX_WEBHOOK_BODY_BYTES + 1))).toBeNull();
    expect(read).toBe(0);
    expect(await readWebhookBody(endless(), null, 10_000)).toBeNull();
    expect(read).toBe(10);
  });

  test("a Fetch request over the limit is answered 413 and nothing is stored", async () => {
    const big = new Request("http://localhost/webhooks/shopify", {
      method: "POST",
      headers: { "content-length": String(MAX_WEBHOOK_BODY_BYTES + 1) },
      body: "{}",
    });
    const result = await ingestShopifyWebhook({} as never, big, { secret: "s", enqueue: async () => undefined });
    expect(result).toEqual({ status: 413, outcome: "too_large", inboxId: null });
  });
});

describe.each(testEngines())("storeDelivery (group commit) on %s", (engine) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase(engine);
  });
  afterAll(() => database.close());

  const row = (dedupeKey: string, overrides: Partial<Parameters<typeof storeDelivery>[1]> = {}) => ({
    platform: "shopify" as const,
    source: "batch-test.myshopify.com",
    topic: "orders/updated",
    dedupeKey,
    headers: { "x-shopify-topic": "orders/updated" },
    body: "{}",
    status: "received" as const,
    lastError: null,
    triggeredAt: null,
    ...overrides,
  });

  test("deliveries arriving together are stored together; a key repeated within the batch or stored before is a duplicate", async () => {
    const before = await storeDelivery(database.db, row("stored-before"));
    expect(before).toEqual(expect.any(String));
    const ids = await Promise.all([
      storeDelivery(database.db, row("a")),
      storeDelivery(database.db, row("b")),
      storeDelivery(database.db, row("a")),
      storeDelivery(database.db, row("stored-before")),
      storeDelivery(database.db, row("a", { source: "other-shop.myshopify.com" })),
    ]);
    expect(ids[0]).toEqual(expect.any(String));
    expect(ids[1]).toEqual(expect.any(String));
    expect(ids[2]).toBeNull();
    expect(ids[3]).toBeNull();
    expect(ids[4]).toEqual(expect.any(String));
    expect(new Set([ids[0], ids[1], ids[4]]).size).toBe(3);
    const keys = (
      await database.db.select({ source: webhookInbox.source, key: webhookInbox.dedupeKey }).from(webhookInbox)
    ).map((r) => `${r.source} ${r.key}`);
    expect(keys.sort()).toEqual(
      [
        "batch-test.myshopify.com a",
        "batch-test.myshopify.com b",
        "batch-test.myshopify.com stored-before",
        "other-shop.myshopify.com a",
      ].sort(),
    );
  });

  test("a row the database refuses fails only its own delivery, not the others of its batch", async () => {
    const results = await Promise.allSettled([
      storeDelivery(database.db, row("good-1")),
      // No such shop: the foreign key refuses this row.
      storeDelivery(database.db, row("bad", { platform: "woocommerce", source: randomUUID(), shopId: randomUUID() })),
      storeDelivery(database.db, row("good-2")),
    ]);
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
    const keys = (await database.db.select({ key: webhookInbox.dedupeKey }).from(webhookInbox)).map((r) => r.key);
    expect(keys).toEqual(expect.arrayContaining(["good-1", "good-2"]));
    expect(keys).not.toContain("bad");
  });

  test("many signed deliveries at once are each stored once and answered 200", async () => {
    const body = fixtureBytes("shopify/orders-updated.json");
    const secret = "shpss_batch";
    const queued: string[] = [];
    const results = await Promise.all(
      Array.from({ length: 60 }, (_, i) => {
        const headers = shopifyWebhookHeaders(body, secret, {
          topic: "orders/updated",
          shopDomain: "batch-test.myshopify.com",
          webhookId: `many-${i % 40}`,
        });
        const request = new Request("http://localhost/webhooks/shopify", {
          method: "POST",
          headers,
          body: new Uint8Array(body),
        });
        return ingestShopifyWebhook(database.db, request, { secret, enqueue: async (id) => void queued.push(id) });
      }),
    );
    expect(results.every((r) => r.status === 200)).toBe(true);
    expect(results.filter((r) => r.outcome === "stored")).toHaveLength(40);
    expect(results.filter((r) => r.outcome === "duplicate")).toHaveLength(20);
    expect(new Set(queued).size).toBe(40);
  });
});
