import { FormLayout } from "@shopify/polaris";

import type { Settings } from "#app/domain/settings";
import { useT } from "#app/i18n/react";

import { FormField, Section } from "./form-fields";
import type { ErrorFor } from "./use-save-result";

/** The name reminder e-mails come from (the address is always ours) and where replies go. */
export function SenderSection({
  sender,
  shopName,
  mailFrom,
  err,
}: {
  sender: Settings["sender"];
  shopName: string;
  mailFrom: string;
  err: ErrorFor;
}) {
  const t = useT();
  return (
    <Section
      title={t("settings.section.sender")}
      description={t("settings.section.sender.help", { address: mailFrom })}
    >
      <FormLayout>
        <FormField
          label={t("settings.sender.name")}
          name="sender.name"
          defaultValue={sender.name}
          autoComplete="organization"
          maxLength={100}
          helpText={t("settings.sender.name.help", { shop: shopName })}
          error={err("sender.name")}
        />
        <FormField
          label={t("settings.sender.replyTo")}
          name="sender.replyTo"
          type="email"
          defaultValue={sender.replyTo ?? ""}
          autoComplete="email"
          helpText={t("settings.sender.replyTo.help")}
          error={err("sender.replyTo")}
        />
      </FormLayout>
    </Section>
  );
}
