import { BROWSER_SKIP_REASON, browserRequired, hasChromium } from "../support/browser";

/** One line per run, in the main process, when tests that need an optional program are skipped. */
export default function setup(): void {
  if (!hasChromium && !browserRequired) process.stderr.write(`\n${BROWSER_SKIP_REASON}\n\n`);
}
