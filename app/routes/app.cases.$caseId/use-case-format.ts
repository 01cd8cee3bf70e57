import { useLocale } from "#app/i18n/react";
import { formatMinor } from "#app/utils/format";

/** Amounts in the case's currency, in the page's language. */
export function useMoney(currency: string): (minor: number) => string {
  const { intl } = useLocale();
  return (minor) => formatMinor(minor, currency, intl);
}

/** Moments (events, the next step) in the page's language and the shop's time zone. */
export function useMoment(timeZone: string): (iso: string) => string {
  const { intl } = useLocale();
  const format = new Intl.DateTimeFormat(intl, { dateStyle: "medium", timeStyle: "short", timeZone });
  return (iso) => format.format(new Date(iso));
}
