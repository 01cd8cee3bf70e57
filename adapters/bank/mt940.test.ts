import { describe, expect, test } from "vitest";

import { type BankCredit, StatementError } from "#app/domain/payments/bank-statement";
import { fixtureBytes } from "#test/fixtures/sign";
import { expectedCredits, type GeneratedStatement, mt940 } from "#test/support/statements";

import { parseMt940 } from "./mt940";

const FIXTURE = fixtureBytes("bank/mt940-two-statements.sta").toString("utf8");
const SHA256_ID = /^sha256:[0-9a-f]{64}$/;

/** One statement around some :61:/:86: lines. */
const statement = (...lines: string[]) =>
  [
    ":20:STARTUMSE",
    ":25:DE89370400440532013000",
    ":28C:1/1",
    ":60F:C240314EUR100,00",
    ...lines,
    ":62F:C240315EUR100,00",
    "-",
  ].join("\n");

const errorOf = (parse: () => unknown) => {
  try {
    parse();
  } catch (error) {
    expect(error).toBeInstanceOf(StatementError);
    return (error as Error).message;
  }
  throw new Error("expected a StatementError");
};

describe("parseMt940: a German bank's file", () => {
  const expected: BankCredit[] = [
    {
      entryId: "2312290000471",
      bookingDate: "2023-12-29",
      valueDate: "2023-12-29",
      amountMinor: 11_990,
      currency: "EUR",
      payerName: "Jürgen Müller-Lüdenscheidt und Söhne",
      payerIban: "DE02120300000000202051",
      // SVWZ+ across ?21–?24, with words cut at the subfields' 27 characters and the lines' 65.
      remittance: "Rechnung RE-2023-0815 vom 01.12.2023 Kundennummer 10057 - Vielen Dank fuer die schnelle Lieferung",
      creditorReference: null,
      endToEndId: "RE-2023-0815",
    },
    {
      entryId: expect.stringMatching(SHA256_ID) as unknown as string,
      // Value date 29 December, entered 2 January: the entry date's year rolls over.
      bookingDate: "2024-01-02",
      valueDate: "2023-12-29",
      amountMinor: 5_000,
      currency: "EUR",
      payerName: "Änne Weiß",
      payerIban: "DE12500105170648489890",
      remittance: "Abschlag Januar Wärmepumpe Größe M, Straße 7",
      creditorReference: null,
      endToEndId: null,
    },
    {
      entryId: "2401020000010",
      bookingDate: "2024-01-02",
      valueDate: "2024-01-02",
      amountMinor: 3_333,
      currency: "EUR",
      payerName: "Horst Schmidt",
      // ?31 holds a domestic account number here.
      payerIban: null,
      // No SEPA keys: short subfields are lines of their own.
      remittance: "RE 4711 KD 10057",
      creditorReference: null,
      endToEndId: null,
    },
  ];

  test("two statements: credits read, the fee counted, the reversal (RC) skipped", () => {
    expect(parseMt940(FIXTURE)).toEqual({ format: "mt940", accountIban: null, credits: expected, debits: 1 });
  });

  test("CRLF line ends and SWIFT header and trailer blocks read the same", () => {
    const crlf = FIXTURE.replace(/\n/g, "\r\n");
    expect(parseMt940(crlf)).toEqual(parseMt940(FIXTURE));
    const swift = `{1:F01COBADEFFAXXX0000000000}{2:O9400000000000COBADEFFXXXX00000000000000000000N}{4:\r\n${crlf.replace(/-\r\n/g, "-}{5:{CHK:0123456789AB}}\r\n")}`;
    expect(parseMt940(swift).credits).toEqual(parseMt940(FIXTURE).credits);
  });

  test("entry ids are stable across parses and distinct for identical transfers", () => {
    expect(parseMt940(FIXTURE).credits.map((c) => c.entryId)).toEqual(
      parseMt940(FIXTURE).credits.map((c) => c.entryId),
    );
    const same = [":61:2403150315CR20,00NTRFNONREF", ":86:166?00GUTSCHR. UEBERWEISUNG?20SVWZ+RE-1?32Max Muster"];
    const ids = parseMt940(statement(...same, ...same)).credits.map((c) => c.entryId);
    expect(ids).toHaveLength(2);
    expect(ids[0]).not.toBe(ids[1]);
    ids.forEach((id) => expect(id).toMatch(SHA256_ID));
  });

  test("year rollover backwards, funds codes and their absence, RD and D, an IBAN :25: with currency", () => {
    const parsed = parseMt940(
      statement(
        ":61:2401021230CR1,NTRFNONREF//A1",
        ":61:240315C0,5NTRFNONREF//A2",
        ":61:240315RCR3,00NTRFNONREF//A3",
        ":61:240315RD4,00NTRFNONREF//A4",
        ":61:240315DR5,00NTRFNONREF//A5",
      ).replace(":25:DE89370400440532013000", ":25:DE89370400440532013000EUR"),
    );
    expect(parsed.accountIban).toBe("DE89370400440532013000");
    expect(parsed.credits.map((c) => [c.entryId, c.bookingDate, c.valueDate, c.amountMinor])).toEqual([
      ["A1", "2023-12-30", "2024-01-02", 100],
      ["A2", "2024-03-15", "2024-03-15", 50],
    ]);
    expect(parsed.debits).toBe(1);
    const swiss = parseMt940(statement(":61:240315CF100,00NTRFNONREF//CH1").replace(/EUR/g, "CHF")).credits[0];
    expect(swiss).toMatchObject({ currency: "CHF", amountMinor: 10_000 });
  });

  test("unstructured :86: text, an ABWA+ payer and a :61: without :86:", () => {
    // Free text wraps at 65 characters, mid-word; a shorter line ends where a word ends.
    const wrapped = ":86:Rechnung RE-2024-0001 von Erika Mustermann, vielen Dank fuer Ihre Bestellung";
    const parsed = parseMt940(
      statement(
        ":61:240315CR1,00NTRFNONREF//U1",
        wrapped.slice(0, 65),
        wrapped.slice(65),
        "vom 14.03.",
        ":61:240315CR2,00NTRFNONREF//U2",
        ":86:166?00GUTSCHR. UEBERWEISUNG?20EREF+E-9?21ABWA+Tochter GmbH?22SVWZ+RE-9",
        ":61:240315CR3,00NTRFNONREF//U3",
      ),
    );
    expect(parsed.credits.map((c) => [c.remittance, c.payerName, c.endToEndId])).toEqual([
      ["Rechnung RE-2024-0001 von Erika Mustermann, vielen Dank fuer Ihre Bestellung vom 14.03.", null, null],
      ["RE-9", "Tochter GmbH", "E-9"],
      ["", null, null],
    ]);
  });
});

