import type { Readable } from "node:stream";

import { sql } from "drizzle-orm";
import type { AnyPgColumn } from "drizzle-orm/pg-core";
import type postgres from "postgres";

import { type DbOrTx, postgresClientOf, rowsOf, type Tx } from "#app/db/client.server";
import { cases } from "#app/db/schema";
import { inlineParams } from "#app/db/sql-inline.server";
import type { TenantScope } from "#app/db/tenant.server";
import { toLocalDate } from "#app/domain/dates";
import type { Locale } from "#app/i18n/i18n";
import { Spool } from "#app/utils/spool.server";

import { copyTextToCsv, CSV_SOURCE_COLUMNS, type CsvLines, csvLines, type CsvSourceRow } from "./csv-lines.server";
import { type CaseListQuery, type Keyset, keysetAfter, viewConditions } from "./list.server";

export { quote } from "./csv-lines.server";

/**
 * CSV of exactly the filtered view, streamed with flat memory. PostgreSQL prints the raw columns as text, JavaScript
 * writes the lines (app/services/cases/csv-lines.server.ts), the same on both engines.
 *
 * PostgreSQL: the whole view is one `COPY (select … order by …) TO STDOUT` in one fenced transaction (ADR 006), read
 * as a stream and written as CSV into a spool file as fast as the database sends it; the download reads the spool
 * while it grows. One statement sorts the view once (a scan and a sort, as a plain COPY of the rows does); keyset
 * pages walked the sort's index and read about one heap page per row, which alone took three times a whole COPY at a
 * million rows (docs/performance.md, "CSV export"). The spool keeps the transaction as short as the database's work
 * however slowly the client reads, and Node's memory at a chunk.
 *
 * PGlite serves one transaction at a time to the whole process, so there each page (keyset, `pageRows` rows) is its
 * own transaction, read when the client has taken the page before.
 */
const PAGE = 25_000;

/** The columns of the lines, in the order app/services/cases/csv-lines.server.ts reads them. */
const SOURCE: Record<(typeof CSV_SOURCE_COLUMNS)[number], AnyPgColumn> = {
  order_name: cases.orderName,
  customer_first_name: cases.customerFirstName,
  customer_last_name: cases.customerLastName,
  outstanding_minor: cases.outstandingMinor,
  currency: cases.currency,
  due_date: cases.dueDate,
  status: cases.status,
  dunning_level: cases.dunningLevel,
  created_at: cases.createdAt,
};

/** Characters of CSV written to the spool at once: few writes, and a small string in memory. */
const SPOOL_WRITE = 256 * 1024;

type Source = { next(): Promise<Uint8Array | null>; close(): Promise<void> };

export function casesCsvStream(
  /** A handle, or the request's tenant scope: then every transaction of the export is fenced to the shop (ADR 006). */
  db: DbOrTx | TenantScope,
  shop: { id: string; timezone: string },
  query: Omit<CaseListQuery, "cursor" | "limit">,
  locale: Locale,
  now: Date,
  /** Rows per page on PGlite; tests page through a few rows with a small one. */
  pageRows = PAGE,
): ReadableStream<Uint8Array> {
  if (!Number.isInteger(pageRows) || pageRows < 1)
    throw new RangeError(`pageRows must be a positive integer, not ${pageRows}`);
  const lines = csvLines(locale, toLocalDate(now, shop.timezone));
  // A plain handle gets a transaction per unit of work too, as the text settings below are local to one (inside a
  // caller's transaction: a savepoint, and the settings stay for the rest of that transaction).
  const run = <T>(fn: (tx: Tx) => Promise<T>): Promise<T> => (typeof db === "function" ? db(fn) : db.transaction(fn));
  const { where, column } = viewConditions(shop.id, query, { timeZone: shop.timezone, now });
  const order =
    query.direction === "desc" ? sql`${column} desc, ${cases.id} desc` : sql`${column} asc, ${cases.id} asc`;
  const filter = sql.join(where, sql` and `);
  /*
   * PostgreSQL's text output as the lines read it, whatever the server's defaults: ISO dates, and timestamps in the
   * shop's zone, so created_at starts with its local date there.
   */
  const textOutput = (tx: Tx) =>
    tx.execute(sql`select set_config('TimeZone', ${shop.timezone}, true), set_config('DateStyle', 'ISO, YMD', true)`);
  const copySql = () => {
    const select = sql`select ${sql.join(
      CSV_SOURCE_COLUMNS.map((c) => SOURCE[c]),
      sql`, `,
    )} from ${cases} where ${filter} order by ${order}`;
    // COPY takes no bind parameters: the view's values are written in as literals (app/db/sql-inline.server.ts).
    return `copy (${inlineParams(select)}) to stdout`;
  };
  // PGlite: the same text, and each row's id and sort value for the next page's keyset.
  const pageFields = sql.join(
    [
      ...CSV_SOURCE_COLUMNS.map((c) => sql`${SOURCE[c]}::text as ${sql.identifier(c)}`),
      sql`${cases.id}::text as id`,
      sql`${column}::text as key`,
    ],
    sql`, `,
  );
  const readPage = async (tx: Tx, after: Keyset | null) => {
    const keyset = after ? sql` and ${keysetAfter(query.sort, query.direction, after)}` : sql``;
    const result = await tx.execute(
      sql`select ${pageFields} from ${cases} where ${filter}${keyset} order by ${order} limit ${sql.raw(String(pageRows))}`,
    );
    return rowsOf<Record<string, string | null>>(result);
  };

  /**
   * The export's first unit of work tells the engines apart: on PostgreSQL it is the COPY of the whole view, which
   * hands over its spool as soon as it opened it; on PGlite it reads the first page.
   */
  const open = async (): Promise<Source> => {
    const opened: { spool?: Spool } = {};
    let spoolOpened!: () => void;
    const spooling = new Promise<void>((resolve) => (spoolOpened = resolve));
    const first = run(async (tx) => {
      await textOutput(tx);
      const client = postgresClientOf(tx);
      if (!client) return readPage(tx, null);
      const copy = copySql();
      opened.spool = await Spool.open();
      spoolOpened();
      await copyToSpool(client, copy, lines, opened.spool);
      return null;
    });
    await Promise.race([first, spooling]);
    const spool = opened.spool;
    if (spool) {
      const done = first.then(
        () => spool.end(),
        (error: unknown) => spool.end(error),
      );
      return {
        next: () => spool.next(),
        async close() {
          await spool.close();
          await done;
        },
      };
    }
    return pages(
      (after) => run(async (tx) => (await textOutput(tx), readPage(tx, after))),
      (await first) ?? [],
      lines,
      pageRows,
    );
  };

  let source: Promise<Source> | null = null;
  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        controller.enqueue(Buffer.from(lines.head));
      },
      // Called when the consumer has taken what was enqueued: one chunk ahead.
      async pull(controller) {
        const from = await (source ??= open());
        try {
          const chunk = await from.next();
          if (chunk) return controller.enqueue(chunk);
          controller.close();
        } catch (error) {
          await from.close();
          throw error;
        }
        await from.close();
      },
      async cancel() {
        await source?.then(
          (from) => from.close(),
          () => undefined,
        );
      },
    },
    { highWaterMark: 1 },
  );
}

