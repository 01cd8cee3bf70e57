// Every level's letter, in German and in English, as the case page serves it, drawn by poppler (pdftoppm) into
// test-results/letters/ to be looked at, and read back with pdftotext: what a debtor gets on paper.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";

import { afterAll, beforeAll, describe, expect, test } from "vitest";

import { type CaseRow, cases, type Shop } from "#app/db/schema";
import { DUNNING_LEVELS } from "#app/domain/case/status";
import { renderReminderLetter } from "#app/mail/reminder-letter.server";
import { reminderLetterFor } from "#app/services/dunning/letters.server";
import { runDunningSweep } from "#app/services/dunning/sweep.server";
import { updateSettings } from "#app/services/settings/settings.server";
import { createTestDatabase, type TestDatabase } from "#test/support/db";
import { insertOrder, insertShop } from "#test/support/factories";
import { hasQrTools, qrToolsRequired, readQrCodesFromPdf } from "#test/support/qr";

const OUT = path.resolve("test-results/letters");
const hasPoppler = (() => {
  try {
    execFileSync("pdftoppm", ["-v"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
})();
// CI installs poppler-utils and sets this: there a missing pdftoppm fails instead of skipping.
const required = process.env.MAHNWERK_REQUIRE_POPPLER === "1";

describe.skipIf(!hasPoppler && !required)("reminder letters drawn by poppler", () => {
  let database: TestDatabase;
  let shop: Shop;
  let business: CaseRow;
  let consumer: CaseRow;

  beforeAll(async () => {
    mkdirSync(OUT, { recursive: true });
    database = await createTestDatabase("pglite");
    shop = await insertShop(database.db, { platform: "demo", name: "Wollwerk", timezone: "Europe/Berlin" });
    await updateSettings(
      database.db,
      shop.id,
      {
        autoHandover: { mode: "all" },
        fees: { reminder_1: 0, reminder_2: 150, final_reminder: 150 },
        flatFeeB2B: true,
        address: {
          company: "Wollwerk GmbH",
          street: "Hafenstraße 1",
          postalCode: "20457",
          city: "Hamburg",
          countryCode: "DE",
          email: "info@wollwerk.example",
          phone: null,
        },
        bankAccount: { holder: "Wollwerk GmbH", iban: "DE89 3704 0044 0532 0130 00", bic: "COBADEFFXXX" },
      },
      { changedBy: "t", now: new Date() },
    );
    await insertOrder(database.db, shop, {
      name: "#4711",
      totalMinor: 45_900,
      outstandingMinor: 45_900,
      customer: {
        platformCustomerId: "1",
        firstName: "Jan",
        lastName: "Berg",
        company: "Berg Bau GmbH",
        email: "jan@berg.example",
        phone: null,
        locale: "de",
        vatId: "DE811128135",
      },
      billingAddress: {
        name: "Jan Berg",
        company: "Berg Bau GmbH",
        street1: "Ringstraße 5",
        street2: null,
        postalCode: "80331",
        city: "München",
        countryCode: "DE",
      },
    });
    await insertOrder(database.db, shop, {
      name: "#4712",
      customer: {
        platformCustomerId: "2",
        firstName: "Emma",
        lastName: "Walsh",
        company: null,
        email: "emma@walsh.example",
        phone: null,
        locale: "en",
        vatId: null,
      },
      billingAddress: {
        name: "Emma Walsh",
        company: null,
        street1: "Gartenweg 3",
        street2: null,
        postalCode: "10115",
        city: "Berlin",
        countryCode: "DE",
      },
    });
    // Started on 16 Oct; reminder 1 on 20 Oct, reminder 2 on 4 Nov, the final reminder on 16 Nov (deadlines + grace).
    for (const at of ["2026-10-16T08:00:00Z", "2026-10-20T07:00:00Z", "2026-11-04T07:00:00Z", "2026-11-16T08:00:00Z"])
      await runDunningSweep(database.db, new Date(at));
    const rows = await database.db.select().from(cases);
    business = rows.find((r) => r.orderName === "#4711")!;
    consumer = rows.find((r) => r.orderName === "#4712")!;
    expect([business.dunningLevel, consumer.dunningLevel]).toEqual(["final_reminder", "final_reminder"]);
  }, 60_000);
  afterAll(async () => {
    await database?.close();
  });

  /** The letter of one level as the route builds it, drawn to PNG; its text as poppler reads it. */
  async function drawn(caseRow: CaseRow, level: (typeof DUNNING_LEVELS)[number]): Promise<string> {
    const letter = await reminderLetterFor(database.db, shop, caseRow.id, level, {
      now: new Date("2026-11-17T09:00:00Z"),
      mailFrom: "mahnwerk@localhost",
    });
    if (letter.kind !== "ok") throw new Error(`no letter: ${letter.kind}`);
    const pdf = path.join(OUT, `${caseRow.orderName.slice(1)}-${level}.pdf`);
    writeFileSync(pdf, await renderReminderLetter(letter.input));
    execFileSync("pdftoppm", ["-png", "-r", "60", "-singlefile", pdf, pdf.replace(/\.pdf$/, "")]);
    expect(existsSync(pdf.replace(/\.pdf$/, ".png"))).toBe(true);
    return execFileSync("pdftotext", ["-layout", pdf, "-"], { encoding: "utf8" });
  }

  test("German, a business: every level names the account, the statement has no zero lines, the final one the handover day", async () => {
    const [first, second, final] = await Promise.all(DUNNING_LEVELS.map((level) => drawn(business, level)));
    for (const text of [first!, second!, final!]) {
      expect(text).toContain("DE89 3704 0044 0532 0130 00");
      expect(text).toContain("Wollwerk GmbH");
      expect(text).toContain("#4711");
      expect(text).not.toMatch(/\s0,00\s€/);
    }
    // The first reminder creates default: no fee, no interest, no flat fee yet.
    expect(first).not.toMatch(/Mahngebühren|Verzugszinsen|Verzugspauschale/);
    // Later ones: the fee charged, the flat fee net of it, interest 9 points over the base rate with its basis.
    expect(second).toMatch(/Mahngebühren\s+1,50\s€/);
    expect(second).toContain("Verzugspauschale");
    expect(second).toContain("9 Prozentpunkte über dem Basiszinssatz");
    expect(final).toMatch(/an unseren Inkassopartner/);
    // No base rate is known past June 2026: the statement says more interest is owed, never a silent 0,00 €.
    expect(final).toContain("zuzüglich weiterer Verzugszinsen (siehe oben)");
  });

  test.skipIf(!hasQrTools && !qrToolsRequired)(
    "the GiroCode under the statement reads back, line by line, as the transfer of the total with the order's reference",
    async () => {
      const letter = await reminderLetterFor(database.db, shop, business.id, "reminder_2", {
        now: new Date("2026-11-17T09:00:00Z"),
        mailFrom: "mahnwerk@localhost",
      });
      if (letter.kind !== "ok") throw new Error(`no letter: ${letter.kind}`);
      const total = letter.input.totals.total.amountMinor;
      expect(total).toBeGreaterThan(45_900);
      const codes = readQrCodesFromPdf(await renderReminderLetter(letter.input));
      expect(codes.map((code) => code.split("\n"))).toEqual([
        [
          "BCD",
          "002",
          "1",
          "SCT",
          "COBADEFFXXX",
          "Wollwerk GmbH",
          "DE89370400440532013000",
          `EUR${Math.floor(total / 100)}.${String(total % 100).padStart(2, "0")}`,
          "",
          "RF714711",
        ],
      ]);
      expect(
        execFileSync("pdftotext", ["-", "-"], { input: await renderReminderLetter(letter.input) }).toString(),
      ).toContain("GiroCode");

      // Turned off in the settings: the letter has no code.
      await updateSettings(
        database.db,
        shop.id,
        { paymentOptions: { giroCode: false, payNowLink: true } },
        { changedBy: "t", now: new Date() },
      );
      const without = await reminderLetterFor(database.db, shop, business.id, "reminder_2", {
        now: new Date("2026-11-17T09:00:00Z"),
        mailFrom: "mahnwerk@localhost",
      });
      if (without.kind !== "ok") throw new Error(`no letter: ${without.kind}`);
      expect(readQrCodesFromPdf(await renderReminderLetter(without.input))).toEqual([]);
      await updateSettings(
        database.db,
        shop.id,
        { paymentOptions: { giroCode: true, payNowLink: true } },
        { changedBy: "t", now: new Date() },
      );
    },
  );

  test("English, a consumer: the same figures in English, 5 points, no flat fee", async () => {
    const [first, second, final] = await Promise.all(DUNNING_LEVELS.map((level) => drawn(consumer, level)));
    for (const text of [first!, second!, final!]) {
      expect(text).toContain("DE89 3704 0044 0532 0130 00");
      expect(text).toContain("#4712");
      expect(text).not.toMatch(/€\s?0\.00\b|\b0\.00\s?€/);
      expect(text).not.toContain("Verzug");
    }
    expect(second).toMatch(/Reminder fees?\s+€?1\.50/i);
    expect(second).toContain("5 percentage points above the base rate");
    expect(second).not.toMatch(/flat fee/i);
    expect(final).toMatch(/collection/i);
    expect(final).toContain("plus further default interest (see above)");
  });
});
