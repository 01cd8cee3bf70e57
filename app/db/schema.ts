import { sql } from "drizzle-orm";
import {
  bigint,
  boolean,
  char,
  date,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";

import { CASE_STATUSES } from "../domain/case/status";

/*
 * The whole schema in one place. Conventions: money is `*_minor bigint` + `currency char(3)`,
 * time is timestamptz (UTC) named `*_at`, calendar dates in the shop's zone are `date`.
 * Every tenant table carries shop_id, and every query in app/services is scoped by it.
 */

const createdAt = () => timestamp("created_at", { withTimezone: true }).notNull().defaultNow();
const updatedAt = () => timestamp("updated_at", { withTimezone: true }).notNull().defaultNow();
const minor = (name: string) => bigint(name, { mode: "number" });

export const shops = pgTable(
  "shops",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    platform: text("platform", { enum: ["shopify", "woocommerce", "demo"] }).notNull(),
    domain: text("domain").notNull(),
    name: text("name").notNull(),
    timezone: text("timezone").notNull(),
    currency: char("currency", { length: 3 }).notNull(),
    locale: text("locale").notNull(),
    status: text("status", { enum: ["active", "uninstalled"] })
      .notNull()
      .default("active"),
    installedAt: timestamp("installed_at", { withTimezone: true }).notNull().defaultNow(),
    uninstalledAt: timestamp("uninstalled_at", { withTimezone: true }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex("shops_platform_domain_key").on(t.platform, t.domain)],
);

/** Shopify session storage: every column of @shopify/shopify-api's Session, the optional ones nullable. */
export const sessions = pgTable(
  "sessions",
  {
    id: text("id").primaryKey(),
    shop: text("shop").notNull(),
    state: text("state").notNull(),
    isOnline: boolean("is_online").notNull().default(false),
    scope: text("scope"),
    expires: timestamp("expires", { withTimezone: true }),
    accessToken: text("access_token").notNull(),
    refreshToken: text("refresh_token"),
    refreshTokenExpires: timestamp("refresh_token_expires", { withTimezone: true }),
    userId: bigint("user_id", { mode: "number" }),
    firstName: text("first_name"),
    lastName: text("last_name"),
    email: text("email"),
    accountOwner: boolean("account_owner"),
    locale: text("locale"),
    collaborator: boolean("collaborator"),
    emailVerified: boolean("email_verified"),
  },
  (t) => [index("sessions_shop_idx").on(t.shop)],
);

/** Our snapshot of each tracked order, as the platform last reported it. */
export const orders = pgTable(
  "orders",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    shopId: uuid("shop_id")
      .notNull()
      .references(() => shops.id, { onDelete: "cascade" }),
    platformOrderId: text("platform_order_id").notNull(),
    name: text("name").notNull(),
    currency: char("currency", { length: 3 }).notNull(),
    totalMinor: minor("total_minor").notNull(),
    outstandingMinor: minor("outstanding_minor").notNull(),
    financialStatus: text("financial_status").notNull(),
    paymentMethods: jsonb("payment_methods")
      .$type<string[]>()
      .notNull()
      .default(sql`'[]'::jsonb`),
    isInvoice: boolean("is_invoice").notNull(),
    orderedAt: timestamp("ordered_at", { withTimezone: true }).notNull(),
    dueDate: date("due_date", { mode: "string" }),
    cancelledAt: timestamp("cancelled_at", { withTimezone: true }),
    /** The platform's own updated_at: a snapshot older than this never overwrites newer state. */
    platformUpdatedAt: timestamp("platform_updated_at", { withTimezone: true }).notNull(),
    customer: jsonb("customer").$type<OrderCustomer>().notNull(),
    billingAddress: jsonb("billing_address").$type<OrderAddress | null>(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex("orders_shop_platform_order_key").on(t.shopId, t.platformOrderId),
    index("orders_shop_due_idx").on(t.shopId, t.dueDate),
  ],
);

export type OrderCustomer = {
  platformCustomerId: string | null;
  firstName: string | null;
  lastName: string | null;
  company: string | null;
  email: string | null;
  phone: string | null;
  locale: string | null;
  /** Business signals (app/domain/dunning/debtor.ts); absent on orders stored before they were read. */
  b2bCompany?: boolean;
  vatId?: string | null;
};

export type OrderAddress = {
  name: string | null;
  company: string | null;
  street1: string | null;
  street2: string | null;
  postalCode: string | null;
  city: string | null;
  countryCode: string | null;
};

export const cases = pgTable(
  "cases",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    shopId: uuid("shop_id")
      .notNull()
      .references(() => shops.id, { onDelete: "cascade" }),
    orderId: uuid("order_id")
      .notNull()
      .references(() => orders.id, { onDelete: "cascade" }),
    kind: text("kind", { enum: ["invoice", "chargeback"] }).notNull(),
    status: text("status").notNull(),
    currency: char("currency", { length: 3 }).notNull(),
    originalMinor: minor("original_minor").notNull(),
    outstandingMinor: minor("outstanding_minor").notNull(),
    dueDate: date("due_date", { mode: "string" }).notNull(),
    dunningLevel: text("dunning_level"),
    nextActionAt: timestamp("next_action_at", { withTimezone: true }),
    partnerReference: text("partner_reference"),
    partnerSubStatus: text("partner_sub_status"),
    cancellationRequested: boolean("cancellation_requested").notNull().default(false),
    /** Denormalised for the list and its filters; the names are erased with the order's personal data. */
    platformOrderId: text("platform_order_id").notNull(),
    orderName: text("order_name").notNull(),
    customerFirstName: text("customer_first_name"),
    customerLastName: text("customer_last_name"),
    /*
     * Derived by PostgreSQL for the list's sort and search, so that they are plain columns: under row-level security
     * (app/db/tenant.server.ts) only leakproof conditions become index conditions, and array_position(), lower() and
     * LIKE are not — comparisons of plain columns are. See docs/performance.md.
     */
    statusRank: integer("status_rank").generatedAlwaysAs(
      sql`array_position(array[${sql.raw(CASE_STATUSES.map((s) => `'${s}'`).join(","))}]::text[], status)`,
    ),
    searchOrderName: text("search_order_name").generatedAlwaysAs(sql`lower(order_name)`),
    searchFirstName: text("search_first_name").generatedAlwaysAs(sql`lower(customer_first_name)`),
    searchLastName: text("search_last_name").generatedAlwaysAs(sql`lower(customer_last_name)`),
    /** The full projection of the case's events (app/domain); the columns above are indexed copies. */
    state: jsonb("state").notNull(),
    version: integer("version").notNull().default(0),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    /** When the retention sweep removed the customer from an ended case (rule cases.commercial, docs/privacy.md). */
    anonymisedAt: timestamp("anonymised_at", { withTimezone: true }),
  },
  (t) => [
    uniqueIndex("cases_shop_order_kind_key").on(t.shopId, t.orderId, t.kind),
    index("cases_shop_created_idx").on(t.shopId, t.createdAt, t.id),
    // drizzle/0010 adds INCLUDE (outstanding_minor, search_order_name, search_first_name, search_last_name,
    // platform_order_id), which drizzle cannot express: the tab badges' filtered counts read the filter off this index
    // (docs/performance.md, "Status counts"). A change of this line needs a hand-written migration that keeps them.
    index("cases_shop_status_created_idx").on(t.shopId, t.status, t.createdAt, t.id),
    // Every sort of the list, alone and inside a status tab: keyset pages walk an index, the first as the 200th.
    index("cases_shop_due_idx").on(t.shopId, t.dueDate, t.id),
    index("cases_shop_status_due_idx").on(t.shopId, t.status, t.dueDate, t.id),
    index("cases_shop_amount_idx").on(t.shopId, t.outstandingMinor, t.id),
    index("cases_shop_status_amount_idx").on(t.shopId, t.status, t.outstandingMinor, t.id),
    index("cases_shop_rank_idx").on(t.shopId, t.statusRank, t.id),
    // Prefix search (order number, customer names): byte-wise ranges on the lower-cased copies.
    index("cases_shop_search_order_idx").on(t.shopId, t.searchOrderName.op("text_pattern_ops")),
    index("cases_shop_search_first_idx").on(t.shopId, t.searchFirstName.op("text_pattern_ops")),
    index("cases_shop_search_last_idx").on(t.shopId, t.searchLastName.op("text_pattern_ops")),
    index("cases_shop_platform_order_idx").on(t.shopId, t.platformOrderId),
  ],
);

