import { randomBytes, randomUUID } from "node:crypto";

import { and, eq, isNull, lt, ne } from "drizzle-orm";
import { z } from "zod";

import {
  createWooClient,
  WooApiError,
  type WooClient,
  type WooClientFactory,
  type WpIndex,
} from "#adapters/woocommerce/client";
import {
  DEFAULT_WOO_INVOICE_PAYMENT_METHODS,
  WOO_HANDLED_TOPICS,
  wooShopDomain,
} from "#adapters/woocommerce/normalize";
import { type Env, getEnv } from "#app/config/env.server";
import type { Db, DbOrTx } from "#app/db/client.server";
import {
  loginTokens,
  orderImports,
  type Shop,
  shops,
  staffMembers,
  staffSessions,
  wooConnections,
} from "#app/db/schema";
import { isValidTimeZone } from "#app/domain/dates";
import { err, ok, type Result } from "#app/domain/result";
import { getSettings, updateSettings } from "#app/services/settings/settings.server";
import { decryptSecret, encryptSecret, parseKey, secretPlace } from "#app/utils/crypto.server";
import { logger } from "#app/utils/logger.server";

/*
 * Connecting a WooCommerce store (docs/platforms/woocommerce.md §1): a pending row with its own webhook secret,
 * the store's authorize page, the key callback (or keys typed in by hand), then the store's currency and time
 * zone, the shop row, the four webhooks and the import. Keys and secret are AES-256-GCM encrypted at rest.
 */

export type WooConnection = typeof wooConnections.$inferSelect;

/** A pending connection whose callback never came is not accepted after this long. */
const PENDING_TTL_MS = 60 * 60_000;
const WEBHOOK_NAME_PREFIX = "Mahnwerk";
const GERMAN_SPEAKING = ["DE", "AT", "CH", "LI"];

export type WooDeps = {
  /** ENCRYPTION_KEY as bytes (wooSecretsKey). */
  key: Buffer;
  now: Date;
  client?: WooClientFactory;
  /** Queues the import of a newly connected store (the job woocommerce.import). */
  queueImport?: (importId: string) => Promise<unknown>;
};

/**
 * The key that encrypts store credentials, or null without ENCRYPTION_KEY. Like crypto.server.ts there is no
 * plain-text fallback: without a key no store can be connected (the connect page says so).
 */
export function wooSecretsKey(env: Env = getEnv()): Buffer | null {
  return env.ENCRYPTION_KEY ? parseKey(env.ENCRYPTION_KEY) : null;
}

// ---------------------------------------------------------------------------------------------------------
// URLs

export type StoreUrlError = { code: "invalid_url" | "not_https" };

/** "wollwerk.example.de/shop/" → "https://wollwerk.example.de/shop": https only, no credentials, query or hash. */
export function normalizeStoreUrl(input: string): Result<string, StoreUrlError> {
  let text = input.trim();
  if (text === "") return err({ code: "invalid_url" });
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) text = `https://${text}`;
  if (!URL.canParse(text)) return err({ code: "invalid_url" });
  const url = new URL(text);
  if (url.protocol === "http:") return err({ code: "not_https" });
  if (url.protocol !== "https:") return err({ code: "invalid_url" });
  if (url.username || url.password || !url.hostname.includes(".") || url.hostname.endsWith("."))
    return err({ code: "invalid_url" });
  const path = url.pathname.replace(/\/+$/, "").replace(/\/wp-admin(\/.*)?$/, "");
  return ok(`https://${url.host.toLowerCase()}${path}`);
}

export function webhookDeliveryUrl(appUrl: string, connectionId: string): string {
  return `${appUrl}/webhooks/woocommerce/${connectionId}`;
}

