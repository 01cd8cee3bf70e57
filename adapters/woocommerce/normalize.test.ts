import fc from "fast-check";
import { describe, expect, test } from "vitest";

import type { OrderSnapshot, PlatformEvent } from "#app/domain/platform-event";
import { fixtureJson } from "#test/fixtures/sign";

import type { WooDeliveryContext } from "./normalize";
import { mapWooStatus, normalizeWooOrder, normalizeWooWebhook, wooShopDomain } from "./normalize";

const STORE = "https://wollwerk.example.de/";
const SHOP = "wollwerk.example.de";
const RECEIVED = new Date("2026-11-23T08:00:01.000Z");
const context: WooDeliveryContext = { receivedAt: RECEIVED, deliveryKey: "d-1:abc" };
const eur = (amountMinor: number) => ({ amountMinor, currency: "EUR" });
const fixture = (name: string) => fixtureJson(`woocommerce/${name}.json`) as Record<string, unknown>;
const snapshotSource = (id: number, modified: string, type: string) =>
  expect.stringMatching(
    new RegExp(
      `^woocommerce:${SHOP.replace(/\./g, "\\.")}:order:${id}:${modified.replace(/\./g, "\\.")}:[0-9a-f]{16}:${type.replace(".", "\\.")}$`,
    ),
  );

function events(topic: string, payload: unknown, ctx: WooDeliveryContext = context): PlatformEvent[] {
  const result = normalizeWooWebhook(topic, STORE, payload, ctx);
  if (result.kind !== "events") throw new Error(`expected events, got ${result.kind}: ${result.reason}`);
  return result.events;
}

const lukasOrder: OrderSnapshot = {
  platformOrderId: "4711",
  name: "4711",
  createdAt: new Date("2026-10-01T09:20:05Z"),
  updatedAt: new Date("2026-10-01T09:20:07Z"),
  currency: "EUR",
  total: eur(8990),
  outstanding: eur(8990),
  financialStatus: "pending",
  platformStatus: "on-hold",
  paymentMethods: ["invoice"],
  paymentMethodTitle: "Rechnung",
  paymentTerms: null,
  paidAt: null,
  cancelledAt: null,
  customer: {
    id: null,
    firstName: "Lukas",
    lastName: "Becker",
    email: "lukas.becker@example.de",
    phone: "0221 987654",
    locale: null,
  },
  companyName: null,
  b2bCompany: false,
  vatId: null,
  billingAddress: {
    name: "Lukas Becker",
    firstName: "Lukas",
    lastName: "Becker",
    company: null,
    street1: "Hauptstraße 12",
    street2: null,
    postalCode: "50667",
    city: "Köln",
    region: null,
    countryCode: "DE",
    phone: "0221 987654",
  },
  test: false,
  tags: [],
};

