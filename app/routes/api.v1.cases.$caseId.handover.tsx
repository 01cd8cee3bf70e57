import type { ActionFunctionArgs } from "@remix-run/node";

import { getDb } from "#app/db/db.server";
import { apiResolveHandover, respond } from "#app/web/api/v1.server";

export async function action({ request, params }: ActionFunctionArgs) {
  return respond(async () => apiResolveHandover(await getDb(), request, params.caseId ?? ""));
}
