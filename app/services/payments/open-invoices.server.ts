import { and, asc, eq, inArray, notInArray, sql } from "drizzle-orm";

import { type DbOrTx, rowsOf } from "#app/db/client.server";
import { bankCredits, caseEvents, cases, orderBankPayments, type OrderRow, orders, type Shop } from "#app/db/schema";
import { TERMINAL_STATUSES } from "#app/domain/case/status";
import { toLocalDate } from "#app/domain/dates";
import type { BaseRateTable } from "#app/domain/dunning/base-rates";
import { type Money, money } from "#app/domain/money";
import type { OpenInvoice } from "#app/domain/payments/matching";
import type { Settings } from "#app/domain/settings";
import { caseFromJson } from "#app/services/cases/serialization";
import { AMOUNT_EVENTS, type AmountEvent, amountsFromEvents } from "#app/services/dunning/amounts.server";
import { loadBaseRateTableFrom } from "#app/services/dunning/base-rates.server";
import { getSettings } from "#app/services/settings/settings.server";

/** Financial states of an order that still waits for its money (as the dunning sweep reads them). */
export const UNPAID_ORDER_STATUSES = ["pending", "partially_paid", "authorized"];

/**
 * What a bank credit can pay, as matching sees it: the shop's open invoice cases, and its unpaid invoice orders that
 * have no case yet (not yet due, or not yet swept into one). Each with the order's names, what it still owes, what
 * the last reminder demanded (cases only) and the IBANs the customer paid from before.
 */
export async function openInvoices(db: DbOrTx, shop: Shop): Promise<OpenInvoice[]> {
  const ibans = await knownIbans(db, shop.id);
  return [...(await openCases(db, shop, ibans)), ...(await caselessOrders(db, shop.id, ibans))];
}

const customerKeyOf = (order: Pick<OrderRow, "customer">) =>
  order.customer.platformCustomerId ?? order.customer.email?.trim().toLowerCase() ?? null;

function namesOf(order: Pick<OrderRow, "customer" | "billingAddress">): string[] {
  const names = [
    [order.customer.firstName, order.customer.lastName].filter(Boolean).join(" "),
    order.customer.company ?? "",
    order.billingAddress?.name ?? "",
    order.billingAddress?.company ?? "",
  ].filter((n) => n.trim() !== "");
  return [...new Set(names)];
}

async function openCases(db: DbOrTx, shop: Shop, ibans: Map<string, string[]>): Promise<OpenInvoice[]> {
  const open = and(
    eq(cases.shopId, shop.id),
    eq(cases.kind, "invoice"),
    notInArray(cases.status, [...TERMINAL_STATUSES]),
  );
  const rows = await db
    .select({ caseRow: cases, order: orders })
    .from(cases)
    .innerJoin(orders, eq(orders.id, cases.orderId))
    .where(open);
  if (rows.length === 0) return [];
  // The events every reminder's figures come from, for all open cases in one read.
  const events = new Map<string, AmountEvent[]>();
  for (const e of await db
    .select({
      caseId: caseEvents.caseId,
      type: caseEvents.type,
      data: caseEvents.data,
      occurredAt: caseEvents.occurredAt,
    })
    .from(caseEvents)
    .innerJoin(cases, eq(cases.id, caseEvents.caseId))
    .where(and(open, eq(caseEvents.shopId, shop.id), inArray(caseEvents.type, AMOUNT_EVENTS)))
    .orderBy(asc(caseEvents.caseId), asc(caseEvents.seq))) {
    const list = events.get(e.caseId);
    if (list) list.push(e);
    else events.set(e.caseId, [e]);
  }
  const reminded = [...events.values()].some((list) => list.some((e) => e.type === "dunning_level_reached"));
  const settings = reminded ? await getSettings(db, shop.id) : null;
  const baseRates = reminded ? await loadBaseRateTableFrom(db) : null;
  return rows.map(({ caseRow, order }) => {
    const key = customerKeyOf(order);
    const demanded =
      settings && baseRates
        ? lastDemand({ shop, caseRow, order, settings, baseRates, events: events.get(caseRow.id) ?? [] })
        : null;
    return {
      orderId: order.id,
      caseId: caseRow.id,
      orderName: order.name,
      currency: caseRow.currency,
      outstandingMinor: caseRow.outstandingMinor,
      dueMinor: demanded ?? caseRow.outstandingMinor,
      customerKey: key,
      names: namesOf(order),
      knownIbans: key ? (ibans.get(key) ?? []) : [],
    };
  });
}

/**
 * What the case's last reminder demanded, less what was paid since: the total it printed (outstanding, the fees the
 * reminders charged, statutory interest, the flat fee), computed by the reminders' own computation as of the day it
 * was reached (its letter's date; the e-mail goes out then). As of the last reminder rather than the booking date:
 * interest runs on daily, and a payer copies the total (or the GiroCode's amount) from the reminder in hand, not a
 * figure for the day the bank books the transfer. Null for a case no reminder has gone out for yet.
 */