describe("order topics", () => {
  test("order.created (Germanized invoice, on-hold) → order.upserted, unpaid, dates read as UTC", () => {
    expect(events("order.created", fixture("order-created-invoice"))).toStrictEqual([
      {
        platform: "woocommerce",
        shopDomain: SHOP,
        sourceId: snapshotSource(4711, "2026-10-01T09:20:07.000Z", "order.upserted"),
        occurredAt: new Date("2026-10-01T09:20:07Z"),
        type: "order.upserted",
        order: lukasOrder,
      },
    ]);
  });

  test("German Market purchase on account: processing with date_paid is still unpaid; the credit note lowers the claim", () => {
    const updatedAt = new Date("2026-10-09T06:40:12Z");
    expect(events("order.updated", fixture("order-updated-purchase-on-account"))).toStrictEqual([
      {
        platform: "woocommerce",
        shopDomain: SHOP,
        sourceId: snapshotSource(4720, "2026-10-09T06:40:12.000Z", "order.upserted"),
        occurredAt: updatedAt,
        type: "order.upserted",
        order: {
          platformOrderId: "4720",
          name: "RE-2026-4720",
          createdAt: new Date("2026-10-04T13:02:44Z"),
          updatedAt,
          currency: "EUR",
          // 149 € placed, 10 € credit note: the current total, as Shopify reports it.
          total: eur(13900),
          outstanding: eur(13900),
          financialStatus: "pending",
          platformStatus: "processing",
          paymentMethods: ["german_market_purchase_on_account"],
          paymentMethodTitle: "Kauf auf Rechnung",
          paymentTerms: null,
          paidAt: new Date("2026-10-04T13:02:45Z"),
          cancelledAt: null,
          customer: {
            id: "58",
            firstName: "Sabine",
            lastName: "Krüger",
            email: "s.krueger@krueger-soehne.de",
            phone: "0341 555 0199",
            locale: null,
          },
          companyName: "Krüger & Söhne OHG",
          b2bCompany: false,
          vatId: null,
          billingAddress: {
            name: "Sabine Krüger",
            firstName: "Sabine",
            lastName: "Krüger",
            company: "Krüger & Söhne OHG",
            street1: "Am Markt 3",
            street2: "Hinterhaus",
            postalCode: "04109",
            city: "Leipzig",
            region: null,
            countryCode: "DE",
            phone: "0341 555 0199",
          },
          test: false,
          tags: [],
        },
      },
      {
        platform: "woocommerce",
        shopDomain: SHOP,
        sourceId: "woocommerce:wollwerk.example.de:refund:4731",
        occurredAt: updatedAt,
        type: "refund.created",
        platformOrderId: "4720",
        externalId: "4731",
        amount: eur(1000),
        note: "Gutschrift Versandschaden",
      },
    ]);
  });

  test("a shop that records invoice payment with a status can declare it (invoicePaidStatuses)", () => {
    const result = events("order.updated", fixture("order-updated-purchase-on-account"), {
      ...context,
      invoicePaidStatuses: ["wc-processing"],
    });
    const upserted = result[0];
    expect(upserted?.type === "order.upserted" && upserted.order).toMatchObject({
      financialStatus: "partially_refunded",
      outstanding: eur(0),
    });
    expect(result.map((e) => e.type)).toStrictEqual(["order.upserted", "order.paid", "refund.created"]);
  });

  test("a card/PayPal order in processing is paid → order.upserted + order.paid", () => {
    const updatedAt = new Date("2026-10-06T18:11:15Z");
    const result = events("order.updated", fixture("order-updated-paid-paypal"));
    expect(result).toHaveLength(2);
    expect(result[0]).toMatchObject({
      type: "order.upserted",
      occurredAt: updatedAt,
      order: {
        platformOrderId: "4725",
        financialStatus: "paid",
        total: eur(3450),
        outstanding: eur(0),
        paidAt: new Date("2026-10-06T18:11:14Z"),
        paymentMethods: ["ppcp-gateway"],
        customer: { phone: null },
      },
    });
    expect(result[1]).toStrictEqual({
      platform: "woocommerce",
      shopDomain: SHOP,
      sourceId: snapshotSource(4725, "2026-10-06T18:11:15.000Z", "order.paid"),
      occurredAt: updatedAt,
      type: "order.paid",
      platformOrderId: "4725",
      outstanding: eur(0),
    });
  });

  test("a cancelled invoice order → voided, nothing outstanding, order.cancelled at date_modified_gmt", () => {
    const updatedAt = new Date("2026-10-08T08:00:31Z");
    const result = events("order.updated", fixture("order-updated-cancelled"));
    expect(result[0]).toStrictEqual({
      platform: "woocommerce",
      shopDomain: SHOP,
      sourceId: snapshotSource(4711, "2026-10-08T08:00:31.000Z", "order.upserted"),
      occurredAt: updatedAt,
      type: "order.upserted",
      order: {
        ...lukasOrder,
        updatedAt,
        financialStatus: "voided",
        platformStatus: "cancelled",
        outstanding: eur(0),
        cancelledAt: updatedAt,
      },
    });
    expect(result[1]).toStrictEqual({
      platform: "woocommerce",
      shopDomain: SHOP,
      sourceId: snapshotSource(4711, "2026-10-08T08:00:31.000Z", "order.cancelled"),
      occurredAt: updatedAt,
      type: "order.cancelled",
      platformOrderId: "4711",
      cancelledAt: updatedAt,
      reason: null,
    });
    expect(result).toHaveLength(2);
  });

  test("order.deleted ({id} only) → order.deleted at the receive time, keyed by the delivery", () => {
    expect(events("order.deleted", fixture("order-deleted"))).toStrictEqual([
      {
        platform: "woocommerce",
        shopDomain: SHOP,
        sourceId: "woocommerce:wollwerk.example.de:order:4711:deleted:d-1:abc",
        occurredAt: RECEIVED,
        type: "order.deleted",
        platformOrderId: "4711",
      },
    ]);
  });

  test("order.restored → order.upserted + order.restored", () => {
    const updatedAt = new Date("2026-10-09T10:14:00Z");
    expect(events("order.restored", fixture("order-restored"))).toStrictEqual([
      {
        platform: "woocommerce",
        shopDomain: SHOP,
        sourceId: snapshotSource(4711, "2026-10-09T10:14:00.000Z", "order.upserted"),
        occurredAt: updatedAt,
        type: "order.upserted",
        order: { ...lukasOrder, updatedAt },
      },
      {
        platform: "woocommerce",
        shopDomain: SHOP,
        sourceId: snapshotSource(4711, "2026-10-09T10:14:00.000Z", "order.restored"),
        occurredAt: updatedAt,
        type: "order.restored",
        platformOrderId: "4711",
      },
    ]);
  });

  test("the same payload gives the same source ids; a different body at the same second does not", () => {
    const a = events("order.updated", fixture("order-created-invoice"));
    const b = events("order.updated", fixture("order-created-invoice"));
    const c = events("order.updated", { ...fixture("order-created-invoice"), customer_note: "Bitte klingeln" });
    expect(a[0]?.sourceId).toBe(b[0]?.sourceId);
    expect(a[0]?.sourceId).not.toBe(c[0]?.sourceId);
  });

  test("refund events keep their source id across later order updates", () => {
    const first = events("order.updated", fixture("order-updated-purchase-on-account"));
    const later = events("order.updated", {
      ...fixture("order-updated-purchase-on-account"),
      date_modified_gmt: "2026-10-15T07:00:00",
    });
    expect(first.find((e) => e.type === "refund.created")?.sourceId).toBe(
      later.find((e) => e.type === "refund.created")?.sourceId,
    );
  });

  test("a shop's own invoice list replaces the default", () => {
    const [event] = events("order.updated", fixture("order-updated-purchase-on-account"), {
      ...context,
      invoicePaymentMethods: ["invoice"],
    });
    // German Market is then an ordinary gateway: processing means paid (partly refunded).
    expect(event?.type === "order.upserted" && event.order.financialStatus).toBe("partially_refunded");
  });

  test("a VAT id comes from the order meta a VAT plugin wrote; a company name alone is none", () => {
    const order = fixture("order-updated-purchase-on-account");
    const withMeta = (meta: { key: string; value: unknown }[]) => normalizeWooOrder({ ...order, meta_data: meta });
    const vatIdOf = (result: ReturnType<typeof normalizeWooOrder>) => (result.ok ? result.order.vatId : "rejected");
    expect(vatIdOf(withMeta([]))).toBeNull();
    expect(vatIdOf(withMeta([{ key: "_billing_vat_id", value: " DE 123456789 " }]))).toBe("DE 123456789");
    expect(
      vatIdOf(
        withMeta([
          { key: "vat_number", value: "" },
          { key: "_vat_number", value: "ATU12345678" },
        ]),
      ),
    ).toBe("ATU12345678");
    expect(vatIdOf(withMeta([{ key: "_billing_vat_id", value: { nested: true } }]))).toBeNull();
    // A shop whose plugin uses its own key names it; the defaults are then not read.
    const own = normalizeWooOrder(
      {
        ...order,
        meta_data: [
          { key: "ust_id", value: "DE999999999" },
          { key: "vat_number", value: "DE1" },
        ],
      },
      { vatIdMetaKeys: ["ust_id"] },
    );
    expect(vatIdOf(own)).toBe("DE999999999");
    const plain = withMeta([]);
    expect(plain.ok && plain.order).toMatchObject({ companyName: "Krüger & Söhne OHG", b2bCompany: false });
  });
});

