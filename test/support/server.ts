import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import path from "node:path";

const ROOT = process.cwd();

const LOCK = path.join(ROOT, "test-results/.build.lock");
const STAMP = path.join(ROOT, "test-results/.build.stamp");

/**
 * Builds the Remix app once per test run (the production server serves build/), even when several e2e files ask at
 * the same time: the first takes a lock (an atomic mkdir) and builds, the others wait and reuse it. The run is
 * identified by vitest's main process (the workers' parent), so the next run builds afresh.
 */
export async function ensureBuild(): Promise<void> {
  const marker = path.join(ROOT, "build/server/index.js");
  if (
    existsSync(marker) &&
    existsSync(path.join(ROOT, "build/server.js")) &&
    process.env.MAHNWERK_TEST_REUSE_BUILD === "1"
  )
    return;
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
      if (existsSync(LOCK) && Date.now() - statSync(LOCK).mtimeMs > 300_000)
        rmSync(LOCK, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error("waited too long for another test file's build");
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
  try {
    if (built()) return;
    // The build `npm start` makes (bin/build.ts): the Remix app and the server bundle it runs.
    const result = spawnSync(path.join(ROOT, "node_modules/.bin/node"), ["bin/build.ts"], {
      cwd: ROOT,
      encoding: "utf8",
    });
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

/**
 * A package.json script's process as npm runs it after any build: its last `&&` step, leading VAR=value words as
 * environment, the program from node_modules/.bin. The tests start exactly what `npm start` and `npm run worker` start.
 */
export function npmScript(name: "start" | "worker" | "mahnwerk"): {
  command: string;
  args: string[];
  env: Record<string, string>;
} {
  const scripts = (
    JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> }
  ).scripts;
  const words = (scripts[name] ?? "").split("&&").pop()!.trim().split(/\s+/);
  const env: Record<string, string> = {};
  while (words[0] && /^[A-Z_]+=/.test(words[0])) {
    const [key, ...value] = words.shift()!.split("=");
    env[key!] = value.join("=");
  }
  const [program, ...args] = words;
  if (!program) throw new Error(`package.json has no script ${name}`);
  return { command: path.join(ROOT, "node_modules/.bin", program), args, env };
}

// Only what a person's shell would pass: the test process's own variables (DATABASE_URL, VITEST…) stay out.
const baseEnv = (): Record<string, string> => ({ PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp" });
const processEnv = (...parts: Record<string, string>[]) => Object.assign({}, ...parts) as NodeJS.ProcessEnv;

export type RunningProcess = { child: ChildProcess; output: () => string; stop(): Promise<void> };
export type RunningServer = RunningProcess & { url: string };

function spawnScript(name: "start" | "worker", env: Record<string, string>): RunningProcess {
  const script = npmScript(name);
  const child: ChildProcess = spawn(script.command, script.args, {
    cwd: ROOT,
    env: processEnv(baseEnv(), script.env, env),
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr?.on("data", (d: Buffer) => (output += d.toString()));
  return {
    child,
    output: () => output,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}

/** Starts the web process as `npm start` does once built (production mode), and waits for /healthz. */
export async function startServer(env: Record<string, string>): Promise<RunningServer> {
  const port = env.PORT ? Number(env.PORT) : await freePort();
  const running = spawnScript("start", { HOST: "127.0.0.1", LOG_LEVEL: "warn", ...env, PORT: String(port) });
  const { child, output } = running;
  const url = `http://127.0.0.1:${port}`;
  // Generous: a start on a loaded two-core machine is slow, and the loop ends as soon as the server answers.
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}:\n${output()}`);
    if (Date.now() > deadline) {
      // Not left running behind a failed test.
      child.kill("SIGKILL");
      throw new Error(`server did not become healthy within 120 s:\n${output()}`);
    }
    const healthy = await fetch(`${url}/healthz`).then(
      (res) => res.status === 200,
      () => false,
    );
    if (healthy) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  return { ...running, url };
}

/** Starts a worker process as `npm run worker` does, and waits until it serves the queues. */
export async function startWorker(env: Record<string, string>): Promise<RunningProcess> {
  const running = spawnScript("worker", { LOG_LEVEL: "info", ...env });
  const deadline = Date.now() + 120_000;
  while (!running.output().includes('"msg":"worker started"')) {
    if (running.child.exitCode !== null)
      throw new Error(`worker exited with ${running.child.exitCode}:\n${running.output()}`);
    if (Date.now() > deadline) {
      running.child.kill("SIGKILL");
      throw new Error(`worker did not start within 120 s:\n${running.output()}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return running;
}

/** Runs the support CLI (`npm run mahnwerk -- …`) without blocking this process (stand-in servers live here). */
export function runMahnwerk(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const script = npmScript("mahnwerk");
  const child: ChildProcess = spawn(script.command, [...script.args, ...args], {
    cwd: ROOT,
    env: processEnv(baseEnv(), script.env, { LOG_LEVEL: "warn" }, env),
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr?.on("data", (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.once("close", (code: number | null) => resolve({ code, stdout, stderr })));
}

/** Runs the server expecting it to refuse to start; returns exit code and output. */
export async function runServerExpectingExit(
  env: Record<string, string>,
): Promise<{ code: number | null; output: string }> {
  const script = npmScript("start");
  const result = spawnSync(script.command, script.args, {
    cwd: ROOT,
    env: processEnv(baseEnv(), script.env, { HOST: "127.0.0.1" }, env),
    encoding: "utf8",
    // Only against a start that never ends: refusing takes seconds, but a start beside other work on two cores
    // can take far longer (callers give their tests more than this).
    timeout: 100_000,
  });
  return { code: result.status, output: `${result.stderr}` };
}
