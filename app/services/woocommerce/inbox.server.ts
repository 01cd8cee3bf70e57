import { isWooPing, readWooHeaders, verifyWooSignature, wooDedupeKey } from "#adapters/woocommerce/verify";
import type { DbOrTx } from "#app/db/client.server";
import { sha256 } from "#app/utils/crypto.server";
import { deliveryToIngest, enqueueSafely, keptHeaders, storableBody, storeDelivery, type Enqueue, type RefusedResult, type WebhookDelivery } from "#app/services/intake/inbox.server";
import { findConnection, webhookSecretOf } from "./connections.server";

export type WooIngestResult = { status: 200; outcome: "ping" | "stored" | "duplicate" | "rejected"; inboxId: string | null } | RefusedResult;

const KEPT_HEADERS = /^(x-wc-webhook-|content-type$|user-agent$)/i;

/**
 * Step one of a WooCommerce delivery to /webhooks/woocommerce/<connectionId>: answer the creation ping, check
 * X-WC-Webhook-Signature with the connection's own secret on the raw bytes, store, queue, answer 200. Nothing is
 * parsed before it is stored. A storage failure throws (→ 5xx); WooCommerce never retries, the poll catches up.
 */
export async function ingestWooWebhook(
  db: DbOrTx,
  input: Request | WebhookDelivery,
  connectionId: string,
  options: { key: Buffer; enqueue: Enqueue },
): Promise<WooIngestResult> {
  const checked = await deliveryToIngest(input);
  if ("refused" in checked) return checked.refused;
  const { body: raw, headers: requestHeaders } = checked.delivery;
  // The ping is unsigned and arrives while the connection is still pending (we create the webhooks before the
  // callback completes), so it is answered before any lookup; it carries nothing and nothing is stored.
  if (isWooPing(requestHeaders, raw)) return { status: 200, outcome: "ping", inboxId: null };

  // Unknown or disconnected connections answer 401 like a bad signature (not 404): the
  // caller learns nothing about which connection ids exist, and WooCommerce disables a webhook after repeated 4xx.
  const connection = await findConnection(db, connectionId);
  if (!connection || connection.status === "disconnected") return { status: 401, outcome: "unauthorized", inboxId: null };
  if (!verifyWooSignature(raw, requestHeaders.get("x-wc-webhook-signature"), webhookSecretOf(connection, options.key))) {
    return { status: 401, outcome: "unauthorized", inboxId: null };
  }

  const { body, defect } = storableBody(raw);
  const headers = keptHeaders(requestHeaders, KEPT_HEADERS);
  const read = readWooHeaders(requestHeaders);
  if (!read.ok) {
    // Signed with our secret but not routable: kept as rejected with the reason, never a 5xx.
    const id = await storeDelivery(db, {
      platform: "woocommerce",
      source: connection.id,
      shopId: connection.shopId,
      topic: headers["x-wc-webhook-topic"] ?? "unknown",
      dedupeKey: `sha256:${sha256(raw)}`,
      headers,
      body,
      status: "rejected",
      lastError: read.error.message,
      triggeredAt: null,
    });
    return { status: 200, outcome: "rejected", inboxId: id };
  }
  const id = await storeDelivery(db, {
    platform: "woocommerce",
    source: connection.id,
    shopId: connection.shopId,
    topic: read.value.topic,
    // Delivery ids repeat within a second (docs/platforms/woocommerce.md §3): the body hash keeps distinct deliveries apart.
    dedupeKey: wooDedupeKey(read.value.deliveryId, raw),
    headers,
    body,
    status: defect ? "rejected" : "received",
    lastError: defect,
    triggeredAt: null,
  });
  if (!id) return { status: 200, outcome: "duplicate", inboxId: null };
  if (defect) return { status: 200, outcome: "rejected", inboxId: id };
  await enqueueSafely(options.enqueue, id);
  return { status: 200, outcome: "stored", inboxId: id };
}
