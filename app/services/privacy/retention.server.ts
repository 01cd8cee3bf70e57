import { and, desc, eq, isNull, ne, type SQL, sql } from "drizzle-orm";

import { type DbOrTx, rowsOf, type Tx } from "#app/db/client.server";
import { cases, orders, retentionRuns } from "#app/db/schema";
import type { Settings } from "#app/domain/settings";

import { personalValues, scrubCaseText } from "./personal-data.server";

/**
 * How long Mahnwerk keeps personal data, as data: docs/privacy.md explains each rule (and its sources), and a privacy
 * page can be generated from the same list. The daily job `retention.sweep` enforces the rules that are `enforced`.
 *
 * Each enforced rule picks at most BATCH rows at a time with FOR UPDATE SKIP LOCKED and changes them in one statement
 * (its own short transaction): rows another worker holds are skipped, never waited for, so two sweeps at once split
 * the work and neither counts a row twice (the condition, re-checked on the locked row, excludes rows already done).
 * Rows inside a rule's period are never touched.
 */
export type RetentionRule = {
  /** Stable id: the key of the counts in logs, retention_runs and the CLI. */
  id: string;
  table: string;
  /** The kind of data, in words. */
  data: string;
  /** What happens once the period is over: rows deleted, or the personal fields cleared (the row stays). */
  action: "delete" | "clear";
  /** What goes, and what stays. */
  removes: string;
  keeps: string;
  /** Days after `from` (0: as soon as `from` is past). */
  periodDays: number;
  /** When the period starts. */
  from: string;
  why: string;
  /** Whether the merchant sets the period per shop (none yet: every shop has the defaults below). */
  perShopSetting: boolean;
  /** False: written down, not yet enforced by the job (see docs/privacy.md). */
  enforced: boolean;
};

const DAY_MS = 86_400_000;
export const RETENTION_BATCH = 500;

/** What a cleared body reads; the same marker as a customer redaction (app/services/intake/platform-events.server.ts). */
const REDACTED_BODY = '{"redacted":true}';
const REDACTED_JSON = sql`'{"redacted":true}'::jsonb`;
const EMPTY_CUSTOMER = {
  platformCustomerId: null,
  firstName: null,
  lastName: null,
  company: null,
  email: null,
  phone: null,
  locale: null,
};

export const RETENTION_RULES: readonly RetentionRule[] = [
  {
    id: "inbox.bodies",
    table: "webhook_inbox",
    data: "webhook deliveries (order and customer data as the platform sent it, request headers)",
    action: "clear",
    removes: "body and headers of processed and ignored deliveries",
    keeps: "platform, source, topic, dedupe key, status, times: a late duplicate is still recognised",
    periodDays: 7,
    from: "receipt (and the last processing)",
    why: "debugging and replay while the platforms may still retry (Shopify: 8 retries over 4 hours; WooCommerce: none)",
    perShopSetting: false,
    enforced: true,
  },
  {
    id: "inbox.failed",
    table: "webhook_inbox",
    data: "dead and rejected webhook deliveries",
    action: "delete",
    removes: "the whole row",
    keeps: "nothing; a replayed delivery is processed and falls under inbox.bodies",
    periodDays: 30,
    from: "receipt (and the last processing attempt)",
    why: "support resolves them (mahnwerk inbox replay) or finds out why they were refused",
    perShopSetting: false,
    enforced: true,
  },
  {
    id: "outbox.payloads",
    table: "outbox",
    data: "payloads and errors of finished calls to partners, platforms and the mail server",
    action: "clear",
    removes: "payload (replaced by a marker) and last_error of done rows",
    keeps: "kind, status, idempotency key, attempts, result, times: the outcome",
    periodDays: 30,
    from: "the call's last change",
    why: "support looks into a call shortly after it ran; the case's events keep what was sent",
    perShopSetting: false,
    enforced: true,
  },
  {
    id: "orders.personal",
    table: "orders",
    data: "customer and billing address of orders that were paid without a case",
    action: "clear",
    removes: "customer (names, company, e-mail, phone, locale, customer id) and billing address",
    keeps: "order number, amounts, dates and statuses",
    periodDays: 30,
    from: "the order's last change (its payment)",
    why: "an order is watched until it is paid; once paid without a case no one needs to know who bought it",
    perShopSetting: false,
    enforced: true,
  },
  {
    id: "login_tokens.expired",
    table: "login_tokens",
    data: "sign-in links (hash, staff e-mail)",
    action: "delete",
    removes: "the whole row",
    keeps: "nothing",
    periodDays: 0,
    from: "the link's expiry",
    why: "a link is only good until it expires",
    perShopSetting: false,
    enforced: true,
  },
  {
    id: "staff_sessions.expired",
    table: "staff_sessions",
    data: "staff sessions (hash, staff e-mail and name)",
    action: "delete",
    removes: "the whole row",
    keeps: "nothing",
    periodDays: 0,
    from: "the session's expiry",
    why: "a session is only good until it expires",
    perShopSetting: false,
    enforced: true,
  },
  {
    id: "data_requests.exports",
    table: "data_requests",
    data: "prepared data exports for a customer's access request",
    action: "delete",
    removes: "the whole row",
    keeps: "nothing",
    periodDays: 30,
    from: "the export's creation",
    why: "the merchant has to answer an access request within a month (Art. 12(3) GDPR)",
    perShopSetting: false,
    enforced: true,
  },
  {
    id: "access_log.entries",
    table: "access_log",
    data: "who opened which case, letter or export: staff user id and name, support token, CLI user",
    action: "delete",
    removes: "the whole row",
    keeps: "nothing",
    periodDays: 365,
    from: "the opening",
    why: "to answer who saw a customer's data, for the merchant, a data-protection inquiry or an incident, for a year",
    perShopSetting: false,
    enforced: true,
  },
  {
    id: "cases.commercial",
    table: "cases, case_events (and the case's order)",
    data: "cases and their events: reminders sent (business letters), claims handed over, payments",
    action: "clear",
    removes: "customer names, e-mail, phone and address (case and order), personal values in event and outbox texts",
    keeps: "amounts, dates, statuses, the order number",
    // The default: the shop's setting caseRetentionYears (6 or 10) decides, in calendar years.
    periodDays: 10 * 365,
    from: "the end of the calendar year in which the case ended (paid, cancelled, closed)",
    why: "commercial and tax retention: § 257 HGB, § 147 AO (6 years for business letters, 10 for accounting records)",
    perShopSetting: true,
    enforced: true,
  },
];

