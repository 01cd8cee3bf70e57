// Issue 9 / issue 11: the handover to the collection partner is exactly once although the worker dies at any point —
// before sending, after the partner accepted but before our database knows, after recording. Counted at the sandbox
// partner, by invoice (= case) and by our request id (= the outbox key). Small inside `npm test`, 1,000 claims
// under `npm run test:reliability`.
import { spawn } from "node:child_process";
import { mkdirSync, rmSync } from "node:fs";
import path from "node:path";

import { eq } from "drizzle-orm";
import { build } from "esbuild";
import { afterAll, afterEach, beforeAll, describe, expect, test } from "vitest";

import { type SandboxPartner, startSandboxPartner } from "#adapters/partners/sandbox/server";
import { cases } from "#app/db/schema";
import { resolveHandover } from "#app/services/collection/handover-resolution.server";
import { savePartnerAccount } from "#app/services/collection/partners.server";
import { seededRandom } from "#app/utils/seeded-random";
import { createTestDatabase, postgresTestUrl, type TestDatabase, testEngines } from "#test/support/db";
import { insertShop } from "#test/support/factories";
import {
  CREDITOR,
  exactlyOnceReport,
  type Fault,
  FAULT_POINTS,
  type FaultPoint,
  GENERATION_MS,
  requestIdsMatch,
  runHandoverWorker,
  seedHandedOverCases,
} from "#test/support/handover-faults";
import { scale } from "#test/support/reliability";

const START = Date.parse("2026-10-20T09:01:00Z");

let sandbox: SandboxPartner | undefined;
afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
});

