import { afterEach, describe, expect, test } from "vitest";

import { toRivertyClaimBody } from "#adapters/partners/riverty/adapter";
import { RivertyClaimBodySchema } from "#adapters/partners/riverty/schemas";
import { normalizeShopifyWebhook } from "#adapters/shopify/normalize";
import { normalizeWooOrder } from "#adapters/woocommerce/normalize";
import type { Shop } from "#app/db/schema";
import type { OrderSnapshot } from "#app/domain/platform-event";
import { DEFAULT_INVOICE_METHODS } from "#app/domain/settings";
import { renderReminderLetter } from "#app/mail/reminder-letter.server";
import { openCaseForOrder } from "#app/services/cases/commands.server";
import { buildClaim } from "#app/services/collection/partners.server";
import { reminderLetterFor } from "#app/services/dunning/letters.server";
import { findOrder, storeOrderSnapshots } from "#app/services/intake/orders.server";
import { getSettings, updateSettings } from "#app/services/settings/settings.server";
import { fixtureJson } from "#test/fixtures/sign";
import { createTestDatabase, type TestDatabase, testEngines } from "#test/support/db";
import { insertShop } from "#test/support/factories";

/*
 * Oversized personal text (issue 19, item 4): a platform order whose customer name, company and address lines are
 * 10,000 characters long is normalized to values cut to what the strictest consumer (the Riverty claim: names and
 * street 100, company 200) takes, so the case can still be handed over as a claim and printed as a letter.
 */

const NOW = new Date("2026-11-02T09:00:00Z");
const LONG_NAME = "Wolfeschlegelsteinhausenbergerdorff".repeat(286).slice(0, 10_000);
const LONG_STREET = "Hauptstraße 12 ".repeat(667).slice(0, 10_000);
const LONG_COMPANY = "Müller Bau GmbH & Co. KG ".repeat(400).slice(0, 10_000);
const ADDRESS = {
  company: "Wollwerk GmbH",
  street: "Hafenstraße 1",
  postalCode: "20457",
  city: "Hamburg",
  countryCode: "DE",
  email: "info@wollwerk.example",
  phone: null,
};
const creditor = {
  shopName: "alt",
  street: "x",
  houseNumber: null,
  postalCode: "1",
  city: "y",
  countryCode: "DE",
  email: "a@b.example",
  phone: null,
};

type Json = Record<string, any>;

function shopifySnapshot(domain: string): OrderSnapshot {
  const payload = fixtureJson("shopify/orders-create.json") as Json;
  const long = {
    first_name: LONG_NAME,
    last_name: LONG_NAME,
    name: `${LONG_NAME} ${LONG_NAME}`,
    company: LONG_COMPANY,
    address1: LONG_STREET,
    address2: LONG_STREET,
  };
  const result = normalizeShopifyWebhook(
    "orders/create",
    domain,
    { webhookId: "w-long", receivedAt: NOW },
    {
      ...payload,
      billing_address: { ...payload.billing_address, ...long },
      customer: { ...payload.customer, first_name: LONG_NAME, last_name: LONG_NAME },
    },
  );
  if (result.kind !== "events") throw new Error(`not normalized: ${JSON.stringify(result).slice(0, 300)}`);
  const upserted = result.events.find((e) => e.type === "order.upserted");
  if (!upserted || upserted.type !== "order.upserted") throw new Error("no order");
  return upserted.order;
}

function wooSnapshot(): OrderSnapshot {
  const payload = fixtureJson("woocommerce/order-created-invoice.json") as Json;
  const billing = {
    ...payload.billing,
    first_name: LONG_NAME,
    last_name: LONG_NAME,
    company: LONG_COMPANY,
    address_1: LONG_STREET,
    address_2: LONG_STREET,
  };
  const result = normalizeWooOrder(
    { ...payload, billing },
    { invoicePaymentMethods: DEFAULT_INVOICE_METHODS.woocommerce },
  );
  if (!result.ok) throw new Error(`not normalized: ${result.reason}`);
  return result.order;
}

describe.each(testEngines())("10,000-character names and address lines on %s", (engine) => {
  let database: TestDatabase;
  afterEach(async () => database?.close());

  async function claimAndLetter(shop: Shop, snapshot: OrderSnapshot) {
    const b = snapshot.billingAddress!;
    // Cut to the claim's limits, and what is left is the start of the value (not some other text).
    for (const [value, max] of [
      [snapshot.customer?.firstName, 100],
      [snapshot.customer?.lastName, 100],
      [b.firstName, 100],
      [b.lastName, 100],
      [b.name, 201],
      [b.street1, 100],
      [b.street2, 100],
      [b.company, 200],
      [snapshot.companyName, 200],
    ] as const) {
      expect(value!.length).toBeGreaterThan(50);
      expect(value!.length).toBeLessThanOrEqual(max);
    }
    expect(LONG_NAME.startsWith(snapshot.customer!.lastName!)).toBe(true);
    expect(LONG_STREET.startsWith(b.street1!)).toBe(true);

    const settings = await getSettings(database.db, shop.id);
    expect((await storeOrderSnapshots(database.db, shop, [snapshot], settings)).map((o) => o.kind)).toEqual([
      "inserted",
    ]);
    const order = (await findOrder(database.db, shop.id, snapshot.platformOrderId))!;
    expect(order.customer.lastName!.length).toBeLessThanOrEqual(100);
    const opened = await openCaseForOrder(database.db, {
      shop,
      order,
      kind: "invoice",
      outstanding: { amountMinor: order.outstandingMinor, currency: order.currency },
      dueDate: "2026-10-15",
      actor: { type: "scheduler", id: "test" },
      now: NOW,
      sourceId: null,
    });
    if (!opened?.ok) throw new Error("no case");

    // The claim passes our schema and Riverty's.
    const claim = await buildClaim(database.db, opened.case, creditor);
    expect(claim.error?.issues).toBeUndefined();
    const body = RivertyClaimBodySchema.safeParse(toRivertyClaimBody(claim.data!, "2026-11-02"));
    expect(body.error?.issues).toBeUndefined();

    // The letter is composed and printed.
    await updateSettings(database.db, shop.id, { address: ADDRESS }, { changedBy: "t", now: NOW });
    const letter = await reminderLetterFor(database.db, shop, opened.case.id, "reminder_1", {
      now: NOW,
      mailFrom: "mahnwerk@localhost",
    });
    if (letter.kind !== "ok") throw new Error(`no letter: ${JSON.stringify(letter)}`);
    expect(letter.input.recipient.street.length).toBeLessThanOrEqual(100);
    expect((await renderReminderLetter(letter.input)).byteLength).toBeGreaterThan(1_000);
  }

  test("a Shopify order", async () => {
    database = await createTestDatabase(engine);
    const shop = await insertShop(database.db, { domain: "mahnwerk-demo.myshopify.com" });
    await claimAndLetter(shop, shopifySnapshot(shop.domain));
  }, 60_000);

  test("a WooCommerce order", async () => {
    database = await createTestDatabase(engine);
    const shop = await insertShop(database.db, { platform: "woocommerce", domain: "long.example.de" });
    await updateSettings(
      database.db,
      shop.id,
      { invoicePaymentMethods: [...DEFAULT_INVOICE_METHODS.woocommerce] },
      { changedBy: "test", now: NOW },
    );
    await claimAndLetter(shop, wooSnapshot());
  }, 60_000);
});
