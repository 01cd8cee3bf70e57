// WooCommerce REST v3 over @woocommerce/woocommerce-rest-api (https → Basic auth). Every answer that crosses into
// the app is zod-parsed here; failures become a WooApiError with a kind the callers can act on (retry or not).
// Facts: docs/platforms/woocommerce.md §1–§5.
import WooCommerceRestApiModule from "@woocommerce/woocommerce-rest-api";
import { z } from "zod";

import { checkHost, guardedAgents, outboundGet, type OutboundPolicy } from "#adapters/http/outbound";
import { getEnv } from "#app/config/env.server";
import { logger } from "#app/utils/logger.server";

// A CommonJS package that sets exports.default: Node's ES module loader (npm start, the worker) hands over the whole
// module.exports, bundlers and vitest the class itself. test/production/entry-points.ts constructs it under Node.
const WooCommerceRestApi = ((WooCommerceRestApiModule as unknown as { default?: typeof WooCommerceRestApiModule })
  .default ?? WooCommerceRestApiModule) as typeof WooCommerceRestApiModule;

export type WooApiErrorKind =
  /** 401/403: wrong or revoked keys, or a key without read_write. */
  | "unauthorized"
  | "not_found"
  /** 429 */
  | "rate_limited"
  /** 5xx */
  | "server"
  /** other 4xx */
  | "rejected"
  /** DNS, refused, TLS, timeout: the store could not be reached. */
  | "unreachable"
  /** 2xx whose body is not what WooCommerce sends. */
  | "invalid_response";

export class WooApiError extends Error {
  override name = "WooApiError";
  constructor(
    readonly kind: WooApiErrorKind,
    message: string,
    readonly status: number | null = null,
  ) {
    super(message);
  }

  /** Worth trying again later (network, throttling, store errors). */
  get retryable(): boolean {
    return this.kind === "unreachable" || this.kind === "rate_limited" || this.kind === "server";
  }
}

export interface WooCredentials {
  storeUrl: string;
  consumerKey: string;
  consumerSecret: string;
}

export type WooPage<T> = { items: T[]; total: number | null; totalPages: number | null };

const TIMEOUT_MS = 20_000;
/** Whole request, body included (TIMEOUT_MS is axios' per-socket idle limit; this also stops a slow drip). */
const DEADLINE_MS = 60_000;
/** A page of 100 orders is a few hundred KB; anything near this is not a WooCommerce answer. */
const MAX_RESPONSE_BYTES = 10 * 1024 * 1024;
const MAX_REQUEST_BYTES = 1024 * 1024;

type AxiosLikeError = {
  isAxiosError?: boolean;
  code?: string;
  message?: string;
  response?: { status?: number; data?: unknown };
};

function classify(error: unknown, what: string): WooApiError {
  if (error instanceof WooApiError) return error;
  const e = (error ?? {}) as AxiosLikeError;
  const status = e.response?.status;
  if (typeof status === "number") {
    const data = e.response?.data as { code?: unknown; message?: unknown } | undefined;
    const detail = typeof data?.message === "string" ? `: ${data.message}` : "";
    if (status === 401 || status === 403)
      return new WooApiError("unauthorized", `${what} was refused (${status})${detail}`, status);
    if (status === 404) return new WooApiError("not_found", `${what}: not found (404)${detail}`, status);
    if (status === 429) return new WooApiError("rate_limited", `${what}: throttled (429)`, status);
    if (status >= 500) return new WooApiError("server", `${what}: the store answered ${status}`, status);
    return new WooApiError("rejected", `${what}: the store answered ${status}${detail}`, status);
  }
  if (e.code === "ETOOLARGE" || e.code === "ERR_BAD_RESPONSE" || /maxContentLength/.test(e.message ?? "")) {
    return new WooApiError("invalid_response", `${what}: the answer is too large`);
  }
  // One message for refused addresses, closed ports, resets and timeouts alike: the merchant (or whoever submitted
  // the URL) must not learn what listens where. The cause goes to our log only.
  logger.debug({ what, code: e.code, reason: e.message }, "woocommerce: store unreachable");
  return new WooApiError("unreachable", `${what}: the store could not be reached`);
}

