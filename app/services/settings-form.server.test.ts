import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Shop } from "#app/db/schema";
import { createTestDatabase, testEngines, type TestDatabase } from "#test/support/db";
import { insertShop } from "#test/support/factories";
import { dunningOptionUnlocksAt, getSettings, parseSettingsForm, saveSettingsForm } from "./settings.server";

/** The settings page as the browser posts it, with the defaults filled in. */
function form(overrides: Record<string, string | null> = {}): FormData {
  const fields: Record<string, string | null> = {
    expectedVersion: "0",
    invoicePaymentMethods: "Rechnung\nKauf auf Rechnung\n",
    defaultPaymentTermDays: "14",
    "schedule.reminder_1": "5",
    "schedule.reminder_2": "10",
    "schedule.final_reminder": "7",
    "schedule.handover": "7",
    "fees.reminder_1": "0",
    "fees.reminder_2": "2,50",
    "fees.final_reminder": "5.00",
    "sendWindow.startHour": "8",
    "sendWindow.endHour": "20",
    autoHandover: "off",
    dunningOption: "A",
    "writeBack.tags": "on",
    ...overrides,
  };
  const data = new FormData();
  for (const [k, v] of Object.entries(fields)) if (v !== null) data.set(k, v);
  return data;
}

test("fees in the shop currency become exact minor units; thresholds and checkboxes map to settings", () => {
  const parsed = parseSettingsForm(form({ autoHandover: "500", chargebackAutoHandover: "on" }), "EUR");
  expect(parsed).toMatchObject({
    ok: true,
    expectedVersion: 0,
    input: {
      invoicePaymentMethods: ["Rechnung", "Kauf auf Rechnung"],
      fees: { reminder_1: 0, reminder_2: 250, final_reminder: 500 },
      autoHandover: { mode: "threshold", minimumMajor: 500 },
      chargebackAutoHandover: true,
      writeBack: { tags: true, metafield: false, markAsPaid: false },
      sendWindow: { startHour: 8, endHour: 20, skipSundays: false },
      reminderTexts: {},
    },
  });
  expect(parseSettingsForm(form({ autoHandover: "custom", autoHandoverCustom: "750" }), "EUR")).toMatchObject({ input: { autoHandover: { mode: "threshold", minimumMajor: 750 } } });
  expect(parseSettingsForm(form({ autoHandover: "all" }), "EUR")).toMatchObject({ input: { autoHandover: { mode: "all" } } });
});

test("sender, reply-to, postal address and flat fee: parsed when posted, errors at the field, an empty address clears it", () => {
  const address = {
    "address.company": "Wollwerk GmbH",
    "address.street": "Hafenstraße 1",
    "address.postalCode": "20457",
    "address.city": "Hamburg",
    "address.countryCode": "de",
    "address.email": "info@wollwerk.example",
    "address.phone": "",
  };
  expect(parseSettingsForm(form({ "sender.name": " Wollwerk Buchhaltung ", "sender.replyTo": "buchhaltung@wollwerk.example", flatFeeB2B: "on", ...address }), "EUR")).toMatchObject({
    ok: true,
    input: {
      sender: { name: "Wollwerk Buchhaltung", replyTo: "buchhaltung@wollwerk.example" },
      address: { company: "Wollwerk GmbH", street: "Hafenstraße 1", postalCode: "20457", city: "Hamburg", countryCode: "DE", email: "info@wollwerk.example", phone: null },
      flatFeeB2B: true,
    },
  });
  // A form without these fields (an older page) leaves them as they are; the flat fee checkbox unticked is off.
  const plain = parseSettingsForm(form(), "EUR");
  expect(plain.ok && "sender" in plain.input).toBe(false);
  expect(plain.ok && plain.input.flatFeeB2B).toBe(false);
  expect(parseSettingsForm(form({ "sender.name": "", "sender.replyTo": "", ...Object.fromEntries(Object.keys(address).map((k) => [k, ""])) }), "EUR")).toMatchObject({
    ok: true,
    input: { sender: { name: "", replyTo: null }, address: null },
  });
  expect(
    parseSettingsForm(form({ "sender.name": "Shop <x@evil.example>", "sender.replyTo": "kein-at-zeichen", ...address, "address.city": "", "address.email": "info@", "address.phone": "call me" }), "EUR"),
  ).toEqual({
    ok: false,
    errors: {
      "sender.name": { key: "form.error.senderName" },
      "sender.replyTo": { key: "form.error.email" },
      "address.city": { key: "form.error.required" },
      "address.email": { key: "form.error.email" },
      "address.phone": { key: "form.error.phone" },
    },
  });
});

