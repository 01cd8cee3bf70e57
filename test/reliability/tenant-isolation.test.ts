import { createHash, randomBytes, randomUUID } from "node:crypto";
import { readdirSync } from "node:fs";
import path from "node:path";

import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, test } from "vitest";

import type { Database, Db } from "#app/db/client.server";
import { bankCredits, bulkRuns, sessions, type Shop, wooConnections } from "#app/db/schema";
import { creditorReference } from "#app/domain/payments/creditor-reference";
import { createBulkRun } from "#app/services/cases/bulk-runs.server";
import { caseListQuerySchema } from "#app/services/cases/list.server";
import { importStatement } from "#app/services/payments/statement-import.server";
import { signGuardQuestion } from "#app/services/woocommerce/checkout-guard.server";
import { wooSecretPlace } from "#app/services/woocommerce/connections.server";
import {
  createStaffSession,
  encodeWpUser,
  SECURE_STAFF_COOKIE,
  signStoreRequest,
  signWpAdminLink,
  STAFF_COOKIE,
} from "#app/services/woocommerce/staff.server";
import { encryptSecret } from "#app/utils/crypto.server";
import { createApiToken } from "#app/web/api/tokens.server";
import { signShopifyBody, signWooBody } from "#test/fixtures/sign";
import { type AppDatabase, createAppDatabase, rowsOf } from "#test/support/app-database";
import { openTestCase } from "#test/support/cases";
import { testEngines } from "#test/support/db";
import { insertShop } from "#test/support/factories";
import { scale } from "#test/support/reliability";
import { ensureBuild, type RunningServer, startServer } from "#test/support/server";
import { shopifySessionToken } from "#test/support/shopify-session";
import { camt053 } from "#test/support/statements";

/*
 * Tenant isolation over HTTP (issue 11): the built app on its real server, two Shopify shops (A, B) and two
 * WooCommerce stores (C, D), each with cases, a bulk run, an API token, a connection and a staff session. Every
 * route under app/routes is called as one tenant with the other's ids, tokens, cookies or secrets: the answer is
 * 401/403/404 (or the caller's own data), B's and D's data never appear in a body, and their rows are unchanged.
 * The table below must name every route file, so a new route cannot be left out.
 */

const API_KEY = "isolation-key";
const API_SECRET = "isolation-secret";
const KEY = randomBytes(32);
/** Shopify's library answers what looks like a bot (Node's own user agent) with 410 before any check. */
const BROWSER = {
  "user-agent": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36",
};
const ROUTES_DIR = path.resolve(process.cwd(), "app/routes");
/** Tables whose rows belong to a shop: B's and D's rows in them must not change. */
const TENANT_TABLES = [
  "orders",
  "cases",
  "case_events",
  "settings",
  "outbox",
  "api_tokens",
  "bulk_runs",
  "woo_connections",
  "staff_sessions",
  "order_imports",
  "case_status_counts",
  "bank_credits",
  "statement_imports",
  "order_bank_payments",
];

type Tenant = {
  shop: Shop;
  /** Texts that appear only in this tenant's data. */
  markers: string[];
  caseIds: string[];
  orderIds: string[];
  orderNames: string[];
  /** The orders' ids on their platform (what the order screens ask by). */
  platformOrderIds: string[];
  /** A credit from a bank statement waiting for review, paid by someone named with the marker. */
  creditId: string;
  runId: string;
  token: string;
  connectionId?: string;
  webhookSecret?: string;
  cookie?: string;
};

type Probe = {
  name: string;
  request: () => Promise<Response>;
  /** Allowed statuses. */
  status: number[];
  /** Whose markers must not appear in the body (default: B and D). */
  foreign?: () => Tenant[];
  /** Markers that must appear (the caller's own data). */
  own?: () => string[];
  /** Foreign ids the request itself carries: an answer may name them back ("not found: <id>") without leaking. */
  sent?: () => string[];
};

const sessionToken = (shop: string, options: { secret?: string; aud?: string } = {}) =>
  shopifySessionToken(shop, { apiKey: API_KEY, secret: API_SECRET }, options);

