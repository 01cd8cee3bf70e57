import { and, desc, eq, sql } from "drizzle-orm";

import { cappedBytes } from "#adapters/http/outbound";
import {
  type AdminGraphql,
  BULK_OPERATION_QUERY,
  BULK_OPERATION_RUN_QUERY,
  BULK_OPERATIONS_QUERY,
  type BulkOperation,
  bulkOperationByIdSchema,
  bulkOperationsSchema,
  bulkRunSchema,
  callAdmin,
  OPEN_ORDERS_BULK_QUERY,
  openOrdersQuery,
  ORDERS_COUNT_QUERY,
  ordersCountSchema,
} from "#adapters/shopify/admin-api";
import { BulkOrderBatch, jsonlLines } from "#adapters/shopify/bulk-jsonl";
import { normalizeShopifyOrderNode } from "#adapters/shopify/normalize";
import type { Db } from "#app/db/client.server";
import { orderImports, type Shop, shops } from "#app/db/schema";
import type { OrderSnapshot } from "#app/domain/platform-event";
import { applyOrderSnapshots } from "#app/services/intake/platform-events.server";
import type { ApplyEvents } from "#app/services/intake/processor.server";
import { logger } from "#app/utils/logger.server";

/*
 * The import of a large Shopify shop through one bulk operation instead of thousands of GraphQL pages: Shopify
 * writes every open order into a JSONL file, which we stream and store in batches through the same normalizer and
 * the same order service as the paginated import. The order_imports row is the only state: which operation (its
 * gid), how many lines of its file are applied (`cursor`), how many operations were started (`attempts`). So a
 * restart at any point polls the same operation and resumes after the last applied batch, and a second start of the
 * import finds the running row instead of starting a second operation.
 */

export type ImportRun = typeof orderImports.$inferSelect;

export type BulkImportOptions = {
  /** From this many open orders on, a shop is imported by bulk operation (ordersCount decides at the start). */
  bulkThreshold?: number;
  /** Orders stored per transaction (and per checkpoint of the JSONL file). */
  batchSize?: number;
  /** Downloads the result file; the global fetch (msw in tests). */
  fetch?: typeof fetch;
  /** Whole download; an interrupted file is resumed from its checkpoint by the next run. */
  downloadTimeoutMs?: number;
  /** Bytes of one result file. */
  maxDownloadBytes?: number;
};

const DEFAULT_DOWNLOAD_TIMEOUT_MS = 30 * 60_000;
/** Far above any shop's open orders (a few KB each); beyond it the file is not what we asked for. */
const DEFAULT_MAX_DOWNLOAD_BYTES = 4 * 1024 ** 3;

export const DEFAULT_BULK_THRESHOLD = 2_500;
/** Tuned with bench/scenarios/shopify-import.ts: larger batches stop paying off around here on PostgreSQL. */
export const DEFAULT_BULK_BATCH_SIZE = 1_000;
/** Operations started per import before it falls back to pages (a retryable failure or an expired file). */
const MAX_BULK_ATTEMPTS = 2;
/** Bulk error codes Shopify calls intermittent: worth one more operation before falling back. */
const RETRYABLE_ERRORS = new Set(["INTERNAL_SERVER_ERROR", "TIMEOUT"]);

export type BulkStep =
  /** The operation is still running on Shopify's side (or could not be started yet): the sweep polls again. */
  | { kind: "waiting"; status: string }
  | { kind: "done"; processed: number }
  /** The bulk route is given up (with the reason on the row): the same import continues page by page. */
  | { kind: "fallback"; run: ImportRun };

/**
 * The shop's running import, or a new one. For a new one, ordersCount decides between pages and a bulk operation;
 * the shop row is locked while the row is created, so two jobs starting at once create one import.
 */
export async function openShopifyImport(
  db: Db,
  shop: Shop,
  admin: AdminGraphql,
  now: Date,
  options: BulkImportOptions = {},
): Promise<ImportRun> {
  const running = await runningImport(db, shop.id);
  if (running) return running;
  const threshold = options.bulkThreshold ?? DEFAULT_BULK_THRESHOLD;
  const { ordersCount } = ordersCountSchema.parse(
    await callAdmin(admin, ORDERS_COUNT_QUERY, { query: openOrdersQuery(null), limit: threshold }),
  );
  const large = ordersCount !== null && (ordersCount.count >= threshold || ordersCount.precision !== "EXACT");
  return db.transaction(async (tx) => {
    await tx.select({ id: shops.id }).from(shops).where(eq(shops.id, shop.id)).for("update");
    const [again] = await tx
      .select()
      .from(orderImports)
      .where(and(eq(orderImports.shopId, shop.id), eq(orderImports.status, "running")))
      .orderBy(desc(orderImports.startedAt))
      .limit(1);
    if (again) return again;
    const total = ordersCount && ordersCount.precision === "EXACT" ? ordersCount.count : null;
    const [run] = await tx
      .insert(orderImports)
      .values({ shopId: shop.id, startedAt: now, mode: large ? "bulk" : "pages", total, cursor: large ? "0" : null })
      .returning();
    return run!;
  });
}

