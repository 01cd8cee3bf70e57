import { and, eq } from "drizzle-orm";
import { friendlyFormatIBAN } from "ibantools";
import { z } from "zod";

import type { DbOrTx } from "#app/db/client.server";
import { type CaseRow, cases, type OrderRow, orders, type Shop, shops } from "#app/db/schema";
import { DUNNING_LEVELS, type DunningLevel } from "#app/domain/case/status";
import { addDays, type LocalDate, toLocalDate } from "#app/domain/dates";
import {
  type AmountsOwed,
  type InterestFigure,
  type StatementTotals,
  statementTotals,
} from "#app/domain/dunning/amounts";
import type { BaseRateTable } from "#app/domain/dunning/base-rates";
import { creditorReference, formatCreditorReference } from "#app/domain/payments/creditor-reference";
import { giroCodePayload } from "#app/domain/payments/girocode";
import type { Settings } from "#app/domain/settings";
import { intlLocale } from "#app/i18n/i18n";
import type { Mailer } from "#app/mail/mailer.server";
import { qrPng } from "#app/mail/qr-code.server";
import type { LetterPayment } from "#app/mail/reminder-letter.server";
import { type ReminderLanguage, type RenderedReminder, renderReminder } from "#app/mail/reminder-templates";
import { executeCaseCommand } from "#app/services/cases/commands.server";
import { caseFromJson } from "#app/services/cases/serialization";
import type { OutboxHandler } from "#app/services/outbox/types";
import { getSettings } from "#app/services/settings/settings.server";
import { formatDate } from "#app/utils/format";
import { logger } from "#app/utils/logger.server";

import { caseAmounts } from "./amounts.server";
import { loadBaseRateTableFrom } from "./base-rates.server";
import type { PayNowLinks } from "./pay-now-links.server";

const payloadSchema = z.object({ caseId: z.uuid(), level: z.enum(DUNNING_LEVELS) });

export const UNDELIVERABLE = "reminder_undeliverable";
/** The content id of the GiroCode picture inside a reminder's HTML. */
const GIROCODE_CID = "girocode@mahnwerk";

/** The words around the figures of a reminder, per language; the sentences are built once, below. */
const WORDING = {
  de: {
    withoutAccount: (reference: string) => `Bitte überweisen Sie den Betrag mit dem Verwendungszweck ${reference}.`,
    holder: "Kontoinhaber",
    reference: "Verwendungszweck",
    interest: (points: string) => `Verzugszinsen gemäß § 288 BGB (${points} Prozentpunkte über dem Basiszinssatz)`,
    since: (from: string) => `ab dem ${from}`,
    between: (from: string, through: string) => `vom ${from} bis ${through}`,
    further: (day: string) => `, zuzüglich weiterer Zinsen ab dem ${day}`,
  },
  en: {
    withoutAccount: (reference: string) => `Please transfer the amount quoting ${reference} as the payment reference.`,
    holder: "Account holder",
    reference: "Payment reference",
    interest: (points: string) => `Default interest under § 288 BGB (${points} percentage points above the base rate)`,
    since: (from: string) => `from ${from}`,
    between: (from: string, through: string) => `from ${from} to ${through}`,
    further: (day: string) => `, plus further interest from ${day}`,
  },
} satisfies Record<ReminderLanguage, unknown>;

/**
 * Sends the reminder of one (case, level), queued by the dunning sweep. The amounts are computed at send time:
 * what is still outstanding, the fees of the levels sent so far, and statutory interest where the base rate for
 * every day is known (never at a guessed rate).
 */
