import { randomUUID } from "node:crypto";

import { eq, sql } from "drizzle-orm";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, test } from "vitest";

import { orders, type Shop, shops, wooConnections } from "#app/db/schema";
import { DEFAULT_INVOICE_METHODS } from "#app/domain/settings";
import { openCaseForOrder, startCase } from "#app/services/cases/commands.server";
import { ingestShopifyWebhook } from "#app/services/intake/inbox.server";
import { updateSettings } from "#app/services/settings/settings.server";
import { wooSecretPlace } from "#app/services/woocommerce/connections.server";
import { ingestWooWebhook } from "#app/services/woocommerce/inbox.server";
import { encryptSecret } from "#app/utils/crypto.server";
import { fixtureJson, shopifyWebhookHeaders, wooWebhookHeaders } from "#test/fixtures/sign";
import { processReceivedInbox, rowsOf } from "#test/support/app-database";
import { createTestDatabase, type TestDatabase, testEngines } from "#test/support/db";
import { insertShop } from "#test/support/factories";
import { scale } from "#test/support/reliability";
import { TEST_ENCRYPTION_KEY } from "#test/support/woo";

/*
 * A recorded, realistic event stream — Shopify and WooCommerce orders with creation, updates, partial payments,
 * refunds, a cancellation, a dispute and full payment — delivered through the real inbox (ingest → webhook_inbox →
 * processor) in order once, then duplicated and shuffled many times, each run in a shop of its own. Every run must
 * end in the same orders, cases, case events and outbox as the in-order run. RELIABILITY_SEED replays a run.
 */

const PERMUTATIONS = scale(5, 200);
const SEED = Number(process.env.RELIABILITY_SEED ?? Date.now() % 2 ** 31);
const SECRET = "shpss_stream_secret";
const WOO_SECRET = "wooStreamSecret0123456789";
const NOW = new Date("2026-11-02T09:00:00Z");

type Json = Record<string, any>;
/** `at`: when the platform says the event happened (X-Shopify-Triggered-At). */
type Recorded = { platform: "shopify" | "woocommerce"; topic: string; id: string; body: Json; at?: string };

const shopifyCreate = fixtureJson("shopify/orders-create.json") as Json;
const money = (amount: string) => ({
  shop_money: { amount, currency_code: "EUR" },
  presentment_money: { amount, currency_code: "EUR" },
});

/** A Shopify invoice order like the fixture, with another id and moment. */
function shopifyOrder(id: number, updatedAt: string, change: Json = {}): Json {
  return {
    ...shopifyCreate,
    id,
    admin_graphql_api_id: `gid://shopify/Order/${id}`,
    name: `#${id % 10_000}`,
    order_number: id % 10_000,
    updated_at: updatedAt,
    ...change,
  };
}

const S1 = 6120457896234;
const S2 = 9000000000002;
const S3 = 9000000000003;
const S4 = 9000000000004;
const wooCreated = fixtureJson("woocommerce/order-created-invoice.json") as Json;
const wooOnAccount = fixtureJson("woocommerce/order-updated-purchase-on-account.json") as Json;
const wooOrder = (base: Json, id: number, modified: string, change: Json = {}): Json => ({
  ...base,
  id,
  number: String(id),
  date_modified_gmt: modified,
  ...change,
});

/** Setup: every order arrives and gets its invoice case (as the dunning sweep would open it); two cases run. */
const CREATES: Recorded[] = [
  { platform: "shopify", topic: "orders/create", id: "s1-create", body: shopifyOrder(S1, "2026-10-02T10:15:24+02:00") },
  { platform: "shopify", topic: "orders/create", id: "s2-create", body: shopifyOrder(S2, "2026-10-03T10:00:00+02:00") },
  { platform: "shopify", topic: "orders/create", id: "s3-create", body: shopifyOrder(S3, "2026-10-04T10:00:00+02:00") },
  { platform: "shopify", topic: "orders/create", id: "s4-create", body: shopifyOrder(S4, "2026-10-05T10:00:00+02:00") },
  { platform: "woocommerce", topic: "order.created", id: "w1-create", body: wooCreated },
  {
    platform: "woocommerce",
    topic: "order.created",
    id: "w2-create",
    body: wooOrder(wooOnAccount, 4720, "2026-10-04T13:02:50", { refunds: [] }),
  },
  {
    platform: "woocommerce",
    topic: "order.created",
    id: "w3-create",
    body: wooOrder(wooCreated, 4730, "2026-10-03T09:00:00"),
  },
];
const RUNNING = [String(S1), String(S3), "4720"];

