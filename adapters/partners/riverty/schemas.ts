// Riverty "Back in Flow" collection API, as documented on docs.riverty.com/back_in_flow (see
// docs/platforms/riverty.md §1). Where the documentation is silent the shape is marked UNVERIFIED and read
// leniently. Amounts are JSON numbers in the currency's major unit, dates yyyy-MM-dd.
import { z } from "zod";

import { isLocalDate } from "#app/domain/dates";

const date = z.string().refine(isLocalDate, "must be a date yyyy-MM-dd");
const amount = z.number();
const currency = z.string().regex(/^[A-Z]{3}$/, "must be an ISO-4217 code");
const max = (n: number) => z.string().max(n);

/** "agencyPayment", "AGENCY_PAYMENTS", "principal-claim" → upper snake case; the docs mix spellings. */
export function upperSnake(value: string): string {
  return value
    .trim()
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .replace(/[\s-]+/g, "_")
    .toUpperCase();
}

function lenientEnum<const T extends readonly [string, ...string[]]>(
  values: T,
  aliases: Record<string, T[number]> = {},
) {
  return z
    .string()
    .transform(upperSnake)
    .transform((v) => aliases[v] ?? v)
    .pipe(z.enum(values));
}

// ---------------------------------------------------------------------------------------------------------
// Auth (getting_started/authentication): OAuth2 client credentials, form-encoded.

export const TokenRequestSchema = z.object({
  grant_type: z.literal("client_credentials"),
  client_id: z.string().min(1),
  client_secret: z.string().min(1),
  audience: z.string().min(1),
});
export type TokenRequest = z.infer<typeof TokenRequestSchema>;

export const TokenResponseSchema = z.object({
  access_token: z.string().min(1),
  expires_in: z.number().positive(),
  token_type: z.string().optional(),
  scope: z.string().optional(),
});
export type TokenResponse = z.infer<typeof TokenResponseSchema>;

// ---------------------------------------------------------------------------------------------------------
// POST /v1/claims (api_reference/create_a_claim)

export const CUSTOMER_TYPES = ["PRIVATE", "COMPANY"] as const;
export const COMMUNICATION_CHANNEL_TYPES = ["PHONE", "MOBILE_PHONE", "EMAIL"] as const;

export const RivertyAddressSchema = z.object({
  type: z.literal("BILLING"),
  street: max(100).min(1),
  houseNumber: max(20).optional(),
  zipCode: max(20).min(1),
  city: max(100).min(1),
  countryCode: z.string().regex(/^[A-Z]{2}$/),
});

export const RivertyCustomerSchema = z.object({
  customerNumber: max(40).min(1),
  type: z.enum(CUSTOMER_TYPES),
  preferredLanguage: z.string().optional(),
  gender: z.string().optional(),
  firstName: max(100).optional(),
  lastName: max(100).optional(),
  /** UNVERIFIED: the documentation names no company field; sent for COMPANY customers. */
  companyName: max(200).optional(),
  dateOfBirth: date.optional(),
  addresses: z.array(RivertyAddressSchema).min(1),
  communicationChannels: z
    .array(z.object({ type: z.enum(COMMUNICATION_CHANNEL_TYPES), value: z.string().min(1) }))
    .optional(),
  bankAccounts: z.array(z.object({ iban: z.string(), bic: z.string().optional() })).optional(),
});

export const RivertyInvoiceSchema = z.object({
  invoiceNumber: max(40).min(1),
  referenceNumber: max(40).optional(),
  invoiceDate: date,
  dueDate: date,
  placementDate: date.optional(),
  originalAmount: amount.positive(),
  remainingAmount: amount.positive(),
  taxRate: amount.optional(),
  currency,
});

export const RivertyContractSchema = z.object({
  contractNumber: max(40).min(1),
  startDate: date.optional(),
  endDate: date.optional(),
  invoices: z.array(RivertyInvoiceSchema).min(1),
});

