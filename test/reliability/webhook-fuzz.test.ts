import { randomUUID } from "node:crypto";

import { sql } from "drizzle-orm";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, test } from "vitest";

import { wooDedupeKey } from "#adapters/woocommerce/verify";
import type { Database } from "#app/db/client.server";
import { webhookInbox } from "#app/db/schema";
import { ingestShopifyWebhook } from "#app/services/intake/inbox.server";
import { webhookSecretOf } from "#app/services/woocommerce/connections.server";
import { ingestWooWebhook } from "#app/services/woocommerce/inbox.server";
import { sha256 } from "#app/utils/crypto.server";
import { fixtureBytes, fixtureJson, signShopifyBody, signWooBody } from "#test/fixtures/sign";
import { wooStore } from "#test/mocks/woocommerce";
import { type AppDatabase, createAppDatabase, processReceivedInbox, rowsOf } from "#test/support/app-database";
import { testEngines } from "#test/support/db";
import { insertShop } from "#test/support/factories";
import { statusOnFreshConnection } from "#test/support/http";
import { scale } from "#test/support/reliability";
import { ensureBuild, type RunningServer, startServer } from "#test/support/server";
import { connectTestStore, TEST_ENCRYPTION_KEY } from "#test/support/woo";

/*
 * Webhook fuzzing (issue 11): thousands of random and mutated deliveries, signed and unsigned, across every Shopify
 * topic of shopify.app.toml and every WooCommerce topic, sent over HTTP to the built app. Storage is up, so nothing
 * may be answered 5xx; every signed delivery is stored (a malformed one as rejected, with its reason); the worker's
 * step over what was stored never throws, and a delivery it rejects or ignores changes no state; the server still
 * serves at the end. The seed is printed on failure: RELIABILITY_SEED=<seed> replays the same run.
 */

const DELIVERIES = scale(300, 10_000);
const SEED = Number(process.env.RELIABILITY_SEED ?? Date.now() % 2 ** 31);
const CONCURRENCY = 8;
const SECRET = "shpss_fuzz_secret";
const SHOP = "mahnwerk-demo.myshopify.com";
/** app/uninstalled and shop/redact end a shop; they go to these, so the main shop keeps taking orders. */
const EPHEMERAL_SHOPS = ["fuzz-life-1.myshopify.com", "fuzz-life-2.myshopify.com", "fuzz-life-3.myshopify.com"];
const WATCHED = ["shops", "orders", "cases", "case_events", "outbox", "data_requests", "sessions", "settings"];

const SHOPIFY_TOPICS: [topic: string, fixture: string][] = [
  ["orders/create", "orders-create"],
  ["orders/updated", "orders-updated"],
  ["orders/paid", "orders-paid"],
  ["orders/cancelled", "orders-cancelled"],
  ["order_transactions/create", "order-transactions-create"],
  ["refunds/create", "refunds-create"],
  ["disputes/create", "disputes-create"],
  ["disputes/update", "disputes-update"],
  ["app/uninstalled", "app-uninstalled"],
  ["customers/data_request", "customers-data-request"],
  ["customers/redact", "customers-redact"],
  ["shop/redact", "shop-redact"],
];
const WOO_TOPICS: [topic: string, fixture: string][] = [
  ["order.created", "order-created-invoice"],
  ["order.updated", "order-updated-purchase-on-account"],
  ["order.updated", "order-updated-paid-paypal"],
  ["order.updated", "order-updated-cancelled"],
  ["order.deleted", "order-deleted"],
  ["order.restored", "order-restored"],
];

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Path = (string | number)[];

/** Every path into a JSON value (objects and arrays included), for mutations to pick from. */
function pathsOf(value: Json, prefix: Path = []): Path[] {
  const own: Path[] = prefix.length ? [prefix] : [];
  if (Array.isArray(value)) return [...own, ...value.flatMap((v, i) => pathsOf(v, [...prefix, i]))];
  if (value && typeof value === "object")
    return [...own, ...Object.entries(value).flatMap(([k, v]) => pathsOf(v, [...prefix, k]))];
  return own;
}

