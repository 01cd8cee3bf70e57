import { and, eq } from "drizzle-orm";
import { z } from "zod";
import type { DbOrTx } from "#app/db/client.server";
import { orders, type Shop } from "#app/db/schema";
import { DUNNING_LEVELS, type DunningLevel } from "#app/domain/case/status";
import type { LetterAddress, ReminderLetterInput } from "#app/mail/reminder-letter.server";
import { loadBaseRateTableFrom } from "./base-rates.server";
import { findCase } from "./case-read.server";
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
 * The printable letter of a case's reminder for postal dunning, for this shop only: the same text and amounts as the
 * e-mail of that level would carry today. `level` null: the level the case has reached (the first before any).
 */
export async function reminderLetterFor(
  db: DbOrTx,
  shop: Shop,
  caseId: string,
  level: string | null,
  options: { now: Date; mailFrom: string },
): Promise<LetterOutcome> {
  const caseRow = await findCase(db, shop.id, caseId);
  if (!caseRow) return { kind: "not_found" };
  const parsedLevel = levelSchema.safeParse(level ?? caseRow.dunningLevel ?? "reminder_1");
  if (!parsedLevel.success) return { kind: "not_found" };
  const [order] = await db.select().from(orders).where(and(eq(orders.shopId, shop.id), eq(orders.id, caseRow.orderId))).limit(1);
  if (!order) return { kind: "not_found" };
  const composed = await composeReminder(db, { shop, caseRow, order, level: parsedLevel.data, now: options.now, mailFrom: options.mailFrom, baseRates: () => loadBaseRateTableFrom(db) });
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
      sender: { name: own.company, street: own.street, postalCode: own.postalCode, city: own.city, country: own.countryCode },
      recipient,
      date: composed.today,
      orderNumber: order.name,
      reminder: composed.rendered,
      totals: composed.amounts,
    },
  };
}

function recipientOf(order: typeof orders.$inferSelect, customerName: string): LetterAddress | null {
  const a = order.billingAddress;
  if (!a?.street1 || !a.postalCode || !a.city) return null;
  const name = a.name?.trim() || customerName || a.company?.trim() || "";
  if (name === "") return null;
  const company = a.company?.trim() || order.customer.company?.trim() || "";
  const addition = [company !== name ? company : "", a.street2?.trim() ?? ""].filter(Boolean).join(", ");
  return { name, ...(addition ? { addition } : {}), street: a.street1, postalCode: a.postalCode, city: a.city, ...(a.countryCode ? { country: a.countryCode } : {}) };
}

/** e.g. "Mahnung-1001-final_reminder.pdf": only characters safe in a Content-Disposition filename. */
export function letterFilename(orderName: string, level: DunningLevel): string {
  const order = orderName.replace(/[^A-Za-z0-9_-]+/g, "") || "case";
  return `Mahnung-${order}-${level}.pdf`;
}
