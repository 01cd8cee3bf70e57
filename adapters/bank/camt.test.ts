import { describe, expect, test } from "vitest";

import { type BankCredit, StatementError } from "#app/domain/payments/bank-statement";
import { fixtureBytes } from "#test/fixtures/sign";
import { camt053, expectedCredits, type GeneratedStatement } from "#test/support/statements";

import { parseCamt } from "./camt";

const fixture = (name: string) => fixtureBytes(`bank/${name}`).toString("utf8");
const SHA256_ID = /^sha256:[0-9a-f]{64}$/;

/** A minimal camt.053.001.02 around some entries. */
const statement = (entries: string, namespace = "urn:iso:std:iso:20022:tech:xsd:camt.053.001.02") =>
  `<?xml version="1.0" encoding="UTF-8"?><Document xmlns="${namespace}"><BkToCstmrStmt><Stmt>` +
  `<Acct><Id><IBAN>DE89370400440532013000</IBAN></Id></Acct>${entries}</Stmt></BkToCstmrStmt></Document>`;
const entry = (inner: string) =>
  `<Ntry>${inner}<CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts><BookgDt><Dt>2024-03-15</Dt></BookgDt></Ntry>`;
const tx = (amount: string) => `<TxDtls><AmtDtls><TxAmt><Amt Ccy="EUR">${amount}</Amt></TxAmt></AmtDtls></TxDtls>`;

const errorOf = (parse: () => unknown) => {
  try {
    parse();
  } catch (error) {
    expect(error).toBeInstanceOf(StatementError);
    return (error as Error).message;
  }
  throw new Error("expected a StatementError");
};

describe("parseCamt: bank fixtures", () => {
  test("camt.053.001.02: one SEPA credit, escaped text, IBAN with spaces; the fee is only counted", () => {
    expect(parseCamt(fixture("camt053-v02-single.xml"))).toEqual({
      format: "camt.053",
      accountIban: "DE89370400440532013000",
      credits: [
        {
          entryId: "2024031500004711",
          bookingDate: "2024-03-15",
          valueDate: "2024-03-15",
          amountMinor: 11_990,
          currency: "EUR",
          payerName: "Müller & Söhne GmbH",
          payerIban: "DE02120300000000202051",
          remittance: "Rechnung RE-2024-0042 Kd.-Nr. 10057 <Bestellung #1042>",
          creditorReference: null,
          endToEndId: "RE-2024-0042",
        },
      ],
      debits: 1,
    });
  });

  test("camt.053.001.08: a batch booking of three becomes three credits; pending and reversed entries are skipped", () => {
    const parsed = parseCamt(fixture("camt053-v08-batch.xml"));
    expect(parsed.debits).toBe(0);
    const common = { bookingDate: "2024-04-17", valueDate: "2024-04-17", currency: "EUR" };
    expect(parsed.credits).toEqual<BankCredit[]>([
      {
        ...common,
        entryId: "BTCH20240417A7/1",
        amountMinor: 10_000,
        payerName: "Jürgen Weiß",
        payerIban: "DE12500105170648489890",
        remittance: "RE-2024-0101 Danke!",
        creditorReference: null,
        endToEndId: "RE-2024-0101",
      },
      {
        ...common,
        entryId: "BTCH20240417A7/2",
        amountMinor: 11_990,
        payerName: "Lebensmittel Özdemir GmbH",
        payerIban: "AT611904300234573201",
        remittance: "",
        creditorReference: "RF18539007547034",
        endToEndId: null,
      },
      {
        ...common,
        // The detail's own AcctSvcrRef wins over the entry's.
        entryId: "TX20240417000913/3",
        amountMinor: 13_010,
        payerName: "Anna Schäfer",
        payerIban: null,
        remittance: "Bestellung 1077 / RE-2024-0107",
        creditorReference: null,
        endToEndId: "E2E 000913",
      },
    ]);
  });

  test("camt.054.001.08 with a namespace prefix; no bank reference: a content hash, stable across parses", () => {
    const first = parseCamt(fixture("camt054-v08.xml"));
    expect(first.format).toBe("camt.054");
    expect(first.accountIban).toBe("DE89370400440532013000");
    expect(first.debits).toBe(1);
    expect(first.credits).toHaveLength(1);
    const [credit] = first.credits;
    expect(credit).toMatchObject({
      bookingDate: "2024-05-02",
      valueDate: "2024-05-02",
      amountMinor: 123_450,
      payerName: "Bäckerei Groß & Co. KG",
      payerIban: "DE75512108001245126199",
      remittance: "INV-2024-0555 und INV-2024-0556",
      endToEndId: "INV-2024-0555",
    });
    expect(credit!.entryId).toMatch(SHA256_ID);
    expect(parseCamt(fixture("camt054-v08.xml")).credits[0]!.entryId).toBe(credit!.entryId);
  });
});

