import type { Db } from "#app/db/client.server";
import type { outbox } from "#app/db/schema";

/*
 * The outbox's contract with the code that delivers its rows. A row is written in the same transaction as the case
 * event that causes it; a worker claims due rows and calls the handler registered for the row's kind.
 */

export type OutboxRow = typeof outbox.$inferSelect;

export type OutboxOutcome =
  /** Delivered; `result` is kept on the row for support. */
  | { kind: "done"; result?: unknown }
  /** Try again later (network, 5xx, throttled): exponential backoff with jitter, then `dead`. */
  | { kind: "retry"; reason: string }
  /** Will never succeed as it is (a refusal, no address): not retried; the handler records what it means for the case. */
  | { kind: "failed"; reason: string };

export type OutboxHandler = (
  row: OutboxRow,
  context: {
    db: Db;
    now: Date;
    attempt: number;
    /**
     * Renews this worker's lease on the row and says whether it still holds it. Call it right before a send that
     * cannot be taken back: a worker that stalled past its lease must not send what its successor already sent.
     * Absent when a handler is called outside a sweep.
     */
    stillLeased?: () => Promise<boolean>;
  },
) => Promise<OutboxOutcome>;

type CaseWriteBack = { caseId: string; status: string; markPaid: boolean; paidBy?: "partner" | "bank" };
/** An invoice order without a case paid in full by a bank credit: marked paid on its platform, nothing else. */
type OrderWriteBack = { orderId: string; status: "paid"; markPaid: true; paidBy: "bank" };

/** The kinds the app writes, with their payloads. */
export type OutboxPayloads = {
  "reminder.send": { caseId: string; level: "reminder_1" | "reminder_2" | "final_reminder" };
  "partner.submit_claim": { caseId: string };
  /** Cancel after handover: ask the partner to give the claim back. */
  "partner.recall": { caseId: string; reason: string | null };
  /** A payment the shop received while the partner holds the claim; paymentNumber lets the partner dedupe. */
  "partner.report_payment": {
    caseId: string;
    amount: { amountMinor: number; currency: string };
    paymentNumber: string;
    date: string;
  };
  /** Tell the platform the case's status (tags/metafield on Shopify, note + meta on WooCommerce). */
  "shopify.write_back": CaseWriteBack | OrderWriteBack;
  "woocommerce.write_back": CaseWriteBack | OrderWriteBack;
  /** Shopify checkout guard: each customer's open-case metafield rewritten to what is true when it runs. */
  "shopify.customer_flag": { customerIds: string[] };
};
