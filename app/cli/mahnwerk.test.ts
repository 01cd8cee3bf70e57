import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, test } from "vitest";

import { loginTokens, outbox, type Shop, webhookInbox } from "#app/db/schema";
import { creditorReference } from "#app/domain/payments/creditor-reference";
import { executeCaseCommand } from "#app/services/cases/commands.server";
import { openTestCase } from "#test/support/cases";
import { createTestDatabase, type TestDatabase, testEngines } from "#test/support/db";
import { insertShop } from "#test/support/factories";
import { camt053 } from "#test/support/statements";

import { runCli } from "./mahnwerk";

describe.each(testEngines())("mahnwerk CLI on %s", (engine) => {
  let database: TestDatabase;
  let shop: Shop;
  let caseId: string;
  beforeAll(async () => {
    database = await createTestDatabase(engine);
    shop = await insertShop(database.db, { domain: "laden.myshopify.com", name: "Laden" });
    await insertShop(database.db, { domain: "other.myshopify.com", name: "Other" });
    caseId = (await openTestCase(database.db, shop)).case.id;
  });
  afterAll(() => database.close());

  async function cli(...argv: string[]) {
    let out = "";
    let err = "";
    const code = await runCli(argv, {
      db: database.db,
      now: () => new Date("2026-11-23T10:00:00Z"),
      io: { out: (t) => (out += `${t}\n`), err: (t) => (err += `${t}\n`) },
    });
    return { code, out, err, json: () => JSON.parse(out) as any };
  }

  test("shops list --json", async () => {
    const r = await cli("shops", "list", "--json");
    expect(r.code).toBe(0);
    expect(r.json().find((s: any) => s.domain === "laden.myshopify.com")).toEqual({
      id: shop.id,
      domain: "laden.myshopify.com",
      platform: "shopify",
      name: "Laden",
      timezone: "Europe/Berlin",
      currency: "EUR",
      status: "active",
    });
    expect((await cli("shops", "list")).out).toMatch(/^id\s+domain\s+platform/);
  });

  test("tokens create shows the token once; list never shows it; revoke", async () => {
    const created = await cli(
      "tokens",
      "create",
      "--shop",
      "laden.myshopify.com",
      "--role",
      "support",
      "--name",
      "Helpdesk",
      "--json",
    );
    expect(created.code).toBe(0);
    const token = created.json();
    expect(token).toEqual({
      id: expect.any(String),
      token: expect.stringMatching(/^mw_/),
      shop: "laden.myshopify.com",
      role: "support",
      name: "Helpdesk",
    });
    const list = await cli("tokens", "list", "--shop", "laden.myshopify.com", "--json");
    expect(list.out).not.toContain(token.token);
    expect(list.json()).toEqual([
      expect.objectContaining({ id: token.id, role: "support", name: "Helpdesk", revokedAt: null }),
    ]);
    const revoked = await cli("tokens", "revoke", token.id, "--json");
    expect(revoked.code).toBe(0);
    expect(revoked.json().revokedAt).toBe("2026-11-23T10:00:00.000Z");
  });

  test("cases list/show/start/cancel with --json; the actor is support:<name>", async () => {
    const list = await cli(
      "cases",
      "list",
      "--shop",
      "laden.myshopify.com",
      "--status",
      "waiting_for_approval",
      "--json",
    );
    expect(list.json().map((c: any) => c.id)).toEqual([caseId]);
    const start = await cli(
      "cases",
      "start",
      caseId,
      "--shop",
      "laden.myshopify.com",
      "--reason",
      "Telefonat",
      "--actor",
      "maria",
      "--json",
    );
    expect(start.code).toBe(0);
    expect(start.json().status).toBe("running");
    const show = await cli("cases", "show", caseId, "--shop", "laden.myshopify.com", "--json");
    expect(show.json().events.at(-1)).toMatchObject({
      type: "case_started",
      actor: { type: "support", id: "maria" },
      reason: "Telefonat",
    });
    expect((await cli("cases", "show", caseId, "--shop", "laden.myshopify.com")).out).toContain("support:maria");
    const again = await cli(
      "cases",
      "start",
      caseId,
      "--shop",
      "laden.myshopify.com",
      "--reason",
      "x",
      "--actor",
      "maria",
    );
    expect(again.code).toBe(1);
    expect(again.err.trim()).toBe("mahnwerk: Cannot start a case that is running.");
    const cancel = await cli(
      "cases",
      "cancel",
      caseId,
      "--shop",
      "laden.myshopify.com",
      "--reason",
      "Kulanz",
      "--actor",
      "maria",
      "--json",
    );
    expect(cancel.json().status).toBe("cancelled");
  });

  test("dead deliveries and outbox rows: listed, replayed and retried, only in their own shop", async () => {
    const [delivery] = await database.db
      .insert(webhookInbox)
      .values({
        platform: "shopify",
        source: "laden.myshopify.com",
        shopId: shop.id,
        topic: "orders/updated",
        dedupeKey: "d-1",
        headers: {},
        body: "{}",
        status: "dead",
        lastError: "boom",
      })
      .returning();
    const [row] = await database.db
      .insert(outbox)
      .values({
        shopId: shop.id,
        caseId,
        kind: "reminder.send",
        idempotencyKey: "k-cli",
        payload: {},
        status: "dead",
        attempts: 8,
        lastError: "SMTP down",
      })
      .returning();
    const dead = await cli("inbox", "list", "--shop", "laden.myshopify.com", "--status", "dead", "--json");
    expect(dead.json()).toEqual([
      expect.objectContaining({ id: delivery!.id, topic: "orders/updated", status: "dead", lastError: "boom" }),
    ]);
    expect((await cli("inbox", "replay", delivery!.id, "--shop", "other.myshopify.com")).code).toBe(1);
    expect((await cli("inbox", "replay", delivery!.id, "--shop", "laden.myshopify.com")).code).toBe(0);
    expect((await database.db.select().from(webhookInbox).where(eq(webhookInbox.id, delivery!.id)))[0]).toMatchObject({
      status: "received",
      attempts: 0,
    });
    expect((await cli("outbox", "list", "--shop", "laden.myshopify.com", "--status", "dead", "--json")).json()).toEqual(
      [expect.objectContaining({ id: row!.id, kind: "reminder.send", lastError: "SMTP down" })],
    );
    expect((await cli("outbox", "retry", row!.id, "--shop", "other.myshopify.com")).code).toBe(1);
    expect((await cli("outbox", "retry", row!.id, "--shop", "laden.myshopify.com", "--json")).json()).toEqual({
      id: row!.id,
      status: "pending",
    });
    expect((await cli("outbox", "list", "--shop", "laden.myshopify.com", "--status", "bogus")).code).toBe(2);
  });

  test("outbox resolve: a handover whose answer never came gets the partner's claim number, with actor and reason", async () => {
    const waiting = (await openTestCase(database.db, shop, { firstName: "Clara" })).case.id;
    await executeCaseCommand(database.db, {
      shopId: shop.id,
      caseId: waiting,
      envelope: {
        command: { type: "block", reasons: ["handover_unknown"] },
        actor: { type: "partner", id: "handover" },
        reason: "answer lost",
        occurredAt: new Date("2026-11-23T09:00:00Z"),
      },
    });
    const [row] = await database.db
      .insert(outbox)
      .values({
        shopId: shop.id,
        caseId: waiting,
        kind: "partner.submit_claim",
        idempotencyKey: "k-handover",
        payload: { caseId: waiting },
        status: "dead",
        attempts: 1,
        lastError: "handover unknown: network error",
      })
      .returning();
    const resolve = (...flags: string[]) =>
      cli("outbox", "resolve", row!.id, "--shop", "laden.myshopify.com", "--reason", "Portal geprüft", ...flags);
    expect((await resolve("--actor", "jana")).code).toBe(2);
    expect((await resolve("--actor", "jana", "--resend", "--claim-number", "RV-1")).code).toBe(2);
    expect((await resolve("--claim-number", "RV-1")).code).toBe(2);
    const resent = await resolve("--actor", "jana", "--resend", "--json");
    expect(resent.code).toBe(0);
    expect(resent.json()).toMatchObject({ id: waiting, blockReasons: [] });
    expect((await database.db.select().from(outbox).where(eq(outbox.id, row!.id)))[0]).toMatchObject({
      status: "pending",
      attempts: 0,
      result: null,
    });
    // Decided once: a second decision is refused (exit 1).
    expect((await resolve("--actor", "jana", "--resend")).code).toBe(1);
  });

  test("retention status, run --dry-run and run", async () => {
    await database.db.insert(loginTokens).values({
      shopId: shop.id,
      kind: "magic_link",
      tokenHash: "cli-retention",
      email: "staff@example.de",
      expiresAt: new Date("2026-11-22T10:00:00Z"),
    });
    const none = await cli("retention", "status", "--json");
    expect(none.code).toBe(0);
    expect(none.json()).toBeNull();
    expect((await cli("retention", "status")).out).toContain("No retention sweep has run yet.");

    const dry = await cli("retention", "run", "--dry-run", "--json");
    expect(dry.code).toBe(0);
    expect(dry.json()).toMatchObject({ dryRun: true, removed: { "login_tokens.expired": 1 }, error: null });
    expect(await database.db.$count(loginTokens, eq(loginTokens.tokenHash, "cli-retention"))).toBe(1);
    expect((await cli("retention", "status", "--json")).json()).toBeNull();

    const run = await cli("retention", "run");
    expect(run.code).toBe(0);
    expect(run.out).toMatch(/login_tokens\.expired\s+login_tokens\s+0 days after the link's expiry\s+1/);
    expect(await database.db.$count(loginTokens, eq(loginTokens.tokenHash, "cli-retention"))).toBe(0);
    const status = await cli("retention", "status", "--json");
    expect(status.json()).toMatchObject({ removed: { "login_tokens.expired": 1 }, error: null });
    expect((await cli("retention", "status")).out).toMatch(/^Last retention sweep: /);
  });

  test("another shop's case is not found (exit 1)", async () => {
    const r = await cli("cases", "show", caseId, "--shop", "other.myshopify.com");
    expect(r.code).toBe(1);
    expect(r.err.trim()).toBe(`mahnwerk: no case ${caseId} in shop other.myshopify.com`);
  });

  test.each([
    [[]],
    [["bogus"]],
    [["cases", "start", "x", "--shop", "laden.myshopify.com", "--actor", "a"]],
    [["cases", "list"]],
    [["tokens", "create", "--shop", "laden.myshopify.com", "--role", "admin"]],
    [["cases", "list", "--shop", "laden.myshopify.com", "--status", "weird"]],
    [["shops", "list", "--unknown"]],
  ])("wrong usage %j exits 2 with the usage text", async (argv) => {
    const r = await cli(...argv);
    expect(r.code).toBe(2);
    expect(r.err).toContain("Usage: mahnwerk <command>");
  });
  test("payments import books a matched credit on its case; payments list shows it; a bad file is one line", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "mahnwerk-pay-"));
    const opened = await openTestCase(database.db, shop, { amountMinor: 4_200 });
    const file = path.join(dir, "konto.xml");
    writeFileSync(
      file,
      camt053({
        accountIban: "DE89370400440532013000",
        entries: [
          {
            bookingDate: "2026-11-20",
            credits: [
              {
                amountMinor: 4_200,
                payerName: "Anna Müller",
                payerIban: null,
                remittance: creditorReference(opened.order.name)!,
                bankRef: "CLI-1",
              },
              { amountMinor: 999, payerName: "Niemand", payerIban: null, remittance: "Spende", bankRef: "CLI-2" },
            ],
          },
        ],
      }),
    );
    const imported = await cli("payments", "import", file, "--shop", "laden.myshopify.com", "--json");
    expect(imported.code).toBe(0);
    expect(imported.json()).toMatchObject({ format: "camt.053", credits: 2, added: 2, matched: 1, review: 1 });
    const text = await cli("payments", "import", file, "--shop", "laden.myshopify.com");
    expect(text.out.trim()).toBe("camt.053: 2 credits, 0 new (2 imported before): 0 matched, 0 for review.");
    const review = await cli("payments", "list", "--shop", "laden.myshopify.com", "--status", "review", "--json");
    expect(review.json()).toEqual([
      expect.objectContaining({
        payerName: "Niemand",
        amount: { amountMinor: 999, currency: "EUR" },
        status: "review",
      }),
    ]);
    const matched = await cli("payments", "list", "--shop", "laden.myshopify.com", "--status", "matched", "--json");
    expect(matched.json()).toEqual([expect.objectContaining({ cases: [opened.case.id], status: "matched" })]);

    writeFileSync(file, "not a statement");
    const bad = await cli("payments", "import", file, "--shop", "laden.myshopify.com");
    expect(bad.code).toBe(1);
    expect(bad.err.trim()).toMatch(/^mahnwerk: .*konto\.xml: .*neither camt/);
    expect((await cli("payments", "list", "--shop", "laden.myshopify.com", "--status", "odd")).code).toBe(2);
    rmSync(dir, { recursive: true, force: true });
  });
});

