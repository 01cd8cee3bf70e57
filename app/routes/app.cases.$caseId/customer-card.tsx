import { BlockStack, Card, Link, Text } from "@shopify/polaris";

import type { MessageKey } from "#app/i18n/i18n";
import { useT } from "#app/i18n/react";

import type { CaseData } from "./case-data";

/**
 * The billing address, the order's payment status on its platform, and a link to the order in the platform's admin
 * where it has one (the demo has none), and the block Mahnwerk adds to Shopify admin's order page, previewed in the app.
 */
export function CustomerCard({
  address,
  orderUrl,
  orderPayment,
  blockPreviewUrl,
}: Pick<CaseData, "address" | "orderUrl" | "orderPayment"> & { blockPreviewUrl: string | null }) {
  const t = useT();
  return (
    <Card>
      <BlockStack gap="200">
        <Text as="h2" variant="headingMd">
          {t("case.section.customer")}
        </Text>
        {address.map((line) => (
          <Text as="p" key={line}>
            {line}
          </Text>
        ))}
        {orderPayment ? (
          <Text as="p" tone="subdued">
            {t("case.orderPayment", { status: t(`financialStatus.${orderPayment}` as MessageKey) })}
          </Text>
        ) : null}
        {orderUrl ? (
          <Link url={orderUrl} target="_top">
            {t("case.openOrder")}
          </Link>
        ) : null}
        {blockPreviewUrl ? <Link url={blockPreviewUrl}>{t("orderBlock.previewLink")}</Link> : null}
      </BlockStack>
    </Card>
  );
}
