import type { AppLoadContext } from "@remix-run/node";
import { PDFDocument } from "pdf-lib";
import { afterAll, beforeAll, describe, expect, test } from "vitest";

import { type CaseRow, cases, type Shop } from "#app/db/schema";
import { buildClaim } from "#app/services/collection/partners.server";
import { reminderLetterFor } from "#app/services/dunning/letters.server";
import { runDunningSweep } from "#app/services/dunning/sweep.server";
import { updateSettings } from "#app/services/settings/settings.server";
import { DEMO_SHOP_DOMAIN } from "#app/web/shop-context.server";
import { createTestDatabase, type TestDatabase, testEngines } from "#test/support/db";
import { insertOrder, insertShop } from "#test/support/factories";
import { serveRoutesFrom, settle } from "#test/support/routes";
import { TEST_APP_URL } from "#test/support/woo";

import { loader as letterLoader } from "./app.cases.$caseId.letter[.]pdf";

const ADDRESS = {
  company: "Wollwerk GmbH",
  street: "Hafenstraße 1",
  postalCode: "20457",
  city: "Hamburg",
  countryCode: "DE",
  email: "info@wollwerk.example",
  phone: null,
};
const creditor = {
  shopName: "alt",
  street: "x",
  houseNumber: null,
  postalCode: "1",
  city: "y",
  countryCode: "DE",
  email: "a@b.example",
  phone: null,
};

