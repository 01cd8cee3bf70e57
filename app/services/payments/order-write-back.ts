import { z } from "zod";

/**
 * The order-level variant of the platform write-back (outbox kinds `<platform>.write_back`): an invoice order that
 * had no case was paid in full by a bank credit, so it is marked paid on its platform, while the shop's setting
 * `bankMatch.markOrderPaid` is on when the row runs. There is no case status to tell, only the payment.
 */
export const orderWriteBackSchema = z
  .object({ orderId: z.uuid(), status: z.literal("paid"), markPaid: z.literal(true), paidBy: z.literal("bank") })
  .strict();

export type OrderWriteBack = z.infer<typeof orderWriteBackSchema>;

/** Whether a write-back row is the order-level variant (its payload names an order, not a case). */
export const isOrderWriteBack = (payload: unknown): boolean =>
  typeof payload === "object" && payload !== null && "orderId" in payload && !("caseId" in payload);
