import { z } from "zod";

import { getDb } from "#app/db/db.server";
import { failBulkRun, runBulkRun } from "#app/services/cases/bulk-runs.server";
import { compactCaseStatusCounts } from "#app/services/cases/status-counts.server";

import { defineJob } from "./jobs.server";

const bulkRun = z.object({ runId: z.uuid() });

/** "Start/cancel all N matching this filter" from the collections tab. */
export const bulkRunJob = defineJob({
  name: "cases.bulk",
  schema: bulkRun,
  // Resumable: each case commits with the run's cursor, so a retry continues after the last handled case.
  handle: async ({ runId }) => {
    await runBulkRun(await getDb(), runId);
  },
  queue: { retryLimit: 5, expireInSeconds: 60 * 60 },
});

export const casesJobs = [
  bulkRunJob,
  defineJob({
    name: `${bulkRunJob.name}.dead`,
    schema: bulkRun,
    handle: async ({ runId }) => {
      await failBulkRun(await getDb(), runId, new Date());
    },
  }),
  defineJob({
    // Folds the tab badges' count deltas (case_status_counts, written by triggers on cases); safe beside itself.
    name: "cases.counts.compact",
    schedule: "*/5 * * * *",
    schema: z.object({}),
    handle: async () => {
      await compactCaseStatusCounts(await getDb());
    },
  }),
];
