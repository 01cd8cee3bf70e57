import { Form, Link, useSearchParams } from "@remix-run/react";
import { Banner, BlockStack, Box, Button, Card, Divider, InlineStack, Text } from "@shopify/polaris";

import type { MessageKey } from "#app/i18n/i18n";
import { useLocale, useT } from "#app/i18n/react";
import type { PaymentsPage } from "#app/services/payments/payments-page.server";
import { formatDate, formatMinor, withLocale } from "#app/utils/format";

/**
 * Credits no open case or unpaid order could claim for sure: each with its best candidates (a case, or an order that
 * has none yet) and why, assigned or set aside in a click.
 */
export function ReviewList({ credits, failed }: { credits: PaymentsPage["review"]; failed: string | null }) {
  const t = useT();
  return (
    <Card>
      <BlockStack gap="300">
        <Text as="h2" variant="headingMd">
          {t("payments.review.title", { count: credits.length })}
        </Text>
        {failed ? <Banner tone="critical">{failed}</Banner> : null}
        {credits.length === 0 ? (
          <Text as="p" tone="subdued">
            {t("payments.review.empty")}
          </Text>
        ) : (
          credits.map((credit, i) => (
            <BlockStack key={credit.id} gap="200">
              {i > 0 ? <Divider /> : null}
              <ReviewCredit credit={credit} />
            </BlockStack>
          ))
        )}
      </BlockStack>
    </Card>
  );
}

function ReviewCredit({ credit }: { credit: PaymentsPage["review"][number] }) {
  const t = useT();
  const { intl } = useLocale();
  const [params] = useSearchParams();
  return (
    <BlockStack gap="200">
      <InlineStack align="space-between" blockAlign="start">
        <BlockStack gap="100">
          <Text as="p" fontWeight="semibold">
            {formatMinor(credit.amount.amountMinor, credit.amount.currency, intl)} ·{" "}
            {formatDate(credit.bookingDate, intl)}
            {" · "}
            {credit.payerName ?? t("payments.payer.unknown")}
          </Text>
          <Text as="p" tone="subdued">
            {credit.remittance || t("payments.remittance.none")}
            {credit.payerIban ? ` · ${credit.payerIban}` : ""}
          </Text>
        </BlockStack>
        <Form method="post">
          <input type="hidden" name="intent" value="dismiss" />
          <input type="hidden" name="creditId" value={credit.id} />
          <Button submit variant="plain" tone="critical">
            {t("payments.review.dismiss")}
          </Button>
        </Form>
      </InlineStack>
      {credit.candidates.length === 0 ? (
        <Text as="p" tone="subdued">
          {t("payments.review.noCandidates")}
        </Text>
      ) : (
        credit.candidates.map((candidate) => (
          <Box key={candidate.case.id ?? candidate.case.orderId} paddingInlineStart="400">
            <InlineStack align="space-between" blockAlign="center" gap="200">
              <Text as="p">
                {candidate.case.id ? (
                  <Link to={withLocale(`/app/cases/${candidate.case.id}`, params)}>{candidate.case.orderName}</Link>
                ) : (
                  `${candidate.case.orderName} (${t("payments.review.noCase")})`
                )}
                {" · "}
                {candidate.case.customer} ·{" "}
                {t("payments.review.owes", {
                  amount: formatMinor(
                    candidate.case.outstanding.amountMinor,
                    candidate.case.outstanding.currency,
                    intl,
                  ),
                })}
                {" · "}
                {candidate.reasons.map((r) => t(`payments.reason.${r}` as MessageKey)).join(", ")}
              </Text>
              <Form method="post">
                <input type="hidden" name="intent" value="assign" />
                <input type="hidden" name="creditId" value={credit.id} />
                {candidate.case.id ? (
                  <input type="hidden" name="caseId" value={candidate.case.id} />
                ) : (
                  <input type="hidden" name="orderId" value={candidate.case.orderId} />
                )}
                <Button submit>{t("payments.review.assign")}</Button>
              </Form>
            </InlineStack>
          </Box>
        ))
      )}
    </BlockStack>
  );
}
