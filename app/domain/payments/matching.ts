import { compactReference, creditorReference, isCreditorReference, referenceBody } from "./creditor-reference";

/*
 * Which open invoice a bank credit pays (docs/payment-matching.md). Precision first: a wrong automatic match sends a
 * paid claim to collection or marks an unpaid order paid, so a match is automatic only when one order (or one
 * customer's orders adding up exactly) is named unambiguously and something independent agrees; everything else goes
 * to people with the candidates and the reasons. Pure: the caller brings the shop's open orders.
 */

/** What matching reads of a credit (a subset of the parsed statement's BankCredit). */
export type CreditFacts = {
  amountMinor: number;
  currency: string;
  payerName: string | null;
  payerIban: string | null;
  remittance: string;
  creditorReference: string | null;
};

/** An open invoice order of the shop (with its case, when one is open). */
export type OpenInvoice = {
  orderId: string;
  caseId: string | null;
  orderName: string;
  currency: string;
  /** What the order still owes (principal). */
  outstandingMinor: number;
  /** With the fees and interest the last reminder asked for; null without a case. */
  dueMinor: number | null;
  /** Groups one customer's orders (platform customer id, else the lower-cased e-mail); null for none. */
  customerKey: string | null;
  /** Customer and billing names, company names: as the order has them. */
  names: string[];
  /** IBANs this customer paid from before. */
  knownIbans: string[];
};

export type Reason =
  | "reference"
  | "reference_typo"
  | "order_number"
  | "amount_outstanding"
  | "amount_due"
  | "amount_sum"
  | "name"
  | "last_name"
  | "company"
  | "known_iban";

export type Allocation = { orderId: string; caseId: string | null; amountMinor: number };

export type MatchDecision =
  | {
      kind: "auto";
      allocations: Allocation[];
      reasons: Reason[];
      /** full: each order paid exactly; partial: less than owed; over: more (the rest stays on the last order). */
      coverage: "full" | "partial" | "over";
    }
  | { kind: "review"; candidates: { orderId: string; caseId: string | null; score: number; reasons: Reason[] }[] };

const WEIGHT: Record<Reason, number> = {
  reference: 100,
  reference_typo: 60,
  order_number: 50,
  known_iban: 40,
  amount_sum: 35,
  name: 30,
  company: 30,
  amount_outstanding: 25,
  amount_due: 25,
  last_name: 15,
};

/** Review lists show at most this many candidates. */
const REVIEW_CANDIDATES = 5;

/** Indexes over the shop's open invoices, built once per statement. */
export type MatchIndex = {
  byBody: Map<string, OpenInvoice[]>;
  /** Each RF reference with one character replaced by "*": finds a reference with one wrong character. */
  byTypoPattern: Map<string, OpenInvoice[]>;
  byIban: Map<string, OpenInvoice[]>;
  byAmount: Map<number, OpenInvoice[]>;
  nameKeys: Map<OpenInvoice, NameKeys>;
};

type NameKeys = { people: { first: Set<string>; last: Set<string> }[]; companies: string[][][] };

const push = <K, V>(map: Map<K, V[]>, key: K, value: V) => {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
};

/** Order numbers shorter than this are too common in remittance texts (dates, amounts) to name an order alone. */
const MIN_ORDER_NUMBER = 4;

export function buildMatchIndex(invoices: OpenInvoice[]): MatchIndex {
  const index: MatchIndex = {
    byBody: new Map(),
    byTypoPattern: new Map(),
    byIban: new Map(),
    byAmount: new Map(),
    nameKeys: new Map(),
  };
  for (const invoice of invoices) {
    const body = referenceBody(invoice.orderName);
    if (body) {
      push(index.byBody, body, invoice);
      const ref = creditorReference(invoice.orderName)!;
      for (let i = 2; i < ref.length; i++) push(index.byTypoPattern, `${ref.slice(0, i)}*${ref.slice(i + 1)}`, invoice);
    }
    for (const iban of invoice.knownIbans) push(index.byIban, compactReference(iban), invoice);
    push(index.byAmount, invoice.outstandingMinor, invoice);
    if (invoice.dueMinor !== null && invoice.dueMinor !== invoice.outstandingMinor)
      push(index.byAmount, invoice.dueMinor, invoice);
    const keys = nameKeysOf(invoice.names);
    index.nameKeys.set(invoice, keys);
  }
  return index;
}

