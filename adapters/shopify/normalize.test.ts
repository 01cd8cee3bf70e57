import fc from "fast-check";
import { describe, expect, test } from "vitest";

import type { OrderSnapshot, PlatformEvent } from "#app/domain/platform-event";
import { fixtureJson } from "#test/fixtures/sign";

import type { ShopifyDeliveryInfo } from "./normalize";
import { mapShopifyFinancialStatus, normalizeShopifyOrderNode, normalizeShopifyWebhook } from "./normalize";

const SHOP = "mahnwerk-demo.myshopify.com";
const TRIGGERED = new Date("2026-11-23T08:00:00.123Z");
const RECEIVED = new Date("2026-11-23T08:00:01.000Z");
const delivery: ShopifyDeliveryInfo = {
  webhookId: "wh-1",
  eventId: "ev-1",
  triggeredAt: TRIGGERED,
  receivedAt: RECEIVED,
};
const eur = (amountMinor: number) => ({ amountMinor, currency: "EUR" });
const fixture = (name: string) => fixtureJson(`shopify/${name}.json`) as Record<string, unknown>;
const base = (type: PlatformEvent["type"], occurredAt: Date) => ({
  platform: "shopify" as const,
  shopDomain: SHOP,
  sourceId: `shopify:ev-1:${type}`,
  occurredAt,
});

function events(topic: string, payload: unknown, info: ShopifyDeliveryInfo = delivery): PlatformEvent[] {
  const result = normalizeShopifyWebhook(topic, SHOP, info, payload);
  if (result.kind !== "events") throw new Error(`expected events, got ${result.kind}: ${result.reason}`);
  return result.events;
}

const annaOrder: OrderSnapshot = {
  platformOrderId: "6120457896234",
  name: "#1042",
  createdAt: new Date("2026-10-02T08:15:23Z"),
  updatedAt: new Date("2026-10-02T08:15:24Z"),
  currency: "EUR",
  total: eur(11990),
  outstanding: eur(11990),
  financialStatus: "pending",
  platformStatus: "pending",
  paymentMethods: ["Rechnung"],
  paymentMethodTitle: null,
  paymentTerms: null,
  paidAt: null,
  cancelledAt: null,
  customer: {
    id: "7345120987654",
    firstName: "Anna",
    lastName: "Müller",
    email: "anna.mueller@example.de",
    phone: "+4930123456789",
    locale: "de",
  },
  companyName: null,
  b2bCompany: false,
  vatId: null,
  billingAddress: {
    name: "Anna Müller",
    firstName: "Anna",
    lastName: "Müller",
    company: null,
    street1: "Friedrichstraße 123",
    street2: "3. OG",
    postalCode: "10117",
    city: "Berlin",
    region: null,
    countryCode: "DE",
    phone: "+4930123456789",
  },
  test: false,
  tags: [],
};

