import type { DbOrTx } from "#app/db/client.server";
import type { TenantScope } from "#app/db/tenant.server";
import { translator, type Locale, type MessageKey } from "#app/i18n/i18n";
import { daysBetween, toLocalDate } from "#app/domain/dates";
import { listCaseSummaries, type CaseListQuery, type CaseSummary } from "./case-list.server";

/**
 * CSV of exactly the filtered view, all pages, streamed page by page (constant memory).
 * German: UTF-8 with BOM, ";" separator, decimal comma, dd.mm.yyyy — what German Excel opens without the
 * import wizard. English: "," and ISO dates. Quoting per RFC 4180; text cells that a spreadsheet would read as
 * a formula (= + - @, tab, CR) get a leading apostrophe.
 */
/** Rows per query: few round trips, and a page's rows stay a few megabytes. */
const PAGE = 2000;

export function casesCsvStream(
  /** A handle, or the request's tenant scope: then each page is read in its own fenced transaction (ADR 006). */
  db: DbOrTx | TenantScope,
  shop: { id: string; timezone: string },
  query: Omit<CaseListQuery, "cursor" | "limit">,
  locale: Locale,
  now: Date,
): ReadableStream<Uint8Array> {
  const format = csvFormat(locale);
  const encoder = new TextEncoder();
  let cursor: string | null | undefined;
  let started = false;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (!started) {
        started = true;
        controller.enqueue(encoder.encode(format.bom + format.header() + "\r\n"));
      }
      if (cursor === null) return controller.close();
      const read = (handle: DbOrTx) => listCaseSummaries(handle, shop.id, { ...query, cursor: cursor ?? undefined, limit: PAGE }, { timeZone: shop.timezone, now });
      const page = await (typeof db === "function" ? db(read) : read(db));
      const text = page.cases.map((row) => format.row(row, shop.timezone, now) + "\r\n").join("");
      if (text) controller.enqueue(encoder.encode(text));
      cursor = page.nextCursor;
      if (cursor === null) controller.close();
    },
  });
}

export function csvFormat(locale: Locale) {
  const t = translator(locale);
  const german = locale === "de";
  const separator = german ? ";" : ",";
  const columns: MessageKey[] = [
    "cases.column.order",
    "csv.column.firstName",
    "csv.column.lastName",
    "cases.column.outstanding",
    "csv.column.currency",
    "cases.column.dueDate",
    "cases.column.daysOverdue",
    "cases.column.status",
    "cases.column.level",
    "csv.column.createdAt",
  ];
  const line = (cells: string[]) => cells.join(separator);
  // A million rows share one "today" and one formatter per zone: Intl objects are too costly to build per row.
  let today: { key: string; date: string } | null = null;
  // Local dates of instants, per quarter hour (every zone offset is a multiple of 15 minutes, so a quarter hour
  // never spans two local dates): a million creation times fall into a few ten thousand of them.
  const localDates = new Map<string, string>();
  const localDate = (instant: Date, timeZone: string) => {
    const key = `${Math.floor(instant.getTime() / 900_000)}|${timeZone}`;
    let date = localDates.get(key);
    if (date === undefined) {
      date = toLocalDate(instant, timeZone);
      localDates.set(key, date);
    }
    return date;
  };
  const todayIn = (now: Date, timeZone: string) => {
    const key = `${now.getTime()}|${timeZone}`;
    if (today?.key !== key) today = { key, date: toLocalDate(now, timeZone) };
    return today.date;
  };
  return {
    bom: german ? "\uFEFF" : "",
    header: () => line(columns.map((c) => quote(t(c), separator))),
    row: (row: CaseSummary, timeZone: string, now: Date) =>
      line([
        text(row.orderName, separator),
        text(row.customerFirstName ?? "", separator),
        text(row.customerLastName ?? "", separator),
        decimal(row.outstandingMinor, row.currency, german ? "," : "."),
        row.currency,
        german ? germanDate(row.dueDate) : row.dueDate,
        String(Math.max(0, daysBetween(row.dueDate, todayIn(now, timeZone)))),
        quote(t(`status.${row.status}` as MessageKey), separator),
        quote(row.dunningLevel ? t(`level.${row.dunningLevel}` as MessageKey) : "", separator),
        german ? germanDate(localDate(row.createdAt, timeZone)) : localDate(row.createdAt, timeZone),
      ]),
  };
}

/** User-supplied text: neutralised against formula injection, then quoted. */
export function text(value: string, separator: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return quote(safe, separator);
}

export function quote(value: string, separator: string): string {
  return value.includes(separator) || /["\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** Minor units to a plain decimal ("1234,50"), no thousands separator, so spreadsheets read a number. */
export function decimal(amountMinor: number, currency: string, point: string): string {
  const digits = fractionDigits(currency);
  const abs = String(Math.abs(amountMinor)).padStart(digits + 1, "0");
  const sign = amountMinor < 0 ? "-" : "";
  return digits === 0 ? `${sign}${abs}` : `${sign}${abs.slice(0, -digits)}${point}${abs.slice(-digits)}`;
}

function germanDate(iso: string): string {
  const [y, m, d] = iso.split("-");
  return `${d}.${m}.${y}`;
}

const digitsByCurrency = new Map<string, number>();
function fractionDigits(currency: string): number {
  let digits = digitsByCurrency.get(currency);
  if (digits === undefined) {
    digits = new Intl.NumberFormat("en", { style: "currency", currency }).resolvedOptions().maximumFractionDigits ?? 2;
    digitsByCurrency.set(currency, digits);
  }
  return digits;
}