/**
 * The sweep's due index, out of `cases`: one row per case whose next_action_at is set, kept by statement-level
 * triggers on cases (drizzle/0009; a deleted case takes its row by cascade). With next_action_at indexed only here, a
 * sweep step changes no indexed column of `cases` and is a HOT update there (cases has fillfactor 70 for the room),
 * plus an update of this narrow table. See docs/decisions/007-case-schedule-table.md.
 */
export const caseSchedule = pgTable(
  "case_schedule",
  {
    caseId: uuid("case_id")
      .primaryKey()
      .references(() => cases.id, { onDelete: "cascade" }),
    shopId: uuid("shop_id")
      .notNull()
      .references(() => shops.id, { onDelete: "cascade" }),
    nextActionAt: timestamp("next_action_at", { withTimezone: true }).notNull(),
  },
  // The claim walks due cases in (next_action_at, case_id) order from a keyset position.
  (t) => [index("case_schedule_next_action_idx").on(t.nextActionAt, t.caseId)],
);

/**
 * How many cases a shop has in each status (the tab badges), exact without counting a million index entries. Kept by
 * statement-level triggers on cases (drizzle/0007) as append-only deltas: each statement that inserts, deletes or
 * changes the status of cases adds one row per (shop, status) it changed, so concurrent writers of one shop never
 * wait for a shared counter row. Readers sum a shop's rows; compactCaseStatusCounts (job cases.counts.compact) folds
 * them into one row per (shop, status). No primary key: several rows per (shop, status) are the design.
 */
