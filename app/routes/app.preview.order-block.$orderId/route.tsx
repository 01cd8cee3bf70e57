import type { LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData, useSearchParams } from "@remix-run/react";
import { BlockStack, Layout, Page, Text } from "@shopify/polaris";
import { useEffect, useRef } from "react";

import { useT } from "#app/i18n/react";
import { withLocale } from "#app/utils/format";
import { requireShopContext } from "#app/web/shop-context.server";

/**
 * The block of Shopify admin's order page (extensions/order-collection-block), shown inside the app for one order:
 * the extension's component with the shop's real data, for a look before deploying it and for the demo.
 */
export async function loader({ request, params }: LoaderFunctionArgs) {
  const { locale } = await requireShopContext(request);
  return { orderId: params.orderId ?? "", locale };
}

export default function OrderBlockPreview() {
  const { orderId, locale } = useLoaderData<typeof loader>();
  const t = useT();
  const [params] = useSearchParams();
  const slot = useRef<HTMLDivElement>(null);
  useEffect(() => {
    let unmount: (() => void) | undefined;
    let current = true;
    void import("./mount.client").then(({ mountOrderBlock }) => {
      if (current && slot.current) unmount = mountOrderBlock(slot.current, orderId, locale);
    });
    return () => {
      current = false;
      unmount?.();
    };
  }, [orderId, locale]);
  return (
    <Page
      title={t("orderBlock.previewTitle")}
      backAction={{ content: t("case.back"), url: withLocale("/app", params) }}
    >
      <Layout>
        <Layout.Section>
          <BlockStack gap="300">
            <Text as="p" tone="subdued">
              {t("orderBlock.previewHint")}
            </Text>
            <div ref={slot} data-testid="order-block" />
          </BlockStack>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
