import { and, eq, gte, inArray, sql } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";

import type { DbOrTx } from "#app/db/client.server";
import { caseEvents, cases, checkoutGuardDays, type Shop } from "#app/db/schema";
import { startOfLocalDay, toLocalDate } from "#app/domain/dates";

import { countCasesByStatus } from "./list.server";

/** Statuses in which money is still owed to the shop. */
export const OPEN_STATUSES = ["waiting_for_approval", "running", "handed_over", "blocked", "failed"] as const;

export type MonthFigure = {
  month: string;
  newCases: number;
  recoveredShopMinor: number;
  recoveredPartnerMinor: number;
};

export type Report = {
  currency: string;
  openMinor: number;
  recoveredShopMinor: number;
  recoveredPartnerMinor: number;
  /** The same money by how it arrived: the pay-now link, a payment the shop recorded (transfer), the partner. */
  recoveredByChannel: { link: number; transfer: number; partner: number };
  recoveredMinor: number;
  /** Checkouts the WooCommerce checkout guard steered away from invoice in the report's months; null on Shopify. */
  checkoutsSteered: number | null;
  /** Recovered ÷ (recovered + what is still owed on started cases), in basis points; null before any case was started. */
  recoveryRateBp: number | null;
  averageDaysToPayment: number | null;
  paidCases: number;
  byStatus: Awaited<ReturnType<typeof countCasesByStatus>>;
  months: MonthFigure[];
};

/**
 * The overview's figures, all in the shop's currency (cases in another currency are left out) and calendar months
 * of the shop's zone. "Recovered" counts payments received on a case after it was started (the dunning's work):
 * in-house when the shop was paid, by the partner when the partner collected.
 */
export async function buildReport(db: DbOrTx, shop: Shop, now: Date, monthCount = 12): Promise<Report> {
  const tz = shop.timezone;
  const inShop = and(eq(cases.shopId, shop.id), eq(cases.currency, shop.currency));
  const started = alias(caseEvents, "started");
  const payment = alias(caseEvents, "payment");

  const [open] = await db
    .select({ minor: sql<string>`coalesce(sum(${cases.outstandingMinor}), 0)::text` })
    .from(cases)
    .where(and(inShop, inArray(cases.status, [...OPEN_STATUSES])));

  const startedCases = db
    .select({ caseId: started.caseId, at: sql`min(${started.occurredAt})`.as("at") })
    .from(started)
    .where(and(eq(started.shopId, shop.id), eq(started.type, "case_started")))
    .groupBy(started.caseId)
    .as("s");

  const paymentRows = await db
    .select({
      side: sql<string>`${payment.data}->>'side'`,
      // Shop payments before the pay-now link carry no channel: the shop recorded them.
      channel: sql<string>`coalesce(${payment.data}->>'channel', 'transfer')`,
      month: sql<string>`to_char(${payment.occurredAt} at time zone ${tz}, 'YYYY-MM')`,
      minor: sql<string>`sum((${payment.data}->'amount'->>'amountMinor')::bigint)::text`,
    })
    .from(payment)
    .innerJoin(startedCases, eq(startedCases.caseId, payment.caseId))
    .innerJoin(cases, eq(cases.id, payment.caseId))
    .where(
      and(
        inShop,
        eq(payment.shopId, shop.id),
        eq(payment.type, "payment_received"),
        gte(payment.occurredAt, startedCases.at),
      ),
    )
    .groupBy(sql`1`, sql`2`, sql`3`);

  const [owedOnStarted] = await db
    .select({ minor: sql<string>`coalesce(sum(${cases.outstandingMinor}), 0)::text` })
    .from(cases)
    .innerJoin(startedCases, eq(startedCases.caseId, cases.id))
    .where(inShop);

  // Days from the due date to the payment that settled the case, counted in the shop's calendar.
  const [paid] = await db
    .select({
      n: sql<number>`count(*)::int`,
      avgDays: sql<
        string | null
      >`avg(((select max(p.occurred_at) from case_events p where p.case_id = "cases"."id" and p.type = 'payment_received') at time zone ${tz})::date - "cases"."due_date")::text`,
    })
    .from(cases)
    .where(and(inShop, eq(cases.status, "paid")));

  const thisMonth = toLocalDate(now, tz).slice(0, 7);
  const monthKeys: string[] = [];
  for (let i = monthCount - 1; i >= 0; i--) monthKeys.push(shiftMonth(thisMonth, -i));
  const since = startOfLocalDay(`${monthKeys[0]}-01`, tz);
  const newRows = await db
    .select({
      month: sql<string>`to_char(${cases.createdAt} at time zone ${tz}, 'YYYY-MM')`,
      n: sql<number>`count(*)::int`,
    })
    .from(cases)
    .where(and(eq(cases.shopId, shop.id), gte(cases.createdAt, sql`${since.toISOString()}::timestamptz`)))
    .groupBy(sql`1`);

  const [steered] =
    shop.platform === "woocommerce"
      ? await db
          .select({ n: sql<string>`coalesce(sum(${checkoutGuardDays.steered}), 0)::text` })
          .from(checkoutGuardDays)
          .where(and(eq(checkoutGuardDays.shopId, shop.id), gte(checkoutGuardDays.day, `${monthKeys[0]}-01`)))
      : [];

  let recoveredShopMinor = 0;
  let recoveredPartnerMinor = 0;
  const recoveredByChannel = { link: 0, transfer: 0, partner: 0 };
  const months = new Map<string, MonthFigure>(
    monthKeys.map((m) => [m, { month: m, newCases: 0, recoveredShopMinor: 0, recoveredPartnerMinor: 0 }]),
  );
  for (const row of paymentRows) {
    const minor = Number(row.minor);
    const figure = months.get(row.month);
    if (row.side === "partner") {
      recoveredPartnerMinor += minor;
      recoveredByChannel.partner += minor;
      if (figure) figure.recoveredPartnerMinor += minor;
    } else {
      recoveredShopMinor += minor;
      recoveredByChannel[row.channel === "link" ? "link" : "transfer"] += minor;
      if (figure) figure.recoveredShopMinor += minor;
    }
  }
  for (const row of newRows) {
    const figure = months.get(row.month);
    if (figure) figure.newCases = Number(row.n);
  }
  const recoveredMinor = recoveredShopMinor + recoveredPartnerMinor;
  const base = recoveredMinor + Number(owedOnStarted?.minor ?? 0);
  return {
    currency: shop.currency,
    openMinor: Number(open?.minor ?? 0),
    recoveredShopMinor,
    recoveredPartnerMinor,
    recoveredByChannel,
    recoveredMinor,
    checkoutsSteered: steered ? Number(steered.n) : null,
    recoveryRateBp: base > 0 ? Math.round((recoveredMinor * 10_000) / base) : null,
    averageDaysToPayment: paid?.avgDays == null ? null : Math.round(Number(paid.avgDays) * 10) / 10,
    paidCases: Number(paid?.n ?? 0),
    byStatus: await countCasesByStatus(db, shop.id, {}, { timeZone: tz, now }),
    months: [...months.values()],
  };
}

/** "2026-03" moved by n months. */
export function shiftMonth(month: string, n: number): string {
  const [y, m] = month.split("-").map(Number) as [number, number];
  const d = new Date(Date.UTC(y, m - 1 + n, 1));
  return d.toISOString().slice(0, 7);
}
