import { afterAll, beforeAll, describe, expect, test } from "vitest";

import type { Shop } from "#app/db/schema";
import { SETTINGS_DEFAULTS } from "#app/domain/settings";
import { createTestDatabase, type TestDatabase, testEngines } from "#test/support/db";
import { insertShop } from "#test/support/factories";

import { getSettings, settingsHistory, updateSettings } from "./settings.server";

describe.each(testEngines())("settings on %s", (engine) => {
  let database: TestDatabase;
  let shop: Shop;
  beforeAll(async () => {
    database = await createTestDatabase(engine);
    shop = await insertShop(database.db);
  });
  afterAll(() => database.close());
  const day = (d: number) => new Date(Date.UTC(2026, 0, d, 12));

  test("defaults until the first save: 14-day term, reminders 5/10/7, handover 7 days later, option A", async () => {
    const s = await getSettings(database.db, shop.id);
    expect(s).toMatchObject({
      version: 0,
      defaultPaymentTermDays: 14,
      schedule: { reminder_1: 5, reminder_2: 10, final_reminder: 7, handover: 7 },
      dunningOption: "A",
      autoHandover: { mode: "off" },
    });
    expect(SETTINGS_DEFAULTS.invoicePaymentMethods).toContain("Kauf auf Rechnung");
  });

  test("every change is a new version with who changed it", async () => {
    expect(
      await updateSettings(
        database.db,
        shop.id,
        { defaultPaymentTermDays: 30 },
        { changedBy: "staff:anna", now: day(1) },
      ),
    ).toMatchObject({ ok: true, version: 1 });
    expect(
      await updateSettings(
        database.db,
        shop.id,
        { autoHandover: { mode: "all" } },
        { changedBy: "support:maria", now: day(2) },
      ),
    ).toMatchObject({ ok: true, version: 2 });
    const s = await getSettings(database.db, shop.id);
    expect(s).toMatchObject({ version: 2, defaultPaymentTermDays: 30, autoHandover: { mode: "all" } });
    const history = await settingsHistory(database.db, shop.id);
    expect(history.map((h) => [h.version, h.changedBy])).toEqual([
      [2, "support:maria"],
      [1, "staff:anna"],
    ]);
  });

  test("invalid input is refused with the field, and nothing is saved", async () => {
    const result = await updateSettings(
      database.db,
      shop.id,
      { schedule: { reminder_1: 0, reminder_2: 10, final_reminder: 7, handover: 7 } },
      { changedBy: "x", now: day(3) },
    );
    expect(result.ok).toBe(false);
    if (!result.ok && result.error.code === "invalid")
      expect(result.error.issues[0]?.path).toEqual(["schedule", "reminder_1"]);
    expect((await getSettings(database.db, shop.id)).version).toBe(2);
  });

  test("a stale form is a conflict, not a silent overwrite", async () => {
    const result = await updateSettings(
      database.db,
      shop.id,
      { defaultPaymentTermDays: 7 },
      { changedBy: "x", now: day(3), expectedVersion: 1 },
    );
    expect(result).toMatchObject({ ok: false, error: { code: "conflict" } });
  });

  test("the dunning option changes once every 30 days; the refusal names the date", async () => {
    expect(
      await updateSettings(database.db, shop.id, { dunningOption: "B" }, { changedBy: "staff:anna", now: day(5) }),
    ).toMatchObject({ ok: true });
    const locked = await updateSettings(
      database.db,
      shop.id,
      { dunningOption: "A" },
      { changedBy: "staff:anna", now: day(20) },
    );
    expect(locked).toMatchObject({ ok: false, error: { code: "dunning_option_locked" } });
    if (!locked.ok && locked.error.code === "dunning_option_locked") {
      expect(locked.error.possibleFrom.toISOString()).toBe("2026-02-04T12:00:00.000Z");
      expect(locked.error.message).toContain("2026-02-04");
    }
    // Other settings can still change meanwhile, and the lock date is kept.
    expect(
      await updateSettings(database.db, shop.id, { defaultPaymentTermDays: 21 }, { changedBy: "x", now: day(21) }),
    ).toMatchObject({ ok: true });
    expect(
      await updateSettings(database.db, shop.id, { dunningOption: "A" }, { changedBy: "staff:anna", now: day(35) }),
    ).toMatchObject({ ok: true });
  });
});
