import { Badge, BlockStack, Card, Text } from "@shopify/polaris";

import { Field } from "#app/components/field";
import type { MessageKey } from "#app/i18n/i18n";
import { useT } from "#app/i18n/react";

import type { CaseView } from "./case-data";

/** The collection partner's reference and status, once there is any. */
export function PartnerCard({
  partnerReference,
  partnerSubStatus,
  cancellationRequested,
}: Pick<CaseView, "partnerReference" | "partnerSubStatus" | "cancellationRequested">) {
  const t = useT();
  if (!partnerReference && !partnerSubStatus && !cancellationRequested) return null;
  return (
    <Card>
      <BlockStack gap="200">
        <Text as="h2" variant="headingMd">
          {t("case.section.partner")}
        </Text>
        {partnerReference ? <Field label={t("case.partnerReference")} value={partnerReference} /> : null}
        {partnerSubStatus ? (
          <Field label={t("case.partnerStatus")} value={t(`partner.${partnerSubStatus}` as MessageKey)} />
        ) : null}
        {cancellationRequested ? <Badge tone="attention">{t("case.cancellationRequested")}</Badge> : null}
      </BlockStack>
    </Card>
  );
}
