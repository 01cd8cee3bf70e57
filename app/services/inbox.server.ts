import { createHash } from "node:crypto";
import { readShopifyHeaders, verifyShopifyWebhook } from "#adapters/shopify/verify";
import type { DbOrTx } from "#app/db/client.server";
import { webhookInbox } from "#app/db/schema";

export const INBOX_PROCESS_JOB = "inbox.process";

export type Enqueue = (inboxId: string) => Promise<unknown>;

export type IngestResult =
  | { status: 200; outcome: "stored" | "duplicate" | "rejected"; inboxId: string | null }
  | { status: 401 | 405; outcome: "unauthorized" | "method_not_allowed"; inboxId: null };

const KEPT_HEADERS = /^(x-shopify-|shopify-|x-wc-webhook-|content-type$|user-agent$)/i;

/**
 * Step one of every webhook: check the signature on the raw bytes, store the delivery, queue it, answer.
 * Nothing is parsed before it is stored, and nothing but the insert happens in the request, so the answer
 * comes well inside Shopify's 5 seconds. A storage failure throws (→ 5xx, so Shopify retries).
 */
export async function ingestShopifyWebhook(
  db: DbOrTx,
  request: Request,
  options: { secret: string; enqueue: Enqueue },
): Promise<IngestResult> {
  if (request.method !== "POST") return { status: 405, outcome: "method_not_allowed", inboxId: null };
  const raw = new Uint8Array(await request.arrayBuffer());
  if (!verifyShopifyWebhook(raw, request.headers.get("x-shopify-hmac-sha256"), options.secret)) {
    return { status: 401, outcome: "unauthorized", inboxId: null };
  }
  const { body, defect } = storableBody(raw);
  const headers = keptHeaders(request.headers);
  const read = readShopifyHeaders(request.headers);
  if (!read.ok) {
    // Signed by Shopify but not a delivery we can route: kept as rejected with its reason, never a 5xx.
    const id = await insertDelivery(db, {
      platform: "shopify",
      source: headers["x-shopify-shop-domain"]?.toLowerCase() ?? "unknown",
      topic: headers["x-shopify-topic"] ?? "unknown",
      dedupeKey: `sha256:${sha256(raw)}`,
      headers,
      body,
      status: "rejected",
      lastError: read.error.message,
      triggeredAt: null,
    });
    return { status: 200, outcome: "rejected", inboxId: id };
  }
  const { shopDomain, topic, webhookId, triggeredAt } = read.value;
  const id = await insertDelivery(db, {
    platform: "shopify",
    source: shopDomain,
    topic,
    dedupeKey: webhookId,
    headers,
    body,
    status: defect ? "rejected" : "received",
    lastError: defect,
    triggeredAt: triggeredAt ?? null,
  });
  if (!id) return { status: 200, outcome: "duplicate", inboxId: null };
  if (defect) return { status: 200, outcome: "rejected", inboxId: id };
  await enqueueSafely(options.enqueue, id);
  return { status: 200, outcome: "stored", inboxId: id };
}

/**
 * The body as the text column can hold it. PostgreSQL text cannot contain a NUL byte, and JSON never does (control
 * characters are escaped), so a signed body with one is not a delivery we can process: it is kept, NULs shown as
 * U+FFFD, with the defect as its rejection reason — a 5xx would only make the platform send it again and again.
 */
export function storableBody(raw: Uint8Array): { body: string; defect: string | null } {
  const body = Buffer.from(raw).toString("utf8");
  if (!raw.includes(0)) return { body, defect: null };
  return { body: body.replaceAll("\u0000", "\uFFFD"), defect: "body contains NUL bytes, so it is not JSON (stored with U+FFFD in their place)" };
}

type NewDelivery = Omit<typeof webhookInbox.$inferInsert, "id" | "receivedAt" | "attempts">;

/** Inserts unless the same (platform, source, dedupe key) is already stored; returns the new row id or null. */
export async function insertDelivery(db: DbOrTx, delivery: NewDelivery): Promise<string | null> {
  const rows = await db
    .insert(webhookInbox)
    .values(delivery)
    .onConflictDoNothing({ target: [webhookInbox.platform, webhookInbox.source, webhookInbox.dedupeKey] })
    .returning({ id: webhookInbox.id });
  return rows[0]?.id ?? null;
}

/**
 * The row is already durable; if the queue is briefly unavailable the inbox sweep picks the row up later,
 * so a failed enqueue must not turn a stored delivery into a 5xx (which would only make Shopify resend it).
 */
async function enqueueSafely(enqueue: Enqueue, id: string): Promise<void> {
  try {
    await enqueue(id);
  } catch {
    // recovered by the inbox sweep
  }
}

/** The headers worth keeping with a stored delivery (those matching `keep`); signatures are never stored. */
export function keptHeaders(headers: Headers, keep: RegExp = KEPT_HEADERS): Record<string, string> {
  const kept: Record<string, string> = {};
  headers.forEach((value, name) => {
    if (keep.test(name) && !/hmac|signature/i.test(name)) kept[name.toLowerCase()] = value;
  });
  return kept;
}

export function sha256(bytes: Uint8Array | string): string {
  return createHash("sha256").update(bytes).digest("hex");
}