/** What happens afterwards; with the creates again (platforms redeliver), this is what gets shuffled. */
const STREAM: Recorded[] = [
  // S1: a partial payment (60 €), an order edit by refund (−19.90 €), then paid in full.
  {
    platform: "shopify",
    topic: "orders/updated",
    id: "s1-partial",
    body: shopifyOrder(S1, "2026-10-20T14:03:11+02:00", {
      financial_status: "partially_paid",
      total_outstanding: "59.90",
    }),
  },
  {
    platform: "shopify",
    topic: "order_transactions/create",
    id: "s1-tx",
    body: { ...(fixtureJson("shopify/order-transactions-create.json") as Json), amount: "60.00" },
  },
  {
    platform: "shopify",
    topic: "refunds/create",
    id: "s1-refund",
    body: {
      ...(fixtureJson("shopify/refunds-create.json") as Json),
      order_id: S1,
      created_at: "2026-10-22T10:00:00+02:00",
    },
  },
  {
    platform: "shopify",
    topic: "orders/updated",
    id: "s1-refunded",
    body: shopifyOrder(S1, "2026-10-22T10:00:01+02:00", {
      financial_status: "partially_refunded",
      total_outstanding: "40.00",
      current_total_price: "100.00",
      current_total_price_set: money("100.00"),
    }),
  },
  {
    platform: "shopify",
    topic: "orders/paid",
    id: "s1-paid",
    body: shopifyOrder(S1, "2026-10-25T09:00:00+02:00", {
      financial_status: "paid",
      total_outstanding: "0.00",
      current_total_price: "100.00",
      current_total_price_set: money("100.00"),
    }),
  },
  // S2: cancelled by the customer, reported twice (orders/cancelled and the orders/updated that follows it).
  {
    platform: "shopify",
    topic: "orders/cancelled",
    id: "s2-cancel",
    body: shopifyOrder(S2, "2026-10-26T09:30:02+02:00", {
      cancelled_at: "2026-10-26T09:30:02+02:00",
      cancel_reason: "customer",
      financial_status: "voided",
    }),
  },
  {
    platform: "shopify",
    topic: "orders/updated",
    id: "s2-cancel-upd",
    body: shopifyOrder(S2, "2026-10-26T09:31:00+02:00", {
      cancelled_at: "2026-10-26T09:30:02+02:00",
      cancel_reason: "customer",
      financial_status: "voided",
    }),
  },
  // S3: a chargeback dispute opened, then decided in the shop's favour.
  {
    platform: "shopify",
    topic: "disputes/create",
    id: "s3-dispute",
    at: "2026-10-22T05:41:04Z",
    body: { ...(fixtureJson("shopify/disputes-create.json") as Json), order_id: S3 },
  },
  {
    platform: "shopify",
    topic: "disputes/update",
    id: "s3-dispute-won",
    at: "2026-11-01T09:00:01Z",
    body: {
      ...(fixtureJson("shopify/disputes-update.json") as Json),
      order_id: S3,
      status: "won",
      finalized_on: "2026-11-01T10:00:00+01:00",
    },
  },
  // S4: one partial payment, still open.
  {
    platform: "shopify",
    topic: "orders/updated",
    id: "s4-partial",
    body: shopifyOrder(S4, "2026-10-21T08:00:00+02:00", {
      financial_status: "partially_paid",
      total_outstanding: "70.00",
    }),
  },
  // W1: a 10 € credit note, then cancelled.
  {
    platform: "woocommerce",
    topic: "order.updated",
    id: "w1-refund",
    body: wooOrder(wooCreated, 4711, "2026-10-05T12:00:00", {
      refunds: [{ id: 4801, reason: "Kulanz", total: "-10.00" }],
    }),
  },
  {
    platform: "woocommerce",
    topic: "order.updated",
    id: "w1-cancel",
    body: wooOrder(fixtureJson("woocommerce/order-updated-cancelled.json") as Json, 4711, "2026-10-08T08:00:31", {
      refunds: [{ id: 4801, reason: "Kulanz", total: "-10.00" }],
    }),
  },
  // W2: a 10 € credit note on a running case (the recorded order.updated).
  { platform: "woocommerce", topic: "order.updated", id: "w2-refund", body: wooOnAccount },
  // W3: moved to the bin.
  { platform: "woocommerce", topic: "order.deleted", id: "w3-delete", body: { id: 4730 } },
];

type Run = { shop: Shop; woo: Shop; connectionId: string; storeUrl: string };

