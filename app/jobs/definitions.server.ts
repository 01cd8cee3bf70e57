import path from "node:path";
import { and, eq } from "drizzle-orm";
import { z } from "zod";
import { getEnv } from "#app/config/env.server";
import { getDb } from "#app/db/db.server";
import { shops } from "#app/db/schema";
import { createFolderMailer, createMailer } from "#app/mail/mailer.server";
import { BASE_RATES_REFRESH_JOB, refreshBaseRates } from "#app/services/dunning/base-rates.server";
import { compactCaseStatusCounts } from "#app/services/cases/status-counts.server";
import { runDunningSweep } from "#app/services/dunning/sweep.server";
import { findStrandedDeliveries, markDeliveryDead, processInboxDelivery } from "#app/services/intake/processor.server";
import { INBOX_PROCESS_JOB } from "#app/services/intake/inbox.server";
import type { OutboxHandler } from "#app/services/outbox/types";
import { sweepOutbox } from "#app/services/outbox/outbox.server";
import { partnerAccountsToSync, recallHandler, reportPaymentHandler, submitClaimHandler, syncPartnerFeed } from "#app/services/collection/partners.server";
import { applyPlatformEvents } from "#app/services/intake/platform-events.server";
import { reminderHandler } from "#app/services/dunning/reminders.server";
import { runRetention } from "#app/services/privacy/retention.server";
import { shopsWithRunningBulkImports, withBulkFinishSignal } from "#app/services/shopify/bulk-import.server";
import { importShopifyOrders, reconcileShopifyOrders, shopifyWriteBackHandler } from "#app/services/shopify/sync.server";
import { platformOrderReader } from "#app/services/intake/order-reread.server";
import { wooWriteBack } from "#app/services/woocommerce/write-back.server";
import { getShopify, SHOPIFY_IMPORT_JOB, shopifyAdminFor } from "#app/shopify.server";
import { logger } from "#app/utils/logger.server";
import type { JobDefinition } from "./jobs.server";
import { enqueue } from "./queue.server";
import { uiJobDefinitions } from "./ui-jobs.server";
import { wooJobDefinitions } from "./woocommerce-jobs.server";

const inboxJob = z.object({ inboxId: z.uuid() });

/** A delivery whose job was lost (queue down at ingest, a crash) is picked up after this long. */
const STRANDED_AFTER_MS = 2 * 60_000;

