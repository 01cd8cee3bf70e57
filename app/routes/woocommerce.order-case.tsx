import type { ActionFunctionArgs } from "@remix-run/node";

import { answerOrderCaseRequest } from "#app/services/woocommerce/order-case.server";
import { orderCaseActionResponse } from "#app/web/order-case-answer.server";
import { pluginPost, postOnly } from "#app/web/woocommerce-plugin-post.server";

/**
 * The companion plugin's meta box on the order screen: the order's case (a=view), or Start/Cancel with a reason,
 * signed with the connection's secret for one WordPress user (form fields c, t, n, u, o, a, r, l, s). Reachable
 * without a login: the body is bounded by the server's form limit and nothing is read before the signature checks.
 */
export async function action({ request }: ActionFunctionArgs) {
  return pluginPost(request, "woocommerce order case request", answerOrderCaseRequest, (value) =>
    value.kind === "summary"
      ? Response.json(value.summary, { headers: { "Cache-Control": "no-store" } })
      : orderCaseActionResponse(value.result),
  );
}

export const loader = postOnly;
