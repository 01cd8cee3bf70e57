import { randomBytes } from "node:crypto";

import { sql } from "drizzle-orm";

import type { Db } from "#app/db/client.server";
import {
  completeConnection,
  createPendingConnection,
  type WooDeps,
} from "#app/services/woocommerce/connections.server";
import { WOO_TEST_KEYS, WOO_TEST_STORE_URL } from "#test/mocks/woocommerce";

export const TEST_APP_URL = "https://mahnwerk.example.com";
export const TEST_ENCRYPTION_KEY = randomBytes(32);

export type QueuedJob = { name: string; data: object; options?: { singletonKey?: string } };

/** The imports a connection queues, by import id. */
export function importRecorder(): { imports: string[]; queueImport: NonNullable<WooDeps["queueImport"]> } {
  const imports: string[] = [];
  return { imports, queueImport: async (importId) => void imports.push(importId) };
}

/** Connects the mock store (test/mocks/woocommerce.ts) through the same path the key callback takes. */
export async function connectTestStore(db: Db, options: { now?: Date; queueImport?: WooDeps["queueImport"] } = {}) {
  const now = options.now ?? new Date();
  const pending = await createPendingConnection(db, WOO_TEST_STORE_URL, TEST_ENCRYPTION_KEY);
  const result = await completeConnection(
    db,
    pending.id,
    { ...WOO_TEST_KEYS, permissions: "read_write" },
    {
      key: TEST_ENCRYPTION_KEY,
      now,
      appUrl: TEST_APP_URL,
      queueImport: options.queueImport,
    },
  );
  if (!result.ok) throw new Error(`connect failed: ${result.error.message}`);
  return result.value;
}

/** Every row of every table in the public schema, as one JSON text (to search for secrets). */
export async function dumpPublicTables(db: Db): Promise<string> {
  const rowsOf = (result: unknown): unknown[] =>
    Array.isArray(result) ? result : ((result as { rows?: unknown[] }).rows ?? []);
  const tables = rowsOf(
    await db.execute(
      sql`select table_name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE'`,
    ),
  ) as { table_name: string }[];
  const dump: Record<string, unknown[]> = {};
  for (const { table_name } of tables)
    dump[table_name] = rowsOf(await db.execute(sql.raw(`select * from "${table_name}"`)));
  if (!("woo_connections" in dump)) throw new Error("the dump misses woo_connections");
  return JSON.stringify(dump);
}
