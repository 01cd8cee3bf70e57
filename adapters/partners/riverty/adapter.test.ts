import { http, HttpResponse } from "msw";
import { afterEach, beforeEach, describe, expect, test } from "vitest";

import { server } from "../../../test/mocks/node";
import { RIVERTY_TEST_BASE_URL, RIVERTY_TEST_CONFIG, rivertyMock } from "../../../test/mocks/riverty";
import type { PartnerChange } from "../collection-partner";
import { sampleClaim } from "../fixtures";
import {
  createRivertyAdapter,
  fromRivertyAmount,
  type RivertyAdapterOptions,
  rivertyCursor,
  toRivertyAmount,
} from "./adapter";

const V1 = `${RIVERTY_TEST_BASE_URL}/v1`;
const adapter = (options: RivertyAdapterOptions = {}) => createRivertyAdapter(RIVERTY_TEST_CONFIG, options);

beforeEach(() => rivertyMock.reset());

async function pollAll(a: ReturnType<typeof adapter>, cursor: string | null, polls: number) {
  const changes: PartnerChange[] = [];
  let next = cursor;
  for (let i = 0; i < polls; i++) {
    const r = await a.fetchChanges(next);
    if (r.kind !== "ok") throw new Error(r.reason);
    changes.push(...r.changes);
    next = r.nextCursor;
  }
  return { changes, cursor: next };
}

describe("amounts", () => {
  test("minor units become exact JSON numbers and back", () => {
    expect(toRivertyAmount({ amountMinor: 1999, currency: "EUR" })).toBe(19.99);
    expect(JSON.stringify({ a: toRivertyAmount({ amountMinor: 1999, currency: "EUR" }) })).toBe('{"a":19.99}');
    expect(toRivertyAmount({ amountMinor: 10, currency: "EUR" })).toBe(0.1);
    expect(toRivertyAmount({ amountMinor: 1999, currency: "JPY" })).toBe(1999);
    expect(fromRivertyAmount(-119.99, "EUR")).toEqual({ amountMinor: 11_999, currency: "EUR" });
    expect(fromRivertyAmount(0.1 + 0.2, "EUR")).toBeNull();
  });
});

describe("auth", () => {
  test("fetches one token and reuses it", async () => {
    const a = adapter();
    await a.findClaim("X-1");
    await a.findClaim("X-2");
    await a.submitClaim(sampleClaim(), { requestId: "out-1" });
    expect(rivertyMock.tokensIssued()).toBe(1);
  });

  test("refreshes shortly before the token expires", async () => {
    let now = Date.now();
    const a = adapter({ now: () => now });
    await a.findClaim("X-1");
    now += 86_400_000 - 120_000;
    await a.findClaim("X-1");
    expect(rivertyMock.tokensIssued()).toBe(1);
    now += 90_000; // inside the last minute
    await a.findClaim("X-1");
    expect(rivertyMock.tokensIssued()).toBe(2);
  });

  test("a 401 gets one fresh token and one retry", async () => {
    const a = adapter();
    await a.findClaim("X-1");
    rivertyMock.revokeTokens();
    expect(await a.findClaim("X-1")).toEqual({ kind: "not_found" });
    expect(rivertyMock.tokensIssued()).toBe(2);
  });

  test("a 401 after the refresh is retryable, without a third token", async () => {
    server.use(http.get(`${V1}/claims/search`, () => HttpResponse.json({ title: "Unauthorized" }, { status: 401 })));
    const result = await adapter().findClaim("X-1");
    expect(result.kind).toBe("retryable");
    expect(rivertyMock.tokensIssued()).toBe(2);
  });

  test("refused credentials are retryable with the reason, not a claim rejection", async () => {
    const a = createRivertyAdapter({ ...RIVERTY_TEST_CONFIG, clientSecret: "wrong" });
    const result = await a.submitClaim(sampleClaim(), { requestId: "out-1" });
    expect(result).toEqual({ kind: "retryable", reason: expect.stringContaining("refused the credentials (HTTP 401") });
    expect(rivertyMock.claims()).toHaveLength(0);
  });
});