export const caseStatusCounts = pgTable(
  "case_status_counts",
  {
    shopId: uuid("shop_id")
      .notNull()
      .references(() => shops.id, { onDelete: "cascade" }),
    status: text("status").notNull(),
    n: bigint("n", { mode: "number" }).notNull(),
  },
  (t) => [index("case_status_counts_shop_status_idx").on(t.shopId, t.status, t.n)],
);

/** Append-only: rows are inserted, never updated or deleted (except by a GDPR erasure of personal data). */
export const caseEvents = pgTable(
  "case_events",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    shopId: uuid("shop_id")
      .notNull()
      .references(() => shops.id, { onDelete: "cascade" }),
    caseId: uuid("case_id")
      .notNull()
      .references(() => cases.id, { onDelete: "cascade" }),
    seq: integer("seq").notNull(),
    type: text("type").notNull(),
    actorType: text("actor_type").notNull(),
    actorId: text("actor_id").notNull(),
    /** The staff member's name as the platform reported it at the time (null for non-staff actors or unknown). */
    actorName: text("actor_name"),
    reason: text("reason"),
    data: jsonb("data")
      .notNull()
      .default(sql`'{}'::jsonb`),
    sourceId: text("source_id"),
    occurredAt: timestamp("occurred_at", { withTimezone: true }).notNull(),
    recordedAt: timestamp("recorded_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("case_events_case_seq_key").on(t.caseId, t.seq),
    uniqueIndex("case_events_shop_source_key").on(t.shopId, t.caseId, t.type, t.sourceId),
  ],
);