describe("parseCamt: generated statements round trip", () => {
  const input = (version: "02" | "06" | "08"): GeneratedStatement => ({
    accountIban: "DE89370400440532013000",
    version,
    entries: [
      {
        bookingDate: "2024-03-14",
        valueDate: "2024-03-15",
        credits: [
          {
            amountMinor: 11_990,
            payerName: `Schmidt & "Partner" <GbR> 'Süd'`,
            payerIban: "DE02120300000000202051",
            remittance: "RE-2024-0042",
            endToEndId: "RE-2024-0042",
            bankRef: "0000000000000042",
          },
        ],
      },
      {
        bookingDate: "2024-03-15",
        credits: [
          { amountMinor: 5_000, payerName: "Anna Groß", payerIban: null, remittance: "Teilzahlung", bankRef: "B-1" },
          {
            amountMinor: 1,
            payerName: null,
            payerIban: "AT611904300234573201",
            remittance: "",
            creditorReference: "RF18539007547034",
            bankRef: "B-2",
          },
          { amountMinor: 99_999, payerName: "Ohne Referenz", payerIban: null, remittance: "RE-7", bankRef: null },
        ],
      },
      {
        bookingDate: "2024-03-15",
        debit: true,
        credits: [{ amountMinor: 2_500, payerName: "Vermieter", payerIban: null, remittance: "Miete" }],
      },
      {
        bookingDate: "2024-03-16",
        credits: [
          {
            amountMinor: 123_456_789,
            payerName: "Zeilenumbruch-Test",
            payerIban: "NL91ABNA0417164300",
            // Longer than one Ustrd line (140 characters).
            remittance: `Rechnungen ${Array.from({ length: 30 }, (_, i) => `RE-2024-${String(i).padStart(4, "0")}`).join(" ")}`,
            endToEndId: null,
          },
        ],
      },
    ],
  });

  test.each(["02", "06", "08"] as const)("camt.053.001.%s: generate → parse → the same credits", (version) => {
    const generated = input(version);
    const parsed = parseCamt(camt053(generated));
    expect(parsed.format).toBe("camt.053");
    expect(parsed.accountIban).toBe("DE89370400440532013000");
    expect(parsed.debits).toBe(1);
    const expected = expectedCredits(generated, "camt.053");
    expect(parsed.credits.map(({ entryId: _, ...rest }) => rest)).toEqual(
      expected.map(({ entryId: _, ...rest }) => rest),
    );
    parsed.credits.forEach((credit, i) => {
      const id = expected[i]!.entryId;
      if (id === null) expect(credit.entryId).toMatch(SHA256_ID);
      else expect(credit.entryId).toBe(id);
    });
  });

  test("dedupe ids: the same across two parses, distinct across details and identical transfers", () => {
    const twins = {
      amountMinor: 2_000,
      payerName: "Max Muster",
      payerIban: "DE02120300000000202051",
      remittance: "RE-1",
    };
    const generated: GeneratedStatement = {
      accountIban: "DE89370400440532013000",
      entries: [
        { bookingDate: "2024-03-15", credits: [twins, twins, { ...twins, remittance: "RE-2" }] },
        { bookingDate: "2024-03-15", credits: [twins] },
        { bookingDate: "2024-03-15", credits: [twins] },
      ],
    };
    const xml = camt053(generated);
    const ids = parseCamt(xml).credits.map((c) => c.entryId);
    expect(ids).toHaveLength(5);
    expect(new Set(ids).size).toBe(5);
    ids.forEach((id) => expect(id).toMatch(SHA256_ID));
    expect(parseCamt(xml).credits.map((c) => c.entryId)).toEqual(ids);
  });

  test("a currency without minor units and one with three", () => {
    for (const [currency, amountMinor, text] of [
      ["JPY", 12_345, "12345"],
      ["KWD", 1_005, "1.005"],
    ] as const) {
      const xml = statement(entry(`<Amt Ccy="${currency}">${text}</Amt>`));
      expect(parseCamt(xml).credits[0]).toMatchObject({ amountMinor, currency });
    }
  });
});

