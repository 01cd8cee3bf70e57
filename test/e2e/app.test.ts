import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";

import { describeWithBrowser, launchBrowser, SCREENSHOT_DIR } from "#test/support/browser";
import { migrationCount, postgresTestUrl } from "#test/support/db";
import { ensureBuild, type RunningServer, runServerExpectingExit, startServer } from "#test/support/server";

/** A server start waits up to 120 s for /healthz (test/support/server.ts); the hook or test around it waits longer. */
const START_MS = 180_000;
/** A process spawned to refuse its configuration: seconds when quiet, much more beside other work on two cores. */
const SPAWN_MS = 120_000;

const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(path.join(tmpdir(), "mahnwerk-e2e-"));
  dirs.push(dir);
  return dir;
};

// Generous: another test file may be building, and a build on a loaded two-core machine takes minutes.
beforeAll(() => ensureBuild(), 600_000);
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe("npm start on the embedded database (demo mode)", () => {
  let server: RunningServer;
  let dataDir: string;
  beforeAll(async () => {
    dataDir = tempDir();
    server = await startServer({ DATA_DIR: dataDir });
  }, START_MS);
  afterAll(() => server?.stop());

  test("/healthz reports pglite with every migration applied", async () => {
    const res = await fetch(`${server.url}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      status: "ok",
      database: "pglite",
      migrations: migrationCount(),
      retention: null,
      baseRates: { knownThrough: "2026-06-30", current: expect.any(Boolean), error: null },
    });
    expect(existsSync(path.join(dataDir, "pgdata"))).toBe(true);
  });

  test("/ leads to the collections tab of the demo shop, in German and in English", async () => {
    const root = await fetch(`${server.url}/`, { redirect: "manual" });
    expect(root.status).toBe(302);
    expect(root.headers.get("location")).toBe("/app");
    const de = await fetch(`${server.url}/app`, { headers: { "accept-language": "de-DE" } });
    expect(de.status).toBe(200);
    const html = await de.text();
    expect(html).toContain("Demo-Modus");
    expect(html).toContain("Warten auf Freigabe");
    const en = await (await fetch(`${server.url}/app?locale=en`)).text();
    expect(en).toContain("Waiting for approval");
  });

  test("every response carries a request id", async () => {
    const res = await fetch(`${server.url}/healthz`, { headers: { "x-request-id": "req-123" } });
    expect(res.headers.get("x-request-id")).toBe("req-123");
  });

  test(
    "a second process on the same DATA_DIR refuses with one clear line",
    async () => {
      const { code, output } = await runServerExpectingExit({ DATA_DIR: dataDir, PORT: "3999" });
      expect(code).toBe(1);
      expect(output.trim()).toMatch(/^mahnwerk: The embedded database in .* is in use by process \d+/);
    },
    SPAWN_MS,
  );
});

describe("start-up refuses bad configuration with one clear line and exit 1", () => {
  test(
    "a wrong env value names the variable",
    async () => {
      const { code, output } = await runServerExpectingExit({ PORT: "abc", DATA_DIR: tempDir() });
      expect(code).toBe(1);
      expect(output.trim()).toBe("mahnwerk: Invalid environment: PORT must be a number");
    },
    SPAWN_MS,
  );

  test(
    "a partial Shopify configuration names what is missing",
    async () => {
      const { code, output } = await runServerExpectingExit({ SHOPIFY_API_KEY: "k", DATA_DIR: tempDir() });
      expect(code).toBe(1);
      expect(output.trim()).toMatch(/^mahnwerk: Invalid environment: SHOPIFY_API_SECRET is missing/);
    },
    SPAWN_MS,
  );

  test(
    "a database that is down",
    async () => {
      const { code, output } = await runServerExpectingExit({
        DATABASE_URL: "postgres://postgres@127.0.0.1:1/mahnwerk",
        DEMO: "1",
      });
      expect(code).toBe(1);
      expect(output.trim()).toMatch(
        /^mahnwerk: Cannot reach PostgreSQL at postgres:\/\/postgres@127\.0\.0\.1:1\/mahnwerk: .*ECONNREFUSED/,
      );
    },
    SPAWN_MS,
  );
});

describe.skipIf(!postgresTestUrl())("npm start on PostgreSQL (TEST_DATABASE_URL)", () => {
  test(
    "starts with migrations applied and reports postgres",
    async () => {
      const { createTestDatabase } = await import("#test/support/db");
      // A fresh empty database: the server itself applies the migrations at start.
      const database = await createTestDatabase("postgres", { migrate: false });
      if (database.options.engine !== "postgres") throw new Error("unreachable");
      const server = await startServer({ DATABASE_URL: database.options.url, DEMO: "1" });
      try {
        const res = await fetch(`${server.url}/healthz`);
        expect(await res.json()).toEqual({
          status: "ok",
          database: "postgres",
          migrations: migrationCount(),
          retention: null,
          baseRates: { knownThrough: "2026-06-30", current: expect.any(Boolean), error: null },
        });
      } finally {
        await server.stop();
        await database.close();
      }
    },
    START_MS,
  );
});

describeWithBrowser("the demo tab in Debian chromium", () => {
  let server: RunningServer;
  let browser: Browser;
  beforeAll(async () => {
    server = await startServer({ DATA_DIR: tempDir() });
    browser = await launchBrowser();
  }, START_MS);
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  test.each([
    ["de-DE", "Inkasso", "Warten auf Freigabe"],
    ["en-US", "Collections", "Waiting for approval"],
  ])(
    "renders the collections tab in %s, with a screenshot",
    async (locale, title, tab) => {
      const context = await browser.newContext({ locale, viewport: { width: 1280, height: 800 } });
      context.setDefaultTimeout(60_000);
      context.setDefaultNavigationTimeout(60_000);
      const page = await context.newPage();
      const errors: string[] = [];
      page.on("pageerror", (e) => errors.push(e.message));
      await page.goto(`${server.url}/`);
      await page.getByRole("heading", { name: title }).waitFor();
      await page.getByRole("tab", { name: new RegExp(tab) }).waitFor();
      await page.screenshot({ path: path.join(SCREENSHOT_DIR, `cases-index-${locale}.png`), fullPage: true });
      expect(errors).toEqual([]);
      await context.close();
    },
    150_000,
  );
});
