import { BlockStack, Card, Link, Text } from "@shopify/polaris";

import { useT } from "#app/i18n/react";

import type { CaseData } from "./case-data";

/** The billing address, and a link to the order in the platform's admin where it has one (the demo has none). */
export function CustomerCard({ address, orderUrl }: Pick<CaseData, "address" | "orderUrl">) {
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
        {orderUrl ? (
          <Link url={orderUrl} target="_top">
            {t("case.openOrder")}
          </Link>
        ) : null}
      </BlockStack>
    </Card>
  );
}
