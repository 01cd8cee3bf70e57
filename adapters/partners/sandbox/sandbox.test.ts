// The real Riverty adapter against the real sandbox HTTP server (loopback, so msw lets it through).
import { afterEach, describe, expect, test } from "vitest";

import { type PartnerChange, submitClaimExactlyOnce } from "../collection-partner";
import { sampleClaim } from "../fixtures";
import { createRivertyAdapter, type RivertyAdapter, type RivertyAdapterOptions } from "../riverty/adapter";
import { mapPartnerChange, type PartnerCommand } from "../status-mapping";
import { type SandboxPartner, type SandboxPartnerOptions, startSandboxPartner } from "./server";

const running: SandboxPartner[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.close()));
});

async function start(options: SandboxPartnerOptions = {}, adapterOptions: RivertyAdapterOptions = {}) {
  const sandbox = await startSandboxPartner({ port: 0, seed: 7, ...options });
  running.push(sandbox);
  const adapter = createRivertyAdapter(
    { baseUrl: sandbox.url, authUrl: sandbox.authUrl, ...sandbox.credentials },
    adapterOptions,
  );
  return { sandbox, adapter };
}

/** Polls until the claim is closed or rejected (or `max` polls), like the feed job would. */
async function follow(adapter: RivertyAdapter, max = 10) {
  const changes: PartnerChange[] = [];
  let cursor: string | null = null;
  for (let i = 0; i < max; i++) {
    const r = await adapter.fetchChanges(cursor);
    if (r.kind !== "ok") throw new Error(r.reason);
    changes.push(...r.changes);
    cursor = r.nextCursor;
    if (r.changes.some((c) => c.type === "closed" || (c.type === "rejected" && c.subject === "claim"))) break;
  }
  return { changes, cursor };
}

const label = (c: PartnerChange) =>
  c.type === "confirmed"
    ? `confirmed:${c.subject}`
    : c.type === "rejected"
      ? `rejected:${c.reasons.join(",")}`
      : c.type === "sub_status"
        ? `status:${c.subStatus}`
        : c.type === "payment"
          ? `payment:${c.receivedBy}`
          : `closed:${c.detail}`;

