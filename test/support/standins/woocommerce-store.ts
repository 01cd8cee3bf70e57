// A stand-in WooCommerce store as a real https server on 127.0.0.1 (certificate signed by test/fixtures/tls/ca.pem,
// which the app processes trust through NODE_EXTRA_CA_CERTS). REST v3 answers come from the same store model as the
// msw mock (test/mocks/woocommerce.ts); on top it does what only a live store does: the wc-auth key exchange, the
// ping of each new webhook, signed deliveries, and the companion plugin's signed wp-admin links.
import { createHmac, randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { createServer, request as httpsRequest } from "node:https";
import type { AddressInfo } from "node:net";
import path from "node:path";

import { createWooStoreMock, type MockOrder } from "#test/mocks/woocommerce";

const TLS_DIR = path.resolve("test/fixtures/tls");
export const TEST_CA_FILE = path.join(TLS_DIR, "ca.pem");

export type WebhookPing = { webhookId: number; url: string; status: number };
export type WooStandIn = Awaited<ReturnType<typeof startWooStandIn>>;

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export async function startWooStandIn(options: { name?: string } = {}) {
  const server = createServer({
    key: readFileSync(path.join(TLS_DIR, "store.key")),
    cert: readFileSync(path.join(TLS_DIR, "store.pem")),
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const origin = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const store = createWooStoreMock(origin);
  store.reset();
  if (options.name) store.state.index.name = options.name;
  const pings: WebhookPing[] = [];
  /** What the key exchange's callback answered: WooCommerce keeps the key only on exactly 200. */
  const callbacks: { status: number; kept: boolean }[] = [];

  // WooCommerce pings a new webhook's URL during the create request: unsigned, body webhook_id=<id>.
  async function ping(webhookId: number, url: string): Promise<void> {
    let status = 0;
    try {
      const res = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: `webhook_id=${webhookId}`,
        signal: AbortSignal.timeout(5_000),
      });
      status = res.status;
    } catch {
      status = 0;
    }
    pings.push({ webhookId, url, status });
  }

  async function authorize(url: URL, res: ServerResponse): Promise<void> {
    const p = url.searchParams;
    const [userId, callbackUrl, returnUrl] = [p.get("user_id"), p.get("callback_url"), p.get("return_url")];
    if (!p.get("app_name") || p.get("scope") !== "read_write" || !userId || !callbackUrl || !returnUrl) {
      res.writeHead(401).end("invalid authorize request");
      return;
    }
    // The merchant approves: the key is made, POSTed to the callback, and deleted unless it answers exactly 200.
    const keys = {
      consumerKey: `ck_${randomBytes(20).toString("hex")}`,
      consumerSecret: `cs_${randomBytes(20).toString("hex")}`,
    };
    const before = store.state.keys;
    store.state.keys = keys;
    const answer = await fetch(callbackUrl, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        key_id: 7,
        user_id: userId,
        consumer_key: keys.consumerKey,
        consumer_secret: keys.consumerSecret,
        key_permissions: "read_write",
      }),
      signal: AbortSignal.timeout(60_000),
    });
    const kept = answer.status === 200;
    callbacks.push({ status: answer.status, kept });
    if (!kept) store.state.keys = before;
    res
      .writeHead(302, {
        location: `${returnUrl}${returnUrl.includes("?") ? "&" : "?"}success=${kept ? 1 : 0}&user_id=${encodeURIComponent(userId)}`,
      })
      .end();
  }

  server.on("request", (req: IncomingMessage, res: ServerResponse) => {
    void (async () => {
      const url = new URL(req.url ?? "/", origin);
      if (url.pathname === "/wc-auth/v1/authorize" && req.method === "GET") return authorize(url, res);
      const body = await readBody(req);
      const headers = new Headers();
      for (const [name, value] of Object.entries(req.headers)) if (typeof value === "string") headers.set(name, value);
      const request = new Request(url, {
        method: req.method,
        headers,
        body: req.method === "GET" || req.method === "HEAD" ? undefined : new Uint8Array(body),
      });
      const response = (await store.handle(request)) ?? new Response("not found", { status: 404 });
      const text = Buffer.from(await response.arrayBuffer());
      res.writeHead(response.status, Object.fromEntries(response.headers.entries()));
      res.end(text);
      if (req.method === "POST" && url.pathname === "/wp-json/wc/v3/webhooks" && response.status === 201) {
        const hook = JSON.parse(text.toString("utf8")) as { id: number; delivery_url: string };
        await ping(hook.id, hook.delivery_url);
      }
    })().catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500);
      res.end(String(error));
    });
  });

  /** Our webhook for a topic, as the app created it. */
  function webhookFor(topic: string) {
    const hook = [...store.state.webhooks.values()].find((w) => w.topic === topic && w.status === "active");
    if (!hook) throw new Error(`no active ${topic} webhook at the stand-in store`);
    return hook;
  }

  return {
    url: origin,
    store,
    pings,
    callbacks,
    addOrder(order: MockOrder) {
      store.addOrders(order);
    },
    /** Delivers a topic for an order as WooCommerce does (signed raw body, X-WC headers); returns the answer's status. */
    async deliver(topic: string, payload: unknown): Promise<{ status: number; body: string }> {
      const hook = webhookFor(topic);
      const raw = JSON.stringify(payload);
      const [resource = "", event = ""] = topic.split(".");
      const res = await fetch(hook.delivery_url, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "user-agent": "WooCommerce/10.3.0 Hookshot (WordPress/6.8.3)",
          "x-wc-webhook-source": `${origin}/`,
          "x-wc-webhook-topic": topic,
          "x-wc-webhook-resource": resource,
          "x-wc-webhook-event": event,
          "x-wc-webhook-signature": createHmac("sha256", hook.secret).update(raw).digest("base64"),
          "x-wc-webhook-id": String(hook.id),
          "x-wc-webhook-delivery-id": randomBytes(16).toString("hex"),
        },
        body: raw,
      });
      return { status: res.status, body: await res.text() };
    },
    /** A GET from the merchant's browser, which trusts the test CA (this process does not: it is not started with it). */
    visit(url: string): Promise<{ status: number; location: string | null; body: string }> {
      return new Promise((resolve, reject) => {
        const req = httpsRequest(url, { ca: readFileSync(TEST_CA_FILE) }, (res) => {
          let body = "";
          res.on("data", (d: Buffer) => (body += d.toString()));
          res.on("end", () => resolve({ status: res.statusCode ?? 0, location: res.headers.location ?? null, body }));
        });
        req.on("error", reject);
        req.end();
      });
    },
    /** The connection id the app gave this store: the last path segment of its webhooks' delivery URL. */
    connectionId(): string {
      const id = new URL(webhookFor("order.created").delivery_url).pathname.split("/").pop();
      if (!id) throw new Error("no connection id in the delivery URL");
      return id;
    },
    /** The companion plugin's signed link from wp-admin into the tab (?c&t&n&u&s, HMAC with the webhook secret). */
    signInLink(appUrl: string, user: { id: number; name: string; email: string }): string {
      const c = this.connectionId();
      const t = Math.floor(Date.now() / 1000);
      const n = randomBytes(16).toString("base64url");
      const u = Buffer.from(JSON.stringify(user), "utf8").toString("base64url");
      const s = createHmac("sha256", webhookFor("order.created").secret).update(`${c}|${t}|${n}|${u}`).digest("hex");
      return `${appUrl}/woocommerce/signin?${new URLSearchParams({ c, t: String(t), n, u, s }).toString()}`;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())).then(() => undefined),
  };
}
