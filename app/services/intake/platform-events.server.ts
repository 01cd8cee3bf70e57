import { and, eq, inArray, or, sql } from "drizzle-orm";

import type { Tx } from "#app/db/client.server";
import {
  type CaseRow,
  cases,
  dataRequests,
  type OrderRow,
  orders,
  outbox,
  sessions,
  type Shop,
  shops,
  webhookInbox,
} from "#app/db/schema";
import type { Actor } from "#app/domain/case/events";
import { type CaseKind, type CaseStatus, isTerminal } from "#app/domain/case/status";
import type { CaseCommand } from "#app/domain/case/transitions";
import { toLocalDate } from "#app/domain/dates";
import type {
  DisputeOpenedEvent,
  DisputeUpdatedEvent,
  OrderSnapshot,
  OrderUpsertedEvent,
  PlatformEvent,
  PrivacyCustomerDataRequestEvent,
  PrivacyCustomerRedactEvent,
} from "#app/domain/platform-event";
import { paymentChannel } from "#app/domain/policies";
import type { Settings } from "#app/domain/settings";
import { executeCaseCommand, openCaseForOrder } from "#app/services/cases/commands.server";
import { personalValues, REDACTED, scrubText } from "#app/services/privacy/personal-data.server";
import { getSettings } from "#app/services/settings/settings.server";
import { logger } from "#app/utils/logger.server";

import { findOrder, storeOrderSnapshots } from "./orders.server";

/*
 * What a platform's facts do to our orders and cases. Amounts follow the order snapshots only: each newer
 * snapshot is compared with the one stored before it, so payments, order edits and refunds are counted once
 * however often and in whatever order the deliveries (orders/updated, orders/paid, refunds/create,
 * order_transactions/create, reconciliation reads) arrive. The per-transaction and per-refund topics carry no
 * amounts of their own here for the same reason: they would count the money a second time.
 */

const DISPUTE_BLOCK = "dispute_open";

export async function applyPlatformEvents(tx: Tx, shop: Shop, events: PlatformEvent[], now: Date): Promise<void> {
  const settings = await getSettings(tx, shop.id);
  for (const event of events) await applyOne(tx, shop, settings, event, now);
}

async function applyOne(tx: Tx, shop: Shop, settings: Settings, event: PlatformEvent, now: Date): Promise<void> {
  const actor: Actor = { type: "platform", id: event.platform };
  switch (event.type) {
    case "order.upserted":
      return followOrder(tx, shop, settings, event, actor);
    case "order.cancelled":
    case "order.deleted": {
      const order = await findOrder(tx, shop.id, event.platformOrderId);
      if (!order) return;
      if (!order.cancelledAt) {
        const cancelledAt = event.type === "order.cancelled" ? event.cancelledAt : event.occurredAt;
        await tx.update(orders).set({ cancelledAt, updatedAt: now }).where(eq(orders.id, order.id));
      }
      for (const row of await casesOf(tx, shop.id, order.id)) {
        await command(
          tx,
          row,
          { type: "order_cancelled" },
          actor,
          event.occurredAt,
          cancelSourceId(order),
          event.type === "order.cancelled" ? event.reason : null,
        );
      }
      return;
    }
    case "dispute.opened":
      return openDispute(tx, shop, event, actor, now);
    case "dispute.updated":
      return updateDispute(tx, shop, event, actor);
    case "app.uninstalled":
      return uninstall(tx, shop, now);
    case "privacy.customer_data_request":
      return prepareDataRequest(tx, shop, event);
    case "privacy.customer_redact":
      return redactCustomer(tx, shop, event);
    case "privacy.shop_redact":
      return redactShop(tx, shop);
    case "bulk_operation.finished":
      // Only a signal: the import job reads the operation by its id (see app/services/shopify/bulk-import.server.ts).
      return;
    case "order.paid":
    case "order.restored":
    case "transaction.created":
    case "refund.created":
      // Their amounts reach the case through the order snapshot that accompanies or follows them (see top).
      return;
  }
}

/** Cancellation has one source id whichever delivery reports it, so it is applied once. */
const cancelSourceId = (order: OrderRow) => `order-cancelled:${order.platformOrderId}`;

/**
 * Imports and reconciliation: many order snapshots in one go, stored in bulk (storeOrderSnapshots), each changed
 * known order then followed exactly as an `order.upserted` event would be.
 */
export async function applyOrderSnapshots(tx: Tx, shop: Shop, snapshots: OrderSnapshot[]): Promise<void> {
  if (snapshots.length === 0) return;
  const settings = await getSettings(tx, shop.id);
  const outcomes = await storeOrderSnapshots(tx, shop, snapshots, settings);
  const actor: Actor = { type: "platform", id: shop.platform };
  for (const outcome of outcomes) {
    if (outcome.kind === "stored")
      await followStoredOrder(tx, shop, outcome.row, outcome.previous, actor, settings.invoicePaymentMethods);
  }
}

