import { describe, expect, test } from "vitest";

import { DUNNING_LEVELS } from "#app/domain/case/status";
import { money } from "#app/domain/money";
import {
  DEFAULT_REMINDER_TEXTS,
  previewReminder,
  REMINDER_LANGUAGES,
  REMINDER_PLACEHOLDERS,
  type ReminderData,
  renderReminder,
  validateReminderText,
} from "#app/mail/reminder-templates";

const data: ReminderData = {
  customerName: "Max Müller",
  orderNumber: "#4711",
  amount: money(123_450, "EUR"),
  originalDueDate: "2026-03-02",
  fees: money(150, "EUR"),
  interest: money(617, "EUR"),
  total: money(124_217, "EUR"),
  paymentDeadline: "2026-04-06",
  handoverDate: "2026-04-10",
  interestBasis: "Verzugszinsen gemäß § 288 BGB (5 Prozentpunkte über dem Basiszinssatz) vom 17.03.2026 bis 06.04.2026",
  paymentInstructions: "IBAN: DE02 1203 0000 0000 2020 51\nVerwendungszweck: 4711",
  shopName: "Müller & Söhne GmbH",
  shopContact: "hilfe@mueller.example",
};

function render(input: Parameters<typeof renderReminder>[0]) {
  const result = renderReminder(input);
  if (!result.ok) throw new Error(result.error.message);
  return result.value;
}

describe("default reminder texts", () => {
  test("German first reminder: friendly, formatted the German way, with the crossed-payment note", () => {
    const r = render({ level: "reminder_1", language: "de", data });
    expect(r.subject).toBe("Zahlungserinnerung zu Ihrer Bestellung #4711");
    expect(r.text).toContain("Guten Tag Max Müller,");
    expect(r.text).toContain("war am 02.03.2026 fällig");
    expect(r.text).toContain("Offener Rechnungsbetrag: 1.234,50\u00a0€");
    expect(r.text).toContain(
      "Verzugszinsen gemäß § 288 BGB (5 Prozentpunkte über dem Basiszinssatz) vom 17.03.2026 bis 06.04.2026: 6,17\u00a0€",
    );
    expect(r.text).toContain("Zu zahlender Betrag: 1.242,17\u00a0€");
    expect(r.text).toContain("bis zum 06.04.2026:\nIBAN: DE02 1203 0000 0000 2020 51\nVerwendungszweck: 4711");
    expect(r.text).toContain("Falls sich Ihre Zahlung mit diesem Schreiben überschnitten hat");
    expect(r.text).not.toMatch(/Inkasso|Kosten entstehen/);
    expect(r.text.endsWith("Mit freundlichen Grüßen\nMüller & Söhne GmbH")).toBe(true);
  });

  test("English final reminder: English formats, announces the handover, its costs and the date", () => {
    const r = render({ level: "final_reminder", language: "en", data });
    expect(r.subject).toBe("Final reminder for your order #4711");
    expect(r.text).toContain("due since 02/03/2026");
    expect(r.text).toContain("Amount due: €1,242.17");
    expect(r.text).toContain("by 06/04/2026 at the latest");
    expect(r.text).toContain(
      "we will hand the claim over to our debt collection partner from 10/04/2026. This may cause you further costs.",
    );
  });

  test("German second and final reminders escalate in wording", () => {
    expect(render({ level: "reminder_2", language: "de", data }).subject).toBe(
      "Zweite Zahlungserinnerung (Mahnung) zu Ihrer Bestellung #4711",
    );
    const last = render({ level: "final_reminder", language: "de", data });
    expect(last.subject).toBe("Letzte Mahnung zu Ihrer Bestellung #4711");
    expect(last.text).toContain("bis spätestens 06.04.2026");
    expect(last.text).toContain(
      "übergeben wir die Forderung ab dem 10.04.2026 an unseren Inkassopartner. Dadurch können Ihnen weitere Kosten entstehen.",
    );
  });

  test.each(DUNNING_LEVELS.flatMap((level) => REMINDER_LANGUAGES.map((language) => ({ level, language }))))(
    "$level.$language uses every placeholder and leaves none unfilled",
    ({ level, language }) => {
      const template = DEFAULT_REMINDER_TEXTS[level][language];
      // Only the final reminder announces the handover and its date.
      const used = REMINDER_PLACEHOLDERS.filter((p) => p !== "handoverDate" || level === "final_reminder");
      for (const p of used) expect(`${template.subject}\n${template.body}`).toContain(`{{${p}}}`);
      const r = render({ level, language, data });
      for (const part of [r.subject, r.text, r.html]) expect(part).not.toMatch(/\{\{|\}\}/);
      expect(r.text).toContain("#4711");
    },
  );
});

