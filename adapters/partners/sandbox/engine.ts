// The sandbox partner's brain: speaks the Riverty Back in Flow protocol (token, claims, search, transactions,
// payments, recalls) over plain request/response values, so the same engine serves the real HTTP sandbox
// (server.ts) and the msw mock (test/mocks/riverty.ts). Deterministic: ids come from a seeded generator and
// every claim follows a script, one step per feed poll (or per `stepMs` of time).
import { parseMoney, toDecimalString } from "#app/domain/money";
import { seededRandom } from "#app/utils/seeded-random";

import {
  type ClosingType,
  type ConfirmationType,
  type RejectionReason,
  RivertyClaimBodySchema,
  RivertyPaymentBodySchema,
  RivertyRecallBodySchema,
  type RivertyTransactionInput,
  type StatusType,
  TokenRequestSchema,
  upperSnake,
} from "../riverty/schemas";

export type EngineRequest = {
  method: string;
  /** Path without the base, e.g. /v1/claims or /oauth/token. */
  path: string;
  query: URLSearchParams;
  authorization: string | null;
  /** The caller's x-request-id header, kept on the claim for tracing. */
  clientRequestId: string | null;
  body: string;
};
export type EngineResponse = { status: number; body: unknown };

export type SandboxScript = {
  /** "poll": every GET /v1/transactions moves each claim one step; "time": one step per stepMs. */
  advance: "poll" | "time";
  stepMs: number;
  /** Claims below this (minor units) are rejected AMOUNT_TOO_LOW. */
  minimumAmountMinor: number;
  currencies: string[];
  /** Debtor last names that pick a script. */
  rejectLastName: string;
  uncollectibleLastName: string;
};

export type SandboxEngineOptions = {
  clientId: string;
  clientSecret: string;
  audience: string;
  tokenTtlSeconds: number;
  seed: number;
  now: () => number;
  script: SandboxScript;
};

export const SANDBOX_DEFAULTS: SandboxEngineOptions = {
  clientId: "mahnwerk-sandbox",
  clientSecret: "sandbox-secret",
  audience: "https://sandbox.mahnwerk.test",
  tokenTtlSeconds: 86_400,
  seed: 1,
  now: Date.now,
  script: {
    advance: "poll",
    stepMs: 1_000,
    minimumAmountMinor: 500,
    currencies: ["EUR"],
    rejectLastName: "Abgelehnt",
    uncollectibleLastName: "Uneinbringlich",
  },
};

type ClaimStatus = "IN_CREATION" | "PROCESSING" | "PAUSED" | "CLOSED" | "REJECTED";

/** One script step: the transactions it emits together, and what it does to the claim. */
type Step =
  | { kind: "confirmation"; type: ConfirmationType; number: string; amountMinor: number }
  | {
      kind: "rejection";
      type: ConfirmationType;
      number: string;
      amountMinor: number;
      reason: RejectionReason | null;
      description: string;
    }
  | { kind: "status"; type: StatusType }
  | { kind: "agency_payment" }
  | { kind: "direct_payment"; paymentNumber: string; amountMinor: number }
  | { kind: "closing"; type: ClosingType };

export type SandboxClaim = {
  claimNumber: string;
  invoiceNumber: string;
  customerNumber: string;
  debtorLastName: string | null;
  currency: string;
  originalMinor: number;
  remainingMinor: number;
  costsMinor: number;
  status: ClaimStatus;
  closingType: ClosingType | null;
  createdAt: number;
  /** Our x-request-id of the attempt that created it (tracing). */
  clientRequestId: string | null;
  paymentNumbers: string[];
  /** How many recall requests arrived for it (a resent recall shows here; its effect happens once). */
  recallRequests: number;
};

type ClaimRecord = SandboxClaim & { steps: Step[]; stepsDone: number; lastStepTick: number };
type Stored = { at: number; claimNumber: string; item: RivertyTransactionInput };

const json = (status: number, body: unknown): EngineResponse => ({ status, body });
const problem = (status: number, message: string, errors?: { propertyName: string; message: string }[]) =>
  json(status, {
    title: status === 400 ? "Validation failed" : message,
    status,
    ...(errors ? { errors } : { detail: message }),
  });

