import { redirect } from "@remix-run/node";
import type { Session } from "@shopify/shopify-api";
import { and, eq } from "drizzle-orm";

import { getEnv } from "#app/config/env.server";
import type { DbOrTx } from "#app/db/client.server";
import { getDb } from "#app/db/db.server";
import { type Shop, shops } from "#app/db/schema";
import { type TenantScope, tenantScope } from "#app/db/tenant.server";
import type { Staff } from "#app/domain/staff";
import { type Locale, pickLocale } from "#app/i18n/i18n";
import type { GuardScopes } from "#app/services/shopify/invoice-guard.server";
import { hasStaffCookie, staffSessionOf } from "#app/services/woocommerce/staff.server";
import { getShopify } from "#app/shopify.server";

export const DEMO_SHOP_DOMAIN = "demo.mahnwerk.local";

export type ShopContext = {
  shop: Shop;
  locale: Locale;
  /** Inside the Shopify admin (App Bridge, session tokens) or standalone (demo). */
  embedded: boolean;
  apiKey: string;
  /** Who is acting: recorded as the actor of case actions, bulk runs and settings changes. */
  staff: Staff;
  /** Runs queries on a handle that sees only this shop's rows (app/db/tenant.server.ts). */
  tenant: TenantScope;
  /** Inside the Shopify admin: the app's granted scopes, and the request for optional ones (a redirect). */
  shopifyScopes: GuardScopes | null;
};

/**
 * A person in the tab. id is stable per platform user: "shopify:<user id>" (the session token's sub), "wp:<user id>"
 * (WordPress), "demo". name is for display only and may be unknown (Shopify offline sessions carry no user).
 */

/**
 * Every admin page starts here: in Shopify mode the request must carry a valid session token and
 * only that shop's row is returned; in demo mode it is the seeded demo shop. No other way in.
 * Loaders and actions run their queries through `tenant`, fenced to the shop by row-level security (ADR 006).
 */
export async function requireShopContext(request: Request): Promise<ShopContext> {
  const context = await resolveShopContext(request);
  return { ...context, tenant: tenantScope(await getDb(), context.shop.id) };
}

async function resolveShopContext(request: Request): Promise<Omit<ShopContext, "tenant">> {
  const env = getEnv();
  const url = new URL(request.url);
  const db = await getDb();
  const shopify = getShopify();
  // WooCommerce staff signed in from wp-admin (woocommerce.signin): their store's shop. Only a request that carries
  // the cookie is looked up, so Shopify and demo requests take their paths below unchanged.
  if (hasStaffCookie(request)) {
    const signedIn = await staffSessionOf(db, request, new Date());
    if (signedIn) {
      const wooShop = signedIn.shop;
      return {
        shop: wooShop,
        locale: pickLocale(url.searchParams.get("locale"), request.headers.get("accept-language"), wooShop.locale),
        embedded: false,
        apiKey: "",
        staff: signedIn.staff,
        shopifyScopes: null,
      };
    }
  }
  if (shopify && !env.DEMO) {
    const admin = await shopify.authenticate.admin(request);
    const { session } = admin;
    const shop = await findShop(db, "shopify", session.shop);
    if (!shop) throw new Response("This shop is still being set up. Please reload in a moment.", { status: 503 });
    return {
      shop,
      locale: pickLocale(url.searchParams.get("locale"), request.headers.get("accept-language"), shop.locale),
      embedded: true,
      apiKey: env.SHOPIFY_API_KEY ?? "",
      staff: shopifyStaff("sessionToken" in admin ? admin.sessionToken : undefined, session),
      shopifyScopes: {
        granted: async () => (await admin.scopes.query()).granted,
        request: (scopes) => admin.scopes.request(scopes),
      },
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
    staff: { id: "demo", name: null },
    shopifyScopes: null,
  };
}

/**
 * The Shopify user behind an admin request: the session token's `sub` is the staff member's user id (the token is
 * signed by Shopify and already verified by authenticate.admin). A name exists only on online sessions
 * (onlineAccessInfo.associated_user); this app uses offline tokens, so it is usually null.
 */
export function shopifyStaff(
  sessionToken: { sub?: string } | undefined,
  session: Pick<Session, "onlineAccessInfo">,
): Staff {
  const user = session.onlineAccessInfo?.associated_user;
  const id = sessionToken?.sub || (user ? String(user.id) : "");
  const name = user ? [user.first_name, user.last_name].filter(Boolean).join(" ").trim() || user.email || null : null;
  return { id: id ? `shopify:${id}` : "shopify:unknown", name };
}

export async function findShop(db: DbOrTx, platform: Shop["platform"], domain: string): Promise<Shop | undefined> {
  const [shop] = await db
    .select()
    .from(shops)
    .where(and(eq(shops.platform, platform), eq(shops.domain, domain)))
    .limit(1);
  return shop;
}
