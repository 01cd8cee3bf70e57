import type { DunningLevel } from "#app/domain/case/status";
import type { LocalDate } from "#app/domain/dates";
import { formatMoney, type Money, money } from "#app/domain/money";
import { err, ok, type Result } from "#app/domain/result";
import type { Settings } from "#app/domain/settings";
import { intlLocale } from "#app/i18n/i18n";
import { formatDate } from "#app/utils/format";

export type ReminderLanguage = "de" | "en";
export const REMINDER_LANGUAGES: readonly ReminderLanguage[] = ["de", "en"];

/** Everything a reminder text may mention; `paymentDeadline` is the pay-by date (before handover on the last level). */
export const REMINDER_PLACEHOLDERS = [
  "customerName",
  "orderNumber",
  "amount",
  "originalDueDate",
  "fees",
  "interest",
  "interestBasis",
  "flatFee",
  "total",
  "paymentDeadline",
  "paymentInstructions",
  "handoverDate",
  "shopName",
  "shopContact",
] as const;
export type ReminderPlaceholder = (typeof REMINDER_PLACEHOLDERS)[number];

export type ReminderText = { subject: string; body: string };

export type ReminderData = {
  customerName: string;
  orderNumber: string;
  /** Outstanding invoice amount. */
  amount: Money;
  originalDueDate: LocalDate;
  /** A line with {{fees}}, {{interest}} or {{flatFee}} is left out when its amount is absent or zero. */
  fees: Money;
  interest: Money;
  /** How the interest is computed, e.g. "Verzugszinsen gemäß § 288 BGB (5 Prozentpunkte über dem Basiszinssatz) vom … bis …". */
  interestBasis?: string;
  /** When interest is owed but its rate not yet known for any day: shown instead of 0,00. */
  interestPending?: boolean;
  /** §288 Abs. 5 BGB flat fee beyond the fees it is offset against. */
  flatFee?: Money;
  total: Money;
  paymentDeadline: LocalDate;
  /** From when the claim may go to the collection partner (the final reminder names it). */
  handoverDate?: LocalDate;
  /** Free text, may span lines (account holder, IBAN, reference). */
  paymentInstructions: string;
  /** The platform's page where the order can be paid: follows the payment instructions, as a link in HTML. */
  payNowUrl?: string | null;
  /** The HTML shows the GiroCode image attached under this content id (the text part cannot show a picture). */
  giroCodeCid?: string | null;
  shopName: string;
  shopContact: string;
};

export type RenderedReminder = { subject: string; text: string; html: string };

export type ReminderTemplateError = {
  code: "unknown_placeholders" | "too_long";
  /** The settings key of the text, e.g. "reminder_1.de". */
  key: string;
  placeholders: string[];
  message: string;
};

const AMOUNTS_DE = `Offener Rechnungsbetrag: {{amount}}
Mahngebühren: {{fees}}
{{interestBasis}}: {{interest}}
Verzugspauschale (§ 288 Abs. 5 BGB), soweit nicht durch Mahngebühren gedeckt: {{flatFee}}
Zu zahlender Betrag: {{total}}`;

const AMOUNTS_EN = `Outstanding invoice amount: {{amount}}
Reminder fees: {{fees}}
{{interestBasis}}: {{interest}}
Flat-rate default fee (§ 288(5) BGB), as far as not covered by reminder fees: {{flatFee}}
Amount due: {{total}}`;

/**
 * Default texts. The first reminder stays friendly and threatens nothing; only the final one announces the handover
 * to the collection partner and its costs, with a date, as partners expect before they accept a claim.
 */
