import { AppProvider } from "@shopify/polaris";
import polarisDe from "@shopify/polaris/locales/de.json";
import polarisEn from "@shopify/polaris/locales/en.json";
import type { ReactNode } from "react";

import type { Locale } from "#app/i18n/i18n";
import { I18nProvider } from "#app/i18n/react";

/** Pages outside the tab's frame (sign-in, connecting a store): Polaris and our texts in the reader's language. */
export function StandalonePage({ locale, children }: { locale: Locale; children: ReactNode }) {
  return (
    <AppProvider i18n={locale === "de" ? polarisDe : polarisEn}>
      <I18nProvider locale={locale}>{children}</I18nProvider>
    </AppProvider>
  );
}
