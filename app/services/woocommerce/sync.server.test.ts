import { eq } from "drizzle-orm";
import { HttpResponse } from "msw";
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "vitest";

import { WooApiError } from "#adapters/woocommerce/client";
import { orderImports, orders, wooConnections } from "#app/db/schema";
import { wooOrder, wooStore } from "#test/mocks/woocommerce";
import { createTestDatabase, type TestDatabase, testEngines } from "#test/support/db";
import { connectTestStore, TEST_APP_URL, TEST_ENCRYPTION_KEY } from "#test/support/woo";

import type { WooConnection } from "./connections.server";
import { webhookSecretOf } from "./connections.server";
import { ensureWebhooks, pollConnection, runWooImport } from "./sync.server";

const key = TEST_ENCRYPTION_KEY;

describe.each(testEngines())("WooCommerce import and reconciliation on %s", (engine) => {
  let database: TestDatabase;
  let connection: WooConnection;
  beforeAll(async () => {
    database = await createTestDatabase(engine);
  });
  afterAll(() => database.close());
  beforeEach(async () => {
    wooStore.reset();
    ({ connection } = await connectTestStore(database.db));
    wooStore.state.requests = [];
  });
  const shopOrders = async () => database.db.select().from(orders).where(eq(orders.shopId, connection.shopId!));
  const importRow = async () => {
    const rows = await database.db.select().from(orderImports).where(eq(orderImports.shopId, connection.shopId!));
    return rows.sort((a, b) => b.startedAt.getTime() - a.startedAt.getTime())[0]!;
  };

  test("the import pages through open orders, survives an interruption and resumes from its cursor", async () => {
    // 250 open invoice orders and an open card order (3 pages of 100), plus a completed one the import does not read.
    for (let id = 1; id <= 250; id += 1) wooStore.addOrders(wooOrder(id));
    wooStore.addOrders(
      wooOrder(900, { payment_method: "ppcp-gateway", status: "processing" }),
      wooOrder(901, { status: "completed" }),
    );
    wooStore.fail(
      (r) => r.path === "orders" && r.query.get("page") === "2",
      () => HttpResponse.json({ code: "internal_server_error" }, { status: 500 }),
    );

    const run = await importRow();
    await expect(runWooImport(database.db, run.id, { key, now: new Date() })).rejects.toBeInstanceOf(WooApiError);
    expect(await importRow()).toMatchObject({ status: "running", cursor: "2", processed: 100, total: 251 });
    expect(await shopOrders()).toHaveLength(100);

    expect(await runWooImport(database.db, run.id, { key, now: new Date() })).toBe("done");
    expect(await importRow()).toMatchObject({ status: "done", cursor: "4", processed: 251, total: 251 });
    // The card order was read (processed) but is not tracked: no invoice, no personal data kept.
    const stored = await shopOrders();
    expect(stored).toHaveLength(250);
    expect(stored.some((o) => o.platformOrderId === "900" || o.platformOrderId === "901")).toBe(false);

    const listed = wooStore.requestsTo("GET", /^orders$/);
    expect(listed.map((r) => r.query.get("page"))).toEqual(["1", "2", "2", "3"]);
    expect(
      listed.every((r) => r.query.get("status") === "pending,on-hold,processing" && r.query.get("per_page") === "100"),
    ).toBe(true);

    // A finished import is not run again; a fresh one over the same orders changes nothing.
    expect(await runWooImport(database.db, run.id, { key, now: new Date() })).toBe("skipped");
    const before = (await shopOrders()).map((o) => o.updatedAt.getTime()).sort();
    const [again] = await database.db
      .insert(orderImports)
      .values({ shopId: connection.shopId!, cursor: "1" })
      .returning();
    expect(await runWooImport(database.db, again!.id, { key, now: new Date() })).toBe("done");
    expect((await shopOrders()).map((o) => o.updatedAt.getTime()).sort()).toEqual(before);
  });

  test("refused keys end the import as failed instead of retrying forever", async () => {
    wooStore.state.keys.consumerSecret = "cs_revoked0000000000000000000000000000000";
    const run = await importRow();
    expect(await runWooImport(database.db, run.id, { key, now: new Date() })).toBe("failed");
    expect(await importRow()).toMatchObject({ status: "failed" });
  });

  test("the poll reads orders modified since the last poll and the newest state wins", async () => {
    const t0 = connection.connectedAt!;
    const minutes = (n: number) => new Date(t0.getTime() + n * 60_000);
    wooStore.addOrders(
      wooOrder(7001, { modified: minutes(1), total: "50.00" }),
      wooOrder(7002, { modified: new Date(t0.getTime() - 3 * 3600_000) }),
    );

    expect(await pollConnection(database.db, connection.id, { key, now: minutes(5) })).toEqual({
      kind: "polled",
      orders: 1,
    });
    const [first] = wooStore.requestsTo("GET", /^orders$/);
    expect(first!.query.get("dates_are_gmt")).toBe("true");
    expect(first!.query.get("modified_after")).toBe(new Date(t0.getTime() - 15 * 60_000).toISOString().slice(0, 19));
    expect(
      (await shopOrders()).filter((o) => o.platformOrderId.startsWith("700")).map((o) => o.platformOrderId),
    ).toEqual(["7001"]);

    wooStore.addOrders(wooOrder(7001, { modified: minutes(7), total: "40.00" }));
    await pollConnection(database.db, connection.id, { key, now: minutes(10) });
    const [row] = await database.db.select().from(wooConnections).where(eq(wooConnections.id, connection.id));
    expect(row!.lastPolledAt).toEqual(minutes(10));
    const [order] = (await shopOrders()).filter((o) => o.platformOrderId === "7001");
    expect(order).toMatchObject({ totalMinor: 4000 });
  });

  test("a disconnected store is not polled", async () => {
    await database.db
      .update(wooConnections)
      .set({ status: "disconnected" })
      .where(eq(wooConnections.id, connection.id));
    expect(await pollConnection(database.db, connection.id, { key, now: new Date() })).toEqual({ kind: "skipped" });
    expect(wooStore.state.requests).toEqual([]);
  });

  test("webhook health re-enables a disabled webhook and re-creates a deleted one", async () => {
    const updatedId = connection.webhookIds["order.updated"]!;
    const deletedId = connection.webhookIds["order.deleted"]!;
    wooStore.state.webhooks.get(updatedId)!.status = "disabled";
    wooStore.state.webhooks.delete(deletedId);

    const health = await ensureWebhooks(database.db, connection.id, { key, now: new Date() });
    expect(health).toEqual({ reenabled: 1, recreated: 1, missing: [] });
    expect(wooStore.requestsTo("PUT", new RegExp(`^webhooks/${updatedId}$`))[0]!.body).toEqual({ status: "active" });
    const hooks = [...wooStore.state.webhooks.values()];
    expect(hooks).toHaveLength(4);
    expect(
      hooks.every(
        (h) => h.status === "active" && h.delivery_url === `${TEST_APP_URL}/webhooks/woocommerce/${connection.id}`,
      ),
    ).toBe(true);
    const recreated = hooks.find((h) => h.topic === "order.deleted")!;
    expect(recreated.id).not.toBe(deletedId);
    expect(recreated.secret).toBe(webhookSecretOf(connection, key));
    const [row] = await database.db.select().from(wooConnections).where(eq(wooConnections.id, connection.id));
    expect(row!.webhookIds["order.deleted"]).toBe(recreated.id);
  });
});
