import { afterAll, beforeAll, describe, expect, test } from "vitest";

import type { Shop } from "#app/db/schema";
import { MAX_REMINDER_FEE_MINOR } from "#app/domain/dunning/fees";
import { createTestDatabase, type TestDatabase, testEngines } from "#test/support/db";
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
  expect(parseSettingsForm(form({ autoHandover: "custom", autoHandoverCustom: "750" }), "EUR")).toMatchObject({
    input: { autoHandover: { mode: "threshold", minimumMajor: 750 } },
  });
  expect(parseSettingsForm(form({ autoHandover: "all" }), "EUR")).toMatchObject({
    input: { autoHandover: { mode: "all" } },
  });
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
  expect(
    parseSettingsForm(
      form({
        "sender.name": " Wollwerk Buchhaltung ",
        "sender.replyTo": "buchhaltung@wollwerk.example",
        flatFeeB2B: "on",
        ...address,
      }),
      "EUR",
    ),
  ).toMatchObject({
    ok: true,
    input: {
      sender: { name: "Wollwerk Buchhaltung", replyTo: "buchhaltung@wollwerk.example" },
      address: {
        company: "Wollwerk GmbH",
        street: "Hafenstraße 1",
        postalCode: "20457",
        city: "Hamburg",
        countryCode: "DE",
        email: "info@wollwerk.example",
        phone: null,
      },
      flatFeeB2B: true,
    },
  });
  // A form without these fields (an older page) leaves them as they are; the flat fee checkbox unticked is off.
  const plain = parseSettingsForm(form(), "EUR");
  expect(plain.ok && "sender" in plain.input).toBe(false);
  expect(plain.ok && plain.input.flatFeeB2B).toBe(false);
  expect(
    parseSettingsForm(
      form({
        "sender.name": "",
        "sender.replyTo": "",
        ...Object.fromEntries(Object.keys(address).map((k) => [k, ""])),
      }),
      "EUR",
    ),
  ).toMatchObject({
    ok: true,
    input: { sender: { name: "", replyTo: null }, address: null },
  });
  expect(
    parseSettingsForm(
      form({
        "sender.name": "Shop <x@evil.example>",
        "sender.replyTo": "kein-at-zeichen",
        ...address,
        "address.city": "",
        "address.email": "info@",
        "address.phone": "call me",
      }),
      "EUR",
    ),
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
  expect(parseSettingsForm(form({ caseRetentionYears: "6" }), "EUR")).toMatchObject({
    ok: true,
    input: { caseRetentionYears: 6 },
  });
  expect(parseSettingsForm(form({ caseRetentionYears: "10" }), "EUR")).toMatchObject({
    ok: true,
    input: { caseRetentionYears: 10 },
  });
  const older = parseSettingsForm(form(), "EUR");
  expect(older.ok && "caseRetentionYears" in older.input).toBe(false);
  expect(parseSettingsForm(form({ caseRetentionYears: "3" }), "EUR")).toMatchObject({
    ok: false,
    errors: { caseRetentionYears: { key: "form.error.invalid" } },
  });
});

test("the ways to pay: each box posts on or off; a form without them keeps the stored choice", () => {
  expect(
    parseSettingsForm(form({ "paymentOptions.giroCode": "off", "paymentOptions.payNowLink": "on" }), "EUR"),
  ).toMatchObject({ ok: true, input: { paymentOptions: { giroCode: false, payNowLink: true } } });
  const older = parseSettingsForm(form(), "EUR");
  expect(older.ok && "paymentOptions" in older.input).toBe(false);
  expect(
    parseSettingsForm(form({ "paymentOptions.giroCode": "yes", "paymentOptions.payNowLink": "on" }), "EUR").ok,
  ).toBe(false);
});

