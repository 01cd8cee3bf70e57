import { createServer, type Server } from "node:net";

import { eq } from "drizzle-orm";
import { http, HttpResponse } from "msw";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from "vitest";

import { isPublicAddress } from "#adapters/http/outbound";
import { RivertyClient } from "#adapters/partners/riverty/client";
import { createWooClient, WooApiError } from "#adapters/woocommerce/client";
import { wooConnections } from "#app/db/schema";
import { action as connectAction } from "#app/routes/woocommerce.connect";
import * as connections from "#app/services/woocommerce/connections.server";
import { server } from "#test/mocks/node";
import { WOO_TEST_KEYS, WOO_TEST_STORE_URL, wooStore } from "#test/mocks/woocommerce";
import { createTestDatabase, type TestDatabase, testEngines } from "#test/support/db";
import { formRequest, serveRoutesFrom } from "#test/support/routes";
import { TEST_APP_URL, TEST_ENCRYPTION_KEY } from "#test/support/woo";

// getEnv parses once: the connect action needs the key the test rows are encrypted with (see serveRoutesFrom).
process.env.ENCRYPTION_KEY = TEST_ENCRYPTION_KEY.toString("hex");

/*
 * Issue 19, item 2: the store URL (public form, no login) must not let anyone make this server talk to its own
 * network, follow a store's redirect elsewhere, probe ports through error messages, or read answers without end.
 */

/** A TCP listener on loopback that only counts connections: any count above 0 means we reached inside. */
async function listener(): Promise<{ port: number; connections: () => number; close: () => Promise<void> }> {
  let count = 0;
  const tcp: Server = createServer((socket) => {
    count += 1;
    socket.destroy();
  });
  await new Promise<void>((resolve) => tcp.listen(0, "127.0.0.1", resolve));
  const port = (tcp.address() as { port: number }).port;
  return { port, connections: () => count, close: () => new Promise((resolve) => tcp.close(() => resolve())) };
}

async function failure(run: () => Promise<unknown>): Promise<WooApiError> {
  try {
    await run();
  } catch (error) {
    if (error instanceof WooApiError) return error;
    throw error;
  }
  throw new Error("expected a WooApiError");
}

const keys = { consumerKey: WOO_TEST_KEYS.consumerKey, consumerSecret: WOO_TEST_KEYS.consumerSecret };

describe("address classification", () => {
  test.each([
    "127.0.0.1",
    "127.1.2.3",
    "10.0.0.8",
    "172.16.5.4",
    "192.168.1.1",
    "169.254.169.254",
    "100.64.0.1",
    "0.0.0.0",
    "224.0.0.1",
    "255.255.255.255",
    "198.18.0.1",
    "::1",
    "::",
    "fe80::1",
    "fc00::1",
    "fd12:3456::1",
    "ff02::1",
    "::ffff:127.0.0.1",
    "::ffff:169.254.169.254",
    "::ffff:10.1.2.3",
    "64:ff9b::7f00:1",
    "::7f00:1",
    "2002:7f00:1::1",
    "not an address",
  ])("%s is refused", (address) => {
    expect(isPublicAddress(address)).toBe(false);
  });
  test.each(["93.184.216.34", "8.8.8.8", "2606:4700:4700::1111", "::ffff:8.8.8.8"])("%s is public", (address) => {
    expect(isPublicAddress(address)).toBe(true);
  });
});