describe("parseCamt: what it refuses", () => {
  test("an entry without Amt names the entry", () => {
    expect(errorOf(() => parseCamt(statement(entry(""))))).toBe("camt.053: Ntry 1: Amt missing");
    const second = statement(entry(`<Amt Ccy="EUR">1.00</Amt>`) + entry(""));
    expect(errorOf(() => parseCamt(second))).toBe("camt.053: Ntry 2: Amt missing");
  });

  test("a bad amount: comma decimal, negative, too many decimals, no currency", () => {
    expect(errorOf(() => parseCamt(statement(entry(`<Amt Ccy="EUR">12,50</Amt>`))))).toBe(
      'camt.053: Ntry 1: Amt: "12,50" is not a decimal amount',
    );
    expect(errorOf(() => parseCamt(statement(entry(`<Amt Ccy="EUR">-1.00</Amt>`))))).toContain("Ntry 1: Amt");
    expect(errorOf(() => parseCamt(statement(entry(`<Amt Ccy="EUR">1.005</Amt>`))))).toContain(
      'Ntry 1: Amt: "1.005" has more than 2 decimal places',
    );
    expect(errorOf(() => parseCamt(statement(entry(`<Amt>1.00</Amt>`))))).toBe(
      "camt.053: Ntry 1: Amt: Ccy missing or not ISO 4217",
    );
  });

  test("another namespace or message: camt.053.001.09, camt.052, pain.001, none", () => {
    for (const namespace of [
      "urn:iso:std:iso:20022:tech:xsd:camt.053.001.09",
      "urn:iso:std:iso:20022:tech:xsd:camt.052.001.02",
      "urn:iso:std:iso:20022:tech:xsd:pain.001.001.03",
    ]) {
      expect(errorOf(() => parseCamt(statement("", namespace)))).toBe(
        `camt: Document namespace "${namespace}" is not camt.053 or camt.054 (versions .001.02 to .001.08)`,
      );
    }
    expect(errorOf(() => parseCamt("<Document><BkToCstmrStmt/></Document>"))).toContain("namespace missing");
    expect(errorOf(() => parseCamt("<Invoice/>"))).toBe("camt: the root element must be one Document, found Invoice");
  });

  test("a batch whose details do not add up to the entry", () => {
    const xml = statement(entry(`<Amt Ccy="EUR">100.00</Amt><NtryDtls>${tx("60.00")}${tx("30.00")}</NtryDtls>`));
    expect(errorOf(() => parseCamt(xml))).toBe(
      "camt.053: Ntry 1: TxDtls amounts add up to 90.00 EUR, the entry's Amt is 100.00 EUR",
    );
    const unknown = statement(entry(`<Amt Ccy="EUR">100.00</Amt><NtryDtls>${tx("60.00")}<TxDtls/></NtryDtls>`));
    expect(errorOf(() => parseCamt(unknown))).toBe(
      "camt.053: Ntry 1: TxDtls 2: Amt missing (needed to split a batch booking)",
    );
  });

  test("malformed XML names line and column", () => {
    const xml = statement(entry(`<Amt Ccy="EUR">1.00</Amt>`)).replace("</Stmt>", "\n</Stmnt>");
    expect(errorOf(() => parseCamt(xml))).toMatch(/^camt: malformed XML at line 2, column \d+: .*Stmt/);
    expect(errorOf(() => parseCamt(xml.slice(0, 200)))).toMatch(/^camt: malformed XML at line 1, column \d+/);
    expect(errorOf(() => parseCamt("R&D statement"))).toMatch(/^camt: malformed XML/);
  });

  test("entity declarations are refused, never expanded, and no file is read", () => {
    const external =
      `<?xml version="1.0"?><!DOCTYPE Document [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>` +
      statement(
        entry(`<Amt Ccy="EUR">1.00</Amt><NtryDtls><TxDtls><RmtInf><Ustrd>&xxe;</Ustrd></RmtInf></TxDtls></NtryDtls>`),
      ).replace(/^<\?xml[^>]*>/, "");
    const laughs =
      `<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>` +
      `<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><x>&lol2;</x></Document>`;
    for (const xml of [external, laughs]) {
      expect(errorOf(() => parseCamt(xml))).toBe(
        "camt: DOCTYPE/ENTITY declarations are not allowed in an ISO 20022 message",
      );
    }
    // An undeclared entity reference stays as written.
    const reference = statement(
      entry(
        `<Amt Ccy="EUR">1.00</Amt><NtryDtls><TxDtls><RmtInf><Ustrd>a &xxe; b &#228;</Ustrd></RmtInf></TxDtls></NtryDtls>`,
      ),
    );
    expect(parseCamt(reference).credits[0]!.remittance).toBe("a &xxe; b ä");
  });

  test("statements of two accounts in one file, and the statement is named when there are several", () => {
    const two = (second: string, entries: string) =>
      statement(entries).replace(
        "</Stmt>",
        `</Stmt><Stmt><Acct><Id><IBAN>${second}</IBAN></Id></Acct>${entry("")}</Stmt>`,
      );
    expect(errorOf(() => parseCamt(two("DE02120300000000202051", "")))).toBe(
      "camt.053: Stmt 2: account DE02120300000000202051 differs from DE89370400440532013000; one account per file",
    );
    expect(errorOf(() => parseCamt(two("DE89370400440532013000", "")))).toBe("camt.053: Stmt 2: Ntry 1: Amt missing");
  });
});

