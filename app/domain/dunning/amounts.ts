import type { DunningLevel } from "../case/status";
import { addDays, type LocalDate } from "../dates";
import { type Money, money, zero } from "../money";
import { type BaseRateTable, knownThrough } from "./base-rates";
import type { DebtorKind } from "./debtor";
import { defaultBegins, type DefaultStart, inDefaultOn } from "./default";
import { DEFAULT_INTEREST_MARGIN_BP, defaultInterest, FLAT_FEE_B2B, type InterestPeriod } from "./interest";

/**
 * What a debtor owes on a day, by part: the one computation behind the reminder texts, the claim handed to a partner
 * and the case page (docs/dunning-and-the-law.md).
 *
 * - Fees are those the reminders actually charged (recorded on their events), not today's settings.
 * - Interest (§ 288 Abs. 1, 2 BGB) runs from the first day of default (default.ts) through the day asked for, or
 *   through the last day the base rate is known: then `interest.complete` is false and the texts say "bis …
 *   zuzüglich weiterer Zinsen" instead of pretending the rest is zero.
 * - The €40 flat fee (§ 288 Abs. 5 BGB) of a business in default is offset against the other collection costs: the
 *   costs are the larger of the fees and €40, never their sum; `flatFee` is the part beyond the fees.
 * - A payment received in default that does not cover everything pays costs first, then interest, and the principal
 *   last (§ 367 Abs. 1 BGB); interest runs on the principal that remains. The platform books every payment against
 *   the invoice, so the principal owed here can be more than the order's outstanding amount.
 */
export type ChargedReminder = { level: DunningLevel; sentOn: LocalDate; fee: Money | null };
/** A payment received, on the local day it arrived. */
export type ReceivedPayment = { on: LocalDate; amount: Money };

export type InterestFigure = {
  amount: Money;
  /** Percentage points over the base rate, in basis points (500: consumer, 900: business). */
  marginBp: number;
  from: LocalDate;
  through: LocalDate;
  /** False when the base rate is not known up to the day asked for: more interest is owed than `amount`. */
  complete: boolean;
  periods: InterestPeriod[];
};

export type AmountsOwed = {
  outstanding: Money;
  fees: Money;
  interest: InterestFigure | null;
  /** The flat fee beyond the fees it is offset against (zero when the fees reach €40, or none is owed). */
  flatFee: Money;
  /** The whole flat fee owed before the offset, or null when none is. */
  flatFeeOwed: Money | null;
  defaultStart: DefaultStart | null;
  total: Money;
};

/**
 * The statement a reminder and its letter print: each part in the claim's currency, zero where none is owed;
 * `moreInterest` when interest runs past what could be computed (the base rate not yet known), so more is owed.
 */
export type StatementTotals = {
  outstanding: Money;
  fees: Money;
  interest: Money;
  flatFee: Money;
  total: Money;
  moreInterest?: boolean;
};

export function statementTotals(owed: AmountsOwed): StatementTotals {
  const { outstanding, fees, flatFee, total } = owed;
  const moreInterest = owed.interest !== null && !owed.interest.complete;
  return {
    outstanding,
    fees,
    interest: owed.interest?.amount ?? zero(outstanding.currency),
    flatFee,
    total,
    ...(moreInterest ? { moreInterest } : {}),
  };
}

export function amountsOwed(input: {
  outstanding: Money;
  dueDate: LocalDate;
  firstDeadline: LocalDate | null;
  debtor: DebtorKind;
  consumerInvoiceWarns: boolean;
  reminders: readonly ChargedReminder[];
  flatFeeEnabled: boolean;
  /** Payments received so far (those before default went to the principal, as the platform booked them). */
  payments?: readonly ReceivedPayment[];
  /** The day the figures are for (the reminder's date, the handover's, today on the case page). */
  on: LocalDate;
  baseRates: BaseRateTable;
}): AmountsOwed {
  const { currency } = input.outstanding;
  const start = defaultBegins({
    dueDate: input.dueDate,
    firstDeadline: input.firstDeadline,
    debtor: input.debtor,
    consumerInvoiceWarns: input.consumerInvoiceWarns,
  });
  const inDefault = inDefaultOn(start, input.on);
  const fees = money(
    input.reminders.reduce((sum, r) => sum + (r.fee && r.fee.currency === currency ? r.fee.amountMinor : 0), 0),
    currency,
  );
  // The law names euros; a claim in another currency carries no flat fee rather than a converted one.
  const flatFeeOwed =
    inDefault && input.debtor === "business" && input.flatFeeEnabled && currency === FLAT_FEE_B2B.currency
      ? { ...FLAT_FEE_B2B }
      : null;
  const inDefaultPayments = start
    ? (input.payments ?? []).filter(
        (p) => p.on >= start.from && p.on <= input.on && p.amount.currency === currency && p.amount.amountMinor > 0,
      )
    : [];
  if (inDefault && start && inDefaultPayments.length > 0) {
    return allocated({ ...input, fees, flatFeeOwed, start, payments: inDefaultPayments });
  }
  const interest =
    inDefault && start ? interestFigure(input.outstanding, input.debtor, start.from, input.on, input.baseRates) : null;
  const flatFee = flatFeeOwed
    ? money(Math.max(0, flatFeeOwed.amountMinor - fees.amountMinor), currency)
    : zero(currency);
  const total = money(
    input.outstanding.amountMinor + fees.amountMinor + (interest?.amount.amountMinor ?? 0) + flatFee.amountMinor,
    currency,
  );
  return { outstanding: input.outstanding, fees, interest, flatFee, flatFeeOwed, defaultStart: start, total };
}

