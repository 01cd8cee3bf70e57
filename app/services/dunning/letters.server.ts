import { and, asc, eq } from "drizzle-orm";
import { z } from "zod";

import type { DbOrTx } from "#app/db/client.server";
import { caseEvents, orders, type Shop } from "#app/db/schema";
import { DUNNING_LEVELS, type DunningLevel } from "#app/domain/case/status";
import type { LetterAddress, ReminderLetterInput } from "#app/mail/reminder-letter.server";
import { findCase } from "#app/services/cases/read.server";

import { loadBaseRateTableFrom } from "./base-rates.server";
import type { PayNowLinks } from "./pay-now-links.server";
import { composeReminder } from "./reminders.server";

export type LetterOutcome =
  | { kind: "ok"; caseId: string; input: ReminderLetterInput; filename: string }
  | { kind: "not_found" }
  /** The shop's postal address (the letter's sender) is not in its settings yet. */
  | { kind: "no_address" }
  /** The debtor has no postal address to print. */
  | { kind: "no_recipient" }
  | { kind: "invalid"; reason: string };

const levelSchema = z.enum(DUNNING_LEVELS);

/**
 * The printable letter of a case's reminder for postal dunning, for this shop only: the text and amounts of that level's
 * e-mail, dated the day the level was reached (a level not reached yet: today, as a preview). `level` null: the level the case has reached (the first before any).
 */
export async function reminderLetterFor(
  db: DbOrTx,
  shop: Shop,
  caseId: string,
  level: string | null,
  options: { now: Date; mailFrom: string; payNowLinks?: PayNowLinks },
): Promise<LetterOutcome> {
  const caseRow = await findCase(db, shop.id, caseId);
  if (!caseRow) return { kind: "not_found" };
  const parsedLevel = levelSchema.safeParse(level ?? caseRow.dunningLevel ?? "reminder_1");
  if (!parsedLevel.success) return { kind: "not_found" };
  const [order] = await db
    .select()
    .from(orders)
    .where(and(eq(orders.shopId, shop.id), eq(orders.id, caseRow.orderId)))
    .limit(1);
  if (!order) return { kind: "not_found" };
  // A level already reached prints as it was sent (its day, its deadline, what was owed then); another is a preview.
  const sentAt = await reachedAt(db, caseRow.id, parsedLevel.data);
  const composed = await composeReminder(db, {
    shop,
    caseRow,
    order,
    level: parsedLevel.data,
    now: sentAt ?? options.now,
    mailFrom: options.mailFrom,
    baseRates: () => loadBaseRateTableFrom(db),
    ...(options.payNowLinks ? { payNowUrl: () => options.payNowLinks!(db, shop, order) } : {}),
  });
  if (!composed.ok) return { kind: "invalid", reason: composed.reason };
  const own = composed.settings.address;
  if (!own) return { kind: "no_address" };
  const recipient = recipientOf(order, composed.customerName);
  if (!recipient) return { kind: "no_recipient" };
  return {
    kind: "ok",
    caseId: caseRow.id,
    filename: letterFilename(caseRow.orderName, parsedLevel.data),
    input: {
      language: composed.language,
      sender: {
        name: own.company,
        street: own.street,
        postalCode: own.postalCode,
        city: own.city,
        country: own.countryCode,
      },
      recipient,
      date: composed.today,
      orderNumber: order.name,
      reminder: composed.rendered,
      totals: composed.amounts,
      payment: composed.payment,
    },
  };
}

async function reachedAt(db: DbOrTx, caseId: string, level: DunningLevel): Promise<Date | null> {
  const reached = await db
    .select({ data: caseEvents.data, occurredAt: caseEvents.occurredAt })
    .from(caseEvents)
    .where(and(eq(caseEvents.caseId, caseId), eq(caseEvents.type, "dunning_level_reached")))
    .orderBy(asc(caseEvents.seq));
  return reached.find((e) => (e.data as { level?: unknown }).level === level)?.occurredAt ?? null;
}

function recipientOf(order: typeof orders.$inferSelect, customerName: string): LetterAddress | null {
  const a = order.billingAddress;
  if (!a?.street1 || !a.postalCode || !a.city) return null;
  const name = a.name?.trim() || customerName || a.company?.trim() || "";
  if (name === "") return null;
  const company = a.company?.trim() || order.customer.company?.trim() || "";
  const addition = [company !== name ? company : "", a.street2?.trim() ?? ""].filter(Boolean).join(", ");
  return {
    name,
    ...(addition ? { addition } : {}),
    street: a.street1,
    postalCode: a.postalCode,
    city: a.city,
    ...(a.countryCode ? { country: a.countryCode } : {}),
  };
}

/** e.g. "Mahnung-1001-final_reminder.pdf": only characters safe in a Content-Disposition filename. */
export function letterFilename(orderName: string, level: DunningLevel): string {
  const order = orderName.replace(/[^A-Za-z0-9_-]+/g, "") || "case";
  return `Mahnung-${order}-${level}.pdf`;
}
