import "@shopify/shopify-app-remix/adapters/node";
import { ApiVersion, AppDistribution, shopifyApp } from "@shopify/shopify-app-remix/server";
import { getEnv } from "#app/config/env.server";
import { getDb } from "#app/db/db.server";
import { DrizzleSessionStorage } from "#app/db/session-storage.server";
import { singleton } from "#app/utils/singleton.server";

/** Must equal `[webhooks] api_version` in shopify.app.toml. */
export const SHOPIFY_API_VERSION = ApiVersion.October26;

function createShopify() {
  const env = getEnv();
  if (!env.SHOPIFY_API_KEY || !env.SHOPIFY_API_SECRET || !env.SHOPIFY_APP_URL || !env.SCOPES) return null;
  return shopifyApp({
    apiKey: env.SHOPIFY_API_KEY,
    apiSecretKey: env.SHOPIFY_API_SECRET,
    appUrl: env.SHOPIFY_APP_URL,
    scopes: env.SCOPES.split(",").map((s) => s.trim()),
    apiVersion: SHOPIFY_API_VERSION,
    authPathPrefix: "/auth",
    sessionStorage: new DrizzleSessionStorage(getDb),
    distribution: AppDistribution.AppStore,
    future: {
      unstable_newEmbeddedAuthStrategy: true,
      expiringOfflineAccessTokens: true,
    },
  });
}

export type ShopifyApp = NonNullable<ReturnType<typeof createShopify>>;

/** The configured Shopify app, or null without credentials (demo mode). */
export function getShopify(): ShopifyApp | null {
  return singleton("shopify", createShopify);
}
