import { and, eq, sql } from "drizzle-orm";

import type { DbOrTx } from "#app/db/client.server";
import { type OrderAddress, type OrderCustomer, type OrderRow, orders, type Shop } from "#app/db/schema";
import type { OrderSnapshot } from "#app/domain/platform-event";
import { dueDateFor, isInvoiceOrder } from "#app/domain/policies";
import type { Settings } from "#app/domain/settings";

export type SnapshotOutcome =
  /** A known order changed: the snapshot is now the stored state; `previous` is what was stored before. */
  | { kind: "stored"; row: OrderRow; previous: OrderRow }
  /** New to us and stored; its row is not read back (nothing hangs on it yet). */
  | { kind: "inserted" }
  /** Older than (or as old as) what is stored: a late delivery never overwrites newer state. */
  | { kind: "stale"; row: OrderRow }
  /** Not an invoice order and not tracked: we keep no personal data of orders we do not dun. */
  | { kind: "untracked" };

/**
 * Stores the platform's view of orders, the newest one winning by the platform's own updated time. Orders that are
 * not bought on invoice are not stored at all, unless they already are (a case may hang on them). One read of the
 * stored rows, one multi-row insert of the new ones, an update per changed known one: a webhook passes one snapshot,
 * an import 1,000 — this is what makes an import of 100,000 orders take seconds rather than minutes. The insert
 * still checks the platform's updated time, so an order stored concurrently is never overwritten by an older snapshot.
 */
export async function storeOrderSnapshots(
  tx: DbOrTx,
  shop: Shop,
  snapshots: OrderSnapshot[],
  settings: Pick<Settings, "invoicePaymentMethods" | "defaultPaymentTermDays">,
): Promise<SnapshotOutcome[]> {
  if (snapshots.length === 0) return [];
  const ids = [...new Set(snapshots.map((s) => s.platformOrderId))];
  const known = new Map<string, OrderRow>();
  const rows = await tx
    .select()
    .from(orders)
    .where(
      and(
        eq(orders.shopId, shop.id),
        sql`${orders.platformOrderId} in (select jsonb_array_elements_text(${JSON.stringify(ids)}::jsonb))`,
      ),
    )
    .orderBy(orders.platformOrderId)
    .for("update");
  for (const row of rows) known.set(row.platformOrderId, row);

  const outcomes: SnapshotOutcome[] = [];
  const inserts = new Map<string, typeof orders.$inferInsert>();
  for (const snapshot of snapshots) {
    const existing = known.get(snapshot.platformOrderId) ?? null;
    const decision = decide(shop, snapshot, existing, settings);
    if (decision.kind !== "write") {
      outcomes.push(decision);
      continue;
    }
    if (existing) {
      const [row] = await tx
        .update(orders)
        .set({ ...decision.values, updatedAt: new Date() })
        .where(eq(orders.id, existing.id))
        .returning();
      known.set(snapshot.platformOrderId, row!);
      outcomes.push({ kind: "stored", row: row!, previous: existing });
      continue;
    }
    // The same order twice in one batch: the newer snapshot is the one inserted.
    const queued = inserts.get(snapshot.platformOrderId);
    if (queued && (queued.platformUpdatedAt as Date).getTime() >= snapshot.updatedAt.getTime()) {
      outcomes.push({ kind: "untracked" });
      continue;
    }
    inserts.set(snapshot.platformOrderId, {
      shopId: shop.id,
      platformOrderId: snapshot.platformOrderId,
      ...decision.values,
    });
    outcomes.push({ kind: "inserted" });
  }
  if (inserts.size > 0) await insertOrders(tx, [...inserts.values()]);
  return outcomes;
}

/*
 * The batch travels as one JSON parameter expanded by jsonb_to_recordset: building a 1,000-row VALUES list through
 * the query builder costs more CPU than PostgreSQL needs to store it. ON CONFLICT keeps "newest wins" for an order a
 * webhook inserted meanwhile.
 */
async function insertOrders(tx: DbOrTx, rows: (typeof orders.$inferInsert)[]): Promise<void> {
  await tx.execute(sql`
    insert into orders (shop_id, platform_order_id, name, currency, total_minor, outstanding_minor, financial_status, payment_methods,
                        is_invoice, ordered_at, due_date, cancelled_at, platform_updated_at, customer, billing_address)
    select r.shop_id, r.platform_order_id, r.name, r.currency, r.total_minor, r.outstanding_minor, r.financial_status, r.payment_methods,
           r.is_invoice, r.ordered_at, r.due_date, r.cancelled_at, r.platform_updated_at, r.customer, r.billing_address
    from jsonb_to_recordset(${JSON.stringify(rows.map(recordOf))}::jsonb) as r(
      shop_id uuid, platform_order_id text, name text, currency text, total_minor bigint, outstanding_minor bigint, financial_status text,
      payment_methods jsonb, is_invoice boolean, ordered_at timestamptz, due_date date, cancelled_at timestamptz,
      platform_updated_at timestamptz, customer jsonb, billing_address jsonb)
    on conflict (shop_id, platform_order_id) do update set
      name = excluded.name, currency = excluded.currency, total_minor = excluded.total_minor,
      outstanding_minor = excluded.outstanding_minor, financial_status = excluded.financial_status,
      payment_methods = excluded.payment_methods, is_invoice = excluded.is_invoice, ordered_at = excluded.ordered_at,
      due_date = excluded.due_date, cancelled_at = excluded.cancelled_at, platform_updated_at = excluded.platform_updated_at,
      customer = excluded.customer, billing_address = excluded.billing_address, updated_at = now()
    where orders.platform_updated_at < excluded.platform_updated_at`);
}

