/** @jsxImportSource preact */
import { render } from "preact";

import de from "../../../extensions/order-collection-block/locales/de.json";
import en from "../../../extensions/order-collection-block/locales/en.default.json";
import { OrderCollectionBlock } from "../../../extensions/order-collection-block/src/block";
import { blockClient } from "../../../extensions/order-collection-block/src/data";
import { translatorFor } from "../../../extensions/order-collection-block/src/translate";
import { defineAdminElements } from "./admin-elements.client";

/** Mounts the extension's own block into the page, reading the same endpoint it reads inside the admin. */
export function mountOrderBlock(into: HTMLElement, orderId: string, locale: "de" | "en"): () => void {
  defineAdminElements();
  render(
    <OrderCollectionBlock
      client={blockClient(fetch, "", orderId, locale)}
      t={translatorFor(locale === "de" ? de : en)}
      caseHref={(casePath) => `${casePath}?locale=${locale}`}
    />,
    into,
  );
  return () => render(null, into);
}
