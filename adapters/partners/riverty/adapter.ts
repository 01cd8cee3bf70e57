// Riverty "Back in Flow" as a CollectionPartner: Claim → claim body, answers → results, the transaction feed →
// PartnerChange. Riverty has no idempotency key and no feed cursor: exactly-once rests on findClaim before any
// resend, and the feed is polled in overlapping time windows deduplicated by transaction id.
import { z } from "zod";

import type { PartnerSubStatus } from "#app/domain/case/status";
import type { LocalDate } from "#app/domain/dates";
import { type Money, money, parseMoney, toDecimalString } from "#app/domain/money";

import type {
  Claim,
  ClosingOutcome,
  CollectionPartner,
  ConnectionCheckResult,
  DirectPayment,
  FetchChangesResult,
  FindClaimResult,
  PartnerActionResult,
  PartnerCapabilities,
  PartnerChange,
  PartnerClaimStatus,
  PartnerSubject,
  RecallRequest,
  SubmitClaimResult,
} from "../collection-partner";
import { type HttpOutcome, RivertyClient, type RivertyClientOptions, type RivertyConfig } from "./client";
import {
  type ClosingType,
  type ConfirmationType,
  RequestIdResponseSchema,
  type RivertyClaimBody,
  RivertyClaimBodySchema,
  type RivertyPaymentBody,
  type RivertyRecallBody,
  type RivertySearchItem,
  RivertySearchResponseSchema,
  type RivertyTransaction,
  type StatusType,
  TransactionSchema,
  TransactionsResponseSchema,
} from "./schemas";

export type { RivertyConfig } from "./client";

export type RivertyFeedOptions = {
  /** Each poll re-reads this much before the previous poll's end (late items). */
  overlapMs: number;
  /** One /transactions request covers at most this long. */
  windowMs: number;
  /** A poll reads at most this many windows; a feed further behind catches up over several polls. */
  maxWindowsPerPoll: number;
  /** Where a null cursor starts, counted back from now. */
  initialLookbackMs: number;
};

export type RivertyAdapterOptions = RivertyClientOptions & {
  feed?: Partial<RivertyFeedOptions>;
  capabilities?: Partial<PartnerCapabilities>;
};

export const DEFAULT_FEED: RivertyFeedOptions = {
  overlapMs: 10 * 60_000,
  windowMs: 24 * 3_600_000,
  maxWindowsPerPoll: 14,
  initialLookbackMs: 7 * 24 * 3_600_000,
};

export const RIVERTY_CAPABILITIES: PartnerCapabilities = {
  currencies: ["EUR"],
  countries: ["DE", "AT"],
  courtDunning: true,
  minimumAmount: null,
  feeInfo:
    "Riverty charges the debtor the collection costs allowed by law (RVG, §13e RDG). What the shop pays for unsuccessful cases and recalls is set in its Riverty contract.",
  lookupByReference: true,
  statusSource: "feed",
  recall: true,
  directPaymentReport: true,
  dryRun: false,
  portal: null,
};

// ---------------------------------------------------------------------------------------------------------
// Money and the claim body.

/** Minor units → the JSON number Riverty expects, exactly: 1999 EUR → 19.99. */
export function toRivertyAmount(m: Money): number {
  return Number(toDecimalString(m));
}

/** A JSON number from Riverty → minor units, or null if it is not an exact amount in the currency. */
export function fromRivertyAmount(amount: number, currency: string): Money | null {
  if (!Number.isFinite(amount)) return null;
  const parsed = parseMoney(String(Math.abs(amount)), currency);
  return parsed.ok ? parsed.value : null;
}

const LEVEL_LABEL: Record<Claim["reminders"][number]["level"], string> = {
  reminder_1: "1. Mahnung",
  reminder_2: "2. Mahnung",
  final_reminder: "Letzte Mahnung",
};