/** The periods a shop has set, by rule id (days), for rules with `perShopSetting`. */
export function shopRetentionPeriods(settings: Pick<Settings, "caseRetentionYears">): Record<string, number> {
  return { "cases.commercial": settings.caseRetentionYears * 365 };
}

type Executable = {
  table: string;
  /** The rows whose period is over and that still hold what the rule removes. */
  due: (now: Date) => SQL;
  /** `set …` for a clear rule; absent: the rows are deleted (unless `apply` does the work). */
  set?: SQL;
  /** Work one statement cannot do, per locked row (in the batch's transaction). */
  apply?: (tx: Tx, id: string, now: Date) => Promise<void>;
};

const cutoff = (now: Date, days: number) => new Date(now.getTime() - days * DAY_MS).toISOString();

/** The SQL of each enforced rule. Conditions use only columns PostgreSQL 15 and PGlite both have. */
const EXECUTABLE: Record<string, Executable> = {
  "inbox.bodies": {
    table: "webhook_inbox",
    due: (now) => {
      const before = cutoff(now, 7);
      // The marker as a literal, not a parameter: webhook_inbox_bodies_due_idx is partial on exactly this condition.
      return sql`status in ('processed', 'ignored') and received_at < ${before} and coalesce(processed_at, received_at) < ${before}
        and (body <> ${sql.raw(`'${REDACTED_BODY}'`)} or headers <> '{}'::jsonb)`;
    },
    set: sql`body = ${REDACTED_BODY}, headers = '{}'::jsonb`,
  },
  "inbox.failed": {
    table: "webhook_inbox",
    due: (now) => {
      const before = cutoff(now, 30);
      return sql`status in ('dead', 'rejected') and received_at < ${before} and coalesce(processed_at, received_at) < ${before}`;
    },
  },
  "outbox.payloads": {
    table: "outbox",
    due: (now) =>
      sql`status = 'done' and updated_at < ${cutoff(now, 30)} and (payload <> ${REDACTED_JSON} or last_error is not null)`,
    set: sql`payload = ${REDACTED_JSON}, last_error = null`,
  },
  "orders.personal": {
    table: "orders",
    due: (now) => sql`financial_status in ('paid', 'partially_refunded', 'refunded') and outstanding_minor <= 0
      and updated_at < ${cutoff(now, 30)}
      and not exists (select from cases c where c.shop_id = orders.shop_id and c.order_id = orders.id)
      and (customer <> ${JSON.stringify(EMPTY_CUSTOMER)}::jsonb or billing_address is not null)`,
    set: sql`customer = ${JSON.stringify(EMPTY_CUSTOMER)}::jsonb, billing_address = null`,
  },
  "login_tokens.expired": { table: "login_tokens", due: (now) => sql`expires_at < ${now.toISOString()}` },
  "staff_sessions.expired": { table: "staff_sessions", due: (now) => sql`expires_at < ${now.toISOString()}` },
  "data_requests.exports": { table: "data_requests", due: (now) => sql`created_at < ${cutoff(now, 30)}` },
  "access_log.entries": { table: "access_log", due: (now) => sql`at < ${cutoff(now, 365)}` },
  "cases.commercial": {
    table: "cases",
    // The year the case ended and "now" in the shop's own zone: a case paid at 00:30 on 1 January in Berlin ended in
    // the new year. updated_at is the end: an ended case changes no more (a later change only moves it later).
    due: (now) => sql`status in ('paid', 'cancelled', 'closed') and anonymised_at is null
      and extract(year from (cases.updated_at at time zone (select s.timezone from shops s where s.id = cases.shop_id)))
        + (case (select (st.data->>'caseRetentionYears') from settings st where st.shop_id = cases.shop_id order by st.version desc limit 1)
           when '6' then 6 else 10 end)
        < extract(year from (${now.toISOString()}::timestamptz at time zone (select s.timezone from shops s where s.id = cases.shop_id)))`,
    apply: anonymiseCase,
  },
};

