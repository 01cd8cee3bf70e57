import { type ActionFunctionArgs, redirect } from "@remix-run/node";

import { getEnv } from "#app/config/env.server";
import { getDb } from "#app/db/db.server";
import { clearStaffCookie, endStaffSession } from "#app/services/woocommerce/staff.server";

/** Sign-out for WooCommerce staff in the standalone tab: the session row goes, and the cookie with it. */
export async function action({ request }: ActionFunctionArgs) {
  if (request.method !== "POST") return new Response("Method Not Allowed", { status: 405, headers: { Allow: "POST" } });
  await endStaffSession(await getDb(), request);
  return redirect("/woocommerce/login", {
    headers: {
      "Set-Cookie": clearStaffCookie({ secure: getEnv().NODE_ENV === "production" }),
      "Cache-Control": "no-store",
    },
  });
}

export async function loader() {
  return new Response("Method Not Allowed", { status: 405, headers: { Allow: "POST" } });
}
