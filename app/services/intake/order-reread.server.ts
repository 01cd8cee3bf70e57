import { callAdmin, ORDER_QUERY, orderByIdSchema, orderGid } from "#adapters/shopify/admin-api";
import { normalizeShopifyOrderNode } from "#adapters/shopify/normalize";
import { normalizeWooOrder } from "#adapters/woocommerce/normalize";
import type { DbOrTx } from "#app/db/client.server";
import type { Shop } from "#app/db/schema";
import type { OrderSnapshot } from "#app/domain/platform-event";
import { getSettings } from "#app/services/settings/settings.server";
import type { AdminFor } from "#app/services/shopify/sync.server";
import { type StoreClientDeps, storeClientOfShop } from "#app/services/woocommerce/connections.server";

/**
 * One order as its platform shows it now: the check right before a handover that the customer has not paid meanwhile
 * (a payment whose webhook was lost must not reach a collection agency). `none`: there is no platform to ask (the
 * demo shop); `missing`: the platform no longer has the order. Throws when the platform cannot be asked.
 */
export type OrderReading = { kind: "order"; order: OrderSnapshot } | { kind: "none" } | { kind: "missing" };
export type OrderReader = (db: DbOrTx, shop: Shop, platformOrderId: string) => Promise<OrderReading>;

export class OrderRereadError extends Error {
  override name = "OrderRereadError";
}

export function platformOrderReader(deps: { shopifyAdminFor?: AdminFor | null } & StoreClientDeps = {}): OrderReader {
  return async (db, shop, platformOrderId) => {
    if (shop.platform === "shopify") {
      if (!deps.shopifyAdminFor) throw new OrderRereadError("Shopify is not configured in this process");
      const admin = await deps.shopifyAdminFor(shop.domain);
      const { order } = orderByIdSchema.parse(await callAdmin(admin, ORDER_QUERY, { id: orderGid(platformOrderId) }));
      if (order === null) return { kind: "missing" };
      return snapshotOf(normalizeShopifyOrderNode(order));
    }
    if (shop.platform === "woocommerce") {
      const client = await storeClientOfShop(db, shop.id, deps);
      if (!client) throw new OrderRereadError("the store is not connected");
      const { invoicePaymentMethods, vatIdMetaKeys } = await getSettings(db, shop.id);
      try {
        return snapshotOf(
          normalizeWooOrder(await client.getOrder(platformOrderId), { invoicePaymentMethods, vatIdMetaKeys }),
        );
      } catch (error) {
        if ((error as { kind?: unknown }).kind === "not_found") return { kind: "missing" };
        throw error;
      }
    }
    return { kind: "none" };
  };
}

function snapshotOf(result: { ok: true; order: OrderSnapshot } | { ok: false; reason: string }): OrderReading {
  if (!result.ok) throw new OrderRereadError(`the platform's order could not be read: ${result.reason}`);
  return { kind: "order", order: result.order };
}
