// camt.053 (account statement) and camt.054 (debit/credit notification), ISO 20022 versions .001.02 to .001.08: the
// booked, non-reversed credits, one per transaction of a batch booking. fast-xml-parser reads the XML, this reads camt.
import { createHash } from "node:crypto";

import { type EntityDecoderOptions, XMLParser, XMLValidator } from "fast-xml-parser";

import { type Money, parseMoney, toDecimalString } from "#app/domain/money";
import {
  type BankCredit,
  canonicalCreditContents,
  type ParsedStatement,
  StatementError,
} from "#app/domain/payments/bank-statement";

const NAMESPACE = /^urn:iso:std:iso:20022:tech:xsd:camt\.(053|054)\.001\.0[2-8]$/;

type Node = Record<string, unknown>;
type Format = "camt.053" | "camt.054";

const XML_ENTITIES: Record<string, string> = { lt: "<", gt: ">", amp: "&", quot: '"', apos: "'" };

/** The five predefined XML entities and character references; entities a DTD declares are never expanded (no XXE). */
const entityDecoder: EntityDecoderOptions = {
  setExternalEntities: () => undefined,
  addInputEntities: () => undefined,
  reset: () => undefined,
  setXmlVersion: () => undefined,
  decode: (text) =>
    text.includes("&")
      ? text.replace(/&(#x[0-9a-fA-F]{1,6}|#[0-9]{1,7}|[a-z]{2,4});/g, (whole, ref: string) => {
          if (!ref.startsWith("#")) return XML_ENTITIES[ref] ?? whole;
          const code = ref[1] === "x" ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
          return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
        })
      : text,
};

/** The booked credits of a camt.053 or camt.054 document; for anything else a StatementError says what is wrong. */
export function parseCamt(xml: string): ParsedStatement {
  // ISO 20022 messages have no DTD; one here can only be an entity-expansion or external-entity attempt.
  if (/<!(DOCTYPE|ENTITY)/i.test(xml)) {
    throw new StatementError("camt: DOCTYPE/ENTITY declarations are not allowed in an ISO 20022 message");
  }
  const valid = XMLValidator.validate(xml);
  if (valid !== true) {
    const { line, col, msg } = valid.err;
    throw new StatementError(`camt: malformed XML at line ${line}, column ${col}: ${msg}`);
  }
  let rootTag: string | undefined;
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: "@",
    // Values stay strings: amounts and references must stay exact, leading zeros kept.
    parseTagValue: false,
    parseAttributeValue: false,
    trimValues: true,
    processEntities: true,
    entityDecoder,
    ignoreDeclaration: true,
    ignorePiTags: true,
    // Banks prefix the elements (<ns2:Ntry>) or not; the root's prefix finds its namespace declaration.
    transformTagName: (name) => {
      rootTag ??= name;
      return name.slice(name.indexOf(":") + 1);
    },
  });
  const parsed = parser.parse(xml) as Node;
  const roots = Object.keys(parsed);
  const document = parsed.Document;
  if (roots.length === 1 && document === "") throw new StatementError("camt: Document is empty");
  if (roots.length !== 1 || !isNode(document)) {
    throw new StatementError(`camt: the root element must be one Document, found ${roots.join(", ") || "none"}`);
  }
  const prefix = rootTag?.includes(":") ? rootTag.slice(0, rootTag.indexOf(":")) : "";
  const namespace = document[prefix ? `@xmlns:${prefix}` : "@xmlns"];
  const version = typeof namespace === "string" ? NAMESPACE.exec(namespace) : null;
  if (!version) {
    throw new StatementError(
      `camt: Document namespace ${typeof namespace === "string" ? `"${namespace}"` : "missing"} is not camt.053 or camt.054 (versions .001.02 to .001.08)`,
    );
  }
  const format: Format = version[1] === "053" ? "camt.053" : "camt.054";
  const [bodyName, reportName] =
    format === "camt.053" ? ["BkToCstmrStmt", "Stmt"] : ["BkToCstmrDbtCdtNtfctn", "Ntfctn"];
  const body = child(document, bodyName);
  if (!body) throw new StatementError(`${format}: Document/${bodyName} missing`);
  const reports = list(body, reportName);
  if (reports.length === 0) throw new StatementError(`${format}: ${bodyName}/${reportName} missing`);

  const reader = new CamtReader();
  let accountIban: string | null = null;
  let firstAccount: string | undefined;
  for (const [r, report] of reports.entries()) {
    const where = reports.length > 1 ? `${format}: ${reportName} ${r + 1}` : format;
    const id = child(report, "Acct", "Id");
    const iban = text(id, "IBAN");
    const account = iban ?? text(child(id, "Othr"), "Id");
    if (!account) throw new StatementError(`${where}: Acct/Id missing`);
    if (firstAccount !== undefined && account !== firstAccount) {
      throw new StatementError(`${where}: account ${account} differs from ${firstAccount}; one account per file`);
    }
    firstAccount = account;
    accountIban = normalIban(iban);
    for (const [n, entry] of list(report, "Ntry").entries()) reader.entry(entry, `${where}: Ntry ${n + 1}`, account);
  }
  return { format, accountIban, credits: reader.credits, debits: reader.debits };
}

