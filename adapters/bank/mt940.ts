// Written here, not with mt940js (1.3.5, unchanged since 2019): it parses amounts through floats, takes the entry date's
// year from the value date without rollover, keeps SEPA keys split across ?2x apart and names no line in its errors.
import { createHash } from "node:crypto";

import { parseMoney } from "#app/domain/money";
import {
  type BankCredit,
  canonicalCreditContents,
  type ParsedStatement,
  StatementError,
} from "#app/domain/payments/bank-statement";

/** One field: its tag (":61:" → "61"), the line it starts on, its first line's text and its continuation lines. */
type Field = { tag: string; line: number; lines: string[] };

type Transaction = {
  reversal: boolean;
  credit: boolean;
  valueDate: string;
  bookingDate: string;
  amountMinor: number;
  bankRef: string | null;
};

type Statement = { line: number; account: string | null; currency: string | null; closed: boolean };

/** A ?2x subfield holds 27 characters: a full one was cut by the bank, a shorter one ends a line of its own. */
const SUBFIELD = 27;
/** An MT940 line holds 65 characters: a full one was wrapped. */
const LINE = 65;
/** A structured :86: starts with the 3-digit GVC (business transaction code) and a ?-subfield. */
const STRUCTURED = /^(\d{3})?\?\d\d/;
const SEPA_KEY = /(EREF|KREF|MREF|CRED|DEBT|SVWZ|ABWA|ABWE|IBAN|BIC|COAM|OAMT|SQTP|PURP)\+/g;

const fail = (line: number, message: string): never => {
  throw new StatementError(`MT940 line ${line}: ${message}`);
};

export function parseMt940(text: string): ParsedStatement {
  const credits: BankCredit[] = [];
  const contents = canonicalCreditContents();
  let debits = 0;
  let statement: Statement | null = null;
  let firstAccount: string | null = null;
  let pending: Transaction | null = null;
  let statements = 0;

  const book = (tx: Transaction, info: string | null) => {
    if (tx.reversal) return;
    if (!tx.credit) {
      debits += 1;
      return;
    }
    const details = readInfo(info ?? "");
    const credit: Omit<BankCredit, "entryId"> = {
      bookingDate: tx.bookingDate,
      valueDate: tx.valueDate,
      amountMinor: tx.amountMinor,
      currency: statement!.currency!,
      ...details,
    };
    const entryId =
      tx.bankRef ??
      `sha256:${createHash("sha256")
        .update(contents(statement!.account!, credit, 1))
        .digest("hex")}`;
    credits.push({ entryId, ...credit });
  };
  const flush = () => {
    if (pending) book(pending, null);
    pending = null;
  };
  const close = (line: number) => {
    flush();
    if (statement && !statement.closed) {
      fail(line, `the statement from line ${statement.line} ends without :62F:/:62M: closing balance (truncated?)`);
    }
    statement = null;
  };

  for (const field of readFields(text)) {
    const value = field.lines[0]!;
    if (field.tag === "-") {
      close(field.line);
      continue;
    }
    if (field.tag === "20") {
      close(field.line);
      statement = { line: field.line, account: null, currency: null, closed: false };
      statements += 1;
      continue;
    }
    if (field.tag === "NS") continue;
    if (!statement) return fail(field.line, `:${field.tag}: before the statement's :20:`);
    const current: Statement = statement;
    switch (field.tag) {
      case "25": {
        const account = value.trim();
        if (!account) fail(field.line, ":25: account missing");
        if (firstAccount !== null && account !== firstAccount) {
          fail(field.line, `:25: account ${account} differs from ${firstAccount}; one account per file`);
        }
        current.account = firstAccount = account;
        break;
      }
      case "60F":
      case "60M":
        current.currency = readBalance(field).currency;
        break;
      case "61": {
        flush();
        if (!current.account) fail(field.line, ":61: before :25: (account unknown)");
        if (!current.currency) fail(field.line, ":61: before :60F:/:60M: (currency unknown)");
        pending = readTransaction(value, field.line, current.currency!);
        break;
      }
      case "86":
        // An :86: after a :61: describes it; one after :62F: describes the statement and is not a payment.
        if (pending) book(pending, joinInfo(field.lines));
        pending = null;
        break;
      case "62F":
      case "62M":
        flush();
        readBalance(field);
        current.closed = true;
        break;
      default:
        // :21:, :28C:, :64:, :65:, :13D:, :34F:, :90C:, :90D: say nothing about single payments.
        break;
    }
  }
  // A file that ends inside a statement was cut off: name its last line.
  if (statement) close(text.trimEnd().split(/\r\n|\r|\n/).length);
  if (statements === 0) throw new StatementError("MT940: no statement (:20:) found");
  return { format: "mt940", accountIban: accountIban(firstAccount), credits, debits };
}

