import { and, asc, eq, gt, inArray, isNull, lte, notExists, sql } from "drizzle-orm";

import type { Db, Tx } from "#app/db/client.server";
import { type CaseRow, cases, caseSchedule, orderBankPayments, orders, outbox, type Shop, shops } from "#app/db/schema";
import type { Case } from "#app/domain/case/case";
import type { CaseEvent } from "#app/domain/case/events";
import { type CommandEnvelope, execute } from "#app/domain/case/transitions";
import { addDays, type LocalDate, toLocalDate } from "#app/domain/dates";
import { earliestAfterDeadline, paymentDeadline, workingCalendar } from "#app/domain/dunning/deadlines";
import { reminderFee } from "#app/domain/dunning/fees";
import { applySendWindow, nextStep, stepInstant } from "#app/domain/dunning/schedule";
import { isOverdue } from "#app/domain/policies";
import type { Settings } from "#app/domain/settings";
import {
  executeCaseCommand,
  type LockedCase,
  openCaseForOrder,
  type OutboxInsert,
  persistMany,
} from "#app/services/cases/commands.server";
import { caseFromJson } from "#app/services/cases/serialization";
import { getSettings } from "#app/services/settings/settings.server";

/*
 * The scheduler's two sweeps. Both are safe to run in many worker processes at once: candidates are claimed
 * with SKIP LOCKED, and every step is decided again under the case's row lock, so a (case, level) is reached —
 * and its reminder queued — at most once. The reminder and the handover themselves go through the outbox, written
 * in the same transaction as the event that causes them.
 */

const SCHEDULER = { type: "scheduler", id: "dunning" } as const;
const UNPAID = ["pending", "partially_paid", "authorized"];
/** Cases per claimed batch: large enough that per-statement costs vanish, small enough to hold locks only briefly. */
const BATCH = 2_000;
/** Batches in flight at once per sweep (see advanceDueCases). */
const LANES = 2;

export type SweepReport = { opened: number; advanced: number; skippedOutsideWindow: number };

/** Invoice orders whose due day has passed in the shop's zone and that have no case yet get one. */
export async function openOverdueCases(db: Db, now: Date, batch: number = BATCH): Promise<number> {
  // Kiritimati (UTC+14) is the first zone where a day begins: no order overdue anywhere is missed by this bound.
  const latestDue = addDays(toLocalDate(now, "Pacific/Kiritimati"), -1);
  let opened = 0;
  for (;;) {
    const claimed = await db.transaction(async (tx) => {
      const rows = await tx
        .select({ order: orders, shop: shops })
        .from(orders)
        .innerJoin(shops, eq(shops.id, orders.shopId))
        .where(
          and(
            eq(shops.status, "active"),
            eq(orders.isInvoice, true),
            gt(orders.outstandingMinor, 0),
            isNull(orders.cancelledAt),
            inArray(orders.financialStatus, UNPAID),
            lte(orders.dueDate, latestDue),
            notExists(
              tx
                .select({ one: sql`1` })
                .from(cases)
                .where(and(eq(cases.orderId, orders.id), eq(cases.kind, "invoice"))),
            ),
            // Paid in full by a bank transfer before a case opened (and not marked paid on the platform, a shop
            // setting): never a case, so not a candidate that would fill a batch and end the sweep early.
            sql`${orders.outstandingMinor} > coalesce((
              select sum(${orderBankPayments.amountMinor}) from ${orderBankPayments}
              where ${orderBankPayments.orderId} = ${orders.id} and ${orderBankPayments.shopId} = ${orders.shopId}
            ), 0)`,
          ),
        )
        .orderBy(asc(orders.dueDate), asc(orders.id))
        .limit(batch)
        .for("update", { of: orders, skipLocked: true });
      let count = 0;
      for (const { order, shop } of rows) {
        if (!order.dueDate || !isOverdue(order.dueDate, now, shop.timezone)) continue;
        const result = await openCaseForOrder(tx, {
          shop,
          order,
          kind: "invoice",
          outstanding: { amountMinor: order.outstandingMinor, currency: order.currency },
          dueDate: order.dueDate,
          actor: SCHEDULER,
          now,
          sourceId: `overdue:${order.id}`,
        });
        if (result) count += 1;
      }
      return { rows: rows.length, count };
    });
    opened += claimed.count;
    // A batch that opened nothing was all not-yet-overdue in its zone: later rows are due later still.
    if (claimed.rows < batch || claimed.count === 0) return opened;
  }
}

