import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, test } from "vitest";

import { outbox, type Shop } from "#app/db/schema";
import { createTestDatabase, type TestDatabase, testEngines } from "#test/support/db";
import { insertShop } from "#test/support/factories";

import { claimDueRows, deliverRow, retryOutboxRow } from "./outbox.server";
import type { OutboxHandler } from "./types";

const KIND = "test.side_effect";
const T0 = Date.parse("2026-11-23T08:00:00Z");
const at = (minutes: number) => new Date(T0 + minutes * 60_000);

describe.each(testEngines())("outbox leases on %s", (engine) => {
  let database: TestDatabase;
  let shop: Shop;
  beforeAll(async () => {
    database = await createTestDatabase(engine);
    shop = await insertShop(database.db);
  });
  afterAll(() => database.close());

  test("a worker that lost its row records nothing, even when a support retry brought the attempt counter back to its number", async () => {
    const [row] = await database.db
      .insert(outbox)
      .values({ shopId: shop.id, kind: KIND, idempotencyKey: "lease-aba", payload: {}, nextAttemptAt: at(0) })
      .returning();
    const calls: string[] = [];
    const handler = (who: string): Record<string, OutboxHandler> => ({
      [KIND]: async () => {
        calls.push(who);
        return { kind: "done" };
      },
    });

    // Worker A claims the row (attempt 1) and stalls; its lease runs out and B claims it (attempt 2) and gives up.
    const [claimedByA] = await claimDueRows(database.db, at(0), [KIND]);
    expect(claimedByA).toMatchObject({ id: row!.id, attempts: 1 });
    const [claimedByB] = await claimDueRows(database.db, at(11), [KIND]);
    expect(claimedByB).toMatchObject({ id: row!.id, attempts: 2 });
    await database.db
      .update(outbox)
      .set({ status: "dead", lastError: "partner refused" })
      .where(eq(outbox.id, row!.id));
    // Support retries it: attempts start again at 0, and worker C claims it as attempt 1 — A's number.
    expect(await retryOutboxRow(database.db, shop.id, row!.id, at(12))).toBe(true);
    const [claimedByC] = await claimDueRows(database.db, at(12), [KIND]);
    expect(claimedByC).toMatchObject({ id: row!.id, attempts: 1 });

    // A wakes up: its row is C's now.
    expect(await deliverRow(database.db, claimedByA!, handler("A"), at(13))).toEqual({ kind: "lease_lost" });
    expect(await deliverRow(database.db, claimedByC!, handler("C"), at(13))).toEqual({ kind: "done" });
    expect(calls).toEqual(["C"]);
    const [stored] = await database.db.select().from(outbox).where(eq(outbox.id, row!.id));
    expect(stored).toMatchObject({ status: "done", attempts: 1 });
  });
});
