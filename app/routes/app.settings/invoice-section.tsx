import { useSubmit } from "@remix-run/react";
import { Banner, FormLayout, Layout } from "@shopify/polaris";

import type { Settings } from "#app/domain/settings";
import { useT } from "#app/i18n/react";
import type { GuardSync } from "#app/services/shopify/invoice-guard.server";

import { CheckboxField, FormField, NumberField, Section } from "./form-fields";
import type { ErrorFor } from "./use-save-result";

/** Which orders are invoice orders, their payment term, and whether the invoices already warn consumers. */
export function InvoiceSection({
  settings,
  platform,
  err,
}: {
  settings: Pick<
    Settings,
    "invoicePaymentMethods" | "vatIdMetaKeys" | "defaultPaymentTermDays" | "consumerInvoiceWarns" | "checkoutGuard"
  >;
  platform: string;
  err: ErrorFor;
}) {
  const t = useT();
  return (
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
        {platform === "woocommerce" ? (
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
        {platform === "woocommerce" || platform === "shopify" ? (
          <CheckboxField
            name="checkoutGuard"
            label={t("settings.checkoutGuard")}
            checked={settings.checkoutGuard}
            help={t(platform === "shopify" ? "settings.checkoutGuard.help.shopify" : "settings.checkoutGuard.help")}
            explicit
          />
        ) : null}
      </FormLayout>
    </Section>
  );
}

/** Shopify: what keeps the checkout guard from working (missing permissions, a refusal), or that it was just set up. */
export function GuardBanner({ guard }: { guard: GuardSync | null }) {
  const t = useT();
  const submit = useSubmit();
  if (!guard) return null;
  const banner =
    guard.state === "scopes_missing" ? (
      <Banner
        tone="warning"
        title={t("settings.guard.scopes.title")}
        action={{
          content: t("settings.guard.scopes.grant"),
          onAction: () => submit({ intent: "grantGuardScopes" }, { method: "post" }),
        }}
      >
        <p>{t("settings.guard.scopes.body", { scopes: guard.missing.join(", ") })}</p>
      </Banner>
    ) : guard.state === "failed" ? (
      <Banner tone="critical">{t("settings.guard.failed", { message: guard.message })}</Banner>
    ) : guard.state === "created" ? (
      <Banner tone="success">{t("settings.guard.created")}</Banner>
    ) : null;
  return banner ? <Layout.Section>{banner}</Layout.Section> : null;
}
