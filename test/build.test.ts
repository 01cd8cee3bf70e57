import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { afterAll, describe, expect, test } from "vitest";

import { buildIsCurrent, sourcesHash } from "../bin/build";

describe("npm start builds only when the sources changed", () => {
  const root = mkdtempSync(path.join(tmpdir(), "mahnwerk-build-"));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const write = (file: string, text: string) => {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), text);
  };

  test("the hash follows the bundle's inputs, not the tests or anything else", () => {
    write("app/root.tsx", "export default 1;");
    write("adapters/x.ts", "export const x = 1;");
    write("package-lock.json", "{}");
    const first = sourcesHash(root);
    write("app/root.test.tsx", "test");
    write("docs/notes.md", "words");
    write("test/support/x.ts", "helper");
    expect(sourcesHash(root)).toBe(first);
    write("adapters/x.ts", "export const x = 2;");
    expect(sourcesHash(root)).not.toBe(first);
    write("adapters/x.ts", "export const x = 1;");
    write("package-lock.json", '{"lockfileVersion":3}');
    expect(sourcesHash(root)).not.toBe(first);
    write("package-lock.json", "{}");
    write("server.ts", "await start();");
    expect(sourcesHash(root)).not.toBe(first);
  });

  test("a build counts as current only with its server bundle and the same hash", () => {
    const hash = sourcesHash(root);
    expect(buildIsCurrent(root, hash)).toBe(false);
    write("build/.sources", `${hash}\n`);
    expect(buildIsCurrent(root, hash)).toBe(false);
    write("build/server/index.js", "export {};");
    expect(buildIsCurrent(root, hash)).toBe(false);
    write("build/server.js", "export {};");
    expect(buildIsCurrent(root, hash)).toBe(true);
    expect(buildIsCurrent(root, "another")).toBe(false);
  });

  test("as npm start runs it: builds when needed, then leaves an unchanged build alone", () => {
    const run = () =>
      spawnSync("node_modules/.bin/node", ["bin/build.ts", "--if-stale"], {
        encoding: "utf8",
        env: { PATH: process.env.PATH ?? "", NODE_ENV: "production" },
      });
    const first = run();
    expect(first.status, first.stderr).toBe(0);
    const built = statSync("build/server/index.js").mtimeMs;
    const bundled = statSync("build/server.js").mtimeMs;
    const second = run();
    expect(second.status, second.stderr).toBe(0);
    expect(second.stdout).toContain("build/ is current: nothing to build");
    expect(statSync("build/server/index.js").mtimeMs).toBe(built);
    expect(statSync("build/server.js").mtimeMs).toBe(bundled);
    // The server bundle carries the project's modules and leaves the dependencies to node_modules.
    const bundle = readFileSync("build/server.js", "utf8");
    expect(bundle).toContain("async function startProcess(");
    expect(bundle).toMatch(/from "express"/);
  }, 300_000);
});