export const DEFAULT_REMINDER_TEXTS: Readonly<Record<DunningLevel, Readonly<Record<ReminderLanguage, ReminderText>>>> =
  {
    reminder_1: {
      de: {
        subject: "Zahlungserinnerung zu Ihrer Bestellung {{orderNumber}}",
        body: `Guten Tag {{customerName}},

sicher ist es im Alltag untergegangen: Die Rechnung zu Ihrer Bestellung {{orderNumber}} war am {{originalDueDate}} fällig, und wir konnten noch keinen Zahlungseingang feststellen.

${AMOUNTS_DE}

Bitte überweisen Sie den Betrag bis zum {{paymentDeadline}}:
{{paymentInstructions}}

Falls sich Ihre Zahlung mit diesem Schreiben überschnitten hat, betrachten Sie diese Erinnerung bitte als gegenstandslos. Bei Fragen sind wir gern für Sie da: {{shopContact}}

Mit freundlichen Grüßen
{{shopName}}`,
      },
      en: {
        subject: "Payment reminder for your order {{orderNumber}}",
        body: `Hello {{customerName}},

this has probably just slipped your mind: the invoice for your order {{orderNumber}} was due on {{originalDueDate}}, and we have not yet received your payment.

${AMOUNTS_EN}

Please transfer the amount by {{paymentDeadline}}:
{{paymentInstructions}}

If your payment has crossed with this message, please disregard this reminder. If you have any questions, we are happy to help: {{shopContact}}

Kind regards
{{shopName}}`,
      },
    },
    reminder_2: {
      de: {
        subject: "Zweite Zahlungserinnerung (Mahnung) zu Ihrer Bestellung {{orderNumber}}",
        body: `Guten Tag {{customerName}},

auf unsere Zahlungserinnerung ist für Ihre Bestellung {{orderNumber}} leider noch keine Zahlung bei uns eingegangen. Die Rechnung war am {{originalDueDate}} fällig. Wir mahnen den offenen Betrag hiermit an.

${AMOUNTS_DE}

Bitte überweisen Sie den Betrag bis spätestens {{paymentDeadline}}:
{{paymentInstructions}}

Falls sich Ihre Zahlung mit diesem Schreiben überschnitten hat, betrachten Sie es bitte als gegenstandslos. Haben Sie Fragen zur Rechnung, oder können Sie nicht sofort zahlen? Dann melden Sie sich bitte bei uns: {{shopContact}}

Mit freundlichen Grüßen
{{shopName}}`,
      },
      en: {
        subject: "Second payment reminder for your order {{orderNumber}}",
        body: `Hello {{customerName}},

despite our payment reminder, we have not yet received payment for your order {{orderNumber}}. The invoice was due on {{originalDueDate}}. We hereby ask you to pay the outstanding amount.

${AMOUNTS_EN}

Please transfer the amount by {{paymentDeadline}} at the latest:
{{paymentInstructions}}

If your payment has crossed with this message, please disregard it. If you have questions about the invoice or cannot pay right away, please get in touch: {{shopContact}}

Kind regards
{{shopName}}`,
      },
    },
    final_reminder: {
      de: {
        subject: "Letzte Mahnung zu Ihrer Bestellung {{orderNumber}}",
        body: `Guten Tag {{customerName}},

trotz unserer Zahlungserinnerung und unserer Mahnung ist die Rechnung zu Ihrer Bestellung {{orderNumber}}, fällig seit dem {{originalDueDate}}, weiterhin offen.

${AMOUNTS_DE}

Bitte überweisen Sie den Betrag bis spätestens {{paymentDeadline}}:
{{paymentInstructions}}

Ist die Zahlung bis zu diesem Tag nicht bei uns eingegangen, übergeben wir die Forderung ab dem {{handoverDate}} an unseren Inkassopartner. Dadurch können Ihnen weitere Kosten entstehen.

Falls sich Ihre Zahlung mit diesem Schreiben überschnitten hat, betrachten Sie es bitte als gegenstandslos. Bei Fragen erreichen Sie uns unter {{shopContact}}.

Mit freundlichen Grüßen
{{shopName}}`,
      },
      en: {
        subject: "Final reminder for your order {{orderNumber}}",
        body: `Hello {{customerName}},

despite our payment reminder and our second reminder, the invoice for your order {{orderNumber}}, due since {{originalDueDate}}, is still unpaid.

${AMOUNTS_EN}

Please transfer the amount by {{paymentDeadline}} at the latest:
{{paymentInstructions}}

If we have not received your payment by that date, we will hand the claim over to our debt collection partner from {{handoverDate}}. This may cause you further costs.

If your payment has crossed with this message, please disregard it. If you have any questions, you can reach us at {{shopContact}}.

Kind regards
{{shopName}}`,
      },
    },
  };

export const reminderTextKey = (level: DunningLevel, language: ReminderLanguage) => `${level}.${language}`;

// Linear: no quantifier can trade characters with another (a lazy group between two \s* backtracked cubically on
// "{{" followed by thousands of spaces). The name is trimmed in code.
const PLACEHOLDER = /\{\{([^{}]*)\}\}/g;
/** The settings form's limits, checked before any pattern runs. */
export const REMINDER_TEXT_LIMITS = { subject: 200, body: 10_000 } as const;
const KNOWN = new Set<string>(REMINDER_PLACEHOLDERS);

/** Placeholders a text uses that the renderer does not know, plus stray `{{`/`}}` (a placeholder typed wrongly). */
export function unknownPlaceholders(template: string): string[] {
  const found: string[] = [];
  for (const match of template.matchAll(PLACEHOLDER)) {
    if (!KNOWN.has((match[1] ?? "").trim())) found.push(match[0]);
  }
  const rest = template.replace(PLACEHOLDER, " ");
  for (const stray of rest.matchAll(/\{\{[^\s]{0,30}|[^\s]{0,30}\}\}/g)) found.push(stray[0]);
  return [...new Set(found)];
}

