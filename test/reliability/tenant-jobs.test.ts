import { randomUUID } from "node:crypto";

import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, test } from "vitest";

import type { Db } from "#app/db/client.server";
import { orderImports, type Shop, webhookInbox, wooConnections } from "#app/db/schema";
import type { JobDefinition, JobQueue } from "#app/jobs/jobs.server";
import { createBulkRun } from "#app/services/cases/bulk-runs.server";
import { caseListQuerySchema } from "#app/services/cases/list.server";
import { dropSingleton, setSingleton } from "#app/utils/singleton.server";
import { rowsOf } from "#test/support/app-database";
import { openTestCase } from "#test/support/cases";
import { createTestDatabase, type TestDatabase, testEngines } from "#test/support/db";
import { insertShop } from "#test/support/factories";
import { scale } from "#test/support/reliability";

/*
 * Jobs and tenants (issue 11). Job payloads name one object (a delivery, a bulk run, an import, a connection) and
 * carry no tenant claim: a stray shopId is stripped by the job's schema, and the handler works in the object's own
 * shop as the table owner (ADR 006). So every handler in app/jobs/definitions.server.ts, given "shop A" with shop B's
 * object ids, leaves A's rows alone; given ids that exist nowhere, or ids of another kind, it touches no shop and
 * returns instead of throwing (a throw would be retried with backoff into the dead-letter queue, over and over).
 * Scheduled sweeps work across all shops by design: they only have to survive a stray payload.
 */

const TENANT_TABLES = [
  "orders",
  "cases",
  "case_events",
  "settings",
  "outbox",
  "bulk_runs",
  "woo_connections",
  "order_imports",
  "webhook_inbox",
  "case_status_counts",
];
/** Count deltas are compared as the counts they sum to: compaction rewrites the rows, never the sums. */
const COUNT_SUMS =
  "(select shop_id, status as id, sum(n) as n from case_status_counts group by shop_id, status having sum(n) <> 0)";

async function shopDigest(db: Db, shopId: string): Promise<string> {
  const parts: string[] = [];
  for (const table of TENANT_TABLES) {
    const rows = table === "case_status_counts" ? COUNT_SUMS : `"${table}"`;
    const [row] = rowsOf<{ h: string | null }>(
      await db.execute(
        sql.raw(
          `select md5(string_agg(t::text, '|' order by t.id::text)) as h from ${rows} t where t.shop_id = '${shopId}'`,
        ),
      ),
    );
    parts.push(`${table}:${row?.h ?? ""}`);
  }
  return parts.join(",");
}

type Ids = { inboxId: string; runId: string; importId: string; connectionId: string; shopId: string };
/** Per job: the payload naming shop A with another shop's (or nobody's) object; "sweep" for scheduled jobs. */
const PAYLOADS: Record<string, ((a: Shop, ids: Ids) => object) | "sweep"> = {
  "inbox.process": (a, ids) => ({ shopId: a.id, inboxId: ids.inboxId }),
  "inbox.process.dead": (a, ids) => ({ shopId: a.id, inboxId: ids.inboxId }),
  "cases.bulk": (a, ids) => ({ shopId: a.id, runId: ids.runId }),
  "cases.bulk.dead": (a, ids) => ({ shopId: a.id, runId: ids.runId }),
  "shopify.import": (_a, ids) => ({ shopId: ids.shopId }),
  "woocommerce.import": (a, ids) => ({ shopId: a.id, importId: ids.importId }),
  "woocommerce.poll": (a, ids) => ({ shopId: a.id, connectionId: ids.connectionId }),
  "inbox.sweep": "sweep",
  "dunning.sweep": "sweep",
  "cases.counts.compact": "sweep",
  "shopify.import.sweep": "sweep",
  "shopify.reconcile": "sweep",
  "partner.sync": "sweep",
  "outbox.sweep": "sweep",
  "retention.sweep": "sweep",
  "base-rates.refresh": "sweep",
  "woocommerce.reconcile": "sweep",
  "woocommerce.webhooks.check": "sweep",
};

