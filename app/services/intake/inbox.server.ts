import { readShopifyHeaders, verifyShopifyWebhook } from "#adapters/shopify/verify";
import type { DbOrTx } from "#app/db/client.server";
import { webhookInbox } from "#app/db/schema";
import { sha256 } from "#app/utils/crypto.server";
import { type GroupCommit, groupCommit } from "#app/utils/group-commit";

export type Enqueue = (inboxId: string) => Promise<unknown>;

/** Answers every ingest gives before anything is stored: wrong method, body over the limit, bad signature. */
export type RefusedResult = {
  status: 401 | 405 | 413;
  outcome: "unauthorized" | "method_not_allowed" | "too_large";
  inboxId: null;
};

export type IngestResult =
  { status: 200; outcome: "stored" | "duplicate" | "rejected"; inboxId: string | null } | RefusedResult;

/**
 * A webhook request as ingest reads it: method, headers and the raw body, read once (null: longer than
 * MAX_WEBHOOK_BODY_BYTES). server.ts builds it from Node's request without Remix; a Fetch Request (the Remix routes,
 * tests) is read into one by `webhookDeliveryOf`.
 */
export type WebhookDelivery = { method: string; headers: Headers; body: Buffer | null };

/**
 * Read before the signature can be checked, so it bounds what unsigned junk makes the process hold. Five times the
 * largest delivery seen: a Shopify order with hundreds of line items, refunds and transactions is well under 1 MB,
 * and a WooCommerce order (the REST order JSON) is smaller still.
 */
export const MAX_WEBHOOK_BODY_BYTES = 5 * 1024 * 1024;

/**
 * The raw body, or null as soon as it is known to exceed `limit`: a declared Content-Length is refused before reading;
 * otherwise reading stops at the limit (a Node request stream is then destroyed, so its sender sees the connection
 * close instead of a 413).
 */
export async function readWebhookBody(
  chunks: AsyncIterable<Uint8Array> | null,
  declaredLength: string | null | undefined,
  limit = MAX_WEBHOOK_BODY_BYTES,
): Promise<Buffer | null> {
  if (declaredLength && Number(declaredLength) > limit) return null;
  if (!chunks) return Buffer.alloc(0);
  const parts: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of chunks) {
    size += chunk.byteLength;
    if (size > limit) return null;
    parts.push(chunk);
  }
  return parts.length === 1 && Buffer.isBuffer(parts[0]) ? parts[0] : Buffer.concat(parts, size);
}

/** A Fetch Request as a delivery; the body is only read for a POST. */
export async function webhookDeliveryOf(request: Request): Promise<WebhookDelivery> {
  const post = request.method === "POST";
  // Node's ReadableStream is async-iterable; the DOM typings do not say so.
  const chunks = request.body as AsyncIterable<Uint8Array> | null;
  const body = post ? await readWebhookBody(chunks, request.headers.get("content-length")) : Buffer.alloc(0);
  return { method: request.method, headers: request.headers, body };
}

/** What every ingest checks before the signature: POST only, and a body within the limit. */
export async function deliveryToIngest(
  input: Request | WebhookDelivery,
): Promise<{ delivery: WebhookDelivery & { body: Buffer } } | { refused: RefusedResult }> {
  const delivery = input instanceof Request ? await webhookDeliveryOf(input) : input;
  if (delivery.method !== "POST") return { refused: { status: 405, outcome: "method_not_allowed", inboxId: null } };
  if (delivery.body === null) return { refused: { status: 413, outcome: "too_large", inboxId: null } };
  return { delivery: { ...delivery, body: delivery.body } };
}

const KEPT_HEADERS = /^(x-shopify-|shopify-|x-wc-webhook-|content-type$|user-agent$)/i;

/**
 * Step one of every webhook: check the signature on the raw bytes, store the delivery, queue it, answer.
 * Nothing is parsed before it is stored, and nothing but the insert happens in the request, so the answer
 * comes well inside Shopify's 5 seconds. A storage failure throws (→ 5xx, so Shopify retries).
 */
