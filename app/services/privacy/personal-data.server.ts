import { sql } from "drizzle-orm";

import type { Tx } from "#app/db/client.server";
import type { OrderRow } from "#app/db/schema";

/*
 * Finding a customer's personal data where we copied it: customers/redact (app/services/intake/platform-events.server.ts) erases it across
 * the shop, the retention sweep's cases.commercial rule (app/services/privacy/retention.server.ts) across one ended case.
 */

export const REDACTED = "[redacted]";

/** The customer's personal data as our orders hold it, to find it wherever else it was copied. */
export function personalValues(found: OrderRow[]): string[] {
  const values = new Set<string>();
  for (const order of found) {
    const c = order.customer;
    const b = order.billingAddress;
    const names = [
      c.firstName,
      c.lastName,
      c.company,
      c.email,
      c.phone,
      c.vatId,
      b?.name,
      b?.company,
      b?.street1,
      b?.street2,
    ];
    if (c.firstName && c.lastName) names.push(`${c.firstName} ${c.lastName}`);
    for (const value of names) if (value && value.trim().length >= 3) values.add(value.trim());
  }
  // Longest first, so "Anna Müller" goes as a whole before "Anna" would split it.
  return [...values].sort((a, b) => b.length - a.length);
}

/** Replaces each value in the shop's free-text and JSON columns (JSON as its escaped text, as jsonb prints it). */
export async function scrubText(tx: Tx, shopId: string, values: string[]) {
  for (const value of values) {
    const json = JSON.stringify(value).slice(1, -1);
    const has = (column: ReturnType<typeof sql>, needle: string) => sql`position(${needle} in ${column}) > 0`;
    await tx.execute(
      sql`update case_events set reason = replace(reason, ${value}, ${REDACTED}) where shop_id = ${shopId} and ${has(sql`reason`, value)}`,
    );
    await tx.execute(
      sql`update case_events set data = replace(data::text, ${json}, ${REDACTED})::jsonb where shop_id = ${shopId} and ${has(sql`data::text`, json)}`,
    );
    await tx.execute(
      sql`update outbox set last_error = replace(last_error, ${value}, ${REDACTED}) where shop_id = ${shopId} and ${has(sql`last_error`, value)}`,
    );
    await tx.execute(
      sql`update outbox set payload = replace(payload::text, ${json}, ${REDACTED})::jsonb where shop_id = ${shopId} and ${has(sql`payload::text`, json)}`,
    );
    await tx.execute(
      sql`update outbox set result = replace(result::text, ${json}, ${REDACTED})::jsonb where shop_id = ${shopId} and ${has(sql`result::text`, json)}`,
    );
    await tx.execute(
      sql`update webhook_inbox set last_error = replace(last_error, ${value}, ${REDACTED}) where shop_id = ${shopId} and ${has(sql`last_error`, value)}`,
    );
    // A bulk run's search text holding the whole value, and its failures ("debtor Anna Müller unknown").
    await tx.execute(
      sql`update bulk_runs set filter = replace(filter::text, ${json}, ${REDACTED})::jsonb where shop_id = ${shopId} and ${has(sql`filter::text`, json)}`,
    );
    await tx.execute(
      sql`update bulk_runs set failures = replace(failures::text, ${json}, ${REDACTED})::jsonb where shop_id = ${shopId} and ${has(sql`failures::text`, json)}`,
    );
  }
}

/** The same replacement, limited to one case's events and outbox rows (the only free text a case owns). */
export async function scrubCaseText(tx: Tx, shopId: string, caseId: string, values: string[]) {
  for (const value of values) {
    const json = JSON.stringify(value).slice(1, -1);
    const has = (column: ReturnType<typeof sql>, needle: string) => sql`position(${needle} in ${column}) > 0`;
    const of = sql`shop_id = ${shopId} and case_id = ${caseId}`;
    await tx.execute(
      sql`update case_events set reason = replace(reason, ${value}, ${REDACTED}) where ${of} and ${has(sql`reason`, value)}`,
    );
    await tx.execute(
      sql`update case_events set data = replace(data::text, ${json}, ${REDACTED})::jsonb where ${of} and ${has(sql`data::text`, json)}`,
    );
    await tx.execute(
      sql`update outbox set last_error = replace(last_error, ${value}, ${REDACTED}) where ${of} and ${has(sql`last_error`, value)}`,
    );
    await tx.execute(
      sql`update outbox set payload = replace(payload::text, ${json}, ${REDACTED})::jsonb where ${of} and ${has(sql`payload::text`, json)}`,
    );
    await tx.execute(
      sql`update outbox set result = replace(result::text, ${json}, ${REDACTED})::jsonb where ${of} and ${has(sql`result::text`, json)}`,
    );
  }
}