/** The fields in file order, with "-" for the end of a message; SWIFT header and trailer blocks are skipped. */
function* readFields(text: string): Generator<Field> {
  const lines = text.split(/\r\n|\r|\n/);
  let field: Field | null = null;
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i]!;
    const number = i + 1;
    if (line.startsWith("{")) {
      // {1:…}{2:…}{4: starts a SWIFT message; {5:…} is its trailer.
      const body = line.indexOf("{4:");
      if (body === -1) continue;
      line = line.slice(body + 3);
    }
    if (line.trim() === "") continue;
    if (/^-\}?\s*(\{5:.*)?$/.test(line)) {
      if (field) yield field;
      field = null;
      yield { tag: "-", line: number, lines: [""] };
      continue;
    }
    const tag = /^:(\d{2}[A-Z]?|NS):/.exec(line);
    if (tag) {
      if (field) yield field;
      field = { tag: tag[1]!, line: number, lines: [line.slice(tag[0].length)] };
    } else if (field) {
      field.lines.push(line);
    } else {
      fail(number, `expected a field such as :20:, found "${line.slice(0, 20)}"`);
    }
  }
  if (field) yield field;
}

/** :60F:, :62F: and kin: C or D, YYMMDD, currency, amount. */
function readBalance(field: Field): { currency: string } {
  const value = field.lines[0]!.trim();
  const match = /^([CD])(\d{6})([A-Z]{3})([\d,]+)$/.exec(value);
  if (!match) return fail(field.line, `:${field.tag}: "${value}" is not a balance like C240315EUR1234,56`);
  dateFromYymmdd(match[2]!, field.line, `:${field.tag}:`);
  amountMinor(match[4]!, match[3]!, field.line, `:${field.tag}:`);
  return { currency: match[3]! };
}

/** :61: value date, optional entry date, mark, optional funds code, amount, type, references. */
function readTransaction(value: string, line: number, currency: string): Transaction {
  const head = /^(\d{6})(\d{4})?/.exec(value);
  if (!head) return fail(line, ":61: value date (YYMMDD) missing");
  const valueDate = dateFromYymmdd(head[1]!, line, ":61: value date");
  const bookingDate = head[2] ? entryDate(valueDate, head[2], line) : valueDate;
  let rest = value.slice(head[0].length);
  const mark = /^(RC|RD|C|D)/.exec(rest)?.[1];
  if (!mark) return fail(line, ":61: debit/credit mark (C, D, RC, RD) missing");
  rest = rest.slice(mark.length);
  // The funds code is the currency's third letter ("CR100,00" for EUR): a letter right before the amount.
  if (/^[A-Z][\d,]/.test(rest)) rest = rest.slice(1);
  const typed = /^(.*?)([NFS][A-Z0-9]{3})(.*)$/.exec(rest);
  const amountText = typed ? typed[1]! : rest.trim();
  if (amountText === "") fail(line, ":61: amount missing");
  const amount = amountMinor(amountText, currency, line, ":61:");
  if (!typed) return fail(line, ":61: transaction type (such as NTRF) missing after the amount");
  const refs = typed[3]!;
  const slashes = refs.indexOf("//");
  const bankRef = slashes === -1 ? "" : refs.slice(slashes + 2).trim();
  return {
    reversal: mark.startsWith("R"),
    credit: mark.endsWith("C"),
    valueDate,
    bookingDate,
    amountMinor: amount,
    bankRef: bankRef === "" || bankRef === "NONREF" ? null : bankRef,
  };
}

/** "1234,56" exactly, in the currency's minor units. */
function amountMinor(text: string, currency: string, line: number, where: string): number {
  if (!/^\d+,\d*$/.test(text)) return fail(line, `${where} amount not a number: "${text}"`);
  const [whole, fraction] = text.split(",");
  const parsed = parseMoney(fraction ? `${whole}.${fraction}` : whole!, currency);
  if (!parsed.ok) return fail(line, `${where} ${parsed.error.message}`);
  return parsed.value.amountMinor;
}

function dateFromYymmdd(yymmdd: string, line: number, where: string): string {
  const date = `20${yymmdd.slice(0, 2)}-${yymmdd.slice(2, 4)}-${yymmdd.slice(4, 6)}`;
  if (!isDate(date)) fail(line, `${where} "${yymmdd}" is not a date`);
  return date;
}

