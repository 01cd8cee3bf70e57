/**
 * Shared helpers for bench scenarios (bench/scenarios/*.ts). The API is deliberately small:
 *
 *   withBenchDatabase(ctx, name, fn)   a fresh, migrated database of its own on the server at DATABASE_URL,
 *                                      dropped afterwards (also when fn throws or on Ctrl-C)
 *   percentile(sorted, p), summarize(samples)   latency statistics in the samples' unit (usually ms)
 *   timed(fn), elapsedMs(start)        wall-clock timing with process.hrtime
 *   goalAtMost / goalAtLeast           a BenchFigure with goal text and pass flag filled in
 *   processTreeCpuMs(pid)              CPU time (user + system) a process and its children have used, on Linux
 *   startApp(ctx, env)                 the built server in production mode on a free loopback port, as `npm start` runs
 *                                      it, from a build/ that is (re)built first when its sources changed
 *   nodeFlagsOf(script)                the Node flags an npm script (start, worker) gives its process
 *
 * A scenario never touches the database named in DATABASE_URL: it only connects to it to create and
 * drop its own `mahnwerk_bench_<name>_<random>` databases on the same server.
 */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";

import postgres from "postgres";

import { type Database, migrateDatabase, openDatabase } from "#app/db/client.server";
import { freePort, npmScript } from "#test/support/server";

import { build, buildIsCurrent, sourcesHash } from "../bin/build";
import type { BenchContext, BenchFigure } from "./types";

export type BenchDatabase = {
  /** The generated database name, `mahnwerk_bench_<name>_<random>`. */
  name: string;
  /** Connection URL of the bench database (same server, user and options as DATABASE_URL). */
  url: string;
  /** The app's own database handle (drizzle over postgres.js), as the services expect it. */
  database: Database;
  /** A raw postgres.js client on the bench database, for bulk data generation in SQL and baselines. */
  sql: postgres.Sql;
};

export type BenchDatabaseOptions = {
  /** Apply the app's drizzle migrations (default true). */
  migrate?: boolean;
  /** Pool size of `database` and of `sql` (default 10 each). */
  max?: number;
};

