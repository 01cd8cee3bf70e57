import { and, asc, desc, eq, getTableColumns, gte, lt, lte, or, type SQL, sql } from "drizzle-orm";
import type { AnyPgColumn } from "drizzle-orm/pg-core";
import { z } from "zod";

import { type DbOrTx, rowsOf } from "#app/db/client.server";
import { type CaseRow, cases, caseStatusCounts } from "#app/db/schema";
import { CASE_STATUSES, type CaseStatus } from "#app/domain/case/status";
import { addDays, startOfLocalDay, toLocalDate } from "#app/domain/dates";

/**
 * Sorting by status follows the lifecycle (as the tabs do), not the alphabet of the ids: status_rank is the status's
 * position in CASE_STATUSES, kept by PostgreSQL (a generated column, so it can be an index condition under RLS).
 */
const SORT_COLUMNS = {
  created: cases.createdAt,
  due: cases.dueDate,
  amount: cases.outstandingMinor,
  status: cases.statusRank,
} as const;

const statusRank = (status: string) => CASE_STATUSES.indexOf(status as (typeof CASE_STATUSES)[number]) + 1;

/**
 * "Starts with, ignoring case" as a byte-wise range on a lower-cased generated column: the same rows as
 * `ILIKE 'prefix%'` (which lower-cases both sides in a UTF-8 database), but made of leakproof comparisons, so the
 * (shop_id, column text_pattern_ops) index serves it also under row-level security. chr(1114111) is the highest
 * code point, so the range holds every continuation of the prefix.
 */
function startsWithIgnoringCase(column: AnyPgColumn, prefix: string): SQL {
  return sql`(${column} ~>=~ lower(${prefix}) and ${column} ~<~ (lower(${prefix}) || chr(1114111)))`;
}

export const PERIODS = ["7", "30", "90"] as const;

/** The list view as it lives in the URL: shareable, and the back button restores it. */
export const caseListQuerySchema = z.object({
  status: z.enum(CASE_STATUSES).optional(),
  q: z.string().trim().max(200).optional(),
  /** Last 7/30/90 days in the shop's zone, relative to today; from/to are a custom range (calendar dates, inclusive). */
  period: z.enum(PERIODS).optional(),
  from: z.iso.date().optional(),
  to: z.iso.date().optional(),
  minAmount: z.coerce.number().int().nonnegative().optional(),
  maxAmount: z.coerce.number().int().nonnegative().optional(),
  sort: z.enum(["created", "due", "amount", "status"]).default("created"),
  direction: z.enum(["asc", "desc"]).default("desc"),
  cursor: z.string().max(500).optional(),
  limit: z.coerce.number().int().min(1).max(250).default(50),
});
export type CaseListQuery = z.infer<typeof caseListQuerySchema>;

/** Where "today" is: the period filter counts calendar days in the shop's zone. */
export type ListContext = { timeZone: string; now: Date };
const UTC_NOW = (): ListContext => ({ timeZone: "UTC", now: new Date() });

/**
 * Where a page ends: the sort value of its last row as PostgreSQL's text (timestamps keep their microseconds, so rows
 * created within one millisecond are not skipped at a page boundary; null for a status outside CASE_STATUSES) and its id.
 * Cursors written before carried milliseconds (ISO) or numbers: they still parse, and resume where they did.
 */
export type Keyset = { key: string | null; id: string };

function encodeCursor(keyset: Keyset): string {
  return Buffer.from(JSON.stringify({ v: keyset.key, id: keyset.id })).toString("base64url");
}

function decodeCursor(value: string): Keyset | null {
  try {
    const parsed = z
      .object({ v: z.union([z.string().max(100), z.number(), z.null()]), id: z.uuid() })
      .safeParse(JSON.parse(Buffer.from(value, "base64url").toString("utf8")));
    return parsed.success ? { key: parsed.data.v === null ? null : String(parsed.data.v), id: parsed.data.id } : null;
  } catch {
    return null;
  }
}

const KEY_TYPES = { created: "timestamptz", due: "date", amount: "bigint", status: "int" } as const;

/**
 * Rows strictly after `after` in the view's order (sort value, then id): deep pages cost what the first does. Only the
 * status rank can be null, and PostgreSQL sorts nulls last ascending, first descending — a row comparison with null
 * is null, so those rows need their own branch.
 */
