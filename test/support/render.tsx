import { AppProvider } from "@shopify/polaris";
import polarisDe from "@shopify/polaris/locales/de.json";
import polarisEn from "@shopify/polaris/locales/en.json";
import { render, type RenderResult } from "@testing-library/react";
import type { ReactNode } from "react";

import type { Locale } from "#app/i18n/i18n";
import { I18nProvider } from "#app/i18n/react";

/**
 * The providers every screen of the tab has (app/routes/app.tsx; its App Bridge AppProvider wraps Polaris' own):
 * Polaris in the admin's language, and our messages.
 */
export function Providers({ locale, children }: { locale: Locale; children: ReactNode }) {
  return (
    <AppProvider i18n={locale === "de" ? polarisDe : polarisEn}>
      <I18nProvider locale={locale}>{children}</I18nProvider>
    </AppProvider>
  );
}

/** Renders in a happy-dom document (the test file sets `// @vitest-environment happy-dom`). */
export function renderInTab(ui: ReactNode, locale: Locale = "en"): RenderResult {
  return render(<Providers locale={locale}>{ui}</Providers>);
}
