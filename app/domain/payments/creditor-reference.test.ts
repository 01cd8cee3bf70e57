import { describe, expect, test } from "vitest";

import {
  compactReference,
  creditorReference,
  formatCreditorReference,
  isCreditorReference,
  referenceBody,
} from "./creditor-reference";

describe("ISO 11649 creditor references", () => {
  test("the standard's example: RF18 5390 0754 7034 is valid; its body gives the same check digits", () => {
    expect(isCreditorReference("RF18 5390 0754 7034")).toBe(true);
    expect(isCreditorReference("rf18-5390-0754-7034")).toBe(true);
    expect(creditorReference("539007547034")).toBe("RF18539007547034");
  });

  test("built from the order number, letters and digits only, valid, printed in groups of four", () => {
    const ref = creditorReference("#1009")!;
    expect(ref).toMatch(/^RF\d{2}1009$/);
    expect(isCreditorReference(ref)).toBe(true);
    expect(creditorReference("WW-2026/0042")).toMatch(/^RF\d{2}WW20260042$/);
    expect(formatCreditorReference("RF18539007547034")).toBe("RF18 5390 0754 7034");
    expect(referenceBody("#")).toBeNull();
    expect(creditorReference("#")).toBeNull();
    expect(referenceBody("A".repeat(30))).toHaveLength(21);
  });

  test("every single wrong character and every swap of neighbours fails the check", () => {
    const ref = creditorReference("#104711")!;
    const alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    for (let i = 4; i < ref.length; i++) {
      for (const c of alphabet) {
        if (c === ref[i]) continue;
        expect(isCreditorReference(ref.slice(0, i) + c + ref.slice(i + 1)), `${i}:${c}`).toBe(false);
      }
      if (i + 1 < ref.length && ref[i] !== ref[i + 1]) {
        const swapped = ref.slice(0, i) + ref[i + 1] + ref[i] + ref.slice(i + 2);
        expect(isCreditorReference(swapped)).toBe(false);
      }
    }
    expect(compactReference(" rf 12-ab ")).toBe("RF12AB");
  });
});
