import { eq } from "drizzle-orm";
import { graphql, HttpResponse } from "msw";
import { afterEach, describe, expect, test } from "vitest";

import type { AdminGraphql, GraphqlBody } from "#adapters/shopify/admin-api";
import { orderImports, orders, outbox, shops } from "#app/db/schema";
import { latestImport } from "#app/services/intake/order-imports.server";
import { sweepOutbox } from "#app/services/outbox/outbox.server";
import { updateSettings } from "#app/services/settings/settings.server";
import { fixtureJson } from "#test/fixtures/sign";
import { createTestDatabase, type TestDatabase, testEngines } from "#test/support/db";
import { insertCaseRow, insertOrder, insertShop } from "#test/support/factories";

import { server } from "../../../test/mocks/node";
import {
  importShopifyOrders,
  installShopifyShop,
  reconcileShopifyOrders,
  shopifyWriteBackHandler,
} from "./sync.server";

const DOMAIN = "wollwerk.myshopify.com";
const ENDPOINT = `https://${DOMAIN}/admin/api/2026-10/graphql.json`;
const shopifyApi = graphql.link(ENDPOINT);

/** What the app's client does: POST the operation to the shop's Admin API and return the JSON body. */
const admin: AdminGraphql = async (query, variables) => {
  const response = await fetch(ENDPOINT, {
    method: "POST",
    headers: { "content-type": "application/json", "x-shopify-access-token": "shpat_test" },
    body: JSON.stringify({ query, variables }),
  });
  if (!response.ok) throw new Error(`Admin API answered ${response.status}`);
  return (await response.json()) as GraphqlBody;
};

const baseNode = fixtureJson("shopify/graphql-order-node.json") as Record<string, unknown>;
const node = (i: number) => ({
  ...baseNode,
  id: `gid://shopify/Order/${7_000_000 + i}`,
  name: `#${10_000 + i}`,
  updatedAt: new Date(Date.UTC(2026, 9, 12, 9, 0, 0) + i * 1000).toISOString(),
});

/** A shop with `total` open orders, served `first` at a time with opaque cursors. */
function ordersHandler(total: number, options: { failOnceAtPage?: number } = {}) {
  let failed = false;
  const calls: { after: string | null; query: string }[] = [];
  const handler = shopifyApi.query("MahnwerkOrders", ({ variables }) => {
    const first = Number(variables.first);
    const start = variables.after ? Number(String(variables.after).replace("cursor-", "")) : 0;
    calls.push({ after: (variables.after as string | null) ?? null, query: String(variables.query) });
    if (options.failOnceAtPage !== undefined && !failed && start === options.failOnceAtPage * first) {
      failed = true;
      return new HttpResponse(null, { status: 502 });
    }
    const end = Math.min(total, start + first);
    const nodes = Array.from({ length: end - start }, (_, k) => node(start + k));
    return HttpResponse.json({
      data: {
        orders: { nodes, pageInfo: { hasNextPage: end < total, endCursor: end > start ? `cursor-${end}` : null } },
      },
    });
  });
  // Below the bulk threshold: the import reads pages.
  const count = shopifyApi.query("MahnwerkOrdersCount", () =>
    HttpResponse.json({ data: { ordersCount: { count: total, precision: "EXACT" } } }),
  );
  return { handler: [handler, count], calls };
}