export function reminderHandler(options: {
  mailer: Mailer | null;
  mailFrom: string;
  payNowLinks?: PayNowLinks;
}): OutboxHandler {
  // Read once per handler (one outbox sweep), not once per reminder.
  let baseRates: Promise<BaseRateTable> | null = null;
  const rates = (db: DbOrTx) => (baseRates ??= loadBaseRateTableFrom(db));
  return async (row, { db, now }) => {
    const { caseId, level } = payloadSchema.parse(row.payload);
    const [caseRow] = await db
      .select()
      .from(cases)
      .where(and(eq(cases.shopId, row.shopId), eq(cases.id, caseId)))
      .limit(1);
    if (!caseRow) return { kind: "done", result: { skipped: "case no longer exists" } };
    // A blocked case may resume (a dispute decided): keep trying for a while; anything else means no reminder.
    if (caseRow.status === "blocked") return { kind: "retry", reason: "the case is blocked" };
    if (caseRow.status !== "running") return { kind: "done", result: { skipped: `case is ${caseRow.status}` } };
    if (!options.mailer) return { kind: "retry", reason: "SMTP_URL is not configured" };

    const [shop] = await db.select().from(shops).where(eq(shops.id, row.shopId)).limit(1);
    const [order] = await db.select().from(orders).where(eq(orders.id, caseRow.orderId)).limit(1);
    if (!shop || !order) return { kind: "done", result: { skipped: "shop or order gone" } };
    if (shop.status !== "active") return { kind: "done", result: { skipped: "shop uninstalled" } };

    const composed = await composeReminder(db, {
      shop,
      caseRow,
      order,
      level,
      now,
      mailFrom: options.mailFrom,
      baseRates: () => rates(db),
      ...(options.payNowLinks ? { payNowUrl: () => options.payNowLinks!(db, shop, order) } : {}),
    });
    // A stored text with a placeholder we do not know was refused when saved; this only guards old versions.
    if (!composed.ok) return { kind: "failed", reason: composed.reason };
    const { rendered, sender, customerName, amounts, payment } = composed;

    const sent = await options.mailer.send({
      idempotencyKey: row.idempotencyKey,
      from: sender.from,
      ...(sender.replyTo ? { replyTo: sender.replyTo } : {}),
      to: { name: customerName, address: order.customer.email ?? "" },
      subject: rendered.subject,
      text: rendered.text,
      html: rendered.html,
      ...(payment.giroCode
        ? {
            attachments: [
              {
                filename: "girocode.png",
                content: await qrPng(payment.giroCode),
                contentType: "image/png",
                cid: GIROCODE_CID,
              },
            ],
          }
        : {}),
    });
    if (sent.ok) return { kind: "done", result: { messageId: sent.messageId, level, total: amounts.total } };
    if (!sent.permanent) return { kind: "retry", reason: sent.reason };
    await executeCaseCommand(db, {
      shopId: shop.id,
      caseId,
      envelope: {
        command: { type: "block", reasons: [UNDELIVERABLE] },
        actor: { type: "system", id: "mailer" },
        reason: sent.reason,
        occurredAt: now,
        sourceId: `reminder-undeliverable:${row.id}`,
      },
    });
    return { kind: "failed", reason: sent.reason };
  };
}

export type ComposedReminder = {
  language: ReminderLanguage;
  customerName: string;
  rendered: RenderedReminder;
  amounts: StatementTotals;
  /** The figures behind `amounts`: interest period and basis, default start, the flat fee before its offset. */
  owed: AmountsOwed;
  sender: ReturnType<typeof reminderSender>;
  /** The GiroCode and the pay-now link the reminder offers (the e-mail shows the code as a picture, the letter prints both). */
  payment: LetterPayment;
  settings: Settings;
  today: LocalDate;
};

/**
 * The reminder of (case, level) as it reads now: the customer's language (else the shop's), what is owed on the day
 * (app/domain/dunning/amounts.ts: the fees the reminders charged, interest from the start of default through the last
 * known base rate, the flat fee offset against the fees), the deadline the level set, where to pay, the shop's text.
 * One composition for the e-mail and the printed letter.
 */
