import { FormLayout, Select } from "@shopify/polaris";

import { AUTO_HANDOVER_PRESETS, type Settings } from "#app/domain/settings";
import { useLocale, useT } from "#app/i18n/react";
import { formatMinor } from "#app/utils/format";

import { CheckboxField, FormField, Section } from "./form-fields";
import type { ErrorFor } from "./use-save-result";

/** Which open claims go to the collection partner without waiting for approval, and whether chargebacks do. */
export function HandoverSection({
  settings,
  currency,
  auto,
  onAutoChange,
  err,
}: {
  settings: Pick<Settings, "autoHandover" | "chargebackAutoHandover">;
  currency: string;
  auto: string;
  onAutoChange: (value: string) => void;
  err: ErrorFor;
}) {
  const t = useT();
  const { intl } = useLocale();
  return (
    <Section title={t("settings.section.handover")} description={t("settings.section.handover.help")}>
      <FormLayout>
        <Select
          label={t("settings.autoHandover")}
          name="autoHandover"
          value={auto}
          onChange={onAutoChange}
          options={[
            { label: t("settings.autoHandover.off"), value: "off" },
            { label: t("settings.autoHandover.all"), value: "all" },
            ...AUTO_HANDOVER_PRESETS.map((p) => ({
              label: t("settings.autoHandover.above", { amount: formatMinor(p * 100, currency, intl) }),
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
            defaultValue={settings.autoHandover.mode === "threshold" ? String(settings.autoHandover.minimumMajor) : ""}
            suffix={currency}
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
  );
}
