import { createHash } from "node:crypto";

import { and, desc, eq, inArray, sql } from "drizzle-orm";
import { z } from "zod";

import { parseStatement } from "#adapters/bank/statement";
import { type DbOrTx, type Tx } from "#app/db/client.server";
import { bankCredits, cases, orderBankPayments, orders, outbox, type Shop, statementImports } from "#app/db/schema";
import type { Case } from "#app/domain/case/case";
import type { Actor, CaseEvent } from "#app/domain/case/events";
import { type CaseStatus, TERMINAL_STATUSES } from "#app/domain/case/status";
import { execute } from "#app/domain/case/transitions";
import { type BankCredit, StatementError } from "#app/domain/payments/bank-statement";
import { type Allocation, buildMatchIndex, matchCredit, type MatchDecision } from "#app/domain/payments/matching";
import { type OutboxInsert, persistMany } from "#app/services/cases/commands.server";
import { caseFromJson } from "#app/services/cases/serialization";

import { openInvoices, UNPAID_ORDER_STATUSES } from "./open-invoices.server";
import type { OrderWriteBack } from "./order-write-back";

/*
 * Bank statements in, payments out (docs/payment-matching.md): a camt.053/054 or MT940 file is parsed whole (a
 * malformed one stores nothing), its credits stored once per bank entry, each new credit matched against the shop's
 * open invoice cases and its unpaid invoice orders without a case, and every automatic match booked: on its case as a
 * payment by transfer with the reasons, on an order without a case as a payment recorded on the order.
 */

/** Uploads, the CLI and the API refuse statements above this size (a month of a busy shop is well below 2 MB). */
export const MAX_STATEMENT_BYTES = 20 * 1024 * 1024;

/** Rows per insert: bounded statements, bounded memory per round trip. */
const CHUNK = 500;
/** Credits booked per transaction: a statement in a few dozen transactions, not thousands. */
const BOOK_CHUNK = 250;

export type StatementImportResult =
  | {
      ok: true;
      importId: string;
      format: string;
      credits: number;
      added: number;
      matched: number;
      review: number;
      /** Credits of the file already imported before: nothing was done with them again. */
      known: number;
    }
  | { ok: false; error: { code: "invalid_statement" | "too_large"; message: string } };

export async function importStatement(
  db: DbOrTx,
  shop: Shop,
  file: { bytes: Buffer; name: string | null },
  meta: { actor: Actor; now: Date },
): Promise<StatementImportResult> {
  if (file.bytes.length > MAX_STATEMENT_BYTES)
    return {
      ok: false,
      error: { code: "too_large", message: `The file is larger than ${MAX_STATEMENT_BYTES / 1024 / 1024} MB.` },
    };
  let parsed;
  try {
    parsed = parseStatement(file.bytes);
  } catch (error) {
    if (error instanceof StatementError)
      return { ok: false, error: { code: "invalid_statement", message: error.message } };
    throw error;
  }
  const credits = parsed.credits.filter((c) => c.currency === shop.currency);
  const [row] = await db
    .insert(statementImports)
    .values({
      shopId: shop.id,
      format: parsed.format,
      fileSha256: createHash("sha256").update(file.bytes).digest("hex"),
      fileName: file.name?.slice(0, 200) ?? null,
      credits: parsed.credits.length,
      added: 0,
      matched: 0,
      review: 0,
      importedBy: meta.actor.id,
      importedAt: meta.now,
    })
    .returning({ id: statementImports.id });
  const importId = row!.id;

  const added = await storeCredits(db, shop.id, importId, credits);
  const index = buildMatchIndex(await openInvoices(db, shop));
  const decisions = added.map((credit) => ({ credit, decision: matchCredit(credit, index) }));
  let matched = 0;
  // Booked and recorded together, a chunk at a time: a credit is never booked while it still shows "review".
  for (let i = 0; i < decisions.length; i += BOOK_CHUNK) {
    const chunk = decisions.slice(i, i + BOOK_CHUNK);
    matched += await db.transaction(async (tx) => {
      const booked = await book(
        tx,
        shop,
        chunk.flatMap(({ credit, decision }) =>
          decision.kind === "auto" ? [{ credit, allocations: decision.allocations, reasons: decision.reasons }] : [],
        ),
        meta.actor,
      );
      await settle(
        tx,
        chunk.map(({ credit, decision }) =>
          decision.kind === "auto" && booked.has(credit.id)
            ? { id: credit.id, status: "matched" as const, decision }
            : {
                id: credit.id,
                status: "review" as const,
                decision: decision.kind === "review" ? decision : { kind: "review", candidates: [] },
              },
        ),
      );
      return booked.size;
    });
  }
  const review = added.length - matched;
  await db
    .update(statementImports)
    .set({ added: added.length, matched, review })
    .where(eq(statementImports.id, importId));
  return {
    ok: true,
    importId,
    format: parsed.format,
    credits: parsed.credits.length,
    added: added.length,
    matched,
    review,
    known: credits.length - added.length,
  };
}