export function toRivertyClaimBody(claim: Claim, placementDate: LocalDate): RivertyClaimBody {
  const d = claim.debtor;
  const channels: NonNullable<RivertyClaimBody["customer"]["communicationChannels"]> = [];
  if (d.email) channels.push({ type: "EMAIL", value: d.email });
  if (d.phone) channels.push({ type: "PHONE", value: d.phone });
  const present = (v: string | null | undefined) => (v && v.trim() !== "" ? v.trim() : undefined);

  return {
    customer: {
      customerNumber: present(d.customerNumber) ?? claim.invoiceNumber,
      type: d.type === "company" ? "COMPANY" : "PRIVATE",
      preferredLanguage: d.preferredLanguage ?? undefined,
      firstName: present(d.firstName),
      lastName: present(d.lastName),
      companyName: d.type === "company" ? present(d.company) : undefined,
      addresses: [
        {
          type: "BILLING",
          street: d.street,
          houseNumber: present(d.houseNumber),
          zipCode: d.postalCode,
          city: d.city,
          countryCode: d.countryCode,
        },
      ],
      communicationChannels: channels.length > 0 ? channels : undefined,
    },
    contracts: [
      {
        contractNumber: claim.orderNumber,
        startDate: claim.invoiceDate,
        invoices: [
          {
            invoiceNumber: claim.invoiceNumber,
            referenceNumber: claim.orderNumber,
            invoiceDate: claim.invoiceDate,
            dueDate: claim.dueDate,
            placementDate,
            originalAmount: toRivertyAmount(claim.original),
            remainingAmount: toRivertyAmount(claim.outstanding),
            currency: claim.outstanding.currency,
          },
        ],
      },
    ],
    costs: [
      ...claim.reminders
        .filter((r) => r.fee.amountMinor > 0)
        .map((r) => ({
          type: "DUNNING_FEE",
          date: r.sentAt,
          description: `${LEVEL_LABEL[r.level]} vom ${r.sentAt}`,
          invoiceNumber: claim.invoiceNumber,
          originalAmount: toRivertyAmount(r.fee),
          remainingAmount: toRivertyAmount(r.fee),
        })),
      // A cost of the shop like the reminder fees (the cost type set is unverified, see schemas.ts).
      ...(claim.flatFee && claim.flatFee.amount.amountMinor > 0
        ? [
            {
              type: "DEFAULT_FLAT_FEE",
              date: claim.flatFee.date,
              description: "Verzugspauschale § 288 Abs. 5 BGB",
              invoiceNumber: claim.invoiceNumber,
              originalAmount: toRivertyAmount(claim.flatFee.amount),
              remainingAmount: toRivertyAmount(claim.flatFee.amount),
            },
          ]
        : []),
    ],
    interests:
      claim.interest && claim.interest.amount.amountMinor > 0
        ? [
            {
              invoiceNumber: claim.invoiceNumber,
              fromDate: claim.interest.from,
              toDate: claim.interest.to,
              capitalized: false,
              originalAmount: toRivertyAmount(claim.interest.amount),
              remainingAmount: toRivertyAmount(claim.interest.amount),
            },
          ]
        : [],
  };
}

// ---------------------------------------------------------------------------------------------------------
// Feed cursor: JSON {from, seenIds}. `from` is where the next poll starts reading; seenIds are the transactions
// already returned that lie in the overlap, so they are not reported twice.

type Cursor = { from: number; seenIds: string[] };

export function rivertyCursor(from: Date, seenIds: string[] = []): string {
  return JSON.stringify({ from: from.toISOString(), seenIds });
}

function readCursor(cursor: string): Cursor {
  let raw: unknown;
  try {
    raw = JSON.parse(cursor);
  } catch {
    throw new Error(`not a Riverty feed cursor: ${cursor.slice(0, 80)}`);
  }
  const o = raw as { from?: unknown; seenIds?: unknown };
  const from = typeof o.from === "string" ? Date.parse(o.from) : NaN;
  if (!Number.isFinite(from) || !Array.isArray(o.seenIds) || !o.seenIds.every((s) => typeof s === "string")) {
    throw new Error(`not a Riverty feed cursor: ${cursor.slice(0, 80)}`);
  }
  return { from, seenIds: o.seenIds as string[] };
}

