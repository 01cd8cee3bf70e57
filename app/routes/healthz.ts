import { getDatabase } from "#app/db/db.server";
import { checkHealth } from "#app/web/health.server";

export async function loader() {
  const result = await checkHealth(getDatabase);
  return Response.json(result.body, { status: result.status, headers: { "Cache-Control": "no-store" } });
}
