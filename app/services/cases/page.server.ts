import { and, eq } from "drizzle-orm";

import type { DbOrTx } from "#app/db/client.server";
import { orders, partnerAccounts, type Shop, wooConnections } from "#app/db/schema";
import type { Actor } from "#app/domain/case/events";
import { caseReason } from "#app/domain/case/reason";
import { allowedManualActions, canClassifyDebtor } from "#app/domain/case/transitions";
import { toLocalDate } from "#app/domain/dates";
import { resolveHandover } from "#app/services/collection/handover-resolution.server";
import { PARTNER_ABILITIES } from "#app/services/collection/partner-settings.server";
import { caseAmounts } from "#app/services/dunning/amounts.server";
import { loadBaseRateTableFrom } from "#app/services/dunning/base-rates.server";
import { getSettings } from "#app/services/settings/settings.server";

import { cancelCase, classifyCaseDebtor, startCase } from "./commands.server";
import { findCase, listCaseEvents } from "./read.server";
import { caseFromJson } from "./serialization";

/** Everything the case page shows, for this shop only. */
export async function caseDetail(db: DbOrTx, shop: Shop, caseId: string, now: Date = new Date()) {
  const row = await findCase(db, shop.id, caseId);
  if (!row) return null;
  const [order] = await db
    .select()
    .from(orders)
    .where(and(eq(orders.shopId, shop.id), eq(orders.id, row.orderId)))
    .limit(1);
  const events = await listCaseEvents(db, shop.id, row.id);
  const state = caseFromJson(row.state);
  const address = order?.billingAddress;
  const customer = order?.customer;
  const storeUrl = shop.platform === "woocommerce" ? await wooStoreUrl(db, shop.id) : null;
  const money = (value: unknown): number | null => {
    const m = value as { amountMinor?: unknown; currency?: unknown } | null | undefined;
    return m && typeof m.amountMinor === "number" && m.currency === row.currency ? m.amountMinor : null;
  };
  // What is owed today, by the same rules as the reminders and the claim (app/domain/dunning/amounts.ts).
  const settings = await getSettings(db, shop.id);
  const { owed, debtor } = await caseAmounts(db, {
    shop,
    caseRow: row,
    order,
    settings,
    on: toLocalDate(now, shop.timezone),
    baseRates: await loadBaseRateTableFrom(db),
  });
  const [account] = await db
    .select({ partner: partnerAccounts.partner })
    .from(partnerAccounts)
    .where(eq(partnerAccounts.shopId, shop.id))
    .limit(1);
  const abilities = account ? PARTNER_ABILITIES[account.partner] : null;
  return {
    timezone: shop.timezone,
    /** What the shop's partner takes through Mahnwerk; what it does not, the shop does in the partner's portal. */
    partner: abilities ? { directPaymentReport: abilities.directPaymentReport, portal: abilities.portal } : null,
    /** A letter needs the shop's postal address as its sender. */
    letter: { available: settings.address !== null, level: row.dunningLevel ?? "reminder_1" },
    case: {
      id: row.id,
      kind: row.kind,
      status: row.status,
      orderName: row.orderName,
      currency: row.currency,
      originalMinor: row.originalMinor,
      outstandingMinor: row.outstandingMinor,
      overpaymentMinor: state.overpayment?.amountMinor ?? 0,
      dueDate: row.dueDate,
      dunningLevel: row.dunningLevel,
      nextActionAt: row.nextActionAt?.toISOString() ?? null,
      partnerReference: row.partnerReference,
      partnerSubStatus: row.partnerSubStatus,
      cancellationRequested: row.cancellationRequested,
      feesMinor: owed.fees.amountMinor,
      interestMinor: owed.interest?.amount.amountMinor ?? 0,
      /** Through which day interest is computed, and whether more is owed (base rate not yet known). */
      interest: owed.interest
        ? {
            from: owed.interest.from,
            through: owed.interest.through,
            complete: owed.interest.complete,
            marginBp: owed.interest.marginBp,
          }
        : null,
      defaultFrom: owed.defaultStart?.from ?? null,
      paymentDeadline: state.paymentDeadline ?? null,
      flatFeeMinor: owed.flatFee.amountMinor,
      totalMinor: owed.total.amountMinor,
      failureReasons: state.failureReasons,
      blockReasons: state.blockReasons,
    },
    address: [
      address?.name ?? [customer?.firstName, customer?.lastName].filter(Boolean).join(" "),
      address?.company,
      address?.street1,
      address?.street2,
      [address?.postalCode, address?.city].filter(Boolean).join(" "),
      address?.countryCode,
      customer?.email,
    ].filter((line): line is string => Boolean(line && line.trim())),
    orderUrl: orderAdminUrl(shop, row.platformOrderId, storeUrl),
    platform: shop.platform,
    platformOrderId: row.platformOrderId,
    /** The order's payment status as its platform last reported it: shows a write-back of "paid" arriving. */
    orderPayment: order?.financialStatus ?? null,
    /** Consumer or business and why (app/domain/dunning/debtor.ts); staff may change it until the handover. */
    debtor: { ...debtor, vatId: customer?.vatId ?? null, canClassify: canClassifyDebtor(state) },
    reminders: events
      .filter((e) => e.type === "dunning_level_reached")
      .map((e) => ({
        seq: e.seq,
        level: String((e.data as { level?: unknown }).level ?? ""),
        occurredAt: e.occurredAt.toISOString(),
      })),
    payments: events
      .filter((e) => e.type === "payment_received")
      .map((e) => {
        const data = e.data as { amount?: unknown; side?: unknown };
        return {
          seq: e.seq,
          amountMinor: money(data.amount) ?? 0,
          side: data.side === "partner" ? ("partner" as const) : ("shop" as const),
          occurredAt: e.occurredAt.toISOString(),
        };
      }),
    allowedActions: allowedManualActions(state),
    events: events.map((e) => ({
      seq: e.seq,
      type: e.type,
      actorType: e.actorType,
      actorId: e.actorId,
      actorName: e.actorName,
      reason: e.reason,
      occurredAt: e.occurredAt.toISOString(),
      detail: eventDetail(e.type, e.data as Record<string, unknown>),
    })),
  };
}