function mutateAt(root: Json, path: Path, change: { value: Json } | "delete"): Json {
  if (path.length === 0) return change === "delete" ? null : change.value;
  const [head, ...rest] = path;
  if (Array.isArray(root)) {
    const copy = [...root];
    if (rest.length === 0 && change === "delete") copy.splice(Number(head), 1);
    else copy[Number(head)] = mutateAt(copy[Number(head)] ?? null, rest, change);
    return copy;
  }
  if (root && typeof root === "object") {
    const copy = { ...root };
    if (rest.length === 0 && change === "delete") delete copy[String(head)];
    else copy[String(head)] = mutateAt(copy[String(head)] ?? null, rest, change);
    return copy;
  }
  return root;
}

function nested(depth: number): Json {
  let value: Json = "bottom";
  for (let i = 0; i < depth; i++) value = i % 2 ? [value] : { n: value };
  return value;
}

const printable = fc.string({
  unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)),
  maxLength: 40,
});

const weirdString = fc.oneof(
  fc.string(),
  fc.string({ unit: "grapheme", maxLength: 60 }),
  fc.string({ unit: "binary", maxLength: 60 }),
  fc.constantFrom(
    "",
    " ",
    "\u0000",
    "Anna\u0000Müller",
    "NaN",
    "Infinity",
    "-1",
    "-0.01",
    "1e309",
    "0x1F",
    "12,50",
    "9".repeat(40),
    "2026-02-30T25:61:00Z",
    "0000-00-00 00:00:00",
    "null",
    "[]",
    "<script>alert(1)</script>",
    "'; drop table orders; --",
    "\ud800",
    "🧾💶",
    "\u202eRechnung",
    "gid://shopify/Order/",
    "gid://shopify/Order/-1",
  ),
  // huge strings: up to ~0.9 MB of multi-byte text
  fc.integer({ min: 1_000, max: 100_000 }).map((n) => "€ü𝄞".repeat(n)),
);

const weirdValue: fc.Arbitrary<Json> = fc.oneof(
  { weight: 4, arbitrary: weirdString },
  { weight: 1, arbitrary: fc.constant(null) },
  { weight: 1, arbitrary: fc.boolean() },
  {
    weight: 2,
    arbitrary: fc.oneof(
      fc.integer(),
      fc.double({ noNaN: true, noDefaultInfinity: true }),
      fc.constantFrom(-1, 0, 2 ** 53 + 1, 1e21, -1e21, 0.1),
    ),
  },
  { weight: 1, arbitrary: fc.integer({ min: 10, max: 3_000 }).map(nested) },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<Json> },
);

type BodyPlan =
  | { kind: "intact" }
  | { kind: "mutate"; mutations: { at: number; change: { value: Json } | "delete" }[] }
  | { kind: "truncate"; at: number }
  | { kind: "replace"; value: Json }
  | { kind: "bytes"; bytes: Uint8Array }
  | { kind: "raw"; text: string }
  | { kind: "deep"; depth: number };

const bodyPlan: fc.Arbitrary<BodyPlan> = fc.oneof(
  { weight: 2, arbitrary: fc.constant({ kind: "intact" as const }) },
  {
    weight: 10,
    arbitrary: fc
      .array(
        fc.record({
          at: fc.nat(),
          change: fc.oneof(
            fc.constant("delete" as const),
            weirdValue.map((value) => ({ value })),
          ),
        }),
        { minLength: 1, maxLength: 4 },
      )
      .map((mutations) => ({ kind: "mutate" as const, mutations })),
  },
  { weight: 2, arbitrary: fc.nat().map((at) => ({ kind: "truncate" as const, at })) },
  { weight: 1, arbitrary: fc.jsonValue().map((value) => ({ kind: "replace" as const, value: value as Json })) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 2_000 }).map((bytes) => ({ kind: "bytes" as const, bytes })) },
  {
    weight: 1,
    arbitrary: fc
      .constantFrom(
        "",
        "null",
        "[]",
        "{}",
        "\uFEFF{}",
        '{"id":',
        "{'id': 1}",
        '{"id": 1, "id": 2}',
        "\u0000",
        '{"a":"\\u0000"}',
        "webhook_id=17",
        '{"id":1e400}',
      )
      .map((text) => ({ kind: "raw" as const, text })),
  },
  { weight: 1, arbitrary: fc.integer({ min: 1_000, max: 50_000 }).map((depth) => ({ kind: "deep" as const, depth })) },
);