/** The store's key-exchange page (docs/platforms/woocommerce.md §1); user_id is our connection id, echoed back. */
export function wooAuthorizeUrl(storeUrl: string, connectionId: string, appUrl: string): string {
  const params = new URLSearchParams({
    app_name: "Mahnwerk",
    scope: "read_write",
    user_id: connectionId,
    return_url: `${appUrl}/woocommerce/return`,
    callback_url: `${appUrl}/woocommerce/auth/callback`,
  });
  return `${storeUrl}/wc-auth/v1/authorize?${params.toString()}`;
}

// ---------------------------------------------------------------------------------------------------------
// Rows and secrets

/** Alphanumeric on purpose: WooCommerce entity-decodes the secret before signing (docs/platforms/woocommerce.md §3). */
function newWebhookSecret(): string {
  return randomBytes(32).toString("hex");
}

/** Each secret of a connection is bound to its row and column (app/utils/crypto.server.ts). */
export const wooSecretPlace = (connectionId: string, column: "consumer_key" | "consumer_secret" | "webhook_secret") =>
  secretPlace("woo_connections", column, connectionId);

export async function createPendingConnection(db: DbOrTx, storeUrl: string, key: Buffer): Promise<WooConnection> {
  // The id is made here, not by the database: the secret is bound to it before the row exists.
  const id = randomUUID();
  const [row] = await db
    .insert(wooConnections)
    .values({
      id,
      storeUrl,
      status: "pending",
      webhookSecret: encryptSecret(newWebhookSecret(), key, wooSecretPlace(id, "webhook_secret")),
    })
    .returning();
  return row!;
}

/**
 * Deletes pending connections older than PENDING_TTL_MS: they can no longer be completed, and the public connect
 * form would otherwise let anyone fill the table. Returns how many went.
 */
export async function purgeExpiredPendingConnections(db: DbOrTx, now: Date): Promise<number> {
  const gone = await db
    .delete(wooConnections)
    .where(
      and(eq(wooConnections.status, "pending"), lt(wooConnections.createdAt, new Date(now.getTime() - PENDING_TTL_MS))),
    )
    .returning({ id: wooConnections.id });
  return gone.length;
}

export async function findConnection(db: DbOrTx, id: string): Promise<WooConnection | null> {
  if (!z.uuid().safeParse(id).success) return null;
  const [row] = await db.select().from(wooConnections).where(eq(wooConnections.id, id)).limit(1);
  return row ?? null;
}

/** The shop's connected store, if any (one at a time). */
export async function connectionOfShop(db: DbOrTx, shopId: string): Promise<WooConnection | null> {
  const [row] = await db
    .select()
    .from(wooConnections)
    .where(and(eq(wooConnections.shopId, shopId), eq(wooConnections.status, "connected")))
    .limit(1);
  return row ?? null;
}

export function webhookSecretOf(connection: WooConnection, key: Buffer): string {
  return decryptSecret(connection.webhookSecret, key, wooSecretPlace(connection.id, "webhook_secret"));
}

/** A REST client with the connection's decrypted keys; null when it has none (pending or disconnected). */
export function clientFor(
  connection: WooConnection,
  key: Buffer,
  factory: WooClientFactory = createWooClient,
): WooClient | null {
  if (!connection.consumerKey || !connection.consumerSecret) return null;
  return factory({
    storeUrl: connection.storeUrl,
    consumerKey: decryptSecret(connection.consumerKey, key, wooSecretPlace(connection.id, "consumer_key")),
    consumerSecret: decryptSecret(connection.consumerSecret, key, wooSecretPlace(connection.id, "consumer_secret")),
  });
}

/** Where a worker gets the store's client from: the key and the REST client factory (both replaceable in tests). */
export type StoreClientDeps = { wooKey?: () => Buffer | null; wooClient?: WooClientFactory };

/** The REST client of the shop's connected store; null when it has none, or no key to decrypt its secrets with. */
export async function storeClientOfShop(
  db: DbOrTx,
  shopId: string,
  deps: StoreClientDeps = {},
): Promise<WooClient | null> {
  const connection = await connectionOfShop(db, shopId);
  const key = (deps.wooKey ?? wooSecretsKey)();
  return connection && key ? clientFor(connection, key, deps.wooClient ?? createWooClient) : null;
}

