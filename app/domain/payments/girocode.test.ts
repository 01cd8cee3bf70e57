import { describe, expect, test } from "vitest";

import { money } from "../money";
import { GIROCODE_MAX_BYTES, giroCodePayload } from "./girocode";

const account = { holder: "Wollwerk GmbH", iban: "DE89370400440532013000", bic: "COBADEFFXXX" };

describe("GiroCode payload (EPC069-12, version 002)", () => {
  test("eleven lines: service tag, version, UTF-8, SCT, BIC, holder, IBAN, amount, two empty, the reference", () => {
    expect(giroCodePayload({ ...account, amount: money(20_263, "EUR"), reference: "#4711" })?.split("\n")).toEqual([
      "BCD",
      "002",
      "1",
      "SCT",
      "COBADEFFXXX",
      "Wollwerk GmbH",
      "DE89370400440532013000",
      "EUR202.63",
      "",
      "",
      "#4711",
    ]);
  });

  test("an RF creditor reference goes structured into line ten, spaces removed, and nothing follows it", () => {
    expect(
      giroCodePayload({ ...account, amount: money(20_263, "EUR"), reference: "RF71 4711" })
        ?.split("\n")
        .slice(8),
    ).toEqual(["", "RF714711"]);
    // Check digits that do not fit are no RF reference: unstructured text.
    expect(
      giroCodePayload({ ...account, amount: money(20_263, "EUR"), reference: "RF72 4711" })
        ?.split("\n")
        .slice(8),
    ).toEqual(["", "", "RF72 4711"]);
  });

  test("the amount always with two decimals, a missing BIC as an empty line", () => {
    const lines = giroCodePayload({ ...account, bic: null, amount: money(5, "EUR"), reference: "#1" })!.split("\n");
    expect([lines[4], lines[7]]).toEqual(["", "EUR0.05"]);
    expect(giroCodePayload({ ...account, amount: money(99_999_999_999, "EUR"), reference: "#1" })).toContain(
      "EUR999999999.99",
    );
  });

  test("a reference cannot break the lines, and is cut at 140 characters", () => {
    const lines = giroCodePayload({
      ...account,
      amount: money(100, "EUR"),
      reference: `#1\r\nBCD ${"x".repeat(300)}`,
    })!.split("\n");
    expect(lines).toHaveLength(11);
    expect(lines[10]).toMatch(/^#1 BCD x+$/);
    expect([...lines[10]!]).toHaveLength(140);
  });

  test("none for another currency, a zero or too large amount, or a text beyond 331 bytes", () => {
    expect(giroCodePayload({ ...account, amount: money(100, "CHF"), reference: "#1" })).toBeNull();
    expect(giroCodePayload({ ...account, amount: money(0, "EUR"), reference: "#1" })).toBeNull();
    expect(giroCodePayload({ ...account, amount: money(100_000_000_000, "EUR"), reference: "#1" })).toBeNull();
    // 70 characters of four bytes each and 140 of three: far beyond what the code may hold.
    const wide = giroCodePayload({
      ...account,
      holder: "😀".repeat(70),
      amount: money(100, "EUR"),
      reference: "€".repeat(140),
    });
    expect(wide).toBeNull();
    const fits = giroCodePayload({
      ...account,
      holder: "Ä".repeat(70),
      amount: money(100, "EUR"),
      reference: "x".repeat(140),
    });
    expect(new TextEncoder().encode(fits!).length).toBeLessThanOrEqual(GIROCODE_MAX_BYTES);
  });
});
