import { Banner, BlockStack, ChoiceList } from "@shopify/polaris";

import { DUNNING_OPTION_LOCK_DAYS } from "#app/domain/policies";
import type { Settings } from "#app/domain/settings";
import { useLocale, useT } from "#app/i18n/react";
import { formatDate } from "#app/utils/format";

import { Section } from "./form-fields";
import type { ErrorFor } from "./use-save-result";

type DunningOption = Settings["dunningOption"];

/**
 * Dunning option A or B. After a change it is locked for a while: then only the stored option can be chosen, and a
 * banner says from when the other one can.
 */
export function DunningOptionSection({
  stored,
  unlocksOn,
  option,
  onChange,
  err,
}: {
  stored: DunningOption;
  unlocksOn: string | null;
  option: DunningOption;
  onChange: (option: DunningOption) => void;
  err: ErrorFor;
}) {
  const t = useT();
  const { intl } = useLocale();
  const locked = unlocksOn !== null;
  return (
    <Section
      title={t("settings.section.dunningOption")}
      description={t("settings.dunningOption.help", { days: DUNNING_OPTION_LOCK_DAYS })}
    >
      <BlockStack gap="300">
        {locked ? (
          <Banner tone="info">{t("settings.dunningOption.lockedUntil", { date: formatDate(unlocksOn, intl) })}</Banner>
        ) : null}
        <ChoiceList
          title={t("settings.dunningOption")}
          name="dunningOption"
          choices={[
            {
              label: t("settings.dunningOption.A"),
              value: "A",
              helpText: t("settings.dunningOption.A.help"),
              disabled: locked && stored !== "A",
            },
            {
              label: t("settings.dunningOption.B"),
              value: "B",
              helpText: t("settings.dunningOption.B.help"),
              disabled: locked && stored !== "B",
            },
          ]}
          selected={[option]}
          onChange={([v]) => onChange(v === "B" ? "B" : "A")}
          error={err("dunningOption")}
        />
      </BlockStack>
    </Section>
  );
}
