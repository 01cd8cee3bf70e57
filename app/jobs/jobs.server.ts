import { fromPglite, type Job, PgBoss, type QueueOptions } from "pg-boss";
import type { z } from "zod";

import type { Database } from "#app/db/client.server";
import { type GroupCommit, groupCommit } from "#app/utils/group-commit";
import { logger } from "#app/utils/logger.server";

/**
 * Durable background work on pg-boss. On PostgreSQL any number of worker processes on any number of
 * machines share the queues (pg-boss claims jobs with SKIP LOCKED); on the embedded PGlite the web
 * process is the only worker.
 */

export type JobDefinition<T extends object = object> = {
  name: string;
  /** Parses the stored payload: a job row is input like any other. */
  parse: (data: unknown) => T;
  handle: (data: T, context: { jobId: string; jobs: JobQueue }) => Promise<void>;
  queue?: QueueOptions;
  /** Cron expression (UTC) for periodic jobs. */
  schedule?: string;
  /** Jobs fetched per poll and handled concurrently by one process. */
  batchSize?: number;
  pollingIntervalSeconds?: number;
};

export type SendOptions = { singletonKey?: string; startAfter?: Date | number };

/** A job defined once, with its name, payload schema and handler: sending it accepts exactly what `handle` gets. */
export function defineJob<S extends z.ZodType<object>>(
  spec: Omit<JobDefinition<z.output<S>>, "parse"> & { schema: S },
): JobDefinition<z.output<S>> {
  const { schema, ...definition } = spec;
  return { ...definition, parse: (data) => schema.parse(data) };
}

/**
 * Queues jobs of this process. Loaders and actions get it as `context.jobs` (server.ts), job handlers as
 * `context.jobs`; nothing reaches it through a global.
 */
export type JobQueue = {
  send<T extends object>(job: JobDefinition<T>, data: T, options?: SendOptions): Promise<string | null>;
  /**
   * Queues a job (queue defaults, no options) together with every other sendBatched to the same queue made while
   * the previous batch was being written: one INSERT, one round trip and one commit for a whole burst. For hot
   * paths such as webhook ingest. Resolves once the job is stored; stop() writes what is still pending.
   */
  sendBatched<T extends object>(job: JobDefinition<T>, data: T): Promise<void>;
};

export type Jobs = JobQueue & { boss: PgBoss; stop(): Promise<void> };

const DEFAULT_QUEUE: QueueOptions = {
  retryLimit: 8,
  retryDelay: 5,
  retryBackoff: true,
  retryDelayMax: 600,
  expireInSeconds: 15 * 60,
};

export async function startJobs(
  database: Database,
  definitions: JobDefinition<any>[],
  options: { work: boolean },
): Promise<Jobs> {
  const boss = newBoss(database, { supervise: true });
  boss.on("error", (error) => logger.error({ err: error }, "job queue error"));
  await boss.start();

  // What a previous start created is read once, not attempted again per queue: a restart's round trips on PGlite.
  const queues = new Set((await boss.getQueues()).map((queue) => queue.name));
  const schedules = new Map((await boss.getSchedules()).map((schedule) => [schedule.name, schedule.cron]));
  for (const def of definitions) {
    const deadLetter = `${def.name}.dead`;
    if (!queues.has(deadLetter))
      await boss.createQueue(deadLetter, { retentionSeconds: 30 * 24 * 3600 }).catch(ignoreExists);
    if (!queues.has(def.name))
      await boss.createQueue(def.name, { ...DEFAULT_QUEUE, ...def.queue, deadLetter }).catch(ignoreExists);
    if (def.schedule && schedules.get(def.name) !== def.schedule) await boss.schedule(def.name, def.schedule, {});
  }

  const batches = batchedInserts(boss);
  const queue: JobQueue = {
    send: (job, data, sendOptions) => boss.send(job.name, data, sendOptions ?? {}),
    sendBatched: (job, data) => batches.send(job.name, data),
  };

  if (options.work) {
    for (const def of definitions) {
      await boss.work(
        def.name,
        { batchSize: def.batchSize ?? 1, pollingIntervalSeconds: def.pollingIntervalSeconds ?? 2 },
        async (jobs: Job<unknown>[]) => {
          for (const job of jobs) {
            const log = logger.child({ job: def.name, jobId: job.id });
            const started = performance.now();
            try {
              await def.handle(def.parse(job.data ?? {}), { jobId: job.id, jobs: queue });
              log.debug({ ms: Math.round(performance.now() - started) }, "job done");
            } catch (error) {
              log.warn({ err: error }, "job failed; pg-boss retries it with backoff");
              throw error;
            }
          }
        },
      );
    }
  }

  return {
    boss,
    ...queue,
    stop: async () => {
      await batches.drain();
      await boss.stop({ graceful: true, timeout: 10_000 });
    },
  };
}

function newBoss(database: Database, options: { supervise: boolean; schedule?: boolean }): PgBoss {
  return database.jobs.engine === "pglite"
    ? new PgBoss({ db: fromPglite(database.jobs.pglite), backend: "pglite", schema: "pgboss", ...options })
    : new PgBoss({ connectionString: database.jobs.url, schema: "pgboss", max: options.supervise ? 5 : 1, ...options });
}

/**
 * Queues one job from a process that does no work itself (the CLI): no maintenance, no schedules. A worker picks it
 * up at its next poll (two seconds).
 */
export async function sendJobNow<T extends object>(
  database: Database,
  job: JobDefinition<T>,
  data: T,
): Promise<string | null> {
  const boss = newBoss(database, { supervise: false, schedule: false });
  boss.on("error", (error) => logger.error({ err: error }, "job queue error"));
  await boss.start();
  try {
    return await boss.send(job.name, data);
  } finally {
    await boss.stop({ graceful: false });
  }
}

/** Jobs in one INSERT per queue at a time, at most this many. */
const MAX_BATCH = 500;

/** One group commit per queue (app/utils/group-commit.ts): a burst of sends becomes one INSERT of its jobs. */
function batchedInserts(boss: PgBoss) {
  const queues = new Map<string, GroupCommit<object, void>>();
  const queueOf = (name: string) => {
    let queue = queues.get(name);
    if (!queue) {
      queue = groupCommit<object, void>({
        maxItems: MAX_BATCH,
        maxWriters: 1,
        write: async (jobs) => {
          await boss.insert(
            name,
            jobs.map((data) => ({ data })),
          );
          return jobs.map(() => ({ status: "fulfilled", value: undefined }));
        },
      });
      queues.set(name, queue);
    }
    return queue;
  };
  return {
    send: <T extends object>(name: string, data: T) => queueOf(name).submit(data),
    drain: async () => {
      await Promise.all([...queues.values()].map((queue) => queue.drain()));
    },
  };
}

function ignoreExists(error: unknown): void {
  if (error instanceof Error && /already exists/i.test(error.message)) return;
  throw error;
}