/** The entry date has no year: the one of the year before, of or after the value date that lies closest to it. */
function entryDate(valueDate: string, mmdd: string, line: number): string {
  const year = Number(valueDate.slice(0, 4));
  const candidates = [year - 1, year, year + 1]
    .map((y) => `${y}-${mmdd.slice(0, 2)}-${mmdd.slice(2, 4)}`)
    .filter((date) => isDate(date));
  if (candidates.length === 0) fail(line, `:61: entry date "${mmdd}" is not a date`);
  const distance = (date: string) => Math.abs(Date.parse(date) - Date.parse(valueDate));
  return candidates.reduce((best, date) => (distance(date) < distance(best) ? date : best));
}

/** A real calendar day: Date.parse rolls 2024-02-30 over, so read it back. */
const isDate = (value: string) => {
  const time = /^\d{4}-\d{2}-\d{2}$/.test(value) ? Date.parse(`${value}T00:00:00Z`) : NaN;
  return !Number.isNaN(time) && new Date(time).toISOString().startsWith(value);
};

/** Structured :86: runs on across lines without a break; free text wraps at 65 characters, or ends a line. */
function joinInfo(lines: string[]): string {
  if (STRUCTURED.test(lines[0]!)) return lines.join("");
  // The first line also holds ":86:".
  return joinChunks([`:86:${lines[0]}`, ...lines.slice(1)], LINE).slice(4);
}

const joinChunks = (chunks: string[], full: number) =>
  chunks.reduce((text, chunk, i) => (i === 0 ? chunk : text + (chunks[i - 1]!.length >= full ? "" : " ") + chunk), "");

type Details = Pick<BankCredit, "payerName" | "payerIban" | "remittance" | "creditorReference" | "endToEndId">;

/** The German structured :86: (GVC, then ?00 posting text, ?20–?29 and ?60–?63 remittance, ?31 IBAN, ?32/?33 name). */
function readInfo(info: string): Details {
  const structured = STRUCTURED.exec(info);
  if (!structured) {
    return { payerName: null, payerIban: null, remittance: info.trim(), creditorReference: null, endToEndId: null };
  }
  const parts = info.slice(structured[1]?.length ?? 0).split(/\?(\d\d)/);
  const remittance: string[] = [];
  const name: string[] = [];
  let iban: string | null = null;
  for (let i = 1; i < parts.length; i += 2) {
    const code = Number(parts[i]);
    const content = parts[i + 1] ?? "";
    if ((code >= 20 && code <= 29) || (code >= 60 && code <= 63)) remittance.push(content);
    else if (code === 32 || code === 33) name.push(content);
    else if (code === 31) iban = content.replace(/\s+/g, "").toUpperCase();
  }
  const sepa = sepaFields(joinChunks(remittance, SUBFIELD));
  const payerName = joinChunks(name, SUBFIELD).trim() || sepa.ABWA || null;
  const endToEndId = sepa.EREF && sepa.EREF !== "NOTPROVIDED" ? sepa.EREF : null;
  return {
    payerName,
    // ?31 holds an account number, not an IBAN, in the older domestic format.
    payerIban: iban && /^[A-Z]{2}\d{2}[A-Z0-9]{11,30}$/.test(iban) ? iban : null,
    remittance: [sepa.free, sepa.SVWZ].filter(Boolean).join(" "),
    creditorReference: null,
    endToEndId,
  };
}

/** The text split at the SEPA keys (EREF+, SVWZ+, …); "free" is text before the first key, or all of it without any. */
function sepaFields(text: string): Record<string, string> {
  const fields: Record<string, string> = {};
  const keys = [...text.matchAll(SEPA_KEY)];
  fields.free = text.slice(0, keys[0]?.index ?? text.length).trim();
  keys.forEach((key, i) => {
    const start = key.index + key[0].length;
    const value = text.slice(start, keys[i + 1]?.index ?? text.length).trim();
    const name = key[1]!;
    fields[name] = fields[name] ? `${fields[name]} ${value}` : value;
  });
  return fields;
}

/** :25: as an IBAN (some banks append the currency); null for the domestic BLZ/account number. */
function accountIban(account: string | null): string | null {
  const compact = account?.replace(/\s+/g, "").toUpperCase() ?? "";
  const german = /^(DE\d{20})[A-Z]{3}$/.exec(compact);
  if (german) return german[1]!;
  return /^[A-Z]{2}\d{2}[A-Z0-9]{11,30}$/.test(compact) ? compact : null;
}