async function runningImport(db: Db, shopId: string): Promise<ImportRun | null> {
  const [run] = await db
    .select()
    .from(orderImports)
    .where(and(eq(orderImports.shopId, shopId), eq(orderImports.status, "running")))
    .orderBy(desc(orderImports.startedAt))
    .limit(1);
  return run ?? null;
}

/**
 * One step of a bulk import: start the operation if it has none, read its state by id, and when it completed,
 * stream its file into the database. Failed, canceled and expired operations are recorded on the row with their
 * reason; an intermittent failure or an expired file gets one more operation, anything else falls back to pages.
 */
export async function advanceBulkImport(
  db: Db,
  shop: Shop,
  admin: AdminGraphql,
  run: ImportRun,
  now: Date,
  options: BulkImportOptions = {},
): Promise<BulkStep> {
  for (let round = 0; round < MAX_BULK_ATTEMPTS + 1; round++) {
    if (!run.bulkOperationId) {
      const started = await startBulkOperation(db, shop, admin, run);
      if (started.kind !== "started") return started;
      run = started.run;
    }
    const operation = await readOperation(admin, run.bulkOperationId!);
    if (!operation) {
      run = await retryOrFallBack(db, run, `bulk operation ${run.bulkOperationId} is unknown to Shopify`, true);
      if (run.mode === "pages") return { kind: "fallback", run };
      continue;
    }
    switch (operation.status) {
      case "CREATED":
      case "RUNNING":
      case "CANCELING":
        return { kind: "waiting", status: operation.status };
      case "COMPLETED": {
        if (!operation.url)
          return { kind: "done", processed: await finish(db, run, Number(run.cursor ?? 0), run.processed) };
        const applied = await applyBulkFile(db, shop, run, operation.url, now, options);
        if (applied.kind !== "gone") return applied;
        // The file's URL lives seven days: a run that resumes later than that needs a new operation.
        run = await retryOrFallBack(db, run, "the bulk result file is no longer available", true);
        if (run.mode === "pages") return { kind: "fallback", run };
        continue;
      }
      case "FAILED":
      case "CANCELED":
      case "EXPIRED": {
        const reason = `bulk operation ${operation.status.toLowerCase()}${operation.errorCode ? ` (${operation.errorCode})` : ""}`;
        const retry =
          operation.status === "EXPIRED" ||
          (operation.status === "FAILED" && RETRYABLE_ERRORS.has(operation.errorCode ?? ""));
        logger.warn(
          {
            shopId: shop.id,
            operation: operation.id,
            status: operation.status,
            errorCode: operation.errorCode,
            partialDataUrl: Boolean(operation.partialDataUrl),
          },
          "bulk import operation did not complete",
        );
        run = await retryOrFallBack(db, run, reason, retry);
        if (run.mode === "pages") return { kind: "fallback", run };
        continue;
      }
    }
  }
  return { kind: "fallback", run: await fallBack(db, run, "bulk operations kept failing") };
}

type Started = { kind: "started"; run: ImportRun } | Exclude<BulkStep, { kind: "done" }>;

/**
 * Starts the operation with the import row locked, so a second job waits and then sees the recorded id. A crash
 * after Shopify accepted the mutation but before the id was stored leaves an operation running that we did not
 * record: the app's recent operations are checked first, and one running our query is adopted.
 */
