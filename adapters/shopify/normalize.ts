// Shopify payload → PlatformEvent. Pure: the webhook route has already verified the HMAC and stored the raw
// delivery; the inbox worker calls normalizeShopifyWebhook with the parsed JSON. Every failure is a
// `rejected` result with a reason, never a throw (docs/platforms/README.md, "How a delivery is taken in", step 2). Mapping tables: docs/platform-events.md.
import { z } from "zod";

import { parseWith, reject, Rejection, toMoney } from "#adapters/inbound/rejection";
import type { Money } from "#app/domain/money";
import type {
  DisputeStatus,
  DisputeType,
  FinancialStatus,
  NormalizeResult,
  OrderCustomer,
  OrderSnapshot,
  PaymentTerms,
  PlatformEvent,
  PlatformEventBase,
  PostalAddress,
  TransactionKind,
  TransactionStatus,
} from "#app/domain/platform-event";
import { capText, ORDER_TEXT_LIMITS } from "#app/domain/platform-event";

/** Delivery facts from the headers (see readShopifyHeaders) plus the time the inbox received it. */
export interface ShopifyDeliveryInfo {
  webhookId: string;
  eventId?: string;
  triggeredAt?: Date;
  apiVersion?: string;
  /** When our route stored the delivery; last-resort ordering key. */
  receivedAt: Date;
}

export const SHOPIFY_HANDLED_TOPICS = [
  "orders/create",
  "orders/updated",
  "orders/paid",
  "orders/cancelled",
  "order_transactions/create",
  "refunds/create",
  "disputes/create",
  "disputes/update",
  "app/uninstalled",
  "customers/data_request",
  "customers/redact",
  "shop/redact",
  "bulk_operations/finish",
] as const;
export type ShopifyHandledTopic = (typeof SHOPIFY_HANDLED_TOPICS)[number];

// ---------------------------------------------------------------------------------------------------------
// Internal plumbing: a rejection is thrown inside and turned into data at the boundary.

function sumMoney(items: Money[], currency: string): Money {
  return { amountMinor: items.reduce((sum, m) => sum + m.amountMinor, 0), currency };
}

// ---------------------------------------------------------------------------------------------------------
// Scalar schemas shaped after the REST webhook JSON (api_version 2026-07) and the GraphQL Admin API.

const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

function toDate(value: string): Date | null {
  const text = value.trim();
  if (!ISO_DATE_TIME.test(text) && !ISO_DATE.test(text)) return null;
  const date = new Date(ISO_DATE.test(text) ? `${text}T00:00:00Z` : text);
  return Number.isNaN(date.getTime()) ? null : date;
}

/** An ISO-8601 timestamp with zone (Shopify always sends one). */
const dateTime = z.string().transform((value, ctx) => {
  const date = toDate(value);
  if (date === null) {
    ctx.addIssue({ code: "custom", message: `not an ISO-8601 timestamp: ${JSON.stringify(value.slice(0, 40))}` });
    return z.NEVER;
  }
  return date;
});

/** Optional timestamps whose exact format is unverified (payment terms, dispute dates): garbage becomes null. */
const lenientDate = z.unknown().transform((value) => (typeof value === "string" ? toDate(value) : null));

const optionalText = z
  .string()
  .nullish()
  .transform((value) => {
    const text = value?.trim() ?? "";
    return text.length > 0 ? text : null;
  });

// Names and address lines cut to what the claim takes (ORDER_TEXT_LIMITS): a 10,000-character name stays out of our tables.
const personName = optionalText.transform((t) => capText(t, ORDER_TEXT_LIMITS.personName));
const fullName = optionalText.transform((t) => capText(t, ORDER_TEXT_LIMITS.fullName));
const companyText = optionalText.transform((t) => capText(t, ORDER_TEXT_LIMITS.company));
const addressLine = optionalText.transform((t) => capText(t, ORDER_TEXT_LIMITS.addressLine));

const decimal = z.union([z.string().min(1), z.number().finite()]);
const currencyCode = z
  .string()
  .trim()
  .regex(/^[A-Za-z]{3}$/, "expected an ISO 4217 currency code")
  .transform((c) => c.toUpperCase());