test("holidays, transfer grace, the invoice notice and the bank account: parsed when posted, kept when not", () => {
  const bank = {
    "bankAccount.holder": " Wollwerk GmbH ",
    "bankAccount.iban": "de89 3704 0044 0532 0130 00",
    "bankAccount.bic": "cobadeffxxx",
  };
  expect(
    parseSettingsForm(
      form({
        "holidays.country": "DE",
        "holidays.state": "BY",
        transferGraceDays: "5",
        consumerInvoiceWarns: "on",
        ...bank,
      }),
      "EUR",
    ),
  ).toMatchObject({
    ok: true,
    input: {
      holidays: { country: "DE", state: "BY" },
      transferGraceDays: 5,
      consumerInvoiceWarns: true,
      bankAccount: { holder: "Wollwerk GmbH", iban: "DE89370400440532013000", bic: "COBADEFFXXX" },
    },
  });
  // National holidays only, no grace, the box unticked (posted as "off"), no BIC; Austria's states are numbered.
  expect(
    parseSettingsForm(
      form({
        "holidays.country": "DE",
        "holidays.state": "",
        transferGraceDays: "0",
        consumerInvoiceWarns: "off",
        ...bank,
        "bankAccount.bic": "",
      }),
      "EUR",
    ),
  ).toMatchObject({
    ok: true,
    input: {
      holidays: { country: "DE", state: null },
      transferGraceDays: 0,
      consumerInvoiceWarns: false,
      bankAccount: { bic: null },
    },
  });
  expect(parseSettingsForm(form({ "holidays.country": "AT", "holidays.state": "7" }), "EUR")).toMatchObject({
    ok: true,
    input: { holidays: { country: "AT", state: "7" } },
  });
  // All three bank fields empty clear the account.
  expect(
    parseSettingsForm(form({ "bankAccount.holder": "", "bankAccount.iban": " ", "bankAccount.bic": "" }), "EUR"),
  ).toMatchObject({ ok: true, input: { bankAccount: null } });
  // A form from before these fields changes none of them.
  const older = parseSettingsForm(form(), "EUR");
  expect(older.ok).toBe(true);
  for (const field of ["holidays", "transferGraceDays", "consumerInvoiceWarns", "bankAccount"])
    expect(older.ok && field in older.input, field).toBe(false);
});

test("a wrong IBAN, BIC, state, country or grace is an error at its field; holder and IBAN are required once any bank field is filled", () => {
  expect(
    parseSettingsForm(
      form({
        "holidays.country": "DE",
        "holidays.state": "XX",
        transferGraceDays: "11",
        "bankAccount.holder": "Wollwerk\nGmbH",
        "bankAccount.iban": "DE89 3704 0044 0532 0130 01",
        "bankAccount.bic": "COBA",
      }),
      "EUR",
    ),
  ).toEqual({
    ok: false,
    errors: {
      transferGraceDays: { key: "form.error.range", values: { min: 0, max: 10 } },
    },
  });
  expect(
    parseSettingsForm(
      form({
        "holidays.country": "DE",
        "holidays.state": "XX",
        "bankAccount.holder": "Wollwerk\nGmbH",
        "bankAccount.iban": "DE89 3704 0044 0532 0130 01",
        "bankAccount.bic": "COBA",
      }),
      "EUR",
    ),
  ).toEqual({
    ok: false,
    errors: {
      "holidays.state": { key: "form.error.holidayState" },
      "bankAccount.holder": { key: "form.error.holder" },
      "bankAccount.iban": { key: "form.error.iban" },
      "bankAccount.bic": { key: "form.error.bic" },
    },
  });
  expect(parseSettingsForm(form({ "holidays.country": "XX", "holidays.state": "" }), "EUR")).toEqual({
    ok: false,
    errors: { "holidays.country": { key: "form.error.invalid" } },
  });
  expect(parseSettingsForm(form({ "holidays.country": "AT", "holidays.state": "BY" }), "EUR")).toEqual({
    ok: false,
    errors: { "holidays.state": { key: "form.error.holidayState" } },
  });
  expect(parseSettingsForm(form({ transferGraceDays: "drei" }), "EUR")).toEqual({
    ok: false,
    errors: { transferGraceDays: { key: "form.error.wholeNumber" } },
  });
  expect(parseSettingsForm(form({ consumerInvoiceWarns: "yes" }), "EUR")).toEqual({
    ok: false,
    errors: { consumerInvoiceWarns: { key: "form.error.invalid" } },
  });
  expect(
    parseSettingsForm(
      form({ "bankAccount.holder": "", "bankAccount.iban": "", "bankAccount.bic": "COBADEFFXXX" }),
      "EUR",
    ),
  ).toEqual({
    ok: false,
    errors: {
      "bankAccount.holder": { key: "form.error.required" },
      "bankAccount.iban": { key: "form.error.required" },
    },
  });
});

test("reminder fees: at most MAX_REMINDER_FEE_MINOR from the second reminder on; the first reminder's field keeps its wide limit", () => {
  expect(parseSettingsForm(form({ "fees.reminder_2": "5,00", "fees.final_reminder": "5" }), "EUR")).toMatchObject({
    ok: true,
    input: { fees: { reminder_2: 500, final_reminder: 500 } },
  });
  expect(parseSettingsForm(form({ "fees.reminder_2": "5,01", "fees.final_reminder": "40" }), "EUR")).toEqual({
    ok: false,
    errors: {
      "fees.reminder_2": { key: "form.error.feeMax", values: { maxMinor: MAX_REMINDER_FEE_MINOR } },
      "fees.final_reminder": { key: "form.error.feeMax", values: { maxMinor: MAX_REMINDER_FEE_MINOR } },
    },
  });
  expect(parseSettingsForm(form({ "fees.reminder_1": "10,00" }), "EUR")).toMatchObject({
    ok: true,
    input: { fees: { reminder_1: 1000 } },
  });
  expect(parseSettingsForm(form({ "fees.reminder_1": "1000,01" }), "EUR")).toEqual({
    ok: false,
    errors: { "fees.reminder_1": { key: "form.error.amount" } },
  });
});

