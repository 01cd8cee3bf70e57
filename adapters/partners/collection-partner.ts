// The one interface every debt-collection partner is reached through (docs/product.md, "Collection partner").
// Adapters turn a partner's protocol into these types; app/services decides what to do with them.
import { z } from "zod";

import { DUNNING_LEVELS, type PartnerSubStatus } from "#app/domain/case/status";
import { isLocalDate, type LocalDate } from "#app/domain/dates";
import type { Money } from "#app/domain/money";

// ---------------------------------------------------------------------------------------------------------
// The claim we hand over. Callers validate with ClaimSchema before submitting; adapters trust a parsed Claim.

const text = (max: number) => z.string().trim().min(1).max(max);
const optionalText = (max: number) => z.string().trim().max(max).nullable();

export const MoneySchema = z.object({
  amountMinor: z.number().int().refine(Number.isSafeInteger, "must be a safe integer"),
  currency: z.string().regex(/^[A-Z]{3}$/, "must be an ISO 4217 code"),
});

export const LocalDateSchema = z.string().refine(isLocalDate, "must be a calendar date YYYY-MM-DD");

export const CreditorSchema = z.object({
  shopName: text(200),
  street: text(200),
  houseNumber: optionalText(20),
  postalCode: text(20),
  city: text(100),
  countryCode: z.string().regex(/^[A-Z]{2}$/, "must be an ISO 3166-1 alpha-2 code"),
  email: z.email(),
  phone: optionalText(40),
});

export const DebtorSchema = z
  .object({
    type: z.enum(["private", "company"]),
    /** The shop's customer id, if it has one; partners group claims of one customer by it. */
    customerNumber: optionalText(40).optional(),
    firstName: optionalText(100),
    lastName: optionalText(100),
    company: optionalText(200),
    street: text(200),
    houseNumber: optionalText(20),
    postalCode: text(20),
    city: text(100),
    countryCode: z.string().regex(/^[A-Z]{2}$/, "must be an ISO 3166-1 alpha-2 code"),
    email: z.email().nullable(),
    phone: optionalText(40),
    /** ISO 639-1, e.g. "de". */
    preferredLanguage: z
      .string()
      .regex(/^[a-z]{2}$/, "must be an ISO 639-1 code")
      .nullable(),
  })
  .superRefine((debtor, ctx) => {
    const has = (v: string | null | undefined) => !!v && v.trim() !== "";
    if (debtor.type === "company" && !has(debtor.company)) {
      ctx.addIssue({ code: "custom", path: ["company"], message: "a company debtor needs a company name" });
    }
    if (debtor.type === "private" && !(has(debtor.firstName) && has(debtor.lastName))) {
      ctx.addIssue({ code: "custom", path: ["lastName"], message: "a private debtor needs first and last name" });
    }
  });

export const ReminderSchema = z.object({
  level: z.enum(DUNNING_LEVELS),
  sentAt: LocalDateSchema,
  /** What the shop charged for this reminder; zero when it charged nothing. */
  fee: MoneySchema,
});

/**
 * Statutory default interest (§ 288 BGB) through `to`: `marginBp` points over the base rate; `complete` false when the
 * base rate was not yet known up to the handover, so more interest is owed than `amount`.
 */
export const InterestSchema = z.object({
  amount: MoneySchema,
  from: LocalDateSchema,
  to: LocalDateSchema,
  marginBp: z.number().int().min(0).max(2_000).optional(),
  complete: z.boolean().optional(),
});

export const ClaimSchema = z
  .object({
    creditor: CreditorSchema,
    debtor: DebtorSchema,
    orderNumber: text(40),
    invoiceNumber: text(40),
    invoiceDate: LocalDateSchema,
    dueDate: LocalDateSchema,
    original: MoneySchema,
    outstanding: MoneySchema,
    reminders: z.array(ReminderSchema),
    interest: InterestSchema.nullable(),
    /** The first day of default (§ 286 BGB): interest and the flat fee run from it. */
    defaultFrom: LocalDateSchema.nullable().optional(),
    /**
     * §288 Abs. 5 BGB flat fee from a business debtor, once per claim, with the day it became owed; with
     * `offsetAgainstFees` the amount is what it adds beyond the reminder fees (costs are the larger of both).
     */
    flatFee: z
      .object({ amount: MoneySchema, date: LocalDateSchema, offsetAgainstFees: z.boolean().optional() })
      .nullable()
      .optional(),
    dunningOption: z.enum(["A", "B"]),
  })
  .superRefine((claim, ctx) => {
    const currency = claim.outstanding.currency;
    const amounts: [string[], Money][] = [
      [["original"], claim.original],
      ...claim.reminders.map((r, i): [string[], Money] => [["reminders", String(i), "fee"], r.fee]),
      ...(claim.interest ? [[["interest", "amount"], claim.interest.amount] as [string[], Money]] : []),
      ...(claim.flatFee ? [[["flatFee", "amount"], claim.flatFee.amount] as [string[], Money]] : []),
    ];
    for (const [path, m] of amounts) {
      if (m.currency !== currency)
        ctx.addIssue({
          code: "custom",
          path: [...path, "currency"],
          message: `must be ${currency} like the outstanding amount`,
        });
      if (m.amountMinor < 0)
        ctx.addIssue({ code: "custom", path: [...path, "amountMinor"], message: "must not be negative" });
    }
    if (claim.outstanding.amountMinor <= 0)
      ctx.addIssue({ code: "custom", path: ["outstanding", "amountMinor"], message: "must be positive" });
    if (claim.original.currency === currency && claim.outstanding.amountMinor > claim.original.amountMinor) {
      ctx.addIssue({
        code: "custom",
        path: ["outstanding", "amountMinor"],
        message: "must not exceed the original amount",
      });
    }
    if (claim.dueDate < claim.invoiceDate)
      ctx.addIssue({ code: "custom", path: ["dueDate"], message: "must not be before the invoice date" });
    if (claim.interest && claim.interest.to < claim.interest.from) {
      ctx.addIssue({ code: "custom", path: ["interest", "to"], message: "must not be before interest.from" });
    }
  });

