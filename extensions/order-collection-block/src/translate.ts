import type { Translate } from "./block";

/**
 * The block's own texts outside Shopify admin (the app's preview, tests): keys and {{placeholders}} as in the
 * locales/*.json files that shopify.i18n.translate reads inside the admin.
 */
export function translatorFor(messages: Record<string, unknown>): Translate {
  return (key, values) => {
    const found = key
      .split(".")
      .reduce<unknown>((node, part) => (node as Record<string, unknown> | undefined)?.[part], messages);
    const template = typeof found === "string" ? found : key;
    return template.replace(/\{\{\s*(\w+)\s*\}\}/g, (match, name: string) => String(values?.[name] ?? match));
  };
}