describe("lines of 0,00 are left out; interest says how it is computed", () => {
  const zero = money(0, "EUR");
  test("no fees and no interest: neither line, in both languages", () => {
    for (const language of REMINDER_LANGUAGES) {
      const r = render({
        level: "reminder_1",
        language,
        data: { ...data, fees: zero, interest: zero, interestBasis: undefined, total: data.amount },
      });
      expect(r.text).not.toMatch(/0,00|0\.00|Mahngebühren|Reminder fees|Verzugszinsen|Default interest/);
    }
  });

  test("interest owed but no base rate known for any day of it: said so, never 0,00", () => {
    const r = render({
      level: "reminder_2",
      language: "de",
      data: {
        ...data,
        interest: zero,
        interestPending: true,
        interestBasis: "Verzugszinsen gemäß § 288 BGB (5 Prozentpunkte über dem Basiszinssatz) ab dem 01.08.2026",
      },
    });
    expect(r.text).toContain("ab dem 01.08.2026: Höhe folgt (Basiszinssatz noch nicht veröffentlicht)");
    expect(r.text).not.toContain("0,00");
  });
});

describe("html part", () => {
  test("every value is escaped there, while the text part stays plain", () => {
    const evil = { ...data, customerName: `<script>alert("x")</script>`, shopName: "A & B <Shop>" };
    const r = render({ level: "reminder_1", language: "en", data: evil });
    expect(r.html).not.toContain("<script>");
    expect(r.html).toContain("Hello &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;,");
    expect(r.html).toContain("A &amp; B &lt;Shop&gt;");
    expect(r.html).toContain(`<html lang="en">`);
    expect(r.html).toContain(
      "<p>Please transfer the amount by 06/04/2026:<br>\nIBAN: DE02 1203 0000 0000 2020 51<br>\nVerwendungszweck: 4711</p>",
    );
    expect(r.text).toContain(`Hello <script>alert("x")</script>,`);
    expect(r.text).toContain("A & B <Shop>");
  });

  test("a value that looks like a placeholder is not filled again, and a line break cannot leave the subject", () => {
    const r = render({
      level: "reminder_1",
      language: "de",
      data: { ...data, customerName: "{{total}}", orderNumber: "1\r\nBcc: x@evil.example" },
    });
    expect(r.text).toContain("Guten Tag {{total}},");
    expect(r.subject).toBe("Zahlungserinnerung zu Ihrer Bestellung 1 Bcc: x@evil.example");
  });
});

