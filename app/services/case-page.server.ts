import { and, eq } from "drizzle-orm";
import type { DbOrTx } from "#app/db/client.server";
import { orders, type Shop } from "#app/db/schema";
import type { Actor } from "#app/domain/case/events";
import { allowedManualActions } from "#app/domain/case/transitions";
import { apiActionBody } from "./api-schemas";
import { caseFromJson } from "./case-serialization";
import { findCase, listCaseEvents } from "./case-read.server";
import { cancelCase, startCase } from "./cases.server";

/** Everything the case page shows, for this shop only. */
export async function caseDetail(db: DbOrTx, shop: Shop, caseId: string) {
  const row = await findCase(db, shop.id, caseId);
  if (!row) return null;
  const [order] = await db.select().from(orders).where(and(eq(orders.shopId, shop.id), eq(orders.id, row.orderId))).limit(1);
  const events = await listCaseEvents(db, shop.id, row.id);
  const state = caseFromJson(row.state);
  const address = order?.billingAddress;
  const customer = order?.customer;
  return {
    timezone: shop.timezone,
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
    orderUrl: orderAdminUrl(shop, row.platformOrderId),
    allowedActions: allowedManualActions(state),
    events: events.map((e) => ({
      seq: e.seq,
      type: e.type,
      actorType: e.actorType,
      actorId: e.actorId,
      reason: e.reason,
      occurredAt: e.occurredAt.toISOString(),
    })),
  };
}

/** The order in the platform's own admin. */
export function orderAdminUrl(shop: Shop, platformOrderId: string): string | null {
  if (shop.platform === "shopify") return `https://admin.shopify.com/store/${shop.domain.replace(/\.myshopify\.com$/, "")}/orders/${platformOrderId}`;
  if (shop.platform === "woocommerce") return `https://${shop.domain}/wp-admin/post.php?post=${platformOrderId}&action=edit`;
  return null;
}

export type CaseActionOutcome = { ok: true; status: string } | { ok: false; message: string };

/** Start/Cancel from the case page, with a reason, validated like the API. */
export async function runCaseAction(
  db: DbOrTx,
  shop: Shop,
  caseId: string,
  input: { intent: string; reason: string; actor: Actor },
): Promise<CaseActionOutcome> {
  const parsed = apiActionBody.safeParse({ reason: input.reason });
  if (!parsed.success) return { ok: false, message: parsed.error.issues[0]?.message ?? "invalid reason" };
  if (input.intent !== "start" && input.intent !== "cancel") return { ok: false, message: "unknown action" };
  const command = input.intent === "start" ? startCase : cancelCase;
  const result = await command(db, { shopId: shop.id, caseId, actor: input.actor, reason: parsed.data.reason, now: new Date() });
  return result.ok ? { ok: true, status: result.case.status } : { ok: false, message: result.error.message };
}