describe("parseMt940: generated statements round trip", () => {
  const generated: GeneratedStatement = {
    accountIban: "DE89370400440532013000",
    entries: [
      {
        bookingDate: "2024-03-14",
        valueDate: "2024-03-13",
        credits: [
          {
            amountMinor: 11_990,
            payerName: "Jürgen Müller-Lüdenscheidt und Söhne GmbH & Co. KG",
            payerIban: "DE02120300000000202051",
            remittance: "Rechnung RE-2024-0042 vom 01.03.2024, Kundennummer 10057, Bestellung 1042, vielen Dank",
            endToEndId: "RE-2024-0042-ENDTOEND-ID-LONG",
            bankRef: "2403140000000042",
          },
        ],
      },
      {
        bookingDate: "2024-03-14",
        debit: true,
        credits: [{ amountMinor: 2_500, payerName: "Vermieter", payerIban: null, remittance: "Miete" }],
      },
      {
        bookingDate: "2024-03-15",
        credits: [
          { amountMinor: 5_000, payerName: "Änne Groß", payerIban: null, remittance: "Teilzahlung", bankRef: "B-1" },
          { amountMinor: 1, payerName: null, payerIban: "AT611904300234573201", remittance: "", bankRef: null },
          {
            amountMinor: 99_999,
            payerName: "Ohne Referenz",
            payerIban: null,
            remittance: "RE-7 Straße",
            bankRef: null,
          },
        ],
      },
    ],
  };

  test("generate → parse → the same credits, one statement per day, lines of at most 65 characters", () => {
    const text = mt940(generated);
    expect(text.split("\r\n").every((line) => line.length <= 65)).toBe(true);
    expect(text.match(/^:20:/gm)).toHaveLength(2);
    const parsed = parseMt940(text);
    expect(parsed.accountIban).toBe("DE89370400440532013000");
    expect(parsed.debits).toBe(1);
    const expected = expectedCredits(generated, "mt940");
    expect(parsed.credits.map(({ entryId: _, ...rest }) => rest)).toEqual(
      expected.map(({ entryId: _, ...rest }) => rest),
    );
    parsed.credits.forEach((credit, i) => {
      const id = expected[i]!.entryId;
      if (id === null) expect(credit.entryId).toMatch(SHA256_ID);
      else expect(credit.entryId).toBe(id);
    });
  });

  test("10,000 credits", () => {
    const many: GeneratedStatement = {
      accountIban: "DE89370400440532013000",
      entries: Array.from({ length: 10_000 }, (_, i) => ({
        bookingDate: `2024-03-${String(1 + Math.floor(i / 400)).padStart(2, "0")}`,
        credits: [
          {
            amountMinor: 100 + i,
            payerName: `Kunde ${i}`,
            payerIban: "DE02120300000000202051",
            remittance: `RE-${i}`,
            bankRef: `R${i}`,
          },
        ],
      })),
    };
    const parsed = parseMt940(mt940(many));
    expect(parsed.credits).toHaveLength(10_000);
    expect(parsed.credits.map(({ entryId: _, ...rest }) => rest)).toEqual(
      expectedCredits(many, "mt940").map(({ entryId: _, ...rest }) => rest),
    );
  });
});