function renderBody(fixture: Json, plan: BodyPlan): Uint8Array {
  const text = (s: string) => new Uint8Array(Buffer.from(s, "utf8"));
  switch (plan.kind) {
    case "intact":
      return text(JSON.stringify(fixture));
    case "mutate": {
      const paths = pathsOf(fixture);
      let value = fixture;
      for (const m of plan.mutations)
        value = mutateAt(value, paths.length ? paths[m.at % paths.length]! : [], m.change);
      return text(JSON.stringify(value));
    }
    case "truncate": {
      const full = JSON.stringify(fixture);
      return text(full.slice(0, plan.at % Math.max(1, full.length)));
    }
    case "replace":
      return text(JSON.stringify(plan.value));
    case "bytes":
      return plan.bytes;
    case "raw":
      return text(plan.text);
    case "deep":
      return text("[".repeat(plan.depth) + "]".repeat(plan.depth));
  }
}

type Delivery = {
  label: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  body: Uint8Array;
  /** The status the app must answer. */
  expect: 200 | 401 | 405;
  /** The inbox row it must leave (null: none). */
  stores: { source: string; dedupeKey: string; rejected: boolean } | null;
};

type Plan = {
  platform: "shopify" | "woocommerce";
  topic: number;
  crossFixture: number | null;
  body: BodyPlan;
  auth: "signed" | "unsigned" | "wrong_secret" | "other_body" | "garbage" | "empty";
  header: string;
  headerValue: string;
  method: "POST" | "GET" | "PUT";
  connection: "ours" | "random_uuid" | "not_uuid" | "long";
  duplicateOf: number | null;
};

const plan: fc.Arbitrary<Plan> = fc.record({
  platform: fc.constantFrom("shopify" as const, "shopify" as const, "woocommerce" as const),
  topic: fc.nat(),
  crossFixture: fc.option(fc.nat(), { freq: 8 }),
  body: bodyPlan,
  auth: fc.constantFrom(
    "signed",
    "signed",
    "signed",
    "signed",
    "signed",
    "signed",
    "signed",
    "unsigned",
    "wrong_secret",
    "other_body",
    "garbage",
    "empty",
  ),
  header: fc.constantFrom(
    ...Array<string>(10).fill("none"),
    "drop_topic",
    "unknown_topic",
    "drop_source",
    "bad_source",
    "unknown_shop",
    "drop_id",
    "long_id",
    "bad_time",
    "bad_version",
    "text_type",
    "no_type",
    "random_value",
  ),
  headerValue: printable,
  method: fc.constantFrom(...Array<"POST">(30).fill("POST"), "GET" as const, "PUT" as const),
  connection: fc.constantFrom(
    ...Array<"ours">(12).fill("ours"),
    "random_uuid" as const,
    "not_uuid" as const,
    "long" as const,
  ),
  duplicateOf: fc.option(fc.nat(), { freq: 15 }),
}) as fc.Arbitrary<Plan>;