/**
 * Reads a numeric Shopify id: a digit string (what parseJsonLossless makes of ids above 2^53) or a safe integer.
 * An unsafe number was rounded by a plain JSON.parse somewhere and is refused.
 */
function readNumericId(value: unknown): { ok: true; id: string } | { ok: false; message: string } {
  if (typeof value === "string" && /^\d{1,20}$/.test(value)) return { ok: true, id: value };
  if (typeof value === "number" && Number.isSafeInteger(value) && value >= 0) return { ok: true, id: String(value) };
  if (typeof value === "number" && Number.isInteger(value) && value > 0) {
    return {
      ok: false,
      message: "id is above 2^53 and was rounded by JSON.parse; parse the body with parseJsonLossless",
    };
  }
  return { ok: false, message: "expected a numeric id" };
}

const numericId = z.unknown().transform((value, ctx) => {
  const read = readNumericId(value);
  if (!read.ok) {
    ctx.addIssue({ code: "custom", message: read.message });
    return z.NEVER;
  }
  return read.id;
});

/** An id that has an admin_graphql_api_id sibling: validated only when the gid cannot be used. */
const rawId = z.union([z.string(), z.number()]);

const GID = /^gid:\/\/shopify\/([A-Za-z]+)\/(\d{1,20})(?:\?.*)?$/;

function gidTail(gid: string | null | undefined, type: string): string | null {
  const match = gid ? GID.exec(gid) : null;
  return match && match[1] === type ? (match[2] ?? null) : null;
}

/** Prefers the gid (a string, immune to float rounding) over the numeric id. */
function resourceId(
  id: string | number | undefined,
  gid: string | null | undefined,
  type: string,
  field: string,
): string {
  const fromGid = gidTail(gid, type);
  if (fromGid !== null) return fromGid;
  if (id === undefined) return reject(`${field}: no id`);
  const read = readNumericId(id);
  return read.ok ? read.id : reject(`${field}.id: ${read.message}`);
}

const gidOf = (type: string) =>
  z.string().refine((value) => gidTail(value, type) !== null, `expected gid://shopify/${type}/<id>`);

// ---------------------------------------------------------------------------------------------------------
// Status vocabularies.

const FINANCIAL_STATUS_MAP: Record<string, FinancialStatus> = {
  pending: "pending",
  authorized: "authorized",
  partially_paid: "partially_paid",
  paid: "paid",
  partially_refunded: "partially_refunded",
  refunded: "refunded",
  voided: "voided",
  expired: "expired",
};

/** REST `financial_status` (lower-case) and GraphQL `displayFinancialStatus` (upper-case) share one vocabulary. */
export function mapShopifyFinancialStatus(status: string | null | undefined): FinancialStatus {
  if (!status) return "unknown";
  return FINANCIAL_STATUS_MAP[status.trim().toLowerCase()] ?? "unknown";
}

const TRANSACTION_KIND_MAP: Record<string, TransactionKind> = {
  sale: "sale",
  capture: "capture",
  refund: "refund",
  void: "void",
};

const TRANSACTION_STATUS_MAP: Record<string, TransactionStatus> = {
  success: "success",
  failure: "failure",
  error: "failure",
  pending: "pending",
};

const DISPUTE_STATUS_MAP: Record<string, DisputeStatus> = {
  needs_response: "needs_response",
  under_review: "under_review",
  accepted: "accepted",
  won: "won",
  lost: "lost",
  prevented: "prevented",
  charge_refunded: "charge_refunded",
};

const DISPUTE_TYPE_MAP: Record<string, DisputeType> = { inquiry: "inquiry", chargeback: "chargeback" };

// ---------------------------------------------------------------------------------------------------------
// Shared order pieces.

function nameOf(first: string | null, last: string | null, full: string | null): string | null {
  const joined = [first, last].filter((part): part is string => part !== null).join(" ");
  return full ?? (joined.length > 0 ? joined : null);
}

function splitTags(tags: string | string[] | null | undefined): string[] {
  const list = Array.isArray(tags) ? tags : (tags ?? "").split(",");
  return list.map((tag) => tag.trim()).filter((tag) => tag.length > 0);
}