export const RivertyCostSchema = z.object({
  /** UNVERIFIED value set; we send "DUNNING_FEE". */
  type: max(40).min(1),
  date,
  description: max(256).optional(),
  invoiceNumber: max(40).min(1),
  originalAmount: amount.positive(),
  remainingAmount: amount.positive(),
});

export const RivertyInterestSchema = z.object({
  invoiceNumber: max(40).min(1),
  fromDate: date,
  toDate: date,
  capitalized: z.boolean(),
  originalAmount: amount.positive(),
  remainingAmount: amount.positive(),
});

export const RivertyClaimBodySchema = z.object({
  customer: RivertyCustomerSchema,
  referenceContacts: z.array(z.record(z.string(), z.unknown())).optional(),
  contracts: z.array(RivertyContractSchema).min(1),
  costs: z.array(RivertyCostSchema).optional(),
  interests: z.array(RivertyInterestSchema).optional(),
  industry: z.string().optional(),
  additionalProperties: z.array(z.record(z.string(), z.unknown())).optional(),
});
export type RivertyClaimBody = z.infer<typeof RivertyClaimBodySchema>;

/** Every write answers only this; the outcome arrives later as a transaction. */
export const RequestIdResponseSchema = z.object({ requestId: z.string().min(1) });

// ---------------------------------------------------------------------------------------------------------
// Follow-up requests on a claim (api_reference/create_a_payment, create_a_recall)

export const ALLOCATE_TO = ["PRINCIPAL_CLAIM", "CLIENT_COSTS", "CLIENT_INTERESTS"] as const;

export const RivertyPaymentBodySchema = z.object({
  paymentNumber: max(40).min(1),
  invoiceNumber: max(40).min(1),
  contractNumber: max(40).optional(),
  date,
  description: max(256).optional(),
  amount: amount.positive(),
  currency,
  allocateTo: z.enum(ALLOCATE_TO).optional(),
});
export type RivertyPaymentBody = z.infer<typeof RivertyPaymentBodySchema>;

/** An empty body recalls the whole claim (documentation/create_a_recall); with an amount, part of it. */
export const RivertyRecallBodySchema = z.object({
  invoiceNumber: max(40).optional(),
  contractNumber: max(40).optional(),
  type: max(20).optional(),
  description: max(256).optional(),
  date: date.optional(),
  amount: amount.positive().optional(),
  currency: currency.optional(),
});
export type RivertyRecallBody = z.infer<typeof RivertyRecallBodySchema>;

// ---------------------------------------------------------------------------------------------------------
// GET /v1/claims/search (api_reference/search_for_a_claim)

export const CLAIM_STATUSES = ["REJECTED", "IN_CREATION", "PROCESSING", "PAUSED", "CLOSED"] as const;

export const RivertySearchItemSchema = z.object({
  claimNumber: z.string().min(1),
  customerNumber: z.string().optional(),
  customerDisplayName: z.string().optional(),
  status: lenientEnum(CLAIM_STATUSES),
  /** The docs call it "list of invoices" without naming the field (UNVERIFIED). */
  invoices: z.array(z.object({ invoiceNumber: z.string() }).loose()).optional(),
});
export type RivertySearchItem = z.infer<typeof RivertySearchItemSchema>;

const PaginationSchema = z.object({
  totalItems: z.number().int(),
  pageSize: z.number().int(),
  currentPage: z.number().int(),
  totalPages: z.number().int(),
});

/** The envelope's field names are UNVERIFIED: a bare array, or an object with the list under items/claims/data. */
export const RivertySearchResponseSchema = z.union([
  z.array(RivertySearchItemSchema).transform((items) => ({ items, pagination: null })),
  z
    .object({
      items: z.array(RivertySearchItemSchema).optional(),
      claims: z.array(RivertySearchItemSchema).optional(),
      data: z.array(RivertySearchItemSchema).optional(),
      pagination: PaginationSchema.optional(),
    })
    .transform((o) => ({ items: o.items ?? o.claims ?? o.data ?? [], pagination: o.pagination ?? null })),
]);

