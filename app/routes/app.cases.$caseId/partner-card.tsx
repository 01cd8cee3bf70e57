import { Badge, BlockStack, Card, Text } from "@shopify/polaris";

import { Field } from "#app/components/field";
import type { MessageKey } from "#app/i18n/i18n";
import { useT } from "#app/i18n/react";

import type { CaseData, CaseView } from "./case-data";

/**
 * The collection partner's reference and status, once there is any, and what the shop reports to the partner itself
 * (a partner that takes no payment reports over its API).
 */
export function PartnerCard({
  partnerReference,
  partnerSubStatus,
  cancellationRequested,
  partner,
}: Pick<CaseView, "partnerReference" | "partnerSubStatus" | "cancellationRequested"> & {
  partner: CaseData["partner"];
}) {
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
        {partner && !partner.directPaymentReport ? (
          <Text as="p" tone="subdued">
            {partner.portal
              ? t("case.partner.reportPaymentsInPortal", { portal: partner.portal })
              : t("case.partner.reportPaymentsYourself")}
          </Text>
        ) : null}
      </BlockStack>
    </Card>
  );
}
