import { and, eq } from "drizzle-orm";
import { z } from "zod";

import { WooApiError, type WooClient, type WooClientFactory } from "#adapters/woocommerce/client";
import type { Db } from "#app/db/client.server";
import { cases, orders, shops } from "#app/db/schema";
import { type MessageKey, MESSAGES, pickLocale, translator } from "#app/i18n/i18n";
import type { OutboxHandler, OutboxOutcome, OutboxRow } from "#app/services/outbox/types";
import { isOrderWriteBack, orderWriteBackSchema } from "#app/services/payments/order-write-back";
import { getSettings } from "#app/services/settings/settings.server";

import { storeClientOfShop } from "./connections.server";

/*
 * Outbox kind "woocommerce.write_back": tells the store the case's status. Order meta `_mahnwerk_status` (PUT
 * meta_data replaces the key's value, docs/platforms/woocommerce.md §4), a private order note in the shop's language
 * (customer_note=false: a customer note would e-mail the buyer), and on markPaid the order is set paid.
 */

const payloadSchema = z.object({
  caseId: z.uuid(),
  status: z.string().trim().min(1).max(50),
  markPaid: z.boolean(),
  paidBy: z.enum(["partner", "bank"]).optional(),
});

export const WOO_STATUS_META_KEY = "_mahnwerk_status";
/** A note of the same text this long before the row was written still counts as ours (store clock skew). */
const NOTE_CLOCK_SKEW_MS = 5 * 60_000;

export function wooWriteBackHandler(
  options: { key?: () => Buffer | null; client?: WooClientFactory } = {},
): OutboxHandler {
  return async (row, { db, attempt }) => {
    if (isOrderWriteBack(row.payload)) return orderPaidByBank(row, db, options);
    const payload = payloadSchema.safeParse(row.payload);
    if (!payload.success)
      return { kind: "failed", reason: `invalid payload: ${payload.error.issues[0]?.message ?? "unexpected shape"}` };
    const { caseId, status, paidBy } = payload.data;
    // A bank credit marks the order paid only while the shop wants it (settings, on by default).
    const markPaid =
      payload.data.markPaid && (paidBy !== "bank" || (await getSettings(db, row.shopId)).bankMatch.markOrderPaid);
    const [found] = await db
      .select({ platformOrderId: cases.platformOrderId, locale: shops.locale })
      .from(cases)
      .innerJoin(shops, and(eq(shops.id, cases.shopId), eq(shops.platform, "woocommerce")))
      .where(and(eq(cases.id, caseId), eq(cases.shopId, row.shopId)))
      .limit(1);
    if (!found) return { kind: "failed", reason: `case ${caseId} is not a case of this WooCommerce shop` };
    const client = await storeClientOfShop(db, row.shopId, { wooKey: options.key, wooClient: options.client });
    if (!client) return { kind: "failed", reason: "the store is not connected" };

    const orderId = found.platformOrderId;
    const t = translator(pickLocale(found.locale));
    const statusKey = `status.${status}`;
    const label = statusKey in MESSAGES.en ? t(statusKey as MessageKey) : status;
    const note = t("woo.writeBack.note", { status: label });
    try {
      // Idempotent steps first, the note last: a retry after a failure never leaves a note without the meta.
      await client.updateOrder(orderId, { meta_data: [{ key: WOO_STATUS_META_KEY, value: status }] });
      const markedPaid = markPaid ? await markOrderPaid(client, orderId) : null;
      const since = row.createdAt.getTime() - NOTE_CLOCK_SKEW_MS;
      const noted =
        attempt > 1 &&
        (await client.listOrderNotes(orderId)).some(
          (n) =>
            n.note === note &&
            n.date_created_gmt &&
            new Date(`${n.date_created_gmt.replace(/Z$/, "")}Z`).getTime() >= since,
        );
      if (!noted) await client.addOrderNote(orderId, { note, customer_note: false });
      return { kind: "done", result: { orderId, status, markedPaid } };
    } catch (error) {
      return outcomeOf(error);
    }
  };
}

/**
 * The order-level variant: an order without a case paid in full by a bank credit. Set paid as a paid case's order is
 * (pending/failed: set_paid, on-hold: processing), with a private note saying why; no status meta (there is no case).
 */
async function orderPaidByBank(
  row: OutboxRow,
  db: Db,
  options: { key?: () => Buffer | null; client?: WooClientFactory },
): Promise<OutboxOutcome> {
  const payload = orderWriteBackSchema.safeParse(row.payload);
  if (!payload.success)
    return { kind: "failed", reason: `invalid payload: ${payload.error.issues[0]?.message ?? "unexpected shape"}` };
  if (!(await getSettings(db, row.shopId)).bankMatch.markOrderPaid)
    return { kind: "done", result: { skipped: "bankMatch.markOrderPaid is off" } };
  const [found] = await db
    .select({ platformOrderId: orders.platformOrderId, locale: shops.locale })
    .from(orders)
    .innerJoin(shops, and(eq(shops.id, orders.shopId), eq(shops.platform, "woocommerce")))
    .where(and(eq(orders.id, payload.data.orderId), eq(orders.shopId, row.shopId)))
    .limit(1);
  if (!found)
    return { kind: "failed", reason: `order ${payload.data.orderId} is not an order of this WooCommerce shop` };
  const client = await storeClientOfShop(db, row.shopId, { wooKey: options.key, wooClient: options.client });
  if (!client) return { kind: "failed", reason: "the store is not connected" };
  const orderId = found.platformOrderId;
  const note = translator(pickLocale(found.locale))("woo.writeBack.paidByBank");
  try {
    const markedPaid = await markOrderPaid(client, orderId);
    // Noted only by the call that changed the order: a retry finds it paid and never writes a second note.
    if (markedPaid !== "already") await client.addOrderNote(orderId, { note, customer_note: false });
    return { kind: "done", result: { orderId, markedPaid } };
  } catch (error) {
    return outcomeOf(error);
  }
}

function outcomeOf(error: unknown): OutboxOutcome {
  if (error instanceof WooApiError)
    return error.retryable ? { kind: "retry", reason: error.message } : { kind: "failed", reason: error.message };
  return { kind: "retry", reason: error instanceof Error ? error.message : String(error) };
}

/** The handler the outbox worker registers for "woocommerce.write_back" (ENCRYPTION_KEY from the environment). */
export const wooWriteBack: OutboxHandler = wooWriteBackHandler();

/** Marks the order paid the way WooCommerce itself would; "already" when it needs no payment any more. */
async function markOrderPaid(client: WooClient, orderId: string): Promise<"set_paid" | "processing" | "already"> {
  const order = await client.getOrder(orderId);
  if (order.status === "pending" || order.status === "failed") {
    // payment_complete(): WooCommerce's own "paid" path (date_paid, stock, its processing e-mail).
    await client.updateOrder(orderId, { set_paid: true });
    return "set_paid";
  }
  if (order.status === "on-hold") {
    // set_paid ignores on-hold orders (they do not "need payment"); processing is what payment would set.
    await client.updateOrder(orderId, { status: "processing" });
    return "processing";
  }
  return "already";
}