/** Checks a shop's text before it is saved (and again before it is used). */
export function validateReminderText(key: string, text: ReminderText): Result<ReminderText, ReminderTemplateError> {
  if (text.subject.length > REMINDER_TEXT_LIMITS.subject || text.body.length > REMINDER_TEXT_LIMITS.body) {
    return err({
      code: "too_long",
      key,
      placeholders: [],
      message: `${key} is longer than ${REMINDER_TEXT_LIMITS.subject} characters (subject) or ${REMINDER_TEXT_LIMITS.body} (text)`,
    });
  }
  const placeholders = unknownPlaceholders(`${text.subject}\n${text.body}`);
  if (placeholders.length === 0) return ok(text);
  return err({
    code: "unknown_placeholders",
    key,
    placeholders,
    message: `unknown placeholders in ${key}: ${placeholders.join(", ")}; allowed are ${REMINDER_PLACEHOLDERS.map((p) => `{{${p}}}`).join(", ")}`,
  });
}

function formattedValues(data: ReminderData, language: ReminderLanguage): Record<ReminderPlaceholder, string> {
  const locale = intlLocale(language);
  return {
    customerName: data.customerName,
    orderNumber: data.orderNumber,
    amount: formatMoney(data.amount, locale),
    originalDueDate: formatDate(data.originalDueDate, locale),
    fees: formatMoney(data.fees, locale),
    interest: data.interestPending ? PENDING_INTEREST[language] : formatMoney(data.interest, locale),
    interestBasis: data.interestBasis ?? DEFAULT_INTEREST_LABEL[language],
    flatFee: data.flatFee ? formatMoney(data.flatFee, locale) : "",
    total: formatMoney(data.total, locale),
    paymentDeadline: formatDate(data.paymentDeadline, locale),
    handoverDate: formatDate(data.handoverDate ?? data.paymentDeadline, locale),
    paymentInstructions: data.paymentInstructions.replace(/\r\n?/g, "\n").trim(),
    shopName: data.shopName,
    shopContact: data.shopContact,
  };
}

const PAY_NOW: Record<ReminderLanguage, string> = { de: "Oder online bezahlen:", en: "Or pay online:" };
const GIROCODE_CAPTION: Record<ReminderLanguage, string> = {
  de: "GiroCode: Mit Ihrer Banking-App scannen, und die Überweisung ist ausgefüllt.",
  en: "GiroCode: scan it with your banking app and the transfer is filled in.",
};

const DEFAULT_INTEREST_LABEL: Record<ReminderLanguage, string> = { de: "Verzugszinsen", en: "Default interest" };
const PENDING_INTEREST: Record<ReminderLanguage, string> = {
  de: "Höhe folgt (Basiszinssatz noch nicht veröffentlicht)",
  en: "amount to follow (base rate not yet published)",
};

/** The amount placeholders whose line is left out when there is nothing to show: a reminder never lists 0,00 €. */
function emptyAmounts(data: ReminderData): Set<string> {
  const empty = new Set<string>();
  if (data.fees.amountMinor === 0) empty.add("fees");
  if (data.interest.amountMinor === 0 && !data.interestPending) empty.add("interest");
  if (!data.flatFee || data.flatFee.amountMinor === 0) empty.add("flatFee");
  return empty;
}

function withoutLinesOf(body: string, placeholders: Set<string>): string {
  if (placeholders.size === 0) return body;
  return body
    .split("\n")
    .filter((line) => ![...line.matchAll(PLACEHOLDER)].some((m) => placeholders.has(m[1]?.trim() ?? "")))
    .join("\n");
}

const HTML_ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
export const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);

/**
 * One pass over the template, so a value that itself looks like `{{total}}` is never filled in again. `encoded` holds
 * values already in the output's encoding (the HTML payment instructions with their link).
 */
function fill(
  template: string,
  values: Record<ReminderPlaceholder, string>,
  encode: (s: string) => string,
  encoded: Partial<Record<ReminderPlaceholder, string>> = {},
): string {
  let out = "";
  let last = 0;
  for (const match of template.matchAll(PLACEHOLDER)) {
    const name = (match[1] ?? "").trim() as ReminderPlaceholder;
    out += encode(template.slice(last, match.index));
    out += encoded[name] ?? encode(values[name]);
    last = match.index + match[0].length;
  }
  return out + encode(template.slice(last));
}

