/** @jsxImportSource preact */
import "@shopify/ui-extensions/preact";

import { render } from "preact";

import { OrderCollectionBlock } from "./block";
import { blockClient, orderIdOf } from "./data";

/** The app's handle in shopify.app.toml: the case page opens inside the app in the admin. */
const APP_HANDLE = "mahnwerk";

export default async () => {
  const orderId = orderIdOf(shopify.data.selected[0]?.id);
  const t = (key: string, values?: Record<string, string | number>) => String(shopify.i18n.translate(key, values));
  // A relative fetch goes to the app's URL with the admin's session token attached by Shopify.
  const client = blockClient(fetch, "", orderId ?? "0", t("locale"));
  render(
    <OrderCollectionBlock
      client={client}
      t={t}
      caseHref={(casePath) => `shopify:admin/apps/${APP_HANDLE}${casePath}`}
    />,
    document.body,
  );
};
