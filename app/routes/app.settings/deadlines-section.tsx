import { FormLayout } from "@shopify/polaris";

import type { Settings } from "#app/domain/settings";
import { useT } from "#app/i18n/react";
import type { HolidayRegionOption } from "#app/services/settings/settings.server";

import { NumberField, Section } from "./form-fields";
import { HolidayFields } from "./holiday-fields";
import type { ErrorFor } from "./use-save-result";

/** What moves a reminder's deadline: the shop's public holidays and the days a transfer takes to arrive. */
export function DeadlinesSection({
  settings,
  regions,
  err,
}: {
  settings: Pick<Settings, "holidays" | "transferGraceDays">;
  regions: HolidayRegionOption[];
  err: ErrorFor;
}) {
  const t = useT();
  return (
    <Section title={t("settings.section.deadlines")} description={t("settings.section.deadlines.help")}>
      <FormLayout>
        <HolidayFields holidays={settings.holidays} regions={regions} err={err} />
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
  );
}
