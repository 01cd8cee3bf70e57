import { z } from "zod";
import { getDb } from "#app/db/db.server";
import { BULK_RUN_JOB, failBulkRun, runBulkRun } from "#app/services/cases/bulk-runs.server";
import type { JobDefinition } from "./jobs.server";

const bulkJob = z.object({ runId: z.uuid() });

/** Jobs the collections tab starts: "start/cancel all N matching this filter". */
export const uiJobDefinitions: JobDefinition<any>[] = [
  {
    name: BULK_RUN_JOB,
    parse: (data) => bulkJob.parse(data),
    // Resumable: each case commits with the run's cursor, so a retry continues after the last handled case.
    handle: async ({ runId }: z.infer<typeof bulkJob>) => {
      await runBulkRun(await getDb(), runId);
    },
    queue: { retryLimit: 5, expireInSeconds: 60 * 60 },
  },
  {
    name: `${BULK_RUN_JOB}.dead`,
    parse: (data) => bulkJob.parse(data),
    handle: async ({ runId }: z.infer<typeof bulkJob>) => {
      await failBulkRun(await getDb(), runId, new Date());
    },
  },
];
