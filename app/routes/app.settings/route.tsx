import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation, useSearchParams } from "@remix-run/react";
import {
  Badge,
  Banner,
  BlockStack,
  Box,
  Button,
  Card,
  Checkbox,
  ChoiceList,
  Divider,
  FormLayout,
  InlineGrid,
  InlineStack,
  Layout,
  Page,
  Select,
  Tabs,
  Text,
  TextField,
  type TextFieldProps,
} from "@shopify/polaris";
import { friendlyFormatIBAN } from "ibantools";
import { useRef, useState } from "react";
import { DUNNING_LEVELS } from "#app/domain/case/status";
import { feesAboveCost, MAX_REMINDER_FEE_MINOR, TYPICAL_COST_MINOR } from "#app/domain/dunning/fees";
import { DUNNING_OPTION_LOCK_DAYS } from "#app/domain/policies";
import { AUTO_HANDOVER_PRESETS, type Settings } from "#app/domain/settings";
import type { MessageKey } from "#app/i18n/i18n";
import { useLocale, useT } from "#app/i18n/react";
import {
  DEFAULT_REMINDER_TEXTS,
  previewReminder,
  REMINDER_LANGUAGES,
  REMINDER_PLACEHOLDERS,
  reminderTextKey,
  type ReminderLanguage,
} from "#app/mail/reminder-templates";
import {
  dunningOptionUnlocksAt,
  getSettings,
  holidayRegionOptions,
  saveSettingsForm,
  type FieldErrors,
  type HolidayRegionOption,
} from "#app/services/settings/settings.server";
import { getEnv } from "#app/config/env.server";
import {
  partnerEndpointSources,
  partnerSettingsView,
  savePartnerForm,
  testPartnerForm,
  type PartnerSettingsView,
} from "#app/services/collection/partner-settings.server";
import { requireShopContext } from "#app/web/shop-context.server";
import { formatDate, formatMinor, inputToMinor, minorToInput, withLocale } from "#app/utils/format";
import { toLocalDate } from "#app/domain/dates";

export async function loader({ request }: LoaderFunctionArgs) {
  const { shop, tenant } = await requireShopContext(request);
  const settings = await tenant((db) => getSettings(db, shop.id));
  const partner = await tenant((db) => partnerSettingsView(db, shop.id, partnerEndpointSources()));
  const unlocksAt = dunningOptionUnlocksAt(settings, new Date());
  return {
    settings,
    partner,
    mailFrom: getEnv().MAIL_FROM,
    shop: { name: shop.name, currency: shop.currency, platform: shop.platform },
    dunningOptionUnlocksOn: unlocksAt ? toLocalDate(unlocksAt, shop.timezone) : null,
    holidayRegions: holidayRegionOptions(settings.holidays.country),
  };
}

export async function action({ request }: ActionFunctionArgs) {
  const { shop, staff, tenant } = await requireShopContext(request);
  const form = await request.formData();
  // The partner section is its own form: its credentials live apart from the versioned settings.
  const intent = form.get("intent");
  if (intent === "savePartner") return tenant((db) => savePartnerForm(db, shop.id, form, partnerEndpointSources()));
  if (intent === "testPartner") return testPartnerForm(tenant, shop.id, form, partnerEndpointSources());
  return tenant((db) => saveSettingsForm(db, shop, form, { changedBy: `staff:${staff.id}`, now: new Date() }));
}

type Level = (typeof DUNNING_LEVELS)[number];

