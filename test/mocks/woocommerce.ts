// A WooCommerce store at a fixed test host, answering REST v3 the way WooCommerce does (Basic auth over https,
// X-WP-Total / X-WP-TotalPages, webhooks that cannot be trashed, notes, meta_data, set_paid). State lives in
// `wooStore`: reset it in beforeEach, seed orders, inspect requests, webhooks and notes in assertions.
// Shapes: docs/platforms/woocommerce.md §3–§5; order JSON from test/fixtures/woocommerce.
import { readFileSync } from "node:fs";
import path from "node:path";

import { http, HttpResponse, type RequestHandler } from "msw";

export const WOO_TEST_STORE_URL = "https://wollwerk.example.de";
export const WOO_TEST_KEYS = {
  consumerKey: "ck_4f2a9c1e7b3d5f8a0c2e4b6d8f1a3c5e7b9d0f2a",
  consumerSecret: "cs_9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d",
};

export type MockOrder = Record<string, unknown> & { id: number; status: string; date_modified_gmt: string };
export type MockWebhook = {
  id: number;
  name: string;
  status: "active" | "paused" | "disabled";
  topic: string;
  resource: string;
  event: string;
  hooks: string[];
  delivery_url: string;
  secret: string;
  date_created_gmt: string;
  date_modified_gmt: string;
};
export type MockNote = { id: number; orderId: number; note: string; customer_note: boolean; date_created_gmt: string };
export type LoggedRequest = { method: string; path: string; query: URLSearchParams; body: unknown };
type Failure = { match: (r: LoggedRequest) => boolean; respond: () => Response; times: number };

// From the project root, not import.meta.url: under happy-dom (component tests) that is an http:// URL.
const baseOrder = JSON.parse(
  readFileSync(path.resolve(process.cwd(), "test/fixtures/woocommerce/order-created-invoice.json"), "utf8"),
) as MockOrder;

const gmt = (d: Date) => d.toISOString().slice(0, 19);

/** A REST v3 order like the fixture, with another id, status, payment method or modification time. */
export function wooOrder(id: number, overrides: Partial<MockOrder> & { modified?: Date } = {}): MockOrder {
  const { modified, ...rest } = overrides;
  const modifiedGmt = modified ? gmt(modified) : (rest.date_modified_gmt ?? baseOrder.date_modified_gmt);
  return {
    ...structuredClone(baseOrder),
    id,
    number: String(id),
    order_key: `wc_order_${id}`,
    date_modified_gmt: modifiedGmt,
    date_modified: modifiedGmt,
    meta_data: [],
    ...rest,
  };
}

function wooError(status: number, code: string, message: string) {
  return HttpResponse.json({ code, message, data: { status } }, { status });
}

