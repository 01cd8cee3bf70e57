import { eq } from "drizzle-orm";

import type { DbOrTx } from "#app/db/client.server";
import { type Shop, shops } from "#app/db/schema";

/** Shop by its domain (myshopify domain, WooCommerce store URL host, or the demo domain). */
export async function findShopByDomain(db: DbOrTx, domain: string): Promise<Shop | undefined> {
  const [shop] = await db.select().from(shops).where(eq(shops.domain, domain.trim().toLowerCase())).limit(1);
  return shop;
}
