import fc from "fast-check";
import { describe, expect, test } from "vitest";

import { addDays, daysBetween } from "#app/domain/dates";
import { type BaseRateTable, BUILT_IN_BASE_RATES } from "#app/domain/dunning/base-rates";
import type { DebtorKind } from "#app/domain/dunning/debtor";
import { accrueDefaultInterest, defaultInterest, type InterestInput } from "#app/domain/dunning/interest";
import { money } from "#app/domain/money";

const eur = (minor: number) => money(minor, "EUR");

function interest(input: Omit<InterestInput, "baseRates"> & { baseRates?: BaseRateTable }) {
  const result = defaultInterest({ baseRates: BUILT_IN_BASE_RATES, ...input });
  if (!result.ok) throw new Error(result.error.message);
  return result.value;
}

describe("defaultInterest (§288 BGB, act/365, both ends inclusive, rounded once)", () => {
  // Exact amount = principal (minor) × rate (bp) × days / 3 650 000, in minor units.
  test.each([
    {
      name: "consumer, €1,000.00, January 2025 (31 days at 2.27 + 5 = 7.27 %)",
      // 100 000 × 727 × 31 = 2 253 700 000; / 3 650 000 = 617.452… → 617
      principal: eur(100_000),
      debtor: "consumer" as DebtorKind,
      from: "2025-01-01",
      through: "2025-01-31",
      amount: 617,
      periods: [{ from: "2025-01-01", to: "2025-01-31", days: 31, rateBp: 727, amount: 617 }],
    },
    {
      name: "business, €1,000.00, January 2025 (31 days at 2.27 + 9 = 11.27 %)",
      // 100 000 × 1 127 × 31 = 3 493 700 000; / 3 650 000 = 957.178… → 957
      principal: eur(100_000),
      debtor: "business" as DebtorKind,
      from: "2025-01-01",
      through: "2025-01-31",
      amount: 957,
      periods: [{ from: "2025-01-01", to: "2025-01-31", days: 31, rateBp: 1127, amount: 957 }],
    },
    {
      name: "consumer, €2,500.00 across the change on 2025-07-01 (16 days at 7.27 %, 14 days at 6.27 %)",
      // 250 000 × 727 × 16 = 2 908 000 000 (796.712…) + 250 000 × 627 × 14 = 2 194 500 000 (601.232…)
      // = 5 102 500 000; / 3 650 000 = 1 397.945… → 1 398
      principal: eur(250_000),
      debtor: "consumer" as DebtorKind,
      from: "2025-06-15",
      through: "2025-07-14",
      amount: 1398,
      periods: [
        { from: "2025-06-15", to: "2025-06-30", days: 16, rateBp: 727, amount: 797 },
        { from: "2025-07-01", to: "2025-07-14", days: 14, rateBp: 627, amount: 601 },
      ],
    },
    {
      name: "rounding once: €10.00 across the 2025-07-01 change; the rounded periods would add up to 0.05",
      // 1 000 × 727 × 16 = 11 632 000 (3.186…) + 1 000 × 627 × 14 = 8 778 000 (2.404…)
      // = 20 410 000; / 3 650 000 = 5.591… → 6 (rounding each period first would give 3 + 2 = 5)
      principal: eur(1_000),
      debtor: "consumer" as DebtorKind,
      from: "2025-06-15",
      through: "2025-07-14",
      amount: 6,
      periods: [
        { from: "2025-06-15", to: "2025-06-30", days: 16, rateBp: 727, amount: 3 },
        { from: "2025-07-01", to: "2025-07-14", days: 14, rateBp: 627, amount: 2 },
      ],
    },
    {
      name: "negative base rate: consumer, €100.00, December 2022 at -0.88 + 5 = 4.12 %, January 2023 at 6.62 %",
      // 10 000 × 412 × 31 = 127 720 000 + 10 000 × 662 × 31 = 205 220 000 = 332 940 000; / 3 650 000 = 91.216… → 91
      principal: eur(10_000),
      debtor: "consumer" as DebtorKind,
      from: "2022-12-01",
      through: "2023-01-31",
      amount: 91,
      periods: [
        { from: "2022-12-01", to: "2022-12-31", days: 31, rateBp: 412, amount: 35 },
        { from: "2023-01-01", to: "2023-01-31", days: 31, rateBp: 662, amount: 56 },
      ],
    },
    {
      name: "JPY (no minor unit), business, ¥123,457 for the leap year 2024 (366 days on a 365-day year)",
      // 123 457 × 1 262 × 182 = 28 356 097 588 + 123 457 × 1 237 × 184 = 28 099 800 856
      // = 56 455 898 444; / 3 650 000 = 15 467.369… → ¥15,467
      principal: money(123_457, "JPY"),
      debtor: "business" as DebtorKind,
      from: "2024-01-01",
      through: "2024-12-31",
      amount: 15_467,
      periods: [
        { from: "2024-01-01", to: "2024-06-30", days: 182, rateBp: 1262, amount: 7769 },
        { from: "2024-07-01", to: "2024-12-31", days: 184, rateBp: 1237, amount: 7699 },
      ],
    },
    {
      name: "exactly half a cent rounds away from zero: €18,250.00, one day at 6.27 %",
      // 1 825 000 × 627 × 1 = 1 144 275 000; / 3 650 000 = 313.5 → 314
      principal: eur(1_825_000),
      debtor: "consumer" as DebtorKind,
      from: "2026-01-02",
      through: "2026-01-02",
      amount: 314,
      periods: [{ from: "2026-01-02", to: "2026-01-02", days: 1, rateBp: 627, amount: 314 }],
    },
    {
      name: "large amount without float error: €90,063,750,310,250.00, one day at 6.27 %",
      // 9 006 375 031 025 000 × 627 = 5 646 997 144 452 675 000; / 3 650 000 = 1 547 122 505 329.5 → …330
      // (in doubles, P × 627 / 365 / 10 000 comes out as …329.49… and rounds to …329)
      principal: eur(9_006_375_031_025_000),
      debtor: "consumer" as DebtorKind,
      from: "2026-01-02",
      through: "2026-01-02",
      amount: 1_547_122_505_330,
      periods: [{ from: "2026-01-02", to: "2026-01-02", days: 1, rateBp: 627, amount: 1_547_122_505_330 }],
    },
    {
      name: "a period of 0 days (through = from − 1) owes nothing",
      principal: eur(100_000),
      debtor: "business" as DebtorKind,
      from: "2025-03-10",
      through: "2025-03-09",
      amount: 0,
      periods: [],
    },
  ])("$name", ({ principal, debtor, from, through, amount, periods }) => {
    const result = interest({ principal, debtor, from, through });
    expect(result.amount).toEqual(money(amount, principal.currency));
    expect(result.periods).toEqual(periods.map((p) => ({ ...p, amount: money(p.amount, principal.currency) })));
  });

  test("an entry that repeats the rate (1.27 % on 2025-07-01 and on 2026-01-01) does not split the period", () => {
    // 100 000 × 627 × 62 = 3 887 400 000; / 3 650 000 = 1 065.041… → 1 065
    const result = interest({ principal: eur(100_000), debtor: "consumer", from: "2025-12-01", through: "2026-01-31" });
    expect(result.periods).toEqual([
      { from: "2025-12-01", to: "2026-01-31", days: 62, rateBp: 627, amount: eur(1065) },
    ]);
    expect(result.amount).toEqual(eur(1065));
  });

  test("a negative total rate is floored at zero", () => {
    const table: BaseRateTable = [{ from: "2020-01-01", rateBp: -600 }];
    const result = interest({
      principal: eur(100_000),
      debtor: "consumer",
      from: "2020-02-01",
      through: "2020-02-29",
      baseRates: table,
    });
    expect(result.periods).toEqual([{ from: "2020-02-01", to: "2020-02-29", days: 29, rateBp: 0, amount: eur(0) }]);
    expect(result.amount).toEqual(eur(0));
    // The same table for a business: -6 + 9 = 3 %; 100 000 × 300 × 29 / 3 650 000 = 238.356… → 238
    expect(
      interest({
        principal: eur(100_000),
        debtor: "business",
        from: "2020-02-01",
        through: "2020-02-29",
        baseRates: table,
      }).amount,
    ).toEqual(eur(238));
  });

  test("days past the half-year of the last table entry are refused rather than charged at an outdated rate", () => {
    const result = defaultInterest({
      principal: eur(100_000),
      debtor: "consumer",
      from: "2026-06-01",
      through: "2026-07-01",
      baseRates: BUILT_IN_BASE_RATES,
    });
    expect(result).toMatchObject({ ok: false, error: { code: "base_rate_unknown", date: "2026-07-01" } });
    const extended = [...BUILT_IN_BASE_RATES, { from: "2026-07-01", rateBp: 100 }];
    const next = defaultInterest({
      principal: eur(100_000),
      debtor: "consumer",
      from: "2026-06-01",
      through: "2026-07-01",
      baseRates: extended,
    });
    // 100 000 × 627 × 30 = 1 881 000 000 + 100 000 × 600 × 1 = 60 000 000 = 1 941 000 000; / 3 650 000 = 531.78… → 532
    expect(next).toMatchObject({ ok: true, value: { amount: eur(532) } });
  });

  test("days before the first table entry, bad dates and a negative principal are errors", () => {
    const base = { principal: eur(100_000), debtor: "consumer" as const, baseRates: BUILT_IN_BASE_RATES };
    expect(defaultInterest({ ...base, from: "2019-12-31", through: "2020-01-31" })).toMatchObject({
      ok: false,
      error: { code: "base_rate_unknown", date: "2019-12-31" },
    });
    expect(defaultInterest({ ...base, from: "2025-02-30", through: "2025-03-31" })).toMatchObject({
      ok: false,
      error: { code: "invalid_date", date: "2025-02-30" },
    });
    expect(defaultInterest({ ...base, principal: eur(-1), from: "2025-01-01", through: "2025-01-31" })).toMatchObject({
      ok: false,
      error: { code: "negative_principal" },
    });
  });

  test("splitting a period at any day, the exact unrounded parts add up to the whole", () => {
    const first = "2020-01-01";
    const span = daysBetween(first, "2026-06-30");
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
        fc.constantFrom<DebtorKind>("consumer", "business"),
        fc.integer({ min: 0, max: span }),
        fc.integer({ min: -1, max: 900 }),
        fc.nat(),
        (principal, debtor, start, length, at) => {
          const from = addDays(first, start);
          const through = addDays(from, Math.min(length, span - start));
          const total = daysBetween(from, through) + 1;
          // The first part ends anywhere from from − 1 (empty) through `through` (the whole).
          const split = addDays(from, (at % (total + 1)) - 1);
          const exact = (a: string, b: string) => {
            const r = accrueDefaultInterest({
              principal: eur(principal),
              debtor,
              from: a,
              through: b,
              baseRates: BUILT_IN_BASE_RATES,
            });
            if (!r.ok) throw new Error(r.error.message);
            return r.value.reduce((acc, p) => acc + p.numerator, 0n);
          };
          expect(exact(from, split) + exact(addDays(split, 1), through)).toBe(exact(from, through));
        },
      ),
      { numRuns: 300 },
    );
  });
});
