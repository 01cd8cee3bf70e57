import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { asc, eq, sql } from "drizzle-orm";

import { type Database, type Db, type Engine, migrateDatabase, openDatabase } from "#app/db/client.server";
import { webhookInbox } from "#app/db/schema";
import { applyPlatformEvents } from "#app/services/intake/platform-events.server";
import { processInboxDelivery, type ProcessOutcome } from "#app/services/intake/processor.server";

import { createTestDatabase, type TestDatabase } from "./db";

/**
 * A throwaway database that the built app (test/support/server.ts) can run on: a PGlite data directory (one process
 * at a time — open it from the test only while the server is stopped) or a fresh PostgreSQL database.
 */
export type AppDatabase = {
  engine: Engine;
  /** DATA_DIR or DATABASE_URL for startServer. */
  serverEnv: Record<string, string>;
  /** Opens (and migrates) the database in this process; close it before a PGlite server starts. */
  open(): Promise<Database>;
  dispose(): Promise<void>;
};

export async function createAppDatabase(engine: Engine): Promise<AppDatabase> {
  if (engine === "pglite") {
    const dataDir = mkdtempSync(path.join(tmpdir(), "mahnwerk-reliability-"));
    return {
      engine,
      serverEnv: { DATA_DIR: dataDir },
      open: async () => {
        const options = { engine: "pglite" as const, dataDir };
        const database = await openDatabase(options);
        await migrateDatabase(options, database);
        return database;
      },
      dispose: async () => rmSync(dataDir, { recursive: true, force: true }),
    };
  }
  const database: TestDatabase = await createTestDatabase("postgres");
  if (database.options.engine !== "postgres") throw new Error("unreachable");
  const url = database.options.url;
  return {
    engine,
    serverEnv: { DATABASE_URL: url },
    // The test's own pool stays open beside the server's; close() of the handle it returns is a no-op.
    open: async () => ({ ...database, close: async () => undefined }),
    dispose: () => database.close(),
  };
}

export function rowsOf<T>(result: unknown): T[] {
  return (Array.isArray(result) ? result : ((result as { rows?: unknown[] }).rows ?? [])) as T[];
}

/** One digest over every row of the given tables: equal digests, equal contents. */
export async function tablesDigest(db: Db, tables: string[]): Promise<string> {
  const parts = await Promise.all(
    tables.map(async (table) => {
      const [row] = rowsOf<{ h: string }>(
        await db.execute(
          sql.raw(`select coalesce(md5(string_agg(t::text, '|' order by t.id::text)), '') as h from "${table}" t`),
        ),
      );
      return `${table}:${row?.h ?? ""}`;
    }),
  );
  return parts.join(",");
}

export type Processed = {
  id: string;
  topic: string;
  body: string;
  outcome: ProcessOutcome | "threw";
  error?: string;
  changed: boolean;
};

/**
 * Runs the worker's step over every stored `received` delivery in arrival order, as the inbox job would, noting for
 * each whether the watched tables changed (none watched: not checked). A throw is recorded, not raised: the caller decides what it means.
 */
export async function processReceivedInbox(db: Db, options: { now: Date; watch: string[] }): Promise<Processed[]> {
  const pending = await db
    .select({ id: webhookInbox.id, topic: webhookInbox.topic, body: webhookInbox.body })
    .from(webhookInbox)
    .where(eq(webhookInbox.status, "received"))
    .orderBy(asc(webhookInbox.receivedAt), asc(webhookInbox.id));
  const results: Processed[] = [];
  const digest = () => (options.watch.length ? tablesDigest(db, options.watch) : Promise.resolve(""));
  let before = await digest();
  for (const row of pending) {
    let outcome: Processed["outcome"];
    let error: string | undefined;
    try {
      outcome = await processInboxDelivery(db, row.id, { apply: applyPlatformEvents, now: options.now });
    } catch (e) {
      outcome = "threw";
      error = e instanceof Error ? `${e.message} ${e.cause instanceof Error ? e.cause.message : ""}` : String(e);
    }
    const after = await digest();
    results.push({ ...row, outcome, error, changed: after !== before });
    before = after;
  }
  return results;
}
