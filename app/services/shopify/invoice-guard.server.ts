import { and, eq, inArray, isNotNull, notInArray, sql } from "drizzle-orm";
import { z } from "zod";

import {
  AdminApiError,
  type AdminGraphql,
  callAdmin,
  customerGid,
  METAFIELDS_SET,
  metafieldsSetSchema,
  PAYMENT_CUSTOMIZATION_CREATE,
  PAYMENT_CUSTOMIZATION_DELETE,
  PAYMENT_CUSTOMIZATION_UPDATE,
  paymentCustomizationCreateSchema,
  paymentCustomizationDeleteSchema,
  paymentCustomizationUpdateSchema,
} from "#adapters/shopify/admin-api";
import type { DbOrTx, Tx } from "#app/db/client.server";
import { cases, orders, outbox, type Shop, shops } from "#app/db/schema";
import type { TenantScope } from "#app/db/tenant.server";
import { TERMINAL_STATUSES } from "#app/domain/case/status";
import type { OutboxHandler } from "#app/services/outbox/types";
import { getSettings, updateSettings } from "#app/services/settings/settings.server";

import type { AdminFor } from "./sync.server";

/*
 * The Shopify side of the checkout guard (docs/payments.md): the payment customization that runs our Function
 * (extensions/invoice-guard), created and removed from the settings, and the customer metafield it reads, kept
 * true while the customer has an open case through the outbox. Both need scopes the app asks for only when a shop
 * turns the guard on (optional_scopes in shopify.app.toml).
 */

export const GUARD_SCOPES = ["write_customers", "write_payment_customizations"] as const;
export const GUARD_FUNCTION_HANDLE = "invoice-guard";
/** What the Function reads: `$app:` makes the namespace ours alone (app-reserved), as in its input query. */
export const CUSTOMER_FLAG = { namespace: "$app:mahnwerk", key: "open_case" } as const;
export const GUARD_CONFIG = { namespace: "$app:mahnwerk", key: "config" } as const;
/** metafieldsSet takes at most 25 metafields per call. */
export const FLAGS_PER_CALL = 25;

/** The shop's granted scopes and the grant request (a redirect to Shopify's grant screen), from the admin request. */
export type GuardScopes = { granted(): Promise<string[]>; request(scopes: string[]): Promise<void> };

export type GuardSync =
  | { state: "unchanged" | "created" | "updated" | "deleted" }
  | { state: "scopes_missing"; missing: string[] }
  | { state: "failed"; message: string };

/**
 * Brings the shop's payment customization in line with its settings: created (and every customer with a case
 * flagged) when the guard is on and there is none, its configuration rewritten on every save while on, deleted when
 * the guard is off. `requestScopes` (a save) asks for missing scopes; a page view only reports them.
 */