interface ScheduleInput {
  dueAt: Date | null;
  completedAt: Date | null;
}

function paymentTermsFrom(input: {
  name: string | null;
  dueInDays: number | null | undefined;
  schedules: ScheduleInput[];
}): PaymentTerms | null {
  const withDue = input.schedules.filter((s): s is { dueAt: Date; completedAt: Date | null } => s.dueAt !== null);
  const open = withDue.filter((s) => s.completedAt === null).sort((a, b) => a.dueAt.getTime() - b.dueAt.getTime());
  const all = [...withDue].sort((a, b) => a.dueAt.getTime() - b.dueAt.getTime());
  const dueAt = open[0]?.dueAt ?? all[all.length - 1]?.dueAt;
  const terms: PaymentTerms = {};
  if (dueAt !== undefined) terms.dueAt = dueAt;
  if (typeof input.dueInDays === "number") terms.dueInDays = input.dueInDays;
  if (input.name !== null) terms.name = input.name;
  return Object.keys(terms).length > 0 ? terms : null;
}

// ---------------------------------------------------------------------------------------------------------
// REST webhook order (orders/create|updated|paid|cancelled).

const restAddress = z
  .object({
    first_name: personName,
    last_name: personName,
    name: fullName,
    company: companyText,
    address1: addressLine,
    address2: addressLine,
    zip: optionalText,
    city: addressLine,
    province_code: optionalText,
    country_code: optionalText,
    phone: optionalText,
  })
  .nullish();

const restCustomer = z
  .object({
    id: numericId.optional().catch(undefined),
    admin_graphql_api_id: z.string().nullish(),
    first_name: personName,
    last_name: personName,
    email: optionalText,
    phone: optionalText,
  })
  .nullish();

const restPaymentTerms = z
  .object({
    payment_terms_name: optionalText,
    payment_terms_type: optionalText,
    due_in_days: z.number().int().nullish().catch(null),
    payment_schedules: z
      .array(z.object({ due_at: lenientDate, completed_at: lenientDate }))
      .nullish()
      .catch(null),
  })
  .nullish();

const moneySet = z.object({ shop_money: z.object({ amount: decimal, currency_code: currencyCode }) }).nullish();

const restOrder = z.object({
  id: rawId.optional(),
  admin_graphql_api_id: gidOf("Order").nullish(),
  name: z.string().min(1),
  created_at: dateTime,
  updated_at: dateTime,
  cancelled_at: dateTime.nullish(),
  cancel_reason: optionalText,
  currency: currencyCode,
  current_total_price: decimal.nullish(),
  current_total_price_set: moneySet,
  total_outstanding: decimal,
  financial_status: z.string().nullish(),
  payment_gateway_names: z.array(z.string()).nullish(),
  payment_terms: restPaymentTerms,
  billing_address: restAddress,
  customer: restCustomer,
  customer_locale: optionalText,
  email: optionalText,
  contact_email: optionalText,
  phone: optionalText,
  company: z.object({}).loose().nullish(),
  tags: z.string().nullish(),
  test: z.boolean().nullish(),
});
type RestOrder = z.infer<typeof restOrder>;

function restAddressToPostal(address: z.infer<typeof restAddress>): PostalAddress | null {
  if (!address) return null;
  const postal: PostalAddress = {
    name: nameOf(address.first_name, address.last_name, address.name),
    firstName: address.first_name,
    lastName: address.last_name,
    company: address.company,
    street1: address.address1,
    street2: address.address2,
    postalCode: address.zip,
    city: address.city,
    region: address.province_code,
    countryCode: address.country_code?.toUpperCase() ?? null,
    phone: address.phone,
  };
  return Object.values(postal).every((v) => v === null) ? null : postal;
}