export function keysetAfter(sort: CaseListQuery["sort"], direction: CaseListQuery["direction"], after: Keyset): SQL {
  const column = SORT_COLUMNS[sort];
  const key = after.key === null ? null : sql`${after.key}::${sql.raw(KEY_TYPES[sort])}`;
  if (key === null) {
    return direction === "desc"
      ? sql`((${column} is null and ${cases.id} < ${after.id}::uuid) or ${column} is not null)`
      : sql`(${column} is null and ${cases.id} > ${after.id}::uuid)`;
  }
  if (direction === "desc") return sql`(${column}, ${cases.id}) < (${key}, ${after.id}::uuid)`;
  return sort === "status"
    ? sql`((${column}, ${cases.id}) > (${key}, ${after.id}::uuid) or ${column} is null)`
    : sql`(${column}, ${cases.id}) > (${key}, ${after.id}::uuid)`;
}

/** A relative period ("last 30 days") as the calendar dates it covers today, in the shop's zone. */
export function resolvePeriod<T extends Pick<CaseListQuery, "period" | "from" | "to">>(
  query: T,
  context: ListContext,
): T {
  if (!query.period) return query;
  const today = toLocalDate(context.now, context.timeZone);
  return { ...query, period: undefined, from: addDays(today, -(Number(query.period) - 1)), to: today };
}

type FilterQuery = Omit<CaseListQuery, "status" | "sort" | "direction" | "limit"> & { status?: string };