export async function syncShopifyGuard(
  tenant: TenantScope,
  shop: Shop,
  deps: { admin: () => Promise<AdminGraphql>; scopes: GuardScopes; now: Date; requestScopes: boolean },
): Promise<GuardSync> {
  const settings = await tenant((db) => getSettings(db, shop.id));
  const id = settings.shopifyPaymentCustomizationId;
  if (!settings.checkoutGuard && !id) return { state: "unchanged" };
  if (settings.checkoutGuard && id && !deps.requestScopes) return { state: "unchanged" };
  try {
    if (!settings.checkoutGuard) {
      const admin = await deps.admin();
      const data = paymentCustomizationDeleteSchema.parse(
        await callAdmin(admin, PAYMENT_CUSTOMIZATION_DELETE, { id }),
      ).paymentCustomizationDelete;
      // Already gone (removed in Shopify's admin): nothing left to remove.
      const errors = data.userErrors.filter((e) => e.code !== "PAYMENT_CUSTOMIZATION_NOT_FOUND");
      if (errors.length > 0) return failed(errors);
      await remember(tenant, shop, null, deps.now);
      return { state: "deleted" };
    }
    const granted = new Set(await deps.scopes.granted());
    const missing = GUARD_SCOPES.filter((s) => !granted.has(s));
    if (missing.length > 0) {
      if (deps.requestScopes) await deps.scopes.request(missing);
      return { state: "scopes_missing", missing };
    }
    const admin = await deps.admin();
    const input = {
      title: "Mahnwerk: Rechnung nur ohne offene Forderung",
      enabled: true,
      metafields: [
        { ...GUARD_CONFIG, type: "json", value: JSON.stringify({ invoiceMethods: settings.invoicePaymentMethods }) },
      ],
    };
    if (id) {
      const data = paymentCustomizationUpdateSchema.parse(
        await callAdmin(admin, PAYMENT_CUSTOMIZATION_UPDATE, { id, input }),
      ).paymentCustomizationUpdate;
      if (data.userErrors.length === 0) return { state: "updated" };
      // Deleted in Shopify's admin meanwhile: create it again below.
      if (!data.userErrors.every((e) => e.code === "PAYMENT_CUSTOMIZATION_NOT_FOUND")) return failed(data.userErrors);
    }
    const data = paymentCustomizationCreateSchema.parse(
      await callAdmin(admin, PAYMENT_CUSTOMIZATION_CREATE, {
        input: { ...input, functionHandle: GUARD_FUNCTION_HANDLE },
      }),
    ).paymentCustomizationCreate;
    if (!data.paymentCustomization) return failed(data.userErrors);
    await remember(tenant, shop, data.paymentCustomization.id, deps.now);
    await tenant((db) => queueAllCustomerFlags(db, shop.id, deps.now));
    return { state: "created" };
  } catch (error) {
    if (error instanceof AdminApiError) return { state: "failed", message: error.message };
    throw error;
  }
}

const failed = (errors: { message: string }[]): GuardSync => ({
  state: "failed",
  message: errors.map((e) => e.message).join("; ") || "Shopify refused without a reason",
});

async function remember(tenant: TenantScope, shop: Shop, id: string | null, now: Date): Promise<void> {
  const saved = await tenant((db) =>
    updateSettings(db, shop.id, { shopifyPaymentCustomizationId: id }, { changedBy: "shopify invoice guard", now }),
  );
  if (!saved.ok) throw new Error(`the payment customization id could not be stored (${saved.error.code})`);
}

/** Customers of a case's order, by Shopify customer id; guests have none and are never flagged. */
const customerId = sql<string | null>`${orders.customer}->>'platformCustomerId'`;

/**
 * Turning the guard on: every customer with a case is set to what is true now, in batches of 25 — those with an
 * open case to true, and the others to false, in case an earlier period of the guard left them true.
 */
export async function queueAllCustomerFlags(db: DbOrTx, shopId: string, now: Date): Promise<number> {
  const rows = await db
    .selectDistinct({ id: customerId })
    .from(cases)
    .innerJoin(orders, eq(orders.id, cases.orderId))
    .where(and(eq(cases.shopId, shopId), isNotNull(customerId)))
    .orderBy(customerId);
  const ids = rows.map((r) => r.id!).filter((id) => SHOPIFY_ID.test(id));
  const batches: string[][] = [];
  for (let i = 0; i < ids.length; i += FLAGS_PER_CALL) batches.push(ids.slice(i, i + FLAGS_PER_CALL));
  if (batches.length === 0) return 0;
  const stamp = now.toISOString();
  await db
    .insert(outbox)
    .values(
      batches.map((customerIds, i) => ({
        shopId,
        kind: "shopify.customer_flag",
        idempotencyKey: `customer-flags:${stamp}:${i}`,
        payload: { customerIds },
        nextAttemptAt: now,
      })),
    )
    .onConflictDoNothing();
  return ids.length;
}

/**
 * Cases of Shopify shops that opened, ended or came back: where the shop has the guard on, the customer's flag is
 * rewritten. Called in the transaction of the case change; the handler reads what is true when it runs, so order
 * does not matter.
 */
type CaseChange = { shopId: string; caseId: string; version: number; at: Date };

export async function queueCustomerFlags(tx: Tx, changes: CaseChange[]): Promise<void> {
  const guarded = new Set<string>();
  for (const shopId of new Set(changes.map((c) => c.shopId)))
    if ((await getSettings(tx, shopId)).checkoutGuard) guarded.add(shopId);
  await insertCustomerFlags(
    tx,
    changes.filter((c) => guarded.has(c.shopId)),
  );
}

