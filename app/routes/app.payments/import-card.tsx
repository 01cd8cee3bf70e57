import { Form, useNavigation } from "@remix-run/react";
import { Banner, BlockStack, Button, Card, InlineStack, List, Text } from "@shopify/polaris";

import { useLocale, useT } from "#app/i18n/react";
import type { PaymentsPage } from "#app/services/payments/payments-page.server";
import type { StatementImportResult } from "#app/services/payments/statement-import.server";

type Answer =
  | { intent: "import"; ok: true; result: Extract<StatementImportResult, { ok: true }> }
  | { intent: "import"; ok: false; message: string | null };

/** The upload of a statement file, what came of the last one, and the latest imports. */
export function ImportCard({
  answer,
  imports,
  timezone,
}: {
  answer: Answer | undefined;
  imports: PaymentsPage["imports"];
  timezone: string;
}) {
  const t = useT();
  const { intl } = useLocale();
  const busy = useNavigation().state === "submitting";
  const time = new Intl.DateTimeFormat(intl, { dateStyle: "medium", timeStyle: "short", timeZone: timezone });
  return (
    <Card>
      <BlockStack gap="300">
        <Text as="h2" variant="headingMd">
          {t("payments.import.title")}
        </Text>
        <Text as="p" tone="subdued">
          {t("payments.import.help")}
        </Text>
        {answer?.ok ? (
          <Banner tone="success">
            {t("payments.import.done", {
              format: answer.result.format,
              credits: answer.result.credits,
              added: answer.result.added,
              matched: answer.result.matched,
              review: answer.result.review,
            })}
          </Banner>
        ) : answer ? (
          <Banner tone="critical">{answer.message ?? t("payments.import.noFile")}</Banner>
        ) : null}
        <Form method="post" encType="multipart/form-data">
          <InlineStack gap="300" blockAlign="center">
            <input
              type="file"
              name="statement"
              accept=".xml,.sta,.mt940,.txt,.940"
              aria-label={t("payments.import.file")}
            />
            <Button submit variant="primary" loading={busy}>
              {t("payments.import.submit")}
            </Button>
          </InlineStack>
        </Form>
        {imports.length > 0 ? (
          <List>
            {imports.map((i) => (
              <List.Item key={i.id}>
                {t("payments.import.line", {
                  at: time.format(new Date(i.at)),
                  file: i.fileName ?? i.format,
                  added: i.added,
                  matched: i.matched,
                  review: i.review,
                })}
              </List.Item>
            ))}
          </List>
        ) : null}
      </BlockStack>
    </Card>
  );
}
