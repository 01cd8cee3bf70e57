import { desc, eq } from "drizzle-orm";

import type { DbOrTx } from "#app/db/client.server";
import { orderImports } from "#app/db/schema";

/** The newest import of a shop's open orders (Shopify or WooCommerce), for the progress shown in the tab. */
export async function latestImport(db: DbOrTx, shopId: string) {
  const [run] = await db
    .select()
    .from(orderImports)
    .where(eq(orderImports.shopId, shopId))
    .orderBy(desc(orderImports.startedAt))
    .limit(1);
  return run ?? null;
}
