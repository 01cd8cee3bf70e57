import { callAdmin, ORDER_PAYMENT_LINK_QUERY, orderGid, orderPaymentLinkSchema } from "#adapters/shopify/admin-api";
import type { DbOrTx } from "#app/db/client.server";
import type { OrderRow, Shop } from "#app/db/schema";
import type { AdminFor } from "#app/services/shopify/sync.server";
import { type StoreClientDeps, storeClientOfShop } from "#app/services/woocommerce/connections.server";
import { logger } from "#app/utils/logger.server";

/** The platform's page where the customer pays an order online, or null when it offers none. */
export type PayNowLinks = (db: DbOrTx, shop: Shop, order: OrderRow) => Promise<string | null>;

const MAX_URL_LENGTH = 2_000;

/**
 * Shopify: the order's `additionalPaymentCollectionUrl`; WooCommerce: the order's `payment_url`, which the companion
 * plugin makes payable for on-hold orders Mahnwerk tracks (docs/payments.md). Read when the reminder is written, so
 * a link the platform withdrew is not printed. A platform that cannot be asked gives no link: the reminder goes out
 * with the bank account alone rather than late.
 */
type PlatformDeps = {
  shopifyAdminFor?: AdminFor | null;
  /** Demo mode: the demo shop's orders are paid on our own stand-in page (app/demo/payment-page.server.ts). */
  demoPayNowUrl?: ((orderId: string) => string) | null;
} & StoreClientDeps;

export function platformPayNowLinks(deps: PlatformDeps = {}): PayNowLinks {
  return async (db, shop, order) => {
    if (shop.platform === "demo") return deps.demoPayNowUrl?.(order.id) ?? null;
    try {
      return checked(await read(db, shop, order, deps));
    } catch (error) {
      logger.warn(
        { err: error, shopId: shop.id, orderId: order.id },
        "no pay-now link: the platform could not be asked",
      );
      return null;
    }
  };
}

async function read(db: DbOrTx, shop: Shop, order: OrderRow, deps: PlatformDeps): Promise<unknown> {
  if (shop.platform === "shopify") {
    if (!deps.shopifyAdminFor) return null;
    const admin = await deps.shopifyAdminFor(shop.domain);
    const data = orderPaymentLinkSchema.parse(
      await callAdmin(admin, ORDER_PAYMENT_LINK_QUERY, { id: orderGid(order.platformOrderId) }),
    );
    return data.order?.paymentCollectionDetails.additionalPaymentCollectionUrl ?? null;
  }
  if (shop.platform === "woocommerce") {
    const client = await storeClientOfShop(db, shop.id, deps);
    if (!client) return null;
    return (await client.getOrder(order.platformOrderId)).payment_url ?? null;
  }
  return null;
}

/** Only an https address of sensible length goes into a reminder: it is printed, linked and put into a QR code. */
function checked(value: unknown): string | null {
  if (typeof value !== "string" || value.length > MAX_URL_LENGTH) return null;
  try {
    return new URL(value).protocol === "https:" ? value : null;
  } catch {
    return null;
  }
}
