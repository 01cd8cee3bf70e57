import { FormLayout } from "@shopify/polaris";

import type { Settings } from "#app/domain/settings";
import { useT } from "#app/i18n/react";

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
        {platform === "woocommerce" ? (
          <CheckboxField
            name="checkoutGuard"
            label={t("settings.checkoutGuard")}
            checked={settings.checkoutGuard}
            help={t("settings.checkoutGuard.help")}
            explicit
          />
        ) : null}
      </FormLayout>
    </Section>
  );
}
