import type { LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData, useSearchParams } from "@remix-run/react";
import { Badge, BlockStack, Card, DescriptionList, InlineStack, Layout, Link, Page, Text } from "@shopify/polaris";

import { getEnv } from "#app/config/env.server";
import { useT } from "#app/i18n/react";
import { type PrivacyRow, privacyRows } from "#app/services/privacy/privacy-page";
import { RETENTION_RULES, shopRetentionPeriods } from "#app/services/privacy/retention.server";
import { getSettings } from "#app/services/settings/settings.server";
import { withLocale } from "#app/utils/format";
import { requireShopContext } from "#app/web/shop-context.server";

export async function loader({ request }: LoaderFunctionArgs) {
  const { shop, locale, tenant } = await requireShopContext(request);
  const settings = await tenant((db) => getSettings(db, shop.id));
  // The same rules the daily retention job enforces, so the page cannot promise other periods than the job keeps.
  return {
    rules: privacyRows(RETENTION_RULES, locale, shopRetentionPeriods(settings)),
    operatorContact: getEnv().OPERATOR_CONTACT ?? null,
  };
}

const RECIPIENTS = ["platform", "mail", "partner"] as const;

export default function PrivacyPage() {
  const { rules, operatorContact } = useLoaderData<typeof loader>();
  const t = useT();
  const [params] = useSearchParams();
  return (
    <Page
      title={t("privacy.title")}
      subtitle={t("privacy.subtitle")}
      backAction={{ content: t("nav.settings"), url: withLocale("/app/settings", params) }}
    >
      <Layout>
        <Layout.Section>
          <Card>
            <BlockStack gap="200">
              <Text as="p">{t("privacy.intro")}</Text>
              <Text as="p">{t("privacy.erasure")}</Text>
            </BlockStack>
          </Card>
        </Layout.Section>

        <Layout.Section>
          <Card>
            <BlockStack gap="300">
              <Text as="h2" variant="headingMd">
                {t("privacy.section.recipients")}
              </Text>
              <DescriptionList
                items={RECIPIENTS.map((r) => ({
                  term: t(`privacy.recipients.${r}`),
                  description: t(`privacy.recipients.${r}.help`),
                }))}
              />
            </BlockStack>
          </Card>
        </Layout.Section>

        <Layout.Section>
          <BlockStack gap="400">
            <BlockStack gap="100">
              <Text as="h2" variant="headingMd">
                {t("privacy.section.rules")}
              </Text>
              <Text as="p" tone="subdued">
                {t("privacy.section.rules.help")}
              </Text>
            </BlockStack>
            {rules.map((rule) => (
              <RuleCard key={rule.id} rule={rule} />
            ))}
          </BlockStack>
        </Layout.Section>

        <Layout.Section>
          <Card>
            <BlockStack gap="200">
              <Text as="h2" variant="headingMd">
                {t("privacy.section.contact")}
              </Text>
              {operatorContact ? (
                <Text as="p">
                  {t("privacy.contact")}{" "}
                  <Link
                    url={operatorContact.includes("@") ? `mailto:${operatorContact}` : operatorContact}
                    target="_blank"
                  >
                    {operatorContact}
                  </Link>
                </Text>
              ) : (
                <Text as="p">{t("privacy.contact.unset")}</Text>
              )}
            </BlockStack>
          </Card>
        </Layout.Section>
      </Layout>
    </Page>
  );
}

/** One rule as a labelled region, so a screen reader can jump between rules by their data. */
function RuleCard({ rule }: { rule: PrivacyRow }) {
  const t = useT();
  const headingId = `privacy-rule-${rule.id}`;
  return (
    <Card>
      <section aria-labelledby={headingId}>
        <BlockStack gap="300">
          <InlineStack align="space-between" blockAlign="start" gap="200" wrap={false}>
            <Text as="h3" variant="headingSm" id={headingId}>
              {rule.data}
            </Text>
            <Badge tone={rule.enforced ? "success" : "attention"}>
              {t(rule.enforced ? "privacy.enforced" : "privacy.notEnforced")}
            </Badge>
          </InlineStack>
          <DescriptionList
            gap="tight"
            items={[
              { term: t("privacy.term.purpose"), description: rule.purpose },
              { term: t("privacy.term.period"), description: rule.period },
              { term: t("privacy.term.from"), description: rule.from },
              { term: t("privacy.term.then"), description: rule.then },
              { term: t("privacy.term.keeps"), description: rule.keeps },
            ]}
          />
          {rule.enforced ? null : (
            <Text as="p" tone="caution">
              {t("privacy.notEnforced.help")}
            </Text>
          )}
          <Text as="p" variant="bodySm" tone="subdued">
            {t("privacy.rule")} <code>{rule.id}</code>
          </Text>
        </BlockStack>
      </section>
    </Card>
  );
}