describe("orders/* topics", () => {
  test("orders/create → order.upserted with the full snapshot (amounts in cents, dates in UTC)", () => {
    expect(events("orders/create", fixture("orders-create"))).toStrictEqual([
      { ...base("order.upserted", annaOrder.updatedAt), type: "order.upserted", order: annaOrder },
    ]);
  });

  test("orders/updated → B2B order with net terms, partial payment, company and cleaned tags", () => {
    const updatedAt = new Date("2026-10-10T14:45:00Z");
    expect(events("orders/updated", fixture("orders-updated"))).toStrictEqual([
      {
        ...base("order.upserted", updatedAt),
        type: "order.upserted",
        order: {
          platformOrderId: "6120458123456",
          name: "#1043",
          createdAt: new Date("2026-10-03T06:02:10Z"),
          updatedAt,
          currency: "EUR",
          total: eur(142800),
          outstanding: eur(42800),
          financialStatus: "partially_paid",
          platformStatus: "partially_paid",
          paymentMethods: ["Rechnung"],
          paymentMethodTitle: null,
          paymentTerms: { dueAt: new Date("2026-11-02T07:02:10Z"), dueInDays: 30, name: "Net 30" },
          paidAt: null,
          cancelledAt: null,
          customer: {
            id: "7345121555555",
            firstName: "Thomas",
            lastName: "Weber",
            email: "thomas.weber@schreinerei-weber.de",
            phone: "+49895551234",
            locale: "de-DE",
          },
          companyName: "Schreinerei Weber GmbH",
          b2bCompany: true,
          vatId: null,
          billingAddress: {
            name: "Thomas Weber",
            firstName: "Thomas",
            lastName: "Weber",
            company: "Schreinerei Weber GmbH",
            street1: "Industriestraße 7",
            street2: null,
            postalCode: "80339",
            city: "München",
            region: "BY",
            countryCode: "DE",
            phone: "+49895551234",
          },
          test: false,
          tags: ["B2B", "Rechnung", "Stammkunde"],
        },
      },
    ]);
  });

  test("orders/paid → order.upserted (paid, nothing outstanding) and order.paid", () => {
    const updatedAt = new Date("2026-10-20T12:03:11Z");
    expect(events("orders/paid", fixture("orders-paid"))).toStrictEqual([
      {
        ...base("order.upserted", updatedAt),
        type: "order.upserted",
        order: { ...annaOrder, updatedAt, financialStatus: "paid", platformStatus: "paid", outstanding: eur(0) },
      },
      { ...base("order.paid", updatedAt), type: "order.paid", platformOrderId: "6120457896234", outstanding: eur(0) },
    ]);
  });

  test("orders/cancelled → order.upserted (voided) and order.cancelled with time and reason", () => {
    const updatedAt = new Date("2026-10-05T07:30:02Z");
    const cancelledAt = new Date("2026-10-05T07:30:00Z");
    expect(events("orders/cancelled", fixture("orders-cancelled"))).toStrictEqual([
      {
        ...base("order.upserted", updatedAt),
        type: "order.upserted",
        order: {
          ...annaOrder,
          updatedAt,
          cancelledAt,
          financialStatus: "voided",
          platformStatus: "voided",
          total: eur(0),
          outstanding: eur(0),
        },
      },
      {
        ...base("order.cancelled", updatedAt),
        type: "order.cancelled",
        platformOrderId: "6120457896234",
        cancelledAt,
        reason: "customer",
      },
    ]);
  });

  // What JSON.parse makes of an 18-digit id: 820982911946154500.
  const roundedId = JSON.parse("820982911946154508") as number;

  test("the order id comes from admin_graphql_api_id, immune to float rounding of a huge numeric id", () => {
    const payload = {
      ...fixture("orders-create"),
      id: roundedId,
      admin_graphql_api_id: "gid://shopify/Order/820982911946154508",
    };
    const [event] = events("orders/create", payload);
    expect(event?.type === "order.upserted" && event.order.platformOrderId).toBe("820982911946154508");
  });

  test("a numeric id beyond 2^53 without a gid is rejected, not silently rounded", () => {
    const { admin_graphql_api_id: _gid, ...rest } = fixture("orders-create");
    const payload = { ...rest, id: roundedId };
    const result = normalizeShopifyWebhook("orders/create", SHOP, delivery, payload);
    expect(result.kind).toBe("rejected");
    expect(result.kind === "rejected" && result.reason).toMatch(/2\^53/);
  });

  test("the sourceId falls back to the webhook id when there is no event id", () => {
    const [event] = events("orders/create", fixture("orders-create"), { webhookId: "wh-9", receivedAt: RECEIVED });
    expect(event?.sourceId).toBe("shopify:webhook-wh-9:order.upserted");
  });

  test("the same delivery normalizes to the same events (idempotent source ids)", () => {
    expect(events("orders/paid", fixture("orders-paid"))).toStrictEqual(events("orders/paid", fixture("orders-paid")));
  });

  test("unknown financial_status strings map to unknown, not to a guess", () => {
    const [event] = events("orders/updated", { ...fixture("orders-create"), financial_status: "something_new" });
    expect(event?.type === "order.upserted" && event.order.financialStatus).toBe("unknown");
  });

  test("the open payment schedule decides the due date; completed schedules are skipped", () => {
    const payload = {
      ...fixture("orders-updated"),
      payment_terms: {
        payment_terms_name: "Fixed",
        payment_terms_type: "FIXED",
        due_in_days: null,
        payment_schedules: [
          { due_at: "2026-10-15T00:00:00+02:00", completed_at: "2026-10-14T10:00:00+02:00" },
          { due_at: "2026-11-15T00:00:00+01:00", completed_at: null },
          { due_at: "garbage", completed_at: null },
        ],
      },
    };
    const [event] = events("orders/updated", payload);
    expect(event?.type === "order.upserted" && event.order.paymentTerms).toStrictEqual({
      dueAt: new Date("2026-11-14T23:00:00Z"),
      name: "Fixed",
    });
  });
});

