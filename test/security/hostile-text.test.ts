import { spawn } from "node:child_process";
import path from "node:path";

import { expect, test } from "vitest";

/*
 * Denial of service by text (ASVS V5.1, V11): a reminder-template pattern that backtracked cubically (8,000 characters
 * took 139 s and stopped every shop's webhooks, API and workers) and a letter word wrap that was quadratic in a long
 * name. Each check runs in its own process under a deadline: linear code needs milliseconds, the old code was killed.
 */
test("hostile templates and names are handled in linear time", async () => {
  const child = spawn(path.resolve("node_modules/.bin/tsx"), ["test/security/hostile-text.ts"], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, LOG_LEVEL: "silent" },
    // Its own process group: tsx runs the script in a child of its own, and both must die at the deadline.
    detached: true,
  });
  let output = "";
  child.stdout.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr.on("data", (d: Buffer) => (output += d.toString()));
  // Generous for a loaded two-core machine; the old pattern needed minutes for 8,000 characters, this input is 1 MB.
  const killer = setTimeout(() => process.kill(-child.pid!, "SIGKILL"), 30_000);
  const code = await new Promise<number | null>((resolve) => child.once("close", resolve));
  clearTimeout(killer);
  expect(code, output).toBe(0);
  expect(
    output
      .trim()
      .split("\n")
      .map((l) => l.replace(/ \d+$/, "")),
  ).toEqual([
    "ok placeholder scan of {{ + 1 MB of spaces",
    "ok placeholder scan of 1 MB of {{ }} pairs",
    "ok validation of a 1 MB template",
    "ok settings form with a 1 MB template",
    "ok letter for a 10,000-character name",
  ]);
}, 60_000);
