import { eq } from "drizzle-orm";
import { http, HttpResponse } from "msw";
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "vitest";

import { DEFAULT_WOO_INVOICE_PAYMENT_METHODS } from "#adapters/woocommerce/normalize";
import { orderImports, settings, shops, wooConnections } from "#app/db/schema";
import { decryptSecret } from "#app/utils/crypto.server";
import { server } from "#test/mocks/node";
import { WOO_TEST_KEYS, WOO_TEST_STORE_URL, wooStore } from "#test/mocks/woocommerce";
import { createTestDatabase, type TestDatabase, testEngines } from "#test/support/db";
import {
  connectTestStore,
  dumpPublicTables,
  importRecorder,
  TEST_APP_URL,
  TEST_ENCRYPTION_KEY,
} from "#test/support/woo";

import {
  completeConnection,
  createPendingConnection,
  disconnectConnection,
  normalizeStoreUrl,
  storeTimeZone,
  wooAuthorizeUrl,
  wooKeyCallbackSchema,
  wooSecretPlace,
} from "./connections.server";

const key = TEST_ENCRYPTION_KEY;

test("store URLs: https only, normalized to host (+ sub-directory) without trailing slash", () => {
  expect(normalizeStoreUrl("Wollwerk.Example.de/")).toEqual({ ok: true, value: "https://wollwerk.example.de" });
  expect(normalizeStoreUrl("https://example.de/shop/wp-admin/")).toEqual({
    ok: true,
    value: "https://example.de/shop",
  });
  expect(normalizeStoreUrl("https://example.de/?x=1#y")).toEqual({ ok: true, value: "https://example.de" });
  expect(normalizeStoreUrl("http://example.de")).toEqual({ ok: false, error: { code: "not_https" } });
  for (const bad of ["", "not a url", "https://localhost", "ftp://example.de", "https://user:pw@example.de"]) {
    expect(normalizeStoreUrl(bad)).toMatchObject({ ok: false, error: { code: "invalid_url" } });
  }
});

test("the authorize URL carries all five parameters, our connection id as user_id", () => {
  const url = new URL(wooAuthorizeUrl("https://example.de/shop", "0b6f1c1e-8a57-4a59-9d1c-6d3f8c2a1b00", TEST_APP_URL));
  expect(url.origin + url.pathname).toBe("https://example.de/shop/wc-auth/v1/authorize");
  expect(Object.fromEntries(url.searchParams)).toEqual({
    app_name: "Mahnwerk",
    scope: "read_write",
    user_id: "0b6f1c1e-8a57-4a59-9d1c-6d3f8c2a1b00",
    return_url: `${TEST_APP_URL}/woocommerce/return`,
    callback_url: `${TEST_APP_URL}/woocommerce/auth/callback`,
  });
});

test("time zone: timezone_string, else a whole-hour gmt_offset, else UTC", () => {
  expect(storeTimeZone({ timezone_string: "Europe/Vienna", gmt_offset: 1 })).toBe("Europe/Vienna");
  expect(storeTimeZone({ timezone_string: "", gmt_offset: "2" })).toBe("Etc/GMT-2");
  expect(storeTimeZone({ timezone_string: "", gmt_offset: -5 })).toBe("Etc/GMT+5");
  expect(storeTimeZone({ timezone_string: "", gmt_offset: 5.5 })).toBe("UTC");
  expect(storeTimeZone(null)).toBe("UTC");
});

test("the callback body is validated", () => {
  const body = {
    key_id: 7,
    user_id: "0b6f1c1e-8a57-4a59-9d1c-6d3f8c2a1b00",
    consumer_key: WOO_TEST_KEYS.consumerKey,
    consumer_secret: WOO_TEST_KEYS.consumerSecret,
    key_permissions: "read_write",
  };
  expect(wooKeyCallbackSchema.safeParse(body).success).toBe(true);
  expect(wooKeyCallbackSchema.safeParse({ ...body, user_id: "42" }).success).toBe(false);
  expect(wooKeyCallbackSchema.safeParse({ ...body, consumer_secret: undefined }).success).toBe(false);
});