/** The columns of a due case the sweep reads: what persistMany needs, and not the rest. */
const dueCaseColumns = {
  id: cases.id,
  shopId: cases.shopId,
  status: cases.status,
  state: cases.state,
  version: cases.version,
};
type DueCase = LockedCase;
type Position = { at: Date; id: string };
/** Due cases read from the schedule at a time, then taken in id order (see advanceDueCases). */
const CHUNK_BATCHES = 50;

/**
 * Running cases whose next action is due: the next reminder level, or the handover after the final reminder.
 * Due cases are found in case_schedule (drizzle/0009), not by an index on cases: a step then changes no indexed column
 * of cases and is a HOT update there (docs/decisions/007-case-schedule-table.md). A schedule row read from the claim's
 * snapshot may be older than the case it locks (another sweep advanced it meanwhile): the step is decided from the
 * locked row's state, which is current, so such a case is "not due" and left alone.
 *
 * The due cases are read from the schedule's index in chunks (CHUNK_BATCHES batches each, in due order from a keyset
 * position), and each chunk is worked through in case id order: batches of neighbouring ids touch neighbouring pages of
 * every index keyed by the case (the cases and schedule keys, the events' and the outbox's unique keys), where
 * due order touched a random page of each per case (docs/performance.md, "Dunning sweep").
 * Batches of cases are locked together (SKIP LOCKED: a sweep running beside this one, in this process or another,
 * takes others), each step is decided under the lock exactly as advanceCase decides it, and a batch's events, row
 * updates and outbox rows are written in a handful of statements (persistMany) — one round trip per case would bound
 * the sweep by latency.
 *
 * `lanes` batches are in flight at once, each in its own transaction holding its own row locks, so deciding one batch
 * in Node overlaps with writing another in PostgreSQL. Only taking a batch is sequential: a lane takes the ids after the
 * last ones taken, so each due case is read by exactly one lane (and counted once) per sweep.
 */
