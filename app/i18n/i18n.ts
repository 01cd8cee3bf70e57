import de from "./de.json";
import en from "./en.json";

/** German and English, every key in both (a test compares the key sets). */
export const MESSAGES = { de, en } as const;
export type Locale = keyof typeof MESSAGES;
export type MessageKey = keyof typeof en;
export const LOCALES = Object.keys(MESSAGES) as Locale[];

/** Picks de or en from a Shopify admin locale ("de", "de-DE") or an Accept-Language header. */
export function pickLocale(...candidates: (string | null | undefined)[]): Locale {
  for (const candidate of candidates) {
    if (!candidate) continue;
    for (const part of candidate.split(",")) {
      const tag = part.split(";")[0]?.trim().toLowerCase() ?? "";
      const language = tag.split("-")[0];
      if (language === "de" || language === "en") return language;
    }
  }
  return "en";
}

export type Translate = (key: MessageKey, values?: Record<string, string | number>) => string;

export function translator(locale: Locale): Translate {
  const messages: Record<string, string> = MESSAGES[locale];
  return (key, values) => {
    const template = messages[key] ?? key;
    return values ? template.replace(/\{(\w+)\}/g, (m, name: string) => String(values[name] ?? m)) : template;
  };
}

/** Intl tag for formatting money and dates in a locale. */
export function intlLocale(locale: Locale): string {
  return locale === "de" ? "de-DE" : "en-GB";
}
