import { and, eq } from "drizzle-orm";
import { graphql, HttpResponse } from "msw";
import { afterAll, beforeAll, describe, expect, test } from "vitest";

import type { AdminGraphql, GraphqlBody } from "#adapters/shopify/admin-api";
import { normalizeShopifyWebhook } from "#adapters/shopify/normalize";
import { orderImports, orders, webhookInbox } from "#app/db/schema";
import { insertDelivery } from "#app/services/intake/inbox.server";
import { applyPlatformEvents } from "#app/services/intake/platform-events.server";
import { processInboxDelivery } from "#app/services/intake/processor.server";
import { createTestDatabase, type TestDatabase, testEngines } from "#test/support/db";
import { insertShop } from "#test/support/factories";

import { server } from "../../../test/mocks/node";
import {
  adminEndpoint,
  bulkOrderLines,
  type FakeBulkOptions,
  fakeShopifyBulk,
  fetchBreakingOnce,
} from "../../../test/mocks/shopify-admin";
import { withBulkFinishSignal } from "./bulk-import.server";
import { importShopifyOrders } from "./sync.server";

let domain = "grosshandel.myshopify.com";

/** What the app's client does, for the shop of the current test. */
const admin: AdminGraphql = async (query, variables) => {
  const response = await fetch(adminEndpoint(domain), {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ query, variables }),
  });
  if (!response.ok) throw new Error(`Admin API answered ${response.status}`);
  return (await response.json()) as GraphqlBody;
};

/** Small sizes: the threshold is lowered so 30 orders count as a large shop. */
const SMALL = { bulkThreshold: 20, batchSize: 4 };
const ORDERS = 30;
// Every second order has payment terms, so the file has 30 order lines and 15 schedule lines.
const LINES = ORDERS + ORDERS / 2;

function shopWith(options: Partial<FakeBulkOptions> = {}) {
  const fake = fakeShopifyBulk({ domain, openOrders: ORDERS, lines: () => bulkOrderLines(ORDERS), ...options });
  server.use(...fake.handlers);
  return fake.state;
}