/** Every route module Remix serves (app/routes.ts: flat routes, folder routes by their route.tsx, tests and .server files ignored). */
function routeFiles(): string[] {
  return readdirSync(ROUTES_DIR, { withFileTypes: true })
    .flatMap((entry) => {
      if (entry.isDirectory())
        return readdirSync(path.join(ROUTES_DIR, entry.name)).some((f) => /^route\.(tsx?|jsx?)$/.test(f))
          ? [entry.name]
          : [];
      const f = entry.name;
      return /\.(tsx?|jsx?)$/.test(f) && !/\.test\./.test(f) && !/\.server\./.test(f)
        ? [f.replace(/\.(tsx?|jsx?)$/, "")]
        : [];
    })
    .sort();
}

async function seedTenant(db: Db, label: string, platform: "shopify" | "woocommerce", cases: number): Promise<Tenant> {
  const marker = `Zz${label}${randomBytes(3).toString("hex")}`;
  const shop = await insertShop(db, {
    platform,
    name: `Shop ${marker}`,
    domain:
      platform === "shopify"
        ? `${label.toLowerCase()}-${randomBytes(3).toString("hex")}.myshopify.com`
        : `https://${label.toLowerCase()}.example.de`,
  });
  const caseIds: string[] = [];
  const orderIds: string[] = [];
  const orderNames: string[] = [];
  const platformOrderIds: string[] = [];
  for (let i = 0; i < cases; i++) {
    const opened = (await openTestCase(db, shop, { firstName: `${marker}x${i}` })).case;
    caseIds.push(opened.id);
    orderIds.push(opened.orderId);
    orderNames.push(opened.orderName);
    platformOrderIds.push(opened.platformOrderId);
  }
  const run = await createBulkRun(db, shop, {
    action: "start",
    reason: `run ${marker}`,
    query: caseListQuerySchema.parse({}),
    actor: { type: "staff", id: "seed", name: null },
    now: new Date(),
  });
  const token = (await createApiToken(db, shop, { role: "support", name: `token-${label}` })).token;
  const statement = camt053({
    accountIban: "DE89370400440532013000",
    entries: [
      {
        bookingDate: "2026-11-20",
        credits: [{ amountMinor: 123, payerName: `${marker} Zahler`, payerIban: null, remittance: "Spende" }],
      },
    ],
  });
  const imported = await importStatement(
    db,
    shop,
    { bytes: Buffer.from(statement), name: null },
    { actor: { type: "staff", id: "seed" }, now: new Date() },
  );
  if (!imported.ok || imported.review !== 1) throw new Error("seed credit not imported for review");
  const [credit] = await db.select({ id: bankCredits.id }).from(bankCredits).where(eq(bankCredits.shopId, shop.id));
  const tenant: Tenant = {
    shop,
    markers: [marker],
    caseIds,
    orderIds,
    orderNames,
    platformOrderIds,
    creditId: credit!.id,
    runId: run.id,
    token,
  };
  if (platform === "shopify") {
    await db.insert(sessions).values({
      id: `offline_${shop.domain}`,
      shop: shop.domain,
      state: "",
      isOnline: false,
      scope: "read_orders",
      accessToken: `shpat_${marker}`,
    });
  } else {
    const secret = `whsec-${marker}`;
    const id = randomUUID();
    const [connection] = await db
      .insert(wooConnections)
      .values({
        id,
        shopId: shop.id,
        storeUrl: shop.domain,
        status: "connected",
        consumerKey: encryptSecret(`ck_${marker}`, KEY, wooSecretPlace(id, "consumer_key")),
        consumerSecret: encryptSecret(`cs_${marker}`, KEY, wooSecretPlace(id, "consumer_secret")),
        webhookSecret: encryptSecret(secret, KEY, wooSecretPlace(id, "webhook_secret")),
        connectedAt: new Date(),
      })
      .returning();
    const session = await createStaffSession(
      db,
      shop.id,
      { id: "wp:1", name: `Staff ${marker}`, email: null },
      new Date(),
    );
    Object.assign(tenant, {
      connectionId: connection!.id,
      webhookSecret: secret,
      cookie: `${SECURE_STAFF_COOKIE}=${session.value}`,
    });
  }
  return tenant;
}