describe("parseCamt: size", () => {
  test("a generated camt.053 with 10,000 credits parses well under 3 s", () => {
    const generated: GeneratedStatement = {
      accountIban: "DE89370400440532013000",
      entries: Array.from({ length: 2_500 }, (_, e) => ({
        bookingDate: `2024-03-${String(1 + (e % 28)).padStart(2, "0")}`,
        credits: Array.from({ length: 4 }, (_, c) => ({
          amountMinor: 1_000 + e * 4 + c,
          payerName: `Kundin ${e}-${c} Müller`,
          payerIban: "DE02120300000000202051",
          remittance: `Rechnung RE-2024-${String(e * 4 + c).padStart(6, "0")} Kundennummer ${e}`,
          endToEndId: `RE-2024-${String(e * 4 + c).padStart(6, "0")}`,
          bankRef: c === 3 ? null : `B${e}-${c}`,
        })),
      })),
    };
    const xml = camt053(generated);
    const started = performance.now();
    const parsed = parseCamt(xml);
    const ms = performance.now() - started;
    process.stdout.write(`camt.053 with 10,000 credits (${(xml.length / 1e6).toFixed(1)} MB): ${ms.toFixed(0)} ms\n`);
    expect(parsed.credits).toHaveLength(10_000);
    expect(new Set(parsed.credits.map((c) => c.entryId)).size).toBe(10_000);
    expect(ms).toBeLessThan(10_000);
  });
});
