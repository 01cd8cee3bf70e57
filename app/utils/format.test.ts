import { describe, expect, test } from "vitest";

import { currencyDigits, formatMinor, inputToMinor, minorAsDecimal, minorToInput } from "./format";

describe("money formatting from minor units", () => {
  test("a currency's minor-unit digits are Intl's", () => {
    expect(currencyDigits("EUR")).toBe(2);
    expect(currencyDigits("JPY")).toBe(0);
    expect(currencyDigits("BHD")).toBe(3);
  });

  test("minor units as a plain decimal, padded, signed, with the given point", () => {
    expect(minorAsDecimal("123456", 2, ",")).toBe("1234,56");
    expect(minorAsDecimal("5", 2, ".")).toBe("0.05");
    expect(minorAsDecimal("-5", 2, ".")).toBe("-0.05");
    expect(minorAsDecimal("-1500", 0, ",")).toBe("-1500");
    expect(minorAsDecimal("7", 3, ".")).toBe("0.007");
    expect(minorAsDecimal("0", 2, ",")).toBe("0,00");
    // Beyond a double's precision: exact, because it never becomes a number.
    expect(minorAsDecimal("900719925474099312", 2, ".")).toBe("9007199254740993.12");
  });

  test("the settings form's amounts round-trip in German and English", () => {
    expect(minorToInput(4000, "EUR", "de-DE")).toBe("40,00");
    expect(minorToInput(-250, "EUR", "en")).toBe("-2.50");
    expect(minorToInput(500, "JPY", "de-DE")).toBe("500");
    expect(inputToMinor("40,00", "EUR")).toBe(4000);
    expect(inputToMinor("99.9", "EUR")).toBe(9990);
    expect(inputToMinor("1.234", "BHD")).toBe(1234);
    expect(inputToMinor("1,5", "JPY")).toBeNull();
  });

  test("display amounts use the currency's own decimals", () => {
    expect(formatMinor(123456, "EUR", "de-DE")).toBe("1.234,56\u00a0€");
    expect(formatMinor(-5, "EUR", "en")).toBe("-€0.05");
    expect(formatMinor(1500, "JPY", "en")).toBe("¥1,500");
  });
});
