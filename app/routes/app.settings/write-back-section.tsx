import { FormLayout } from "@shopify/polaris";

import type { Settings } from "#app/domain/settings";
import { useT } from "#app/i18n/react";

import { CheckboxField, Section } from "./form-fields";

/** What the app records on the order in the shop. */
export function WriteBackSection({ writeBack, platform }: { writeBack: Settings["writeBack"]; platform: string }) {
  const t = useT();
  return (
    <Section
      title={t("settings.section.writeBack")}
      description={t(platform === "woocommerce" ? "settings.section.writeBack.woo" : "settings.section.writeBack.help")}
    >
      <FormLayout>
        <CheckboxField name="writeBack.tags" label={t("settings.writeBack.tags")} checked={writeBack.tags} />
        <CheckboxField
          name="writeBack.metafield"
          label={t("settings.writeBack.metafield")}
          checked={writeBack.metafield}
        />
        <CheckboxField
          name="writeBack.markAsPaid"
          label={t("settings.writeBack.markAsPaid")}
          checked={writeBack.markAsPaid}
        />
      </FormLayout>
    </Section>
  );
}
