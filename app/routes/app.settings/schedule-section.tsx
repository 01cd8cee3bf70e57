import { FormLayout, InlineGrid } from "@shopify/polaris";

import type { Settings } from "#app/domain/settings";
import type { MessageKey } from "#app/i18n/i18n";
import { useT } from "#app/i18n/react";

import { CheckboxField, NumberField, Section } from "./form-fields";
import type { ErrorFor } from "./use-save-result";

const STEPS = ["reminder_1", "reminder_2", "final_reminder", "handover"] as const;

/** Days between the steps of a case, and the hours in which reminders go out. */
export function ScheduleSection({
  settings,
  err,
}: {
  settings: Pick<Settings, "schedule" | "sendWindow">;
  err: ErrorFor;
}) {
  const t = useT();
  return (
    <Section title={t("settings.section.schedule")} description={t("settings.section.schedule.help")}>
      <FormLayout>
        <InlineGrid columns={{ xs: 1, sm: 2 }} gap="300">
          {STEPS.map((step) => (
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
  );
}