export async function composeReminder(
  db: DbOrTx,
  input: {
    shop: Shop;
    caseRow: CaseRow;
    order: OrderRow;
    level: DunningLevel;
    now: Date;
    mailFrom: string;
    baseRates: () => Promise<BaseRateTable>;
    /** The platform's pay-now page of the order, asked only when the shop offers the link; null when it gives none. */
    payNowUrl?: () => Promise<string | null>;
  },
): Promise<({ ok: true } & ComposedReminder) | { ok: false; reason: string }> {
  const { shop, caseRow, order, level, now } = input;
  const state = caseFromJson(caseRow.state);
  const settings = await getSettings(db, shop.id);
  const language: ReminderLanguage = languageOf(order.customer.locale ?? shop.locale);
  const today = toLocalDate(now, shop.timezone);
  // A letter of an earlier level (printed later) carries the fees up to that level only.
  const { owed, reached } = await caseAmounts(db, {
    shop,
    caseRow,
    order,
    settings,
    on: today,
    baseRates: await input.baseRates(),
    upToLevel: level,
  });
  if (owed.interest && !owed.interest.complete) {
    logger.warn(
      { caseId: caseRow.id, through: owed.interest.through },
      "reminder interest only through the last known base rate",
    );
  }
  const sender = reminderSender(settings, shop.name, input.mailFrom);
  const customerName =
    [order.customer.firstName, order.customer.lastName].filter(Boolean).join(" ") || order.customer.company || "";
  const current = reached.find((r) => r.level === level);
  const deadline =
    (current?.level === state.dunningLevel ? state.paymentDeadline : null) ??
    current?.deadline ??
    current?.legacyDeadline ??
    addDays(today, 7);
  const handoverDate =
    level === "final_reminder" && state.dunningLevel === "final_reminder" && state.nextActionAt
      ? toLocalDate(state.nextActionAt, shop.timezone)
      : undefined;
  const amounts = statementTotals(owed);
  const account = settings.bankAccount;
  const giroCode =
    settings.paymentOptions.giroCode && account
      ? giroCodePayload({ ...account, amount: owed.total, reference: creditorReference(order.name) ?? order.name })
      : null;
  const payNowUrl = settings.paymentOptions.payNowLink && input.payNowUrl ? await input.payNowUrl() : null;
  const rendered = renderReminder({
    level,
    language,
    reminderTexts: settings.reminderTexts,
    data: {
      customerName,
      orderNumber: order.name,
      amount: owed.outstanding,
      originalDueDate: state.dueDate,
      fees: owed.fees,
      interest: amounts.interest,
      ...(owed.interest
        ? {
            interestBasis: interestBasis(owed.interest, language),
            interestPending: owed.interest.amount.amountMinor === 0,
          }
        : {}),
      ...(owed.flatFee.amountMinor > 0 ? { flatFee: owed.flatFee } : {}),
      total: owed.total,
      paymentDeadline: deadline,
      ...(handoverDate ? { handoverDate } : {}),
      paymentInstructions: paymentInstructions(settings.bankAccount, order.name, language),
      payNowUrl,
      giroCodeCid: giroCode ? GIROCODE_CID : null,
      shopName: shop.name,
      shopContact: sender.contact,
    },
  });
  if (!rendered.ok) return { ok: false, reason: rendered.error.message };
  return {
    ok: true,
    language,
    customerName,
    rendered: rendered.value,
    amounts,
    owed,
    sender,
    payment: { giroCode, payNowUrl },
    settings,
    today,
  };
}

/** "Verzugszinsen gemäß § 288 BGB (5 Prozentpunkte über dem Basiszinssatz) vom … bis …", and what is still to come. */
function interestBasis(interest: InterestFigure, language: ReminderLanguage): string {
  const words = WORDING[language];
  const locale = intlLocale(language);
  const points = new Intl.NumberFormat(locale, { maximumFractionDigits: 2 }).format(interest.marginBp / 100);
  const from = formatDate(interest.from, locale);
  // No day computed yet (the base rate is not known for any of them): only when it starts.
  const pending = interest.amount.amountMinor === 0;
  const period = pending ? words.since(from) : words.between(from, formatDate(interest.through, locale));
  const rest = interest.complete || pending ? "" : words.further(formatDate(addDays(interest.through, 1), locale));
  return `${words.interest(points)} ${period}${rest}`;
}

/**
 * Where to pay: the shop's account and the order's RF creditor reference, which payment matching recognises even
 * with a typo (without an account, the reference alone).
 */
function paymentInstructions(account: Settings["bankAccount"], orderName: string, language: ReminderLanguage): string {
  const words = WORDING[language];
  const ref = creditorReference(orderName);
  const reference = ref ? formatCreditorReference(ref) : orderName;
  if (!account) return words.withoutAccount(reference);
  const iban = friendlyFormatIBAN(account.iban) ?? account.iban;
  return [
    `${words.holder}: ${account.holder}`,
    `IBAN: ${iban}`,
    ...(account.bic ? [`BIC: ${account.bic}`] : []),
    `${words.reference}: ${reference}`,
  ].join("\n");
}

function languageOf(locale: string): ReminderLanguage {
  return locale.toLowerCase().startsWith("de") ? "de" : "en";
}

/**
 * From: the shop's sender name (else its name) with our own address, never the shop's domain, which our servers may
 * not send for (SPF/DMARC). Replies go to the shop: its reply-to, else the contact e-mail of its address.
 */
export function reminderSender(settings: Pick<Settings, "sender" | "address">, shopName: string, mailFrom: string) {
  const replyTo = settings.sender.replyTo ?? settings.address?.email ?? null;
  return { from: { name: settings.sender.name || shopName, address: mailFrom }, replyTo, contact: replyTo ?? mailFrom };
}
