import { describe, expect, test } from "vitest";

import { paymentScenario } from "#test/support/payment-scenarios";

import { creditorReference } from "./creditor-reference";
import { buildMatchIndex, type CreditFacts, matchCredit, type OpenInvoice } from "./matching";

const invoice = (over: Partial<OpenInvoice> & { orderName: string }): OpenInvoice => ({
  orderId: `o${over.orderName}`,
  caseId: `c${over.orderName}`,
  currency: "EUR",
  outstandingMinor: 11_990,
  dueMinor: 12_490,
  customerKey: "anna",
  names: ["Anna Müller"],
  knownIbans: [],
  ...over,
});
const credit = (over: Partial<CreditFacts>): CreditFacts => ({
  amountMinor: 11_990,
  currency: "EUR",
  payerName: "Anna Müller",
  payerIban: null,
  remittance: "",
  creditorReference: null,
  ...over,
});

describe("matching a credit to open invoices", () => {
  const shop = buildMatchIndex([
    invoice({ orderName: "#4711" }),
    invoice({ orderName: "#4712", outstandingMinor: 5_000, dueMinor: 5_500 }),
    invoice({
      orderName: "#5001",
      customerKey: "jens",
      names: ["Jens Köhler"],
      knownIbans: ["DE02120300000000202051"],
    }),
    invoice({ orderName: "#5002", customerKey: "ida", names: ["Ida Köhler"] }),
  ]);

  test("the reference, with spaces, dashes, lower case, or in the structured field: automatic, by reference", () => {
    for (const c of [
      credit({ remittance: "RF71 4711" }),
      credit({ remittance: "rf71-4711 danke", payerName: "Someone Else" }),
      credit({ creditorReference: "RF714711", remittance: "" }),
    ]) {
      const d = matchCredit(c, shop);
      expect(d).toMatchObject({
        kind: "auto",
        allocations: [{ orderId: "o#4711", amountMinor: 11_990 }],
        coverage: "full",
      });
      if (d.kind === "auto") expect(d.reasons[0]).toBe("reference");
    }
  });

  test("one wrong character: matched only when the amount or the payer agrees; else reviewed with the candidate", () => {
    const typo = creditorReference("#4711")!.replace("4711", "4717");
    expect(matchCredit(credit({ remittance: typo }), shop)).toMatchObject({
      kind: "auto",
      reasons: expect.arrayContaining(["reference_typo"]),
    });
    const alone = matchCredit(credit({ remittance: typo, amountMinor: 3_333, payerName: "X Y" }), shop);
    expect(alone).toMatchObject({ kind: "review", candidates: [{ orderId: "o#4711", reasons: ["reference_typo"] }] });
  });

  test("partial and over-payments are recorded as such; a valid reference of no open order goes to review", () => {
    expect(matchCredit(credit({ remittance: "RF71 4711", amountMinor: 5_000 }), shop)).toMatchObject({
      kind: "auto",
      coverage: "partial",
    });
    expect(matchCredit(credit({ remittance: "RF71 4711", amountMinor: 20_000 }), shop)).toMatchObject({
      kind: "auto",
      coverage: "over",
    });
    expect(matchCredit(credit({ remittance: creditorReference("#9999")! }), shop)).toMatchObject({ kind: "review" });
  });

  test("one transfer for two orders of one customer is split when the amounts add up; otherwise reviewed", () => {
    expect(matchCredit(credit({ remittance: "Bestellungen 4711 und 4712", amountMinor: 16_990 }), shop)).toMatchObject({
      kind: "auto",
      allocations: [
        { orderId: "o#4711", amountMinor: 11_990 },
        { orderId: "o#4712", amountMinor: 5_000 },
      ],
    });
    expect(matchCredit(credit({ remittance: "Bestellungen 4711 und 4712", amountMinor: 16_000 }), shop).kind).toBe(
      "review",
    );
    // Two customers' orders in one text: never split.
    expect(matchCredit(credit({ remittance: "4711 5001", amountMinor: 23_980 }), shop).kind).toBe("review");
  });

  test("no reference: the payer (name in either order, transliterated, or a known IBAN) and the exact amount", () => {
    for (const payerName of ["MUELLER ANNA", "Anna Müller", "Müller, Anna"])
      expect(matchCredit(credit({ payerName, remittance: "Rechnung" }), shop)).toMatchObject({
        kind: "auto",
        allocations: [{ orderId: "o#4711" }],
      });
    expect(matchCredit(credit({ payerName: "J. K.", payerIban: "DE02 1203 0000 0000 2020 51" }), shop)).toMatchObject({
      kind: "auto",
      allocations: [{ orderId: "o#5001" }],
    });
    // The last name alone fits two customers (Jens and Ida Köhler): review with both.
    const namesake = matchCredit(credit({ payerName: "Koehler" }), shop);
    expect(namesake.kind).toBe("review");
    // Someone else with the same amount and no reference: nothing automatic.
    expect(matchCredit(credit({ payerName: "Petra Fremd" }), shop).kind).toBe("review");
    // Another currency never matches.
    expect(matchCredit(credit({ remittance: "RF71 4711", currency: "CHF" }), shop)).toEqual({
      kind: "review",
      candidates: [],
    });
  });

  test("a generated set of 2,000 invoices: no wrong automatic match, at least 95 % of the payers' credits automatic", () => {
    const { invoices, credits } = paymentScenario(2_000);
    const index = buildMatchIndex(invoices);
    let automatic = 0;
    let wrong = 0;
    let truthful = 0;
    const byKind = new Map<string, { auto: number; total: number }>();
    for (const c of credits) {
      const d = matchCredit(c, index);
      const k = byKind.get(c.kind) ?? { auto: 0, total: 0 };
      k.total++;
      if (c.truth.length > 0) truthful++;
      if (d.kind === "auto") {
        k.auto++;
        const got = d.allocations.map((a) => a.orderId).sort();
        if (JSON.stringify(got) !== JSON.stringify([...c.truth].sort())) wrong++;
        else automatic++;
      }
      byKind.set(c.kind, k);
    }
    process.stdout.write(
      `matching: ${credits.length} credits, ${automatic} automatic, ${wrong} wrong, by kind ${JSON.stringify(Object.fromEntries(byKind))}\n`,
    );
    expect(wrong).toBe(0);
    expect(automatic / truthful).toBeGreaterThanOrEqual(0.95);
  });
});
