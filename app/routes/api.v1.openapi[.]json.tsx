import { getEnv } from "#app/config/env.server";
import { openApiDocument } from "#app/web/api/openapi";

export async function loader() {
  return Response.json(openApiDocument(getEnv().appUrl));
}