async function wooStoreUrl(db: DbOrTx, shopId: string): Promise<string | null> {
  const [row] = await db
    .select({ storeUrl: wooConnections.storeUrl })
    .from(wooConnections)
    .where(eq(wooConnections.shopId, shopId))
    .limit(1);
  return row?.storeUrl ?? null;
}

/** The order in the platform's own admin: Shopify admin by store handle, wp-admin of the connected store; none for the demo. */
export function orderAdminUrl(shop: Shop, platformOrderId: string, wooStoreUrl: string | null = null): string | null {
  const id = encodeURIComponent(platformOrderId);
  if (shop.platform === "shopify")
    return `https://admin.shopify.com/store/${shop.domain.replace(/\.myshopify\.com$/, "")}/orders/${id}`;
  if (shop.platform === "woocommerce") {
    const base = (wooStoreUrl ?? `https://${shop.domain}`).replace(/\/+$/, "");
    return `${base}/wp-admin/post.php?post=${id}&action=edit`;
  }
  return null;
}

export type CaseActionOutcome = { ok: true; status: string } | { ok: false; code: string; message: string };

/** Start/Cancel from the case page, with a reason, validated like the API. */
export async function runCaseAction(
  db: DbOrTx,
  shop: Shop,
  caseId: string,
  input: { intent: string; reason: string; actor: Actor; claimNumber?: string },
): Promise<CaseActionOutcome> {
  const parsed = caseReason.safeParse(input.reason);
  if (!parsed.success)
    return {
      ok: false,
      code: parsed.error.issues[0]?.code === "too_big" ? "reason_too_long" : "reason_required",
      message: parsed.error.issues[0]?.message ?? "invalid reason",
    };
  const action = { shopId: shop.id, caseId, actor: input.actor, reason: parsed.data, now: new Date() };
  const commands: Record<string, () => ReturnType<typeof startCase>> = {
    start: () => startCase(db, action),
    cancel: () => cancelCase(db, action),
    classify_business: () => classifyCaseDebtor(db, { ...action, kind: "business" }),
    classify_consumer: () => classifyCaseDebtor(db, { ...action, kind: "consumer" }),
  };
  if (input.intent === "resolve_claim_number" || input.intent === "resolve_resend") {
    const resolved = await resolveHandover(db, {
      ...action,
      resolution:
        input.intent === "resolve_resend"
          ? { kind: "resend" }
          : { kind: "claim_number", claimNumber: (input.claimNumber ?? "").trim() },
    });
    if (!resolved.ok) return { ok: false, code: resolved.error.code, message: resolved.error.message };
    return { ok: true, status: resolved.case.status };
  }
  const command = commands[input.intent];
  if (!command) return { ok: false, code: "invalid", message: "unknown action" };
  const result = await command();
  if (!result.ok) return { ok: false, code: result.error.code, message: result.error.message };
  if (input.intent === "start" && result.case.status === "failed") {
    return { ok: false, code: "precheck_failed", message: caseFromJson(result.case.state).failureReasons.join(", ") };
  }
  return { ok: true, status: result.case.status };
}

/** The part of an event's data the timeline shows: reasons, the level, the partner's status, an amount. */
function eventDetail(type: string, data: Record<string, unknown>) {
  const reasons = Array.isArray(data.reasons) ? data.reasons.map(String) : [];
  const amount = data.amount as { amountMinor?: number; currency?: string } | undefined;
  return {
    reasons,
    level: type === "dunning_level_reached" && typeof data.level === "string" ? data.level : null,
    subStatus: type === "partner_status_changed" && typeof data.subStatus === "string" ? data.subStatus : null,
    amountMinor: typeof amount?.amountMinor === "number" ? amount.amountMinor : null,
    side: data.side === "partner" || data.side === "shop" ? data.side : null,
    automatic: type === "case_started" && data.automatic === true,
  };
}
