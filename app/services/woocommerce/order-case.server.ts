import { eq } from "drizzle-orm";
import { z } from "zod";

import type { DbOrTx } from "#app/db/client.server";
import { shops } from "#app/db/schema";
import { withTenant } from "#app/db/tenant.server";
import { err, ok, type Result } from "#app/domain/result";
import { pickLocale } from "#app/i18n/i18n";
import {
  type OrderCaseActionResult,
  type OrderCaseSummary,
  orderCaseSummary,
  runOrderCaseAction,
} from "#app/services/cases/order-summary.server";

import { type SignInError, verifyOrderCaseRequest } from "./staff.server";

/*
 * The companion plugin's meta box on WooCommerce's order screen asks for the order's case (a = view) or starts or
 * cancels it with a reason (a = start | cancel), signed like its other requests with the connection's secret and
 * naming the WordPress user who acts. The answer is the same summary the Shopify admin block shows.
 */

const requestSchema = z.object({
  o: z.string().regex(/^\d{1,20}$/),
  a: z.enum(["view", "start", "cancel"]),
  r: z.string().max(2000).default(""),
  /** The WordPress user's locale (de_DE, en_US, …): only picks the language of the texts. */
  l: z.string().max(20).default(""),
});

export type OrderCaseAnswer =
  { kind: "summary"; summary: OrderCaseSummary } | { kind: "action"; result: OrderCaseActionResult | null };

export async function answerOrderCaseRequest(
  db: DbOrTx,
  params: URLSearchParams,
  deps: { key: Buffer; now: Date },
): Promise<Result<OrderCaseAnswer, SignInError>> {
  const parsed = requestSchema.safeParse({
    o: params.get("o"),
    a: params.get("a"),
    r: params.get("r") ?? undefined,
    l: params.get("l") ?? undefined,
  });
  if (!parsed.success) return err({ code: "invalid" });
  const { o: orderId, a: action, r: reason, l } = parsed.data;
  const verified = await verifyOrderCaseRequest(db, params, deps, { orderId, action, reason });
  if (!verified.ok) return verified;
  const { shopId, staff } = verified.value;
  return ok(
    await withTenant(db, shopId, async (tx) => {
      const [shop] = await tx.select().from(shops).where(eq(shops.id, shopId)).limit(1);
      if (!shop) throw new Error(`connection without its shop ${shopId}`);
      const locale = pickLocale(l.replace("_", "-"), shop.locale);
      if (action === "view")
        return { kind: "summary", summary: await orderCaseSummary(tx, shop, orderId, locale) } as const;
      const result = await runOrderCaseAction(tx, shop, orderId, {
        action,
        reason,
        actor: { type: "staff", id: staff.id, name: staff.name },
        locale,
      });
      return { kind: "action", result } as const;
    }),
  );
}