/** Versioned per-shop settings: every change is a new row, so the history shows who changed what. */
export const settings = pgTable(
  "settings",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    shopId: uuid("shop_id")
      .notNull()
      .references(() => shops.id, { onDelete: "cascade" }),
    version: integer("version").notNull(),
    data: jsonb("data").notNull(),
    changedBy: text("changed_by").notNull(),
    changedAt: timestamp("changed_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex("settings_shop_version_key").on(t.shopId, t.version)],
);

/**
 * Raw webhook deliveries, stored before anything is parsed. The dedupe key is the platform's
 * delivery id (WooCommerce: delivery id + body hash, because its ids repeat).
 */
export const webhookInbox = pgTable(
  "webhook_inbox",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    platform: text("platform", { enum: ["shopify", "woocommerce", "partner"] }).notNull(),
    /** Shop domain or connection id as the delivery names it; shop_id is filled once it is resolved. */
    source: text("source").notNull(),
    shopId: uuid("shop_id").references(() => shops.id, { onDelete: "cascade" }),
    topic: text("topic").notNull(),
    dedupeKey: text("dedupe_key").notNull(),
    headers: jsonb("headers").$type<Record<string, string>>().notNull(),
    body: text("body").notNull(),
    status: text("status", { enum: ["received", "processed", "ignored", "rejected", "dead"] })
      .notNull()
      .default("received"),
    attempts: integer("attempts").notNull().default(0),
    lastError: text("last_error"),
    triggeredAt: timestamp("triggered_at", { withTimezone: true }),
    receivedAt: timestamp("received_at", { withTimezone: true }).notNull().defaultNow(),
    processedAt: timestamp("processed_at", { withTimezone: true }),
  },
  (t) => [
    uniqueIndex("webhook_inbox_dedupe_key").on(t.platform, t.source, t.dedupeKey),
    index("webhook_inbox_status_idx").on(t.status, t.receivedAt),
    // The retention sweep's inbox.bodies rule reads only bodies not yet cleared, oldest first; without this every
    // batch would scan past the rows it already cleared (docs/performance.md, "Retention sweep"). The predicate is
    // the rule's own, in literals, so the planner can prove the sweep's condition implies it.
    index("webhook_inbox_bodies_due_idx")
      .on(t.receivedAt)
      .where(sql`status in ('processed', 'ignored') and (body <> '{"redacted":true}' or headers <> '{}'::jsonb)`),
  ],
);

/** Calls to partners and platforms, written in the same transaction as the case event that causes them. */
export const outbox = pgTable(
  "outbox",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    shopId: uuid("shop_id")
      .notNull()
      .references(() => shops.id, { onDelete: "cascade" }),
    caseId: uuid("case_id").references(() => cases.id, { onDelete: "cascade" }),
    kind: text("kind").notNull(),
    idempotencyKey: text("idempotency_key").notNull(),
    payload: jsonb("payload").notNull(),
    status: text("status", { enum: ["pending", "in_flight", "done", "failed", "dead"] })
      .notNull()
      .default("pending"),
    attempts: integer("attempts").notNull().default(0),
    /**
     * Set anew by every claim: a worker may record an outcome only while the row still carries the lease it claimed.
     * (The attempt counter cannot fence: support's retry starts it again at 0.)
     */
    leaseId: uuid("lease_id"),
    nextAttemptAt: timestamp("next_attempt_at", { withTimezone: true }).notNull().defaultNow(),
    lastError: text("last_error"),
    result: jsonb("result"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex("outbox_idempotency_key").on(t.shopId, t.idempotencyKey),
    index("outbox_due_idx")
      .on(t.nextAttemptAt)
      .where(sql`${t.status} in ('pending', 'failed')`),
  ],
);

