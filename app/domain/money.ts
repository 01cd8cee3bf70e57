import type { Result } from "./result";

/** An amount in integer minor units (cents) of an ISO 4217 currency. Never a float. */
export type Money = { amountMinor: number; currency: string };

export type MoneyError =
  | { code: "invalid_currency"; message: string }
  | { code: "invalid_amount"; message: string }
  | { code: "too_many_decimals"; message: string }
  | { code: "out_of_range"; message: string };

/** Minor-unit exponents that differ from 2 (ISO 4217). */
const EXPONENTS: Record<string, number> = {
  BIF: 0,
  CLP: 0,
  DJF: 0,
  GNF: 0,
  ISK: 0,
  JPY: 0,
  KMF: 0,
  KRW: 0,
  PYG: 0,
  RWF: 0,
  UGX: 0,
  UYI: 0,
  VND: 0,
  VUV: 0,
  XAF: 0,
  XOF: 0,
  XPF: 0,
  BHD: 3,
  IQD: 3,
  JOD: 3,
  KWD: 3,
  LYD: 3,
  OMR: 3,
  TND: 3,
  CLF: 4,
  UYW: 4,
};

export function currencyExponent(currency: string): number {
  return EXPONENTS[currency] ?? 2;
}

export class CurrencyMismatchError extends Error {
  override name = "CurrencyMismatchError";
  constructor(a: string, b: string) {
    super(`cannot combine ${a} and ${b}`);
  }
}

export function money(amountMinor: number, currency: string): Money {
  if (!Number.isSafeInteger(amountMinor))
    throw new RangeError(`amountMinor must be a safe integer, got ${amountMinor}`);
  return { amountMinor: amountMinor === 0 ? 0 : amountMinor, currency };
}

const DECIMAL = /^([+-])?(\d+)(?:\.(\d+))?$/;

/**
 * Exact parse of a platform decimal string ("199.9", "1.00", "-0", "12") without floats. More decimals than the
 * currency has ("1.005" EUR) is an error, not a rounding: money from a platform must be exact.
 */
export function parseMoney(decimal: string, currency: string): Result<Money, MoneyError> {
  const code = typeof currency === "string" ? currency.trim().toUpperCase() : "";
  if (!/^[A-Z]{3}$/.test(code)) {
    return {
      ok: false,
      error: { code: "invalid_currency", message: `"${currency}" is not an ISO 4217 currency code` },
    };
  }
  const text = typeof decimal === "string" ? decimal.trim() : "";
  const match = DECIMAL.exec(text);
  if (!match) {
    return {
      ok: false,
      error: { code: "invalid_amount", message: `"${decimal}" is not a decimal amount like 199.90` },
    };
  }
  const [, sign, whole, fraction = ""] = match;
  const exponent = currencyExponent(code);
  const significant = fraction.replace(/0+$/, "");
  if (significant.length > exponent) {
    return {
      ok: false,
      error: {
        code: "too_many_decimals",
        message: `"${decimal}" has more than ${exponent} decimal places for ${code}`,
      },
    };
  }
  const minor = BigInt(whole!) * 10n ** BigInt(exponent) + BigInt(significant.padEnd(exponent, "0") || "0");
  const signed = sign === "-" ? -minor : minor;
  if (signed > BigInt(Number.MAX_SAFE_INTEGER) || signed < BigInt(Number.MIN_SAFE_INTEGER)) {
    return { ok: false, error: { code: "out_of_range", message: `"${decimal}" is too large` } };
  }
  return { ok: true, value: money(Number(signed), code) };
}

function same(a: Money, b: Money): void {
  if (a.currency !== b.currency) throw new CurrencyMismatchError(a.currency, b.currency);
}

export function add(a: Money, b: Money): Money {
  same(a, b);
  return money(a.amountMinor + b.amountMinor, a.currency);
}

export function subtract(a: Money, b: Money): Money {
  same(a, b);
  return money(a.amountMinor - b.amountMinor, a.currency);
}

export function compare(a: Money, b: Money): -1 | 0 | 1 {
  same(a, b);
  return a.amountMinor < b.amountMinor ? -1 : a.amountMinor > b.amountMinor ? 1 : 0;
}

export const isZero = (m: Money) => m.amountMinor === 0;
export const isPositive = (m: Money) => m.amountMinor > 0;
export const isNegative = (m: Money) => m.amountMinor < 0;
export const zero = (currency: string): Money => money(0, currency);
export const min = (a: Money, b: Money): Money => (compare(a, b) <= 0 ? a : b);
export const max = (a: Money, b: Money): Money => (compare(a, b) >= 0 ? a : b);

export function sum(items: Money[], currency: string): Money {
  return items.reduce((total, m) => add(total, m), zero(currency));
}

/** "199.90" — exact, with the currency's number of decimals. */
export function toDecimalString(m: Money): string {
  const exponent = currencyExponent(m.currency);
  const abs = String(Math.abs(m.amountMinor)).padStart(exponent + 1, "0");
  const sign = m.amountMinor < 0 ? "-" : "";
  return exponent === 0 ? `${sign}${abs}` : `${sign}${abs.slice(0, -exponent)}.${abs.slice(-exponent)}`;
}

/** Formatted for people through Intl ("1.234,50 €" in de-DE); the decimal string keeps it exact. */
export function formatMoney(m: Money, locale: string): string {
  return new Intl.NumberFormat(locale, { style: "currency", currency: m.currency }).format(
    toDecimalString(m) as unknown as number,
  );
}

/**
 * Rounds a rational amount (numerator/denominator minor units) half away from zero ("kaufmännisch gerundet").
 * All interest and percentage maths goes through BigInt and this one rounding step.
 */
export function roundHalfAwayFromZero(numerator: bigint, denominator: bigint): bigint {
  if (denominator <= 0n) throw new RangeError("denominator must be positive");
  const negative = numerator < 0n;
  const abs = negative ? -numerator : numerator;
  const rounded = (abs * 2n + denominator) / (denominator * 2n);
  return negative ? -rounded : rounded;
}

/** amount × rate, where rate is given in basis points (1 % = 100 bp), rounded once. */
export function percentOf(m: Money, basisPoints: number): Money {
  if (!Number.isInteger(basisPoints)) throw new RangeError("basis points must be an integer");
  return money(Number(roundHalfAwayFromZero(BigInt(m.amountMinor) * BigInt(basisPoints), 10_000n)), m.currency);
}