export function createSandboxEngine(
  overrides: Partial<Omit<SandboxEngineOptions, "script">> & { script?: Partial<SandboxScript> } = {},
) {
  const options: SandboxEngineOptions = {
    ...SANDBOX_DEFAULTS,
    ...overrides,
    script: { ...SANDBOX_DEFAULTS.script, ...overrides.script },
  };
  let random = seededRandom(options.seed);
  let claims = new Map<string, ClaimRecord>();
  let submissionsByInvoice = new Map<string, number>();
  let tokens = new Map<string, number>();
  let transactions: Stored[] = [];
  let requestIds = new Map<string, string>();
  let tick = 0;
  let claimSeq = 0;
  let tokensIssued = 0;

  const hex = (n: number) => Array.from({ length: n }, () => Math.floor(random() * 16).toString(16)).join("");
  const uuid = () => `${hex(8)}-${hex(4)}-4${hex(3)}-a${hex(3)}-${hex(12)}`;
  const today = (at: number) => new Date(at).toISOString().slice(0, 10);
  const major = (minor: number, currency: string) => Number(toDecimalString({ amountMinor: minor, currency }));
  const minorOf = (amount: number, currency: string): number | null => {
    const parsed = parseMoney(String(amount), currency);
    return parsed.ok ? parsed.value.amountMinor : null;
  };

  function emit(claim: ClaimRecord, step: Step, at: number): void {
    const base = { id: uuid(), claimNumber: claim.claimNumber, customerNumber: claim.customerNumber };
    const push = (item: RivertyTransactionInput) => transactions.push({ at, claimNumber: claim.claimNumber, item });
    const date = today(at);
    switch (step.kind) {
      case "confirmation":
        if (step.type === "INVOICE") claim.status = "PROCESSING";
        push({
          ...base,
          type: "CONFIRMATION",
          confirmation: {
            date,
            type: step.type,
            number: step.number,
            amount: major(step.amountMinor, claim.currency),
            currency: claim.currency,
          },
        });
        return;
      case "rejection":
        if (step.type === "INVOICE") claim.status = "REJECTED";
        push({
          ...base,
          type: "REJECTION",
          rejection: {
            date,
            type: step.type,
            number: step.number,
            amount: major(step.amountMinor, claim.currency),
            currency: claim.currency,
            reason: step.reason,
            description: step.description,
          },
        });
        return;
      case "status":
        push({ ...base, type: "STATUS", status: { date, type: step.type } });
        return;
      case "agency_payment": {
        const principal = claim.remainingMinor;
        const costs = claim.costsMinor;
        claim.remainingMinor = 0;
        claim.costsMinor = 0;
        const lineItems = [
          {
            id: hex(8),
            amount: -major(principal, claim.currency),
            allocateTo: "PRINCIPAL_CLAIM",
            invoiceNumber: claim.invoiceNumber,
          },
        ];
        if (costs > 0)
          lineItems.push({
            id: hex(8),
            amount: -major(costs, claim.currency),
            allocateTo: "CLIENT_COSTS",
            invoiceNumber: claim.invoiceNumber,
          });
        push({
          ...base,
          type: "ACCOUNTING_DOCUMENT",
          accountingDocument: {
            date,
            type: "AGENCY_PAYMENTS",
            number: `AP-${hex(6)}`,
            amount: -major(principal + costs, claim.currency),
            currency: claim.currency,
            lineItems,
          },
        });
        return;
      }
      case "direct_payment":
        push({
          ...base,
          type: "CONFIRMATION",
          confirmation: {
            date,
            type: "DIRECT_PAYMENT",
            number: step.paymentNumber,
            amount: major(step.amountMinor, claim.currency),
            currency: claim.currency,
          },
        });
        push({
          ...base,
          id: uuid(),
          type: "ACCOUNTING_DOCUMENT",
          accountingDocument: {
            date,
            type: "DIRECT_PAYMENT",
            number: step.paymentNumber,
            amount: -major(step.amountMinor, claim.currency),
            currency: claim.currency,
            lineItems: [
              {
                id: hex(8),
                amount: -major(step.amountMinor, claim.currency),
                allocateTo: "PRINCIPAL_CLAIM",
                invoiceNumber: claim.invoiceNumber,
              },
            ],
          },
        });
        return;
      case "closing":
        claim.status = "CLOSED";
        claim.closingType = step.type;
        push({
          ...base,
          type: "CLOSING",
          closing: { date, type: step.type, invoice: { invoiceNumber: claim.invoiceNumber } },
        });
        return;
    }
  }

  /**
   * Moves every claim along its script: on a poll (advance "poll") or up to now (advance "time"). A step made
   * by a poll is stamped no later than the poll's `to`, so the poll that caused it also sees it; windows that
   * end before a claim was created leave it alone, so a catch-up poll over many windows moves it once.
   */
  function advance(onPoll: boolean, pollTo = Number.POSITIVE_INFINITY): void {
    const now = Math.min(options.now(), pollTo);
    if (onPoll) tick += 1;
    for (const claim of claims.values()) {
      if (options.script.advance === "poll") {
        // A poll of a window that ends before the claim existed does not move it.
        if (!onPoll || claim.steps.length === 0 || claim.lastStepTick === tick || pollTo < claim.createdAt) continue;
        emit(claim, claim.steps.shift() as Step, now);
        claim.stepsDone += 1;
        claim.lastStepTick = tick;
      } else {
        while (claim.steps.length > 0) {
          const due = claim.createdAt + (claim.stepsDone + 1) * options.script.stepMs;
          if (due > now) break;
          emit(claim, claim.steps.shift() as Step, due);
          claim.stepsDone += 1;
        }
      }
    }
  }

  function authorized(header: string | null): boolean {
    const token = header?.match(/^Bearer\s+(\S+)$/i)?.[1];
    const expires = token ? tokens.get(token) : undefined;
    return expires !== undefined && expires > options.now();
  }

  function issueToken(req: EngineRequest): EngineResponse {
    const form = TokenRequestSchema.safeParse(Object.fromEntries(new URLSearchParams(req.body)));
    if (!form.success)
      return json(400, {
        error: "invalid_request",
        error_description: "grant_type, client_id, client_secret and audience are required",
      });
    if (form.data.client_id !== options.clientId || form.data.client_secret !== options.clientSecret) {
      return json(401, { error: "access_denied", error_description: "Unauthorized" });
    }
    if (form.data.audience !== options.audience)
      return json(403, { error: "access_denied", error_description: "Service not enabled within domain" });
    const token = `sbx.${hex(32)}`;
    tokens.set(token, options.now() + options.tokenTtlSeconds * 1000);
    tokensIssued += 1;
    return json(200, {
      access_token: token,
      scope: "collection",
      expires_in: options.tokenTtlSeconds,
      token_type: "Bearer",
    });
  }

  function parseJson(body: string): { ok: true; value: unknown } | { ok: false } {
    try {
      return { ok: true, value: body.trim() === "" ? {} : JSON.parse(body) };
    } catch {
      return { ok: false };
    }
  }

  const issues = (error: { issues: { path: PropertyKey[]; message: string }[] }) =>
    error.issues.slice(0, 10).map((i) => ({ propertyName: i.path.map(String).join("."), message: i.message }));

  function createClaim(req: EngineRequest): EngineResponse {
    const raw = parseJson(req.body);
    if (!raw.ok) return problem(400, "Body is not JSON", [{ propertyName: "", message: "Body is not JSON" }]);
    const parsed = RivertyClaimBodySchema.safeParse(raw.value);
    if (!parsed.success) return problem(400, "Validation failed", issues(parsed.error));
    const body = parsed.data;
    const contract = body.contracts[0];
    const invoice = contract?.invoices[0];
    if (!contract || !invoice || body.contracts.length > 1 || contract.invoices.length > 1) {
      return problem(400, "Validation failed", [
        { propertyName: "contracts", message: "the sandbox takes one contract with one invoice" },
      ]);
    }
    const remainingMinor = minorOf(invoice.remainingAmount, invoice.currency);
    const originalMinor = minorOf(invoice.originalAmount, invoice.currency);
    const costsMinor = (body.costs ?? []).reduce(
      (sum, c) => sum + (minorOf(c.remainingAmount, invoice.currency) ?? 0),
      0,
    );
    if (remainingMinor === null || originalMinor === null) {
      return problem(400, "Validation failed", [
        { propertyName: "contracts.0.invoices.0.remainingAmount", message: "more decimals than the currency has" },
      ]);
    }
    submissionsByInvoice.set(invoice.invoiceNumber, (submissionsByInvoice.get(invoice.invoiceNumber) ?? 0) + 1);
    claimSeq += 1;
    const now = options.now();
    const claim: ClaimRecord = {
      claimNumber: `DE-S${String(242_000_000_000 + claimSeq)}`,
      invoiceNumber: invoice.invoiceNumber,
      customerNumber: body.customer.customerNumber,
      debtorLastName: body.customer.lastName ?? null,
      currency: invoice.currency,
      originalMinor,
      remainingMinor,
      costsMinor,
      status: "IN_CREATION",
      closingType: null,
      createdAt: now,
      clientRequestId: req.clientRequestId,
      paymentNumbers: [],
      recallRequests: 0,
      steps: [],
      stepsDone: 0,
      lastStepTick: tick,
    };
    claim.steps = script(claim);
    claims.set(claim.claimNumber, claim);
    const requestId = uuid();
    return json(200, { requestId });
  }

  function script(claim: ClaimRecord): Step[] {
    const s = options.script;
    const invoiceStep = { type: "INVOICE" as const, number: claim.invoiceNumber, amountMinor: claim.remainingMinor };
    const reject = (reason: RejectionReason, description: string): Step[] => [
      { kind: "rejection", ...invoiceStep, reason, description },
    ];
    if (!s.currencies.includes(claim.currency))
      return reject("INCORRECT_CURRENCY", `the sandbox collects only ${s.currencies.join(", ")}`);
    if (claim.remainingMinor < s.minimumAmountMinor) return reject("AMOUNT_TOO_LOW", "below the sandbox minimum");
    if (claim.debtorLastName === s.rejectLastName) return reject("CLAIM_NOT_PLAUSIBLE", "scripted rejection");
    const steps: Step[] = [
      { kind: "confirmation", ...invoiceStep },
      { kind: "status", type: "DEBTOR_CONTACTED" },
    ];
    if (claim.debtorLastName === s.uncollectibleLastName) return [...steps, { kind: "closing", type: "INSOLVENCY" }];
    return [
      ...steps,
      { kind: "status", type: "PAYMENT_PLAN" },
      { kind: "agency_payment" },
      { kind: "closing", type: "FULL_PAYMENT" },
    ];
  }

  function search(req: EngineRequest): EngineResponse {
    const q = req.query;
    const page = Math.max(1, Number(q.get("page") ?? 1) || 1);
    const pageSize = Math.min(100, Math.max(1, Number(q.get("pageSize") ?? 10) || 10));
    const all = [...claims.values()].filter(
      (c) =>
        (!q.get("invoiceNumber") || c.invoiceNumber === q.get("invoiceNumber")) &&
        (!q.get("claimNumber") || c.claimNumber === q.get("claimNumber")) &&
        (!q.get("customerNumber") || c.customerNumber === q.get("customerNumber")),
    );
    const items = all.slice((page - 1) * pageSize, page * pageSize).map((c) => ({
      claimNumber: c.claimNumber,
      customerNumber: c.customerNumber,
      customerDisplayName: c.debtorLastName ?? c.customerNumber,
      status: c.status,
      invoices: [
        { invoiceNumber: c.invoiceNumber, remainingAmount: major(c.remainingMinor, c.currency), currency: c.currency },
      ],
      claimType: "STAND_ALONE",
    }));
    return json(200, {
      items,
      pagination: { totalItems: all.length, pageSize, currentPage: page, totalPages: Math.ceil(all.length / pageSize) },
    });
  }

  function listTransactions(req: EngineRequest): EngineResponse {
    const from = Date.parse(req.query.get("from") ?? "");
    const to = Date.parse(req.query.get("to") ?? "");
    if (!Number.isFinite(from) || !Number.isFinite(to)) {
      return problem(400, "Validation failed", [
        { propertyName: "from", message: "from and to are required date-times" },
      ]);
    }
    advance(true, to);
    const type = req.query.get("type");
    const wanted = type ? upperSnake(type) : null;
    const items = transactions
      .filter((t) => t.at >= from && t.at <= to && (!wanted || t.item.type === wanted))
      .map((t, sortNumber) => ({ sortNumber, ...t.item }));
    return json(200, items);
  }

  function claimAction(req: EngineRequest, claimNumber: string, action: "payments" | "recalls"): EngineResponse {
    const claim = claims.get(claimNumber);
    if (!claim) return problem(404, `Claim ${claimNumber} not found`);
    const raw = parseJson(req.body);
    if (!raw.ok) return problem(400, "Body is not JSON", [{ propertyName: "", message: "Body is not JSON" }]);

    if (action === "payments") {
      const parsed = RivertyPaymentBodySchema.safeParse(raw.value);
      if (!parsed.success) return problem(400, "Validation failed", issues(parsed.error));
      const p = parsed.data;
      const key = `payment:${claimNumber}:${p.paymentNumber}`;
      const known = requestIds.get(key);
      if (known) return json(200, { requestId: known }); // documented: a payment number sent twice counts once
      if (claim.status === "CLOSED" || claim.status === "REJECTED")
        return problem(400, "Validation failed", [
          { propertyName: "claimNumber", message: `claim is ${claim.status.toLowerCase()}` },
        ]);
      if (p.currency !== claim.currency)
        return problem(400, "Validation failed", [
          { propertyName: "currency", message: `claim is in ${claim.currency}` },
        ]);
      const amountMinor = minorOf(p.amount, p.currency);
      if (amountMinor === null)
        return problem(400, "Validation failed", [
          { propertyName: "amount", message: "more decimals than the currency has" },
        ]);
      claim.paymentNumbers.push(p.paymentNumber);
      claim.remainingMinor = Math.max(0, claim.remainingMinor - amountMinor);
      const confirmation =
        claim.steps[0]?.kind === "confirmation" && claim.status === "IN_CREATION" ? [claim.steps[0]] : [];
      const payment: Step = { kind: "direct_payment", paymentNumber: p.paymentNumber, amountMinor };
      claim.steps =
        claim.remainingMinor === 0
          ? [...confirmation, payment, { kind: "closing", type: "FULL_PAYMENT" }]
          : [...confirmation, payment, ...claim.steps.slice(confirmation.length)];
      const requestId = uuid();
      requestIds.set(key, requestId);
      return json(200, { requestId });
    }

    const parsed = RivertyRecallBodySchema.safeParse(raw.value);
    if (!parsed.success) return problem(400, "Validation failed", issues(parsed.error));
    const r = parsed.data;
    claim.recallRequests += 1;
    const recallStep = (amountMinor: number): Step => ({
      kind: "confirmation",
      type: "RECALL",
      number: claim.customerNumber,
      amountMinor,
    });
    if (claim.status === "CLOSED" || claim.status === "REJECTED") {
      const description =
        claim.closingType === "RECALLED_BY_CLIENT"
          ? "claim was already recalled by the client"
          : `claim is ${claim.status.toLowerCase()}`;
      claim.steps.push({
        kind: "rejection",
        type: "RECALL",
        number: claim.customerNumber,
        amountMinor: 0,
        reason: null,
        description,
      });
    } else {
      const confirmation =
        claim.steps[0]?.kind === "confirmation" && claim.status === "IN_CREATION" ? [claim.steps[0]] : [];
      const partial = r.amount !== undefined ? minorOf(r.amount, r.currency ?? claim.currency) : null;
      if (partial !== null && partial < claim.remainingMinor) {
        claim.remainingMinor -= partial;
        claim.steps = [...confirmation, recallStep(partial), ...claim.steps.slice(confirmation.length)];
      } else {
        claim.steps = [
          ...confirmation,
          recallStep(claim.remainingMinor),
          { kind: "closing", type: "RECALLED_BY_CLIENT" },
        ];
      }
    }
    return json(200, { requestId: uuid() });
  }

  function handle(req: EngineRequest): EngineResponse {
    if (req.method === "POST" && req.path === "/oauth/token") return issueToken(req);
    if (!req.path.startsWith("/v1/")) return problem(404, `No route ${req.method} ${req.path}`);
    if (!authorized(req.authorization)) return json(401, { title: "Unauthorized", status: 401 });
    advance(false);
    if (req.method === "POST" && req.path === "/v1/claims") return createClaim(req);
    if (req.method === "GET" && req.path === "/v1/claims/search") return search(req);
    if (req.method === "GET" && req.path === "/v1/transactions") return listTransactions(req);
    const action = req.path.match(/^\/v1\/claims\/([^/]+)\/(payments|recalls)$/);
    if (req.method === "POST" && action)
      return claimAction(req, decodeURIComponent(action[1] as string), action[2] as "payments" | "recalls");
    return problem(404, `No route ${req.method} ${req.path}`);
  }

  return {
    options,
    handle,
    /** Every claim as the partner holds it. */
    claims: (): SandboxClaim[] =>
      [...claims.values()].map(({ steps: _s, stepsDone: _d, lastStepTick: _l, ...claim }) => ({
        ...claim,
        paymentNumbers: [...claim.paymentNumbers],
      })),
    /** How often a claim for this invoice was created (exactly once is 1). */
    submissions: (invoiceNumber: string): number => submissionsByInvoice.get(invoiceNumber) ?? 0,
    transactions: (): RivertyTransactionInput[] => transactions.map((t) => t.item),
    tokensIssued: (): number => tokensIssued,
    /** Forget all issued tokens: the next call with an old token gets 401. */
    revokeTokens: (): void => tokens.clear(),
    reset: (): void => {
      random = seededRandom(options.seed);
      claims = new Map();
      submissionsByInvoice = new Map();
      tokens = new Map();
      transactions = [];
      requestIds = new Map();
      tick = 0;
      claimSeq = 0;
      tokensIssued = 0;
    },
  };
}

export type SandboxEngine = ReturnType<typeof createSandboxEngine>;
