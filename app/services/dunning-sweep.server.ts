import { and, asc, eq, gt, inArray, isNull, lte, notExists, or, sql } from "drizzle-orm";
import type { Db, Tx } from "#app/db/client.server";
import { cases, orders, outbox, shops, type CaseRow, type Shop } from "#app/db/schema";
import type { Case } from "#app/domain/case/case";
import type { CaseEvent } from "#app/domain/case/events";
import { execute, type CommandEnvelope } from "#app/domain/case/transitions";
import { addDays, toLocalDate } from "#app/domain/dates";
import { applySendWindow, nextStep, stepInstant } from "#app/domain/dunning/schedule";
import { isOverdue } from "#app/domain/policies";
import { caseFromJson } from "./case-serialization";
import { executeCaseCommand, openCaseForOrder, persistMany, type OutboxInsert } from "./cases.server";
import { getSettings } from "./settings.server";

/*
 * The scheduler's two sweeps. Both are safe to run in many worker processes at once: candidates are claimed
 * with SKIP LOCKED, and every step is decided again under the case's row lock, so a (case, level) is reached —
 * and its reminder queued — at most once. The reminder and the handover themselves go through the outbox, written
 * in the same transaction as the event that causes them.
 */

const SCHEDULER = { type: "scheduler", id: "dunning" } as const;
const UNPAID = ["pending", "partially_paid", "authorized"];
const BATCH = 500;

export type SweepReport = { opened: number; advanced: number; skippedOutsideWindow: number };

/** Invoice orders whose due day has passed in the shop's zone and that have no case yet get one. */
export async function openOverdueCases(db: Db, now: Date): Promise<number> {
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
            notExists(tx.select({ one: sql`1` }).from(cases).where(and(eq(cases.orderId, orders.id), eq(cases.kind, "invoice")))),
          ),
        )
        .orderBy(asc(orders.dueDate), asc(orders.id))
        .limit(BATCH)
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
    if (claimed.rows < BATCH || claimed.count === 0) return opened;
  }
}

/**
 * Running cases whose next action is due: the next reminder level, or the handover after the final reminder.
 * Batches of cases are claimed and locked together (SKIP LOCKED: a sweep running beside this one takes others), each
 * step is decided under the lock exactly as advanceCase decides it, and a batch's events, row updates and outbox rows
 * are written in a handful of statements (persistMany) — one round trip per case would bound the sweep by latency.
 */
export async function advanceDueCases(db: Db, now: Date): Promise<{ advanced: number; skippedOutsideWindow: number }> {
  let advanced = 0;
  let skippedOutsideWindow = 0;
  type Position = { at: Date; id: string };
  let after: Position | null = null;
  for (;;) {
    const position: Position | null = after;
    const batch: { count: number; advanced: number; skipped: number; last: Position | null } = await db.transaction(async (tx) => {
      const rows: { row: CaseRow }[] = await tx
        .select({ row: cases })
        .from(cases)
        .innerJoin(shops, eq(shops.id, cases.shopId))
        .where(
          and(
            eq(cases.status, "running"),
            eq(shops.status, "active"),
            lte(cases.nextActionAt, now),
            position ? or(gt(cases.nextActionAt, position.at), and(eq(cases.nextActionAt, position.at), gt(cases.id, position.id))) : undefined,
          ),
        )
        .orderBy(asc(cases.nextActionAt), asc(cases.id))
        .limit(BATCH)
        .for("update", { of: cases, skipLocked: true });
      const shopIds = [...new Set(rows.map(({ row }) => row.shopId))];
      const shopRows = shopIds.length ? await tx.select().from(shops).where(inArray(shops.id, shopIds)) : [];
      const context = new Map(await Promise.all(shopRows.map(async (shop) => [shop.id, { shop, settings: await getSettings(tx, shop.id) }] as const)));
      const steps: { row: CaseRow; state: Case; events: CaseEvent[] }[] = [];
      let batchAdvanced = 0;
      let batchSkipped = 0;
      for (const { row } of rows) {
        const state = caseFromJson(row.state);
        const shop = context.get(row.shopId);
        const decision = decideStep(state, shop, now);
        if (decision === "not_due") continue;
        if (decision === "outside_window") {
          batchSkipped += 1;
          continue;
        }
        batchAdvanced += 1;
        const result = execute(state, decision);
        if (result.ok && result.value.events.length > 0) steps.push({ row, state: result.value.state, events: result.value.events });
      }
      await persistMany(tx, steps, effectRows);
      const last = rows[rows.length - 1]?.row;
      return { count: rows.length, advanced: batchAdvanced, skipped: batchSkipped, last: last ? { at: last.nextActionAt!, id: last.id } : null };
    });
    advanced += batch.advanced;
    skippedOutsideWindow += batch.skipped;
    if (!batch.last || batch.count < BATCH) return { advanced, skippedOutsideWindow };
    after = batch.last;
  }
}

type ShopContext = { shop: Shop; settings: Awaited<ReturnType<typeof getSettings>> };

/** Whether a locked case takes its next step now, and which: the one rule for the sweep and advanceCase. */
function decideStep(state: Case, context: ShopContext | undefined, now: Date): CommandEnvelope | "not_due" | "outside_window" {
  if (state.status !== "running" || !state.nextActionAt || state.nextActionAt.getTime() > now.getTime()) return "not_due";
  if (!context || context.shop.status !== "active") return "not_due";
  // Reminders reach people: only inside the shop's send window (the next sweep inside it sends them).
  if (applySendWindow(now, context.settings.sendWindow, context.shop.timezone).getTime() !== now.getTime()) return "outside_window";
  return stepEnvelope(state, context.shop, context.settings, now);
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
      const decision = decideStep(state, shop ? { shop, settings: await getSettings(tx, shopId) } : undefined, now);
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

function stepEnvelope(state: Case, shop: Shop, settings: Awaited<ReturnType<typeof getSettings>>, now: Date): CommandEnvelope {
  const today = toLocalDate(now, shop.timezone);
  const step = nextStep(state, settings.schedule, today);
  const base = { actor: SCHEDULER, reason: null, occurredAt: now, sourceId: `step:${state.id}:${step.step === "handover" ? "handover" : state.dunningLevel ?? "due"}` };
  if (state.dunningLevel === "final_reminder") {
    return { ...base, command: { type: "hand_over", partnerReference: null } };
  }
  const level = step.step as Exclude<typeof step.step, "handover">;
  // The following step counts from today, the day this one happens, so a late start does not fire a burst.
  const following = nextStep({ dueDate: state.dueDate, dunningLevel: level }, settings.schedule, today);
  return { ...base, command: { type: "reach_level", level, nextActionAt: stepInstant(following.date, settings.sendWindow, shop.timezone) } };
}

/** The outbox rows a step causes, in the step's own transaction (idempotency keys make a repeat a no-op). */
function effectRows(row: CaseRow, events: CaseEvent[]): OutboxInsert[] {
  const rows: OutboxInsert[] = [];
  for (const event of events) {
    if (event.type === "dunning_level_reached") {
      rows.push({ shopId: row.shopId, caseId: row.id, kind: "reminder.send", idempotencyKey: `reminder:${row.id}:${event.data.level}`, payload: { caseId: row.id, level: event.data.level }, nextAttemptAt: event.occurredAt });
    }
    if (event.type === "handed_over") {
      rows.push({ shopId: row.shopId, caseId: row.id, kind: "partner.submit_claim", idempotencyKey: `claim:${row.id}`, payload: { caseId: row.id }, nextAttemptAt: event.occurredAt });
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
