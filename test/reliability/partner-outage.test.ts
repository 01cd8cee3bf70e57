// Issue 11 "partner unavailable, then back -> all delivered, none twice" (and issue 9's backoff and give-up): the
// sandbox partner answers 503, hangs, refuses connections, or carries requests out after the client timed out;
// claims, recalls and payment reports wait with backoff and arrive exactly once when it is back. A case whose row
// used up its retries is blocked with the reason until support retries it (`mahnwerk outbox retry`).
import { and, eq } from "drizzle-orm";
import { delay, http, HttpResponse } from "msw";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from "vitest";

import { createRivertyAdapter } from "#adapters/partners/riverty/adapter";
import { type SandboxOutage, type SandboxPartner, startSandboxPartner } from "#adapters/partners/sandbox/server";
import { runCli } from "#app/cli/mahnwerk";
import { caseEvents, cases, outbox, partnerAccounts, type Shop } from "#app/db/schema";
import { cancelCase, executeCaseCommand } from "#app/services/cases/commands.server";
import {
  type PartnerFactory,
  recallHandler,
  reportPaymentHandler,
  submitClaimHandler,
  syncPartnerFeed,
} from "#app/services/collection/partners.server";
import { OUTBOX_MAX_ATTEMPTS, sweepOutbox } from "#app/services/outbox/outbox.server";
import type { OutboxHandler } from "#app/services/outbox/types";
import { server } from "#test/mocks/node";
import { RIVERTY_TEST_AUTH_URL, RIVERTY_TEST_BASE_URL, RIVERTY_TEST_CONFIG, rivertyMock } from "#test/mocks/riverty";
import { nothingNewOnPlatform } from "#test/support/cases";
import { createTestDatabase, type TestDatabase, testEngines } from "#test/support/db";
import { exactlyOnceReport, seedHandedOverCases } from "#test/support/handover-faults";
import { scale } from "#test/support/reliability";

/** The adapter's timeout while the partner is up: generous, this machine is shared. */
const UP_TIMEOUT_MS = 5_000;
/** While it hangs or answers late: short, so the outage costs the test little time. */
const DOWN_TIMEOUT_MS = 300;
let timeoutMs = UP_TIMEOUT_MS;
/** The real adapter, with the timeout the test sets. */
const factory: PartnerFactory = (_account, config) => {
  if ("protocol" in config) throw new Error("this test runs Riverty's protocol");
  return createRivertyAdapter(
    {
      baseUrl: config.baseUrl,
      authUrl: config.authUrl,
      audience: config.audience,
      clientId: config.clientId,
      clientSecret: config.clientSecret,
    },
    { timeoutMs },
  );
};
const handlers: Record<string, OutboxHandler> = {
  "partner.submit_claim": submitClaimHandler(factory, nothingNewOnPlatform),
  "partner.recall": recallHandler(factory),
  "partner.report_payment": reportPaymentHandler(factory),
};

/** Attempts that fit into `windowMs` when the n-th retry waits at least half its backoff ceiling (15 s, 30 s, …). */
function maxAttemptsWithin(windowMs: number): number {
  let attempts = 1;
  for (let waited = 0; attempts < OUTBOX_MAX_ATTEMPTS; attempts++) {
    waited += 15_000 * 2 ** (attempts - 1);
    if (waited > windowMs) break;
  }
  return attempts;
}

