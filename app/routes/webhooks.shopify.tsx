import type { ActionFunctionArgs } from "@remix-run/node";

import { webhookResponse } from "#app/web/webhook-receive.server";

/**
 * Every Shopify topic, compliance topics too, arrives here (shopify.app.toml). The production server answers POSTs
 * before Remix (server.ts); this route serves the dev server and other methods with the same receive.
 */
export async function action({ request, context }: ActionFunctionArgs) {
  return webhookResponse(request, { platform: "shopify" }, context.jobs);
}

export async function loader() {
  return new Response("Method Not Allowed", { status: 405, headers: { Allow: "POST" } });
}
