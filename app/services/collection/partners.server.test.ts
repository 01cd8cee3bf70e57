import { eq } from "drizzle-orm";
import { afterEach, describe, expect, test } from "vitest";

import { type SandboxPartner, startSandboxPartner } from "#adapters/partners/sandbox/server";
import { caseEvents, cases, orders, outbox, partnerAccounts, type Shop } from "#app/db/schema";
import { addDays } from "#app/domain/dates";
import { cancelCase, executeCaseCommand } from "#app/services/cases/commands.server";
import { runDunningSweep } from "#app/services/dunning/sweep.server";
import type { OrderReader } from "#app/services/intake/order-reread.server";
import { sweepOutbox } from "#app/services/outbox/outbox.server";
import { updateSettings } from "#app/services/settings/settings.server";
import { nothingNewOnPlatform, paidSnapshot } from "#test/support/cases";
import { createTestDatabase, type TestDatabase, testEngines } from "#test/support/db";
import { insertOrder, insertShop } from "#test/support/factories";

import { resolveHandover } from "./handover-resolution.server";
import {
  defaultPartnerFactory,
  openPartnerConfig,
  type PartnerConfig,
  recallHandler,
  reportPaymentHandler,
  savePartnerAccount,
  sealPartnerConfig,
  submitClaimHandler,
  syncPartnerFeed,
} from "./partners.server";

const creditor: PartnerConfig["creditor"] = {
  shopName: "Wollwerk",
  street: "Musterstraße 1",
  houseNumber: null,
  postalCode: "10115",
  city: "Berlin",
  countryCode: "DE",
  email: "shop@wollwerk.example",
  phone: null,
};

/** Each test walks a case through several sweeps against the sandbox partner: seconds when quiet, 20 s and more under load. */
const SLOW = { timeout: 90_000 };

/** The scheduler's sweep once a day at 09:00 UTC, from one day through another. */
async function sweepDaily(db: TestDatabase["db"], from: string, through: string) {
  for (let day = from; day <= through; day = addDays(day, 1)) await runDunningSweep(db, new Date(`${day}T09:00:00Z`));
}

