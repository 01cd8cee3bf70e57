import type { OrderCaseActionResult } from "#app/services/cases/order-summary.server";
import { apiError } from "#app/utils/api-response.server";

/**
 * The answer of both order screens (Shopify's block, WooCommerce's meta box) to Start/Cancel: the case as it is now,
 * 404 without a case, and a refusal with its code, the viewer's words and the summary: 422 for the reason, 409 for
 * the case's state.
 */
export function orderCaseActionResponse(result: OrderCaseActionResult | null): Response {
  if (!result) return apiError("not_found", "This order has no case.");
  if (!result.ok)
    return Response.json(
      { error: { code: result.code, message: result.message, details: null }, summary: result.summary },
      { status: result.code.startsWith("reason_") ? 422 : 409, headers: { "Cache-Control": "no-store" } },
    );
  return Response.json(result.summary, { headers: { "Cache-Control": "no-store" } });
}
