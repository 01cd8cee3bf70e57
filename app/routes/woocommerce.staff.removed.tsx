import type { ActionFunctionArgs } from "@remix-run/node";

import { getDb } from "#app/db/db.server";
import { wooSecretsKey } from "#app/services/woocommerce/connections.server";
import { removeStaffMember } from "#app/services/woocommerce/staff.server";
import { logger } from "#app/utils/logger.server";

/**
 * The companion plugin reports a WordPress user deleted or no longer allowed to manage WooCommerce, signed like its
 * sign-in links (form fields c, t, n, u, s): their sessions and sign-in links end now.
 */
export async function action({ request }: ActionFunctionArgs) {
  if (request.method !== "POST") return new Response("Method Not Allowed", { status: 405, headers: { Allow: "POST" } });
  const key = wooSecretsKey();
  if (!key) return new Response(null, { status: 503 });
  const result = await removeStaffMember(await getDb(), new URLSearchParams(await request.text()), {
    key,
    now: new Date(),
  });
  if (!result.ok) {
    logger.warn({ code: result.error.code }, "woocommerce staff removal refused");
    return new Response(null, { status: result.error.code === "invalid" ? 400 : 403 });
  }
  return new Response(null, { status: 204 });
}

export async function loader() {
  return new Response("Method Not Allowed", { status: 405, headers: { Allow: "POST" } });
}