describe.each(testEngines())("handover with a crash between every pair of steps, in process, on %s", (engine) => {
  // One database for the file (a shop per test): migrating is the slow part of a small run.
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase(engine);
  });
  afterAll(() => database.close());

  /**
   * One worker generation. A crash is a promise that never settles: nothing after the fault point runs, as in a
   * killed process; the next generation starts past the dead worker's leases.
   */
  async function generation(
    db: TestDatabase["db"],
    n: number,
    crashAt: (point: FaultPoint) => boolean,
  ): Promise<"crashed" | "finished"> {
    let crashed: () => void = () => undefined;
    const crash = new Promise<"crashed">((resolve) => (crashed = () => resolve("crashed")));
    const fault: Fault = (point) => {
      if (!crashAt(point)) return;
      crashed();
      return new Promise<never>(() => undefined);
    };
    const now = () => new Date(START + n * GENERATION_MS);
    return Promise.race([runHandoverWorker({ db, now, fault }).then(() => "finished" as const), crash]);
  }

  test("every claim at the partner exactly once, every case handed over", async () => {
    const count = scale(10, 1_000);
    sandbox = await startSandboxPartner({ port: 0, seed: 3 });
    const { shop } = await seedHandedOverCases(database.db, sandbox, count);
    const random = seededRandom(engine === "pglite" ? 11 : 12);
    let n = 0;
    const crashes = Object.fromEntries(FAULT_POINTS.map((p) => [p, 0])) as Record<FaultPoint, number>;

    // Deterministically at each boundary: the first time it is reached.
    for (const point of FAULT_POINTS) {
      expect(await generation(database.db, n++, (p) => p === point)).toBe("crashed");
      crashes[point] += 1;
    }
    // Then at random boundaries until one generation gets through.
    const rate = scale(0.3, 0.02);
    for (;;) {
      const outcome = await generation(database.db, n++, (p) => {
        const hit = random() < rate;
        if (hit) crashes[p] += 1;
        return hit;
      });
      if (outcome === "finished") break;
      expect(n).toBeLessThan(10_000);
    }

    const report = await exactlyOnceReport(database.db, shop.id, sandbox);
    const kills = Object.values(crashes).reduce((a, b) => a + b, 0);
    process.stdout.write(
      `[reliability] handover in process on ${engine}: ${count} claims, ${kills} crashes ${JSON.stringify(crashes)}, ${report.delivered} at the partner, ${report.duplicateInvoices.length} duplicates, ${report.healed} healed by look-up\n`,
    );
    expect(report).toMatchObject({
      claims: count,
      delivered: count,
      duplicateInvoices: [],
      duplicateRequestIds: [],
      lost: [],
      notHandedOver: [],
      undelivered: [],
    });
    expect(report.healed).toBeGreaterThanOrEqual(1); // the crash after the partner accepted was healed, not resent
    expect(await requestIdsMatch(database.db, shop.id, sandbox)).toBe(true);
  });

  test("mediaFinanz, no look-up: never a second claim; every handover whose answer was lost waits visibly for a person", async () => {
    const count = scale(10, 1_000);
    sandbox = await startSandboxPartner({ port: 0, seed: 5 });
    const files = sandbox.mediafinanz.sandbox;
    const shop = await insertShop(database.db, { name: "Garnhaus" });
    const { sandbox: _engine, ...endpoints } = sandbox.mediafinanz;
    await savePartnerAccount(database.db, {
      shopId: shop.id,
      partner: "sandbox_mediafinanz",
      environment: "sandbox",
      config: { protocol: "mediafinanz", ...endpoints, creditor: CREDITOR },
    });
    const { caseIds } = await seedHandedOverCases(database.db, sandbox, count, shop);
    const random = seededRandom(engine === "pglite" ? 21 : 22);
    let n = 0;
    // Without a look-up there is none to crash after.
    for (const point of FAULT_POINTS.filter((p) => p !== "after-look-up"))
      expect(await generation(database.db, n++, (p) => p === point)).toBe("crashed");
    const rate = scale(0.3, 0.02);
    while ((await generation(database.db, n++, () => random() < rate)) !== "finished") expect(n).toBeLessThan(10_000);

    const state = async () =>
      Promise.all(
        caseIds.map(async (id) => {
          const [row] = await database.db.select().from(cases).where(eq(cases.id, id));
          return { id, row: row!, blockReasons: (row!.state as { blockReasons: string[] }).blockReasons };
        }),
      );
    const fileOf = (id: string) => files.files().find((f) => f.reference === id);
    const before = await state();
    expect(caseIds.filter((id) => files.submissions(id) > 1)).toEqual([]);
    // Each case either carries the file number mediaFinanz gave it, or waits as "handover unknown".
    const unknown = before.filter((c) => c.blockReasons.includes("handover_unknown"));
    const recorded = before.filter(
      (c) => c.row.status === "handed_over" && c.row.partnerReference === fileOf(c.id)?.az,
    );
    expect(unknown.length + recorded.length).toBe(count);
    expect(unknown.length).toBeGreaterThanOrEqual(1);

    // Support looks each one up in the portal: the file number where there is one, else a resend.
    for (const c of unknown) {
      const file = fileOf(c.id);
      const resolved = await resolveHandover(database.db, {
        shopId: shop.id,
        caseId: c.id,
        resolution: file ? { kind: "claim_number", claimNumber: file.az } : { kind: "resend" },
        actor: { type: "support", id: "reliability" },
        reason: file ? "file found in the portal" : "no file in the portal",
        now: new Date(START + n * GENERATION_MS),
      });
      expect(resolved.ok).toBe(true);
    }
    expect(await generation(database.db, n++, () => false)).toBe("finished");
    const after = await state();
    expect(after.filter((c) => c.row.status !== "handed_over" || c.row.partnerReference !== fileOf(c.id)?.az)).toEqual(
      [],
    );
    expect(caseIds.filter((id) => files.submissions(id) !== 1)).toEqual([]);
    process.stdout.write(
      `[reliability] mediaFinanz handover in process on ${engine}: ${count} claims, ${unknown.length} handovers unknown resolved by support, 0 duplicates\n`,
    );
  });

  test("a worker stalled past its lease between look-up and send does not send a second claim", async () => {
    sandbox = await startSandboxPartner({ port: 0, seed: 4 });
    const { shop } = await seedHandedOverCases(database.db, sandbox, 3);
    const db = database.db;

    // Worker A looks the first claim up (not there yet), then stalls — a GC pause, a frozen VM — before sending it.
    let stalled: () => void = () => undefined;
    const atStall = new Promise<void>((resolve) => (stalled = resolve));
    let resume: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (resume = resolve));
    let stalls = 0;
    const slow = runHandoverWorker({
      db,
      now: () => new Date(START),
      fault: async (point) => {
        if (point !== "after-look-up" || stalls++ > 0) return;
        stalled();
        await gate;
      },
    });
    await atStall;
    // Its lease runs out; worker B takes every row over and delivers them all.
    expect(await runHandoverWorker({ db, now: () => new Date(START + GENERATION_MS), fault: () => undefined })).toBe(3);
    resume();
    await slow;

    const report = await exactlyOnceReport(db, shop.id, sandbox);
    expect(report).toMatchObject({ claims: 3, delivered: 3, duplicateInvoices: [], lost: [], undelivered: [] });
  });
});

