import type { LocalDate } from "#app/domain/dates";
import { type Locale, type MessageKey, MESSAGES, translator } from "#app/i18n/i18n";
import { currencyDigits, minorAsDecimal } from "#app/utils/format";

/**
 * The CSV lines of the collections tab's export, written in JavaScript from PostgreSQL's text output of the raw
 * columns — the same formatter for both engines: PostgreSQL's `COPY … TO STDOUT` (text format, decoded by
 * copyTextToCsv) and PGlite's rows of text. Fields are strings as PostgreSQL prints them, so no row objects, Date or
 * Intl calls per row: the export writes a million lines in about a second (docs/performance.md, "CSV export").
 *
 * German: UTF-8 with BOM, ";" separator, decimal comma, dd.mm.yyyy — what German Excel opens without the import
 * wizard. English: "," and ISO dates. Quoting per RFC 4180; text cells that a spreadsheet would read as a formula
 * (= + - @, tab, CR) get a leading apostrophe.
 */

/**
 * The columns each line is made of, in this order, as PostgreSQL's text output; the query must set `DateStyle` to ISO
 * and `TimeZone` to the shop's zone, so a date reads 'YYYY-MM-DD' and created_at starts with its local date there.
 */
export const CSV_SOURCE_COLUMNS = [
  "order_name",
  "customer_first_name",
  "customer_last_name",
  "outstanding_minor",
  "currency",
  "due_date",
  "status",
  "dunning_level",
  "created_at",
] as const;

/** One row: a field per CSV_SOURCE_COLUMNS (more may follow and are ignored), null for SQL null. */
export type CsvSourceRow = readonly (string | null)[];

const HEADER: MessageKey[] = [
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

export type CsvLines = {
  /** The byte order mark German Excel needs, and the header line, with CRLF. */
  head: string;
  /** A case's line without its CRLF. */
  line(row: CsvSourceRow): string;
};

/** today: the shop's local date, from which the days overdue count. */
export function csvLines(locale: Locale, today: LocalDate): CsvLines {
  const t = translator(locale);
  const german = locale === "de";
  const sep = german ? ";" : ",";
  const point = german ? "," : ".";
  // Cells that need an apostrophe (formula) or quotes are rare: one regex test settles most cells.
  const special = german ? /^[-=+@\t\r]|[;"\r\n]/ : /^[-=+@\t\r]|[,"\r\n]/;
  const text = (value: string) => {
    if (!special.test(value)) return value;
    const c = value.charCodeAt(0);
    // = + - @ tab CR
    const safe = c === 61 || c === 43 || c === 45 || c === 64 || c === 9 || c === 13 ? `'${value}` : value;
    return quote(safe, sep);
  };
  const isoDate = (iso: string) => (german ? `${iso.slice(8, 10)}.${iso.slice(5, 7)}.${iso.slice(0, 4)}` : iso);
  const todayDay = epochDay(today);
  // Dates repeat (two years of due and creation dates in a million rows) and labels are a handful: each cell is
  // written once.
  const due = cached((iso) => `${isoDate(iso)}${sep}${Math.max(0, todayDay - epochDay(iso))}`);
  const createdDate = cached(isoDate);
  const created = (timestamp: string) => createdDate(timestamp.slice(0, 10));
  // An id without a message shows as its key, as translator() does; an empty level is an empty cell.
  const messages: Record<string, string> = MESSAGES[locale];
  const label = (key: string) => (Object.hasOwn(messages, key) ? messages[key]! : key);
  const status = cached((id) => quote(label(`status.${id}`), sep));
  const levelCell = cached((id) => (id === "" ? "" : quote(label(`level.${id}`), sep)));
  const level = (id: string | null) => (id === null ? "" : levelCell(id));
  const amount = (minor: string, currency: string) => minorAsDecimal(minor, currencyDigits(currency), point);
  return {
    head: (german ? "\uFEFF" : "") + HEADER.map((key) => quote(t(key), sep)).join(sep) + "\r\n",
    line(row) {
      const currency = required(row, 4);
      return (
        text(required(row, 0)) +
        sep +
        text(row[1] ?? "") +
        sep +
        text(row[2] ?? "") +
        sep +
        amount(required(row, 3), currency) +
        sep +
        currency +
        sep +
        due(required(row, 5)) +
        sep +
        status(required(row, 6)) +
        sep +
        level(row[7] ?? null) +
        sep +
        created(required(row, 8))
      );
    },
  };
}

/** `cell` with its result kept per key. */
function cached(cell: (key: string) => string): (key: string) => string {
  const cells = new Map<string, string>();
  return (key) => {
    let value = cells.get(key);
    if (value === undefined) {
      value = cell(key);
      cells.set(key, value);
    }
    return value;
  };
}

function required(row: CsvSourceRow, index: number): string {
  const value = row[index];
  if (value === null || value === undefined) throw new Error(`the CSV export read no ${CSV_SOURCE_COLUMNS[index]}`);
  return value;
}

/** Days since 1970-01-01 of an ISO date. */
function epochDay(iso: string): number {
  return Date.UTC(Number(iso.slice(0, 4)), Number(iso.slice(5, 7)) - 1, Number(iso.slice(8, 10))) / 86_400_000;
}

export function quote(value: string, separator: string): string {
  return value.includes(separator) || /["\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/**
 * Turns the bytes of `COPY … TO STDOUT` (text format) into CSV lines, chunk by chunk: rows end with a newline and
 * their fields are separated by tabs; a field is `\N` for null, and backslash, tab, newline, carriage return (and
 * backspace, form feed, vertical tab) inside a value arrive as backslash escapes. A chunk may end anywhere, also inside
 * a row or a UTF-8 character: the rest waits for the next.
 */
export function copyTextToCsv(lines: CsvLines): { write(chunk: Uint8Array): string; end(): void } {
  const decoder = new TextDecoder("utf-8", { fatal: true });
  let rest = "";
  return {
    /** The CSV lines (each with CRLF) of the rows the chunk completes. */
    write(chunk) {
      const text = rest + decoder.decode(chunk, { stream: true });
      const last = text.lastIndexOf("\n");
      if (last === -1) {
        rest = text;
        return "";
      }
      rest = text.slice(last + 1);
      const rows = text.slice(0, last).split("\n");
      let out = "";
      for (const row of rows) {
        const fields: (string | null)[] = row.split("\t");
        for (let i = 0; i < fields.length; i++) {
          const field = fields[i]!;
          if (field.includes("\\")) fields[i] = field === "\\N" ? null : unescapeCopyText(field);
        }
        out += lines.line(fields) + "\r\n";
      }
      return out;
    },
    end() {
      if (rest + decoder.decode() !== "") throw new Error("the COPY output ended inside a row");
    },
  };
}

const COPY_ESCAPES: Record<string, string> = { b: "\b", f: "\f", n: "\n", r: "\r", t: "\t", v: "\v" };

/** A field of COPY's text format with its backslash escapes resolved (COPY TO writes no octal or hex escapes). */
export function unescapeCopyText(field: string): string {
  return field.replace(/\\(.)/gs, (_, c: string) => COPY_ESCAPES[c] ?? c);
}
