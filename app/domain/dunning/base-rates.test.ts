import { describe, expect, test } from "vitest";

import {
  baseRateTableSchema,
  BUILT_IN_BASE_RATES,
  knownThrough,
  mergeBaseRates,
  rateOn,
} from "#app/domain/dunning/base-rates";

describe("base rate table", () => {
  test("rateOn picks the entry in force on the day", () => {
    expect(rateOn(BUILT_IN_BASE_RATES, "2020-01-01")).toBe(-88);
    expect(rateOn(BUILT_IN_BASE_RATES, "2022-12-31")).toBe(-88);
    expect(rateOn(BUILT_IN_BASE_RATES, "2023-01-01")).toBe(162);
    expect(rateOn(BUILT_IN_BASE_RATES, "2024-06-30")).toBe(362);
    expect(rateOn(BUILT_IN_BASE_RATES, "2024-07-01")).toBe(337);
    expect(rateOn(BUILT_IN_BASE_RATES, "2025-06-30")).toBe(227);
    expect(rateOn(BUILT_IN_BASE_RATES, "2026-06-30")).toBe(127);
  });

  test("is unknown before the first entry and after the half-year of the last one", () => {
    expect(rateOn(BUILT_IN_BASE_RATES, "2019-12-31")).toBeNull();
    expect(knownThrough(BUILT_IN_BASE_RATES)).toBe("2026-06-30");
    expect(rateOn(BUILT_IN_BASE_RATES, "2026-07-01")).toBeNull();
    expect(knownThrough([{ from: "2026-07-01", rateBp: 100 }])).toBe("2026-12-31");
    expect(knownThrough([])).toBeNull();
    expect(rateOn([], "2026-01-01")).toBeNull();
  });

  test("mergeBaseRates extends the table, sorts it, and lets an operator's entry replace the built-in one", () => {
    const merged = mergeBaseRates(BUILT_IN_BASE_RATES, [
      { from: "2027-01-01", rateBp: 150 },
      { from: "2026-07-01", rateBp: 100 },
      { from: "2024-07-01", rateBp: 340 },
    ]);
    expect(merged.map((e) => e.from)).toEqual([
      "2020-01-01",
      "2023-01-01",
      "2023-07-01",
      "2024-01-01",
      "2024-07-01",
      "2025-01-01",
      "2025-07-01",
      "2026-01-01",
      "2026-07-01",
      "2027-01-01",
    ]);
    expect(rateOn(merged, "2024-08-01")).toBe(340);
    expect(rateOn(merged, "2026-07-01")).toBe(100);
    expect(rateOn(merged, "2027-06-30")).toBe(150);
    expect(BUILT_IN_BASE_RATES.find((e) => e.from === "2024-07-01")?.rateBp).toBe(337);
  });

  test("the schema accepts the built-in table and refuses bad dates, fractions and repeats", () => {
    expect(baseRateTableSchema.safeParse(BUILT_IN_BASE_RATES).success).toBe(true);
    const bad = baseRateTableSchema.safeParse([
      { from: "2026-07-15", rateBp: 127 },
      { from: "2027-01-01", rateBp: 1.27 },
      { from: "2027-13-01", rateBp: 127 },
      { from: "2027-07-01", rateBp: 1_501 },
    ]);
    expect(bad.error?.issues.map((i) => i.path.join("."))).toEqual(["0.from", "1.rateBp", "2.from", "3.rateBp"]);
    const repeated = baseRateTableSchema.safeParse([
      { from: "2027-01-01", rateBp: 127 },
      { from: "2027-01-01", rateBp: 130 },
    ]);
    expect(repeated.error?.issues.map((i) => [i.path.join("."), i.message])).toEqual([
      ["1.from", "repeats 2027-01-01 (also entry 1)"],
    ]);
  });
});