function toDelivery(p: Plan, index: number, ctx: { wooSecret: string; connectionId: string }): Delivery {
  const post = p.method === "POST";
  if (p.platform === "shopify") {
    const [topic, fixtureName] = SHOPIFY_TOPICS[p.topic % SHOPIFY_TOPICS.length]!;
    const source = p.crossFixture === null ? fixtureName : SHOPIFY_TOPICS[p.crossFixture % SHOPIFY_TOPICS.length]![1];
    const body = renderBody(fixtureJson(`shopify/${source}.json`) as Json, p.body);
    const shop =
      topic === "app/uninstalled" || topic === "shop/redact" ? EPHEMERAL_SHOPS[index % EPHEMERAL_SHOPS.length]! : SHOP;
    const webhookId = p.duplicateOf !== null && index > 0 ? `fuzz-${p.duplicateOf % index}` : `fuzz-${index}`;
    const headers: Record<string, string> = {
      "content-type": "application/json",
      "x-shopify-topic": topic,
      "x-shopify-shop-domain": shop,
      "x-shopify-api-version": "2026-10",
      "x-shopify-webhook-id": webhookId,
      "x-shopify-event-id": randomUUID(),
      "x-shopify-triggered-at": "2026-11-23T08:00:00.123456789Z",
    };
    let routable = true;
    switch (p.header) {
      case "drop_topic":
        delete headers["x-shopify-topic"];
        routable = false;
        break;
      case "unknown_topic":
        headers["x-shopify-topic"] = "products/exploded";
        break;
      case "drop_source":
        delete headers["x-shopify-shop-domain"];
        routable = false;
        break;
      case "bad_source":
        headers["x-shopify-shop-domain"] = "evil.example.com";
        routable = false;
        break;
      case "unknown_shop":
        headers["x-shopify-shop-domain"] = "somebody-else.myshopify.com";
        break;
      case "drop_id":
        delete headers["x-shopify-webhook-id"];
        routable = false;
        break;
      case "long_id":
        headers["x-shopify-webhook-id"] = "x".repeat(300);
        routable = false;
        break;
      case "bad_time":
        headers["x-shopify-triggered-at"] = "yesterday";
        routable = false;
        break;
      case "bad_version":
        headers["x-shopify-api-version"] = "v1";
        routable = false;
        break;
      case "text_type":
        headers["content-type"] = "text/plain";
        break;
      case "no_type":
        delete headers["content-type"];
        break;
      case "random_value":
        headers["x-shopify-topic"] = p.headerValue;
        routable = /^[a-z0-9_]+(?:\/[a-z0-9_]+)+$/.test(p.headerValue.trim().toLowerCase());
        break;
    }
    const hmac = sign(p.auth, body, SECRET);
    if (hmac !== null) headers["x-shopify-hmac-sha256"] = hmac;
    const authentic = p.auth === "signed";
    const expectStatus = !post ? 405 : authentic ? 200 : 401;
    const domain = (headers["x-shopify-shop-domain"] ?? "unknown").trim().toLowerCase();
    return {
      label: `shopify ${topic} #${index}`,
      method: p.method,
      path: "/webhooks/shopify",
      headers,
      body,
      expect: expectStatus,
      stores:
        expectStatus !== 200
          ? null
          : routable
            ? { source: domain, dedupeKey: webhookId, rejected: false }
            : { source: domain, dedupeKey: `sha256:${sha256(body)}`, rejected: true },
    };
  }

  const [topic, fixtureName] = WOO_TOPICS[p.topic % WOO_TOPICS.length]!;
  const source = p.crossFixture === null ? fixtureName : WOO_TOPICS[p.crossFixture % WOO_TOPICS.length]![1];
  const ping = p.auth === "unsigned" && p.header === "none";
  const body = ping
    ? new Uint8Array(fixtureBytes("woocommerce/ping.txt"))
    : renderBody(fixtureJson(`woocommerce/${source}.json`) as Json, p.body);
  const connectionId =
    p.connection === "ours"
      ? ctx.connectionId
      : p.connection === "random_uuid"
        ? randomUUID()
        : p.connection === "not_uuid"
          ? "not-a-uuid"
          : "9".repeat(2_000);
  const [resource, event] = topic.split(".");
  const deliveryId = p.duplicateOf !== null && index > 0 ? `fuzz-${p.duplicateOf % index}` : `fuzz-${index}`;
  const headers: Record<string, string> = ping
    ? { "content-type": "application/x-www-form-urlencoded" }
    : {
        "content-type": "application/json",
        "user-agent": "WooCommerce/10.3.1 Hookshot (WordPress/6.8.3)",
        "x-wc-webhook-source": "https://wollwerk.example.de/",
        "x-wc-webhook-topic": topic,
        "x-wc-webhook-resource": resource!,
        "x-wc-webhook-event": event!,
        "x-wc-webhook-id": "17",
        "x-wc-webhook-delivery-id": deliveryId,
      };
  let routable = true;
  if (!ping) {
    switch (p.header) {
      case "drop_topic":
        delete headers["x-wc-webhook-topic"];
        routable = false;
        break;
      case "unknown_topic":
        headers["x-wc-webhook-topic"] = "product.created";
        break;
      case "drop_source":
        delete headers["x-wc-webhook-source"];
        routable = false;
        break;
      case "bad_source":
        headers["x-wc-webhook-source"] = "not a url";
        routable = false;
        break;
      case "drop_id":
        delete headers["x-wc-webhook-delivery-id"];
        routable = false;
        break;
      case "long_id":
        headers["x-wc-webhook-delivery-id"] = "x".repeat(300);
        routable = false;
        break;
      case "bad_time":
      case "bad_version":
        headers["x-wc-webhook-id"] = "seventeen";
        routable = false;
        break;
      case "text_type":
        headers["content-type"] = "text/plain";
        break;
      case "no_type":
        delete headers["content-type"];
        break;
      case "random_value":
        headers["x-wc-webhook-topic"] = p.headerValue;
        routable = /^[a-z0-9_-]+\.[a-z0-9_.-]+$/.test(p.headerValue.trim().toLowerCase());
        break;
    }
    const signature = sign(p.auth, body, ctx.wooSecret);
    if (signature !== null) headers["x-wc-webhook-signature"] = signature;
  }
  const ours = p.connection === "ours";
  const expectStatus = !post ? 405 : ping ? 200 : ours && p.auth === "signed" ? 200 : 401;
  return {
    label: `woocommerce ${ping ? "ping" : topic} #${index}`,
    method: p.method,
    path: `/webhooks/woocommerce/${connectionId}`,
    headers,
    body,
    expect: expectStatus,
    stores:
      expectStatus !== 200 || ping
        ? null
        : routable
          ? { source: connectionId, dedupeKey: wooDedupeKey(deliveryId, body), rejected: false }
          : { source: connectionId, dedupeKey: `sha256:${sha256(body)}`, rejected: true },
  };
}

