import { Link, useSearchParams } from "@remix-run/react";
import { Card, DataTable, Text } from "@shopify/polaris";

import type { MessageKey } from "#app/i18n/i18n";
import { useLocale, useT } from "#app/i18n/react";
import type { PaymentsPage } from "#app/services/payments/payments-page.server";
import { formatDate, formatMinor, withLocale } from "#app/utils/format";

/**
 * The latest credits already decided: matched automatically (with why), assigned or set aside by staff; an order paid
 * before it had a case is named without a link (there is no case page).
 */
export function DecidedCredits({ credits }: { credits: PaymentsPage["decided"] }) {
  const t = useT();
  const { intl } = useLocale();
  const [params] = useSearchParams();
  if (credits.length === 0) return null;
  return (
    <Card padding="0">
      <DataTable
        columnContentTypes={["text", "numeric", "text", "text", "text"]}
        headings={[
          t("payments.decided.date"),
          t("payments.decided.amount"),
          t("payments.decided.payer"),
          t("payments.decided.outcome"),
          t("payments.decided.cases"),
        ]}
        rows={credits.map((c) => [
          formatDate(c.bookingDate, intl),
          formatMinor(c.amount.amountMinor, c.amount.currency, intl),
          c.payerName ?? "",
          <Text as="span" key={c.id}>
            {t(`payments.status.${c.status}` as MessageKey)}
            {c.reasons.length > 0
              ? ` (${c.reasons.map((r) => t(`payments.reason.${r}` as MessageKey)).join(", ")})`
              : ""}
          </Text>,
          c.cases.map((k, i) => (
            <span key={k.id ?? k.orderId}>
              {i > 0 ? ", " : ""}
              {k.id ? (
                <Link to={withLocale(`/app/cases/${k.id}`, params)}>{k.orderName}</Link>
              ) : (
                `${k.orderName} (${t("payments.decided.noCase")})`
              )}
            </span>
          )),
        ])}
      />
    </Card>
  );
}
