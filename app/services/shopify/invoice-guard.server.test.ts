import { eq } from "drizzle-orm";
import { graphql, HttpResponse } from "msw";
import { afterEach, describe, expect, test } from "vitest";

import type { AdminGraphql, GraphqlBody } from "#adapters/shopify/admin-api";
import type { Db } from "#app/db/client.server";
import { outbox, type Shop } from "#app/db/schema";
import { tenantScope } from "#app/db/tenant.server";
import { cancelCase } from "#app/services/cases/commands.server";
import { sweepOutbox } from "#app/services/outbox/outbox.server";
import { getSettings, updateSettings } from "#app/services/settings/settings.server";
import { variableErrors } from "#test/support/admin-schema";
import { openCaseOf } from "#test/support/cases";
import { createTestDatabase, type TestDatabase, testEngines } from "#test/support/db";
import { insertOrder, insertShop } from "#test/support/factories";

import { server } from "../../../test/mocks/node";
import { type GuardScopes, shopifyCustomerFlagHandler, syncShopifyGuard } from "./invoice-guard.server";

const DOMAIN = "wollwerk.myshopify.com";
const ENDPOINT = `https://${DOMAIN}/admin/api/2026-10/graphql.json`;
const shopifyApi = graphql.link(ENDPOINT);
const NOW = new Date("2026-11-20T10:00:00Z");

const admin: AdminGraphql = async (query, variables) => {
  const response = await fetch(ENDPOINT, {
    method: "POST",
    headers: { "content-type": "application/json", "x-shopify-access-token": "shpat_test" },
    body: JSON.stringify({ query, variables }),
  });
  if (!response.ok) throw new Error(`Admin API answered ${response.status}`);
  return (await response.json()) as GraphqlBody;
};

/** Shopify's scopes API as the admin request gives it: what is granted, and every request for more. */
function scopes(granted: string[]): GuardScopes & { requested: string[][] } {
  const requested: string[][] = [];
  return {
    requested,
    granted: async () => granted,
    request: async (list) => {
      requested.push(list);
    },
  };
}

/** The payment-customization mutations answered as Shopify would (after checking their variables against its schema), and what each was sent. */
function customizations(options: { updateNotFound?: boolean } = {}) {
  const calls: { operation: string; variables: Record<string, unknown> }[] = [];
  let next = 1;
  const handlers = [
    shopifyApi.mutation("MahnwerkPaymentCustomizationCreate", ({ query, variables }) => {
      expect(variableErrors(query, variables)).toEqual([]);
      calls.push({ operation: "create", variables });
      return HttpResponse.json({
        data: {
          paymentCustomizationCreate: {
            paymentCustomization: { id: `gid://shopify/PaymentCustomization/${next++}` },
            userErrors: [],
          },
        },
      });
    }),
    shopifyApi.mutation("MahnwerkPaymentCustomizationUpdate", ({ query, variables }) => {
      expect(variableErrors(query, variables)).toEqual([]);
      calls.push({ operation: "update", variables });
      return HttpResponse.json({
        data: {
          paymentCustomizationUpdate: options.updateNotFound
            ? {
                paymentCustomization: null,
                userErrors: [
                  { field: ["id"], message: "Could not find customization", code: "PAYMENT_CUSTOMIZATION_NOT_FOUND" },
                ],
              }
            : { paymentCustomization: { id: variables.id }, userErrors: [] },
        },
      });
    }),
    shopifyApi.mutation("MahnwerkPaymentCustomizationDelete", ({ query, variables }) => {
      expect(variableErrors(query, variables)).toEqual([]);
      calls.push({ operation: "delete", variables });
      return HttpResponse.json({ data: { paymentCustomizationDelete: { deletedId: variables.id, userErrors: [] } } });
    }),
  ];
  return { handlers, calls };
}

