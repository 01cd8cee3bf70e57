import { describe, expect, test } from "vitest";

import { amountsOwed, type ChargedReminder } from "./amounts";
import { BUILT_IN_BASE_RATES } from "./base-rates";

const eur = (amountMinor: number) => ({ amountMinor, currency: "EUR" });
const base = {
  outstanding: eur(10_000),
  dueDate: "2026-01-15",
  firstDeadline: "2026-02-02" as string | null,
  debtor: "consumer" as const,
  consumerInvoiceWarns: false,
  reminders: [] as ChargedReminder[],
  flatFeeEnabled: true,
  baseRates: BUILT_IN_BASE_RATES,
};

describe("interest from the first day of default (§§ 286, 288 BGB), act/365, rounded once", () => {
  test("100,00 € from 3 Feb through 4 Mar 2026 (30 days) at 1.27 % + 5 points: 0,52 €", () => {
    const owed = amountsOwed({ ...base, on: "2026-03-04" });
    expect(owed.defaultStart).toEqual({ from: "2026-02-03", basis: "reminder_deadline" });
    expect(owed.interest).toMatchObject({
      amount: eur(52),
      marginBp: 500,
      from: "2026-02-03",
      through: "2026-03-04",
      complete: true,
    });
    expect(owed.total).toEqual(eur(10_052));
  });

  test("on the deadline itself and before: not in default, no interest", () => {
    expect(amountsOwed({ ...base, on: "2026-02-02" }).interest).toBeNull();
    expect(amountsOwed({ ...base, firstDeadline: null, on: "2026-12-31" })).toMatchObject({
      interest: null,
      defaultStart: null,
      total: eur(10_000),
    });
  });

  test("a business is in default 30 days after the due date when no reminder came earlier (§ 286 Abs. 3 BGB)", () => {
    const owed = amountsOwed({
      ...base,
      debtor: "business",
      dueDate: "2024-11-01",
      firstDeadline: "2024-12-14",
      flatFeeEnabled: false,
      on: "2024-12-02",
    });
    expect(owed.defaultStart).toEqual({ from: "2024-12-02", basis: "thirty_days_after_due" });
    expect(owed.interest?.from).toBe("2024-12-02");
  });

  test("across a change of the base rate: 1.000 € of a business from 15 Dec 2024 to 14 Jan 2025 is 10,08 €", () => {
    const owed = amountsOwed({
      ...base,
      outstanding: eur(100_000),
      debtor: "business",
      dueDate: "2024-11-20",
      firstDeadline: "2024-12-14",
      flatFeeEnabled: false,
      on: "2025-01-14",
    });
    expect(owed.interest?.periods.map((p) => [p.from, p.to, p.rateBp])).toEqual([
      ["2024-12-15", "2024-12-31", 1_237],
      ["2025-01-01", "2025-01-14", 1_127],
    ]);
    expect(owed.interest?.amount).toEqual(eur(1_008));
  });

  test("past the last known base rate: interest through that day, marked incomplete, never silently zero", () => {
    const owed = amountsOwed({ ...base, dueDate: "2026-05-01", firstDeadline: "2026-05-31", on: "2026-12-06" });
    expect(owed.interest).toMatchObject({
      from: "2026-06-01",
      through: "2026-06-30",
      complete: false,
      amount: eur(52),
    });
    const none = amountsOwed({ ...base, dueDate: "2026-07-01", firstDeadline: "2026-07-31", on: "2026-12-06" });
    expect(none.interest).toMatchObject({ from: "2026-08-01", complete: false, amount: eur(0) });
  });
});