type StoredCredit = BankCredit & { id: string };

/** Inserts the credits not stored before (by entry id), returning those: a repeated statement adds nothing. */
async function storeCredits(
  db: DbOrTx,
  shopId: string,
  importId: string,
  credits: BankCredit[],
): Promise<StoredCredit[]> {
  const stored: StoredCredit[] = [];
  const byEntry = new Map(credits.map((c) => [c.entryId, c]));
  const unique = [...byEntry.values()];
  for (let i = 0; i < unique.length; i += CHUNK) {
    const rows = await db
      .insert(bankCredits)
      .values(
        unique.slice(i, i + CHUNK).map((c) => ({
          shopId,
          importId,
          entryId: c.entryId,
          bookingDate: c.bookingDate,
          valueDate: c.valueDate,
          amountMinor: c.amountMinor,
          currency: c.currency,
          payerName: c.payerName,
          payerIban: c.payerIban,
          remittance: c.remittance,
          creditorReference: c.creditorReference,
          endToEndId: c.endToEndId,
          status: "review" as const,
          decision: {},
        })),
      )
      .onConflictDoNothing({ target: [bankCredits.shopId, bankCredits.entryId] })
      .returning({ id: bankCredits.id, entryId: bankCredits.entryId });
    for (const r of rows) stored.push({ ...byEntry.get(r.entryId)!, id: r.id });
  }
  return stored;
}

type Booking = {
  credit: Pick<StoredCredit, "id" | "entryId" | "bookingDate" | "currency">;
  allocations: Allocation[];
  reasons: string[];
};

/**
 * Books each allocation: on a case, as a payment by transfer at the booking date, with the bank entry on the event,
 * `bank:<entry>:<n>` as its source (booked once however often it is retried) and the reasons as its reason; on an
 * order without a case, as an order_bank_payments row, and once the order is paid in full the order-level
 * write-back that marks it paid on its platform. A credit one of whose orders or cases does not take it (a case
 * opened or closed meanwhile, the order paid on the platform) is booked on none. Returns the credits booked. The
 * caller holds the transaction (BOOK_CHUNK credits at most), so the locks and the credits' outcomes go together.
 */