export const apiTokens = pgTable(
  "api_tokens",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    shopId: uuid("shop_id")
      .notNull()
      .references(() => shops.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    role: text("role", { enum: ["support", "readonly"] }).notNull(),
    /** sha256 of the token; the token itself is shown once and never stored. */
    tokenHash: text("token_hash").notNull(),
    createdAt: createdAt(),
    lastUsedAt: timestamp("last_used_at", { withTimezone: true }),
    revokedAt: timestamp("revoked_at", { withTimezone: true }),
  },
  (t) => [uniqueIndex("api_tokens_hash_key").on(t.tokenHash), index("api_tokens_shop_idx").on(t.shopId)],
);

/** customers/data_request: what we hold about one customer, prepared for the shop owner to pass on. */
export const dataRequests = pgTable(
  "data_requests",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    shopId: uuid("shop_id")
      .notNull()
      .references(() => shops.id, { onDelete: "cascade" }),
    /** The platform's id of the request, quoted back to the merchant; null when the platform sent none. */
    platformRequestId: text("platform_request_id"),
    platformCustomerId: text("platform_customer_id"),
    /** The export itself: the customer's orders and cases as JSON. Erased with the customer on redact. */
    data: jsonb("data").notNull(),
    createdAt: createdAt(),
  },
  (t) => [index("data_requests_shop_idx").on(t.shopId, t.createdAt)],
);

/** The collection partner a shop hands claims to, with its credentials (encrypted) and the feed cursor. */
export const partnerAccounts = pgTable(
  "partner_accounts",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    shopId: uuid("shop_id")
      .notNull()
      .references(() => shops.id, { onDelete: "cascade" }),
    /** "sandbox" speaks Riverty's protocol, "sandbox_mediafinanz" mediaFinanz's: the built-in sandbox partner. */
    partner: text("partner", { enum: ["sandbox", "sandbox_mediafinanz", "riverty", "mediafinanz"] }).notNull(),
    environment: text("environment", { enum: ["sandbox", "production"] }).notNull(),
    /** AES-256-GCM ciphertext of the partner credentials (app/utils/crypto.server.ts). */
    credentials: text("credentials").notNull(),
    /** Where the last applied feed poll ended; moved only after its changes were applied. */
    feedCursor: text("feed_cursor"),
    feedPolledAt: timestamp("feed_polled_at", { withTimezone: true }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex("partner_accounts_shop_key").on(t.shopId)],
);

/** A WooCommerce store being connected or connected: keys and webhook secret encrypted at rest (AES-256-GCM). */
export const wooConnections = pgTable(
  "woo_connections",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    /** Set once the store is connected and its shop row exists. */
    shopId: uuid("shop_id").references(() => shops.id, { onDelete: "cascade" }),
    storeUrl: text("store_url").notNull(),
    status: text("status", { enum: ["pending", "connected", "disconnected"] })
      .notNull()
      .default("pending"),
    consumerKey: text("consumer_key"),
    consumerSecret: text("consumer_secret"),
    webhookSecret: text("webhook_secret").notNull(),
    /** WooCommerce ids of the webhooks we created, by topic. */
    webhookIds: jsonb("webhook_ids")
      .$type<Record<string, number>>()
      .notNull()
      .default(sql`'{}'::jsonb`),
    lastPolledAt: timestamp("last_polled_at", { withTimezone: true }),
    connectedAt: timestamp("connected_at", { withTimezone: true }),
    disconnectedAt: timestamp("disconnected_at", { withTimezone: true }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index("woo_connections_shop_idx").on(t.shopId)],
);