async function followOrder(tx: Tx, shop: Shop, settings: Settings, event: OrderUpsertedEvent, actor: Actor) {
  const [outcome] = await storeOrderSnapshots(tx, shop, [event.order], settings);
  if (outcome?.kind !== "stored") return;
  await followStoredOrder(tx, shop, outcome.row, outcome.previous, actor, settings.invoicePaymentMethods);
}

/** What a newer snapshot of an order we already had does to its invoice case: cancellation, edits, payments. */
async function followStoredOrder(
  tx: Tx,
  shop: Shop,
  order: OrderRow,
  previous: OrderRow,
  actor: Actor,
  invoiceMethods: readonly string[],
) {
  const [invoiceCase] = await casesOf(tx, shop.id, order.id, "invoice");
  if (!invoiceCase) return;
  const at = order.platformUpdatedAt;
  if (order.cancelledAt && !previous.cancelledAt) {
    // At the order's cancellation time, as orders/cancelled reports it, whichever of the two arrives first.
    await command(tx, invoiceCase, { type: "order_cancelled" }, actor, order.cancelledAt, cancelSourceId(order), null);
    return;
  }
  // Once a case is settled, later order changes are our own write-back echoing (or bookkeeping) — not money.
  if (isTerminal(invoiceCase.status as CaseStatus)) return;
  const editedBy = previous.totalMinor - order.totalMinor;
  const paid = previous.outstandingMinor - order.outstandingMinor - editedBy;
  const stamp = `${order.platformOrderId}@${at.toISOString()}`;
  if (editedBy !== 0) {
    const outstanding = Math.max(0, invoiceCase.outstandingMinor - editedBy);
    const cause =
      order.financialStatus === "refunded" || order.financialStatus === "partially_refunded" ? "refund" : "order_edit";
    await command(
      tx,
      invoiceCase,
      { type: "adjust_outstanding", outstanding: { amountMinor: outstanding, currency: order.currency }, cause },
      actor,
      at,
      `order-edit:${stamp}`,
      null,
    );
  }
  if (paid > 0) {
    await command(
      tx,
      invoiceCase,
      {
        type: "payment",
        amount: { amountMinor: paid, currency: order.currency },
        side: "shop",
        channel: paymentChannel(previous.paymentMethods, order.paymentMethods, invoiceMethods),
      },
      actor,
      at,
      `order-payment:${stamp}`,
      null,
    );
  }
}

async function openDispute(tx: Tx, shop: Shop, event: DisputeOpenedEvent, actor: Actor, now: Date) {
  const order = await findOrder(tx, shop.id, event.platformOrderId);
  if (!order) {
    // We keep no snapshot of orders not bought on invoice; the reconciliation read brings the order in.
    logger.info({ shopId: shop.id, order: event.platformOrderId }, "dispute on an order we do not track");
    return;
  }
  const [invoiceCase] = await casesOf(tx, shop.id, order.id, "invoice");
  if (invoiceCase && !isTerminal(invoiceCase.status as CaseStatus)) {
    await command(
      tx,
      invoiceCase,
      { type: "block", reasons: [DISPUTE_BLOCK], stream: `dispute:${event.disputeId}` },
      actor,
      event.occurredAt,
      event.sourceId,
      event.reason,
    );
    return;
  }
  if (event.disputeType !== "chargeback") return;
  await openCaseForOrder(tx, {
    shop,
    order,
    kind: "chargeback",
    outstanding: event.amount,
    dueDate: toLocalDate(event.occurredAt, shop.timezone),
    actor,
    now,
    sourceId: event.sourceId,
  });
}

async function updateDispute(tx: Tx, shop: Shop, event: DisputeUpdatedEvent, actor: Actor) {
  const order = await findOrder(tx, shop.id, event.platformOrderId);
  if (!order) return;
  const decided = ["won", "lost", "accepted", "charge_refunded", "prevented"].includes(event.status);
  if (!decided) return;
  const [invoiceCase] = await casesOf(tx, shop.id, order.id, "invoice");
  if (invoiceCase && !isTerminal(invoiceCase.status as CaseStatus)) {
    // Whatever the outcome, the invoice claim itself goes on where it was. Not blocked (yet): the decision is
    // recorded on the dispute's stream all the same, so an opening delivered after it is stale (transitions.ts).
    await command(
      tx,
      invoiceCase,
      { type: "unblock", reasons: [DISPUTE_BLOCK], stream: `dispute:${event.disputeId}` },
      actor,
      event.occurredAt,
      event.sourceId,
      event.status,
    );
  }
  const [chargeback] = await casesOf(tx, shop.id, order.id, "chargeback");
  if (
    chargeback &&
    !isTerminal(chargeback.status as CaseStatus) &&
    (event.status === "won" || event.status === "prevented")
  ) {
    // The shop got its money back from the card network: nothing is owed any more.
    await command(
      tx,
      chargeback,
      {
        type: "payment",
        amount: { amountMinor: chargeback.outstandingMinor, currency: chargeback.currency },
        side: "shop",
      },
      actor,
      event.occurredAt,
      event.sourceId,
      event.status,
    );
  }
}

