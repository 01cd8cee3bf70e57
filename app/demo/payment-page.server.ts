import { and, eq } from "drizzle-orm";
import { z } from "zod";

import type { DbOrTx } from "#app/db/client.server";
import { type OrderRow, orders, type Shop, shops } from "#app/db/schema";
import { withTenant } from "#app/db/tenant.server";
import { followOrderChange } from "#app/services/intake/platform-events.server";

/*
 * The demo shop's stand-in for a platform's "pay this order" page, so a demo reminder's pay-now link leads somewhere
 * and paying there ends the case as a payment through the link would (docs/payments.md). Only in demo mode, and
 * unsigned on purpose: the demo's tab itself is open to anyone who reaches the server, and the order id is a UUID.
 */

/** The payment method the demo page records: not an invoice method, so the payment counts as one through the link. */
export const DEMO_PAYMENT_METHOD = "Demo-Zahlseite";

export const demoPayNowUrl = (appUrl: string, orderId: string) => `${appUrl}/demo/pay/${orderId}`;

export type DemoOrderToPay = { shop: Shop; order: OrderRow };

/** The demo shop's order behind a payment link, or null for anything else (another shop's order, a bad id). */
export async function findDemoOrder(db: DbOrTx, orderId: string): Promise<DemoOrderToPay | null> {
  if (!z.uuid().safeParse(orderId).success) return null;
  const [row] = await db
    .select({ shop: shops, order: orders })
    .from(orders)
    .innerJoin(shops, eq(shops.id, orders.shopId))
    .where(and(eq(orders.id, orderId), eq(shops.platform, "demo")))
    .limit(1);
  return row ?? null;
}

export type DemoPayment =
  { outcome: "paid"; amountMinor: number } | { outcome: "nothing_due" } | { outcome: "not_found" };

/** Pays what the order still owes, as the platform would report it: the order is paid, its case follows. */
export async function payDemoOrder(db: DbOrTx, orderId: string, now: Date): Promise<DemoPayment> {
  const found = await findDemoOrder(db, orderId);
  if (!found) return { outcome: "not_found" };
  return withTenant(db, found.shop.id, async (tx) => {
    const [previous] = await tx.select().from(orders).where(eq(orders.id, orderId)).for("update").limit(1);
    if (!previous) return { outcome: "not_found" } as const;
    if (previous.outstandingMinor <= 0 || previous.cancelledAt) return { outcome: "nothing_due" } as const;
    // Strictly after the stored snapshot: the payment's source id is the order's modification time.
    const at = new Date(Math.max(now.getTime(), previous.platformUpdatedAt.getTime() + 1));
    const [paid] = await tx
      .update(orders)
      .set({
        outstandingMinor: 0,
        financialStatus: "paid",
        paymentMethods: [...previous.paymentMethods.filter((m) => m !== DEMO_PAYMENT_METHOD), DEMO_PAYMENT_METHOD],
        platformUpdatedAt: at,
        updatedAt: now,
      })
      .where(eq(orders.id, orderId))
      .returning();
    await followOrderChange(tx, found.shop, paid!, previous);
    return { outcome: "paid", amountMinor: previous.outstandingMinor } as const;
  });
}
