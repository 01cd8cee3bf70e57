import type { PaymentChannel } from "./case/events";
import type { CaseKind } from "./case/status";
import { addDays, endOfLocalDay, type LocalDate, toLocalDate } from "./dates";
import type { Money } from "./money";
import { currencyExponent } from "./money";
import { err, ok, type Result } from "./result";
import type { Settings } from "./settings";

/** An order bought on invoice: a configured payment method (or payment terms) and not paid. */
export function isInvoiceOrder(
  order: { paymentMethods: string[]; hasPaymentTerms: boolean; financialStatus: string },
  invoiceMethods: readonly string[],
): boolean {
  const wanted = new Set(invoiceMethods.map((m) => m.trim().toLowerCase()));
  const byMethod = order.paymentMethods.some((m) => wanted.has(m.trim().toLowerCase()));
  const unpaid = ["pending", "partially_paid", "authorized"].includes(order.financialStatus);
  return (byMethod || order.hasPaymentTerms) && unpaid;
}

/**
 * Whether a payment the platform reports was made online (through the order's payment page, the reminder's pay-now
 * link): the order gained a payment method that is neither one of the shop's invoice methods nor "manual", Shopify's
 * method for a payment the merchant records. A payment recorded by the shop keeps the order's methods (WooCommerce)
 * or adds "manual" (Shopify): a transfer.
 */
export function paymentChannel(before: string[], after: string[], invoiceMethods: readonly string[]): PaymentChannel {
  const known = new Set([...before, ...invoiceMethods, "manual"].map((m) => m.trim().toLowerCase()));
  return after.some((m) => !known.has(m.trim().toLowerCase())) ? "link" : "transfer";
}

/** The platform's due date where it has one, else the order date plus the shop's default term, in the shop's zone. */
export function dueDateFor(
  order: { orderedAt: Date; platformDueAt: Date | null },
  defaultTermDays: number,
  timeZone: string,
): LocalDate {
  if (order.platformDueAt) return toLocalDate(order.platformDueAt, timeZone);
  return addDays(toLocalDate(order.orderedAt, timeZone), defaultTermDays);
}

/** Overdue once the whole due day has passed in the shop's zone. */
export function isOverdue(dueDate: LocalDate, now: Date, timeZone: string): boolean {
  return now.getTime() > endOfLocalDay(dueDate, timeZone).getTime();
}

/** Whether a newly overdue case starts without waiting for approval. Compared in minor units. */
export function startsAutomatically(kind: CaseKind, outstanding: Money, settings: Settings): boolean {
  if (kind === "chargeback") return settings.chargebackAutoHandover;
  const rule = settings.autoHandover;
  if (rule.mode === "off") return false;
  if (rule.mode === "all") return true;
  const thresholdMinor = rule.minimumMajor * 10 ** currencyExponent(outstanding.currency);
  return outstanding.amountMinor >= thresholdMinor;
}

export const DUNNING_OPTION_LOCK_DAYS = 30;

/** The dunning option may change once every 30 days; the refusal says from when. */
export function checkDunningOptionChange(
  current: Settings,
  next: "A" | "B",
  now: Date,
): Result<void, { code: "dunning_option_locked"; possibleFrom: Date; message: string }> {
  if (next === current.dunningOption || !current.dunningOptionChangedAt) return ok(undefined);
  const possibleFrom = new Date(Date.parse(current.dunningOptionChangedAt) + DUNNING_OPTION_LOCK_DAYS * 86_400_000);
  if (now.getTime() >= possibleFrom.getTime()) return ok(undefined);
  return err({
    code: "dunning_option_locked",
    possibleFrom,
    message: `The dunning option can be changed once every ${DUNNING_OPTION_LOCK_DAYS} days; next possible on ${possibleFrom.toISOString().slice(0, 10)}.`,
  });
}
