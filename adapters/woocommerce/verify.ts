// WooCommerce webhook authentication, ping detection, dedupe key and header reading. Runs on the raw request
// bytes before anything is parsed (docs/platforms/README.md, "How a delivery is taken in", step 1). Facts: docs/platforms/woocommerce.md §3.
import { createHash } from "node:crypto";

import { z } from "zod";

import { verifyBase64HmacSha256 } from "#adapters/inbound/signature";

/**
 * True only when `signatureHeader` (X-WC-Webhook-Signature) is base64(HMAC-SHA256(rawBody, secret)).
 * Missing, empty, non-base64 or wrong-length signatures are false, never a throw. Constant-time compare.
 * Use an alphanumeric secret: WooCommerce entity-decodes the secret before signing.
 */
export function verifyWooSignature(
  rawBody: Uint8Array,
  signatureHeader: string | null | undefined,
  secret: string,
): boolean {
  return verifyBase64HmacSha256(rawBody, signatureHeader, secret);
}

const PING_BODY = /^webhook_id=\d+$/;

/**
 * WooCommerce pings a delivery URL when a webhook is created or its URL changes: an unsigned form body
 * `webhook_id=<id>` without X-WC headers. Answer it 200 before any signature check, or WooCommerce keeps
 * the webhook in `pending_delivery` and pings again. A JSON content type is never a ping, and neither is a request
 * with X-WC-Webhook-* headers: a signed delivery whose body happens to read `webhook_id=17` is a delivery (stored,
 * and rejected as not JSON), not something to drop unrecorded.
 */
export function isWooPing(headers: Headers, rawBody: Uint8Array): boolean {
  const type = (headers.get("content-type") ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
  if (type !== "" && type !== "application/x-www-form-urlencoded") return false;
  if (rawBody.length === 0 || rawBody.length > 40) return false;
  for (const name of headers.keys()) if (name.startsWith("x-wc-webhook-")) return false;
  return PING_BODY.test(Buffer.from(rawBody).toString("utf8"));
}

/** The webhook id a ping announces, or null when the body is not a ping. */
export function wooPingWebhookId(rawBody: Uint8Array): string | null {
  const text = Buffer.from(rawBody).toString("utf8");
  return PING_BODY.test(text) ? text.slice("webhook_id=".length) : null;
}

/**
 * Inbox key for a WooCommerce delivery. X-WC-Webhook-Delivery-ID is wp_hash(webhook id . unix seconds), so two
 * different deliveries of one webhook within the same second share it; the body hash tells them apart while
 * a true redelivery of the same body still collapses.
 */
export function wooDedupeKey(deliveryId: string, rawBody: Uint8Array): string {
  return `${deliveryId}:${createHash("sha256").update(rawBody).digest("hex")}`;
}

export interface WooWebhookHeaders {
  /** "order.updated" */
  topic: string;
  /** "order" */
  resource: string;
  /** "updated" */
  event: string;
  /** X-WC-Webhook-Signature as sent (verify it with verifyWooSignature). */
  signature: string;
  /** X-WC-Webhook-ID: the webhook's id in the store. */
  webhookId: string;
  /** X-WC-Webhook-Delivery-ID: not unique, see wooDedupeKey. */
  deliveryId: string;
  /** X-WC-Webhook-Source: the store's home URL. */
  source: string;
}

export type WooHeaderError = {
  code: "missing_header" | "invalid_header";
  header: string;
  message: string;
};

export type ReadWooHeadersResult = { ok: true; value: WooWebhookHeaders } | { ok: false; error: WooHeaderError };

const headerSchema = z.object({
  topic: z
    .string()
    .trim()
    .toLowerCase()
    .regex(/^[a-z0-9_-]+\.[a-z0-9_.-]+$/, "expected resource.event such as order.updated"),
  resource: z.string().trim().toLowerCase().min(1),
  event: z.string().trim().toLowerCase().min(1),
  signature: z.string().trim().min(1),
  webhookId: z.string().trim().regex(/^\d+$/, "expected a numeric webhook id"),
  deliveryId: z.string().trim().min(1).max(255),
  source: z
    .string()
    .trim()
    .refine((value) => URL.canParse(value) && /^https?:$/.test(new URL(value).protocol), "expected the store URL"),
});

const HEADER_NAMES: Record<keyof WooWebhookHeaders, string> = {
  topic: "X-WC-Webhook-Topic",
  resource: "X-WC-Webhook-Resource",
  event: "X-WC-Webhook-Event",
  signature: "X-WC-Webhook-Signature",
  webhookId: "X-WC-Webhook-ID",
  deliveryId: "X-WC-Webhook-Delivery-ID",
  source: "X-WC-Webhook-Source",
};

/** Reads and validates all seven X-WC-Webhook-* headers of a (non-ping) delivery. */
export function readWooHeaders(headers: Headers): ReadWooHeadersResult {
  const raw: Record<string, string | undefined> = {};
  for (const [key, name] of Object.entries(HEADER_NAMES)) {
    const value = headers.get(name);
    raw[key] = value === null || value.trim() === "" ? undefined : value;
  }
  const parsed = headerSchema.safeParse(raw);
  if (parsed.success) return { ok: true, value: parsed.data };
  const issue = parsed.error.issues[0];
  const key = (issue?.path[0] ?? "topic") as keyof WooWebhookHeaders;
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
