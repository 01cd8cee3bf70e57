// A handover worker as its own process (tsx), for crash injection on PostgreSQL: delivers partner.submit_claim rows
// with the real outbox and handler against the sandbox partner over HTTP, and SIGKILLs itself at a named step
// boundary when told to. The test process kills it from outside at random times as well.
//   HANDOVER_DATABASE_URL  PostgreSQL of the test
//   HANDOVER_CLOCK_OFFSET_MS  added to the clock (each worker generation lives past the previous one's leases)
//   HANDOVER_FAULT_POINT, HANDOVER_FAULT_AT  die at the n-th time this boundary is reached
//   HANDOVER_BATCH  rows claimed at once
import { z } from "zod";

import { openDatabase } from "#app/db/client.server";
import { logger } from "#app/utils/logger.server";

import { FAULT_POINTS, type FaultPoint, runHandoverWorker } from "./handover-faults";

const env = z
  .object({
    HANDOVER_DATABASE_URL: z.string().startsWith("postgres"),
    HANDOVER_CLOCK_OFFSET_MS: z.coerce.number().int().default(0),
    HANDOVER_FAULT_POINT: z.enum(FAULT_POINTS).optional(),
    HANDOVER_FAULT_AT: z.coerce.number().int().positive().default(1),
    /** Rows claimed at once (the outbox default is 20). */
    HANDOVER_BATCH: z.coerce.number().int().positive().default(20),
  })
  .parse(process.env);

logger.level = "silent";
const hits = new Map<FaultPoint, number>();
const fault = (point: FaultPoint) => {
  const n = (hits.get(point) ?? 0) + 1;
  hits.set(point, n);
  if (point === env.HANDOVER_FAULT_POINT && n === env.HANDOVER_FAULT_AT) process.kill(process.pid, "SIGKILL");
};

const database = await openDatabase({ engine: "postgres", url: env.HANDOVER_DATABASE_URL, max: 2 });
process.stdout.write("ready\n");
const handled = await runHandoverWorker({
  db: database.db,
  now: () => new Date(Date.now() + env.HANDOVER_CLOCK_OFFSET_MS),
  fault,
  batch: env.HANDOVER_BATCH,
});
await database.close();
process.stdout.write(`done ${handled}\n`);
