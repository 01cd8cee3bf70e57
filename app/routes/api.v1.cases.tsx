import type { LoaderFunctionArgs } from "@remix-run/node";

import { getDb } from "#app/db/db.server";
import { apiListCases, respond } from "#app/web/api/v1.server";

export async function loader({ request }: LoaderFunctionArgs) {
  return respond(async () => apiListCases(await getDb(), request));
}
