import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, test } from "vitest";

import { webhookInbox } from "#app/db/schema";
import { fixtureBytes, shopifyWebhookHeaders } from "#test/fixtures/sign";
import { createTestDatabase, type TestDatabase, testEngines } from "#test/support/db";

import { ingestShopifyWebhook } from "./inbox.server";

const SECRET = "shpss_test_secret";

function delivery(
  body: Buffer | string,
  options: { webhookId?: string; secret?: string; topic?: string; tamper?: boolean } = {},
) {
  const headers = shopifyWebhookHeaders(body, options.secret ?? SECRET, {
    topic: options.topic ?? "orders/create",
    shopDomain: "mahnwerk-test.myshopify.com",
    webhookId: options.webhookId ?? "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043",
    triggeredAt: "2026-11-20T10:00:00.000Z",
  });
  const sent: string | Buffer = options.tamper ? Buffer.concat([Buffer.from(body), Buffer.from(" ")]) : body;
  const init: RequestInit = { method: "POST", headers, body: typeof sent === "string" ? sent : new Uint8Array(sent) };
  return new Request("http://localhost/webhooks/shopify", init);
}

describe.each(testEngines())("Shopify webhook ingest on %s", (engine) => {
  let database: TestDatabase;
  const queued: string[] = [];
  const enqueue = async (id: string) => void queued.push(id);
  beforeAll(async () => {
    database = await createTestDatabase(engine);
  });
  afterAll(() => database.close());
  const count = async () => (await database.db.select().from(webhookInbox)).length;
  const body = fixtureBytes("shopify/orders-create.json");

  test.each([
    [
      "unsigned",
      () =>
        new Request("http://localhost/webhooks/shopify", {
          method: "POST",
          body: new Uint8Array(body),
          headers: { "x-shopify-topic": "orders/create" },
        }),
    ],
    ["signed with the wrong key", () => delivery(body, { secret: "other" })],
    ["tampered body", () => delivery(body, { tamper: true })],
  ])("%s → 401 and nothing stored or queued", async (_name, make) => {
    const before = await count();
    const result = await ingestShopifyWebhook(database.db, make(), { secret: SECRET, enqueue });
    expect(result.status).toBe(401);
    expect(await count()).toBe(before);
    expect(queued).toEqual([]);
  });

  test("a valid delivery is stored raw, byte for byte, queued, and answered 200", async () => {
    const result = await ingestShopifyWebhook(database.db, delivery(body), { secret: SECRET, enqueue });
    expect(result).toMatchObject({ status: 200, outcome: "stored" });
    const [row] = await database.db.select().from(webhookInbox).where(eq(webhookInbox.id, result.inboxId!));
    expect(row).toMatchObject({
      platform: "shopify",
      source: "mahnwerk-test.myshopify.com",
      topic: "orders/create",
      dedupeKey: "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043",
      status: "received",
      body: body.toString("utf8"),
    });
    expect(row!.headers["x-shopify-hmac-sha256"]).toBeUndefined();
    expect(row!.triggeredAt?.toISOString()).toBe("2026-11-20T10:00:00.000Z");
    expect(queued).toEqual([result.inboxId]);
  });

  test("the same webhook id again is acknowledged and neither stored nor queued again", async () => {
    const before = await count();
    const result = await ingestShopifyWebhook(database.db, delivery(body), { secret: SECRET, enqueue });
    expect(result).toEqual({ status: 200, outcome: "duplicate", inboxId: null });
    expect(await count()).toBe(before);
    expect(queued).toHaveLength(1);
  });

  test("signed garbage is kept as rejected with its reason and answered 200, never 5xx", async () => {
    const garbage = "{not json";
    const request = delivery(garbage, { webhookId: "w-garbage" });
    const result = await ingestShopifyWebhook(database.db, request, { secret: SECRET, enqueue });
    // The body is stored as received; parsing happens in the worker, which marks it rejected there.
    expect(result.status).toBe(200);
    const headersMissing = new Request("http://localhost/webhooks/shopify", {
      method: "POST",
      body: "{}",
      headers: {
        "x-shopify-hmac-sha256": shopifyWebhookHeaders("{}", SECRET, { topic: "orders/create" }).get(
          "x-shopify-hmac-sha256",
        )!,
      },
    });
    const rejected = await ingestShopifyWebhook(database.db, headersMissing, { secret: SECRET, enqueue });
    expect(rejected).toMatchObject({ status: 200, outcome: "rejected" });
    const [row] = await database.db.select().from(webhookInbox).where(eq(webhookInbox.id, rejected.inboxId!));
    expect(row).toMatchObject({ status: "rejected", lastError: "X-Shopify-Topic is missing" });
  });

  test("a queue outage does not lose or refuse a stored delivery", async () => {
    const result = await ingestShopifyWebhook(database.db, delivery(body, { webhookId: "w-queue-down" }), {
      secret: SECRET,
      enqueue: async () => {
        throw new Error("queue down");
      },
    });
    expect(result).toMatchObject({ status: 200, outcome: "stored" });
  });

  test("GET is not a delivery", async () => {
    const result = await ingestShopifyWebhook(database.db, new Request("http://localhost/webhooks/shopify"), {
      secret: SECRET,
      enqueue,
    });
    expect(result.status).toBe(405);
  });
});
