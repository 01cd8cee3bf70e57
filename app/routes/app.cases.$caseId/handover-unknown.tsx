import { Banner, BlockStack, Button, InlineStack, Layout, Text, TextField } from "@shopify/polaris";
import { useState } from "react";

import type { CaseIntent } from "#app/components/reason-modal";
import { useT } from "#app/i18n/react";

/**
 * A handover whose answer never came, to a partner that cannot be asked: staff look in the partner's portal and
 * enter the claim number it shows, or confirm a resend. Each asks for a reason (the reason modal) and is recorded.
 */
export function HandoverUnknown({
  onResolve,
}: {
  onResolve: (intent: CaseIntent, fields?: Record<string, string>) => void;
}) {
  const t = useT();
  const [claimNumber, setClaimNumber] = useState("");
  return (
    <Layout.Section>
      <Banner tone="critical" title={t("handover.unknown.title")}>
        <BlockStack gap="300">
          <Text as="p">{t("handover.unknown.body")}</Text>
          <TextField
            label={t("handover.unknown.claimNumber")}
            value={claimNumber}
            onChange={setClaimNumber}
            autoComplete="off"
            maxLength={40}
          />
          <InlineStack gap="200">
            <Button
              disabled={claimNumber.trim() === ""}
              onClick={() => onResolve("resolve_claim_number", { claimNumber: claimNumber.trim() })}
            >
              {t("handover.unknown.enter")}
            </Button>
            <Button variant="plain" onClick={() => onResolve("resolve_resend")}>
              {t("handover.unknown.resend")}
            </Button>
          </InlineStack>
        </BlockStack>
      </Banner>
    </Layout.Section>
  );
}
