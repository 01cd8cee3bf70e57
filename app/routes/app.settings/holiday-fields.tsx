import { InlineGrid, Select } from "@shopify/polaris";
import { useState } from "react";

import type { Settings } from "#app/domain/settings";
import { useLocale, useT } from "#app/i18n/react";
import type { HolidayRegionOption } from "#app/services/settings/settings.server";

import type { ErrorFor } from "./use-save-result";

/** German-speaking countries first, the others by name. */
function orderedCountries(regions: HolidayRegionOption[], label: (code: string) => string, intl: string) {
  const first = regions.filter((r) => ["DE", "AT", "CH", "LI"].includes(r.country));
  const rest = regions
    .filter((r) => !first.includes(r))
    .sort((a, b) => label(a.country).localeCompare(label(b.country), intl));
  return [...first, ...rest];
}

/** Public holidays: a country and, where date-holidays knows them, its states (empty: national holidays only). */
export function HolidayFields({
  holidays,
  regions,
  err,
}: {
  holidays: Settings["holidays"];
  regions: HolidayRegionOption[];
  err: ErrorFor;
}) {
  const t = useT();
  const { intl } = useLocale();
  const [country, setCountry] = useState(holidays.country);
  const [state, setState] = useState(holidays.state ?? "");
  const names = new Intl.DisplayNames([intl], { type: "region" });
  const label = (code: string) => names.of(code) ?? code;
  const states = regions.find((r) => r.country === country)?.states ?? [];
  return (
    <InlineGrid columns={{ xs: 1, sm: 2 }} gap="300">
      <Select
        label={t("settings.holidays.country")}
        name="holidays.country"
        value={country}
        onChange={(next) => {
          setCountry(next);
          setState("");
        }}
        options={orderedCountries(regions, label, intl).map((r) => ({ value: r.country, label: label(r.country) }))}
        error={err("holidays.country")}
      />
      <Select
        label={t("settings.holidays.state")}
        name="holidays.state"
        value={state}
        onChange={setState}
        options={[
          { value: "", label: t("settings.holidays.state.national") },
          ...states.map((s) => ({ value: s.code, label: s.name })),
        ]}
        helpText={country === "DE" ? t("settings.holidays.state.help") : undefined}
        error={err("holidays.state")}
      />
    </InlineGrid>
  );
}