describe.each(testEngines())("Shopify bulk import on %s", (engine) => {
  // One database for the file (creating one is the slow part); every test has a shop, and a fake Shopify, of its own.
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase(engine);
  });
  afterAll(async () => database?.close());

  let shops = 0;
  const setup = async () => {
    domain = `grosshandel-${engine}-${++shops}.myshopify.com`;
    return insertShop(database.db, { domain });
  };
  const importRow = async (shopId: string) =>
    (await database.db.select().from(orderImports).where(eq(orderImports.shopId, shopId)))[0]!;
  const orderCount = (shopId: string) => database.db.$count(orders, eq(orders.shopId, shopId));

  test("a large shop is imported through one bulk operation, polled by id until its file is read", async () => {
    const shop = await setup();
    const state = shopWith({ runs: [[{ status: "CREATED" }, { status: "RUNNING" }, { status: "COMPLETED" }]] });

    expect(await importShopifyOrders(database.db, shop, admin, new Date(), SMALL)).toMatchObject({
      mode: "bulk",
      finished: false,
    });
    expect(await importRow(shop.id)).toMatchObject({
      mode: "bulk",
      status: "running",
      bulkOperationId: state.started[0],
      attempts: 1,
    });
    // A restart (or the sweep) polls the same operation instead of starting another.
    expect(await importShopifyOrders(database.db, shop, admin, new Date(), SMALL)).toMatchObject({ finished: false });
    expect(await importShopifyOrders(database.db, shop, admin, new Date(), SMALL)).toEqual({
      mode: "bulk",
      finished: true,
      processed: ORDERS,
      pages: 0,
    });

    expect(state.started).toHaveLength(1);
    expect(state.lastQuery).toContain("financial_status:pending");
    expect(await orderCount(shop.id)).toBe(ORDERS);
    expect(await importRow(shop.id)).toMatchObject({ status: "done", processed: ORDERS, cursor: String(LINES) });
    // The schedule line found its order again: the due date is Shopify's dueAt, not order date + default term.
    const [withTerms] = await database.db
      .select()
      .from(orders)
      .where(and(eq(orders.shopId, shop.id), eq(orders.platformOrderId, "5000000")));
    const [withoutTerms] = await database.db
      .select()
      .from(orders)
      .where(and(eq(orders.shopId, shop.id), eq(orders.platformOrderId, "5000001")));
    expect(withTerms!.dueDate).toBe("2026-10-01");
    expect(withoutTerms!.dueDate).not.toBe("2026-10-02");
  });

  test("two imports started at once create one bulk operation", async () => {
    const shop = await setup();
    const state = shopWith({ runs: [[{ status: "RUNNING" }]] });
    await Promise.all([
      importShopifyOrders(database.db, shop, admin, new Date(), SMALL),
      importShopifyOrders(database.db, shop, admin, new Date(), SMALL),
    ]);
    expect(state.started).toHaveLength(1);
    expect(await database.db.$count(orderImports, eq(orderImports.shopId, shop.id))).toBe(1);
  });

  test("a download that broke off resumes after the last stored batch, counting nothing twice", async () => {
    const shop = await setup();
    const state = shopWith();
    const options = { ...SMALL, fetch: fetchBreakingOnce(20) };
    await expect(importShopifyOrders(database.db, shop, admin, new Date(), options)).rejects.toThrow(
      /connection reset/,
    );
    const halfway = await importRow(shop.id);
    expect(halfway.status).toBe("running");
    expect(Number(halfway.cursor)).toBeGreaterThan(0);
    expect(Number(halfway.cursor)).toBeLessThan(20);
    expect(halfway.processed).toBe(await orderCount(shop.id));

    expect(await importShopifyOrders(database.db, shop, admin, new Date(), options)).toMatchObject({
      finished: true,
      processed: ORDERS,
    });
    expect(state.started).toHaveLength(1);
    expect(state.downloads).toBe(2);
    expect(await orderCount(shop.id)).toBe(ORDERS);
    expect(await importRow(shop.id)).toMatchObject({ status: "done", processed: ORDERS });
  });

  test("a crash after Shopify accepted the operation adopts it instead of starting a second one", async () => {
    const shop = await setup();
    const state = shopWith({ runs: [[{ status: "RUNNING" }]] });
    await importShopifyOrders(database.db, shop, admin, new Date(), SMALL);
    // As if the id had never been recorded.
    await database.db.update(orderImports).set({ bulkOperationId: null }).where(eq(orderImports.shopId, shop.id));
    await importShopifyOrders(database.db, shop, admin, new Date(), SMALL);
    expect(state.started).toHaveLength(1);
    expect((await importRow(shop.id)).bulkOperationId).toBe(state.started[0]);
  });

  test("an operation that timed out is recorded and retried with a new one", async () => {
    const shop = await setup();
    const state = shopWith({ runs: [[{ status: "FAILED", errorCode: "TIMEOUT" }], [{ status: "COMPLETED" }]] });
    expect(await importShopifyOrders(database.db, shop, admin, new Date(), SMALL)).toMatchObject({
      mode: "bulk",
      finished: true,
      processed: ORDERS,
    });
    expect(state.started).toHaveLength(2);
    expect(await importRow(shop.id)).toMatchObject({
      status: "done",
      attempts: 2,
      error: expect.stringContaining("failed (TIMEOUT)"),
    });
  });

  test("an operation Shopify refuses for good falls back to pages, with the reason kept", async () => {
    const shop = await setup();
    shopWith({ runs: [[{ status: "FAILED", errorCode: "ACCESS_DENIED" }]] });
    server.use(
      graphql.link(adminEndpoint(domain)).query("MahnwerkOrders", () =>
        HttpResponse.json({
          data: {
            orders: {
              nodes: [...bulkOrderLines(3, { termsEvery: 0 })].map((l) => JSON.parse(l)),
              pageInfo: { hasNextPage: false, endCursor: "c-3" },
            },
          },
        }),
      ),
    );
    expect(await importShopifyOrders(database.db, shop, admin, new Date(), SMALL)).toMatchObject({
      mode: "pages",
      finished: true,
      processed: 3,
    });
    expect(await importRow(shop.id)).toMatchObject({
      mode: "pages",
      status: "done",
      error: expect.stringMatching(/ACCESS_DENIED.*reading pages instead/),
    });
  });

  test("bulk_operations/finish from the inbox queues the shop's import", async () => {
    const shop = await setup();
    const body = JSON.stringify({
      admin_graphql_api_id: "gid://shopify/BulkOperation/7000",
      completed_at: "2026-11-01T10:05:00-05:00",
      created_at: "2026-11-01T10:00:00-05:00",
      error_code: null,
      status: "completed",
      type: "query",
    });
    const inboxId = await insertDelivery(database.db, {
      platform: "shopify",
      source: domain,
      topic: "bulk_operations/finish",
      dedupeKey: "wh-1",
      headers: {},
      body,
      status: "received",
      lastError: null,
      triggeredAt: new Date("2026-11-01T15:05:01Z"),
    });
    const kicked: string[] = [];
    const apply = withBulkFinishSignal(applyPlatformEvents, async (shopId) => kicked.push(shopId));
    expect(await processInboxDelivery(database.db, inboxId!, { apply, now: new Date() })).toBe("processed");
    expect(kicked).toEqual([shop.id]);
    expect((await database.db.select().from(webhookInbox).where(eq(webhookInbox.id, inboxId!)))[0]).toMatchObject({
      status: "processed",
      shopId: shop.id,
    });
  });
});

test("bulk_operations/finish normalizes to a signal; a payload without the operation gid is rejected", () => {
  const delivery = { webhookId: "w", receivedAt: new Date() };
  const ok = normalizeShopifyWebhook("bulk_operations/finish", domain, delivery, {
    admin_graphql_api_id: "gid://shopify/BulkOperation/1",
    status: "failed",
    error_code: "timeout",
  });
  expect(ok).toMatchObject({
    kind: "events",
    events: [
      {
        type: "bulk_operation.finished",
        operationId: "gid://shopify/BulkOperation/1",
        status: "failed",
        errorCode: "timeout",
      },
    ],
  });
  expect(normalizeShopifyWebhook("bulk_operations/finish", domain, delivery, { status: "completed" })).toMatchObject({
    kind: "rejected",
  });
});