describe.each(testEngines())("handover to the collection partner on %s", SLOW, (engine) => {
  let database: TestDatabase;
  let sandbox: SandboxPartner | undefined;
  afterEach(async () => {
    await sandbox?.close();
    sandbox = undefined;
    await database?.close();
  });

  /** A case driven by the scheduler all the way to handover (one day per step), with the claim queued. */
  async function handedOverCase(lastName = "Müller", options: { partner?: boolean } = {}) {
    database = await createTestDatabase(engine);
    const shop: Shop = await insertShop(database.db, { name: "Wollwerk" });
    await updateSettings(
      database.db,
      shop.id,
      {
        autoHandover: { mode: "all" },
        schedule: { reminder_1: 1, reminder_2: 1, final_reminder: 1, handover: 1 },
        transferGraceDays: 0,
      },
      { changedBy: "t", now: new Date() },
    );
    await insertOrder(database.db, shop, {
      name: "#4711",
      // Due Mon 5 Oct: one day per step and weekends skipped by § 193 BGB, the handover is on Tue 13 Oct.
      dueDate: "2026-10-05",
      customer: {
        platformCustomerId: "1",
        firstName: "Anna",
        lastName,
        company: null,
        email: "anna@example.de",
        phone: null,
        locale: "de",
      },
      billingAddress: {
        name: `Anna ${lastName}`,
        company: null,
        street1: "Friedrichstraße 123",
        street2: null,
        postalCode: "10117",
        city: "Berlin",
        countryCode: "DE",
      },
    });
    await sweepDaily(database.db, "2026-10-06", "2026-10-20");
    const [row] = await database.db.select().from(cases);
    expect(row!.status).toBe("handed_over");
    if (options.partner !== false) {
      sandbox = await startSandboxPartner({ port: 0, seed: 7 });
      await savePartnerAccount(database.db, {
        shopId: shop.id,
        partner: "sandbox",
        environment: "sandbox",
        config: { baseUrl: sandbox.url, authUrl: sandbox.authUrl, ...sandbox.credentials, creditor },
      });
    }
    return { shop, caseId: row!.id };
  }

  const handlers = { "partner.submit_claim": submitClaimHandler(undefined, nothingNewOnPlatform) };
  const caseRow = async (id: string) => (await database.db.select().from(cases).where(eq(cases.id, id)))[0]!;
  const account = async () => (await database.db.select().from(partnerAccounts))[0]!;

  test("start → reminders → handover → partner pays → case paid, the claim created exactly once", async () => {
    const { caseId } = await handedOverCase();
    await sweepOutbox(database.db, handlers, () => new Date("2026-10-20T09:01:00Z"));
    await sweepOutbox(database.db, handlers, () => new Date("2026-10-20T09:02:00Z"));
    expect(sandbox!.submissions("#4711")).toBe(1);
    const claimRow = (await database.db.select().from(outbox)).find((r) => r.kind === "partner.submit_claim");
    expect(claimRow!.status).toBe("done");

    for (let poll = 0; poll < 8 && (await caseRow(caseId)).status !== "paid"; poll++) {
      await syncPartnerFeed(database.db, await account(), new Date(`2026-10-2${1 + (poll % 8)}T09:00:00Z`));
    }
    const after = await caseRow(caseId);
    expect(after).toMatchObject({ status: "paid", outstandingMinor: 0 });
    expect(after.partnerReference).toMatch(/\S+/);
    const events = await database.db
      .select()
      .from(caseEvents)
      .where(eq(caseEvents.caseId, caseId))
      .orderBy(caseEvents.seq);
    const partnerStatuses = events
      .filter((e) => e.type === "partner_status_changed")
      .map((e) => (e.data as { subStatus: string }).subStatus);
    expect(partnerStatuses).toEqual(expect.arrayContaining(["received", "contacted", "payment_plan"]));
    expect(
      events.filter((e) => e.type === "payment_received").every((e) => (e.data as { side: string }).side === "partner"),
    ).toBe(true);
    // Polling again changes nothing: every change is applied once.
    const count = events.length;
    await syncPartnerFeed(database.db, await account(), new Date("2026-10-30T09:00:00Z"));
    expect(await database.db.select().from(caseEvents).where(eq(caseEvents.caseId, caseId))).toHaveLength(count);
  });

  test("an answer lost after the partner created the claim: the retry finds it and does not send it again", async () => {
    await handedOverCase();
    sandbox!.loseNextAnswers(1);
    await sweepOutbox(database.db, handlers, () => new Date("2026-10-20T09:01:00Z"));
    const [waiting] = (await database.db.select().from(outbox)).filter((r) => r.kind === "partner.submit_claim");
    expect(waiting!.status).toBe("failed");
    await sweepOutbox(database.db, handlers, () => new Date("2026-10-21T09:00:00Z"));
    const [done] = (await database.db.select().from(outbox)).filter((r) => r.kind === "partner.submit_claim");
    expect(done).toMatchObject({ status: "done", result: expect.objectContaining({ healed: true }) });
    expect(sandbox!.submissions("#4711")).toBe(1);
  });

  /** The shop's partner becomes the sandbox speaking mediaFinanz's protocol. */
  async function useMediafinanz(shopId: string) {
    sandbox = await startSandboxPartner({ port: 0, seed: 7 });
    const { sandbox: _engine, ...mediafinanz } = sandbox.mediafinanz;
    await savePartnerAccount(database.db, {
      shopId,
      partner: "sandbox_mediafinanz",
      environment: "sandbox",
      config: { protocol: "mediafinanz", ...mediafinanz, creditor },
    });
    return sandbox.mediafinanz.sandbox;
  }

  test("mediaFinanz: a dry run, then the claim once with our case id; its file number on the case; status polled to paid", async () => {
    const { shop, caseId } = await handedOverCase("Müller", { partner: false });
    const files = await useMediafinanz(shop.id);
    await sweepOutbox(database.db, handlers, () => new Date("2026-10-20T09:01:00Z"));
    await sweepOutbox(database.db, handlers, () => new Date("2026-10-20T09:02:00Z"));
    expect(files.submissions(caseId)).toBe(1);
    expect(sandbox!.requests().filter((r) => r.startsWith("PUT "))).toHaveLength(2);
    const handed = await caseRow(caseId);
    expect(handed.partnerReference).toMatch(/^\d{11}$/);
    expect(files.files()[0]).toMatchObject({ az: handed.partnerReference, reference: caseId });

    for (let poll = 0; poll < 5 && (await caseRow(caseId)).status !== "paid"; poll++)
      await syncPartnerFeed(database.db, await account(), new Date(`2026-10-2${1 + poll}T09:00:00Z`));
    expect(await caseRow(caseId)).toMatchObject({ status: "paid", outstandingMinor: 0 });
    const events = await database.db
      .select()
      .from(caseEvents)
      .where(eq(caseEvents.caseId, caseId))
      .orderBy(caseEvents.seq);
    const contacted = events.find(
      (e) => e.type === "partner_status_changed" && (e.data as { subStatus: string }).subStatus === "contacted",
    );
    // The partner's raw code and text stay on the event.
    expect(contacted?.reason).toContain("status 10203 Schuldner angeschrieben");
    const count = events.length;
    await syncPartnerFeed(database.db, await account(), new Date("2026-10-30T09:00:00Z"));
    expect(await database.db.select().from(caseEvents).where(eq(caseEvents.caseId, caseId))).toHaveLength(count);
  });

  test("mediaFinanz: an answer lost after the claim was created: handover unknown, and it is never sent again", async () => {
    const { shop, caseId } = await handedOverCase("Müller", { partner: false });
    const files = await useMediafinanz(shop.id);
    sandbox!.loseNextAnswers(1);
    await sweepOutbox(database.db, handlers, () => new Date("2026-10-20T09:01:00Z"));
    await sweepOutbox(database.db, handlers, () => new Date("2026-10-21T09:00:00Z"));
    await sweepOutbox(database.db, handlers, () => new Date("2026-10-25T09:00:00Z"));
    expect(files.submissions(caseId)).toBe(1);
    const after = await caseRow(caseId);
    expect(after.status).toBe("blocked");
    expect((after.state as { blockReasons: string[] }).blockReasons).toEqual(["handover_unknown"]);
    const [row] = (await database.db.select().from(outbox)).filter((r) => r.kind === "partner.submit_claim");
    expect(row).toMatchObject({ status: "dead", lastError: expect.stringContaining("handover unknown") });
  });

  test("mediaFinanz: a worker that dies after the send began leaves it to a person; nothing is sent twice", async () => {
    const { shop, caseId } = await handedOverCase("Müller", { partner: false });
    const files = await useMediafinanz(shop.id);
    const dying = submitClaimHandler((account, config) => {
      const partner = defaultPartnerFactory(account, config);
      return {
        ...partner,
        submitClaim: async (claim, options) => {
          await partner.submitClaim(claim, options);
          throw new Error("worker killed before recording the answer");
        },
      };
    }, nothingNewOnPlatform);
    await sweepOutbox(database.db, { "partner.submit_claim": dying }, () => new Date("2026-10-20T09:01:00Z"));
    await sweepOutbox(database.db, handlers, () => new Date("2026-10-21T09:00:00Z"));
    expect(files.submissions(caseId)).toBe(1);
    expect(((await caseRow(caseId)).state as { blockReasons: string[] }).blockReasons).toEqual(["handover_unknown"]);
  });

  test("mediaFinanz, handover unknown: support enters the file number its portal shows; the case follows the claim", async () => {
    const { shop, caseId } = await handedOverCase("Müller", { partner: false });
    const files = await useMediafinanz(shop.id);
    sandbox!.loseNextAnswers(1);
    await sweepOutbox(database.db, handlers, () => new Date("2026-10-20T09:01:00Z"));
    const az = files.files()[0]!.az;
    const decide = (claimNumber: string) =>
      resolveHandover(database.db, {
        shopId: shop.id,
        caseId,
        resolution: { kind: "claim_number", claimNumber },
        actor: { type: "support", id: "jana" },
        reason: "Akte im Mandantenportal gefunden",
        now: new Date("2026-10-21T10:00:00Z"),
      });
    expect(await decide("4711")).toMatchObject({ ok: false, error: { code: "invalid_claim_number" } });
    expect(await decide(az)).toMatchObject({ ok: true, case: { status: "handed_over", partnerReference: az } });
    expect(await decide(az)).toMatchObject({ ok: false, error: { code: "not_handover_unknown" } });
    const [row] = (await database.db.select().from(outbox)).filter((r) => r.kind === "partner.submit_claim");
    expect(row).toMatchObject({ status: "done", result: { claimNumber: az, resolved: { by: "support:jana" } } });
    const timeline = await database.db.select().from(caseEvents).where(eq(caseEvents.caseId, caseId));
    expect(timeline.find((e) => e.type === "case_unblocked")).toMatchObject({
      actorType: "support",
      actorId: "jana",
      reason: "claim number entered: Akte im Mandantenportal gefunden",
    });
    for (let poll = 0; poll < 5 && (await caseRow(caseId)).status !== "paid"; poll++)
      await syncPartnerFeed(database.db, await account(), new Date(`2026-10-2${2 + poll}T09:00:00Z`));
    expect((await caseRow(caseId)).status).toBe("paid");
    expect(files.submissions(caseId)).toBe(1);
  });

  test("mediaFinanz, handover unknown where nothing arrived: support confirms the resend, and it is sent once", async () => {
    const { shop, caseId } = await handedOverCase("Müller", { partner: false });
    const files = await useMediafinanz(shop.id);
    const diesBeforeSending = submitClaimHandler(
      (account, config) => ({
        ...defaultPartnerFactory(account, config),
        submitClaim: async () => {
          throw new Error("worker killed right before the request left");
        },
      }),
      nothingNewOnPlatform,
    );
    await sweepOutbox(
      database.db,
      { "partner.submit_claim": diesBeforeSending },
      () => new Date("2026-10-20T09:01:00Z"),
    );
    await sweepOutbox(database.db, handlers, () => new Date("2026-10-21T09:00:00Z"));
    expect(((await caseRow(caseId)).state as { blockReasons: string[] }).blockReasons).toEqual(["handover_unknown"]);
    expect(files.submissions(caseId)).toBe(0);
    const resolved = await resolveHandover(database.db, {
      shopId: shop.id,
      caseId,
      resolution: { kind: "resend" },
      actor: { type: "staff", id: "owner" },
      reason: "Keine Akte im Portal",
      now: new Date("2026-10-21T10:00:00Z"),
    });
    expect(resolved).toMatchObject({ ok: true, case: { status: "handed_over" } });
    await sweepOutbox(database.db, handlers, () => new Date("2026-10-21T10:01:00Z"));
    await sweepOutbox(database.db, handlers, () => new Date("2026-10-22T10:01:00Z"));
    expect(files.submissions(caseId)).toBe(1);
    expect((await caseRow(caseId)).partnerReference).toMatch(/^\d{11}$/);
  });

  test("mediaFinanz: a claim refused at the dry run fails the case with the reason, and no real attempt is made", async () => {
    const { shop, caseId } = await handedOverCase("Abgelehnt", { partner: false });
    const files = await useMediafinanz(shop.id);
    await sweepOutbox(database.db, handlers, () => new Date("2026-10-20T09:01:00Z"));
    expect(files.submissions(caseId)).toBe(0);
    expect(sandbox!.requests().filter((r) => r.startsWith("PUT "))).toHaveLength(1);
    const after = await caseRow(caseId);
    expect(after.status).toBe("failed");
    expect((after.state as { failureReasons: string[] }).failureReasons.join(" ")).toContain(
      "Schuldner unbekannt verzogen",
    );
  });

  test("a claim the partner rejects fails the case with the partner's reasons", async () => {
    const { caseId } = await handedOverCase("Abgelehnt");
    await sweepOutbox(database.db, handlers, () => new Date("2026-10-20T09:01:00Z"));
    for (let poll = 0; poll < 3; poll++)
      await syncPartnerFeed(database.db, await account(), new Date("2026-10-21T09:00:00Z"));
    const after = await caseRow(caseId);
    expect(after.status).toBe("failed");
    expect((after.state as { failureReasons: string[] }).failureReasons.some((r) => r.startsWith("partner_"))).toBe(
      true,
    );
  });

  test("paid on the platform, its webhook lost: read again right before the handover, no claim goes out", async () => {
    const { shop, caseId } = await handedOverCase();
    const [order] = await database.db.select().from(orders);
    const asked: string[] = [];
    const paidThere: OrderReader = async (_db, s, platformOrderId) => {
      asked.push(`${s.id}:${platformOrderId}`);
      return { kind: "order", order: paidSnapshot(order!, new Date("2026-10-19T15:00:00Z")) };
    };
    await sweepOutbox(
      database.db,
      { "partner.submit_claim": submitClaimHandler(undefined, paidThere) },
      () => new Date("2026-10-20T09:01:00Z"),
    );
    expect(asked).toEqual([`${shop.id}:${order!.platformOrderId}`]);
    expect(sandbox!.submissions("#4711")).toBe(0);
    const after = await caseRow(caseId);
    expect(after).toMatchObject({ status: "paid", outstandingMinor: 0 });
    const types = (
      await database.db.select().from(caseEvents).where(eq(caseEvents.caseId, caseId)).orderBy(caseEvents.seq)
    ).map((e) => e.type);
    expect(types.slice(-3)).toEqual(["handed_over", "handover_withdrawn", "payment_received"]);
    // Nothing is reported to a partner that never had the claim.
    expect(
      (await database.db.select().from(outbox)).filter(
        (r) => r.kind.startsWith("partner.") && r.kind !== "partner.submit_claim",
      ),
    ).toEqual([]);
  });

  test("the platform cannot be asked: the claim waits; the order gone from the platform: the case fails", async () => {
    const { caseId } = await handedOverCase();
    const down: OrderReader = async () => {
      throw new Error("connect ECONNREFUSED");
    };
    await sweepOutbox(
      database.db,
      { "partner.submit_claim": submitClaimHandler(undefined, down) },
      () => new Date("2026-10-20T09:01:00Z"),
    );
    const [waiting] = (await database.db.select().from(outbox)).filter((r) => r.kind === "partner.submit_claim");
    expect(waiting).toMatchObject({ status: "failed", lastError: expect.stringContaining("could not be read again") });
    expect(sandbox!.submissions("#4711")).toBe(0);
    const gone: OrderReader = async () => ({ kind: "missing" });
    await sweepOutbox(
      database.db,
      { "partner.submit_claim": submitClaimHandler(undefined, gone) },
      () => new Date("2026-10-21T09:00:00Z"),
    );
    const after = await caseRow(caseId);
    expect(after.status).toBe("failed");
    expect((after.state as { failureReasons: string[] }).failureReasons).toEqual(["order_missing_on_platform"]);
    expect(sandbox!.submissions("#4711")).toBe(0);
  });

  test("no partner configured: the case fails with that reason instead of waiting forever", async () => {
    const { caseId } = await handedOverCase("Müller", { partner: false });
    await sweepOutbox(database.db, handlers, () => new Date("2026-10-20T09:01:00Z"));
    const after = await caseRow(caseId);
    expect(after.status).toBe("failed");
    expect((after.state as { failureReasons: string[] }).failureReasons).toEqual(["no_collection_partner"]);
  });
});