describe("shop overrides", () => {
  test("the override for level and language is used; other combinations keep the default", () => {
    const reminderTexts = {
      "reminder_1.de": {
        subject: "Kleine Erinnerung: {{ orderNumber }}",
        body: "Hallo {{customerName}},\r\nbitte {{total}} zahlen.\n\n<b>{{shopName}}</b>",
      },
    };
    const r = render({ level: "reminder_1", language: "de", data, reminderTexts });
    expect(r.subject).toBe("Kleine Erinnerung: #4711");
    expect(r.text).toBe("Hallo Max Müller,\nbitte 1.242,17\u00a0€ zahlen.\n\n<b>Müller & Söhne GmbH</b>");
    expect(r.html).toContain(
      "<p>Hallo Max Müller,<br>\nbitte 1.242,17\u00a0€ zahlen.</p>\n<p>&lt;b&gt;Müller &amp; Söhne GmbH&lt;/b&gt;</p>",
    );
    expect(render({ level: "reminder_1", language: "en", data, reminderTexts }).subject).toBe(
      "Payment reminder for your order #4711",
    );
    expect(render({ level: "reminder_2", language: "de", data, reminderTexts }).subject).toContain(
      "Zweite Zahlungserinnerung",
    );
  });

  test("unknown placeholders in an override are refused, each listed", () => {
    const reminderTexts = {
      "final_reminder.en": {
        subject: "Order {{orderNo}}",
        body: "Dear {{customerName}}, pay {{ betrag }} by {{deadline\nBye",
      },
    };
    const result = renderReminder({ level: "final_reminder", language: "en", data, reminderTexts });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error).toMatchObject({
      code: "unknown_placeholders",
      key: "final_reminder.en",
      placeholders: ["{{orderNo}}", "{{ betrag }}", "{{deadline"],
    });
    expect(result.error.message).toContain("allowed are {{customerName}}, {{orderNumber}}");
    expect(
      validateReminderText("reminder_1.de", { subject: "{{orderNumber}}", body: "{{paymentDeadline}} }}" }),
    ).toMatchObject({
      ok: false,
      error: { placeholders: ["}}"] },
    });
    expect(validateReminderText("reminder_1.de", { subject: "{{orderNumber}}", body: "{{paymentDeadline}}" }).ok).toBe(
      true,
    );
  });

  test("previewReminder renders a level with sample data and the shop's override", () => {
    const preview = previewReminder({ level: "reminder_2", language: "de", data: { shopName: "Mein Laden" } });
    expect(preview).toMatchObject({ ok: true });
    if (!preview.ok) return;
    expect(preview.value.text).toContain("Guten Tag Erika Mustermann,");
    expect(preview.value.text).toContain("Mein Laden");
    expect(preview.value.text).not.toContain("{{");
    const refused = previewReminder({
      level: "reminder_2",
      language: "de",
      reminderTexts: { "reminder_2.de": { subject: "x", body: "{{kunde}}" } },
    });
    expect(refused).toMatchObject({ ok: false, error: { placeholders: ["{{kunde}}"] } });
  });
});

describe("ways to pay beside the bank account", () => {
  const url = "https://wollwerk.example/pay/4711?key=a&b=<x>";

  test("the pay-now link follows the payment instructions: plain in the text, a link in the HTML, escaped", () => {
    const r = render({ level: "reminder_1", language: "de", data: { ...data, payNowUrl: url } });
    expect(r.text).toContain(`Verwendungszweck: 4711\nOder online bezahlen: ${url}`);
    expect(r.html).toContain(
      'Verwendungszweck: 4711<br>\nOder online bezahlen: <a href="https://wollwerk.example/pay/4711?key=a&amp;b=&lt;x&gt;">https://wollwerk.example/pay/4711?key=a&amp;b=&lt;x&gt;</a>',
    );
    const en = render({ level: "final_reminder", language: "en", data: { ...data, payNowUrl: url } });
    expect(en.text).toContain(`Or pay online: ${url}`);
  });

  test("a shop's own text gets the link wherever it puts the payment instructions", () => {
    const reminderTexts = {
      "reminder_1.de": { subject: "Offen: {{orderNumber}}", body: "Zahlen Sie so:\n{{paymentInstructions}}" },
    };
    const r = render({ level: "reminder_1", language: "de", reminderTexts, data: { ...data, payNowUrl: url } });
    expect(r.text).toBe(
      `Zahlen Sie so:\nIBAN: DE02 1203 0000 0000 2020 51\nVerwendungszweck: 4711\nOder online bezahlen: ${url}`,
    );
  });

  test("the GiroCode picture stands in the HTML under its content id, with a caption; the text has none", () => {
    const r = render({ level: "reminder_2", language: "en", data: { ...data, giroCodeCid: "girocode@mahnwerk" } });
    expect(r.html).toContain('<img src="cid:girocode@mahnwerk" width="180" height="180" alt="GiroCode">');
    expect(r.html).toContain("scan it with your banking app");
    expect(r.text).not.toContain("GiroCode");
  });

  test("without either, the reminder reads as before", () => {
    const r = render({ level: "reminder_1", language: "de", data: { ...data, payNowUrl: null, giroCodeCid: null } });
    expect(r).toEqual(render({ level: "reminder_1", language: "de", data }));
    expect(r.html).not.toMatch(/<a |<img /);
  });
});
