import { and, eq, max } from "drizzle-orm";
import { z } from "zod";

import {
  AdminApiError,
  type AdminGraphql,
  callAdmin,
  METAFIELDS_SET,
  openOrdersQuery,
  ORDER_MARK_AS_PAID,
  orderGid,
  ORDERS_QUERY,
  ordersPageSchema,
  SHOP_QUERY,
  shopInfoSchema,
  TAGS_ADD,
  TAGS_REMOVE,
} from "#adapters/shopify/admin-api";
import type { Db } from "#app/db/client.server";
import { cases, orderImports, orders, type Shop, shops } from "#app/db/schema";
import { CASE_STATUSES } from "#app/domain/case/status";
import { applyOrderSnapshots } from "#app/services/intake/platform-events.server";
import type { OutboxHandler, OutboxOutcome, OutboxRow } from "#app/services/outbox/types";
import { isOrderWriteBack, orderWriteBackSchema } from "#app/services/payments/order-write-back";
import { getSettings } from "#app/services/settings/settings.server";

import { advanceBulkImport, type BulkImportOptions, openShopifyImport, snapshotsOf } from "./bulk-import.server";

/*
 * Everything Mahnwerk reads from and writes to a Shopify shop outside of webhooks: the shop's own data at install,
 * the import of open invoice orders, the reconciliation that catches deliveries Shopify never made, and the
 * write-back of each case's status. Reads feed the same path as webhooks (applyPlatformEvents), so an order
 * arriving twice — by webhook and by import — is one order.
 */

export type AdminFor = (shopDomain: string) => Promise<AdminGraphql>;

/** After install (or reinstall): the shop row with time zone, currency and language from the Admin API. */
export async function installShopifyShop(db: Db, domain: string, admin: AdminGraphql, now: Date): Promise<Shop> {
  const info = shopInfoSchema.parse(await callAdmin(admin, SHOP_QUERY, {}));
  const primary = info.shopLocales.find((l) => l.primary)?.locale ?? "en";
  const values = {
    name: info.shop.name,
    timezone: info.shop.ianaTimezone,
    currency: info.shop.currencyCode.toUpperCase(),
    locale: primary.slice(0, 2).toLowerCase(),
    status: "active" as const,
    uninstalledAt: null,
    updatedAt: now,
  };
  const [shop] = await db
    .insert(shops)
    .values({ platform: "shopify", domain, installedAt: now, ...values })
    .onConflictDoUpdate({ target: [shops.platform, shops.domain], set: values })
    .returning();
  return shop!;
}

const PAGE_SIZE = 100;

export type ImportOutcome = { mode: "pages" | "bulk"; finished: boolean; processed: number; pages: number };

/**
 * Imports every open order. A large shop (ordersCount at or above the threshold) is read through one bulk operation
 * (app/services/shopify/bulk-import.server.ts): each call polls it by id, and when it is complete streams its file; until then the
 * result is `finished: false` and the import sweep calls again. Smaller shops, and a bulk import that gave up, are
 * read page by page. Each page or batch is applied together with the progress row in one transaction, so after a
 * crash the import resumes where it stopped and nothing is counted twice.
 */
export async function importShopifyOrders(
  db: Db,
  shop: Shop,
  admin: AdminGraphql,
  now: Date,
  options: BulkImportOptions = {},
): Promise<ImportOutcome> {
  let run = await openShopifyImport(db, shop, admin, now, options);
  if (run.mode === "bulk") {
    const step = await advanceBulkImport(db, shop, admin, run, now, options);
    if (step.kind === "waiting") return { mode: "bulk", finished: false, processed: run.processed, pages: 0 };
    if (step.kind === "done") return { mode: "bulk", finished: true, processed: step.processed, pages: 0 };
    run = step.run;
  }
  let cursor = run.cursor;
  let processed = run.processed;
  let pages = 0;
  for (;;) {
    const page = ordersPageSchema.parse(
      await callAdmin(admin, ORDERS_QUERY, { first: PAGE_SIZE, after: cursor, query: openOrdersQuery(null) }),
    );
    const snapshots = snapshotsOf(shop, page.orders.nodes, "import");
    const next = page.orders.pageInfo;
    await db.transaction(async (tx) => {
      await applyOrderSnapshots(tx, shop, snapshots);
      await tx
        .update(orderImports)
        .set({
          cursor: next.endCursor ?? cursor,
          processed: processed + page.orders.nodes.length,
          ...(next.hasNextPage ? {} : { status: "done" as const, finishedAt: new Date() }),
        })
        .where(eq(orderImports.id, run.id));
    });
    processed += page.orders.nodes.length;
    pages += 1;
    cursor = next.endCursor ?? cursor;
    if (!next.hasNextPage) return { mode: "pages", finished: true, processed, pages };
  }
}

/**
 * Shopify does not guarantee delivery (and deletes subscriptions that keep failing): re-read every order updated
 * since the newest change we know of, with an hour of overlap. Stale snapshots are ignored on the way in.
 */
