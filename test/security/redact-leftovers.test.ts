import { eq, sql } from "drizzle-orm";
import { afterEach, describe, expect, test } from "vitest";

import { bulkRuns, dataRequests, type OrderRow, type Shop } from "#app/db/schema";
import type { PlatformEvent } from "#app/domain/platform-event";
import { createBulkRun } from "#app/services/cases/bulk-runs.server";
import { caseListQuerySchema } from "#app/services/cases/list.server";
import { applyPlatformEvents } from "#app/services/intake/platform-events.server";
import { rowsOf } from "#test/support/app-database";
import { createTestDatabase, type TestDatabase, testEngines } from "#test/support/db";
import { insertOrder, insertShop } from "#test/support/factories";

/*
 * GDPR erasure leftovers (issue 19): customers/redact must also clear the data exports prepared for the customer (also
 * one asked for by e-mail only, filed without a customer id), a bulk run's search text (the list search takes at most
 * 200 characters, so a long name is stored cut short) and bulk-run failure entries that name the customer — whatever
 * the length of the value. Another customer's export and runs stay.
 */

const NOW = new Date("2026-11-02T09:00:00Z");
// A long surname (an order stored before names were capped): 10,000+ characters.
const LONG_LAST = `Müller${"-Lüdenscheidt".repeat(800)}`;
const EMAIL = "anna.mueller@example.de";

describe.each(testEngines())("customers/redact leaves no exports, bulk-run searches or failures on %s", (engine) => {
  let database: TestDatabase;
  afterEach(async () => database?.close());

  const privacy = (
    shop: Shop,
    type: "privacy.customer_data_request" | "privacy.customer_redact",
    fields: { customerId: string | null; email: string | null; orders: OrderRow[] },
  ) =>
    ({
      type,
      platform: "shopify",
      shopDomain: shop.domain,
      sourceId: `${type}:${fields.email ?? fields.customerId}`,
      occurredAt: NOW,
      customerId: fields.customerId,
      email: fields.email,
      phone: null,
      platformOrderIds: fields.orders.map((o) => o.platformOrderId),
      ...(type === "privacy.customer_data_request" ? { dataRequestId: null } : {}),
    }) as PlatformEvent;

  const apply = (shop: Shop, events: PlatformEvent[]) =>
    database.db.transaction((tx) => applyPlatformEvents(tx, shop, events, NOW));
  const textOf = async (table: string) =>
    rowsOf<{ t: string }>(await database.db.execute(sql.raw(`select t::text as t from ${table} t`))).map((r) => r.t);

  test("a long-named customer's export (asked for by e-mail only), run search and failures go", async () => {
    database = await createTestDatabase(engine);
    const shop = await insertShop(database.db);
    const anna = await insertOrder(database.db, shop, {
      customer: {
        platformCustomerId: "77",
        firstName: "Anna",
        lastName: LONG_LAST,
        company: null,
        email: EMAIL,
        phone: null,
        locale: "de",
      },
      billingAddress: {
        name: `Anna ${LONG_LAST}`,
        company: null,
        street1: "Friedrichstraße 123",
        street2: null,
        postalCode: "10117",
        city: "Berlin",
        countryCode: "DE",
      },
    });
    const lukas = await insertOrder(database.db, shop, {
      customer: {
        platformCustomerId: "88",
        firstName: "Lukas",
        lastName: "Becker",
        company: null,
        email: "lukas.becker@example.de",
        phone: null,
        locale: "de",
      },
      billingAddress: null,
    });
    // Data requests: Anna's by e-mail only (no customer id to file it under), Lukas's by id.
    await apply(shop, [privacy(shop, "privacy.customer_data_request", { customerId: null, email: EMAIL, orders: [] })]);
    await apply(shop, [
      privacy(shop, "privacy.customer_data_request", { customerId: "88", email: null, orders: [lukas] }),
    ]);
    // Bulk runs over a search typed by a staff member: Anna's surname as far as the search box takes it (200
    // characters, lower case), and Lukas's; each with a partner's refusal naming the customer.
    const run = async (q: string, failure: string) => {
      const created = await createBulkRun(database.db, shop, {
        action: "start",
        reason: "Sammelstart",
        query: caseListQuerySchema.parse({ q }),
        actor: { type: "staff", id: "s1" },
        now: NOW,
      });
      await database.db
        .update(bulkRuns)
        .set({ failures: [{ caseId: created.id, orderName: "#1001", code: "precheck_failed", message: failure }] })
        .where(eq(bulkRuns.id, created.id));
    };
    await run(LONG_LAST.slice(0, 200).toLowerCase(), `Schuldner Anna ${LONG_LAST} unbekannt`);
    await run("Becker", "Schuldner Lukas Becker unbekannt");
    const before = [...(await textOf("data_requests")), ...(await textOf("bulk_runs"))].join("\n");
    expect(before).toContain(EMAIL);
    expect(before.toLowerCase()).toContain("lüdenscheidt");

    await apply(shop, [privacy(shop, "privacy.customer_redact", { customerId: "77", email: EMAIL, orders: [anna] })]);

    const after = [...(await textOf("data_requests")), ...(await textOf("bulk_runs"))];
    const leaks = after.filter((row) =>
      ["müller", "lüdenscheidt", EMAIL, "friedrichstra"].some((p) => row.toLowerCase().includes(p)),
    );
    expect(leaks.map((l) => l.slice(0, 300))).toEqual([]);
    // Lukas's export and run stay as they were.
    expect(await database.db.select({ id: dataRequests.platformCustomerId }).from(dataRequests)).toEqual([
      { id: "88" },
    ]);
    const runs = await database.db.select().from(bulkRuns);
    expect(runs.map((r) => (r.filter as { q?: string }).q).sort()).toEqual(["Becker", "[redacted]"]);
    expect(runs.flatMap((r) => r.failures.map((f) => f.message)).sort()).toEqual([
      "Schuldner Lukas Becker unbekannt",
      "Schuldner [redacted] unbekannt",
    ]);
  }, 60_000);
});