describe("submitClaim", () => {
  test("sends the documented claim body with exact amounts", async () => {
    let body: any = null;
    let requestId: string | null = null;
    server.use(
      http.post(`${V1}/claims`, async ({ request }) => {
        body = await request.json();
        requestId = request.headers.get("x-request-id");
        return HttpResponse.json({ requestId: "riv-req-1" });
      }),
    );
    const now = Date.parse("2026-10-21T10:00:00Z");
    const result = await adapter({ now: () => now }).submitClaim(sampleClaim(), { requestId: "out-1" });
    expect(result).toEqual({ kind: "accepted", partnerReference: null, requestId: "riv-req-1" });
    expect(requestId).toBe("out-1");
    expect(body.customer).toEqual({
      customerNumber: "C-4711",
      type: "PRIVATE",
      preferredLanguage: "de",
      firstName: "Erika",
      lastName: "Mustermann",
      addresses: [
        {
          type: "BILLING",
          street: "Heidestraße",
          houseNumber: "17",
          zipCode: "51147",
          city: "Köln",
          countryCode: "DE",
        },
      ],
      communicationChannels: [
        { type: "EMAIL", value: "erika@example.org" },
        { type: "PHONE", value: "+49 221 1234567" },
      ],
    });
    expect(body.contracts).toEqual([
      {
        contractNumber: "#1042",
        startDate: "2026-09-01",
        invoices: [
          {
            invoiceNumber: "RE-2026-1042",
            referenceNumber: "#1042",
            invoiceDate: "2026-09-01",
            dueDate: "2026-09-15",
            placementDate: "2026-10-21",
            originalAmount: 119.99,
            remainingAmount: 119.99,
            currency: "EUR",
          },
        ],
      },
    ]);
    // reminder 1 was free: only the two charged reminders become costs
    expect(body.costs).toEqual([
      {
        type: "DUNNING_FEE",
        date: "2026-09-30",
        description: "2. Mahnung vom 2026-09-30",
        invoiceNumber: "RE-2026-1042",
        originalAmount: 1.5,
        remainingAmount: 1.5,
      },
      {
        type: "DUNNING_FEE",
        date: "2026-10-07",
        description: "Letzte Mahnung vom 2026-10-07",
        invoiceNumber: "RE-2026-1042",
        originalAmount: 1.5,
        remainingAmount: 1.5,
      },
    ]);
    expect(body.interests).toEqual([
      {
        invoiceNumber: "RE-2026-1042",
        fromDate: "2026-09-16",
        toDate: "2026-10-14",
        capitalized: false,
        originalAmount: 0.87,
        remainingAmount: 0.87,
      },
    ]);
  });

  test("1999 minor units go over the wire as 19.99", async () => {
    let text = "";
    server.use(
      http.post(`${V1}/claims`, async ({ request }) => {
        text = await request.text();
        return HttpResponse.json({ requestId: "r" });
      }),
    );
    await adapter().submitClaim(sampleClaim({ outstandingMinor: 1999 }), { requestId: "out-1" });
    expect(text).toContain('"remainingAmount":19.99');
  });

  test("a 400 is rejected with the partner's messages", async () => {
    server.use(
      http.post(`${V1}/claims`, () =>
        HttpResponse.json(
          {
            title: "Validation failed",
            errors: [{ propertyName: "customer.addresses.0.zipCode", message: "invalid zip code" }],
          },
          { status: 400 },
        ),
      ),
    );
    expect(await adapter().submitClaim(sampleClaim(), { requestId: "out-1" })).toEqual({
      kind: "rejected",
      reasons: ["Validation failed", "customer.addresses.0.zipCode: invalid zip code"],
    });
  });

  test.each([503, 502, 429, 408])("HTTP %i is retryable", async (status) => {
    server.use(http.post(`${V1}/claims`, () => HttpResponse.json({ title: "busy" }, { status })));
    const result = await adapter().submitClaim(sampleClaim(), { requestId: "out-1" });
    expect(result).toEqual({ kind: "retryable", reason: expect.stringContaining(`HTTP ${status}`) });
  });

  test("a network error is retryable", async () => {
    server.use(http.post(`${V1}/claims`, () => HttpResponse.error()));
    expect((await adapter().submitClaim(sampleClaim(), { requestId: "out-1" })).kind).toBe("retryable");
  });

  test("a 2xx without requestId is retryable (findClaim decides on the next attempt)", async () => {
    server.use(http.post(`${V1}/claims`, () => HttpResponse.json({ ok: true })));
    expect((await adapter().submitClaim(sampleClaim(), { requestId: "out-1" })).kind).toBe("retryable");
  });

  test("a claim Riverty's limits refuse is rejected before anything is sent", async () => {
    const claim = sampleClaim();
    const tooLong = { ...claim, debtor: { ...claim.debtor, street: "S".repeat(150) } };
    const result = await adapter().submitClaim(tooLong, { requestId: "out-1" });
    expect(result).toEqual({ kind: "rejected", reasons: [expect.stringContaining("customer.addresses.0.street")] });
    expect(rivertyMock.tokensIssued()).toBe(0);
  });

  test("a currency Riverty does not collect is rejected", async () => {
    const claim = sampleClaim();
    const chf = {
      ...claim,
      original: { amountMinor: 11_999, currency: "CHF" },
      outstanding: { amountMinor: 11_999, currency: "CHF" },
      reminders: [],
      interest: null,
    };
    expect((await adapter().submitClaim(chf, { requestId: "out-1" })).kind).toBe("rejected");
  });
});

