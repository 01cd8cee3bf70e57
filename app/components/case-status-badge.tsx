import { Badge, type BadgeProps, InlineStack, Text } from "@shopify/polaris";

import type { MessageKey } from "#app/i18n/i18n";
import { useT } from "#app/i18n/react";

const TONE: Record<string, BadgeProps["tone"]> = {
  waiting_for_approval: "attention",
  running: "info",
  handed_over: "warning",
  blocked: "critical",
  paid: "success",
  failed: "critical",
  cancelled: undefined,
  closed: undefined,
};

/** The case status, with what the partner says about a claim it holds and a pending cancellation. */
export function CaseStatusBadge({
  status,
  partnerSubStatus,
  cancellationRequested,
}: {
  status: string;
  partnerSubStatus?: string | null;
  cancellationRequested?: boolean;
}) {
  const t = useT();
  return (
    <InlineStack gap="100" blockAlign="center" wrap={false}>
      <Badge tone={TONE[status]}>{t(`status.${status}` as MessageKey)}</Badge>
      {partnerSubStatus && (status === "handed_over" || status === "blocked") ? (
        <Text as="span" tone="subdued" variant="bodySm">
          {t(`partner.${partnerSubStatus}` as MessageKey)}
        </Text>
      ) : null}
      {cancellationRequested ? <Badge tone="attention">{t("case.cancellationRequested")}</Badge> : null}
    </InlineStack>
  );
}