export async function ingestShopifyWebhook(
  db: DbOrTx,
  input: Request | WebhookDelivery,
  options: { secret: string; enqueue: Enqueue },
): Promise<IngestResult> {
  const checked = await deliveryToIngest(input);
  if ("refused" in checked) return checked.refused;
  const { body: raw, headers: requestHeaders } = checked.delivery;
  if (!verifyShopifyWebhook(raw, requestHeaders.get("x-shopify-hmac-sha256"), options.secret)) {
    return { status: 401, outcome: "unauthorized", inboxId: null };
  }
  const headers = keptHeaders(requestHeaders);
  const read = readShopifyHeaders(requestHeaders);
  return storeAndQueue(
    db,
    raw,
    {
      platform: "shopify",
      source: read.ok ? read.value.shopDomain : (headers["x-shopify-shop-domain"]?.toLowerCase() ?? "unknown"),
      headers,
      route: read.ok
        ? {
            ok: true,
            topic: read.value.topic,
            dedupeKey: read.value.webhookId,
            triggeredAt: read.value.triggeredAt ?? null,
          }
        : { ok: false, topic: headers["x-shopify-topic"] ?? "unknown", reason: read.error.message },
    },
    options.enqueue,
  );
}

/** Where a signed delivery goes: its topic and inbox key, or why it cannot be routed. */
export type DeliveryRoute =
  | { ok: true; topic: string; dedupeKey: string; triggeredAt: Date | null }
  | { ok: false; topic: string; reason: string };

/**
 * After the signature, for every platform: store the delivery and queue it. Signed but not routable, or not storable
 * as text: kept as rejected with the reason (keyed by its body's hash), never a 5xx. A repeat is a duplicate.
 */
export async function storeAndQueue(
  db: DbOrTx,
  raw: Buffer,
  delivery: Pick<NewDelivery, "platform" | "source" | "shopId" | "headers"> & { route: DeliveryRoute },
  enqueue: Enqueue,
): Promise<IngestResult> {
  const { route, ...where } = delivery;
  const { body, defect } = storableBody(raw);
  if (!route.ok) {
    const id = await storeDelivery(db, {
      ...where,
      body,
      topic: route.topic,
      dedupeKey: `sha256:${sha256(raw)}`,
      status: "rejected",
      lastError: route.reason,
      triggeredAt: null,
    });
    return { status: 200, outcome: "rejected", inboxId: id };
  }
  const id = await storeDelivery(db, {
    ...where,
    body,
    topic: route.topic,
    dedupeKey: route.dedupeKey,
    status: defect ? "rejected" : "received",
    lastError: defect,
    triggeredAt: route.triggeredAt,
  });
  if (!id) return { status: 200, outcome: "duplicate", inboxId: null };
  if (defect) return { status: 200, outcome: "rejected", inboxId: id };
  // Queued now, but not awaited: the 200 needs only the committed row, and waiting for the job's own commit too made
  // every acknowledgement wait for two group commits (docs/performance.md, "Webhook ingest"). A job lost to a crash in
  // between is the queue-down case: the inbox sweep queues the still-received row.
  void enqueueSafely(enqueue, id);
  return { status: 200, outcome: "stored", inboxId: id };
}

/**
 * The body as the text column can hold it. PostgreSQL text cannot contain a NUL byte, and JSON never does (control
 * characters are escaped), so a signed body with one is not a delivery we can process: it is kept, NULs shown as
 * U+FFFD, with the defect as its rejection reason — a 5xx would only make the platform send it again and again.
 */
function storableBody(raw: Buffer): { body: string; defect: string | null } {
  const body = raw.toString("utf8");
  if (!raw.includes(0)) return { body, defect: null };
  return {
    body: body.replaceAll("\u0000", "\uFFFD"),
    defect: "body contains NUL bytes, so it is not JSON (stored with U+FFFD in their place)",
  };
}

type NewDelivery = Omit<typeof webhookInbox.$inferInsert, "id" | "receivedAt" | "attempts">;

/** Inserts unless the same (platform, source, dedupe key) is already stored; returns the new row id or null. */
export async function insertDelivery(db: DbOrTx, delivery: NewDelivery): Promise<string | null> {
  const rows = await db
    .insert(webhookInbox)
    .values(delivery)
    .onConflictDoNothing({ target: [webhookInbox.platform, webhookInbox.source, webhookInbox.dedupeKey] })
    .returning({ id: webhookInbox.id });
  return rows[0]?.id ?? null;
}

