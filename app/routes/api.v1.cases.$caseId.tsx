import type { LoaderFunctionArgs } from "@remix-run/node";

import { getDb } from "#app/db/db.server";
import { apiShowCase, respond } from "#app/web/api/v1.server";

export async function loader({ request, params }: LoaderFunctionArgs) {
  return respond(async () => apiShowCase(await getDb(), request, params.caseId ?? ""));
}
