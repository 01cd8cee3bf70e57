/**
 * `npm start` until /healthz answers 200, timed from the outside as an operator sees it (issue 25, goal 3):
 *
 *   1. a fresh checkout: a copy of the working tree without build/ (node_modules linked, as after `npm ci`) and a new
 *      data folder — the build, then migrations on an empty embedded database;
 *   2. a new data folder with the build current (bin/build.ts --if-stale skips the build): start-up and migrations;
 *   3. the same again with nothing changed: a restart on that data folder, the production case; three times, the
 *      median is the figure.
 *
 * The copy keeps the shared build/ of this checkout out of it (tests and other benches use that one). Each start is
 * the real `npm start` (bin/build.ts --if-stale, then node build/server.js with the embedded PGlite, its workers and
 * the demo shop) in its own process group, stopped with SIGTERM afterwards. Needs no PostgreSQL: DATABASE_URL is
 * removed from the app's environment.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { closeSync, cpSync, mkdtempSync, openSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import os from "node:os";
import path from "node:path";

import { freePort } from "#test/support/server";

import { goalAtMost } from "../support";
import type { BenchContext, BenchFigure, BenchScenario } from "../types";

const NAME = "start-time";
const RESTART_GOAL_S = 5;
const RESTARTS = 3;
/** What a fresh clone has besides node_modules: everything tracked, nothing built, no data. */
const SKIPPED = new Set(["node_modules", "build", ".data", ".cache", ".git", "test-results", "coverage"]);
const HEALTH_TIMEOUT_MS = 180_000;

type Start = { seconds: number; built: boolean };

async function startOnce(ctx: BenchContext, root: string, dataDir: string, label: string): Promise<Start> {
  const port = await freePort();
  const logFile = path.join(root, `start-${label}.log`);
  const log = openSync(logFile, "w");
  // The embedded database (no DATABASE_URL) in production mode, as `npm start` sets it itself.
  const env: Record<string, string | undefined> = {
    ...process.env,
    PORT: String(port),
    HOST: "127.0.0.1",
    DATA_DIR: dataDir,
  };
  env.DATABASE_URL = undefined;
  env.NODE_ENV = undefined;
  const started = performance.now();
  // Its own process group: npm, the build check and the server are stopped together.
  const child: ChildProcess = spawn("npm", ["start"], {
    cwd: root,
    env: env as NodeJS.ProcessEnv,
    stdio: ["ignore", log, log],
    detached: true,
  });
  closeSync(log);
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`npm start exited with ${child.exitCode}: ${tail(logFile)}`);
      try {
        if ((await fetch(`http://127.0.0.1:${port}/healthz`)).status === 200) break;
      } catch {
        // not listening yet
      }
      if (performance.now() - started > HEALTH_TIMEOUT_MS)
        throw new Error(`no healthy /healthz within ${HEALTH_TIMEOUT_MS / 1000} s: ${tail(logFile)}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const seconds = (performance.now() - started) / 1000;
    const built = !readFileSync(logFile, "utf8").includes("nothing to build");
    ctx.log(`${label}: healthy after ${seconds.toFixed(1)} s (${built ? "built first" : "no build"})`);
    return { seconds, built };
  } finally {
    await stopGroup(child);
  }
}

function tail(file: string): string {
  return readFileSync(file, "utf8").slice(-1500);
}

async function stopGroup(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  process.kill(-child.pid, "SIGTERM");
  const timeout = setTimeout(() => {
    try {
      process.kill(-child.pid!, "SIGKILL");
    } catch {
      // gone meanwhile
    }
  }, 15_000);
  await exited;
  clearTimeout(timeout);
  // The server may outlive npm by a moment: the group is gone once kill(0) fails.
  for (let i = 0; i < 150; i += 1) {
    try {
      process.kill(-child.pid, 0);
    } catch {
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function run(ctx: BenchContext): Promise<BenchFigure[]> {
  const source = process.cwd();
  const root = mkdtempSync(path.join(os.tmpdir(), "mahnwerk-start-"));
  try {
    cpSync(source, root, {
      recursive: true,
      filter: (from) => !SKIPPED.has(path.relative(source, from).split(path.sep)[0]!),
    });
    symlinkSync(path.join(source, "node_modules"), path.join(root, "node_modules"), "dir");
    ctx.log(`fresh checkout in ${root}`);
    const fresh = await startOnce(ctx, root, path.join(root, "data-fresh"), "fresh checkout");
    const newData = await startOnce(ctx, root, path.join(root, "data-new"), "new data folder, build current");
    const restarts: Start[] = [];
    for (let i = 1; i <= RESTARTS; i += 1)
      restarts.push(await startOnce(ctx, root, path.join(root, "data-new"), `restart ${i}, nothing changed`));
    const times = restarts.map((r) => r.seconds).sort((a, b) => a - b);
    const restart = { seconds: times[Math.floor(times.length / 2)]!, built: restarts.some((r) => r.built) };
    const figures: BenchFigure[] = [
      {
        scenario: NAME,
        metric: "npm start → healthy, fresh checkout",
        value: fresh.seconds,
        unit: "s",
        note: `${fresh.built ? "build (Remix app, server bundle), then" : "(no build needed?)"} migrations on a new data folder (PGlite)`,
      },
      {
        scenario: NAME,
        metric: "npm start → healthy, new data folder",
        value: newData.seconds,
        unit: "s",
        note: `build current (${newData.built ? "built anyway: MISS" : "skipped"}), migrations on an empty database`,
      },
      goalAtMost(
        {
          scenario: NAME,
          metric: "npm start → healthy, nothing changed",
          value: restart.seconds,
          unit: "s",
          note: `${restart.built ? "rebuilt although nothing changed" : "build skipped, same data folder"}; median of ${times.map((t) => t.toFixed(1)).join(", ")} s`,
        },
        RESTART_GOAL_S,
        `< ${RESTART_GOAL_S} s`,
      ),
    ];
    if (restart.built || newData.built) figures[2] = { ...figures[2]!, pass: false };
    return figures;
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

const scenario: BenchScenario = { name: NAME, run };
export default scenario;
