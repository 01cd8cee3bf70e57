import type { DbOrTx } from "#app/db/client.server";
import type { CaseRow } from "#app/db/schema";
import { translator, type Locale, type MessageKey } from "#app/i18n/i18n";
import { daysOverdue } from "#app/utils/format";
import { listCases, type CaseListQuery } from "./case-list.server";

/**
 * CSV of exactly the filtered view, all pages, streamed page by page (constant memory).
 * German: UTF-8 with BOM, ";" separator, decimal comma, dd.mm.yyyy — what German Excel opens without the
 * import wizard. English: "," and ISO dates. Quoting per RFC 4180; text cells that a spreadsheet would read as
 * a formula (= + - @, tab, CR) get a leading apostrophe.
 */
export function casesCsvStream(
  db: DbOrTx,
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
      const page = await listCases(db, shop.id, { ...query, cursor: cursor ?? undefined, limit: 1000 }, { timeZone: shop.timezone, now });
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
  return {
    bom: german ? "\uFEFF" : "",
    header: () => line(columns.map((c) => quote(t(c), separator))),
    row: (row: CaseRow, timeZone: string, now: Date) =>
      line([
        text(row.orderName, separator),
        text(row.customerFirstName ?? "", separator),
        text(row.customerLastName ?? "", separator),
        decimal(row.outstandingMinor, row.currency, german ? "," : "."),
        row.currency,
        german ? germanDate(row.dueDate) : row.dueDate,
        String(daysOverdue(row.dueDate, now.toISOString(), timeZone)),
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
  const digits = new Intl.NumberFormat("en", { style: "currency", currency }).resolvedOptions().maximumFractionDigits ?? 2;
  const abs = String(Math.abs(amountMinor)).padStart(digits + 1, "0");
  const sign = amountMinor < 0 ? "-" : "";
  return digits === 0 ? `${sign}${abs}` : `${sign}${abs.slice(0, -digits)}${point}${abs.slice(-digits)}`;
}

function germanDate(iso: string): string {
  const [y, m, d] = iso.split("-");
  return `${d}.${m}.${y}`;
}

function localDate(instant: Date, timeZone: string): string {
  return new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" }).format(instant);
}
