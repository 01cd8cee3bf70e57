import { and, eq, lt, sql } from "drizzle-orm";
import { normalizeShopifyWebhook } from "#adapters/shopify/normalize";
import type { NormalizeResult, PlatformEvent } from "#app/domain/platform-event";
import type { Db, Tx } from "#app/db/client.server";
import { shops, webhookInbox, type Shop } from "#app/db/schema";

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
        .set({ status, lastError: reason, processedAt: deps.now, attempts: row.attempts + 1, shopId: shopId ?? row.shopId })
        .where(eq(webhookInbox.id, row.id));
      return status;
    };
    if (row.platform !== "shopify") return finish("rejected", `no processor for platform ${row.platform}`);
    const [shop] = await tx
      .select()
      .from(shops)
      .where(and(eq(shops.platform, row.platform), eq(shops.domain, row.source)))
      .limit(1);
    if (!shop) return finish("ignored", `unknown shop ${row.source}`);
    let payload: unknown;
    try {
      payload = JSON.parse(row.body);
    } catch {
      return finish("rejected", "body is not valid JSON", shop.id);
    }
    const result = normalize(row, payload);
    if (result.kind !== "events") return finish(result.kind, result.reason, shop.id);
    if (shop.status === "uninstalled" && !result.events.every((e) => e.type.startsWith("privacy."))) {
      return finish("ignored", "shop is uninstalled", shop.id);
    }
    await deps.apply(tx, shop, result.events, deps.now);
    return finish("processed", null, shop.id);
  });
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
