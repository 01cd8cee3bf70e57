import { and, desc, eq, inArray, ne, sql } from "drizzle-orm";

import type { DbOrTx } from "#app/db/client.server";
import { bankCredits, cases, orderBankPayments, orders, statementImports } from "#app/db/schema";

/** What the tab's Payments page shows: credits waiting for a person with their candidates, the latest decided, imports. */
export type PaymentsPage = Awaited<ReturnType<typeof paymentsPage>>;

/** Credits listed per section: the review list is worked from the top, older decisions are in the CLI and API. */
const LIMIT = 100;

export async function paymentsPage(db: DbOrTx, shopId: string) {
  // One after another: on a tenant transaction the queries share one connection anyway.
  const review = await db
    .select()
    .from(bankCredits)
    .where(and(eq(bankCredits.shopId, shopId), eq(bankCredits.status, "review")))
    .orderBy(desc(bankCredits.bookingDate), desc(bankCredits.createdAt))
    .limit(LIMIT);
  const decided = await db
    .select()
    .from(bankCredits)
    .where(and(eq(bankCredits.shopId, shopId), ne(bankCredits.status, "review")))
    .orderBy(desc(bankCredits.bookingDate), desc(bankCredits.createdAt))
    .limit(LIMIT);
  const imports = await db
    .select()
    .from(statementImports)
    .where(eq(statementImports.shopId, shopId))
    .orderBy(desc(statementImports.importedAt))
    .limit(5);
  type Target = { caseId: string | null; orderId?: string };
  type Decision = {
    candidates?: (Target & { reasons: string[] })[];
    allocations?: (Target & { amountMinor: number })[];
    reasons?: string[];
  };
  const caseIds = new Set<string>();
  const orderIds = new Set<string>();
  for (const c of [...review, ...decided]) {
    const d = c.decision as Decision;
    for (const x of [...(d.candidates ?? []), ...(d.allocations ?? [])])
      if (x.caseId) caseIds.add(x.caseId);
      else if (x.orderId) orderIds.add(x.orderId);
  }
  const caseRows =
    caseIds.size === 0
      ? []
      : await db
          .select({
            id: cases.id,
            orderId: cases.orderId,
            orderName: cases.orderName,
            firstName: cases.customerFirstName,
            lastName: cases.customerLastName,
            status: cases.status,
            outstandingMinor: cases.outstandingMinor,
            currency: cases.currency,
          })
          .from(cases)
          .where(and(eq(cases.shopId, shopId), inArray(cases.id, [...caseIds])));
  // Orders paid (or offered) without a case: what they still owe by the bank's account.
  const orderRows =
    orderIds.size === 0
      ? []
      : await db
          .select({
            id: orders.id,
            name: orders.name,
            customer: orders.customer,
            outstandingMinor: orders.outstandingMinor,
            currency: orders.currency,
            // Qualified by hand: in a one-table select the builder writes the column unqualified, and inside the
            // subquery "id" would be the payment's own.
            paid: sql<string>`coalesce((select sum(p.amount_minor) from ${orderBankPayments} p where p.order_id = "orders"."id"), 0)`,
          })
          .from(orders)
          .where(and(eq(orders.shopId, shopId), inArray(orders.id, [...orderIds])));
  const byId = new Map(caseRows.map((c) => [c.id, c]));
  const byOrder = new Map(orderRows.map((o) => [o.id, o]));
  /** A case, or an order without one (id null: nothing to link to). */
  const targetView = (x: Target) => {
    const c = x.caseId ? byId.get(x.caseId) : undefined;
    if (c)
      return {
        id: c.id as string | null,
        orderId: c.orderId,
        orderName: c.orderName,
        customer: [c.firstName, c.lastName].filter(Boolean).join(" "),
        status: c.status as string | null,
        outstanding: { amountMinor: c.outstandingMinor, currency: c.currency },
      };
    const o = !x.caseId && x.orderId ? byOrder.get(x.orderId) : undefined;
    return o
      ? {
          id: null,
          orderId: o.id,
          orderName: o.name,
          customer: [o.customer.firstName, o.customer.lastName].filter(Boolean).join(" ") || (o.customer.company ?? ""),
          status: null,
          outstanding: { amountMinor: Math.max(0, o.outstandingMinor - Number(o.paid)), currency: o.currency },
        }
      : null;
  };
  const credit = (c: (typeof review)[number]) => ({
    id: c.id,
    bookingDate: c.bookingDate,
    amount: { amountMinor: c.amountMinor, currency: c.currency },
    payerName: c.payerName,
    payerIban: c.payerIban,
    remittance: c.remittance,
    status: c.status,
    resolvedBy: c.resolvedBy,
  });
  return {
    review: review.map((c) => ({
      ...credit(c),
      candidates: ((c.decision as Decision).candidates ?? []).flatMap((x) => {
        const view = targetView(x);
        // A candidate paid meanwhile (its case, or an order without one) is no choice any more.
        return view && view.status !== "paid" && view.outstanding.amountMinor > 0
          ? [{ case: view, reasons: x.reasons }]
          : [];
      }),
    })),
    decided: decided.map((c) => {
      const d = c.decision as Decision;
      return {
        ...credit(c),
        reasons: d.reasons ?? [],
        cases: (d.allocations ?? []).map(targetView).filter((v) => v !== null),
      };
    }),
    imports: imports.map((i) => ({
      id: i.id,
      at: i.importedAt.toISOString(),
      format: i.format,
      fileName: i.fileName,
      credits: i.credits,
      added: i.added,
      matched: i.matched,
      review: i.review,
    })),
  };
}
