import { Banner, BlockStack, FormLayout, InlineGrid, TextField } from "@shopify/polaris";
import { useState } from "react";

import { DUNNING_LEVELS, type DunningLevel } from "#app/domain/case/status";
import { feesAboveCost, MAX_REMINDER_FEE_MINOR, TYPICAL_COST_MINOR } from "#app/domain/dunning/fees";
import type { Settings } from "#app/domain/settings";
import type { MessageKey } from "#app/i18n/i18n";
import { useLocale, useT } from "#app/i18n/react";
import { formatMinor, inputToMinor, minorToInput } from "#app/utils/format";

import { CheckboxField, Section } from "./form-fields";
import type { ErrorFor } from "./use-save-result";

/** The reminder fees (the rules and their maximum in the description) and the flat fee charged to businesses. */
export function FeesSection({
  settings,
  currency,
  err,
}: {
  settings: Pick<Settings, "fees" | "flatFeeB2B">;
  currency: string;
  err: ErrorFor;
}) {
  const t = useT();
  const { intl } = useLocale();
  return (
    <Section
      title={t("settings.section.fees")}
      description={t("settings.section.fees.rules", { max: formatMinor(MAX_REMINDER_FEE_MINOR, currency, intl) })}
    >
      <FormLayout>
        <FeeFields fees={settings.fees} currency={currency} err={err} />
        <CheckboxField
          name="flatFeeB2B"
          label={t("settings.flatFeeB2B")}
          checked={settings.flatFeeB2B}
          help={t("settings.flatFeeB2B.help")}
        />
      </FormLayout>
    </Section>
  );
}

/**
 * The reminder fees, with a warning while one is above what a reminder typically costs (it is typed, not only saved).
 * The first reminder's fee is never charged; its field stays so that a stored value is visible.
 */
export function FeeFields({ fees, currency, err }: { fees: Settings["fees"]; currency: string; err: ErrorFor }) {
  const t = useT();
  const { intl } = useLocale();
  const [values, setValues] = useState<Record<DunningLevel, string>>(() => ({
    reminder_1: minorToInput(fees.reminder_1, currency, intl),
    reminder_2: minorToInput(fees.reminder_2, currency, intl),
    final_reminder: minorToInput(fees.final_reminder, currency, intl),
  }));
  const minor = (level: DunningLevel) => inputToMinor(values[level] === "" ? "0" : values[level], currency) ?? 0;
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