/** metafieldsSet, refusing the owners in `unknownOwners` as Shopify refuses a customer it does not know. */
function metafields(unknownOwners: string[] = []) {
  const calls: { ownerId: string; namespace: string; key: string; type: string; value: string }[][] = [];
  const handler = shopifyApi.mutation("MahnwerkMetafieldsSet", ({ query, variables }) => {
    expect(variableErrors(query, variables)).toEqual([]);
    const list = variables.metafields as (typeof calls)[number];
    calls.push(list);
    const userErrors = list.flatMap((m, i) =>
      unknownOwners.includes(m.ownerId)
        ? [{ field: ["metafields", String(i), "ownerId"], message: "Owner does not exist", code: "INVALID" }]
        : [],
    );
    return HttpResponse.json({ data: { metafieldsSet: { userErrors } } });
  });
  return { handler, calls };
}

describe.each(testEngines())("the Shopify invoice guard on %s", (engine) => {
  let database: TestDatabase;
  afterEach(async () => database?.close());

  const guardOn = (db: Db, shop: Shop, on: boolean, methods = ["Rechnung", "Kauf auf Rechnung"]) =>
    updateSettings(db, shop.id, { checkoutGuard: on, invoicePaymentMethods: methods }, { changedBy: "test", now: NOW });
  const sync = (db: Db, shop: Shop, granted: GuardScopes, requestScopes: boolean) =>
    syncShopifyGuard(tenantScope(db, shop.id), shop, {
      admin: async () => admin,
      scopes: granted,
      now: NOW,
      requestScopes,
    });
  const flagRows = (db: Db) =>
    db
      .select({ payload: outbox.payload, key: outbox.idempotencyKey })
      .from(outbox)
      .where(eq(outbox.kind, "shopify.customer_flag"));

  test("turned on: permissions first, then the customization with the invoice methods, then every customer flagged", async () => {
    database = await createTestDatabase(engine);
    const { db } = database;
    const shop = await insertShop(db, { domain: DOMAIN });
    // Customers with a case before the guard exists: opened while it was off, no flag queued for them yet.
    for (const customer of ["4401", "4402", null]) {
      const order = await insertOrder(db, shop, {
        customer: {
          platformCustomerId: customer,
          firstName: "A",
          lastName: "B",
          company: null,
          email: null,
          phone: null,
          locale: "de",
        },
      });
      await openCaseOf(db, shop, order, NOW);
    }
    expect(await flagRows(db)).toEqual([]);
    await guardOn(db, shop, true);
    const { handlers, calls } = customizations();
    server.use(...handlers);

    // A page view reports missing permissions and asks for nothing; a save asks for exactly the missing ones.
    const partial = scopes(["read_orders", "write_customers"]);
    expect(await sync(db, shop, partial, false)).toEqual({
      state: "scopes_missing",
      missing: ["write_payment_customizations"],
    });
    expect(partial.requested).toEqual([]);
    expect(await sync(db, shop, partial, true)).toEqual({
      state: "scopes_missing",
      missing: ["write_payment_customizations"],
    });
    expect(partial.requested).toEqual([["write_payment_customizations"]]);
    expect(calls).toEqual([]);

    const granted = scopes(["read_orders", "write_customers", "write_payment_customizations"]);
    expect(await sync(db, shop, granted, false)).toEqual({ state: "created" });
    expect(calls).toEqual([
      {
        operation: "create",
        variables: {
          input: {
            title: "Mahnwerk: Rechnung nur ohne offene Forderung",
            enabled: true,
            functionHandle: "invoice-guard",
            metafields: [
              {
                namespace: "$app:mahnwerk",
                key: "config",
                type: "json",
                value: JSON.stringify({ invoiceMethods: ["Rechnung", "Kauf auf Rechnung"] }),
              },
            ],
          },
        },
      },
    ]);
    expect((await getSettings(db, shop.id)).shopifyPaymentCustomizationId).toBe("gid://shopify/PaymentCustomization/1");
    // Every customer with a case, guests left out, in one batch.
    expect((await flagRows(db)).map((r) => r.payload)).toEqual([{ customerIds: ["4401", "4402"] }]);

    // A later page view changes nothing; a save rewrites the configuration (the invoice methods may have changed).
    expect(await sync(db, shop, granted, false)).toEqual({ state: "unchanged" });
    await guardOn(db, shop, true, ["Rechnung"]);
    expect(await sync(db, shop, granted, true)).toEqual({ state: "updated" });
    expect(calls[1]).toMatchObject({
      operation: "update",
      variables: {
        id: "gid://shopify/PaymentCustomization/1",
        input: { metafields: [{ value: '{"invoiceMethods":["Rechnung"]}' }] },
      },
    });

    // Turned off: the customization is deleted and forgotten.
    await guardOn(db, shop, false);
    expect(await sync(db, shop, granted, true)).toEqual({ state: "deleted" });
    expect(calls[2]).toEqual({ operation: "delete", variables: { id: "gid://shopify/PaymentCustomization/1" } });
    expect((await getSettings(db, shop.id)).shopifyPaymentCustomizationId).toBeNull();
    expect(await sync(db, shop, granted, true)).toEqual({ state: "unchanged" });
  });

  test("a customization deleted in Shopify's admin is created again on the next save", async () => {
    database = await createTestDatabase(engine);
    const { db } = database;
    const shop = await insertShop(db, { domain: DOMAIN });
    await guardOn(db, shop, true);
    await updateSettings(
      db,
      shop.id,
      { shopifyPaymentCustomizationId: "gid://shopify/PaymentCustomization/9" },
      { changedBy: "test", now: NOW },
    );
    const { handlers, calls } = customizations({ updateNotFound: true });
    server.use(...handlers);
    expect(await sync(db, shop, scopes(["write_customers", "write_payment_customizations"]), true)).toEqual({
      state: "created",
    });
    expect(calls.map((c) => c.operation)).toEqual(["update", "create"]);
    expect((await getSettings(db, shop.id)).shopifyPaymentCustomizationId).toBe("gid://shopify/PaymentCustomization/1");
  });

  test("a case opening and ending rewrites its customer's flag to what is true when the outbox runs", async () => {
    database = await createTestDatabase(engine);
    const { db } = database;
    const shop = await insertShop(db, { domain: DOMAIN });
    await guardOn(db, shop, true);
    const { handler, calls } = metafields(["gid://shopify/Customer/4409"]);
    server.use(handler);
    const handlers = { "shopify.customer_flag": shopifyCustomerFlagHandler(async () => admin) };

    const order = await insertOrder(db, shop, {
      customer: {
        platformCustomerId: "4401",
        firstName: "A",
        lastName: "B",
        company: null,
        email: null,
        phone: null,
        locale: "de",
      },
    });
    const opened = await openCaseOf(db, shop, order, NOW);
    await sweepOutbox(db, handlers, () => NOW);
    const flag = (value: string, id = "4401") => ({
      ownerId: `gid://shopify/Customer/${id}`,
      namespace: "$app:mahnwerk",
      key: "open_case",
      type: "boolean",
      value,
    });
    expect(calls).toEqual([[flag("true")]]);

    await cancelCase(db, {
      shopId: shop.id,
      caseId: opened.id,
      actor: { type: "staff", id: "demo" },
      reason: "Kulanz",
      now: NOW,
    });
    await sweepOutbox(db, handlers, () => NOW);
    expect(calls[1]).toEqual([flag("false")]);

    // A customer Shopify no longer knows is left out of the batch; the others are still written.
    await db.insert(outbox).values({
      shopId: shop.id,
      kind: "shopify.customer_flag",
      idempotencyKey: "batch-with-unknown",
      payload: { customerIds: ["4401", "4409"] },
      nextAttemptAt: NOW,
    });
    await sweepOutbox(db, handlers, () => NOW);
    expect(calls.slice(2)).toEqual([[flag("false"), flag("false", "4409")], [flag("false")]]);
    const [row] = await db.select().from(outbox).where(eq(outbox.idempotencyKey, "batch-with-unknown"));
    expect(row).toMatchObject({ status: "done", result: { written: 1, open: 0, unknown: ["4409"] } });

    // With the guard off, opening a case queues nothing and a queued flag is not sent.
    await guardOn(db, shop, false);
    const before = (await flagRows(db)).length;
    const another = await insertOrder(db, shop);
    await openCaseOf(db, shop, another, NOW);
    expect((await flagRows(db)).length).toBe(before);
  });
});
