import { and, asc, desc, eq, gte, ilike, lte, or, sql, type SQL } from "drizzle-orm";
import { z } from "zod";
import type { DbOrTx } from "#app/db/client.server";
import { cases } from "#app/db/schema";
import { CASE_STATUSES } from "#app/domain/case/status";


const SORT_COLUMNS = {
  created: cases.createdAt,
  due: cases.dueDate,
  amount: cases.outstandingMinor,
  status: cases.status,
} as const;

/** The list view as it lives in the URL: shareable, and the back button restores it. */
export const caseListQuerySchema = z.object({
  status: z.enum(CASE_STATUSES).optional(),
  q: z.string().trim().max(200).optional(),
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

type Cursor = { v: string | number; id: string };

function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify(cursor)).toString("base64url");
}

function decodeCursor(value: string): Cursor | null {
  try {
    const parsed = z
      .object({ v: z.union([z.string(), z.number()]), id: z.uuid() })
      .safeParse(JSON.parse(Buffer.from(value, "base64url").toString("utf8")));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

function filters(shopId: string, query: Omit<CaseListQuery, "status"> & { status?: string }): SQL[] {
  const where: SQL[] = [eq(cases.shopId, shopId)];
  if (query.status) where.push(eq(cases.status, query.status));
  if (query.from) where.push(gte(cases.createdAt, new Date(`${query.from}T00:00:00Z`)));
  if (query.to) where.push(sql`${cases.createdAt} < (${query.to}::date + 1)`);
  if (query.minAmount !== undefined) where.push(gte(cases.outstandingMinor, query.minAmount));
  if (query.maxAmount !== undefined) where.push(lte(cases.outstandingMinor, query.maxAmount));
  if (query.q) {
    const prefix = `${query.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    const plain = query.q.replace(/^#/, "");
    where.push(
      or(
        ilike(cases.orderName, prefix),
        ilike(cases.orderName, `#${plain.replace(/[\\%_]/g, (c) => `\\${c}`)}%`),
        ilike(cases.customerFirstName, prefix),
        ilike(cases.customerLastName, prefix),
      )!,
    );
  }
  return where;
}

export async function listCases(db: DbOrTx, shopId: string, query: CaseListQuery) {
  const column = SORT_COLUMNS[query.sort];
  const where = filters(shopId, query);
  const cursor = query.cursor ? decodeCursor(query.cursor) : null;
  if (cursor) {
    // Timestamps travel as ISO text with an explicit cast: postgres.js under drizzle does not serialise Date parameters.
    const value = query.sort === "created" ? sql`${new Date(String(cursor.v)).toISOString()}::timestamptz` : cursor.v;
    // Keyset: (sort value, id) strictly after the last row, so deep pages cost the same as the first.
    where.push(
      query.direction === "desc"
        ? sql`(${column}, ${cases.id}) < (${value}, ${cursor.id})`
        : sql`(${column}, ${cases.id}) > (${value}, ${cursor.id})`,
    );
  }
  const order = query.direction === "desc" ? [desc(column), desc(cases.id)] : [asc(column), asc(cases.id)];
  const rows = await db
    .select()
    .from(cases)
    .where(and(...where))
    .orderBy(...order)
    .limit(query.limit + 1);
  const page = rows.slice(0, query.limit);
  const last = page[page.length - 1];
  const nextCursor =
    rows.length > query.limit && last
      ? encodeCursor({
          v: query.sort === "created" ? last.createdAt.toISOString() : (last[sortField(query.sort)] as string | number),
          id: last.id,
        })
      : null;
  return { cases: page, nextCursor };
}

function sortField(sort: CaseListQuery["sort"]) {
  return ({ created: "createdAt", due: "dueDate", amount: "outstandingMinor", status: "status" } as const)[sort];
}

/** Count per status under the same filters (without the status filter), for the tabs. */
export async function countCasesByStatus(db: DbOrTx, shopId: string, query: Omit<CaseListQuery, "status">) {
  const rows = await db
    .select({ status: cases.status, n: sql<number>`count(*)::int` })
    .from(cases)
    .where(and(...filters(shopId, query)))
    .groupBy(cases.status);
  const counts = Object.fromEntries(CASE_STATUSES.map((s) => [s, 0])) as Record<(typeof CASE_STATUSES)[number], number>;
  let all = 0;
  for (const row of rows) {
    if (row.status in counts) counts[row.status as (typeof CASE_STATUSES)[number]] = Number(row.n);
    all += Number(row.n);
  }
  return { all, ...counts };
}
