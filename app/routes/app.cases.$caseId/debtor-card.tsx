import { Badge, BlockStack, Button, Card, InlineStack, Text } from "@shopify/polaris";

import type { CaseIntent } from "#app/components/reason-modal";
import { useT } from "#app/i18n/react";

import type { CaseData } from "./case-data";

/** Consumer or business, on what basis and what follows from it; staff may switch it until the handover. */
export function DebtorCard({
  debtor,
  onClassify,
}: {
  debtor: CaseData["debtor"];
  onClassify: (intent: CaseIntent) => void;
}) {
  const t = useT();
  const business = debtor.kind === "business";
  return (
    <Card>
      <BlockStack gap="200">
        <Text as="h2" variant="headingMd">
          {t("case.section.debtor")}
        </Text>
        <InlineStack gap="200" blockAlign="center">
          <Badge tone={business ? "info" : undefined}>{t(`debtor.kind.${debtor.kind}`)}</Badge>
        </InlineStack>
        <Text as="p">{t(`debtor.basis.${debtor.basis}`, { vatId: debtor.vatId ?? "" })}</Text>
        <Text as="p" tone="subdued">
          {t(`debtor.effect.${debtor.kind}`)}
        </Text>
        {debtor.canClassify ? (
          <InlineStack>
            <Button onClick={() => onClassify(business ? "classify_consumer" : "classify_business")}>
              {t(business ? "action.classify_consumer" : "action.classify_business")}
            </Button>
          </InlineStack>
        ) : null}
      </BlockStack>
    </Card>
  );
}