// ---------------------------------------------------------------------------------------------------------
// GET /v1/transactions?from&to (api_reference/get_all_transactions_within_a_period_of_time)

export const TRANSACTION_TYPES = ["CONFIRMATION", "REJECTION", "STATUS", "ACCOUNTING_DOCUMENT", "CLOSING"] as const;
export type TransactionType = (typeof TRANSACTION_TYPES)[number];

export const CONFIRMATION_TYPES = [
  "INVOICE",
  "CLIENT_INTERESTS",
  "CLIENT_COSTS",
  "CREDIT_WAIVER",
  "DIRECT_PAYMENT",
  "RECALL",
  "CANCELLATION",
  "DOCUMENT",
] as const;
export type ConfirmationType = (typeof CONFIRMATION_TYPES)[number];

export const REJECTION_REASONS = [
  "AMOUNT_TOO_LOW",
  "AMOUNT_TOO_HIGH",
  "CLAIM_NOT_PLAUSIBLE",
  "BREACH_OF_CONTRACT",
  "CONTRAVENTION",
  "INSOLVENCY",
  "INCORRECT_CURRENCY",
  "NO_ASSIGNMENT_POSSIBLE",
  "CUSTOMER_INCAPABLE_OF_CONTRACTING",
  "CUSTOMER_ABROAD",
  "FRAUD_KNOWN",
] as const;
export type RejectionReason = (typeof REJECTION_REASONS)[number];

export const ACCOUNTING_DOCUMENT_TYPES = [
  "DIRECT_PAYMENT",
  "AGENCY_PAYMENTS",
  "CREDIT_WAIVER",
  "DEBIT",
  "WRITE_OFF",
  "CANCELLATION",
  "REALLOCATION",
] as const;
export type AccountingDocumentType = (typeof ACCOUNTING_DOCUMENT_TYPES)[number];

export const CLOSING_TYPES = [
  "IRRECOVERABLE",
  "POOR_CREDIT_RATING",
  "WRITE_OFF",
  "PARTIAL_SUCCESS",
  "RECALLED_BY_CLIENT",
  "FRAUD",
  "FULL_PAYMENT",
  "UNKNOWN_ADDRESS",
  "CLAIM_DISPUTED",
  "DEBTOR_LIVING_ABROAD",
  "CUSTOMER_INCAPABLE_OF_CONTRACTING",
  "RETURNED_TO_CLIENT",
  "COMPANY_LIQUIDATED",
  "INSOLVENCY",
  "COMPLETED_BY_CREDIT",
  "HIGH_COST_RISK",
  "LONGTERM_MONITORING",
  "SOLDIER",
  "MISSING_DATA",
  "NO_CONTRACT_DOCUMENTATION",
  "CLAIM_DISMISSED",
  "MINOR_DEBTOR",
  "PERIOD_OF_LIMITATION_REACHED",
  "TOO_LOW_FOR_LEGAL_ACTION",
  "DEBTOR_DECEASED",
  "DUPLICATE_CONTRACT",
  "PAYMENT_BEFORE_HANDOVER",
  "SECOND_PLACEMENT",
  "COMPLETED_BY_SETTLEMENT",
] as const;
export type ClosingType = (typeof CLOSING_TYPES)[number];

/**
 * UNVERIFIED: the STATUS transaction's fields are not documented. We read { date, type, description } and
 * know these codes (the sandbox emits them); any other code is skipped with a reason, never guessed.
 */
export const STATUS_TYPES = [
  "RECEIVED",
  "DEBTOR_CONTACTED",
  "PAYMENT_PLAN",
  "CLAIM_DISPUTED",
  "COURT_PROCEDURE",
] as const;
export type StatusType = (typeof STATUS_TYPES)[number];

const base = {
  sortNumber: z.number().int().optional(),
  id: z.string().min(1),
  claimNumber: z.string().min(1).nullable().optional(),
  customerNumber: z.string().nullable().optional(),
};