function lastDemand(input: {
  shop: Shop;
  caseRow: typeof cases.$inferSelect;
  order: OrderRow;
  settings: Settings;
  baseRates: BaseRateTable;
  events: AmountEvent[];
}): number | null {
  const { shop, caseRow, events } = input;
  const last = events.filter((e) => e.type === "dunning_level_reached").at(-1);
  if (!last) return null;
  const day = toLocalDate(last.occurredAt, shop.timezone);
  const state = caseFromJson(caseRow.state);
  const { currency } = state.outstanding;
  // Paid since the reminder: the outstanding of that day was higher by as much, and the rest owed lower.
  const since = events
    .filter((e) => e.type === "payment_received" && toLocalDate(e.occurredAt, shop.timezone) > day)
    .reduce((sum, e) => {
      const amount = (e.data as { amount: Money }).amount;
      return sum + (amount.currency === currency ? amount.amountMinor : 0);
    }, 0);
  const { owed } = amountsFromEvents({
    shop,
    state: { ...state, outstanding: money(state.outstanding.amountMinor + since, currency) },
    order: input.order,
    settings: input.settings,
    events,
    on: day,
    baseRates: input.baseRates,
    upToLevel: (last.data as { level: NonNullable<typeof state.dunningLevel> }).level,
  });
  const rest = owed.total.amountMinor - since;
  return rest > 0 ? rest : null;
}

/**
 * Unpaid invoice orders without a case, less what bank credits already paid of them (order_bank_payments): what an
 * order still owes by the bank's account, whatever the platform shows before the write-back reaches it.
 *
 * Three single-table reads and a set difference here rather than one NOT EXISTS: on tables just filled (no statistics
 * yet) the planner ran that anti-join as a scan of all the shop's cases per order, 22 s at 10,000 orders (the
 * payment-matching bench). `= any(array(…))` is evaluated once and used as the index condition.
 */
async function caselessOrders(db: DbOrTx, shopId: string, ibans: Map<string, string[]>): Promise<OpenInvoice[]> {
  const unpaid = rowsOf<{ id: string; outstanding: string }>(
    await db.execute(sql`
      select o.id, o.outstanding_minor as outstanding from ${orders} o
      where o.shop_id = ${shopId} and o.is_invoice and o.cancelled_at is null and o.outstanding_minor > 0
        and o.financial_status = any(array(select jsonb_array_elements_text(${JSON.stringify(UNPAID_ORDER_STATUSES)}::jsonb)))`),
  );
  if (unpaid.length === 0) return [];
  const ids = (list: string[]) => sql`array(select jsonb_array_elements_text(${JSON.stringify(list)}::jsonb)::uuid)`;
  const withCase = new Set(
    rowsOf<{ order_id: string }>(
      await db.execute(sql`
        select c.order_id from ${cases} c
        where c.shop_id = ${shopId} and c.kind = 'invoice' and c.order_id = any(${ids(unpaid.map((o) => o.id))})`),
    ).map((r) => r.order_id),
  );
  const candidates = unpaid.filter((o) => !withCase.has(o.id));
  if (candidates.length === 0) return [];
  const paid = new Map(
    rowsOf<{ order_id: string; paid: string }>(
      await db.execute(sql`
        select p.order_id, sum(p.amount_minor) as paid from ${orderBankPayments} p
        where p.shop_id = ${shopId} and p.order_id = any(${ids(candidates.map((o) => o.id))}) group by p.order_id`),
    ).map((r) => [r.order_id, Number(r.paid)]),
  );
  const owed = new Map(
    candidates
      .map((o) => [o.id, Number(o.outstanding) - (paid.get(o.id) ?? 0)] as const)
      .filter(([, minor]) => minor > 0),
  );
  if (owed.size === 0) return [];
  const found = await db
    .select()
    .from(orders)
    .where(and(eq(orders.shopId, shopId), sql`${orders.id} = any(${ids([...owed.keys()])})`));
  return found.map((order) => {
    const key = customerKeyOf(order);
    return {
      orderId: order.id,
      caseId: null,
      orderName: order.name,
      currency: order.currency,
      outstandingMinor: owed.get(order.id)!,
      // No reminder has demanded anything on top: the order owes what it owes.
      dueMinor: null,
      customerKey: key,
      names: namesOf(order),
      knownIbans: key ? (ibans.get(key) ?? []) : [],
    };
  });
}

/** IBANs that paid a customer's orders before (credits matched or assigned to their orders), by customer key. */
async function knownIbans(db: DbOrTx, shopId: string): Promise<Map<string, string[]>> {
  const rows = await db.execute(sql`
    select distinct coalesce(o.customer->>'platformCustomerId', lower(trim(o.customer->>'email'))) as key, b.payer_iban as iban
    from ${bankCredits} b
    cross join lateral jsonb_array_elements(b.decision->'allocations') a
    join ${orders} o on o.id = (a->>'orderId')::uuid
    where b.shop_id = ${shopId} and b.status in ('matched', 'assigned') and b.payer_iban is not null`);
  const map = new Map<string, string[]>();
  for (const r of rowsOf<{ key: string | null; iban: string }>(rows))
    if (r.key) map.set(r.key, [...(map.get(r.key) ?? []), r.iban]);
  return map;
}