export default function SettingsPage() {
  const { settings, shop, dunningOptionUnlocksOn, partner, mailFrom, holidayRegions } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const result = actionData && !("intent" in actionData) ? actionData : undefined;
  const partnerResult = actionData && "intent" in actionData ? actionData : undefined;
  const navigation = useNavigation();
  const t = useT();
  const { intl } = useLocale();
  const [params] = useSearchParams();
  const errors: FieldErrors = result && !result.ok ? result.errors : {};
  const err = (field: string) => (errors[field] ? formatError(errors[field]!) : undefined);
  const formatError = (e: FieldErrors[string]) => {
    const values = { ...e.values };
    if (typeof values.date === "string") values.date = formatDate(values.date, intl);
    // Amounts in minor units of the shop currency ("maxMinor": 500 → "5,00 €").
    for (const [name, value] of Object.entries(values))
      if (name.endsWith("Minor") && typeof value === "number") values[name] = formatMinor(value, shop.currency, intl);
    return t(e.key as MessageKey, values);
  };
  const saving = navigation.state === "submitting";

  const autoValue =
    settings.autoHandover.mode === "threshold"
      ? (AUTO_HANDOVER_PRESETS as readonly number[]).includes(settings.autoHandover.minimumMajor)
        ? String(settings.autoHandover.minimumMajor)
        : "custom"
      : settings.autoHandover.mode;
  const [auto, setAuto] = useState(autoValue);
  const [option, setOption] = useState(settings.dunningOption);
  const [caseYears, setCaseYears] = useState(String(settings.caseRetentionYears));
  const locked = dunningOptionUnlocksOn !== null;

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
          {result?.ok ? (
            <Layout.Section>
              <Banner tone="success">{t("settings.saved")}</Banner>
            </Layout.Section>
          ) : null}
          {result && !result.ok && result.conflict ? (
            <Layout.Section>
              <Banner tone="critical" title={t("settings.conflict.title")}>
                <p>{t("settings.conflict.body")}</p>
              </Banner>
            </Layout.Section>
          ) : null}
          {result && !result.ok && !result.conflict ? (
            <Layout.Section>
              <Banner tone="critical">{t("settings.invalid", { count: Object.keys(result.errors).length })}</Banner>
            </Layout.Section>
          ) : null}

          {settings.bankAccount === null ? (
            <Layout.Section>
              <Banner tone="warning" title={t("settings.bank.missing.title")}>
                <p>{t("settings.bank.missing")}</p>
              </Banner>
            </Layout.Section>
          ) : null}

          <Section title={t("settings.section.invoice")} description={t("settings.section.invoice.help")}>
            <FormLayout>
              <FormField
                label={t("settings.invoicePaymentMethods")}
                name="invoicePaymentMethods"
                defaultValue={settings.invoicePaymentMethods.join("\n")}
                multiline={4}
                autoComplete="off"
                helpText={t("settings.invoicePaymentMethods.help")}
                error={err("invoicePaymentMethods")}
              />
              {shop.platform === "woocommerce" ? (
                <FormField
                  label={t("settings.vatIdMetaKeys")}
                  name="vatIdMetaKeys"
                  defaultValue={settings.vatIdMetaKeys.join("\n")}
                  multiline={3}
                  autoComplete="off"
                  helpText={t("settings.vatIdMetaKeys.help")}
                  error={err("vatIdMetaKeys")}
                />
              ) : null}
              <NumberField
                name="defaultPaymentTermDays"
                label={t("settings.defaultPaymentTermDays")}
                value={settings.defaultPaymentTermDays}
                suffix={t("settings.days")}
                error={err("defaultPaymentTermDays")}
                help={t("settings.defaultPaymentTermDays.help")}
              />
              <CheckboxField
                name="consumerInvoiceWarns"
                label={t("settings.consumerInvoiceWarns")}
                checked={settings.consumerInvoiceWarns}
                help={t("settings.consumerInvoiceWarns.help")}
                explicit
              />
            </FormLayout>
          </Section>

          <Section title={t("settings.section.schedule")} description={t("settings.section.schedule.help")}>
            <FormLayout>
              <InlineGrid columns={{ xs: 1, sm: 2 }} gap="300">
                {(["reminder_1", "reminder_2", "final_reminder", "handover"] as const).map((step) => (
                  <NumberField
                    key={step}
                    name={`schedule.${step}`}
                    label={t(`settings.schedule.${step}` as MessageKey)}
                    value={settings.schedule[step]}
                    suffix={t("settings.days")}
                    error={err(`schedule.${step}`)}
                  />
                ))}
              </InlineGrid>
              <InlineGrid columns={{ xs: 1, sm: 2 }} gap="300">
                <NumberField
                  name="sendWindow.startHour"
                  label={t("settings.sendWindow.start")}
                  value={settings.sendWindow.startHour}
                  suffix={t("settings.hour")}
                  error={err("sendWindow.startHour")}
                />
                <NumberField
                  name="sendWindow.endHour"
                  label={t("settings.sendWindow.end")}
                  value={settings.sendWindow.endHour}
                  suffix={t("settings.hour")}
                  error={err("sendWindow.endHour")}
                />
              </InlineGrid>
              <CheckboxField
                name="sendWindow.skipSundays"
                label={t("settings.sendWindow.skipSundays")}
                checked={settings.sendWindow.skipSundays}
              />
            </FormLayout>
          </Section>

          <Section title={t("settings.section.deadlines")} description={t("settings.section.deadlines.help")}>
            <FormLayout>
              <HolidayFields holidays={settings.holidays} regions={holidayRegions} err={err} />
              <NumberField
                name="transferGraceDays"
                label={t("settings.transferGraceDays")}
                value={settings.transferGraceDays}
                suffix={t("settings.workingDays")}
                error={err("transferGraceDays")}
                help={t("settings.transferGraceDays.help")}
              />
            </FormLayout>
          </Section>

          <Section
            title={t("settings.section.fees")}
            description={t("settings.section.fees.rules", {
              max: formatMinor(MAX_REMINDER_FEE_MINOR, shop.currency, intl),
            })}
          >
            <FormLayout>
              <FeeFields fees={settings.fees} currency={shop.currency} err={err} />
              <CheckboxField
                name="flatFeeB2B"
                label={t("settings.flatFeeB2B")}
                checked={settings.flatFeeB2B}
                help={t("settings.flatFeeB2B.help")}
              />
            </FormLayout>
          </Section>

          <Section title={t("settings.section.handover")} description={t("settings.section.handover.help")}>
            <FormLayout>
              <Select
                label={t("settings.autoHandover")}
                name="autoHandover"
                value={auto}
                onChange={setAuto}
                options={[
                  { label: t("settings.autoHandover.off"), value: "off" },
                  { label: t("settings.autoHandover.all"), value: "all" },
                  ...AUTO_HANDOVER_PRESETS.map((p) => ({
                    label: t("settings.autoHandover.above", { amount: formatMinor(p * 100, shop.currency, intl) }),
                    value: String(p),
                  })),
                  { label: t("settings.autoHandover.custom"), value: "custom" },
                ]}
                helpText={t("settings.autoHandover.help")}
                error={err("autoHandover")}
              />
              {auto === "custom" ? (
                <FormField
                  label={t("settings.autoHandover.customAmount")}
                  name="autoHandoverCustom"
                  defaultValue={
                    settings.autoHandover.mode === "threshold" ? String(settings.autoHandover.minimumMajor) : ""
                  }
                  suffix={shop.currency}
                  inputMode="numeric"
                  autoComplete="off"
                  error={err("autoHandoverCustom")}
                />
              ) : null}
              <CheckboxField
                name="chargebackAutoHandover"
                label={t("settings.chargebackAutoHandover")}
                checked={settings.chargebackAutoHandover}
                help={t("settings.chargebackAutoHandover.help")}
              />
            </FormLayout>
          </Section>

          <Section title={t("settings.section.retention")} description={t("settings.section.retention.help")}>
            <FormLayout>
              <Select
                label={t("settings.caseRetentionYears")}
                name="caseRetentionYears"
                value={caseYears}
                onChange={setCaseYears}
                options={[
                  { label: t("settings.caseRetentionYears.10"), value: "10" },
                  { label: t("settings.caseRetentionYears.6"), value: "6" },
                ]}
                helpText={t("settings.caseRetentionYears.help")}
                error={err("caseRetentionYears")}
              />
            </FormLayout>
          </Section>

          <Section
            title={t("settings.section.dunningOption")}
            description={t("settings.dunningOption.help", { days: DUNNING_OPTION_LOCK_DAYS })}
          >
            <BlockStack gap="300">
              {locked ? (
                <Banner tone="info">
                  {t("settings.dunningOption.lockedUntil", { date: formatDate(dunningOptionUnlocksOn!, intl) })}
                </Banner>
              ) : null}
              <ChoiceList
                title={t("settings.dunningOption")}
                name="dunningOption"
                choices={[
                  {
                    label: t("settings.dunningOption.A"),
                    value: "A",
                    helpText: t("settings.dunningOption.A.help"),
                    disabled: locked && settings.dunningOption !== "A",
                  },
                  {
                    label: t("settings.dunningOption.B"),
                    value: "B",
                    helpText: t("settings.dunningOption.B.help"),
                    disabled: locked && settings.dunningOption !== "B",
                  },
                ]}
                selected={[option]}
                onChange={([v]) => setOption(v === "B" ? "B" : "A")}
                error={err("dunningOption")}
              />
            </BlockStack>
          </Section>

          <Section
            title={t("settings.section.sender")}
            description={t("settings.section.sender.help", { address: mailFrom })}
          >
            <FormLayout>
              <FormField
                label={t("settings.sender.name")}
                name="sender.name"
                defaultValue={settings.sender.name}
                autoComplete="organization"
                maxLength={100}
                helpText={t("settings.sender.name.help", { shop: shop.name })}
                error={err("sender.name")}
              />
              <FormField
                label={t("settings.sender.replyTo")}
                name="sender.replyTo"
                type="email"
                defaultValue={settings.sender.replyTo ?? ""}
                autoComplete="email"
                helpText={t("settings.sender.replyTo.help")}
                error={err("sender.replyTo")}
              />
            </FormLayout>
          </Section>

          <Section title={t("settings.section.address")} description={t("settings.section.address.help")}>
            <AddressFields address={settings.address} err={err} />
          </Section>

          <Section title={t("settings.section.bank")} description={t("settings.section.bank.help")}>
            <FormLayout>
              <FormField
                label={t("settings.bank.holder")}
                name="bankAccount.holder"
                defaultValue={settings.bankAccount?.holder ?? ""}
                autoComplete="off"
                maxLength={70}
                error={err("bankAccount.holder")}
              />
              <InlineGrid columns={{ xs: 1, sm: "2fr 1fr" }} gap="300">
                <FormField
                  label={t("settings.bank.iban")}
                  name="bankAccount.iban"
                  defaultValue={
                    settings.bankAccount
                      ? (friendlyFormatIBAN(settings.bankAccount.iban) ?? settings.bankAccount.iban)
                      : ""
                  }
                  autoComplete="off"
                  error={err("bankAccount.iban")}
                />
                <FormField
                  label={t("settings.bank.bic")}
                  name="bankAccount.bic"
                  defaultValue={settings.bankAccount?.bic ?? ""}
                  autoComplete="off"
                  error={err("bankAccount.bic")}
                />
              </InlineGrid>
            </FormLayout>
          </Section>

          <Section
            title={t("settings.section.texts")}
            description={t("settings.section.texts.help", {
              placeholders: REMINDER_PLACEHOLDERS.map((p) => `{{${p}}}`).join(" "),
            })}
          >
            <ReminderTexts settings={settings} shopName={shop.name} err={err} />
          </Section>

          <Section
            title={t("settings.section.writeBack")}
            description={t(
              shop.platform === "woocommerce" ? "settings.section.writeBack.woo" : "settings.section.writeBack.help",
            )}
          >
            <FormLayout>
              <CheckboxField
                name="writeBack.tags"
                label={t("settings.writeBack.tags")}
                checked={settings.writeBack.tags}
              />
              <CheckboxField
                name="writeBack.metafield"
                label={t("settings.writeBack.metafield")}
                checked={settings.writeBack.metafield}
              />
              <CheckboxField
                name="writeBack.markAsPaid"
                label={t("settings.writeBack.markAsPaid")}
                checked={settings.writeBack.markAsPaid}
              />
            </FormLayout>
          </Section>

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

/**
 * The reminder fees, with a warning while one is above what a reminder typically costs (it is typed, not only saved).
 * The first reminder's fee is never charged; its field stays so that a stored value is visible.
 */
function FeeFields({
  fees,
  currency,
  err,
}: {
  fees: Settings["fees"];
  currency: string;
  err: (field: string) => string | undefined;
}) {
  const t = useT();
  const { intl } = useLocale();
  const [values, setValues] = useState<Record<Level, string>>(() => ({
    reminder_1: minorToInput(fees.reminder_1, currency, intl),
    reminder_2: minorToInput(fees.reminder_2, currency, intl),
    final_reminder: minorToInput(fees.final_reminder, currency, intl),
  }));
  const minor = (level: Level) => inputToMinor(values[level] === "" ? "0" : values[level], currency) ?? 0;
  const above = feesAboveCost({
    reminder_1: minor("reminder_1"),
    reminder_2: minor("reminder_2"),
    final_reminder: minor("final_reminder"),
  });
  return (
    <BlockStack gap="300">
      <InlineGrid columns={{ xs: 1, sm: 3 }} gap="300">
        {DUNNING_LEVELS.map((level) => (
          <TextField
            key={level}
            label={t(`level.${level}` as MessageKey)}
            name={`fees.${level}`}
            value={values[level]}
            onChange={(value) => setValues((all) => ({ ...all, [level]: value }))}
            suffix={currency}
            inputMode="decimal"
            autoComplete="off"
            helpText={level === "reminder_1" ? t("settings.fees.reminder_1.help") : undefined}
            error={err(`fees.${level}`)}
          />
        ))}
      </InlineGrid>
      {above.length > 0 ? (
        <Banner tone="warning" title={t("settings.fees.aboveCost.title")}>
          <p>
            {t("settings.fees.aboveCost", {
              levels: above.map((level) => t(`level.${level}` as MessageKey)).join(", "),
              typical: formatMinor(TYPICAL_COST_MINOR, currency, intl),
            })}
          </p>
        </Banner>
      ) : null}
    </BlockStack>
  );
}

/** Public holidays: a country and, where date-holidays knows them, its states (empty: national holidays only). */
function HolidayFields({
  holidays,
  regions,
  err,
}: {
  holidays: Settings["holidays"];
  regions: HolidayRegionOption[];
  err: (field: string) => string | undefined;
}) {
  const t = useT();
  const { intl } = useLocale();
  const [country, setCountry] = useState(holidays.country);
  const [state, setState] = useState(holidays.state ?? "");
  const names = new Intl.DisplayNames([intl], { type: "region" });
  const label = (code: string) => names.of(code) ?? code;
  // German-speaking countries first, the others by name.
  const first = regions.filter((r) => ["DE", "AT", "CH", "LI"].includes(r.country));
  const rest = regions
    .filter((r) => !first.includes(r))
    .sort((a, b) => label(a.country).localeCompare(label(b.country), intl));
  const states = regions.find((r) => r.country === country)?.states ?? [];
  return (
    <InlineGrid columns={{ xs: 1, sm: 2 }} gap="300">
      <Select
        label={t("settings.holidays.country")}
        name="holidays.country"
        value={country}
        onChange={(next) => {
          setCountry(next);
          setState("");
        }}
        options={[...first, ...rest].map((r) => ({ value: r.country, label: label(r.country) }))}
        error={err("holidays.country")}
      />
      <Select
        label={t("settings.holidays.state")}
        name="holidays.state"
        value={state}
        onChange={setState}
        options={[
          { value: "", label: t("settings.holidays.state.national") },
          ...states.map((s) => ({ value: s.code, label: s.name })),
        ]}
        helpText={country === "DE" ? t("settings.holidays.state.help") : undefined}
        error={err("holidays.state")}
      />
    </InlineGrid>
  );
}

/** Countries offered for the shop's address (where German-speaking shops sit and sell); a stored other one stays. */
const ADDRESS_COUNTRIES = ["DE", "AT", "CH", "LI", "LU", "BE", "NL", "FR", "IT", "DK", "PL", "CZ", "ES", "SE"];

function AddressFields({ address, err }: { address: Settings["address"]; err: (field: string) => string | undefined }) {
  const t = useT();
  const { intl } = useLocale();
  const [country, setCountry] = useState(address?.countryCode ?? "DE");
  const names = new Intl.DisplayNames([intl], { type: "region" });
  const codes = ADDRESS_COUNTRIES.includes(country) ? ADDRESS_COUNTRIES : [...ADDRESS_COUNTRIES, country];
  return (
    <FormLayout>
      <FormField
        label={t("settings.address.company")}
        name="address.company"
        defaultValue={address?.company ?? ""}
        autoComplete="organization"
        error={err("address.company")}
      />
      <FormField
        label={t("settings.address.street")}
        name="address.street"
        defaultValue={address?.street ?? ""}
        autoComplete="address-line1"
        error={err("address.street")}
      />
      <InlineGrid columns={{ xs: 1, sm: "1fr 2fr" }} gap="300">
        <FormField
          label={t("settings.address.postalCode")}
          name="address.postalCode"
          defaultValue={address?.postalCode ?? ""}
          autoComplete="postal-code"
          error={err("address.postalCode")}
        />
        <FormField
          label={t("settings.address.city")}
          name="address.city"
          defaultValue={address?.city ?? ""}
          autoComplete="address-level2"
          error={err("address.city")}
        />
      </InlineGrid>
      <Select
        label={t("settings.address.countryCode")}
        name="address.countryCode"
        value={country}
        onChange={setCountry}
        options={codes.map((code) => ({ value: code, label: names.of(code) ?? code }))}
        error={err("address.countryCode")}
      />
      <InlineGrid columns={{ xs: 1, sm: 2 }} gap="300">
        <FormField
          label={t("settings.address.email")}
          name="address.email"
          type="email"
          defaultValue={address?.email ?? ""}
          autoComplete="email"
          error={err("address.email")}
        />
        <FormField
          label={t("settings.address.phone")}
          name="address.phone"
          type="tel"
          defaultValue={address?.phone ?? ""}
          autoComplete="tel"
          error={err("address.phone")}
        />
      </InlineGrid>
    </FormLayout>
  );
}

type PartnerResult =
  | { intent: "partner"; ok: true; done: "saved" | "connected" }
  | { intent: "partner"; ok: false; errors: FieldErrors; failure?: string };

/**
 * Partner, environment and credentials in a form of their own. The secret is never sent to the browser: a stored one
 * shows as "Stored" with a Replace button; left empty it is kept.
 */
function PartnerSection({
  partner,
  result,
  formatError,
}: {
  partner: PartnerSettingsView;
  result: PartnerResult | undefined;
  formatError: (e: FieldErrors[string]) => string;
}) {
  const t = useT();
  const navigation = useNavigation();
  const [choice, setChoice] = useState<string>(partner.partner ?? (partner.available.sandbox ? "sandbox" : "riverty"));
  const [environment, setEnvironment] = useState<string>(partner.environment);
  const [replacing, setReplacing] = useState(!partner.secretStored);
  const intentRef = useRef<HTMLInputElement>(null);
  const errors = result && !result.ok ? result.errors : {};
  const err = (field: string) => (errors[field] ? formatError(errors[field]!) : undefined);
  const busy = navigation.state === "submitting" ? navigation.formData?.get("intent") : null;
  const envLabel = (env: "sandbox" | "production") => t(`settings.partner.environment.${env}`);
  return (
    <Form method="post">
      <Layout>
        <Section title={t("settings.section.partner")} description={t("settings.section.partner.help")}>
          <FormLayout>
            {result?.ok ? (
              <Banner tone="success">
                {t(result.done === "saved" ? "settings.partner.saved" : "settings.partner.connected")}
              </Banner>
            ) : null}
            {result && !result.ok && result.failure ? (
              <Banner tone="critical">{t("settings.partner.failed", { reason: result.failure })}</Banner>
            ) : null}
            <Select
              label={t("settings.partner")}
              name="partner"
              value={choice}
              onChange={setChoice}
              options={[
                { label: t("settings.partner.sandbox"), value: "sandbox", disabled: !partner.available.sandbox },
                { label: t("settings.partner.riverty"), value: "riverty" },
              ]}
              helpText={choice === "sandbox" ? t("settings.partner.sandboxHelp") : undefined}
              error={err("partner.partner")}
            />
            {choice === "riverty" ? (
              <>
                <Select
                  label={t("settings.partner.environment")}
                  name="environment"
                  value={environment}
                  onChange={setEnvironment}
                  options={(["sandbox", "production"] as const).map((env) => ({
                    value: env,
                    label: partner.available.riverty[env]
                      ? envLabel(env)
                      : t("settings.partner.environment.unavailable", { environment: envLabel(env) }),
                    disabled: !partner.available.riverty[env],
                  }))}
                  error={err("partner.environment")}
                />
                <FormField
                  label={t("settings.partner.clientId")}
                  name="clientId"
                  defaultValue={partner.clientId}
                  autoComplete="off"
                  error={err("partner.clientId")}
                />
                {replacing ? (
                  <FormField
                    label={t("settings.partner.clientSecret")}
                    name="clientSecret"
                    type="password"
                    defaultValue=""
                    autoComplete="new-password"
                    helpText={partner.secretStored ? t("settings.partner.secretKeep") : undefined}
                    error={err("partner.clientSecret")}
                  />
                ) : (
                  <BlockStack gap="100">
                    <Text as="span">{t("settings.partner.clientSecret")}</Text>
                    <InlineStack gap="200" blockAlign="center">
                      <Badge tone="success">{t("settings.partner.secretStored")}</Badge>
                      <Button variant="plain" onClick={() => setReplacing(true)}>
                        {t("settings.partner.replaceSecret")}
                      </Button>
                    </InlineStack>
                  </BlockStack>
                )}
              </>
            ) : null}
            <InlineStack gap="200" align="end">
              {/* Polaris buttons carry no name/value: the clicked one sets the intent just before the form submits. */}
              <input type="hidden" name="intent" ref={intentRef} defaultValue="savePartner" />
              <Button
                submit
                onClick={() => intentRef.current && (intentRef.current.value = "testPartner")}
                loading={busy === "testPartner"}
              >
                {t("settings.partner.test")}
              </Button>
              <Button
                submit
                onClick={() => intentRef.current && (intentRef.current.value = "savePartner")}
                variant="primary"
                loading={busy === "savePartner"}
              >
                {t("settings.partner.save")}
              </Button>
            </InlineStack>
          </FormLayout>
        </Section>
      </Layout>
    </Form>
  );
}

function Section({ title, description, children }: { title: string; description: string; children: React.ReactNode }) {
  return (
    <Layout.AnnotatedSection title={title} description={description}>
      <Card>{children}</Card>
    </Layout.AnnotatedSection>
  );
}

function NumberField({
  name,
  label,
  value,
  suffix,
  error,
  help,
}: {
  name: string;
  label: string;
  value: number;
  suffix?: string;
  error?: string;
  help?: string;
}) {
  return (
    <FormField
      label={label}
      name={name}
      defaultValue={String(value)}
      suffix={suffix}
      inputMode="numeric"
      autoComplete="off"
      error={error}
      helpText={help}
    />
  );
}

/** A Polaris text field that starts from the saved value and posts with the form (Polaris' own is controlled). */
function FormField({ defaultValue, ...props }: Omit<TextFieldProps, "value" | "onChange"> & { defaultValue: string }) {
  const [value, setValue] = useState(defaultValue);
  return <TextField {...props} value={value} onChange={setValue} />;
}

/**
 * A Polaris checkbox that posts "on" like a plain one (Polaris' own is controlled). `explicit` posts "off" when unticked,
 * so the server can tell an unticked box from a form that did not have it (which keeps the stored value).
 */
function CheckboxField({
  name,
  label,
  checked,
  help,
  explicit = false,
}: {
  name: string;
  label: string;
  checked: boolean;
  help?: string;
  explicit?: boolean;
}) {
  const [value, setValue] = useState(checked);
  return (
    <>
      <Checkbox label={label} checked={value} onChange={setValue} helpText={help} />
      {value || explicit ? <input type="hidden" name={name} value={value ? "on" : "off"} /> : null}
    </>
  );
}

function ReminderTexts({
  settings,
  shopName,
  err,
}: {
  settings: Settings & { version: number };
  shopName: string;
  err: (field: string) => string | undefined;
}) {
  const t = useT();
  const [tab, setTab] = useState(0);
  const combos = DUNNING_LEVELS.flatMap((level) => REMINDER_LANGUAGES.map((language) => ({ level, language })));
  const initial = Object.fromEntries(
    combos.map(({ level, language }) => {
      const key = reminderTextKey(level, language);
      return [key, settings.reminderTexts[key] ?? DEFAULT_REMINDER_TEXTS[level][language]];
    }),
  );
  const [texts, setTexts] = useState<Record<string, { subject: string; body: string }>>(initial);
  const current = combos[tab]!;
  const key = reminderTextKey(current.level, current.language);
  const preview = previewReminder({
    level: current.level,
    language: current.language,
    reminderTexts: { [key]: texts[key]! },
    data: { shopName },
  });
  return (
    <BlockStack gap="300">
      <Tabs
        tabs={combos.map(({ level, language }) => ({
          id: `text-${level}-${language}`,
          content: `${t(`level.${level}` as MessageKey)} (${language.toUpperCase()})`,
          badge:
            err(`reminderTexts.${reminderTextKey(level, language)}.body`) ||
            err(`reminderTexts.${reminderTextKey(level, language)}.subject`)
              ? "!"
              : undefined,
        }))}
        selected={tab}
        onSelect={setTab}
      />
      {/* Every text is posted, the hidden ones too; unchanged defaults are not stored. */}
      {combos.map(({ level, language }) => {
        const k = reminderTextKey(level, language);
        const visible = k === key;
        return (
          <div key={k} hidden={!visible}>
            <TextEditor
              level={level}
              language={language}
              value={texts[k]!}
              onChange={(v) => setTexts((all) => ({ ...all, [k]: v }))}
              err={err}
            />
          </div>
        );
      })}
      <Divider />
      <Text as="h3" variant="headingSm">
        {t("settings.preview")}
      </Text>
      {preview.ok ? (
        <Box background="bg-surface-secondary" padding="300" borderRadius="200">
          <BlockStack gap="200">
            <Text as="p" fontWeight="semibold">
              {preview.value.subject}
            </Text>
            <div style={{ whiteSpace: "pre-wrap" }}>
              <Text as="p">{preview.value.text}</Text>
            </div>
          </BlockStack>
        </Box>
      ) : (
        <Banner tone="warning">
          {t("form.error.placeholders", { placeholders: preview.error.placeholders.join(", ") })}
        </Banner>
      )}
    </BlockStack>
  );
}

function TextEditor({
  level,
  language,
  value,
  onChange,
  err,
}: {
  level: Level;
  language: ReminderLanguage;
  value: { subject: string; body: string };
  onChange: (v: { subject: string; body: string }) => void;
  err: (field: string) => string | undefined;
}) {
  const t = useT();
  const k = reminderTextKey(level, language);
  return (
    <FormLayout>
      <TextField
        label={t("settings.text.subject")}
        name={`reminderTexts.${k}.subject`}
        value={value.subject}
        onChange={(subject) => onChange({ ...value, subject })}
        autoComplete="off"
        error={err(`reminderTexts.${k}.subject`)}
      />
      <TextField
        label={t("settings.text.body")}
        name={`reminderTexts.${k}.body`}
        value={value.body}
        onChange={(body) => onChange({ ...value, body })}
        multiline={10}
        autoComplete="off"
        error={err(`reminderTexts.${k}.body`)}
      />
    </FormLayout>
  );
}
