import type { LoaderFunctionArgs } from "@remix-run/node";

import { getDb } from "#app/db/db.server";
import { apiListPayments, respond } from "#app/web/api/v1.server";

export async function loader({ request }: LoaderFunctionArgs) {
  return respond(async () => apiListPayments(await getDb(), request));
}
