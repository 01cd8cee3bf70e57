import { and, eq, inArray, sql } from "drizzle-orm";
import { v7 as uuidv7 } from "uuid";

import type { DbOrTx, Tx } from "#app/db/client.server";
import {
  caseEvents,
  type CaseRow,
  cases,
  orderBankPayments,
  type OrderRow,
  orders,
  outbox,
  type Shop,
  shops,
} from "#app/db/schema";
import type { Case } from "#app/domain/case/case";
import type { Debtor } from "#app/domain/case/checks";
import { type Actor, applyEvent, type CaseEvent } from "#app/domain/case/events";
import { openCase } from "#app/domain/case/open";
import { type CaseKind, type CaseStatus, isTerminal } from "#app/domain/case/status";
import { type CaseCommand, type CommandEnvelope, execute, type Refusal } from "#app/domain/case/transitions";
import type { LocalDate } from "#app/domain/dates";
import type { DebtorKind } from "#app/domain/dunning/debtor";
import { nextStep, stepInstant } from "#app/domain/dunning/schedule";
import type { Money } from "#app/domain/money";
import { startsAutomatically } from "#app/domain/policies";
import type { Settings } from "#app/domain/settings";
import { getSettings } from "#app/services/settings/settings.server";
import { insertCustomerFlags, queueCustomerFlags } from "#app/services/shopify/invoice-guard.server";

import { caseFromJson, caseToJson, eventData } from "./serialization";

/** Currencies the collection partner accepts; the partner adapter's capabilities refine this per partner. */
export const SUPPORTED_CURRENCIES = ["EUR"] as const;

export type CaseCommandError =
  | { code: "not_found"; message: string; details?: undefined }
  | { code: Refusal["code"]; message: string; details: { from: string; command: string } };

export type CaseCommandResult =
  { ok: true; case: CaseRow; events: CaseEvent[] } | { ok: false; error: CaseCommandError };

/**
 * Runs one command against one case in one transaction: the case row is locked (FOR UPDATE), the pure domain
 * decides, the events are appended, the row is updated from the new state. Two concurrent actions on one case
 * are serialized by the lock, so the second sees the first's result.
 */
export async function executeCaseCommand(
  db: DbOrTx,
  input: {
    shopId: string;
    caseId: string;
    /** A function decides under the lock; null means there is nothing to do (the state moved on meanwhile). */
    envelope: CommandEnvelope | ((state: Case, tx: Tx) => Promise<CommandEnvelope | null>);
    /** Runs in the same transaction after the events are stored (e.g. the outbox row they cause). */
    afterEvents?: (tx: Tx, row: CaseRow, events: CaseEvent[]) => Promise<void>;
  },
): Promise<CaseCommandResult> {
  return db.transaction(async (tx) => {
    const [row] = await tx
      .select()
      .from(cases)
      .where(and(eq(cases.shopId, input.shopId), eq(cases.id, input.caseId)))
      .for("update")
      .limit(1);
    if (!row) return { ok: false, error: { code: "not_found", message: "No such case." } } as const;
    const state = caseFromJson(row.state);
    const envelope = typeof input.envelope === "function" ? await input.envelope(state, tx) : input.envelope;
    if (!envelope) return { ok: true, case: row, events: [] } as const;
    const result = execute(state, envelope);
    if (!result.ok) {
      const { code, message, from, command } = result.error;
      return { ok: false, error: { code, message, details: { from, command } } } as const;
    }
    if (result.value.events.length === 0) return { ok: true, case: row, events: [] } as const;
    const updated = await persist(tx, row, result.value.state, result.value.events);
    await input.afterEvents?.(tx, updated, result.value.events);
    return { ok: true, case: updated, events: result.value.events } as const;
  });
}

async function persist(tx: Tx, row: CaseRow, state: Case, events: CaseEvent[]): Promise<CaseRow> {
  const [updated] = await persistMany(tx, [{ row, state, events }]);
  return updated!;
}

/** An outbox row a step causes; status, attempts and timestamps take their defaults. */
export type OutboxInsert = Pick<
  typeof outbox.$inferInsert,
  "shopId" | "caseId" | "kind" | "idempotencyKey" | "payload"
> & { nextAttemptAt: Date };

/** What persistMany reads of a locked case row: the caller selects at least these columns. */
export type LockedCase = Pick<CaseRow, "id" | "shopId" | "status" | "state" | "version">;

