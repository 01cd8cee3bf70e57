/**
 * A bank statement as the payment matcher reads it: the incoming transfers (credits) of one account, from a camt.053
 * or camt.054 file or an MT940 file. The adapters in adapters/bank/ produce it; nothing here reads or hashes.
 */

/** One incoming transfer: a booked, non-reversed credit, or one transaction of a batch booking. */
export type BankCredit = {
  /**
   * Stable id of this booking for dedupe: the bank's reference (camt AcctSvcrRef of the TxDtls, else of the Ntry, else
   * NtryRef; MT940 :61: bank reference after //) plus "/<n>" for the n-th detail of a batch booking; when the bank
   * gives none, "sha256:" + hex of canonicalCreditContents()'s string.
   */
  entryId: string;
  /** YYYY-MM-DD */
  bookingDate: string;
  /** YYYY-MM-DD */
  valueDate: string | null;
  /** Integer minor units, exact: parsed from the decimal string, never through a float. */
  amountMinor: number;
  /** ISO 4217 */
  currency: string;
  /** camt Dbtr/Nm (or UltmtDbtr), MT940 ?32+?33 (or ABWA+). */
  payerName: string | null;
  /** camt DbtrAcct/Id/IBAN, MT940 ?31: upper-case, no spaces. */
  payerIban: string | null;
  /**
   * Unstructured remittance: camt RmtInf/Ustrd lines joined with a single space; MT940 the SVWZ+ text (and any text
   * outside the SEPA keys) of ?20–?29/?60–?63, without the "SVWZ+"/"EREF+" style keys.
   */
  remittance: string;
  /** Structured creditor reference when given (camt RmtInf/Strd/CdtrRefInf/Ref), e.g. "RF18539007547034". */
  creditorReference: string | null;
  /** camt Refs/EndToEndId, MT940 EREF+; never "NOTPROVIDED". */
  endToEndId: string | null;
};

export type ParsedStatement = {
  format: "camt.053" | "camt.054" | "mt940";
  /** The statement's account; null when the file names it otherwise (MT940 :25: as BLZ/account number). */
  accountIban: string | null;
  credits: BankCredit[];
  /** Booked, non-reversed debit transactions (a camt batch counts each of its details): counted, never matched. */
  debits: number;
};

/** A file that is not a statement we can read; the message names the element path or the line number. */
export class StatementError extends Error {
  override name = "StatementError";
}

type CreditContent = Pick<
  BankCredit,
  "bookingDate" | "amountMinor" | "currency" | "payerIban" | "payerName" | "remittance"
>;

/**
 * The canonical content of bookings without a bank reference, in file order, for the adapter to hash into an entryId.
 * The occurrence number tells apart two identical transfers in one file (same payer, day, amount and text): two
 * payments, not one delivered twice.
 */
export function canonicalCreditContents(): (account: string, credit: CreditContent, indexInEntry: number) => string {
  const seen = new Map<string, number>();
  return (account, credit, indexInEntry) => {
    const key = JSON.stringify([
      account,
      credit.bookingDate,
      credit.amountMinor,
      credit.currency,
      credit.payerIban,
      credit.payerName,
      credit.remittance,
      indexInEntry,
    ]);
    const occurrence = (seen.get(key) ?? 0) + 1;
    seen.set(key, occurrence);
    return `${key}#${occurrence}`;
  };
}