describe.each(testEngines())("reminder letter as PDF on %s", (engine) => {
  let database: TestDatabase;
  let routes: ReturnType<typeof serveRoutesFrom>;
  let demo: Shop;
  let other: Shop;
  let business: CaseRow;
  let foreign: CaseRow;
  const ctx = {} as { context: AppLoadContext };
  const get = (caseId: string, query = "") =>
    settle(() =>
      letterLoader({
        request: new Request(`${TEST_APP_URL}/app/cases/${caseId}/letter.pdf${query}`),
        params: { caseId },
        ...ctx,
      }),
    );

  beforeAll(async () => {
    database = await createTestDatabase(engine);
    routes = serveRoutesFrom(database);
    ctx.context = routes.context;
    demo = await insertShop(database.db, {
      platform: "demo",
      domain: DEMO_SHOP_DOMAIN,
      name: "Wollwerk",
      timezone: "Europe/Berlin",
    });
    other = await insertShop(database.db, { name: "Anderer Shop" });
    for (const shop of [demo, other]) {
      await updateSettings(
        database.db,
        shop.id,
        {
          autoHandover: { mode: "all" },
          fees: { reminder_1: 0, reminder_2: 250, final_reminder: 250 },
          flatFeeB2B: true,
        },
        { changedBy: "t", now: new Date() },
      );
    }
    await insertOrder(database.db, demo, {
      name: "#4711",
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
    await insertOrder(database.db, other, { name: "#9" });
    // Opened and started on 16 Oct, first reminder on 20 Oct (to pay by 30 Oct), second on 4 Nov after the grace.
    for (const at of ["2026-10-16T08:00:00Z", "2026-10-20T07:00:00Z", "2026-11-04T07:00:00Z"])
      await runDunningSweep(database.db, new Date(at));
    const rows = await database.db.select().from(cases);
    business = rows.find((r) => r.shopId === demo.id)!;
    foreign = rows.find((r) => r.shopId === other.id)!;
    expect(business.dunningLevel).toBe("reminder_2");
  });
  afterAll(async () => {
    routes?.release();
    await database?.close();
  });

  test("without the shop's postal address there is no letter, with a reason", async () => {
    const response = (await get(business.id)) as Response;
    expect(response.status).toBe(409);
    expect(await response.text()).toMatch(/Anschrift|postal address/);
  });

  test("the letter's data: both addresses, the level's text and the amounts with the flat fee; the route serves a PDF", async () => {
    await updateSettings(database.db, demo.id, { address: ADDRESS }, { changedBy: "t", now: new Date() });
    const letter = await reminderLetterFor(database.db, demo, business.id, null, {
      now: new Date("2026-11-05T10:00:00Z"),
      mailFrom: "mahnwerk@localhost",
    });
    expect(letter.kind).toBe("ok");
    if (letter.kind !== "ok") return;
    expect(letter.filename).toBe("Mahnung-4711-reminder_2.pdf");
    expect(letter.input).toMatchObject({
      language: "de",
      // Printed a day later, the letter is the reminder as it was sent on 4 Nov.
      date: "2026-11-04",
      orderNumber: "#4711",
      sender: { name: "Wollwerk GmbH", street: "Hafenstraße 1", postalCode: "20457", city: "Hamburg", country: "DE" },
      recipient: {
        name: "Jan Berg",
        addition: "Berg Bau GmbH",
        street: "Ringstraße 5",
        postalCode: "80331",
        city: "München",
        country: "DE",
      },
    });
    expect(letter.input.reminder.subject).toContain("#4711");
    // § 288 Abs. 5 BGB: the €40 offset against the 2,50 fee; interest announced (no base rate known after June 2026).
    expect(letter.input.reminder.text).toContain(
      "Verzugspauschale (§ 288 Abs. 5 BGB), soweit nicht durch Mahngebühren gedeckt: 37,50\u00a0€",
    );
    expect(letter.input.reminder.text).toContain(
      "Verzugszinsen gemäß § 288 BGB (9 Prozentpunkte über dem Basiszinssatz) ab dem 31.10.2026: Höhe folgt",
    );
    // The replies of a letter go to the shop's contact, as in the e-mail.
    expect(letter.input.reminder.text).toContain("info@wollwerk.example");
    expect(letter.input.totals).toEqual({
      outstanding: { amountMinor: 11_990, currency: "EUR" },
      fees: { amountMinor: 250, currency: "EUR" },
      interest: { amountMinor: 0, currency: "EUR" },
      flatFee: { amountMinor: 3_750, currency: "EUR" },
      total: { amountMinor: 15_990, currency: "EUR" },
      moreInterest: true,
    });

    const response = (await get(business.id, "?level=reminder_1")) as Response;
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/pdf");
    expect(response.headers.get("content-disposition")).toBe('inline; filename="Mahnung-4711-reminder_1.pdf"');
    const pdf = await PDFDocument.load(new Uint8Array(await response.arrayBuffer()));
    expect(pdf.getPageCount()).toBe(1);
    expect(pdf.getTitle()).toBe("Zahlungserinnerung zu Ihrer Bestellung #4711");
    expect(pdf.getAuthor()).toBe("Wollwerk GmbH");
  });

  test("another shop's case, an unknown id or level: 404", async () => {
    expect(((await get(foreign.id)) as Response).status).toBe(404);
    expect(((await get("not-a-uuid")) as Response).status).toBe(404);
    expect(((await get(business.id, "?level=reminder_9")) as Response).status).toBe(404);
  });

  test("the claim carries the fees charged, the default date, interest and the flat fee offset against the fees", async () => {
    const business2 = (await database.db.select().from(cases)).find((r) => r.id === business.id)!;
    // Handed over on 1 Dec with the base rate of the second half of 2026 known (1.27 %): interest is a figure.
    const rates = [
      { from: "2026-01-01", rateBp: 127 },
      { from: "2026-07-01", rateBp: 127 },
    ];
    const claim = await buildClaim(database.db, business2, creditor, {
      now: new Date("2026-12-01T10:00:00Z"),
      baseRates: rates,
    });
    expect(claim.success).toBe(true);
    expect(claim.data).toMatchObject({
      creditor: { shopName: "Wollwerk GmbH", street: "Hafenstraße 1", city: "Hamburg", email: "info@wollwerk.example" },
      debtor: { type: "company", company: "Berg Bau GmbH" },
      reminders: [
        { level: "reminder_1", sentAt: "2026-10-20", fee: { amountMinor: 0, currency: "EUR" } },
        { level: "reminder_2", sentAt: "2026-11-04", fee: { amountMinor: 250, currency: "EUR" } },
      ],
      // In default from the day after the first reminder's deadline (Fri 30 Oct).
      defaultFrom: "2026-10-31",
      // 119,90 € × 10.27 % × 32 days / 365 = 1,0795… → 1,08 €.
      interest: {
        amount: { amountMinor: 108, currency: "EUR" },
        from: "2026-10-31",
        to: "2026-12-01",
        marginBp: 900,
        complete: true,
      },
      flatFee: { amount: { amountMinor: 3_750, currency: "EUR" }, date: "2026-10-31", offsetAgainstFees: true },
    });
    await updateSettings(database.db, demo.id, { flatFeeB2B: false }, { changedBy: "t", now: new Date() });
    expect(
      (await buildClaim(database.db, business2, creditor, { now: new Date("2026-12-01T10:00:00Z"), baseRates: rates }))
        .data?.flatFee,
    ).toBeNull();
  });
});