// ---------------------------------------------------------------------------------------------------------
// Transactions → PartnerChange.

const SUBJECT: Record<ConfirmationType, PartnerSubject> = {
  INVOICE: "claim",
  CLIENT_COSTS: "costs",
  CLIENT_INTERESTS: "interests",
  DIRECT_PAYMENT: "payment",
  RECALL: "recall",
  CREDIT_WAIVER: "credit_waiver",
  CANCELLATION: "cancellation",
  DOCUMENT: "other",
};

const SUB_STATUS: Record<StatusType, PartnerSubStatus> = {
  RECEIVED: "received",
  DEBTOR_CONTACTED: "contacted",
  PAYMENT_PLAN: "payment_plan",
  CLAIM_DISPUTED: "disputed",
  COURT_PROCEDURE: "court_procedure",
};

export const CLOSING_OUTCOME: Record<ClosingType, ClosingOutcome> = {
  FULL_PAYMENT: "paid_in_full",
  PARTIAL_SUCCESS: "partial",
  COMPLETED_BY_SETTLEMENT: "partial",
  RECALLED_BY_CLIENT: "recalled",
  IRRECOVERABLE: "uncollectible",
  POOR_CREDIT_RATING: "uncollectible",
  WRITE_OFF: "uncollectible",
  UNKNOWN_ADDRESS: "uncollectible",
  DEBTOR_LIVING_ABROAD: "uncollectible",
  CUSTOMER_INCAPABLE_OF_CONTRACTING: "uncollectible",
  COMPANY_LIQUIDATED: "uncollectible",
  INSOLVENCY: "uncollectible",
  HIGH_COST_RISK: "uncollectible",
  LONGTERM_MONITORING: "uncollectible",
  MINOR_DEBTOR: "uncollectible",
  PERIOD_OF_LIMITATION_REACHED: "uncollectible",
  TOO_LOW_FOR_LEGAL_ACTION: "uncollectible",
  DEBTOR_DECEASED: "uncollectible",
  // A credit note is not money received: the shop's own refund already lowered the outstanding amount.
  COMPLETED_BY_CREDIT: "other",
  CLAIM_DISPUTED: "other",
  CLAIM_DISMISSED: "other",
  FRAUD: "other",
  RETURNED_TO_CLIENT: "other",
  SOLDIER: "other",
  MISSING_DATA: "other",
  NO_CONTRACT_DOCUMENTATION: "other",
  DUPLICATE_CONTRACT: "other",
  PAYMENT_BEFORE_HANDOVER: "other",
  SECOND_PLACEMENT: "other",
};

type Normalized = { change: PartnerChange } | { skip: string };

/** The invoice number a transaction names itself, if any. */
function ownInvoiceNumber(t: RivertyTransaction): string | null {
  switch (t.type) {
    case "CONFIRMATION":
      return t.confirmation.type === "INVOICE" ? (t.confirmation.number ?? null) : null;
    case "REJECTION":
      return t.rejection.type === "INVOICE" ? (t.rejection.number ?? null) : null;
    case "ACCOUNTING_DOCUMENT":
      return t.accountingDocument.lineItems?.find((l) => l.invoiceNumber)?.invoiceNumber ?? null;
    case "CLOSING":
      return t.closing.invoice?.invoiceNumber ?? null;
    case "STATUS":
      return null;
  }
}