export async function reconcileShopifyOrders(db: Db, shop: Shop, admin: AdminGraphql, now: Date): Promise<number> {
  const [{ newest } = { newest: null }] = await db
    .select({ newest: max(orders.platformUpdatedAt) })
    .from(orders)
    .where(eq(orders.shopId, shop.id));
  const since = new Date((newest ? new Date(newest).getTime() : now.getTime() - 60 * 86_400_000) - 3_600_000);
  let cursor: string | null = null;
  let seen = 0;
  for (;;) {
    const page = ordersPageSchema.parse(
      await callAdmin(admin, ORDERS_QUERY, { first: PAGE_SIZE, after: cursor, query: openOrdersQuery(since) }),
    );
    const snapshots = snapshotsOf(shop, page.orders.nodes, "reconcile");
    await db.transaction((tx) => applyOrderSnapshots(tx, shop, snapshots));
    seen += page.orders.nodes.length;
    if (!page.orders.pageInfo.hasNextPage) return seen;
    cursor = page.orders.pageInfo.endCursor;
  }
}

const writeBackPayload = z.object({
  caseId: z.uuid(),
  status: z.enum(CASE_STATUSES),
  markPaid: z.boolean(),
  /** Who was paid where the platform cannot see it; absent on rows written before bank matching (the partner). */
  paidBy: z.enum(["partner", "bank"]).optional(),
});

export const STATUS_TAG_PREFIX = "mahnwerk:";

/**
 * Outbox handler of "shopify.write_back": the order's tag `mahnwerk:<status>` (other tags untouched, our older
 * status tags removed), a metafield with the status, and — when the partner collected in full and the shop wants
 * it — the order marked as paid.
 */
export function shopifyWriteBackHandler(adminFor: AdminFor): OutboxHandler {
  return async (row, { db }) => {
    if (isOrderWriteBack(row.payload)) return orderPaidByBank(adminFor, row, db);
    const { caseId, status, markPaid, paidBy } = writeBackPayload.parse(row.payload);
    const [target] = await db
      .select({ platformOrderId: cases.platformOrderId, domain: shops.domain, shopStatus: shops.status })
      .from(cases)
      .innerJoin(shops, eq(shops.id, cases.shopId))
      .where(and(eq(cases.shopId, row.shopId), eq(cases.id, caseId)))
      .limit(1);
    if (!target) return { kind: "done", result: { skipped: "case no longer exists" } };
    if (target.shopStatus !== "active") return { kind: "done", result: { skipped: "shop uninstalled" } };
    const settings = await getSettings(db, row.shopId);
    const id = orderGid(target.platformOrderId);
    try {
      const admin = await adminFor(target.domain);
      const done: string[] = [];
      if (settings.writeBack.tags) {
        const stale = CASE_STATUSES.filter((s) => s !== status).map((s) => `${STATUS_TAG_PREFIX}${s}`);
        await checked(callAdmin(admin, TAGS_REMOVE, { id, tags: stale }), "tagsRemove");
        await checked(callAdmin(admin, TAGS_ADD, { id, tags: [`${STATUS_TAG_PREFIX}${status}`] }), "tagsAdd");
        done.push("tags");
      }
      if (settings.writeBack.metafield) {
        await checked(
          callAdmin(admin, METAFIELDS_SET, {
            metafields: [
              { ownerId: id, namespace: "mahnwerk", key: "status", type: "single_line_text_field", value: status },
            ],
          }),
          "metafieldsSet",
        );
        done.push("metafield");
      }
      if (markPaid && (paidBy === "bank" ? settings.bankMatch.markOrderPaid : settings.writeBack.markAsPaid)) {
        await checked(callAdmin(admin, ORDER_MARK_AS_PAID, { input: { id } }), "orderMarkAsPaid");
        done.push("markedPaid");
      }
      return { kind: "done", result: { done } };
    } catch (error) {
      if (error instanceof AdminApiError)
        return error.retryable ? { kind: "retry", reason: error.message } : { kind: "failed", reason: error.message };
      throw error;
    }
  };
}

/**
 * The order-level variant: an order without a case paid in full by a bank credit is marked paid (orderMarkAsPaid),
 * while the shop wants bank payments written back. No status tag or metafield: there is no case whose status to tell.
 */
async function orderPaidByBank(adminFor: AdminFor, row: OutboxRow, db: Db): Promise<OutboxOutcome> {
  const { orderId } = orderWriteBackSchema.parse(row.payload);
  const [target] = await db
    .select({ platformOrderId: orders.platformOrderId, domain: shops.domain, shopStatus: shops.status })
    .from(orders)
    .innerJoin(shops, eq(shops.id, orders.shopId))
    .where(and(eq(orders.shopId, row.shopId), eq(orders.id, orderId)))
    .limit(1);
  if (!target) return { kind: "done", result: { skipped: "order no longer exists" } };
  if (target.shopStatus !== "active") return { kind: "done", result: { skipped: "shop uninstalled" } };
  if (!(await getSettings(db, row.shopId)).bankMatch.markOrderPaid)
    return { kind: "done", result: { skipped: "bankMatch.markOrderPaid is off" } };
  try {
    const admin = await adminFor(target.domain);
    await checked(
      callAdmin(admin, ORDER_MARK_AS_PAID, { input: { id: orderGid(target.platformOrderId) } }),
      "orderMarkAsPaid",
    );
    return { kind: "done", result: { done: ["markedPaid"] } };
  } catch (error) {
    if (error instanceof AdminApiError)
      return error.retryable ? { kind: "retry", reason: error.message } : { kind: "failed", reason: error.message };
    throw error;
  }
}

async function checked(call: Promise<unknown>, field: string): Promise<void> {
  const data = (await call) as Record<string, { userErrors?: { message: string }[] } | undefined>;
  const errors = data?.[field]?.userErrors ?? [];
  if (errors.length > 0) throw new AdminApiError(`${field}: ${errors.map((e) => e.message).join("; ")}`, false);
}
