import type { ActionFunctionArgs } from "@remix-run/node";

import { getDb } from "#app/db/db.server";
import { answerCheckoutGuard } from "#app/services/woocommerce/checkout-guard.server";
import { wooSecretsKey } from "#app/services/woocommerce/connections.server";
import { logger } from "#app/utils/logger.server";

/**
 * The companion plugin asks at checkout whether the customer has an open case (form fields c, t, e, s; signed with
 * the connection's secret) and gets a signed JSON answer. Reachable without a login: the body is bounded by the
 * server's form limit, the answer reveals nothing to anyone without the secret.
 */
export async function action({ request }: ActionFunctionArgs) {
  if (request.method !== "POST") return new Response("Method Not Allowed", { status: 405, headers: { Allow: "POST" } });
  const key = wooSecretsKey();
  if (!key) return new Response(null, { status: 503 });
  const answer = await answerCheckoutGuard(await getDb(), new URLSearchParams(await request.text()), {
    key,
    now: new Date(),
  });
  if (!answer.ok) {
    logger.warn({ code: answer.error.code }, "woocommerce checkout guard question refused");
    return new Response(null, { status: answer.error.code === "invalid" ? 400 : 403 });
  }
  return Response.json(answer.value, { headers: { "Cache-Control": "no-store" } });
}

export async function loader() {
  return new Response("Method Not Allowed", { status: 405, headers: { Allow: "POST" } });
}
