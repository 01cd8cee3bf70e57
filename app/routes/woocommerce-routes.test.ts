import { randomUUID } from "node:crypto";

import type { AppLoadContext } from "@remix-run/node";
import { eq } from "drizzle-orm";
import { http, HttpResponse } from "msw";
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "vitest";

import { loginTokens, staffSessions, webhookInbox, wooConnections } from "#app/db/schema";
import { type MessageKey, translator } from "#app/i18n/i18n";
import { inboxProcessJob } from "#app/jobs/intake.server";
import { webhookSecretOf, type WooConnection } from "#app/services/woocommerce/connections.server";
import { encodeWpUser, signWpAdminLink } from "#app/services/woocommerce/staff.server";
import { fixtureBytes, wooWebhookHeaders } from "#test/fixtures/sign";
import { server } from "#test/mocks/node";
import { WOO_TEST_KEYS, WOO_TEST_STORE_URL, wooStore } from "#test/mocks/woocommerce";
import { createTestDatabase, type TestDatabase, testEngines } from "#test/support/db";
import { cookiesOf, formRequest, serveRoutesFrom, settle } from "#test/support/routes";
import { connectTestStore, TEST_APP_URL, TEST_ENCRYPTION_KEY } from "#test/support/woo";

import { action as webhookAction, loader as webhookLoader } from "./webhooks.woocommerce.$connectionId";
import { action as callbackAction, loader as callbackLoader } from "./woocommerce.auth.callback";
import { action as connectAction, loader as connectLoader } from "./woocommerce.connect";
import { loader as returnLoader } from "./woocommerce.return";
import { loader as signinLoader } from "./woocommerce.signin";

/*
 * The WooCommerce routes called as Remix calls them (a Request in, data or a Response out), in this process so msw
 * stands in for the store. The services behind them have their own tests; these pin what the routes add: status
 * codes, the message a person sees, what is (not) stored or queued.
 */

const ctx = {} as { context: AppLoadContext };
const de = translator("de");
const en = translator("en");

/** A message the page shows must exist in both languages (a missing key would show the key itself). */
function expectClearMessage(result: unknown, key: MessageKey) {
  expect(result).toEqual({ error: key });
  expect(en(key)).not.toBe(key);
  expect(de(key)).not.toBe(key);
  expect(de(key)).not.toBe(en(key));
}

