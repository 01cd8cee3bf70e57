import { parse } from "graphql";
import { describe, expect, test } from "vitest";

import type { AdminGraphql } from "#adapters/shopify/admin-api";
import type { DbOrTx } from "#app/db/client.server";
import type { OrderRow, Shop } from "#app/db/schema";

import { platformPayNowLinks } from "./pay-now-links.server";

const shop = { id: "s1", platform: "shopify", domain: "wollwerk.myshopify.com" } as Shop;
const order = { id: "o1", platformOrderId: "5551234" } as OrderRow;
const db = {} as DbOrTx;

/** A shop's Admin API answering the payment-link query with `url` (or failing), and the calls it saw. */
function admin(answer: string | null | Error) {
  const calls: { operation: string; variables: Record<string, unknown> | undefined }[] = [];
  const graphql: AdminGraphql = async (query, variables) => {
    const definition = parse(query).definitions[0];
    calls.push({
      operation: definition?.kind === "OperationDefinition" ? (definition.name?.value ?? "") : "",
      variables,
    });
    if (answer instanceof Error) throw answer;
    return { data: { order: { paymentCollectionDetails: { additionalPaymentCollectionUrl: answer } } } };
  };
  return { calls, shopifyAdminFor: async () => graphql };
}

describe("pay-now links from the platform", () => {
  test("Shopify: the order's additional payment collection URL, asked by the order's id", async () => {
    const url = "https://wollwerk.myshopify.com/80313466/invoices/5a9e0c1f?payment=1";
    const fake = admin(url);
    expect(await platformPayNowLinks(fake)(db, shop, order)).toBe(url);
    expect(fake.calls).toEqual([
      { operation: "MahnwerkOrderPaymentLink", variables: { id: "gid://shopify/Order/5551234" } },
    ]);
  });

  test("no link where Shopify gives none, gives something that is not https, or cannot be asked", async () => {
    for (const answer of [
      null,
      "http://wollwerk.example/pay",
      "javascript:alert(1)",
      `https://x.example/${"a".repeat(2_000)}`,
    ])
      expect(await platformPayNowLinks(admin(answer))(db, shop, order), String(answer)).toBeNull();
    expect(await platformPayNowLinks(admin(new Error("503 Service Unavailable")))(db, shop, order)).toBeNull();
    // A process without Shopify configured: no link.
    expect(await platformPayNowLinks({ shopifyAdminFor: null })(db, shop, order)).toBeNull();
  });

  test("the demo shop's orders are paid on the demo's own page, and only in demo mode; Shopify is not asked", async () => {
    const demoShop = { ...shop, platform: "demo" } as Shop;
    const fake = admin("https://x.example/pay");
    const demoPayNowUrl = (orderId: string) => `http://localhost:3000/demo/pay/${orderId}`;
    expect(await platformPayNowLinks({ ...fake, demoPayNowUrl })(db, demoShop, order)).toBe(
      "http://localhost:3000/demo/pay/o1",
    );
    expect(await platformPayNowLinks({ ...fake, demoPayNowUrl: null })(db, demoShop, order)).toBeNull();
    expect(fake.calls).toEqual([]);
  });
});