function toHtml(subject: string, escapedBody: string, language: ReminderLanguage, giroCodeCid?: string | null): string {
  const paragraphs = escapedBody
    .split(/\n{2,}/)
    .map((p) => p.trim())
    .filter((p) => p !== "")
    .map((p) => `<p>${p.replace(/\n/g, "<br>\n")}</p>`);
  if (giroCodeCid) {
    paragraphs.push(
      `<p><img src="cid:${escapeHtml(giroCodeCid)}" width="180" height="180" alt="GiroCode"><br>\n${escapeHtml(GIROCODE_CAPTION[language])}</p>`,
    );
  }
  return [
    "<!DOCTYPE html>",
    `<html lang="${language}">`,
    `<head><meta charset="utf-8"><title>${escapeHtml(subject)}</title></head>`,
    '<body style="font-family:Arial,Helvetica,sans-serif;font-size:15px;line-height:1.5;color:#1a1a1a">',
    ...paragraphs,
    "</body>",
    "</html>",
  ].join("\n");
}

export type RenderReminderInput = {
  level: DunningLevel;
  language: ReminderLanguage;
  data: ReminderData;
  /** The shop's overrides (`settings.reminderTexts`), keyed `${level}.${language}`. */
  reminderTexts?: Settings["reminderTexts"];
};

/** The reminder as mail parts: the shop's text for level and language when it has one, else the default. */
export function renderReminder(input: RenderReminderInput): Result<RenderedReminder, ReminderTemplateError> {
  const key = reminderTextKey(input.level, input.language);
  const override = input.reminderTexts?.[key];
  const template = override ?? DEFAULT_REMINDER_TEXTS[input.level][input.language];
  const valid = validateReminderText(key, template);
  if (!valid.ok) return valid;

  const values = formattedValues(input.data, input.language);
  const payNowUrl = input.data.payNowUrl ?? null;
  const instructions = values.paymentInstructions;
  const htmlValues: Partial<Record<ReminderPlaceholder, string>> = {};
  if (payNowUrl) {
    const label = PAY_NOW[input.language];
    values.paymentInstructions = `${instructions}\n${label} ${payNowUrl}`;
    const href = escapeHtml(payNowUrl);
    htmlValues.paymentInstructions = `${escapeHtml(instructions)}\n${escapeHtml(label)} <a href="${href}">${href}</a>`;
  }
  // Consumers never read a flat-fee line, nobody a line of 0,00 €.
  const body = withoutLinesOf(template.body.replace(/\r\n?/g, "\n"), emptyAmounts(input.data));
  // A line break in a header value would end the header; the subject is one line whatever the data holds.
  const subject = fill(template.subject, values, (s) => s)
    .replace(/\s*[\r\n]+\s*/g, " ")
    .trim();
  const text = fill(body, values, (s) => s).trim();
  const html = toHtml(subject, fill(body, values, escapeHtml, htmlValues), input.language, input.data.giroCodeCid);
  return ok({ subject, text, html });
}

const SAMPLE_DATA: Record<ReminderLanguage, ReminderData> = {
  de: {
    customerName: "Erika Mustermann",
    orderNumber: "#1001",
    amount: money(19_990, "EUR"),
    originalDueDate: "2026-03-02",
    fees: money(150, "EUR"),
    interest: money(123, "EUR"),
    total: money(20_263, "EUR"),
    paymentDeadline: "2026-04-06",
    handoverDate: "2026-04-10",
    interestBasis:
      "Verzugszinsen gemäß § 288 BGB (5 Prozentpunkte über dem Basiszinssatz) vom 17.03.2026 bis 06.04.2026",
    paymentInstructions:
      "Empfänger: Beispielshop GmbH\nIBAN: DE02 1203 0000 0000 2020 51\nVerwendungszweck: Bestellung #1001",
    shopName: "Beispielshop GmbH",
    shopContact: "service@beispielshop.de, 030 1234567",
  },
  en: {
    customerName: "Jane Doe",
    orderNumber: "#1001",
    amount: money(19_990, "EUR"),
    originalDueDate: "2026-03-02",
    fees: money(150, "EUR"),
    interest: money(123, "EUR"),
    total: money(20_263, "EUR"),
    paymentDeadline: "2026-04-06",
    handoverDate: "2026-04-10",
    interestBasis:
      "Default interest under § 288 BGB (5 percentage points above the base rate) from 17/03/2026 to 06/04/2026",
    paymentInstructions: "Payee: Example Shop Ltd\nIBAN: DE02 1203 0000 0000 2020 51\nReference: order #1001",
    shopName: "Example Shop Ltd",
    shopContact: "service@example-shop.com, +49 30 1234567",
  },
};

/** The same rendering with sample data, for the settings page; `data` replaces parts of the sample (e.g. shop name). */
export function previewReminder(input: {
  level: DunningLevel;
  language: ReminderLanguage;
  reminderTexts?: Settings["reminderTexts"];
  data?: Partial<ReminderData>;
}): Result<RenderedReminder, ReminderTemplateError> {
  return renderReminder({ ...input, data: { ...SAMPLE_DATA[input.language], ...input.data } });
}
