import { sql } from "drizzle-orm";

import { type DbOrTx, rowsOf } from "#app/db/client.server";

/**
 * Folds case_status_counts' delta rows (drizzle/0007) into one row per (shop, status); (shop, status) pairs whose
 * deltas sum to zero disappear. Readers sum a shop's rows, so the result is the same before and after: this only
 * keeps the rows they sum few. One statement: it deletes exactly the rows it sums (RETURNING), so deltas committed
 * while it runs stay for the next run, and two compactions at once never fold a row twice (the second skips rows
 * the first deleted). Table owner only (the job): a tenant scope sees one shop.
 */
export async function compactCaseStatusCounts(db: DbOrTx): Promise<{ folded: number }> {
  const result = await db.execute(sql`
    with crowded as (
      select shop_id, status from case_status_counts group by shop_id, status having count(*) > 1
    ), folded as (
      delete from case_status_counts c using crowded
      where c.shop_id = crowded.shop_id and c.status = crowded.status
      returning c.shop_id, c.status, c.n
    ), kept as (
      insert into case_status_counts (shop_id, status, n)
      select shop_id, status, sum(n) from folded group by shop_id, status having sum(n) <> 0
      returning 1
    )
    select (select count(*)::int from folded) as folded`);
  return { folded: Number(rowsOf<{ folded: number }>(result)[0]?.folded ?? 0) };
}