function headerNumber(headers: unknown, name: string): number | null {
  const h = headers as { get?: (n: string) => unknown } & Record<string, unknown>;
  const raw = typeof h?.get === "function" ? h.get(name) : h?.[name];
  const n = Number(raw);
  return raw !== undefined && raw !== null && raw !== "" && Number.isInteger(n) && n >= 0 ? n : null;
}

function parse<T>(schema: z.ZodType<T>, data: unknown, what: string): T {
  const parsed = schema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new WooApiError(
      "invalid_response",
      `${what}: unexpected answer (${issue?.path.join(".") ?? ""} ${issue?.message ?? ""})`.trim(),
    );
  }
  return parsed.data;
}

// ---------------------------------------------------------------------------------------------------------
// Answer shapes (only the fields we read).

const settingOption = z.object({ id: z.string(), value: z.unknown() }).loose();

/** Public WordPress index `GET /wp-json/` (no auth): site name and time zone (docs/platforms/woocommerce.md §5). */
const wpIndex = z
  .object({
    name: z.string().catch(""),
    url: z.string().optional(),
    home: z.string().optional(),
    timezone_string: z.string().nullish(),
    gmt_offset: z.union([z.number(), z.string()]).nullish(),
  })
  .loose();
export type WpIndex = z.infer<typeof wpIndex>;

export const WOO_WEBHOOK_STATUSES = ["active", "paused", "disabled"] as const;
const webhook = z
  .object({
    id: z.number().int().positive(),
    name: z.string().catch(""),
    status: z.string(),
    topic: z.string(),
    delivery_url: z.string(),
  })
  .loose();
export type WooWebhook = z.infer<typeof webhook>;

const orderNote = z
  .object({
    id: z.number().int(),
    note: z.string(),
    customer_note: z.boolean().optional(),
    date_created_gmt: z.string().nullish(),
  })
  .loose();
export type WooOrderNote = z.infer<typeof orderNote>;

/** A REST v3 order as JSON: validated field by field later by normalizeWooOrder. */
const orderShape = z.object({ id: z.number().int().positive(), status: z.string() }).loose();
export type WooOrderJson = z.infer<typeof orderShape>;

// ---------------------------------------------------------------------------------------------------------

export interface WooClient {
  readonly storeUrl: string;
  /** `woocommerce_currency` etc. from `GET /settings/general`. */
  generalSettings(): Promise<Record<string, unknown>>;
  /** Public `GET /wp-json/` index (no keys). */
  siteIndex(): Promise<WpIndex>;
  listOrders(params: Record<string, string | number>): Promise<WooPage<WooOrderJson>>;
  getOrder(id: string): Promise<WooOrderJson>;
  updateOrder(id: string, data: Record<string, unknown>): Promise<WooOrderJson>;
  listOrderNotes(id: string): Promise<WooOrderNote[]>;
  addOrderNote(id: string, data: { note: string; customer_note: boolean }): Promise<WooOrderNote>;
  listWebhooks(): Promise<WooWebhook[]>;
  createWebhook(data: { name: string; topic: string; delivery_url: string; secret: string }): Promise<WooWebhook>;
  updateWebhook(
    id: number,
    data: { status?: (typeof WOO_WEBHOOK_STATUSES)[number]; delivery_url?: string },
  ): Promise<WooWebhook>;
  /** force=true: webhooks cannot be trashed. A webhook already gone counts as deleted. */
  deleteWebhook(id: number): Promise<void>;
}

export type WooClientFactory = (credentials: WooCredentials) => WooClient;

/** allowPrivateNetwork defaults to ALLOW_PRIVATE_NETWORK; resolve is for tests. */
export type WooClientOptions = OutboundPolicy;

