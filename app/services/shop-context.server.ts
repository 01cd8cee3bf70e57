import { and, eq } from "drizzle-orm";
import { getEnv } from "#app/config/env.server";
import type { DbOrTx } from "#app/db/client.server";
import { getDb } from "#app/db/db.server";
import { shops, type Shop } from "#app/db/schema";
import { pickLocale, type Locale } from "#app/i18n/i18n";
import { getShopify } from "#app/shopify.server";

export const DEMO_SHOP_DOMAIN = "demo.mahnwerk.local";

export type ShopContext = {
  shop: Shop;
  locale: Locale;
  /** Inside the Shopify admin (App Bridge, session tokens) or standalone (demo). */
  embedded: boolean;
  apiKey: string;
};

/**
 * Every admin page starts here: in Shopify mode the request must carry a valid session token and
 * only that shop's row is returned; in demo mode it is the seeded demo shop. No other way in.
 */
export async function requireShopContext(request: Request): Promise<ShopContext> {
  const env = getEnv();
  const url = new URL(request.url);
  const db = await getDb();
  const shopify = getShopify();
  if (shopify && !env.DEMO) {
    const { session } = await shopify.authenticate.admin(request);
    const shop = await findShop(db, "shopify", session.shop);
    if (!shop) throw new Response("This shop is still being set up. Please reload in a moment.", { status: 503 });
    return {
      shop,
      locale: pickLocale(url.searchParams.get("locale"), request.headers.get("accept-language"), shop.locale),
      embedded: true,
      apiKey: env.SHOPIFY_API_KEY ?? "",
    };
  }
  const shop = await findShop(db, "demo", DEMO_SHOP_DOMAIN);
  if (!shop) throw new Response("The demo shop has not been seeded.", { status: 503 });
  return {
    shop,
    locale: pickLocale(url.searchParams.get("locale"), request.headers.get("accept-language"), shop.locale),
    embedded: false,
    apiKey: "",
  };
}

export async function findShop(db: DbOrTx, platform: Shop["platform"], domain: string): Promise<Shop | undefined> {
  const [shop] = await db
    .select()
    .from(shops)
    .where(and(eq(shops.platform, platform), eq(shops.domain, domain)))
    .limit(1);
  return shop;
}
