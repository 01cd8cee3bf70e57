import { existsSync, mkdirSync } from "node:fs";
import path from "node:path";

import { type Browser, chromium } from "playwright-core";
import { describe, test } from "vitest";

/** CHROMIUM_PATH names the browser; otherwise Debian's. Never a downloaded browser. */
export const CHROMIUM = process.env.CHROMIUM_PATH || "/usr/bin/chromium";
export const hasChromium = existsSync(CHROMIUM);
/** Set by .ci/run: there a missing browser fails the run instead of skipping its tests. */
export const browserRequired = process.env.MAHNWERK_REQUIRE_BROWSER === "1";
export const SCREENSHOT_DIR = path.resolve("test-results/screenshots");

export const BROWSER_SKIP_REASON = `browser tests skipped: no chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH=/path/to/chromium)`;
export const BROWSER_REQUIRED_MESSAGE = `MAHNWERK_REQUIRE_BROWSER=1 but there is no chromium at ${CHROMIUM}: install it (apt-get install chromium) or set CHROMIUM_PATH`;

/**
 * A suite that needs the browser: declared always, so a machine without chromium reports it skipped (a file whose
 * suite is missing fails under vitest), and under MAHNWERK_REQUIRE_BROWSER=1 a missing browser is one failing test.
 */
export function describeWithBrowser(name: string, body: () => void): void {
  if (hasChromium) return void describe(name, body);
  if (browserRequired) {
    return void describe(name, () => {
      test("needs chromium", () => {
        throw new Error(BROWSER_REQUIRED_MESSAGE);
      });
    });
  }
  describe.skip(`${name} (${BROWSER_SKIP_REASON})`, body);
}

/** Flags that keep the browser off the (closed) network. */
export async function launchBrowser(): Promise<Browser> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}
