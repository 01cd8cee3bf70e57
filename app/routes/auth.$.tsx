import type { LoaderFunctionArgs } from "@remix-run/node";

import { getShopify } from "#app/shopify.server";

export async function loader({ request }: LoaderFunctionArgs) {
  const shopify = getShopify();
  if (!shopify) throw new Response("Not found", { status: 404 });
  await shopify.authenticate.admin(request);
  return null;
}
