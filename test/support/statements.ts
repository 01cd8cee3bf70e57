// Bank statement files as German banks deliver them, generated for tests and the benchmark: camt.053 (.001.02, .06,
// .08) and MT940. Plain string building, so 10,000 credits take milliseconds.
import { toDecimalString } from "#app/domain/money";
import type { BankCredit } from "#app/domain/payments/bank-statement";

export type GeneratedCredit = {
  amountMinor: number;
  payerName: string | null;
  payerIban: string | null;
  remittance: string;
  creditorReference?: string | null;
  endToEndId?: string | null;
  /** The bank's reference (camt AcctSvcrRef, MT940 //reference, at most 16 characters there); null: none. */
  bankRef?: string | null;
};

/** One booking; several credits make a batch booking in camt and one :61: each in MT940. */
export type GeneratedEntry = {
  bookingDate: string;
  valueDate?: string;
  credits: GeneratedCredit[];
  /** An outgoing booking: its "credits" are the transfers it pays (payerName is then the creditor). */
  debit?: boolean;
};

export type GeneratedStatement = {
  accountIban: string;
  currency?: string;
  entries: GeneratedEntry[];
  /** camt.053.001.<version>; 08 by default. */
  version?: "02" | "06" | "08";
};

const OPENING_MINOR = 100_000;

/** A camt.053 statement of the whole input. */
export function camt053(input: GeneratedStatement): string {
  const currency = input.currency ?? "EUR";
  const version = input.version ?? "08";
  const amount = (minor: number) => `<Amt Ccy="${currency}">${decimal(minor, currency)}</Amt>`;
  const first = input.entries[0]?.bookingDate ?? "2024-01-01";
  const last = input.entries.at(-1)?.bookingDate ?? first;
  const closing = OPENING_MINOR + input.entries.reduce((sum, entry) => sum + signedTotal(entry), 0);
  const balance = (code: string, minor: number, date: string) =>
    `<Bal><Tp><CdOrPrtry><Cd>${code}</Cd></CdOrPrtry></Tp>${amount(Math.abs(minor))}` +
    `<CdtDbtInd>${minor < 0 ? "DBIT" : "CRDT"}</CdtDbtInd><Dt><Dt>${date}</Dt></Dt></Bal>`;
  const out: string[] = [
    `<?xml version="1.0" encoding="UTF-8"?>\n`,
    `<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.${version}" `,
    `xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n<BkToCstmrStmt>\n`,
    `<GrpHdr><MsgId>STMT-${last}-1</MsgId><CreDtTm>${last}T06:00:00+01:00</CreDtTm></GrpHdr>\n`,
    `<Stmt><Id>STMT-${last}-1</Id><ElctrncSeqNb>1</ElctrncSeqNb><CreDtTm>${last}T06:00:00+01:00</CreDtTm>`,
    `<FrToDt><FrDtTm>${first}T00:00:00+01:00</FrDtTm><ToDtTm>${last}T23:59:59+01:00</ToDtTm></FrToDt>\n`,
    `<Acct><Id><IBAN>${escapeXml(input.accountIban)}</IBAN></Id><Ccy>${currency}</Ccy>`,
    `<Svcr><FinInstnId><${version === "02" ? "BIC" : "BICFI"}>COBADEFFXXX</${version === "02" ? "BIC" : "BICFI"}>`,
    `</FinInstnId></Svcr></Acct>\n`,
    balance("OPBD", OPENING_MINOR, first),
    "\n",
    balance("CLBD", closing, last),
    "\n",
  ];
  for (const entry of input.entries) {
    const indicator = entry.debit ? "DBIT" : "CRDT";
    const total = entry.credits.reduce((sum, credit) => sum + credit.amountMinor, 0);
    const batch = entry.credits.length > 1;
    const single = entry.credits.length === 1 ? entry.credits[0] : undefined;
    out.push(
      `<Ntry>${amount(total)}<CdtDbtInd>${indicator}</CdtDbtInd><RvslInd>false</RvslInd>`,
      version === "08" ? "<Sts><Cd>BOOK</Cd></Sts>" : "<Sts>BOOK</Sts>",
      `<BookgDt><Dt>${entry.bookingDate}</Dt></BookgDt><ValDt><Dt>${entry.valueDate ?? entry.bookingDate}</Dt></ValDt>`,
      single?.bankRef ? `<AcctSvcrRef>${escapeXml(single.bankRef)}</AcctSvcrRef>` : "",
      `<BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>${entry.debit ? "ICDT" : "RCDT"}</Cd><SubFmlyCd>ESCT</SubFmlyCd></Fmly>`,
      `</Domn><Prtry><Cd>NTRF+${entry.debit ? "177" : "166"}+9310</Cd><Issr>DK</Issr></Prtry></BkTxCd>\n<NtryDtls>`,
      batch ? `<Btch><NbOfTxs>${entry.credits.length}</NbOfTxs></Btch>` : "",
    );
    for (const credit of entry.credits) {
      const party = entry.debit ? "Cdtr" : "Dbtr";
      const name = credit.payerName === null ? "" : `<Nm>${escapeXml(credit.payerName)}</Nm>`;
      out.push(
        "\n<TxDtls><Refs>",
        batch && credit.bankRef ? `<AcctSvcrRef>${escapeXml(credit.bankRef)}</AcctSvcrRef>` : "",
        `<EndToEndId>${escapeXml(credit.endToEndId ?? "NOTPROVIDED")}</EndToEndId></Refs>`,
        version === "02" ? "" : `${amount(credit.amountMinor)}<CdtDbtInd>${indicator}</CdtDbtInd>`,
        `<AmtDtls><TxAmt>${amount(credit.amountMinor)}</TxAmt></AmtDtls><RltdPties>`,
        name ? (version === "08" ? `<${party}><Pty>${name}</Pty></${party}>` : `<${party}>${name}</${party}>`) : "",
        credit.payerIban ? `<${party}Acct><Id><IBAN>${escapeXml(credit.payerIban)}</IBAN></Id></${party}Acct>` : "",
        "</RltdPties>",
        remittanceInformation(credit),
        "</TxDtls>",
      );
    }
    out.push("</NtryDtls></Ntry>\n");
  }
  out.push("</Stmt>\n</BkToCstmrStmt>\n</Document>\n");
  return out.join("");
}

