import { describe, expect, test } from "vitest";

import {
  type BusinessSignals,
  classifyDebtor,
  type DebtorClassification,
  type DebtorKind,
  normalizeVatId,
} from "./debtor";

describe("consumer or business, on a reliable signal only (§§ 13, 14 BGB)", () => {
  // [case, what the order says, staff's choice, classification]
  const cases: [string, BusinessSignals | null, DebtorKind | null, DebtorClassification][] = [
    ["no signal: a consumer", {}, null, { kind: "consumer", basis: "no_signal" }],
    ["an order stored before signals were read: a consumer", null, null, { kind: "consumer", basis: "no_signal" }],
    ["a Shopify B2B company", { b2bCompany: true }, null, { kind: "business", basis: "shopify_company" }],
    ["a VAT id", { vatId: "DE123456789" }, null, { kind: "business", basis: "vat_id" }],
    ["a VAT id written with spaces and dots", { vatId: "de 123.456.789" }, null, { kind: "business", basis: "vat_id" }],
    ["a placeholder in the VAT field is no VAT id", { vatId: "n/a" }, null, { kind: "consumer", basis: "no_signal" }],
    ["letters only are no VAT id", { vatId: "keine" }, null, { kind: "consumer", basis: "no_signal" }],
    ["staff say business without any signal", {}, "business", { kind: "business", basis: "staff" }],
    [
      "staff say consumer against a VAT id (a sole trader buying privately)",
      { vatId: "DE123456789" },
      "consumer",
      { kind: "consumer", basis: "staff" },
    ],
    [
      "staff say consumer against a B2B company",
      { b2bCompany: true },
      "consumer",
      { kind: "consumer", basis: "staff" },
    ],
  ];
  test.each(cases)("%s", (_name, signals, staff, expected) => {
    expect(classifyDebtor(signals, staff)).toEqual(expected);
  });

  test("a company name is not a signal at all: the classification never reads one", () => {
    const order = { company: "Firma GmbH", vatId: null } as BusinessSignals & { company: string };
    expect(classifyDebtor(order, null)).toEqual({ kind: "consumer", basis: "no_signal" });
  });

  test("VAT ids in their canonical form", () => {
    expect(normalizeVatId(" DE 123 456 789 ")).toBe("DE123456789");
    expect(normalizeVatId("ATU12345678")).toBe("ATU12345678");
    expect(normalizeVatId("FR-12-345678901")).toBe("FR12345678901");
    for (const junk of ["", "-", "DE", "12345678", "DE 1", "n.a.", null, undefined])
      expect(normalizeVatId(junk)).toBeNull();
  });
});