function filters(shopId: string, input: FilterQuery, context: ListContext): SQL[] {
  const query = resolvePeriod(input, context);
  const where: SQL[] = [eq(cases.shopId, shopId)];
  if (query.status) where.push(eq(cases.status, query.status));
  // Calendar days of the shop: 1 March in Berlin starts at 23:00 UTC the day before.
  if (query.from)
    where.push(gte(cases.createdAt, sql`${startOfLocalDay(query.from, context.timeZone).toISOString()}::timestamptz`));
  if (query.to)
    where.push(
      lt(cases.createdAt, sql`${startOfLocalDay(addDays(query.to, 1), context.timeZone).toISOString()}::timestamptz`),
    );
  if (query.minAmount !== undefined) where.push(gte(cases.outstandingMinor, query.minAmount));
  if (query.maxAmount !== undefined) where.push(lte(cases.outstandingMinor, query.maxAmount));
  if (query.q) {
    const plain = query.q.replace(/^#/, "");
    where.push(
      or(
        startsWithIgnoringCase(cases.searchOrderName, query.q),
        startsWithIgnoringCase(cases.searchOrderName, `#${plain}`),
        eq(cases.platformOrderId, plain),
        startsWithIgnoringCase(cases.searchFirstName, query.q),
        startsWithIgnoringCase(cases.searchLastName, query.q),
      )!,
    );
  }
  return where;
}

export async function listCases(db: DbOrTx, shopId: string, query: CaseListQuery, context: ListContext = UTC_NOW()) {
  return listPage<CaseRow>(db, shopId, query, context, getTableColumns(cases));
}

/** A case as the list's exports show it: everything but the state projection (the bulk of a row) and search copies. */
export type CaseSummary = Omit<CaseRow, "state" | "searchOrderName" | "searchFirstName" | "searchLastName">;
const {
  state: _state,
  searchOrderName: _o,
  searchFirstName: _f,
  searchLastName: _l,
  ...SUMMARY_COLUMNS
} = getTableColumns(cases);

/** The same page as listCases without reading each case's state: the CSV export streams a million of these. */
export async function listCaseSummaries(
  db: DbOrTx,
  shopId: string,
  query: CaseListQuery,
  context: ListContext = UTC_NOW(),
) {
  return listPage<CaseSummary>(db, shopId, query, context, SUMMARY_COLUMNS);
}

/** The rows of a filtered view and the column it is sorted by (then by id): the list's pages, and the CSV export's. */
export function viewConditions(
  shopId: string,
  query: Omit<CaseListQuery, "limit">,
  context: ListContext,
): { where: SQL[]; column: AnyPgColumn } {
  const where = filters(shopId, query, context);
  // A tab sorted by status: redundant with the status, but lets the (shop_id, status_rank, id) index serve it. Only
  // then — as an extra condition it would make the planner underestimate the tab's rows for the other sorts.
  if (query.sort === "status" && query.status && statusRank(query.status) > 0)
    where.push(eq(cases.statusRank, statusRank(query.status)));
  return { where, column: SORT_COLUMNS[query.sort] };
}

/**
 * A page of the view, with a cursor after each of its rows: `nextCursor` continues after the page, `cursors[i]` right
 * after `cases[i]` (a bulk run keeps it to resume where it stopped).
 */
export type CasePage<T> = { cases: T[]; nextCursor: string | null; cursors: string[] };

async function listPage<T extends object>(
  db: DbOrTx,
  shopId: string,
  query: CaseListQuery,
  context: ListContext,
  fields: Record<string, AnyPgColumn>,
): Promise<CasePage<T>> {
  const { where, column } = viewConditions(shopId, query, context);
  const cursor = query.cursor ? decodeCursor(query.cursor) : null;
  if (cursor) where.push(keysetAfter(query.sort, query.direction, cursor));
  const order = query.direction === "desc" ? [desc(column), desc(cases.id)] : [asc(column), asc(cases.id)];
  const rows = (await db
    .select({ ...fields, keysetKey: sql<string | null>`${column}::text` })
    .from(cases)
    .where(and(...where))
    .orderBy(...order)
    .limit(query.limit + 1)) as (T & { id: string; keysetKey: string | null })[];
  const page = rows.slice(0, query.limit);
  const cursors = page.map((row) => encodeCursor({ key: row.keysetKey, id: row.id }));
  return {
    cases: page.map(({ keysetKey: _key, ...row }) => row as unknown as T),
    nextCursor: rows.length > query.limit ? (cursors[cursors.length - 1] ?? null) : null,
    cursors,
  };
}

/** The tabs: every case, and one per status. */
export type StatusTab = "all" | CaseStatus;

/**
 * Cases per tab. A tab listed in `capped` has more than its number (which is then STATUS_COUNT_CAP, or for "all" the
 * sum of the tabs): the tab shows "1,000+".
 */
export type StatusCounts = Record<StatusTab, number> & { capped: StatusTab[] };

/**
 * Filtered counts (docs/performance.md, "Status counts"). A filter matching at most STATUS_COUNT_EXACT_UP_TO cases is
 * counted exactly: its matches, found through the filter's own index, grouped by status. Beyond that, counting all of
 * them costs what they number (a common customer name: 158,000 cases of a big shop, 0.8–1 s), so each status counts up
 * to a cap and then shows "N+". A period or an amount range alone is a range of a (shop_id, status, created_at |
 * outstanding_minor) index, every entry a match: up to 1,000 per status. A search or a combination of filters is
 * checked on each entry of (shop_id, status, created_at, id), which carries every filtered column (drizzle/0010), so
 * the walk reads no rows, but it reads about cap / selectivity entries: up to 100 per status.
 */
export const STATUS_COUNT_EXACT_UP_TO = 2_000;
export const STATUS_COUNT_CAP = { range: 1_000, filtered: 100 } as const;

const emptyCounts = (): StatusCounts => ({
  all: 0,
  ...(Object.fromEntries(CASE_STATUSES.map((s) => [s, 0])) as Record<CaseStatus, number>),
  capped: [],
});

/** A status filter and nothing else: what case_status_counts can answer. */
function unfiltered(query: Omit<FilterQuery, "status" | "cursor">): boolean {
  return (
    !query.q &&
    !query.period &&
    !query.from &&
    !query.to &&
    query.minAmount === undefined &&
    query.maxAmount === undefined
  );
}

/** The shop's exact counts per status: the sum of its delta rows in case_status_counts (kept by triggers on cases). */
async function storedCounts(db: DbOrTx, shopId: string): Promise<{ status: string; n: number }[]> {
  const rows = await db
    .select({ status: caseStatusCounts.status, n: sql<string>`sum(${caseStatusCounts.n})::text` })
    .from(caseStatusCounts)
    .where(eq(caseStatusCounts.shopId, shopId))
    .groupBy(caseStatusCounts.status);
  return rows.map((r) => ({ status: r.status, n: Number(r.n) }));
}

/**
 * Count per status under the same filters (without the status filter), for the tabs. Without a filter: exact, from
 * case_status_counts. With one: exact while the filter matches at most STATUS_COUNT_EXACT_UP_TO cases; beyond that
 * exact up to a cap per status (STATUS_COUNT_CAP) and "N+" above it.
 */
export async function countCasesByStatus(
  db: DbOrTx,
  shopId: string,
  query: Omit<FilterQuery, "status">,
  context: ListContext = UTC_NOW(),
): Promise<StatusCounts> {
  const counts = emptyCounts();
  if (unfiltered(query)) {
    for (const row of await storedCounts(db, shopId)) {
      if (row.status in counts) counts[row.status as CaseStatus] = row.n;
      // A status outside CASE_STATUSES has no tab, but its cases are still cases.
      counts.all += row.n;
    }
    return counts;
  }
  const where = and(...filters(shopId, { ...query, cursor: undefined }, context))!;
  const found = await firstMatches(db, where);
  if (found.all) {
    for (const [status, n] of found.byStatus) {
      if (status in counts) counts[status as CaseStatus] = n;
      counts.all += n;
    }
    return counts;
  }
  const period = Boolean(query.period || query.from || query.to);
  const amount = query.minAmount !== undefined || query.maxAmount !== undefined;
  const cap = query.q || (period && amount) ? STATUS_COUNT_CAP.filtered : STATUS_COUNT_CAP.range;
  // The first matches are a lower bound per status: a status with more than the cap among them is capped already and
  // needs no walk (for a name found in heap order, its big statuses: the longest walks), the others count up to it.
  const walked = CASE_STATUSES.filter((status) => (found.byStatus.get(status) ?? 0) <= cap);
  // A filtered walk goes through each status newest first, as its list page does: backwards along the covering
  // (shop_id, status, created_at, id) index, the filter checked on each entry. Without an order, a LIMIT lets the
  // planner bet on a sequential scan of the whole table finding the shop's matches early (measured: 30 ms per status
  // on 2,000,000 cases).
  const order = cap === STATUS_COUNT_CAP.filtered ? sql` order by ${cases.createdAt} desc, ${cases.id} desc` : sql``;
  // The status a literal, so each status gets its own plan and statistics.
  const perStatus = walked.map(
    (status) =>
      sql`select ${sql.raw(`'${status}'`)} as status, count(*)::int as n from (select 1 from ${cases} where ${where} and ${cases.status} = ${sql.raw(`'${status}'`)}${order} limit ${sql.raw(String(cap + 1))}) s`,
  );
  const rows =
    perStatus.length > 0
      ? rowsOf<{ status: CaseStatus; n: number }>(await db.execute(sql.join(perStatus, sql` union all `)))
      : [];
  const walkedCounts = new Map(rows.map((row) => [row.status, Number(row.n)]));
  for (const status of CASE_STATUSES) {
    const n = walkedCounts.get(status) ?? cap + 1;
    if (n > cap) counts.capped.push(status);
    counts[status] = Math.min(n, cap);
    counts.all += counts[status];
  }
  // More than STATUS_COUNT_EXACT_UP_TO cases match: a sum at or below that is short by cases of a status outside
  // CASE_STATUSES (no tab, not walked), so "all" reads "N+" then too.
  if (counts.capped.length > 0 || counts.all <= STATUS_COUNT_EXACT_UP_TO) counts.capped.unshift("all");
  return counts;
}

/**
 * The filter's first STATUS_COUNT_EXACT_UP_TO + 1 matches per status; `all` when that is every match (then the counts
 * are exact). No order: the planner takes its cheapest way to them — a rare search the BitmapOr of its name and
 * order-number indexes, a common one or a period the covering (shop_id, status, created_at, id) index — and stops one
 * row past the bound when there are more.
 */
async function firstMatches(db: DbOrTx, where: SQL): Promise<{ byStatus: Map<string, number>; all: boolean }> {
  const rows = rowsOf<{ status: string; n: number }>(
    await db.execute(
      sql`select status, count(*)::int as n from (select ${cases.status} as status from ${cases} where ${where} limit ${sql.raw(String(STATUS_COUNT_EXACT_UP_TO + 1))}) m group by status`,
    ),
  );
  const byStatus = new Map(rows.map((r) => [r.status, Number(r.n)]));
  return { byStatus, all: [...byStatus.values()].reduce((sum, n) => sum + n, 0) <= STATUS_COUNT_EXACT_UP_TO };
}

/** How many cases match a filter (a bulk run's total): exact; a status alone is read from case_status_counts. */
export async function countMatching(
  db: DbOrTx,
  shopId: string,
  query: FilterQuery,
  context: ListContext = UTC_NOW(),
): Promise<number> {
  if (unfiltered(query)) {
    const rows = await storedCounts(db, shopId);
    return rows.filter((r) => !query.status || r.status === query.status).reduce((sum, r) => sum + r.n, 0);
  }
  const [row] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(cases)
    .where(and(...filters(shopId, { ...query, cursor: undefined }, context)));
  return Number(row?.n ?? 0);
}
