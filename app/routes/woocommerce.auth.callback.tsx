import type { ActionFunctionArgs } from "@remix-run/node";

import { getEnv } from "#app/config/env.server";
import { getDb } from "#app/db/db.server";
import { wooImportJob } from "#app/jobs/woocommerce.server";
import {
  completeConnection,
  connectErrorStatus,
  wooKeyCallbackSchema,
  wooSecretsKey,
} from "#app/services/woocommerce/connections.server";
import { apiError, readJson, zodDetails } from "#app/utils/api-response.server";
import { logger } from "#app/utils/logger.server";

/**
 * WooCommerce POSTs the new API keys here after the merchant approved (docs/platforms/woocommerce.md §1).
 * Only exactly 200 keeps the key: every refusal (unknown or used connection, keys the store itself rejects)
 * answers 4xx, stores nothing, and WooCommerce deletes the key it just made.
 */
export async function action({ request, context }: ActionFunctionArgs) {
  if (request.method !== "POST") return apiError("invalid_request", "POST only", null, { status: 405 });
  const key = wooSecretsKey();
  if (!key)
    return apiError("internal", "ENCRYPTION_KEY is not configured; store keys cannot be stored.", null, {
      status: 503,
    });
  const body = await readJson(request);
  if (!body.ok) return body.response;
  const parsed = wooKeyCallbackSchema.safeParse(body.value);
  if (!parsed.success) return apiError("invalid_request", "Not a WooCommerce key callback.", zodDetails(parsed.error));
  const { user_id: connectionId, consumer_key, consumer_secret, key_permissions } = parsed.data;
  const result = await completeConnection(
    await getDb(),
    connectionId,
    { consumerKey: consumer_key, consumerSecret: consumer_secret, permissions: key_permissions },
    {
      key,
      now: new Date(),
      appUrl: getEnv().appUrl,
      queueImport: (importId) => context.jobs.send(wooImportJob, { importId }, { singletonKey: importId }),
    },
  );
  if (!result.ok) {
    logger.warn({ connectionId, code: result.error.code }, "woocommerce key callback refused");
    return Response.json(
      { error: { code: result.error.code, message: result.error.message, details: null } },
      { status: connectErrorStatus(result.error.code) },
    );
  }
  return new Response(null, { status: 200 });
}

export async function loader() {
  return new Response("Method Not Allowed", { status: 405, headers: { Allow: "POST" } });
}
