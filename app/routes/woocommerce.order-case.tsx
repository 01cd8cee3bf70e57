import type { ActionFunctionArgs } from "@remix-run/node";

import { getDb } from "#app/db/db.server";
import { wooSecretsKey } from "#app/services/woocommerce/connections.server";
import { answerOrderCaseRequest } from "#app/services/woocommerce/order-case.server";
import { logger } from "#app/utils/logger.server";
import { orderCaseActionResponse } from "#app/web/order-case-answer.server";

/**
 * The companion plugin's meta box on the order screen: the order's case (a=view), or Start/Cancel with a reason,
 * signed with the connection's secret for one WordPress user (form fields c, t, n, u, o, a, r, l, s). Reachable
 * without a login: the body is bounded by the server's form limit and nothing is read before the signature checks.
 */
export async function action({ request }: ActionFunctionArgs) {
  if (request.method !== "POST") return new Response("Method Not Allowed", { status: 405, headers: { Allow: "POST" } });
  const key = wooSecretsKey();
  if (!key) return new Response(null, { status: 503 });
  const answer = await answerOrderCaseRequest(await getDb(), new URLSearchParams(await request.text()), {
    key,
    now: new Date(),
  });
  if (!answer.ok) {
    logger.warn({ code: answer.error.code }, "woocommerce order case request refused");
    return new Response(null, { status: answer.error.code === "invalid" ? 400 : 403 });
  }
  const value = answer.value;
  if (value.kind === "summary") return Response.json(value.summary, { headers: { "Cache-Control": "no-store" } });
  return orderCaseActionResponse(value.result);
}

export async function loader() {
  return new Response("Method Not Allowed", { status: 405, headers: { Allow: "POST" } });
}
