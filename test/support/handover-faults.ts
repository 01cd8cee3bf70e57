// Fault injection for the handover to the collection partner (issue 9: "kill the worker between every pair of
// steps"). One worker loop, the same claim → deliver steps as sweepOutbox, with a hook at every step boundary; the
// hook decides what a crash is: SIGKILL of the own process (test/support/handover-worker.ts, on PostgreSQL) or a
// promise that never settles (in-process: nothing after that point ever runs, like a dead process).
import { and, eq, inArray } from "drizzle-orm";

import type { CollectionPartner } from "#adapters/partners/collection-partner";
import type { SandboxPartner } from "#adapters/partners/sandbox/server";
import type { Db } from "#app/db/client.server";
import { cases, outbox, type Shop } from "#app/db/schema";
import { executeCaseCommand, startCase } from "#app/services/cases/commands.server";
import {
  defaultPartnerFactory,
  type PartnerConfig,
  type PartnerFactory,
  savePartnerAccount,
  submitClaimHandler,
} from "#app/services/collection/partners.server";
import { claimDueRows, deliverRow } from "#app/services/outbox/outbox.server";
import type { OutboxHandler } from "#app/services/outbox/types";

import { nothingNewOnPlatform, openTestCase } from "./cases";
import { insertShop } from "./factories";

/**
 * The step boundaries of one handover: rows claimed (leased) but nothing sent; the partner asked whether it has the
 * claim; about to send it (lease checked); the partner accepted but our database does not know yet; recorded as
 * done, the worker's next step not taken.
 */
export const FAULT_POINTS = [
  "after-claim",
  "after-look-up",
  "before-send",
  "after-send-before-record",
  "after-record",
] as const;
export type FaultPoint = (typeof FAULT_POINTS)[number];
export type Fault = (point: FaultPoint) => Promise<void> | void;

/** Longer than the outbox lease (10 minutes): each new worker generation sees the dead one's leases expired. */
export const GENERATION_MS = 11 * 60_000;

export const CREDITOR: PartnerConfig["creditor"] = {
  shopName: "Wollwerk",
  street: "Musterstraße 1",
  houseNumber: null,
  postalCode: "10115",
  city: "Berlin",
  countryCode: "DE",
  email: "shop@wollwerk.example",
  phone: null,
};

/** The partner, with the fault hook around the one call that creates something at the partner. */
export function faultyPartnerFactory(fault: Fault, inner: PartnerFactory = defaultPartnerFactory): PartnerFactory {
  return (account, config) => {
    const partner = inner(account, config);
    const wrapped: CollectionPartner = {
      id: partner.id,
      capabilities: partner.capabilities,
      checkConnection: () => partner.checkConnection(),
      findClaim:
        partner.findClaim &&
        (async (invoiceNumber) => {
          const found = await partner.findClaim!(invoiceNumber);
          await fault("after-look-up");
          return found;
        }),
      validateClaim: partner.validateClaim?.bind(partner),
      reportPayment: partner.reportPayment?.bind(partner),
      requestRecall: (recall) => partner.requestRecall(recall),
      fetchChanges: partner.fetchChanges?.bind(partner),
      claimStatus: partner.claimStatus?.bind(partner),
      submitClaim: async (claim, options) => {
        await fault("before-send");
        const result = await partner.submitClaim(claim, options);
        if (result.kind === "accepted" || result.kind === "unknown") await fault("after-send-before-record");
        return result;
      },
    };
    return wrapped;
  };
}

/**
 * Delivers partner.submit_claim rows until none is due — sweepOutbox's loop, with the hook between its steps.
 * Returns how many rows it handled (a crashed worker never returns).
 */
export async function runHandoverWorker(input: {
  db: Db;
  now: () => Date;
  fault: Fault;
  factory?: PartnerFactory;
  batch?: number;
}): Promise<number> {
  const handlers: Record<string, OutboxHandler> = {
    "partner.submit_claim": submitClaimHandler(faultyPartnerFactory(input.fault, input.factory), nothingNewOnPlatform),
  };
  let handled = 0;
  for (;;) {
    const rows = await claimDueRows(input.db, input.now(), Object.keys(handlers), input.batch);
    if (rows.length === 0) return handled;
    await input.fault("after-claim");
    for (const row of rows) {
      await deliverRow(input.db, row, handlers, input.now());
      await input.fault("after-record");
    }
    handled += rows.length;
  }
}

/**
 * `count` cases handed over at once (the same case command the dunning sweep issues after the final reminder),
 * each with its partner.submit_claim row; a new shop (unless one is given) with its partner account at `partner`.
 */
