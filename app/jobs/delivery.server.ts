import path from "node:path";

import { z } from "zod";

import { getEnv } from "#app/config/env.server";
import { getDb } from "#app/db/db.server";
import { demoPayNowUrl } from "#app/demo/payment-page.server";
import { demoWriteBack } from "#app/demo/write-back.server";
import { createFolderMailer, createMailer } from "#app/mail/mailer.server";
import {
  partnerAccountsToSync,
  recallHandler,
  reportPaymentHandler,
  submitClaimHandler,
  syncPartnerFeed,
} from "#app/services/collection/partners.server";
import { platformPayNowLinks } from "#app/services/dunning/pay-now-links.server";
import { reminderHandler } from "#app/services/dunning/reminders.server";
import { platformOrderReader } from "#app/services/intake/order-reread.server";
import { sweepOutbox } from "#app/services/outbox/outbox.server";
import type { OutboxHandler } from "#app/services/outbox/types";
import { shopifyCustomerFlagHandler } from "#app/services/shopify/invoice-guard.server";
import { shopifyWriteBackHandler } from "#app/services/shopify/sync.server";
import { wooWriteBack } from "#app/services/woocommerce/write-back.server";
import { getShopify, shopifyAdminFor } from "#app/shopify.server";
import { logger } from "#app/utils/logger.server";

import { defineJob } from "./jobs.server";

/** What leaves the system: the outbox (reminders, claims, write-backs) and what the partners report back. */
export const deliveryJobs = [
  defineJob({
    // Delivers reminders, claims and write-backs written by the case services; SKIP LOCKED makes it safe everywhere.
    name: "outbox.sweep",
    schedule: "* * * * *",
    schema: z.object({}),
    handle: async () => {
      const { handlers, close } = outboxHandlers();
      try {
        await sweepOutbox(await getDb(), handlers);
      } finally {
        close();
      }
    },
    queue: { retryLimit: 2, expireInSeconds: 30 * 60 },
  }),
  defineJob({
    // What each shop's collection partner reports: polled, applied, then the cursor moves on.
    name: "partner.sync",
    schedule: "*/2 * * * *",
    schema: z.object({}),
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
  }),
];

/**
 * Who delivers each outbox kind in this process. Without SMTP_URL the demo delivers reminders into a mailbox folder
 * in DATA_DIR; elsewhere they wait (and the case shows why) until SMTP is configured.
 */
function outboxHandlers(): { handlers: Record<string, OutboxHandler>; close: () => void } {
  const env = getEnv();
  const mailer = env.SMTP_URL
    ? createMailer(env.SMTP_URL)
    : env.demoMode
      ? createFolderMailer(path.join(env.DATA_DIR, "mailbox"))
      : null;
  return {
    handlers: {
      "reminder.send": reminderHandler({
        mailer,
        mailFrom: env.MAIL_FROM,
        payNowLinks: platformPayNowLinks({
          shopifyAdminFor: getShopify() ? shopifyAdminFor : null,
          demoPayNowUrl: env.demoMode ? (orderId) => demoPayNowUrl(env.appUrl, orderId) : null,
        }),
      }),
      "partner.submit_claim": submitClaimHandler(
        undefined,
        platformOrderReader({ shopifyAdminFor: getShopify() ? shopifyAdminFor : null }),
      ),
      "partner.recall": recallHandler(),
      "partner.report_payment": reportPaymentHandler(),
      ...(getShopify()
        ? {
            "shopify.write_back": shopifyWriteBackHandler(shopifyAdminFor),
            "shopify.customer_flag": shopifyCustomerFlagHandler(shopifyAdminFor),
          }
        : {}),
      "woocommerce.write_back": wooWriteBack,
      ...(env.demoMode ? { "demo.write_back": demoWriteBack } : {}),
    },
    close: () => mailer?.close(),
  };
}
