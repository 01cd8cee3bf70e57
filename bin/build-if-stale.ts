/**
 * `npm start`'s build step: builds the app (remix vite:build) only when its sources changed since the build in
 * build/, so a restart with nothing changed starts in seconds instead of rebuilding for ten. What goes into the
 * bundle is hashed: app/ and adapters/ (tests excluded), public/, vite.config.ts, tsconfig.json and
 * package-lock.json (the dependencies); the hash of the last build is kept in build/.sources.
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const INPUT_DIRS = ["app", "adapters", "public"];
const INPUT_FILES = ["vite.config.ts", "tsconfig.json", "package-lock.json"];

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
  const server = path.join(root, "build/server/index.js");
  return (
    existsSync(stamp) && existsSync(server) && statSync(server).size > 0 && readFileSync(stamp, "utf8").trim() === hash
  );
}

function main(): number {
  const root = process.cwd();
  const hash = sourcesHash(root);
  if (buildIsCurrent(root, hash)) {
    process.stdout.write("build/ is current: nothing to build\n");
    return 0;
  }
  // Removed first: a build cut off halfway must not pass for current on the next start.
  rmSync(path.join(root, "build/.sources"), { force: true });
  const result = spawnSync(path.join(root, "node_modules/.bin/remix"), ["vite:build"], { cwd: root, stdio: "inherit" });
  if (result.status !== 0) return result.status ?? 1;
  // Written only after a successful build: an interrupted one is built again on the next start.
  writeFileSync(path.join(root, "build/.sources"), `${hash}\n`);
  return 0;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) process.exit(main());
