// What the Shopify CLI generates for this target: the `shopify` global of admin.order-details.block.render.
import "@shopify/ui-extensions";

declare module "./src/BlockExtension.tsx" {
  const shopify: import("@shopify/ui-extensions/admin.order-details.block.render").Api;
  const globalThis: { shopify: typeof shopify };
}