describe.skipIf(!postgresTestUrl())("handover worker processes SIGKILLed on PostgreSQL", () => {
  const cacheDir = path.resolve("node_modules/.cache/mahnwerk");
  const bundle = path.join(cacheDir, `handover-worker-${process.pid}.mjs`);

  // Compiled once with esbuild (packages stay in node_modules): a plain node process starts in well under a second,
  // tsx takes several on this machine. It is the same source test/support/handover-worker.ts.
  beforeAll(async () => {
    mkdirSync(cacheDir, { recursive: true });
    await build({
      entryPoints: ["test/support/handover-worker.ts"],
      bundle: true,
      platform: "node",
      format: "esm",
      packages: "external",
      outfile: bundle,
      target: "node20",
      logLevel: "error",
      tsconfig: "tsconfig.json",
    });
  });
  let database: TestDatabase | undefined;
  afterAll(async () => {
    rmSync(bundle, { force: true });
    await database?.close();
  });

  type Exit = { code: number | null; signal: NodeJS.Signals | null; stderr: string };

  /** One worker process; killAfterMs: SIGKILL it that long after it is connected (unless it finished before). */
  function worker(
    url: string,
    offsetMs: number,
    options: { point?: FaultPoint; at?: number; killAfterMs?: number } = {},
  ): Promise<Exit> {
    const child = spawn(process.execPath, [bundle], {
      env: {
        NODE_ENV: "test",
        PATH: process.env.PATH,
        HANDOVER_DATABASE_URL: url,
        HANDOVER_CLOCK_OFFSET_MS: String(offsetMs),
        HANDOVER_BATCH: "5",
        ...(options.point ? { HANDOVER_FAULT_POINT: options.point, HANDOVER_FAULT_AT: String(options.at ?? 1) } : {}),
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    let timer: NodeJS.Timeout | undefined;
    child.stdout.on("data", (chunk: Buffer) => {
      if (options.killAfterMs !== undefined && chunk.toString().includes("ready") && !timer) {
        timer = setTimeout(() => child.kill("SIGKILL"), options.killAfterMs);
      }
    });
    return new Promise((resolve) =>
      child.on("exit", (code, signal) => {
        clearTimeout(timer);
        resolve({ code, signal, stderr });
      }),
    );
  }

  test("every claim at the partner exactly once, every case handed over", { timeout: 600_000 }, async () => {
    const count = scale(20, 1_000);
    database = await createTestDatabase("postgres");
    const url = database.options.engine === "postgres" ? database.options.url : "";
    sandbox = await startSandboxPartner({ port: 0, seed: 5 });
    const { shop } = await seedHandedOverCases(database.db, sandbox, count);
    const random = seededRandom(21);
    let generationNo = 0;
    const offset = () => START - Date.now() + generationNo++ * GENERATION_MS;
    const kills = { boundaries: 0, random: 0 };

    // SIGKILL at each step boundary, at its 1st to 3rd passage.
    for (const point of FAULT_POINTS) {
      const exit = await worker(url, offset(), { point, at: 1 + Math.floor(random() * 3) });
      expect(exit, exit.stderr).toMatchObject({ signal: "SIGKILL" });
      kills.boundaries += 1;
    }
    // Two workers side by side, each SIGKILLed at a random time, until enough kills landed.
    const wanted = scale(1, 60);
    const maxLifeMs = scale(400, 1_500);
    while (kills.random < wanted && (await exactlyOnceReport(database.db, shop.id, sandbox)).undelivered.length > 0) {
      const at = offset();
      const exits = await Promise.all(
        [0, 1].map(() => worker(url, at, { killAfterMs: 30 + Math.floor(random() * maxLifeMs) })),
      );
      for (const exit of exits) {
        if (exit.signal === "SIGKILL") kills.random += 1;
        else expect(exit, exit.stderr).toMatchObject({ code: 0 });
      }
    }
    // Then workers are left alone until everything is delivered.
    for (let i = 0; (await exactlyOnceReport(database.db, shop.id, sandbox)).undelivered.length > 0; i++) {
      expect(i).toBeLessThan(5);
      const exit = await worker(url, offset());
      expect(exit, exit.stderr).toMatchObject({ code: 0 });
    }

    const report = await exactlyOnceReport(database.db, shop.id, sandbox);
    process.stdout.write(
      `[reliability] handover worker processes on postgres: ${count} claims, ${kills.boundaries + kills.random} SIGKILLs (${kills.boundaries} at step boundaries, ${kills.random} at random times), ${report.delivered} at the partner, ${report.duplicateInvoices.length} duplicates, ${report.healed} healed by look-up\n`,
    );
    expect(report).toMatchObject({
      claims: count,
      delivered: count,
      duplicateInvoices: [],
      duplicateRequestIds: [],
      lost: [],
      notHandedOver: [],
      undelivered: [],
    });
    expect(report.healed).toBeGreaterThanOrEqual(1);
    expect(await requestIdsMatch(database.db, shop.id, sandbox)).toBe(true);
  });
});