describe.each(testEngines())("job handlers and tenants on %s", (engine) => {
  let database: TestDatabase;
  let definitions: JobDefinition<any>[];
  let shopA: Shop;
  let shopB: Shop;
  const ofB = {} as Ids;
  const sent: { name: string; data: object }[] = [];
  const jobs: JobQueue = {
    send: async (job, data) => {
      sent.push({ name: job.name, data });
      return null;
    },
    sendBatched: async (job, data) => {
      sent.push({ name: job.name, data });
    },
  };

  beforeAll(async () => {
    database = await createTestDatabase(engine);
    // The handlers reach the database through the process singleton; point it at this test's.
    setSingleton("database", Promise.resolve(database));
    ({ jobDefinitions: definitions } = await import("#app/jobs/definitions.server"));
    shopA = await insertShop(database.db, { name: "A" });
    shopB = await insertShop(database.db, { name: "B", platform: "woocommerce", domain: "https://b.example.de" });
    for (let i = 0; i < scale(2, 20); i++) {
      await openTestCase(database.db, shopA);
      await openTestCase(database.db, shopB);
    }
    ofB.shopId = shopB.id;
    ofB.runId = (
      await createBulkRun(database.db, shopB, {
        action: "cancel",
        reason: "B's run",
        query: caseListQuerySchema.parse({}),
        actor: { type: "staff", id: "b", name: null },
        now: new Date(),
      })
    ).id;
    const [inbox] = await database.db
      .insert(webhookInbox)
      .values({
        platform: "woocommerce",
        source: "b",
        shopId: shopB.id,
        topic: "order.updated",
        dedupeKey: "b-1",
        headers: {},
        body: "{}",
      })
      .returning();
    ofB.inboxId = inbox!.id;
    const [connection] = await database.db
      .insert(wooConnections)
      .values({ shopId: shopB.id, storeUrl: "https://b.example.de", status: "disconnected", webhookSecret: "x" })
      .returning();
    ofB.connectionId = connection!.id;
    ofB.importId = (await database.db.insert(orderImports).values({ shopId: shopB.id }).returning())[0]!.id;
  });
  afterAll(async () => {
    dropSingleton("database");
    await database.close();
  });

  test("the table names every job definition", () => {
    expect(definitions.map((d) => d.name).sort()).toEqual(Object.keys(PAYLOADS).sort());
  });

  test("given shop A and shop B's objects, no handler touches A's rows or throws", async () => {
    const problems: string[] = [];
    for (const def of definitions) {
      const payload = PAYLOADS[def.name];
      if (!payload) continue;
      const before = await shopDigest(database.db, shopA.id);
      try {
        await def.handle(def.parse(payload === "sweep" ? { shopId: shopA.id } : payload(shopA, ofB)), {
          jobId: randomUUID(),
          jobs,
        });
      } catch (error) {
        problems.push(`${def.name} threw: ${error instanceof Error ? error.message : String(error)}`);
      }
      if (payload !== "sweep" && (await shopDigest(database.db, shopA.id)) !== before)
        problems.push(`${def.name} changed shop A's rows`);
    }
    expect(problems).toEqual([]);
  });

  test("given ids that exist nowhere, or ids of another kind, no handler touches any shop or throws", async () => {
    const problems: string[] = [];
    const caseOfB = rowsOf<{ id: string }>(
      await database.db.execute(sql`select id from cases where shop_id = ${shopB.id} limit 1`),
    )[0]!.id;
    const unknown = {
      inboxId: randomUUID(),
      runId: randomUUID(),
      importId: randomUUID(),
      connectionId: randomUUID(),
      shopId: randomUUID(),
    };
    const wrongKind = {
      inboxId: caseOfB,
      runId: caseOfB,
      importId: ofB.runId,
      connectionId: ofB.inboxId,
      shopId: caseOfB,
    };
    for (const ids of [unknown, wrongKind]) {
      for (const def of definitions) {
        const payload = PAYLOADS[def.name];
        if (!payload || payload === "sweep") continue;
        const before = [await shopDigest(database.db, shopA.id), await shopDigest(database.db, shopB.id)];
        try {
          await def.handle(def.parse(payload(shopA, ids)), { jobId: randomUUID(), jobs });
        } catch (error) {
          problems.push(`${def.name} threw: ${error instanceof Error ? error.message : String(error)}`);
        }
        const after = [await shopDigest(database.db, shopA.id), await shopDigest(database.db, shopB.id)];
        if (after.join() !== before.join()) problems.push(`${def.name} changed rows for ids ${JSON.stringify(ids)}`);
      }
    }
    expect(problems).toEqual([]);
  });
});
