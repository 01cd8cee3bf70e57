import { sql } from "drizzle-orm";

import { migrateDatabase, openDatabase, type OpenOptions } from "#app/db/client.server";
import { withTenant } from "#app/db/tenant.server";
import { caseListQuerySchema, listCases } from "#app/services/cases/list.server";
import { openTestCase } from "#test/support/cases";
import { insertShop } from "#test/support/factories";

/**
 * Rough cost of the row-level-security fence (ADR 006): the same first page of the case list, N times, on the owner
 * handle and through withTenant (transaction + set_config + policy). `npx tsx bench/rls-overhead.ts [postgres-url]`.
 */
const url = process.argv[2];
const options: OpenOptions = url ? { engine: "postgres", url, max: 2 } : { engine: "pglite" };
const database = await openDatabase(options);
await migrateDatabase(options, database);
const db = database.db;
await db.execute(sql`truncate shops cascade`);
const shops = [await insertShop(db), await insertShop(db)];
for (const shop of shops) for (let i = 0; i < 300; i++) await openTestCase(db, shop);
const query = caseListQuerySchema.parse({});
const N = 200;
async function time(label: string, run: () => Promise<unknown>) {
  for (let i = 0; i < 20; i++) await run();
  const start = performance.now();
  for (let i = 0; i < N; i++) await run();
  const ms = (performance.now() - start) / N;
  process.stdout.write(`${database.engine} ${label}: ${ms.toFixed(2)} ms per list page\n`);
  return ms;
}
const plain = await time("owner, no fence", () => listCases(db, shops[0]!.id, query));
const fenced = await time("withTenant", () => withTenant(db, shops[0]!.id, (tx) => listCases(tx, shops[0]!.id, query)));
process.stdout.write(
  `${database.engine} overhead: ${(fenced - plain).toFixed(2)} ms (${(((fenced - plain) / plain) * 100).toFixed(0)}%)\n`,
);
await database.close();
