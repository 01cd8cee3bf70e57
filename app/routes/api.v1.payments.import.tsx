import type { ActionFunctionArgs } from "@remix-run/node";

import { getDb } from "#app/db/db.server";
import { apiError } from "#app/utils/api-response.server";
import { apiImportPayments, respond } from "#app/web/api/v1.server";

export async function action({ request }: ActionFunctionArgs) {
  return respond(async () => apiImportPayments(await getDb(), request));
}

export async function loader() {
  return apiError("invalid_request", "Use POST.", null, { status: 405, headers: { Allow: "POST" } });
}