function restOrderToSnapshot(order: RestOrder): OrderSnapshot {
  const platformOrderId = resourceId(order.id, order.admin_graphql_api_id, "Order", "order");
  const shopTotal = order.current_total_price_set?.shop_money;
  let total: Money;
  if (shopTotal) total = toMoney(shopTotal.amount, shopTotal.currency_code, "current_total_price_set");
  else if (order.current_total_price !== null && order.current_total_price !== undefined)
    total = toMoney(order.current_total_price, order.currency, "current_total_price");
  else return reject("order: current_total_price is missing");
  if (total.currency !== order.currency)
    reject(`order: total currency ${total.currency} differs from ${order.currency}`);
  const outstanding = toMoney(order.total_outstanding, order.currency, "total_outstanding");

  const billingAddress = restAddressToPostal(order.billing_address);
  const c = order.customer;
  const customer: OrderCustomer | null = c
    ? {
        id: gidTail(c.admin_graphql_api_id, "Customer") ?? c.id ?? null,
        firstName: c.first_name ?? billingAddress?.firstName ?? null,
        lastName: c.last_name ?? billingAddress?.lastName ?? null,
        email: c.email ?? order.email ?? order.contact_email,
        phone: c.phone ?? order.phone ?? billingAddress?.phone ?? null,
        locale: order.customer_locale,
      }
    : null;

  const terms = order.payment_terms;
  const paymentTerms = terms
    ? paymentTermsFrom({
        name: terms.payment_terms_name,
        dueInDays: terms.due_in_days,
        schedules: (terms.payment_schedules ?? []).map((s) => ({ dueAt: s.due_at, completedAt: s.completed_at })),
      })
    : null;

  const companyName = billingAddress?.company ?? null;
  return {
    platformOrderId,
    name: order.name,
    createdAt: order.created_at,
    updatedAt: order.updated_at,
    currency: order.currency,
    total,
    outstanding,
    financialStatus: mapShopifyFinancialStatus(order.financial_status),
    platformStatus: order.financial_status ?? null,
    paymentMethods: (order.payment_gateway_names ?? []).filter((g) => g.trim().length > 0),
    paymentMethodTitle: null,
    paymentTerms,
    paidAt: null,
    cancelledAt: order.cancelled_at ?? null,
    customer,
    companyName,
    b2bCompany: Boolean(order.company),
    vatId: null,
    billingAddress,
    test: order.test ?? false,
    tags: splitTags(order.tags),
  };
}

// ---------------------------------------------------------------------------------------------------------
// Other REST payloads.

const transactionPayload = z.object({
  id: rawId.optional(),
  admin_graphql_api_id: z.string().nullish(),
  order_id: numericId,
  parent_id: numericId.nullish(),
  kind: z.string().min(1),
  status: z.string().min(1),
  amount: decimal,
  currency: currencyCode,
  gateway: optionalText,
  manual_payment_gateway: z.boolean().nullish(),
  test: z.boolean().nullish(),
});

const refundTransaction = z.object({
  kind: z.string(),
  status: z.string(),
  amount: decimal,
  currency: currencyCode.nullish(),
});

const refundPayload = z.object({
  id: rawId.optional(),
  admin_graphql_api_id: z.string().nullish(),
  order_id: numericId,
  created_at: dateTime.nullish(),
  note: optionalText,
  transactions: z.array(refundTransaction).nullish(),
  refund_line_items: z
    .array(z.object({ subtotal_set: moneySet.catch(null) }).loose())
    .nullish()
    .catch(null),
  total_duties_set: moneySet.catch(null),
});

const disputePayload = z.object({
  id: numericId,
  order_id: numericId.nullish(),
  type: z.string().min(1),
  amount: decimal,
  currency: currencyCode,
  reason: optionalText,
  status: z.string().min(1),
  evidence_due_by: lenientDate.optional(),
  finalized_on: lenientDate.optional(),
  initiated_at: lenientDate.optional(),
});

const privacyCustomer = z
  .object({
    id: numericId.nullish(),
    email: optionalText,
    phone: optionalText,
  })
  .nullish();

const customersDataRequestPayload = z.object({
  shop_domain: z.string().nullish(),
  customer: privacyCustomer,
  orders_requested: z.array(numericId).nullish(),
  data_request: z.object({ id: numericId.nullish() }).nullish(),
});

const customersRedactPayload = z.object({
  shop_domain: z.string().nullish(),
  customer: privacyCustomer,
  orders_to_redact: z.array(numericId).nullish(),
});

