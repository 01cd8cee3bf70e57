import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";

import { orderBlockResponse } from "#app/web/order-block.server";

/** The order's case for the block on Shopify admin's order page (session token) and the app's preview of it. */
export async function loader({ request, params }: LoaderFunctionArgs) {
  return orderBlockResponse(request, params.orderId ?? "");
}

export async function action({ request, params }: ActionFunctionArgs) {
  return orderBlockResponse(request, params.orderId ?? "");
}
