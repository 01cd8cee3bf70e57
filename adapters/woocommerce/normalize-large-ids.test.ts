import { describe, expect, test } from "vitest";

import { parseJsonLossless } from "#app/utils/lossless-json";
import { fixtureBytes } from "#test/fixtures/sign";

import { normalizeWooOrder } from "./normalize";

const raw = fixtureBytes("woocommerce/order-created-invoice.json").toString("utf8");
const order = (replace: [RegExp, string][]) => replace.reduce((text, [from, to]) => text.replace(from, to), raw);

describe("WooCommerce ids above 2^53", () => {
  test("the digit strings parseJsonLossless makes of them are read as exact ids", () => {
    const text = order([
      [/"id": 4711,/, '"id": 9007199254740993,'],
      [/"customer_id": 0,/, '"customer_id": 9007199254740995,'],
    ]);
    const result = normalizeWooOrder(parseJsonLossless(text));
    expect(result.ok && result.order).toMatchObject({
      platformOrderId: "9007199254740993",
      name: "4711",
      customer: { id: "9007199254740995" },
    });
  });

  test("safe integer ids and the guest customer 0 read as before", () => {
    const result = normalizeWooOrder(parseJsonLossless(raw));
    expect(result.ok && result.order).toMatchObject({ platformOrderId: "4711", customer: { id: null } });
  });

  test("a number JSON.parse rounded is refused, not tracked under a wrong id", () => {
    const result = normalizeWooOrder(JSON.parse(order([[/"id": 4711,/, '"id": 9007199254740993,']])));
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason).toMatch(/^invalid order payload: id:/);
  });

  test.each(["", "0", "-5", "12a", "0012"])("the id string %j is refused", (id) => {
    const result = normalizeWooOrder({ ...(parseJsonLossless(raw) as object), id });
    expect(result.ok).toBe(false);
  });
});
