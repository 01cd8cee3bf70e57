/**
 * Display helpers usable on server and client. Money arrives as integer minor units; Intl applies the
 * currency's own number of decimals, so no float ever carries an amount.
 */
export function formatMinor(amountMinor: number, currency: string, intl: string): string {
  // Intl formats a decimal string exactly (no binary float in between).
  return new Intl.NumberFormat(intl, { style: "currency", currency }).format(
    minorAsDecimal(String(amountMinor), currencyDigits(currency), ".") as unknown as number,
  );
}

/** Decimal places of a currency's minor unit as Intl knows them (JPY 0, EUR 2, BHD 3), read once per currency. */
const digitsByCurrency = new Map<string, number>();
export function currencyDigits(currency: string): number {
  let digits = digitsByCurrency.get(currency);
  if (digits === undefined) {
    digits = new Intl.NumberFormat("en", { style: "currency", currency }).resolvedOptions().maximumFractionDigits ?? 2;
    digitsByCurrency.set(currency, digits);
  }
  return digits;
}

/**
 * Minor units written as an integer ("-5", "123456") as a plain decimal with `digits` places and `point`
 * ("-0.05", "1234,56"); on strings, so amounts beyond a double's precision stay exact.
 */
export function minorAsDecimal(minor: string, digits: number, point: string): string {
  if (digits === 0) return minor;
  const negative = minor.startsWith("-");
  const abs = negative ? minor.slice(1) : minor;
  const padded = abs.padStart(digits + 1, "0");
  const cut = padded.length - digits;
  return `${negative ? "-" : ""}${padded.slice(0, cut)}${point}${padded.slice(cut)}`;
}

/** A calendar date ("2026-11-23") for display; it is already a date in the shop's zone. */
export function formatDate(localDate: string, intl: string): string {
  const [y, m, d] = localDate.split("-").map(Number);
  return new Intl.DateTimeFormat(intl, { timeZone: "UTC", day: "2-digit", month: "2-digit", year: "numeric" }).format(
    new Date(Date.UTC(y!, m! - 1, d!)),
  );
}

/** Whole days between the due date and today in the shop's time zone; 0 when not yet due. */
export function daysOverdue(dueDate: string, nowIso: string, timeZone: string): number {
  const today = new Intl.DateTimeFormat("en-CA", {
    timeZone,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
  }).format(new Date(nowIso));
  const days = (Date.parse(`${today}T00:00:00Z`) - Date.parse(`${dueDate}T00:00:00Z`)) / 86_400_000;
  return Math.max(0, Math.round(days));
}

/** A link inside the tab that keeps an explicit `?locale=` of the current page. */
export function withLocale(path: string, search: URLSearchParams | string): string {
  const locale = new URLSearchParams(search).get("locale");
  if (!locale) return path;
  return `${path}${path.includes("?") ? "&" : "?"}locale=${encodeURIComponent(locale)}`;
}

/** Minor units as the plain decimal a shop owner types ("1234.5" → "1234,50" in German). */
export function minorToInput(amountMinor: number, currency: string, intl: string): string {
  return minorAsDecimal(String(amountMinor), currencyDigits(currency), intl.startsWith("de") ? "," : ".");
}

/** A typed amount ("100", "99,90", "99.9") as minor units, or null when it is not an amount. */
export function inputToMinor(text: string, currency: string): number | null {
  const digits = currencyDigits(currency);
  const match = /^(\d{1,9})(?:[.,](\d*))?$/.exec(text.trim());
  if (!match || (match[2] ?? "").length > digits) return null;
  return Number(match[1]) * 10 ** digits + Number((match[2] ?? "").padEnd(digits, "0") || "0");
}
