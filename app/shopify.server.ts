import "@shopify/shopify-app-remix/adapters/node";

import { GraphqlQueryError } from "@shopify/shopify-api";
import { ApiVersion, AppDistribution, shopifyApp } from "@shopify/shopify-app-remix/server";

import type { AdminGraphql, GraphqlBody } from "#adapters/shopify/admin-api";
import { getEnv } from "#app/config/env.server";
import { getDb } from "#app/db/db.server";
import { DrizzleSessionStorage } from "#app/db/session-storage.server";
import type { JobQueue } from "#app/jobs/jobs.server";
import { shopifyImportJob } from "#app/jobs/shopify.server";
import { installShopifyShop } from "#app/services/shopify/sync.server";
import { parseKey } from "#app/utils/crypto.server";
import { setSingleton, singleton } from "#app/utils/singleton.server";

/** Must equal `[webhooks] api_version` in shopify.app.toml. */
export const SHOPIFY_API_VERSION = ApiVersion.October26;

function createShopify(jobs: JobQueue | null) {
  const env = getEnv();
  if (!env.SHOPIFY_API_KEY || !env.SHOPIFY_API_SECRET || !env.SHOPIFY_APP_URL || !env.SCOPES) return null;
  return shopifyApp({
    apiKey: env.SHOPIFY_API_KEY,
    apiSecretKey: env.SHOPIFY_API_SECRET,
    appUrl: env.SHOPIFY_APP_URL,
    scopes: env.SCOPES.split(",").map((s) => s.trim()),
    apiVersion: SHOPIFY_API_VERSION,
    authPathPrefix: "/auth",
    sessionStorage: new DrizzleSessionStorage(getDb, () => (env.ENCRYPTION_KEY ? parseKey(env.ENCRYPTION_KEY) : null)),
    distribution: AppDistribution.AppStore,
    hooks: {
      // Install and every re-authentication: keep the shop row current, then import its open invoice orders.
      afterAuth: async ({ session }) => {
        const shop = await installShopifyShop(
          await getDb(),
          session.shop,
          await shopifyAdminFor(session.shop),
          new Date(),
        );
        if (!jobs) throw new Error("background jobs are not started in this process");
        await jobs.send(shopifyImportJob, { shopId: shop.id }, { singletonKey: shop.id });
      },
    },
    future: {
      unstable_newEmbeddedAuthStrategy: true,
      expiringOfflineAccessTokens: true,
    },
  });
}

export type ShopifyApp = NonNullable<ReturnType<typeof createShopify>>;

/**
 * Built by startProcess with the process's job queue, which the install hook (a callback of the library, outside
 * any loader) hands the shop's import to.
 */
export function startShopify(jobs: JobQueue): void {
  setSingleton("shopify", createShopify(jobs));
}

/** The configured Shopify app, or null without credentials (demo mode). */
export function getShopify(): ShopifyApp | null {
  return singleton("shopify", () => createShopify(null));
}

/**
 * An Admin GraphQL client for background work, through the shop's offline session (refreshed before it expires,
 * by the library). GraphQL errors come back as the body, so callAdmin can tell throttling from refusals.
 */
export async function shopifyAdminFor(shopDomain: string): Promise<AdminGraphql> {
  const shopify = getShopify();
  if (!shopify) throw new Error("Shopify is not configured");
  const { admin } = await shopify.unauthenticated.admin(shopDomain);
  return async (query, variables) => {
    try {
      const response = await admin.graphql(query, { variables });
      return (await response.json()) as GraphqlBody;
    } catch (error) {
      if (error instanceof GraphqlQueryError && error.body) return error.body as GraphqlBody;
      throw error;
    }
  };
}
