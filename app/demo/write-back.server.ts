import { and, eq } from "drizzle-orm";
import { z } from "zod";

import { cases, orders, shops } from "#app/db/schema";
import type { OutboxHandler } from "#app/services/outbox/types";
import { isOrderWriteBack, orderWriteBackSchema } from "#app/services/payments/order-write-back";
import { getSettings } from "#app/services/settings/settings.server";

const payload = z.object({ caseId: z.uuid(), markPaid: z.boolean() });

/**
 * "demo.write_back": the demo shop has no platform to tell, so its order row stands in for one. A case paid where the
 * platform could not see it (a bank statement, the partner) marks the order paid, as Shopify's orderMarkAsPaid would;
 * so does a bank credit that paid an order without a case (the order-level variant), while bankMatch.markOrderPaid is on.
 */
export const demoWriteBack: OutboxHandler = async (row, { db }) => {
  let orderId: string;
  if (isOrderWriteBack(row.payload)) {
    const parsed = orderWriteBackSchema.safeParse(row.payload);
    if (!parsed.success) return { kind: "failed", reason: "invalid order write-back payload" };
    if (!(await getSettings(db, row.shopId)).bankMatch.markOrderPaid)
      return { kind: "done", result: { skipped: "bankMatch.markOrderPaid is off" } };
    orderId = parsed.data.orderId;
  } else {
    const { caseId, markPaid } = payload.parse(row.payload);
    if (!markPaid) return { kind: "done", result: { skipped: "nothing to mark" } };
    const [target] = await db
      .select({ orderId: cases.orderId })
      .from(cases)
      .where(and(eq(cases.shopId, row.shopId), eq(cases.id, caseId)))
      .limit(1);
    if (!target) return { kind: "failed", reason: `case ${caseId} is not a case of the demo shop` };
    orderId = target.orderId;
  }
  const [shop] = await db
    .select({ id: shops.id })
    .from(shops)
    .where(and(eq(shops.id, row.shopId), eq(shops.platform, "demo")))
    .limit(1);
  if (!shop) return { kind: "failed", reason: "not the demo shop" };
  const updated = await db
    .update(orders)
    .set({ financialStatus: "paid", outstandingMinor: 0 })
    .where(and(eq(orders.shopId, row.shopId), eq(orders.id, orderId)))
    .returning({ id: orders.id });
  if (updated.length === 0) return { kind: "failed", reason: `order ${orderId} is not an order of the demo shop` };
  return { kind: "done", result: { markedPaid: true } };
};