// ---------------------------------------------------------------------------------------------------------
// Completion: the key callback and manual key entry end here.

/** The JSON WooCommerce POSTs to callback_url after approval (docs/platforms/woocommerce.md §1). */
export const wooKeyCallbackSchema = z.object({
  key_id: z.coerce.number().int().positive(),
  user_id: z.union([z.string(), z.number()]).transform(String).pipe(z.uuid()),
  consumer_key: z
    .string()
    .trim()
    .regex(/^ck_[A-Za-z0-9]{16,128}$/),
  consumer_secret: z
    .string()
    .trim()
    .regex(/^cs_[A-Za-z0-9]{16,128}$/),
  key_permissions: z.string(),
});
export type WooKeyCallback = z.infer<typeof wooKeyCallbackSchema>;

export type ConnectErrorCode =
  | "unknown_connection"
  | "already_used"
  | "insufficient_permissions"
  | "wrong_keys"
  | "unreachable"
  | "not_woocommerce"
  | "unsupported_currency"
  | "store_error";
export type ConnectError = { code: ConnectErrorCode; message: string };

export function connectErrorStatus(code: ConnectErrorCode): number {
  switch (code) {
    case "unknown_connection":
      return 404;
    case "already_used":
      return 409;
    case "wrong_keys":
      return 401;
    case "unreachable":
    case "store_error":
      return 502;
    default:
      return 400;
  }
}

function apiFailure(error: unknown): ConnectError {
  if (!(error instanceof WooApiError)) throw error;
  switch (error.kind) {
    case "unauthorized":
      return { code: "wrong_keys", message: error.message };
    case "unreachable":
      return { code: "unreachable", message: error.message };
    case "not_found":
    case "invalid_response":
      return { code: "not_woocommerce", message: error.message };
    default:
      return { code: "store_error", message: error.message };
  }
}

/** WordPress time zone: timezone_string, else a whole-hour gmt_offset as Etc/GMT∓N, else UTC (docs/platforms/woocommerce.md §5). */
export function storeTimeZone(index: Pick<WpIndex, "timezone_string" | "gmt_offset"> | null): string {
  const named = index?.timezone_string?.trim();
  if (named && isValidTimeZone(named)) return named;
  const offset = Number(index?.gmt_offset ?? 0);
  if (Number.isInteger(offset) && offset !== 0 && Math.abs(offset) <= 14)
    return `Etc/GMT${offset > 0 ? "-" : "+"}${Math.abs(offset)}`;
  return "UTC";
}

function storeLocale(defaultCountry: unknown): "de" | "en" {
  const country = typeof defaultCountry === "string" ? defaultCountry.split(":")[0]?.toUpperCase() : undefined;
  return country && GERMAN_SPEAKING.includes(country) ? "de" : "en";
}

/**
 * Checks the keys against the store, reads currency, name and time zone, creates the four webhooks, then in one
 * transaction claims the pending connection, upserts the shop, stores the keys encrypted and queues the import.
 * An unknown, expired or already completed connection is refused before anything is read or stored.
 */