/** Single-use sign-in tokens for the standalone tab: e-mailed magic links and wp-admin signed links. */
export const loginTokens = pgTable(
  "login_tokens",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    shopId: uuid("shop_id")
      .notNull()
      .references(() => shops.id, { onDelete: "cascade" }),
    kind: text("kind", { enum: ["magic_link", "wp_admin"] }).notNull(),
    /** sha256 of the token or nonce; the token itself is never stored. */
    tokenHash: text("token_hash").notNull(),
    email: text("email"),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    usedAt: timestamp("used_at", { withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("login_tokens_hash_key").on(t.tokenHash)],
);

/** Signed-in staff of a store in the standalone tab (Shopify staff use App Bridge session tokens instead). */
export const staffSessions = pgTable(
  "staff_sessions",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    shopId: uuid("shop_id")
      .notNull()
      .references(() => shops.id, { onDelete: "cascade" }),
    email: text("email"),
    /** Who signed in: "wp:<user id>" from wp-admin, "email:<address>" by e-mailed link; their name when known. */
    staffId: text("staff_id"),
    staffName: text("staff_name"),
    /** sha256 of the session cookie's value. */
    sessionHash: text("session_hash").notNull(),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("staff_sessions_hash_key").on(t.sessionHash)],
);

/**
 * WooCommerce staff the store itself vouched for: every signed wp-admin link names its WordPress user. Only their
 * addresses may ask for an e-mailed sign-in link, and only while their last wp-admin sign-in is recent.
 */
export const staffMembers = pgTable(
  "staff_members",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    shopId: uuid("shop_id")
      .notNull()
      .references(() => shops.id, { onDelete: "cascade" }),
    /** "wp:<WordPress user id>". */
    staffId: text("staff_id").notNull(),
    name: text("name"),
    /** Lower-cased. */
    email: text("email"),
    lastWpAdminSignInAt: timestamp("last_wp_admin_sign_in_at", { withTimezone: true }).notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("staff_members_shop_staff_key").on(t.shopId, t.staffId),
    index("staff_members_email_idx").on(t.email),
  ],
);

/** Import of a shop's open invoice orders (Shopify or WooCommerce): resumable, its progress shown in the tab. */
export const orderImports = pgTable(
  "order_imports",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    shopId: uuid("shop_id")
      .notNull()
      .references(() => shops.id, { onDelete: "cascade" }),
    status: text("status", { enum: ["running", "done", "failed"] })
      .notNull()
      .default("running"),
    /** How the orders are read: GraphQL pages, or (large Shopify shops) one bulk operation's JSONL file. */
    mode: text("mode", { enum: ["pages", "bulk"] })
      .notNull()
      .default("pages"),
    /** Where to resume: a GraphQL end cursor, the JSONL lines already applied, or a WooCommerce page number. */
    cursor: text("cursor"),
    /** The Shopify bulk operation this import reads (gid), once started; polled by id after any restart. */
    bulkOperationId: text("bulk_operation_id"),
    /** Bulk operations started for this import (a failed one is retried once, then pages take over). */
    attempts: integer("attempts").notNull().default(0),
    processed: integer("processed").notNull().default(0),
    total: integer("total"),
    error: text("error"),
    startedAt: timestamp("started_at", { withTimezone: true }).notNull().defaultNow(),
    finishedAt: timestamp("finished_at", { withTimezone: true }),
  },
  (t) => [index("order_imports_shop_idx").on(t.shopId, t.startedAt)],
);

/** "Start/cancel all N matching this filter": run as a background job, its progress and result kept. */
export const bulkRuns = pgTable(
  "bulk_runs",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    shopId: uuid("shop_id")
      .notNull()
      .references(() => shops.id, { onDelete: "cascade" }),
    action: text("action", { enum: ["start", "cancel"] }).notNull(),
    /** The list filter as the URL had it (status, period, amounts, query). */
    filter: jsonb("filter").notNull(),
    reason: text("reason").notNull(),
    actorType: text("actor_type").notNull(),
    actorId: text("actor_id").notNull(),
    actorName: text("actor_name"),
    status: text("status", { enum: ["queued", "running", "done", "failed"] })
      .notNull()
      .default("queued"),
    total: integer("total"),
    succeeded: integer("succeeded").notNull().default(0),
    /** Cases that could not be acted on, with why: [{ caseId, orderName, code, message }]. */
    failures: jsonb("failures")
      .$type<{ caseId: string; orderName: string; code: string; message: string }[]>()
      .notNull()
      .default(sql`'[]'::jsonb`),
    createdAt: createdAt(),
    finishedAt: timestamp("finished_at", { withTimezone: true }),
  },
  (t) => [index("bulk_runs_shop_idx").on(t.shopId, t.createdAt)],
);