/** The columns persistMany writes, and those PostgreSQL derives from them on the update. */
type Written = Pick<
  CaseRow,
  | "status"
  | "outstandingMinor"
  | "dunningLevel"
  | "nextActionAt"
  | "partnerReference"
  | "partnerSubStatus"
  | "cancellationRequested"
  | "state"
  | "version"
  | "updatedAt"
  | "statusRank"
>;

/**
 * What persist does for one case, for many locked cases at once (the dunning sweep's batches): their events
 * appended, their rows updated from the new states, the write-backs and partner calls they cause queued — in three
 * statements however many cases. `effects` adds the caller's own outbox rows for each case (same insert).
 * Returns the rows as updated (the caller's row with the written columns replaced) in the order of `items`.
 *
 * Each statement takes its rows as one jsonb parameter (jsonb_to_recordset): the statement text is the same for any
 * batch size, so it is prepared once per connection, and no multi-thousand-parameter VALUES list is built.
 */
export async function persistMany<R extends LockedCase>(
  tx: Tx,
  items: { row: R; state: Case; events: CaseEvent[] }[],
  effects: (after: R & Written, events: CaseEvent[]) => OutboxInsert[] = () => [],
): Promise<(R & Written)[]> {
  if (items.length === 0) return [];
  // seq continues each case's gapless sequence: the statement's snapshot is taken after the case rows were locked, and
  // every writer of a case's events holds that lock, so max(seq) cannot move before the insert; `n` numbers the
  // batch's own events of a case (the statement does not see its own rows).
  // Time-ordered ids (UUIDv7) for the appended events and outbox rows: their primary keys grow at the right edge
  // instead of at a random leaf page per row, which at a million cases is a page read and written per row each.
  const events = items.flatMap(({ row, events: list }) =>
    list.map((event, i) => ({
      id: uuidv7(),
      shop_id: row.shopId,
      case_id: row.id,
      n: i + 1,
      type: event.type,
      actor_type: event.actor.type,
      actor_id: event.actor.id,
      actor_name: event.actor.name ?? null,
      reason: event.reason,
      data: eventData(event),
      source_id: event.sourceId,
      occurred_at: event.occurredAt.toISOString(),
    })),
  );
  if (events.length > 0) {
    await tx.execute(sql`
      insert into case_events (id, shop_id, case_id, seq, type, actor_type, actor_id, actor_name, reason, data, source_id, occurred_at)
      select e.id, e.shop_id, e.case_id, coalesce((select max(x.seq) from case_events x where x.case_id = e.case_id), 0) + e.n,
             e.type, e.actor_type, e.actor_id, e.actor_name, e.reason, e.data, e.source_id, e.occurred_at
      from jsonb_to_recordset(${JSON.stringify(events)}::jsonb) as e(id uuid, shop_id uuid, case_id uuid, n int, type text, actor_type text,
        actor_id text, actor_name text, reason text, data jsonb, source_id text, occurred_at timestamptz)`);
  }
  // One UPDATE … FROM jsonb_to_recordset for all rows: the projection of each new state, version + 1 under the lock.
  // Only what PostgreSQL computes comes back; the rest of each row is what was just written.
  const projections = items.map(({ state }) => projection(state));
  const values = items.map(({ row }, i) => {
    const p = projections[i]!;
    return {
      id: row.id,
      status: p.status,
      outstanding_minor: p.outstandingMinor,
      dunning_level: p.dunningLevel,
      next_action_at: p.nextActionAt?.toISOString() ?? null,
      partner_reference: p.partnerReference,
      partner_sub_status: p.partnerSubStatus,
      cancellation_requested: p.cancellationRequested,
      state: p.state,
    };
  });
  const returned = await tx
    .update(cases)
    .set({
      status: sql`v.status`,
      outstandingMinor: sql`v.outstanding_minor`,
      dunningLevel: sql`v.dunning_level`,
      nextActionAt: sql`v.next_action_at`,
      partnerReference: sql`v.partner_reference`,
      partnerSubStatus: sql`v.partner_sub_status`,
      cancellationRequested: sql`v.cancellation_requested`,
      state: sql`v.state`,
      version: sql`${cases.version} + 1`,
      updatedAt: sql`now()`,
    })
    .from(
      sql`jsonb_to_recordset(${JSON.stringify(values)}::jsonb) as v(id uuid, status text, outstanding_minor bigint, dunning_level text,
        next_action_at timestamptz, partner_reference text, partner_sub_status text, cancellation_requested boolean, state jsonb)`,
    )
    .where(sql`${cases.id} = v.id`)
    .returning({ id: cases.id, version: cases.version, updatedAt: cases.updatedAt, statusRank: cases.statusRank });
  const byId = new Map(returned.map((r) => [r.id, r]));
  const updated = items.map(({ row }, i): R & Written => {
    const r = byId.get(row.id);
    if (!r) throw new Error(`case ${row.id} was not updated: persistMany needs the caller to hold its row lock`);
    return { ...row, ...projections[i]!, version: r.version, updatedAt: r.updatedAt, statusRank: r.statusRank };
  });

  const changed = items.filter(({ row }, i) => updated[i]!.status !== row.status);
  const platforms = changed.length
    ? new Map(
        (
          await tx
            .select({ id: shops.id, platform: shops.platform })
            .from(shops)
            .where(inArray(shops.id, [...new Set(changed.map((i) => i.row.shopId))]))
        ).map((s) => [s.id, s.platform]),
      )
    : new Map<string, string>();
  const queued = items.flatMap(({ row, events: list }, i) => {
    const after = updated[i]!;
    const platform = after.status !== row.status ? platforms.get(row.shopId) : undefined;
    return [
      ...(platform ? writeBackRows(platform, after, list) : []),
      ...partnerCallRows(row, after, list),
      ...effects(after, list),
    ];
  });
  // The Shopify checkout guard's customer flag follows a case into and out of the open statuses (a crossing changes
  // the status, so `platforms` knows the shop).
  await queueCustomerFlags(
    tx,
    items.flatMap(({ row, events: list }, i) => {
      const after = updated[i]!;
      if (platforms.get(row.shopId) !== "shopify") return [];
      if (isTerminal(row.status as CaseStatus) === isTerminal(after.status as CaseStatus)) return [];
      const at = list[list.length - 1]?.occurredAt ?? new Date();
      return [{ shopId: row.shopId, caseId: row.id, version: after.version, at }];
    }),
  );
  if (queued.length > 0) {
    const rows = queued.map((o) => ({
      id: uuidv7(),
      shop_id: o.shopId,
      case_id: o.caseId ?? null,
      kind: o.kind,
      idempotency_key: o.idempotencyKey,
      payload: o.payload,
      next_attempt_at: o.nextAttemptAt.toISOString(),
    }));
    await tx.execute(sql`
      insert into outbox (id, shop_id, case_id, kind, idempotency_key, payload, next_attempt_at)
      select o.id, o.shop_id, o.case_id, o.kind, o.idempotency_key, o.payload, o.next_attempt_at
      from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as o(id uuid, shop_id uuid, case_id uuid, kind text, idempotency_key text, payload jsonb,
        next_attempt_at timestamptz)
      on conflict do nothing`);
  }
  return updated;
}