test("each invalid field gets its own error", () => {
  const parsed = parseSettingsForm(form({ "schedule.reminder_1": "0", defaultPaymentTermDays: "zwei" }), "EUR");
  expect(parsed).toEqual({
    ok: false,
    errors: {
      "schedule.reminder_1": { key: "form.error.range", values: { min: 1, max: 365 } },
      defaultPaymentTermDays: { key: "form.error.wholeNumber" },
    },
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
      "reminderTexts.reminder_1.de.body": {
        key: "form.error.placeholders",
        values: { placeholders: "{{kundenname}}" },
      },
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
    const custom = {
      "reminderTexts.reminder_1.en.subject": "Reminder {{orderNumber}}",
      "reminderTexts.reminder_1.en.body": "Hello {{customerName}}, {{total}} please.",
    };
    expect(
      await saveSettingsForm(database.db, shop, form({ dunningOption: "B", ...custom }), meta("2026-03-01T10:00:00Z")),
    ).toEqual({ ok: true, version: 1 });
    const saved = await getSettings(database.db, shop.id);
    expect(saved).toMatchObject({
      dunningOption: "B",
      fees: { reminder_2: 250 },
      reminderTexts: { "reminder_1.en": { subject: "Reminder {{orderNumber}}" } },
    });
    expect(Object.keys(saved.reminderTexts)).toEqual(["reminder_1.en"]);
    expect(dunningOptionUnlocksAt(saved, new Date("2026-03-15T00:00:00Z"))?.toISOString()).toBe(
      "2026-03-31T10:00:00.000Z",
    );

    const locked = await saveSettingsForm(
      database.db,
      shop,
      form({ expectedVersion: "1", dunningOption: "A" }),
      meta("2026-03-20T10:00:00Z"),
    );
    expect(locked).toEqual({
      ok: false,
      errors: { dunningOption: { key: "settings.dunningOption.locked", values: { date: "2026-03-31" } } },
    });
    expect((await getSettings(database.db, shop.id)).dunningOption).toBe("B");
    // Other fields still save while the option stays.
    expect(
      await saveSettingsForm(
        database.db,
        shop,
        form({ expectedVersion: "1", dunningOption: "B", defaultPaymentTermDays: "21" }),
        meta("2026-03-20T10:00:00Z"),
      ),
    ).toEqual({ ok: true, version: 2 });
    expect(
      await saveSettingsForm(
        database.db,
        shop,
        form({ expectedVersion: "1", dunningOption: "B" }),
        meta("2026-03-20T11:00:00Z"),
      ),
    ).toEqual({ ok: false, conflict: true, errors: {} });
    expect(
      await saveSettingsForm(
        database.db,
        shop,
        form({ expectedVersion: "2", dunningOption: "A" }),
        meta("2026-04-01T10:00:00Z"),
      ),
    ).toEqual({ ok: true, version: 3 });
  });

  test("holidays, grace, invoice notice and bank account are stored (the IBAN in electronic format); an older form keeps them", async () => {
    const other = await insertShop(database.db);
    const fields = {
      "holidays.country": "DE",
      "holidays.state": "NW",
      transferGraceDays: "4",
      consumerInvoiceWarns: "on",
      "bankAccount.holder": "Wollwerk GmbH",
      "bankAccount.iban": "de89 3704 0044 0532 0130 00",
      "bankAccount.bic": "",
    };
    expect(await saveSettingsForm(database.db, other, form(fields), meta("2026-03-01T10:00:00Z"))).toEqual({
      ok: true,
      version: 1,
    });
    const expected = {
      holidays: { country: "DE", state: "NW" },
      transferGraceDays: 4,
      consumerInvoiceWarns: true,
      bankAccount: { holder: "Wollwerk GmbH", iban: "DE89370400440532013000", bic: null },
    };
    expect(await getSettings(database.db, other.id)).toMatchObject(expected);
    expect(
      await saveSettingsForm(database.db, other, form({ expectedVersion: "1" }), meta("2026-03-02T10:00:00Z")),
    ).toEqual({ ok: true, version: 2 });
    expect(await getSettings(database.db, other.id)).toMatchObject(expected);
    expect(
      await saveSettingsForm(
        database.db,
        other,
        form({
          expectedVersion: "2",
          consumerInvoiceWarns: "off",
          "bankAccount.holder": "",
          "bankAccount.iban": "",
          "bankAccount.bic": "",
        }),
        meta("2026-03-03T10:00:00Z"),
      ),
    ).toEqual({ ok: true, version: 3 });
    expect(await getSettings(database.db, other.id)).toMatchObject({
      ...expected,
      consumerInvoiceWarns: false,
      bankAccount: null,
    });
  });
});
