import type { ActionFunctionArgs } from "@remix-run/node";
import { getDb } from "#app/db/db.server";
import { enqueueBatched } from "#app/jobs/queue.server";
import { INBOX_PROCESS_JOB } from "#app/services/inbox.server";
import { wooSecretsKey } from "#app/services/woo-connections.server";
import { ingestWooWebhook } from "#app/services/woo-inbox.server";
import { logger } from "#app/utils/logger.server";

/** Every WooCommerce webhook of one connected store arrives here; the work is in woo-inbox.server.ts. */
export async function action({ request, params }: ActionFunctionArgs) {
  const key = wooSecretsKey();
  // Without ENCRYPTION_KEY no store can have been connected: nothing here is ours.
  if (!key) return new Response(null, { status: 401 });
  const db = await getDb();
  const result = await ingestWooWebhook(db, request, params.connectionId ?? "", {
    key,
    enqueue: (inboxId) => enqueueBatched(INBOX_PROCESS_JOB, { inboxId }),
  });
  logger.info(
    {
      connectionId: params.connectionId,
      topic: request.headers.get("x-wc-webhook-topic"),
      deliveryId: request.headers.get("x-wc-webhook-delivery-id"),
      outcome: result.outcome,
    },
    "woocommerce webhook",
  );
  return new Response(null, { status: result.status });
}

export async function loader() {
  return new Response("Method Not Allowed", { status: 405, headers: { Allow: "POST" } });
}