/** Decides what one credit pays. */
export function matchCredit(credit: CreditFacts, index: MatchIndex): MatchDecision {
  if (credit.amountMinor <= 0) return { kind: "review", candidates: [] };
  const text = `${credit.creditorReference ?? ""} ${credit.remittance}`;
  const tokens = text
    .toUpperCase()
    .split(/[^0-9A-Z]+/)
    .filter(Boolean);
  const payer = tokensOf(credit.payerName ?? "");
  const signals = new Map<OpenInvoice, Set<Reason>>();
  const add = (invoice: OpenInvoice, reason: Reason) => {
    if (invoice.currency !== credit.currency) return;
    const set = signals.get(invoice) ?? new Set<Reason>();
    set.add(reason);
    signals.set(invoice, set);
  };

  // References: RF references anywhere in the text (spaces, dashes and case ignored), and ones one character off.
  let foreignReference = false;
  for (const found of referencesIn(credit.creditorReference, tokens, index)) {
    if (found.kind === "known") for (const invoice of found.invoices) add(invoice, "reference");
    else if (found.kind === "typo") for (const invoice of found.invoices) add(invoice, "reference_typo");
    else foreignReference = true;
  }
  for (const token of tokens) {
    if (token.length < MIN_ORDER_NUMBER) continue;
    for (const invoice of index.byBody.get(token) ?? []) add(invoice, "order_number");
  }
  if (credit.payerIban)
    for (const invoice of index.byIban.get(compactReference(credit.payerIban)) ?? []) add(invoice, "known_iban");
  for (const invoice of index.byAmount.get(credit.amountMinor) ?? []) {
    if (invoice.outstandingMinor === credit.amountMinor) add(invoice, "amount_outstanding");
    if (invoice.dueMinor === credit.amountMinor) add(invoice, "amount_due");
  }
  // The payer's name only for invoices already in view: a name alone never names an order.
  for (const invoice of [...signals.keys()]) {
    const name = nameMatch(index.nameKeys.get(invoice)!, payer);
    if (name) add(invoice, name);
  }

  const scored = [...signals.entries()].map(([invoice, reasons]) => ({ invoice, reasons }));
  const decision = decide(credit, scored, foreignReference);
  if (decision) return decision;
  return {
    kind: "review",
    candidates: scored
      .map(({ invoice, reasons }) => ({
        orderId: invoice.orderId,
        caseId: invoice.caseId,
        reasons: [...reasons].sort((a, b) => WEIGHT[b] - WEIGHT[a]),
        score: [...reasons].reduce((sum, r) => sum + WEIGHT[r], 0),
      }))
      .sort((a, b) => b.score - a.score)
      .slice(0, REVIEW_CANDIDATES),
  };
}

type Scored = { invoice: OpenInvoice; reasons: Set<Reason> };

const has = (s: Scored, ...reasons: Reason[]) => reasons.some((r) => s.reasons.has(r));
const IDENTITY: Reason[] = ["reference", "reference_typo", "order_number"];
const AMOUNT: Reason[] = ["amount_outstanding", "amount_due"];
const PERSON: Reason[] = ["name", "company", "known_iban"];