/** Replaces the database name in a PostgreSQL URL, keeping user, password, host and query options. */
export function databaseUrlFor(serverUrl: string, databaseName: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${databaseName}`;
  return url.toString();
}

/**
 * Creates `mahnwerk_bench_<name>_<random>` on the server of `ctx.databaseUrl`, migrates it, runs `fn`, and drops it
 * (WITH (FORCE), so connections a scenario forgot to close do not leave it behind).
 */
export async function withBenchDatabase<T>(
  ctx: BenchContext,
  name: string,
  fn: (bench: BenchDatabase) => Promise<T>,
  options: BenchDatabaseOptions = {},
): Promise<T> {
  const safe = name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "_")
    .slice(0, 30);
  const dbName = `mahnwerk_bench_${safe}_${randomBytes(4).toString("hex")}`;
  const url = databaseUrlFor(ctx.databaseUrl, dbName);
  const admin = postgres(ctx.databaseUrl, { max: 1, onnotice: () => undefined, connect_timeout: 10 });
  let created = false;
  const dropOnSignal = () => {
    void dropDatabase(admin, dbName).finally(() => process.exit(130));
  };
  try {
    await admin.unsafe(`create database "${dbName}"`);
    created = true;
    process.once("SIGINT", dropOnSignal);
    ctx.log(`created database ${dbName}`);
    const max = options.max ?? 10;
    const openOptions = { engine: "postgres" as const, url, max };
    const database = await openDatabase(openOptions);
    const sql = postgres(url, { max, onnotice: () => undefined, connect_timeout: 10 });
    try {
      if (options.migrate !== false) await migrateDatabase(openOptions, database);
      return await fn({ name: dbName, url, database, sql });
    } finally {
      await sql.end({ timeout: 5 }).catch(() => undefined);
      await database.close().catch(() => undefined);
    }
  } finally {
    process.off("SIGINT", dropOnSignal);
    if (created) {
      await dropDatabase(admin, dbName);
      ctx.log(`dropped database ${dbName}`);
    }
    await admin.end({ timeout: 5 }).catch(() => undefined);
  }
}

async function dropDatabase(admin: postgres.Sql, dbName: string): Promise<void> {
  await admin.unsafe(`drop database if exists "${dbName}" with (force)`).catch((error: unknown) => {
    console.error(`could not drop bench database ${dbName}: ${String(error)}`);
  });
}

/** The p-th percentile (0..100) of ascending-sorted samples, nearest-rank method; NaN for no samples. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((Math.min(Math.max(p, 0), 100) / 100) * sorted.length);
  return sorted[Math.min(Math.max(rank - 1, 0), sorted.length - 1)]!;
}

export type Summary = { count: number; min: number; mean: number; p50: number; p95: number; p99: number; max: number };

/** Count, min, mean, p50/p95/p99 and max of samples (any order; not modified). */
export function summarize(samples: readonly number[]): Summary {
  const sorted = [...samples].sort((a, b) => a - b);
  const sum = sorted.reduce((total, value) => total + value, 0);
  return {
    count: sorted.length,
    min: sorted[0] ?? Number.NaN,
    mean: sorted.length ? sum / sorted.length : Number.NaN,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    max: sorted[sorted.length - 1] ?? Number.NaN,
  };
}

/** A process.hrtime start mark, for elapsedMs. */
export function now(): bigint {
  return process.hrtime.bigint();
}

/** Milliseconds since a `now()` mark. */
export function elapsedMs(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e6;
}

/** Runs fn and returns its result with the wall-clock milliseconds it took. */
export async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; result: T }> {
  const start = now();
  const result = await fn();
  return { ms: elapsedMs(start), result };
}

type FigureBase = Omit<BenchFigure, "goal" | "pass">;

/** A figure whose goal is `value <= limit` (latencies, durations, memory); goal text like "< 50 ms". */
export function goalAtMost(figure: FigureBase, limit: number, goal = `<= ${limit} ${figure.unit}`): BenchFigure {
  return { ...figure, goal, pass: figure.value <= limit };
}

/** A figure whose goal is `value >= limit` (throughput, ratios); goal text like ">= 50 % of raw INSERT". */
export function goalAtLeast(figure: FigureBase, limit: number, goal = `>= ${limit} ${figure.unit}`): BenchFigure {
  return { ...figure, goal, pass: figure.value >= limit };
}

const ROOT = process.cwd();
const BUILD_LOCK = path.join(ROOT, "test-results/.build.lock");

/**
 * Holds the build lock of test/support/server.ts ensureBuild (an atomic mkdir) while fn runs, so a bench and the
 * e2e tests of a parallel run never rebuild build/ under each other.
 */
async function withBuildLock<T>(fn: () => Promise<T>): Promise<T> {
  mkdirSync(path.dirname(BUILD_LOCK), { recursive: true });
  const deadline = Date.now() + 300_000;
  for (;;) {
    try {
      mkdirSync(BUILD_LOCK);
      break;
    } catch {
      if (Date.now() > deadline) throw new Error(`waited five minutes for the build lock ${BUILD_LOCK}`);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(BUILD_LOCK, { recursive: true, force: true });
  }
}

/** build/ (what `npm start` serves) holds a build of the current sources (bin/build.ts); otherwise it is built. */
async function ensureAppBuild(ctx: BenchContext): Promise<void> {
  const hash = sourcesHash(ROOT);
  if (buildIsCurrent(ROOT, hash)) return;
  ctx.log("building the app (bin/build.ts) …");
  const failed = await build(ROOT, hash);
  if (failed) throw new Error(failed);
}

/**
 * The Node flags that package.json's `script` passes before its entry file (`node --flag … build/server.js`,
 * `tsx --flag … app/worker.ts`), so a scenario starts its processes exactly as `npm start` / `npm run worker` do;
 * package.json stays the one place.
 */
export function nodeFlagsOf(script: "start" | "worker"): string[] {
  const pkg = JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> };
  const command = pkg.scripts[script]?.match(/(?:^|&&\s*)(?:\w+=\S+\s+)*(?:tsx|node)((?:\s+--\S+)*)\s+\S+\.[jt]s\s*$/);
  if (!command) throw new Error(`package.json's "${script}" script does not end in \`tsx|node [--flags] <entry>\``);
  return command[1]!.trim().split(/\s+/).filter(Boolean);
}

