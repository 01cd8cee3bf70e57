import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import path from "node:path";

const ROOT = process.cwd();
const TSX = path.join(ROOT, "node_modules/.bin/tsx");

const LOCK = path.join(ROOT, "test-results/.build.lock");
const STAMP = path.join(ROOT, "test-results/.build.stamp");

/**
 * Builds the Remix app once per test run (the production server serves build/), even when several e2e files ask at
 * the same time: the first takes a lock (an atomic mkdir) and builds, the others wait and reuse it. The run is
 * identified by vitest's main process (the workers' parent), so the next run builds afresh.
 */
export async function ensureBuild(): Promise<void> {
  const marker = path.join(ROOT, "build/server/index.js");
  if (existsSync(marker) && process.env.MAHNWERK_TEST_REUSE_BUILD === "1") return;
  const run = String(process.ppid);
  const built = () => existsSync(STAMP) && readFileSync(STAMP, "utf8") === run && existsSync(marker);
  mkdirSync(path.dirname(LOCK), { recursive: true });
  const deadline = Date.now() + 300_000;
  for (;;) {
    if (built()) return;
    try {
      mkdirSync(LOCK);
      break;
    } catch {
      // A lock left by a killed run is taken over after five minutes.
      if (existsSync(LOCK) && Date.now() - statSync(LOCK).mtimeMs > 300_000) rmSync(LOCK, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error("waited too long for another test file's build");
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
  try {
    if (built()) return;
    const result = spawnSync(path.join(ROOT, "node_modules/.bin/remix"), ["vite:build"], { cwd: ROOT, encoding: "utf8" });
    if (result.status !== 0) throw new Error(`build failed:\n${result.stdout}\n${result.stderr}`);
    if (!existsSync(marker) || statSync(marker).size === 0) throw new Error("build produced no server bundle");
    writeFileSync(STAMP, run);
  } finally {
    rmSync(LOCK, { recursive: true, force: true });
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}

export type RunningServer = { url: string; child: ChildProcess; output: () => string; stop(): Promise<void> };

/** Starts `server.ts` as `npm start` does (production mode), and waits for /healthz. */
export async function startServer(env: Record<string, string>): Promise<RunningServer> {
  const port = await freePort();
  const child = spawn(TSX, ["server.ts"], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", NODE_ENV: "production", PORT: String(port), HOST: "127.0.0.1", LOG_LEVEL: "warn", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr?.on("data", (d: Buffer) => (output += d.toString()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}:\n${output}`);
    try {
      const res = await fetch(`${url}/healthz`);
      if (res.status === 200) break;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url,
    child,
    output: () => output,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}

/** Runs the server expecting it to refuse to start; returns exit code and output. */
export async function runServerExpectingExit(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  const result = spawnSync(TSX, ["server.ts"], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", NODE_ENV: "production", HOST: "127.0.0.1", ...env },
    encoding: "utf8",
    timeout: 60_000,
  });
  return { code: result.status, output: `${result.stderr}` };
}
