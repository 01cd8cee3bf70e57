import { redirect } from "@remix-run/node";
import { and, eq } from "drizzle-orm";
import { getEnv } from "#app/config/env.server";
import type { DbOrTx } from "#app/db/client.server";
import { getDb } from "#app/db/db.server";
import { shops, type Shop } from "#app/db/schema";
import { pickLocale, type Locale } from "#app/i18n/i18n";
import { getShopify } from "#app/shopify.server";
import { hasStaffCookie, shopOfStaffSession } from "./woo-staff.server";

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
  // WooCommerce staff signed in from wp-admin (woocommerce.signin): their store's shop. Only a request that carries
  // the cookie is looked up, so Shopify and demo requests take their paths below unchanged.
  if (hasStaffCookie(request)) {
    const wooShop = await shopOfStaffSession(db, request, new Date());
    if (wooShop) {
      return {
        shop: wooShop,
        locale: pickLocale(url.searchParams.get("locale"), request.headers.get("accept-language"), wooShop.locale),
        embedded: false,
        apiKey: "",
      };
    }
  }
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
  // Neither Shopify nor demo: only WooCommerce staff get in, through wp-admin (or by connecting a store).
  if (!env.demoMode) throw redirect("/woocommerce/connect");
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
