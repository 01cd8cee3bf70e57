// WooCommerce REST v3 order JSON → PlatformEvent. Pure apart from node:crypto (hashing for source ids).
// The webhook payload is `GET /wc/v3/orders/{id}` built at delivery time (order.deleted: `{"id":N}`), so the
// same function serves webhooks, the import and polling. Failures are `rejected` results, never throws.
// Facts: docs/platforms/woocommerce.md §3–§6. Mapping tables and decisions: docs/platform-events.md.
import { createHash } from "node:crypto";

import { z } from "zod";

import { parseWith, reject, Rejection, toMoney } from "#adapters/inbound/rejection";
import type { Money } from "#app/domain/money";
import type {
  FinancialStatus,
  NormalizeResult,
  OrderCustomer,
  OrderSnapshot,
  PlatformEvent,
  PlatformEventBase,
  PostalAddress,
} from "#app/domain/platform-event";
import { capText, ORDER_TEXT_LIMITS } from "#app/domain/platform-event";
import { DEFAULT_INVOICE_METHODS, DEFAULT_VAT_ID_META_KEYS } from "#app/domain/settings";

/** The default list lives with the settings (app/domain/settings.ts); a shop's own list replaces it. */
export const DEFAULT_WOO_INVOICE_PAYMENT_METHODS: readonly string[] = DEFAULT_INVOICE_METHODS.woocommerce;

export interface WooNormalizeOptions {
  /** Payment method ids whose orders are invoice orders (status is no proof of payment for them). */
  invoicePaymentMethods?: readonly string[];
  /**
   * Order statuses that this shop uses to record "invoice paid" (e.g. ["completed"]). Default: none, because
   * WooCommerce's own statuses say fulfilled, not paid; see docs/platform-events.md.
   */
  invoicePaidStatuses?: readonly string[];
  /** Order meta keys a VAT plugin stores the buyer's VAT id under (the first one with a value wins). */
  vatIdMetaKeys?: readonly string[];
}

const VAT_ID_MAX = 40;

function vatIdOf(meta: readonly { key: string; value: unknown }[], keys: readonly string[]): string | null {
  for (const key of keys) {
    const value = meta.find((m) => m.key === key)?.value;
    if (typeof value === "string" && value.trim() !== "") return value.trim().slice(0, VAT_ID_MAX);
  }
  return null;
}

export interface WooDeliveryContext extends WooNormalizeOptions {
  /** When our route stored the delivery; the only time an order.deleted carries. */
  receivedAt: Date;
  /** The inbox key (wooDedupeKey); makes order.deleted source ids delivery-specific. */
  deliveryKey?: string;
}

export const WOO_HANDLED_TOPICS = ["order.created", "order.updated", "order.deleted", "order.restored"] as const;
export type WooHandledTopic = (typeof WOO_HANDLED_TOPICS)[number];

// ---------------------------------------------------------------------------------------------------------