async function startBulkOperation(db: Db, shop: Shop, admin: AdminGraphql, run: ImportRun): Promise<Started> {
  const query = OPEN_ORDERS_BULK_QUERY;
  const outcome = await db.transaction(
    async (tx): Promise<Started | { kind: "refused"; reason: string; retry: boolean; run: ImportRun }> => {
      const [row] = await tx.select().from(orderImports).where(eq(orderImports.id, run.id)).for("update");
      if (!row || row.status !== "running") return { kind: "waiting", status: row?.status ?? "gone" };
      if (row.mode !== "bulk") return { kind: "fallback", run: row };
      if (row.bulkOperationId) return { kind: "started", run: row };
      const adopted = await findOwnOperation(admin, query);
      let operationId = adopted?.id ?? null;
      if (!operationId) {
        const { bulkOperationRunQuery: result } = bulkRunSchema.parse(
          await callAdmin(admin, BULK_OPERATION_RUN_QUERY, { query }),
        );
        if (!result.bulkOperation) {
          const codes = result.userErrors.map((e) => e.code ?? "");
          const reason = `bulk operation not started: ${result.userErrors.map((e) => e.message).join("; ") || "no operation returned"}`;
          // Another operation of ours, or Shopify's per-shop limit: wait for the next sweep rather than give up.
          const busy = codes.some((code) => code === "OPERATION_IN_PROGRESS" || code === "LIMIT_REACHED");
          return { kind: "refused", reason, retry: busy, run: row };
        }
        operationId = result.bulkOperation.id;
      }
      const [updated] = await tx
        .update(orderImports)
        .set({ bulkOperationId: operationId, attempts: row.attempts + (adopted ? 0 : 1), cursor: "0" })
        .where(eq(orderImports.id, row.id))
        .returning();
      logger.info(
        { shopId: shop.id, operation: operationId, adopted: Boolean(adopted) },
        "bulk import operation started",
      );
      return { kind: "started", run: updated! };
    },
  );
  if (outcome.kind !== "refused") return outcome;
  if (outcome.retry && outcome.run.attempts < MAX_BULK_ATTEMPTS) {
    await db.update(orderImports).set({ error: outcome.reason }).where(eq(orderImports.id, outcome.run.id));
    return { kind: "waiting", status: "NOT_STARTED" };
  }
  return { kind: "fallback", run: await fallBack(db, outcome.run, outcome.reason) };
}

async function findOwnOperation(admin: AdminGraphql, query: string): Promise<BulkOperation | null> {
  const { bulkOperations } = bulkOperationsSchema.parse(
    await callAdmin(admin, BULK_OPERATIONS_QUERY, { query: "operation_type:query" }),
  );
  const same = (text: string | null | undefined) =>
    (text ?? "").replace(/\s+/g, " ").trim() === query.replace(/\s+/g, " ").trim();
  return (
    bulkOperations.nodes.find((op) => (op.status === "CREATED" || op.status === "RUNNING") && same(op.query)) ?? null
  );
}

async function readOperation(admin: AdminGraphql, id: string): Promise<BulkOperation | null> {
  return bulkOperationByIdSchema.parse(await callAdmin(admin, BULK_OPERATION_QUERY, { id })).bulkOperation;
}

/** Forget the operation (its reason kept on the row) and start another, or give up on bulk after the last attempt. */
async function retryOrFallBack(db: Db, run: ImportRun, reason: string, retryable: boolean): Promise<ImportRun> {
  if (!retryable || run.attempts >= MAX_BULK_ATTEMPTS) return fallBack(db, run, reason);
  // A new operation writes a new file: its lines are applied from the first (stored orders come back as stale).
  const [row] = await db
    .update(orderImports)
    .set({ bulkOperationId: null, cursor: "0", error: `${reason}; starting another bulk operation` })
    .where(eq(orderImports.id, run.id))
    .returning();
  return row!;
}

async function fallBack(db: Db, run: ImportRun, reason: string): Promise<ImportRun> {
  logger.warn({ shopId: run.shopId, importId: run.id, reason }, "bulk import falls back to paginated reading");
  const [row] = await db
    .update(orderImports)
    .set({
      mode: "pages",
      bulkOperationId: null,
      cursor: null,
      processed: 0,
      error: `${reason}; reading pages instead`,
    })
    .where(eq(orderImports.id, run.id))
    .returning();
  return row!;
}

async function finish(db: Db, run: ImportRun, lines: number, processed: number): Promise<number> {
  await db
    .update(orderImports)
    .set({ status: "done", cursor: String(lines), processed, finishedAt: new Date() })
    .where(and(eq(orderImports.id, run.id), eq(orderImports.status, "running")));
  return processed;
}

class ImportTakenOver extends Error {}

/**
 * Streams the result file and stores it batch by batch. Each batch commits together with the line count it covers,
 * and only if the row still says what this reader saw before (compare-and-set), so after a crash the next run skips
 * exactly the applied lines, and two readers of the same file never both count a batch. A batch ends only where a
 * new order line begins, so an order is never split from its payment schedules.
 */
