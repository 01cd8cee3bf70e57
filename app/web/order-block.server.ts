import { z } from "zod";

import { getEnv } from "#app/config/env.server";
import { getDb } from "#app/db/db.server";
import type { Shop } from "#app/db/schema";
import { tenantScope } from "#app/db/tenant.server";
import type { Staff } from "#app/domain/staff";
import { type Locale, pickLocale } from "#app/i18n/i18n";
import { orderCaseSummary, runOrderCaseAction } from "#app/services/cases/order-summary.server";
import { getShopify } from "#app/shopify.server";
import { apiError, readJson, zodDetails } from "#app/utils/api-response.server";

import { orderCaseActionResponse } from "./order-case-answer.server";
import { findShop, requireShopContext, shopifyStaff } from "./shop-context.server";

/*
 * GET/POST /order-block/{order id}: the order's case for the block on Shopify admin's order page
 * (extensions/order-collection-block). The extension's fetch carries a session token that authenticate.admin verifies
 * (signature, audience, expiry); the shop and the acting staff member come from it, and every query runs fenced to
 * that shop. In demo mode the demo shop answers, for the app's preview of the block.
 */

const ORDER_ID = /^\d{1,20}$/;
const actionBody = z.object({ action: z.enum(["start", "cancel"]), reason: z.string().max(2000) });

type Caller = { shop: Shop; staff: Staff; locale: Locale; cors: (response: Response) => Response };

const noStore = { "Cache-Control": "no-store" };

async function callerOf(request: Request): Promise<Caller | Response> {
  const env = getEnv();
  const url = new URL(request.url);
  const shopify = getShopify();
  if (shopify && !env.DEMO) {
    // Without a token the library would treat this as a page load and redirect to sign-in; an API answers 401.
    if (request.method !== "OPTIONS" && !/^Bearer\s+\S/i.test(request.headers.get("authorization") ?? ""))
      return apiError("unauthorized", "A session token is required.", null, {
        headers: { "Access-Control-Allow-Origin": "*", "Access-Control-Allow-Headers": "Authorization, Content-Type" },
      });
    const admin = await shopify.authenticate.admin(request);
    const shop = await findShop(await getDb(), "shopify", admin.session.shop);
    if (!shop) return admin.cors(apiError("not_found", "This shop is not set up."));
    return {
      shop,
      staff: shopifyStaff(admin.sessionToken, admin.session),
      locale: pickLocale(url.searchParams.get("locale"), request.headers.get("accept-language"), shop.locale),
      cors: admin.cors,
    };
  }
  if (!env.demoMode) return apiError("not_found", "Not found.");
  const context = await requireShopContext(request);
  return { shop: context.shop, staff: context.staff, locale: context.locale, cors: (r) => r };
}

export async function orderBlockResponse(request: Request, platformOrderId: string): Promise<Response> {
  const caller = await callerOf(request);
  if (caller instanceof Response) return caller;
  const { shop, staff, locale, cors } = caller;
  if (!ORDER_ID.test(platformOrderId)) return cors(apiError("not_found", "No such order."));
  const tenant = tenantScope(await getDb(), shop.id);
  if (request.method === "GET" || request.method === "HEAD") {
    const summary = await tenant((db) => orderCaseSummary(db, shop, platformOrderId, locale));
    // An order of another shop is indistinguishable from one Mahnwerk never saw.
    return cors(
      Response.json(summary, {
        status: !summary.tracked && summary.reason === "unknown_order" ? 404 : 200,
        headers: noStore,
      }),
    );
  }
  if (request.method !== "POST")
    return cors(
      apiError("invalid_request", "Use GET or POST.", null, { status: 405, headers: { Allow: "GET, POST" } }),
    );
  const body = await readJson(request);
  if (!body.ok) return cors(body.response);
  const parsed = actionBody.safeParse(body.value);
  if (!parsed.success)
    return cors(apiError("invalid_request", "Invalid request body.", zodDetails(parsed.error), { status: 422 }));
  const result = await tenant((db) =>
    runOrderCaseAction(db, shop, platformOrderId, {
      ...parsed.data,
      actor: { type: "staff", id: staff.id, name: staff.name },
      locale,
    }),
  );
  return cors(orderCaseActionResponse(result));
}
