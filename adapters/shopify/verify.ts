// Shopify webhook authentication and header reading. Runs on the raw request bytes, before anything is
// parsed or stored (docs/platforms/README.md, "How a delivery is taken in", step 1). Pure apart from node:crypto.
import { z } from "zod";

import { verifyBase64HmacSha256 } from "#adapters/inbound/signature";

/**
 * True only when `hmacHeader` is the base64 HMAC-SHA256 of exactly these bytes under `secret`.
 * Missing, empty, non-base64 or wrong-length headers are false, never a throw. Constant-time compare.
 */
export function verifyShopifyWebhook(
  rawBody: Uint8Array,
  hmacHeader: string | null | undefined,
  secret: string,
): boolean {
  return verifyBase64HmacSha256(rawBody, hmacHeader, secret);
}

export interface ShopifyWebhookHeaders {
  /** "orders/create", "app/uninstalled" … */
  topic: string;
  /** "<shop>.myshopify.com", lower-case. */
  shopDomain: string;
  /** X-Shopify-Webhook-Id: one per delivery attempt series; the inbox key. */
  webhookId: string;
  /** X-Shopify-Event-Id: shared by duplicate deliveries of the same event. */
  eventId?: string;
  /** X-Shopify-Triggered-At: when the event happened at Shopify. */
  triggeredAt?: Date;
  /** X-Shopify-API-Version of the payload, e.g. "2026-07". */
  apiVersion?: string;
  /** X-Shopify-Hmac-Sha256 as sent (verify it with verifyShopifyWebhook). */
  hmac?: string;
}

export type ShopifyHeaderError = {
  code: "missing_header" | "invalid_header";
  header: string;
  message: string;
};

export type ReadShopifyHeadersResult =
  { ok: true; value: ShopifyWebhookHeaders } | { ok: false; error: ShopifyHeaderError };

const SHOP_DOMAIN = /^[a-z0-9][a-z0-9-]*\.myshopify\.com$/;
const TOPIC = /^[a-z0-9_]+(?:\/[a-z0-9_]+)+$/;
const API_VERSION = /^(?:\d{4}-\d{2}|unstable)$/;

const headerSchema = z.object({
  topic: z.string().trim().toLowerCase().regex(TOPIC, "expected a topic such as orders/create"),
  shopDomain: z.string().trim().toLowerCase().regex(SHOP_DOMAIN, "expected <shop>.myshopify.com"),
  webhookId: z.string().trim().min(1).max(255),
  eventId: z.string().trim().min(1).max(255).optional(),
  triggeredAt: z.iso
    .datetime({ offset: true })
    .transform((s) => new Date(s))
    .refine((d) => !Number.isNaN(d.getTime()), "not a valid timestamp")
    .optional(),
  apiVersion: z.string().trim().regex(API_VERSION, "expected YYYY-MM or unstable").optional(),
  hmac: z.string().trim().min(1).optional(),
});

const HEADER_NAMES: Record<keyof z.input<typeof headerSchema>, string> = {
  topic: "X-Shopify-Topic",
  shopDomain: "X-Shopify-Shop-Domain",
  webhookId: "X-Shopify-Webhook-Id",
  eventId: "X-Shopify-Event-Id",
  triggeredAt: "X-Shopify-Triggered-At",
  apiVersion: "X-Shopify-API-Version",
  hmac: "X-Shopify-Hmac-Sha256",
};

// Classic webhooks send X-Shopify-*; "Events" deliveries send the same names without the X- prefix.
function header(headers: Headers, name: string): string | undefined {
  const lower = name.toLowerCase();
  const value = headers.get(lower) ?? headers.get(lower.replace(/^x-/, ""));
  return value === null || value.trim() === "" ? undefined : value;
}

/** Reads and validates the Shopify delivery headers. Topic, shop domain and webhook id are required. */
export function readShopifyHeaders(headers: Headers): ReadShopifyHeadersResult {
  const raw = Object.fromEntries(Object.entries(HEADER_NAMES).map(([key, name]) => [key, header(headers, name)]));
  const parsed = headerSchema.safeParse(raw);
  if (parsed.success) {
    const { topic, shopDomain, webhookId, eventId, triggeredAt, apiVersion, hmac } = parsed.data;
    const value: ShopifyWebhookHeaders = { topic, shopDomain, webhookId };
    // Absent optionals stay absent instead of becoming `undefined` keys.
    if (eventId !== undefined) value.eventId = eventId;
    if (triggeredAt !== undefined) value.triggeredAt = triggeredAt;
    if (apiVersion !== undefined) value.apiVersion = apiVersion;
    if (hmac !== undefined) value.hmac = hmac;
    return { ok: true, value };
  }
  const issue = parsed.error.issues[0];
  const key = (issue?.path[0] ?? "topic") as keyof typeof HEADER_NAMES;
  const name = HEADER_NAMES[key];
  const missing = raw[key] === undefined;
  return {
    ok: false,
    error: {
      code: missing ? "missing_header" : "invalid_header",
      header: name,
      message: missing ? `${name} is missing` : `${name} is invalid: ${issue?.message ?? "unexpected value"}`,
    },
  };
}