function decide(credit: CreditFacts, scored: Scored[], foreignReference: boolean): MatchDecision | null {
  const exact = scored.filter((s) => has(s, "reference"));
  const named = scored.filter((s) => has(s, ...IDENTITY));
  // A valid reference of no open order (paid already, another shop's): people decide, whatever else fits.
  if (foreignReference && exact.length === 0) return null;
  if (named.length > 0) {
    // A valid reference stands on its own; a reference one character off, or an order number, needs an independent
    // signal to agree (the amount, the payer's name, an IBAN the customer paid from before).
    const strong = named.filter((s) => has(s, "reference") || has(s, ...AMOUNT, ...PERSON));
    if (named.length === 1) return strong.length === 1 ? single(credit, strong[0]!) : null;
    // Several orders named: one customer's, paid together when the amounts add up exactly.
    const together = split(credit, exact.length > 0 && exact.length < named.length ? exact : named);
    if (together) return together;
    // Else one named order that something independent confirms, the others named only by a near miss (a reference
    // one character off, an order number) without support: with a valid reference, or with both amount and payer.
    if (strong.length !== 1) return null;
    const [best] = strong;
    if (named.some((s) => s !== best && has(s, "reference"))) return null;
    return has(best!, "reference") || (has(best!, ...AMOUNT) && has(best!, ...PERSON)) ? single(credit, best!) : null;
  }
  // No order named in the text: the payer and the amount must both point at exactly one order.
  const byPersonAndAmount = scored.filter(
    (s) => has(s, ...AMOUNT) && (has(s, "known_iban") || has(s, "name", "company")),
  );
  if (byPersonAndAmount.length === 1) {
    const [only] = byPersonAndAmount;
    // Another open order of someone with the same amount (a namesake, a second order) makes it ambiguous.
    const sameAmount = scored.filter((s) => has(s, ...AMOUNT) && has(s, "name", "company", "known_iban"));
    if (sameAmount.length === 1) return single(credit, only!);
  }
  return null;
}

function single(credit: CreditFacts, s: Scored): MatchDecision {
  const owed = s.invoice.outstandingMinor;
  const due = s.invoice.dueMinor ?? owed;
  const coverage = credit.amountMinor < owed ? "partial" : credit.amountMinor > Math.max(due, owed) ? "over" : "full";
  return {
    kind: "auto",
    allocations: [{ orderId: s.invoice.orderId, caseId: s.invoice.caseId, amountMinor: credit.amountMinor }],
    reasons: [...s.reasons].sort((a, b) => WEIGHT[b] - WEIGHT[a]),
    coverage,
  };
}

/** One transfer for several orders of one customer: automatic only when it pays each of them exactly. */
function split(credit: CreditFacts, named: Scored[]): MatchDecision | null {
  const customers = new Set(named.map((s) => s.invoice.customerKey));
  if (customers.size !== 1 || customers.has(null)) return null;
  for (const pick of ["outstandingMinor", "dueMinor"] as const) {
    const amounts = named.map((s) => s.invoice[pick] ?? s.invoice.outstandingMinor);
    if (amounts.reduce((a, b) => a + b, 0) !== credit.amountMinor) continue;
    const reasons = new Set<Reason>(["amount_sum"]);
    for (const s of named) for (const r of s.reasons) if (!AMOUNT.includes(r)) reasons.add(r);
    return {
      kind: "auto",
      allocations: named.map((s, i) => ({
        orderId: s.invoice.orderId,
        caseId: s.invoice.caseId,
        amountMinor: amounts[i]!,
      })),
      reasons: [...reasons].sort((a, b) => WEIGHT[b] - WEIGHT[a]),
      coverage: "full",
    };
  }
  return null;
}

type FoundReference = { kind: "known" | "typo"; invoices: OpenInvoice[] } | { kind: "foreign" };

/**
 * RF references in the structured field and in the text, where a typed one may be split into groups ("RF71 4711")
 * or glued to the next word: from every "RF" + two digits, each run of whole words up to 25 characters is tried. A
 * run with valid check digits names its order (or none: foreign); otherwise one with one wrong character names the
 * orders whose reference differs from it in exactly that one place.
 */