describe("fees as charged, and the €40 flat fee offset against them (§ 288 Abs. 5 BGB)", () => {
  const charged: ChargedReminder[] = [
    { level: "reminder_1", sentOn: "2026-01-20", fee: null },
    { level: "reminder_2", sentOn: "2026-02-05", fee: eur(250) },
    { level: "final_reminder", sentOn: "2026-02-20", fee: eur(250) },
  ];

  test("a consumer owes the fees the reminders charged, and no flat fee", () => {
    const owed = amountsOwed({ ...base, reminders: charged, on: "2026-02-02" });
    expect(owed).toMatchObject({ fees: eur(500), flatFee: eur(0), flatFeeOwed: null, total: eur(10_500) });
  });

  test("a business in default: costs are the larger of fees and €40, not their sum", () => {
    const owed = amountsOwed({ ...base, debtor: "business", reminders: charged, on: "2026-02-03" });
    // One day of interest at 10.27 % on 100,00 €: 0,03 €.
    expect(owed).toMatchObject({ fees: eur(500), flatFee: eur(3_500), flatFeeOwed: eur(4_000), total: eur(14_003) });
    const high = amountsOwed({
      ...base,
      debtor: "business",
      reminders: [{ level: "reminder_2", sentOn: "2026-02-05", fee: eur(4_500) }],
      on: "2026-02-03",
    });
    expect(high).toMatchObject({ fees: eur(4_500), flatFee: eur(0), total: eur(14_503) });
  });

  test("no flat fee before default, when the shop does not charge it, or in another currency", () => {
    expect(
      amountsOwed({ ...base, debtor: "business", dueDate: "2026-01-15", firstDeadline: null, on: "2026-02-14" })
        .flatFeeOwed,
    ).toBeNull();
    expect(
      amountsOwed({ ...base, debtor: "business", flatFeeEnabled: false, on: "2026-02-03" }).flatFeeOwed,
    ).toBeNull();
    expect(
      amountsOwed({
        ...base,
        outstanding: { amountMinor: 10_000, currency: "CHF" },
        debtor: "business",
        on: "2026-02-03",
      }).flatFeeOwed,
    ).toBeNull();
  });
});

describe("§ 367 BGB: a part payment in default pays costs, then interest, then the principal", () => {
  test("50,00 € on 5 March against 1.000,00 €: 2,50 € fee, 5,15 € interest, 42,35 € principal; interest runs on the rest", () => {
    const owed = amountsOwed({
      ...base,
      // The platform booked the 50,00 € against the invoice: it shows 950,00 € outstanding.
      outstanding: eur(95_000),
      reminders: [
        { level: "reminder_1", sentOn: "2026-01-20", fee: null },
        { level: "reminder_2", sentOn: "2026-02-10", fee: eur(250) },
      ],
      payments: [{ on: "2026-03-05", amount: eur(5_000) }],
      on: "2026-03-14",
    });
    // 3 Feb – 4 Mar on 1.000,00 € at 6.27 %: 5,15 €; the payment clears it and the fee, 42,35 € go to the principal.
    expect(owed.outstanding).toEqual(eur(95_765));
    expect(owed.fees).toEqual(eur(0));
    // 5 – 14 March on 957,65 €: 1,65 €.
    expect(owed.interest).toMatchObject({
      amount: eur(165),
      from: "2026-02-03",
      through: "2026-03-14",
      complete: true,
    });
    expect(owed.total).toEqual(eur(95_930));
  });

  test("a payment before default goes to the principal only, as the platform booked it", () => {
    const owed = amountsOwed({
      ...base,
      outstanding: eur(5_000),
      payments: [{ on: "2026-01-25", amount: eur(5_000) }],
      on: "2026-02-02",
    });
    expect(owed).toMatchObject({ outstanding: eur(5_000), interest: null, total: eur(5_000) });
  });

  test("a business's payment first covers the €40 flat fee net of the fees", () => {
    const owed = amountsOwed({
      ...base,
      debtor: "business",
      outstanding: eur(6_000),
      payments: [{ on: "2026-02-03", amount: eur(4_000) }],
      on: "2026-02-03",
    });
    // The 40,00 € pay the flat fee (no fees were charged); no interest had accrued before the day of payment.
    expect(owed).toMatchObject({ outstanding: eur(10_000), flatFee: eur(0), fees: eur(0) });
    expect(owed.total.amountMinor).toBe(10_000 + owed.interest!.amount.amountMinor);
  });
});