export async function completeConnection(
  db: Db,
  connectionId: string,
  keys: { consumerKey: string; consumerSecret: string; permissions?: string },
  deps: WooDeps & { appUrl: string },
): Promise<Result<{ connection: WooConnection; shop: Shop }, ConnectError>> {
  const pending = await findConnection(db, connectionId);
  if (!pending || (pending.status === "pending" && deps.now.getTime() - pending.createdAt.getTime() > PENDING_TTL_MS)) {
    return err({
      code: "unknown_connection",
      message: "This connection attempt is unknown or has expired. Please start again.",
    });
  }
  if (pending.status !== "pending")
    return err({ code: "already_used", message: "This connection attempt was already completed." });
  if (keys.permissions !== undefined && keys.permissions !== "read_write") {
    return err({
      code: "insufficient_permissions",
      message: `The key has "${keys.permissions}" access; Mahnwerk needs read_write.`,
    });
  }
  const domain = wooShopDomain(pending.storeUrl);
  if (!domain) return err({ code: "unknown_connection", message: "The stored store URL is not valid." });
  const client = (deps.client ?? createWooClient)({ storeUrl: pending.storeUrl, ...keys });

  let general: Record<string, unknown>;
  try {
    general = await client.generalSettings();
  } catch (error) {
    return err(apiFailure(error));
  }
  const currency =
    typeof general.woocommerce_currency === "string" ? general.woocommerce_currency.trim().toUpperCase() : "";
  if (!/^[A-Z]{3}$/.test(currency))
    return err({
      code: "unsupported_currency",
      message: `The store's currency ${JSON.stringify(currency)} is not an ISO code.`,
    });
  let index: WpIndex | null = null;
  try {
    index = await client.siteIndex();
  } catch (error) {
    // Some security plugins hide the public index; the time zone then falls back to UTC (logged, visible to support).
    logger.warn(
      { err: error, store: pending.storeUrl },
      "woocommerce: site index unreadable, time zone falls back to UTC",
    );
  }

  const secret = webhookSecretOf(pending, deps.key);
  const created: Record<string, number> = {};
  try {
    for (const topic of WOO_HANDLED_TOPICS) {
      const hook = await client.createWebhook({
        name: `${WEBHOOK_NAME_PREFIX} ${topic}`,
        topic,
        delivery_url: webhookDeliveryUrl(deps.appUrl, pending.id),
        secret,
      });
      created[topic] = hook.id;
    }
  } catch (error) {
    await deleteWebhooksQuietly(client, Object.values(created));
    return err(apiFailure(error));
  }

  const outcome = await db.transaction(async (tx) => {
    const [shop] = await tx
      .insert(shops)
      .values({
        platform: "woocommerce",
        domain,
        name: index?.name.trim() || domain,
        timezone: storeTimeZone(index),
        currency,
        locale: storeLocale(general.woocommerce_default_country),
        status: "active",
        installedAt: deps.now,
      })
      .onConflictDoUpdate({
        target: [shops.platform, shops.domain],
        set: {
          name: index?.name.trim() || domain,
          timezone: storeTimeZone(index),
          currency,
          status: "active",
          uninstalledAt: null,
          updatedAt: deps.now,
        },
      })
      .returning();
    const [claimed] = await tx
      .update(wooConnections)
      .set({
        shopId: shop!.id,
        status: "connected",
        consumerKey: encryptSecret(keys.consumerKey, deps.key, wooSecretPlace(pending.id, "consumer_key")),
        consumerSecret: encryptSecret(keys.consumerSecret, deps.key, wooSecretPlace(pending.id, "consumer_secret")),
        webhookIds: created,
        connectedAt: deps.now,
        lastPolledAt: null,
        updatedAt: deps.now,
      })
      .where(and(eq(wooConnections.id, pending.id), eq(wooConnections.status, "pending")))
      .returning();
    if (!claimed) return null;
    if ((await getSettings(tx, shop!.id)).version === 0) {
      // The sheet's merchant-risk gateways (docs/platforms/woocommerce.md §6), not the Shopify gateway names the defaults carry.
      await updateSettings(
        tx,
        shop!.id,
        { invoicePaymentMethods: [...DEFAULT_WOO_INVOICE_PAYMENT_METHODS] },
        { changedBy: "system:woocommerce-connect", now: deps.now },
      );
    }
    // One store, one live connection: an older one (a reconnect) is replaced.
    const replaced = await tx
      .update(wooConnections)
      .set({ status: "disconnected", disconnectedAt: deps.now, updatedAt: deps.now })
      .where(
        and(
          eq(wooConnections.shopId, shop!.id),
          eq(wooConnections.status, "connected"),
          ne(wooConnections.id, pending.id),
        ),
      )
      .returning();
    const [run] = await tx
      .insert(orderImports)
      .values({ shopId: shop!.id, status: "running", cursor: "1", startedAt: deps.now })
      .returning();
    return { connection: claimed, shop: shop!, replaced, importId: run!.id };
  });
  if (!outcome) {
    await deleteWebhooksQuietly(client, Object.values(created));
    return err({ code: "already_used", message: "This connection attempt was already completed." });
  }
  for (const old of outcome.replaced) await retireConnection(db, old, deps);
  await queueImportQuietly(deps.queueImport, outcome.importId);
  logger.info({ shopId: outcome.shop.id, connectionId: pending.id }, "woocommerce store connected");
  return ok({ connection: outcome.connection, shop: outcome.shop });
}