/** Uninstalled: no reminder, claim or write-back is ever sent for the shop again. */
async function uninstall(tx: Tx, shop: Shop, now: Date) {
  await tx
    .update(shops)
    .set({ status: "uninstalled", uninstalledAt: now, updatedAt: now })
    .where(eq(shops.id, shop.id));
  await tx.delete(sessions).where(eq(sessions.shop, shop.domain));
  await tx
    .update(outbox)
    .set({ status: "dead", lastError: "shop uninstalled", updatedAt: now })
    .where(and(eq(outbox.shopId, shop.id), inArray(outbox.status, ["pending", "failed", "in_flight"])));
}

async function customerOrders(
  tx: Tx,
  shop: Shop,
  event: PrivacyCustomerDataRequestEvent | PrivacyCustomerRedactEvent,
): Promise<OrderRow[]> {
  const conditions = [];
  if (event.platformOrderIds.length > 0) conditions.push(inArray(orders.platformOrderId, event.platformOrderIds));
  if (event.customerId) conditions.push(sql`${orders.customer}->>'platformCustomerId' = ${event.customerId}`);
  if (event.email) conditions.push(sql`lower(${orders.customer}->>'email') = ${event.email.toLowerCase()}`);
  if (conditions.length === 0) return [];
  return tx
    .select()
    .from(orders)
    .where(and(eq(orders.shopId, shop.id), or(...conditions)));
}

async function prepareDataRequest(tx: Tx, shop: Shop, event: PrivacyCustomerDataRequestEvent) {
  const found = await customerOrders(tx, shop, event);
  const caseRows = found.length
    ? await tx
        .select()
        .from(cases)
        .where(
          and(
            eq(cases.shopId, shop.id),
            inArray(
              cases.orderId,
              found.map((o) => o.id),
            ),
          ),
        )
    : [];
  await tx.insert(dataRequests).values({
    shopId: shop.id,
    platformRequestId: event.dataRequestId,
    platformCustomerId: event.customerId,
    data: {
      preparedFor: shop.domain,
      customer: { id: event.customerId, email: event.email, phone: event.phone },
      orders: found.map((o) => ({
        id: o.platformOrderId,
        name: o.name,
        orderedAt: o.orderedAt.toISOString(),
        total: { amountMinor: o.totalMinor, currency: o.currency },
        outstanding: { amountMinor: o.outstandingMinor, currency: o.currency },
        customer: o.customer,
        billingAddress: o.billingAddress,
      })),
      cases: caseRows.map((c) => ({
        id: c.id,
        kind: c.kind,
        status: c.status,
        order: c.orderName,
        dueDate: c.dueDate,
        outstanding: { amountMinor: c.outstandingMinor, currency: c.currency },
      })),
    },
  });
}

/** Erases the customer's personal data everywhere we hold it; amounts, ids and the case history stay. */
async function redactCustomer(tx: Tx, shop: Shop, event: PrivacyCustomerRedactEvent) {
  const found = await customerOrders(tx, shop, event);
  const orderIds = found.map((o) => o.id);
  for (const order of found) {
    await tx
      .update(orders)
      .set({
        customer: {
          platformCustomerId: order.customer.platformCustomerId,
          firstName: null,
          lastName: null,
          company: null,
          email: null,
          phone: null,
          locale: null,
        },
        billingAddress: null,
        updatedAt: new Date(),
      })
      .where(eq(orders.id, order.id));
  }
  if (orderIds.length) {
    await tx
      .update(cases)
      .set({ customerFirstName: null, customerLastName: null })
      .where(and(eq(cases.shopId, shop.id), inArray(cases.orderId, orderIds)));
  }
  // Free text we wrote ourselves can quote the customer too: a staff member's reason, a mail server's refusal
  // ("<anna@…>: mailbox unknown") in a case event, an outbox row or a delivery's error.
  const personal = personalValues(found);
  await deleteDataExports(tx, shop.id, event, found, personal);
  await scrubText(tx, shop.id, personal);
  await scrubBulkRunQueries(tx, shop.id, personal);
  // Raw deliveries that mention the customer: the body goes, the row (and its dedupe key) stays.
  const needles = [
    ...personal.map((value) => value.toLowerCase()),
    // WooCommerce order bodies (REST order JSON) open with the order id.
    ...(shop.platform === "woocommerce"
      ? [...found.map((o) => o.platformOrderId), ...event.platformOrderIds].map((id) => `{"id":${id},`)
      : []),
    ...found.map((o) => o.platformOrderId).map((id) => `/Order/${id}"`),
    ...event.platformOrderIds.map((id) => `/Order/${id}"`),
    ...(event.email ? [event.email.toLowerCase()] : []),
    ...(event.customerId ? [`/Customer/${event.customerId}"`] : []),
  ];
  if (needles.length) {
    await tx
      .update(webhookInbox)
      .set({ body: '{"redacted":true}' })
      .where(
        and(
          or(
            eq(webhookInbox.shopId, shop.id),
            and(eq(webhookInbox.platform, shop.platform as "shopify"), eq(webhookInbox.source, shop.domain)),
          ),
          or(...needles.map((n) => sql`position(${n.toLowerCase()} in lower(${webhookInbox.body})) > 0`)),
        ),
      );
  }
}

