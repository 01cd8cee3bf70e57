import { and, desc, eq, sql } from "drizzle-orm";
import { z } from "zod";

import type { DbOrTx } from "#app/db/client.server";
import { bulkRuns, type Shop, shops } from "#app/db/schema";
import type { Actor } from "#app/domain/case/events";
import { caseReason } from "#app/domain/case/reason";

import { cancelCase, type CaseCommandResult, startCase } from "./commands.server";
import { type CaseListQuery, caseListQuerySchema, countMatching, listCases, resolvePeriod } from "./list.server";
import { findCase } from "./read.server";
import { caseFromJson } from "./serialization";

export const BULK_ACTIONS = ["start", "cancel"] as const;
export type BulkAction = (typeof BULK_ACTIONS)[number];
export type BulkFailure = { caseId: string; orderName: string; code: string; message: string };
export type BulkRunRow = typeof bulkRuns.$inferSelect;

/** Cases acted on per keyset page (and per progress update). */
const PAGE_SIZE = 50;

/**
 * The filter a run walks: the list filter of the URL, a relative period fixed to calendar dates when the run is
 * created, and `cursor` — where the walk continues (it moves on after every case, so a retried job resumes).
 */
export const bulkFilterSchema = caseListQuerySchema.pick({
  status: true,
  q: true,
  from: true,
  to: true,
  minAmount: true,
  maxAmount: true,
  sort: true,
  direction: true,
  cursor: true,
});
export type BulkFilter = z.infer<typeof bulkFilterSchema>;

const act = (action: BulkAction) => (action === "start" ? startCase : cancelCase);

export type SelectedActionResult = { action: BulkAction; succeeded: number; failures: BulkFailure[] };

/** Start or cancel the selected cases now, one transaction each: how many succeeded and which failed, and why. */
export async function actOnCases(
  db: DbOrTx,
  shop: Shop,
  input: { action: BulkAction; caseIds: string[]; reason: string; actor: Actor; now: Date },
): Promise<SelectedActionResult> {
  let succeeded = 0;
  const failures: BulkFailure[] = [];
  for (const caseId of input.caseIds) {
    const result = await act(input.action)(db, {
      shopId: shop.id,
      caseId,
      actor: input.actor,
      reason: input.reason,
      now: input.now,
    });
    const failure = failureOf(result);
    if (!failure) succeeded += 1;
    else
      failures.push({
        caseId,
        orderName: result.ok ? result.case.orderName : await orderNameOf(db, shop.id, caseId),
        ...failure,
      });
  }
  return { action: input.action, succeeded, failures };
}

/**
 * A refusal (the status does not allow it) changes nothing; a start whose pre-start check fails moves the case to
 * "failed" — both are reported as not done, with why.
 */
function failureOf(result: CaseCommandResult): { code: string; message: string } | null {
  if (!result.ok) return { code: result.error.code, message: result.error.message };
  if (result.case.status === "failed" && result.events.some((e) => e.type === "case_failed")) {
    return { code: "precheck_failed", message: caseFromJson(result.case.state).failureReasons.join(", ") };
  }
  return null;
}

async function orderNameOf(db: DbOrTx, shopId: string, caseId: string): Promise<string> {
  return (await findCase(db, shopId, caseId))?.orderName ?? "";
}

export const bulkRunInput = z.object({
  action: z.enum(BULK_ACTIONS),
  reason: caseReason,
});

/** "All N matching this filter": the run is stored first (status queued), then a job walks it. */
export async function createBulkRun(
  db: DbOrTx,
  shop: Shop,
  input: { action: BulkAction; reason: string; query: CaseListQuery; actor: Actor; now: Date },
): Promise<BulkRunRow> {
  const context = { timeZone: shop.timezone, now: input.now };
  const fixed = resolvePeriod(input.query, context);
  const filter: BulkFilter = bulkFilterSchema.parse({ ...fixed, cursor: undefined });
  const total = await countMatching(db, shop.id, filter, context);
  const [row] = await db
    .insert(bulkRuns)
    .values({
      shopId: shop.id,
      action: input.action,
      filter,
      reason: input.reason,
      actorType: input.actor.type,
      actorId: input.actor.id,
      actorName: input.actor.name ?? null,
      total,
      createdAt: input.now,
    })
    .returning();
  return row!;
}

export async function getBulkRun(db: DbOrTx, shopId: string, runId: string): Promise<BulkRunRow | null> {
  if (!z.uuid().safeParse(runId).success) return null;
  const [row] = await db
    .select()
    .from(bulkRuns)
    .where(and(eq(bulkRuns.shopId, shopId), eq(bulkRuns.id, runId)))
    .limit(1);
  return row ?? null;
}

export async function listBulkRuns(db: DbOrTx, shopId: string, limit = 10): Promise<BulkRunRow[]> {
  return db.select().from(bulkRuns).where(eq(bulkRuns.shopId, shopId)).orderBy(desc(bulkRuns.createdAt)).limit(limit);
}

/**
 * Walks the run's filter in keyset pages and starts or cancels each case through the case service. Each case and
 * the run's progress commit together, so a crash or retry neither skips a case nor acts on one twice. A case the
 * status no longer allows is recorded as a failure with the reason; nothing about it changes.
 */
export async function runBulkRun(
  db: DbOrTx,
  runId: string,
  now: () => Date = () => new Date(),
): Promise<BulkRunRow | null> {
  const [initial] = await db.select().from(bulkRuns).where(eq(bulkRuns.id, runId)).limit(1);
  if (!initial || initial.status === "done" || initial.status === "failed") return initial ?? null;
  const [shop] = await db.select().from(shops).where(eq(shops.id, initial.shopId)).limit(1);
  if (!shop) return null;
  await db.update(bulkRuns).set({ status: "running" }).where(eq(bulkRuns.id, runId));
  const actor: Actor = { type: initial.actorType as Actor["type"], id: initial.actorId, name: initial.actorName };
  const command = act(initial.action);
  const context = { timeZone: shop.timezone, now: initial.createdAt };
  for (;;) {
    const [run] = await db.select().from(bulkRuns).where(eq(bulkRuns.id, runId)).limit(1);
    const filter = bulkFilterSchema.parse(run!.filter);
    const page = await listCases(db, shop.id, { ...filter, limit: PAGE_SIZE, period: undefined }, context);
    for (const [index, row] of page.cases.entries()) {
      await db.transaction(async (tx) => {
        const result: CaseCommandResult = await command(tx, {
          shopId: shop.id,
          caseId: row.id,
          actor,
          reason: initial.reason,
          now: now(),
        });
        const why = failureOf(result);
        const failure = why ? [{ caseId: row.id, orderName: row.orderName, ...why }] : null;
        await tx
          .update(bulkRuns)
          .set({
            filter: { ...filter, cursor: page.cursors[index] },
            succeeded: failure ? bulkRuns.succeeded : sql`${bulkRuns.succeeded} + 1`,
            failures: failure ? sql`${bulkRuns.failures} || ${JSON.stringify(failure)}::jsonb` : bulkRuns.failures,
          })
          .where(eq(bulkRuns.id, runId));
      });
    }
    if (!page.nextCursor) break;
  }
  const [done] = await db
    .update(bulkRuns)
    .set({ status: "done", finishedAt: now() })
    .where(eq(bulkRuns.id, runId))
    .returning();
  return done ?? null;
}

/** Marks a run whose job gave up after every retry, so its page stops waiting. */
export async function failBulkRun(db: DbOrTx, runId: string, now: Date): Promise<void> {
  await db.update(bulkRuns).set({ status: "failed", finishedAt: now }).where(eq(bulkRuns.id, runId));
}