describe("the WooCommerce client never connects to a private address", () => {
  let tcp: Awaited<ReturnType<typeof listener>>;
  beforeEach(async () => {
    tcp = await listener();
  });
  afterEach(async () => {
    await tcp.close();
  });

  test.each(["127.0.0.1", "0x7f.1", "2130706433", "127.1"])(
    "a store at https://%s:<port> is refused before any connection",
    async (host) => {
      const client = createWooClient(
        { storeUrl: `https://${host}:${tcp.port}`, ...keys },
        { allowPrivateNetwork: false },
      );
      const error = await failure(() => client.generalSettings());
      expect(error.kind).toBe("unreachable");
      await expect(client.siteIndex()).rejects.toMatchObject({ kind: "unreachable" });
      expect(tcp.connections()).toBe(0);
    },
  );

  test("a name that resolves to loopback is refused; the answer of the one lookup is what a connection uses", async () => {
    const resolve = async () => [{ address: "127.0.0.1", family: 4 }];
    const refused = createWooClient(
      { storeUrl: `https://shop.example.de:${tcp.port}`, ...keys },
      { resolve, allowPrivateNetwork: false },
    );
    await expect(refused.generalSettings()).rejects.toMatchObject({ kind: "unreachable" });
    expect(tcp.connections()).toBe(0);
    // The operator switch lets it through, and the socket goes to the resolved address (the name itself resolves nowhere).
    const allowed = createWooClient(
      { storeUrl: `https://shop.example.de:${tcp.port}`, ...keys },
      { resolve, allowPrivateNetwork: true },
    );
    await expect(allowed.generalSettings()).rejects.toMatchObject({ kind: "unreachable" });
    expect(tcp.connections()).toBe(1);
  });

  test("one private address among public ones refuses the name", async () => {
    const resolve = async () => [
      { address: "93.184.216.34", family: 4 },
      { address: "::ffff:127.0.0.1", family: 6 },
    ];
    const client = createWooClient(
      { storeUrl: `https://shop.example.de:${tcp.port}`, ...keys },
      { resolve, allowPrivateNetwork: false },
    );
    await expect(client.listWebhooks()).rejects.toMatchObject({ kind: "unreachable" });
    expect(tcp.connections()).toBe(0);
  });

  test("a closed port and an open one give the same message (no port scan through error texts)", async () => {
    const closed = await listener();
    await closed.close();
    const messages = [];
    for (const port of [tcp.port, closed.port]) {
      const client = createWooClient({ storeUrl: `https://127.0.0.1:${port}`, ...keys }, { allowPrivateNetwork: true });
      messages.push((await failure(() => client.generalSettings())).message);
    }
    expect(tcp.connections()).toBe(1);
    expect(messages[0]).toBe("GET settings/general: the store could not be reached");
    expect(messages[1]).toBe(messages[0]);
  });
});

describe("redirects and answer sizes", () => {
  let internalHits = 0;
  beforeEach(() => {
    wooStore.reset();
    internalHits = 0;
    server.use(http.all("https://intranet.example.de/*", () => ((internalHits += 1), HttpResponse.json([]))));
  });

  test("a 307 from the store is not followed (it would resend the request with its body elsewhere)", async () => {
    server.use(
      http.all(
        `${WOO_TEST_STORE_URL}/wp-json/wc/v3/webhooks`,
        () => new HttpResponse(null, { status: 307, headers: { location: "https://intranet.example.de/admin" } }),
      ),
      http.get(
        `${WOO_TEST_STORE_URL}/wp-json/`,
        () => new HttpResponse(null, { status: 302, headers: { location: "https://intranet.example.de/" } }),
      ),
    );
    const client = createWooClient({ storeUrl: WOO_TEST_STORE_URL, ...keys });
    await expect(
      client.createWebhook({ name: "x", topic: "order.created", delivery_url: "https://a.example/x", secret: "s" }),
    ).rejects.toBeInstanceOf(WooApiError);
    await expect(client.siteIndex()).rejects.toBeInstanceOf(WooApiError);
    expect(internalHits).toBe(0);
  });

  test("an answer over the size cap is refused instead of read to the end", async () => {
    const huge = "x".repeat(12 * 1024 * 1024);
    server.use(
      http.get(`${WOO_TEST_STORE_URL}/wp-json/wc/v3/orders`, () =>
        HttpResponse.json([{ id: 1, status: "on-hold", filler: huge }]),
      ),
      http.get(`${WOO_TEST_STORE_URL}/wp-json/`, () => HttpResponse.json({ name: huge })),
    );
    const client = createWooClient({ storeUrl: WOO_TEST_STORE_URL, ...keys });
    await expect(client.listOrders({ page: 1 })).rejects.toMatchObject({ kind: "invalid_response" });
    await expect(client.siteIndex()).rejects.toMatchObject({ kind: "invalid_response" });
  });

  test("a partner answer over the size cap is a retryable failure, not read to the end", async () => {
    const huge = "x".repeat(6 * 1024 * 1024);
    const fetch: typeof globalThis.fetch = async (input) =>
      String(input).endsWith("/oauth/token")
        ? Response.json({ access_token: "t", expires_in: 3600 })
        : new Response(JSON.stringify({ filler: huge }), { status: 200 });
    const client = new RivertyClient(
      {
        baseUrl: "https://partner.example",
        authUrl: "https://auth.example/oauth/token",
        audience: "a",
        clientId: "c",
        clientSecret: "s",
      },
      { fetch },
    );
    const outcome = await client.request("GET", "/v1/claims");
    expect(outcome).toMatchObject({ kind: "retryable" });
  });
});