function normalize(t: RivertyTransaction, invoiceNumber: string | null): Normalized {
  const claimNumber = t.claimNumber ?? null;
  const head = { id: t.id, invoiceNumber, claimNumber };
  const at = (date: string) => new Date(`${date}T00:00:00.000Z`);
  switch (t.type) {
    case "CONFIRMATION": {
      if (!claimNumber) return { skip: "confirmation without a claim number" };
      return {
        change: {
          ...head,
          claimNumber,
          occurredAt: at(t.confirmation.date),
          type: "confirmed",
          subject: SUBJECT[t.confirmation.type],
        },
      };
    }
    case "REJECTION":
      return {
        change: {
          ...head,
          occurredAt: at(t.rejection.date),
          type: "rejected",
          subject: SUBJECT[t.rejection.type],
          reasons: t.rejection.reason ? [t.rejection.reason] : [],
          description: t.rejection.description ?? null,
        },
      };
    case "STATUS": {
      const subStatus = (SUB_STATUS as Record<string, PartnerSubStatus | undefined>)[t.status.type];
      if (!subStatus) return { skip: `unknown status ${t.status.type}` };
      return {
        change: { ...head, occurredAt: at(t.status.date), type: "sub_status", subStatus, detail: t.status.type },
      };
    }
    case "ACCOUNTING_DOCUMENT": {
      const doc = t.accountingDocument;
      if (doc.type !== "AGENCY_PAYMENTS" && doc.type !== "DIRECT_PAYMENT")
        return { skip: `accounting document ${doc.type} is not a payment` };
      const total = fromRivertyAmount(doc.amount, doc.currency);
      if (!total) return { skip: `amount ${doc.amount} ${doc.currency} is not exact` };
      // With line items: the principal lowers the claim; client costs and interests are the shop's fees on top;
      // anything else (the agency's own costs, overpayment) is not the shop's claim. Without: all is principal.
      let amount = total;
      let fees: Money | undefined;
      if (doc.lineItems && doc.lineItems.length > 0) {
        let principal = 0;
        let extra = 0;
        for (const line of doc.lineItems) {
          const part = fromRivertyAmount(line.amount, doc.currency);
          if (!part) return { skip: `line amount ${line.amount} ${doc.currency} is not exact` };
          if (line.allocateTo === "PRINCIPAL_CLAIM") principal += part.amountMinor;
          else if (line.allocateTo === "CLIENT_COSTS" || line.allocateTo === "CLIENT_INTERESTS")
            extra += part.amountMinor;
        }
        amount = money(principal, doc.currency);
        if (extra > 0) fees = money(extra, doc.currency);
      }
      return {
        change: {
          ...head,
          occurredAt: at(doc.date),
          type: "payment",
          amount,
          ...(fees ? { fees } : {}),
          receivedBy: doc.type === "AGENCY_PAYMENTS" ? "partner" : "client",
        },
      };
    }
    case "CLOSING":
      return {
        change: {
          ...head,
          occurredAt: at(t.closing.date),
          type: "closed",
          outcome: CLOSING_OUTCOME[t.closing.type],
          detail: t.closing.type,
        },
      };
  }
}

// ---------------------------------------------------------------------------------------------------------

const STATUS: Record<RivertySearchItem["status"], PartnerClaimStatus> = {
  REJECTED: "rejected",
  IN_CREATION: "in_creation",
  PROCESSING: "processing",
  PAUSED: "paused",
  CLOSED: "closed",
};

function describeIssues(error: { issues: { path: PropertyKey[]; message: string }[] }): string[] {
  return error.issues.slice(0, 10).map((i) => `${i.path.map(String).join(".") || "(body)"}: ${i.message}`);
}

function actionResult(outcome: HttpOutcome): PartnerActionResult {
  if (outcome.kind === "retryable") return { kind: "retryable", reason: outcome.reason };
  if (outcome.kind === "rejected") return { kind: "rejected", reasons: outcome.messages };
  const parsed = RequestIdResponseSchema.safeParse(outcome.body);
  if (!parsed.success)
    return { kind: "retryable", reason: "Riverty accepted the request but its answer has no requestId" };
  return { kind: "accepted", requestId: parsed.data.requestId };
}