export async function advanceDueCases(
  db: Db,
  now: Date,
  { lanes = LANES, batchSize = BATCH }: { lanes?: number; batchSize?: number } = {},
): Promise<{ advanced: number; skippedOutsideWindow: number }> {
  let advanced = 0;
  let skippedOutsideWindow = 0;
  let after: Position | null = null;
  let exhausted = false;
  let chunk: string[] = [];
  let taken = 0;
  let claims: Promise<unknown> = Promise.resolve();

  /**
   * The next chunk of due case ids, in id order (empty when the schedule has no more). Read in the claiming lane's
   * transaction: on PGlite that is the one connection there is.
   */
  const readChunk = async (tx: Tx): Promise<string[]> => {
    const limit = batchSize * CHUNK_BATCHES;
    const position: Position | null = after;
    const rows = await tx
      .select({ id: caseSchedule.caseId, at: caseSchedule.nextActionAt })
      .from(caseSchedule)
      .innerJoin(shops, eq(shops.id, caseSchedule.shopId))
      .where(
        and(
          eq(shops.status, "active"),
          lte(caseSchedule.nextActionAt, now),
          // A row comparison, so that the index scan starts at the position instead of filtering up to it.
          position
            ? sql`(${caseSchedule.nextActionAt}, ${caseSchedule.caseId}) > (${position.at.toISOString()}::timestamptz, ${position.id}::uuid)`
            : undefined,
        ),
      )
      .orderBy(asc(caseSchedule.nextActionAt), asc(caseSchedule.caseId))
      .limit(limit);
    const last = rows[rows.length - 1];
    if (last) after = { at: last.at, id: last.id };
    if (rows.length < limit) exhausted = true;
    // PostgreSQL orders uuids by their bytes, which is the order of their lower-case hex text.
    return rows.map((row) => row.id).sort();
  };

  const claim = (tx: Tx): Promise<DueCase[]> => {
    const turn = claims.then(async () => {
      if (taken >= chunk.length) {
        if (exhausted) return [];
        chunk = await readChunk(tx);
        taken = 0;
        if (chunk.length === 0) return [];
      }
      const ids = chunk.slice(taken, taken + batchSize);
      taken += ids.length;
      return ids;
    });
    claims = turn.catch(() => undefined);
    return turn.then((ids) =>
      ids.length === 0
        ? []
        : tx
            .select(dueCaseColumns)
            .from(cases)
            // One array parameter, not one per id; the index scan then takes the ids in order.
            .where(and(sql`${cases.id} = any(${`{${ids.join(",")}}`}::uuid[])`, eq(cases.status, "running")))
            .orderBy(asc(cases.id))
            .for("update", { of: cases, skipLocked: true }),
    );
  };
  let stopped = false;
  const more = () => !stopped && (!exhausted || taken < chunk.length);

  const lane = async () => {
    try {
      while (more()) {
        const batch = await db.transaction(async (tx) => {
          const rows = await claim(tx);
          const contexts = await shopContexts(tx, [...new Set(rows.map((row) => row.shopId))], now);
          const steps: { row: DueCase; state: Case; events: CaseEvent[] }[] = [];
          let batchAdvanced = 0;
          let batchSkipped = 0;
          for (const row of rows) {
            const state = caseFromJson(row.state);
            const decision = decideStep(state, contexts.get(row.shopId), now);
            if (decision === "not_due") continue;
            if (decision === "outside_window") {
              batchSkipped += 1;
              continue;
            }
            batchAdvanced += 1;
            const result = execute(state, decision);
            if (result.ok && result.value.events.length > 0)
              steps.push({ row, state: result.value.state, events: result.value.events });
          }
          await persistMany(tx, steps, effectRows);
          return { advanced: batchAdvanced, skipped: batchSkipped };
        });
        advanced += batch.advanced;
        skippedOutsideWindow += batch.skipped;
      }
    } catch (error) {
      // The other lanes finish the batch they hold and stop; the next sweep takes up what is left.
      stopped = true;
      throw error;
    }
  };
  const settled = await Promise.allSettled(Array.from({ length: Math.max(1, lanes) }, lane));
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === "rejected");
  if (failed) throw failed.reason;
  return { advanced, skippedOutsideWindow };
}

/**
 * A shop's settings and what `now` means in its zone, computed once per batch instead of once per case: whether
 * `now` is inside the send window, the local day, and the step instants already worked out (by local date).
 */
type ShopContext = {
  shop: Shop;
  settings: Settings;
  today: LocalDate;
  inWindow: boolean;
  instants: Map<LocalDate, number>;
};

function shopContext(shop: Shop, settings: Settings, now: Date): ShopContext {
  return {
    shop,
    settings,
    today: toLocalDate(now, shop.timezone),
    inWindow: applySendWindow(now, settings.sendWindow, shop.timezone).getTime() === now.getTime(),
    instants: new Map(),
  };
}

async function shopContexts(tx: Tx, shopIds: string[], now: Date): Promise<Map<string, ShopContext>> {
  if (shopIds.length === 0) return new Map();
  const shopRows = await tx.select().from(shops).where(inArray(shops.id, shopIds));
  return new Map(
    await Promise.all(
      shopRows.map(async (shop) => [shop.id, shopContext(shop, await getSettings(tx, shop.id), now)] as const),
    ),
  );
}

/** Whether a locked case takes its next step now, and which: the one rule for the sweep and advanceCase. */
function decideStep(
  state: Case,
  context: ShopContext | undefined,
  now: Date,
): CommandEnvelope | "not_due" | "outside_window" {
  if (state.status !== "running" || !state.nextActionAt || state.nextActionAt.getTime() > now.getTime())
    return "not_due";
  if (!context || context.shop.status !== "active") return "not_due";
  // Reminders reach people: only inside the shop's send window (the next sweep inside it sends them).
  if (!context.inWindow) return "outside_window";
  return stepEnvelope(state, context, now);
}

