import { useActionData, useNavigation } from "@remix-run/react";

import type { MessageKey } from "#app/i18n/i18n";
import { useLocale, useT } from "#app/i18n/react";
import type { FieldErrors } from "#app/services/settings/settings.server";
import { formatDate, formatMinor } from "#app/utils/format";

import type { action } from "./route";

/** A field's error message, or undefined when it has none: what each field of the page is given as `err`. */
export type ErrorFor = (field: string) => string | undefined;
export type FormatError = (e: FieldErrors[string]) => string;

/** The server's field errors as messages in the page's language, with dates and amounts formatted for it. */
export function useFormatError(currency: string): FormatError {
  const t = useT();
  const { intl } = useLocale();
  return (e) => {
    const values = { ...e.values };
    if (typeof values.date === "string") values.date = formatDate(values.date, intl);
    // Amounts in minor units of the shop currency ("maxMinor": 500 → "5,00 €").
    for (const [name, value] of Object.entries(values))
      if (name.endsWith("Minor") && typeof value === "number") values[name] = formatMinor(value, currency, intl);
    return t(e.key as MessageKey, values);
  };
}

export function errorFor(errors: FieldErrors, formatError: FormatError): ErrorFor {
  return (field) => (errors[field] ? formatError(errors[field]!) : undefined);
}

/** The answer to the last post, by form: the partner form's answers carry an `intent`, the settings form's do not. */
export function useSaveResult(currency: string) {
  const actionData = useActionData<typeof action>();
  const navigation = useNavigation();
  const formatError = useFormatError(currency);
  const result = actionData && !("intent" in actionData) ? actionData : undefined;
  const partnerResult = actionData && "intent" in actionData ? actionData : undefined;
  return {
    result,
    partnerResult,
    formatError,
    err: errorFor(result && !result.ok ? result.errors : {}, formatError),
    saving: navigation.state === "submitting",
  };
}