describe.each(testEngines())("Shopify sync on %s", (engine) => {
  let database: TestDatabase;
  afterEach(async () => database?.close());

  test("install stores the shop with its time zone, currency and language from the Admin API", async () => {
    database = await createTestDatabase(engine);
    server.use(
      shopifyApi.query("MahnwerkShop", () =>
        HttpResponse.json({
          data: {
            shop: { name: "Wollwerk", myshopifyDomain: DOMAIN, ianaTimezone: "Europe/Vienna", currencyCode: "EUR" },
            shopLocales: [
              { locale: "en", primary: false },
              { locale: "de-AT", primary: true },
            ],
          },
        }),
      ),
    );
    const shop = await installShopifyShop(database.db, DOMAIN, admin, new Date("2026-11-01T10:00:00Z"));
    expect(shop).toMatchObject({
      platform: "shopify",
      domain: DOMAIN,
      name: "Wollwerk",
      timezone: "Europe/Vienna",
      currency: "EUR",
      locale: "de",
      status: "active",
    });
    // A reinstall after an uninstall reactivates the same row.
    await database.db.update(shops).set({ status: "uninstalled" }).where(eq(shops.id, shop.id));
    const again = await installShopifyShop(database.db, DOMAIN, admin, new Date("2026-11-02T10:00:00Z"));
    expect(again).toMatchObject({ id: shop.id, status: "active", uninstalledAt: null });
  });

  test("imports 10,000 open orders across pages, once each", async () => {
    database = await createTestDatabase(engine);
    const shop = await insertShop(database.db, { domain: DOMAIN });
    const { handler, calls } = ordersHandler(10_000);
    server.use(...handler);
    const result = await importShopifyOrders(database.db, shop, admin, new Date("2026-11-01T10:00:00Z"), {
      bulkThreshold: 20_000,
    });
    expect(result).toEqual({ mode: "pages", finished: true, processed: 10_000, pages: 100 });
    expect(calls[0]!.query).toContain("financial_status:pending");
    expect(await database.db.$count(orders, eq(orders.shopId, shop.id))).toBe(10_000);
    expect((await database.db.select().from(orderImports))[0]).toMatchObject({ status: "done", processed: 10_000 });
  }, 240_000);

  test("an import that broke off resumes at the page it did not finish", async () => {
    database = await createTestDatabase(engine);
    const shop = await insertShop(database.db, { domain: DOMAIN });
    const { handler, calls } = ordersHandler(450, { failOnceAtPage: 2 });
    server.use(...handler);
    await expect(importShopifyOrders(database.db, shop, admin, new Date())).rejects.toThrow(/502/);
    // What the tab shows meanwhile.
    expect(await latestImport(database.db, shop.id)).toMatchObject({
      status: "running",
      processed: 200,
      cursor: "cursor-200",
    });
    const result = await importShopifyOrders(database.db, shop, admin, new Date());
    expect(result.processed).toBe(450);
    expect(calls.filter((c) => c.after === null)).toHaveLength(1);
    expect(await database.db.$count(orders, eq(orders.shopId, shop.id))).toBe(450);
  });

  test("a throttled Admin API is waited for and retried", async () => {
    database = await createTestDatabase(engine);
    const shop = await insertShop(database.db, { domain: DOMAIN });
    let attempts = 0;
    server.use(
      shopifyApi.query("MahnwerkOrders", () => {
        attempts += 1;
        if (attempts === 1) {
          return HttpResponse.json({
            errors: [{ message: "Throttled", extensions: { code: "THROTTLED" } }],
            extensions: {
              cost: {
                requestedQueryCost: 102,
                throttleStatus: { maximumAvailable: 2000, currentlyAvailable: 100, restoreRate: 100 },
              },
            },
          });
        }
        return HttpResponse.json({
          data: { orders: { nodes: [node(1)], pageInfo: { hasNextPage: false, endCursor: "cursor-1" } } },
        });
      }),
    );
    expect(await reconcileShopifyOrders(database.db, shop, admin, new Date())).toBe(1);
    expect(attempts).toBe(2);
  });

  test("write-back: our status tag replaces our older ones, the metafield is set, paid is marked when asked", async () => {
    database = await createTestDatabase(engine);
    const shop = await insertShop(database.db, { domain: DOMAIN });
    await updateSettings(
      database.db,
      shop.id,
      { writeBack: { tags: true, metafield: true, markAsPaid: true } },
      { changedBy: "t", now: new Date() },
    );
    const row = await insertCaseRow(database.db, shop, { status: "paid" });
    const seen: { op: string; variables: Record<string, unknown> }[] = [];
    const ok = (field: string) => ({ data: { [field]: { userErrors: [] } } });
    server.use(
      shopifyApi.mutation(
        "MahnwerkTagsRemove",
        ({ variables }) => (seen.push({ op: "remove", variables }), HttpResponse.json(ok("tagsRemove"))),
      ),
      shopifyApi.mutation(
        "MahnwerkTagsAdd",
        ({ variables }) => (seen.push({ op: "add", variables }), HttpResponse.json(ok("tagsAdd"))),
      ),
      shopifyApi.mutation(
        "MahnwerkMetafieldsSet",
        ({ variables }) => (seen.push({ op: "metafield", variables }), HttpResponse.json(ok("metafieldsSet"))),
      ),
      shopifyApi.mutation(
        "MahnwerkOrderMarkAsPaid",
        ({ variables }) => (seen.push({ op: "paid", variables }), HttpResponse.json(ok("orderMarkAsPaid"))),
      ),
    );
    // Due by this process's clock in whole milliseconds: the database default (now(), microseconds) can lie a fraction
    // of a millisecond after the sweep's Date and leave the row not yet due.
    await database.db.insert(outbox).values({
      shopId: shop.id,
      caseId: row.id,
      kind: "shopify.write_back",
      idempotencyKey: "wb-1",
      nextAttemptAt: new Date(),
      payload: { caseId: row.id, status: "paid", markPaid: true },
    });
    await sweepOutbox(database.db, { "shopify.write_back": shopifyWriteBackHandler(async () => admin) });
    const gid = `gid://shopify/Order/${row.platformOrderId}`;
    expect(seen.map((s) => s.op)).toEqual(["remove", "add", "metafield", "paid"]);
    expect(seen[0]!.variables).toMatchObject({ id: gid });
    expect(seen[0]!.variables.tags).not.toContain("mahnwerk:paid");
    expect(seen[0]!.variables.tags).toContain("mahnwerk:running");
    expect(seen[1]!.variables).toEqual({ id: gid, tags: ["mahnwerk:paid"] });
    expect(seen[2]!.variables).toMatchObject({
      metafields: [{ ownerId: gid, namespace: "mahnwerk", key: "status", value: "paid" }],
    });
    expect((await database.db.select().from(outbox))[0]).toMatchObject({ status: "done" });
  });

  test("order-level write-back: an order without a case paid by the bank is marked paid, nothing else; not when the shop said no", async () => {
    database = await createTestDatabase(engine);
    const shop = await insertShop(database.db, { domain: DOMAIN });
    await updateSettings(
      database.db,
      shop.id,
      { writeBack: { tags: true, metafield: true, markAsPaid: false } },
      { changedBy: "t", now: new Date() },
    );
    const order = await insertOrder(database.db, shop);
    const seen: { op: string; variables: Record<string, unknown> }[] = [];
    const ok = (field: string) => ({ data: { [field]: { userErrors: [] } } });
    server.use(
      shopifyApi.mutation(
        "MahnwerkTagsAdd",
        ({ variables }) => (seen.push({ op: "add", variables }), HttpResponse.json(ok("tagsAdd"))),
      ),
      shopifyApi.mutation(
        "MahnwerkOrderMarkAsPaid",
        ({ variables }) => (seen.push({ op: "paid", variables }), HttpResponse.json(ok("orderMarkAsPaid"))),
      ),
    );
    const queue = (key: string) =>
      database.db.insert(outbox).values({
        shopId: shop.id,
        caseId: null,
        kind: "shopify.write_back",
        idempotencyKey: key,
        nextAttemptAt: new Date(),
        payload: { orderId: order.id, status: "paid", markPaid: true, paidBy: "bank" },
      });
    await queue("wb-order-1");
    await sweepOutbox(database.db, { "shopify.write_back": shopifyWriteBackHandler(async () => admin) });
    // bankMatch.markOrderPaid is on by default (writeBack.markAsPaid, the partner's setting, does not matter).
    expect(seen).toEqual([
      { op: "paid", variables: { input: { id: `gid://shopify/Order/${order.platformOrderId}` } } },
    ]);

    await updateSettings(
      database.db,
      shop.id,
      { bankMatch: { markOrderPaid: false } },
      { changedBy: "t", now: new Date() },
    );
    await queue("wb-order-2");
    await sweepOutbox(database.db, { "shopify.write_back": shopifyWriteBackHandler(async () => admin) });
    expect(seen).toHaveLength(1);
    expect((await database.db.select().from(outbox)).map((r) => [r.status, r.result])).toEqual(
      expect.arrayContaining([["done", { skipped: "bankMatch.markOrderPaid is off" }]]),
    );
  });

  test("a write-back Shopify refuses ends dead with the reason instead of being retried", async () => {
    database = await createTestDatabase(engine);
    const shop = await insertShop(database.db, { domain: DOMAIN });
    await updateSettings(
      database.db,
      shop.id,
      { writeBack: { tags: true, metafield: false, markAsPaid: false } },
      { changedBy: "t", now: new Date() },
    );
    const row = await insertCaseRow(database.db, shop, { status: "running" });
    server.use(
      shopifyApi.mutation("MahnwerkTagsRemove", () =>
        HttpResponse.json({
          data: { tagsRemove: { userErrors: [{ field: ["id"], message: "Order does not exist" }] } },
        }),
      ),
    );
    await database.db.insert(outbox).values({
      shopId: shop.id,
      caseId: row.id,
      kind: "shopify.write_back",
      idempotencyKey: "wb-2",
      nextAttemptAt: new Date(),
      payload: { caseId: row.id, status: "running", markPaid: false },
    });
    await sweepOutbox(database.db, { "shopify.write_back": shopifyWriteBackHandler(async () => admin) });
    expect((await database.db.select().from(outbox))[0]).toMatchObject({
      status: "dead",
      lastError: expect.stringContaining("Order does not exist"),
    });
  });
});