class CamtReader {
  credits: BankCredit[] = [];
  debits = 0;
  private contents = canonicalCreditContents();

  entry(entry: Node, where: string, account: string): void {
    const amount = amountOf(entry.Amt, `${where}: Amt`);
    const status = text(entry, "Sts") ?? text(child(entry, "Sts"), "Cd");
    if (!status) throw new StatementError(`${where}: Sts missing`);
    const indicator = text(entry, "CdtDbtInd");
    if (indicator !== "CRDT" && indicator !== "DBIT") {
      throw new StatementError(`${where}: CdtDbtInd must be CRDT or DBIT, found ${indicator ?? "none"}`);
    }
    const reversal = text(entry, "RvslInd");
    // Pending and informational entries may still change; a reversal undoes an earlier booking: neither is money in.
    if (status !== "BOOK" || reversal === "true" || reversal === "1") return;
    const details = list(entry, "NtryDtls").flatMap((d) => list(d, "TxDtls"));
    if (indicator === "DBIT") {
      this.debits += Math.max(1, details.length);
      return;
    }
    const bookingDate = dateOf(entry, "BookgDt", where);
    if (!bookingDate) throw new StatementError(`${where}: BookgDt missing`);
    const valueDate = dateOf(entry, "ValDt", where);
    const amounts = detailAmounts(details, amount, where);
    const entryRef = text(entry, "AcctSvcrRef") ?? text(entry, "NtryRef");
    const batch = details.length > 1;
    const transactions = details.length > 0 ? details : [undefined];
    transactions.forEach((tx, i) => {
      const refs = child(tx, "Refs");
      const parties = child(tx, "RltdPties");
      const remittance = child(tx, "RmtInf");
      const endToEndId = text(refs, "EndToEndId");
      const credit: Omit<BankCredit, "entryId"> = {
        bookingDate,
        valueDate,
        amountMinor: amounts[i]!.amountMinor,
        currency: amount.currency,
        payerName: partyName(child(parties, "Dbtr")) ?? partyName(child(parties, "UltmtDbtr")),
        payerIban: normalIban(text(child(parties, "DbtrAcct", "Id"), "IBAN")),
        remittance: list(remittance, "Ustrd")
          .map((line) => textOf(line))
          .filter((line) => line !== "")
          .join(" "),
        creditorReference:
          list(remittance, "Strd")
            .flatMap((strd) => list(strd, "CdtrRefInf"))
            .map((info) => text(info, "Ref"))
            .find((ref) => ref !== null) ?? null,
        endToEndId: endToEndId === "NOTPROVIDED" ? null : endToEndId,
      };
      const ref = text(refs, "AcctSvcrRef") ?? entryRef;
      const entryId = ref
        ? batch
          ? `${ref}/${i + 1}`
          : ref
        : `sha256:${createHash("sha256")
            .update(this.contents(account, credit, i + 1))
            .digest("hex")}`;
      this.credits.push({ entryId, ...credit });
    });
  }
}