const ConfirmationBodySchema = z.object({
  date,
  type: lenientEnum(CONFIRMATION_TYPES),
  number: z.string().nullable().optional(),
  contractNumber: z.string().nullable().optional(),
  amount: amount.nullable().optional(),
  currency: currency.nullable().optional(),
  description: z.string().nullable().optional(),
});

export const ConfirmationTransactionSchema = z.object({
  ...base,
  type: z.literal("CONFIRMATION"),
  confirmation: ConfirmationBodySchema,
});

export const RejectionTransactionSchema = z.object({
  ...base,
  type: z.literal("REJECTION"),
  rejection: ConfirmationBodySchema.extend({ reason: lenientEnum(REJECTION_REASONS).nullable().optional() }),
});

export const StatusTransactionSchema = z.object({
  ...base,
  type: z.literal("STATUS"),
  status: z.object({ date, type: z.string().transform(upperSnake), description: z.string().nullable().optional() }),
});

export const LineItemSchema = z.object({
  id: z.string().optional(),
  amount,
  allocateTo: z.string().transform(upperSnake).nullable().optional(),
  invoiceNumber: z.string().nullable().optional(),
  contractNumber: z.string().nullable().optional(),
});

export const AccountingDocumentTransactionSchema = z.object({
  ...base,
  type: z.literal("ACCOUNTING_DOCUMENT"),
  accountingDocument: z.object({
    date,
    type: lenientEnum(ACCOUNTING_DOCUMENT_TYPES, { AGENCY_PAYMENT: "AGENCY_PAYMENTS" }),
    number: z.string().nullable().optional(),
    originalType: z.string().transform(upperSnake).nullable().optional(),
    originalNumber: z.string().nullable().optional(),
    amount,
    currency,
    lineItems: z.array(LineItemSchema).optional(),
  }),
});

export const ClosingTransactionSchema = z.object({
  ...base,
  type: z.literal("CLOSING"),
  closing: z.object({
    date,
    type: lenientEnum(CLOSING_TYPES),
    /** Documented only as "object"; we read invoiceNumber when present. */
    invoice: z.object({ invoiceNumber: z.string().optional() }).loose().nullable().optional(),
  }),
});

export const TransactionSchema = z.discriminatedUnion("type", [
  ConfirmationTransactionSchema,
  RejectionTransactionSchema,
  StatusTransactionSchema,
  AccountingDocumentTransactionSchema,
  ClosingTransactionSchema,
]);
export type RivertyTransaction = z.infer<typeof TransactionSchema>;
/** What a server sends: the input side of the schema (before our spelling normalizations). */
export type RivertyTransactionInput = z.input<typeof TransactionSchema>;

/** The list is parsed item by item so one unreadable item never blocks the feed. */
export const TransactionsResponseSchema = z.array(z.unknown());

// ---------------------------------------------------------------------------------------------------------
// Errors: the error body is UNVERIFIED. We collect any human-readable messages we find.

export function errorMessages(body: unknown): string[] {
  const out: string[] = [];
  const visit = (value: unknown, depth: number) => {
    if (depth > 3 || value == null) return;
    if (typeof value === "string") {
      if (value.trim()) out.push(value.trim());
      return;
    }
    if (Array.isArray(value)) {
      for (const v of value) visit(v, depth + 1);
      return;
    }
    if (typeof value === "object") {
      const o = value as Record<string, unknown>;
      const field = [o.field, o.propertyName, o.path].find((f) => typeof f === "string") as string | undefined;
      for (const key of ["message", "detail", "title", "error_description", "description"]) {
        const v = o[key];
        if (typeof v === "string" && v.trim()) {
          out.push(field ? `${field}: ${v.trim()}` : v.trim());
          break;
        }
      }
      for (const key of ["errors", "messages", "details"]) visit(o[key], depth + 1);
    }
  };
  visit(body, 0);
  return [...new Set(out)];
}
