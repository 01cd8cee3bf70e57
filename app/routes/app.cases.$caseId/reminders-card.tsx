import { BlockStack, Card, Link, List, Text } from "@shopify/polaris";

import type { MessageKey } from "#app/i18n/i18n";
import { useT } from "#app/i18n/react";
import { withLocale } from "#app/utils/format";

import type { CaseData } from "./case-data";
import { useMoment } from "./use-case-format";

/** The reminders sent, the letter of the current level as a PDF, and who opened the case. */
export function RemindersCard({
  caseId,
  reminders,
  letter,
  timezone,
  search,
}: Pick<CaseData, "reminders" | "letter" | "timezone"> & { caseId: string; search: URLSearchParams }) {
  const t = useT();
  const moment = useMoment(timezone);
  return (
    <Card>
      <BlockStack gap="200">
        <Text as="h2" variant="headingMd">
          {t("case.section.reminders")}
        </Text>
        {reminders.length === 0 ? (
          <Text as="p" tone="subdued">
            {t("case.noReminders")}
          </Text>
        ) : (
          <List>
            {reminders.map((r) => (
              <List.Item key={r.seq}>
                {t(`level.${r.level}` as MessageKey)} · {moment(r.occurredAt)}
              </List.Item>
            ))}
          </List>
        )}
        {letter.available ? (
          <Link
            url={withLocale(`/app/cases/${caseId}/letter.pdf`, search)}
            target="_blank"
            accessibilityLabel={t("case.letter.help", { level: t(`level.${letter.level}` as MessageKey) })}
          >
            {t("case.letter")}
          </Link>
        ) : (
          <Text as="p" tone="subdued">
            {t("case.letter.needsAddress")}
          </Text>
        )}
        <Link url={withLocale(`/app/access-log?case=${caseId}`, search)}>{t("case.accessLog")}</Link>
      </BlockStack>
    </Card>
  );
}
