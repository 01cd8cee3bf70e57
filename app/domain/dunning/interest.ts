import { addDays, daysBetween, isLocalDate, type LocalDate } from "#app/domain/dates";
import { type BaseRateTable, knownThrough, rateOn } from "#app/domain/dunning/base-rates";
import type { DebtorKind } from "#app/domain/dunning/debtor";
import { type Money, money, roundHalfAwayFromZero } from "#app/domain/money";
import { err, ok, type Result } from "#app/domain/result";

/** §288 BGB: a consumer owes base rate + 5 points, a business (Entgeltforderung) base rate + 9 points. */
export const DEFAULT_INTEREST_MARGIN_BP: Readonly<Record<DebtorKind, number>> = { consumer: 500, business: 900 };

/**
 * Day count act/365: every day earns rate/365 of a year's interest, also in leap years (so 366 days cost slightly
 * more than a year's rate). The exact amount of a period is principal × rateBp × days / (10 000 × 365) minor units;
 * all periods share this denominator, so their exact parts add up without any rounding.
 */
export const INTEREST_DENOMINATOR = 10_000n * 365n;

export type InterestInput = {
  principal: Money;
  debtor: DebtorKind;
  /** First day of default (by §187 Abs. 1 BGB the day after the event that caused it); interest accrues on it. */
  from: LocalDate;
  /** Last day interest accrues on, inclusive. Before `from` (e.g. `from` − 1) the period is empty: no interest. */
  through: LocalDate;
  baseRates: BaseRateTable;
};

/** A stretch of days at one total rate; `numerator` / {@link INTEREST_DENOMINATOR} is its exact amount. */
export type ExactInterestPeriod = { from: LocalDate; to: LocalDate; days: number; rateBp: number; numerator: bigint };

export type InterestPeriod = { from: LocalDate; to: LocalDate; days: number; rateBp: number; amount: Money };

/**
 * `amount` is the sum of the exact period amounts rounded once, half away from zero, to the currency's minor unit.
 * Each period's `amount` is rounded on its own for display, so the periods may differ from `amount` by up to one
 * minor unit per period; `amount` is the figure that is owed.
 */
export type DefaultInterest = { amount: Money; periods: InterestPeriod[] };

export type InterestError =
  | { code: "invalid_date"; date: string; message: string }
  | { code: "negative_principal"; message: string }
  | { code: "base_rate_unknown"; date: LocalDate; message: string }
  | { code: "out_of_range"; message: string };

/** The interest periods with exact (unrounded) amounts; a change of the base rate starts a new period. */
export function accrueDefaultInterest(input: InterestInput): Result<ExactInterestPeriod[], InterestError> {
  const { principal, debtor, from, through, baseRates } = input;
  for (const date of [from, through]) {
    if (!isLocalDate(date))
      return err({ code: "invalid_date", date, message: `"${date}" is not a date as YYYY-MM-DD` });
  }
  if (principal.amountMinor < 0) {
    return err({ code: "negative_principal", message: "interest needs a principal of zero or more" });
  }
  if (through < from) return ok([]);

  const table = [...baseRates].sort((a, b) => (a.from < b.from ? -1 : a.from > b.from ? 1 : 0));
  const first = table[0];
  if (!first || from < first.from) {
    return err({ code: "base_rate_unknown", date: from, message: `no base rate is known for ${from}` });
  }
  const known = knownThrough(table);
  if (known === null || through > known) {
    const date = known === null ? from : addDays(known, 1);
    return err({
      code: "base_rate_unknown",
      date,
      message: `no base rate is known from ${date}; add the Bundesbank rate for that half-year to BASE_RATES_FILE`,
    });
  }

  const margin = DEFAULT_INTEREST_MARGIN_BP[debtor];
  const principalMinor = BigInt(principal.amountMinor);
  const periods: ExactInterestPeriod[] = [];
  let start = from;
  while (start <= through) {
    const base = rateOn(table, start);
    if (base === null)
      return err({ code: "base_rate_unknown", date: start, message: `no base rate is known for ${start}` });
    const change = table.find((entry) => entry.from > start);
    const end = change && change.from <= through ? addDays(change.from, -1) : through;
    // A negative total would mean the creditor pays the debtor; §288 never asks that.
    const rateBp = Math.max(0, base + margin);
    const days = daysBetween(start, end) + 1;
    const previous = periods.at(-1);
    if (previous && previous.rateBp === rateBp) {
      // An entry that repeats the rate (1.27 % on 2025-07-01 and 2026-01-01) does not split the calculation.
      previous.to = end;
      previous.days += days;
      previous.numerator = principalMinor * BigInt(rateBp) * BigInt(previous.days);
    } else {
      periods.push({ from: start, to: end, days, rateBp, numerator: principalMinor * BigInt(rateBp) * BigInt(days) });
    }
    start = addDays(end, 1);
  }
  return ok(periods);
}

function toMoney(numerator: bigint, currency: string): Money | null {
  const minor = roundHalfAwayFromZero(numerator, INTEREST_DENOMINATOR);
  if (minor > BigInt(Number.MAX_SAFE_INTEGER)) return null;
  return money(Number(minor), currency);
}

/**
 * Statutory default interest (§288 Abs. 1 and 2 BGB) on `principal` for the days `from` through `through`, both
 * inclusive, act/365, rounded once at the end (see {@link DefaultInterest}).
 */
export function defaultInterest(input: InterestInput): Result<DefaultInterest, InterestError> {
  const accrued = accrueDefaultInterest(input);
  if (!accrued.ok) return accrued;
  const { currency } = input.principal;
  const total = toMoney(
    accrued.value.reduce((acc, period) => acc + period.numerator, 0n),
    currency,
  );
  if (total === null) return err({ code: "out_of_range", message: "the interest is too large to represent" });
  const periods = accrued.value.map(({ numerator, ...period }) => ({
    ...period,
    amount: toMoney(numerator, currency)!,
  }));
  return ok({ amount: total, periods });
}

/** §288 Abs. 5 BGB: €40 once per claim, only from a debtor who is not a consumer (amounts.ts offsets it). */
export const FLAT_FEE_B2B: Money = { amountMinor: 4_000, currency: "EUR" };