function sign(auth: Plan["auth"], body: Uint8Array, secret: string): string | null {
  switch (auth) {
    case "signed":
      return signShopifyBody(body, secret);
    case "unsigned":
      return null;
    case "wrong_secret":
      return signShopifyBody(body, `${secret}x`);
    case "other_body":
      return signShopifyBody(new Uint8Array([...body, 0x20]), secret);
    case "garbage":
      return "bm90IGEgc2lnbmF0dXJl";
    case "empty":
      return "";
  }
}

async function send(server: RunningServer, d: Delivery, attempt = 1): Promise<number | "connection_error"> {
  try {
    const res = await fetch(`${server.url}${d.path}`, {
      method: d.method,
      headers: d.headers,
      body: d.method === "GET" ? undefined : new Uint8Array(d.body),
    });
    await res.arrayBuffer();
    return res.status;
  } catch {
    // A reused keep-alive socket can be reset under load; the platforms send a failed delivery again (dedupe makes
    // that safe), so one resend is what they would do. Twice in a row counts as the server refusing it.
    return attempt === 1 ? send(server, d, 2) : "connection_error";
  }
}

/** The server's error log lines (what a 5xx was), short enough for an assertion message. */
function errorLines(output: string): string {
  return output
    .split("\n")
    .filter((line) => !line.startsWith("{") || /"level":(?:50|60)/.test(line))
    .join("\n")
    .slice(-6_000);
}

async function inPool<T>(items: T[], concurrency: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) await work(items[next++]!);
    }),
  );
}

beforeAll(() => ensureBuild(), 300_000);

