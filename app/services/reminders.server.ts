import { and, eq, sql } from "drizzle-orm";
import { z } from "zod";
import type { DbOrTx } from "#app/db/client.server";
import { caseEvents, cases, orders, shops, type CaseRow, type OrderRow, type Shop } from "#app/db/schema";
import type { Case } from "#app/domain/case/case";
import { DUNNING_LEVELS, type DunningLevel } from "#app/domain/case/status";
import { addDays, toLocalDate, type LocalDate } from "#app/domain/dates";
import type { BaseRateTable } from "#app/domain/dunning/base-rates";
import { claimTotals, debtorKindOf, defaultInterest, feesForLevelsSent, flatFeeOwed, type ClaimTotals, type DebtorKind } from "#app/domain/dunning/interest";
import type { Mailer } from "#app/mail/mailer.server";
import { renderReminder, type ReminderLanguage, type RenderedReminder } from "#app/mail/reminder-templates";
import type { Settings } from "#app/domain/settings";
import { logger } from "#app/utils/logger.server";
import { loadBaseRateTable } from "./base-rates.server";
import { caseFromJson } from "./case-serialization";
import { executeCaseCommand } from "./cases.server";
import type { OutboxHandler } from "./outbox-types";
import { getSettings } from "./settings.server";

const payloadSchema = z.object({ caseId: z.uuid(), level: z.enum(DUNNING_LEVELS) });

export const UNDELIVERABLE = "reminder_undeliverable";

const PAYMENT_INSTRUCTIONS: Record<ReminderLanguage, (order: string) => string> = {
  de: (order) => `Bitte überweisen Sie den Betrag unter Angabe der Bestellnummer ${order} als Verwendungszweck.`,
  en: (order) => `Please transfer the amount quoting order number ${order} as the payment reference.`,
};

/**
 * Sends the reminder of one (case, level), queued by the dunning sweep. The amounts are computed at send time:
 * what is still outstanding, the fees of the levels sent so far, and statutory interest where the base rate for
 * every day is known (never at a guessed rate).
 */