function remittanceInformation(credit: GeneratedCredit): string {
  const lines = ustrdLines(credit.remittance).map((line) => `<Ustrd>${escapeXml(line)}</Ustrd>`);
  const reference = credit.creditorReference
    ? `<Strd><CdtrRefInf><Tp><CdOrPrtry><Cd>SCOR</Cd></CdOrPrtry><Issr>ISO</Issr></Tp>` +
      `<Ref>${escapeXml(credit.creditorReference)}</Ref></CdtrRefInf></Strd>`
    : "";
  return lines.length > 0 || reference ? `<RmtInf>${lines.join("")}${reference}</RmtInf>` : "";
}

/** Ustrd holds 140 characters: longer text goes on at a space, which the parser puts back when it joins the lines. */
function ustrdLines(text: string): string[] {
  const lines: string[] = [];
  let rest = text.trim();
  while (rest.length > 140) {
    const cut = rest.lastIndexOf(" ", 140);
    const at = cut > 0 ? cut : 140;
    lines.push(rest.slice(0, at));
    rest = rest.slice(at).trimStart();
  }
  if (rest) lines.push(rest);
  return lines;
}

/** An MT940 file with one statement per booking day, as a German bank sends its daily statements. */
export function mt940(input: GeneratedStatement): string {
  const currency = input.currency ?? "EUR";
  const out: string[] = [];
  let balance = OPENING_MINOR;
  let number = 0;
  let previous = input.entries[0]?.bookingDate ?? "2024-01-01";
  const days = groupByDay(input.entries);
  for (const [day, entries] of days) {
    number += 1;
    out.push(
      ":20:STARTUMSE",
      `:25:${input.accountIban}`,
      `:28C:${String(number).padStart(5, "0")}/001`,
      `:60F:${balanceField(balance, previous, currency)}`,
    );
    for (const entry of entries) {
      for (const credit of entry.credits) {
        const mark = entry.debit ? "D" : "C";
        const ref = credit.bankRef ? `//${credit.bankRef}` : "";
        out.push(
          `:61:${yymmdd(entry.valueDate ?? entry.bookingDate)}${entry.bookingDate.slice(5, 7)}` +
            `${entry.bookingDate.slice(8, 10)}${mark}${currency[2]}${mtAmount(credit.amountMinor, currency)}NTRFNONREF${ref}`,
          ...info86(credit, entry.debit === true),
        );
        balance += entry.debit ? -credit.amountMinor : credit.amountMinor;
      }
    }
    out.push(`:62F:${balanceField(balance, day, currency)}`, "-");
    previous = day;
  }
  return `${out.join("\r\n")}\r\n`;
}

