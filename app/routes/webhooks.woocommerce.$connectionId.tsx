import type { ActionFunctionArgs } from "@remix-run/node";

import { webhookResponse } from "#app/web/webhook-receive.server";

/**
 * Every WooCommerce webhook of one connected store arrives here; the work is in app/services/woocommerce/inbox.server.ts. The production
 * server answers POSTs before Remix (server.ts); this route serves the dev server and other methods the same way.
 */
export async function action({ request, params, context }: ActionFunctionArgs) {
  return webhookResponse(request, { platform: "woocommerce", connectionId: params.connectionId ?? "" }, context.jobs);
}

export async function loader() {
  return new Response("Method Not Allowed", { status: 405, headers: { Allow: "POST" } });
}
