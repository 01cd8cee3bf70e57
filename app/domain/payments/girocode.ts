import type { Money } from "../money";
import { compactReference, isCreditorReference } from "./creditor-reference";

/**
 * The text of a GiroCode: the EPC QR code for a SEPA credit transfer (EPC069-12, version 002), which a banking app
 * turns into a filled-in transfer. docs/payments.md lists the lines and their limits.
 */
export type GiroCodeInput = {
  holder: string;
  iban: string;
  bic: string | null;
  amount: Money;
  /**
   * The ISO 11649 creditor reference of the order (creditor-reference.ts), carried as the structured reference; else
   * the order number as unstructured text. EPC069-12 allows one of the two, never both.
   */
  reference: string;
};

/** The whole text may not exceed 331 bytes (EPC069-12 § 3.4). */
export const GIROCODE_MAX_BYTES = 331;
const MAX_AMOUNT_MINOR = 99_999_999_999;

/** One line of at most `max` characters: a line break would shift every following field. */
const field = (value: string, max: number) => [...value.replace(/\s+/g, " ").trim()].slice(0, max).join("");

/**
 * The payload, or null where a GiroCode cannot carry the transfer: another currency than euro, an amount outside
 * 0.01–999,999,999.99 EUR, or a text too long for the code.
 */
export function giroCodePayload(input: GiroCodeInput): string | null {
  const { amount } = input;
  if (amount.currency !== "EUR" || amount.amountMinor < 1 || amount.amountMinor > MAX_AMOUNT_MINOR) return null;
  const euros = `${Math.floor(amount.amountMinor / 100)}.${String(amount.amountMinor % 100).padStart(2, "0")}`;
  const lines = [
    "BCD",
    // 002: the BIC may be left empty inside the EEA.
    "002",
    // 1: UTF-8.
    "1",
    "SCT",
    field(input.bic ?? "", 11),
    field(input.holder, 70),
    field(input.iban, 34),
    `EUR${euros}`,
    // No purpose code; then the structured RF reference, or the unstructured text after an empty structured one.
    "",
    ...(isCreditorReference(input.reference) ? [compactReference(input.reference)] : ["", field(input.reference, 140)]),
  ];
  const payload = lines.join("\n");
  return new TextEncoder().encode(payload).length <= GIROCODE_MAX_BYTES ? payload : null;
}