/** A digest of every row of the shop in the tenant tables: equal digests, untouched rows. */
async function shopDigest(db: Db, shopId: string): Promise<string> {
  const parts: string[] = [];
  for (const table of TENANT_TABLES) {
    // A token's last use is bookkeeping the check itself causes (it calls B's and D's own tokens).
    // Count deltas are compared as the counts they sum to: compaction rewrites the rows, never the sums.
    const rows =
      table === "api_tokens"
        ? "(select id, shop_id, name, role, token_hash, revoked_at from api_tokens)"
        : table === "case_status_counts"
          ? "(select shop_id, status as id, sum(n) as n from case_status_counts group by shop_id, status having sum(n) <> 0)"
          : `"${table}"`;
    const [row] = rowsOf<{ h: string | null }>(
      await db.execute(
        sql.raw(
          `select md5(string_agg(t::text, '|' order by t.id::text)) as h from ${rows} t where t.shop_id = '${shopId}'`,
        ),
      ),
    );
    parts.push(`${table}:${row?.h ?? ""}`);
  }
  const [shop] = rowsOf<{ h: string }>(
    await db.execute(sql.raw(`select md5(t::text) as h from shops t where t.id = '${shopId}'`)),
  );
  return `${parts.join(",")},shops:${shop?.h}`;
}

beforeAll(() => ensureBuild(), 300_000);