describe.each(testEngines())("a recorded event stream, duplicated and shuffled, on %s", (engine) => {
  let database: TestDatabase;
  let runs = 0;
  beforeAll(async () => {
    database = await createTestDatabase(engine);
  });
  afterAll(() => database?.close());

  /** A Shopify shop and a WooCommerce store of their own for one run. */
  async function newRun(): Promise<Run> {
    runs += 1;
    const shop = await insertShop(database.db, { domain: `stream-${runs}.myshopify.com` });
    const woo = await insertShop(database.db, { platform: "woocommerce", domain: `stream-${runs}.example.de` });
    const connectionId = randomUUID();
    const [connection] = await database.db
      .insert(wooConnections)
      .values({
        id: connectionId,
        shopId: woo.id,
        storeUrl: `https://stream-${runs}.example.de`,
        status: "connected",
        webhookSecret: encryptSecret(WOO_SECRET, TEST_ENCRYPTION_KEY, wooSecretPlace(connectionId, "webhook_secret")),
        connectedAt: NOW,
      })
      .returning();
    // As connecting a store does: the WooCommerce invoice gateways instead of the Shopify defaults.
    await updateSettings(
      database.db,
      woo.id,
      { invoicePaymentMethods: [...DEFAULT_INVOICE_METHODS.woocommerce] },
      { changedBy: "test", now: NOW },
    );
    return { shop, woo, connectionId: connection!.id, storeUrl: connection!.storeUrl };
  }

  async function deliver(run: Run, event: Recorded): Promise<void> {
    const body = JSON.stringify(event.body);
    const result =
      event.platform === "shopify"
        ? await ingestShopifyWebhook(
            database.db,
            new Request("http://x/webhooks/shopify", {
              method: "POST",
              headers: shopifyWebhookHeaders(body, SECRET, {
                topic: event.topic,
                shopDomain: run.shop.domain,
                webhookId: event.id,
                eventId: event.id,
                triggeredAt: new Date(event.at ?? event.body.updated_at ?? event.body.created_at ?? NOW).toISOString(),
              }),
              body,
            }),
            { secret: SECRET, enqueue: async () => undefined },
          )
        : await ingestWooWebhook(
            database.db,
            new Request(`http://x/webhooks/woocommerce/${run.connectionId}`, {
              method: "POST",
              headers: wooWebhookHeaders(body, WOO_SECRET, {
                topic: event.topic,
                source: `${run.storeUrl}/`,
                deliveryId: event.id,
              }),
              body,
            }),
            run.connectionId,
            { key: TEST_ENCRYPTION_KEY, enqueue: async () => undefined },
          );
    expect(result.status).toBe(200);
  }

  const process = async () => {
    const done = await processReceivedInbox(database.db, { now: NOW, watch: [] });
    expect(done.filter((d) => d.outcome === "threw")).toEqual([]);
  };

  async function setUp(run: Run): Promise<void> {
    for (const event of CREATES) await deliver(run, event);
    await process();
    const tracked = await database.db
      .select()
      .from(orders)
      .where(sql`${orders.shopId} in (${run.shop.id}, ${run.woo.id})`);
    expect(tracked.map((o) => o.platformOrderId).sort()).toEqual(
      [S1, S2, S3, S4].map(String).concat(["4711", "4720", "4730"]).sort(),
    );
    for (const order of tracked.sort((a, b) => a.platformOrderId.localeCompare(b.platformOrderId))) {
      const [shop] = await database.db.select().from(shops).where(eq(shops.id, order.shopId));
      const opened = await openCaseForOrder(database.db, {
        shop: shop!,
        order,
        kind: "invoice",
        outstanding: { amountMinor: order.outstandingMinor, currency: order.currency },
        dueDate: order.dueDate!,
        actor: { type: "scheduler", id: "test" },
        now: NOW,
        sourceId: null,
      });
      if (!opened?.ok) throw new Error(`no case for ${order.platformOrderId}`);
      if (RUNNING.includes(order.platformOrderId)) {
        const started = await startCase(database.db, {
          shopId: order.shopId,
          caseId: opened.case.id,
          actor: { type: "staff", id: "t" },
          reason: "go",
          now: NOW,
        });
        if (!started.ok) throw new Error(`case of ${order.platformOrderId} did not start: ${started.error.code}`);
      }
    }
  }

  /**
   * The final state of one run, with its own ids replaced by stable names so runs compare. What must agree is the
   * business state, not the path to it: the orders; each case's status, amounts, blocks and dunning step (the
   * projection of its events, `state`); and what the outbox will tell the platform and the partner last. Excluded
   * on purpose: the event log itself (a snapshot that arrives after a newer one is stale, so a shuffled run records
   * fewer, larger steps — by design, see app/services/intake/platform-events.server.ts), outbox versions in idempotency keys, the
   * remaining amount of a case closed or cancelled (the claim is void), and times taken from the moment a delivery
   * was received (WooCommerce's order.deleted carries no time of its own).
   */
  async function finalState(run: Run, startedAt: Date): Promise<unknown> {
    const ids = sql.raw([run.shop.id, run.woo.id].map((id) => `'${id}'`).join(","));
    const q = async (query: ReturnType<typeof sql>) => rowsOf<Json>(await database.db.execute(query));
    const received = (at: unknown) => (at && new Date(String(at)) >= startedAt ? "(time received)" : at);
    const voided = (status: string) => status === "closed" || status === "cancelled";
    const orderRows =
      await q(sql`select id, platform_order_id, name, currency, total_minor::text as total, outstanding_minor::text as outstanding,
      financial_status, is_invoice, due_date::text, cancelled_at, platform_updated_at, customer, billing_address from orders where shop_id in (${ids}) order by platform_order_id`);
    const caseRows =
      await q(sql`select id, platform_order_id, kind, status, currency, original_minor::text as original, outstanding_minor::text as outstanding,
      due_date::text, dunning_level, next_action_at, cancellation_requested, state from cases where shop_id in (${ids}) order by platform_order_id, kind`);
    const outboxRows = await q(
      sql`select case_id, kind, payload, status from outbox where shop_id in (${ids}) order by created_at, idempotency_key`,
    );
    const orderName = new Map(orderRows.map((o) => [String(o.id), String(o.platform_order_id)]));
    const caseName = new Map(caseRows.map((c) => [String(c.id), `${c.platform_order_id}:${c.kind}`]));
    const lastOutbox = new Map<string, Json>();
    for (const row of outboxRows)
      lastOutbox.set(`${caseName.get(String(row.case_id))} ${row.kind}`, {
        status: row.status,
        payload: { ...row.payload, caseId: caseName.get(String(row.payload.caseId)) },
      });
    return {
      orders: orderRows.map(({ id: _id, cancelled_at, ...o }) => ({ ...o, cancelled_at: received(cancelled_at) })),
      cases: caseRows.map((c) => {
        const state = c.state as Json;
        return {
          order: orderName.get(String(state.orderId)) ?? c.platform_order_id,
          kind: c.kind,
          status: c.status,
          currency: c.currency,
          original: c.original,
          outstanding: voided(String(c.status)) ? "(void)" : c.outstanding,
          dueDate: c.due_date,
          dunningLevel: c.dunning_level,
          nextActionAt: c.next_action_at,
          cancellationRequested: c.cancellation_requested,
          projection: {
            status: state.status,
            outstanding: voided(String(state.status)) ? "(void)" : state.outstanding,
            original: state.original,
            blockReasons: state.blockReasons,
            resumeStatus: state.resumeStatus,
            failureReasons: state.failureReasons,
            dunningLevel: state.dunningLevel,
            overpayment: state.overpayment,
            partnerReference: state.partnerReference,
            closedAt: received(state.closedAt),
          },
        };
      }),
      outbox: Object.fromEntries([...lastOutbox].sort(([a], [b]) => a.localeCompare(b))),
    };
  }

  test(
    `in order, then ${PERMUTATIONS} duplicated and shuffled deliveries: the same final state`,
    async () => {
      const startedAt = new Date();
      const reference = await newRun();
      await setUp(reference);
      for (const event of STREAM) await deliver(reference, event);
      await process();
      const expected = await finalState(reference, startedAt);
      // The stream did what it says (a guard against a reference that is itself wrong).
      const cases = (expected as { cases: Json[] }).cases;
      const status = Object.fromEntries(cases.map((c) => [c.order, c.status]));
      expect(status).toEqual({
        [String(S1)]: "paid",
        [String(S2)]: "closed",
        [String(S3)]: "running",
        [String(S4)]: "waiting_for_approval",
        "4711": "closed",
        "4720": "running",
        "4730": "closed",
      });

      const all = [...STREAM, ...CREATES];
      const plans = fc.sample(
        fc.record({
          copies: fc.array(fc.integer({ min: 1, max: 3 }), { minLength: all.length, maxLength: all.length }),
          keys: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), {
            minLength: all.length * 3,
            maxLength: all.length * 3,
          }),
          batch: fc.integer({ min: 1, max: all.length * 3 }),
        }),
        { numRuns: PERMUTATIONS, seed: SEED },
      );
      for (const [n, plan] of plans.entries()) {
        const run = await newRun();
        await setUp(run);
        const deliveries = all.flatMap((event, i) => Array.from({ length: plan.copies[i]! }, () => event));
        const order = deliveries.map((event, i) => ({ event, key: plan.keys[i]! })).sort((a, b) => a.key - b.key);
        // Deliveries arrive while the worker is already processing: processed in batches between arrivals.
        for (const [i, { event }] of order.entries()) {
          await deliver(run, event);
          if ((i + 1) % plan.batch === 0) await process();
        }
        await process();
        expect(
          await finalState(run, startedAt),
          `permutation ${n}: ${order.map((o) => o.event.id).join(", ")} (RELIABILITY_SEED=${SEED})`,
        ).toEqual(expected);
      }
    },
    scale(60_000, 3_600_000),
  );
});