/** Rows per inbox INSERT, the body bytes after which a batch is closed early, and INSERTs in flight per database. */
const MAX_BATCH_ROWS = 200;
const MAX_BATCH_BYTES = 4 * 1024 * 1024;
const MAX_WRITERS = 4;

const committers = new WeakMap<DbOrTx, GroupCommit<NewDelivery, string | null>>();

const deliveryKey = (d: Pick<NewDelivery, "platform" | "source" | "dedupeKey">) =>
  `${d.platform}\u0000${d.source}\u0000${d.dedupeKey}`;

/**
 * `insertDelivery` with group commit (app/utils/group-commit.ts), for the ingest path: deliveries that arrive while
 * earlier INSERTs are being committed go into the next one together. On PostgreSQL each commit waits for its WAL
 * flush, so single-row inserts from a 10-connection pool stall at about 10 commits at a time; a few INSERTs of many
 * rows each keep both the database's cores and the pool busy. Resolves once the row is committed, with its id, or
 * null when the key was already stored (also by an earlier delivery of the same batch). When a batch fails, its rows
 * are inserted one by one, so a row the database refuses fails only its own delivery; when storing itself fails
 * (connection lost), every delivery of the batch rejects.
 */
export function storeDelivery(db: DbOrTx, delivery: NewDelivery): Promise<string | null> {
  let committer = committers.get(db);
  if (!committer) {
    committer = groupCommit({
      write: (batch) => writeBatch(db, batch),
      maxItems: MAX_BATCH_ROWS,
      maxWeight: MAX_BATCH_BYTES,
      weight: (item) => item.body.length,
      maxWriters: MAX_WRITERS,
    });
    committers.set(db, committer);
  }
  return committer.submit(delivery);
}

async function writeBatch(db: DbOrTx, batch: NewDelivery[]): Promise<PromiseSettledResult<string | null>[]> {
  // One row per key: a later delivery of the same key in the batch is a duplicate of the first.
  const first = new Map<string, NewDelivery>();
  for (const item of batch) if (!first.has(deliveryKey(item))) first.set(deliveryKey(item), item);
  let ids: Map<string, string>;
  try {
    const inserted = await db
      .insert(webhookInbox)
      .values([...first.values()])
      .onConflictDoNothing({ target: [webhookInbox.platform, webhookInbox.source, webhookInbox.dedupeKey] })
      .returning({
        id: webhookInbox.id,
        platform: webhookInbox.platform,
        source: webhookInbox.source,
        dedupeKey: webhookInbox.dedupeKey,
      });
    ids = new Map(inserted.map((row) => [deliveryKey(row), row.id]));
  } catch (error) {
    if (first.size === 1) throw error;
    const outcomes: PromiseSettledResult<string | null>[] = [];
    for (const item of batch) {
      outcomes.push(
        await insertDelivery(db, item).then(
          (value) => ({ status: "fulfilled", value }) as const,
          (reason: unknown) => ({ status: "rejected", reason }) as const,
        ),
      );
    }
    return outcomes;
  }
  return batch.map((item) => {
    const key = deliveryKey(item);
    return { status: "fulfilled", value: first.get(key) === item ? (ids.get(key) ?? null) : null };
  });
}

/**
 * The row is already durable; if the queue is briefly unavailable the inbox sweep picks the row up later,
 * so a failed enqueue must not turn a stored delivery into a 5xx (which would only make Shopify resend it).
 */
async function enqueueSafely(enqueue: Enqueue, id: string): Promise<void> {
  try {
    await enqueue(id);
  } catch {
    // recovered by the inbox sweep
  }
}

/** The headers worth keeping with a stored delivery (those matching `keep`); signatures are never stored. */
export function keptHeaders(headers: Headers, keep: RegExp = KEPT_HEADERS): Record<string, string> {
  const kept: Record<string, string> = {};
  headers.forEach((value, name) => {
    if (keep.test(name) && !/hmac|signature/i.test(name)) kept[name.toLowerCase()] = value;
  });
  return kept;
}