describe("ignored and rejected deliveries", () => {
  test.each(["product.updated", "customer.created", "coupon.deleted", "action.woocommerce_new_order"])(
    "topic %s is ignored",
    (topic) => {
      expect(normalizeWooWebhook(topic, STORE, { id: 1 }, context)).toStrictEqual({
        kind: "ignored",
        reason: `topic ${topic} is not used by Mahnwerk`,
      });
    },
  );

  test("a checkout-draft order is ignored", () => {
    const result = normalizeWooWebhook(
      "order.updated",
      STORE,
      { ...fixture("order-created-invoice"), status: "checkout-draft" },
      context,
    );
    expect(result.kind).toBe("ignored");
  });

  test("a store URL that is not http(s) is rejected", () => {
    const result = normalizeWooWebhook(
      "order.created",
      "ftp://wollwerk.example.de",
      fixture("order-created-invoice"),
      context,
    );
    expect(result.kind).toBe("rejected");
  });

  test.each([
    ["null", null],
    ["a string", "webhook_id=17"],
    ["an array", [1, 2]],
  ])("a payload that is %s is rejected", (_label, payload) => {
    expect(normalizeWooWebhook("order.updated", STORE, payload, context)).toStrictEqual({
      kind: "rejected",
      reason: "order.updated: payload is not a JSON object",
    });
  });

  test("an unparseable date is rejected with the field named", () => {
    const result = normalizeWooWebhook(
      "order.updated",
      STORE,
      { ...fixture("order-created-invoice"), date_modified_gmt: "gestern" },
      context,
    );
    expect(result.kind).toBe("rejected");
    expect(result.kind === "rejected" && result.reason).toContain("date_modified_gmt");
  });

  test("an unparseable total is rejected through parseMoney", () => {
    const result = normalizeWooWebhook(
      "order.updated",
      STORE,
      { ...fixture("order-created-invoice"), total: "89,90" },
      context,
    );
    expect(result.kind).toBe("rejected");
    expect(result.kind === "rejected" && result.reason).toContain("total");
  });

  test("order.deleted without an id is rejected", () => {
    expect(normalizeWooWebhook("order.deleted", STORE, {}, context).kind).toBe("rejected");
  });

  test("fuzz: a few hundred mutated payloads never throw and always give a well-formed result", () => {
    const cases: [string, string][] = [
      ["order.created", "order-created-invoice"],
      ["order.updated", "order-updated-purchase-on-account"],
      ["order.updated", "order-updated-paid-paypal"],
      ["order.updated", "order-updated-cancelled"],
      ["order.restored", "order-restored"],
      ["order.deleted", "order-deleted"],
    ];
    fc.assert(
      fc.property(fc.constantFrom(...cases), mutationArb, ([topic, name], mutate) => {
        const result = normalizeWooWebhook(topic, STORE, mutate(structuredClone(fixture(name))), context);
        expect(["events", "ignored", "rejected"]).toContain(result.kind);
        if (result.kind === "events") for (const event of result.events) assertWellFormed(event);
        else expect(result.reason.length).toBeGreaterThan(0);
      }),
      { numRuns: 400 },
    );
  });

  test("fuzz: arbitrary JSON never throws", () => {
    fc.assert(
      fc.property(fc.constantFrom(...["order.created", "order.deleted"]), fc.jsonValue(), (topic, payload) => {
        expect(["events", "ignored", "rejected"]).toContain(normalizeWooWebhook(topic, STORE, payload, context).kind);
      }),
      { numRuns: 200 },
    );
  });
});

