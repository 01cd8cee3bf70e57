import type { ActionFunctionArgs } from "@remix-run/node";

import { removeStaffMember } from "#app/services/woocommerce/staff.server";
import { pluginPost, postOnly } from "#app/web/woocommerce-plugin-post.server";

/**
 * The companion plugin reports a WordPress user deleted or no longer allowed to manage WooCommerce, signed like its
 * sign-in links (form fields c, t, n, u, s): their sessions and sign-in links end now.
 */
export async function action({ request }: ActionFunctionArgs) {
  return pluginPost(request, "woocommerce staff removal", removeStaffMember, () => new Response(null, { status: 204 }));
}

export const loader = postOnly;
