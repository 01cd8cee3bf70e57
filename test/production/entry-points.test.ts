import { spawnSync } from "node:child_process";
import path from "node:path";

import { beforeAll, expect, test } from "vitest";

import { ensureBuild } from "#test/support/server";

beforeAll(() => ensureBuild(), 300_000);

test("every entry point loads and every outside client is constructed under Node's own module loader", () => {
  const result = spawnSync(path.resolve("node_modules/.bin/tsx"), ["test/production/entry-points.ts"], {
    encoding: "utf8",
    timeout: 120_000,
    env: {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "/tmp",
      NODE_ENV: "production",
      LOG_LEVEL: "silent",
    },
  });
  const lines = result.stdout.trim().split("\n");
  expect(
    lines.filter((l) => !l.startsWith("ok ")),
    `${result.stdout}\n${result.stderr}`,
  ).toEqual([]);
  expect(lines).toEqual([
    "ok remix build",
    "ok web and worker process",
    "ok job handlers",
    "ok webhook receive",
    "ok cli",
    "ok woocommerce client",
    "ok riverty client",
    "ok mediafinanz client",
    "ok smtp transport",
    "ok pg-boss",
    "ok qr codes",
    "ok pdf renderer",
  ]);
  expect(result.status).toBe(0);
}, 150_000);