describe("payments, refunds, disputes", () => {
  test("order_transactions/create (manual sale) → transaction.created", () => {
    expect(events("order_transactions/create", fixture("order-transactions-create"))).toStrictEqual([
      {
        ...base("transaction.created", TRIGGERED),
        type: "transaction.created",
        platformOrderId: "6120457896234",
        externalId: "7890123456789",
        parentExternalId: null,
        kind: "sale",
        status: "success",
        amount: eur(11990),
        gateway: "Rechnung",
        manualGateway: true,
        test: false,
      },
    ]);
  });

  test.each([
    ["error", "failure"],
    ["FAILURE", "failure"],
    ["pending", "pending"],
  ])("transaction status %s → %s", (status, expected) => {
    const [event] = events("order_transactions/create", { ...fixture("order-transactions-create"), status });
    expect(event?.type === "transaction.created" && event.status).toBe(expected);
  });

  test.each(["authorization", "emv_authorization", "change", "suggested_refund"])(
    "transaction kind %s is ignored",
    (kind) => {
      const result = normalizeShopifyWebhook("order_transactions/create", SHOP, delivery, {
        ...fixture("order-transactions-create"),
        kind,
      });
      expect(result).toStrictEqual({ kind: "ignored", reason: `transaction kind ${kind} moves no money` });
    },
  );

  test("refunds/create → refund.created with the sum of successful refund transactions only", () => {
    expect(events("refunds/create", fixture("refunds-create"))).toStrictEqual([
      {
        ...base("refund.created", TRIGGERED),
        type: "refund.created",
        platformOrderId: "6120458123456",
        externalId: "1012345678901",
        amount: eur(10000),
        note: "Gutschrift: eine Schublade beschädigt",
      },
    ]);
  });

  test("a refund without transactions is a zero refund in the currency of its line items", () => {
    const [event] = events("refunds/create", { ...fixture("refunds-create"), transactions: [] });
    expect(event?.type === "refund.created" && event.amount).toStrictEqual(eur(0));
  });

  test("disputes/create → dispute.opened (chargeback, needs_response)", () => {
    expect(events("disputes/create", fixture("disputes-create"))).toStrictEqual([
      {
        ...base("dispute.opened", TRIGGERED),
        type: "dispute.opened",
        disputeId: "30487512345",
        platformOrderId: "6120459001122",
        disputeType: "chargeback",
        status: "needs_response",
        amount: eur(5995),
        reason: "fraudulent",
        evidenceDueBy: new Date("2026-11-05T22:59:59Z"),
        finalizedAt: null,
      },
    ]);
  });

  test("disputes/update → dispute.updated (won, finalized)", () => {
    expect(events("disputes/update", fixture("disputes-update"))).toStrictEqual([
      {
        ...base("dispute.updated", TRIGGERED),
        type: "dispute.updated",
        disputeId: "30487512345",
        platformOrderId: "6120459001122",
        disputeType: "chargeback",
        status: "won",
        amount: eur(5995),
        reason: "fraudulent",
        evidenceDueBy: new Date("2026-11-05T22:59:59Z"),
        finalizedAt: new Date("2026-11-18T08:12:44Z"),
      },
    ]);
  });

  test("dispute strings are read case-insensitively (GraphQL-style upper case)", () => {
    const [event] = events("disputes/update", {
      ...fixture("disputes-update"),
      status: "PREVENTED",
      type: "INQUIRY",
      reason: "PRODUCT_NOT_RECEIVED",
    });
    expect(event).toMatchObject({ status: "prevented", disputeType: "inquiry", reason: "product_not_received" });
  });

  test("an unknown dispute status is rejected with the status named", () => {
    const result = normalizeShopifyWebhook("disputes/update", SHOP, delivery, {
      ...fixture("disputes-update"),
      status: "escalated",
    });
    expect(result).toStrictEqual({ kind: "rejected", reason: 'disputes/update: unknown dispute status "escalated"' });
  });

  test("a dispute without an order is ignored", () => {
    const result = normalizeShopifyWebhook("disputes/create", SHOP, delivery, {
      ...fixture("disputes-create"),
      order_id: null,
    });
    expect(result.kind).toBe("ignored");
  });
});

