import { mkdtempSync, rmSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";

import { afterAll, beforeAll, describe, expect, test } from "vitest";

import { statusForDeclaredBody } from "#test/support/http";
import { ensureBuild, type RunningServer, startServer } from "#test/support/server";

/*
 * Unbounded request bodies (ASVS V13.1): forms, JSON and the key-exchange callback read whole bodies of any size.
 * Each route now has a limit, answered 413 from the headers before the body is read; a body without a length 411.
 * The webhook cap (5 MB, read before the signature) is checked in test/production/shopify.test.ts.
 */

beforeAll(() => ensureBuild(), 300_000);

function post(url: string, body: Buffer | string, headers: Record<string, string | number>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: "POST", headers }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    // The server may answer and close before it read what was sent.
    req.on("error", (error: NodeJS.ErrnoException) =>
      error.code === "EPIPE" || error.code === "ECONNRESET" ? undefined : reject(error),
    );
    req.end(body);
  });
}

describe("request-body limits in the running server", () => {
  let server: RunningServer;
  let dataDir: string;
  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), "mahnwerk-limits-"));
    server = await startServer({ DATA_DIR: dataDir });
  }, 180_000);
  afterAll(async () => {
    await server?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const form = (bytes: number) => `intent=connect&storeUrl=${"a".repeat(bytes)}`;

  test("a form within 64 KB is read; above it 413 before reading", async () => {
    expect(
      await post(`${server.url}/woocommerce/connect`, form(1_000), {
        "content-type": "application/x-www-form-urlencoded",
        "content-length": form(1_000).length,
      }),
    ).toBe(200);
    expect(
      await statusForDeclaredBody(`${server.url}/woocommerce/connect`, 65 * 1024, {
        "content-type": "application/x-www-form-urlencoded",
      }),
    ).toBe(413);
  });

  test("the key-exchange callback takes no more than a form", async () => {
    expect(
      await statusForDeclaredBody(`${server.url}/woocommerce/auth/callback`, 65 * 1024, {
        "content-type": "application/json",
      }),
    ).toBe(413);
  });

  test("a body without a length is refused with 411", async () => {
    expect(
      await post(`${server.url}/woocommerce/connect`, form(10), {
        "content-type": "application/x-www-form-urlencoded",
        "transfer-encoding": "chunked",
      }),
    ).toBe(411);
  });

  test("/api/v1 JSON above 1 MB is refused with 413", async () => {
    const start = `${server.url}/api/v1/cases/00000000-0000-4000-8000-000000000000/start`;
    expect(
      await statusForDeclaredBody(start, 1024 * 1024 + 1, {
        "content-type": "application/json",
        authorization: "Bearer x",
      }),
    ).toBe(413);
  });
});
