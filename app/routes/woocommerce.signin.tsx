import { type LoaderFunctionArgs, redirect } from "@remix-run/node";

import { getEnv } from "#app/config/env.server";
import { getDb } from "#app/db/db.server";
import { pickLocale, translator } from "#app/i18n/i18n";
import { wooSecretsKey } from "#app/services/woocommerce/connections.server";
import { createStaffSession, redeemWpAdminLink, staffCookie } from "#app/services/woocommerce/staff.server";
import { logger } from "#app/utils/logger.server";

/** The wp-admin plugin's signed link (?c&t&n&u&s) → a staff session cookie for that store and user → the tab. */
export async function loader({ request }: LoaderFunctionArgs) {
  const url = new URL(request.url);
  const t = translator(pickLocale(request.headers.get("accept-language")));
  const refuse = (status: number) =>
    new Response(t("woo.signin.failed"), {
      status,
      headers: { "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store" },
    });
  const key = wooSecretsKey();
  if (!key) return refuse(503);
  const db = await getDb();
  const now = new Date();
  const result = await redeemWpAdminLink(db, url.searchParams, { key, now });
  if (!result.ok) {
    logger.warn({ connectionId: url.searchParams.get("c"), code: result.error.code }, "woocommerce sign-in refused");
    return refuse(result.error.code === "invalid" ? 400 : 403);
  }
  const session = await createStaffSession(db, result.value.shopId, result.value.staff, now);
  return redirect("/app", {
    headers: {
      "Set-Cookie": staffCookie(session.value, session.expiresAt, { secure: getEnv().NODE_ENV === "production" }),
      "Cache-Control": "no-store",
      // The link carries a one-time nonce; keep it out of Referer headers anyway.
      "Referrer-Policy": "no-referrer",
    },
  });
}
