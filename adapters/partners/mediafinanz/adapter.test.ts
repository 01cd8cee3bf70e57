// The mediaFinanz adapter against the sandbox over HTTP (a real socket), and its reading of answers mediaFinanz
// documents only in part: the error envelope, access errors as 400, plain-text 5xx, unconfigured answer fields.
import { afterEach, describe, expect, test } from "vitest";

import { sampleClaim } from "../fixtures";
import { type SandboxPartner, startSandboxPartner } from "../sandbox/server";
import { createMediafinanzAdapter } from "./adapter";
import { claimBody } from "./claim";
import { MediafinanzProtocolSchema } from "./protocol";

let sandbox: SandboxPartner | undefined;
afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
});

async function adapterOnSandbox(options: Parameters<typeof startSandboxPartner>[0] = {}, password?: string) {
  sandbox = await startSandboxPartner({ port: 0, seed: 3, ...options });
  const { baseUrl, uuid, user, answers } = sandbox.mediafinanz;
  return createMediafinanzAdapter(
    { baseUrl, uuid, user, password: password ?? sandbox.mediafinanz.password },
    answers,
    { timeoutMs: 5_000 },
  );
}

describe("mediaFinanz adapter against the sandbox", () => {
  test("a handover returns the 11-digit file number; status walks the script; close cancels", async () => {
    const adapter = await adapterOnSandbox();
    const claim = sampleClaim();
    expect(await adapter.validateClaim!(claim, { reference: "case-1" })).toMatchObject({ kind: "accepted" });
    expect(sandbox!.mediafinanz.sandbox.files()).toHaveLength(0);
    const sent = await adapter.submitClaim(claim, { requestId: "r1", reference: "case-1" });
    expect(sent).toMatchObject({ kind: "accepted", partnerReference: expect.stringMatching(/^\d{11}$/) });
    const az = (sent as { partnerReference: string }).partnerReference;

    const first = await adapter.claimStatus!(az);
    expect(first).toMatchObject({ kind: "ok", code: "10201", text: "Forderung übernommen", known: true, change: null });
    expect(
      await adapter.requestRecall({
        claimNumber: az,
        invoiceNumber: "RE-1",
        date: "2026-10-20",
        amount: null,
        reason: null,
      }),
    ).toMatchObject({ kind: "accepted" });
    expect(await adapter.claimStatus!(az)).toMatchObject({
      code: "10210",
      change: { type: "closed", outcome: "recalled", claimNumber: az },
    });
    // A second close of a closed claim is refused by the partner, not sent as if new.
    expect(
      await adapter.requestRecall({
        claimNumber: az,
        invoiceNumber: "RE-1",
        date: "2026-10-21",
        amount: null,
        reason: null,
      }),
    ).toMatchObject({ kind: "rejected" });

    const other = await adapter.submitClaim(sampleClaim({ invoiceNumber: "RE-2" }), {
      requestId: "r2",
      reference: "case-2",
    });
    const az2 = (other as { partnerReference: string }).partnerReference;
    await adapter.claimStatus!(az2);
    expect(await adapter.claimStatus!(az2)).toMatchObject({
      code: "10203",
      change: { type: "sub_status", subStatus: "contacted" },
    });
    expect(await adapter.claimStatus!(az2)).toMatchObject({
      code: "10230",
      change: { type: "closed", outcome: "paid_in_full" },
    });
  });

  test("wrong credentials come back as HTTP 400 'Access denied': a failed connection check, and a claim that waits", async () => {
    const adapter = await adapterOnSandbox({}, "wrong");
    const check = await adapter.checkConnection();
    expect(check).toMatchObject({ kind: "failed", reason: expect.stringContaining("Access denied") });
    expect(await adapter.submitClaim(sampleClaim(), { requestId: "r", reference: "case-1" })).toMatchObject({
      kind: "retryable",
      reason: expect.stringContaining("refused the credentials"),
    });
    expect(await (await adapterOnSandboxAgain()).checkConnection()).toEqual({ kind: "ok" });
  });

  test("a claim the dry run refuses names the field; nothing is stored", async () => {
    const adapter = await adapterOnSandbox();
    const refused = await adapter.validateClaim!(sampleClaim({ lastName: "Abgelehnt" }), { reference: "case-2" });
    expect(refused).toEqual({
      kind: "rejected",
      reasons: ["mediafinanz: Forderung abgelehnt: Schuldner unbekannt verzogen"],
    });
    expect(sandbox!.mediafinanz.sandbox.files()).toHaveLength(0);
  });

  test("a plain-text 5xx or a lost answer after sending is 'unknown'; a refused connection is safe to repeat", async () => {
    const failing = await adapterOnSandbox({ failureRate: 1 });
    expect(await failing.submitClaim(sampleClaim(), { requestId: "r", reference: "case-3" })).toEqual({
      kind: "unknown",
      reason: expect.stringContaining("HTTP 503: Service temporarily unavailable"),
    });
    await sandbox!.close();

    const losing = await adapterOnSandbox();
    sandbox!.loseNextAnswers(1);
    expect(await losing.submitClaim(sampleClaim(), { requestId: "r", reference: "case-4" })).toMatchObject({
      kind: "unknown",
    });
    expect(sandbox!.mediafinanz.sandbox.submissions("case-4")).toBe(1);

    await sandbox!.outage("refuse");
    expect(await losing.submitClaim(sampleClaim(), { requestId: "r", reference: "case-5" })).toMatchObject({
      kind: "retryable",
      reason: expect.stringContaining("ECONNREFUSED"),
    });
    await sandbox!.outage(null);
  });

  test("what is not configured is not guessed: no file-number field means 'unknown', no status field no status", async () => {
    sandbox = await startSandboxPartner({ port: 0, seed: 4 });
    const { baseUrl, uuid, user, password } = sandbox.mediafinanz;
    const unconfigured = createMediafinanzAdapter(
      { baseUrl, uuid, user, password },
      MediafinanzProtocolSchema.parse({}),
    );
    expect(await unconfigured.submitClaim(sampleClaim(), { requestId: "r", reference: "case-6" })).toEqual({
      kind: "unknown",
      reason: expect.stringContaining("not configured"),
    });
    expect(await unconfigured.claimStatus!("10000004001")).toMatchObject({ kind: "retryable" });
    // An unknown code is kept (and logged by the caller), never turned into a state.
    const partial = createMediafinanzAdapter(
      { baseUrl, uuid, user, password },
      { ...sandbox.mediafinanz.answers, statusTable: { "10210": "cancelled" } },
    );
    const az = sandbox.mediafinanz.sandbox.files()[0]!.az;
    expect(await partial.claimStatus!(az)).toMatchObject({ kind: "ok", code: "10201", known: false, change: null });
  });

  async function adapterOnSandboxAgain() {
    const { baseUrl, uuid, user, password, answers } = sandbox!.mediafinanz;
    return createMediafinanzAdapter({ baseUrl, uuid, user, password }, answers);
  }
});