type AdvanceOutcome = "advanced" | "not_due" | "outside_window";

/** One step of one case, decided under its row lock. */
export async function advanceCase(db: Db, shopId: string, caseId: string, now: Date): Promise<AdvanceOutcome> {
  let outcome: AdvanceOutcome = "not_due";
  await executeCaseCommand(db, {
    shopId,
    caseId,
    envelope: async (state, tx) => {
      const [shop] = await tx.select().from(shops).where(eq(shops.id, shopId)).limit(1);
      const decision = decideStep(state, shop ? shopContext(shop, await getSettings(tx, shopId), now) : undefined, now);
      if (decision === "not_due") return null;
      if (decision === "outside_window") {
        outcome = "outside_window";
        return null;
      }
      outcome = "advanced";
      return decision;
    },
    afterEvents: (tx, row, events) => queueEffects(tx, row, events),
  });
  return outcome;
}

function stepEnvelope(state: Case, context: ShopContext, now: Date): CommandEnvelope {
  const { shop, settings, today } = context;
  const step = nextStep(state, settings.schedule, today);
  const base = {
    actor: SCHEDULER,
    reason: null,
    occurredAt: now,
    sourceId: `step:${state.id}:${step.step === "handover" ? "handover" : (state.dunningLevel ?? "due")}`,
  };
  if (state.dunningLevel === "final_reminder") {
    return { ...base, command: { type: "hand_over", partnerReference: null } };
  }
  const level = step.step as Exclude<typeof step.step, "handover">;
  // The reminder's deadline counts from today, the day it is sent (a late start does not fire a burst), and is the
  // last day to pay (§ 193 BGB); the following step waits for the day after it plus the transfer grace.
  const following = nextStep({ dueDate: state.dueDate, dunningLevel: level }, settings.schedule, today);
  const calendar = workingCalendar(settings.holidays.country, settings.holidays.state);
  const deadline = paymentDeadline(today, settings.schedule[following.step], calendar);
  const nextDay = earliestAfterDeadline(deadline, settings.transferGraceDays, calendar);
  let at = context.instants.get(nextDay);
  if (at === undefined) {
    at = stepInstant(nextDay, settings.sendWindow, shop.timezone).getTime();
    context.instants.set(nextDay, at);
  }
  const fee = reminderFee(level, settings.fees, state.outstanding.currency);
  return {
    ...base,
    command: { type: "reach_level", level, nextActionAt: new Date(at), paymentDeadline: deadline, fee },
  };
}

/** The outbox rows a step causes, in the step's own transaction (idempotency keys make a repeat a no-op). */
function effectRows(row: LockedCase, events: CaseEvent[]): OutboxInsert[] {
  const rows: OutboxInsert[] = [];
  for (const event of events) {
    if (event.type === "dunning_level_reached") {
      rows.push({
        shopId: row.shopId,
        caseId: row.id,
        kind: "reminder.send",
        idempotencyKey: `reminder:${row.id}:${event.data.level}`,
        payload: { caseId: row.id, level: event.data.level },
        nextAttemptAt: event.occurredAt,
      });
    }
    if (event.type === "handed_over") {
      rows.push({
        shopId: row.shopId,
        caseId: row.id,
        kind: "partner.submit_claim",
        idempotencyKey: `claim:${row.id}`,
        payload: { caseId: row.id },
        nextAttemptAt: event.occurredAt,
      });
    }
  }
  return rows;
}

async function queueEffects(tx: Tx, row: CaseRow, events: CaseEvent[]): Promise<void> {
  const rows = effectRows(row, events);
  if (rows.length > 0) await tx.insert(outbox).values(rows).onConflictDoNothing();
}

export async function runDunningSweep(db: Db, now: Date): Promise<SweepReport> {
  const opened = await openOverdueCases(db, now);
  const { advanced, skippedOutsideWindow } = await advanceDueCases(db, now);
  return { opened, advanced, skippedOutsideWindow };
}