export type Shop = typeof shops.$inferSelect;
export type OrderRow = typeof orders.$inferSelect;
export type CaseRow = typeof cases.$inferSelect;
export type CaseEventRow = typeof caseEvents.$inferSelect;
export type PartnerAccountRow = typeof partnerAccounts.$inferSelect;

/**
 * One row per run of the retention sweep (app/services/privacy/retention.server.ts): what each rule removed, for /healthz and
 * `mahnwerk retention status`. Dry runs are not recorded. Holds no personal data.
 */
export const retentionRuns = pgTable(
  "retention_runs",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    startedAt: timestamp("started_at", { withTimezone: true }).notNull(),
    finishedAt: timestamp("finished_at", { withTimezone: true }).notNull(),
    /** Rows changed or deleted per rule id, e.g. { "inbox.bodies": 120 }. */
    removed: jsonb("removed").$type<Record<string, number>>().notNull(),
    /** Why the run stopped early (the counts are those of the rules done until then); null when it finished. */
    error: text("error"),
  },
  (t) => [index("retention_runs_finished_idx").on(t.finishedAt)],
);

/**
 * Who opened what: a case, its letter or an export, and the access log itself (Shopify's protected customer data
 * asks for access logs). One row per opening; the retention job deletes rows after a year (RETENTION_RULES).
 */
export const accessLog = pgTable(
  "access_log",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    shopId: uuid("shop_id")
      .notNull()
      .references(() => shops.id, { onDelete: "cascade" }),
    at: timestamp("at", { withTimezone: true }).notNull().defaultNow(),
    /** tab (a staff member), api (a support token), cli (support on the server). */
    channel: text("channel", { enum: ["tab", "api", "cli"] }).notNull(),
    /** Staff id ("shopify:<user>", "wp:<user>", "demo"), the token's name or id, or the CLI's --actor / OS user. */
    actorId: text("actor_id").notNull(),
    actorName: text("actor_name"),
    what: text("what", { enum: ["case", "letter", "export", "access_log"] }).notNull(),
    /** Not a foreign key: the record of who looked at a case stays when the case row goes. */
    caseId: uuid("case_id"),
  },
  // The last index serves the retention sweep, which looks for old entries of all shops.
  (t) => [
    index("access_log_shop_at_idx").on(t.shopId, t.at),
    index("access_log_case_idx").on(t.shopId, t.caseId, t.at),
    index("access_log_at_idx").on(t.at),
  ],
);

/**
 * The base rate (§ 247 BGB) as last read from the Deutsche Bundesbank by the daily job `base-rates.refresh`
 * (app/services/dunning/base-rates.server.ts): one row per half-year. Global, not a tenant table (no shop_id): the rate is
 * German law's, the same for every shop. Read merged over the shipped table; an operator's BASE_RATES_FILE wins.
 */
export const baseRates = pgTable("base_rates", {
  /** 1 January or 1 July. */
  from: date("from", { mode: "string" }).primaryKey(),
  /** Basis points: 127 = 1.27 %. */
  rateBp: integer("rate_bp").notNull(),
  /** Where the rate was read, e.g. the series URL. */
  source: text("source").notNull(),
  /** When this rate was first read, or last read as changed. */
  fetchedAt: timestamp("fetched_at", { withTimezone: true }).notNull(),
});

/**
 * Checkouts the WooCommerce checkout guard steered away from invoice, per shop and day (the shop's calendar): one
 * for every answer "open case" the companion plugin asked for. The plugin keeps an answer ten minutes, so a
 * customer who reloads the checkout is counted once per ten minutes. No personal data.
 */