async function deleteWebhooksQuietly(client: WooClient, ids: number[]): Promise<number[]> {
  const failed: number[] = [];
  for (const id of ids) {
    try {
      await client.deleteWebhook(id);
    } catch (error) {
      failed.push(id);
      logger.warn({ err: error, webhookId: id }, "woocommerce: webhook could not be deleted");
    }
  }
  return failed;
}

async function queueImportQuietly(queueImport: WooDeps["queueImport"], importId: string) {
  if (!queueImport) return;
  try {
    await queueImport(importId);
  } catch (error) {
    // The row is durable; the reconcile schedule queues running imports again.
    logger.warn({ err: error, importId }, "woocommerce: import not queued now, the reconcile schedule picks it up");
  }
}

/** Deletes a replaced connection's webhooks and forgets its keys. */
async function retireConnection(db: Db, connection: WooConnection, deps: WooDeps) {
  const client = clientFor(connection, deps.key, deps.client);
  if (client) await deleteWebhooksQuietly(client, Object.values(connection.webhookIds));
  await db
    .update(wooConnections)
    .set({ consumerKey: null, consumerSecret: null, webhookIds: {} })
    .where(eq(wooConnections.id, connection.id));
}

// ---------------------------------------------------------------------------------------------------------
// Disconnect

export type DisconnectResult = { disconnected: boolean; webhooksLeft: number[] };

/**
 * Deletes our webhooks at the store, marks the connection disconnected (polling and webhook health skip it) and
 * forgets the keys. Webhooks the store did not let us delete are reported; their deliveries get 401 from now on,
 * and WooCommerce disables them after a few failures.
 */
/** A disconnected store's staff lose every way in: sessions, unused sign-in links and the staff list. */
async function revokeStoreAccess(tx: DbOrTx, shopId: string): Promise<void> {
  await tx.delete(staffSessions).where(eq(staffSessions.shopId, shopId));
  await tx.delete(staffMembers).where(eq(staffMembers.shopId, shopId));
  await tx
    .delete(loginTokens)
    .where(and(eq(loginTokens.shopId, shopId), eq(loginTokens.kind, "magic_link"), isNull(loginTokens.usedAt)));
}

export async function disconnectConnection(db: Db, connectionId: string, deps: WooDeps): Promise<DisconnectResult> {
  const connection = await findConnection(db, connectionId);
  if (!connection || connection.status !== "connected") return { disconnected: false, webhooksLeft: [] };
  const client = clientFor(connection, deps.key, deps.client);
  const webhooksLeft = client
    ? await deleteWebhooksQuietly(client, Object.values(connection.webhookIds))
    : Object.values(connection.webhookIds);
  await db.transaction(async (tx) => {
    await tx
      .update(wooConnections)
      .set({
        status: "disconnected",
        disconnectedAt: deps.now,
        consumerKey: null,
        consumerSecret: null,
        webhookIds: {},
        updatedAt: deps.now,
      })
      .where(eq(wooConnections.id, connection.id));
    if (connection.shopId) await revokeStoreAccess(tx, connection.shopId);
  });
  logger.info({ connectionId, shopId: connection.shopId, webhooksLeft }, "woocommerce store disconnected");
  return { disconnected: true, webhooksLeft };
}
