import { afterEach, describe, expect, test } from "vitest";
import { z } from "zod";
import { createTestDatabase, testEngines, type TestDatabase } from "#test/support/db";
import { startJobs, type Jobs } from "./jobs.server";

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
    jobs = await startJobs(
      database,
      [
        {
          name: "test.echo",
          parse: (d) => z.object({ n: z.number() }).parse(d),
          handle: async ({ n }) => {
            handled.push(n);
            if (handled.length === 2) resolve();
          },
          pollingIntervalSeconds: 0.5,
        },
      ],
      { work: true },
    );
    await jobs.send("test.echo", { n: 1 });
    await jobs.send("test.echo", { n: 2 });
    await done;
    expect(handled.sort()).toEqual([1, 2]);
  });

  test("a failing job is retried", async () => {
    database = await createTestDatabase(engine);
    let attempts = 0;
    let resolve!: () => void;
    const done = new Promise<void>((r) => (resolve = r));
    jobs = await startJobs(
      database,
      [
        {
          name: "test.flaky",
          parse: (d) => d as object,
          handle: async () => {
            attempts += 1;
            if (attempts < 2) throw new Error("transient");
            resolve();
          },
          queue: { retryLimit: 3, retryDelay: 1 },
          pollingIntervalSeconds: 0.5,
        },
      ],
      { work: true },
    );
    await jobs.send("test.flaky", {});
    await done;
    expect(attempts).toBe(2);
  });
});