async function book(tx: Tx, shop: Shop, bookings: Booking[], actor: Actor): Promise<Set<string>> {
  const booked = new Set<string>();
  const ids = [...new Set(bookings.flatMap((b) => b.allocations.map((a) => a.caseId).filter((id) => id !== null)))];
  const orderIds = [
    ...new Set(bookings.flatMap((b) => b.allocations.filter((a) => a.caseId === null).map((a) => a.orderId))),
  ];
  if (ids.length === 0 && orderIds.length === 0) return booked;
  // Orders before cases, each in id order: the order intake and the dunning sweep lock orders first too.
  const caseless = await lockCaselessOrders(tx, shop.id, orderIds);
  const rows =
    ids.length === 0
      ? []
      : await tx
          .select()
          .from(cases)
          .where(and(eq(cases.shopId, shop.id), inArray(cases.id, ids)))
          .orderBy(cases.id)
          .for("update");
  const byId = new Map(rows.map((row) => [row.id, { row, state: caseFromJson(row.state), events: [] as CaseEvent[] }]));
  const orderPayments: (typeof orderBankPayments.$inferInsert)[] = [];
  const writeBacks: OutboxInsert[] = [];
  for (const { credit, allocations, reasons } of bookings) {
    const occurredAt = new Date(`${credit.bookingDate}T12:00:00Z`);
    // Staged per credit: one allocation a case refuses leaves the credit's other cases untouched too.
    const staged = new Map<string, { state: Case; events: CaseEvent[] }>();
    const stagedOrders = new Map<string, number>();
    const fits = allocations.every((allocation, n) => {
      if (allocation.caseId === null) {
        const order = caseless.get(allocation.orderId);
        if (!order || order.currency !== credit.currency || order.owedMinor <= 0 || allocation.amountMinor <= 0)
          return false;
        stagedOrders.set(order.id, (stagedOrders.get(order.id) ?? 0) + allocation.amountMinor);
        return true;
      }
      const item = byId.get(allocation.caseId);
      if (!item) return false;
      const before = staged.get(item.row.id) ?? { state: item.state, events: [] };
      const result = execute(before.state, {
        command: {
          type: "payment",
          amount: { amountMinor: allocation.amountMinor, currency: credit.currency },
          side: "shop",
          channel: "transfer",
          bank: { entryId: credit.entryId, bookingDate: credit.bookingDate, reasons },
        },
        actor,
        occurredAt,
        sourceId: `bank:${credit.entryId}:${n}`,
        reason: `Überweisung vom ${credit.bookingDate}: ${reasons.join(", ")}`,
      });
      if (!result.ok) return false;
      staged.set(item.row.id, { state: result.value.state, events: [...before.events, ...result.value.events] });
      return true;
    });
    if (!fits) continue;
    for (const [caseId, { state, events }] of staged) {
      const item = byId.get(caseId)!;
      item.state = state;
      item.events.push(...events);
    }
    for (const [orderId, amountMinor] of stagedOrders) {
      const order = caseless.get(orderId)!;
      orderPayments.push({
        shopId: shop.id,
        orderId,
        creditId: credit.id,
        amountMinor,
        currency: credit.currency,
        bookingDate: credit.bookingDate,
        actorId: actor.id,
      });
      order.owedMinor -= amountMinor;
      // Paid in full: the platform is told, as a case paid by the bank is (the handler reads bankMatch.markOrderPaid).
      if (order.owedMinor <= 0)
        writeBacks.push({
          shopId: shop.id,
          caseId: null,
          kind: `${shop.platform}.write_back`,
          idempotencyKey: `writeback:order:${orderId}:${credit.id}`,
          payload: { orderId, status: "paid", markPaid: true, paidBy: "bank" } satisfies OrderWriteBack,
          nextAttemptAt: occurredAt,
        });
    }
    booked.add(credit.id);
  }
  await persistMany(
    tx,
    [...byId.values()].filter((item) => item.events.length > 0),
  );
  if (orderPayments.length > 0)
    await tx
      .insert(orderBankPayments)
      .values(orderPayments)
      .onConflictDoNothing({
        target: [orderBankPayments.creditId, orderBankPayments.orderId],
      });
  if (writeBacks.length > 0) await tx.insert(outbox).values(writeBacks).onConflictDoNothing();
  return booked;
}

/**
 * The orders a credit may pay without a case, locked: still an unpaid invoice order, still without a case, and what
 * it owes less the bank credits that paid it before. An order not among them (a case opened meanwhile, paid or
 * cancelled on the platform) refuses the credit, which then waits for a person.
 */
