#!/usr/bin/env node
// The `mahnwerk` command: runs the TypeScript CLI through tsx on the project's own Node runtime.
import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const bin = join(root, "node_modules", ".bin");
const result = spawnSync(join(bin, "tsx"), [join(root, "app/cli/main.ts"), ...process.argv.slice(2)], {
  stdio: "inherit",
  // The app resolves its migrations and default DATA_DIR from the project folder.
  cwd: root,
  env: { ...process.env, PATH: `${bin}:${process.env.PATH ?? ""}` },
});
process.exit(result.status ?? 1);
