import { FormLayout, InlineGrid, Select } from "@shopify/polaris";
import { useState } from "react";

import type { Settings } from "#app/domain/settings";
import { useLocale, useT } from "#app/i18n/react";

import { FormField, Section } from "./form-fields";
import type { ErrorFor } from "./use-save-result";

/** Countries offered for the shop's address (where German-speaking shops sit and sell); a stored other one stays. */
const ADDRESS_COUNTRIES = ["DE", "AT", "CH", "LI", "LU", "BE", "NL", "FR", "IT", "DK", "PL", "CZ", "ES", "SE"];

export function AddressSection({ address, err }: { address: Settings["address"]; err: ErrorFor }) {
  const t = useT();
  return (
    <Section title={t("settings.section.address")} description={t("settings.section.address.help")}>
      <AddressFields address={address} err={err} />
    </Section>
  );
}

/** The shop's postal address and contact, as reminder letters and claims name the creditor. */
export function AddressFields({ address, err }: { address: Settings["address"]; err: ErrorFor }) {
  const t = useT();
  const { intl } = useLocale();
  const [country, setCountry] = useState(address?.countryCode ?? "DE");
  const names = new Intl.DisplayNames([intl], { type: "region" });
  const codes = ADDRESS_COUNTRIES.includes(country) ? ADDRESS_COUNTRIES : [...ADDRESS_COUNTRIES, country];
  return (
    <FormLayout>
      <FormField
        label={t("settings.address.company")}
        name="address.company"
        defaultValue={address?.company ?? ""}
        autoComplete="organization"
        error={err("address.company")}
      />
      <FormField
        label={t("settings.address.street")}
        name="address.street"
        defaultValue={address?.street ?? ""}
        autoComplete="address-line1"
        error={err("address.street")}
      />
      <InlineGrid columns={{ xs: 1, sm: "1fr 2fr" }} gap="300">
        <FormField
          label={t("settings.address.postalCode")}
          name="address.postalCode"
          defaultValue={address?.postalCode ?? ""}
          autoComplete="postal-code"
          error={err("address.postalCode")}
        />
        <FormField
          label={t("settings.address.city")}
          name="address.city"
          defaultValue={address?.city ?? ""}
          autoComplete="address-level2"
          error={err("address.city")}
        />
      </InlineGrid>
      <Select
        label={t("settings.address.countryCode")}
        name="address.countryCode"
        value={country}
        onChange={setCountry}
        options={codes.map((code) => ({ value: code, label: names.of(code) ?? code }))}
        error={err("address.countryCode")}
      />
      <InlineGrid columns={{ xs: 1, sm: 2 }} gap="300">
        <FormField
          label={t("settings.address.email")}
          name="address.email"
          type="email"
          defaultValue={address?.email ?? ""}
          autoComplete="email"
          error={err("address.email")}
        />
        <FormField
          label={t("settings.address.phone")}
          name="address.phone"
          type="tel"
          defaultValue={address?.phone ?? ""}
          autoComplete="tel"
          error={err("address.phone")}
        />
      </InlineGrid>
    </FormLayout>
  );
}