describe.each(testEngines())("while the partner holds the claim, on %s", SLOW, (engine) => {
  let database: TestDatabase;
  let sandbox: SandboxPartner | undefined;
  afterEach(async () => {
    await sandbox?.close();
    sandbox = undefined;
    await database?.close();
  });

  const handlers = {
    "partner.submit_claim": submitClaimHandler(undefined, nothingNewOnPlatform),
    "partner.recall": recallHandler(),
    "partner.report_payment": reportPaymentHandler(),
  };

  /** Handed over, submitted, and confirmed by the partner (claim number known). */
  async function confirmedClaim() {
    database = await createTestDatabase(engine);
    const shop: Shop = await insertShop(database.db, { name: "Wollwerk" });
    await updateSettings(
      database.db,
      shop.id,
      {
        autoHandover: { mode: "all" },
        schedule: { reminder_1: 1, reminder_2: 1, final_reminder: 1, handover: 1 },
        transferGraceDays: 0,
      },
      { changedBy: "t", now: new Date() },
    );
    await insertOrder(database.db, shop, {
      name: "#4712",
      dueDate: "2026-10-05",
      totalMinor: 20_000,
      outstandingMinor: 20_000,
      customer: {
        platformCustomerId: "2",
        firstName: "Jonas",
        lastName: "Klein",
        company: null,
        email: "jonas@example.de",
        phone: null,
        locale: "de",
      },
      billingAddress: {
        name: "Jonas Klein",
        company: null,
        street1: "Hauptstraße 1",
        street2: null,
        postalCode: "50667",
        city: "Köln",
        countryCode: "DE",
      },
    });
    await sweepDaily(database.db, "2026-10-06", "2026-10-20");
    sandbox = await startSandboxPartner({ port: 0, seed: 11 });
    await savePartnerAccount(database.db, {
      shopId: shop.id,
      partner: "sandbox",
      environment: "sandbox",
      config: { baseUrl: sandbox.url, authUrl: sandbox.authUrl, ...sandbox.credentials, creditor },
    });
    await sweepOutbox(database.db, handlers, () => new Date("2026-10-20T09:01:00Z"));
    const [account] = await database.db.select().from(partnerAccounts);
    await syncPartnerFeed(database.db, account!, new Date("2026-10-21T09:00:00Z"));
    const [row] = await database.db.select().from(cases);
    expect(row!.partnerReference).toBeTruthy();
    return { shop, caseRow: row!, account: account! };
  }

  test("cancel after handover is a recall; the partner's confirmation cancels the case", async () => {
    const { shop, caseRow } = await confirmedClaim();
    const requested = await cancelCase(database.db, {
      shopId: shop.id,
      caseId: caseRow.id,
      actor: { type: "support", id: "anna" },
      reason: "Ware zurückgegeben",
      now: new Date("2026-10-22T09:00:00Z"),
    });
    expect(requested.ok && requested.case).toMatchObject({ status: "handed_over", cancellationRequested: true });
    await sweepOutbox(database.db, handlers, () => new Date("2026-10-22T09:01:00Z"));
    const recall = (await database.db.select().from(outbox)).find((r) => r.kind === "partner.recall");
    expect(recall).toMatchObject({ status: "done" });
    for (let poll = 0; poll < 4 && (await database.db.select().from(cases))[0]!.status !== "cancelled"; poll++) {
      await syncPartnerFeed(
        database.db,
        (await database.db.select().from(partnerAccounts))[0]!,
        new Date("2026-10-23T09:00:00Z"),
      );
    }
    expect((await database.db.select().from(cases))[0]).toMatchObject({ status: "cancelled" });
  });

  test("a payment the shop receives is reported to the partner once", async () => {
    const { shop, caseRow } = await confirmedClaim();
    const paid = await executeCaseCommand(database.db, {
      shopId: shop.id,
      caseId: caseRow.id,
      envelope: {
        command: { type: "payment", amount: { amountMinor: 5_000, currency: "EUR" }, side: "shop" },
        actor: { type: "platform", id: "shopify" },
        reason: null,
        occurredAt: new Date("2026-10-22T09:00:00Z"),
        sourceId: "txn-77",
      },
    });
    expect(paid.ok).toBe(true);
    await sweepOutbox(database.db, handlers, () => new Date("2026-10-22T09:01:00Z"));
    await sweepOutbox(database.db, handlers, () => new Date("2026-10-22T09:02:00Z"));
    const reports = (await database.db.select().from(outbox)).filter((r) => r.kind === "partner.report_payment");
    expect(reports).toHaveLength(1);
    expect(reports[0]).toMatchObject({ status: "done" });
    const claim = sandbox!.claims().find((c) => c.invoiceNumber === "#4712");
    expect(claim!.paymentNumbers).toHaveLength(1);
  });
});

test("partner credentials: encrypted with ENCRYPTION_KEY and bound to their shop; plain only for the sandbox", () => {
  const SHOP_ID = "6f1c2a9e-3b4d-4e5f-8a7b-1c2d3e4f5a6b";
  const config: PartnerConfig = {
    baseUrl: "https://riverty.test",
    authUrl: "https://auth.riverty.test/oauth/token",
    audience: "a",
    clientId: "id",
    clientSecret: "very-secret-value",
    creditor,
  };
  const key = "0".repeat(64);
  const sealed = sealPartnerConfig(config, "riverty", SHOP_ID, key);
  expect(sealed).not.toContain("very-secret-value");
  expect(openPartnerConfig(sealed, SHOP_ID, key)).toEqual(config);
  // Copied into another shop's row, the ciphertext does not open.
  expect(() => openPartnerConfig(sealed, "0b8e6f2d-9c1a-4d3e-b5f7-2a4c6e8d0f1b", key)).toThrow();
  expect(() => sealPartnerConfig(config, "riverty", SHOP_ID, undefined)).toThrow(/ENCRYPTION_KEY/);
  expect(sealPartnerConfig(config, "sandbox", SHOP_ID, undefined)).toMatch(/^plain:/);
});
