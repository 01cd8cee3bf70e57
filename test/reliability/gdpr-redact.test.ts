import { randomUUID } from "node:crypto";

import { eq, sql } from "drizzle-orm";
import { afterEach, describe, expect, test } from "vitest";

import { caseEvents, cases, orders, outbox, type Shop } from "#app/db/schema";
import { wooConnections } from "#app/db/schema";
import { DEFAULT_INVOICE_METHODS } from "#app/domain/settings";
import { jobDefinitions } from "#app/jobs/definitions.server";
import { inboxProcessJob } from "#app/jobs/intake.server";
import { type Jobs, startJobs } from "#app/jobs/jobs.server";
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
import { TEST_ENCRYPTION_KEY } from "#test/support/woo";

/*
 * GDPR erasure (issue 11): after Shopify's customers/redact, and after WooCommerce's equivalent (WordPress's
 * "Erase Personal Data" anonymizes the order, which arrives as order.updated), a dump of the whole database — every
 * table of every schema, pg-boss's included, every column as text — holds none of the customer's personal data:
 * raw webhook bodies, orders, cases, case events (a staff member's reason that quotes the customer), the outbox (a
 * mail server's refusal naming the address), data requests and queued jobs. Amounts and ids stay.
 */

const SECRET = "shpss_gdpr_secret";
const WOO_SECRET = "wooGdprSecret0123456789";
const NOW = new Date("2026-11-02T09:00:00Z");

type Json = Record<string, any>;

const SHOPIFY_PERSONAL = [
  "Anna",
  "Müller",
  "M\\u00fcller",
  "anna.mueller@example.de",
  "Friedrichstra",
  "+4930123456789",
];
const WOO_PERSONAL = ["Lukas", "Becker", "lukas.becker@example.de", "Hauptstra", "0221 987654"];

/** Every row of every table in every schema but PostgreSQL's own, as text. */
async function dumpDatabase(database: TestDatabase): Promise<{ tables: string[]; text: string }> {
  const tables = rowsOf<{ name: string }>(
    await database.db
      .execute(sql`select format('%I.%I', table_schema, table_name) as name from information_schema.tables
      where table_type = 'BASE TABLE' and table_schema not in ('pg_catalog', 'information_schema') order by 1`),
  ).map((t) => t.name);
  const parts: string[] = [];
  for (const table of tables) {
    for (const row of rowsOf<{ t: string }>(await database.db.execute(sql.raw(`select t::text as t from ${table} t`))))
      parts.push(`${table}: ${row.t}`);
  }
  return { tables, text: parts.join("\n") };
}

function leaks(dump: string, personal: string[]): string[] {
  return dump.split("\n").filter((line) => personal.some((p) => line.includes(p)));
}