describe("normalizeWooOrder", () => {
  test("returns the snapshot for an import row", () => {
    expect(normalizeWooOrder(fixture("order-created-invoice"))).toStrictEqual({ ok: true, order: lukasOrder });
  });

  test("refuses garbage with a reason instead of throwing", () => {
    const result = normalizeWooOrder({ id: "x" });
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason).toContain("id");
  });
});

describe("mapWooStatus", () => {
  const open = { refundedMinor: 0, totalMinor: 10000, invoicePaidStatuses: [] as string[] };
  test.each([
    ["pending", true, "pending"],
    ["on-hold", true, "pending"],
    ["processing", true, "pending"],
    ["completed", true, "pending"],
    ["pending", false, "pending"],
    ["on-hold", false, "pending"],
    ["processing", false, "paid"],
    ["completed", false, "paid"],
    ["wc-completed", false, "paid"],
    ["cancelled", true, "voided"],
    ["failed", false, "voided"],
    ["refunded", true, "refunded"],
    ["trash", true, "unknown"],
    ["shipped", false, "unknown"],
  ] as const)("%s (invoice gateway: %s) → %s", (status, isInvoice, expected) => {
    expect(mapWooStatus(status, { ...open, isInvoice }).financialStatus).toBe(expected);
  });

  test("a fully refunded paid order is refunded; a partly refunded one partially_refunded", () => {
    expect(mapWooStatus("completed", { ...open, isInvoice: false, refundedMinor: 10000 }).financialStatus).toBe(
      "refunded",
    );
    expect(mapWooStatus("completed", { ...open, isInvoice: false, refundedMinor: 2500 }).financialStatus).toBe(
      "partially_refunded",
    );
  });

  test("a declared paid status counts for invoice gateways", () => {
    expect(mapWooStatus("completed", { ...open, isInvoice: true, invoicePaidStatuses: ["completed"] })).toStrictEqual({
      financialStatus: "paid",
      settled: true,
    });
  });
});

