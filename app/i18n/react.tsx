import { createContext, useContext, useMemo } from "react";

import { intlLocale, type Locale, type Translate, translator } from "./i18n";

const I18nContext = createContext<{ locale: Locale; t: Translate }>({ locale: "en", t: translator("en") });

export function I18nProvider({ locale, children }: { locale: Locale; children: React.ReactNode }) {
  const value = useMemo(() => ({ locale, t: translator(locale) }), [locale]);
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

export function useT(): Translate {
  return useContext(I18nContext).t;
}

export function useLocale(): { locale: Locale; intl: string } {
  const { locale } = useContext(I18nContext);
  return { locale, intl: intlLocale(locale) };
}