export type Claim = z.infer<typeof ClaimSchema>;
export type ClaimDebtor = Claim["debtor"];
export type ClaimCreditor = Claim["creditor"];

// ---------------------------------------------------------------------------------------------------------
// What a partner answers.

export type PartnerCapabilities = {
  currencies: readonly string[];
  /** ISO 3166-1 alpha-2 countries the partner collects in. */
  countries: readonly string[];
  /** Offers the court dunning procedure (dunning option B). */
  courtDunning: boolean;
  /** Claims below this are refused by the partner; null when the partner publishes none. */
  minimumAmount: Money | null;
  /** Shown to the shop owner next to the partner: who pays what. */
  feeInfo: string;
  /**
   * A claim can be looked up by our invoice number, so a handover whose answer was lost is healed by a look-up before
   * any resend. Without it such a handover waits for a person (handover unknown).
   */
  lookupByReference: boolean;
  /** Where changes come from: one feed for all claims (fetchChanges), or each claim's status in turn (claimStatus). */
  statusSource: "feed" | "per_claim";
  /** Takes a handed-over claim back when the shop cancels (requestRecall). */
  recall: boolean;
  /** Books a payment the debtor made to the shop directly (reportPayment); otherwise the shop reports it itself. */
  directPaymentReport: boolean;
  /** Checks a claim without storing it (validateClaim): run before every handover and as the connection test. */
  dryRun: boolean;
  /** Where the shop does what this interface cannot (the partner's own portal); null when none is known. */
  portal: string | null;
};

export type SubmitClaimResult =
  /** partnerReference is null when the partner issues its claim number later (Riverty: in the feed). */
  | { kind: "accepted"; partnerReference: string | null; requestId: string }
  | { kind: "rejected"; reasons: string[] }
  | { kind: "retryable"; reason: string }
  /**
   * The claim may have reached the partner but its answer did not reach us (a timeout, a dropped connection, a 5xx, an
   * answer without the claim number). Never sent again without a look-up or a person's decision.
   */
  | { kind: "unknown"; reason: string };

export type PartnerClaimStatus = "in_creation" | "processing" | "paused" | "closed" | "rejected";

export type FindClaimResult =
  | { kind: "found"; claimNumber: string; status: PartnerClaimStatus }
  | { kind: "not_found" }
  | { kind: "retryable"; reason: string };

/** Answer to an action on a claim the partner holds (payment report, recall). */
export type PartnerActionResult =
  | { kind: "accepted"; requestId: string }
  | { kind: "rejected"; reasons: string[] }
  | { kind: "retryable"; reason: string };

export type DirectPayment = {
  claimNumber: string;
  invoiceNumber: string;
  /** Our id of this payment; the partner uses it to process a payment sent twice only once. */
  paymentNumber: string;
  amount: Money;
  date: LocalDate;
};

export type RecallRequest = {
  claimNumber: string;
  invoiceNumber: string;
  date: LocalDate;
  /** Null recalls the whole claim; an amount recalls part of it. */
  amount: Money | null;
  reason: string | null;
};

export type ClosingOutcome = "paid_in_full" | "partial" | "uncollectible" | "recalled" | "other";

/** What a confirmation or rejection is about: the claim itself or one of the follow-up requests. */
export type PartnerSubject =
  "claim" | "costs" | "interests" | "payment" | "recall" | "credit_waiver" | "cancellation" | "other";

/**
 * One thing the partner reports, normalized. `id` is unique per change (dedupe across overlapping polls);
 * invoiceNumber is ours, claimNumber the partner's; at least one of them is set.
 */