describe("app and privacy topics", () => {
  test("app/uninstalled → app.uninstalled at the trigger time", () => {
    expect(events("app/uninstalled", fixture("app-uninstalled"))).toStrictEqual([
      { ...base("app.uninstalled", TRIGGERED), type: "app.uninstalled" },
    ]);
  });

  test("without X-Shopify-Triggered-At the receive time orders the event", () => {
    const [event] = events("app/uninstalled", fixture("app-uninstalled"), {
      webhookId: "wh-1",
      eventId: "ev-1",
      receivedAt: RECEIVED,
    });
    expect(event?.occurredAt).toStrictEqual(RECEIVED);
  });

  test("customers/data_request → privacy.customer_data_request", () => {
    expect(events("customers/data_request", fixture("customers-data-request"))).toStrictEqual([
      {
        ...base("privacy.customer_data_request", TRIGGERED),
        type: "privacy.customer_data_request",
        customerId: "7345120987654",
        email: "anna.mueller@example.de",
        phone: "+4930123456789",
        platformOrderIds: ["6120457896234", "6120458123456"],
        dataRequestId: "4455667",
      },
    ]);
  });

  test("customers/redact → privacy.customer_redact", () => {
    expect(events("customers/redact", fixture("customers-redact"))).toStrictEqual([
      {
        ...base("privacy.customer_redact", TRIGGERED),
        type: "privacy.customer_redact",
        customerId: "7345120987654",
        email: "anna.mueller@example.de",
        phone: "+4930123456789",
        platformOrderIds: ["6120457896234"],
      },
    ]);
  });

  test("shop/redact → privacy.shop_redact", () => {
    expect(events("shop/redact", fixture("shop-redact"))).toStrictEqual([
      { ...base("privacy.shop_redact", TRIGGERED), type: "privacy.shop_redact" },
    ]);
  });

  test.each([
    ["customers/redact", "customers-redact", "shop_domain"],
    ["shop/redact", "shop-redact", "shop_domain"],
    ["app/uninstalled", "app-uninstalled", "myshopify_domain"],
  ])("%s naming another shop than the delivery is rejected", (topic, name, field) => {
    const result = normalizeShopifyWebhook(topic, SHOP, delivery, {
      ...fixture(name),
      [field]: "other-shop.myshopify.com",
    });
    expect(result.kind).toBe("rejected");
    expect(result.kind === "rejected" && result.reason).toContain("other-shop.myshopify.com");
  });
});

