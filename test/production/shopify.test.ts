import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { afterAll, beforeAll, describe, expect, test } from "vitest";

import { type Db, migrateDatabase, openDatabase, type OpenOptions } from "#app/db/client.server";
import { sessions } from "#app/db/schema";
import { fixtureBytes, shopifyWebhookHeaders } from "#test/fixtures/sign";
import { createTestDatabase, type TestDatabase, testEngines } from "#test/support/db";
import { insertShop } from "#test/support/factories";
import { statusForDeclaredBody } from "#test/support/http";
import {
  ensureBuild,
  runMahnwerk,
  type RunningProcess,
  type RunningServer,
  startServer,
  startWorker,
} from "#test/support/server";
import { shopifySessionToken } from "#test/support/shopify-session";
import { waitFor } from "#test/support/wait";

/*
 * Shopify webhooks into the built server started as `npm start` starts it (on PostgreSQL with WORKERS=0 beside
 * `npm run worker`), for a shop installed in the database: signed deliveries → inbox → order → the sweep queued
 * by the CLI → a case. Admin API calls stay in the msw tests: @shopify/shopify-api only calls
 * https://{shop}.myshopify.com, which no local stand-in can answer without rewriting DNS.
 */

const SECRET = "shpss_production_suite_secret";
const API_KEY = "production-suite-key";
const DOMAIN = "wollwerk.myshopify.com";

/**
 * The offline session an install leaves, which the admin's requests load. Stored only for the block's test: with it
 * the worker would call the Admin API at https://wollwerk.myshopify.com, which no test can answer.
 */
async function storeOfflineSession(db: Db) {
  await db.insert(sessions).values({
    id: `offline_${DOMAIN}`,
    shop: DOMAIN,
    state: "",
    isOnline: false,
    scope: "read_orders,write_orders",
    accessToken: "shpat_production_suite",
  });
}

beforeAll(() => ensureBuild(), 300_000);

