import fc from "fast-check";
import { describe, expect, test } from "vitest";

import {
  add,
  compare,
  CurrencyMismatchError,
  formatMoney,
  money,
  parseMoney,
  percentOf,
  roundHalfAwayFromZero,
  subtract,
  sum,
  toDecimalString,
} from "./money";

describe("parseMoney", () => {
  test.each([
    ["199.9", "EUR", 19_990],
    ["199.90", "EUR", 19_990],
    ["0", "EUR", 0],
    ["-0", "EUR", 0],
    ["-12.5", "EUR", -1_250],
    ["12", "eur", 1_200],
    ["1.005", "BHD", 1_005],
    ["1500", "JPY", 1_500],
    ["1500.00", "JPY", 1_500],
    ["0.1", "EUR", 10],
  ])("%s %s → %d minor units", (input, currency, minor) => {
    const result = parseMoney(input, currency);
    expect(result).toEqual({ ok: true, value: { amountMinor: minor, currency: currency.toUpperCase() } });
    expect(Object.is(result.ok && result.value.amountMinor, -0)).toBe(false);
  });

  test.each([
    ["1.005", "EUR", "too_many_decimals"],
    ["1.5", "JPY", "too_many_decimals"],
    ["abc", "EUR", "invalid_amount"],
    ["", "EUR", "invalid_amount"],
    ["1e3", "EUR", "invalid_amount"],
    ["1,00", "EUR", "invalid_amount"],
    ["NaN", "EUR", "invalid_amount"],
    [".5", "EUR", "invalid_amount"],
    ["99999999999999999999", "EUR", "out_of_range"],
    ["1.00", "EURO", "invalid_currency"],
  ])("%s %s is refused with %s", (input, currency, code) => {
    const result = parseMoney(input, currency);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.code).toBe(code);
      expect(result.error.message).toContain(
        code === "invalid_currency" ? currency : input === "" ? '""' : input.slice(0, 5),
      );
    }
  });

  test("round-trips with toDecimalString across exponents 0, 2 and 3", () => {
    fc.assert(
      fc.property(fc.integer({ min: -1e12, max: 1e12 }), fc.constantFrom("EUR", "JPY", "BHD"), (minor, currency) => {
        const m = money(minor, currency);
        expect(parseMoney(toDecimalString(m), currency)).toEqual({ ok: true, value: m });
      }),
    );
  });
});

describe("arithmetic", () => {
  test("is exact where floats are not", () => {
    const a = parseMoney("0.1", "EUR");
    const b = parseMoney("0.2", "EUR");
    if (!a.ok || !b.ok) throw new Error("parse");
    expect(toDecimalString(add(a.value, b.value))).toBe("0.30");
    expect(sum([money(1, "EUR"), money(2, "EUR"), money(-3, "EUR")], "EUR")).toEqual(money(0, "EUR"));
    expect(subtract(money(500, "EUR"), money(501, "EUR")).amountMinor).toBe(-1);
    expect(compare(money(5, "EUR"), money(6, "EUR"))).toBe(-1);
  });

  test("refuses to mix currencies", () => {
    expect(() => add(money(1, "EUR"), money(1, "USD"))).toThrow(CurrencyMismatchError);
  });

  test("percentages round half away from zero, once", () => {
    expect(roundHalfAwayFromZero(5n, 10n)).toBe(1n);
    expect(roundHalfAwayFromZero(-5n, 10n)).toBe(-1n);
    expect(roundHalfAwayFromZero(4n, 10n)).toBe(0n);
    expect(percentOf(money(1_005, "EUR"), 1_000).amountMinor).toBe(101); // 10 % of 10.05 = 1.005 → 1.01
    expect(percentOf(money(1_004, "EUR"), 1_000).amountMinor).toBe(100);
  });
});

test("formats through Intl per locale", () => {
  expect(formatMoney(money(123_450, "EUR"), "de-DE")).toBe("1.234,50\u00a0€");
  expect(formatMoney(money(123_450, "EUR"), "en-GB")).toBe("€1,234.50");
  expect(formatMoney(money(1_500, "JPY"), "de-DE")).toBe("1.500\u00a0¥");
  expect(formatMoney(money(1_234, "BHD"), "en-GB")).toBe("BHD\u00a01.234");
});
