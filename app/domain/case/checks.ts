import type { Money } from "../money";

/** What the pre-start check looks at: the debtor as a collection agency needs them. */
export type Debtor = {
  firstName: string | null;
  lastName: string | null;
  company: string | null;
  street: string | null;
  postalCode: string | null;
  city: string | null;
  countryCode: string | null;
};

export const CHECK_CODES = [
  "missing_name",
  "missing_street",
  "missing_postal_code",
  "missing_city",
  "missing_country",
  "no_outstanding_amount",
  "currency_not_supported",
] as const;
export type CheckCode = (typeof CHECK_CODES)[number];

const blank = (v: string | null | undefined) => !v || v.trim() === "";

/**
 * Every reason a case cannot be started, not just the first, so the shop fixes everything in one go.
 * A company name stands in for a person's name (B2B); a person needs first and last name.
 */
export function preStartCheck(debtor: Debtor, outstanding: Money, supportedCurrencies: readonly string[]): CheckCode[] {
  const missing: CheckCode[] = [];
  if ((blank(debtor.firstName) || blank(debtor.lastName)) && blank(debtor.company)) missing.push("missing_name");
  if (blank(debtor.street)) missing.push("missing_street");
  if (blank(debtor.postalCode)) missing.push("missing_postal_code");
  if (blank(debtor.city)) missing.push("missing_city");
  if (blank(debtor.countryCode)) missing.push("missing_country");
  if (outstanding.amountMinor <= 0) missing.push("no_outstanding_amount");
  if (!supportedCurrencies.includes(outstanding.currency)) missing.push("currency_not_supported");
  return missing;
}
