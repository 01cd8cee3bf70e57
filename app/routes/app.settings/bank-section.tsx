import { Banner, FormLayout, InlineGrid, Layout } from "@shopify/polaris";
import { friendlyFormatIBAN } from "ibantools";

import type { Settings } from "#app/domain/settings";
import { useT } from "#app/i18n/react";

import { CheckboxField, FormField, Section } from "./form-fields";
import type { ErrorFor } from "./use-save-result";

/** Shown at the top of the page while no bank account is set (reminders print it for the customer's transfer). */
export function BankMissingBanner() {
  const t = useT();
  return (
    <Layout.Section>
      <Banner tone="warning" title={t("settings.bank.missing.title")}>
        <p>{t("settings.bank.missing")}</p>
      </Banner>
    </Layout.Section>
  );
}

/** The account customers pay into (a stored IBAN in groups of four) and the ways to pay each reminder offers. */
export function BankSection({
  bankAccount,
  paymentOptions,
  err,
}: {
  bankAccount: Settings["bankAccount"];
  paymentOptions: Settings["paymentOptions"];
  err: ErrorFor;
}) {
  const t = useT();
  return (
    <Section title={t("settings.section.bank")} description={t("settings.section.bank.help")}>
      <FormLayout>
        <FormField
          label={t("settings.bank.holder")}
          name="bankAccount.holder"
          defaultValue={bankAccount?.holder ?? ""}
          autoComplete="off"
          maxLength={70}
          error={err("bankAccount.holder")}
        />
        <InlineGrid columns={{ xs: 1, sm: "2fr 1fr" }} gap="300">
          <FormField
            label={t("settings.bank.iban")}
            name="bankAccount.iban"
            defaultValue={bankAccount ? (friendlyFormatIBAN(bankAccount.iban) ?? bankAccount.iban) : ""}
            autoComplete="off"
            error={err("bankAccount.iban")}
          />
          <FormField
            label={t("settings.bank.bic")}
            name="bankAccount.bic"
            defaultValue={bankAccount?.bic ?? ""}
            autoComplete="off"
            error={err("bankAccount.bic")}
          />
        </InlineGrid>
        <CheckboxField
          name="paymentOptions.giroCode"
          label={t("settings.paymentOptions.giroCode")}
          checked={paymentOptions.giroCode}
          help={t("settings.paymentOptions.giroCode.help")}
          explicit
        />
        <CheckboxField
          name="paymentOptions.payNowLink"
          label={t("settings.paymentOptions.payNowLink")}
          checked={paymentOptions.payNowLink}
          help={t("settings.paymentOptions.payNowLink.help")}
          explicit
        />
      </FormLayout>
    </Section>
  );
}