/**
 * While the partner holds the claim, what happens on our side must reach it: a cancellation becomes a recall, a
 * payment the shop received is reported (the partner would otherwise keep collecting money already paid).
 */
function partnerCallRows(before: LockedCase, after: LockedCase, events: CaseEvent[]): OutboxInsert[] {
  const held =
    before.status === "handed_over" ||
    (before.status === "blocked" && caseFromJson(before.state).resumeStatus === "handed_over");
  if (!held) return [];
  const rows: OutboxInsert[] = [];
  for (const event of events) {
    if (event.type === "cancellation_requested") {
      rows.push({
        shopId: after.shopId,
        caseId: after.id,
        kind: "partner.recall",
        idempotencyKey: `recall:${after.id}:${after.version}`,
        payload: { caseId: after.id, reason: event.reason },
        nextAttemptAt: event.occurredAt,
      });
    }
    if (event.type === "payment_received" && event.data.side === "shop") {
      const paymentNumber = `${after.id.slice(0, 8)}-${after.version}`;
      rows.push({
        shopId: after.shopId,
        caseId: after.id,
        kind: "partner.report_payment",
        idempotencyKey: `payment:${after.id}:${after.version}`,
        payload: { caseId: after.id, amount: event.data.amount, paymentNumber, date: event.occurredAt.toISOString() },
        nextAttemptAt: event.occurredAt,
      });
    }
  }
  return rows;
}

/**
 * The platform learns each new status through the outbox (tags/metafield on Shopify, note/meta on WooCommerce),
 * in the same transaction as the events, so it survives restarts. "Mark as paid" only when the money arrived where
 * the platform cannot see it: the partner collected, or a credit on the shop's bank statement paid the case. A
 * payment the shop recorded on the order itself is already there.
 */