export async function seedHandedOverCases(
  db: Db,
  partner: Pick<SandboxPartner, "url" | "authUrl" | "credentials">,
  count: number,
  existing?: Shop,
): Promise<{ shop: Shop; caseIds: string[] }> {
  const shop = existing ?? (await insertShop(db, { name: "Wollwerk" }));
  if (!existing) {
    const config = { baseUrl: partner.url, authUrl: partner.authUrl, ...partner.credentials, creditor: CREDITOR };
    await savePartnerAccount(db, { shopId: shop.id, partner: "sandbox", environment: "sandbox", config });
  }
  const caseIds: string[] = [];
  const at = new Date("2026-10-20T09:00:00Z");
  for (let i = 0; i < count; i++) {
    const opened = await openTestCase(db, shop, { amountMinor: 5_000 + i });
    const started = await startCase(db, {
      shopId: shop.id,
      caseId: opened.case.id,
      actor: { type: "scheduler", id: "dunning" },
      reason: "seed",
      now: at,
    });
    if (!started.ok) throw new Error(`seeding case ${i}: ${started.error.code}`);
    const handedOver = await executeCaseCommand(db, {
      shopId: shop.id,
      caseId: opened.case.id,
      envelope: {
        command: { type: "hand_over", partnerReference: null },
        actor: { type: "scheduler", id: "dunning" },
        reason: null,
        occurredAt: at,
        sourceId: `seed:${opened.case.id}`,
      },
      afterEvents: async (tx, row) => {
        await tx.insert(outbox).values({
          shopId: row.shopId,
          caseId: row.id,
          kind: "partner.submit_claim",
          idempotencyKey: `claim:${row.id}`,
          payload: { caseId: row.id },
          nextAttemptAt: at,
        });
      },
    });
    if (!handedOver.ok) throw new Error(`seeding case ${i}: ${handedOver.error.code}`);
    caseIds.push(opened.case.id);
  }
  return { shop, caseIds };
}

export type ExactlyOnceReport = {
  claims: number;
  delivered: number;
  /** Invoices the partner holds more than one claim for. */
  duplicateInvoices: string[];
  /** Our request ids (outbox keys) that created more than one claim at the partner. */
  duplicateRequestIds: string[];
  /** Cases whose claim the partner does not hold. */
  lost: string[];
  /** Cases no longer handed over (the handover must leave them where they are). */
  notHandedOver: string[];
  /** Rows not done. */
  undelivered: { id: string; status: string; lastError: string | null }[];
  /** Rows whose first answer was lost (crash or timeout) and that the look-up healed. */
  healed: number;
};

/** Counts at the partner, by invoice (= case) and by our request id, against the outbox and the cases. */
export async function exactlyOnceReport(db: Db, shopId: string, sandbox: SandboxPartner): Promise<ExactlyOnceReport> {
  const rows = await db
    .select()
    .from(outbox)
    .where(and(eq(outbox.shopId, shopId), eq(outbox.kind, "partner.submit_claim")));
  const caseRows = await db
    .select({ id: cases.id, orderName: cases.orderName, status: cases.status })
    .from(cases)
    .where(
      inArray(
        cases.id,
        rows.map((r) => r.caseId!),
      ),
    );
  const held = sandbox.claims();
  const byRequest = new Map<string, number>();
  for (const c of held)
    byRequest.set(c.clientRequestId ?? "(none)", (byRequest.get(c.clientRequestId ?? "(none)") ?? 0) + 1);
  const invoices = new Map<string, number>();
  for (const c of held) invoices.set(c.invoiceNumber, (invoices.get(c.invoiceNumber) ?? 0) + 1);
  return {
    claims: rows.length,
    delivered: held.length,
    duplicateInvoices: [...invoices].filter(([, n]) => n > 1).map(([invoice]) => invoice),
    duplicateRequestIds: [...byRequest].filter(([, n]) => n > 1).map(([id]) => id),
    lost: caseRows.filter((c) => sandbox.submissions(c.orderName) === 0).map((c) => c.id),
    notHandedOver: caseRows.filter((c) => c.status !== "handed_over").map((c) => c.id),
    undelivered: rows
      .filter((r) => r.status !== "done")
      .map((r) => ({ id: r.id, status: r.status, lastError: r.lastError })),
    healed: rows.filter((r) => (r.result as { healed?: boolean } | null)?.healed === true).length,
  };
}

/** Every claim at the partner was created by the outbox row of its case: request id = that row's key. */
export async function requestIdsMatch(db: Db, shopId: string, sandbox: SandboxPartner): Promise<boolean> {
  const rows = await db
    .select({ key: outbox.idempotencyKey })
    .from(outbox)
    .where(and(eq(outbox.shopId, shopId), eq(outbox.kind, "partner.submit_claim")));
  const keys = new Set(rows.map((r) => r.key));
  const ids = sandbox.claims().map((c) => c.clientRequestId);
  return ids.length === keys.size && ids.every((id) => id !== null && keys.has(id));
}
