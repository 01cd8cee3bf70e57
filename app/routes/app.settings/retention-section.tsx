import { FormLayout, Select } from "@shopify/polaris";

import { useT } from "#app/i18n/react";

import { Section } from "./form-fields";
import type { ErrorFor } from "./use-save-result";

/** How many years an ended case is kept: 10 (accounting vouchers) or 6 (business letters). */
export function RetentionSection({
  caseYears,
  onChange,
  err,
}: {
  caseYears: string;
  onChange: (value: string) => void;
  err: ErrorFor;
}) {
  const t = useT();
  return (
    <Section title={t("settings.section.retention")} description={t("settings.section.retention.help")}>
      <FormLayout>
        <Select
          label={t("settings.caseRetentionYears")}
          name="caseRetentionYears"
          value={caseYears}
          onChange={onChange}
          options={[
            { label: t("settings.caseRetentionYears.10"), value: "10" },
            { label: t("settings.caseRetentionYears.6"), value: "6" },
          ]}
          helpText={t("settings.caseRetentionYears.help")}
          error={err("caseRetentionYears")}
        />
      </FormLayout>
    </Section>
  );
}