describe.each(testEngines())("GDPR erasure leaves no personal data anywhere in the database on %s", (engine) => {
  let database: TestDatabase;
  let jobs: Jobs | undefined;
  afterEach(async () => {
    await jobs?.stop();
    await database?.close();
  });

  async function setup() {
    database = await createTestDatabase(engine);
    // pg-boss's own tables (schema pgboss) are part of the dump: queued jobs must not carry personal data either.
    jobs = await startJobs(database, jobDefinitions, { work: false });
  }
  const enqueue = (inboxId: string) => jobs!.send(inboxProcessJob, { inboxId });
  const process = async () => {
    const done = await processReceivedInbox(database.db, { now: NOW, watch: [] });
    expect(done.filter((d) => d.outcome !== "processed")).toEqual([]);
  };

  /** The order's case, started by a staff member whose reason quotes the customer; a reminder the mail server refused. */
  async function caseWithFreeText(shop: Shop, platformOrderId: string, quote: { name: string; email: string }) {
    const [order] = await database.db.select().from(orders).where(eq(orders.platformOrderId, platformOrderId));
    const opened = await openCaseForOrder(database.db, {
      shop,
      order: order!,
      kind: "invoice",
      outstanding: { amountMinor: order!.outstandingMinor, currency: order!.currency },
      dueDate: order!.dueDate!,
      actor: { type: "scheduler", id: "test" },
      now: NOW,
      sourceId: null,
    });
    if (!opened?.ok) throw new Error("no case");
    const started = await startCase(database.db, {
      shopId: shop.id,
      caseId: opened.case.id,
      actor: { type: "staff", id: "s1" },
      reason: `${quote.name} angerufen, zahlt nicht`,
      now: NOW,
    });
    if (!started.ok) throw new Error(`not started: ${started.error.code}`);
    await database.db.insert(outbox).values({
      shopId: shop.id,
      caseId: opened.case.id,
      kind: "reminder.send",
      idempotencyKey: `reminder:${opened.case.id}:1`,
      payload: { caseId: opened.case.id, level: "reminder_1" },
      status: "failed",
      lastError: `550 5.1.1 <${quote.email}>: Recipient address rejected`,
      result: { refusedRecipient: quote.email },
    });
    return opened.case.id;
  }

  test("Shopify customers/redact", async () => {
    await setup();
    const shop = await insertShop(database.db, { domain: "mahnwerk-demo.myshopify.com" });
    const deliver = async (topic: string, payload: Json) => {
      const body = JSON.stringify(payload);
      const headers = shopifyWebhookHeaders(body, SECRET, {
        topic,
        shopDomain: shop.domain,
        webhookId: randomUUID(),
        eventId: randomUUID(),
        triggeredAt: NOW.toISOString(),
      });
      const result = await ingestShopifyWebhook(
        database.db,
        new Request("http://x/webhooks/shopify", { method: "POST", headers, body }),
        { secret: SECRET, enqueue },
      );
      expect(result.outcome).toBe("stored");
    };
    await deliver("orders/create", fixtureJson("shopify/orders-create.json") as Json);
    await process();
    const caseId = await caseWithFreeText(shop, "6120457896234", {
      name: "Anna Müller",
      email: "anna.mueller@example.de",
    });
    await deliver("customers/data_request", fixtureJson("shopify/customers-data-request.json") as Json);
    await process();
    // Before: the data is there (so the check below can fail).
    expect(leaks((await dumpDatabase(database)).text, SHOPIFY_PERSONAL).length).toBeGreaterThan(5);

    await deliver("customers/redact", fixtureJson("shopify/customers-redact.json") as Json);
    await process();
    const dump = await dumpDatabase(database);
    expect(dump.tables).toEqual(
      expect.arrayContaining([
        "public.webhook_inbox",
        "public.case_events",
        "public.outbox",
        "public.data_requests",
        "pgboss.job",
      ]),
    );
    expect(leaks(dump.text, SHOPIFY_PERSONAL)).toEqual([]);
    // Amounts, ids and the case's history stay.
    const [kept] = await database.db.select().from(cases).where(eq(cases.id, caseId));
    expect(kept).toMatchObject({ outstandingMinor: 11_990, platformOrderId: "6120457896234", status: "running" });
    expect(
      (await database.db.select().from(caseEvents).where(eq(caseEvents.caseId, caseId))).map((e) => e.type),
    ).toEqual(["case_opened", "case_started"]);
  }, 90_000);

  test("WooCommerce: the order anonymized by WordPress's personal data eraser", async () => {
    await setup();
    const woo = await insertShop(database.db, { platform: "woocommerce", domain: "gdpr.example.de" });
    await updateSettings(
      database.db,
      woo.id,
      { invoicePaymentMethods: [...DEFAULT_INVOICE_METHODS.woocommerce] },
      { changedBy: "test", now: NOW },
    );
    const connectionId = randomUUID();
    const [connection] = await database.db
      .insert(wooConnections)
      .values({
        id: connectionId,
        shopId: woo.id,
        storeUrl: "https://gdpr.example.de",
        status: "connected",
        webhookSecret: encryptSecret(WOO_SECRET, TEST_ENCRYPTION_KEY, wooSecretPlace(connectionId, "webhook_secret")),
        connectedAt: NOW,
      })
      .returning();
    const deliver = async (topic: string, payload: Json) => {
      const body = JSON.stringify(payload);
      const headers = wooWebhookHeaders(body, WOO_SECRET, {
        topic,
        source: "https://gdpr.example.de/",
        deliveryId: randomUUID(),
      });
      const result = await ingestWooWebhook(
        database.db,
        new Request(`http://x/webhooks/woocommerce/${connection!.id}`, { method: "POST", headers, body }),
        connection!.id,
        {
          key: TEST_ENCRYPTION_KEY,
          enqueue,
        },
      );
      expect(result.outcome).toBe("stored");
    };
    const created = fixtureJson("woocommerce/order-created-invoice.json") as Json;
    await deliver("order.created", created);
    await process();
    await caseWithFreeText(woo, "4711", { name: "Lukas Becker", email: "lukas.becker@example.de" });
    expect(leaks((await dumpDatabase(database)).text, WOO_PERSONAL).length).toBeGreaterThan(3);

    // What WooCommerce's eraser (WC_Privacy_Erasers::remove_order_personal_data) leaves on the order, then saves.
    const deleted = "[deleted]";
    const anonymized = {
      ...created,
      date_modified_gmt: "2026-10-20T08:00:00",
      billing: {
        first_name: deleted,
        last_name: deleted,
        company: deleted,
        address_1: deleted,
        address_2: deleted,
        city: deleted,
        state: "",
        postcode: deleted,
        country: "DE",
        email: "deleted@site.invalid",
        phone: deleted,
      },
      shipping: {
        first_name: deleted,
        last_name: deleted,
        company: deleted,
        address_1: deleted,
        address_2: deleted,
        city: deleted,
        state: "",
        postcode: deleted,
        country: "DE",
        phone: "",
      },
      customer_ip_address: "0.0.0.0",
      customer_user_agent: "",
    };
    await deliver("order.updated", anonymized);
    await process();
    const dump = await dumpDatabase(database);
    expect(leaks(dump.text, WOO_PERSONAL)).toEqual([]);
    const [order] = await database.db.select().from(orders).where(eq(orders.platformOrderId, "4711"));
    expect(order).toMatchObject({ totalMinor: 8_990, outstandingMinor: 8_990 });
  }, 90_000);
});
