import { eq } from "drizzle-orm";
import { describe, expect, test } from "vitest";

import { caseEvents, cases, orders, outbox } from "#app/db/schema";
import { replay } from "#app/domain/case/events";
import { CASE_STATUSES } from "#app/domain/case/status";
import { caseFromJson, eventFromRow } from "#app/services/cases/serialization";
import { getSettings } from "#app/services/settings/settings.server";
import { createTestDatabase, testEngines } from "#test/support/db";

import { seedDemo } from "./seed.server";

describe.each(testEngines())("demo seed on %s", (engine) => {
  test("a German demo shop with cases in every status, built from events, idempotent", async () => {
    const database = await createTestDatabase(engine);
    try {
      const now = new Date("2026-11-23T09:00:00Z");
      await seedDemo(database.db, now);
      const rows = await database.db.select().from(cases);
      const statuses = new Set(rows.map((r) => r.status));
      for (const status of CASE_STATUSES) expect(statuses, status).toContain(status);
      expect(rows.some((r) => r.kind === "chargeback")).toBe(true);

      // Every case row is exactly the replay of its events.
      const events = await database.db.select().from(caseEvents);
      for (const row of rows) {
        const own = events
          .filter((e) => e.caseId === row.id)
          .sort((a, b) => a.seq - b.seq)
          .map(eventFromRow);
        expect(replay(own)).toEqual(caseFromJson(row.state));
        // The story reads forwards: no handover before its final reminder, no payment before the start.
        const times = own.map((e) => e.occurredAt.getTime());
        expect(times, `${row.orderName}: ${own.map((e) => e.type).join(" → ")}`).toEqual(
          [...times].sort((a, b) => a - b),
        );
      }
      const failed = rows.find((r) => r.status === "failed")!;
      expect(caseFromJson(failed.state).failureReasons).toEqual(["missing_street", "missing_postal_code"]);

      const counts = async () => ({
        orders: (await database.db.select().from(orders)).length,
        cases: (await database.db.select().from(cases)).length,
        events: (await database.db.select().from(caseEvents)).length,
      });
      // The demo shop has a postal address (its letters and claims need a sender), set once.
      const settings = await getSettings(database.db, rows[0]!.shopId);
      expect(settings.address).toMatchObject({
        street: "Musterstraße 1",
        postalCode: "10115",
        city: "Berlin",
        countryCode: "DE",
      });

      const before = await counts();
      await seedDemo(database.db, new Date("2026-11-24T09:00:00Z"));
      expect(await counts()).toEqual(before);
      expect((await getSettings(database.db, rows[0]!.shopId)).version).toBe(settings.version);

      // A demo cut off halfway (the last order's case never written) is completed on the next start.
      const last = rows.find((r) => r.orderName === "#1036")!;
      await database.db.delete(outbox).where(eq(outbox.caseId, last.id));
      await database.db.delete(caseEvents).where(eq(caseEvents.caseId, last.id));
      await database.db.delete(cases).where(eq(cases.id, last.id));
      await seedDemo(database.db, new Date("2026-11-24T09:00:00Z"));
      expect(await counts()).toEqual(before);
    } finally {
      await database.close();
    }
  }, 60_000);
});
