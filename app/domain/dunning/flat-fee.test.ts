import { describe, expect, test } from "vitest";
import { money } from "#app/domain/money";
import { claimTotals, debtorKindOf, flatFeeOwed, type DebtorKind } from "./interest";

const customer = (company: string | null) => ({ company });

describe("§288 Abs. 5 BGB flat fee: worked cases", () => {
  // [case, debtor, shop charges it, claim currency, in default, fees sent (minor), flat fee owed, total owed]
  const cases: [string, DebtorKind, boolean, string, boolean, number, number, number][] = [
    ["consumer, option on: never", "consumer", true, "EUR", true, 250, 0, 12_240],
    ["business, option off (the default): none", "business", false, "EUR", true, 250, 0, 12_240],
    ["business, option on, first reminder (not yet in default): none", "business", true, "EUR", false, 0, 0, 11_990],
    ["business, option on, second reminder: €40 on top", "business", true, "EUR", true, 250, 4_000, 16_240],
    ["business, option on, final reminder: still €40 once, not per level", "business", true, "EUR", true, 500, 4_000, 16_490],
    ["business, option on, claim in CHF: none (the law names euros, nothing is converted)", "business", true, "CHF", true, 250, 0, 12_240],
  ];
  test.each(cases)("%s", (_name, debtor, enabled, currency, inDefault, feesMinor, expectedFee, expectedTotal) => {
    const fee = flatFeeOwed({ debtor, enabled, currency, inDefault });
    expect(fee?.amountMinor ?? 0).toBe(expectedFee);
    const totals = claimTotals({ outstanding: money(11_990, currency), feesPerLevelSent: feesMinor > 0 ? { reminder_2: money(feesMinor, currency) } : {}, interest: money(0, currency), flatFee: fee });
    expect(totals.ok && totals.value.total.amountMinor).toBe(expectedTotal);
    expect(totals.ok && totals.value.flatFee.amountMinor).toBe(expectedFee);
  });

  test("a company on the customer or on the billing address makes a business debtor", () => {
    expect(debtorKindOf({ customer: customer("Firma GmbH"), billingAddress: null })).toBe("business");
    expect(debtorKindOf({ customer: customer(null), billingAddress: { company: "Firma GmbH" } })).toBe("business");
    expect(debtorKindOf({ customer: customer("  "), billingAddress: { company: "" } })).toBe("consumer");
    expect(debtorKindOf({ customer: customer(null), billingAddress: null })).toBe("consumer");
  });
});
