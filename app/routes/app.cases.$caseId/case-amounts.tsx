import { BlockStack, Card, InlineGrid, Text } from "@shopify/polaris";

import { Field } from "#app/components/field";
import type { MessageKey } from "#app/i18n/i18n";
import { useLocale, useT } from "#app/i18n/react";
import { formatDate } from "#app/utils/format";

import type { CaseView } from "./case-data";
import { useMoment, useMoney } from "./use-case-format";

/** What is owed today and why: the order's amount, fees, interest, the flat fee, the dates of default and dunning. */
export function CaseAmounts({ c, timezone }: { c: CaseView; timezone: string }) {
  const t = useT();
  const { intl } = useLocale();
  const money = useMoney(c.currency);
  const moment = useMoment(timezone);
  return (
    <Card>
      <BlockStack gap="300">
        <Text as="h2" variant="headingMd">
          {t("case.section.amounts")}
        </Text>
        <InlineGrid columns={{ xs: 1, sm: 2 }} gap="300">
          <Field label={t("case.original")} value={money(c.originalMinor)} />
          <Field label={t("case.outstanding")} value={money(c.outstandingMinor)} />
          {c.feesMinor > 0 ? <Field label={t("case.fees")} value={money(c.feesMinor)} /> : null}
          <InterestField c={c} />
          {c.flatFeeMinor > 0 ? <Field label={t("case.flatFee")} value={money(c.flatFeeMinor)} /> : null}
          {c.totalMinor !== c.outstandingMinor ? <Field label={t("case.total")} value={money(c.totalMinor)} /> : null}
          {c.defaultFrom ? <Field label={t("case.defaultFrom")} value={formatDate(c.defaultFrom, intl)} /> : null}
          {c.paymentDeadline ? (
            <Field label={t("case.paymentDeadline")} value={formatDate(c.paymentDeadline, intl)} />
          ) : null}
          {c.overpaymentMinor > 0 ? <Field label={t("case.overpayment")} value={money(c.overpaymentMinor)} /> : null}
          <Field label={t("case.dueDate")} value={formatDate(c.dueDate, intl)} />
          <Field
            label={t("case.level")}
            value={t((c.dunningLevel ? `level.${c.dunningLevel}` : "level.none") as MessageKey)}
          />
          {c.nextActionAt ? <Field label={t("case.nextAction")} value={moment(c.nextActionAt)} /> : null}
        </InlineGrid>
      </BlockStack>
    </Card>
  );
}

/** Default interest over its period; until the base rate of a half-year is published only part of it is known. */
function InterestField({ c }: { c: CaseView }) {
  const t = useT();
  const { intl } = useLocale();
  const money = useMoney(c.currency);
  const { interest } = c;
  if (!interest) return null;
  const label = t("case.interest.period", {
    from: formatDate(interest.from, intl),
    through: formatDate(interest.through, intl),
    points: interest.marginBp / 100,
  });
  const value =
    interest.complete || c.interestMinor > 0
      ? `${money(c.interestMinor)}${interest.complete ? "" : ` ${t("case.interest.more")}`}`
      : t("case.interest.pending");
  return <Field label={label} value={value} />;
}