const shopRedactPayload = z.object({ shop_domain: z.string().nullish() });

const appUninstalledPayload = z.object({ myshopify_domain: z.string().nullish() }).loose();

function assertSameShop(payloadDomain: string | null | undefined, shopDomain: string): void {
  if (payloadDomain && payloadDomain.trim().toLowerCase() !== shopDomain) {
    reject(`payload names shop ${JSON.stringify(payloadDomain)} but the delivery came from ${shopDomain}`);
  }
}

/** bulk_operations/finish (REST webhook shape): a signal only; the operation is read again by its id. */
const bulkOperationFinishPayload = z.object({
  admin_graphql_api_id: gidOf("BulkOperation"),
  status: z.string().min(1),
  error_code: z.string().nullish(),
  completed_at: lenientDate.optional().transform((value) => value ?? undefined),
});

// ---------------------------------------------------------------------------------------------------------
// Entry point.

/**
 * Turns one verified Shopify webhook into platform events.
 * @param topic        X-Shopify-Topic, e.g. "orders/paid"
 * @param shopDomain   X-Shopify-Shop-Domain (already validated, lower-case)
 * @param delivery     webhook/event ids and times from the headers
 * @param payload      the body as parseJsonLossless parses it (anything: garbage is rejected, not thrown)
 */
export function normalizeShopifyWebhook(
  topic: string,
  shopDomain: string,
  delivery: ShopifyDeliveryInfo,
  payload: unknown,
): NormalizeResult {
  try {
    return normalizeOrThrow(topic.trim().toLowerCase(), shopDomain.trim().toLowerCase(), delivery, payload);
  } catch (error) {
    if (error instanceof Rejection) return { kind: "rejected", reason: `${topic}: ${error.message}` };
    // Defensive: a bug here must not turn a stored delivery into a crash loop.
    return { kind: "rejected", reason: `${topic}: unexpected error while normalizing: ${String(error)}` };
  }
}

function isHandledTopic(topic: string): topic is ShopifyHandledTopic {
  return (SHOPIFY_HANDLED_TOPICS as readonly string[]).includes(topic);
}

