import { z } from "zod";
import { getEnv } from "#app/config/env.server";
import { getDb } from "#app/db/db.server";
import { purgeExpiredPendingConnections, WOO_IMPORT_JOB, wooSecretsKey } from "#app/services/woocommerce/connections.server";
import { connectedConnectionIds, ensureWebhooks, pollConnection, runningImportIds, runWooImport } from "#app/services/woocommerce/sync.server";
import { logger } from "#app/utils/logger.server";
import type { JobDefinition } from "./jobs.server";
import { enqueue } from "./queue.server";

export const WOO_RECONCILE_JOB = "woocommerce.reconcile";
export const WOO_POLL_JOB = "woocommerce.poll";
export const WOO_WEBHOOK_HEALTH_JOB = "woocommerce.webhooks.check";

const importJob = z.object({ importId: z.uuid() });
const pollJob = z.object({ connectionId: z.uuid() });

/** Store credentials cannot be read without ENCRYPTION_KEY; then there is no connected store either. */
function keyOrSkip(job: string): Buffer | null {
  const key = wooSecretsKey();
  if (!key) logger.warn({ job }, "woocommerce: ENCRYPTION_KEY is not set, job skipped");
  return key;
}

export const wooJobDefinitions: JobDefinition<any>[] = [
  {
    name: WOO_IMPORT_JOB,
    parse: (data) => importJob.parse(data),
    handle: async ({ importId }: z.infer<typeof importJob>) => {
      const key = keyOrSkip(WOO_IMPORT_JOB);
      if (key) await runWooImport(await getDb(), importId, { key, now: new Date() });
    },
    queue: { expireInSeconds: 60 * 60 },
  },
  {
    // WooCommerce never retries a delivery: every connected store is read back every ten minutes.
    name: WOO_RECONCILE_JOB,
    schedule: "*/10 * * * *",
    parse: () => ({}),
    handle: async () => {
      const db = await getDb();
      for (const connectionId of await connectedConnectionIds(db)) await enqueue(WOO_POLL_JOB, { connectionId }, { singletonKey: connectionId });
      for (const importId of await runningImportIds(db)) await enqueue(WOO_IMPORT_JOB, { importId }, { singletonKey: importId });
      // Connection attempts nobody completed (the form is public): gone once they can no longer be completed.
      const purged = await purgeExpiredPendingConnections(db, new Date());
      if (purged > 0) logger.info({ purged }, "woocommerce: expired pending connections deleted");
    },
    queue: { retryLimit: 2 },
  },
  {
    name: WOO_POLL_JOB,
    parse: (data) => pollJob.parse(data),
    handle: async ({ connectionId }: z.infer<typeof pollJob>) => {
      const key = keyOrSkip(WOO_POLL_JOB);
      if (key) await pollConnection(await getDb(), connectionId, { key, now: new Date() });
    },
    queue: { retryLimit: 3, expireInSeconds: 30 * 60 },
    batchSize: 2,
  },
  {
    name: WOO_WEBHOOK_HEALTH_JOB,
    schedule: "23 * * * *",
    parse: () => ({}),
    handle: async () => {
      const key = keyOrSkip(WOO_WEBHOOK_HEALTH_JOB);
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
  },
];
