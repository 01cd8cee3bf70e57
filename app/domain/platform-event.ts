// The one vocabulary every shop platform is translated into. Adapters (adapters/<platform>/normalize.ts)
// produce these events from verified webhook payloads or API reads; the inbox worker and the case
// services consume them without knowing which platform spoke. Pure types and constants: no I/O.
// The mapping from each platform's topics and statuses is documented in docs/platform-events.md.
import type { Money } from "./money";

export const PLATFORMS = ["shopify", "woocommerce"] as const;
export type Platform = (typeof PLATFORMS)[number];

/** Payment state of an order, on Shopify's scale (the richer one); WooCommerce statuses are mapped onto it. */
export const FINANCIAL_STATUSES = [
  "pending",
  "authorized",
  "partially_paid",
  "paid",
  "partially_refunded",
  "refunded",
  "voided",
  "expired",
  "unknown",
] as const;
export type FinancialStatus = (typeof FINANCIAL_STATUSES)[number];

export const TRANSACTION_KINDS = ["sale", "capture", "refund", "void"] as const;
export type TransactionKind = (typeof TRANSACTION_KINDS)[number];

export const TRANSACTION_STATUSES = ["success", "failure", "pending"] as const;
export type TransactionStatus = (typeof TRANSACTION_STATUSES)[number];

export const DISPUTE_TYPES = ["inquiry", "chargeback"] as const;
export type DisputeType = (typeof DISPUTE_TYPES)[number];

export const DISPUTE_STATUSES = [
  "needs_response",
  "under_review",
  "accepted",
  "won",
  "lost",
  "prevented",
  "charge_refunded",
] as const;
export type DisputeStatus = (typeof DISPUTE_STATUSES)[number];

/** Fields every event carries. */
export interface PlatformEventBase {
  platform: Platform;
  /** Shopify: `<shop>.myshopify.com`. WooCommerce: the store's host (+ path for sub-directory installs), lower-case. */
  shopDomain: string;
  /** Stable id of the fact this event reports; the same fact delivered twice yields the same sourceId. */
  sourceId: string;
  /** Ordering key: the order's own modification time for order events, otherwise the platform's trigger time. */
  occurredAt: Date;
}

/**
 * Longest names and address lines an order snapshot keeps; the normalizers cut longer ones. Limits of the strictest
 * consumer, the Riverty claim (first/last name and street 100, company 200; the letter wraps any length). The orders
 * table has no raw payload column: the full value stays on the platform's order and in a webhook's raw inbox body.
 */
export const ORDER_TEXT_LIMITS = { personName: 100, fullName: 201, company: 200, addressLine: 100 } as const;

/** `text` cut to `max` UTF-16 units (what zod's max() counts), never inside a surrogate pair. */
export function capText(text: string | null, max: number): string | null {
  if (text === null || text.length <= max) return text;
  const cut = /[\uD800-\uDBFF]$/.test(text.slice(0, max)) ? text.slice(0, max - 1) : text.slice(0, max);
  return cut.trimEnd();
}

export interface PostalAddress {
  /** Full name as printed on a letter ("Anna Müller"); null when neither name part is known. */
  name: string | null;
  firstName: string | null;
  lastName: string | null;
  company: string | null;
  street1: string | null;
  street2: string | null;
  postalCode: string | null;
  city: string | null;
  /** Province / state code where the platform has one (e.g. "BY"); mostly null for Germany. */
  region: string | null;
  /** ISO 3166-1 alpha-2, upper-case. */
  countryCode: string | null;
  phone: string | null;
}

export interface OrderCustomer {
  /** Platform customer id (Shopify numeric id as a string, WooCommerce user id); null for guests. */
  id: string | null;
  firstName: string | null;
  lastName: string | null;
  email: string | null;
  phone: string | null;
  /** BCP-47-ish locale as the platform reports it ("de", "de-DE"); null when unknown. */
  locale: string | null;
}

export interface PaymentTerms {
  /** Due date of the first open payment schedule (or the last one when all are completed). */
  dueAt?: Date;
  /** Net term in days ("NET 14" → 14). */
  dueInDays?: number;
  /** Platform's name for the terms ("Net 14", "NET_14"); informational. */
  name?: string;
}

/** A snapshot of an order as the platform sees it at `updatedAt`. */
export interface OrderSnapshot {
  /** Shopify: numeric order id as a decimal string (the tail of the gid). WooCommerce: post/order id. */
  platformOrderId: string;
  /** What the merchant and the customer see: Shopify "#1001", WooCommerce order number "4711". */
  name: string;
  createdAt: Date;
  /** Ordering key: an older snapshot must never overwrite a newer one. */
  updatedAt: Date;
  /** ISO 4217 shop currency; `total` and `outstanding` are in it. */
  currency: string;
  /** Current order total (after edits; before refunds on WooCommerce, where refunds are separate). */
  total: Money;
  /** What the customer still owes according to the platform (0 when paid, cancelled or refunded). */
  outstanding: Money;
  financialStatus: FinancialStatus;
  /** The platform's own status string, kept for audit ("pending", "on-hold", "PARTIALLY_PAID" …). */
  platformStatus: string | null;
  /** Gateway names (Shopify) or payment method ids (WooCommerce); matched against the shop's invoice list. */
  paymentMethods: string[];
  /** Human label of the payment method where the platform has one (WooCommerce payment_method_title). */
  paymentMethodTitle: string | null;
  paymentTerms: PaymentTerms | null;
  /** Platform's "paid" timestamp. A hint only: WooCommerce sets it for unpaid invoice orders too. */
  paidAt: Date | null;
  cancelledAt: Date | null;
  customer: OrderCustomer | null;
  companyName: string | null;
  /** Shopify B2B: bought for a company (purchasingEntity, or `company` on a webhook). A reliable business signal. */
  b2bCompany: boolean;
  /** A VAT identification number the order carries (WooCommerce order meta), as entered; null when none. */
  vatId: string | null;
  billingAddress: PostalAddress | null;
  /** Test/sandbox order (Shopify `test`); never dunned. */
  test: boolean;
  tags: string[];
}