function normalizeOrThrow(
  topic: string,
  shopDomain: string,
  delivery: ShopifyDeliveryInfo,
  payload: unknown,
): NormalizeResult {
  if (!isHandledTopic(topic)) return { kind: "ignored", reason: `topic ${topic} is not used by Mahnwerk` };
  if (payload === null || typeof payload !== "object" || Array.isArray(payload)) {
    reject("payload is not a JSON object");
  }

  const deliveryKey = delivery.eventId ?? `webhook-${delivery.webhookId}`;
  const triggerTime = delivery.triggeredAt ?? delivery.receivedAt;
  const base = (type: PlatformEvent["type"], occurredAt: Date): PlatformEventBase => ({
    platform: "shopify",
    shopDomain,
    sourceId: `shopify:${deliveryKey}:${type}`,
    occurredAt,
  });

  switch (topic) {
    case "orders/create":
    case "orders/updated":
    case "orders/paid":
    case "orders/cancelled": {
      const parsed = parseWith(restOrder, payload, "order");
      const order = restOrderToSnapshot(parsed);
      const events: PlatformEvent[] = [{ ...base("order.upserted", order.updatedAt), type: "order.upserted", order }];
      if (topic === "orders/paid") {
        events.push({
          ...base("order.paid", order.updatedAt),
          type: "order.paid",
          platformOrderId: order.platformOrderId,
          outstanding: order.outstanding,
        });
      }
      if (topic === "orders/cancelled") {
        events.push({
          ...base("order.cancelled", order.updatedAt),
          type: "order.cancelled",
          platformOrderId: order.platformOrderId,
          cancelledAt: order.cancelledAt ?? order.updatedAt,
          reason: parsed.cancel_reason,
        });
      }
      return { kind: "events", events };
    }

    case "order_transactions/create": {
      const tx = parseWith(transactionPayload, payload, "transaction");
      const kind = TRANSACTION_KIND_MAP[tx.kind.toLowerCase()];
      if (kind === undefined) return { kind: "ignored", reason: `transaction kind ${tx.kind} moves no money` };
      const status = TRANSACTION_STATUS_MAP[tx.status.toLowerCase()];
      if (status === undefined) reject(`unknown transaction status ${JSON.stringify(tx.status)}`);
      return {
        kind: "events",
        events: [
          {
            ...base("transaction.created", triggerTime),
            type: "transaction.created",
            platformOrderId: tx.order_id,
            externalId: resourceId(tx.id, tx.admin_graphql_api_id, "OrderTransaction", "transaction"),
            parentExternalId: tx.parent_id ?? null,
            kind,
            status,
            amount: toMoney(tx.amount, tx.currency, "amount"),
            gateway: tx.gateway,
            manualGateway: tx.manual_payment_gateway ?? false,
            test: tx.test ?? false,
          },
        ],
      };
    }

    case "refunds/create": {
      const refund = parseWith(refundPayload, payload, "refund");
      const transactions = refund.transactions ?? [];
      const moved = transactions.filter(
        (t) => t.kind.toLowerCase() === "refund" && t.status.toLowerCase() === "success",
      );
      const currencies = new Set(
        [
          ...transactions.map((t) => t.currency),
          ...(refund.refund_line_items ?? []).map((li) => li.subtotal_set?.shop_money.currency_code),
          refund.total_duties_set?.shop_money.currency_code,
        ].filter((c): c is string => typeof c === "string"),
      );
      const txCurrencies = new Set(moved.map((t) => t.currency).filter((c): c is string => typeof c === "string"));
      if (txCurrencies.size > 1) reject(`refund transactions in several currencies: ${[...txCurrencies].join(", ")}`);
      const currency = [...txCurrencies][0] ?? [...currencies][0];
      if (currency === undefined) return { kind: "ignored", reason: "refund moved no money and names no currency" };
      const amount = sumMoney(
        moved.map((t, i) => toMoney(t.amount, currency, `transactions[${i}].amount`)),
        currency,
      );
      return {
        kind: "events",
        events: [
          {
            ...base("refund.created", delivery.triggeredAt ?? refund.created_at ?? delivery.receivedAt),
            type: "refund.created",
            platformOrderId: refund.order_id,
            externalId: resourceId(refund.id, refund.admin_graphql_api_id, "Refund", "refund"),
            amount,
            note: refund.note,
          },
        ],
      };
    }

    case "disputes/create":
    case "disputes/update": {
      const dispute = parseWith(disputePayload, payload, "dispute");
      if (!dispute.order_id) return { kind: "ignored", reason: `dispute ${dispute.id} is not linked to an order` };
      const disputeType = DISPUTE_TYPE_MAP[dispute.type.toLowerCase()];
      if (disputeType === undefined) reject(`unknown dispute type ${JSON.stringify(dispute.type)}`);
      const status = DISPUTE_STATUS_MAP[dispute.status.toLowerCase()];
      if (status === undefined) reject(`unknown dispute status ${JSON.stringify(dispute.status)}`);
      const type = topic === "disputes/create" ? "dispute.opened" : "dispute.updated";
      return {
        kind: "events",
        events: [
          {
            ...base(type, delivery.triggeredAt ?? dispute.initiated_at ?? delivery.receivedAt),
            type,
            disputeId: dispute.id,
            platformOrderId: dispute.order_id,
            disputeType,
            status,
            amount: toMoney(dispute.amount, dispute.currency, "amount"),
            reason: dispute.reason?.toLowerCase() ?? null,
            evidenceDueBy: dispute.evidence_due_by ?? null,
            finalizedAt: dispute.finalized_on ?? null,
          },
        ],
      };
    }

    case "app/uninstalled": {
      const shop = parseWith(appUninstalledPayload, payload, "shop");
      assertSameShop(shop.myshopify_domain, shopDomain);
      return { kind: "events", events: [{ ...base("app.uninstalled", triggerTime), type: "app.uninstalled" }] };
    }

    case "customers/data_request": {
      const request = parseWith(customersDataRequestPayload, payload, "customers/data_request");
      assertSameShop(request.shop_domain, shopDomain);
      return {
        kind: "events",
        events: [
          {
            ...base("privacy.customer_data_request", triggerTime),
            type: "privacy.customer_data_request",
            customerId: request.customer?.id ?? null,
            email: request.customer?.email ?? null,
            phone: request.customer?.phone ?? null,
            platformOrderIds: request.orders_requested ?? [],
            dataRequestId: request.data_request?.id ?? null,
          },
        ],
      };
    }

    case "customers/redact": {
      const request = parseWith(customersRedactPayload, payload, "customers/redact");
      assertSameShop(request.shop_domain, shopDomain);
      return {
        kind: "events",
        events: [
          {
            ...base("privacy.customer_redact", triggerTime),
            type: "privacy.customer_redact",
            customerId: request.customer?.id ?? null,
            email: request.customer?.email ?? null,
            phone: request.customer?.phone ?? null,
            platformOrderIds: request.orders_to_redact ?? [],
          },
        ],
      };
    }

    case "bulk_operations/finish": {
      const finished = parseWith(bulkOperationFinishPayload, payload, "bulk_operations/finish");
      return {
        kind: "events",
        events: [
          {
            ...base("bulk_operation.finished", finished.completed_at ?? triggerTime),
            type: "bulk_operation.finished",
            operationId: finished.admin_graphql_api_id,
            status: finished.status.toLowerCase(),
            errorCode: finished.error_code ?? null,
          },
        ],
      };
    }

    case "shop/redact": {
      const request = parseWith(shopRedactPayload, payload, "shop/redact");
      assertSameShop(request.shop_domain, shopDomain);
      return { kind: "events", events: [{ ...base("privacy.shop_redact", triggerTime), type: "privacy.shop_redact" }] };
    }
  }
}

