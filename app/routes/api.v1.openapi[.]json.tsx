import type { LoaderFunctionArgs } from "@remix-run/node";
import { openApiDocument } from "#app/services/openapi";

export async function loader({ request }: LoaderFunctionArgs) {
  return Response.json(openApiDocument(new URL(request.url).origin));
}
