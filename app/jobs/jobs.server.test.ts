import { sql } from "drizzle-orm";
import { afterEach, describe, expect, test } from "vitest";
import { z } from "zod";

import { createTestDatabase, type TestDatabase, testEngines } from "#test/support/db";

import { defineJob, type Jobs, startJobs } from "./jobs.server";

describe.each(testEngines())("jobs on %s", (engine) => {
  let database: TestDatabase | undefined;
  let jobs: Jobs | undefined;
  afterEach(async () => {
    await jobs?.stop();
    await database?.close();
  });

  test("a sent job is handled once by a worker, with its payload parsed", async () => {
    database = await createTestDatabase(engine);
    const handled: number[] = [];
    let resolve!: () => void;
    const done = new Promise<void>((r) => (resolve = r));
    const echo = defineJob({
      name: "test.echo",
      schema: z.object({ n: z.number() }),
      handle: async ({ n }) => {
        handled.push(n);
        if (handled.length === 2) resolve();
      },
      pollingIntervalSeconds: 0.5,
    });
    jobs = await startJobs(database, [echo], { work: true });
    await jobs.send(echo, { n: 1 });
    await jobs.send(echo, { n: 2 });
    await done;
    expect(handled.sort()).toEqual([1, 2]);
  });

  test("a failing job is retried", async () => {
    database = await createTestDatabase(engine);
    let attempts = 0;
    let resolve!: () => void;
    const done = new Promise<void>((r) => (resolve = r));
    const flaky = defineJob({
      name: "test.flaky",
      schema: z.object({}),
      handle: async () => {
        attempts += 1;
        if (attempts < 2) throw new Error("transient");
        resolve();
      },
      queue: { retryLimit: 3, retryDelay: 1 },
      pollingIntervalSeconds: 0.5,
    });
    jobs = await startJobs(database, [flaky], { work: true });
    await jobs.send(flaky, {});
    await done;
    expect(attempts).toBe(2);
  });

  test("a burst of batched sends is stored in a few inserts, every job once with the queue's settings; stop() writes what is pending", async () => {
    database = await createTestDatabase(engine);
    const burst = defineJob({
      name: "test.burst",
      schema: z.object({ n: z.number() }),
      handle: async () => {},
      queue: { retryLimit: 7 },
    });
    const started = await startJobs(database, [burst], { work: false });
    jobs = started;
    const inserts: number[] = [];
    const insert = started.boss.insert.bind(started.boss);
    started.boss.insert = (name, batch, options) => {
      inserts.push(batch.length);
      return insert(name, batch, options);
    };
    await Promise.all(Array.from({ length: 40 }, (_, n) => started.sendBatched(burst, { n })));
    expect(inserts.reduce((a, b) => a + b, 0)).toBe(40);
    expect(inserts.length).toBeLessThan(40);
    const stored = await started.boss.findJobs("test.burst");
    expect(stored.map((job) => (job.data as { n: number }).n).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 40 }, (_, n) => n),
    );
    expect(new Set(stored.map((job) => job.retryLimit))).toEqual(new Set([7]));

    const pending = started.sendBatched(burst, { n: 40 });
    await started.stop();
    jobs = undefined;
    await pending;
    const result = await database.db.execute(sql`select count(*)::int as n from pgboss.job where name = 'test.burst'`);
    const rows = (Array.isArray(result) ? result : (result as unknown as { rows: { n: number }[] }).rows) as {
      n: number;
    }[];
    expect(rows[0]?.n).toBe(41);
  });

  test("a restart keeps the queues and schedules it finds and changes a schedule whose cron changed", async () => {
    database = await createTestDatabase(engine);
    const tick = (schedule: string) =>
      defineJob({
        name: "test.tick",
        schema: z.object({}),
        handle: async () => {},
        schedule,
        queue: { retryLimit: 5 },
      });
    jobs = await startJobs(database, [tick("*/5 * * * *")], { work: false });
    await jobs.stop();
    jobs = await startJobs(database, [tick("*/5 * * * *")], { work: false });
    await jobs.stop();
    jobs = await startJobs(database, [tick("17 3 * * *")], { work: false });
    const queues = (await jobs.boss.getQueues()).filter((queue) => queue.name.startsWith("test.tick"));
    expect(queues.map((queue) => queue.name).sort()).toEqual(["test.tick", "test.tick.dead"]);
    expect(queues.find((queue) => queue.name === "test.tick")).toMatchObject({
      retryLimit: 5,
      deadLetter: "test.tick.dead",
    });
    expect((await jobs.boss.getSchedules("test.tick")).map((schedule) => schedule.cron)).toEqual(["17 3 * * *"]);
  });
});
