import { and, eq } from "drizzle-orm";

import { WooApiError, type WooClient, type WooClientFactory, type WooOrderJson } from "#adapters/woocommerce/client";
import { normalizeWooOrder, WOO_HANDLED_TOPICS } from "#adapters/woocommerce/normalize";
import type { Db } from "#app/db/client.server";
import { orderImports, type Shop, shops, wooConnections } from "#app/db/schema";
import type { PlatformEvent } from "#app/domain/platform-event";
import { applyPlatformEvents } from "#app/services/intake/platform-events.server";
import type { ApplyEvents } from "#app/services/intake/processor.server";
import { getSettings } from "#app/services/settings/settings.server";
import { logger } from "#app/utils/logger.server";

import {
  clientFor,
  connectionOfShop,
  findConnection,
  webhookDeliveryUrl,
  webhookSecretOf,
  type WooConnection,
} from "./connections.server";

/*
 * Reading orders through the REST API: the import of open orders on connect, and the reconciliation poll that
 * backs the webhooks up (WooCommerce builds a payload at send time and never retries, docs/platforms/woocommerce.md §3). Both
 * feed normalizeWooOrder → order.upserted → applyPlatformEvents; storeOrderSnapshots drops stale snapshots, so
 * reading an order twice, or after a newer webhook, changes nothing.
 */

export type WooSyncDeps = { key: Buffer; now: Date; client?: WooClientFactory; apply?: ApplyEvents };

const PER_PAGE = 100;
/** The import reads orders that may still be unpaid (docs/platforms/woocommerce.md §4: select by payment method, client-side). */
const OPEN_STATUSES = "pending,on-hold,processing";
/** Re-read a margin before the last poll: clock skew, and orders saved while the last poll ran. */
const POLL_OVERLAP_MS = 15 * 60_000;

async function connectedStore(
  db: Db,
  connection: WooConnection | null,
  deps: WooSyncDeps,
): Promise<{ connection: WooConnection; shop: Shop; client: WooClient } | null> {
  if (!connection || connection.status !== "connected" || !connection.shopId) return null;
  const [shop] = await db
    .select()
    .from(shops)
    .where(and(eq(shops.id, connection.shopId), eq(shops.platform, "woocommerce")))
    .limit(1);
  const client = clientFor(connection, deps.key, deps.client);
  return shop && client ? { connection, shop, client } : null;
}

/** Applies one page of REST orders in the caller's transaction; returns how many were readable orders. */
async function applyOrders(
  tx: Parameters<ApplyEvents>[0],
  shop: Shop,
  items: WooOrderJson[],
  via: "import" | "poll",
  deps: WooSyncDeps,
) {
  const { invoicePaymentMethods, vatIdMetaKeys } = await getSettings(tx, shop.id);
  const events: PlatformEvent[] = [];
  for (const item of items) {
    const result = normalizeWooOrder(item, { invoicePaymentMethods, vatIdMetaKeys });
    if (!result.ok) {
      logger.info({ shopId: shop.id, order: item.id, reason: result.reason }, `woocommerce ${via}: order skipped`);
      continue;
    }
    const order = result.order;
    events.push({
      type: "order.upserted",
      platform: "woocommerce",
      shopDomain: shop.domain,
      sourceId: `woocommerce:${shop.domain}:${via}:${order.platformOrderId}:${order.updatedAt.toISOString()}`,
      occurredAt: order.updatedAt,
      order,
    });
  }
  await (deps.apply ?? applyPlatformEvents)(tx, shop, events, deps.now);
  return events.length;
}

// ---------------------------------------------------------------------------------------------------------
// Import

export type ImportOutcome = "done" | "failed" | "skipped";

/**
 * Pages through the store's open orders from the stored cursor (a page number). Each page is applied and the
 * cursor moved in one transaction, so a crash re-reads at most the page it was on, and a re-run continues where
 * the last one stopped. A store error that may pass throws (the job retries); refused keys end the import as failed.
 */
export async function runWooImport(db: Db, importId: string, deps: WooSyncDeps): Promise<ImportOutcome> {
  const [run] = await db.select().from(orderImports).where(eq(orderImports.id, importId)).limit(1);
  if (!run || run.status !== "running") return "skipped";
  const store = await connectedStore(db, await connectionOfShop(db, run.shopId), deps);
  const fail = async (error: string) => {
    await db
      .update(orderImports)
      .set({ status: "failed", error, finishedAt: deps.now })
      .where(eq(orderImports.id, importId));
    return "failed" as const;
  };
  if (!store) return fail("the store is not connected");

  let page = Number(run.cursor ?? "1");
  if (!Number.isInteger(page) || page < 1) return fail(`invalid cursor ${JSON.stringify(run.cursor)}`);
  for (;;) {
    let list;
    try {
      list = await store.client.listOrders({
        status: OPEN_STATUSES,
        per_page: PER_PAGE,
        page,
        orderby: "id",
        order: "asc",
      });
    } catch (error) {
      if (error instanceof WooApiError && !error.retryable) return fail(error.message);
      throw error;
    }
    const last = list.items.length === 0 || page >= (list.totalPages ?? page);
    const moved = await db.transaction(async (tx) => {
      const [current] = await tx
        .select()
        .from(orderImports)
        .where(eq(orderImports.id, importId))
        .for("update")
        .limit(1);
      // Another run got here first: leave the page to it.
      if (!current || current.status !== "running" || current.cursor !== String(page)) return false;
      const applied = await applyOrders(tx, store.shop, list.items, "import", deps);
      await tx
        .update(orderImports)
        .set({
          cursor: String(page + 1),
          processed: current.processed + applied,
          total: list.total ?? current.total,
          ...(last ? { status: "done" as const, finishedAt: deps.now } : {}),
        })
        .where(eq(orderImports.id, importId));
      return true;
    });
    if (!moved) return "skipped";
    if (last) return "done";
    page += 1;
  }
}

