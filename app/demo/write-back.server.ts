import { and, eq } from "drizzle-orm";
import { z } from "zod";

import { cases, orders, shops } from "#app/db/schema";
import type { OutboxHandler } from "#app/services/outbox/types";

const payload = z.object({ caseId: z.uuid(), markPaid: z.boolean() });

/**
 * "demo.write_back": the demo shop has no platform to tell, so its order row stands in for one. A case paid where the
 * platform could not see it (a bank statement, the partner) marks the order paid, as Shopify's orderMarkAsPaid would.
 */
export const demoWriteBack: OutboxHandler = async (row, { db }) => {
  const { caseId, markPaid } = payload.parse(row.payload);
  if (!markPaid) return { kind: "done", result: { skipped: "nothing to mark" } };
  const [target] = await db
    .select({ orderId: cases.orderId })
    .from(cases)
    .innerJoin(shops, and(eq(shops.id, cases.shopId), eq(shops.platform, "demo")))
    .where(and(eq(cases.shopId, row.shopId), eq(cases.id, caseId)))
    .limit(1);
  if (!target) return { kind: "failed", reason: `case ${caseId} is not a case of the demo shop` };
  await db
    .update(orders)
    .set({ financialStatus: "paid", outstandingMinor: 0 })
    .where(and(eq(orders.shopId, row.shopId), eq(orders.id, target.orderId)));
  return { kind: "done", result: { markedPaid: true } };
};