describe("findClaim", () => {
  test("not found, then in creation after submit, then processing once confirmed", async () => {
    const a = adapter();
    expect(await a.findClaim("RE-2026-1042")).toEqual({ kind: "not_found" });
    await a.submitClaim(sampleClaim(), { requestId: "out-1" });
    const found = await a.findClaim("RE-2026-1042");
    expect(found).toEqual({ kind: "found", claimNumber: expect.stringMatching(/^DE-S\d+$/), status: "in_creation" });
    await a.fetchChanges(null);
    expect(await a.findClaim("RE-2026-1042")).toMatchObject({ kind: "found", status: "processing" });
  });

  test("prefers a live claim over an earlier rejected one and ignores other invoices", async () => {
    server.use(
      http.get(`${V1}/claims/search`, () =>
        HttpResponse.json({
          items: [
            { claimNumber: "DE-S1", status: "REJECTED", invoices: [{ invoiceNumber: "RE-1" }] },
            { claimNumber: "DE-S2", status: "PROCESSING", invoices: [{ invoiceNumber: "RE-10" }] },
            { claimNumber: "DE-S3", status: "PROCESSING", invoices: [{ invoiceNumber: "RE-1" }] },
          ],
          pagination: { totalItems: 3, pageSize: 50, currentPage: 1, totalPages: 1 },
        }),
      ),
    );
    expect(await adapter().findClaim("RE-1")).toEqual({ kind: "found", claimNumber: "DE-S3", status: "processing" });
  });

  test("a failing search is retryable, never not_found", async () => {
    server.use(http.get(`${V1}/claims/search`, () => HttpResponse.json({}, { status: 500 })));
    expect((await adapter().findClaim("RE-1")).kind).toBe("retryable");
  });
});

describe("network errors", () => {
  test("a feed poll whose connection broke before any answer is sent once more at once; a claim never is", async () => {
    const a = adapter();
    await a.findClaim("X-0"); // the token, so only the API requests below count
    let feedRequests = 0;
    server.use(http.get(`${V1}/transactions`, () => (++feedRequests === 1 ? HttpResponse.error() : undefined)));
    // Without the second try the broken first request would make the whole poll wait for the next one.
    expect((await a.fetchChanges(null)).kind).toBe("ok");
    expect(feedRequests).toBeGreaterThan(1);

    let claimRequests = 0;
    server.use(http.post(`${V1}/claims`, () => (++claimRequests, HttpResponse.error())));
    const result = await a.submitClaim(sampleClaim(), { requestId: "out-net" });
    expect(result).toEqual({ kind: "retryable", reason: expect.stringContaining("network error calling Riverty") });
    expect(claimRequests).toBe(1);
  });

  test("a GET that keeps failing is retryable after the second try", async () => {
    let requests = 0;
    server.use(http.get(`${V1}/transactions`, () => (++requests, HttpResponse.error())));
    expect((await adapter().fetchChanges(null)).kind).toBe("retryable");
    expect(requests).toBe(2);
  });
});