describe.each(testEngines())("connecting through the public form on %s", (engine) => {
  let database: TestDatabase;
  let routes: ReturnType<typeof serveRoutesFrom>;
  let tcp: Awaited<ReturnType<typeof listener>>;

  beforeAll(async () => {
    database = await createTestDatabase(engine);
    routes = serveRoutesFrom(database);
    tcp = await listener();
  });
  afterAll(async () => {
    routes.release();
    await tcp.close();
    await database.close();
  });

  test("keys by hand for a loopback store: no connection is opened, one generic message, nothing connected", async () => {
    const pending = await connections.createPendingConnection(
      database.db,
      `https://127.0.0.1:${tcp.port}`,
      TEST_ENCRYPTION_KEY,
    );
    const result = await connections.completeConnection(database.db, pending.id, keys, {
      key: TEST_ENCRYPTION_KEY,
      now: new Date(),
      appUrl: TEST_APP_URL,
    });
    expect(result).toEqual({
      ok: false,
      error: { code: "unreachable", message: "GET settings/general: the store could not be reached" },
    });
    expect(tcp.connections()).toBe(0);
    const [row] = await database.db.select().from(wooConnections).where(eq(wooConnections.id, pending.id));
    expect(row?.status).toBe("pending");
  });

  test("pending connections expire and are purged", async () => {
    const now = new Date();
    const old = await connections.createPendingConnection(database.db, WOO_TEST_STORE_URL, TEST_ENCRYPTION_KEY);
    await database.db
      .update(wooConnections)
      .set({ createdAt: new Date(now.getTime() - 2 * 60 * 60_000) })
      .where(eq(wooConnections.id, old.id));
    const fresh = await connections.createPendingConnection(database.db, WOO_TEST_STORE_URL, TEST_ENCRYPTION_KEY);
    const purge = (connections as Record<string, unknown>).purgeExpiredPendingConnections as
      ((db: unknown, now: Date) => Promise<number>) | undefined;
    expect(purge).toBeTypeOf("function");
    expect(await purge!(database.db, now)).toBeGreaterThanOrEqual(1);
    const left = (await database.db.select({ id: wooConnections.id }).from(wooConnections)).map((r) => r.id);
    expect(left).not.toContain(old.id);
    expect(left).toContain(fresh.id);
  });

  test("the connect action is rate-limited per client", async () => {
    const client = `203.0.113.${engine === "pglite" ? 7 : 8}`;
    const statuses: number[] = [];
    for (let i = 0; i < 32; i++) {
      const request = formRequest(`${TEST_APP_URL}/woocommerce/connect`, {
        intent: "connect",
        storeUrl: WOO_TEST_STORE_URL,
      });
      try {
        // As server.ts passes the socket's address (X-Forwarded-For counts only behind TRUST_PROXY).
        const result = await connectAction({
          request,
          params: {},
          context: { ...routes.context, clientAddress: client },
        });
        statuses.push(result instanceof Response ? result.status : 200);
      } catch (thrown) {
        statuses.push(thrown instanceof Response ? thrown.status : 500);
      }
    }
    expect(statuses.slice(0, 30)).toEqual(Array(30).fill(302));
    expect(statuses.slice(30)).toEqual([429, 429]);
  });
});
