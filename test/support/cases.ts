import type { DbOrTx } from "#app/db/client.server";
import { type OrderRow, orders, type Shop } from "#app/db/schema";
import type { OrderSnapshot } from "#app/domain/platform-event";
import { openCaseForOrder } from "#app/services/cases/commands.server";
import type { OrderReader } from "#app/services/intake/order-reread.server";

let n = 0;

/** An invoice order with a complete German address, and its case opened through the service. */
export async function openTestCase(
  db: DbOrTx,
  shop: Shop,
  options: { amountMinor?: number; dueDate?: string; street?: string | null; firstName?: string } = {},
) {
  n += 1;
  const amount = options.amountMinor ?? 11_990;
  const [order] = await db
    .insert(orders)
    .values({
      shopId: shop.id,
      platformOrderId: `9${String(n).padStart(6, "0")}${Math.floor(Math.random() * 1e6)}`,
      name: `#T${n}`,
      currency: "EUR",
      totalMinor: amount,
      outstandingMinor: amount,
      financialStatus: "pending",
      paymentMethods: ["Rechnung"],
      isInvoice: true,
      orderedAt: new Date("2026-10-01T10:00:00Z"),
      dueDate: options.dueDate ?? "2026-10-15",
      platformUpdatedAt: new Date("2026-10-01T10:00:00Z"),
      customer: {
        platformCustomerId: "1",
        firstName: options.firstName ?? "Anna",
        lastName: "Müller",
        company: null,
        email: "anna@example.de",
        phone: null,
        locale: "de",
      },
      billingAddress: {
        name: "Anna Müller",
        company: null,
        street1: options.street === undefined ? "Hauptstraße 1" : options.street,
        street2: null,
        postalCode: "10115",
        city: "Berlin",
        countryCode: "DE",
      },
    })
    .returning();
  return { order: order!, case: await openCaseOf(db, shop, order!) };
}

/** Opens the invoice case of a stored order as the scheduler does once it is overdue: all it owes, at its due date. */
export async function openCaseOf(db: DbOrTx, shop: Shop, order: OrderRow, now = new Date("2026-10-16T08:00:00Z")) {
  const result = await openCaseForOrder(db, {
    shop,
    order,
    kind: "invoice",
    outstanding: { amountMinor: order.outstandingMinor, currency: order.currency },
    dueDate: order.dueDate ?? "2026-10-15",
    actor: { type: "scheduler", id: "dunning" },
    now,
    sourceId: null,
  });
  if (!result || !result.ok) throw new Error("case not opened");
  return result.case;
}

/** The platform asked right before a handover has nothing new to say: the claim goes out as the case has it. */
export const nothingNewOnPlatform: OrderReader = async () => ({ kind: "none" });

/** The order as its platform would show it once paid in full at `paidAt` (what a re-read right before handover finds). */
export function paidSnapshot(order: OrderRow, paidAt: Date): OrderSnapshot {
  const c = order.customer;
  const a = order.billingAddress;
  return {
    platformOrderId: order.platformOrderId,
    name: order.name,
    createdAt: order.orderedAt,
    updatedAt: paidAt,
    currency: order.currency,
    total: { amountMinor: order.totalMinor, currency: order.currency },
    outstanding: { amountMinor: 0, currency: order.currency },
    financialStatus: "paid",
    platformStatus: "paid",
    paymentMethods: order.paymentMethods,
    paymentMethodTitle: null,
    paymentTerms: null,
    paidAt,
    cancelledAt: null,
    customer: {
      id: c.platformCustomerId,
      firstName: c.firstName,
      lastName: c.lastName,
      email: c.email,
      phone: c.phone,
      locale: c.locale,
    },
    companyName: c.company,
    b2bCompany: false,
    vatId: null,
    billingAddress: a ? { ...a, firstName: c.firstName, lastName: c.lastName, region: null, phone: null } : null,
    test: false,
    tags: [],
  };
}