/**
 * § 367 Abs. 1 BGB over the payments received in default, in the order they came: each pays the costs charged by
 * then, then the interest accrued until the day before it arrived, then the principal; interest then runs on what
 * principal is left. The principal before them is what the platform shows as outstanding plus what they paid.
 */
function allocated(input: {
  outstanding: Money;
  debtor: DebtorKind;
  reminders: readonly ChargedReminder[];
  on: LocalDate;
  baseRates: BaseRateTable;
  fees: Money;
  flatFeeOwed: Money | null;
  start: DefaultStart;
  payments: readonly ReceivedPayment[];
}): AmountsOwed {
  const { currency } = input.outstanding;
  const payments = [...input.payments].sort((a, b) => (a.on < b.on ? -1 : a.on > b.on ? 1 : 0));
  const feesBy = (day: LocalDate) =>
    input.reminders.reduce(
      (sum, r) => sum + (r.sentOn <= day && r.fee && r.fee.currency === currency ? r.fee.amountMinor : 0),
      0,
    );
  // Costs by a day: the fees charged by then, or the flat fee where it is larger (the two are offset, § 288 Abs. 5).
  const costsBy = (day: LocalDate) => Math.max(feesBy(day), input.flatFeeOwed?.amountMinor ?? 0);
  let principal = input.outstanding.amountMinor + payments.reduce((sum, p) => sum + p.amount.amountMinor, 0);
  let costsPaid = 0;
  let interestOpen = 0;
  let cursor = input.start.from;
  let complete = true;
  let through = input.start.from;
  const periods: InterestPeriod[] = [];
  const accrue = (until: LocalDate) => {
    if (until < cursor) return;
    const figure = interestFigure(money(principal, currency), input.debtor, cursor, until, input.baseRates);
    interestOpen += figure.amount.amountMinor;
    periods.push(...figure.periods);
    if (figure.amount.amountMinor > 0 || figure.complete) through = figure.through;
    complete &&= figure.complete;
  };
  for (const payment of payments) {
    accrue(addDays(payment.on, -1));
    let left = payment.amount.amountMinor;
    const toCosts = Math.min(left, Math.max(0, costsBy(payment.on) - costsPaid));
    costsPaid += toCosts;
    left -= toCosts;
    const toInterest = Math.min(left, interestOpen);
    interestOpen -= toInterest;
    left -= toInterest;
    principal -= Math.min(left, principal);
    cursor = payment.on;
  }
  accrue(input.on);
  const costsOpen = Math.max(0, costsBy(input.on) - costsPaid);
  const feesOpen = Math.min(costsOpen, Math.max(0, input.fees.amountMinor - costsPaid));
  const flatFee = money(costsOpen - feesOpen, currency);
  const interest: InterestFigure = {
    amount: money(interestOpen, currency),
    marginBp: DEFAULT_INTEREST_MARGIN_BP[input.debtor],
    from: input.start.from,
    through,
    complete,
    periods,
  };
  const outstanding = money(principal, currency);
  const total = money(principal + costsOpen + interestOpen, currency);
  return {
    outstanding,
    fees: money(feesOpen, currency),
    interest,
    flatFee,
    flatFeeOwed: input.flatFeeOwed,
    defaultStart: input.start,
    total,
  };
}

function interestFigure(
  principal: Money,
  debtor: DebtorKind,
  from: LocalDate,
  on: LocalDate,
  baseRates: BaseRateTable,
): InterestFigure {
  const known = knownThrough(baseRates);
  const through = known !== null && known < on ? known : on;
  const marginBp = DEFAULT_INTEREST_MARGIN_BP[debtor];
  const computed = through >= from ? defaultInterest({ principal, debtor, from, through, baseRates }) : null;
  if (!computed || !computed.ok) {
    // Not a single day of the period has a known rate: nothing can be stated but that interest is owed.
    return { amount: zero(principal.currency), marginBp, from, through: from, complete: false, periods: [] };
  }
  return {
    amount: computed.value.amount,
    marginBp,
    from,
    through,
    complete: through === on,
    periods: computed.value.periods,
  };
}
