import { addDays, type LocalDate } from "../dates";
import type { DebtorKind } from "./debtor";

/**
 * When a debtor is in default (Verzug, § 286 BGB): the one rule the reminders, the claim and the case page use.
 *
 * - A reminder with a deadline puts the debtor in default once the deadline has expired: from the day after it
 *   (§ 286 Abs. 1 BGB; the deadline itself is the last day to pay, § 193 BGB already applied).
 * - Without one, a payment for goods or services is in default 30 days after it was due and the invoice received
 *   (§ 286 Abs. 3 BGB): from the 31st day after the due date. For a consumer only when the invoice said so, which the
 *   shop confirms in its settings (`consumerInvoiceWarns`).
 * The earlier of the two applies. `from` is the first day of default: interest accrues on it (§ 187 Abs. 1 BGB).
 */
export type DefaultStart = { from: LocalDate; basis: "reminder_deadline" | "thirty_days_after_due" };

export function defaultBegins(input: {
  dueDate: LocalDate;
  /** The deadline printed in the first reminder, or null before it was sent. */
  firstDeadline: LocalDate | null;
  debtor: DebtorKind;
  consumerInvoiceWarns: boolean;
}): DefaultStart | null {
  const candidates: DefaultStart[] = [];
  if (input.firstDeadline) candidates.push({ from: addDays(input.firstDeadline, 1), basis: "reminder_deadline" });
  if (input.debtor === "business" || input.consumerInvoiceWarns) {
    candidates.push({ from: addDays(input.dueDate, 31), basis: "thirty_days_after_due" });
  }
  return candidates.sort((a, b) => (a.from < b.from ? -1 : a.from > b.from ? 1 : 0))[0] ?? null;
}

/** Whether the debtor is in default on `day`. */
export function inDefaultOn(start: DefaultStart | null, day: LocalDate): boolean {
  return start !== null && start.from <= day;
}