async function lockCaselessOrders(tx: Tx, shopId: string, orderIds: string[]) {
  const owed = new Map<string, { id: string; currency: string; owedMinor: number }>();
  if (orderIds.length === 0) return owed;
  const locked = await tx
    .select({
      id: orders.id,
      currency: orders.currency,
      outstandingMinor: orders.outstandingMinor,
      financialStatus: orders.financialStatus,
      isInvoice: orders.isInvoice,
      cancelledAt: orders.cancelledAt,
    })
    .from(orders)
    .where(and(eq(orders.shopId, shopId), inArray(orders.id, orderIds)))
    .orderBy(orders.id)
    .for("update");
  const withCase = new Set(
    (
      await tx
        .select({ orderId: cases.orderId })
        .from(cases)
        .where(and(eq(cases.shopId, shopId), inArray(cases.orderId, orderIds), eq(cases.kind, "invoice")))
    ).map((r) => r.orderId),
  );
  const paid = new Map(
    (
      await tx
        .select({ orderId: orderBankPayments.orderId, sum: sql<string>`sum(${orderBankPayments.amountMinor})` })
        .from(orderBankPayments)
        .where(and(eq(orderBankPayments.shopId, shopId), inArray(orderBankPayments.orderId, orderIds)))
        .groupBy(orderBankPayments.orderId)
    ).map((r) => [r.orderId, Number(r.sum)]),
  );
  for (const o of locked) {
    if (!o.isInvoice || o.cancelledAt || o.outstandingMinor <= 0 || withCase.has(o.id)) continue;
    if (!UNPAID_ORDER_STATUSES.includes(o.financialStatus)) continue;
    owed.set(o.id, { id: o.id, currency: o.currency, owedMinor: o.outstandingMinor - (paid.get(o.id) ?? 0) });
  }
  return owed;
}

export type ReviewOutcome =
  { ok: true } | { ok: false; error: { code: "not_found" | "not_in_review" | "case_not_open"; message: string } };

/**
 * Staff book a credit from the review list, as the person who decided: on one open case of the shop, or on an unpaid
 * invoice order that has no case yet (recorded as paid by the bank, as an automatic match would).
 */
export async function assignCredit(
  db: DbOrTx,
  shop: Shop,
  input: { creditId: string; target: { caseId: string } | { orderId: string }; actor: Actor; now: Date },
): Promise<ReviewOutcome> {
  const credit = await reviewCredit(db, shop.id, input.creditId);
  if (!credit.ok) return credit;
  const notOpen = {
    ok: false,
    error: { code: "case_not_open", message: "That case is not open in this currency." },
  } as const;
  let allocations: Allocation[];
  if ("caseId" in input.target) {
    if (!z.uuid().safeParse(input.target.caseId).success) return notOpen;
    const [target] = await db
      .select({ id: cases.id, orderId: cases.orderId, status: cases.status, currency: cases.currency })
      .from(cases)
      .where(and(eq(cases.shopId, shop.id), eq(cases.id, input.target.caseId)))
      .limit(1);
    if (!target || TERMINAL_STATUSES.includes(target.status as CaseStatus) || target.currency !== credit.row.currency)
      return notOpen;
    allocations = [{ orderId: target.orderId, caseId: target.id, amountMinor: credit.row.amountMinor }];
  } else {
    // Whether the order may still take it (unpaid, no case, this currency) is decided under its lock in book().
    if (!z.uuid().safeParse(input.target.orderId).success) return notOpen;
    allocations = [{ orderId: input.target.orderId, caseId: null, amountMinor: credit.row.amountMinor }];
  }
  return db.transaction(async (tx) => {
    const booked = await book(tx, shop, [{ credit: credit.row, allocations, reasons: ["assigned"] }], input.actor);
    if (!booked.has(credit.row.id))
      return {
        ok: false,
        error: { code: "case_not_open", message: "The case or order refused the payment." },
      } as const;
    await tx
      .update(bankCredits)
      .set({
        status: "assigned",
        decision: { ...(credit.row.decision as object), kind: "assigned", allocations, reasons: ["assigned"] },
        resolvedBy: input.actor.id,
        resolvedAt: input.now,
      })
      .where(and(eq(bankCredits.id, credit.row.id), eq(bankCredits.status, "review")));
    return { ok: true } as const;
  });
}

