import { creditorReference, formatCreditorReference } from "#app/domain/payments/creditor-reference";
import type { CreditFacts, OpenInvoice } from "#app/domain/payments/matching";
import { seededRandom } from "#app/utils/seeded-random";

/*
 * Open invoices and the credits a shop's bank account receives for them, with the truth kept beside each credit:
 * exact references, typos, missing references, swapped and transliterated names, combined and partial payments,
 * and other people's credits of similar amounts. Used by the matching tests and `npm run bench`.
 */

export type Kind =
  | "exact_reference"
  | "reference_typo"
  | "order_number_and_name"
  | "name_and_amount"
  | "transliterated_name"
  | "combined"
  | "partial"
  | "stranger";

export type ScenarioCredit = CreditFacts & {
  kind: Kind;
  /** The orders this credit truly pays; empty for someone else's money. */
  truth: string[];
  payerIban: string | null;
};

const FIRST = ["Anna", "Jürgen", "Sören", "Maria", "Lukas", "Jörg", "Käthe", "Paul", "Sophie", "Björn", "Lena", "Max"];
const LAST = ["Müller", "Schäfer", "Weiß", "Köhler", "Groß", "Böhm", "Becker", "Hoffmann", "Krüger", "Schröder"];
const STRANGER_TEXTS = ["Miete Oktober", "Mitgliedsbeitrag 2026", "Rechnung 88-12", "Danke!", "Erstattung", ""];

const translit = (s: string) => s.replace(/ä/g, "ae").replace(/ö/g, "oe").replace(/ü/g, "ue").replace(/ß/g, "ss");

export function paymentScenario(size: number, seed = 20261207) {
  const random = seededRandom(seed);
  const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)]!;
  const iban = () =>
    `DE${String(10 + Math.floor(random() * 89))}${String(Math.floor(random() * 1e9)).padStart(9, "0")}${String(Math.floor(random() * 1e9)).padStart(9, "0")}`;

  // Customers with one to three open orders each; amounts from a small set, so strangers' amounts collide.
  const invoices: OpenInvoice[] = [];
  const people = new Map<string, { first: string; last: string; iban: string }>();
  let orderNumber = 100_000;
  for (let c = 0; invoices.length < size; c++) {
    const person = { first: pick(FIRST), last: pick(LAST), iban: iban() };
    const key = `cust-${c}`;
    people.set(key, person);
    const orders = 1 + Math.floor(random() * 3);
    for (let o = 0; o < orders && invoices.length < size; o++) {
      const outstanding = (10 + Math.floor(random() * 190)) * 100 + pick([0, 50, 90, 99]);
      orderNumber += 1 + Math.floor(random() * 3);
      invoices.push({
        orderId: `order-${orderNumber}`,
        caseId: random() < 0.8 ? `case-${orderNumber}` : null,
        orderName: `#${orderNumber}`,
        currency: "EUR",
        outstandingMinor: outstanding,
        dueMinor: outstanding + 500,
        customerKey: key,
        names: [`${person.first} ${person.last}`],
        knownIbans: random() < 0.3 ? [person.iban] : [],
      });
    }
  }

  const credits: ScenarioCredit[] = [];
  const byCustomer = new Map<string, OpenInvoice[]>();
  for (const invoice of invoices)
    byCustomer.set(invoice.customerKey!, [...(byCustomer.get(invoice.customerKey!) ?? []), invoice]);
  const used = new Set<string>();
  for (const invoice of invoices) {
    if (used.has(invoice.orderId)) continue;
    used.add(invoice.orderId);
    const person = people.get(invoice.customerKey!)!;
    const ref = creditorReference(invoice.orderName)!;
    const base = {
      currency: "EUR",
      payerName: `${person.first} ${person.last}`,
      payerIban: person.iban,
      creditorReference: null,
      truth: [invoice.orderId],
    };
    const roll = random();
    if (roll < 0.4) {
      credits.push({
        ...base,
        kind: "exact_reference",
        amountMinor: invoice.dueMinor!,
        remittance: formatCreditorReference(ref),
        creditorReference: random() < 0.5 ? ref : null,
      });
    } else if (roll < 0.5) {
      const i = 4 + Math.floor(random() * (ref.length - 4));
      const wrong = ref[i] === "7" ? "1" : "7";
      credits.push({
        ...base,
        kind: "reference_typo",
        amountMinor: invoice.outstandingMinor,
        remittance: `${ref.slice(0, i)}${wrong}${ref.slice(i + 1)}`,
      });
    } else if (roll < 0.65) {
      credits.push({
        ...base,
        kind: "order_number_and_name",
        payerName: `${person.last.toUpperCase()}, ${person.first.toUpperCase()}`,
        amountMinor: invoice.outstandingMinor + 250,
        remittance: `Bestellung ${invoice.orderName.slice(1)} vielen Dank`,
      });
    } else if (roll < 0.75) {
      credits.push({ ...base, kind: "name_and_amount", amountMinor: invoice.outstandingMinor, remittance: "Rechnung" });
    } else if (roll < 0.8) {
      credits.push({
        ...base,
        kind: "transliterated_name",
        payerName: translit(`${person.last} ${person.first}`).toUpperCase(),
        amountMinor: invoice.dueMinor!,
        remittance: `Best-Nr ${invoice.orderName.slice(1)}`,
      });
    } else if (roll < 0.88) {
      const others = byCustomer.get(invoice.customerKey!)!.filter((o) => !used.has(o.orderId));
      if (others.length === 0) {
        credits.push({ ...base, kind: "exact_reference", amountMinor: invoice.outstandingMinor, remittance: ref });
        continue;
      }
      for (const o of others) used.add(o.orderId);
      const all = [invoice, ...others];
      credits.push({
        ...base,
        kind: "combined",
        truth: all.map((o) => o.orderId),
        amountMinor: all.reduce((sum, o) => sum + o.outstandingMinor, 0),
        remittance: `Rechnungen ${all.map((o) => o.orderName).join(" und ")}`,
      });
    } else if (roll < 0.93) {
      credits.push({
        ...base,
        kind: "partial",
        amountMinor: Math.floor(invoice.outstandingMinor / 2),
        remittance: `${formatCreditorReference(ref)} Teilzahlung`,
      });
    } else {
      // Someone else's money of a similar amount: another name, an unrelated text. The invoice stays unpaid.
      credits.push({
        kind: "stranger",
        truth: [],
        currency: "EUR",
        payerName: `${pick(FIRST)} Fremd${Math.floor(random() * 1000)}`,
        payerIban: iban(),
        creditorReference: null,
        amountMinor: random() < 0.5 ? invoice.outstandingMinor : invoice.outstandingMinor + 1,
        remittance: pick(STRANGER_TEXTS),
      });
    }
  }
  return { invoices, credits };
}
