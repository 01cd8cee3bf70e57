import { z } from "zod";

import { getDb } from "#app/db/db.server";
import { applyPlatformEvents } from "#app/services/intake/platform-events.server";
import { findStrandedDeliveries, markDeliveryDead, processInboxDelivery } from "#app/services/intake/processor.server";
import { withBulkFinishSignal } from "#app/services/shopify/bulk-import.server";

import { defineJob } from "./jobs.server";
import { shopifyImportJob } from "./shopify.server";

const inboxDelivery = z.object({ inboxId: z.uuid() });

/** A delivery whose job was lost (queue down at ingest, a crash) is picked up after this long. */
const STRANDED_AFTER_MS = 2 * 60_000;

/** One stored webhook delivery: normalized and applied to orders and cases. */
export const inboxProcessJob = defineJob({
  name: "inbox.process",
  schema: inboxDelivery,
  handle: async ({ inboxId }, { jobs }) => {
    // bulk_operations/finish queues the shop's import at once (the sweep would find it within a minute).
    const apply = withBulkFinishSignal(applyPlatformEvents, (shopId) =>
      jobs.send(shopifyImportJob, { shopId }, { singletonKey: shopId }),
    );
    await processInboxDelivery(await getDb(), inboxId, { apply, now: new Date() });
  },
  batchSize: 5,
});

export const intakeJobs = [
  inboxProcessJob,
  defineJob({
    // pg-boss moves a job here once its retries are used up: the delivery becomes visible (and replayable) as dead.
    name: `${inboxProcessJob.name}.dead`,
    schema: inboxDelivery,
    handle: async ({ inboxId }) => {
      await markDeliveryDead(await getDb(), inboxId, "processing failed after every retry");
    },
  }),
  defineJob({
    name: "inbox.sweep",
    schedule: "*/2 * * * *",
    schema: z.object({}),
    handle: async (_data, { jobs }) => {
      const ids = await findStrandedDeliveries(await getDb(), new Date(Date.now() - STRANDED_AFTER_MS));
      // singletonKey: a delivery already waiting in the queue is not queued twice.
      for (const inboxId of ids) await jobs.send(inboxProcessJob, { inboxId }, { singletonKey: inboxId });
    },
  }),
];