export function reminderHandler(options: { mailer: Mailer | null; mailFrom: string }): OutboxHandler {
  // Read once per handler (one outbox sweep), not once per reminder.
  let baseRates: Promise<BaseRateTable> | null = null;
  const rates = () => (baseRates ??= loadBaseRateTable());
  return async (row, { db, now }) => {
    const { caseId, level } = payloadSchema.parse(row.payload);
    const [caseRow] = await db.select().from(cases).where(and(eq(cases.shopId, row.shopId), eq(cases.id, caseId))).limit(1);
    if (!caseRow) return { kind: "done", result: { skipped: "case no longer exists" } };
    // A blocked case may resume (a dispute decided): keep trying for a while; anything else means no reminder.
    if (caseRow.status === "blocked") return { kind: "retry", reason: "the case is blocked" };
    if (caseRow.status !== "running") return { kind: "done", result: { skipped: `case is ${caseRow.status}` } };
    if (!options.mailer) return { kind: "retry", reason: "SMTP_URL is not configured" };

    const [shop] = await db.select().from(shops).where(eq(shops.id, row.shopId)).limit(1);
    const [order] = await db.select().from(orders).where(eq(orders.id, caseRow.orderId)).limit(1);
    if (!shop || !order) return { kind: "done", result: { skipped: "shop or order gone" } };
    if (shop.status !== "active") return { kind: "done", result: { skipped: "shop uninstalled" } };

    const composed = await composeReminder(db, { shop, caseRow, order, level, now, mailFrom: options.mailFrom, baseRates: rates });
    // A stored text with a placeholder we do not know was refused when saved; this only guards old versions.
    if (!composed.ok) return { kind: "failed", reason: composed.reason };
    const { rendered, sender, customerName, amounts } = composed;

    const sent = await options.mailer.send({
      idempotencyKey: row.idempotencyKey,
      from: sender.from,
      ...(sender.replyTo ? { replyTo: sender.replyTo } : {}),
      to: { name: customerName, address: order.customer.email ?? "" },
      subject: rendered.subject,
      text: rendered.text,
      html: rendered.html,
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
  amounts: ClaimTotals;
  sender: ReturnType<typeof reminderSender>;
  settings: Settings;
  today: LocalDate;
};

/**
 * The reminder of (case, level) as it reads now: the customer's language (else the shop's), the amounts (outstanding,
 * the fees of the levels sent so far, interest where the base rate for every day is known, never a guessed one, and
 * the flat fee where owed), the shop's text. One composition for the e-mail and the printed letter.
 */
export async function composeReminder(
  db: DbOrTx,
  input: { shop: Shop; caseRow: CaseRow; order: OrderRow; level: DunningLevel; now: Date; mailFrom: string; baseRates: () => Promise<BaseRateTable> },
): Promise<({ ok: true } & ComposedReminder) | { ok: false; reason: string }> {
  const { shop, caseRow, order, level, now } = input;
  const state = caseFromJson(caseRow.state);
  const settings = await getSettings(db, shop.id);
  const language: ReminderLanguage = languageOf(order.customer.locale ?? shop.locale);
  const today = toLocalDate(now, shop.timezone);
  const defaultSince = await firstReminderDay(db, caseRow.id, shop.timezone);
  const amounts = await amountsFor(state, level, settings, debtorKindOf(order), defaultSince, today, input.baseRates);
  const sender = reminderSender(settings, shop.name, input.mailFrom);
  const customerName = [order.customer.firstName, order.customer.lastName].filter(Boolean).join(" ") || order.customer.company || "";
  const deadline = state.nextActionAt ? toLocalDate(state.nextActionAt, shop.timezone) : addDays(today, 7);
  const rendered = renderReminder({
    level,
    language,
    reminderTexts: settings.reminderTexts,
    data: {
      customerName,
      orderNumber: order.name,
      amount: amounts.outstanding,
      originalDueDate: state.dueDate,
      fees: amounts.fees,
      interest: amounts.interest,
      ...(amounts.flatFee.amountMinor > 0 ? { flatFee: amounts.flatFee } : {}),
      total: amounts.total,
      paymentDeadline: deadline,
      paymentInstructions: PAYMENT_INSTRUCTIONS[language](order.name),
      shopName: shop.name,
      shopContact: sender.contact,
    },
  });
  if (!rendered.ok) return { ok: false, reason: rendered.error.message };
  return { ok: true, language, customerName, rendered: rendered.value, amounts, sender, settings, today };
}

/** The local day the first reminder was sent (its level reached), if it was. */
async function firstReminderDay(db: DbOrTx, caseId: string, timeZone: string): Promise<string | null> {
  const [event] = await db
    .select({ occurredAt: caseEvents.occurredAt })
    .from(caseEvents)
    .where(and(eq(caseEvents.caseId, caseId), eq(caseEvents.type, "dunning_level_reached"), sql`${caseEvents.data}->>'level' = 'reminder_1'`))
    .limit(1);
  return event ? toLocalDate(event.occurredAt, timeZone) : null;
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

async function amountsFor(
  state: Case,
  level: DunningLevel,
  settings: Pick<Settings, "fees" | "flatFeeB2B">,
  debtor: DebtorKind,
  firstReminder: string | null,
  today: string,
  baseRates: () => Promise<BaseRateTable>,
): Promise<ClaimTotals> {
  const currency = state.outstanding.currency;
  const sent = DUNNING_LEVELS.slice(0, DUNNING_LEVELS.indexOf(level) + 1);
  // §286 BGB: the first reminder puts the debtor in default (conservatively also for businesses), so interest
  // runs from the day after it; the first reminder itself carries none.
  const interest =
    level === "reminder_1" || !firstReminder
      ? ({ ok: false, error: { code: "not_in_default" } } as const)
      : defaultInterest({ principal: state.outstanding, debtor, from: addDays(firstReminder, 1), through: today, baseRates: await baseRates() });
  if (!interest.ok) logger.info({ caseId: state.id, reason: interest.error.code }, "reminder without interest");
  const totals = claimTotals({
    outstanding: state.outstanding,
    feesPerLevelSent: feesForLevelsSent(settings.fees, sent, currency),
    interest: interest.ok ? interest.value.amount : { amountMinor: 0, currency },
    // In default from the day after the first reminder, like interest: the first reminder carries no flat fee.
    flatFee: flatFeeOwed({ debtor, enabled: settings.flatFeeB2B, currency, inDefault: level !== "reminder_1" && firstReminder !== null }),
  });
  if (!totals.ok) throw new Error(totals.error.message);
  return totals.value;
}
