import { and, desc, eq, inArray, ne } from "drizzle-orm";

import type { DbOrTx } from "#app/db/client.server";
import { bankCredits, cases, statementImports } from "#app/db/schema";

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
  type Decision = {
    candidates?: { caseId: string | null; reasons: string[] }[];
    allocations?: { caseId: string | null; amountMinor: number }[];
    reasons?: string[];
  };
  const caseIds = new Set<string>();
  for (const c of [...review, ...decided]) {
    const d = c.decision as Decision;
    for (const x of [...(d.candidates ?? []), ...(d.allocations ?? [])]) if (x.caseId) caseIds.add(x.caseId);
  }
  const caseRows =
    caseIds.size === 0
      ? []
      : await db
          .select({
            id: cases.id,
            orderName: cases.orderName,
            firstName: cases.customerFirstName,
            lastName: cases.customerLastName,
            status: cases.status,
            outstandingMinor: cases.outstandingMinor,
            currency: cases.currency,
          })
          .from(cases)
          .where(and(eq(cases.shopId, shopId), inArray(cases.id, [...caseIds])));
  const byId = new Map(caseRows.map((c) => [c.id, c]));
  const caseView = (id: string | null) => {
    const c = id ? byId.get(id) : undefined;
    return c
      ? {
          id: c.id,
          orderName: c.orderName,
          customer: [c.firstName, c.lastName].filter(Boolean).join(" "),
          status: c.status,
          outstanding: { amountMinor: c.outstandingMinor, currency: c.currency },
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
        const view = caseView(x.caseId);
        return view && view.status !== "paid" ? [{ case: view, reasons: x.reasons }] : [];
      }),
    })),
    decided: decided.map((c) => {
      const d = c.decision as Decision;
      return {
        ...credit(c),
        reasons: d.reasons ?? [],
        cases: (d.allocations ?? []).map((a) => caseView(a.caseId)).filter((v) => v !== null),
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
