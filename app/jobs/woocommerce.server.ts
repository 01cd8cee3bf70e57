import { z } from "zod";

import { getEnv } from "#app/config/env.server";
import { getDb } from "#app/db/db.server";
import { purgeExpiredPendingConnections, wooSecretsKey } from "#app/services/woocommerce/connections.server";
import {
  connectedConnectionIds,
  ensureWebhooks,
  pollConnection,
  runningImportIds,
  runWooImport,
} from "#app/services/woocommerce/sync.server";
import { logger } from "#app/utils/logger.server";

import { defineJob } from "./jobs.server";

/** Store credentials cannot be read without ENCRYPTION_KEY; then there is no connected store either. */
function keyOrSkip(job: string): Buffer | null {
  const key = wooSecretsKey();
  if (!key) logger.warn({ job }, "woocommerce: ENCRYPTION_KEY is not set, job skipped");
  return key;
}

/** The open orders of a newly connected store, page by page; resumes from its cursor. */
export const wooImportJob = defineJob({
  name: "woocommerce.import",
  schema: z.object({ importId: z.uuid() }),
  handle: async ({ importId }) => {
    const key = keyOrSkip("woocommerce.import");
    if (key) await runWooImport(await getDb(), importId, { key, now: new Date() });
  },
  queue: { expireInSeconds: 60 * 60 },
});

/** One connected store read back since its last poll. */
export const wooPollJob = defineJob({
  name: "woocommerce.poll",
  schema: z.object({ connectionId: z.uuid() }),
  handle: async ({ connectionId }) => {
    const key = keyOrSkip("woocommerce.poll");
    if (key) await pollConnection(await getDb(), connectionId, { key, now: new Date() });
  },
  queue: { retryLimit: 3, expireInSeconds: 30 * 60 },
  batchSize: 2,
});

export const woocommerceJobs = [
  wooImportJob,
  wooPollJob,
  defineJob({
    // WooCommerce never retries a delivery: every connected store is read back every ten minutes.
    name: "woocommerce.reconcile",
    schedule: "*/10 * * * *",
    schema: z.object({}),
    handle: async (_data, { jobs }) => {
      const db = await getDb();
      for (const connectionId of await connectedConnectionIds(db))
        await jobs.send(wooPollJob, { connectionId }, { singletonKey: connectionId });
      for (const importId of await runningImportIds(db))
        await jobs.send(wooImportJob, { importId }, { singletonKey: importId });
      // Connection attempts nobody completed (the form is public): gone once they can no longer be completed.
      const purged = await purgeExpiredPendingConnections(db, new Date());
      if (purged > 0) logger.info({ purged }, "woocommerce: expired pending connections deleted");
    },
    queue: { retryLimit: 2 },
  }),
  defineJob({
    name: "woocommerce.webhooks.check",
    schedule: "23 * * * *",
    schema: z.object({}),
    handle: async () => {
      const key = keyOrSkip("woocommerce.webhooks.check");
      if (!key) return;
      const db = await getDb();
      const appUrl = getEnv().SHOPIFY_APP_URL?.replace(/\/+$/, "");
      for (const connectionId of await connectedConnectionIds(db)) {
        try {
          await ensureWebhooks(db, connectionId, { key, now: new Date(), appUrl });
        } catch (error) {
          // One unreachable store must not keep the others' webhooks broken.
          logger.warn({ err: error, connectionId }, "woocommerce: webhook check failed");
        }
      }
    },
    queue: { retryLimit: 1 },
  }),
];