function writeBackRows(platform: string, row: LockedCase, events: CaseEvent[]): OutboxInsert[] {
  const payments = events.filter((e) => e.type === "payment_received");
  const paidBy =
    row.status !== "paid"
      ? null
      : payments.some((e) => e.data.side === "partner")
        ? "partner"
        : payments.some((e) => e.data.bank)
          ? "bank"
          : null;
  // The demo shop's "platform" is our own order row: only a payment it could not see is written back to it.
  if (platform === "demo" && !paidBy) return [];
  return [
    {
      shopId: row.shopId,
      caseId: row.id,
      kind: `${platform}.write_back`,
      idempotencyKey: `writeback:${row.id}:${row.version}`,
      payload: { caseId: row.id, status: row.status, markPaid: paidBy !== null, ...(paidBy ? { paidBy } : {}) },
      nextAttemptAt: events[events.length - 1]?.occurredAt ?? new Date(),
    },
  ];
}

/** The indexed columns of a case row, all derived from the state. */
function projection(state: Case) {
  return {
    status: state.status,
    outstandingMinor: state.outstanding.amountMinor,
    dunningLevel: state.dunningLevel,
    nextActionAt: state.nextActionAt,
    partnerReference: state.partnerReference,
    partnerSubStatus: state.partnerSubStatus,
    cancellationRequested: state.cancellationRequested,
    state: caseToJson(state),
  };
}

export type OpenCaseInput = {
  shop: Shop;
  order: OrderRow;
  kind: CaseKind;
  outstanding: Money;
  dueDate: LocalDate;
  actor: Actor;
  now: Date;
  sourceId: string | null;
};

/**
 * Opens the case for an overdue order (or a chargeback) exactly once per (order, kind), and starts it right away
 * when the shop's automatic-handover rule says so. Returns null when the case already existed.
 */
export async function openCaseForOrder(db: DbOrTx, input: OpenCaseInput): Promise<CaseCommandResult | null> {
  const settings = await getSettings(db, input.shop.id);
  let outstanding = input.outstanding;
  const opened = await db.transaction(async (tx) => {
    if (input.kind === "invoice") {
      outstanding = await lessPaidByBank(tx, input.shop.id, input.order.id, input.outstanding);
      // Paid by a bank transfer before it was due: nothing is owed, and no case ever opens.
      if (outstanding.amountMinor <= 0) return null;
    }
    // Time-ordered (UUIDv7): a case's id is where it sits in the table, so the sweep, which takes due cases in id
    // order, reads and writes neighbouring pages (docs/performance.md, "Dunning sweep").
    const caseId = uuidv7();
    const event = openCase({
      caseId,
      shopId: input.shop.id,
      orderId: input.order.id,
      kind: input.kind,
      original: { amountMinor: input.order.totalMinor, currency: input.order.currency },
      outstanding,
      dueDate: input.dueDate,
      actor: input.actor,
      occurredAt: input.now,
      sourceId: input.sourceId,
    });
    const state = applyEvent(null, event);
    const inserted = await tx
      .insert(cases)
      .values({
        id: caseId,
        shopId: input.shop.id,
        orderId: input.order.id,
        kind: input.kind,
        currency: outstanding.currency,
        originalMinor: input.order.totalMinor,
        dueDate: input.dueDate,
        platformOrderId: input.order.platformOrderId,
        orderName: input.order.name,
        customerFirstName: input.order.customer.firstName,
        customerLastName: input.order.customer.lastName,
        createdAt: input.now,
        ...projection(state),
      })
      .onConflictDoNothing({ target: [cases.shopId, cases.orderId, cases.kind] })
      .returning();
    const row = inserted[0];
    if (!row) return null;
    if (input.shop.platform === "shopify" && settings.checkoutGuard)
      await insertCustomerFlags(tx, [{ shopId: input.shop.id, caseId, version: row.version, at: input.now }]);
    await tx.insert(caseEvents).values({
      shopId: input.shop.id,
      caseId,
      seq: 1,
      type: event.type,
      actorType: event.actor.type,
      actorId: event.actor.id,
      actorName: event.actor.name ?? null,
      reason: null,
      data: eventData(event),
      sourceId: event.sourceId,
      occurredAt: event.occurredAt,
    });
    return row;
  });
  if (!opened) return null;
  if (!startsAutomatically(input.kind, outstanding, settings)) {
    return { ok: true, case: opened, events: [] };
  }
  return startCase(db, {
    shopId: input.shop.id,
    caseId: opened.id,
    actor: { type: "system", id: "auto-handover" },
    reason: input.kind === "chargeback" ? "chargeback_auto_handover" : "auto_handover_threshold",
    now: input.now,
    automatic: true,
  });
}