// ---------------------------------------------------------------------------------------------------------
// GraphQL Admin `Order` node (import on install, reconciliation, bulk-operation rows).

const gqlMoneyBag = z.object({ shopMoney: z.object({ amount: decimal, currencyCode: currencyCode }) });

const gqlSchedule = z.object({ dueAt: lenientDate.optional(), completedAt: lenientDate.optional() });

const gqlAddress = z
  .object({
    name: fullName,
    firstName: personName,
    lastName: personName,
    company: companyText,
    address1: addressLine,
    address2: addressLine,
    zip: optionalText,
    city: addressLine,
    provinceCode: optionalText,
    countryCodeV2: optionalText,
    countryCode: optionalText,
    phone: optionalText,
  })
  .nullish();

const gqlOrder = z.object({
  id: gidOf("Order"),
  name: z.string().min(1),
  createdAt: dateTime,
  updatedAt: dateTime,
  cancelledAt: dateTime.nullish(),
  currencyCode: currencyCode,
  displayFinancialStatus: z.string().nullish(),
  paymentGatewayNames: z.array(z.string()).nullish(),
  totalOutstandingSet: gqlMoneyBag,
  currentTotalPriceSet: gqlMoneyBag,
  paymentTerms: z
    .object({
      paymentTermsName: optionalText,
      dueInDays: z.number().int().nullish().catch(null),
      paymentSchedules: z
        .object({
          nodes: z.array(gqlSchedule).optional(),
          edges: z.array(z.object({ node: gqlSchedule })).optional(),
        })
        .nullish()
        .catch(null),
    })
    .nullish(),
  customer: z
    .object({
      id: gidOf("Customer"),
      firstName: personName,
      lastName: personName,
      email: optionalText,
      phone: optionalText,
      locale: optionalText,
      defaultEmailAddress: z.object({ emailAddress: optionalText }).nullish(),
      defaultPhoneNumber: z.object({ phoneNumber: optionalText }).nullish(),
    })
    .nullish(),
  email: optionalText,
  phone: optionalText,
  customerLocale: optionalText,
  billingAddress: gqlAddress,
  purchasingEntity: z
    .object({ company: z.object({ name: companyText }).nullish() })
    .loose()
    .nullish(),
  test: z.boolean().nullish(),
  tags: z.array(z.string()).nullish(),
});

export type ShopifyOrderNodeResult = { ok: true; order: OrderSnapshot } | { ok: false; reason: string };