/** queueCustomerFlags for callers that know the shop is on Shopify with the guard on. */
export async function insertCustomerFlags(tx: Tx, wanted: CaseChange[]): Promise<void> {
  if (wanted.length === 0) return;
  const customers = new Map(
    (
      await tx
        .select({ caseId: cases.id, customerId })
        .from(cases)
        .innerJoin(orders, eq(orders.id, cases.orderId))
        .where(
          inArray(
            cases.id,
            wanted.map((c) => c.caseId),
          ),
        )
    ).map((r) => [r.caseId, r.customerId]),
  );
  const values = wanted.flatMap((c) => {
    const id = customers.get(c.caseId);
    if (!id || !SHOPIFY_ID.test(id)) return [];
    return [
      {
        shopId: c.shopId,
        caseId: c.caseId,
        kind: "shopify.customer_flag",
        idempotencyKey: `customer-flag:${c.caseId}:${c.version}`,
        payload: { customerIds: [id] },
        nextAttemptAt: c.at,
      },
    ];
  });
  if (values.length > 0) await tx.insert(outbox).values(values).onConflictDoNothing();
}

const SHOPIFY_ID = /^\d{1,20}$/;
const flagPayload = z.object({ customerIds: z.array(z.string().regex(SHOPIFY_ID)).min(1).max(FLAGS_PER_CALL) });

/**
 * Outbox handler of "shopify.customer_flag": each customer's `$app:mahnwerk.open_case` set to whether they have an
 * open case in this shop now. A customer Shopify no longer knows is left out, the others are still written.
 */
export function shopifyCustomerFlagHandler(adminFor: AdminFor): OutboxHandler {
  return async (row, { db }) => {
    const { customerIds } = flagPayload.parse(row.payload);
    const [shop] = await db.select().from(shops).where(eq(shops.id, row.shopId)).limit(1);
    if (!shop || shop.status !== "active") return { kind: "done", result: { skipped: "shop uninstalled" } };
    // Turned off meanwhile: the customization is gone, and turning it on again rewrites every flag.
    if (!(await getSettings(db, row.shopId)).checkoutGuard) return { kind: "done", result: { skipped: "guard off" } };
    const open = new Set(
      (
        await db
          .selectDistinct({ id: customerId })
          .from(cases)
          .innerJoin(orders, eq(orders.id, cases.orderId))
          .where(
            and(
              eq(cases.shopId, row.shopId),
              notInArray(cases.status, [...TERMINAL_STATUSES]),
              inArray(customerId, customerIds),
            ),
          )
      ).map((r) => r.id),
    );
    let pending = customerIds;
    const unknown: string[] = [];
    try {
      const admin = await adminFor(shop.domain);
      for (;;) {
        const metafields = pending.map((id) => ({
          ownerId: customerGid(id),
          ...CUSTOMER_FLAG,
          type: "boolean",
          value: String(open.has(id)),
        }));
        const { userErrors } = metafieldsSetSchema.parse(
          await callAdmin(admin, METAFIELDS_SET, { metafields }),
        ).metafieldsSet;
        if (userErrors.length === 0) break;
        // The call is atomic: drop the customers it names (["metafields", "<index>", …]) and write the rest again.
        const named = new Set(userErrors.map((e) => Number(e.field?.[1])).filter((i) => Number.isInteger(i)));
        if (named.size === 0 || named.size >= pending.length)
          return { kind: "failed", reason: `metafieldsSet: ${userErrors.map((e) => e.message).join("; ")}` };
        unknown.push(...pending.filter((_, i) => named.has(i)));
        pending = pending.filter((_, i) => !named.has(i));
      }
      return {
        kind: "done",
        result: { open: pending.filter((id) => open.has(id)).length, written: pending.length, unknown },
      };
    } catch (error) {
      if (error instanceof AdminApiError)
        return error.retryable ? { kind: "retry", reason: error.message } : { kind: "failed", reason: error.message };
      throw error;
    }
  };
}