/** The :86: lines: GVC, ?00 posting text, EREF+ and SVWZ+ in 27-character subfields, ?31 IBAN, ?32/?33 name. */
function info86(credit: GeneratedCredit, debit: boolean): string[] {
  const subfields = [debit ? "?00ONLINE-UEBERWEISUNG" : "?00GUTSCHR. UEBERWEISUNG", "?109310"];
  const chunks = [
    ...chunk(`EREF+${mtText(credit.endToEndId ?? "NOTPROVIDED")}`, 27),
    ...(credit.remittance.trim() ? chunk(`SVWZ+${mtText(credit.remittance.trim())}`, 27) : []),
  ];
  const codes = [20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 60, 61, 62, 63];
  if (chunks.length > codes.length) throw new Error(`remittance too long for MT940 ?20–?29/?60–?63: ${chunks.length}`);
  chunks.forEach((text, i) => subfields.push(`?${codes[i]}${text}`));
  if (credit.payerIban) subfields.push(`?31${credit.payerIban}`);
  const name = chunk(mtText(credit.payerName ?? ""), 27).slice(0, 2);
  name.forEach((text, i) => subfields.push(`?${32 + i}${text}`));
  subfields.push("?34000");
  // Lines of at most 65 characters, broken between subfields as most banks do.
  const lines = [`:86:${debit ? "177" : "166"}`];
  for (const field of subfields) {
    if (lines.at(-1)!.length + field.length > 65) lines.push(field);
    else lines[lines.length - 1] += field;
  }
  return lines;
}

/** What an MT940 text field can carry: no "?" (it starts a subfield), no line breaks. */
export const mtText = (text: string) => text.replace(/\?/g, ".").replace(/[\r\n]+/g, " ");

function chunk(text: string, size: number): string[] {
  const chunks: string[] = [];
  for (let i = 0; i < text.length; i += size) chunks.push(text.slice(i, i + size));
  return chunks;
}

function groupByDay(entries: GeneratedEntry[]): [string, GeneratedEntry[]][] {
  const days: [string, GeneratedEntry[]][] = [];
  for (const entry of entries) {
    const last = days.at(-1);
    if (last && last[0] === entry.bookingDate) last[1].push(entry);
    else days.push([entry.bookingDate, [entry]]);
  }
  return days;
}

const signedTotal = (entry: GeneratedEntry) =>
  entry.credits.reduce((sum, credit) => sum + credit.amountMinor, 0) * (entry.debit ? -1 : 1);

const decimal = (minor: number, currency: string) => toDecimalString({ amountMinor: minor, currency });

const mtAmount = (minor: number, currency: string) => {
  const text = decimal(minor, currency).replace(".", ",");
  return text.includes(",") ? text : `${text},`;
};

const balanceField = (minor: number, date: string, currency: string) =>
  `${minor < 0 ? "D" : "C"}${yymmdd(date)}${currency}${mtAmount(Math.abs(minor), currency)}`;

const yymmdd = (date: string) => date.slice(2, 4) + date.slice(5, 7) + date.slice(8, 10);

const XML_ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;" };
const escapeXml = (text: string) => text.replace(/[&<>"']/g, (c) => XML_ESCAPES[c]!);

/**
 * The credits a parser should read back from a generated file, with `entryId: null` where the bank gave no reference
 * (the parser then derives a "sha256:" id). camt puts a batch's references per detail with "/<n>"; MT940 has no batch.
 */
export function expectedCredits(
  input: GeneratedStatement,
  format: "camt.053" | "mt940",
): (Omit<BankCredit, "entryId"> & { entryId: string | null })[] {
  const currency = input.currency ?? "EUR";
  return input.entries
    .filter((entry) => !entry.debit)
    .flatMap((entry) =>
      entry.credits.map((credit, i) => {
        const batch = format === "camt.053" && entry.credits.length > 1;
        const name = credit.payerName?.trim() || null;
        return {
          entryId: credit.bankRef ? (batch ? `${credit.bankRef}/${i + 1}` : credit.bankRef) : null,
          bookingDate: entry.bookingDate,
          valueDate: entry.valueDate ?? entry.bookingDate,
          amountMinor: credit.amountMinor,
          currency,
          payerName: name && format === "mt940" ? mtText(name).slice(0, 54).trim() : name,
          payerIban: credit.payerIban,
          remittance: format === "mt940" ? mtText(credit.remittance.trim()) : credit.remittance.trim(),
          creditorReference: format === "mt940" ? null : (credit.creditorReference ?? null),
          endToEndId: credit.endToEndId ?? null,
        };
      }),
    );
}