/**
 * Prepared data exports about the customer go: those filed under the customer's id, and those a request without an id
 * (only an e-mail or orders) produced — found by the orders they list, the e-mail they were made for, or any
 * personal value they hold, however long.
 */
async function deleteDataExports(
  tx: Tx,
  shopId: string,
  event: PrivacyCustomerRedactEvent,
  found: OrderRow[],
  personal: string[],
) {
  const orderIds = [...new Set([...found.map((o) => o.platformOrderId), ...event.platformOrderIds])];
  const conditions = [
    ...(event.customerId ? [eq(dataRequests.platformCustomerId, event.customerId)] : []),
    ...orderIds.map((id) => sql`${dataRequests.data}->'orders' @> ${JSON.stringify([{ id }])}::jsonb`),
    ...(event.email ? [sql`lower(${dataRequests.data}->'customer'->>'email') = ${event.email.toLowerCase()}`] : []),
    ...personal.map((value) => sql`position(${JSON.stringify(value).slice(1, -1)} in ${dataRequests.data}::text) > 0`),
  ];
  if (conditions.length) await tx.delete(dataRequests).where(and(eq(dataRequests.shopId, shopId), or(...conditions)));
}

/**
 * A bulk run's search text is the customer's when it is the start of a personal value, ignoring case: the list search
 * matches names by prefix and takes at most 200 characters, so a long name is stored cut short and a replace of the
 * whole value would miss it. The text becomes "[redacted]", which matches no case, so a run still going is not widened.
 */
async function scrubBulkRunQueries(tx: Tx, shopId: string, values: string[]) {
  for (const value of values) {
    const q = sql`btrim(bulk_runs.filter->>'q')`;
    await tx.execute(
      sql`update bulk_runs set filter = jsonb_set(filter, '{q}', to_jsonb(${REDACTED}::text)) where shop_id = ${shopId}
        and length(${q}) >= 3 and lower(${q}) = left(lower(${value}::text), length(${q}))`,
    );
  }
}

/** shop/redact (48 hours after uninstall): everything about the shop goes. */
async function redactShop(tx: Tx, shop: Shop) {
  await tx
    .delete(webhookInbox)
    .where(and(eq(webhookInbox.platform, shop.platform as "shopify"), eq(webhookInbox.source, shop.domain)));
  await tx.delete(sessions).where(eq(sessions.shop, shop.domain));
  await tx.delete(shops).where(eq(shops.id, shop.id));
}

async function casesOf(tx: Tx, shopId: string, orderId: string, kind?: CaseKind): Promise<CaseRow[]> {
  return tx
    .select()
    .from(cases)
    .where(and(eq(cases.shopId, shopId), eq(cases.orderId, orderId), kind ? eq(cases.kind, kind) : undefined));
}

async function command(
  tx: Tx,
  row: CaseRow,
  cmd: CaseCommand,
  actor: Actor,
  occurredAt: Date,
  sourceId: string,
  reason: string | null,
) {
  const result = await executeCaseCommand(tx, {
    shopId: row.shopId,
    caseId: row.id,
    envelope: { command: cmd, actor, reason, occurredAt, sourceId },
  });
  // A fact the case's status does not take (a payment on a cancelled case …) is normal, not an error to retry.
  if (!result.ok)
    logger.info({ caseId: row.id, fact: cmd.type, refusal: result.error.code }, "platform fact not applied");
}

/** A change to a stored order made outside any delivery (the demo's payment page), followed as a platform's would be. */
export async function followOrderChange(tx: Tx, shop: Shop, order: OrderRow, previous: OrderRow): Promise<void> {
  const settings = await getSettings(tx, shop.id);
  const actor: Actor = { type: "platform", id: shop.platform };
  await followStoredOrder(tx, shop, order, previous, actor, settings.invoicePaymentMethods);
}