describe.each(testEngines())("collection partner down, then back, on %s", (engine) => {
  let database: TestDatabase;
  let sandbox: SandboxPartner | undefined;
  beforeAll(async () => {
    database = await createTestDatabase(engine);
  });
  afterAll(() => database.close());
  afterEach(async () => {
    timeoutMs = UP_TIMEOUT_MS;
    await sandbox?.close();
    sandbox = undefined;
  });

  const rowsOf = async (shopId: string, kind: string) =>
    database.db
      .select()
      .from(outbox)
      .where(and(eq(outbox.shopId, shopId), eq(outbox.kind, kind)));
  const accountOf = async (shopId: string) =>
    (await database.db.select().from(partnerAccounts).where(eq(partnerAccounts.shopId, shopId)))[0]!;
  const caseOf = async (id: string) => (await database.db.select().from(cases).where(eq(cases.id, id)))[0]!;

  /** Sweeps at `now`, then lets the partner finish what it still works on (a late request is carried out before the next attempt, as a backoff of 15 s or more guarantees). */
  async function sweepAt(now: number) {
    const handled = await sweepOutbox(database.db, handlers, () => new Date(now));
    await sandbox!.idle();
    return handled;
  }

  const modes: (SandboxOutage | "slow")[] = ["unavailable", "hang", "refuse", "slow"];
  test.each(modes)(
    "%s: every claim, recall and payment report delivered, none twice, with backoff",
    async (mode) => {
      const perGroup = scale(1, 60);
      sandbox = await startSandboxPartner({ port: 0, seed: 9 });
      let now = Date.parse("2026-10-20T09:01:00Z");

      // Before the outage: claims of groups A and B handed over and confirmed (the partner's claim number known).
      const { shop, caseIds: held } = await seedHandedOverCases(database.db, sandbox, 2 * perGroup);
      await sweepAt(now);
      await syncPartnerFeed(database.db, await accountOf(shop.id), new Date(now), factory);
      const recalled = held.slice(0, perGroup);
      const paid = held.slice(perGroup);
      for (const id of held) expect((await caseOf(id)).partnerReference).toBeTruthy();

      // Then the shop cancels A (a recall), receives money for B (a payment report), and hands over C.
      now += 60_000;
      for (const caseId of recalled) {
        expect(
          (
            await cancelCase(database.db, {
              shopId: shop.id,
              caseId,
              actor: { type: "support", id: "t" },
              reason: "Einigung mit dem Kunden",
              now: new Date(now),
            })
          ).ok,
        ).toBe(true);
      }
      for (const caseId of paid) {
        const payment = {
          type: "payment" as const,
          amount: { amountMinor: 1_000, currency: "EUR" },
          side: "shop" as const,
        };
        const result = await executeCaseCommand(database.db, {
          shopId: shop.id,
          caseId,
          envelope: {
            command: payment,
            actor: { type: "platform", id: "shopify" },
            reason: null,
            occurredAt: new Date(now),
            sourceId: `txn:${caseId}`,
          },
        });
        expect(result.ok).toBe(true);
      }
      const { caseIds: fresh } = await seedHandedOverCases(database.db, sandbox, perGroup, shop);

      // The outage: four simulated minutes, a sweep every 15 s (the shortest backoff: a row retried at every sweep
      // would show 16 attempts), a feed poll every minute.
      timeoutMs = DOWN_TIMEOUT_MS;
      if (mode === "slow") sandbox.setLatency(4 * DOWN_TIMEOUT_MS, ["POST"]);
      else await sandbox.outage(mode);
      const before = sandbox.requests().length;
      const outageMs = 4 * 60_000;
      for (let tick = 0; tick < outageMs / 15_000; tick++, now += 15_000) {
        await sweepAt(now);
        if (tick % 4 !== 0) continue;
        const poll = syncPartnerFeed(database.db, await accountOf(shop.id), new Date(now), factory);
        // Slow answers to POSTs only: the feed (GET) keeps working, unless the loaded machine makes it time out.
        if (mode === "slow") await poll.catch(() => undefined);
        else await expect(poll).rejects.toThrow(/unavailable/);
      }
      // Backoff, not a hot loop: each row tried only as often as its backoff allows, nothing due at the same instant.
      const rows = [
        ...(await rowsOf(shop.id, "partner.recall")),
        ...(await rowsOf(shop.id, "partner.report_payment")),
        ...(await rowsOf(shop.id, "partner.submit_claim")).filter((r) => fresh.includes(r.caseId!)),
      ];
      expect(rows).toHaveLength(3 * perGroup);
      for (const row of rows) expect(row.attempts).toBeLessThanOrEqual(maxAttemptsWithin(outageMs));
      if (mode !== "slow")
        expect(rows.every((r) => r.status === "failed" && r.nextAttemptAt.getTime() > now - 15_000)).toBe(true);
      const during = sandbox.requests().length - before;
      expect(await sweepAt(now - 15_000)).toBe(0);
      expect(sandbox.requests().length - before).toBe(during);

      // Back: everything goes out once, and what the partner reports comes back into the cases.
      if (mode === "slow") sandbox.setLatency(0);
      else await sandbox.outage(null);
      timeoutMs = UP_TIMEOUT_MS;
      for (
        let i = 0;
        i < 40 &&
        (
          await database.db
            .select()
            .from(outbox)
            .where(and(eq(outbox.shopId, shop.id)))
        ).some((r) => r.kind.startsWith("partner.") && r.status !== "done");
        i++
      ) {
        now += 60_000;
        await sweepAt(now);
      }
      for (let poll = 0; poll < 3; poll++) {
        now += 60_000;
        await syncPartnerFeed(database.db, await accountOf(shop.id), new Date(now), factory);
      }

      const partnerRows = (await database.db.select().from(outbox).where(eq(outbox.shopId, shop.id))).filter((r) =>
        r.kind.startsWith("partner."),
      );
      expect(partnerRows.filter((r) => r.status !== "done").map((r) => [r.kind, r.status, r.lastError])).toEqual([]);
      const report = await exactlyOnceReport(database.db, shop.id, sandbox);
      expect(report).toMatchObject({
        claims: 3 * perGroup,
        delivered: 3 * perGroup,
        duplicateInvoices: [],
        duplicateRequestIds: [],
        lost: [],
      });
      const claimOf = async (caseId: string) => {
        const { orderName } = await caseOf(caseId);
        return sandbox!.claims().find((c) => c.invoiceNumber === orderName)!;
      };
      const recallsSent: number[] = [];
      for (const caseId of recalled) {
        const claim = await claimOf(caseId);
        recallsSent.push(claim.recallRequests);
        const transactions = sandbox.engine.transactions().filter((t) => t.claimNumber === claim.claimNumber);
        const confirmations = transactions.filter(
          (t) => t.type === "CONFIRMATION" && t.confirmation.type === "RECALL",
        ).length;
        expect(
          transactions.filter((t) => t.type === "CLOSING").map((t) => t.type === "CLOSING" && t.closing.type),
        ).toEqual(["RECALLED_BY_CLIENT"]);
        expect(await caseOf(caseId)).toMatchObject({ status: "cancelled" });
        // Riverty documents no key for recalls: one whose answer was lost (carried out, then timed out) is sent again
        // — the partner confirms each, the claim closes once and the case is cancelled once. Otherwise: exactly once.
        if (mode !== "slow")
          expect({ requests: claim.recallRequests, confirmations }).toEqual({ requests: 1, confirmations: 1 });
      }
      for (const caseId of paid) {
        expect((await claimOf(caseId)).paymentNumbers).toHaveLength(1);
        // The shop's payment counts once in the case (while the partner works, the sandbox's script may go on to its
        // own collection and close the claim: with the feed up during "slow", it does).
        const events = await database.db.select().from(caseEvents).where(eq(caseEvents.caseId, caseId));
        expect(
          events.filter((e) => e.type === "payment_received" && (e.data as { side: string }).side === "shop"),
        ).toHaveLength(1);
        if (mode !== "slow")
          expect(await caseOf(caseId)).toMatchObject({
            status: "handed_over",
            outstandingMinor: 4_000 + held.indexOf(caseId),
          });
      }
      for (const caseId of fresh) expect((await caseOf(caseId)).partnerReference).toBeTruthy();
      process.stdout.write(
        `[reliability] partner ${mode}: ${3 * perGroup} rows (claims, recalls, payments), ${during} requests reached the partner during ${outageMs / 60_000} min, ` +
          `${report.delivered} claims at the partner, ${report.duplicateInvoices.length} duplicates, ${report.healed} healed by look-up, recall requests per claim ${JSON.stringify([...new Set(recallsSent)])}\n`,
      );
    },
    scale(120_000, 3_600_000),
  ); // the hang and slow modes wait for client timeouts: seconds when quiet, far more under load

  test("past the retry budget the case is blocked with the reason; `outbox retry` brings it back, delivered once", async () => {
    sandbox = await startSandboxPartner({ port: 0, seed: 10 });
    const { shop, caseIds } = await seedHandedOverCases(database.db, sandbox, 1);
    const caseId = caseIds[0]!;
    let now = Date.parse("2026-10-20T09:01:00Z");
    await sandbox.outage("unavailable");
    for (let attempt = 1; attempt < OUTBOX_MAX_ATTEMPTS; attempt++) {
      await sweepAt(now);
      now += 7 * 3_600_000; // past the longest backoff
    }
    // The last attempt reaches the partner, which takes the claim, but the answer never arrives.
    await sandbox.outage(null);
    sandbox.loseNextAnswers(1);
    await sweepAt(now);
    const [row] = await rowsOf(shop.id, "partner.submit_claim");
    expect(row).toMatchObject({
      status: "dead",
      attempts: OUTBOX_MAX_ATTEMPTS,
      lastError: expect.stringMatching(/network error/),
    });
    const blocked = await caseOf(caseId);
    expect(blocked.status).toBe("blocked");
    expect((blocked.state as { blockReasons: string[] }).blockReasons).toEqual(["partner.submit_claim_failed"]);
    expect(sandbox.submissions(blocked.orderName)).toBe(1);

    // Dead stays dead until support acts; then the look-up finds the claim instead of sending it again.
    now += 3_600_000;
    expect(await sweepAt(now)).toBe(0);
    let out = "";
    const code = await runCli(["outbox", "retry", row!.id, "--shop", shop.domain, "--json"], {
      db: database.db,
      now: () => new Date(now),
      io: { out: (t) => (out += t), err: () => undefined },
    });
    expect(code).toBe(0);
    expect(JSON.parse(out)).toEqual({ id: row!.id, status: "pending" });
    expect(await caseOf(caseId)).toMatchObject({ status: "handed_over" });
    await sweepAt(now + 1_000);
    expect((await rowsOf(shop.id, "partner.submit_claim"))[0]).toMatchObject({
      status: "done",
      result: expect.objectContaining({ healed: true }),
    });
    expect(sandbox.submissions(blocked.orderName)).toBe(1);
  });
});