describe("fetchChanges", () => {
  test("a submitted claim shows up as confirmed, then its status, keyed by invoice and claim number", async () => {
    const a = adapter();
    await a.submitClaim(sampleClaim(), { requestId: "out-1" });
    const first = await a.fetchChanges(null);
    if (first.kind !== "ok") throw new Error(first.reason);
    expect(first.changes).toEqual([
      {
        id: expect.any(String),
        type: "confirmed",
        subject: "claim",
        invoiceNumber: "RE-2026-1042",
        claimNumber: expect.stringMatching(/^DE-S/),
        occurredAt: expect.any(Date),
      },
    ]);
    const second = await a.fetchChanges(first.nextCursor);
    if (second.kind !== "ok") throw new Error(second.reason);
    // STATUS names no invoice: resolved through the claim search
    expect(second.changes).toEqual([
      expect.objectContaining({ type: "sub_status", subStatus: "contacted", invoiceNumber: "RE-2026-1042" }),
    ]);
  });

  test("overlapping windows never report a transaction twice; the cursor is {from, seenIds}", async () => {
    const calls: { from: string; to: string }[] = [];
    const item = (id: string) => ({
      id,
      type: "STATUS",
      claimNumber: "DE-S1",
      status: { date: "2026-10-21", type: "DEBTOR_CONTACTED" },
    });
    let feed = [item("t-1")];
    server.use(
      http.get(`${V1}/transactions`, ({ request }) => {
        const q = new URL(request.url).searchParams;
        calls.push({ from: q.get("from") ?? "", to: q.get("to") ?? "" });
        return HttpResponse.json(feed);
      }),
      http.get(`${V1}/claims/search`, () =>
        HttpResponse.json({
          items: [{ claimNumber: "DE-S1", status: "PROCESSING", invoices: [{ invoiceNumber: "RE-1" }] }],
        }),
      ),
    );
    let now = Date.parse("2026-10-21T12:00:00Z");
    const a = adapter({ now: () => now, feed: { overlapMs: 10 * 60_000 } });
    const start = rivertyCursor(new Date("2026-10-21T11:00:00Z"));

    const first = await a.fetchChanges(start);
    if (first.kind !== "ok") throw new Error(first.reason);
    expect(first.changes.map((c) => c.id)).toEqual(["t-1"]);
    expect(JSON.parse(first.nextCursor)).toEqual({ from: "2026-10-21T11:50:00.000Z", seenIds: ["t-1"] });

    now += 5 * 60_000;
    feed = [item("t-1"), item("t-2")];
    const second = await a.fetchChanges(first.nextCursor);
    if (second.kind !== "ok") throw new Error(second.reason);
    expect(second.changes.map((c) => c.id)).toEqual(["t-2"]);
    expect(calls[1]).toEqual({ from: "2026-10-21T11:50:00.000Z", to: "2026-10-21T12:05:00.000Z" });
    expect(JSON.parse(second.nextCursor).seenIds).toEqual(["t-1", "t-2"]);

    // later the old item has left the window: it is forgotten, and never reported again
    now += 60 * 60_000;
    feed = [item("t-2"), item("t-3")];
    const third = await a.fetchChanges(second.nextCursor);
    if (third.kind !== "ok") throw new Error(third.reason);
    expect(third.changes.map((c) => c.id)).toEqual(["t-3"]);
    expect(JSON.parse(third.nextCursor).seenIds).toEqual(["t-2", "t-3"]);
  });

  test("a feed far behind is read in windows, at most maxWindowsPerPoll per poll", async () => {
    const calls: { from: string; to: string }[] = [];
    server.use(
      http.get(`${V1}/transactions`, ({ request }) => {
        const q = new URL(request.url).searchParams;
        calls.push({ from: q.get("from") ?? "", to: q.get("to") ?? "" });
        return HttpResponse.json([]);
      }),
    );
    const now = Date.parse("2026-10-21T12:00:00Z");
    const a = adapter({ now: () => now, feed: { windowMs: 3_600_000, overlapMs: 600_000, maxWindowsPerPoll: 3 } });
    const r = await a.fetchChanges(rivertyCursor(new Date("2026-10-21T06:00:00Z")));
    if (r.kind !== "ok") throw new Error(r.reason);
    expect(calls).toEqual([
      { from: "2026-10-21T06:00:00.000Z", to: "2026-10-21T07:00:00.000Z" },
      { from: "2026-10-21T07:00:00.000Z", to: "2026-10-21T08:00:00.000Z" },
      { from: "2026-10-21T08:00:00.000Z", to: "2026-10-21T09:00:00.000Z" },
    ]);
    expect(JSON.parse(r.nextCursor).from).toBe("2026-10-21T08:50:00.000Z");
  });

  test("a failing first window is retryable; a later failure keeps the progress", async () => {
    let n = 0;
    server.use(
      http.get(`${V1}/transactions`, () => {
        n += 1;
        if (n === 2) return HttpResponse.json({}, { status: 503 });
        return HttpResponse.json([
          {
            id: `t-${n}`,
            type: "CLOSING",
            claimNumber: "DE-S1",
            closing: { date: "2026-10-21", type: "INSOLVENCY", invoice: { invoiceNumber: "RE-1" } },
          },
        ]);
      }),
    );
    const now = Date.parse("2026-10-21T12:00:00Z");
    const a = adapter({ now: () => now, feed: { windowMs: 3_600_000, overlapMs: 600_000 } });
    const r = await a.fetchChanges(rivertyCursor(new Date("2026-10-21T06:00:00Z")));
    if (r.kind !== "ok") throw new Error(r.reason);
    expect(r.changes).toEqual([
      expect.objectContaining({
        id: "t-1",
        type: "closed",
        outcome: "uncollectible",
        detail: "INSOLVENCY",
        invoiceNumber: "RE-1",
      }),
    ]);
    expect(JSON.parse(r.nextCursor).from).toBe("2026-10-21T06:50:00.000Z");

    server.use(http.get(`${V1}/transactions`, () => HttpResponse.json({}, { status: 503 })));
    expect((await a.fetchChanges(r.nextCursor)).kind).toBe("retryable");
  });

  test("reads every transaction type, skips what it cannot read (once)", async () => {
    const items = [
      {
        sortNumber: 0,
        id: "c",
        type: "CONFIRMATION",
        claimNumber: "DE-S1",
        confirmation: { date: "2026-10-01", type: "INVOICE", number: "RE-1", amount: 119.99, currency: "EUR" },
      },
      {
        sortNumber: 1,
        id: "r",
        type: "REJECTION",
        claimNumber: "DE-S2",
        rejection: {
          date: "2026-10-01",
          type: "INVOICE",
          number: "RE-2",
          amount: 3,
          currency: "EUR",
          reason: "AMOUNT_TOO_LOW",
        },
      },
      {
        sortNumber: 2,
        id: "a",
        type: "ACCOUNTING_DOCUMENT",
        claimNumber: "DE-S1",
        accountingDocument: {
          date: "2026-10-05",
          type: "agencyPayment",
          amount: -122.99,
          currency: "EUR",
          lineItems: [
            { amount: -119.99, allocateTo: "principalClaim", invoiceNumber: "RE-1" },
            { amount: -3, allocateTo: "CLIENT_COSTS", invoiceNumber: "RE-1" },
          ],
        },
      },
      {
        sortNumber: 3,
        id: "x",
        type: "STATUS",
        claimNumber: "DE-S1",
        status: { date: "2026-10-05", type: "SOMETHING_NEW" },
      },
      {
        sortNumber: 4,
        id: "y",
        type: "CONFIRMATION",
        claimNumber: "DE-S1",
        confirmation: { date: "not a date", type: "INVOICE" },
      },
    ];
    server.use(
      http.get(`${V1}/transactions`, () => HttpResponse.json(items)),
      http.get(`${V1}/claims/search`, () => HttpResponse.json({ items: [] })),
    );
    const now = Date.parse("2026-10-21T12:00:00Z");
    const a = adapter({ now: () => now });
    const r = await a.fetchChanges(rivertyCursor(new Date("2026-10-21T11:00:00Z")));
    if (r.kind !== "ok") throw new Error(r.reason);
    expect(r.changes).toEqual([
      {
        id: "c",
        type: "confirmed",
        subject: "claim",
        invoiceNumber: "RE-1",
        claimNumber: "DE-S1",
        occurredAt: new Date("2026-10-01T00:00:00Z"),
      },
      {
        id: "r",
        type: "rejected",
        subject: "claim",
        reasons: ["AMOUNT_TOO_LOW"],
        description: null,
        invoiceNumber: "RE-2",
        claimNumber: "DE-S2",
        occurredAt: new Date("2026-10-01T00:00:00Z"),
      },
      {
        id: "a",
        type: "payment",
        amount: { amountMinor: 11_999, currency: "EUR" },
        fees: { amountMinor: 300, currency: "EUR" },
        receivedBy: "partner",
        invoiceNumber: "RE-1",
        claimNumber: "DE-S1",
        occurredAt: new Date("2026-10-05T00:00:00Z"),
      },
    ]);
    expect(r.skipped.map((s) => s.id)).toEqual(["y", "x"]);
    const again = await a.fetchChanges(r.nextCursor);
    if (again.kind !== "ok") throw new Error(again.reason);
    expect(again.changes).toEqual([]);
    expect(again.skipped).toEqual([]);
  });
});

