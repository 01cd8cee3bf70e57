import { type ChildProcess, spawn } from "node:child_process";
import path from "node:path";

import { afterEach, expect, test } from "vitest";

import { sampleClaim } from "#adapters/partners/fixtures";
import { createMediafinanzAdapter } from "#adapters/partners/mediafinanz/adapter";
import { MediafinanzProtocolSchema } from "#adapters/partners/mediafinanz/protocol";
import { freePort } from "#test/support/server";
import { waitFor } from "#test/support/wait";

/*
 * `npm run sandbox-partner -- --protocol mediafinanz` as a person runs it: it prints what to configure, and a
 * mediaFinanz adapter configured with exactly that hands a claim over to it and reads its status.
 */

let child: ChildProcess | undefined;
afterEach(() => {
  child?.kill("SIGTERM");
  child = undefined;
});

test("the sandbox partner speaks mediaFinanz's protocol as it prints it", async () => {
  const port = await freePort();
  let output = "";
  const sandbox = spawn(
    path.resolve("node_modules/.bin/tsx"),
    ["adapters/partners/sandbox/main.ts", "--protocol", "mediafinanz"],
    {
      env: {
        PATH: process.env.PATH ?? "",
        HOME: process.env.HOME ?? "/tmp",
        NODE_ENV: "production",
        SANDBOX_PARTNER_PORT: String(port),
        SANDBOX_PARTNER_LOSE_ANSWERS: "1",
      },
    },
  );
  child = sandbox;
  sandbox.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  sandbox.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  await waitFor("the sandbox's instructions", async () => (output.includes("password") ? output : null));
  const field = (name: string) => new RegExp(`${name}\\s+(\\S+)`).exec(output)?.[1];
  const endpoints = JSON.parse(/MEDIAFINANZ_ENDPOINTS='([^']+)'/.exec(output)![1]!) as {
    sandbox: { baseUrl: string; answers: unknown };
  };
  expect(endpoints.sandbox.baseUrl).toBe(`http://127.0.0.1:${port}/mediafinanz/v2.2`);
  const adapter = createMediafinanzAdapter(
    {
      baseUrl: endpoints.sandbox.baseUrl,
      uuid: field("client UUID")!,
      user: field("user")!,
      password: field("password")!,
    },
    MediafinanzProtocolSchema.parse(endpoints.sandbox.answers),
  );
  expect(await adapter.checkConnection()).toEqual({ kind: "ok" });
  // SANDBOX_PARTNER_LOSE_ANSWERS=1: the first handover is stored, its answer dropped.
  expect(await adapter.submitClaim(sampleClaim(), { requestId: "r1", reference: "case-1" })).toMatchObject({
    kind: "unknown",
  });
  const sent = await adapter.submitClaim(sampleClaim(), { requestId: "r2", reference: "case-2" });
  expect(sent).toMatchObject({ kind: "accepted", partnerReference: expect.stringMatching(/^\d{11}$/) });
  expect(await adapter.claimStatus!((sent as { partnerReference: string }).partnerReference)).toMatchObject({
    kind: "ok",
    code: "10201",
  });
}, 60_000);
