import type { ActionFunctionArgs } from "@remix-run/node";

import { answerCheckoutGuard } from "#app/services/woocommerce/checkout-guard.server";
import { pluginPost, postOnly } from "#app/web/woocommerce-plugin-post.server";

/**
 * The companion plugin asks at checkout whether the customer has an open case (form fields c, t, e, s; signed with
 * the connection's secret) and gets a signed JSON answer. Reachable without a login: the body is bounded by the
 * server's form limit, the answer reveals nothing to anyone without the secret.
 */
export async function action({ request }: ActionFunctionArgs) {
  return pluginPost(request, "woocommerce checkout guard question", answerCheckoutGuard, (value) =>
    Response.json(value, { headers: { "Cache-Control": "no-store" } }),
  );
}

export const loader = postOnly;
