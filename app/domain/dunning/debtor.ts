/**
 * Consumer or business (§ 13, § 14 BGB): it decides the interest margin (§ 288 Abs. 1/2), the € 40 flat fee
 * (§ 288 Abs. 5) and whether § 286 Abs. 3 needs the invoice's notice. A wrong "business" costs the shop in court, so
 * only a reliable signal makes one; a company name in an address does not (people order to their workplace).
 */
export type DebtorKind = "consumer" | "business";

/** Why a debtor is what it is; shown on the case page beside the classification. */
export type DebtorBasis =
  /** Staff decided on the case page (a debtor_classified event); beats every signal. */
  | "staff"
  /** Shopify B2B: the order was bought for a company (purchasingEntity is a PurchasingCompany). */
  | "shopify_company"
  /** The order carries a VAT identification number (Shopify company location or WooCommerce order meta). */
  | "vat_id"
  /** No reliable signal: a consumer, also when the address names a company. */
  | "no_signal";

export type DebtorClassification = { kind: DebtorKind; basis: DebtorBasis };

/** What an order tells about its buyer; both absent on orders stored before they were read. */
export type BusinessSignals = { b2bCompany?: boolean | null; vatId?: string | null };

/**
 * A VAT identification number as printed ("DE 123 456 789", "de123456789") in its canonical form, or null when the
 * text is not one: two letters of a country, then 2 to 12 letters or digits (the EU formats; Art. 215 MwStSystRL).
 * Placeholders shops collect ("-", "n/a", "keine") are not VAT ids.
 */
export function normalizeVatId(text: string | null | undefined): string | null {
  if (!text) return null;
  const compact = text.toUpperCase().replace(/[\s.\-/]/g, "");
  return /^[A-Z]{2}[0-9A-Z+*]{2,12}$/.test(compact) && /\d/.test(compact) ? compact : null;
}

/** The one rule: staff's choice, else a Shopify B2B company, else a VAT id, else a consumer. */
export function classifyDebtor(
  signals: BusinessSignals | null | undefined,
  staffChoice: DebtorKind | null | undefined,
): DebtorClassification {
  if (staffChoice) return { kind: staffChoice, basis: "staff" };
  if (signals?.b2bCompany) return { kind: "business", basis: "shopify_company" };
  if (normalizeVatId(signals?.vatId)) return { kind: "business", basis: "vat_id" };
  return { kind: "consumer", basis: "no_signal" };
}