function referencesIn(structured: string | null, tokens: string[], index: MatchIndex): FoundReference[] {
  const found: FoundReference[] = [];
  const runs: string[][] = [];
  if (structured) runs.push([compactReference(structured)]);
  for (let i = 0; i < tokens.length; i++) {
    if (!/^RF[0-9]{2}/.test(tokens[i]!) && !(tokens[i] === "RF" && /^[0-9]{2}/.test(tokens[i + 1] ?? ""))) continue;
    const run: string[] = [];
    let text = "";
    for (let j = i; j < tokens.length && (text + tokens[j]).length <= 25; j++) {
      text += tokens[j];
      run.push(text);
    }
    runs.push(run);
  }
  for (const run of runs) {
    const valid = run.filter((r) => r.length > 4 && isCreditorReference(r));
    const known = valid.flatMap((r) => index.byBody.get(r.slice(4)) ?? []);
    if (known.length > 0) {
      found.push({ kind: "known", invoices: known });
      continue;
    }
    if (valid.length > 0) {
      found.push({ kind: "foreign" });
      continue;
    }
    const typo = new Set<OpenInvoice>();
    for (const r of run)
      for (let i = 2; i < r.length; i++)
        for (const invoice of index.byTypoPattern.get(`${r.slice(0, i)}*${r.slice(i + 1)}`) ?? []) typo.add(invoice);
    if (typo.size > 0) found.push({ kind: "typo", invoices: [...typo] });
  }
  return found;
}

// Names: lower case, umlauts both transliterated (ü → ue) and dropped (ü → u), accents removed, legal forms ignored.
const LEGAL_FORMS = new Set([
  "gmbh",
  "ag",
  "kg",
  "ug",
  "co",
  "ohg",
  "ev",
  "ek",
  "gbr",
  "mbh",
  "haftungsbeschraenkt",
  "und",
  "&",
]);

function variants(text: string): string[] {
  const lower = text.toLowerCase();
  const transliterated = lower.replace(/ä/g, "ae").replace(/ö/g, "oe").replace(/ü/g, "ue").replace(/ß/g, "ss");
  const dropped = lower
    .replace(/ß/g, "ss")
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "");
  return [...new Set([transliterated.normalize("NFD").replace(/[\u0300-\u036f]/g, ""), dropped])];
}

function words(text: string): string[] {
  return text.split(/[^a-z0-9]+/).filter((w) => w.length > 1 && !LEGAL_FORMS.has(w));
}

type PayerTokens = { all: Set<string> };

function tokensOf(name: string): PayerTokens {
  return { all: new Set(variants(name).flatMap(words)) };
}

function nameKeysOf(names: string[]): NameKeys {
  const people: NameKeys["people"] = [];
  const companies: NameKeys["companies"] = [];
  for (const name of names) {
    const forms = variants(name).map(words);
    if (forms.every((w) => w.length === 0)) continue;
    // A company (a legal form in the name, or a single word): all of its words, per spelling.
    if (forms[0]!.length === 1 || COMPANY.test(name)) {
      companies.push(forms.filter((w) => w.length > 0));
      continue;
    }
    people.push({
      first: new Set(forms.flatMap((w) => w.slice(0, -1))),
      last: new Set(forms.map((w) => w[w.length - 1]!)),
    });
  }
  return { people, companies };
}

const COMPANY = /\b(gmbh|ag|kg|ug|ohg|gbr|mbh|e\.\s?k|e\.\s?v)\b/i;

/**
 * How the payer's name fits the order's people and companies: first and last name in either order ("MUELLER ANNA",
 * "Anna Müller"), the last name alone (weaker: namesakes), or every word of a company's name in one spelling.
 */
function nameMatch(keys: NameKeys, payer: PayerTokens): Reason | null {
  if (payer.all.size === 0) return null;
  let best: Reason | null = null;
  for (const person of keys.people) {
    if (![...person.last].some((t) => payer.all.has(t))) continue;
    if ([...person.first].some((t) => payer.all.has(t))) return "name";
    best = "last_name";
  }
  for (const spellings of keys.companies) if (spellings.some((w) => w.every((t) => payer.all.has(t)))) return "company";
  return best;
}
