import { spawnSync } from "node:child_process";

import { BROWSER_SKIP_REASON, browserRequired, hasChromium } from "../support/browser";
import { hasQrTools, qrToolsRequired } from "../support/qr";

/** One line per run, in the main process, for each optional program whose tests are skipped. */
export default function setup(): void {
  if (!hasChromium && !browserRequired) process.stderr.write(`\n${BROWSER_SKIP_REASON}\n`);
  if (spawnSync("php", ["--version"]).status !== 0 && process.env.MAHNWERK_REQUIRE_PHP !== "1") {
    process.stderr.write("\nplugin tests skipped: no php (apt-get install php-cli)\n");
  }
  if (!hasQrTools && !qrToolsRequired) {
    process.stderr.write(
      "\nQR code tests skipped: no pdftoppm or zbarimg (apt-get install poppler-utils zbar-tools)\n",
    );
  }
}
