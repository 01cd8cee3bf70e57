import { z } from "zod";

import { getDb } from "#app/db/db.server";
import { runRetention } from "#app/services/privacy/retention.server";
import { logger } from "#app/utils/logger.server";

import { defineJob } from "./jobs.server";

export const privacyJobs = [
  defineJob({
    // Personal data kept only as long as needed (docs/privacy.md): small batches with SKIP LOCKED, safe beside itself.
    name: "retention.sweep",
    schedule: "17 3 * * *",
    schema: z.object({}),
    handle: async () => {
      const report = await runRetention(await getDb(), { now: new Date() });
      // What went, per rule (each rule names its table): { "inbox.bodies": 120, "login_tokens.expired": 3, … }.
      logger.info(
        { removed: report.removed, error: report.error, ms: report.finishedAt.getTime() - report.startedAt.getTime() },
        "retention sweep",
      );
      if (report.error) throw new Error(`retention sweep stopped: ${report.error}`);
    },
    queue: { retryLimit: 2, expireInSeconds: 2 * 3600 },
  }),
];