describe.each(testEngines())("Riverty (msw) times out after it accepted the claim, on %s", (engine) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase(engine);
  });
  afterAll(() => database.close());
  beforeEach(() => rivertyMock.reset());

  test("the retry looks the claim up and does not submit it again", async () => {
    let posts = 0;
    server.use(
      http.post(`${RIVERTY_TEST_BASE_URL}/v1/claims`, async ({ request }) => {
        posts += 1;
        const url = new URL(request.url);
        const answer = rivertyMock.handle({
          method: "POST",
          path: url.pathname,
          query: url.searchParams,
          authorization: request.headers.get("authorization"),
          clientRequestId: request.headers.get("x-request-id"),
          body: await request.text(),
        });
        await delay(4 * DOWN_TIMEOUT_MS); // accepted, but the answer comes after the adapter gave up
        return HttpResponse.json(answer.body as Record<string, unknown>, { status: answer.status });
      }),
    );
    const riverty: PartnerFactory = () => createRivertyAdapter(RIVERTY_TEST_CONFIG, { timeoutMs: DOWN_TIMEOUT_MS });
    const rivertyHandlers = { "partner.submit_claim": submitClaimHandler(riverty, nothingNewOnPlatform) };
    const partner = {
      url: RIVERTY_TEST_BASE_URL,
      authUrl: RIVERTY_TEST_AUTH_URL,
      credentials: {
        clientId: RIVERTY_TEST_CONFIG.clientId,
        clientSecret: RIVERTY_TEST_CONFIG.clientSecret,
        audience: RIVERTY_TEST_CONFIG.audience,
      },
    };
    const { shop, caseIds }: { shop: Shop; caseIds: string[] } = await seedHandedOverCases(database.db, partner, 1);
    const invoice = (await database.db.select().from(cases).where(eq(cases.id, caseIds[0]!)))[0]!.orderName;

    await sweepOutbox(database.db, rivertyHandlers, () => new Date("2026-10-20T09:01:00Z"));
    const [waiting] = await database.db.select().from(outbox).where(eq(outbox.shopId, shop.id));
    expect(waiting).toMatchObject({ status: "failed", lastError: expect.stringMatching(/network error/) });
    expect(rivertyMock.submissions(invoice)).toBe(1);

    await sweepOutbox(database.db, rivertyHandlers, () => new Date("2026-10-20T10:00:00Z"));
    const [done] = await database.db.select().from(outbox).where(eq(outbox.shopId, shop.id));
    expect(done).toMatchObject({ status: "done", result: expect.objectContaining({ healed: true }) });
    expect(posts).toBe(1);
    expect(rivertyMock.submissions(invoice)).toBe(1);
  });
});
