import { z } from "zod";
import { getDb } from "#app/db/db.server";
import { findStrandedDeliveries, markDeliveryDead, processInboxDelivery } from "#app/services/inbox-processor.server";
import { INBOX_PROCESS_JOB } from "#app/services/inbox.server";
import { runDunningSweep } from "#app/services/dunning-sweep.server";
import { applyPlatformEvents } from "#app/services/platform-events.server";
import { logger } from "#app/utils/logger.server";
import type { JobDefinition } from "./jobs.server";
import { enqueue } from "./queue.server";

const inboxJob = z.object({ inboxId: z.uuid() });

/** A delivery whose job was lost (queue down at ingest, a crash) is picked up after this long. */
const STRANDED_AFTER_MS = 2 * 60_000;

/** Every queue the workers serve. */
export const jobDefinitions: JobDefinition<any>[] = [
  {
    name: INBOX_PROCESS_JOB,
    parse: (data) => inboxJob.parse(data),
    handle: async ({ inboxId }: z.infer<typeof inboxJob>) => {
      await processInboxDelivery(await getDb(), inboxId, { apply: applyPlatformEvents, now: new Date() });
    },
    batchSize: 5,
  },
  {
    // pg-boss moves a job here once its retries are used up: the delivery becomes visible (and replayable) as dead.
    name: `${INBOX_PROCESS_JOB}.dead`,
    parse: (data) => inboxJob.parse(data),
    handle: async ({ inboxId }: z.infer<typeof inboxJob>) => {
      await markDeliveryDead(await getDb(), inboxId, "processing failed after every retry");
    },
  },
  {
    name: "inbox.sweep",
    schedule: "*/2 * * * *",
    parse: () => ({}),
    handle: async () => {
      const ids = await findStrandedDeliveries(await getDb(), new Date(Date.now() - STRANDED_AFTER_MS));
      // singletonKey: a delivery already waiting in the queue is not queued twice.
      for (const inboxId of ids) await enqueue(INBOX_PROCESS_JOB, { inboxId }, { singletonKey: inboxId });
    },
  },
  {
    // Opens cases for newly overdue orders and moves running ones on; safe to run in every worker at once.
    name: "dunning.sweep",
    schedule: "*/5 * * * *",
    parse: () => ({}),
    handle: async () => {
      const report = await runDunningSweep(await getDb(), new Date());
      if (report.opened || report.advanced) logger.info(report, "dunning sweep");
    },
    queue: { retryLimit: 2, expireInSeconds: 30 * 60 },
  },
];
