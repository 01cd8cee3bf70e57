import { and, asc, eq } from "drizzle-orm";

import type { DbOrTx } from "#app/db/client.server";
import { caseEvents, cases } from "#app/db/schema";
import { isUuid } from "#app/utils/uuid";

/** A case of this shop, or null — a case of another shop is indistinguishable from no case. */
export async function findCase(db: DbOrTx, shopId: string, caseId: string) {
  if (!isUuid(caseId)) return null;
  const [row] = await db
    .select()
    .from(cases)
    .where(and(eq(cases.shopId, shopId), eq(cases.id, caseId)))
    .limit(1);
  return row ?? null;
}

export async function listCaseEvents(db: DbOrTx, shopId: string, caseId: string) {
  return db
    .select()
    .from(caseEvents)
    .where(and(eq(caseEvents.shopId, shopId), eq(caseEvents.caseId, caseId)))
    .orderBy(asc(caseEvents.seq));
}
