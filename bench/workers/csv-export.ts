/**
 * Child process of bench/scenarios/csv-export.ts: streams one shop's CSV export exactly as the route does
 * (casesCsvStream inside the tenant scope) to nowhere, and reports its time, size and the RSS of this process alone,
 * so the parent's generated data and baselines do not count. It runs under tsx with the app's modules, as
 * `npm start` runs the web process. Input: argv[2] = JSON { url, shopId }.
 */
import { z } from "zod";

import { openDatabase } from "#app/db/client.server";
import { tenantScope } from "#app/db/tenant.server";
import { casesCsvStream } from "#app/services/cases/csv.server";
import { caseListQuerySchema } from "#app/services/cases/list.server";

const input = z.object({ url: z.string(), shopId: z.uuid() }).parse(JSON.parse(process.argv[2] ?? "{}"));
const database = await openDatabase({ engine: "postgres", url: input.url, max: 2 });
try {
  const { cursor: _cursor, limit: _limit, ...query } = caseListQuerySchema.parse({});
  const rssBefore = process.memoryUsage.rss();
  let rssDuring = rssBefore;
  const started = performance.now();
  const stream = casesCsvStream(
    tenantScope(database.db, input.shopId),
    { id: input.shopId, timezone: "Europe/Berlin" },
    query,
    "de",
    new Date(),
  );
  let bytes = 0;
  let lines = 0;
  const reader = stream.getReader();
  for (let next = await reader.read(); !next.done; next = await reader.read()) {
    bytes += next.value.byteLength;
    // Counted natively: a byte-by-byte loop in JavaScript would cost the export a second per million rows.
    for (let at = next.value.indexOf(10); at !== -1; at = next.value.indexOf(10, at + 1)) lines += 1;
    rssDuring = Math.max(rssDuring, process.memoryUsage.rss());
  }
  const ms = performance.now() - started;
  process.stdout.write(
    `${JSON.stringify({ ms, bytes, rows: lines - 1, maxRssKb: process.resourceUsage().maxRSS, rssBeforeKb: Math.round(rssBefore / 1024), rssDuringKb: Math.round(rssDuring / 1024) })}\n`,
  );
} finally {
  await database.close();
}
