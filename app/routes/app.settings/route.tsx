import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { Form, useLoaderData, useSearchParams } from "@remix-run/react";
import { Box, Button, InlineStack, Layout, Page } from "@shopify/polaris";

import { getEnv } from "#app/config/env.server";
import type { Shop } from "#app/db/schema";
import type { TenantScope } from "#app/db/tenant.server";
import { toLocalDate } from "#app/domain/dates";
import { useT } from "#app/i18n/react";
import {
  partnerEndpointSources,
  partnerSettingsView,
  savePartnerForm,
  testPartnerForm,
} from "#app/services/collection/partner-settings.server";
import {
  dunningOptionUnlocksAt,
  getSettings,
  holidayRegionOptions,
  saveSettingsForm,
} from "#app/services/settings/settings.server";
import { GUARD_SCOPES, type GuardScopes, syncShopifyGuard } from "#app/services/shopify/invoice-guard.server";
import { shopifyAdminFor } from "#app/shopify.server";
import { withLocale } from "#app/utils/format";
import { requireShopContext } from "#app/web/shop-context.server";

import { AddressSection } from "./address-fields";
import { BankMissingBanner, BankSection } from "./bank-section";
import { DeadlinesSection } from "./deadlines-section";
import { DunningOptionSection } from "./dunning-option-section";
import { FeesSection } from "./fee-fields";
import { HandoverSection } from "./handover-section";
import { GuardBanner, InvoiceSection } from "./invoice-section";
import { PartnerSection } from "./partner-section";
import { ReminderTextsSection } from "./reminder-texts";
import { RetentionSection } from "./retention-section";
import { SaveResultBanners } from "./save-result-banners";
import { ScheduleSection } from "./schedule-section";
import { SenderSection } from "./sender-section";
import { useSaveResult } from "./use-save-result";
import { useSettingsChoices } from "./use-settings-choices";
import { WriteBackSection } from "./write-back-section";

export async function loader({ request, context }: LoaderFunctionArgs) {
  const { shop, tenant, shopifyScopes } = await requireShopContext(request);
  // Finishes what a save started (the scopes were granted meanwhile) and says what still stands in the way.
  const guard = shopifyScopes ? await syncGuard(tenant, shop, shopifyScopes, false) : null;
  const settings = await tenant((db) => getSettings(db, shop.id));
  const partner = await tenant((db) =>
    partnerSettingsView(db, shop.id, partnerEndpointSources(context.sandboxPartner)),
  );
  const unlocksAt = dunningOptionUnlocksAt(settings, new Date());
  return {
    settings,
    partner,
    mailFrom: getEnv().MAIL_FROM,
    shop: { name: shop.name, currency: shop.currency, platform: shop.platform },
    dunningOptionUnlocksOn: unlocksAt ? toLocalDate(unlocksAt, shop.timezone) : null,
    holidayRegions: holidayRegionOptions(settings.holidays.country),
    guard,
  };
}

function syncGuard(tenant: TenantScope, shop: Shop, scopes: GuardScopes, requestScopes: boolean) {
  return syncShopifyGuard(tenant, shop, {
    admin: () => shopifyAdminFor(shop.domain),
    scopes,
    now: new Date(),
    requestScopes,
  });
}

export async function action({ request, context }: ActionFunctionArgs) {
  const { shop, staff, tenant, shopifyScopes } = await requireShopContext(request);
  const form = await request.formData();
  // The partner section is its own form: its credentials live apart from the versioned settings.
  const intent = form.get("intent");
  if (intent === "savePartner")
    return tenant((db) => savePartnerForm(db, shop.id, form, partnerEndpointSources(context.sandboxPartner)));
  if (intent === "testPartner")
    return testPartnerForm(tenant, shop.id, form, partnerEndpointSources(context.sandboxPartner));
  if (intent === "grantGuardScopes" && shopifyScopes) {
    await shopifyScopes.request([...GUARD_SCOPES]);
    return null;
  }
  const saved = await tenant((db) =>
    saveSettingsForm(db, shop, form, { changedBy: `staff:${staff.id}`, now: new Date() }),
  );
  // The invoice guard on Shopify lives in the shop's payment customization: created, updated or removed to match.
  if (saved.ok && shopifyScopes) await syncGuard(tenant, shop, shopifyScopes, true);
  return saved;
}

/** The shop's settings in one form posted as a whole, and the collection partner in a form of its own below it. */
export default function SettingsPage() {
  const { settings, shop, dunningOptionUnlocksOn, partner, mailFrom, holidayRegions, guard } =
    useLoaderData<typeof loader>();
  const t = useT();
  const [params] = useSearchParams();
  const { result, partnerResult, err, formatError, saving } = useSaveResult(shop.currency);
  const choices = useSettingsChoices(settings);
  return (
    <Page
      title={t("settings.title")}
      backAction={{
        content: t("case.back"),
        url: `/app${params.get("locale") ? `?locale=${params.get("locale")}` : ""}`,
      }}
      secondaryActions={[
        { content: t("settings.privacy"), url: withLocale("/app/privacy", params) },
        { content: t("accessLog.link"), url: withLocale("/app/access-log", params) },
      ]}
    >
      <Form method="post" key={settings.version}>
        <input type="hidden" name="expectedVersion" value={settings.version} />
        <Layout>
          <SaveResultBanners result={result} />
          <GuardBanner guard={guard} />
          {settings.bankAccount === null ? <BankMissingBanner /> : null}
          <InvoiceSection settings={settings} platform={shop.platform} err={err} />
          <ScheduleSection settings={settings} err={err} />
          <DeadlinesSection settings={settings} regions={holidayRegions} err={err} />
          <FeesSection settings={settings} currency={shop.currency} err={err} />
          <HandoverSection
            settings={settings}
            currency={shop.currency}
            auto={choices.auto}
            onAutoChange={choices.setAuto}
            err={err}
          />
          <RetentionSection caseYears={choices.caseYears} onChange={choices.setCaseYears} err={err} />
          <DunningOptionSection
            stored={settings.dunningOption}
            unlocksOn={dunningOptionUnlocksOn}
            option={choices.option}
            onChange={choices.setOption}
            err={err}
          />
          <SenderSection sender={settings.sender} shopName={shop.name} mailFrom={mailFrom} err={err} />
          <AddressSection address={settings.address} err={err} />
          <BankSection bankAccount={settings.bankAccount} paymentOptions={settings.paymentOptions} err={err} />
          <ReminderTextsSection reminderTexts={settings.reminderTexts} shopName={shop.name} err={err} />
          <WriteBackSection writeBack={settings.writeBack} platform={shop.platform} />
          <Layout.Section>
            <Box paddingBlockEnd="800">
              <InlineStack align="end">
                <Button submit variant="primary" loading={saving}>
                  {t("settings.save")}
                </Button>
              </InlineStack>
            </Box>
          </Layout.Section>
        </Layout>
      </Form>
      <PartnerSection partner={partner} result={partnerResult} formatError={formatError} />
    </Page>
  );
}