/**
 * What an invoice order still owes once the bank credits that paid it before it had a case are counted
 * (order_bank_payments, written by the statement import). The order row is locked first, as the import locks it
 * before it books such a credit: a case and a credit for the same order never pass each other unseen. The platform
 * never learns of a partial bank payment (only a full one is written back), so what it shows is reduced here.
 */
async function lessPaidByBank(tx: Tx, shopId: string, orderId: string, outstanding: Money): Promise<Money> {
  await tx
    .select({ id: orders.id })
    .from(orders)
    .where(and(eq(orders.shopId, shopId), eq(orders.id, orderId)))
    .for("update");
  const [row] = await tx
    .select({ paid: sql<string>`coalesce(sum(${orderBankPayments.amountMinor}), 0)` })
    .from(orderBankPayments)
    .where(
      and(
        eq(orderBankPayments.shopId, shopId),
        eq(orderBankPayments.orderId, orderId),
        eq(orderBankPayments.currency, outstanding.currency),
      ),
    );
  const paid = Number(row?.paid ?? 0);
  return paid === 0 ? outstanding : { ...outstanding, amountMinor: Math.max(0, outstanding.amountMinor - paid) };
}

export type ManualActionInput = { shopId: string; caseId: string; actor: Actor; reason: string; now: Date };

/** Start (manual or automatic): the pre-start check reads the order's billing address; the first step is scheduled. */
export async function startCase(
  db: DbOrTx,
  input: ManualActionInput & { automatic?: boolean },
): Promise<CaseCommandResult> {
  return executeCaseCommand(db, {
    shopId: input.shopId,
    caseId: input.caseId,
    envelope: async (state, tx) => {
      const [shop] = await tx.select().from(shops).where(eq(shops.id, input.shopId)).limit(1);
      const [order] = await tx
        .select()
        .from(orders)
        .where(and(eq(orders.shopId, input.shopId), eq(orders.id, state.orderId)))
        .limit(1);
      const settings = await getSettings(tx, input.shopId);
      const command: CaseCommand = {
        type: "start",
        automatic: input.automatic ?? false,
        debtor: debtorOf(order),
        supportedCurrencies: SUPPORTED_CURRENCIES,
        firstActionAt: firstActionAt(state, settings, shop?.timezone ?? "UTC"),
      };
      return { command, actor: input.actor, reason: input.reason, occurredAt: input.now };
    },
  });
}

/** Staff decide whether the debtor is a consumer or a business; the figures follow from the next reminder on. */
export async function classifyCaseDebtor(
  db: DbOrTx,
  input: ManualActionInput & { kind: DebtorKind },
): Promise<CaseCommandResult> {
  return executeCaseCommand(db, {
    shopId: input.shopId,
    caseId: input.caseId,
    envelope: {
      command: { type: "classify_debtor", kind: input.kind },
      actor: input.actor,
      reason: input.reason,
      occurredAt: input.now,
    },
  });
}

export async function cancelCase(db: DbOrTx, input: ManualActionInput): Promise<CaseCommandResult> {
  return executeCaseCommand(db, {
    shopId: input.shopId,
    caseId: input.caseId,
    envelope: { command: { type: "cancel" }, actor: input.actor, reason: input.reason, occurredAt: input.now },
  });
}

function firstActionAt(state: Case, settings: Settings, timeZone: string): Date {
  const step = nextStep({ dueDate: state.dueDate, dunningLevel: null }, settings.schedule, null);
  return stepInstant(step.date, settings.sendWindow, timeZone);
}

export function debtorOf(order: OrderRow | undefined): Debtor {
  const address = order?.billingAddress ?? null;
  const [first, ...rest] = (address?.name ?? "").trim().split(/\s+/);
  return {
    firstName: order?.customer.firstName ?? (first || null),
    lastName: order?.customer.lastName ?? (rest.join(" ") || null),
    company: address?.company ?? order?.customer.company ?? null,
    street: address?.street1 ?? null,
    postalCode: address?.postalCode ?? null,
    city: address?.city ?? null,
    countryCode: address?.countryCode ?? null,
  };
}