describe("sandbox partner", () => {
  test("a claim goes confirmation → contacted → payment plan → agency payment → FULL_PAYMENT, exactly once", async () => {
    const { sandbox, adapter } = await start();
    const claim = sampleClaim();
    expect(await submitClaimExactlyOnce(adapter, claim, { requestId: "out-1", reference: "case-1" })).toEqual({
      kind: "accepted",
      partnerReference: null,
      requestId: expect.any(String),
    });
    const { changes } = await follow(adapter);
    expect(changes.map(label)).toEqual([
      "confirmed:claim",
      "status:contacted",
      "status:payment_plan",
      "payment:partner",
      "closed:FULL_PAYMENT",
    ]);
    expect(
      changes.every((c) => c.invoiceNumber === claim.invoiceNumber && c.claimNumber === changes[0]?.claimNumber),
    ).toBe(true);
    expect(changes[3]).toMatchObject({
      amount: { amountMinor: 11_999, currency: "EUR" },
      fees: { amountMinor: 300, currency: "EUR" },
    });

    // What the case would be told, applying the payment before the closing.
    let outstanding = claim.outstanding;
    let handedOver = false;
    const commands: PartnerCommand[] = [];
    for (const change of changes) {
      for (const { command } of mapPartnerChange(change, { dunningOption: "A", handedOver, outstanding }).commands) {
        commands.push(command);
        if (command.type === "hand_over") handedOver = true;
        if (command.type === "payment")
          outstanding = { ...outstanding, amountMinor: outstanding.amountMinor - command.amount.amountMinor };
      }
    }
    expect(commands.map((c) => c.type + ("subStatus" in c ? `:${c.subStatus}` : ""))).toEqual([
      "hand_over",
      "partner_status:contacted",
      "partner_status:payment_plan",
      "payment",
    ]);
    expect(outstanding.amountMinor).toBe(0);
    expect(sandbox.submissions(claim.invoiceNumber)).toBe(1);
    expect(sandbox.claims()[0]).toMatchObject({
      status: "CLOSED",
      closingType: "FULL_PAYMENT",
      clientRequestId: "out-1",
    });
  });

  test('debtor "Abgelehnt" and amounts below the minimum are rejected', async () => {
    const { adapter } = await start();
    await adapter.submitClaim(sampleClaim({ invoiceNumber: "RE-A", lastName: "Abgelehnt" }), { requestId: "a" });
    await adapter.submitClaim(sampleClaim({ invoiceNumber: "RE-B", outstandingMinor: 300 }), { requestId: "b" });
    const { changes } = await follow(adapter, 1);
    expect(changes.map((c) => [c.invoiceNumber, label(c)])).toEqual([
      ["RE-A", "rejected:CLAIM_NOT_PLAUSIBLE"],
      ["RE-B", "rejected:AMOUNT_TOO_LOW"],
    ]);
    expect(
      mapPartnerChange(changes[0] as PartnerChange, {
        dunningOption: "A",
        handedOver: false,
        outstanding: { amountMinor: 1, currency: "EUR" },
      }).commands.map((c) => c.command),
    ).toEqual([{ type: "fail", reasons: ["partner_claim_not_plausible"] }]);
    expect(await adapter.findClaim("RE-A")).toMatchObject({ kind: "found", status: "rejected" });
  });

  test('debtor "Uneinbringlich" ends with CLOSING INSOLVENCY', async () => {
    const { adapter } = await start();
    await adapter.submitClaim(sampleClaim({ lastName: "Uneinbringlich" }), { requestId: "u" });
    const { changes } = await follow(adapter);
    expect(changes.map(label)).toEqual(["confirmed:claim", "status:contacted", "closed:INSOLVENCY"]);
    expect(changes[2]).toMatchObject({ outcome: "uncollectible" });
  });

  test("a recall is confirmed and closes the claim RECALLED_BY_CLIENT", async () => {
    const { sandbox, adapter } = await start();
    await adapter.submitClaim(sampleClaim(), { requestId: "r" });
    const first = await adapter.fetchChanges(null);
    if (first.kind !== "ok") throw new Error(first.reason);
    const claimNumber = first.changes[0]?.claimNumber as string;
    expect(
      await adapter.requestRecall({
        claimNumber,
        invoiceNumber: "RE-2026-1042",
        date: "2026-10-22",
        amount: null,
        reason: "Kunde hat sich geeinigt",
      }),
    ).toMatchObject({ kind: "accepted" });
    let cursor = first.nextCursor;
    const labels: string[] = [];
    for (let i = 0; i < 4; i++) {
      const r = await adapter.fetchChanges(cursor);
      if (r.kind !== "ok") throw new Error(r.reason);
      labels.push(...r.changes.map(label));
      cursor = r.nextCursor;
    }
    expect(labels).toEqual(["confirmed:recall", "closed:RECALLED_BY_CLIENT"]);
    expect(sandbox.claims()[0]).toMatchObject({ closingType: "RECALLED_BY_CLIENT" });
  });

  test("a resubmit after a lost answer is caught by findClaim: the partner holds the claim once", async () => {
    const { sandbox, adapter } = await start();
    const claim = sampleClaim();
    sandbox.loseNextAnswers(1);
    const lost = await submitClaimExactlyOnce(adapter, claim, { requestId: "attempt-1", reference: "case-1" });
    expect(lost.kind).toBe("retryable");
    expect(sandbox.submissions(claim.invoiceNumber)).toBe(1);

    const retry = await submitClaimExactlyOnce(adapter, claim, { requestId: "attempt-2", reference: "case-1" });
    expect(retry).toEqual({
      kind: "already_submitted",
      claimNumber: sandbox.claims()[0]?.claimNumber,
      status: "in_creation",
    });
    expect(sandbox.submissions(claim.invoiceNumber)).toBe(1);
  });

  test("injected 503s are retryable and change nothing; the same seed fails the same requests", async () => {
    const { sandbox, adapter } = await start({ failureRate: 1 });
    const result = await adapter.submitClaim(sampleClaim(), { requestId: "x" });
    expect(result).toEqual({ kind: "retryable", reason: expect.stringContaining("HTTP 503") });
    expect(sandbox.claims()).toEqual([]);

    const pattern = async () => {
      const { adapter: a } = await start({ failureRate: 0.5, seed: 42 });
      const kinds: string[] = [];
      for (let i = 0; i < 12; i++) kinds.push((await a.findClaim(`RE-${i}`)).kind);
      return kinds;
    };
    const one = await pattern();
    expect(one).toContain("retryable");
    expect(one).toContain("not_found");
    expect(await pattern()).toEqual(one);
  });

  test("latency beyond the adapter's timeout is retryable", async () => {
    const { adapter: slow } = await start({ latencyMs: 300 }, { timeoutMs: 100 });
    expect(await slow.findClaim("RE-1")).toEqual({
      kind: "retryable",
      reason: expect.stringContaining("network error"),
    });
  });

  test("time-driven scripts move a claim one step per stepMs", async () => {
    let now = Date.parse("2026-10-21T12:00:00Z");
    const { adapter } = await start(
      { now: () => now, script: { advance: "time", stepMs: 60_000 } },
      { now: () => now },
    );
    await adapter.submitClaim(sampleClaim(), { requestId: "t" });
    const first = await adapter.fetchChanges(null);
    if (first.kind !== "ok") throw new Error(first.reason);
    expect(first.changes).toEqual([]);
    now += 2 * 60_000;
    const second = await adapter.fetchChanges(first.nextCursor);
    if (second.kind !== "ok") throw new Error(second.reason);
    expect(second.changes.map(label)).toEqual(["confirmed:claim", "status:contacted"]);
  });
});