describe("payments and recalls", () => {
  async function confirmedClaim() {
    const a = adapter();
    await a.submitClaim(sampleClaim(), { requestId: "out-1" });
    const { changes, cursor } = await pollAll(a, null, 1);
    const claimNumber = changes[0]?.claimNumber;
    if (!claimNumber) throw new Error("no claim number");
    return { a, claimNumber, cursor };
  }

  test("reportPayment sends the documented body; the same payment number counts once", async () => {
    const { a, claimNumber, cursor } = await confirmedClaim();
    const payment = {
      claimNumber,
      invoiceNumber: "RE-2026-1042",
      paymentNumber: "pay-1",
      amount: { amountMinor: 5000, currency: "EUR" },
      date: "2026-10-22",
    };
    const first = await a.reportPayment(payment);
    const second = await a.reportPayment(payment);
    expect(first).toEqual({ kind: "accepted", requestId: expect.any(String) });
    expect(second).toEqual(first);
    expect(rivertyMock.claims()[0]).toMatchObject({ paymentNumbers: ["pay-1"], remainingMinor: 6999 });
    const { changes } = await pollAll(a, cursor, 1);
    expect(changes).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ type: "confirmed", subject: "payment" }),
        expect.objectContaining({
          type: "payment",
          receivedBy: "client",
          amount: { amountMinor: 5000, currency: "EUR" },
        }),
      ]),
    );
  });

  test("reportPayment to an unknown claim is rejected", async () => {
    const result = await adapter().reportPayment({
      claimNumber: "DE-S0",
      invoiceNumber: "RE-1",
      paymentNumber: "p",
      amount: { amountMinor: 100, currency: "EUR" },
      date: "2026-10-22",
    });
    expect(result).toEqual({ kind: "rejected", reasons: ["Claim DE-S0 not found"] });
  });

  test("a total recall is confirmed and closes the claim RECALLED_BY_CLIENT", async () => {
    const { a, claimNumber, cursor } = await confirmedClaim();
    let body: unknown = null;
    server.use(
      http.post(`${V1}/claims/:claimNumber/recalls`, async ({ request }) => {
        body = await request.clone().json();
        return undefined; // fall through to the store
      }),
    );
    expect(
      await a.requestRecall({
        claimNumber,
        invoiceNumber: "RE-2026-1042",
        date: "2026-10-22",
        amount: null,
        reason: null,
      }),
    ).toEqual({ kind: "accepted", requestId: expect.any(String) });
    expect(body).toEqual({});
    const { changes } = await pollAll(a, cursor, 2);
    expect(
      changes.map((c) =>
        c.type === "confirmed" ? `confirmed:${c.subject}` : c.type === "closed" ? `closed:${c.detail}` : c.type,
      ),
    ).toEqual(["confirmed:recall", "closed:RECALLED_BY_CLIENT"]);
    expect(changes[1]).toMatchObject({ outcome: "recalled", invoiceNumber: "RE-2026-1042" });
  });

  test("a partial recall names invoice, amount and currency", async () => {
    const { a, claimNumber } = await confirmedClaim();
    let body: unknown = null;
    server.use(
      http.post(`${V1}/claims/:claimNumber/recalls`, async ({ request }) => {
        body = await request.json();
        return HttpResponse.json({ requestId: "rec-1" });
      }),
    );
    await a.requestRecall({
      claimNumber,
      invoiceNumber: "RE-2026-1042",
      date: "2026-10-22",
      amount: { amountMinor: 2050, currency: "EUR" },
      reason: "Gutschrift",
    });
    expect(body).toEqual({
      invoiceNumber: "RE-2026-1042",
      type: "CREDIT_WAIVER",
      date: "2026-10-22",
      amount: 20.5,
      currency: "EUR",
      description: "Gutschrift",
    });
  });
});

afterEach(() => rivertyMock.reset());