describe.each(testEngines())("Shopify webhooks through npm start (%s)", (engine) => {
  let server: RunningServer;
  let worker: RunningProcess | null = null;
  let database: TestDatabase | null = null;
  let dataDir: string | null = null;
  let env: Record<string, string>;

  beforeAll(async () => {
    if (engine === "postgres") {
      database = await createTestDatabase("postgres");
      if (database.options.engine !== "postgres") throw new Error("unreachable");
      await insertShop(database.db, { domain: DOMAIN, name: "Wollwerk" });
      env = { DATABASE_URL: database.options.url };
    } else {
      // The embedded database belongs to one process: the shop is installed before the server starts.
      dataDir = mkdtempSync(path.join(tmpdir(), "mahnwerk-shopify-"));
      const options: OpenOptions = { engine: "pglite", dataDir };
      const embedded = await openDatabase(options);
      await migrateDatabase(options, embedded);
      await insertShop(embedded.db, { domain: DOMAIN, name: "Wollwerk" });
      await embedded.close();
      env = { DATA_DIR: dataDir };
    }
    Object.assign(env, {
      SHOPIFY_API_KEY: API_KEY,
      SHOPIFY_API_SECRET: SECRET,
      SHOPIFY_APP_URL: "https://mahnwerk.example.com",
      SCOPES: "read_orders,write_orders",
      ENCRYPTION_KEY: randomBytes(32).toString("hex"),
      LOG_LEVEL: "debug",
    });
    if (engine === "postgres") {
      server = await startServer({ ...env, WORKERS: "0" });
      worker = await startWorker(env);
    } else {
      server = await startServer(env);
    }
  }, 180_000);
  afterAll(async () => {
    await worker?.stop();
    await server?.stop();
    await database?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  const deliver = async (topic: string, fixture: string, webhookId: string) => {
    const body = fixtureBytes(fixture);
    const res = await fetch(`${server.url}/webhooks/shopify`, {
      method: "POST",
      headers: shopifyWebhookHeaders(body, SECRET, { topic, shopDomain: DOMAIN, webhookId }),
      body,
    });
    return res.status;
  };
  const processed = (count: number) =>
    waitFor(`${count} deliveries processed`, async () => {
      const worked =
        (engine === "postgres" ? worker!.output() : server.output()).match(
          /"job":"inbox\.process".*"msg":"job done"/g,
        ) ?? [];
      return worked.length >= count;
    });

  test("a forged signature is refused; signed orders/create and a transaction with ids above 2^53 are processed; the sweep opens the case", async () => {
    const body = fixtureBytes("shopify/orders-create.json");
    const forged = await fetch(`${server.url}/webhooks/shopify`, {
      method: "POST",
      headers: shopifyWebhookHeaders(body, "wrong-secret", { topic: "orders/create", shopDomain: DOMAIN }),
      body,
    });
    expect(forged.status).toBe(401);
    // Unsigned bytes are read before the signature can be checked: above 5 MB they are refused unread.
    const headers = Object.fromEntries(
      shopifyWebhookHeaders("", SECRET, { topic: "orders/create", shopDomain: DOMAIN }).entries(),
    );
    expect(await statusForDeclaredBody(`${server.url}/webhooks/shopify`, 5 * 1024 * 1024 + 1, headers)).toBe(413);

    expect(await deliver("orders/create", "shopify/orders-create.json", "11111111-1111-4111-8111-111111111111")).toBe(
      200,
    );
    expect(
      await deliver(
        "order_transactions/create",
        "shopify/order-transactions-create-large-ids.json",
        "22222222-2222-4222-8222-222222222222",
      ),
    ).toBe(200);
    await processed(2);
    if (engine === "pglite") await server.stop();

    const inbox = await runMahnwerk(["inbox", "list", "--shop", DOMAIN, "--json"], env);
    expect(inbox.code, inbox.stderr).toBe(0);
    const deliveries = JSON.parse(inbox.stdout) as { topic: string; status: string; lastError: string | null }[];
    expect(deliveries.find((d) => d.topic === "orders/create")?.status).toBe("processed");
    // Ids above 2^53 no longer reject the delivery (the transaction is for an order we do not track: ignored or processed).
    const transaction = deliveries.find((d) => d.topic === "order_transactions/create");
    expect(transaction?.status, transaction?.lastError ?? "").not.toBe("rejected");

    const queued = await runMahnwerk(["jobs", "run", "dunning.sweep"], env);
    expect(queued.code, queued.stderr).toBe(0);
    if (engine === "pglite") server = await startServer(env);
    const running = engine === "postgres" ? worker! : server;
    await waitFor("the sweep", async () => /"job":"dunning\.sweep".*"msg":"job done"/.test(running.output()));
    if (engine === "pglite") await server.stop();

    const cases = await runMahnwerk(["cases", "list", "--shop", DOMAIN, "--json"], env);
    expect(cases.code, cases.stderr).toBe(0);
    expect(
      (JSON.parse(cases.stdout) as { status: string; order: { name: string } }[]).map((c) => [c.order.name, c.status]),
    ).toEqual([["#1042", "waiting_for_approval"]]);
  }, 180_000);
  test("the order page's block: the case of order #1042 with the admin's session token, started there with a reason", async () => {
    if (engine === "postgres") await storeOfflineSession(database!.db);
    else {
      const options: OpenOptions = { engine: "pglite", dataDir: dataDir! };
      const embedded = await openDatabase(options);
      await storeOfflineSession(embedded.db);
      await embedded.close();
      server = await startServer(env);
    }
    const block = (orderId: string, init: RequestInit & { token?: string | null } = {}) => {
      const { token = shopifySessionToken(DOMAIN, { apiKey: API_KEY, secret: SECRET }), ...rest } = init;
      return fetch(`${server.url}/order-block/${orderId}?locale=en`, {
        ...rest,
        headers: {
          // The block runs on Shopify's extension host: a cross-origin fetch, with the session token attached.
          origin: "https://extensions.shopifycdn.com",
          "user-agent": "Mozilla/5.0 (X11; Linux x86_64) Chrome/126.0 Safari/537.36",
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          ...(rest.body ? { "content-type": "application/json" } : {}),
        },
      });
    };
    const preflight = await block("6120457896234", { method: "OPTIONS", token: null });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("access-control-allow-headers")).toMatch(/Authorization/);
    expect((await block("6120457896234", { token: null })).status).toBe(401);
    expect((await block("999", {})).status).toBe(404);

    const seen = await block("6120457896234");
    expect(seen.status).toBe(200);
    expect(seen.headers.get("access-control-allow-origin")).toBe("*");
    expect(await seen.json()).toMatchObject({
      tracked: true,
      orderName: "#1042",
      status: "waiting_for_approval",
      statusText: "Waiting for approval",
      outstandingText: "€119.90",
      nextText: "Needs approval",
      actions: ["start", "cancel"],
    });

    const start = (reason: string) =>
      block("6120457896234", { method: "POST", body: JSON.stringify({ action: "start", reason }) });
    const refused = await start(" ");
    expect(refused.status).toBe(422);
    expect(await refused.json()).toMatchObject({
      error: { code: "reason_required" },
      summary: { status: "waiting_for_approval" },
    });

    const started = await start("Customer asked on the phone to be reminded");
    expect(started.status).toBe(200);
    const after = (await started.json()) as {
      status: string;
      actions: string[];
      timeline: { title: string; actor: string; reason: string | null }[];
    };
    expect(after.status).toBe("running");
    expect(after.actions).toEqual(["cancel"]);
    expect(after.timeline[0]).toEqual({
      title: "Dunning started",
      at: expect.any(String),
      actor: "Staff: shopify:42",
      reason: "Customer asked on the phone to be reminded",
    });
  }, 120_000);
});