test("how long ended cases are kept: 6 or 10 years when posted, the stored value kept when not, nothing else", () => {
  expect(parseSettingsForm(form({ caseRetentionYears: "6" }), "EUR")).toMatchObject({ ok: true, input: { caseRetentionYears: 6 } });
  expect(parseSettingsForm(form({ caseRetentionYears: "10" }), "EUR")).toMatchObject({ ok: true, input: { caseRetentionYears: 10 } });
  const older = parseSettingsForm(form(), "EUR");
  expect(older.ok && "caseRetentionYears" in older.input).toBe(false);
  expect(parseSettingsForm(form({ caseRetentionYears: "3" }), "EUR")).toMatchObject({ ok: false, errors: { caseRetentionYears: { key: "form.error.invalid" } } });
});

test("each invalid field gets its own error", () => {
  const parsed = parseSettingsForm(form({ "schedule.reminder_1": "0", defaultPaymentTermDays: "zwei" }), "EUR");
  expect(parsed).toEqual({
    ok: false,
    errors: { "schedule.reminder_1": { key: "form.error.range", values: { min: 1, max: 365 } }, defaultPaymentTermDays: { key: "form.error.wholeNumber" } },
  });
  const second = parseSettingsForm(
    form({
      "fees.reminder_2": "2,505",
      "sendWindow.startHour": "20",
      "sendWindow.endHour": "8",
      autoHandover: "custom",
      autoHandoverCustom: "",
      "reminderTexts.reminder_1.de.subject": "Erinnerung {{orderNumber}}",
      "reminderTexts.reminder_1.de.body": "Hallo {{kundenname}}",
    }),
    "EUR",
  );
  expect(second).toEqual({
    ok: false,
    errors: {
      "fees.reminder_2": { key: "form.error.amount" },
      "sendWindow.endHour": { key: "form.error.windowEnd" },
      autoHandoverCustom: { key: "form.error.range", values: { min: 1, max: 10_000_000 } },
      "reminderTexts.reminder_1.de.body": { key: "form.error.placeholders", values: { placeholders: "{{kundenname}}" } },
    },
  });
});

describe.each(testEngines())("saving the settings page on %s", (engine) => {
  let database: TestDatabase;
  let shop: Shop;
  beforeAll(async () => {
    database = await createTestDatabase(engine);
    shop = await insertShop(database.db);
  });
  afterAll(() => database.close());
  const meta = (iso: string) => ({ changedBy: "staff:anna", now: new Date(iso) });

  test("saves, then the dunning option is locked for 30 days with the date shown, and a stale form is a conflict", async () => {
    const custom = { "reminderTexts.reminder_1.en.subject": "Reminder {{orderNumber}}", "reminderTexts.reminder_1.en.body": "Hello {{customerName}}, {{total}} please." };
    expect(await saveSettingsForm(database.db, shop, form({ dunningOption: "B", ...custom }), meta("2026-03-01T10:00:00Z"))).toEqual({ ok: true, version: 1 });
    const saved = await getSettings(database.db, shop.id);
    expect(saved).toMatchObject({ dunningOption: "B", fees: { reminder_2: 250 }, reminderTexts: { "reminder_1.en": { subject: "Reminder {{orderNumber}}" } } });
    expect(Object.keys(saved.reminderTexts)).toEqual(["reminder_1.en"]);
    expect(dunningOptionUnlocksAt(saved, new Date("2026-03-15T00:00:00Z"))?.toISOString()).toBe("2026-03-31T10:00:00.000Z");

    const locked = await saveSettingsForm(database.db, shop, form({ expectedVersion: "1", dunningOption: "A" }), meta("2026-03-20T10:00:00Z"));
    expect(locked).toEqual({ ok: false, errors: { dunningOption: { key: "settings.dunningOption.locked", values: { date: "2026-03-31" } } } });
    expect((await getSettings(database.db, shop.id)).dunningOption).toBe("B");
    // Other fields still save while the option stays.
    expect(await saveSettingsForm(database.db, shop, form({ expectedVersion: "1", dunningOption: "B", defaultPaymentTermDays: "21" }), meta("2026-03-20T10:00:00Z"))).toEqual({ ok: true, version: 2 });
    expect(await saveSettingsForm(database.db, shop, form({ expectedVersion: "1", dunningOption: "B" }), meta("2026-03-20T11:00:00Z"))).toEqual({ ok: false, conflict: true, errors: {} });
    expect(await saveSettingsForm(database.db, shop, form({ expectedVersion: "2", dunningOption: "A" }), meta("2026-04-01T10:00:00Z"))).toEqual({ ok: true, version: 3 });
  });
});
