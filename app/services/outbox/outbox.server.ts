import { and, eq, inArray, lt, lte, or, sql } from "drizzle-orm";

import type { Db } from "#app/db/client.server";
import { outbox } from "#app/db/schema";
import { executeCaseCommand } from "#app/services/cases/commands.server";
import { logger } from "#app/utils/logger.server";

import type { OutboxHandler, OutboxOutcome, OutboxRow } from "./types";

/*
 * Delivery of outbox rows. Rows are claimed with SKIP LOCKED (many workers can sweep side by side) and leased:
 * a row left `in_flight` by a crashed worker is claimed again once its lease ran out — which is why every handler
 * must tolerate a second attempt of work that may already have happened (reminders carry a stable Message-ID,
 * claims are looked up at the partner before any resend).
 */

export const OUTBOX_MAX_ATTEMPTS = 8;
const LEASE_MS = 10 * 60_000;
const BASE_DELAY_MS = 30_000;
const MAX_DELAY_MS = 6 * 60 * 60_000;

/** Exponential backoff with full jitter: attempt 1 waits up to 30 s, doubling, capped at 6 hours. */
export function backoffDelayMs(attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/** Claims due rows of the given kinds (a kind nobody handles stays pending, never dead). */
export async function claimDueRows(db: Db, now: Date, kinds: string[], limit = 20): Promise<OutboxRow[]> {
  if (kinds.length === 0) return [];
  return db.transaction(async (tx) => {
    const due = await tx
      .select({ id: outbox.id })
      .from(outbox)
      .where(
        and(
          inArray(outbox.kind, kinds),
          or(
            and(inArray(outbox.status, ["pending", "failed"]), lte(outbox.nextAttemptAt, now)),
            and(eq(outbox.status, "in_flight"), lt(outbox.updatedAt, new Date(now.getTime() - LEASE_MS))),
          ),
        ),
      )
      .orderBy(outbox.nextAttemptAt)
      .limit(limit)
      .for("update", { skipLocked: true });
    if (due.length === 0) return [];
    return tx
      .update(outbox)
      .set({
        status: "in_flight",
        attempts: sql`${outbox.attempts} + 1`,
        leaseId: sql`gen_random_uuid()`,
        updatedAt: now,
      })
      .where(
        inArray(
          outbox.id,
          due.map((r) => r.id),
        ),
      )
      .returning();
  });
}

/**
 * The row as this worker claimed it: still in flight under the lease it claimed. A worker whose lease ran out (rows
 * are claimed in batches; a slow partner can keep the last ones waiting past the lease) has lost the row to
 * whoever claimed it again — that claim set a new lease — and must neither deliver nor record anything for it.
 */
const leasedBy = (row: OutboxRow) =>
  and(
    eq(outbox.id, row.id),
    eq(outbox.status, "in_flight"),
    row.leaseId ? eq(outbox.leaseId, row.leaseId) : sql`false`,
  );

async function renewLease(db: Db, row: OutboxRow, now: Date): Promise<boolean> {
  const renewed = await db.update(outbox).set({ updatedAt: now }).where(leasedBy(row)).returning({ id: outbox.id });
  return renewed.length > 0;
}

export type DeliveryOutcome = OutboxOutcome | { kind: "lease_lost" };

/** Runs one claimed row through its handler and records the outcome — unless another worker took the row over. */
export async function deliverRow(
  db: Db,
  row: OutboxRow,
  handlers: Record<string, OutboxHandler>,
  now: Date,
): Promise<DeliveryOutcome> {
  if (!(await renewLease(db, row, now))) return lostLease(row, "before delivery");
  const handler = handlers[row.kind];
  let outcome: OutboxOutcome;
  if (!handler) {
    outcome = { kind: "failed", reason: `no handler for ${row.kind}` };
  } else {
    try {
      outcome = await handler(row, { db, now, attempt: row.attempts, stillLeased: () => renewLease(db, row, now) });
    } catch (error) {
      // Unexpected errors are treated as transient: the row is retried, and ends dead if it keeps failing.
      logger.warn({ err: error, outboxId: row.id, kind: row.kind }, "outbox handler threw");
      outcome = { kind: "retry", reason: error instanceof Error ? error.message : String(error) };
    }
  }
  let recorded: { id: string }[];
  if (outcome.kind === "done") {
    recorded = await db
      .update(outbox)
      .set({ status: "done", result: outcome.result ?? null, lastError: null, updatedAt: now })
      .where(leasedBy(row))
      .returning({ id: outbox.id });
  } else if (outcome.kind === "retry" && row.attempts < OUTBOX_MAX_ATTEMPTS) {
    recorded = await db
      .update(outbox)
      .set({
        status: "failed",
        lastError: outcome.reason,
        nextAttemptAt: new Date(now.getTime() + backoffDelayMs(row.attempts)),
        updatedAt: now,
      })
      .where(leasedBy(row))
      .returning({ id: outbox.id });
  } else {
    recorded = await db
      .update(outbox)
      .set({ status: "dead", lastError: outcome.reason, updatedAt: now })
      .where(leasedBy(row))
      .returning({ id: outbox.id });
    if (recorded.length > 0 && outcome.kind === "retry") await blockCaseForDeadRow(db, row, outcome.reason, now);
  }
  if (recorded.length === 0) return lostLease(row, `after ${outcome.kind}`);
  return outcome;
}

function lostLease(row: OutboxRow, when: string): DeliveryOutcome {
  logger.warn(
    { outboxId: row.id, kind: row.kind, attempt: row.attempts },
    `outbox lease lost ${when}: another worker holds the row`,
  );
  return { kind: "lease_lost" };
}

/** Given up after every retry: the case stops where it is, with the reason visible, until support retries. */
async function blockCaseForDeadRow(db: Db, row: OutboxRow, reason: string, now: Date) {
  if (!row.caseId) return;
  const result = await executeCaseCommand(db, {
    shopId: row.shopId,
    caseId: row.caseId,
    envelope: {
      command: { type: "block", reasons: [`${row.kind}_failed`] },
      actor: { type: "system", id: "outbox" },
      reason,
      occurredAt: now,
      sourceId: `outbox-dead:${row.id}`,
    },
  });
  if (!result.ok)
    logger.warn({ outboxId: row.id, refusal: result.error.code }, "could not block the case of a dead outbox row");
}

/** One sweep: claim and deliver until nothing is due. Returns how many rows were handled. */
export async function sweepOutbox(
  db: Db,
  handlers: Record<string, OutboxHandler>,
  now: () => Date = () => new Date(),
): Promise<number> {
  let handled = 0;
  for (;;) {
    const rows = await claimDueRows(db, now(), Object.keys(handlers));
    if (rows.length === 0) return handled;
    for (const row of rows) await deliverRow(db, row, handlers, now());
    handled += rows.length;
  }
}

/** Support: a dead or failed row is tried again at the next sweep, and the block it caused is lifted. */
export async function retryOutboxRow(db: Db, shopId: string, id: string, now: Date): Promise<boolean> {
  const [row] = await db
    .update(outbox)
    .set({ status: "pending", attempts: 0, nextAttemptAt: now, updatedAt: now })
    .where(and(eq(outbox.shopId, shopId), eq(outbox.id, id), inArray(outbox.status, ["dead", "failed"])))
    .returning();
  if (!row) return false;
  if (row.caseId) {
    await executeCaseCommand(db, {
      shopId,
      caseId: row.caseId,
      envelope: {
        command: { type: "unblock", reasons: [`${row.kind}_failed`] },
        actor: { type: "support", id: "outbox-retry" },
        reason: "retried by support",
        occurredAt: now,
        sourceId: `outbox-retry:${row.id}:${now.toISOString()}`,
      },
    });
  }
  return true;
}