/** Each transaction's amount; a batch's details must add up to the booked entry. */
function detailAmounts(details: Node[], entry: Money, where: string): Money[] {
  if (details.length === 0) return [entry];
  const amounts = details.map((tx, i) => {
    const amt = child(tx, "AmtDtls", "TxAmt")?.Amt ?? tx.Amt;
    if (amt === undefined) {
      if (details.length === 1) return entry;
      throw new StatementError(`${where}: TxDtls ${i + 1}: Amt missing (needed to split a batch booking)`);
    }
    const amount = amountOf(amt, `${where}: TxDtls ${i + 1}: Amt`);
    if (amount.currency !== entry.currency) {
      throw new StatementError(`${where}: TxDtls ${i + 1}: Amt in ${amount.currency}, the entry in ${entry.currency}`);
    }
    return amount;
  });
  const total = amounts.reduce((sum, a) => sum + a.amountMinor, 0);
  if (total !== entry.amountMinor) {
    const sum = toDecimalString({ amountMinor: total, currency: entry.currency });
    throw new StatementError(
      `${where}: TxDtls amounts add up to ${sum} ${entry.currency}, the entry's Amt is ${toDecimalString(entry)} ${entry.currency}`,
    );
  }
  return amounts;
}

function amountOf(element: unknown, where: string): Money {
  const amt: unknown = Array.isArray(element) ? element[0] : element;
  if (amt === undefined) throw new StatementError(`${where} missing`);
  const value = textOf(amt);
  const currency = isNode(amt) && typeof amt["@Ccy"] === "string" ? amt["@Ccy"] : null;
  if (!currency || !/^[A-Z]{3}$/.test(currency)) throw new StatementError(`${where}: Ccy missing or not ISO 4217`);
  if (!/^\d{1,18}(\.\d{1,5})?$/.test(value)) {
    throw new StatementError(`${where}: "${value}" is not a decimal amount`);
  }
  const money = parseMoney(value, currency);
  if (!money.ok) throw new StatementError(`${where}: ${money.error.message}`);
  return money.value;
}

/** Dt, or the date part of DtTm as the bank wrote it (its local day). */
function dateOf(entry: Node, name: string, where: string): string | null {
  const node = child(entry, name);
  const value = text(node, "Dt") ?? text(node, "DtTm")?.slice(0, 10) ?? null;
  if (value !== null && !isDate(value)) throw new StatementError(`${where}: ${name} "${value}" is not a date`);
  return value;
}

/** A real calendar day: Date.parse rolls 2024-02-30 over, so read it back. */
const isDate = (value: string) => {
  const time = /^\d{4}-\d{2}-\d{2}$/.test(value) ? Date.parse(`${value}T00:00:00Z`) : NaN;
  return !Number.isNaN(time) && new Date(time).toISOString().startsWith(value);
};

/** Dbtr/Nm up to .06, Dbtr/Pty/Nm from .07 on (Party40Choice). */
const partyName = (party: Node | undefined) => text(party, "Nm") ?? text(child(party, "Pty"), "Nm");

const normalIban = (iban: string | null) => (iban ? iban.replace(/\s+/g, "").toUpperCase() : null);

const isNode = (value: unknown): value is Node => typeof value === "object" && value !== null && !Array.isArray(value);

/** All children of that name: the parser gives one as a value and several as an array. */
function list(node: Node | undefined, name: string): Node[] {
  const value = node?.[name];
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]).map((v) => (isNode(v) ? v : { "#text": v }));
}

/** The first child along the path. */
function child(node: Node | undefined, ...path: string[]): Node | undefined {
  let current = node;
  for (const name of path) current = list(current, name)[0];
  return current;
}

/** The trimmed text of the first child of that name; null when missing or empty. */
function text(node: Node | undefined, name: string): string | null {
  const value = node?.[name];
  if (value === undefined) return null;
  const first = Array.isArray(value) ? value[0] : value;
  if (isNode(first) && !("#text" in first)) return null;
  const result = textOf(first);
  return result === "" ? null : result;
}

function textOf(value: unknown): string {
  if (typeof value === "string") return value.trim();
  if (isNode(value)) return typeof value["#text"] === "string" ? value["#text"].trim() : "";
  return "";
}