export function createWooClient(credentials: WooCredentials, options: WooClientOptions = {}): WooClient {
  const policy: OutboundPolicy = {
    ...options,
    allowPrivateNetwork: options.allowPrivateNetwork ?? getEnv().ALLOW_PRIVATE_NETWORK,
  };
  const agents = guardedAgents(policy);
  // A fresh library instance per call: axiosConfig is fixed at construction, and each request needs its own deadline.
  // No headers here: axiosConfig is spread last and would replace the library's (docs/platforms/woocommerce.md).
  const api = () =>
    new WooCommerceRestApi({
      url: credentials.storeUrl,
      consumerKey: credentials.consumerKey,
      consumerSecret: credentials.consumerSecret,
      version: "wc/v3",
      timeout: TIMEOUT_MS,
      axiosConfig: {
        ...agents,
        // A 3xx is an answer, not an instruction: following it would let a store point us anywhere (307 keeps the body).
        maxRedirects: 0,
        maxContentLength: MAX_RESPONSE_BYTES,
        maxBodyLength: MAX_REQUEST_BYTES,
        // An HTTPS_PROXY would connect for us and bypass the address check.
        proxy: false,
        signal: AbortSignal.timeout(DEADLINE_MS),
      },
    });
  const call = async <T>(
    what: string,
    run: () => Promise<{ data: unknown; headers: unknown }>,
    schema: z.ZodType<T>,
  ) => {
    let response: { data: unknown; headers: unknown };
    try {
      checkHost(credentials.storeUrl, policy);
      response = await run();
    } catch (error) {
      throw classify(error, what);
    }
    return { value: parse(schema, response.data, what), headers: response.headers };
  };
  const id = (value: string | number) => {
    const text = String(value);
    if (!/^\d+$/.test(text)) throw new WooApiError("rejected", `not a WooCommerce id: ${JSON.stringify(text)}`);
    return text;
  };

  return {
    storeUrl: credentials.storeUrl,
    async generalSettings() {
      const { value } = await call("GET settings/general", () => api().get("settings/general"), z.array(settingOption));
      return Object.fromEntries(value.map((o) => [o.id, o.value]));
    },
    async siteIndex() {
      const url = `${credentials.storeUrl.replace(/\/+$/, "")}/wp-json/`;
      let response: { status: number; body: Buffer };
      try {
        response = await outboundGet(url, {
          headers: { accept: "application/json" },
          agents,
          policy,
          timeoutMs: DEADLINE_MS,
          maxBytes: MAX_RESPONSE_BYTES,
        });
      } catch (error) {
        throw classify(error, "GET /wp-json/");
      }
      if (response.status < 200 || response.status > 299)
        throw classify({ response: { status: response.status } }, "GET /wp-json/");
      let body: unknown;
      try {
        body = JSON.parse(response.body.toString("utf8"));
      } catch {
        throw new WooApiError("invalid_response", "GET /wp-json/: not JSON (is this a WordPress site?)");
      }
      return parse(wpIndex, body, "GET /wp-json/");
    },
    async listOrders(params) {
      const { value, headers } = await call("GET orders", () => api().get("orders", params), z.array(orderShape));
      return {
        items: value,
        total: headerNumber(headers, "x-wp-total"),
        totalPages: headerNumber(headers, "x-wp-totalpages"),
      };
    },
    async getOrder(orderId) {
      return (await call(`GET orders/${orderId}`, () => api().get(`orders/${id(orderId)}`), orderShape)).value;
    },
    async updateOrder(orderId, data) {
      return (await call(`PUT orders/${orderId}`, () => api().put(`orders/${id(orderId)}`, data), orderShape)).value;
    },
    async listOrderNotes(orderId) {
      return (
        await call(
          `GET orders/${orderId}/notes`,
          () => api().get(`orders/${id(orderId)}/notes`, { type: "internal" }),
          z.array(orderNote),
        )
      ).value;
    },
    async addOrderNote(orderId, data) {
      return (
        await call(`POST orders/${orderId}/notes`, () => api().post(`orders/${id(orderId)}/notes`, data), orderNote)
      ).value;
    },
    async listWebhooks() {
      return (await call("GET webhooks", () => api().get("webhooks", { per_page: 100 }), z.array(webhook))).value;
    },
    async createWebhook(data) {
      return (await call(`POST webhooks (${data.topic})`, () => api().post("webhooks", data), webhook)).value;
    },
    async updateWebhook(webhookId, data) {
      return (await call(`PUT webhooks/${webhookId}`, () => api().put(`webhooks/${id(webhookId)}`, data), webhook))
        .value;
    },
    async deleteWebhook(webhookId) {
      try {
        await call(
          `DELETE webhooks/${webhookId}`,
          () => api().delete(`webhooks/${id(webhookId)}`, { force: true }),
          z.unknown(),
        );
      } catch (error) {
        if (error instanceof WooApiError && error.kind === "not_found") return;
        throw error;
      }
    },
  };
}