function sha256Hex(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

// ---------------------------------------------------------------------------------------------------------
// Schemas (REST v3 order, docs/platforms/woocommerce.md §4).

// *_gmt fields come without a zone suffix ("2026-11-02T09:15:00") and are UTC. Tolerate an explicit zone.
const WOO_DATE = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(\.\d+)?(Z|[+-]\d{2}:\d{2})?$/;

function wooGmtDate(value: string): Date | null {
  const match = WOO_DATE.exec(value.trim());
  if (!match) return null;
  const date = new Date(`${match[1]}${match[2] ?? ""}${match[3] ?? "Z"}`);
  return Number.isNaN(date.getTime()) ? null : date;
}

const gmtDate = z.string().transform((value, ctx) => {
  const date = wooGmtDate(value);
  if (date === null) {
    ctx.addIssue({ code: "custom", message: `not a WooCommerce GMT timestamp: ${JSON.stringify(value.slice(0, 40))}` });
    return z.NEVER;
  }
  return date;
});

const optionalText = z
  .string()
  .nullish()
  .transform((value) => {
    const text = value?.trim() ?? "";
    return text.length > 0 ? text : null;
  });

/**
 * A WooCommerce id, read as its decimal string: a safe integer (zod's int() refuses larger, rounded numbers), or
 * the digit string parseJsonLossless makes of an id above 2^53.
 */
const wooId = z.union([z.number().int().positive(), z.string().regex(/^[1-9]\d{0,19}$/)]).transform(String);

// Names and address lines cut to what the claim takes (ORDER_TEXT_LIMITS): a 10,000-character name stays out of our tables.
const personName = optionalText.transform((t) => capText(t, ORDER_TEXT_LIMITS.personName));
const addressLine = optionalText.transform((t) => capText(t, ORDER_TEXT_LIMITS.addressLine));

const decimalString = z.union([
  z.string().trim().min(1),
  z
    .number()
    .finite()
    .transform((n) => String(n)),
]);

const wooBilling = z
  .object({
    first_name: personName,
    last_name: personName,
    company: optionalText.transform((t) => capText(t, ORDER_TEXT_LIMITS.company)),
    address_1: addressLine,
    address_2: addressLine,
    city: addressLine,
    state: optionalText,
    postcode: optionalText,
    country: optionalText,
    email: optionalText,
    phone: optionalText,
  })
  .nullish();

const wooOrder = z.object({
  id: wooId,
  number: z.union([z.string(), z.number().int()]).nullish(),
  status: z.string().trim().min(1),
  currency: z
    .string()
    .trim()
    .regex(/^[A-Za-z]{3}$/, "expected an ISO 4217 currency code")
    .transform((c) => c.toUpperCase()),
  total: decimalString,
  date_created_gmt: gmtDate,
  date_modified_gmt: gmtDate,
  date_paid_gmt: gmtDate.nullish(),
  payment_method: optionalText,
  payment_method_title: optionalText,
  billing: wooBilling,
  // 0 is a guest order.
  customer_id: z.union([z.literal(0), wooId]).nullish(),
  refunds: z
    .array(
      z.object({
        id: wooId,
        reason: optionalText,
        total: decimalString,
      }),
    )
    .nullish(),
  meta_data: z.array(z.object({ key: z.string(), value: z.unknown() }).loose()).nullish(),
});
type WooOrder = z.infer<typeof wooOrder>;

const deletedPayload = z.object({ id: wooId, date_modified_gmt: gmtDate.nullish() }).loose();

// ---------------------------------------------------------------------------------------------------------
// Status mapping.

export interface WooStatusMapping {
  financialStatus: FinancialStatus;
  /** True when the status says the customer owes nothing more (paid, cancelled, refunded, failed). */
  settled: boolean;
}

/**
 * Maps a WooCommerce order status to the normalized financial status. For invoice gateways no core status
 * proves payment (German Market starts in processing with date_paid set at checkout; "completed" means
 * fulfilled), so open statuses stay `pending` unless the shop declared them as its "paid" statuses.
 */
export function mapWooStatus(
  status: string,
  input: { isInvoice: boolean; refundedMinor: number; totalMinor: number; invoicePaidStatuses: readonly string[] },
): WooStatusMapping {
  const s = status.trim().toLowerCase().replace(/^wc-/, "");
  switch (s) {
    case "cancelled":
    case "failed":
      return { financialStatus: "voided", settled: true };
    case "refunded":
      return { financialStatus: "refunded", settled: true };
    case "pending":
    case "on-hold":
      if (input.isInvoice && input.invoicePaidStatuses.includes(s)) return paidOrPartlyRefunded(input);
      return { financialStatus: "pending", settled: false };
    case "processing":
    case "completed":
      if (!input.isInvoice || input.invoicePaidStatuses.includes(s)) return paidOrPartlyRefunded(input);
      return { financialStatus: "pending", settled: false };
    default:
      // trash and plugin statuses ("shipped", "invoice-sent" …)
      if (input.isInvoice && input.invoicePaidStatuses.includes(s)) return paidOrPartlyRefunded(input);
      return { financialStatus: "unknown", settled: false };
  }
}

function paidOrPartlyRefunded(input: { refundedMinor: number; totalMinor: number }): WooStatusMapping {
  if (input.refundedMinor <= 0) return { financialStatus: "paid", settled: true };
  if (input.refundedMinor >= input.totalMinor) return { financialStatus: "refunded", settled: true };
  return { financialStatus: "partially_refunded", settled: true };
}

// ---------------------------------------------------------------------------------------------------------
// Order snapshot.

export type WooOrderResult = { ok: true; order: OrderSnapshot } | { ok: false; reason: string };

/**
 * Normalizes one REST v3 order (webhook payload, import page row or polled order). Never throws.
 * A `checkout-draft` order is not an order yet: `{ ok: false }` with that reason.
 */
export function normalizeWooOrder(order: unknown, options: WooNormalizeOptions = {}): WooOrderResult {
  try {
    return { ok: true, order: snapshotOf(parseWith(wooOrder, order, "order"), options) };
  } catch (error) {
    if (error instanceof Rejection) return { ok: false, reason: error.message };
    return { ok: false, reason: `unexpected error while normalizing: ${String(error)}` };
  }
}

function isCheckoutDraft(order: WooOrder): boolean {
  return ["checkout-draft", "draft", "auto-draft"].includes(order.status.toLowerCase().replace(/^wc-/, ""));
}

/** wp_privacy_anonymize_data('email') — what WooCommerce's eraser writes into an order's billing e-mail. */
const ANONYMIZED_EMAIL = "deleted@site.invalid";

function isAnonymized(order: WooOrder): boolean {
  return order.billing?.email?.trim().toLowerCase() === ANONYMIZED_EMAIL;
}

function snapshotOf(order: WooOrder, options: WooNormalizeOptions): OrderSnapshot {
  if (isCheckoutDraft(order)) reject(`order ${order.id} is a ${order.status}, not a placed order`);
  const invoiceMethods = options.invoicePaymentMethods ?? DEFAULT_WOO_INVOICE_PAYMENT_METHODS;
  const paidStatuses = (options.invoicePaidStatuses ?? []).map((s) => s.toLowerCase().replace(/^wc-/, ""));

  const total = toMoney(order.total, order.currency, "total");
  // Refund totals are negative strings ("-10.00"); read the magnitude.
  const refunds = (order.refunds ?? []).map((r, i) => ({
    id: r.id,
    reason: r.reason,
    amount: toMoney(r.total.replace(/^[-+]/, ""), order.currency, `refunds[${i}].total`),
  }));
  const refundedMinor = refunds.reduce((sum, r) => sum + r.amount.amountMinor, 0);

  const isInvoice = order.payment_method !== null && invoiceMethods.includes(order.payment_method);
  const mapping = mapWooStatus(order.status, {
    isInvoice,
    refundedMinor,
    totalMinor: total.amountMinor,
    invoicePaidStatuses: paidStatuses,
  });
  // WooCommerce keeps `total` as placed; a refund (on an unpaid invoice: a credit note) is listed beside it. The
  // snapshot carries the current total, as Shopify's currentTotalPrice does, so a credit note reads as the order
  // getting smaller (the claim is adjusted) and never as money the customer paid.
  const currentTotal: Money = { amountMinor: Math.max(0, total.amountMinor - refundedMinor), currency: order.currency };
  const outstanding: Money = { amountMinor: mapping.settled ? 0 : currentTotal.amountMinor, currency: order.currency };

  const b = order.billing;
  const billingAddress: PostalAddress | null = b
    ? {
        name: [b.first_name, b.last_name].filter((p): p is string => p !== null).join(" ") || null,
        firstName: b.first_name,
        lastName: b.last_name,
        company: b.company,
        street1: b.address_1,
        street2: b.address_2,
        postalCode: b.postcode,
        city: b.city,
        region: b.state,
        countryCode: b.country?.toUpperCase() ?? null,
        phone: b.phone,
      }
    : null;
  const customer: OrderCustomer = {
    id: order.customer_id ? String(order.customer_id) : null,
    firstName: b?.first_name ?? null,
    lastName: b?.last_name ?? null,
    email: b?.email ?? null,
    phone: b?.phone ?? null,
    locale: null,
  };
  const companyName = b?.company ?? null;
  const status = order.status.toLowerCase().replace(/^wc-/, "");

  return {
    platformOrderId: String(order.id),
    name:
      order.number !== null && order.number !== undefined && String(order.number).trim() !== ""
        ? String(order.number).trim()
        : String(order.id),
    createdAt: order.date_created_gmt,
    updatedAt: order.date_modified_gmt,
    currency: order.currency,
    total: currentTotal,
    outstanding,
    financialStatus: mapping.financialStatus,
    platformStatus: order.status,
    paymentMethods: order.payment_method ? [order.payment_method] : [],
    paymentMethodTitle: order.payment_method_title,
    paymentTerms: null,
    paidAt: order.date_paid_gmt ?? null,
    cancelledAt: status === "cancelled" ? order.date_modified_gmt : null,
    customer,
    companyName,
    b2bCompany: false,
    vatId: vatIdOf(order.meta_data ?? [], options.vatIdMetaKeys ?? DEFAULT_VAT_ID_META_KEYS),
    billingAddress,
    test: false,
    tags: [],
  };
}

// ---------------------------------------------------------------------------------------------------------
// Webhook entry point.

/** Store URL (X-WC-Webhook-Source or the connection's URL) → shopDomain: host plus sub-directory, lower-case. */
export function wooShopDomain(storeUrl: string): string | null {
  if (!URL.canParse(storeUrl.trim())) return null;
  const url = new URL(storeUrl.trim());
  if (url.protocol !== "https:" && url.protocol !== "http:") return null;
  const path = url.pathname.replace(/\/+$/, "");
  return `${url.host}${path}`.toLowerCase();
}

function isHandledTopic(topic: string): topic is WooHandledTopic {
  return (WOO_HANDLED_TOPICS as readonly string[]).includes(topic);
}

/**
 * Turns one verified WooCommerce webhook into platform events.
 * @param topic     X-WC-Webhook-Topic, e.g. "order.updated"
 * @param storeUrl  the connection's store URL (or X-WC-Webhook-Source)
 * @param payload   the body as parseJsonLossless parses it (ids above 2^53 as digit strings)
 * @param context   receivedAt (required for order.deleted), inbox key, the shop's invoice settings
 */
export function normalizeWooWebhook(
  topic: string,
  storeUrl: string,
  payload: unknown,
  context: WooDeliveryContext,
): NormalizeResult {
  try {
    return normalizeOrThrow(topic.trim().toLowerCase(), storeUrl, payload, context);
  } catch (error) {
    if (error instanceof Rejection) return { kind: "rejected", reason: `${topic}: ${error.message}` };
    return { kind: "rejected", reason: `${topic}: unexpected error while normalizing: ${String(error)}` };
  }
}

function normalizeOrThrow(
  topic: string,
  storeUrl: string,
  payload: unknown,
  context: WooDeliveryContext,
): NormalizeResult {
  if (!isHandledTopic(topic)) return { kind: "ignored", reason: `topic ${topic} is not used by Mahnwerk` };
  const shopDomain = wooShopDomain(storeUrl) ?? reject(`store URL ${JSON.stringify(storeUrl)} is not an http(s) URL`);
  if (payload === null || typeof payload !== "object" || Array.isArray(payload)) reject("payload is not a JSON object");

  const base = (sourceId: string, occurredAt: Date): PlatformEventBase => ({
    platform: "woocommerce",
    shopDomain,
    sourceId: `woocommerce:${shopDomain}:${sourceId}`,
    occurredAt,
  });

  if (topic === "order.deleted") {
    const deleted = parseWith(deletedPayload, payload, "order.deleted");
    const deliveryKey = context.deliveryKey ?? context.receivedAt.toISOString();
    return {
      kind: "events",
      events: [
        {
          ...base(`order:${deleted.id}:deleted:${deliveryKey}`, deleted.date_modified_gmt ?? context.receivedAt),
          type: "order.deleted",
          platformOrderId: String(deleted.id),
        },
      ],
    };
  }

  const parsed = parseWith(wooOrder, payload, "order");
  if (isCheckoutDraft(parsed))
    return { kind: "ignored", reason: `order ${parsed.id} is a ${parsed.status}, not a placed order` };
  const order = snapshotOf(parsed, context);
  // Same snapshot → same id; a different body at the same second → a different id.
  const version = `${order.updatedAt.toISOString()}:${sha256Hex(JSON.stringify(payload)).slice(0, 16)}`;
  const orderKey = `order:${order.platformOrderId}:${version}`;

  const events: PlatformEvent[] = [];
  // WordPress's "Erase Personal Data" (WooCommerce's order eraser) anonymizes the order and saves it, which sends
  // order.updated: the billing e-mail becomes wp_privacy_anonymize_data('email'). That is WooCommerce's erasure
  // request, the counterpart of Shopify's customers/redact. It goes first, while we still hold the customer's data
  // to find it everywhere; the anonymized snapshot follows.
  if (isAnonymized(parsed)) {
    events.push({
      ...base(`${orderKey}:privacy.customer_redact`, order.updatedAt),
      type: "privacy.customer_redact",
      customerId: null,
      email: null,
      phone: null,
      platformOrderIds: [order.platformOrderId],
    });
  }
  events.push({ ...base(`${orderKey}:order.upserted`, order.updatedAt), type: "order.upserted", order });
  if (topic === "order.restored") {
    events.push({
      ...base(`${orderKey}:order.restored`, order.updatedAt),
      type: "order.restored",
      platformOrderId: order.platformOrderId,
    });
  }
  // WooCommerce has no paid/cancelled/refund topics: derive them from the snapshot so consumers see the same
  // events as for Shopify. They repeat on later updates; applying them again changes nothing.
  if (order.financialStatus === "paid" || order.financialStatus === "partially_refunded") {
    events.push({
      ...base(`${orderKey}:order.paid`, order.updatedAt),
      type: "order.paid",
      platformOrderId: order.platformOrderId,
      outstanding: order.outstanding,
    });
  }
  if (order.cancelledAt !== null) {
    events.push({
      ...base(`${orderKey}:order.cancelled`, order.updatedAt),
      type: "order.cancelled",
      platformOrderId: order.platformOrderId,
      cancelledAt: order.cancelledAt,
      reason: null,
    });
  }
  for (const [i, refund] of (parsed.refunds ?? []).entries()) {
    events.push({
      // Keyed by refund id only: every later order.updated lists it again and must collapse onto it.
      ...base(`refund:${refund.id}`, order.updatedAt),
      type: "refund.created",
      platformOrderId: order.platformOrderId,
      externalId: String(refund.id),
      amount: toMoney(refund.total.replace(/^[-+]/, ""), order.currency, `refunds[${i}].total`),
      note: refund.reason,
    });
  }
  return { kind: "events", events };
}