/** bin/mahnwerk.mjs starts tsx and the embedded database: seconds when quiet, far more beside other work on two cores. */
const SPAWN_MS = 120_000;

describe("the mahnwerk command", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "mahnwerk-cli-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test(
    "says in one line that the running app holds the embedded database",
    () => {
      writeFileSync(path.join(dir, "mahnwerk.pid"), "1");
      const r = spawnSync("bin/mahnwerk.mjs", ["shops", "list"], {
        env: { PATH: process.env.PATH ?? "", DATA_DIR: dir, NODE_ENV: "production" },
        encoding: "utf8",
      });
      expect(r.status).toBe(1);
      expect(r.stderr.trim()).toMatch(
        /^mahnwerk: The embedded database in .* is in use by process 1 \(a running Mahnwerk\)/,
      );
      rmSync(path.join(dir, "mahnwerk.pid"));
    },
    SPAWN_MS,
  );

  test(
    "runs against the embedded database when it is free",
    () => {
      const r = spawnSync("bin/mahnwerk.mjs", ["shops", "list", "--json"], {
        env: { PATH: process.env.PATH ?? "", DATA_DIR: dir, NODE_ENV: "production" },
        encoding: "utf8",
      });
      expect(r.stderr).toBe("");
      expect(r.status).toBe(0);
      expect(JSON.parse(r.stdout)).toEqual([]);
    },
    SPAWN_MS,
  );

  test(
    "retention run records the sweep that retention status shows",
    () => {
      const env = { PATH: process.env.PATH ?? "", DATA_DIR: dir, NODE_ENV: "production" as const };
      const run = spawnSync("bin/mahnwerk.mjs", ["retention", "run", "--json"], { env, encoding: "utf8" });
      expect(run.stderr).toBe("");
      expect(run.status).toBe(0);
      const report = JSON.parse(run.stdout);
      expect(report).toMatchObject({
        dryRun: false,
        removed: { "inbox.bodies": 0, "orders.personal": 0 },
        error: null,
      });
      const status = spawnSync("bin/mahnwerk.mjs", ["retention", "status", "--json"], { env, encoding: "utf8" });
      expect(status.status).toBe(0);
      expect(JSON.parse(status.stdout)).toEqual({
        startedAt: report.startedAt,
        finishedAt: report.finishedAt,
        removed: report.removed,
        error: null,
      });
    },
    2 * SPAWN_MS,
  );
});
