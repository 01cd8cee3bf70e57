import { and, eq } from "drizzle-orm";
import { z } from "zod";

import { getDb } from "#app/db/db.server";
import { shops } from "#app/db/schema";
import { shopsWithRunningBulkImports } from "#app/services/shopify/bulk-import.server";
import { importShopifyOrders, reconcileShopifyOrders } from "#app/services/shopify/sync.server";
import { getShopify, shopifyAdminFor } from "#app/shopify.server";
import { logger } from "#app/utils/logger.server";

import { defineJob } from "./jobs.server";

/**
 * The open invoice orders of a newly installed shop; resumes where a crashed run stopped. A bulk import returns while
 * Shopify's operation runs; shopify.import.sweep (or the bulk_operations/finish webhook) brings it back.
 */
export const shopifyImportJob = defineJob({
  name: "shopify.import",
  schema: z.object({ shopId: z.uuid() }),
  handle: async ({ shopId }) => {
    const db = await getDb();
    const [shop] = await db
      .select()
      .from(shops)
      .where(and(eq(shops.id, shopId), eq(shops.platform, "shopify"), eq(shops.status, "active")))
      .limit(1);
    if (!shop) return;
    await importShopifyOrders(db, shop, await shopifyAdminFor(shop.domain), new Date());
  },
  queue: { retryLimit: 10, expireInSeconds: 2 * 3600 },
});

export const shopifyJobs = [
  shopifyImportJob,
  defineJob({
    // A bulk import waits for Shopify's operation: poll each running one every minute (also after any restart).
    name: "shopify.import.sweep",
    schedule: "* * * * *",
    schema: z.object({}),
    handle: async (_data, { jobs }) => {
      if (!getShopify()) return;
      for (const shopId of await shopsWithRunningBulkImports(await getDb()))
        await jobs.send(shopifyImportJob, { shopId }, { singletonKey: shopId });
    },
    queue: { retryLimit: 0, expireInSeconds: 5 * 60 },
  }),
  defineJob({
    // Shopify does not guarantee webhook delivery: every half hour, re-read what changed.
    name: "shopify.reconcile",
    schedule: "*/30 * * * *",
    schema: z.object({}),
    handle: async () => {
      if (!getShopify()) return;
      const db = await getDb();
      for (const shop of await db
        .select()
        .from(shops)
        .where(and(eq(shops.platform, "shopify"), eq(shops.status, "active")))) {
        try {
          await reconcileShopifyOrders(db, shop, await shopifyAdminFor(shop.domain), new Date());
        } catch (error) {
          logger.warn({ err: error, shopId: shop.id }, "shopify reconciliation failed");
        }
      }
    },
    queue: { retryLimit: 0, expireInSeconds: 30 * 60 },
  }),
];
