import { describe, expect, test } from "vitest";

import { StatementError } from "#app/domain/payments/bank-statement";
import { fixtureBytes } from "#test/fixtures/sign";
import { camt053 } from "#test/support/statements";

import { parseStatement } from "./statement";

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);
const MT940 = fixtureBytes("bank/mt940-two-statements.sta");
const CAMT = fixtureBytes("bank/camt053-v02-single.xml");

const errorOf = (parse: () => unknown) => {
  try {
    parse();
  } catch (error) {
    expect(error).toBeInstanceOf(StatementError);
    return (error as Error).message;
  }
  throw new Error("expected a StatementError");
};

describe("parseStatement", () => {
  test("camt.053, camt.054 and MT940 fixtures by their first bytes", () => {
    expect(parseStatement(CAMT).format).toBe("camt.053");
    expect(parseStatement(fixtureBytes("bank/camt054-v08.xml")).format).toBe("camt.054");
    expect(parseStatement(MT940).format).toBe("mt940");
  });

  test("a byte order mark and blank lines before the content", () => {
    expect(parseStatement(Buffer.concat([BOM, CAMT]))).toEqual(parseStatement(CAMT));
    expect(parseStatement(Buffer.concat([BOM, Buffer.from("\r\n\r\n"), MT940]))).toEqual(parseStatement(MT940));
    expect(parseStatement(Buffer.concat([Buffer.from("\n  \n"), CAMT])).credits).toHaveLength(1);
  });

  test("MT940 in ISO-8859-1, as German banks send it, reads the same as in UTF-8", () => {
    const latin1 = Buffer.from(MT940.toString("utf8"), "latin1");
    expect(latin1.length).toBeLessThan(MT940.length);
    const parsed = parseStatement(latin1);
    expect(parsed).toEqual(parseStatement(MT940));
    expect(parsed.credits.map((c) => c.payerName)).toContain("Änne Weiß");
  });

  test("MT940 with a SWIFT header block", () => {
    const swift = Buffer.concat([Buffer.from("{1:F01COBADEFFAXXX0000000000}{2:O940}{4:\r\n"), MT940]);
    expect(parseStatement(swift).credits).toHaveLength(3);
  });

  test("camt declared as ISO-8859-1 is decoded as such; invalid UTF-8 is refused", () => {
    const xml = camt053({
      accountIban: "DE89370400440532013000",
      entries: [
        {
          bookingDate: "2024-03-15",
          credits: [{ amountMinor: 100, payerName: "Jörg Weiß", payerIban: null, remittance: "Grüße", bankRef: "R1" }],
        },
      ],
    });
    const latin1 = Buffer.from(xml.replace('encoding="UTF-8"', 'encoding="ISO-8859-1"'), "latin1");
    expect(parseStatement(latin1).credits[0]).toMatchObject({ payerName: "Jörg Weiß", remittance: "Grüße" });
    expect(errorOf(() => parseStatement(Buffer.from(xml, "latin1")))).toBe("camt: the file is not valid UTF-8");
  });

  test("anything else is refused", () => {
    for (const text of [
      "",
      "Buchungstag;Valuta;Betrag\n15.03.2024;15.03.2024;119,90\n",
      '{"credits":[]}',
      "%PDF-1.7\n",
      "\n\n:61:2403150315CR1,00NTRF\n",
    ]) {
      expect(errorOf(() => parseStatement(Buffer.from(text)))).toBe("neither camt.053/054 nor MT940");
    }
    expect(errorOf(() => parseStatement(Buffer.from("<html><body>Login</body></html>")))).toMatch(/^camt: /);
  });
});
