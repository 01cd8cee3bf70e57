import { randomUUID } from "node:crypto";

import type { DbOrTx } from "#app/db/client.server";
import { type CaseRow, cases, type OrderRow, orders, type Shop, shops } from "#app/db/schema";

/** Test rows written straight into the tables, for read-side tests (lists, CSV, API shapes, isolation). */
export async function insertShop(db: DbOrTx, overrides: Partial<typeof shops.$inferInsert> = {}): Promise<Shop> {
  const [shop] = await db
    .insert(shops)
    .values({
      platform: "shopify",
      domain: `shop-${randomUUID().slice(0, 8)}.myshopify.com`,
      name: "Testshop",
      timezone: "Europe/Berlin",
      currency: "EUR",
      locale: "de",
      ...overrides,
    })
    .returning();
  return shop!;
}

let orderNumber = 1000;

/** A tracked invoice order (119,90 €, due 2026-10-15, Anna Müller in Berlin), overridable field by field. */
export async function insertOrder(
  db: DbOrTx,
  shop: Shop,
  overrides: Partial<typeof orders.$inferInsert> = {},
): Promise<OrderRow> {
  orderNumber += 1;
  const [order] = await db
    .insert(orders)
    .values({
      shopId: shop.id,
      platformOrderId: String(5_000_000 + orderNumber),
      name: `#${orderNumber}`,
      currency: "EUR",
      totalMinor: 11_990,
      outstandingMinor: 11_990,
      financialStatus: "pending",
      paymentMethods: ["Rechnung"],
      isInvoice: true,
      orderedAt: new Date("2026-10-01T10:00:00Z"),
      dueDate: "2026-10-15",
      platformUpdatedAt: new Date("2026-10-01T10:00:00Z"),
      customer: {
        platformCustomerId: "1",
        firstName: "Anna",
        lastName: "Müller",
        company: null,
        email: "anna@example.de",
        phone: null,
        locale: "de",
      },
      billingAddress: {
        name: "Anna Müller",
        company: null,
        street1: "Friedrichstraße 123",
        street2: null,
        postalCode: "10117",
        city: "Berlin",
        countryCode: "DE",
      },
      ...overrides,
    })
    .returning();
  return order!;
}

export async function insertCaseRow(
  db: DbOrTx,
  shop: Shop,
  overrides: Partial<typeof cases.$inferInsert> & { firstName?: string | null; lastName?: string | null } = {},
): Promise<CaseRow> {
  const { firstName = "Anna", lastName = "Müller", ...caseOverrides } = overrides;
  const order = await insertOrder(db, shop, {
    customer: {
      platformCustomerId: "1",
      firstName,
      lastName,
      company: null,
      email: "anna@example.de",
      phone: null,
      locale: "de",
    },
    billingAddress: null,
  });
  const [row] = await db
    .insert(cases)
    .values({
      shopId: shop.id,
      orderId: order!.id,
      kind: "invoice",
      status: "waiting_for_approval",
      currency: "EUR",
      originalMinor: order!.totalMinor,
      outstandingMinor: order!.outstandingMinor,
      dueDate: "2026-10-15",
      platformOrderId: order!.platformOrderId,
      orderName: order!.name,
      customerFirstName: firstName,
      customerLastName: lastName,
      state: {},
      ...caseOverrides,
    })
    .returning();
  return row!;
}
