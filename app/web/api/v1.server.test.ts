import { afterAll, beforeAll, describe, expect, test } from "vitest";

import type { Shop } from "#app/db/schema";
import { creditorReference } from "#app/domain/payments/creditor-reference";
import { executeCaseCommand } from "#app/services/cases/commands.server";
import { openTestCase } from "#test/support/cases";
import { createTestDatabase, type TestDatabase, testEngines } from "#test/support/db";
import { insertShop } from "#test/support/factories";
import { camt053 } from "#test/support/statements";

import { apiRateLimiter } from "./auth.server";
import { openApiDocument } from "./openapi";
import { createApiToken, revokeApiToken } from "./tokens.server";
import {
  apiCaseAction,
  apiImportPayments,
  apiListCases,
  apiListPayments,
  apiResolveHandover,
  apiShowCase,
  respond,
} from "./v1.server";

const BASE = "http://localhost/api/v1";

describe.each(testEngines())("API v1 on %s", (engine) => {
  let database: TestDatabase;
  let shopA: Shop;
  let shopB: Shop;
  let support: string;
  let readonly: string;
  let tokenB: string;
  let caseA: string;
  let caseB: string;

  beforeAll(async () => {
    database = await createTestDatabase(engine);
    shopA = await insertShop(database.db, { name: "A" });
    shopB = await insertShop(database.db, { name: "B" });
    support = (await createApiToken(database.db, shopA, { role: "support", name: "helpdesk" })).token;
    readonly = (await createApiToken(database.db, shopA, { role: "readonly" })).token;
    tokenB = (await createApiToken(database.db, shopB, { role: "support" })).token;
    caseA = (await openTestCase(database.db, shopA, { firstName: "Anna" })).case.id;
    caseB = (await openTestCase(database.db, shopB, { firstName: "Bernd" })).case.id;
  });
  afterAll(() => database.close());

  const get = (path: string, token?: string) =>
    new Request(`${BASE}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  const post = (path: string, token: string | undefined, body: unknown) =>
    new Request(`${BASE}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: typeof body === "string" ? body : JSON.stringify(body),
    });
  const call = async (handler: () => Promise<Response>) => {
    const res = await respond(handler);
    return { status: res.status, body: (await res.json()) as any, headers: res.headers };
  };

  test("401 for a missing, unknown or malformed token, in the one error shape", async () => {
    for (const token of [undefined, "mw_unknown", "not-a-token"]) {
      const res = await call(() => apiListCases(database.db, get("/cases", token)));
      expect(res.status).toBe(401);
      expect(res.body).toEqual({ error: { code: "unauthorized", message: expect.any(String), details: null } });
    }
  });

  test("each token sees only its own shop; another shop's case is 404", async () => {
    const list = await call(() => apiListCases(database.db, get("/cases", support)));
    expect(list.status).toBe(200);
    expect(list.body.cases.map((c: any) => c.id)).toEqual([caseA]);
    expect(list.body.cases[0]).toEqual({
      id: caseA,
      status: "waiting_for_approval",
      kind: "invoice",
      order: { id: expect.any(String), name: expect.stringMatching(/^#T/) },
      customer: { firstName: "Anna", lastName: "Müller" },
      outstanding: { amountMinor: 11_990, currency: "EUR" },
      dueDate: "2026-10-15",
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
      partnerReference: null,
      blockReasons: [],
    });
    expect(list.body.nextCursor).toBeNull();
    expect((await call(() => apiShowCase(database.db, get(`/cases/${caseB}`, support), caseB))).status).toBe(404);
    expect(
      (
        await call(() =>
          apiCaseAction(database.db, post(`/cases/${caseB}/start`, support, { reason: "x" }), caseB, "start"),
        )
      ).status,
    ).toBe(404);
    expect((await call(() => apiShowCase(database.db, get(`/cases/${caseA}`, tokenB), caseA))).status).toBe(404);
    expect((await call(() => apiShowCase(database.db, get("/cases/not-a-uuid", support), "not-a-uuid"))).status).toBe(
      404,
    );
  });

  test("400 for invalid query parameters", async () => {
    const res = await call(() => apiListCases(database.db, get("/cases?status=nope&limit=0", support)));
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("invalid_request");
    expect(res.body.error.details.map((d: any) => d.path).sort()).toEqual(["limit", "status"]);
  });

  test("403 for a read-only token on a write; nothing changes", async () => {
    const res = await call(() =>
      apiCaseAction(database.db, post(`/cases/${caseA}/start`, readonly, { reason: "los" }), caseA, "start"),
    );
    expect(res.status).toBe(403);
    const show = await call(() => apiShowCase(database.db, get(`/cases/${caseA}`, readonly), caseA));
    expect(show.body.case.status).toBe("waiting_for_approval");
  });

  test("400/422 for an invalid body; nothing changes", async () => {
    expect(
      (await call(() => apiCaseAction(database.db, post(`/cases/${caseA}/start`, support, "{oops"), caseA, "start")))
        .status,
    ).toBe(400);
    const empty = await call(() =>
      apiCaseAction(database.db, post(`/cases/${caseA}/start`, support, { reason: "" }), caseA, "start"),
    );
    expect(empty.status).toBe(422);
    expect(empty.body.error.details[0]).toEqual({ path: "reason", message: "reason is required" });
    const long = await call(() =>
      apiCaseAction(database.db, post(`/cases/${caseA}/start`, support, { reason: "x".repeat(501) }), caseA, "start"),
    );
    expect(long.status).toBe(422);
    const show = await call(() => apiShowCase(database.db, get(`/cases/${caseA}`, support), caseA));
    expect(show.body.case.events).toHaveLength(1);
  });

  test("start, then 409 naming the current status; the timeline shows actor and reason", async () => {
    const started = await call(() =>
      apiCaseAction(
        database.db,
        post(`/cases/${caseA}/start`, support, { reason: "Kunde hat nicht reagiert" }),
        caseA,
        "start",
      ),
    );
    expect(started.status).toBe(200);
    expect(started.body.case.status).toBe("running");
    const again = await call(() =>
      apiCaseAction(database.db, post(`/cases/${caseA}/start`, support, { reason: "nochmal" }), caseA, "start"),
    );
    expect(again.status).toBe(409);
    expect(again.body.error).toMatchObject({ code: "conflict", details: { from: "running", command: "start" } });
    expect(again.body.error.message).toContain("running");
    const show = await call(() => apiShowCase(database.db, get(`/cases/${caseA}`, support), caseA));
    expect(show.body.case.events.map((e: any) => [e.type, e.actor, e.reason])).toEqual([
      ["case_opened", { type: "scheduler", id: "dunning" }, null],
      ["case_started", { type: "support", id: "helpdesk" }, "Kunde hat nicht reagiert"],
    ]);
  });

  test("two concurrent cancels: one 200, one 409", async () => {
    const results = await Promise.all(
      [0, 1].map(() =>
        call(() =>
          apiCaseAction(database.db, post(`/cases/${caseA}/cancel`, support, { reason: "Kulanz" }), caseA, "cancel"),
        ),
      ),
    );
    expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
  });

  test("handover: only a case waiting for that decision; either a claim number or a resend; the decision on the timeline", async () => {
    const waiting = (await openTestCase(database.db, shopA, { firstName: "Clara" })).case.id;
    const handover = (token: string, body: unknown) =>
      call(() => apiResolveHandover(database.db, post(`/cases/${waiting}/handover`, token, body), waiting));
    expect((await handover(support, { reason: "Portal geprüft", resend: true })).status).toBe(409);
    await executeCaseCommand(database.db, {
      shopId: shopA.id,
      caseId: waiting,
      envelope: {
        command: { type: "block", reasons: ["handover_unknown"] },
        actor: { type: "partner", id: "handover" },
        reason: "answer lost",
        occurredAt: new Date(),
      },
    });
    expect((await handover(readonly, { reason: "x", resend: true })).status).toBe(403);
    const both = await handover(support, { reason: "x", resend: true, claimNumber: "RV-1" });
    expect(both.status).toBe(422);
    expect((await handover(support, { reason: "x", claimNumber: "kein/gültiges Zeichen!" })).body.error.code).toBe(
      "invalid_request",
    );
    const resent = await handover(support, { reason: "Keine Akte im Portal", resend: true });
    expect(resent.status).toBe(200);
    expect(resent.body.case).toMatchObject({ id: waiting, blockReasons: [], partnerReference: null });
    const shown = await call(() => apiShowCase(database.db, get(`/cases/${waiting}`, support), waiting));
    expect(shown.body.case.events.at(-1)).toMatchObject({
      type: "case_unblocked",
      actor: { type: "support", id: "helpdesk" },
      reason: "resend confirmed: Keine Akte im Portal",
    });
  });

  test("a revoked token is 401", async () => {
    const { token, info } = await createApiToken(database.db, shopA, { role: "support", name: "temp" });
    expect((await call(() => apiListCases(database.db, get("/cases", token)))).status).toBe(200);
    await revokeApiToken(database.db, info.id, new Date());
    expect((await call(() => apiListCases(database.db, get("/cases", token)))).status).toBe(401);
  });

  test("429 with Retry-After above the per-token rate limit", async () => {
    const { token } = await createApiToken(database.db, shopA, { role: "readonly", name: "busy" });
    let limited: Awaited<ReturnType<typeof call>> | undefined;
    for (let i = 0; i < 200 && !limited; i++) {
      const res = await call(() => apiListCases(database.db, get("/cases?limit=1", token)));
      if (res.status === 429) limited = res;
    }
    expect(limited?.body.error.code).toBe("rate_limited");
    expect(Number(limited?.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect(apiRateLimiter).toBeDefined();
  });
  test("POST /payments/import takes a statement as the body; a read-only token may list but not import", async () => {
    const opened = await openTestCase(database.db, shopA, { amountMinor: 7_700 });
    const statement = camt053({
      accountIban: "DE89370400440532013000",
      entries: [
        {
          bookingDate: "2026-11-20",
          credits: [
            {
              amountMinor: 7_700,
              payerName: "Anna Müller",
              payerIban: null,
              remittance: creditorReference(opened.order.name)!,
              bankRef: "API-1",
            },
          ],
        },
      ],
    });
    const upload = (token: string, body: string) =>
      new Request(`${BASE}/payments/import?name=konto.xml`, {
        method: "POST",
        headers: { "content-type": "application/xml", authorization: `Bearer ${token}` },
        body,
      });
    expect((await call(() => apiImportPayments(database.db, upload(readonly, statement)))).status).toBe(403);
    const imported = await call(() => apiImportPayments(database.db, upload(support, statement)));
    expect(imported).toMatchObject({
      status: 200,
      body: { import: { format: "camt.053", credits: 1, added: 1, matched: 1, review: 0, known: 0 } },
    });
    const bad = await call(() => apiImportPayments(database.db, upload(support, "<Document/>")));
    expect(bad).toMatchObject({ status: 422, body: { error: { code: "invalid_request" } } });
    const listed = await call(() => apiListPayments(database.db, get("/payments?status=matched", readonly)));
    expect(listed.body.payments).toEqual([
      expect.objectContaining({
        status: "matched",
        cases: [opened.case.id],
        amount: { amountMinor: 7_700, currency: "EUR" },
      }),
    ]);
    // Shop B's token sees none of A's payments.
    expect((await call(() => apiListPayments(database.db, get("/payments", tokenB)))).body.payments).toEqual([]);
    expect((await call(() => apiListPayments(database.db, get("/payments?status=odd", support)))).status).toBe(400);
  });
});

test("openapi.json is generated from the same schemas", () => {
  const doc = openApiDocument("http://localhost:3000") as any;
  expect(Object.keys(doc.paths)).toEqual([
    "/api/v1/cases",
    "/api/v1/cases/{caseId}",
    "/api/v1/cases/{caseId}/start",
    "/api/v1/cases/{caseId}/cancel",
    "/api/v1/cases/{caseId}/handover",
    "/api/v1/payments",
    "/api/v1/payments/import",
  ]);
  const params = doc.paths["/api/v1/cases"].get.parameters.map((p: any) => p.name);
  expect(params).toEqual(["status", "q", "from", "to", "minAmount", "maxAmount", "cursor", "limit"]);
  const body = doc.paths["/api/v1/cases/{caseId}/start"].post.requestBody.content["application/json"].schema;
  expect(body.properties.reason).toMatchObject({ type: "string", minLength: 1, maxLength: 500 });
  expect(Object.keys(doc.paths["/api/v1/cases/{caseId}/cancel"].post.responses).sort()).toEqual([
    "200",
    "400",
    "401",
    "403",
    "404",
    "409",
    "422",
    "429",
  ]);
});