// ---------------------------------------------------------------------------------------------------------
// Environments. Riverty hands out the sandbox and production hosts with the contract (docs/platforms/riverty.md: not public), so
// the operator sets them once per installation in RIVERTY_ENDPOINTS; a shop only picks the environment, never a URL.

export const RIVERTY_ENVIRONMENTS = ["sandbox", "production"] as const;
export type RivertyEnvironment = (typeof RIVERTY_ENVIRONMENTS)[number];

/** The documented audience of Riverty's test system (getting_started/authentication). */
export const RIVERTY_SANDBOX_AUDIENCE = "https://api-test.horizonafs.io";

const EndpointsSchema = z.object({
  baseUrl: z.url({ protocol: /^https?$/ }),
  authUrl: z.url({ protocol: /^https?$/ }),
  audience: z.string().min(1),
});
export type RivertyEndpoints = z.infer<typeof EndpointsSchema>;

export const RivertyEndpointsConfigSchema = z
  .object({
    sandbox: EndpointsSchema.extend({ audience: z.string().min(1).default(RIVERTY_SANDBOX_AUDIENCE) }).optional(),
    production: EndpointsSchema.optional(),
  })
  .strict();

/**
 * The endpoints of each environment from RIVERTY_ENDPOINTS, e.g.
 * `{"sandbox":{"baseUrl":"…","authUrl":"https://…/oauth/token"},"production":{"baseUrl":"…","authUrl":"…","audience":"…"}}`;
 * an environment that is not set cannot be chosen. Throws on a malformed value (checked at start-up).
 */
export function rivertyEnvironments(json: string | undefined): Partial<Record<RivertyEnvironment, RivertyEndpoints>> {
  if (!json) return {};
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    throw new TypeError("RIVERTY_ENDPOINTS is not JSON");
  }
  const parsed = RivertyEndpointsConfigSchema.safeParse(value);
  if (!parsed.success)
    throw new TypeError(
      `RIVERTY_ENDPOINTS: ${parsed.error.issues.map((i) => `${i.path.join(".")} ${i.message}`).join("; ")}`,
    );
  return parsed.data;
}

export class RivertyAdapter implements CollectionPartner {
  readonly id = "riverty";
  readonly capabilities: PartnerCapabilities;
  private readonly client: RivertyClient;
  private readonly feed: RivertyFeedOptions;
  private readonly now: () => number;

  constructor(config: RivertyConfig, options: RivertyAdapterOptions = {}) {
    this.client = new RivertyClient(config, options);
    this.now = options.now ?? Date.now;
    this.feed = { ...DEFAULT_FEED, ...options.feed };
    if (this.feed.windowMs < this.feed.overlapMs) throw new RangeError("feed.windowMs must be at least feed.overlapMs");
    this.capabilities = { ...RIVERTY_CAPABILITIES, ...options.capabilities };
  }

  async submitClaim(claim: Claim, options: { requestId: string; reference?: string }): Promise<SubmitClaimResult> {
    if (!this.capabilities.currencies.includes(claim.outstanding.currency)) {
      return { kind: "rejected", reasons: [`Riverty collects only in ${this.capabilities.currencies.join(", ")}`] };
    }
    const placementDate = new Date(this.now()).toISOString().slice(0, 10);
    const body = RivertyClaimBodySchema.safeParse(toRivertyClaimBody(claim, placementDate));
    if (!body.success) return { kind: "rejected", reasons: describeIssues(body.error) };
    // x-request-id is for tracing in logs only; Riverty documents no idempotency key.
    const outcome = await this.client.request("POST", "/v1/claims", {
      body: body.data,
      headers: { "x-request-id": options.requestId },
    });
    if (outcome.kind === "retryable") return { kind: "retryable", reason: outcome.reason };
    if (outcome.kind === "rejected") return { kind: "rejected", reasons: outcome.messages };
    const answer = RequestIdResponseSchema.safeParse(outcome.body);
    // Accepted but unreadable: the next attempt's findClaim tells whether it arrived.
    if (!answer.success) return { kind: "retryable", reason: "Riverty answered the claim without a requestId" };
    return { kind: "accepted", partnerReference: null, requestId: answer.data.requestId };
  }