test("the claim body: our case id as ClientCustomerRefNo, stage V, principal, fees and interest; unknown codes only when configured", () => {
  const claim = sampleClaim();
  const bare = claimBody(claim, "3f1c7a52-9d7e-4c1b-9e0a-6b1d2c3e4f5a", MediafinanzProtocolSchema.parse({}));
  expect(bare).toMatchObject({
    ClientCustomerRefNo: "3f1c7a52-9d7e-4c1b-9e0a-6b1d2c3e4f5a",
    Stage: "V",
    Debtor: {
      LastName: "Mustermann",
      FirstName: "Erika",
      PostalAddress: { Street: "Heidestraße 17", PostalCode: "51147", City: "Köln", CountryCode: "DE", Validity: 1 },
    },
    Claim: {
      // 119.99 principal + 3.00 fees + 0.87 interest
      Amount: 123.86,
      PrincipalClaim: { Number: "RE-2026-1042", Value: 119.99, Date: "2026-09-01" },
      DunningCosts: { Value: 3, Date: "2026-10-07" },
    },
  });
  expect(bare.Claim.Reason).toContain("Verzugszinsen 0.87 EUR");
  expect(bare.Debtor).not.toHaveProperty("PersonType");
  expect(bare.Debtor).not.toHaveProperty("Communications");
  const coded = claimBody(
    claim,
    "case",
    MediafinanzProtocolSchema.parse({
      personTypes: { private: 1, company: 2 },
      communications: { email: { means: 1, type: 1 }, phone: { means: 2, type: 1 } },
    }),
  );
  expect(coded.Debtor).toMatchObject({
    PersonType: 1,
    Communications: [
      { Means: 1, Type: 1, Value: "erika@example.org", Validity: 1 },
      { Means: 2, Type: 1, Value: "+49 221 1234567", Validity: 1 },
    ],
  });
});