export function createWooStoreMock(origin: string) {
  const state = {
    keys: { ...WOO_TEST_KEYS },
    index: {
      name: "Wollwerk",
      description: "Socken und Garn",
      url: origin,
      home: origin,
      gmt_offset: "1",
      timezone_string: "Europe/Berlin",
    },
    currency: "EUR",
    country: "DE",
    orders: new Map<number, MockOrder>(),
    webhooks: new Map<number, MockWebhook>(),
    notes: [] as MockNote[],
    requests: [] as LoggedRequest[],
    failures: [] as Failure[],
    nextId: 100,
    clock: () => new Date(),
  };

  const authorized = (request: Request) => {
    const header = request.headers.get("authorization") ?? "";
    const expected = `Basic ${Buffer.from(`${state.keys.consumerKey}:${state.keys.consumerSecret}`).toString("base64")}`;
    return header === expected;
  };

  const webhookJson = (w: MockWebhook) => {
    const { secret: _secret, ...rest } = w;
    return { ...rest, date_created: w.date_created_gmt, date_modified: w.date_modified_gmt, _links: {} };
  };

  function listOrders(query: URLSearchParams) {
    const statuses = [...query.getAll("status"), ...query.getAll("status[]")]
      .flatMap((s) => s.split(","))
      .filter(Boolean);
    const modifiedAfter = query.get("modified_after");
    const perPage = Math.min(100, Number(query.get("per_page") ?? 10));
    const page = Number(query.get("page") ?? 1);
    let rows = [...state.orders.values()];
    if (statuses.length > 0 && !statuses.includes("any")) rows = rows.filter((o) => statuses.includes(o.status));
    if (modifiedAfter) {
      if (query.get("dates_are_gmt") !== "true") throw new Error("the mock only answers GMT date filters");
      const after = new Date(`${modifiedAfter.replace(/Z$/, "")}Z`).getTime();
      rows = rows.filter((o) => new Date(`${o.date_modified_gmt}Z`).getTime() > after);
    }
    const orderby = query.get("orderby") ?? "date";
    const key = (o: MockOrder) => (orderby === "modified" ? new Date(`${o.date_modified_gmt}Z`).getTime() : o.id);
    rows.sort((a, b) => key(a) - key(b) || a.id - b.id);
    if ((query.get("order") ?? "desc") === "desc") rows.reverse();
    const total = rows.length;
    const totalPages = Math.ceil(total / perPage);
    const slice = rows.slice((page - 1) * perPage, page * perPage);
    return HttpResponse.json(slice, {
      headers: { "X-WP-Total": String(total), "X-WP-TotalPages": String(totalPages) },
    });
  }

  function updateOrder(order: MockOrder, body: Record<string, unknown>) {
    const now = gmt(state.clock());
    if (Array.isArray(body.meta_data)) {
      const meta = [...((order.meta_data as { id: number; key: string; value: unknown }[]) ?? [])];
      for (const entry of body.meta_data as { key: string; value: unknown }[]) {
        const existing = meta.find((m) => m.key === entry.key);
        if (existing) existing.value = entry.value;
        else meta.push({ id: state.nextId++, key: entry.key, value: entry.value });
      }
      order.meta_data = meta;
    }
    if (typeof body.status === "string") order.status = body.status;
    // set_paid only acts when the order needs payment (pending, failed): payment_complete().
    if (body.set_paid === true && ["pending", "failed"].includes(order.status)) {
      order.status = "processing";
      order.date_paid_gmt ??= now;
    }
    if (["processing", "completed"].includes(order.status)) order.date_paid_gmt ??= now;
    order.date_modified_gmt = now;
    return HttpResponse.json(order);
  }

  async function handle(request: Request): Promise<Response | undefined> {
    const url = new URL(request.url);
    if (url.origin !== origin) return undefined;
    const path = url.pathname.replace(/^\/wp-json\/?/, "/").replace(/^\/wc\/v3\//, "");
    let body: unknown = null;
    if (request.method !== "GET" && request.method !== "DELETE") {
      const text = await request.text();
      body = text ? JSON.parse(text) : null;
    }
    const logged: LoggedRequest = { method: request.method, path, query: url.searchParams, body };
    state.requests.push(logged);
    const failure = state.failures.find((f) => f.times > 0 && f.match(logged));
    if (failure) {
      failure.times -= 1;
      return failure.respond();
    }
    if (path === "/") return HttpResponse.json({ ...state.index, namespaces: ["wp/v2", "wc/v3"], routes: {} });
    if (!authorized(request)) return wooError(401, "woocommerce_rest_authentication_error", "Consumer key is invalid.");
    const b = (body ?? {}) as Record<string, unknown>;
    let m: RegExpExecArray | null;

    if (path === "settings/general" && request.method === "GET") {
      return HttpResponse.json([
        { id: "woocommerce_store_address", label: "Address line 1", type: "text", default: "", value: "Wollgasse 3" },
        { id: "woocommerce_store_city", label: "City", type: "text", default: "", value: "Köln" },
        {
          id: "woocommerce_default_country",
          label: "Country / State",
          type: "select",
          default: "US:CA",
          value: state.country,
        },
        { id: "woocommerce_currency", label: "Currency", type: "select", default: "USD", value: state.currency },
        { id: "woocommerce_price_num_decimals", label: "Number of decimals", type: "number", default: "2", value: "2" },
      ]);
    }
    if (path === "orders" && request.method === "GET") return listOrders(url.searchParams);
    if ((m = /^orders\/(\d+)$/.exec(path))) {
      const order = state.orders.get(Number(m[1]));
      if (!order) return wooError(404, "woocommerce_rest_shop_order_invalid_id", "Invalid ID.");
      if (request.method === "GET") return HttpResponse.json(order);
      if (request.method === "PUT" || request.method === "POST") return updateOrder(order, b);
    }
    if ((m = /^orders\/(\d+)\/notes$/.exec(path))) {
      const orderId = Number(m[1]);
      if (!state.orders.has(orderId)) return wooError(404, "woocommerce_rest_order_invalid_id", "Invalid order ID.");
      if (request.method === "GET")
        return HttpResponse.json(state.notes.filter((n) => n.orderId === orderId).map(({ orderId: _o, ...n }) => n));
      if (request.method === "POST") {
        if (typeof b.note !== "string" || b.note === "")
          return wooError(400, "rest_missing_callback_param", "Missing parameter(s): note");
        const note: MockNote = {
          id: state.nextId++,
          orderId,
          note: b.note,
          customer_note: b.customer_note === true,
          date_created_gmt: gmt(state.clock()),
        };
        state.notes.push(note);
        return HttpResponse.json({ ...note, author: "WooCommerce", added_by_user: false }, { status: 201 });
      }
    }
    if (path === "webhooks") {
      if (request.method === "GET") return HttpResponse.json([...state.webhooks.values()].map(webhookJson));
      if (request.method === "POST") {
        const topic = String(b.topic ?? "");
        if (!/^[a-z_]+\.[a-z_]+$/.test(topic) || typeof b.delivery_url !== "string")
          return wooError(400, "rest_invalid_param", "Invalid parameter(s): topic");
        const [resource = "", event = ""] = topic.split(".");
        const now = gmt(state.clock());
        const hook: MockWebhook = {
          id: state.nextId++,
          name: String(b.name ?? ""),
          status: "active",
          topic,
          resource,
          event,
          hooks: [`woocommerce_${topic.replace(".", "_")}`],
          delivery_url: b.delivery_url,
          secret: String(b.secret ?? ""),
          date_created_gmt: now,
          date_modified_gmt: now,
        };
        state.webhooks.set(hook.id, hook);
        return HttpResponse.json(webhookJson(hook), { status: 201 });
      }
    }
    if ((m = /^webhooks\/(\d+)$/.exec(path))) {
      const hook = state.webhooks.get(Number(m[1]));
      if (!hook) return wooError(404, "woocommerce_rest_webhook_invalid_id", "Invalid ID.");
      if (request.method === "GET") return HttpResponse.json(webhookJson(hook));
      if (request.method === "PUT") {
        if (typeof b.status === "string") hook.status = b.status as MockWebhook["status"];
        if (typeof b.delivery_url === "string") hook.delivery_url = b.delivery_url;
        return HttpResponse.json(webhookJson(hook));
      }
      if (request.method === "DELETE") {
        if (url.searchParams.get("force") !== "true")
          return wooError(501, "woocommerce_rest_trash_not_supported", "Webhooks do not support trashing.");
        state.webhooks.delete(hook.id);
        return HttpResponse.json(webhookJson(hook));
      }
    }
    return wooError(404, "rest_no_route", "No route was found matching the URL and request method.");
  }

  return {
    origin,
    state,
    handle,
    reset() {
      state.keys = { ...WOO_TEST_KEYS };
      state.currency = "EUR";
      state.country = "DE";
      state.index = {
        name: "Wollwerk",
        description: "Socken und Garn",
        url: origin,
        home: origin,
        gmt_offset: "1",
        timezone_string: "Europe/Berlin",
      };
      state.orders.clear();
      state.webhooks.clear();
      state.notes = [];
      state.requests = [];
      state.failures = [];
      state.clock = () => new Date();
    },
    addOrders(...orders: MockOrder[]) {
      for (const o of orders) state.orders.set(o.id, o);
    },
    /** The next `times` requests matching `match` get `respond()` instead of the store's answer. */
    fail(match: (r: LoggedRequest) => boolean, respond: () => Response, times = 1) {
      state.failures.push({ match, respond, times });
    },
    requestsTo(method: string, pathPattern: RegExp) {
      return state.requests.filter((r) => r.method === method && pathPattern.test(r.path));
    },
  };
}

export const wooStore = createWooStoreMock(WOO_TEST_STORE_URL);

export const handlers: RequestHandler[] = [
  http.all(`${WOO_TEST_STORE_URL}/wp-json/`, ({ request }) => wooStore.handle(request)),
  http.all(`${WOO_TEST_STORE_URL}/wp-json/*`, ({ request }) => wooStore.handle(request)),
];
