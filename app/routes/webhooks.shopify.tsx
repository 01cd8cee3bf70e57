import type { ActionFunctionArgs } from "@remix-run/node";
import { getEnv } from "#app/config/env.server";
import { getDb } from "#app/db/db.server";
import { enqueueBatched } from "#app/jobs/queue.server";
import { ingestShopifyWebhook, INBOX_PROCESS_JOB } from "#app/services/inbox.server";
import { logger } from "#app/utils/logger.server";

/** Every Shopify topic, compliance topics too, arrives here (shopify.app.toml). */
export async function action({ request }: ActionFunctionArgs) {
  const secret = getEnv().SHOPIFY_API_SECRET;
  if (!secret) return new Response("Shopify is not configured", { status: 404 });
  const db = await getDb();
  const result = await ingestShopifyWebhook(db, request, {
    secret,
    enqueue: (inboxId) => enqueueBatched(INBOX_PROCESS_JOB, { inboxId }),
  });
  logger.info(
    { topic: request.headers.get("x-shopify-topic"), shop: request.headers.get("x-shopify-shop-domain"), webhookId: request.headers.get("x-shopify-webhook-id"), outcome: result.outcome },
    "shopify webhook",
  );
  return new Response(null, { status: result.status });
}

export async function loader() {
  return new Response("Method Not Allowed", { status: 405, headers: { Allow: "POST" } });
}
