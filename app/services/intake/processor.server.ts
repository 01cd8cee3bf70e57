import { and, desc, eq, inArray, lt, or, sql } from "drizzle-orm";

import { normalizeShopifyWebhook } from "#adapters/shopify/normalize";
import { normalizeWooWebhook } from "#adapters/woocommerce/normalize";
import type { Db, Tx } from "#app/db/client.server";
import { type Shop, shops, webhookInbox, wooConnections } from "#app/db/schema";
import type { NormalizeResult, PlatformEvent } from "#app/domain/platform-event";
import { getSettings } from "#app/services/settings/settings.server";
import { LosslessJsonUnsupportedError, parseJsonLossless } from "#app/utils/lossless-json";
import { isUuid } from "#app/utils/uuid";

export type ApplyEvents = (tx: Tx, shop: Shop, events: PlatformEvent[], now: Date) => Promise<void>;

export type ProcessOutcome = "processed" | "ignored" | "rejected" | "skipped";

/**
 * Step two of a webhook, in the worker: parse, normalize, apply — and mark the inbox row — in one
 * transaction, so a crash anywhere leaves the row `received` and the retry starts clean.
 */
export async function processInboxDelivery(
  db: Db,
  inboxId: string,
  deps: { apply: ApplyEvents; now: Date },
): Promise<ProcessOutcome> {
  return db.transaction(async (tx) => {
    const [row] = await tx.select().from(webhookInbox).where(eq(webhookInbox.id, inboxId)).for("update").limit(1);
    if (!row || row.status !== "received") return "skipped";
    const finish = async (status: "processed" | "ignored" | "rejected", reason: string | null, shopId?: string) => {
      await tx
        .update(webhookInbox)
        .set({
          status,
          lastError: reason,
          processedAt: deps.now,
          attempts: row.attempts + 1,
          shopId: shopId ?? row.shopId,
        })
        .where(eq(webhookInbox.id, row.id));
      return status;
    };
    if (row.platform === "woocommerce") {
      // The row's source is the connection id from the delivery URL; the shop hangs on the connection.
      const store = await wooStoreOf(tx, row.source);
      if (!store) return finish("ignored", `no connected WooCommerce store for connection ${row.source}`);
      const wooPayload = parseBody(row.body);
      if (wooPayload === INVALID) return finish("rejected", "body is not valid JSON", store.shop.id);
      const { invoicePaymentMethods, vatIdMetaKeys } = await getSettings(tx, store.shop.id);
      const result = normalizeWooWebhook(row.topic, store.storeUrl, wooPayload, {
        receivedAt: row.receivedAt,
        deliveryKey: row.dedupeKey,
        invoicePaymentMethods,
        vatIdMetaKeys,
      });
      if (result.kind !== "events") return finish(result.kind, result.reason, store.shop.id);
      if (store.shop.status === "uninstalled") return finish("ignored", "shop is uninstalled", store.shop.id);
      await deps.apply(tx, store.shop, result.events, deps.now);
      return finish("processed", null, store.shop.id);
    }
    if (row.platform !== "shopify") return finish("rejected", `no processor for platform ${row.platform}`);
    const [shop] = await tx
      .select()
      .from(shops)
      .where(and(eq(shops.platform, row.platform), eq(shops.domain, row.source)))
      .limit(1);
    if (!shop) return finish("ignored", `unknown shop ${row.source}`);
    const payload = parseBody(row.body);
    if (payload === INVALID) return finish("rejected", "body is not valid JSON", shop.id);
    const result = normalize(row, payload);
    if (result.kind !== "events") return finish(result.kind, result.reason, shop.id);
    if (shop.status === "uninstalled" && !result.events.every((e) => e.type.startsWith("privacy."))) {
      return finish("ignored", "shop is uninstalled", shop.id);
    }
    await deps.apply(tx, shop, result.events, deps.now);
    return finish("processed", null, shop.id);
  });
}

const INVALID = Symbol("invalid JSON");

/** Ids above 2^53 (Shopify transactions, refunds, disputes) arrive as exact digit strings instead of rounded numbers. */
function parseBody(body: string): unknown {
  try {
    return parseJsonLossless(body);
  } catch (error) {
    // A runtime without source text access fails the job (retried, then dead), rather than rejecting good bodies.
    if (error instanceof LosslessJsonUnsupportedError) throw error;
    return INVALID;
  }
}

/** The WooCommerce shop behind a connection id (a pending connection has none yet), with the store URL. */
async function wooStoreOf(tx: Tx, connectionId: string): Promise<{ shop: Shop; storeUrl: string } | null> {
  if (!isUuid(connectionId)) return null;
  const [found] = await tx
    .select({ storeUrl: wooConnections.storeUrl, shop: shops })
    .from(wooConnections)
    .innerJoin(shops, and(eq(shops.id, wooConnections.shopId), eq(shops.platform, "woocommerce")))
    .where(eq(wooConnections.id, connectionId))
    .limit(1);
  return found ?? null;
}

function normalize(row: typeof webhookInbox.$inferSelect, payload: unknown): NormalizeResult {
  return normalizeShopifyWebhook(
    row.topic,
    row.source,
    {
      webhookId: row.dedupeKey,
      eventId: row.headers["x-shopify-event-id"],
      triggeredAt: row.triggeredAt ?? undefined,
      apiVersion: row.headers["x-shopify-api-version"],
      receivedAt: row.receivedAt,
    },
    payload,
  );
}

/** Rows still `received` after a while (their job was lost, or the queue was down at ingest). */
export async function findStrandedDeliveries(db: Db, olderThan: Date, limit = 500): Promise<string[]> {
  const rows = await db
    .select({ id: webhookInbox.id })
    .from(webhookInbox)
    .where(and(eq(webhookInbox.status, "received"), lt(webhookInbox.receivedAt, olderThan)))
    .orderBy(webhookInbox.receivedAt)
    .limit(limit);
  return rows.map((r) => r.id);
}

/** After pg-boss gave up: visible to support as dead, replayable. */
export async function markDeliveryDead(db: Db, inboxId: string, error: string): Promise<void> {
  await db
    .update(webhookInbox)
    .set({ status: "dead", lastError: error, attempts: sql`${webhookInbox.attempts} + 1` })
    .where(and(eq(webhookInbox.id, inboxId), eq(webhookInbox.status, "received")));
}

/** A shop's deliveries for support, newest first: resolved rows by shop, unresolved ones by the domain they named. */
export async function listDeliveries(db: Db, shop: Shop, status?: (typeof webhookInbox.$inferSelect)["status"]) {
  return db
    .select()
    .from(webhookInbox)
    .where(
      and(
        or(eq(webhookInbox.shopId, shop.id), eq(webhookInbox.source, shop.domain)),
        status ? eq(webhookInbox.status, status) : undefined,
      ),
    )
    .orderBy(desc(webhookInbox.receivedAt))
    .limit(250);
}

/** Support: a dead, rejected or ignored delivery goes through processing again (the inbox sweep picks it up). */
export async function replayDelivery(db: Db, shop: Shop, id: string): Promise<boolean> {
  const rows = await db
    .update(webhookInbox)
    .set({ status: "received", attempts: 0, lastError: null, processedAt: null })
    .where(
      and(
        eq(webhookInbox.id, id),
        or(eq(webhookInbox.shopId, shop.id), eq(webhookInbox.source, shop.domain)),
        inArray(webhookInbox.status, ["dead", "rejected", "ignored"]),
      ),
    )
    .returning({ id: webhookInbox.id });
  return rows.length === 1;
}