/** Every queue the workers serve. */
export const jobDefinitions: JobDefinition<any>[] = [
  {
    name: INBOX_PROCESS_JOB,
    parse: (data) => inboxJob.parse(data),
    handle: async ({ inboxId }: z.infer<typeof inboxJob>) => {
      // bulk_operations/finish queues the shop's import at once (the sweep below would find it within a minute).
      const apply = withBulkFinishSignal(applyPlatformEvents, (shopId) => enqueue(SHOPIFY_IMPORT_JOB, { shopId }, { singletonKey: shopId }));
      await processInboxDelivery(await getDb(), inboxId, { apply, now: new Date() });
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
  {
    // Folds the tab badges' count deltas (case_status_counts, written by triggers on cases); safe beside itself.
    name: "cases.counts.compact",
    schedule: "*/5 * * * *",
    parse: () => ({}),
    handle: async () => {
      await compactCaseStatusCounts(await getDb());
    },
  },
  {
    // The open invoice orders of a newly installed shop; resumes where a crashed run stopped. A bulk import returns
    // while Shopify's operation runs; shopify.import.sweep (or the bulk_operations/finish webhook) brings it back.
    name: SHOPIFY_IMPORT_JOB,
    parse: (data) => z.object({ shopId: z.uuid() }).parse(data),
    handle: async ({ shopId }: { shopId: string }) => {
      const db = await getDb();
      const [shop] = await db.select().from(shops).where(and(eq(shops.id, shopId), eq(shops.platform, "shopify"), eq(shops.status, "active"))).limit(1);
      if (!shop) return;
      await importShopifyOrders(db, shop, await shopifyAdminFor(shop.domain), new Date());
    },
    queue: { retryLimit: 10, expireInSeconds: 2 * 3600 },
  },
  {
    // A bulk import waits for Shopify's operation: poll each running one every minute (also after any restart).
    name: "shopify.import.sweep",
    schedule: "* * * * *",
    parse: () => ({}),
    handle: async () => {
      if (!getShopify()) return;
      for (const shopId of await shopsWithRunningBulkImports(await getDb())) {
        await enqueue(SHOPIFY_IMPORT_JOB, { shopId }, { singletonKey: shopId });
      }
    },
    queue: { retryLimit: 0, expireInSeconds: 5 * 60 },
  },
  {
    // Shopify does not guarantee webhook delivery: every half hour, re-read what changed.
    name: "shopify.reconcile",
    schedule: "*/30 * * * *",
    parse: () => ({}),
    handle: async () => {
      if (!getShopify()) return;
      const db = await getDb();
      for (const shop of await db.select().from(shops).where(and(eq(shops.platform, "shopify"), eq(shops.status, "active")))) {
        try {
          await reconcileShopifyOrders(db, shop, await shopifyAdminFor(shop.domain), new Date());
        } catch (error) {
          logger.warn({ err: error, shopId: shop.id }, "shopify reconciliation failed");
        }
      }
    },
    queue: { retryLimit: 0, expireInSeconds: 30 * 60 },
  },
  {
    // What each shop's collection partner reports: polled, applied, then the cursor moves on.
    name: "partner.sync",
    schedule: "*/2 * * * *",
    parse: () => ({}),
    handle: async () => {
      const db = await getDb();
      for (const account of await partnerAccountsToSync(db)) {
        try {
          await syncPartnerFeed(db, account, new Date());
        } catch (error) {
          // One partner being down must not keep the others from syncing; the next poll picks it up again.
          logger.warn({ err: error, shopId: account.shopId }, "partner feed poll failed");
        }
      }
    },
    queue: { retryLimit: 0, expireInSeconds: 10 * 60 },
  },
  {
    // Delivers reminders, claims and write-backs written by the case services; SKIP LOCKED makes it safe everywhere.
    name: "outbox.sweep",
    schedule: "* * * * *",
    parse: () => ({}),
    handle: async () => {
      const { handlers, close } = outboxHandlers();
      try {
        await sweepOutbox(await getDb(), handlers);
      } finally {
        close();
      }
    },
    queue: { retryLimit: 2, expireInSeconds: 30 * 60 },
  },
  {
    // Personal data kept only as long as needed (docs/privacy.md): small batches with SKIP LOCKED, safe beside itself.
    name: "retention.sweep",
    schedule: "17 3 * * *",
    parse: () => ({}),
    handle: async () => {
      const report = await runRetention(await getDb(), { now: new Date() });
      // What went, per rule (each rule names its table): { "inbox.bodies": 120, "login_tokens.expired": 3, … }.
      logger.info({ removed: report.removed, error: report.error, ms: report.finishedAt.getTime() - report.startedAt.getTime() }, "retention sweep");
      if (report.error) throw new Error(`retention sweep stopped: ${report.error}`);
    },
    queue: { retryLimit: 2, expireInSeconds: 2 * 3600 },
  },
  {
    // The base rate (§ 247 BGB) from the Bundesbank's statistics API into base_rates (docs/dunning-and-the-law.md,
    // rule 12). A failure leaves the table as it was (interest keeps the shipped table and BASE_RATES_FILE): a
    // warning, and tomorrow's run tries again. Safe beside itself: writing the same rates twice changes nothing.
    name: BASE_RATES_REFRESH_JOB,
    schedule: "41 5 * * *",
    parse: () => ({}),
    handle: async () => {
      const outcome = await refreshBaseRates(await getDb(), { now: new Date(), url: getEnv().BASE_RATES_URL });
      if (!outcome.ok) {
        logger.warn({ source: outcome.source, error: outcome.error }, "base-rate refresh failed; the base-rate table stays as it was");
        return;
      }
      // What changed: { added: [{ from, rateBp }], changed: [{ from, wasBp, rateBp }], knownThrough, … }. A stored rate
      // that changed, one that differs from the shipped table, or a rejected observation is worth a look: a warning.
      const { ok: _ok, ...report } = outcome;
      if (report.changed.length || report.differFromBuiltIn.length || report.rejected.length) logger.warn(report, "base-rate refresh: check the rates");
      else logger.info(report, report.added.length ? "base-rate refresh: new rates stored" : "base-rate refresh: no change");
    },
    queue: { retryLimit: 0, expireInSeconds: 5 * 60 },
  },
  ...uiJobDefinitions,
  ...wooJobDefinitions,
];

/**
 * Who delivers each outbox kind in this process. Without SMTP_URL the demo delivers reminders into a mailbox folder
 * in DATA_DIR; elsewhere they wait (and the case shows why) until SMTP is configured.
 */
function outboxHandlers(): { handlers: Record<string, OutboxHandler>; close: () => void } {
  const env = getEnv();
  const mailer = env.SMTP_URL ? createMailer(env.SMTP_URL) : env.demoMode ? createFolderMailer(path.join(env.DATA_DIR, "mailbox")) : null;
  return {
    handlers: {
      "reminder.send": reminderHandler({ mailer, mailFrom: env.MAIL_FROM }),
      "partner.submit_claim": submitClaimHandler(undefined, platformOrderReader({ shopifyAdminFor: getShopify() ? shopifyAdminFor : null })),
      "partner.recall": recallHandler(),
      "partner.report_payment": reportPaymentHandler(),
      ...(getShopify() ? { "shopify.write_back": shopifyWriteBackHandler(shopifyAdminFor) } : {}),
      "woocommerce.write_back": wooWriteBack,
    },
    close: () => mailer?.close(),
  };
}