export type RetentionReport = {
  startedAt: Date;
  finishedAt: Date;
  dryRun: boolean;
  /** Per enforced rule: rows changed or deleted (dry run: that would be). */
  removed: Record<string, number>;
  error: string | null;
};

/**
 * Runs every enforced rule to the end in batches; a dry run only counts. A real run is recorded in retention_runs
 * (also when a rule failed: the counts until then and the error); the job logs it, the CLI prints it. Safe twice and
 * beside itself.
 */
export async function runRetention(
  db: DbOrTx,
  { now, dryRun = false, batch = RETENTION_BATCH }: { now: Date; dryRun?: boolean; batch?: number },
): Promise<RetentionReport> {
  // Wall-clock times for the record (`now` only places the periods' ends): the last run is the last one that finished.
  const startedAt = new Date();
  const removed: Record<string, number> = {};
  let error: string | null = null;
  for (const rule of RETENTION_RULES) {
    const run = EXECUTABLE[rule.id];
    if (!rule.enforced || !run) continue;
    try {
      removed[rule.id] = dryRun ? await countDue(db, run, now) : await sweepRule(db, run, now, batch);
    } catch (err) {
      error = `${rule.id}: ${err instanceof Error ? err.message : String(err)}`;
      break;
    }
  }
  const report: RetentionReport = { startedAt, finishedAt: new Date(), dryRun, removed, error };
  if (!dryRun) {
    await db.insert(retentionRuns).values({ startedAt, finishedAt: report.finishedAt, removed, error });
  }
  return report;
}

async function countDue(db: DbOrTx, run: Executable, now: Date): Promise<number> {
  const result = await db.execute(
    sql`select count(*)::int as n from ${sql.identifier(run.table)} where ${run.due(now)}`,
  );
  return Number(rowsOf<{ n: number }>(result)[0]?.n ?? 0);
}

/** Batches until one comes back short: each statement locks at most `batch` rows, skipping rows others hold. */
async function sweepRule(db: DbOrTx, run: Executable, now: Date, batch: number): Promise<number> {
  const table = sql.identifier(run.table);
  const pick = sql`select id from ${table} where ${run.due(now)} limit ${batch} for update skip locked`;
  let total = 0;
  const apply = run.apply;
  if (apply) {
    for (;;) {
      const n = await db.transaction(async (tx) => {
        const ids = rowsOf<{ id: string }>(await tx.execute(pick)).map((r) => r.id);
        for (const id of ids) await apply(tx, id, now);
        return ids.length;
      });
      total += n;
      if (n < batch) return total;
    }
  }
  for (;;) {
    const result = await db.execute(
      run.set
        ? sql`update ${table} set ${run.set} where id in (${pick}) returning id`
        : sql`delete from ${table} where id in (${pick}) returning id`,
    );
    const n = rowsOf(result).length;
    total += n;
    if (n < batch) return total;
  }
}

export type RetentionRun = typeof retentionRuns.$inferSelect;

export async function lastRetentionRun(db: DbOrTx): Promise<RetentionRun | null> {
  const [row] = await db.select().from(retentionRuns).orderBy(desc(retentionRuns.finishedAt)).limit(1);
  return row ?? null;
}

/** The last run as JSON (/healthz, the CLI). */
export function retentionRunToJson(run: RetentionRun | null) {
  if (!run) return null;
  return {
    startedAt: run.startedAt.toISOString(),
    finishedAt: run.finishedAt.toISOString(),
    removed: run.removed,
    error: run.error,
  };
}

/**
 * An ended case past its period loses its customer: the names on the case, the order's customer and address (unless
 * another case of the order is still kept), and every personal value quoted in the case's events and outbox rows.
 */
async function anonymiseCase(tx: Tx, caseId: string, now: Date): Promise<void> {
  const [row] = await tx.select().from(cases).where(eq(cases.id, caseId));
  if (!row) return;
  const [order] = await tx.select().from(orders).where(eq(orders.id, row.orderId));
  if (order) {
    await scrubCaseText(tx, row.shopId, row.id, personalValues([order]));
    const othersKept = await tx
      .select({ id: cases.id })
      .from(cases)
      .where(and(eq(cases.orderId, order.id), ne(cases.id, row.id), isNull(cases.anonymisedAt)));
    if (othersKept.length === 0)
      await tx.update(orders).set({ customer: EMPTY_CUSTOMER, billingAddress: null }).where(eq(orders.id, order.id));
  }
  await tx
    .update(cases)
    .set({ customerFirstName: null, customerLastName: null, anonymisedAt: now })
    .where(eq(cases.id, row.id));
}