describe("wooShopDomain", () => {
  test.each([
    ["https://wollwerk.example.de/", "wollwerk.example.de"],
    ["https://WollWerk.Example.de", "wollwerk.example.de"],
    ["https://example.de/shop/", "example.de/shop"],
    ["http://localhost:8080/", "localhost:8080"],
    ["not a url", null],
    ["mailto:shop@example.de", null],
  ])("%s → %s", (url, expected) => {
    expect(wooShopDomain(url)).toBe(expected);
  });
});

// ---------------------------------------------------------------------------------------------------------

type Json = unknown;
type Mutation = (value: Json) => Json;

const mutationArb: fc.Arbitrary<Mutation> = fc
  .array(
    fc.record({
      path: fc.array(fc.nat({ max: 60 }), { minLength: 1, maxLength: 4 }),
      op: fc.constantFrom("delete", "replace", "stringify"),
      value: fc.oneof(
        fc.jsonValue(),
        fc.constantFrom("", "-1", "1e400", "12,50", "2026-02-31T25:61:00", "trash", "checkout-draft", null),
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

function assertWellFormed(event: PlatformEvent): void {
  expect(event.platform).toBe("woocommerce");
  expect(event.shopDomain).toBe(SHOP);
  expect(Number.isNaN(event.occurredAt.getTime())).toBe(false);
  if (event.type === "order.upserted") {
    for (const money of [event.order.total, event.order.outstanding]) {
      expect(Number.isSafeInteger(money.amountMinor)).toBe(true);
      expect(money.currency).toMatch(/^[A-Z]{3}$/);
    }
    expect(event.order.outstanding.amountMinor).toBeGreaterThanOrEqual(0);
    expect(Number.isNaN(event.order.updatedAt.getTime())).toBe(false);
  }
  if ("amount" in event) expect(Number.isSafeInteger(event.amount.amountMinor)).toBe(true);
}