// ---------------------------------------------------------------------------------------------------------
// Reconciliation poll

export type PollOutcome =
  { kind: "polled"; orders: number } | { kind: "skipped" } | { kind: "unauthorized"; message: string };

/** Reads every order modified since the last poll (minus an overlap), oldest first, page by page. */
export async function pollConnection(db: Db, connectionId: string, deps: WooSyncDeps): Promise<PollOutcome> {
  const store = await connectedStore(db, await findConnection(db, connectionId), deps);
  if (!store) return { kind: "skipped" };
  const since = store.connection.lastPolledAt ?? store.connection.connectedAt ?? deps.now;
  const after = new Date(since.getTime() - POLL_OVERLAP_MS).toISOString().slice(0, 19);
  let orders = 0;
  for (let page = 1; ; page += 1) {
    let list;
    try {
      list = await store.client.listOrders({
        modified_after: after,
        dates_are_gmt: "true",
        orderby: "modified",
        order: "asc",
        per_page: PER_PAGE,
        page,
      });
    } catch (error) {
      if (error instanceof WooApiError && error.kind === "unauthorized") {
        logger.warn({ connectionId, shopId: store.shop.id }, "woocommerce poll: the store refuses our keys");
        return { kind: "unauthorized", message: error.message };
      }
      throw error;
    }
    orders += await db.transaction((tx) => applyOrders(tx, store.shop, list.items, "poll", deps));
    if (list.items.length === 0 || page >= (list.totalPages ?? page)) break;
  }
  // The poll's start time, so changes made while it ran are read again next time.
  await db
    .update(wooConnections)
    .set({ lastPolledAt: deps.now })
    .where(and(eq(wooConnections.id, connectionId), eq(wooConnections.status, "connected")));
  return { kind: "polled", orders };
}

// ---------------------------------------------------------------------------------------------------------
// Webhook health

export type WebhookHealth = { reenabled: number; recreated: number; missing: string[] };

/**
 * WooCommerce disables a webhook after repeated failed deliveries and never turns it back on (docs/platforms/woocommerce.md §3);
 * a merchant may also delete one. Ours are recognised by their delivery URL: paused or disabled ones are set
 * active again, missing topics are created anew with the connection's secret.
 */
export async function ensureWebhooks(
  db: Db,
  connectionId: string,
  deps: WooSyncDeps & { appUrl?: string },
): Promise<WebhookHealth | null> {
  const store = await connectedStore(db, await findConnection(db, connectionId), deps);
  if (!store) return null;
  const suffix = `/webhooks/woocommerce/${connectionId}`;
  const ours = (await store.client.listWebhooks()).filter((h) => h.delivery_url.endsWith(suffix));
  const appUrl = ours[0]?.delivery_url.slice(0, -suffix.length) ?? deps.appUrl ?? null;
  const ids: Record<string, number> = {};
  const health: WebhookHealth = { reenabled: 0, recreated: 0, missing: [] };
  for (const topic of WOO_HANDLED_TOPICS) {
    const stored = store.connection.webhookIds[topic];
    const hook = ours.find((h) => h.topic === topic && h.id === stored) ?? ours.find((h) => h.topic === topic);
    if (hook) {
      if (hook.status !== "active") {
        await store.client.updateWebhook(hook.id, { status: "active" });
        health.reenabled += 1;
      }
      ids[topic] = hook.id;
    } else if (appUrl) {
      const created = await store.client.createWebhook({
        name: `Mahnwerk ${topic}`,
        topic,
        delivery_url: webhookDeliveryUrl(appUrl, connectionId),
        secret: webhookSecretOf(store.connection, deps.key),
      });
      ids[topic] = created.id;
      health.recreated += 1;
    } else {
      health.missing.push(topic);
    }
  }
  await db
    .update(wooConnections)
    .set({ webhookIds: ids, updatedAt: deps.now })
    .where(eq(wooConnections.id, connectionId));
  if (health.reenabled || health.recreated || health.missing.length)
    logger.info({ connectionId, ...health }, "woocommerce webhooks repaired");
  return health;
}

/** Connected stores, for the schedules. */
export async function connectedConnectionIds(db: Db): Promise<string[]> {
  const rows = await db
    .select({ id: wooConnections.id })
    .from(wooConnections)
    .where(eq(wooConnections.status, "connected"));
  return rows.map((r) => r.id);
}

/** Imports still running (their job was lost or is retrying), for the reconcile schedule to queue again. */
export async function runningImportIds(db: Db): Promise<string[]> {
  const rows = await db
    .select({ id: orderImports.id })
    .from(orderImports)
    .innerJoin(
      wooConnections,
      and(eq(wooConnections.shopId, orderImports.shopId), eq(wooConnections.status, "connected")),
    )
    .where(eq(orderImports.status, "running"));
  return rows.map((r) => r.id);
}