export const checkoutGuardDays = pgTable(
  "checkout_guard_days",
  {
    shopId: uuid("shop_id")
      .notNull()
      .references(() => shops.id, { onDelete: "cascade" }),
    day: date("day", { mode: "string" }).notNull(),
    steered: integer("steered").notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.shopId, t.day] })],
);

/** One bank statement file read for a shop (upload, CLI or API): what it held and what came of it. */
export const statementImports = pgTable("statement_imports", {
  id: uuid("id").primaryKey().defaultRandom(),
  shopId: uuid("shop_id")
    .notNull()
    .references(() => shops.id, { onDelete: "cascade" }),
  format: text("format", { enum: ["camt.053", "camt.054", "mt940"] }).notNull(),
  fileSha256: text("file_sha256").notNull(),
  fileName: text("file_name"),
  /** Credits in the file; new ones (not seen in an earlier import); of these, matched and left for review. */
  credits: integer("credits").notNull(),
  added: integer("added").notNull(),
  matched: integer("matched").notNull(),
  review: integer("review").notNull(),
  importedBy: text("imported_by").notNull(),
  importedAt: timestamp("imported_at", { withTimezone: true }).notNull(),
});

/**
 * A credit on the shop's bank account, from a statement. Unique per shop by the bank's entry reference (or a hash of
 * its content), so a statement imported twice, or overlapping statements, add nothing twice. `decision` keeps why it
 * was matched (allocations, reasons) or the candidates staff choose from.
 */
export const bankCredits = pgTable(
  "bank_credits",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    shopId: uuid("shop_id")
      .notNull()
      .references(() => shops.id, { onDelete: "cascade" }),
    importId: uuid("import_id")
      .notNull()
      .references(() => statementImports.id, { onDelete: "cascade" }),
    entryId: text("entry_id").notNull(),
    bookingDate: date("booking_date", { mode: "string" }).notNull(),
    valueDate: date("value_date", { mode: "string" }),
    amountMinor: bigint("amount_minor", { mode: "number" }).notNull(),
    currency: char("currency", { length: 3 }).notNull(),
    payerName: text("payer_name"),
    payerIban: text("payer_iban"),
    remittance: text("remittance").notNull(),
    creditorReference: text("creditor_reference"),
    endToEndId: text("end_to_end_id"),
    status: text("status", { enum: ["matched", "review", "assigned", "dismissed"] }).notNull(),
    decision: jsonb("decision").notNull(),
    resolvedBy: text("resolved_by"),
    resolvedAt: timestamp("resolved_at", { withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("bank_credits_entry").on(t.shopId, t.entryId),
    index("bank_credits_status_idx").on(t.shopId, t.status),
  ],
);

/**
 * A bank credit that paid an invoice order before any case was opened for it (not yet due, or not yet tracked into a
 * case): what keeps a case from ever opening for money already received (openCaseForOrder subtracts it), and what
 * the order-level write-back marks paid on the platform. One row per (credit, order): a split credit pays several.
 */
export const orderBankPayments = pgTable(
  "order_bank_payments",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    shopId: uuid("shop_id")
      .notNull()
      .references(() => shops.id, { onDelete: "cascade" }),
    orderId: uuid("order_id")
      .notNull()
      .references(() => orders.id, { onDelete: "cascade" }),
    creditId: uuid("credit_id")
      .notNull()
      .references(() => bankCredits.id, { onDelete: "cascade" }),
    amountMinor: minor("amount_minor").notNull(),
    currency: char("currency", { length: 3 }).notNull(),
    bookingDate: date("booking_date", { mode: "string" }).notNull(),
    /** Who booked it: the importer of the statement, or the person who assigned the credit. */
    actorId: text("actor_id").notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("order_bank_payments_credit_order").on(t.creditId, t.orderId),
    index("order_bank_payments_order_idx").on(t.orderId),
  ],
);