/** Staff set a credit aside (someone else's money, a refund, paid twice): it stays listed as dismissed. */
export async function dismissCredit(
  db: DbOrTx,
  shop: Shop,
  input: { creditId: string; actor: Actor; now: Date },
): Promise<ReviewOutcome> {
  const credit = await reviewCredit(db, shop.id, input.creditId);
  if (!credit.ok) return credit;
  await db
    .update(bankCredits)
    .set({ status: "dismissed", resolvedBy: input.actor.id, resolvedAt: input.now })
    .where(eq(bankCredits.id, credit.row.id));
  return { ok: true };
}

async function reviewCredit(db: DbOrTx, shopId: string, creditId: string) {
  if (!z.uuid().safeParse(creditId).success)
    return { ok: false, error: { code: "not_found", message: "No such credit." } } as const;
  const [row] = await db
    .select()
    .from(bankCredits)
    .where(and(eq(bankCredits.shopId, shopId), eq(bankCredits.id, creditId)))
    .for("update")
    .limit(1);
  if (!row) return { ok: false, error: { code: "not_found", message: "No such credit." } } as const;
  if (row.status !== "review")
    return { ok: false, error: { code: "not_in_review", message: "That credit was already decided." } } as const;
  return { ok: true, row } as const;
}

/** The outcomes of a chunk of new credits, in one statement. */
async function settle(
  tx: Tx,
  outcomes: { id: string; status: "matched" | "review"; decision: MatchDecision }[],
): Promise<void> {
  if (outcomes.length === 0) return;
  await tx.execute(sql`
    update ${bankCredits} b set status = o.status, decision = o.decision
    from jsonb_to_recordset(${JSON.stringify(outcomes)}::jsonb) as o(id uuid, status text, decision jsonb)
    where b.id = o.id`);
}

export const BANK_CREDIT_STATUSES = ["matched", "review", "assigned", "dismissed"] as const;

export type BankCreditJson = {
  id: string;
  bookingDate: string;
  amount: { amountMinor: number; currency: string };
  payerName: string | null;
  payerIban: string | null;
  remittance: string;
  status: (typeof BANK_CREDIT_STATUSES)[number];
  /** The cases it was booked on (matched, assigned), or the candidates offered (review). */
  cases: string[];
  /** The orders of those, with or without a case: an order paid before it had a case appears only here. */
  orders: string[];
  decision: unknown;
};

/** The newest credits of the shop (at most 250), optionally of one status. */
export async function listBankCredits(
  db: DbOrTx,
  shopId: string,
  filter: { status?: (typeof BANK_CREDIT_STATUSES)[number] },
): Promise<BankCreditJson[]> {
  const rows = await db
    .select()
    .from(bankCredits)
    .where(and(eq(bankCredits.shopId, shopId), filter.status ? eq(bankCredits.status, filter.status) : undefined))
    .orderBy(desc(bankCredits.bookingDate), desc(bankCredits.createdAt))
    .limit(250);
  return rows.map((r) => {
    const decision = r.decision as {
      allocations?: { caseId: string | null; orderId?: string }[];
      candidates?: { caseId: string | null; orderId?: string }[];
    };
    const targets = decision.allocations ?? decision.candidates ?? [];
    const cases = targets.map((a) => a.caseId).filter(Boolean) as string[];
    const orders = targets.map((a) => a.orderId).filter(Boolean) as string[];
    return {
      id: r.id,
      bookingDate: r.bookingDate,
      amount: { amountMinor: r.amountMinor, currency: r.currency },
      payerName: r.payerName,
      payerIban: r.payerIban,
      remittance: r.remittance,
      status: r.status,
      cases,
      orders,
      decision: r.decision,
    };
  });
}
