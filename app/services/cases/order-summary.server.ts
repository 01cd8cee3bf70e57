import { and, desc, eq } from "drizzle-orm";

import type { DbOrTx } from "#app/db/client.server";
import { type CaseRow, cases, orders, type Shop } from "#app/db/schema";
import type { Actor } from "#app/domain/case/events";
import { REASON_MAX } from "#app/domain/case/reason";
import { TERMINAL_STATUSES } from "#app/domain/case/status";
import { allowedManualActions } from "#app/domain/case/transitions";
import { toLocalDate } from "#app/domain/dates";
import { actorText, eventTitle, nextActionText } from "#app/i18n/case-texts";
import { intlLocale, type Locale, type MessageKey, translator } from "#app/i18n/i18n";
import { formatDate, formatMinor } from "#app/utils/format";

import { runCaseAction } from "./page.server";
import { listCaseEvents } from "./read.server";
import { caseFromJson } from "./serialization";

/*
 * The case of one order as the order screens show it (the Shopify admin block, the WooCommerce meta box): status,
 * what is outstanding, the level, the next step, the last three timeline entries, and which of Start/Cancel apply.
 * Texts come ready in the viewer's language from the tab's own messages, so every surface says the same thing.
 */

/** Badge tones in the vocabulary of Shopify's admin components (s-badge); the meta box maps them to its colours. */
const TONE: Record<string, "caution" | "info" | "warning" | "critical" | "success" | "neutral"> = {
  waiting_for_approval: "caution",
  running: "info",
  handed_over: "warning",
  blocked: "critical",
  paid: "success",
  failed: "critical",
  cancelled: "neutral",
  closed: "neutral",
};

const TIMELINE_ENTRIES = 3;

export type OrderCaseSummary =
  | {
      tracked: false;
      /** unknown_order: Mahnwerk never saw it; not_invoice: paid another way; no_case: an invoice order not overdue. */
      reason: "unknown_order" | "not_invoice" | "no_case";
      text: string;
    }
  | {
      tracked: true;
      caseId: string;
      /** The case page in the tab, relative to the app's URL. */
      casePath: string;
      orderName: string;
      status: string;
      statusText: string;
      tone: (typeof TONE)[string];
      outstandingMinor: number;
      currency: string;
      outstandingText: string;
      levelText: string;
      nextText: string | null;
      timeline: { title: string; at: string; actor: string; reason: string | null }[];
      actions: ("start" | "cancel")[];
      reasonMax: number;
    };

/** The case an order screen shows: the open one, else the latest (an order may have had an invoice and a chargeback case). */
async function caseOfOrder(db: DbOrTx, shopId: string, orderId: string): Promise<CaseRow | null> {
  const rows = await db
    .select()
    .from(cases)
    .where(and(eq(cases.shopId, shopId), eq(cases.orderId, orderId)))
    .orderBy(desc(cases.createdAt));
  return rows.find((c) => !(TERMINAL_STATUSES as readonly string[]).includes(c.status)) ?? rows[0] ?? null;
}

export async function orderCaseSummary(
  db: DbOrTx,
  shop: Shop,
  platformOrderId: string,
  locale: Locale,
): Promise<OrderCaseSummary> {
  const t = translator(locale);
  const intl = intlLocale(locale);
  const [order] = await db
    .select()
    .from(orders)
    .where(and(eq(orders.shopId, shop.id), eq(orders.platformOrderId, platformOrderId)))
    .limit(1);
  if (!order) return { tracked: false, reason: "unknown_order", text: t("orderBlock.unknownOrder") };
  const row = await caseOfOrder(db, shop.id, order.id);
  if (!row) {
    if (!order.isInvoice) return { tracked: false, reason: "not_invoice", text: t("orderBlock.notInvoice") };
    const text = order.dueDate
      ? t("orderBlock.noCaseDue", { date: formatDate(order.dueDate, intl) })
      : t("orderBlock.noCase");
    return { tracked: false, reason: "no_case", text };
  }
  const events = await listCaseEvents(db, shop.id, row.id);
  const money = (minor: number) => formatMinor(minor, row.currency, intl);
  const moment = new Intl.DateTimeFormat(intl, { dateStyle: "medium", timeStyle: "short", timeZone: shop.timezone });
  return {
    tracked: true,
    caseId: row.id,
    casePath: `/app/cases/${row.id}`,
    orderName: row.orderName,
    status: row.status,
    statusText: t(`status.${row.status}` as MessageKey),
    tone: TONE[row.status] ?? "neutral",
    outstandingMinor: row.outstandingMinor,
    currency: row.currency,
    outstandingText: money(row.outstandingMinor),
    levelText: t((row.dunningLevel ? `level.${row.dunningLevel}` : "level.none") as MessageKey),
    nextText: nextActionText(t, intl, {
      status: row.status,
      level: row.dunningLevel,
      date: row.nextActionAt ? toLocalDate(row.nextActionAt, shop.timezone) : null,
    }),
    timeline: events
      .slice(-TIMELINE_ENTRIES)
      .reverse()
      .map((e) => {
        const data = e.data as { level?: unknown; subStatus?: unknown; amount?: { amountMinor?: unknown } };
        const detail = {
          level: e.type === "dunning_level_reached" && typeof data.level === "string" ? data.level : null,
          subStatus: e.type === "partner_status_changed" && typeof data.subStatus === "string" ? data.subStatus : null,
          amountMinor: typeof data.amount?.amountMinor === "number" ? data.amount.amountMinor : null,
        };
        return {
          title: eventTitle(t, { type: e.type, detail }, money),
          at: moment.format(e.occurredAt),
          actor: actorText(t, e),
          reason: e.reason,
        };
      }),
    actions: allowedManualActions(caseFromJson(row.state)),
    reasonMax: REASON_MAX,
  };
}

export type OrderCaseActionResult =
  { ok: true; summary: OrderCaseSummary } | { ok: false; code: string; message: string; summary: OrderCaseSummary };

/**
 * Start or Cancel from an order screen: the same command, rules and refusals as the tab, on the order's case. The
 * answer carries the summary after the action, so the screen shows the new state without a second request.
 */
export async function runOrderCaseAction(
  db: DbOrTx,
  shop: Shop,
  platformOrderId: string,
  input: { action: string; reason: string; actor: Actor; locale: Locale },
): Promise<OrderCaseActionResult | null> {
  const before = await orderCaseSummary(db, shop, platformOrderId, input.locale);
  if (!before.tracked) return null;
  const outcome =
    input.action === "start" || input.action === "cancel"
      ? await runCaseAction(db, shop, before.caseId, { intent: input.action, reason: input.reason, actor: input.actor })
      : ({ ok: false, code: "invalid", message: "action must be start or cancel" } as const);
  const summary = await orderCaseSummary(db, shop, platformOrderId, input.locale);
  if (outcome.ok) return { ok: true, summary };
  // The tab's own words for a refusal where it has them, in the viewer's language.
  const key = `refusal.${outcome.code}`;
  const text = translator(input.locale)(key as MessageKey);
  return { ok: false, code: outcome.code, message: text === key ? outcome.message : text, summary };
}