/**
 * Normalizes one GraphQL Admin `Order` node (fields as in the import query: id, name, createdAt, updatedAt,
 * cancelledAt, currencyCode, displayFinancialStatus, paymentGatewayNames, totalOutstandingSet,
 * currentTotalPriceSet, paymentTerms{…paymentSchedules{nodes{dueAt completedAt}}}, customer, billingAddress,
 * purchasingEntity, test, tags). Amounts use shopMoney. Never throws.
 */
export function normalizeShopifyOrderNode(node: unknown): ShopifyOrderNodeResult {
  try {
    return { ok: true, order: gqlOrderToSnapshot(parseWith(gqlOrder, node, "GraphQL Order")) };
  } catch (error) {
    if (error instanceof Rejection) return { ok: false, reason: error.message };
    return { ok: false, reason: `unexpected error while normalizing: ${String(error)}` };
  }
}

function gqlOrderToSnapshot(order: z.infer<typeof gqlOrder>): OrderSnapshot {
  const platformOrderId = gidTail(order.id, "Order") ?? reject("order id");
  const total = toMoney(
    order.currentTotalPriceSet.shopMoney.amount,
    order.currentTotalPriceSet.shopMoney.currencyCode,
    "currentTotalPriceSet",
  );
  const outstanding = toMoney(
    order.totalOutstandingSet.shopMoney.amount,
    order.totalOutstandingSet.shopMoney.currencyCode,
    "totalOutstandingSet",
  );
  if (total.currency !== order.currencyCode || outstanding.currency !== order.currencyCode) {
    reject(`order: shop money currency differs from currencyCode ${order.currencyCode}`);
  }

  const a = order.billingAddress;
  const billingAddress: PostalAddress | null = a
    ? {
        name: nameOf(a.firstName, a.lastName, a.name),
        firstName: a.firstName,
        lastName: a.lastName,
        company: a.company,
        street1: a.address1,
        street2: a.address2,
        postalCode: a.zip,
        city: a.city,
        region: a.provinceCode,
        countryCode: (a.countryCodeV2 ?? a.countryCode)?.toUpperCase() ?? null,
        phone: a.phone,
      }
    : null;

  const c = order.customer;
  const customer: OrderCustomer | null = c
    ? {
        id: gidTail(c.id, "Customer"),
        firstName: c.firstName ?? billingAddress?.firstName ?? null,
        lastName: c.lastName ?? billingAddress?.lastName ?? null,
        email: c.defaultEmailAddress?.emailAddress ?? c.email ?? order.email,
        phone: c.defaultPhoneNumber?.phoneNumber ?? c.phone ?? order.phone ?? billingAddress?.phone ?? null,
        locale: order.customerLocale ?? c.locale,
      }
    : null;

  const terms = order.paymentTerms;
  const schedules = terms?.paymentSchedules
    ? (terms.paymentSchedules.nodes ?? terms.paymentSchedules.edges?.map((e) => e.node) ?? [])
    : [];
  const paymentTerms = terms
    ? paymentTermsFrom({
        name: terms.paymentTermsName,
        dueInDays: terms.dueInDays,
        schedules: schedules.map((s) => ({ dueAt: s.dueAt ?? null, completedAt: s.completedAt ?? null })),
      })
    : null;

  const b2bCompany = order.purchasingEntity?.company;
  const companyName = b2bCompany?.name ?? billingAddress?.company ?? null;
  return {
    platformOrderId,
    name: order.name,
    createdAt: order.createdAt,
    updatedAt: order.updatedAt,
    currency: order.currencyCode,
    total,
    outstanding,
    financialStatus: mapShopifyFinancialStatus(order.displayFinancialStatus),
    platformStatus: order.displayFinancialStatus ?? null,
    paymentMethods: (order.paymentGatewayNames ?? []).filter((g) => g.trim().length > 0),
    paymentMethodTitle: null,
    paymentTerms,
    paidAt: null,
    cancelledAt: order.cancelledAt ?? null,
    customer,
    companyName,
    b2bCompany: Boolean(b2bCompany),
    vatId: null,
    billingAddress,
    test: order.test ?? false,
    tags: splitTags(order.tags),
  };
}