describe("ignored and rejected deliveries", () => {
  test.each(["products/update", "checkouts/create", "orders/fulfilled", "inventory_levels/update"])(
    "unknown topic %s is ignored",
    (topic) => {
      expect(normalizeShopifyWebhook(topic, SHOP, delivery, { id: 1 })).toStrictEqual({
        kind: "ignored",
        reason: `topic ${topic} is not used by Mahnwerk`,
      });
    },
  );

  test.each([
    ["null", null],
    ["a string", "a string"],
    ["a number", 42],
    ["an empty array", []],
    ["an array of orders", [fixture("orders-create")]],
  ])("a payload that is %s is rejected", (_label, payload) => {
    const result = normalizeShopifyWebhook("orders/create", SHOP, delivery, payload);
    expect(result).toStrictEqual({ kind: "rejected", reason: "orders/create: payload is not a JSON object" });
  });

  test("a missing required field is rejected with the field named", () => {
    const { total_outstanding: _omit, ...payload } = fixture("orders-create");
    const result = normalizeShopifyWebhook("orders/create", SHOP, delivery, payload);
    expect(result.kind).toBe("rejected");
    expect(result.kind === "rejected" && result.reason).toContain("total_outstanding");
  });

  test("an unparseable amount is rejected through parseMoney, not turned into a float", () => {
    const result = normalizeShopifyWebhook("orders/create", SHOP, delivery, {
      ...fixture("orders-create"),
      total_outstanding: "119,90",
    });
    expect(result.kind).toBe("rejected");
    expect(result.kind === "rejected" && result.reason).toContain("total_outstanding");
  });

  test("a timestamp without zone is rejected (Shopify always sends one)", () => {
    const result = normalizeShopifyWebhook("orders/create", SHOP, delivery, {
      ...fixture("orders-create"),
      updated_at: "2026-10-02 10:15:24",
    });
    expect(result.kind).toBe("rejected");
    expect(result.kind === "rejected" && result.reason).toContain("updated_at");
  });

  test("fuzz: a few hundred mutated payloads never throw and always give a well-formed result", () => {
    const cases: [string, string][] = [
      ["orders/create", "orders-create"],
      ["orders/updated", "orders-updated"],
      ["orders/paid", "orders-paid"],
      ["orders/cancelled", "orders-cancelled"],
      ["order_transactions/create", "order-transactions-create"],
      ["refunds/create", "refunds-create"],
      ["disputes/create", "disputes-create"],
      ["disputes/update", "disputes-update"],
      ["customers/data_request", "customers-data-request"],
      ["customers/redact", "customers-redact"],
      ["shop/redact", "shop-redact"],
      ["app/uninstalled", "app-uninstalled"],
    ];
    fc.assert(
      fc.property(fc.constantFrom(...cases), mutationArb, ([topic, name], mutate) => {
        const payload = mutate(structuredClone(fixture(name)));
        const result = normalizeShopifyWebhook(topic, SHOP, delivery, payload);
        expect(["events", "ignored", "rejected"]).toContain(result.kind);
        if (result.kind === "events") {
          for (const event of result.events) assertWellFormed(event);
        } else {
          expect(result.reason.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 400 },
    );
  });

  test("fuzz: arbitrary JSON values as payloads never throw", () => {
    fc.assert(
      fc.property(
        fc.constantFrom("orders/create", "refunds/create", "disputes/update", "customers/redact"),
        fc.jsonValue(),
        (topic, payload) => {
          const result = normalizeShopifyWebhook(topic, SHOP, delivery, payload);
          expect(["events", "ignored", "rejected"]).toContain(result.kind);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe("normalizeShopifyOrderNode (GraphQL Admin Order)", () => {
  const expected: OrderSnapshot = {
    platformOrderId: "6120458123456",
    name: "#1043",
    createdAt: new Date("2026-10-03T06:02:10Z"),
    updatedAt: new Date("2026-10-12T09:20:46Z"),
    currency: "EUR",
    total: eur(132800),
    outstanding: eur(32800),
    financialStatus: "partially_paid",
    platformStatus: "PARTIALLY_PAID",
    paymentMethods: ["Rechnung"],
    paymentMethodTitle: null,
    paymentTerms: { dueAt: new Date("2026-11-02T07:02:10Z"), dueInDays: 30, name: "Net 30" },
    paidAt: null,
    cancelledAt: null,
    customer: {
      id: "7345121555555",
      firstName: "Thomas",
      lastName: "Weber",
      email: "thomas.weber@schreinerei-weber.de",
      phone: "+49895551234",
      locale: "de-DE",
    },
    companyName: "Schreinerei Weber GmbH",
    b2bCompany: true,
    vatId: null,
    billingAddress: {
      name: "Thomas Weber",
      firstName: "Thomas",
      lastName: "Weber",
      company: "Schreinerei Weber GmbH",
      street1: "Industriestraße 7",
      street2: null,
      postalCode: "80339",
      city: "München",
      region: "BY",
      countryCode: "DE",
      phone: "+49895551234",
    },
    test: false,
    tags: ["B2B", "Rechnung", "Stammkunde"],
  };

  test("maps the node to the same snapshot shape as the webhook", () => {
    expect(normalizeShopifyOrderNode(fixture("graphql-order-node"))).toStrictEqual({ ok: true, order: expected });
  });

  test("accepts paymentSchedules as edges as well as nodes", () => {
    const node = fixture("graphql-order-node");
    const terms = node.paymentTerms as Record<string, unknown>;
    const schedules = (terms.paymentSchedules as { nodes: unknown[] }).nodes;
    const withEdges = {
      ...node,
      paymentTerms: { ...terms, paymentSchedules: { edges: schedules.map((n) => ({ node: n })) } },
    };
    expect(normalizeShopifyOrderNode(withEdges)).toStrictEqual({ ok: true, order: expected });
  });

  test("a node without a valid Order gid is refused with a reason", () => {
    const result = normalizeShopifyOrderNode({ ...fixture("graphql-order-node"), id: "gid://shopify/Customer/1" });
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason).toContain("id");
  });

  test("garbage never throws", () => {
    fc.assert(
      fc.property(mutationArb, (mutate) => {
        const result = normalizeShopifyOrderNode(mutate(structuredClone(fixture("graphql-order-node"))));
        if (result.ok) assertWellFormedOrder(result.order);
        else expect(result.reason.length).toBeGreaterThan(0);
      }),
      { numRuns: 200 },
    );
  });
});

describe("mapShopifyFinancialStatus", () => {
  test.each([
    ["pending", "pending"],
    ["PENDING", "pending"],
    ["authorized", "authorized"],
    ["PARTIALLY_PAID", "partially_paid"],
    ["paid", "paid"],
    ["partially_refunded", "partially_refunded"],
    ["REFUNDED", "refunded"],
    ["voided", "voided"],
    ["EXPIRED", "expired"],
    ["", "unknown"],
    [null, "unknown"],
    ["gift_card", "unknown"],
  ] as const)("%j → %s", (input, expected) => {
    expect(mapShopifyFinancialStatus(input)).toBe(expected);
  });
});

// ---------------------------------------------------------------------------------------------------------
// Fuzz helpers: mutate a realistic payload at random paths.

type Json = unknown;
type Mutation = (value: Json) => Json;

const mutationArb: fc.Arbitrary<Mutation> = fc
  .array(
    fc.record({
      path: fc.array(fc.nat({ max: 60 }), { minLength: 1, maxLength: 4 }),
      op: fc.constantFrom("delete", "replace", "stringify"),
      value: fc.oneof(
        fc.jsonValue(),
        fc.constantFrom("", "-1", "1e400", "NaN", "12,50", "2026-13-45T99:99:99Z", null, 2 ** 60),
      ),
    }),
    { minLength: 1, maxLength: 6 },
  )
  .map((steps) => (root: Json) => {
    let current = root;
    for (const step of steps) current = applyStep(current, step.path, step.op, step.value);
    return current;
  });

function applyStep(root: Json, path: number[], op: string, value: Json): Json {
  if (root === null || typeof root !== "object") return op === "replace" ? value : root;
  let container = root as Record<string, Json>;
  for (let depth = 0; depth < path.length; depth++) {
    const keys = Object.keys(container);
    if (keys.length === 0) return root;
    const key = keys[(path[depth] ?? 0) % keys.length] as string;
    const child = container[key];
    const last = depth === path.length - 1 || child === null || typeof child !== "object";
    if (last) {
      if (op === "delete") delete container[key];
      else if (op === "replace") container[key] = value;
      else
        container[key] = typeof child === "number" ? String(child) : typeof child === "string" ? Number(child) : value;
      return root;
    }
    container = child as Record<string, Json>;
  }
  return root;
}

function assertWellFormedMoney(money: { amountMinor: number; currency: string }): void {
  expect(Number.isSafeInteger(money.amountMinor)).toBe(true);
  expect(money.currency).toMatch(/^[A-Z]{3}$/);
}

function assertValidDate(date: Date | null): void {
  if (date !== null) expect(Number.isNaN(date.getTime())).toBe(false);
}

function assertWellFormedOrder(order: OrderSnapshot): void {
  assertWellFormedMoney(order.total);
  assertWellFormedMoney(order.outstanding);
  assertValidDate(order.createdAt);
  assertValidDate(order.updatedAt);
  assertValidDate(order.cancelledAt);
  expect(order.platformOrderId).toMatch(/^\d+$/);
}

function assertWellFormed(event: PlatformEvent): void {
  expect(event.platform).toBe("shopify");
  expect(event.sourceId.length).toBeGreaterThan(0);
  assertValidDate(event.occurredAt);
  if (event.type === "order.upserted") assertWellFormedOrder(event.order);
  if ("amount" in event) assertWellFormedMoney(event.amount);
}