describe.each(testEngines())("WooCommerce connection on %s", (engine) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase(engine);
  });
  afterAll(() => database.close());
  beforeEach(() => wooStore.reset());

  const counts = async () => ({
    shops: (await database.db.select().from(shops)).length,
    connections: (await database.db.select().from(wooConnections)).length,
    settings: (await database.db.select().from(settings)).length,
    imports: (await database.db.select().from(orderImports)).length,
  });

  test("a callback for an unknown connection id stores nothing and asks the store nothing", async () => {
    const before = await counts();
    const result = await completeConnection(
      database.db,
      "0b6f1c1e-8a57-4a59-9d1c-6d3f8c2a1b00",
      { ...WOO_TEST_KEYS, permissions: "read_write" },
      { key, now: new Date(), appUrl: TEST_APP_URL },
    );
    expect(result).toMatchObject({ ok: false, error: { code: "unknown_connection" } });
    expect(await counts()).toEqual(before);
    expect(wooStore.state.requests).toEqual([]);
  });

  test("connecting reads the store, creates the shop, its WooCommerce settings, four webhooks and the import", async () => {
    const { imports, queueImport } = importRecorder();
    const { connection, shop } = await connectTestStore(database.db, { queueImport });
    expect(shop).toMatchObject({
      platform: "woocommerce",
      domain: "wollwerk.example.de",
      name: "Wollwerk",
      currency: "EUR",
      timezone: "Europe/Berlin",
      locale: "de",
      status: "active",
    });
    expect(connection).toMatchObject({ status: "connected", shopId: shop.id });

    const secret = decryptSecret(connection.webhookSecret, key, wooSecretPlace(connection.id, "webhook_secret"));
    expect(secret).toMatch(/^[a-z0-9]{64}$/);
    const hooks = [...wooStore.state.webhooks.values()];
    expect(hooks.map((h) => h.topic).sort()).toEqual([
      "order.created",
      "order.deleted",
      "order.restored",
      "order.updated",
    ]);
    for (const hook of hooks) {
      expect(hook.delivery_url).toBe(`${TEST_APP_URL}/webhooks/woocommerce/${connection.id}`);
      expect(hook.secret).toBe(secret);
      expect(connection.webhookIds[hook.topic]).toBe(hook.id);
    }

    const [first] = await database.db.select().from(settings).where(eq(settings.shopId, shop.id));
    expect((first!.data as { invoicePaymentMethods: string[] }).invoicePaymentMethods).toEqual([
      ...DEFAULT_WOO_INVOICE_PAYMENT_METHODS,
    ]);
    const [run] = await database.db.select().from(orderImports).where(eq(orderImports.shopId, shop.id));
    expect(run).toMatchObject({ status: "running", cursor: "1", processed: 0 });
    expect(imports).toEqual([run!.id]);

    // WooCommerce repeats nothing, but a replayed callback must not create a second set of webhooks.
    const again = await completeConnection(
      database.db,
      connection.id,
      { ...WOO_TEST_KEYS, permissions: "read_write" },
      { key, now: new Date(), appUrl: TEST_APP_URL },
    );
    expect(again).toMatchObject({ ok: false, error: { code: "already_used" } });
    expect(wooStore.state.webhooks.size).toBe(4);
  });

  test("keys and webhook secret are encrypted at rest: the raw values appear in no table", async () => {
    const { connection } = await connectTestStore(database.db);
    const dump = await dumpPublicTables(database.db);
    expect(dump).toContain(connection.id);
    expect(dump).not.toContain(WOO_TEST_KEYS.consumerSecret);
    expect(dump).not.toContain(WOO_TEST_KEYS.consumerKey);
    expect(dump).not.toContain(
      decryptSecret(connection.webhookSecret, key, wooSecretPlace(connection.id, "webhook_secret")),
    );
    expect(decryptSecret(connection.consumerSecret!, key, wooSecretPlace(connection.id, "consumer_secret"))).toBe(
      WOO_TEST_KEYS.consumerSecret,
    );
  });

  test("wrong keys (401 from the store) are named and leave the connection pending", async () => {
    const pending = await createPendingConnection(database.db, WOO_TEST_STORE_URL, key);
    const result = await completeConnection(
      database.db,
      pending.id,
      { consumerKey: "ck_0000000000000000000000000000000000000000", consumerSecret: WOO_TEST_KEYS.consumerSecret },
      { key, now: new Date(), appUrl: TEST_APP_URL },
    );
    expect(result).toMatchObject({ ok: false, error: { code: "wrong_keys" } });
    const [row] = await database.db.select().from(wooConnections).where(eq(wooConnections.id, pending.id));
    expect(row).toMatchObject({ status: "pending", consumerKey: null, consumerSecret: null });
    expect(wooStore.state.webhooks.size).toBe(0);
  });

  test("an unreachable store is named as such", async () => {
    server.use(http.all("https://offline.example.de/*", () => HttpResponse.error()));
    const pending = await createPendingConnection(database.db, "https://offline.example.de", key);
    const result = await completeConnection(database.db, pending.id, WOO_TEST_KEYS, {
      key,
      now: new Date(),
      appUrl: TEST_APP_URL,
    });
    expect(result).toMatchObject({ ok: false, error: { code: "unreachable" } });
  });

  test("a key without read_write is refused before the store is asked", async () => {
    const pending = await createPendingConnection(database.db, WOO_TEST_STORE_URL, key);
    const result = await completeConnection(
      database.db,
      pending.id,
      { ...WOO_TEST_KEYS, permissions: "write" },
      { key, now: new Date(), appUrl: TEST_APP_URL },
    );
    expect(result).toMatchObject({ ok: false, error: { code: "insufficient_permissions" } });
    expect(wooStore.state.requests).toEqual([]);
  });

  test("disconnect deletes our webhooks at the store, marks the connection and forgets the keys", async () => {
    const { connection } = await connectTestStore(database.db);
    const ids = Object.values(connection.webhookIds).sort();
    wooStore.state.requests = [];
    const result = await disconnectConnection(database.db, connection.id, { key, now: new Date() });
    expect(result).toEqual({ disconnected: true, webhooksLeft: [] });
    const deletes = wooStore.requestsTo("DELETE", /^webhooks\/\d+$/);
    expect(deletes.map((r) => Number(r.path.split("/")[1])).sort()).toEqual(ids);
    expect(deletes.every((r) => r.query.get("force") === "true")).toBe(true);
    expect(wooStore.state.webhooks.size).toBe(0);
    const [row] = await database.db.select().from(wooConnections).where(eq(wooConnections.id, connection.id));
    expect(row).toMatchObject({ status: "disconnected", consumerKey: null, consumerSecret: null, webhookIds: {} });
  });

  test("reconnecting a store replaces the old connection and its webhooks", async () => {
    const first = await connectTestStore(database.db);
    const second = await connectTestStore(database.db);
    expect(second.shop.id).toBe(first.shop.id);
    const [old] = await database.db.select().from(wooConnections).where(eq(wooConnections.id, first.connection.id));
    expect(old).toMatchObject({ status: "disconnected", consumerKey: null });
    expect([...wooStore.state.webhooks.values()].every((h) => h.delivery_url.endsWith(second.connection.id))).toBe(
      true,
    );
    expect(wooStore.state.webhooks.size).toBe(4);
  });
});
