import { spawnSync } from "node:child_process";
import path from "node:path";

import { describe, expect, test } from "vitest";

/** The browser suite run in its own vitest with the browser path pointed at nothing. */
function runBrowserSuite(extra: Record<string, string>) {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && !key.startsWith("VITEST") && key !== "MAHNWERK_REQUIRE_BROWSER") env[key] = value;
  }
  const result = spawnSync(
    path.resolve("node_modules/.bin/vitest"),
    ["run", "test/e2e/collections-tab.test.ts", "--reporter=default", "--no-color"],
    {
      env: { ...env, NODE_ENV: "test", CHROMIUM_PATH: "/nonexistent/chromium", NO_COLOR: "1", ...extra },
      encoding: "utf8",
      timeout: 120_000,
    },
  );
  return { code: result.status, output: `${result.stdout}\n${result.stderr}` };
}

describe("browser tests on a machine without chromium", () => {
  test("a plain run passes and reports them skipped with the reason", () => {
    const { code, output } = runBrowserSuite({});
    expect(code, output).toBe(0);
    expect(output).toMatch(
      /browser tests skipped: no chromium at \/nonexistent\/chromium \(apt-get install chromium, or set CHROMIUM_PATH=/,
    );
    expect(output).toMatch(/Tests\s+\d+ skipped/);
    expect(output).not.toMatch(/No test suite found/);
  }, 150_000);

  test("under MAHNWERK_REQUIRE_BROWSER=1 the run fails with a clear message", () => {
    const { code, output } = runBrowserSuite({ MAHNWERK_REQUIRE_BROWSER: "1" });
    expect(code, output).toBe(1);
    expect(output).toContain("MAHNWERK_REQUIRE_BROWSER=1 but there is no chromium at /nonexistent/chromium");
    expect(output).toMatch(/1 failed/);
  }, 150_000);
});
