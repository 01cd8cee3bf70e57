import { createHash } from "node:crypto";

import { and, desc, eq, inArray, notInArray, sql } from "drizzle-orm";
import { z } from "zod";

import { parseStatement } from "#adapters/bank/statement";
import { type DbOrTx, rowsOf, type Tx } from "#app/db/client.server";
import { bankCredits, caseEvents, cases, orders, type Shop, statementImports } from "#app/db/schema";
import type { Case } from "#app/domain/case/case";
import type { Actor, CaseEvent } from "#app/domain/case/events";
import { type CaseStatus, TERMINAL_STATUSES } from "#app/domain/case/status";
import { execute } from "#app/domain/case/transitions";
import { type BankCredit, StatementError } from "#app/domain/payments/bank-statement";
import {
  type Allocation,
  buildMatchIndex,
  matchCredit,
  type MatchDecision,
  type OpenInvoice,
} from "#app/domain/payments/matching";
import { persistMany } from "#app/services/cases/commands.server";
import { caseFromJson } from "#app/services/cases/serialization";

/*
 * Bank statements in, payments out (docs/payment-matching.md): a camt.053/054 or MT940 file is parsed whole (a
 * malformed one stores nothing), its credits stored once per bank entry, each new credit matched against the shop's
 * open invoice cases, and every automatic match booked on its case as a payment by transfer with the reasons.
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
  const index = buildMatchIndex(await openInvoices(db, shop.id));
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

/**
 * The shop's open invoice cases as matching sees them: the order's names, what is outstanding, what the reminders
 * asked for on top (their fees; interest accrues daily and is left out), and the IBANs the customer paid from before.
 */
export async function openInvoices(db: DbOrTx, shopId: string): Promise<OpenInvoice[]> {
  const rows = await db
    .select({ caseRow: cases, order: orders })
    .from(cases)
    .innerJoin(orders, eq(orders.id, cases.orderId))
    .where(and(eq(cases.shopId, shopId), eq(cases.kind, "invoice"), notInArray(cases.status, [...TERMINAL_STATUSES])));
  if (rows.length === 0) return [];
  const fees = new Map<string, number>();
  for (const f of await db
    .select({
      caseId: caseEvents.caseId,
      fees: sql<string>`coalesce(sum((${caseEvents.data}->'fee'->>'amountMinor')::bigint), 0)`,
    })
    .from(caseEvents)
    .where(and(eq(caseEvents.shopId, shopId), eq(caseEvents.type, "dunning_level_reached")))
    .groupBy(caseEvents.caseId))
    fees.set(f.caseId, Number(f.fees));
  const keyOf = (order: (typeof rows)[number]["order"]) =>
    order.customer.platformCustomerId ?? order.customer.email?.trim().toLowerCase() ?? null;
  const ibans = await knownIbans(db, shopId);
  return rows.map(({ caseRow, order }) => {
    const key = keyOf(order);
    const names = [
      [order.customer.firstName, order.customer.lastName].filter(Boolean).join(" "),
      order.customer.company ?? "",
      order.billingAddress?.name ?? "",
      order.billingAddress?.company ?? "",
    ].filter((n) => n.trim() !== "");
    return {
      orderId: order.id,
      caseId: caseRow.id,
      orderName: order.name,
      currency: caseRow.currency,
      outstandingMinor: caseRow.outstandingMinor,
      dueMinor: caseRow.outstandingMinor + (fees.get(caseRow.id) ?? 0),
      customerKey: key,
      names: [...new Set(names)],
      knownIbans: key ? (ibans.get(key) ?? []) : [],
    };
  });
}

/** IBANs that paid a customer's orders before (credits matched or assigned to their cases), by customer key. */
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

type Booking = {
  credit: Pick<StoredCredit, "id" | "entryId" | "bookingDate" | "currency">;
  allocations: Allocation[];
  reasons: string[];
};

/**
 * Books each allocation as a payment by transfer on its case, at the booking date, with the bank entry on the event
 * and `bank:<entry>:<n>` as its source (booked once however often it is retried) and the reasons as its reason. A
 * credit whose cases do not all take it (closed meanwhile) is booked on none. Returns the credits booked. The caller
 * holds the transaction (BOOK_CHUNK credits at most), so the cases' locks and the credits' outcomes go together.
 */
async function book(tx: Tx, shop: Shop, bookings: Booking[], actor: Actor): Promise<Set<string>> {
  const booked = new Set<string>();
  const ids = [...new Set(bookings.flatMap((b) => b.allocations.map((a) => a.caseId).filter((id) => id !== null)))];
  if (ids.length === 0) return booked;
  // In id order, as every batch writer locks, so two imports never deadlock.
  const rows = await tx
    .select()
    .from(cases)
    .where(and(eq(cases.shopId, shop.id), inArray(cases.id, ids)))
    .orderBy(cases.id)
    .for("update");
  const byId = new Map(rows.map((row) => [row.id, { row, state: caseFromJson(row.state), events: [] as CaseEvent[] }]));
  for (const { credit, allocations, reasons } of bookings) {
    const occurredAt = new Date(`${credit.bookingDate}T12:00:00Z`);
    // Staged per credit: one allocation a case refuses leaves the credit's other cases untouched too.
    const staged = new Map<string, { state: Case; events: CaseEvent[] }>();
    const fits = allocations.every((allocation, n) => {
      const item = allocation.caseId ? byId.get(allocation.caseId) : undefined;
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
    booked.add(credit.id);
  }
  await persistMany(
    tx,
    [...byId.values()].filter((item) => item.events.length > 0),
  );
  return booked;
}

export type ReviewOutcome =
  { ok: true } | { ok: false; error: { code: "not_found" | "not_in_review" | "case_not_open"; message: string } };

/** Staff book a credit from the review list on one open case of the shop, as the person who decided. */
export async function assignCredit(
  db: DbOrTx,
  shop: Shop,
  input: { creditId: string; caseId: string; actor: Actor; now: Date },
): Promise<ReviewOutcome> {
  const credit = await reviewCredit(db, shop.id, input.creditId);
  if (!credit.ok) return credit;
  const [target] = await db
    .select({ id: cases.id, orderId: cases.orderId, status: cases.status, currency: cases.currency })
    .from(cases)
    .where(and(eq(cases.shopId, shop.id), eq(cases.id, input.caseId)))
    .limit(1);
  if (!target || TERMINAL_STATUSES.includes(target.status as CaseStatus) || target.currency !== credit.row.currency)
    return { ok: false, error: { code: "case_not_open", message: "That case is not open in this currency." } };
  const allocations = [{ orderId: target.orderId, caseId: target.id, amountMinor: credit.row.amountMinor }];
  return db.transaction(async (tx) => {
    const booked = await book(tx, shop, [{ credit: credit.row, allocations, reasons: ["assigned"] }], input.actor);
    if (!booked.has(credit.row.id))
      return { ok: false, error: { code: "case_not_open", message: "The case refused the payment." } } as const;
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
      allocations?: { caseId: string | null }[];
      candidates?: { caseId: string | null }[];
    };
    const cases = (decision.allocations ?? decision.candidates ?? []).map((a) => a.caseId).filter(Boolean) as string[];
    return {
      id: r.id,
      bookingDate: r.bookingDate,
      amount: { amountMinor: r.amountMinor, currency: r.currency },
      payerName: r.payerName,
      payerIban: r.payerIban,
      remittance: r.remittance,
      status: r.status,
      cases,
      decision: r.decision,
    };
  });
}