describe.each(testEngines())("webhook fuzzing over HTTP on %s", (engine) => {
  let appDb: AppDatabase;
  let server: RunningServer | undefined;
  let wooSecret: string;
  let connectionId: string;
  let database: Database;
  const now = new Date();

  beforeAll(async () => {
    appDb = await createAppDatabase(engine);
    database = await appDb.open();
    // The shops the deliveries name, with an invoice order and its case, so mutated updates meet real state.
    await insertShop(database.db, { domain: SHOP });
    for (const domain of EPHEMERAL_SHOPS) await insertShop(database.db, { domain });
    wooStore.reset();
    const { connection } = await connectTestStore(database.db);
    connectionId = connection.id;
    wooSecret = webhookSecretOf(connection, TEST_ENCRYPTION_KEY);
    for (const [topic, fixture] of [
      ["orders/create", "orders-create"],
      ["orders/create", "orders-updated"],
    ]) {
      const body = fixtureBytes(`shopify/${fixture}.json`);
      const headers = new Headers({
        "x-shopify-topic": topic!,
        "x-shopify-shop-domain": SHOP,
        "x-shopify-webhook-id": `seed-${fixture}`,
        "x-shopify-hmac-sha256": signShopifyBody(body, SECRET),
      });
      await ingestShopifyWebhook(
        database.db,
        new Request("http://x/webhooks/shopify", { method: "POST", headers, body: new Uint8Array(body) }),
        {
          secret: SECRET,
          enqueue: async () => undefined,
        },
      );
    }
    const wooBody = fixtureBytes("woocommerce/order-created-invoice.json");
    await ingestWooWebhook(
      database.db,
      new Request(`http://x/webhooks/woocommerce/${connectionId}`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "x-wc-webhook-source": "https://wollwerk.example.de/",
          "x-wc-webhook-topic": "order.created",
          "x-wc-webhook-resource": "order",
          "x-wc-webhook-event": "created",
          "x-wc-webhook-id": "17",
          "x-wc-webhook-delivery-id": "seed",
          "x-wc-webhook-signature": signWooBody(wooBody, wooSecret),
        },
        body: new Uint8Array(wooBody),
      }),
      connectionId,
      { key: TEST_ENCRYPTION_KEY, enqueue: async () => undefined },
    );
    const seeded = await processReceivedInbox(database.db, { now, watch: WATCHED });
    expect(seeded.map((s) => s.outcome)).toEqual(["processed", "processed", "processed"]);
    await database.close();
    server = await startServer({
      ...appDb.serverEnv,
      SHOPIFY_API_KEY: "fuzz-key",
      SHOPIFY_API_SECRET: SECRET,
      SHOPIFY_APP_URL: "https://mahnwerk.example.com",
      SCOPES: "read_orders",
      ENCRYPTION_KEY: TEST_ENCRYPTION_KEY.toString("hex"),
      // The test runs the worker's step itself, over everything stored, after the barrage.
      WORKERS: "0",
    });
  }, 120_000);

  afterAll(async () => {
    await server?.stop();
    await database?.close();
    await appDb?.dispose();
  });

  test(
    `${DELIVERIES} random and mutated deliveries: no 5xx, signed ones stored, invalid ones change nothing, server stays up`,
    async () => {
      const deliveries = fc
        .sample(plan, { numRuns: DELIVERIES, seed: SEED })
        .map((p, i) => toDelivery(p, i, { wooSecret, connectionId }));
      const answers: { delivery: Delivery; status: number | "connection_error" }[] = [];
      await inPool(deliveries, CONCURRENCY, async (delivery) => {
        answers.push({ delivery, status: await send(server!, delivery) });
      });
      const context = `(seed ${SEED}: RELIABILITY_SEED=${SEED} replays it)`;

      // Storage was up the whole time: no 5xx, no dropped connection, and the status each delivery deserves.
      const wrong = answers
        .filter((a) => a.status !== a.delivery.expect)
        .map(
          (a) =>
            `${a.delivery.label}: ${a.status}, expected ${a.delivery.expect} — body ${Buffer.from(a.delivery.body.slice(0, 200)).toString("utf8")}`,
        );
      expect(wrong, `${context}\n${wrong.length ? errorLines(server!.output()) : ""}`).toEqual([]);
      expect(server!.child.exitCode, context).toBeNull();
      expect(await statusOnFreshConnection(`${server!.url}/healthz`)).toBe(200);

      // Every delivery answered 200 with a signature is stored — a malformed one as rejected with its reason — and
      // nothing unsigned is.
      if (engine === "pglite") await server!.stop();
      database = await appDb.open();
      const stored = await database.db
        .select({
          source: webhookInbox.source,
          dedupeKey: webhookInbox.dedupeKey,
          status: webhookInbox.status,
          lastError: webhookInbox.lastError,
        })
        .from(webhookInbox);
      const fuzzRows = stored.filter((r) => !r.dedupeKey.startsWith("seed"));
      const expected = new Map(
        answers.flatMap((a) =>
          a.delivery.stores ? [[`${a.delivery.stores.source} ${a.delivery.stores.dedupeKey}`, a.delivery.stores]] : [],
        ),
      );
      const actual = new Map(fuzzRows.map((r) => [`${r.source} ${r.dedupeKey}`, r]));
      expect(
        [...expected.keys()].filter((k) => !actual.has(k)),
        `signed deliveries not stored ${context}`,
      ).toEqual([]);
      expect(
        [...actual.keys()].filter((k) => !expected.has(k)),
        `stored deliveries that were not signed ${context}`,
      ).toEqual([]);
      for (const [key, want] of expected) {
        if (!want.rejected) continue;
        expect(actual.get(key), context).toMatchObject({ status: "rejected", lastError: expect.stringMatching(/\S/) });
      }

      // The worker's step over everything stored: it never throws, whatever the body, and a delivery it rejects or
      // ignores leaves every table as it was.
      const processed = await processReceivedInbox(database.db, { now, watch: WATCHED });
      const threw = processed
        .filter((p) => p.outcome === "threw")
        .map((p) => `${p.topic}: ${p.error} — body ${p.body.slice(0, 200)}`);
      expect(threw, context).toEqual([]);
      const invalidButChanged = processed
        .filter((p) => p.outcome !== "processed" && p.changed)
        .map((p) => `${p.topic} ${p.outcome}: ${p.body.slice(0, 200)}`);
      expect(invalidButChanged, context).toEqual([]);
      const unexplained = rowsOf<{ n: number }>(
        await database.db.execute(
          sql`select count(*)::int as n from webhook_inbox where status in ('rejected', 'ignored') and coalesce(trim(last_error), '') = ''`,
        ),
      );
      expect(unexplained[0]?.n, context).toBe(0);
      const left = rowsOf<{ n: number }>(
        await database.db.execute(sql`select count(*)::int as n from webhook_inbox where status = 'received'`),
      );
      expect(left[0]?.n).toBe(0);

      // What was applied is still money and dates: no input, however odd, leaves an impossible order or case behind.
      const impossible = rowsOf<Record<string, unknown>>(
        await database.db.execute(sql`
        select 'order' as what, platform_order_id as id, total_minor::text as total, outstanding_minor::text as outstanding, currency
          from orders where total_minor < 0 or outstanding_minor < 0 or currency !~ '^[A-Z]{3}$'
        union all
        select 'case', platform_order_id, original_minor::text, outstanding_minor::text, currency
          from cases where original_minor < 0 or outstanding_minor < 0 or currency !~ '^[A-Z]{3}$'`),
      );
      expect(impossible, context).toEqual([]);

      // The server still serves (PostgreSQL: it ran beside the checks; PGlite: it comes back up on the same data).
      if (engine === "pglite") {
        await database.close();
        server = await startServer({
          ...appDb.serverEnv,
          SHOPIFY_API_KEY: "k",
          SHOPIFY_API_SECRET: SECRET,
          SHOPIFY_APP_URL: "https://mahnwerk.example.com",
          SCOPES: "read_orders",
          ENCRYPTION_KEY: TEST_ENCRYPTION_KEY.toString("hex"),
          WORKERS: "0",
        });
      }
      const last = toDelivery(
        {
          platform: "shopify",
          topic: 1,
          crossFixture: null,
          body: { kind: "intact" },
          auth: "signed",
          header: "none",
          headerValue: "",
          method: "POST",
          connection: "ours",
          duplicateOf: null,
        },
        DELIVERIES + 1,
        { wooSecret, connectionId },
      );
      expect(await send(server!, last)).toBe(200);
    },
    scale(120_000, 3_600_000),
  );
});