function recordOf(row: typeof orders.$inferInsert) {
  return {
    shop_id: row.shopId,
    platform_order_id: row.platformOrderId,
    name: row.name,
    currency: row.currency,
    total_minor: row.totalMinor,
    outstanding_minor: row.outstandingMinor,
    financial_status: row.financialStatus,
    payment_methods: row.paymentMethods,
    is_invoice: row.isInvoice,
    ordered_at: row.orderedAt,
    due_date: row.dueDate,
    cancelled_at: row.cancelledAt,
    platform_updated_at: row.platformUpdatedAt,
    customer: row.customer,
    billing_address: row.billingAddress,
  };
}

type Decision =
  Extract<SnapshotOutcome, { kind: "stale" | "untracked" }> | { kind: "write"; values: ReturnType<typeof rowValues> };

function decide(
  shop: Shop,
  snapshot: OrderSnapshot,
  existing: OrderRow | null,
  settings: Pick<Settings, "invoicePaymentMethods" | "defaultPaymentTermDays">,
): Decision {
  if (existing && existing.platformUpdatedAt.getTime() >= snapshot.updatedAt.getTime())
    return { kind: "stale", row: existing };
  const invoice =
    !snapshot.test &&
    isInvoiceOrder(
      {
        paymentMethods: snapshot.paymentMethods,
        hasPaymentTerms: snapshot.paymentTerms !== null,
        financialStatus: snapshot.financialStatus,
      },
      settings.invoicePaymentMethods,
    );
  // A paid invoice order stays tracked (its case needs the payment); a card order never becomes tracked.
  if (!existing && !invoice) return { kind: "untracked" };
  return {
    kind: "write",
    values: rowValues(shop, snapshot, invoice || (existing?.isInvoice ?? false), settings.defaultPaymentTermDays),
  };
}

function rowValues(shop: Shop, snapshot: OrderSnapshot, boughtOnInvoice: boolean, defaultPaymentTermDays: number) {
  return {
    name: snapshot.name,
    currency: snapshot.currency,
    totalMinor: snapshot.total.amountMinor,
    outstandingMinor: snapshot.outstanding.amountMinor,
    financialStatus: snapshot.financialStatus,
    paymentMethods: snapshot.paymentMethods,
    isInvoice: boughtOnInvoice,
    orderedAt: snapshot.createdAt,
    dueDate: dueDateOf(snapshot, defaultPaymentTermDays, shop.timezone),
    cancelledAt: snapshot.cancelledAt,
    platformUpdatedAt: snapshot.updatedAt,
    customer: customerOf(snapshot),
    billingAddress: addressOf(snapshot),
  };
}

export async function findOrder(tx: DbOrTx, shopId: string, platformOrderId: string): Promise<OrderRow | null> {
  const [row] = await tx
    .select()
    .from(orders)
    .where(and(eq(orders.shopId, shopId), eq(orders.platformOrderId, platformOrderId)))
    .limit(1);
  return row ?? null;
}

function dueDateOf(snapshot: OrderSnapshot, defaultTermDays: number, timeZone: string) {
  const terms = snapshot.paymentTerms;
  // Payment terms on the order beat the shop's default term: that is what the customer was told.
  const termDays = terms?.dueInDays ?? defaultTermDays;
  return dueDateFor({ orderedAt: snapshot.createdAt, platformDueAt: terms?.dueAt ?? null }, termDays, timeZone);
}

function customerOf(snapshot: OrderSnapshot): OrderCustomer {
  const c = snapshot.customer;
  const billing = snapshot.billingAddress;
  return {
    platformCustomerId: c?.id ?? null,
    firstName: c?.firstName ?? billing?.firstName ?? null,
    lastName: c?.lastName ?? billing?.lastName ?? null,
    company: snapshot.companyName ?? billing?.company ?? null,
    email: c?.email ?? null,
    phone: c?.phone ?? billing?.phone ?? null,
    locale: c?.locale ?? null,
    b2bCompany: snapshot.b2bCompany,
    vatId: snapshot.vatId,
  };
}

function addressOf(snapshot: OrderSnapshot): OrderAddress | null {
  const a = snapshot.billingAddress;
  if (!a) return null;
  return {
    name: a.name,
    company: a.company,
    street1: a.street1,
    street2: a.street2,
    postalCode: a.postalCode,
    city: a.city,
    countryCode: a.countryCode,
  };
}
