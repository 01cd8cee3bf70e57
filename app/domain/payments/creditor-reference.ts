/*
 * The payment reference printed on every reminder, letter and GiroCode: an ISO 11649 "RF" creditor reference built
 * from the order number, so that a customer's typo fails the check digits instead of naming another order. Written
 * here (a mod-97 sum, as in the IBAN): no maintained npm package does it, and ibantools covers IBAN and BIC only.
 */

/** At most 21 characters follow "RF" and the two check digits. */
const MAX_BODY = 21;

/** Letters to numbers as ISO 7064 MOD 97-10 wants them: A = 10 … Z = 35. */
function mod97(text: string): number {
  let rest = 0;
  for (const char of text) {
    const digits = /[0-9]/.test(char) ? char : String(char.charCodeAt(0) - 55);
    for (const d of digits) rest = (rest * 10 + Number(d)) % 97;
  }
  return rest;
}

/** Upper-case letters and digits only: how references are compared whatever spaces, dashes or case were typed. */
export const compactReference = (text: string) => text.toUpperCase().replace(/[^0-9A-Z]/g, "");

/** The body of an order's reference: the order number's letters and digits ("#1009" → "1009"), its last 21. */
export function referenceBody(orderName: string): string | null {
  const body = compactReference(orderName);
  return body.length === 0 ? null : body.slice(-MAX_BODY);
}

/** "RF" + check digits + body, e.g. "RF471009" for order "#1009"; null for an order number without letters or digits. */
export function creditorReference(orderName: string): string | null {
  const body = referenceBody(orderName);
  if (!body) return null;
  const check = 98 - mod97(`${body}RF00`);
  return `RF${String(check).padStart(2, "0")}${body}`;
}

/** Whether `text` (spaces, dashes and case ignored) is a well-formed RF reference with correct check digits. */
export function isCreditorReference(text: string): boolean {
  const ref = compactReference(text);
  if (!/^RF[0-9]{2}[0-9A-Z]{1,21}$/.test(ref)) return false;
  return mod97(`${ref.slice(4)}${ref.slice(0, 4)}`) === 1;
}

/** In groups of four, as printed: "RF47 1009". */
export const formatCreditorReference = (ref: string) => compactReference(ref).replace(/(.{4})(?=.)/g, "$1 ");
