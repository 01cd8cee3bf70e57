import { and, eq } from "drizzle-orm";
import type { DbOrTx } from "#app/db/client.server";
import { orders, type OrderAddress, type OrderCustomer, type OrderRow, type Shop } from "#app/db/schema";
import type { OrderSnapshot } from "#app/domain/platform-event";
import { dueDateFor, isInvoiceOrder } from "#app/domain/policies";
import type { Settings } from "#app/domain/settings";

export type SnapshotOutcome =
  /** The snapshot is now the stored state; `previous` is what was stored before (null for a new order). */
  | { kind: "stored"; row: OrderRow; previous: OrderRow | null }
  /** Older than (or as old as) what is stored: a late delivery never overwrites newer state. */
  | { kind: "stale"; row: OrderRow }
  /** Not an invoice order and not tracked: we keep no personal data of orders we do not dun. */
  | { kind: "untracked" };

/**
 * Stores the platform's view of one order, the newest one winning by the platform's own updated time. Orders
 * that are not bought on invoice are not stored at all, unless they already are (a case may hang on them).
 */
export async function storeOrderSnapshot(
  tx: DbOrTx,
  shop: Shop,
  snapshot: OrderSnapshot,
  settings: Pick<Settings, "invoicePaymentMethods" | "defaultPaymentTermDays">,
): Promise<SnapshotOutcome> {
  const [existing] = await tx
    .select()
    .from(orders)
    .where(and(eq(orders.shopId, shop.id), eq(orders.platformOrderId, snapshot.platformOrderId)))
    .for("update")
    .limit(1);
  if (existing && existing.platformUpdatedAt.getTime() >= snapshot.updatedAt.getTime()) return { kind: "stale", row: existing };

  const invoice =
    !snapshot.test &&
    isInvoiceOrder(
      { paymentMethods: snapshot.paymentMethods, hasPaymentTerms: snapshot.paymentTerms !== null, financialStatus: snapshot.financialStatus },
      settings.invoicePaymentMethods,
    );
  // A paid invoice order stays tracked (its case needs the payment); a card order never becomes tracked.
  const boughtOnInvoice = invoice || (existing?.isInvoice ?? false);
  if (!existing && !invoice) return { kind: "untracked" };

  const values = {
    name: snapshot.name,
    currency: snapshot.currency,
    totalMinor: snapshot.total.amountMinor,
    outstandingMinor: snapshot.outstanding.amountMinor,
    financialStatus: snapshot.financialStatus,
    paymentMethods: snapshot.paymentMethods,
    isInvoice: boughtOnInvoice,
    orderedAt: snapshot.createdAt,
    dueDate: dueDateOf(snapshot, settings.defaultPaymentTermDays, shop.timezone),
    cancelledAt: snapshot.cancelledAt,
    platformUpdatedAt: snapshot.updatedAt,
    customer: customerOf(snapshot),
    billingAddress: addressOf(snapshot),
  };
  if (existing) {
    const [row] = await tx.update(orders).set({ ...values, updatedAt: new Date() }).where(eq(orders.id, existing.id)).returning();
    return { kind: "stored", row: row!, previous: existing };
  }
  const [row] = await tx
    .insert(orders)
    .values({ shopId: shop.id, platformOrderId: snapshot.platformOrderId, ...values })
    .returning();
  return { kind: "stored", row: row!, previous: null };
}

export async function findOrder(tx: DbOrTx, shopId: string, platformOrderId: string): Promise<OrderRow | null> {
  const [row] = await tx
    .select()
    .from(orders)
    .where(and(eq(orders.shopId, shopId), eq(orders.platformOrderId, platformOrderId)))
    .limit(1);
  return row ?? null;
}

function dueDateOf(snapshot: OrderSnapshot, defaultTermDays: number, timeZone: string) {
  const terms = snapshot.paymentTerms;
  // Payment terms on the order beat the shop's default term: that is what the customer was told.
  const termDays = terms?.dueInDays ?? defaultTermDays;
  return dueDateFor({ orderedAt: snapshot.createdAt, platformDueAt: terms?.dueAt ?? null }, termDays, timeZone);
}

function customerOf(snapshot: OrderSnapshot): OrderCustomer {
  const c = snapshot.customer;
  const billing = snapshot.billingAddress;
  return {
    platformCustomerId: c?.id ?? null,
    firstName: c?.firstName ?? billing?.firstName ?? null,
    lastName: c?.lastName ?? billing?.lastName ?? null,
    company: snapshot.companyName ?? billing?.company ?? null,
    email: c?.email ?? null,
    phone: c?.phone ?? billing?.phone ?? null,
    locale: c?.locale ?? null,
  };
}

function addressOf(snapshot: OrderSnapshot): OrderAddress | null {
  const a = snapshot.billingAddress;
  if (!a) return null;
  return {
    name: a.name,
    company: a.company,
    street1: a.street1,
    street2: a.street2,
    postalCode: a.postalCode,
    city: a.city,
    countryCode: a.countryCode,
  };
}
