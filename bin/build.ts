/**
 * The production build, and `npm start`'s build step.
 *
 *   node bin/build.ts             builds: the Remix app (remix vite:build) and server.ts bundled into build/server.js
 *   node bin/build.ts --if-stale  the same, but only when the sources changed since the build in build/
 *
 * server.ts is bundled (esbuild, packages left external) so that `npm start` runs plain `node build/server.js`: under
 * tsx every one of the server's thousands of module resolutions went through tsx's loader, about a second of each
 * start (docs/performance.md, "Start time"). What goes into the bundles is hashed: app/ and adapters/ (tests
 * excluded), public/, server.ts, vite.config.ts, tsconfig.json and package-lock.json (the dependencies); the hash of
 * the last build is kept in build/.sources. Plain Node runs this file (type stripping): it imports no TypeScript.
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const INPUT_DIRS = ["app", "adapters", "public"];
const INPUT_FILES = ["server.ts", "vite.config.ts", "tsconfig.json", "package-lock.json"];
/** What a complete build holds; the stamp is written last. */
const OUTPUTS = ["build/server/index.js", "build/server.js"];

/** The hash of every input's path and content under `root`, in a fixed order. */
export function sourcesHash(root: string): string {
  const hash = createHash("sha256");
  const files: string[] = [];
  const walk = (dir: string) => {
    if (!existsSync(path.join(root, dir))) return;
    for (const entry of readdirSync(path.join(root, dir), { withFileTypes: true })) {
      const rel = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(rel);
      else if (entry.isFile() && !/\.test\.[a-z]+$/.test(entry.name)) files.push(rel);
    }
  };
  for (const dir of INPUT_DIRS) walk(dir);
  for (const file of INPUT_FILES) if (existsSync(path.join(root, file))) files.push(file);
  for (const file of files.sort()) {
    hash.update(`${file.split(path.sep).join("/")}\0`);
    hash.update(readFileSync(path.join(root, file)));
    hash.update("\0");
  }
  return hash.digest("hex");
}

/** Whether build/ holds a complete build of exactly these sources. */
export function buildIsCurrent(root: string, hash: string): boolean {
  const stamp = path.join(root, "build/.sources");
  const complete = OUTPUTS.every((file) => {
    const full = path.join(root, file);
    return existsSync(full) && statSync(full).size > 0;
  });
  return complete && existsSync(stamp) && readFileSync(stamp, "utf8").trim() === hash;
}

/** Builds both bundles into `root`/build, stamped with `hash`; returns an error message, or null. */
export async function build(root: string, hash: string = sourcesHash(root)): Promise<string | null> {
  // Removed first: a build cut off halfway must not pass for current on the next start.
  rmSync(path.join(root, "build/.sources"), { force: true });
  const remix = spawnSync(path.join(root, "node_modules/.bin/remix"), ["vite:build"], { cwd: root, stdio: "inherit" });
  if (remix.status !== 0) return `remix vite:build failed (exit ${remix.status ?? remix.signal})`;
  const { build: bundle } = await import("esbuild");
  try {
    await bundle({
      absWorkingDir: root,
      entryPoints: ["server.ts"],
      outfile: "build/server.js",
      bundle: true,
      platform: "node",
      format: "esm",
      target: "node22",
      tsconfig: "tsconfig.json",
      logLevel: "error",
      // Dependencies stay in node_modules (native parts, WebAssembly and data files found beside their modules); the
      // project's own modules (relative and #app/… paths) are bundled.
      plugins: [
        {
          name: "node-modules-external",
          setup: (b) => b.onResolve({ filter: /^[^./#]/ }, (args) => ({ path: args.path, external: true })),
        },
      ],
    });
  } catch (error) {
    return `bundling server.ts failed: ${error instanceof Error ? error.message : String(error)}`;
  }
  // Written only after a successful build: an interrupted one is built again on the next start.
  writeFileSync(path.join(root, "build/.sources"), `${hash}\n`);
  return null;
}

async function main(): Promise<number> {
  const root = process.cwd();
  const hash = sourcesHash(root);
  if (process.argv.includes("--if-stale") && buildIsCurrent(root, hash)) {
    process.stdout.write("build/ is current: nothing to build\n");
    return 0;
  }
  const failed = await build(root, hash);
  if (failed) process.stderr.write(`${failed}\n`);
  return failed ? 1 : 0;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) process.exit(await main());