describe("parseMt940: what it refuses, by line", () => {
  test("a truncated file: a statement without closing balance", () => {
    const cut = FIXTURE.split("\n").slice(0, 26).join("\n");
    expect(errorOf(() => parseMt940(cut))).toBe(
      "MT940 line 26: the statement from line 15 ends without :62F:/:62M: closing balance (truncated?)",
    );
    const next = FIXTURE.replace(":62F:C231229EUR12440,57\n", "");
    expect(errorOf(() => parseMt940(next))).toBe(
      "MT940 line 13: the statement from line 1 ends without :62F:/:62M: closing balance (truncated?)",
    );
  });

  test("a :61: without amount, or with one that is not a number", () => {
    expect(errorOf(() => parseMt940(statement(":61:2403150315CNTRFNONREF//X")))).toBe(
      "MT940 line 5: :61: amount missing",
    );
    expect(errorOf(() => parseMt940(statement(":86:x", ":61:2403150315C1O0,00NTRFNONREF//X")))).toBe(
      'MT940 line 6: :61: amount not a number: "1O0,00"',
    );
    expect(errorOf(() => parseMt940(statement(":61:2403150315C100.00NTRFNONREF")))).toBe(
      'MT940 line 5: :61: amount not a number: "100.00"',
    );
    expect(errorOf(() => parseMt940(statement(":61:2403150315C100,001NTRF")))).toBe(
      'MT940 line 5: :61: "100.001" has more than 2 decimal places for EUR',
    );
  });

  test("other malformed lines", () => {
    expect(errorOf(() => parseMt940(statement(":61:240399C1,00NTRF")))).toBe(
      'MT940 line 5: :61: value date "240399" is not a date',
    );
    expect(errorOf(() => parseMt940(statement(":61:2403151399C1,00NTRF")))).toBe(
      'MT940 line 5: :61: entry date "1399" is not a date',
    );
    expect(errorOf(() => parseMt940(statement(":61:240315X1,00NTRF")))).toBe(
      "MT940 line 5: :61: debit/credit mark (C, D, RC, RD) missing",
    );
    expect(errorOf(() => parseMt940(statement(":61:240315C1,00")))).toBe(
      "MT940 line 5: :61: transaction type (such as NTRF) missing after the amount",
    );
    expect(errorOf(() => parseMt940(statement().replace(":60F:C240314EUR100,00", ":60F:C240314EUR")))).toBe(
      'MT940 line 4: :60F: "C240314EUR" is not a balance like C240315EUR1234,56',
    );
    expect(errorOf(() => parseMt940(`Kontoauszug März\n${statement()}`))).toBe(
      'MT940 line 1: expected a field such as :20:, found "Kontoauszug März"',
    );
    expect(errorOf(() => parseMt940(":25:DE89370400440532013000\n"))).toBe(
      "MT940 line 1: :25: before the statement's :20:",
    );
    expect(errorOf(() => parseMt940(""))).toBe("MT940: no statement (:20:) found");
    const noBalance = statement(":61:240315C1,00NTRF").replace(":60F:C240314EUR100,00\n", "");
    expect(errorOf(() => parseMt940(noBalance))).toBe("MT940 line 4: :61: before :60F:/:60M: (currency unknown)");
    const otherAccount = `${statement()}\n${statement().replace("DE89370400440532013000", "37040044/0532013000")}`;
    expect(errorOf(() => parseMt940(otherAccount))).toBe(
      "MT940 line 8: :25: account 37040044/0532013000 differs from DE89370400440532013000; one account per file",
    );
  });
});