describe.each(testEngines())("tenant isolation over HTTP on %s", (engine) => {
  let appDb: AppDatabase;
  let database: Database | undefined;
  let server: RunningServer | undefined;
  const t = {} as Record<"A" | "B" | "C" | "D", Tenant>;
  const before: Record<string, string> = {};
  const perTenant = scale(2, 25);

  beforeAll(async () => {
    appDb = await createAppDatabase(engine);
    database = await appDb.open();
    for (const [label, platform] of [
      ["A", "shopify"],
      ["B", "shopify"],
      ["C", "woocommerce"],
      ["D", "woocommerce"],
    ] as const) {
      t[label] = await seedTenant(database.db, label, platform, perTenant);
    }
    for (const label of ["B", "D"] as const) before[label] = await shopDigest(database.db, t[label].shop.id);
    await database.close();
    database = undefined;
    server = await startServer({
      ...appDb.serverEnv,
      SHOPIFY_API_KEY: API_KEY,
      SHOPIFY_API_SECRET: API_SECRET,
      SHOPIFY_APP_URL: "https://mahnwerk.example.com",
      SCOPES: "read_orders",
      ENCRYPTION_KEY: KEY.toString("hex"),
      WORKERS: "0",
    });
  }, 180_000);

  afterAll(async () => {
    await server?.stop();
    await database?.close();
    await appDb?.dispose();
  });

  const url = (p: string) => `${server!.url}${p}`;
  const fetch = (input: string, init: RequestInit = {}) =>
    globalThis.fetch(input, { ...init, headers: { ...BROWSER, ...(init.headers as object) } });
  const asShop = (shop: Shop, init: RequestInit = {}) => ({
    ...init,
    redirect: "manual" as const,
    headers: { ...(init.headers as object), authorization: `Bearer ${sessionToken(shop.domain)}` },
  });
  const withToken = (token: string, init: RequestInit = {}) => ({
    ...init,
    redirect: "manual" as const,
    headers: { ...(init.headers as object), authorization: `Bearer ${token}` },
  });
  const withCookie = (cookie: string, init: RequestInit = {}) => ({
    ...init,
    redirect: "manual" as const,
    headers: { ...(init.headers as object), cookie },
  });
  const form = (fields: Record<string, string | string[]>) => {
    const body = new URLSearchParams();
    for (const [k, v] of Object.entries(fields)) for (const value of [v].flat()) body.append(k, value);
    return { method: "POST", body, headers: { "content-type": "application/x-www-form-urlencoded" } };
  };
  const json = (value: unknown) => ({
    method: "POST",
    body: JSON.stringify(value),
    headers: { "content-type": "application/json" },
  });
  const wpLink = (connectionId: string, secret: string) => {
    const time = Math.floor(Date.now() / 1000);
    const nonce = randomBytes(16).toString("hex");
    const user = encodeWpUser({ id: 1, name: "Mallory" });
    const s = signWpAdminLink(connectionId, time, nonce, user, secret);
    return `/woocommerce/signin?${new URLSearchParams({ c: connectionId, t: String(time), n: nonce, u: user, s })}`;
  };
  const orderCaseRequest = (connectionId: string, secret: string, orderId: string, a: "view" | "cancel") => {
    const fields = {
      c: connectionId,
      t: Math.floor(Date.now() / 1000),
      n: randomBytes(16).toString("hex"),
      u: encodeWpUser({ id: 1, name: "Mallory" }),
    };
    const r = a === "view" ? "" : "cross-tenant";
    const s = signStoreRequest(
      "order_case",
      fields,
      [orderId, a, createHash("sha256").update(r).digest("hex")],
      secret,
    );
    const body = new URLSearchParams({ ...fields, t: String(fields.t), o: orderId, a, r, l: "en_US", s });
    return fetch(url("/woocommerce/order-case"), {
      method: "POST",
      body: body.toString(),
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
  };
  const foreignShopify = () => [t.B, t.C, t.D];
  const foreignWoo = () => [t.A, t.B, t.D];

  /** Per route file: calls as one tenant (A, or C for WooCommerce) with the others' ids, tokens and secrets. */
  const probes: Record<string, Probe[]> = {
    _index: [{ name: "root as A", request: () => fetch(url("/"), asShop(t.A.shop)), status: [200, 302] }],
    healthz: [{ name: "health", request: () => fetch(url("/healthz")), status: [200] }],
    "api.v1.openapi[.]json": [
      { name: "OpenAPI document", request: () => fetch(url("/api/v1/openapi.json")), status: [200] },
    ],
    "api.v1.payments": [
      {
        name: "A's token lists only A's payments",
        request: () => fetch(url("/api/v1/payments"), withToken(t.A.token)),
        status: [200],
        own: () => t.A.markers,
      },
    ],
    "api.v1.payments.import": [
      {
        // A statement naming B's order: imported into A's shop, where no open case has that reference.
        name: "A's token imports a credit with B's order reference",
        request: () =>
          fetch(url("/api/v1/payments/import"), {
            ...withToken(t.A.token),
            method: "POST",
            headers: { authorization: `Bearer ${t.A.token}`, "content-type": "application/xml" },
            body: camt053({
              accountIban: "DE89370400440532013000",
              entries: [
                {
                  bookingDate: "2026-11-21",
                  credits: [
                    {
                      amountMinor: 11_990,
                      payerName: "Mallory",
                      payerIban: null,
                      remittance: creditorReference(t.B.orderNames[0]!)!,
                    },
                  ],
                },
              ],
            }),
          }),
        status: [200],
      },
    ],
    "api.v1.cases": [
      {
        name: "A's token lists only A's cases",
        request: () => fetch(url("/api/v1/cases?limit=100"), withToken(t.A.token)),
        status: [200],
        own: () => t.A.markers,
      },
      {
        name: "A's token, search for B's customer",
        request: () => fetch(url(`/api/v1/cases?q=${t.B.markers[0]}`), withToken(t.A.token)),
        status: [200],
      },
      {
        name: "B's token with one character changed",
        request: () =>
          fetch(url("/api/v1/cases"), withToken(`${t.B.token.slice(0, -1)}${t.B.token.endsWith("a") ? "b" : "a"}`)),
        status: [401],
      },
      {
        name: "a Shopify session token of B",
        request: () => fetch(url("/api/v1/cases"), asShop(t.B.shop)),
        status: [401],
      },
    ],
    "api.v1.cases.$caseId": [
      {
        name: "A's token on B's case",
        request: () => fetch(url(`/api/v1/cases/${t.B.caseIds[0]}`), withToken(t.A.token)),
        status: [404],
      },
      {
        name: "C's token on D's case",
        request: () => fetch(url(`/api/v1/cases/${t.D.caseIds[0]}`), withToken(t.C.token)),
        status: [404],
        foreign: foreignWoo,
      },
    ],
    "api.v1.cases.$caseId.start": [
      {
        name: "A's token starts B's case",
        request: () =>
          fetch(url(`/api/v1/cases/${t.B.caseIds[0]}/start`), withToken(t.A.token, json({ reason: "cross-tenant" }))),
        status: [404],
      },
    ],
    "api.v1.cases.$caseId.cancel": [
      {
        name: "A's token cancels B's case",
        request: () =>
          fetch(
            url(`/api/v1/cases/${t.B.caseIds[1] ?? t.B.caseIds[0]}/cancel`),
            withToken(t.A.token, json({ reason: "cross-tenant" })),
          ),
        status: [404],
      },
    ],
    "api.v1.cases.$caseId.handover": [
      {
        name: "A's token resolves B's handover",
        request: () =>
          fetch(
            url(`/api/v1/cases/${t.B.caseIds[0]}/handover`),
            withToken(t.A.token, json({ reason: "cross-tenant", resend: true })),
          ),
        status: [404],
      },
    ],
    "order-block.$orderId": [
      {
        name: "A's session token on A's order",
        request: () => fetch(url(`/order-block/${t.A.platformOrderIds[0]}`), asShop(t.A.shop)),
        status: [200],
      },
      {
        name: "A's session token on B's order",
        request: () => fetch(url(`/order-block/${t.B.platformOrderIds[0]}`), asShop(t.A.shop)),
        status: [404],
      },
      {
        name: "A's session token cancels the case of B's order",
        request: () =>
          fetch(
            url(`/order-block/${t.B.platformOrderIds[0]}`),
            asShop(t.A.shop, json({ action: "cancel", reason: "cross-tenant" })),
          ),
        status: [404],
      },
      {
        name: "no session token",
        request: () => fetch(url(`/order-block/${t.A.platformOrderIds[0]}`)),
        status: [401],
      },
      {
        name: "a session token signed with another secret",
        request: () =>
          fetch(
            url(`/order-block/${t.B.platformOrderIds[0]}`),
            withToken(sessionToken(t.B.shop.domain, { secret: "forged" })),
          ),
        status: [401],
      },
      {
        name: "A's API token instead of a session token",
        request: () => fetch(url(`/order-block/${t.A.platformOrderIds[0]}`), withToken(t.A.token)),
        status: [401],
      },
    ],
    app: [
      {
        name: "layout as A",
        request: () => fetch(url(`/app`), asShop(t.A.shop)),
        status: [200],
        own: () => t.A.markers,
      },
      {
        name: "a session token signed with another secret",
        request: () => fetch(url(`/app`), withToken(sessionToken(t.B.shop.domain, { secret: "forged" }))),
        status: [401],
      },
      {
        name: "a session token of another app",
        request: () => fetch(url(`/app`), withToken(sessionToken(t.B.shop.domain, { aud: "other-app" }))),
        status: [401],
      },
      {
        name: "B's API token as a session token",
        request: () => fetch(url(`/app`), withToken(t.B.token)),
        status: [401],
      },
      {
        name: "a forged staff cookie",
        request: () =>
          fetch(url(`/app`), withCookie(`${SECURE_STAFF_COOKIE}=${randomBytes(32).toString("base64url")}`)),
        status: [302, 401, 410],
      },
    ],
    "app._index": [
      {
        name: "list as A",
        request: () => fetch(url(`/app?index`), asShop(t.A.shop)),
        status: [200],
        own: () => t.A.markers,
      },
      {
        name: "list as A, searching B's customer",
        request: () => fetch(url(`/app?index&q=${t.B.markers[0]}`), asShop(t.A.shop)),
        status: [200],
      },
      {
        name: "list as C (staff cookie)",
        request: () => fetch(url(`/app?index`), withCookie(t.C.cookie!)),
        status: [200],
        own: () => t.C.markers,
        foreign: foreignWoo,
      },
      {
        name: "A starts B's cases by id",
        request: () =>
          fetch(
            url(`/app?index`),
            asShop(t.A.shop, form({ scope: "selected", intent: "start", reason: "cross-tenant", ids: t.B.caseIds })),
          ),
        status: [200],
        sent: () => t.B.caseIds,
      },
      {
        name: "C cancels D's cases by id",
        request: () =>
          fetch(
            url(`/app?index`),
            withCookie(
              t.C.cookie!,
              form({ scope: "selected", intent: "cancel", reason: "cross-tenant", ids: t.D.caseIds }),
            ),
          ),
        status: [200],
        foreign: foreignWoo,
        sent: () => t.D.caseIds,
      },
    ],
    "app.access-log": [
      { name: "access log as A", request: () => fetch(url(`/app/access-log`), asShop(t.A.shop)), status: [200] },
      {
        name: "A reads who opened B's case",
        request: () => fetch(url(`/app/access-log?case=${t.B.caseIds[0]}`), asShop(t.A.shop)),
        status: [200],
        sent: () => [t.B.caseIds[0]!],
      },
      {
        name: "C reads the access log of D's case",
        request: () => fetch(url(`/app/access-log?case=${t.D.caseIds[0]}`), withCookie(t.C.cookie!)),
        status: [200],
        foreign: foreignWoo,
        sent: () => [t.D.caseIds[0]!],
      },
    ],
    "app.bulk.$runId": [
      {
        name: "A opens B's bulk run",
        request: () => fetch(url(`/app/bulk/${t.B.runId}`), asShop(t.A.shop)),
        status: [404],
      },
      {
        name: "C opens D's bulk run",
        request: () => fetch(url(`/app/bulk/${t.D.runId}`), withCookie(t.C.cookie!)),
        status: [404],
        foreign: foreignWoo,
      },
    ],
    "app.cases.$caseId": [
      {
        name: "A opens B's case",
        request: () => fetch(url(`/app/cases/${t.B.caseIds[0]}`), asShop(t.A.shop)),
        status: [404],
      },
      {
        name: "C opens D's case",
        request: () => fetch(url(`/app/cases/${t.D.caseIds[0]}`), withCookie(t.C.cookie!)),
        status: [404],
        foreign: foreignWoo,
      },
      {
        name: "A cancels B's case",
        request: () =>
          fetch(
            url(`/app/cases/${t.B.caseIds[0]}`),
            asShop(t.A.shop, form({ intent: "cancel", reason: "cross-tenant" })),
          ),
        status: [200, 404],
      },
      {
        name: "C starts D's case",
        request: () =>
          fetch(
            url(`/app/cases/${t.D.caseIds[0]}`),
            withCookie(t.C.cookie!, form({ intent: "start", reason: "cross-tenant" })),
          ),
        status: [200, 404],
        foreign: foreignWoo,
      },
    ],
    "app.cases.$caseId.letter[.]pdf": [
      {
        name: "A prints B's reminder letter",
        request: () => fetch(url(`/app/cases/${t.B.caseIds[0]}/letter.pdf`), asShop(t.A.shop)),
        status: [404],
        sent: () => [t.B.caseIds[0]!],
      },
      {
        name: "C prints D's reminder letter",
        request: () => fetch(url(`/app/cases/${t.D.caseIds[0]}/letter.pdf`), withCookie(t.C.cookie!)),
        status: [404],
        foreign: foreignWoo,
        sent: () => [t.D.caseIds[0]!],
      },
    ],
    "app.cases[.]csv": [
      {
        name: "CSV as A",
        request: () => fetch(url("/app/cases.csv"), asShop(t.A.shop)),
        status: [200],
        own: () => t.A.markers,
      },
      {
        name: "CSV as C",
        request: () => fetch(url("/app/cases.csv"), withCookie(t.C.cookie!)),
        status: [200],
        own: () => t.C.markers,
        foreign: foreignWoo,
      },
    ],
    "app.privacy": [
      { name: "privacy page as A", request: () => fetch(url(`/app/privacy`), asShop(t.A.shop)), status: [200] },
    ],
    "app.payments": [
      { name: "payments as A", request: () => fetch(url(`/app/payments`), asShop(t.A.shop)), status: [200] },
      {
        name: "A assigns B's credit to A's case",
        request: () =>
          fetch(
            url(`/app/payments`),
            asShop(t.A.shop, form({ intent: "assign", creditId: t.B.creditId, caseId: t.A.caseIds[0]! })),
          ),
        status: [200],
      },
      {
        name: "A sets B's credit aside",
        request: () =>
          fetch(url(`/app/payments`), asShop(t.A.shop, form({ intent: "dismiss", creditId: t.B.creditId }))),
        status: [200],
      },
    ],
    "app.reports": [
      { name: "reports as A", request: () => fetch(url(`/app/reports`), asShop(t.A.shop)), status: [200] },
    ],
    "app.settings": [
      { name: "settings as A", request: () => fetch(url(`/app/settings`), asShop(t.A.shop)), status: [200] },
      {
        name: "settings saved with a forged session token",
        request: () =>
          fetch(
            url(`/app/settings`),
            withToken(sessionToken(t.A.shop.domain, { secret: "forged" }), form({ autoHandover: "off" })),
          ),
        status: [401],
      },
    ],
    "auth.login": [
      {
        name: "the login form, which names no shop",
        request: () => fetch(url(`/auth/login`), { redirect: "manual" }),
        status: [200],
      },
      {
        name: "login for B's domain only starts Shopify's own auth",
        request: () => fetch(url(`/auth/login?shop=${t.B.shop.domain}`), { redirect: "manual" }),
        status: [302],
      },
    ],
    "auth.$": [
      {
        name: "an auth path for B's shop without a session token",
        request: () => fetch(url(`/auth/session?shop=${t.B.shop.domain}`), { redirect: "manual" }),
        status: [302, 400, 401],
      },
    ],
    "webhooks.shopify": [
      {
        name: "a webhook for B signed with another secret",
        request: () => {
          const body = JSON.stringify({ id: 1 });
          return fetch(url("/webhooks/shopify"), {
            method: "POST",
            body,
            headers: {
              "content-type": "application/json",
              "x-shopify-topic": "orders/updated",
              "x-shopify-shop-domain": t.B.shop.domain,
              "x-shopify-webhook-id": randomUUID(),
              "x-shopify-hmac-sha256": signShopifyBody(body, "forged"),
            },
          });
        },
        status: [401],
      },
    ],
    "webhooks.woocommerce.$connectionId": [
      {
        name: "a webhook to D's connection signed with C's secret",
        request: () => {
          const body = JSON.stringify({ id: 1, status: "cancelled" });
          return fetch(url(`/webhooks/woocommerce/${t.D.connectionId}`), {
            method: "POST",
            body,
            headers: {
              "content-type": "application/json",
              "x-wc-webhook-topic": "order.updated",
              "x-wc-webhook-resource": "order",
              "x-wc-webhook-event": "updated",
              "x-wc-webhook-delivery-id": "1",
              "x-wc-webhook-signature": signWooBody(body, t.C.webhookSecret!),
            },
          });
        },
        status: [401],
        foreign: foreignWoo,
      },
    ],
    "woocommerce.signin": [
      {
        name: "a wp-admin link for D signed with C's secret",
        request: () => fetch(url(wpLink(t.D.connectionId!, t.C.webhookSecret!)), { redirect: "manual" }),
        status: [403],
        foreign: foreignWoo,
      },
    ],
    "woocommerce.auth.callback": [
      {
        name: "new keys for D's connected store",
        request: () =>
          fetch(
            url("/woocommerce/auth/callback"),
            json({
              key_id: 9,
              user_id: t.D.connectionId,
              consumer_key: `ck_${"x".repeat(32)}`,
              consumer_secret: `cs_${"x".repeat(32)}`,
              key_permissions: "read_write",
            }),
          ),
        status: [400, 404, 409, 410, 422],
        foreign: foreignWoo,
      },
    ],
    "woocommerce.connect": [
      {
        name: "connect page with C's cookie",
        request: () => fetch(url(`/woocommerce/connect`), withCookie(t.C.cookie!)),
        status: [200],
        own: () => [t.C.shop.domain],
        foreign: foreignWoo,
      },
    ],
    "woocommerce.login": [
      {
        name: "D's staff session cookie redeemed as a sign-in link",
        request: () =>
          fetch(url("/woocommerce/login"), {
            ...form({ intent: "redeem", token: t.D.cookie!.split("=")[1]! }),
            redirect: "manual",
          }),
        status: [200],
        foreign: foreignWoo,
      },
    ],
    "woocommerce.staff.removed": [
      {
        name: "D's staff member reported removed, signed with C's secret",
        request: () =>
          fetch(url("/woocommerce/staff/removed"), {
            method: "POST",
            body: wpLink(t.D.connectionId!, t.C.webhookSecret!).split("?")[1],
            headers: { "content-type": "application/x-www-form-urlencoded" },
          }),
        status: [403],
        foreign: foreignWoo,
      },
    ],
    "woocommerce.checkout-guard": [
      // Whether D's customer owes, asked with C's secret: refused, and the answer names no one.
      {
        name: "D's customer asked about, signed with C's secret",
        request: () => {
          const time = Math.floor(Date.now() / 1000);
          const e = createHash("sha256").update("anna@example.de").digest("hex");
          const s = signGuardQuestion(t.D.connectionId!, time, e, t.C.webhookSecret!);
          return fetch(url("/woocommerce/checkout-guard"), {
            method: "POST",
            body: new URLSearchParams({ c: t.D.connectionId!, t: String(time), e, s }).toString(),
            headers: { "content-type": "application/x-www-form-urlencoded" },
          });
        },
        status: [403],
        foreign: foreignWoo,
      },
    ],
    "woocommerce.order-case": [
      // The order screen's meta box: C's own signature asking about D's order sees no case; D's connection signed
      // with C's secret is refused; C cancelling the case of D's order changes nothing.
      ...(["view", "cancel"] as const).map((a) => ({
        name: `C's meta box, ${a} on D's order`,
        request: () => orderCaseRequest(t.C.connectionId!, t.C.webhookSecret!, t.D.platformOrderIds[0]!, a),
        status: a === "view" ? [200] : [404],
        foreign: foreignWoo,
      })),
      {
        name: "D's order asked about with D's connection, signed with C's secret",
        request: () => orderCaseRequest(t.D.connectionId!, t.C.webhookSecret!, t.D.platformOrderIds[0]!, "view"),
        status: [403],
        foreign: foreignWoo,
      },
    ],
    "app.preview.order-block.$orderId": [
      // The preview page carries no case data itself (the block reads /order-block as the shop signed in).
      {
        name: "preview of B's order as A",
        request: () => fetch(url(`/app/preview/order-block/${t.B.platformOrderIds[0]}`), asShop(t.A.shop)),
        status: [200],
      },
    ],
    "woocommerce.signout": [
      // Sign-out ends only the session whose cookie it carries: without one it ends nothing and shows no one's data.
      {
        name: "sign-out without a session",
        request: () => fetch(url("/woocommerce/signout"), { method: "POST", redirect: "manual" }),
        status: [302],
        foreign: () => [t.A, t.B, t.C, t.D],
      },
    ],
    "demo.pay.$orderId": [
      // The demo's payment page exists only in demo mode, and only for the demo shop's orders: B's order is not paid.
      {
        name: "B's order on the demo payment page",
        request: () => fetch(url(`/demo/pay/${t.B.orderIds[0]}`)),
        status: [404],
      },
      {
        name: "B's order paid on the demo payment page",
        request: () => fetch(url(`/demo/pay/${t.B.orderIds[0]}`), { method: "POST" }),
        status: [404],
      },
    ],
    "woocommerce.return": [
      // The page names the connected store's URL (public anyway) to whoever holds the connection id; no case data.
      {
        name: "return page of D's connection",
        request: () => fetch(url(`/woocommerce/return?user_id=${t.D.connectionId}`)),
        status: [200],
        foreign: () => [t.A, t.B],
      },
    ],
  };

  test("the table covers every route file", () => {
    expect(Object.keys(probes).sort()).toEqual(routeFiles());
  });

  test("every route answers the other tenant's ids, tokens, cookies and secrets with 401/403/404 and none of its data", async () => {
    const failures: string[] = [];
    for (const [route, list] of Object.entries(probes)) {
      for (const probe of list) {
        const res = await probe.request();
        const body = await res.text();
        // A cookie with a value opens a session; an emptied one (sign-out) does not.
        if (new RegExp(`${STAFF_COOKIE}=[^;]`).test(res.headers.get("set-cookie") ?? ""))
          failures.push(`${route} — ${probe.name}: opened a staff session`);
        if (!probe.status.includes(res.status))
          failures.push(
            `${route} — ${probe.name}: status ${res.status}, expected ${probe.status.join("/")}: ${body.slice(0, 200)}`,
          );
        const foreign = (probe.foreign ?? foreignShopify)();
        for (const tenant of foreign) {
          for (const marker of tenant.markers)
            if (body.includes(marker))
              failures.push(`${route} — ${probe.name}: body contains ${marker} (shop ${tenant.shop.name})`);
          for (const id of [...tenant.caseIds, tenant.runId])
            if (body.includes(id) && !probe.sent?.().includes(id))
              failures.push(`${route} — ${probe.name}: body contains an id of ${tenant.shop.name}`);
        }
        for (const marker of probe.own?.() ?? [])
          if (!body.includes(marker))
            failures.push(
              `${route} — ${probe.name}: the caller's own data (${marker}) is missing: ${body.slice(0, 300)}`,
            );
      }
    }
    expect(failures).toEqual([]);
  }, 120_000);

  test("B's and D's rows are unchanged, and their cases still answer to their own tokens", async () => {
    for (const label of ["B", "D"] as const) {
      const res = await fetch(url(`/api/v1/cases/${t[label].caseIds[0]}`), withToken(t[label].token));
      expect(res.status).toBe(200);
      expect(((await res.json()) as { case: { status: string } }).case.status).toBe("waiting_for_approval");
    }
    await server!.stop();
    server = undefined;
    database = await appDb.open();
    for (const label of ["B", "D"] as const)
      expect(await shopDigest(database.db, t[label].shop.id), `shop ${label}`).toBe(before[label]);
    const [runB] = await database.db.select().from(bulkRuns).where(eq(bulkRuns.id, t.B.runId));
    expect(runB!.status).toBe("queued");
  }, 60_000);
});