  async checkConnection(): Promise<ConnectionCheckResult> {
    const result = await this.client.checkCredentials();
    return result.ok ? { kind: "ok" } : { kind: "failed", reason: result.reason };
  }

  async findClaim(invoiceNumber: string): Promise<FindClaimResult> {
    const items = await this.search({ invoiceNumber });
    if (!items.ok) return { kind: "retryable", reason: items.reason };
    const matching = items.value.filter(
      (i) => !i.invoices || i.invoices.length === 0 || i.invoices.some((inv) => inv.invoiceNumber === invoiceNumber),
    );
    const best = matching.find((i) => i.status !== "REJECTED") ?? matching[0];
    if (!best) return { kind: "not_found" };
    return { kind: "found", claimNumber: best.claimNumber, status: STATUS[best.status] };
  }

  async reportPayment(payment: DirectPayment): Promise<PartnerActionResult> {
    if (payment.amount.amountMinor <= 0) return { kind: "rejected", reasons: ["a payment must be a positive amount"] };
    const body: RivertyPaymentBody = {
      paymentNumber: payment.paymentNumber,
      invoiceNumber: payment.invoiceNumber,
      date: payment.date,
      amount: toRivertyAmount(payment.amount),
      currency: payment.amount.currency,
      allocateTo: "PRINCIPAL_CLAIM",
    };
    return actionResult(
      await this.client.request("POST", `/v1/claims/${encodeURIComponent(payment.claimNumber)}/payments`, { body }),
    );
  }

  async requestRecall(recall: RecallRequest): Promise<PartnerActionResult> {
    // A total recall is an empty body (documentation/create_a_recall); a partial one names invoice and amount.
    const body: RivertyRecallBody = recall.amount
      ? {
          invoiceNumber: recall.invoiceNumber,
          type: "CREDIT_WAIVER",
          date: recall.date,
          amount: toRivertyAmount(recall.amount),
          currency: recall.amount.currency,
          ...(recall.reason ? { description: recall.reason.slice(0, 256) } : {}),
        }
      : recall.reason
        ? { description: recall.reason.slice(0, 256) }
        : {};
    return actionResult(
      await this.client.request("POST", `/v1/claims/${encodeURIComponent(recall.claimNumber)}/recalls`, { body }),
    );
  }