describe.each(testEngines())("WooCommerce routes on %s", (engine) => {
  let database: TestDatabase;
  let routes: ReturnType<typeof serveRoutesFrom>;

  beforeAll(async () => {
    database = await createTestDatabase(engine);
    routes = serveRoutesFrom(database);
    ctx.context = routes.context;
  });
  afterAll(async () => {
    routes.release();
    await database.close();
  });
  beforeEach(() => {
    wooStore.reset();
    routes.jobs.length = 0;
  });

  const connect = (fields: Record<string, string>) =>
    connectAction({ request: formRequest(`${TEST_APP_URL}/woocommerce/connect`, fields), params: {}, ...ctx });
  const callback = (body: unknown) =>
    callbackAction({
      request: new Request(`${TEST_APP_URL}/woocommerce/auth/callback`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      }),
      params: {},
      ...ctx,
    });
  const keyCallback = (connectionId: string, keys = WOO_TEST_KEYS) => ({
    key_id: 7,
    user_id: connectionId,
    consumer_key: keys.consumerKey,
    consumer_secret: keys.consumerSecret,
    key_permissions: "read_write",
  });
  const connectionCount = async () => (await database.db.select().from(wooConnections)).length;

  describe("/woocommerce/connect", () => {
    test("the page knows encryption is configured and warns about plain http", async () => {
      expect(
        await connectLoader({ request: new Request(`${TEST_APP_URL}/woocommerce/connect`), params: {}, ...ctx }),
      ).toMatchObject({ encryptionReady: true, httpsReady: true, connected: null });
      // The configured address decides, never the address the request came in on.
      expect(
        await connectLoader({ request: new Request("http://127.0.0.1:3000/woocommerce/connect"), params: {}, ...ctx }),
      ).toMatchObject({ httpsReady: true });
    });

    test("a wrong store address gets a clear message and stores nothing", async () => {
      const before = await connectionCount();
      expectClearMessage(await connect({ intent: "connect", storeUrl: "not a store" }), "woo.error.invalid_url");
      expectClearMessage(
        await connect({ intent: "connect", storeUrl: "http://wollwerk.example.de" }),
        "woo.error.not_https",
      );
      expectClearMessage(
        await connect({ intent: "manual", storeUrl: "", consumerKey: "ck_x", consumerSecret: "cs_x" }),
        "woo.error.invalid_url",
      );
      expect(await connectionCount()).toBe(before);
      expect(wooStore.state.requests).toEqual([]);
    });

    test("an unreachable store gets a clear message", async () => {
      server.use(http.all("https://offline.example.de/*", () => HttpResponse.error()));
      expectClearMessage(
        await connect({ intent: "manual", storeUrl: "https://offline.example.de", ...WOO_TEST_KEYS }),
        "woo.error.unreachable",
      );
    });

    test("an address without a WooCommerce REST API gets a clear message", async () => {
      server.use(
        http.all(
          "https://blog.example.de/*",
          () => new HttpResponse("<html>Not found</html>", { status: 404, headers: { "content-type": "text/html" } }),
        ),
      );
      expectClearMessage(
        await connect({ intent: "manual", storeUrl: "https://blog.example.de", ...WOO_TEST_KEYS }),
        "woo.error.not_woocommerce",
      );
    });

    test("wrong keys get a clear message; no webhooks are created and nothing is queued", async () => {
      expectClearMessage(
        await connect({
          intent: "manual",
          storeUrl: WOO_TEST_STORE_URL,
          consumerKey: "ck_0000000000000000000000000000000000000000",
          consumerSecret: WOO_TEST_KEYS.consumerSecret,
        }),
        "woo.error.wrong_keys",
      );
      expect(wooStore.state.webhooks.size).toBe(0);
      expect(routes.jobs).toEqual([]);
    });

    test("right keys by hand connect the store, create its webhooks and queue the import", async () => {
      const result = await connect({ intent: "manual", storeUrl: "wollwerk.example.de/wp-admin/", ...WOO_TEST_KEYS });
      expect(result).toEqual({ done: "woo.connect.connectedManual", values: { store: WOO_TEST_STORE_URL } });
      expect(wooStore.state.webhooks.size).toBe(4);
      expect(routes.jobs.map((j) => j.name)).toContain("woocommerce.import");
    });

    test("the authorize flow redirects to the store with our connection id, and disconnect needs a staff session", async () => {
      const response = await connect({ intent: "connect", storeUrl: "https://wollwerk.example.de/" });
      expect(response).toBeInstanceOf(Response);
      const location = new URL((response as Response).headers.get("location")!);
      expect(`${location.origin}${location.pathname}`).toBe(`${WOO_TEST_STORE_URL}/wc-auth/v1/authorize`);
      expect(location.searchParams.get("callback_url")).toBe(`${TEST_APP_URL}/woocommerce/auth/callback`);
      const [pending] = await database.db
        .select()
        .from(wooConnections)
        .where(eq(wooConnections.id, location.searchParams.get("user_id")!));
      expect(pending).toMatchObject({ status: "pending", storeUrl: WOO_TEST_STORE_URL });
      const refused = await settle(() => connect({ intent: "disconnect" }));
      expect(refused).toBeInstanceOf(Response);
      expect((refused as Response).status).toBe(403);
    });
  });

  describe("/woocommerce/auth/callback", () => {
    test("a wrong connection id is rejected with 404 and nothing is asked of the store or stored", async () => {
      const before = await connectionCount();
      const response = await callback(keyCallback(randomUUID()));
      expect(response.status).toBe(404);
      expect(await response.json()).toMatchObject({ error: { code: "unknown_connection" } });
      expect(wooStore.state.requests).toEqual([]);
      expect(await connectionCount()).toBe(before);
    });

    test("a body that is not a key callback is 400, a GET 405", async () => {
      expect((await callback({ ...keyCallback("not-a-uuid") })).status).toBe(400);
      expect((await callback({ hello: "world" })).status).toBe(400);
      expect((await callbackLoader()).status).toBe(405);
    });

    test("the store's callback completes the pending connection once; a replay is 409; /return then reports it", async () => {
      const redirect = (await connect({ intent: "connect", storeUrl: WOO_TEST_STORE_URL })) as Response;
      const connectionId = new URL(redirect.headers.get("location")!).searchParams.get("user_id")!;
      const returned = (query: string) =>
        returnLoader({ request: new Request(`${TEST_APP_URL}/woocommerce/return?${query}`), params: {}, ...ctx });
      expect(await returned(`success=1&user_id=${connectionId}`)).toMatchObject({ state: "pending" });

      const first = await callback(keyCallback(connectionId));
      expect(first.status).toBe(200);
      const replay = await callback(keyCallback(connectionId));
      expect(replay.status).toBe(409);
      expect(await replay.json()).toMatchObject({ error: { code: "already_used" } });

      expect(await returned(`success=1&user_id=${connectionId}`)).toEqual({
        locale: "en",
        state: "connected",
        storeUrl: WOO_TEST_STORE_URL,
      });
      expect(await returned(`success=0&user_id=${connectionId}`)).toMatchObject({ state: "denied", storeUrl: "" });
      expect(await returned(`success=1&user_id=${randomUUID()}`)).toMatchObject({ state: "unknown", storeUrl: "" });
    });

    test("keys the store itself refuses are 401 and the connection stays pending", async () => {
      const redirect = (await connect({ intent: "connect", storeUrl: WOO_TEST_STORE_URL })) as Response;
      const connectionId = new URL(redirect.headers.get("location")!).searchParams.get("user_id")!;
      const response = await callback(
        keyCallback(connectionId, { ...WOO_TEST_KEYS, consumerKey: "ck_1111111111111111111111111111111111111111" }),
      );
      expect(response.status).toBe(401);
      const [row] = await database.db.select().from(wooConnections).where(eq(wooConnections.id, connectionId));
      expect(row).toMatchObject({ status: "pending", consumerKey: null });
    });
  });

  describe("/woocommerce/signin and /webhooks/woocommerce/:id on a connected store", () => {
    let connection: WooConnection;
    let secret: string;
    beforeAll(async () => {
      wooStore.reset();
      ({ connection } = await connectTestStore(database.db));
      secret = webhookSecretOf(connection, TEST_ENCRYPTION_KEY);
    });

    const signinUrl = (overrides: Record<string, string> = {}, at = new Date()) => {
      const t = Math.floor(at.getTime() / 1000);
      const n = randomUUID().replaceAll("-", "");
      const u = encodeWpUser({ id: 3, name: "Shop Manager", email: "manager@wollwerk.example.de" });
      const params = new URLSearchParams({
        c: connection.id,
        t: String(t),
        n,
        u,
        s: signWpAdminLink(connection.id, t, n, u, secret),
        ...overrides,
      });
      return `${TEST_APP_URL}/woocommerce/signin?${params}`;
    };
    const signin = (url: string, locale = "en") =>
      signinLoader({ request: new Request(url, { headers: { "accept-language": locale } }), params: {}, ...ctx });

    test("a signed link opens a session once; its replay is refused in the reader's language and sets no cookie", async () => {
      const url = signinUrl();
      const first = await signin(url);
      expect(first.status).toBe(302);
      expect(first.headers.get("location")).toBe("/app");
      expect(cookiesOf(first)).toMatch(/^mahnwerk_staff=[A-Za-z0-9_-]+$/);
      const sessions = (await database.db.select().from(staffSessions)).length;

      const replay = await signin(url, "de");
      expect(replay.status).toBe(403);
      expect(await replay.text()).toBe(de("woo.signin.failed"));
      expect(replay.headers.get("set-cookie")).toBeNull();
      expect((await database.db.select().from(staffSessions)).length).toBe(sessions);
    });

    test("expired, tampered and malformed links are refused", async () => {
      expect((await signin(signinUrl({}, new Date(Date.now() - 6 * 60_000)))).status).toBe(403);
      const genuine = new URL(signinUrl());
      genuine.searchParams.set("u", encodeWpUser({ id: 1, name: "Administrator", email: "admin@wollwerk.example.de" }));
      const tampered = await signin(genuine.toString());
      expect(tampered.status).toBe(403);
      expect(await tampered.text()).toBe(en("woo.signin.failed"));
      expect((await signin(`${TEST_APP_URL}/woocommerce/signin?c=${connection.id}`)).status).toBe(400);
      const tokens = await database.db.select().from(loginTokens);
      expect(JSON.stringify(tokens)).not.toContain(genuine.searchParams.get("n"));
    });

    const webhook = (request: Request, connectionId = connection.id) =>
      webhookAction({ request, params: { connectionId }, ...ctx });
    const deliveryUrl = (id = connection.id) => `${TEST_APP_URL}/webhooks/woocommerce/${id}`;
    const inboxCount = async () => (await database.db.select().from(webhookInbox)).length;

    test("WooCommerce's creation ping is answered 200 without recording an event", async () => {
      const before = await inboxCount();
      const ping = new Request(deliveryUrl(), {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: fixtureBytes("woocommerce/ping.txt").toString("utf8"),
      });
      expect((await webhook(ping)).status).toBe(200);
      expect(await inboxCount()).toBe(before);
      expect(routes.jobs).toEqual([]);
    });

    test("a bad signature is 401 and stores nothing; a good delivery is 200, stored and queued", async () => {
      const body = fixtureBytes("woocommerce/order-created-invoice.json");
      const before = await inboxCount();
      const forged = new Request(deliveryUrl(), {
        method: "POST",
        headers: wooWebhookHeaders(body, "not-the-secret", { topic: "order.created" }),
        body: new Uint8Array(body),
      });
      expect((await webhook(forged)).status).toBe(401);
      const unknown = new Request(deliveryUrl(randomUUID()), {
        method: "POST",
        headers: wooWebhookHeaders(body, secret, { topic: "order.created" }),
        body: new Uint8Array(body),
      });
      expect((await webhook(unknown, new URL(unknown.url).pathname.split("/").pop())).status).toBe(401);
      expect(await inboxCount()).toBe(before);
      expect(routes.jobs).toEqual([]);

      const genuine = new Request(deliveryUrl(), {
        method: "POST",
        headers: wooWebhookHeaders(body, secret, { topic: "order.created", deliveryId: randomUUID() }),
        body: new Uint8Array(body),
      });
      expect((await webhook(genuine)).status).toBe(200);
      expect(await inboxCount()).toBe(before + 1);
      expect(routes.jobs).toEqual([
        expect.objectContaining({ name: inboxProcessJob.name, data: { inboxId: expect.any(String) } }),
      ]);
      expect((await webhookLoader()).status).toBe(405);
    });
  });
});