export type PartnerChange = {
  id: string;
  invoiceNumber: string | null;
  claimNumber: string | null;
  occurredAt: Date;
} & (
  | { type: "confirmed"; subject: PartnerSubject; claimNumber: string }
  | { type: "rejected"; subject: PartnerSubject; reasons: string[]; description: string | null }
  | { type: "sub_status"; subStatus: PartnerSubStatus; detail: string }
  /**
   * amount lowers the claim (principal); fees are the shop's dunning fees and interest collected on top.
   * receivedBy "partner": the debtor paid the partner; "client": the partner books a payment we reported.
   */
  | { type: "payment"; amount: Money; fees?: Money; receivedBy: "partner" | "client" }
  /** detail: the partner's own closing code, e.g. Riverty's "CLAIM_DISPUTED". */
  | { type: "closed"; outcome: ClosingOutcome; detail: string }
);

export type PartnerChangeType = PartnerChange["type"];

/** One claim's status as the partner reports it, with its raw code and text for the case timeline. */
export type ClaimStatusResult =
  /** change: what the status means for the case; null for a status that changes nothing (or one not in the table). */
  | { kind: "ok"; code: string; text: string; change: PartnerChange | null; known: boolean }
  /** The partner refused to answer for this claim (it does not know the number): only this claim is skipped. */
  | { kind: "refused"; reason: string }
  | { kind: "retryable"; reason: string };

export type FetchChangesResult =
  /** skipped: feed items that could not be read (logged by the caller, never retried forever). */
  | { kind: "ok"; changes: PartnerChange[]; nextCursor: string; skipped: { id: string; reason: string }[] }
  | { kind: "retryable"; reason: string };

/** Whether the partner takes the shop's credentials now; reason says what it answered (for the settings page). */
export type ConnectionCheckResult = { kind: "ok" } | { kind: "failed"; reason: string };

/** Optional methods come with their capability flag (PartnerCapabilities); callers offer only what is there. */
export interface CollectionPartner {
  readonly id: string;
  readonly capabilities: PartnerCapabilities;
  /** Signs in with the configured credentials, nothing else (Riverty: a fresh OAuth token; mediaFinanz: a dry run). */
  checkConnection(): Promise<ConnectionCheckResult>;
  /**
   * Hands a claim over. requestId is our id of this attempt (the outbox key), sent along for tracing only; reference
   * is the case's stable id. No partner promises idempotency: see submitClaimExactlyOnce.
   */
  submitClaim(claim: Claim, options: { requestId: string; reference: string }): Promise<SubmitClaimResult>;
  /** capabilities.dryRun: the partner checks the claim and stores nothing. */
  validateClaim?(claim: Claim, options: { reference: string }): Promise<PartnerActionResult>;
  /** capabilities.lookupByReference */
  findClaim?(invoiceNumber: string): Promise<FindClaimResult>;
  /** capabilities.directPaymentReport */
  reportPayment?(payment: DirectPayment): Promise<PartnerActionResult>;
  requestRecall(recall: RecallRequest): Promise<PartnerActionResult>;
  /** capabilities.statusSource "feed". cursor null: start of the feed as the adapter defines it. */
  fetchChanges?(cursor: string | null): Promise<FetchChangesResult>;
  /** capabilities.statusSource "per_claim" */
  claimStatus?(claimNumber: string): Promise<ClaimStatusResult>;
}

export type SubmitOnceResult =
  | SubmitClaimResult
  /** The partner already has this claim from an earlier attempt whose answer we never saw. */
  | { kind: "already_submitted"; claimNumber: string; status: PartnerClaimStatus };

/**
 * The exactly-once handover: where the partner can look a claim up, look the invoice up first and only send when it
 * does not have it (or rejected it, so a fixed claim may go again); a crash after sending is healed by the next
 * attempt's look-up. Where it cannot, the caller must record that a send began (submitClaimHandler) and never repeat
 * one that may have arrived.
 */
export async function submitClaimExactlyOnce(
  partner: CollectionPartner,
  claim: Claim,
  options: {
    requestId: string;
    reference: string;
    /**
     * Asked between the look-up and the send: false means the caller no longer owns this handover (its outbox lease
     * ran out while it waited and another worker took over), so it must not send — the look-up it made is stale.
     */
    stillOwner?: () => Promise<boolean>;
  },
): Promise<SubmitOnceResult> {
  if (partner.findClaim) {
    const existing = await partner.findClaim(claim.invoiceNumber);
    if (existing.kind === "retryable") return existing;
    if (existing.kind === "found" && existing.status !== "rejected") {
      return { kind: "already_submitted", claimNumber: existing.claimNumber, status: existing.status };
    }
  }
  if (partner.validateClaim) {
    // A dry run first: a claim the partner would refuse never costs a real attempt.
    const checked = await partner.validateClaim(claim, { reference: options.reference });
    if (checked.kind !== "accepted") return checked;
  }
  if (options.stillOwner && !(await options.stillOwner()))
    return { kind: "retryable", reason: "another worker took this handover over" };
  const sent = await partner.submitClaim(claim, { requestId: options.requestId, reference: options.reference });
  // With a look-up, a lost answer heals at the next attempt; without one a person decides.
  return sent.kind === "unknown" && partner.findClaim ? { kind: "retryable", reason: sent.reason } : sent;
}
