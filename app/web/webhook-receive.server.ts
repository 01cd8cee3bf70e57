import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";

import { getEnv } from "#app/config/env.server";
import { getDb } from "#app/db/db.server";
import { inboxProcessJob } from "#app/jobs/intake.server";
import type { JobQueue } from "#app/jobs/jobs.server";
import {
  ingestShopifyWebhook,
  readWebhookBody,
  type WebhookDelivery,
  webhookDeliveryOf,
} from "#app/services/intake/inbox.server";
import { wooSecretsKey } from "#app/services/woocommerce/connections.server";
import { ingestWooWebhook } from "#app/services/woocommerce/inbox.server";
import { logger } from "#app/utils/logger.server";

/**
 * Receiving a platform webhook, the one implementation behind both ways a delivery reaches us: server.ts hands
 * `POST /webhooks/shopify` and `POST /webhooks/woocommerce/:connectionId` of the production server straight to
 * `handleWebhookRequest` (no Express, no Remix router, the body read once as a Buffer: at hundreds of deliveries a
 * second Remix's per-request routing and Fetch Request building were a third of the CPU, docs/performance.md), and
 * the Remix routes (dev server, route tests, other methods) call `webhookResponse`. Both run `receiveWebhook`.
 */

export type WebhookTarget = { platform: "shopify" } | { platform: "woocommerce"; connectionId: string };

export type Received = { status: number; outcome: string; inboxId: string | null; text?: string };

/** Signature check, store, queue (app/services/intake/inbox.server.ts, app/services/woocommerce/inbox.server.ts). Throws only when storing failed (→ 5xx). */
export async function receiveWebhook(
  target: WebhookTarget,
  delivery: WebhookDelivery,
  jobs: JobQueue,
): Promise<Received> {
  const enqueue = (inboxId: string) => jobs.sendBatched(inboxProcessJob, { inboxId });
  if (target.platform === "shopify") {
    const secret = getEnv().SHOPIFY_API_SECRET;
    if (!secret) return { status: 404, outcome: "not_configured", inboxId: null, text: "Shopify is not configured" };
    return ingestShopifyWebhook(await getDb(), delivery, { secret, enqueue });
  }
  const key = wooSecretsKey();
  // Without ENCRYPTION_KEY no store can have been connected: nothing here is ours.
  if (!key) return { status: 401, outcome: "unauthorized", inboxId: null };
  return ingestWooWebhook(await getDb(), delivery, target.connectionId, { key, enqueue });
}

/** The fields of the delivery's one log line: which platform, shop or connection, topic and delivery id. */
function deliveryFields(target: WebhookTarget, headers: Headers): Record<string, string | null> {
  return target.platform === "shopify"
    ? {
        platform: "shopify",
        topic: headers.get("x-shopify-topic"),
        shop: headers.get("x-shopify-shop-domain"),
        webhookId: headers.get("x-shopify-webhook-id"),
      }
    : {
        platform: "woocommerce",
        connectionId: target.connectionId,
        topic: headers.get("x-wc-webhook-topic"),
        deliveryId: headers.get("x-wc-webhook-delivery-id"),
      };
}

/** For the Remix routes: the same receive, as a Response (Express has already logged the request line). */
export async function webhookResponse(request: Request, target: WebhookTarget, jobs: JobQueue): Promise<Response> {
  const received = await receiveWebhook(target, await webhookDeliveryOf(request), jobs);
  logger.info({ ...deliveryFields(target, request.headers), outcome: received.outcome }, "webhook");
  return new Response(received.text ?? null, { status: received.status });
}

const SHOPIFY_PATH = /^\/webhooks\/shopify\/?$/i;
const WOO_PATH = /^\/webhooks\/woocommerce\/([^/]+)\/?$/i;

/**
 * The webhook endpoint a POST is for, or null for everything else (which goes to Express and Remix, as does any path
 * this does not recognise exactly: the Remix routes answer it with the same receive).
 */
export function webhookTarget(method: string | undefined, url: string | undefined): WebhookTarget | null {
  if (method !== "POST" || !url?.startsWith("/webhooks/")) return null;
  const query = url.indexOf("?");
  const path = query === -1 ? url : url.slice(0, query);
  if (SHOPIFY_PATH.test(path)) return { platform: "shopify" };
  const woo = WOO_PATH.exec(path);
  if (!woo) return null;
  try {
    return { platform: "woocommerce", connectionId: decodeURIComponent(woo[1]!) };
  } catch {
    return null;
  }
}

/** Node's header object as Fetch Headers (repeated headers joined as Fetch joins them; set-cookie never matters here). */
function headersOf(request: IncomingMessage): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(request.headers)) {
    if (value === undefined) continue;
    headers.set(name, Array.isArray(value) ? value.join(", ") : value);
  }
  return headers;
}

/**
 * The production fast path for a webhook POST: read the body once, receive, answer, and log one line per delivery
 * (request id, status, time and the delivery's fields together). 200 only after the row is committed; a storage
 * failure is logged and answered 500, so the platform sends it again.
 */
export async function handleWebhookRequest(
  target: WebhookTarget,
  req: IncomingMessage,
  res: ServerResponse,
  jobs: JobQueue,
): Promise<void> {
  const started = process.hrtime.bigint();
  const requestHeader = req.headers["x-request-id"];
  const requestId = typeof requestHeader === "string" && requestHeader !== "" ? requestHeader : randomUUID();
  let body: Buffer | null;
  try {
    body = await readWebhookBody(req, req.headers["content-length"]);
  } catch {
    // The sender went away mid-body: there is nobody to answer and nothing was stored.
    res.destroy();
    return;
  }
  const headers = headersOf(req);
  let received: Received | null = null;
  let failure: unknown = null;
  try {
    received = await receiveWebhook(target, { method: "POST", headers, body }, jobs);
  } catch (error) {
    failure = error;
  }
  const status = received?.status ?? 500;
  res.setHeader("x-request-id", requestId);
  // A body over the limit was not read to its end: close the connection rather than read the rest.
  if (status === 413) res.setHeader("connection", "close");
  if (received?.text) {
    res.setHeader("content-type", "text/plain; charset=utf-8");
    res.statusCode = status;
    res.end(received.text);
  } else {
    res.statusCode = status;
    res.end();
  }
  const fields = {
    requestId,
    method: "POST",
    path: req.url,
    status,
    ms: Number(process.hrtime.bigint() - started) / 1e6,
    ...deliveryFields(target, headers),
    outcome: received?.outcome ?? "failed",
  };
  if (failure) logger.error({ ...fields, err: failure }, "webhook");
  else logger.info(fields, "webhook");
}