export interface OrderUpsertedEvent extends PlatformEventBase {
  type: "order.upserted";
  order: OrderSnapshot;
}

export interface OrderPaidEvent extends PlatformEventBase {
  type: "order.paid";
  platformOrderId: string;
  /** Outstanding amount after the payment (0 when fully paid). */
  outstanding: Money;
}

export interface OrderCancelledEvent extends PlatformEventBase {
  type: "order.cancelled";
  platformOrderId: string;
  cancelledAt: Date;
  /** Shopify cancel_reason ("customer", "declined", …); null on WooCommerce. */
  reason: string | null;
}

/** WooCommerce only: the order was moved to the trash (or deleted). */
export interface OrderDeletedEvent extends PlatformEventBase {
  type: "order.deleted";
  platformOrderId: string;
}

/** WooCommerce only: the order came back from the trash. An `order.upserted` with the snapshot accompanies it. */
export interface OrderRestoredEvent extends PlatformEventBase {
  type: "order.restored";
  platformOrderId: string;
}

export interface TransactionCreatedEvent extends PlatformEventBase {
  type: "transaction.created";
  platformOrderId: string;
  /** Platform transaction id. */
  externalId: string;
  /** Transaction this one acts on (a capture's authorization, a refund's sale); null if none. */
  parentExternalId: string | null;
  kind: TransactionKind;
  status: TransactionStatus;
  amount: Money;
  gateway: string | null;
  /** Recorded by hand by the merchant (manual payment method such as invoice / bank transfer). */
  manualGateway: boolean;
  test: boolean;
}

export interface RefundCreatedEvent extends PlatformEventBase {
  type: "refund.created";
  platformOrderId: string;
  /** Platform refund id. */
  externalId: string;
  /** Money actually returned (sum of successful refund transactions on Shopify; refund total on WooCommerce). */
  amount: Money;
  note: string | null;
}

interface DisputeEventFields extends PlatformEventBase {
  disputeId: string;
  platformOrderId: string;
  disputeType: DisputeType;
  status: DisputeStatus;
  amount: Money;
  /** Platform reason code, lower-case ("fraudulent", "product_not_received", …); null if not given. */
  reason: string | null;
  evidenceDueBy: Date | null;
  finalizedAt: Date | null;
}

export interface DisputeOpenedEvent extends DisputeEventFields {
  type: "dispute.opened";
}

export interface DisputeUpdatedEvent extends DisputeEventFields {
  type: "dispute.updated";
}

export interface AppUninstalledEvent extends PlatformEventBase {
  type: "app.uninstalled";
}

interface PrivacyCustomerFields extends PlatformEventBase {
  customerId: string | null;
  email: string | null;
  phone: string | null;
  platformOrderIds: string[];
}

export interface PrivacyCustomerDataRequestEvent extends PrivacyCustomerFields {
  type: "privacy.customer_data_request";
  /** Platform id of the request, to quote back to the merchant. */
  dataRequestId: string | null;
}

export interface PrivacyCustomerRedactEvent extends PrivacyCustomerFields {
  type: "privacy.customer_redact";
}

export interface PrivacyShopRedactEvent extends PlatformEventBase {
  type: "privacy.shop_redact";
}

/** Shopify's bulk_operations/finish: an operation we started ended (completed, failed or canceled). */
export interface BulkOperationFinishedEvent extends PlatformEventBase {
  type: "bulk_operation.finished";
  /** gid://shopify/BulkOperation/… */
  operationId: string;
  /** As Shopify sent it (lower-case, e.g. "completed"); the import reads the authoritative state by id. */
  status: string;
  errorCode: string | null;
}

export type PlatformEvent =
  | OrderUpsertedEvent
  | OrderPaidEvent
  | OrderCancelledEvent
  | OrderDeletedEvent
  | OrderRestoredEvent
  | TransactionCreatedEvent
  | RefundCreatedEvent
  | DisputeOpenedEvent
  | DisputeUpdatedEvent
  | AppUninstalledEvent
  | PrivacyCustomerDataRequestEvent
  | PrivacyCustomerRedactEvent
  | PrivacyShopRedactEvent
  | BulkOperationFinishedEvent;

export type PlatformEventType = PlatformEvent["type"];

/**
 * What an adapter's normalizer answers for one delivery. `ignored`: valid but nothing Mahnwerk acts on
 * (unknown topic, authorization-only transaction …). `rejected`: signed but unusable (not JSON, wrong shape,
 * unparseable money) — stored with the reason, never retried automatically, never a 5xx.
 */
export type NormalizeResult =
  | { kind: "events"; events: PlatformEvent[] }
  | { kind: "ignored"; reason: string }
  | { kind: "rejected"; reason: string };

/** The order id an event concerns, if any (for locking a case); null for shop-level events. */
export function platformOrderIdOf(event: PlatformEvent): string | null {
  switch (event.type) {
    case "order.upserted":
      return event.order.platformOrderId;
    case "order.paid":
    case "order.cancelled":
    case "order.deleted":
    case "order.restored":
    case "transaction.created":
    case "refund.created":
    case "dispute.opened":
    case "dispute.updated":
      return event.platformOrderId;
    case "app.uninstalled":
    case "privacy.customer_data_request":
    case "privacy.customer_redact":
    case "privacy.shop_redact":
    case "bulk_operation.finished":
      return null;
  }
}
