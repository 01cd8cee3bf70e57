import { isWooPing, readWooHeaders, verifyWooSignature, wooDedupeKey } from "#adapters/woocommerce/verify";
import type { DbOrTx } from "#app/db/client.server";
import {
  deliveryToIngest,
  type Enqueue,
  keptHeaders,
  type RefusedResult,
  storeAndQueue,
  type WebhookDelivery,
} from "#app/services/intake/inbox.server";

import { findConnection, webhookSecretOf } from "./connections.server";

export type WooIngestResult =
  { status: 200; outcome: "ping" | "stored" | "duplicate" | "rejected"; inboxId: string | null } | RefusedResult;

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
  if (!connection || connection.status === "disconnected")
    return { status: 401, outcome: "unauthorized", inboxId: null };
  if (
    !verifyWooSignature(raw, requestHeaders.get("x-wc-webhook-signature"), webhookSecretOf(connection, options.key))
  ) {
    return { status: 401, outcome: "unauthorized", inboxId: null };
  }

  const headers = keptHeaders(requestHeaders, KEPT_HEADERS);
  const read = readWooHeaders(requestHeaders);
  return storeAndQueue(
    db,
    raw,
    {
      platform: "woocommerce",
      source: connection.id,
      shopId: connection.shopId,
      headers,
      route: read.ok
        ? // Delivery ids repeat within a second (docs/platforms/woocommerce.md §3): the body hash keeps distinct deliveries apart.
          { ok: true, topic: read.value.topic, dedupeKey: wooDedupeKey(read.value.deliveryId, raw), triggeredAt: null }
        : { ok: false, topic: headers["x-wc-webhook-topic"] ?? "unknown", reason: read.error.message },
    },
    options.enqueue,
  );
}