async function applyBulkFile(
  db: Db,
  shop: Shop,
  run: ImportRun,
  url: string,
  now: Date,
  options: BulkImportOptions,
): Promise<{ kind: "done"; processed: number } | { kind: "waiting"; status: string } | { kind: "gone" }> {
  // The URL is Shopify's (a signed storage link), but its answer still gets a deadline and a size limit.
  const response = await (options.fetch ?? fetch)(url, {
    signal: AbortSignal.timeout(options.downloadTimeoutMs ?? DEFAULT_DOWNLOAD_TIMEOUT_MS),
  });
  if (response.status === 403 || response.status === 404 || response.status === 410) {
    await response.body?.cancel();
    return { kind: "gone" };
  }
  if (!response.ok || !response.body) throw new Error(`bulk result download answered ${response.status}`);
  const batchSize = options.batchSize ?? DEFAULT_BULK_BATCH_SIZE;
  const operationId = run.bulkOperationId!;
  const skip = Number(run.cursor ?? 0);
  let applied = skip;
  let processed = run.processed;
  let lineNo = 0;
  const batch = new BulkOrderBatch();
  let orphans = 0;
  let unreadable = 0;

  const commit = async (snapshots: OrderSnapshot[], orderCount: number, upTo: number, last: boolean) => {
    await db.transaction(async (tx) => {
      const moved = await tx
        .update(orderImports)
        .set({
          cursor: String(upTo),
          processed: processed + orderCount,
          ...(last ? { status: "done" as const, finishedAt: new Date() } : {}),
        })
        .where(
          and(
            eq(orderImports.id, run.id),
            eq(orderImports.status, "running"),
            eq(orderImports.bulkOperationId, operationId),
            sql`${orderImports.cursor} is not distinct from ${String(applied)}`,
          ),
        )
        .returning({ id: orderImports.id });
      if (moved.length === 0) throw new ImportTakenOver();
      await applyOrderSnapshots(tx, shop, snapshots);
    });
    applied = upTo;
    processed += orderCount;
  };
  // One batch is stored while the next is parsed and normalized: PostgreSQL's work and ours overlap. Commits still
  // happen one after another, in file order, so the checkpoint only ever covers stored batches.
  let inFlight: Promise<void> = Promise.resolve();
  const handOver = async (upTo: number, last: boolean) => {
    const nodes = batch.take();
    const snapshots = snapshotsOf(shop, nodes, "import");
    await inFlight;
    inFlight = commit(snapshots, nodes.length, upTo, last);
    // Rejections are taken up by the next handOver or the final await; this keeps them from going unhandled meanwhile.
    inFlight.catch(() => undefined);
  };

  try {
    for await (const line of jsonlLines(
      cappedBytes(
        response.body as unknown as AsyncIterable<Uint8Array>,
        options.maxDownloadBytes ?? DEFAULT_MAX_DOWNLOAD_BYTES,
      ),
    )) {
      lineNo += 1;
      if (lineNo <= skip || line.length === 0) continue;
      let row: unknown;
      try {
        row = JSON.parse(line);
      } catch {
        unreadable += 1;
        continue;
      }
      if (batch.size >= batchSize && BulkOrderBatch.kindOf(row) === "order") await handOver(lineNo - 1, false);
      if (batch.add(row) === "orphan") orphans += 1;
    }
    await handOver(Math.max(lineNo, skip), true);
    await inFlight;
  } catch (error) {
    // A broken download must not leave a batch half-way: the one in flight commits (or fails) before we report.
    await inFlight.catch(() => undefined);
    if (error instanceof ImportTakenOver) return { kind: "waiting", status: "TAKEN_OVER" };
    throw error;
  }
  if (orphans || unreadable)
    logger.warn({ shopId: shop.id, operation: operationId, orphans, unreadable }, "bulk import skipped lines");
  return { kind: "done", processed };
}

/** GraphQL order nodes → snapshots; a node that does not normalize is logged and skipped (the rest go on). */
export function snapshotsOf(shop: Shop, nodes: unknown[], origin: "import" | "reconcile"): OrderSnapshot[] {
  const snapshots: OrderSnapshot[] = [];
  for (const node of nodes) {
    const result = normalizeShopifyOrderNode(node);
    if (result.ok) snapshots.push(result.order);
    else logger.warn({ shopId: shop.id, reason: result.reason }, `order skipped in ${origin}`);
  }
  return snapshots;
}

/** Running bulk imports of active Shopify shops, for the sweep that polls their operations. */
export async function shopsWithRunningBulkImports(db: Db): Promise<string[]> {
  const rows = await db
    .selectDistinct({ shopId: orderImports.shopId })
    .from(orderImports)
    .innerJoin(shops, and(eq(shops.id, orderImports.shopId), eq(shops.platform, "shopify"), eq(shops.status, "active")))
    .where(and(eq(orderImports.status, "running"), eq(orderImports.mode, "bulk")));
  return rows.map((r) => r.shopId);
}

/**
 * The inbox's apply step with the bulk_operations/finish signal acted on: the shop's import job is queued at once
 * instead of waiting for the next sweep. The job reads the operation by id, so an early or duplicate signal is harmless.
 */
export function withBulkFinishSignal(apply: ApplyEvents, kick: (shopId: string) => Promise<unknown>): ApplyEvents {
  return async (tx, shop, events, now) => {
    await apply(tx, shop, events, now);
    if (shop.platform === "shopify" && events.some((e) => e.type === "bulk_operation.finished")) await kick(shop.id);
  };
}