  async fetchChanges(cursor: string | null): Promise<FetchChangesResult> {
    const now = this.now();
    const start = cursor === null ? { from: now - this.feed.initialLookbackMs, seenIds: [] } : readCursor(cursor);
    const previouslySeen = new Set(start.seenIds);
    const windows: [number, number][] = [];
    for (let from = start.from; from < now && windows.length < this.feed.maxWindowsPerPoll;) {
      const to = Math.min(from + this.feed.windowMs, now);
      windows.push([from, to]);
      from = to;
    }
    if (windows.length === 0)
      return { kind: "ok", changes: [], nextCursor: rivertyCursor(new Date(start.from), start.seenIds), skipped: [] };

    const changes: PartnerChange[] = [];
    const skipped: { id: string; reason: string }[] = [];
    const returned: { id: string; windowEnd: number }[] = [];
    const reported = new Set<string>();
    const invoiceOf = new Map<string, string | null>();
    let readUntil: number | null = null;

    for (const [from, to] of windows) {
      const outcome = await this.client.request("GET", "/v1/transactions", {
        query: { from: new Date(from).toISOString(), to: new Date(to).toISOString() },
      });
      if (outcome.kind !== "ok") {
        if (readUntil === null) {
          return {
            kind: "retryable",
            reason: outcome.kind === "retryable" ? outcome.reason : `transactions: ${outcome.messages.join("; ")}`,
          };
        }
        break; // keep what the earlier windows gave; the next poll resumes from there
      }
      const list = TransactionsResponseSchema.safeParse(outcome.body);
      if (!list.success) {
        if (readUntil === null) return { kind: "retryable", reason: "Riverty transactions answer is not a list" };
        break;
      }
      const parsed: RivertyTransaction[] = [];
      for (const raw of list.data) {
        const item = TransactionSchema.safeParse(raw);
        const id = typeof (raw as { id?: unknown })?.id === "string" ? (raw as { id: string }).id : null;
        if (id) returned.push({ id, windowEnd: to });
        if (!item.success) {
          if (id && !previouslySeen.has(id) && !reported.has(id)) {
            reported.add(id);
            skipped.push({ id, reason: describeIssues(item.error).join("; ") });
          }
          continue;
        }
        parsed.push(item.data);
      }
      parsed.sort((a, b) => (a.sortNumber ?? 0) - (b.sortNumber ?? 0));
      for (const t of parsed) {
        const own = ownInvoiceNumber(t);
        if (own && t.claimNumber) invoiceOf.set(t.claimNumber, own);
      }
      for (const t of parsed) {
        if (previouslySeen.has(t.id) || reported.has(t.id)) continue;
        reported.add(t.id);
        const invoiceNumber =
          ownInvoiceNumber(t) ?? (t.claimNumber ? await this.invoiceForClaim(t.claimNumber, invoiceOf) : null);
        const result = normalize(t, invoiceNumber);
        if ("skip" in result) skipped.push({ id: t.id, reason: result.skip });
        else changes.push(result.change);
      }
      readUntil = to;
    }

    const until = readUntil as number;
    const nextFrom = Math.max(start.from, until - this.feed.overlapMs);
    // Anything the next poll can see again was returned by a window reaching into [nextFrom, …].
    const seenIds = [...new Set(returned.filter((r) => r.windowEnd >= nextFrom).map((r) => r.id))];
    return { kind: "ok", changes, nextCursor: rivertyCursor(new Date(nextFrom), seenIds), skipped };
  }

  /** Feed items that do not name the invoice (STATUS): ask the claim search once per claim and poll. */
  private async invoiceForClaim(claimNumber: string, cache: Map<string, string | null>): Promise<string | null> {
    if (cache.has(claimNumber)) return cache.get(claimNumber) ?? null;
    const items = await this.search({ claimNumber });
    const found = items.ok
      ? (items.value.find((i) => i.claimNumber === claimNumber)?.invoices?.[0]?.invoiceNumber ?? null)
      : null;
    // A failed look-up is not cached: the change still carries the claim number the case is known by.
    if (items.ok) cache.set(claimNumber, found);
    return found;
  }

  private async search(query: {
    invoiceNumber?: string;
    claimNumber?: string;
  }): Promise<{ ok: true; value: RivertySearchItem[] } | { ok: false; reason: string }> {
    const outcome = await this.client.request("GET", "/v1/claims/search", {
      query: { ...query, page: 1, pageSize: 50 },
    });
    if (outcome.kind === "rejected") {
      if (outcome.status === 404) return { ok: true, value: [] };
      return { ok: false, reason: `claim search refused (HTTP ${outcome.status}: ${outcome.messages.join("; ")})` };
    }
    if (outcome.kind === "retryable") return { ok: false, reason: outcome.reason };
    const parsed = RivertySearchResponseSchema.safeParse(outcome.body);
    if (!parsed.success)
      return { ok: false, reason: `claim search answer unreadable: ${describeIssues(parsed.error).join("; ")}` };
    return { ok: true, value: parsed.data.items };
  }
}

export function createRivertyAdapter(config: RivertyConfig, options: RivertyAdapterOptions = {}): RivertyAdapter {
  return new RivertyAdapter(config, options);
}