export type RunningApp = {
  /** http://127.0.0.1:<port> */
  url: string;
  pid: number;
  /** The server's stdout and stderr (its request log), a file, so logging costs what it costs in production. */
  logFile: string;
  stop(): Promise<void>;
};

/**
 * Starts the built server as `npm start` does (NODE_ENV=production) with `env` added, on a free port on 127.0.0.1, and
 * waits for /healthz. build/ is rebuilt first when its sources changed; the build lock is held until the server has
 * loaded its bundle, so a parallel e2e build cannot swap it out from under the start. Pass DATABASE_URL of a bench database; WORKERS=0 keeps the
 * background workers out of the measurement (as a web process next to separate `npm run worker` processes runs).
 */
export async function startApp(ctx: BenchContext, env: Record<string, string>): Promise<RunningApp> {
  return withBuildLock(async () => {
    await ensureAppBuild(ctx);
    return spawnApp(ctx, env);
  });
}

async function spawnApp(ctx: BenchContext, env: Record<string, string>): Promise<RunningApp> {
  const port = await freePort();
  const logFile = path.join(os.tmpdir(), `mahnwerk-bench-app-${port}-${process.pid}.log`);
  const log = openSync(logFile, "w");
  const script = npmScript("start");
  const child = spawn(script.command, script.args, {
    cwd: ROOT,
    env: Object.assign(
      {},
      {
        PATH: process.env.PATH ?? "",
        HOME: process.env.HOME ?? os.tmpdir(),
      },
      script.env,
      {
        PORT: String(port),
        HOST: "127.0.0.1",
      },
      env,
    ) as NodeJS.ProcessEnv,
    stdio: ["ignore", log, log],
  });
  closeSync(log);
  const url = `http://127.0.0.1:${port}`;
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once("exit", () => resolve());
      child.kill("SIGTERM");
    });
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (child.exitCode !== null)
      throw new Error(`the app exited with ${child.exitCode}:\n${readFileSync(logFile, "utf8").slice(-2000)}`);
    try {
      if ((await fetch(`${url}/healthz`)).status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`the app did not answer /healthz within 90 s:\n${readFileSync(logFile, "utf8").slice(-2000)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  ctx.log(`app listening on ${url} (pid ${child.pid}, log ${logFile})`);
  return { url, pid: child.pid!, logFile, stop };
}

/**
 * CPU milliseconds (user + system) used so far by `pid` and all its descendants, read from /proc (Linux; NaN
 * elsewhere). The difference over a run, divided by the requests, is a cost per request that holds even when the
 * machine is shared, unlike throughput.
 */
export function processTreeCpuMs(pid: number): number {
  const tree = (id: number): number[] => {
    let children: number[] = [];
    try {
      children = readFileSync(`/proc/${id}/task/${id}/children`, "utf8")
        .trim()
        .split(/\s+/)
        .filter(Boolean)
        .map(Number);
    } catch {
      children = [];
    }
    return [id, ...children.flatMap(tree)];
  };
  if (!existsSync(`/proc/${pid}/stat`)) return Number.NaN;
  const ticksPerMs = 100 / 1000; // USER_HZ is 100 on Linux
  let ticks = 0;
  for (const id of tree(pid)) {
    try {
      // Fields after the ")" of the command name: utime and stime are the 12th and 13th.
      const fields = readFileSync(`/proc/${id}/stat`, "utf8").split(") ")[1]!.split(" ");
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // exited meanwhile
    }
  }
  return ticks / ticksPerMs;
}
