import { eq } from "drizzle-orm";
import { afterEach, describe, expect, test } from "vitest";

import { cases, outbox, type Shop } from "#app/db/schema";
import type { Settings } from "#app/domain/settings";
import { createMailer } from "#app/mail/mailer.server";
import { backoffDelayMs, OUTBOX_MAX_ATTEMPTS, sweepOutbox } from "#app/services/outbox/outbox.server";
import { updateSettings } from "#app/services/settings/settings.server";
import { createTestDatabase, type TestDatabase, testEngines } from "#test/support/db";
import { insertOrder, insertShop } from "#test/support/factories";
import { hasQrTools, qrToolsRequired, readQrCodesFromPng } from "#test/support/qr";
import { type SmtpCapture, startSmtpCapture } from "#test/support/smtp";

import { reminderHandler, UNDELIVERABLE } from "./reminders.server";
import { runDunningSweep } from "./sweep.server";

const FROM = "mahnungen@demo-shop.example";

describe.each(testEngines())("reminders through the outbox on %s", (engine) => {
  let database: TestDatabase;
  let smtp: SmtpCapture;
  afterEach(async () => {
    await smtp?.close();
    await database?.close();
  });

  async function runningCase(
    customer: { email: string | null; locale: string; company?: string; vatId?: string },
    extra: Partial<Settings> = {},
  ) {
    database = await createTestDatabase(engine);
    smtp = await startSmtpCapture();
    const shop: Shop = await insertShop(database.db, { name: "Wollwerk", timezone: "Europe/Berlin" });
    await updateSettings(
      database.db,
      shop.id,
      { autoHandover: { mode: "all" }, fees: { reminder_1: 0, reminder_2: 250, final_reminder: 250 }, ...extra },
      { changedBy: "t", now: new Date() },
    );
    await insertOrder(database.db, shop, {
      name: "#4711",
      customer: {
        platformCustomerId: "1",
        firstName: "Anna",
        lastName: "Müller",
        company: customer.company ?? null,
        email: customer.email,
        phone: null,
        locale: customer.locale,
        vatId: customer.vatId ?? null,
      },
    });
    // Overdue and started automatically; the first reminder is due on 20 Oct at 08:00 Berlin.
    await runDunningSweep(database.db, new Date("2026-10-16T08:00:00Z"));
    await runDunningSweep(database.db, new Date("2026-10-20T07:00:00Z"));
    const [row] = await database.db.select().from(cases);
    return { shop, caseRow: row! };
  }

  const handlers = (url: string) => ({
    "reminder.send": reminderHandler({ mailer: createMailer(url, { timeoutMs: 2_000 }), mailFrom: FROM }),
  });

  test("the first reminder goes out once, in the customer's language, with the amounts", async () => {
    await runningCase({ email: "anna@example.de", locale: "de" });
    expect(await sweepOutbox(database.db, handlers(smtp.url), () => new Date("2026-10-20T07:01:00Z"))).toBe(1);
    expect(await sweepOutbox(database.db, handlers(smtp.url), () => new Date("2026-10-20T07:02:00Z"))).toBe(0);
    expect(smtp.messages).toHaveLength(1);
    const mail = smtp.messages[0]!.parsed;
    expect(mail.subject).toContain("#4711");
    expect(mail.from?.value[0]).toMatchObject({ name: "Wollwerk", address: FROM });
    expect(mail.to && "value" in mail.to ? mail.to.value[0]?.address : null).toBe("anna@example.de");
    expect(mail.text).toContain("119,90");
    expect(mail.text).toContain("Anna Müller");
    const [row] = await database.db.select().from(outbox).where(eq(outbox.kind, "reminder.send"));
    expect(row).toMatchObject({ status: "done", kind: "reminder.send" });
  });

  test("the second reminder carries its fee; an English customer gets English", async () => {
    await runningCase({ email: "anna@example.com", locale: "en-GB" });
    await sweepOutbox(database.db, handlers(smtp.url), () => new Date("2026-10-20T07:01:00Z"));
    // Reminder 1 (Tue 20 Oct) gave 10 days: Fri 30 Oct; three working days of grace: the second goes Wed 4 Nov.
    await runDunningSweep(database.db, new Date("2026-11-03T07:00:00Z"));
    expect(smtp.messages).toHaveLength(1);
    await runDunningSweep(database.db, new Date("2026-11-04T07:00:00Z"));
    await sweepOutbox(database.db, handlers(smtp.url), () => new Date("2026-11-04T07:01:00Z"));
    expect(smtp.messages).toHaveLength(2);
    const [first, second] = smtp.messages.map((m) => m.parsed);
    expect(first!.text).toContain("by 30/10/2026");
    expect(first!.text).not.toMatch(/fees|interest|0\.00/i);
    expect(second!.text).toMatch(/Reminder fees: €2\.50/);
    // In default since 31 Oct, but the base rate after 30 June 2026 is not published in the table: interest is
    // announced, not printed as 0.00, and not added to the total.
    expect(second!.text).toContain(
      "Default interest under § 288 BGB (5 percentage points above the base rate) from 31/10/2026: amount to follow",
    );
    expect(second!.text).toContain("Amount due: €122.40");
    expect(second!.subject).not.toMatch(/Zahlungserinnerung|Mahnung/);
  });

  test("the reminder says where to pay: the shop's account, checked and formatted, and the order's RF reference", async () => {
    await runningCase({ email: "anna@example.de", locale: "de" }, {
      bankAccount: { holder: "Wollwerk GmbH", iban: "de89 3704 0044 0532 0130 00", bic: "cobadeffxxx" },
    } as Partial<Settings>);
    await sweepOutbox(database.db, handlers(smtp.url), () => new Date("2026-10-20T07:01:00Z"));
    expect(smtp.messages[0]!.parsed.text).toContain(
      "Bitte überweisen Sie den Betrag bis zum 30.10.2026:\nKontoinhaber: Wollwerk GmbH\nIBAN: DE89 3704 0044 0532 0130 00\nBIC: COBADEFFXXX\nVerwendungszweck: RF71 4711",
    );
  });

  test.skipIf(!hasQrTools && !qrToolsRequired)(
    "the HTML shows the GiroCode of the amount due inline; it reads back as the transfer, umlauts intact",
    async () => {
      await runningCase({ email: "anna@example.de", locale: "de" }, {
        bankAccount: { holder: "Wollwerk Müller GmbH", iban: "DE89370400440532013000", bic: null },
      } as Partial<Settings>);
      await sweepOutbox(database.db, handlers(smtp.url), () => new Date("2026-10-20T07:01:00Z"));
      const mail = smtp.messages[0]!.parsed;
      const [picture] = mail.attachments;
      expect(picture).toMatchObject({
        contentType: "image/png",
        cid: "girocode@mahnwerk",
        contentDisposition: "inline",
      });
      expect(mail.html).toContain('<img src="cid:girocode@mahnwerk"');
      expect(readQrCodesFromPng(picture!.content)).toEqual([
        [
          "BCD",
          "002",
          "1",
          "SCT",
          "",
          "Wollwerk Müller GmbH",
          "DE89370400440532013000",
          "EUR119.90",
          "",
          // The order's RF creditor reference, structured: no unstructured text after it.
          "RF714711",
        ].join("\n"),
      ]);
    },
  );

  test("with the GiroCode turned off, and without an account, the reminder has no picture", async () => {
    await runningCase({ email: "anna@example.de", locale: "de" }, {
      bankAccount: { holder: "Wollwerk GmbH", iban: "DE89370400440532013000", bic: null },
      paymentOptions: { giroCode: false, payNowLink: true },
    } as Partial<Settings>);
    await sweepOutbox(database.db, handlers(smtp.url), () => new Date("2026-10-20T07:01:00Z"));
    const mail = smtp.messages[0]!.parsed;
    expect(mail.attachments).toEqual([]);
    expect(mail.html).not.toContain("cid:");
  });

  test("sender name and reply-to are the shop's, the From address stays ours", async () => {
    await runningCase(
      { email: "anna@example.de", locale: "de" },
      { sender: { name: "Wollwerk Buchhaltung", replyTo: "buchhaltung@wollwerk.example" } },
    );
    await sweepOutbox(database.db, handlers(smtp.url), () => new Date("2026-10-20T07:01:00Z"));
    expect(smtp.messages).toHaveLength(1);
    const { parsed, raw, envelope } = smtp.messages[0]!;
    expect(parsed.from?.value).toEqual([{ name: "Wollwerk Buchhaltung", address: FROM }]);
    expect(parsed.replyTo?.value).toEqual([{ name: "", address: "buchhaltung@wollwerk.example" }]);
    expect(raw).toMatch(/^Reply-To: buchhaltung@wollwerk\.example\r?$/m);
    expect(envelope.from).toBe(FROM);
    // The contact the text names is where replies go.
    expect(parsed.text).toContain("buchhaltung@wollwerk.example");
  });

  test("without a sender name the shop's name is used; the address's e-mail is the reply-to", async () => {
    await runningCase(
      { email: "anna@example.de", locale: "de" },
      {
        address: {
          company: "Wollwerk GmbH",
          street: "Hafenstraße 1",
          postalCode: "20457",
          city: "Hamburg",
          countryCode: "DE",
          email: "info@wollwerk.example",
          phone: null,
        },
      },
    );
    await sweepOutbox(database.db, handlers(smtp.url), () => new Date("2026-10-20T07:01:00Z"));
    const { parsed } = smtp.messages[0]!;
    expect(parsed.from?.value).toEqual([{ name: "Wollwerk", address: FROM }]);
    expect(parsed.replyTo?.value[0]?.address).toBe("info@wollwerk.example");
  });

  test("a business debtor owes the €40 flat fee once, from the second reminder on, when the shop charges it", async () => {
    await runningCase(
      { email: "einkauf@firma.example", locale: "de", company: "Firma GmbH", vatId: "DE811128135" },
      { flatFeeB2B: true },
    );
    await sweepOutbox(database.db, handlers(smtp.url), () => new Date("2026-10-20T07:01:00Z"));
    await runDunningSweep(database.db, new Date("2026-11-04T07:00:00Z"));
    await sweepOutbox(database.db, handlers(smtp.url), () => new Date("2026-11-04T07:01:00Z"));
    // Reminder 2 (Wed 4 Nov) gave 7 days: Wed 11 Nov; grace Thu, Fri, Mon: the final reminder goes Mon 16 Nov.
    await runDunningSweep(database.db, new Date("2026-11-16T08:00:00Z"));
    await sweepOutbox(database.db, handlers(smtp.url), () => new Date("2026-11-16T08:01:00Z"));
    expect(smtp.messages).toHaveLength(3);
    const [first, second, final] = smtp.messages.map((m) => m.parsed.text ?? "");
    expect(first).not.toContain("Verzugspauschale");
    // § 288 Abs. 5 BGB: the €40 are offset against the fees: costs are 40,00 €, whatever part the fees are.
    expect(second).toContain("Mahngebühren: 2,50\u00a0€");
    expect(second).toContain(
      "Verzugspauschale (§ 288 Abs. 5 BGB), soweit nicht durch Mahngebühren gedeckt: 37,50\u00a0€",
    );
    expect(second).toContain("Zu zahlender Betrag: 159,90\u00a0€");
    expect(final).toContain("Mahngebühren: 5,00\u00a0€");
    expect(final).toContain("soweit nicht durch Mahngebühren gedeckt: 35,00\u00a0€");
    expect(final).toContain("Zu zahlender Betrag: 159,90\u00a0€");
    // The final reminder names its deadline and the day the claim may go to the partner (after the grace).
    expect(final).toContain("bis spätestens 23.11.2026");
    expect(final).toContain("ab dem 26.11.2026 an unseren Inkassopartner");
  });

  test("a company name without a VAT id is dunned as a consumer: 5 points, no flat fee", async () => {
    await runningCase({ email: "anna@firma.example", locale: "de", company: "Firma GmbH" }, { flatFeeB2B: true });
    await sweepOutbox(database.db, handlers(smtp.url), () => new Date("2026-10-20T07:01:00Z"));
    await runDunningSweep(database.db, new Date("2026-11-04T07:00:00Z"));
    await sweepOutbox(database.db, handlers(smtp.url), () => new Date("2026-11-04T07:01:00Z"));
    const second = smtp.messages[1]?.parsed.text ?? "";
    expect(second).not.toContain("Verzugspauschale");
    expect(second).toContain("5 Prozentpunkte über dem Basiszinssatz");
  });

  test("no e-mail address: the case is blocked with the reason and the row is not retried", async () => {
    const { caseRow } = await runningCase({ email: null, locale: "de" });
    await sweepOutbox(database.db, handlers(smtp.url), () => new Date("2026-10-20T07:01:00Z"));
    const [after] = await database.db.select().from(cases).where(eq(cases.id, caseRow.id));
    expect(after!.status).toBe("blocked");
    expect((after!.state as { blockReasons: string[] }).blockReasons).toEqual([UNDELIVERABLE]);
    expect((await database.db.select().from(outbox).where(eq(outbox.kind, "reminder.send")))[0]!.status).toBe("dead");
    expect(smtp.messages).toHaveLength(0);
  });

  test("an SMTP outage delays the reminder without losing it, and it is sent once when the server is back", async () => {
    await runningCase({ email: "anna@example.de", locale: "de" });
    smtp.options.refuseAll = true;
    await sweepOutbox(database.db, handlers(smtp.url), () => new Date("2026-10-20T07:01:00Z"));
    const [waiting] = await database.db.select().from(outbox).where(eq(outbox.kind, "reminder.send"));
    expect(waiting).toMatchObject({ status: "failed", attempts: 1 });
    expect(waiting!.nextAttemptAt.getTime()).toBeGreaterThan(new Date("2026-10-20T07:01:00Z").getTime());
    smtp.options.refuseAll = false;
    await sweepOutbox(database.db, handlers(smtp.url), () => new Date("2026-10-20T09:00:00Z"));
    expect(smtp.messages).toHaveLength(1);
    expect((await database.db.select().from(outbox).where(eq(outbox.kind, "reminder.send")))[0]).toMatchObject({
      status: "done",
      attempts: 2,
    });
  });

  test("after every retry the row is dead and the case blocked, visible to support", async () => {
    const { caseRow } = await runningCase({ email: "anna@example.de", locale: "de" });
    smtp.options.refuseAll = true;
    let now = new Date("2026-10-20T07:01:00Z").getTime();
    for (let i = 0; i < OUTBOX_MAX_ATTEMPTS; i++) {
      await sweepOutbox(database.db, handlers(smtp.url), () => new Date(now));
      now += 7 * 60 * 60_000;
    }
    expect((await database.db.select().from(outbox).where(eq(outbox.kind, "reminder.send")))[0]).toMatchObject({
      status: "dead",
      attempts: OUTBOX_MAX_ATTEMPTS,
    });
    const [after] = await database.db.select().from(cases).where(eq(cases.id, caseRow.id));
    expect(after!.status).toBe("blocked");
  });
});

test("backoff grows exponentially with jitter and is capped", () => {
  expect(backoffDelayMs(1, () => 0)).toBe(15_000);
  expect(backoffDelayMs(1, () => 1)).toBe(30_000);
  expect(backoffDelayMs(4, () => 1)).toBe(240_000);
  expect(backoffDelayMs(30, () => 1)).toBe(6 * 60 * 60_000);
});