/**
 * Reads the COPY's text output as it arrives and appends its CSV lines to the spool. After a failure, or once the
 * reader has abandoned the spool, the rest of the output is only drained: a COPY left unread would keep the
 * connection, and with it the transaction, busy. The database's work is not cancelled — a cancel request could reach
 * the connection's next statement.
 */
async function copyToSpool(client: postgres.Sql, copy: string, lines: CsvLines, spool: Spool): Promise<void> {
  const csv = copyTextToCsv(lines);
  let pending = "";
  const failures: unknown[] = [];
  await readCopy(await client.unsafe(copy).readable(), async (chunk) => {
    if (failures.length > 0 || spool.abandoned) return;
    try {
      pending += csv.write(chunk);
      if (pending.length >= SPOOL_WRITE) {
        await spool.write(Buffer.from(pending));
        pending = "";
      }
    } catch (error) {
      failures.push(error);
    }
  });
  if (failures.length > 0) throw failures[0];
  if (spool.abandoned) return;
  csv.end();
  if (pending) await spool.write(Buffer.from(pending));
}

/**
 * Every chunk of a postgres.js COPY stream, in order, each handled before the next is read. postgres.js pauses the
 * connection's socket when the stream's buffer is full and resumes it only when the stream is read again; when the
 * end of the COPY arrives right after such a pause, nothing reads the stream again and the socket stays paused, so
 * the transaction's next statement never gets its answer (porsager/postgres#499, fix proposed in #1016; seen here as
 * about one in ten exports of a million rows hanging after COPY). The stream's own read function is what resumes
 * the socket: it is called once more when the stream has ended or failed.
 */
export async function readCopy(stream: Readable, handle: (chunk: Uint8Array) => Promise<void>): Promise<void> {
  try {
    for await (const chunk of stream) await handle(chunk as Uint8Array);
  } finally {
    stream._read(0);
  }
}

/** PGlite: keyset pages, each in a transaction of its own, read when the consumer asks for more. */
function pages(
  read: (after: Keyset | null) => Promise<Record<string, string | null>[]>,
  first: Record<string, string | null>[],
  lines: CsvLines,
  pageRows: number,
): Source {
  let pending: Record<string, string | null>[] | null = first;
  let after: Keyset | null = null;
  let done = false;
  return {
    async next() {
      if (!pending && !done) pending = await read(after);
      const rows = pending ?? [];
      pending = null;
      const last = rows[rows.length - 1];
      // Only a full page may have a next one; its query runs when the consumer asks for the chunk after this one.
      if (rows.length < pageRows || !last) done = true;
      else after = { key: last.key ?? null, id: String(last.id) };
      if (rows.length === 0) return null;
      let text = "";
      for (const row of rows)
        text += lines.line(CSV_SOURCE_COLUMNS.map((c): CsvSourceRow[number] => row[c] ?? null)) + "\r\n";
      return Buffer.from(text);
    },
    async close() {
      pending = null;
      done = true;
    },
  };
}
