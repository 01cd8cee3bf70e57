import { inflateSync } from "node:zlib";

import { PDFDocument, PDFName, PDFRawStream } from "pdf-lib";
import { describe, expect, test } from "vitest";

import { money } from "#app/domain/money";
import { type ReminderLetterInput, renderReminderLetter } from "#app/mail/reminder-letter.server";
import { type ReminderData, renderReminder } from "#app/mail/reminder-templates";

const data: ReminderData = {
  customerName: "Łukasz Müller",
  orderNumber: "#20931",
  amount: money(45_900, "EUR"),
  originalDueDate: "2026-01-15",
  fees: money(150, "EUR"),
  interest: money(617, "EUR"),
  total: money(50_517, "EUR"),
  paymentDeadline: "2026-03-20",
  paymentInstructions: "Empfänger: Möbelhaus Nord GmbH\nIBAN: DE02 1203 0000 0000 2020 51",
  shopName: "Möbelhaus Nord GmbH",
  shopContact: "buchhaltung@moebel-nord.example",
};

function input(overrides: Partial<ReminderLetterInput> = {}, reminderData = data): ReminderLetterInput {
  const reminder = renderReminder({ level: "final_reminder", language: "de", data: reminderData });
  if (!reminder.ok) throw new Error(reminder.error.message);
  // A business in default: the €40 flat fee beyond the fees it is offset against (amounts.ts).
  const flatFee = money(Math.max(0, 4_000 - reminderData.fees.amountMinor), "EUR");
  const owed = [reminderData.amount, reminderData.fees, reminderData.interest, flatFee].reduce(
    (sum, m) => sum + m.amountMinor,
    0,
  );
  const totals = {
    outstanding: reminderData.amount,
    fees: reminderData.fees,
    interest: reminderData.interest,
    flatFee,
    total: money(owed, "EUR"),
  };
  return {
    language: "de",
    sender: {
      name: "Möbelhaus Nord GmbH",
      street: "Hafenstraße 1",
      postalCode: "20457",
      city: "Hamburg",
      country: "DE",
    },
    recipient: {
      name: "Łukasz Müller",
      addition: "Müller Innenausbau",
      street: "Ringstraße 5",
      postalCode: "80331",
      city: "München",
      country: "DE",
    },
    date: "2026-03-06",
    orderNumber: reminderData.orderNumber,
    reminder: reminder.value,
    totals,
    ...overrides,
  };
}

/** The text drawn on the pages: pdf-lib writes standard-font text as WinAnsi hex strings in deflated streams. */
async function drawnText(bytes: Uint8Array): Promise<string> {
  const doc = await PDFDocument.load(bytes);
  const win1252 = new TextDecoder("windows-1252");
  let out = "";
  for (const [, object] of doc.context.enumerateIndirectObjects()) {
    if (!(object instanceof PDFRawStream)) continue;
    if (object.dict.get(PDFName.of("Filter")) !== PDFName.of("FlateDecode")) continue;
    const content = Buffer.from(inflateSync(object.contents)).toString("latin1");
    for (const m of content.matchAll(/<([0-9A-Fa-f]*)> Tj/g)) out += `${win1252.decode(Buffer.from(m[1]!, "hex"))}\n`;
  }
  return out;
}

describe("renderReminderLetter", () => {
  test("is a one-page A4 PDF whose metadata names the order", async () => {
    const bytes = await renderReminderLetter(input());
    expect(bytes).toBeInstanceOf(Uint8Array);
    expect(Buffer.from(bytes.subarray(0, 5)).toString("latin1")).toBe("%PDF-");
    const doc = await PDFDocument.load(bytes);
    expect(doc.getPageCount()).toBe(1);
    const { width, height } = doc.getPage(0).getSize();
    expect([Math.round(width), Math.round(height)]).toEqual([595, 842]);
    expect(doc.getTitle()).toBe("Letzte Mahnung zu Ihrer Bestellung #20931");
    expect(doc.getSubject()).toBe("Bestellung #20931");
    expect(doc.getAuthor()).toBe("Möbelhaus Nord GmbH");
  });

  test("prints sender line, address, date, subject, body and the statement of claim", async () => {
    const text = await drawnText(await renderReminderLetter(input()));
    expect(text).toContain("Möbelhaus Nord GmbH · Hafenstraße 1 · 20457 Hamburg");
    // Ł is not in the standard font's character set; the letter falls back to L instead of failing.
    expect(text).toContain("Lukasz Müller\nMüller Innenausbau\nRingstraße 5\n80331 München\n");
    expect(text).not.toContain("\nDE\n");
    expect(text).toContain("06.03.2026");
    expect(text).toContain("Letzte Mahnung zu Ihrer Bestellung #20931");
    expect(text).toContain("übergeben wir die Forderung ab dem");
    expect(text).toContain("Forderungsaufstellung");
    for (const row of [
      "Offener Rechnungsbetrag\n459,00\u00a0€",
      "Mahngebühren\n1,50\u00a0€",
      "Verzugszinsen\n6,17\u00a0€",
      "Verzugspauschale (§ 288 Abs. 5 BGB), abzgl. Mahngebühren\n38,50\u00a0€",
      "Gesamtbetrag\n505,17\u00a0€",
    ]) {
      expect(text).toContain(row);
    }
  });

  test("a foreign debtor's country is printed; a long text wraps onto numbered pages", async () => {
    const abroad = await drawnText(
      await renderReminderLetter(
        input({
          recipient: { name: "Anna Gruber", street: "Ring 1", postalCode: "1010", city: "Wien", country: "at" },
        }),
      ),
    );
    expect(abroad).toContain("1010 Wien\nAT\n");

    const long = {
      ...data,
      paymentInstructions: Array.from(
        { length: 60 },
        (_, i) =>
          `Zeile ${i + 1} der Zahlungshinweise mit etwas Text, der umbrechen muss, weil er länger ist als eine Zeile im Brief.`,
      ).join("\n"),
    };
    const bytes = await renderReminderLetter(input({}, long));
    const doc = await PDFDocument.load(bytes);
    expect(doc.getPageCount()).toBeGreaterThan(1);
    const text = await drawnText(bytes);
    expect(text).toContain(`Seite 1 von ${doc.getPageCount()}`);
    expect(text).toContain("Zeile 60 der Zahlungshinweise");
    expect(text).toContain("Gesamtbetrag\n505,17\u00a0€");
    // Every drawn line fits between the margins: none is wider than the text area at 10 pt.
    const widest = Math.max(...text.split("\n").map((l) => l.length));
    expect(widest).toBeLessThan(110);
  });
});
