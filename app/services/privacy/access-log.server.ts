import { and, desc, eq, lt } from "drizzle-orm";

import type { DbOrTx } from "#app/db/client.server";
import { accessLog } from "#app/db/schema";
import type { Staff } from "#app/domain/staff";
import { isUuid } from "#app/utils/uuid";

/**
 * The access log: who opened which case, letter or export, through the tab, the API or the CLI. Every reader of
 * personal data records an entry before answering, and reading the log is itself an entry. Queries are per shop.
 */
export type AccessEntry = typeof accessLog.$inferSelect;
export type AccessWhat = AccessEntry["what"];
export type AccessActor = { channel: AccessEntry["channel"]; id: string; name?: string | null };

export const ACCESS_LOG_PAGE = 100;

/** A staff member in the tab. */
export const tabReader = (staff: Staff): AccessActor => ({ channel: "tab", id: staff.id, name: staff.name });

export async function recordAccess(
  db: DbOrTx,
  entry: { shopId: string; actor: AccessActor; what: AccessWhat; caseId?: string | null; at?: Date },
): Promise<void> {
  await db.insert(accessLog).values({
    shopId: entry.shopId,
    at: entry.at ?? new Date(),
    channel: entry.actor.channel,
    actorId: entry.actor.id.slice(0, 200),
    actorName: entry.actor.name?.slice(0, 200) ?? null,
    what: entry.what,
    caseId: entry.caseId ?? null,
  });
}

/** Newest first; `before` pages on (the `at` of the last entry shown); `caseId` narrows to one case. */
export async function listAccess(
  db: DbOrTx,
  shopId: string,
  { caseId, before, limit = ACCESS_LOG_PAGE }: { caseId?: string | null; before?: Date | null; limit?: number } = {},
): Promise<AccessEntry[]> {
  if (caseId && !isUuid(caseId)) return [];
  const conditions = [eq(accessLog.shopId, shopId)];
  if (caseId) conditions.push(eq(accessLog.caseId, caseId));
  if (before) conditions.push(lt(accessLog.at, before));
  return db
    .select()
    .from(accessLog)
    .where(and(...conditions))
    .orderBy(desc(accessLog.at), desc(accessLog.id))
    .limit(Math.min(Math.max(limit, 1), 1_000));
}

export function accessEntryToJson(entry: AccessEntry) {
  return {
    id: entry.id,
    at: entry.at.toISOString(),
    channel: entry.channel,
    actor: { id: entry.actorId, name: entry.actorName },
    what: entry.what,
    caseId: entry.caseId,
  };
}
